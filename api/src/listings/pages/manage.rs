//! `/manage` (a business owner's dashboard) and `/admin` (city staff): organizations,
//! members, the listing editor with weekly hours and dated exceptions, publishing,
//! and moderation. Plain forms with CSRF tokens; errors shown next to the fields.

use std::collections::HashMap;

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
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
use crate::listings::model::{ListingKind, NewListing};
use crate::listings::service::{self, IfMatch, Transition};
use crate::listings::taxonomy;
use crate::organizations::{self, MemberRole, OrganizationKind};
use crate::web::extract::{
    message_page, protected_form, CheckedForm, PageUser, StaffUser, TokenOnly,
};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::{listing, membership, organization, user};

fn see_other(to: String) -> Response {
    Redirect::see_other(to).into_response()
}

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

fn category_options(l: Locale) -> Vec<minijinja::Value> {
    taxonomy::CATEGORIES
        .iter()
        .filter(|c| c.parent.is_some())
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
        out.push(context! {
            id => o.id.to_string(),
            name => o.name.clone(),
            kind => o.kind.clone(),
            owner => my_role == "owner",
            connections,
            listings => listings.iter().map(|m| context! {
                id => m.id.to_string(),
                name => if l == Locale::En && !m.name_en.is_empty() || m.name_de.is_empty() { m.name_en.clone() } else { m.name_de.clone() },
                status => m.status.clone(),
                public_url => format!("/{}/{}", if m.kind == "municipal_service" { "services" } else { "listings" }, m.slug),
                reason => m.suspended_reason.clone(),
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
        context! { organizations => out, errors, e => field_errors, values, done => flash(req) },
    )
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
                status => r.model.status.clone(),
                public_url => format!("/{}/{}", if r.model.kind == "municipal_service" { "services" } else { "listings" }, r.model.slug),
                reason => r.model.suspended_reason.clone(),
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
            categories => category_options(l),
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
    match service::create(&state.db, state.city.id, &u, new).await {
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
    #[serde(default)]
    csrf: String,
}

protected_form!(StatusForm);

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
    let t = match f.action.as_str() {
        "publish" => Transition::Publish,
        "unpublish" => Transition::Unpublish,
        "restore" => Transition::Restore,
        "suspend" => {
            let reason = f.reason.trim().to_string();
            if !(3..=500).contains(&reason.chars().count()) {
                return message_page(
                    &state,
                    &pc,
                    req,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-reason",
                );
            }
            Transition::Suspend { reason }
        }
        "delete" => {
            return match service::delete(&state.db, state.city.id, &u, &id, None).await {
                Ok(()) => see_other("/manage?done=deleted".into()),
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
        Ok(rec) if from_admin => see_other(format!("/admin?done={}#l-{}", f.action, rec.model.id)),
        Ok(rec) => see_other(format!(
            "/manage/listings/{}?done={}",
            rec.model.id, f.action
        )),
        Err(p) => problem_page(&state, &pc, req, &p).await,
    }
}

#[handler]
pub async fn admin(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, .. }: StaffUser,
) -> Response {
    let l = pc.locale;
    let q = crate::web::pages::query_param(req, "q").unwrap_or_default();
    let status = crate::web::pages::query_param(req, "status")
        .filter(|s| ["draft", "published", "suspended"].contains(&s.as_str()));
    let mut cond = Condition::all().add(listing::Column::CityId.eq(state.city.id));
    for t in crate::search::tokens(&q) {
        cond = cond.add(listing::Column::SearchText.like(format!("%{t}%")));
    }
    if let Some(s) = &status {
        cond = cond.add(listing::Column::Status.eq(s.as_str()));
    }
    let name_col = if l == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let found = listing::Entity::find()
        .filter(cond.clone())
        .order_by_asc(name_col)
        .limit(50)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let total = listing::Entity::find()
        .filter(cond)
        .count(&state.db)
        .await
        .unwrap_or(0);
    let services = listing::Entity::find()
        .filter(listing::Column::CityId.eq(state.city.id))
        .filter(listing::Column::Kind.eq("municipal_service"))
        .order_by_asc(name_col)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let orgs = organization::Entity::find()
        .filter(organization::Column::CityId.eq(state.city.id))
        .order_by_asc(organization::Column::Name)
        .limit(200)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let name = |m: &listing::Model| {
        if l == Locale::En && !m.name_en.is_empty() || m.name_de.is_empty() {
            m.name_en.clone()
        } else {
            m.name_de.clone()
        }
    };
    let row = |m: &listing::Model| {
        context! {
            id => m.id.to_string(),
            name => name(m),
            kind => m.kind.clone(),
            status => m.status.clone(),
            reason => m.suspended_reason.clone(),
            public_url => format!("/{}/{}", if m.kind == "municipal_service" { "services" } else { "listings" }, m.slug),
        }
    };
    render(
        &state,
        &pc,
        req,
        "admin.html",
        StatusCode::OK,
        context! {
            q, status, total,
            found => found.iter().map(row).collect::<Vec<_>>(),
            services => services.iter().map(row).collect::<Vec<_>>(),
            organizations => orgs.iter().map(|o| context! { name => o.name.clone(), kind => o.kind.clone() }).collect::<Vec<_>>(),
            done => flash(req),
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
