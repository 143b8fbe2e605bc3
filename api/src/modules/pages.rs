//! Pages of the module register: the public register (`/modules`, linked from the
//! privacy page), and for city admins the list with the registration form
//! (`/admin/modules`: paste or upload a manifest) and each module's review page
//! (`/admin/modules/:id`: exactly what it asks for, approve or refuse, update, pause,
//! resume, remove, and its history).

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::Deserialize;

use super::api::{client_name, ctx, register_items};
use super::error::ModuleError;
use super::manifest::{DataCategory, Manifest, MAX_BYTES};
use super::service::{self, Module, UpdateOutcome, Version};
use crate::core::error::ErrorCode;
use crate::core::i18n::format_date;
use crate::core::identity::{AuthUser, StaffRole};
use crate::core::scope::Scope;
use crate::web::extract::{
    expired_page, message_page, protected_form, token_matches, CheckedForm, StaffUser, TokenOnly,
};
use crate::web::pages::{date_time, error_page, render, PageCtx};
use crate::web::state::AppState;

fn date(state: &AppState, pc: &PageCtx, at: chrono::DateTime<chrono::Utc>) -> String {
    format_date(
        pc.locale,
        at.with_timezone(&state.city.timezone).date_naive(),
    )
}

/// `GET /api/v1/module-manifest.schema.json`: the manifest's JSON Schema, as committed.
#[handler]
pub fn manifest_schema() -> Response {
    Response::builder()
        .content_type("application/schema+json")
        .body(super::manifest::SCHEMA)
}

/// `GET /api/v1/module-manifest.example.json`: the example manifest, as committed.
#[handler]
pub fn manifest_example() -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(super::manifest::EXAMPLE)
}

/// `GET /modules`: every module in force, and exactly what it receives.
#[handler]
pub async fn public_register(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let items = match service::public_register(ctx(&state)).await {
        Ok(items) => register_items(items),
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    let modules: Vec<minijinja::Value> = items
        .into_iter()
        .map(|m| {
            let name = if pc.locale == crate::core::locale::Locale::De {
                &m.name.de
            } else {
                &m.name.en
            };
            context! {
                id => m.id,
                name => name,
                paused => m.status == "paused",
                operator => m.operator.name,
                email => m.contact.email,
                url => m.contact.url,
                since => date(&state, &pc, m.approved_at),
                encrypted => m.encrypted,
                scopes => m.scopes.iter().filter_map(|s| Scope::parse(s)).map(|s| pc.t(&state, &s.message_key())).collect::<Vec<_>>(),
                services => m.services.into_iter().map(|s| {
                    let de = pc.locale == crate::core::locale::Locale::De;
                    context! {
                        listing => s.listing,
                        name => if de { s.name.de } else { s.name.en },
                        capability => s.capability,
                        leika_key => s.leika_key,
                        data => s.data.iter().map(|d| context! {
                            name => DataCategory::parse(&d.category).map(|c| pc.t(&state, &c.message_key())).unwrap_or_default(),
                            since => date(&state, &pc, d.since),
                        }).collect::<Vec<_>>(),
                        purpose => if de { s.purpose.de } else { s.purpose.en },
                        legal_basis => if de { s.legal_basis.de } else { s.legal_basis.en },
                        min_acr => s.min_acr,
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    render(
        &state,
        &pc,
        req,
        "modules.html",
        StatusCode::OK,
        context! { modules },
    )
}

/// A city admin, or the 403 page for anyone else on the staff.
fn admin_only(state: &AppState, pc: &PageCtx, req: &Request, user: &AuthUser) -> Option<Response> {
    (user.staff_role != Some(StaffRole::Admin)).then(|| {
        message_page(
            state,
            pc,
            req,
            StatusCode::FORBIDDEN,
            "admin-modules-admins-only",
        )
    })
}

/// The field errors of a manifest, for the page: the path and what is wrong.
fn field_errors(state: &AppState, pc: &PageCtx, e: &ModuleError) -> Vec<minijinja::Value> {
    match e {
        ModuleError::TooLarge => vec![context! {
            field => "manifest",
            message => state.i18n.message(pc.locale, &crate::msg!("v-module-too-large", max = MAX_BYTES as i64)),
        }],
        _ => e
            .fields()
            .iter()
            .map(|f| {
                context! {
                    field => if f.field.is_empty() { "manifest".to_string() } else { f.field.clone() },
                    message => state.i18n.message(pc.locale, &f.message),
                }
            })
            .collect(),
    }
}

/// A manifest form's fields: its token and the manifest, pasted or uploaded (an
/// uploaded file wins). At most [`MAX_BYTES`] of manifest are read.
struct ManifestForm {
    csrf: String,
    text: String,
    too_large: bool,
}

async fn read_manifest_form(mut multipart: Multipart) -> ManifestForm {
    let mut form = ManifestForm {
        csrf: String::new(),
        text: String::new(),
        too_large: false,
    };
    let mut file = String::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        if bytes.len() > MAX_BYTES {
            form.too_large = true;
            continue;
        }
        let value = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => form.csrf = value,
            "manifest" => form.text = value,
            "manifest_file" => file = value,
            _ => {}
        }
    }
    if !file.trim().is_empty() {
        form.text = file;
    }
    form
}

/// The manifest's JSON, or the error to show beside the text area.
fn manifest_json(
    state: &AppState,
    pc: &PageCtx,
    form: &ManifestForm,
) -> Result<serde_json::Value, Vec<minijinja::Value>> {
    if form.too_large {
        return Err(field_errors(state, pc, &ModuleError::TooLarge));
    }
    serde_json::from_str(&form.text).map_err(|e| {
        vec![context! {
            field => "manifest",
            message => state.i18n.message(pc.locale, &crate::msg!("v-module-json", line = e.line() as i64, column = e.column() as i64)),
        }]
    })
}

fn status_label(pc: &PageCtx, state: &AppState, m: &Module) -> String {
    pc.t(
        state,
        &format!("admin-modules-status-{}", m.status.as_str()),
    )
}

async fn list_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    manifest: String,
    errors: Vec<minijinja::Value>,
) -> Response {
    let modules = match service::list(ctx(state)).await {
        Ok(m) => m,
        Err(e) => return error_page(state, pc, req, &e),
    };
    let modules: Vec<minijinja::Value> = modules
        .iter()
        .map(|m| {
            let name = m
                .current()
                .map(|x| x.name.get(pc.locale).to_string())
                .unwrap_or_else(|| m.slug.clone());
            context! {
                id => m.slug.clone(),
                name,
                status => status_label(pc, state, m),
                waiting => m.pending.as_ref().map(|v| v.version),
            }
        })
        .collect();
    render(
        state,
        pc,
        req,
        "admin_modules.html",
        status,
        context! { modules, manifest, errors, max_kib => MAX_BYTES / 1024 },
    )
}

/// `GET /admin/modules`: the city's modules and the form to register one.
#[handler]
pub async fn admin_list(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, user }: StaffUser,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    list_page(&state, &pc, req, StatusCode::OK, String::new(), Vec::new()).await
}

/// `POST /admin/modules`: registers a module from the pasted or uploaded manifest, then
/// its review page; bad fields are shown beside the manifest, which is kept.
#[handler]
pub async fn admin_register(
    state: Data<&AppState>,
    req: &Request,
    StaffUser { pc, user }: StaffUser,
    multipart: Multipart,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let form = read_manifest_form(multipart).await;
    if !token_matches(req, &form.csrf) {
        return expired_page(&state, &pc, req);
    }
    let raw = match manifest_json(&state, &pc, &form) {
        Ok(v) => v,
        Err(errors) => {
            return list_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.text,
                errors,
            )
            .await
        }
    };
    match service::register(ctx(&state), &raw, user.id).await {
        Ok(m) => Redirect::see_other(format!("/admin/modules/{}", m.slug)).into_response(),
        Err(e @ (ModuleError::Invalid(_) | ModuleError::TooLarge)) => {
            let errors = field_errors(&state, &pc, &e);
            list_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.text,
                errors,
            )
            .await
        }
        Err(ModuleError::Exists) => {
            let errors = vec![context! {
                field => "id",
                message => pc.t(&state, "problem-module-exists"),
            }];
            list_page(&state, &pc, req, StatusCode::CONFLICT, form.text, errors).await
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// What the review shows of one manifest: per service exactly the data it receives
/// (marking what is new against `before`), the purposes, legal bases, scopes, events,
/// addresses and key.
fn review(
    state: &AppState,
    pc: &PageCtx,
    m: &Manifest,
    before: Option<&Manifest>,
    listing_names: &[(String, String, String)],
) -> minijinja::Value {
    let de = pc.locale == crate::core::locale::Locale::De;
    let services: Vec<minijinja::Value> = m
        .services
        .iter()
        .map(|s| {
            let old = before.and_then(|b| b.services.iter().find(|o| o.key() == s.key()));
            let name = listing_names
                .iter()
                .find(|(slug, _, _)| *slug == s.listing)
                .map(|(_, d, e)| if de { d.clone() } else { e.clone() })
                .unwrap_or_else(|| s.listing.clone());
            context! {
                listing => s.listing.clone(),
                name,
                new => before.is_some() && old.is_none(),
                capability => pc.t(state, &format!("admin-module-capability-{}", s.capability.as_str())),
                leika_key => s.leika_key.clone(),
                data => s.data.iter().map(|d| context! {
                    name => pc.t(state, &d.message_key()),
                    new => before.is_some() && old.is_none_or(|o| !o.data.contains(d)),
                }).collect::<Vec<_>>(),
                purpose => s.purpose.get(pc.locale).to_string(),
                legal_basis => s.legal_basis.get(pc.locale).to_string(),
                min_acr => s.min_acr.clone(),
                has_form => s.form.is_some(),
                form_changed => old.is_some_and(|o| o.form != s.form),
                offers => s.offers.clone().unwrap_or_default(),
                offers_changed => old.is_some_and(|o| o.offers != s.offers),
            }
        })
        .collect();
    let old_scopes = before.map(|b| b.scope_set());
    let scopes: Vec<minijinja::Value> = m
        .scope_set()
        .iter()
        .map(|s| {
            context! {
                name => s.as_str(),
                text => pc.t(state, &s.message_key()),
                new => old_scopes.as_ref().is_some_and(|o| !o.contains(s)),
            }
        })
        .collect();
    let kid = m.encryption_key.as_ref().map(|k| {
        k.get("kid")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    });
    context! {
        name => m.name.get(pc.locale).to_string(),
        operator => m.operator.clone(),
        email => m.contact.email.clone(),
        url => m.contact.url.clone(),
        base_url => m.base_url.clone(),
        webhook_url => m.webhook_url.clone(),
        events => m.events.clone(),
        key => kid,
        services,
        scopes,
    }
}

/// Secrets to show this once: the client's (on the first approval) and the webhook
/// signing secret (`whsec_…`: with the first approval, or rotated).
#[derive(serde::Serialize)]
struct ShownSecret {
    client_id: String,
    value: Option<String>,
    webhook: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn module_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    slug: &str,
    status: StatusCode,
    secret: Option<ShownSecret>,
    notice: Option<&str>,
    form: (String, Vec<minijinja::Value>),
) -> Response {
    let c = ctx(state);
    let (m, history) = match (service::get(c, slug).await, service::history(c, slug).await) {
        (Ok(m), Ok(h)) => (m, h),
        (Err(e), _) | (_, Err(e)) => return error_page(state, pc, req, &e),
    };
    let slugs: std::collections::BTreeSet<String> = history
        .iter()
        .flat_map(|v| v.manifest.services.iter().map(|s| s.listing.clone()))
        .collect();
    let names = listing_names(state, slugs).await;
    let in_force = m.approved.as_ref().map(|v| {
        context! {
            version => v.version,
            review => review(state, pc, &v.manifest, None, &names),
        }
    });
    let connected = super::appointments::connection_of(&state.db, m.id)
        .await
        .ok()
        .flatten()
        .is_some();
    let waiting = m.pending.as_ref().map(|v| {
        context! {
            version => v.version,
            widens => v.widens.clone(),
            first => m.approved.is_none(),
            books => super::appointments::books(&v.manifest),
            connected,
            review => review(state, pc, &v.manifest, m.approved.as_ref().map(|a| &a.manifest), &names),
        }
    });
    let people = people(state, &history).await;
    let who = |id: Option<uuid::Uuid>| {
        id.and_then(|id| people.iter().find(|(p, _)| *p == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| "–".to_string())
    };
    let history: Vec<minijinja::Value> = history
        .iter()
        .rev()
        .map(|v: &Version| {
            context! {
                version => v.version,
                state => pc.t(state, &format!("admin-module-state-{}", v.state)),
                submitted => date_time(state, pc.locale, v.submitted_at),
                submitted_by => who(v.submitted_by),
                decided => v.decided_at.map(|at| date_time(state, pc.locale, at)),
                decided_by => who(v.decided_by),
                note => v.note.clone(),
                from => v.applied_at.map(|at| date_time(state, pc.locale, at)),
                until => v.replaced_at.map(|at| date_time(state, pc.locale, at)),
                data => v.manifest.services.iter().map(|s| format!(
                    "{}: {}",
                    s.listing,
                    s.data.iter().map(|d| pc.t(state, &d.message_key())).collect::<Vec<_>>().join(", ")
                )).collect::<Vec<_>>(),
                scopes => v.manifest.scopes.join(" "),
            }
        })
        .collect();
    let name = m
        .current()
        .map(|x| x.name.get(pc.locale).to_string())
        .unwrap_or_else(|| m.slug.clone());
    let deliveries: Vec<minijinja::Value> = super::delivery::log(&state.db, m.id, 50)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            context! {
                at => date_time(state, pc.locale, d.created_at),
                event_type => d.event_type,
                webhook_id => d.webhook_id,
                case => d.aggregate_id.to_string(),
                attempt => d.attempt,
                status_code => d.status_code,
                error => d.error,
                ok => d.outcome == super::delivery::DELIVERED,
                skipped => d.outcome == super::delivery::SKIPPED,
                duration_ms => d.duration_ms,
            }
        })
        .collect();
    render(
        state,
        pc,
        req,
        "admin_module.html",
        status,
        context! {
            id => m.slug.clone(),
            name,
            status => m.status.as_str(),
            status_label => status_label(pc, state, &m),
            client_id => m.client_id.map(|c| c.to_string()),
            booking_webhook_url => m.booking_connection.map(|c| {
                crate::partners::connections::webhook_url(&state.config.server.public_url, c)
            }),
            in_force,
            waiting,
            history,
            secret,
            notice,
            deliveries,
            manifest => form.0,
            errors => form.1,
        },
    )
}

/// The names (de, en) of the listings with these slugs.
async fn listing_names(
    state: &AppState,
    slugs: std::collections::BTreeSet<String>,
) -> Vec<(String, String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::listing::Entity::find()
        .filter(entities::listing::Column::CityId.eq(state.city.id))
        .filter(entities::listing::Column::Slug.is_in(slugs))
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|l| (l.slug, l.name_de, l.name_en))
        .collect()
}

/// Who sent and decided the versions: the staff member's name (or address).
async fn people(state: &AppState, history: &[Version]) -> Vec<(uuid::Uuid, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids: std::collections::BTreeSet<uuid::Uuid> = history
        .iter()
        .flat_map(|v| [v.submitted_by, v.decided_by])
        .flatten()
        .collect();
    entities::user::Entity::find()
        .filter(entities::user::Column::Id.is_in(ids))
        .all(&state.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            let name = if u.display_name.trim().is_empty() {
                u.email
            } else {
                u.display_name
            };
            (u.id, name)
        })
        .collect()
}

/// `GET /admin/modules/:id`: the review page.
#[handler]
pub async fn admin_module(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let notice = match req.uri().query().unwrap_or("") {
        "done=applied" => Some("admin-module-applied"),
        "done=pending" => Some("admin-module-pending"),
        "done=refused" => Some("admin-module-refused"),
        _ => None,
    };
    module_page(
        &state,
        &pc,
        req,
        &id,
        StatusCode::OK,
        None,
        notice,
        (String::new(), Vec::new()),
    )
    .await
}

/// The approval form: the version reviewed, and for a manifest with appointment
/// services the module's Partner Booking API credentials (left empty: those stored).
#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    booking_client_id: String,
    #[serde(default)]
    booking_client_secret: String,
}

/// The refusal form: the version reviewed and why.
#[derive(Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}
protected_form!(ApproveForm, RefuseForm);

/// `POST /admin/modules/:id/approve`: approves the version reviewed; the first approval
/// shows the client's secret, this once.
#[handler]
pub async fn admin_approve(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(f): CheckedForm<ApproveForm>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let version = f.version.parse().unwrap_or(-1);
    let booking = (!f.booking_client_id.trim().is_empty() || !f.booking_client_secret.is_empty())
        .then(|| super::appointments::BookingCredentials {
            client_id: f.booking_client_id.clone(),
            client_secret: f.booking_client_secret.clone(),
        });
    let name = client_name(&state);
    let approval = service::Approval {
        version,
        by: Some(user.id),
        client_name: &name,
        booking,
    };
    match service::approve(ctx(&state), &state.partners, &id, approval).await {
        Ok(a) => {
            let shown =
                (a.client_secret.is_some() || a.webhook_secret.is_some()).then(|| ShownSecret {
                    client_id: a
                        .module
                        .client_id
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                    value: a.client_secret,
                    webhook: a.webhook_secret,
                });
            secret_page(&state, &pc, req, &id, shown, "admin-module-approved").await
        }
        Err(e @ ModuleError::Invalid(_)) => invalid_page(&state, &pc, req, &id, &e).await,
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// The module's page again with a decision's bad fields beside them (422).
async fn invalid_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    id: &str,
    e: &ModuleError,
) -> Response {
    let errors = field_errors(state, pc, e);
    module_page(
        state,
        pc,
        req,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        None,
        (String::new(), errors),
    )
    .await
}

/// The module's page after an action that made secrets: shown this once, never stored.
async fn secret_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    id: &str,
    shown: Option<ShownSecret>,
    notice: &str,
) -> Response {
    let mut resp = module_page(
        state,
        pc,
        req,
        id,
        StatusCode::OK,
        shown,
        Some(notice),
        (String::new(), Vec::new()),
    )
    .await;
    // A page with a secret is never stored.
    resp.headers_mut().insert(
        poem::http::header::CACHE_CONTROL,
        poem::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `POST /admin/modules/:id/webhook-secret`: a new webhook signing secret, shown once.
#[handler]
pub async fn admin_rotate_webhook_secret(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    match service::rotate_webhook_secret(ctx(&state), state.partners.key(), &id).await {
        Ok(webhook) => {
            let shown = ShownSecret {
                client_id: String::new(),
                value: None,
                webhook: Some(webhook),
            };
            secret_page(
                &state,
                &pc,
                req,
                &id,
                Some(shown),
                "module-appt-webhook-rotated",
            )
            .await
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// `POST /admin/modules/:id/refuse`: refuses the version reviewed, with the reason.
#[handler]
pub async fn admin_refuse(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(f): CheckedForm<RefuseForm>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let version = f.version.parse().unwrap_or(-1);
    match service::refuse(ctx(&state), &id, version, &f.reason, user.id).await {
        Ok(m) => {
            Redirect::see_other(format!("/admin/modules/{}?done=refused", m.slug)).into_response()
        }
        Err(e @ ModuleError::Invalid(_)) => invalid_page(&state, &pc, req, &id, &e).await,
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// `POST /admin/modules/:id/manifest`: an update, applied at once or waiting for review.
#[handler]
pub async fn admin_update(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    multipart: Multipart,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    let form = read_manifest_form(multipart).await;
    if !token_matches(req, &form.csrf) {
        return expired_page(&state, &pc, req);
    }
    let result = match manifest_json(&state, &pc, &form) {
        Ok(raw) => service::update(ctx(&state), &id, &raw, Some(user.id)).await,
        Err(errors) => {
            return module_page(
                &state,
                &pc,
                req,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                (form.text, errors),
            )
            .await
        }
    };
    match result {
        Ok((m, outcome)) => {
            let done = match outcome {
                UpdateOutcome::Applied => "applied",
                UpdateOutcome::Pending => "pending",
            };
            Redirect::see_other(format!("/admin/modules/{}?done={done}", m.slug)).into_response()
        }
        Err(e @ (ModuleError::Invalid(_) | ModuleError::TooLarge)) => {
            let errors = field_errors(&state, &pc, &e);
            module_page(
                &state,
                &pc,
                req,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                (form.text, errors),
            )
            .await
        }
        Err(e) => error_page(&state, &pc, req, &e),
    }
}

/// What a button on the review page does.
#[derive(Clone, Copy)]
pub enum Action {
    Pause,
    Resume,
    Remove,
}

async fn act(state: &AppState, pc: &PageCtx, req: &Request, id: &str, a: Action) -> Response {
    let c = ctx(state);
    let r = match a {
        Action::Pause => service::pause(c, id).await,
        Action::Resume => service::resume(c, id).await,
        Action::Remove => service::remove(c, id).await,
    };
    match r {
        Ok(m) => Redirect::see_other(format!("/admin/modules/{}", m.slug)).into_response(),
        Err(e) => error_page(state, pc, req, &e),
    }
}

/// `POST /admin/modules/:id/pause`: its client and tokens stop at once.
#[handler]
pub async fn admin_pause(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    act(&state, &pc, req, &id, Action::Pause).await
}

/// `POST /admin/modules/:id/resume`: its client works again.
#[handler]
pub async fn admin_resume(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    act(&state, &pc, req, &id, Action::Resume).await
}

/// `POST /admin/modules/:id/remove`: the module is gone; its history stays.
#[handler]
pub async fn admin_remove(
    state: Data<&AppState>,
    req: &Request,
    Path(id): Path<String>,
    StaffUser { pc, user }: StaffUser,
    CheckedForm(_): CheckedForm<TokenOnly>,
) -> Response {
    if let Some(denied) = admin_only(&state, &pc, req, &user) {
        return denied;
    }
    act(&state, &pc, req, &id, Action::Remove).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_has_a_label() {
        use crate::modules::manifest::Capability;
        let i18n = crate::core::i18n::I18n::embedded();
        for l in crate::core::locale::Locale::ALL {
            for c in Capability::ALL {
                let key = format!("admin-module-capability-{}", c.as_str());
                assert!(i18n.has(l, &key), "{key}");
            }
            for d in DataCategory::ALL {
                assert!(i18n.has(l, &d.message_key()), "{}", d.message_key());
            }
            for s in Scope::ALL {
                assert!(i18n.has(l, &s.message_key()), "{}", s.message_key());
            }
        }
    }
}
