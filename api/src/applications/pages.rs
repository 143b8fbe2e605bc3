//! The resident's pages: apply online (the module's form, rendered here, working without
//! JavaScript), review exactly what goes to whom, submit; My applications with each
//! case's timeline, answering the module's question, withdrawing.

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path, Query};
use poem::{handler, Body, FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ApplicationError;
use super::form::{FormView, Kind, Submitted, ADDRESS_PARTS};
use super::service::{self, Case, Offer, Resident, Status};
use crate::core::error::FieldMessage;
use crate::core::i18n::format_date;
use crate::core::identity::AuthUser;
use crate::core::locale::Locale;
use crate::modules::manifest::DataCategory;
use crate::web::extract::{
    expired_page, protected_form, token_matches, CheckedForm, PageUser, TokenOnly,
};
use crate::web::pages::{date_time, error_page, render, see_other, PageCtx};
use crate::web::state::AppState;

fn today(state: &AppState) -> chrono::NaiveDate {
    crate::booking::model::today(state.city.timezone)
}

/// What the apply page says about the module and the service: who receives what, why,
/// on which legal basis.
fn who(state: &AppState, l: Locale, offer: &Offer) -> minijinja::Value {
    let m = offer
        .module
        .approved
        .as_ref()
        .map(|v| &v.manifest)
        .expect("an offer's module has a manifest in force");
    context! {
        module => m.name.get(l).to_string(),
        operator => offer.operator_name.clone(),
        purpose => offer.decl.purpose.get(l).to_string(),
        legal_basis => offer.decl.legal_basis.get(l).to_string(),
        encrypted => m.encryption_key.is_some(),
        data => offer.decl.data.iter().map(|d| state.i18n.t(l, &d.message_key(), None)).collect::<Vec<_>>(),
        service => match l { Locale::De => offer.listing.name_de.clone(), _ => offer.listing.name_en.clone() },
        service_url => format!("/services/{}", offer.listing.slug),
    }
}

/// The profile fields a resident may choose to send, with their values and whether
/// they are ticked.
fn share_choices(
    state: &AppState,
    l: Locale,
    offer: &Offer,
    user: &AuthUser,
    ticked: &[DataCategory],
) -> Vec<minijinja::Value> {
    offer
        .profile_categories()
        .into_iter()
        .map(|c| {
            let value = match c {
                DataCategory::Name => user.display_name.clone(),
                _ => user.email.clone(),
            };
            context! {
                name => format!("share-{}", c.as_str()),
                label => state.i18n.t(l, &c.message_key(), None),
                value,
                checked => ticked.contains(&c),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &AuthUser,
    offer: &Offer,
    sent: &Submitted,
    ticked: &[DataCategory],
    errors: &[FieldMessage],
    status: StatusCode,
    draft: Option<Uuid>,
) -> Response {
    let mut form = FormView::new(
        &offer.spec,
        pc.locale,
        &state.i18n,
        sent,
        errors,
        today(state),
    );
    let share_error = errors
        .iter()
        .find(|e| e.field == "share")
        .map(|e| state.i18n.message(pc.locale, &e.message));
    if let (Some(message), Some(first)) = (&share_error, offer.profile_categories().first()) {
        form.errors.push(super::form::ErrorView {
            field: format!("share-{}", first.as_str()),
            message: message.clone(),
        });
    }
    render(
        state,
        pc,
        req,
        "application_apply.html",
        status,
        context! {
            who => who(state, pc.locale, offer),
            form,
            action => match draft {
                Some(d) => format!("/services/{}/apply?draft={d}", offer.listing.slug),
                None => format!("/services/{}/apply", offer.listing.slug),
            },
            share => share_choices(state, pc.locale, offer, user, ticked),
            share_error,
        },
    )
}

/// The offer of a service, or the page saying it takes no applications online; and for
/// a service that needs a higher login level, the step-up.
async fn offer_for(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &AuthUser,
    slug: &str,
) -> Result<Offer, Response> {
    let offer = service::offer(&state.db, state.city.id, slug)
        .await
        .map_err(|e| error_page(state, pc, req, &e))?;
    if let Some(level) = &offer.decl.min_acr {
        let next = format!("/services/{slug}/apply");
        if let Some(r) =
            crate::accounts::oidc_pages::level_needed(state, pc, req, user, level, &next).await
        {
            return Err(r);
        }
    }
    Ok(offer)
}

/// `?draft=<id>`: the draft a resident changes.
#[derive(Deserialize)]
pub struct DraftQuery {
    draft: Option<String>,
}

/// The resident's own draft `id` of this service, still unsent and in clear: the one
/// "Change my answers" comes back to. Anything else is ignored (a new application).
async fn draft_of(
    state: &AppState,
    user: &AuthUser,
    offer: &Offer,
    id: Option<&str>,
) -> Option<Case> {
    let case = load_case(state, user, id?).await.ok()?;
    (case.status == Status::Draft
        && case.application.listing_id == offer.listing.id
        && !case.application.sealed)
        .then_some(case)
}

/// `GET /services/:slug/apply`: the service's application form; with `?draft=<id>`,
/// filled with that draft's answers to change them.
#[handler]
pub async fn apply_page(
    state: Data<&AppState>,
    req: &Request,
    Path(slug): Path<String>,
    Query(q): Query<DraftQuery>,
    PageUser { pc, user }: PageUser,
) -> Response {
    let offer = match offer_for(&state, &pc, req, &user, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (sent, ticked, draft) = match draft_of(&state, &user, &offer, q.draft.as_deref()).await {
        Some(case) => {
            let answers = case.plain().map(|(a, _)| a).unwrap_or_default();
            let mut sent = offer.spec.prefill(&answers);
            for f in case.files.iter().filter(|f| f.role == "attachment") {
                if let Some(field) = &f.field {
                    sent.keep(field.clone(), f.file_name.clone());
                }
            }
            (sent, case.categories(), Some(case.application.id))
        }
        None => (Submitted::default(), Vec::new(), None),
    };
    form_page(
        &state,
        &pc,
        req,
        &user,
        &offer,
        &sent,
        &ticked,
        &[],
        StatusCode::OK,
        draft,
    )
}

/// Reads the body of the form: `multipart/form-data` for a form with files, else
/// urlencoded, never more than the form can need.
async fn read_body(
    req: &Request,
    body: Body,
    offer: &Offer,
) -> Result<Submitted, ApplicationError> {
    let ct = req.content_type().unwrap_or_default().to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut rb = RequestBody::new(body);
        let mp = Multipart::from_request(req, &mut rb)
            .await
            .map_err(|e| ApplicationError::Malformed(e.to_string()))?;
        return Ok(super::multipart::read_multipart(&offer.spec, mp).await?);
    }
    if offer.spec.has_files() || !ct.starts_with("application/x-www-form-urlencoded") {
        return Err(ApplicationError::Malformed(
            "not the form's content type".into(),
        ));
    }
    let limit = offer.spec.max_body_bytes() as usize;
    let bytes = body
        .into_bytes_limit(limit)
        .await
        .map_err(|_| ApplicationError::TooLarge)?;
    let mut sent = Submitted::default();
    for (k, v) in url::form_urlencoded::parse(&bytes) {
        if v.len() > super::upload::MAX_TEXT_BYTES {
            sent.add_oversize(k.into_owned());
        } else {
            sent.add_text(k.into_owned(), v.into_owned());
        }
    }
    Ok(sent)
}

/// `POST /services/:slug/apply`: checks the answers against the module's form; with
/// errors the form comes back with them beside the fields and the typing kept; else the
/// draft is stored and the review page shows what would go to whom.
#[handler]
pub async fn apply_submit(
    state: Data<&AppState>,
    req: &Request,
    Path(slug): Path<String>,
    Query(q): Query<DraftQuery>,
    PageUser { pc, user }: PageUser,
    body: Body,
) -> Response {
    let offer = match offer_for(&state, &pc, req, &user, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut sent = match read_body(req, body, &offer).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    if !token_matches(req, sent.text("csrf").unwrap_or_default()) {
        return expired_page(&state, &pc, req);
    }
    // Changing a draft: its files stay unless others are chosen.
    let draft = draft_of(&state, &user, &offer, q.draft.as_deref()).await;
    if let Some(case) = &draft {
        for f in case.files.iter().filter(|f| f.role == "attachment") {
            let Some(field) = &f.field else { continue };
            match service::file_of_resident(&state.db, user.id, case.application.id, f.id).await {
                Ok(file) => sent.keep_file(
                    field,
                    super::upload::Upload {
                        file_name: Some(file.file_name),
                        content_type: Some(file.content_type),
                        bytes: file.bytes,
                    },
                ),
                Err(e) => return error_page(&state, &pc, req, &e),
            }
        }
    }
    let draft_id = draft.as_ref().map(|c| c.application.id);
    let ticked_raw: Vec<String> = DataCategory::ALL
        .iter()
        .filter(|c| sent.text(&format!("share-{}", c.as_str())).is_some())
        .map(|c| c.as_str().to_string())
        .collect();
    let shared = service::parse_share(&offer, &ticked_raw);
    let ticked = shared.clone().unwrap_or_default();
    let answers = offer.spec.validate(&sent, today(&state));
    let mut errors = match &answers {
        Ok(_) => Vec::new(),
        Err(i) => i.0.clone(),
    };
    if let Err(i) = &shared {
        errors.extend(i.0.clone());
    }
    let (Ok(answers), Ok(shared)) = (answers, shared) else {
        return form_page(
            &state,
            &pc,
            req,
            &user,
            &offer,
            &sent,
            &ticked,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
            draft_id,
        );
    };
    let resident = Resident {
        id: user.id,
        name: user.display_name.clone(),
        email: user.email.clone(),
    };
    match service::create_draft(
        &state.db,
        state.city.id,
        &offer,
        &resident,
        &shared,
        answers,
        pc.locale,
    )
    .await
    {
        Ok(id) => {
            // The draft changed is replaced by the new one.
            if let Some(old) = draft_id {
                if let Err(e) = service::discard_draft(&state.db, user.id, old).await {
                    return error_page(&state, &pc, req, &e);
                }
            }
            see_other(format!("/account/applications/{id}/review"))
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// The answers of a case as the review page lists them: each field's label and what
/// was given, in the page's language.
fn answers_view(state: &AppState, l: Locale, offer: &Offer, case: &Case) -> Vec<minijinja::Value> {
    let Some((answers, _)) = case.plain() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in offer.spec.fields() {
        let Some(v) = answers.get(&f.name) else {
            continue;
        };
        let shown = match &f.kind {
            Kind::Choice { options } => options
                .iter()
                .find(|(k, _)| Some(k.as_str()) == v.as_str())
                .map(|(_, t)| t.get(l).to_string())
                .unwrap_or_default(),
            Kind::Boolean { .. } => state.i18n.t(
                l,
                if v.as_bool() == Some(true) {
                    "application-yes"
                } else {
                    "application-no"
                },
                None,
            ),
            Kind::Address => ADDRESS_PARTS
                .iter()
                .filter_map(|p| v.get(p).and_then(|x| x.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            Kind::File { .. } => case
                .files
                .iter()
                .find(|x| Some(x.id.to_string().as_str()) == v.as_str())
                .map(|x| {
                    format!(
                        "{} ({}, {})",
                        x.file_name,
                        x.content_type,
                        super::upload::mib(x.size as u64)
                    )
                })
                .unwrap_or_default(),
            Kind::Date { .. } => v
                .as_str()
                .and_then(super::form::parse_date)
                .map(|d| format_date(l, d))
                .unwrap_or_default(),
            _ => match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        };
        out.push(context! { label => f.label.get(l).to_string(), value => shown });
    }
    out
}

fn profile_view(state: &AppState, l: Locale, case: &Case) -> Vec<minijinja::Value> {
    let Some((_, profile)) = case.plain() else {
        return Vec::new();
    };
    [DataCategory::Name, DataCategory::Email]
        .iter()
        .filter_map(|c| {
            profile.get(c.as_str()).and_then(|v| v.as_str()).map(|v| {
                context! { label => state.i18n.t(l, &c.message_key(), None), value => v.to_string() }
            })
        })
        .collect()
}

/// `GET /account/applications/:id/review`: exactly what goes to whom, before sending.
#[handler]
pub async fn review_page(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
) -> Response {
    let case = match load_case(&state, &user, &id).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    if case.status != Status::Draft {
        return see_other(format!("/account/applications/{id}"));
    }
    let offer = match offer_for(&state, &pc, req, &user, &case.listing_slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    render(
        &state,
        &pc,
        req,
        "application_review.html",
        StatusCode::OK,
        context! {
            id => case.application.id.to_string(),
            who => who(&state, pc.locale, &offer),
            answers => answers_view(&state, pc.locale, &offer, &case),
            profile => profile_view(&state, pc.locale, &case),
            change_url => format!(
                "/services/{}/apply?draft={}",
                offer.listing.slug, case.application.id
            ),
        },
    )
}

async fn load_case(state: &AppState, user: &AuthUser, id: &str) -> Result<Case, ApplicationError> {
    let id = Uuid::parse_str(id).map_err(|_| ApplicationError::NotFound)?;
    service::case_of_resident(&state.db, user.id, id).await
}

/// `POST /account/applications/:id/submit`: sends the reviewed draft.
#[handler]
pub async fn submit(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
    CheckedForm(_f): CheckedForm<TokenOnly>,
) -> Response {
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return error_page(&state, &pc, req, &ApplicationError::NotFound);
    };
    match service::submit(&state.db, state.city.id, user.id, uuid).await {
        Ok(()) => see_other(format!("/account/applications/{id}?sent=1")),
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

fn case_summary(state: &AppState, l: Locale, c: &Case) -> minijinja::Value {
    context! {
        id => c.application.id.to_string(),
        service => c.service_name(l).to_string(),
        status => c.status.as_str(),
        status_label => state.i18n.t(l, &c.status.message_key(), None),
        submitted => date_time(state, l, c.application.created_at),
        updated => date_time(state, l, c.application.updated_at),
    }
}

/// `GET /account/applications`: My applications.
#[handler]
pub async fn my_applications(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user }: PageUser,
) -> Response {
    let cases = match service::cases_of_resident(&state.db, user.id).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    let items: Vec<_> = cases
        .iter()
        .map(|c| case_summary(&state, pc.locale, c))
        .collect();
    render(
        &state,
        &pc,
        req,
        "my_applications.html",
        StatusCode::OK,
        context! { items },
    )
}

fn timeline(state: &AppState, l: Locale, c: &Case) -> Vec<minijinja::Value> {
    c.events
        .iter()
        .map(|e| {
            let key = match (e.kind.as_str(), e.decision.as_deref()) {
                ("decided", Some(d)) => format!("application-event-decided-{d}"),
                (k, _) => format!("application-event-{}", k.replace('_', "-")),
            };
            let file = e
                .file_id
                .and_then(|f| c.files.iter().find(|x| x.id == f))
                .map(|f| {
                    context! {
                        url => format!("/account/applications/{}/files/{}", c.application.id, f.id),
                        name => f.file_name.clone(),
                    }
                });
            context! {
                at => date_time(state, l, e.created_at),
                what => state.i18n.t(l, &key, None),
                by_module => e.actor == "module",
                message => c.shown_message(e),
                file,
            }
        })
        .collect()
}

fn case_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    c: &Case,
    answer_error: Option<String>,
    answer_value: &str,
    status: StatusCode,
) -> Response {
    render(
        state,
        pc,
        req,
        "application.html",
        status,
        context! {
            case => case_summary(state, pc.locale, c),
            timeline => timeline(state, pc.locale, c),
            question => c.open_question(),
            can_withdraw => !c.status.is_decided() && c.status != Status::Draft,
            sent => crate::web::pages::query_param(req, "sent").is_some(),
            answer_error,
            answer_value,
        },
    )
}

/// `GET /account/applications/:id`: one case and its timeline.
#[handler]
pub async fn application_page(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
) -> Response {
    match load_case(&state, &user, &id).await {
        Ok(c) if c.status == Status::Draft => {
            see_other(format!("/account/applications/{id}/review"))
        }
        Ok(c) => case_page(&state, &pc, req, &c, None, "", StatusCode::OK),
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}
protected_form!(AnswerForm);

/// `POST /account/applications/:id/answer`: the resident answers the module's question.
#[handler]
pub async fn answer(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
    CheckedForm(f): CheckedForm<AnswerForm>,
) -> Response {
    let case = match load_case(&state, &user, &id).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    match service::answer(
        &state.db,
        state.city.id,
        user.id,
        case.application.id,
        &f.answer,
    )
    .await
    {
        Ok(()) => see_other(format!("/account/applications/{id}")),
        Err(ApplicationError::Invalid(i)) => {
            let msg =
                i.0.first()
                    .map(|m| state.i18n.message(pc.locale, &m.message));
            case_page(
                &state,
                &pc,
                req,
                &case,
                msg,
                &f.answer,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// `GET /account/applications/:id/withdraw`: asks whether to withdraw (no JavaScript).
#[handler]
pub async fn withdraw_page(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
) -> Response {
    match load_case(&state, &user, &id).await {
        Ok(c) if c.status.is_decided() || c.status == Status::Draft => error_page(
            &state,
            &pc,
            req,
            &ApplicationError::State(c.status.as_str().into()),
        ),
        Ok(c) => render(
            &state,
            &pc,
            req,
            "application_withdraw.html",
            StatusCode::OK,
            context! { case => case_summary(&state, pc.locale, &c) },
        ),
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// `POST /account/applications/:id/withdraw`: withdraws the case.
#[handler]
pub async fn withdraw(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    PageUser { pc, user }: PageUser,
    CheckedForm(_f): CheckedForm<TokenOnly>,
) -> Response {
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return error_page(&state, &pc, req, &ApplicationError::NotFound);
    };
    match service::withdraw(&state.db, state.city.id, user.id, uuid).await {
        Ok(()) => see_other(format!("/account/applications/{id}")),
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// `GET /account/applications/:id/files/:file`: a document of the resident's case.
#[handler]
pub async fn document(
    state: Data<&AppState>,
    req: &Request,
    Path((id, file)): Path<(String, String)>,
    PageUser { pc, user }: PageUser,
) -> Response {
    let (Ok(id), Ok(file)) = (Uuid::parse_str(&id), Uuid::parse_str(&file)) else {
        return error_page(&state, &pc, req, &ApplicationError::NotFound);
    };
    match service::file_of_resident(&state.db, user.id, id, file).await {
        Ok(f) => {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                f.file_name.replace(['"', '\\'], "_")
            );
            Response::builder()
                .content_type(f.content_type.clone())
                .header("content-disposition", disposition)
                .header("cache-control", "private, no-store")
                .body(f.bytes)
                .into_response()
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}
