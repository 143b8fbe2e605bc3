//! `/manage` (a business owner's dashboard) and `/admin` (city staff): organizations,
//! members, the listing editor with weekly hours and dated exceptions, publishing,
//! and moderation. Plain forms with CSRF tokens; errors shown next to the fields.

use std::collections::HashMap;

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::address;
use super::form::{self, FormData, BLANK_EXCEPTIONS, INTERVALS};
use crate::core::error::ErrorCode;
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::listings::error::ListingError;
use crate::listings::model::{ListingKind, ListingStatus, NewListing};
use crate::listings::review;
use crate::listings::service::{self, IfMatch, Transition};
use crate::listings::taxonomy;
use crate::organizations::{self, MemberRole, OrganizationKind};
use crate::web::extract::{
    message_page, protected_form, CheckedForm, PageUser, StaffUser, TokenOnly,
};
use crate::web::pages::{render, see_other, PageCtx};
use crate::web::state::AppState;
use entities::{booking, listing, membership, offer, organization, user};

/// A page showing an error (403, 404, 409 ...) in the page's language.
async fn problem_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    e: &(dyn ErrorCode + Sync),
) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let (title, text) = crate::web::pages::error_texts(state, pc.locale, e);
    render(
        state,
        pc,
        req,
        "message.html",
        status,
        context! { title, text },
    )
}

fn flash(req: &Request) -> Option<String> {
    crate::web::pages::query_param(req, "done")
        .filter(|v| v.len() < 40 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// The categories the editor offers: a business's listing never the city
/// administration's.
fn category_options(l: Locale, kind: ListingKind) -> Vec<minijinja::Value> {
    taxonomy::CATEGORIES
        .iter()
        .filter(|c| c.parent.is_some())
        .filter(|c| kind == ListingKind::MunicipalService || !review::is_city_category(c.key))
        .map(|c| {
            let group = c.parent.and_then(taxonomy::find).map(|g| if l == Locale::En { g.label_en } else { g.label_de }).unwrap_or("");
            context! { key => c.key, label => format!("{group} – {}", if l == Locale::En { c.label_en } else { c.label_de }) }
        })
        .collect()
}

#[handler]
pub async fn dashboard(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
) -> Response {
    dashboard_with(
        &state,
        &pc,
        req,
        &u,
        StatusCode::OK,
        Vec::new(),
        HashMap::new(),
    )
    .await
}

async fn dashboard_with(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &AuthUser,
    status: StatusCode,
    errors: Vec<(String, String)>,
    values: HashMap<String, String>,
) -> Response {
    let field_errors: HashMap<String, String> = errors.iter().cloned().collect();
    let errors: Vec<minijinja::Value> = errors
        .into_iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    let ms = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .all(&state.db)
        .await
        .unwrap_or_default();
    let orgs = organization::Entity::find()
        .filter(
            organization::Column::Id
                .is_in(ms.iter().map(|m| m.organization_id).collect::<Vec<_>>()),
        )
        .filter(organization::Column::CityId.eq(state.city.id))
        .order_by_asc(organization::Column::Name)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let l = pc.locale;
    let mut out = Vec::new();
    let mut waiting_total = 0u64;
    for o in &orgs {
        let listings = listing::Entity::find()
            .filter(listing::Column::OrganizationId.eq(o.id))
            .order_by_asc(if l == Locale::En {
                listing::Column::NameEn
            } else {
                listing::Column::NameDe
            })
            .all(&state.db)
            .await
            .unwrap_or_default();
        let members = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(o.id))
            .all(&state.db)
            .await
            .unwrap_or_default();
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id).collect::<Vec<_>>()))
            .all(&state.db)
            .await
            .unwrap_or_default();
        let my_role = ms
            .iter()
            .find(|m| m.organization_id == o.id)
            .map(|m| m.role.clone())
            .unwrap_or_default();
        let connections = if my_role == "owner" {
            crate::partners::pages::section(state, o.id).await
        } else {
            Vec::new()
        };
        let waiting = waiting_requests(state, l, &listings).await;
        // The dashboard's count links to the first organization's requests.
        let waiting_anchor = !waiting.is_empty() && waiting_total == 0;
        waiting_total += waiting.iter().map(|w| w.1).sum::<u64>();
        out.push(context! {
            id => o.id.to_string(),
            name => o.name.clone(),
            kind => o.kind.clone(),
            owner => my_role == "owner",
            connections,
            waiting_anchor,
            waiting => waiting.into_iter().map(|(offer, count, name)| context! { offer => offer.to_string(), count, name }).collect::<Vec<_>>(),
            listings => listings.iter().map(|m| context! {
                id => m.id.to_string(),
                name => if l == Locale::En && !m.name_en.is_empty() || m.name_de.is_empty() { m.name_en.clone() } else { m.name_de.clone() },
                status => ListingStatus::of(m).as_str(),
                public_url => format!("/{}/{}", if m.kind == "municipal_service" { "services" } else { "listings" }, m.slug),
                reason => m.suspended_reason.clone().or(m.review_note.clone()),
                review_terms => m.review_terms.clone(),
            }).collect::<Vec<_>>(),
            members => members.iter().filter_map(|m| users.iter().find(|x| x.id == m.user_id).map(|x| context! {
                user_id => x.id.to_string(),
                name => x.display_name.clone(),
                email => x.email.clone(),
                role => m.role.clone(),
                me => x.id == u.id,
            })).collect::<Vec<_>>(),
        });
    }
    render(
        state,
        pc,
        req,
        "manage.html",
        status,
        context! { organizations => out, waiting_total, errors, e => field_errors, values, done => flash(req) },
    )
}

/// The offers of these listings with booking requests waiting for the business's
/// decision: the offer, how many, and its name.
async fn waiting_requests(
    state: &AppState,
    l: Locale,
    listings: &[listing::Model],
) -> Vec<(Uuid, u64, String)> {
    let offers = offer::Entity::find()
        .filter(offer::Column::ListingId.is_in(listings.iter().map(|m| m.id).collect::<Vec<_>>()))
        .all(&state.db)
        .await
        .unwrap_or_default();
    let counts: Vec<(Uuid, i64)> = booking::Entity::find()
        .select_only()
        .column(booking::Column::OfferId)
        .column_as(booking::Column::Id.count(), "n")
        .filter(booking::Column::OfferId.is_in(offers.iter().map(|o| o.id).collect::<Vec<_>>()))
        .filter(booking::Column::Status.eq("requested"))
        .group_by(booking::Column::OfferId)
        .into_tuple()
        .all(&state.db)
        .await
        .unwrap_or_default();
    offers
        .iter()
        .filter_map(|o| {
            let n = counts.iter().find(|c| c.0 == o.id)?.1;
            let name = if l == Locale::En && !o.name_en.is_empty() || o.name_de.is_empty() {
                o.name_en.clone()
            } else {
                o.name_de.clone()
            };
            Some((o.id, n.max(0) as u64, name))
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    csrf: String,
}

protected_form!(OrgForm);

#[handler]
pub async fn create_organization(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(f): CheckedForm<OrgForm>,
) -> Response {
    let cx = state.organizations_ctx();
    match organizations::service::register_organization(cx, &u, &f.name, OrganizationKind::Business)
        .await
    {
        Ok(o) => see_other(format!("/manage?done=org-created#org-{}", o.id)),
        Err(e) if e.fields().is_empty() => problem_page(&state, &pc, req, &e).await,
        Err(e) => {
            let errors = super::field_texts(&state, pc.locale, &e)
                .into_iter()
                .map(|(_, message)| ("org-name".to_string(), message))
                .collect();
            let values = HashMap::from([("org-name".to_string(), f.name.clone())]);
            dashboard_with(
                &state,
                &pc,
                req,
                &u,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                values,
            )
            .await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    csrf: String,
}

protected_form!(MemberForm);

#[handler]
pub async fn add_member(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(org): Path<Uuid>,
    CheckedForm(f): CheckedForm<MemberForm>,
) -> Response {
    let role = if f.role == "owner" {
        MemberRole::Owner
    } else {
        MemberRole::Staff
    };
    let cx = state.organizations_ctx();
    let added = match organizations::service::member_email(&f.email) {
        Ok(email) => organizations::service::add_member(cx, &u, org, &email, role).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => see_other(format!("/manage?done=member-added#org-{org}")),
        Err(e) if e.status() == 422 || e.status() == 409 => {
            let msg = super::field_texts(&state, pc.locale, &e)
                .into_iter()
                .next()
                .map(|(_, m)| m)
                .unwrap_or_else(|| {
                    crate::web::pages::error_texts(&state, pc.locale, &e)
                        .1
                        .unwrap_or_default()
                });
            let id = format!("member-email-{org}");
            let errors = vec![(id.clone(), msg)];
            dashboard_with(
                &state,
                &pc,
                req,
                &u,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                HashMap::from([(id, f.email.clone())]),
            )
            .await
        }
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[handler]
pub async fn remove_member(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path((org, member)): Path<(Uuid, Uuid)>,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    match organizations::service::remove_member(state.organizations_ctx(), &u, org, member).await {
        Ok(()) => see_other(format!("/manage?done=member-removed#org-{org}")),
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

/// Renders the listing editor.
#[allow(clippy::too_many_arguments)]
async fn editor(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    kind: ListingKind,
    action: String,
    listing: Option<&service::ListingRecord>,
    values: HashMap<String, String>,
    field_errors: HashMap<String, String>,
    summary: Vec<(String, String)>,
) -> Response {
    let l = pc.locale;
    let existing_exceptions = (0..200)
        .take_while(|i| values.contains_key(&format!("x{i}_date")))
        .count();
    let departments = if kind == ListingKind::MunicipalService {
        organization::Entity::find()
            .filter(organization::Column::CityId.eq(state.city.id))
            .filter(organization::Column::Kind.eq("department"))
            .order_by_asc(organization::Column::Name)
            .all(&state.db)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|o| context! { id => o.id.to_string(), name => o.name })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let channels: Vec<&str> = values
        .get("channel")
        .map(|c| c.split(',').collect())
        .unwrap_or_default();
    render(
        state,
        pc,
        req,
        "listing_form.html",
        status,
        context! {
            kind => kind.as_str(),
            action,
            listing => listing.map(|r| context! {
                id => r.model.id.to_string(),
                status => r.status().as_str(),
                public_url => format!("/{}/{}", if r.model.kind == "municipal_service" { "services" } else { "listings" }, r.model.slug),
                reason => r.model.suspended_reason.clone(),
                review_terms => r.model.review_terms.clone(),
                review_note => r.model.review_note.clone(),
            }),
            address_found => values.get("address_found").cloned(),
            address_choices => values.get("address_choices").map(|c| c.lines().map(String::from).collect::<Vec<_>>()),
            coordinates_open => field_errors.contains_key("lat") || field_errors.contains_key("lng"),
            v => values.clone(),
            e => field_errors,
            errors => summary.into_iter().map(|(field, message)| context! { field, message }).collect::<Vec<_>>(),
            days => (0..7).map(|d| context! { d, name => state.i18n.t(l, &format!("day-{d}"), None) }).collect::<Vec<_>>(),
            intervals => (0..INTERVALS).collect::<Vec<_>>(),
            exception_rows => (0..existing_exceptions + BLANK_EXCEPTIONS).collect::<Vec<_>>(),
            categories => category_options(l, kind),
            departments,
            channel_options => ["in_person", "online", "post", "phone", "email"].iter().map(|c| context! {
                value => *c,
                checked => channels.contains(c),
            }).collect::<Vec<_>>(),
            done => flash(req),
        },
    )
}

async fn org_for_new_listing(
    state: &AppState,
    u: &AuthUser,
    org: Uuid,
) -> Result<organization::Model, ListingError> {
    let o = organization::Entity::find_by_id(org)
        .one(&state.db)
        .await?
        .filter(|o| o.city_id == state.city.id)
        .ok_or_else(|| ListingError::not_found("organization"))?;
    if !service::is_member(&state.db, o.id, u.id).await? {
        return Err(ListingError::not_found("organization"));
    }
    Ok(o)
}

#[handler]
pub async fn new_listing_form(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(org): Path<Uuid>,
) -> Response {
    if let Err(p) = org_for_new_listing(&state, &u, org).await {
        return problem_page(&state, &pc, req, &p).await;
    }
    let action = format!("/manage/organizations/{org}/listings");
    editor(
        &state,
        &pc,
        req,
        StatusCode::OK,
        ListingKind::Business,
        action,
        None,
        HashMap::new(),
        HashMap::new(),
        Vec::new(),
    )
    .await
}

/// A rejected form: the status, errors by form id, and the error summary.
type Rejected = (StatusCode, HashMap<String, String>, Vec<(String, String)>);

/// Validates a submitted editor form; on failure, the status and errors to show.
fn validated(
    state: &AppState,
    l: Locale,
    f: &FormData,
    kind: ListingKind,
) -> Result<crate::listings::model::ListingFields, Rejected> {
    let (fields, rows, pre) = form::fields_from_form(f, kind);
    let mut all = pre;
    if let Err(invalid) = fields.validate(kind) {
        all.extend(invalid.0);
    }
    if all.is_empty() {
        return Ok(fields);
    }
    let (by_id, list) = form::place_errors(&all, &rows, |m| super::field_text(state, l, m));
    Err((StatusCode::UNPROCESSABLE_ENTITY, by_id, list))
}

#[handler]
pub async fn create_listing(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(org): Path<Uuid>,
    CheckedForm(f): CheckedForm<FormData>,
) -> Response {
    let action = format!("/manage/organizations/{org}/listings");
    if let Some((status, values, e, list)) = address::lookup(&state, pc.locale, &f).await {
        let kind = ListingKind::Business;
        return editor(
            &state, &pc, req, status, kind, action, None, values, e, list,
        )
        .await;
    }
    let fields = match validated(&state, pc.locale, &f, ListingKind::Business) {
        Ok(fields) => fields,
        Err((status, e, list)) => {
            return editor(
                &state,
                &pc,
                req,
                status,
                ListingKind::Business,
                action,
                None,
                f.values(),
                e,
                list,
            )
            .await
        }
    };
    let new = NewListing {
        kind: ListingKind::Business,
        organization_id: Some(org),
        fields,
    };
    match service::create(&state.db, state.city.id, &state.reserved_names(), &u, new).await {
        Ok(rec) => see_other(format!("/manage/listings/{}?done=created", rec.model.id)),
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[handler]
pub async fn edit_listing_form(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
) -> Response {
    match service::editable(&state.db, state.city.id, &u, &id).await {
        Ok(rec) => {
            let values = form::form_values(&rec);
            let action = format!("/manage/listings/{}", rec.model.id);
            editor(
                &state,
                &pc,
                req,
                StatusCode::OK,
                rec.kind(),
                action,
                Some(&rec),
                values,
                HashMap::new(),
                Vec::new(),
            )
            .await
        }
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[handler]
pub async fn update_listing(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<FormData>,
) -> Response {
    let rec = match service::editable(&state.db, state.city.id, &u, &id).await {
        Ok(r) => r,
        Err(p) => return problem_page(&state, &pc, req, &p).await,
    };
    let action = format!("/manage/listings/{}", rec.model.id);
    let kind = rec.kind();
    if let Some((status, values, e, list)) = address::lookup(&state, pc.locale, &f).await {
        let rec = Some(&rec);
        return editor(&state, &pc, req, status, kind, action, rec, values, e, list).await;
    }
    let fields = match validated(&state, pc.locale, &f, kind) {
        Ok(fields) => fields,
        Err((status, e, list)) => {
            return editor(
                &state,
                &pc,
                req,
                status,
                kind,
                action,
                Some(&rec),
                f.values(),
                e,
                list,
            )
            .await
        }
    };
    let version = f.get("version").parse::<i32>().unwrap_or(0);
    match service::update(
        &state.db,
        state.city.id,
        &state.reserved_names(),
        &u,
        &id,
        Some(&IfMatch::Versions(vec![version])),
        fields,
    )
    .await
    {
        Ok(rec) => see_other(format!("/manage/listings/{}?done=saved", rec.model.id)),
        Err(ListingError::StaleVersion { .. }) => {
            let msg = pc.t(&state, "error-stale");
            let mut values = f.values();
            values.insert("version".into(), version.to_string());
            editor(
                &state,
                &pc,
                req,
                StatusCode::PRECONDITION_FAILED,
                kind,
                action,
                Some(&rec),
                values,
                HashMap::new(),
                vec![("name_de".into(), msg)],
            )
            .await
        }
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[derive(serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// The staff's list's filters and page, to return to after the action.
    #[serde(default)]
    back: String,
    #[serde(default)]
    csrf: String,
}

protected_form!(StatusForm);

/// The moderation list's filters and page, from a query string; anything else in it is
/// left out, so the way back after an action leads to `/admin` and nowhere else.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdminQuery {
    pub q: String,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub page: u64,
}

/// The statuses the moderation list filters by.
const FILTER_STATUSES: [&str; 4] = ["pending_review", "published", "draft", "suspended"];

impl AdminQuery {
    pub fn parse(query: &str) -> AdminQuery {
        let mut out = AdminQuery {
            page: 1,
            ..Default::default()
        };
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            match &*k {
                "q" => out.q = v.chars().take(200).collect(),
                "status" if FILTER_STATUSES.contains(&&*v) => out.status = Some(v.into_owned()),
                "kind" if ListingKind::parse(&v).is_some() => out.kind = Some(v.into_owned()),
                "page" => out.page = v.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        out
    }

    /// The query string (without `?`), with another page.
    pub fn to_query(&self, page: u64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        if let Some(v) = &self.status {
            s.append_pair("status", v);
        }
        if let Some(v) = &self.kind {
            s.append_pair("kind", v);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        s.finish()
    }

    /// `/admin` with these filters and this page, and `done`.
    fn url(&self, done: &str, anchor: &str) -> String {
        let query = self.to_query(self.page);
        let sep = if query.is_empty() { "" } else { "&" };
        format!("/admin?{query}{sep}done={done}#{anchor}")
    }
}

#[handler]
pub async fn change_status(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    Path(id): Path<String>,
    CheckedForm(f): CheckedForm<StatusForm>,
) -> Response {
    // The staff's list sends its forms to `/admin/listings/{id}/status` and gets them back.
    let from_admin = req.uri().path().starts_with("/admin/");
    let reason = || {
        let reason = f.reason.trim().to_string();
        (3..=500)
            .contains(&reason.chars().count())
            .then_some(reason)
    };
    let t = match f.action.as_str() {
        "publish" => Transition::Publish,
        "unpublish" => Transition::Unpublish,
        "restore" => Transition::Restore,
        "approve" => Transition::Approve,
        "suspend" | "reject" => {
            let Some(reason) = reason() else {
                return message_page(
                    &state,
                    &pc,
                    req,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-reason",
                );
            };
            if f.action == "reject" {
                Transition::Reject { reason }
            } else {
                Transition::Suspend { reason }
            }
        }
        "delete" => {
            return match service::delete(&state.db, state.city.id, &u, &id, None).await {
                Ok(()) => see_other("/manage?done=deleted"),
                Err(p) => problem_page(&state, &pc, req, &p).await,
            };
        }
        _ => {
            return message_page(
                &state,
                &pc,
                req,
                StatusCode::BAD_REQUEST,
                "error-unknown-action",
            )
        }
    };
    match service::transition(&state.db, state.city.id, &u, &id, None, t).await {
        Ok(rec) if from_admin => {
            let back = AdminQuery::parse(&f.back);
            let anchor = if matches!(f.action.as_str(), "approve" | "reject") {
                "review".to_string()
            } else {
                format!("l-{}", rec.model.id)
            };
            see_other(back.url(&f.action, &anchor))
        }
        Ok(rec) if rec.status() == ListingStatus::PendingReview => see_other(format!(
            "/manage/listings/{}?done=review-requested",
            rec.model.id
        )),
        Ok(rec) => see_other(format!(
            "/manage/listings/{}?done={}",
            rec.model.id, f.action
        )),
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

/// How many listings one page of the moderation list shows.
const PAGE_SIZE: u64 = 50;

fn display_name(l: Locale, m: &listing::Model) -> String {
    if l == Locale::En && !m.name_en.is_empty() || m.name_de.is_empty() {
        m.name_en.clone()
    } else {
        m.name_de.clone()
    }
}

fn public_url(m: &listing::Model) -> String {
    let prefix = if m.kind == "municipal_service" {
        "services"
    } else {
        "listings"
    };
    format!("/{prefix}/{}", m.slug)
}

/// The pages to link to around `page` of `pages`: the first, the last and two either
/// side; `None` marks a gap.
fn page_links(page: u64, pages: u64) -> Vec<Option<u64>> {
    let mut out = Vec::new();
    for p in 1..=pages {
        if p == 1 || p == pages || p.abs_diff(page) <= 2 {
            out.push(Some(p));
        } else if out.last() != Some(&None) {
            out.push(None);
        }
    }
    out
}

#[handler]
pub async fn admin(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, .. }: StaffUser,
) -> Response {
    let l = pc.locale;
    let query = AdminQuery::parse(req.uri().query().unwrap_or(""));
    let mut cond = Condition::all().add(listing::Column::CityId.eq(state.city.id));
    for t in crate::search::tokens(&query.q) {
        cond = cond.add(listing::Column::SearchText.like(format!("%{t}%")));
    }
    match query.status.as_deref() {
        Some("pending_review") => {
            cond = cond
                .add(listing::Column::Status.eq("draft"))
                .add(listing::Column::ReviewRequestedAt.is_not_null());
        }
        Some("draft") => {
            cond = cond
                .add(listing::Column::Status.eq("draft"))
                .add(listing::Column::ReviewRequestedAt.is_null());
        }
        Some(s) => cond = cond.add(listing::Column::Status.eq(s)),
        None => {}
    }
    if let Some(k) = &query.kind {
        cond = cond.add(listing::Column::Kind.eq(k.as_str()));
    }
    let name_col = if l == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let total = listing::Entity::find()
        .filter(cond.clone())
        .count(&state.db)
        .await
        .unwrap_or(0);
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.min(pages);
    let query = AdminQuery { page, ..query };
    let found = listing::Entity::find()
        .filter(cond)
        .order_by_asc(name_col)
        .order_by_asc(listing::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let waiting = listing::Entity::find()
        .filter(listing::Column::CityId.eq(state.city.id))
        .filter(listing::Column::Status.eq("draft"))
        .filter(listing::Column::ReviewRequestedAt.is_not_null())
        .order_by_asc(listing::Column::ReviewRequestedAt)
        .limit(200)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let services = listing::Entity::find()
        .filter(listing::Column::CityId.eq(state.city.id))
        .filter(listing::Column::Kind.eq("municipal_service"))
        .order_by_asc(name_col)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let org_ids: Vec<Uuid> = waiting.iter().filter_map(|m| m.organization_id).collect();
    let org_names: HashMap<Uuid, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(org_ids))
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let row = |m: &listing::Model| {
        context! {
            id => m.id.to_string(),
            name => display_name(l, m),
            kind => m.kind.clone(),
            status => ListingStatus::of(m).as_str(),
            reason => m.suspended_reason.clone().or(m.review_note.clone()),
            review_terms => m.review_terms.clone(),
            organization => m.organization_id.and_then(|o| org_names.get(&o).cloned()),
            other_name => {
                let other = if display_name(l, m) == m.name_de { &m.name_en } else { &m.name_de };
                (!other.is_empty() && *other != display_name(l, m)).then(|| other.clone())
            },
            other_lang => if display_name(l, m) == m.name_de { "en" } else { "de" },
            public_url => public_url(m),
        }
    };
    let page_url = |p: u64| {
        let q = query.to_query(p);
        if q.is_empty() {
            "/admin".to_string()
        } else {
            format!("/admin?{q}")
        }
    };
    render(
        &state,
        &pc,
        req,
        "admin.html",
        StatusCode::OK,
        context! {
            q => query.q.clone(),
            status => query.status.clone(),
            kind => query.kind.clone(),
            statuses => FILTER_STATUSES,
            total,
            page,
            pages,
            prev_url => (page > 1).then(|| page_url(page - 1)),
            next_url => (page < pages).then(|| page_url(page + 1)),
            page_links => page_links(page, pages).into_iter().map(|p| p.map(|p| context! { n => p, url => page_url(p), current => p == page })).collect::<Vec<_>>(),
            back => query.to_query(page),
            found => found.iter().map(row).collect::<Vec<_>>(),
            waiting => waiting.iter().map(row).collect::<Vec<_>>(),
            services => services.iter().map(row).collect::<Vec<_>>(),
            done => flash(req),
        },
    )
}

/// `/admin/organizations`: each organization of the city with its members (name and
/// role) and its listings, a page at a time.
#[handler]
pub async fn admin_organizations(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, .. }: StaffUser,
) -> Response {
    let l = pc.locale;
    let page = crate::web::pages::query_param(req, "page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let base = organization::Entity::find().filter(organization::Column::CityId.eq(state.city.id));
    let total = base.clone().count(&state.db).await.unwrap_or(0);
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages);
    let orgs = base
        .order_by_asc(organization::Column::Name)
        .order_by_asc(organization::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    let members = membership::Entity::find()
        .filter(membership::Column::OrganizationId.is_in(ids.clone()))
        .order_by_asc(membership::Column::CreatedAt)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let users: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let listings = listing::Entity::find()
        .filter(listing::Column::OrganizationId.is_in(ids))
        .order_by_asc(if l == Locale::En {
            listing::Column::NameEn
        } else {
            listing::Column::NameDe
        })
        .all(&state.db)
        .await
        .unwrap_or_default();
    let page_url = |p: u64| {
        if p > 1 {
            format!("/admin/organizations?page={p}")
        } else {
            "/admin/organizations".to_string()
        }
    };
    let out: Vec<_> = orgs
        .iter()
        .map(|o| {
            context! {
                id => o.id.to_string(),
                name => o.name.clone(),
                kind => o.kind.clone(),
                members => members.iter().filter(|m| m.organization_id == o.id).map(|m| context! {
                    name => users.get(&m.user_id).cloned().unwrap_or_default(),
                    role => m.role.clone(),
                }).collect::<Vec<_>>(),
                listings => listings.iter().filter(|m| m.organization_id == Some(o.id)).map(|m| context! {
                    id => m.id.to_string(),
                    name => display_name(l, m),
                    status => ListingStatus::of(m).as_str(),
                    public_url => public_url(m),
                    admin_url => format!("/admin?{}", AdminQuery { q: display_name(l, m), page: 1, ..Default::default() }.to_query(1)),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    render(
        &state,
        &pc,
        req,
        "admin_organizations.html",
        StatusCode::OK,
        context! {
            organizations => out,
            total,
            page,
            pages,
            prev_url => (page > 1).then(|| page_url(page - 1)),
            next_url => (page < pages).then(|| page_url(page + 1)),
            page_links => page_links(page, pages).into_iter().map(|p| p.map(|p| context! { n => p, url => page_url(p), current => p == page })).collect::<Vec<_>>(),
        },
    )
}

#[handler]
pub async fn new_service_form(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, .. }: StaffUser,
) -> Response {
    editor(
        &state,
        &pc,
        req,
        StatusCode::OK,
        ListingKind::MunicipalService,
        "/admin/services".into(),
        None,
        HashMap::new(),
        HashMap::new(),
        Vec::new(),
    )
    .await
}

#[handler]
pub async fn create_service(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, user: u }: StaffUser,
    CheckedForm(f): CheckedForm<FormData>,
) -> Response {
    let kind = ListingKind::MunicipalService;
    if let Some((status, values, e, list)) = address::lookup(&state, pc.locale, &f).await {
        let action = "/admin/services".to_string();
        return editor(
            &state, &pc, req, status, kind, action, None, values, e, list,
        )
        .await;
    }
    let fields = match validated(&state, pc.locale, &f, kind) {
        Ok(fields) => fields,
        Err((status, e, list)) => {
            return editor(
                &state,
                &pc,
                req,
                status,
                kind,
                "/admin/services".into(),
                None,
                f.values(),
                e,
                list,
            )
            .await
        }
    };
    let organization_id = f.get("department").parse::<Uuid>().ok();
    match service::create(
        &state.db,
        state.city.id,
        &state.reserved_names(),
        &u,
        NewListing {
            kind,
            organization_id,
            fields,
        },
    )
    .await
    {
        Ok(rec) => see_other(format!("/manage/listings/{}?done=created", rec.model.id)),
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_keeps_the_filters_and_nothing_else() {
        let q =
            AdminQuery::parse("q=b%C3%A4cker&status=suspended&kind=business&page=3&next=//evil");
        assert_eq!(q.q, "bäcker");
        assert_eq!(q.status.as_deref(), Some("suspended"));
        assert_eq!(q.kind.as_deref(), Some("business"));
        assert_eq!(q.page, 3);
        assert_eq!(
            q.url("restore", "l-1"),
            "/admin?q=b%C3%A4cker&status=suspended&kind=business&page=3&done=restore#l-1"
        );
        let q = AdminQuery::parse("status=everything&kind=x&page=-2");
        assert_eq!(
            q,
            AdminQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(q.url("approve", "review"), "/admin?done=approve#review");
    }

    #[test]
    fn page_links_show_the_ends_and_the_neighbours() {
        assert_eq!(page_links(1, 1), vec![Some(1)]);
        assert_eq!(
            page_links(5, 30),
            vec![
                Some(1),
                None,
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                None,
                Some(30)
            ]
        );
        assert_eq!(page_links(1, 3), vec![Some(1), Some(2), Some(3)]);
    }
}
