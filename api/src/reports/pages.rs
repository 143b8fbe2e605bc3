//! The reports' pages: a report's photo; (below) the residents' report form, My
//! reports, the public list of open reports, and the admins' Open311 API keys.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response};
use uuid::Uuid;

use super::service::{self, Ctx};
use crate::web::state::AppState;

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
    }
}

/// `/reports/<id>/photo`: a report's photo, as its bytes are (sniffed when stored).
#[poem::handler]
pub async fn photo(state: Data<&AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match service::photo(ctx(&state), id).await {
        Ok(p) => Response::builder()
            .content_type(p.content_type)
            .header("X-Content-Type-Options", "nosniff")
            .header("Cache-Control", "public, max-age=86400")
            .body(p.bytes),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The Open311 API keys page, for city admins only.
fn admins_only(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    user: &crate::core::identity::AuthUser,
) -> Option<Response> {
    (user.staff_role != Some(crate::core::identity::StaffRole::Admin)).then(|| {
        crate::web::extract::message_page(
            state,
            pc,
            req,
            StatusCode::FORBIDDEN,
            "admin-open311-admins-only",
        )
    })
}

async fn keys_page(
    state: &AppState,
    pc: &crate::web::pages::PageCtx,
    req: &poem::Request,
    status: StatusCode,
    app_name: &str,
    error: Option<String>,
    shown: Option<(String, String)>,
) -> Response {
    let l = pc.locale;
    let tz = state.city.timezone;
    let day = |t: chrono::DateTime<chrono::Utc>| {
        crate::core::i18n::format_date(l, t.with_timezone(&tz).date_naive())
    };
    let keys: Vec<minijinja::Value> = service::keys(ctx(state))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|k| {
            minijinja::context! {
                id => k.id.to_string(),
                app_name => k.app_name,
                prefix => k.prefix,
                created => day(k.created_at),
                last_used => k.last_used_at.map(day),
                revoked => k.revoked_at.map(day),
            }
        })
        .collect();
    let errors: Vec<minijinja::Value> = error
        .iter()
        .map(|m| minijinja::context! { field => "app_name", message => m.clone() })
        .collect();
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    crate::web::pages::render(
        state,
        pc,
        req,
        "admin_open311_keys.html",
        status,
        minijinja::context! {
            keys, errors, error, app_name,
            shown => shown.map(|(name, key)| minijinja::context! { name, key }),
            endpoint => format!("{base}/open311/v2"),
        },
    )
}

/// `GET /admin/open311-keys`: the apps' API keys, and a form to issue one.
#[poem::handler]
pub async fn admin_keys(
    state: Data<&AppState>,
    req: &poem::Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    keys_page(&state, &pc, req, StatusCode::OK, "", None, None).await
}

/// What the key form sends.
#[derive(serde::Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    app_name: String,
}
crate::web::extract::protected_form!(KeyForm);

/// `POST /admin/open311-keys`: issues a key and shows it this once.
#[poem::handler]
pub async fn admin_issue_key(
    state: Data<&AppState>,
    req: &poem::Request,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    crate::web::extract::CheckedForm(form): crate::web::extract::CheckedForm<KeyForm>,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    match service::issue_key(ctx(&state), &form.app_name, Some(user.id)).await {
        Ok(issued) => {
            keys_page(
                &state,
                &pc,
                req,
                StatusCode::CREATED,
                "",
                None,
                Some((issued.key.app_name, issued.secret)),
            )
            .await
        }
        Err(super::error::ReportError::Invalid(i)) => {
            let message =
                i.0.first()
                    .map(|f| state.i18n.message(pc.locale, &f.message));
            keys_page(
                &state,
                &pc,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.app_name,
                message,
                None,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "issuing an Open311 key");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}

/// `POST /admin/open311-keys/:id/revoke`: apps using the key get 403 from now on.
#[poem::handler]
pub async fn admin_revoke_key(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(id): Path<String>,
    crate::web::extract::StaffUser { pc, user }: crate::web::extract::StaffUser,
    crate::web::extract::CheckedForm(_): crate::web::extract::CheckedForm<
        crate::web::extract::TokenOnly,
    >,
) -> Response {
    if let Some(denied) = admins_only(&state, &pc, req, &user) {
        return denied;
    }
    let revoked = match Uuid::parse_str(&id) {
        Ok(id) => service::revoke_key(ctx(&state), id).await,
        Err(_) => Err(super::error::ReportError::NotFound),
    };
    match revoked {
        Ok(()) => crate::web::pages::see_other(format!("/admin/open311-keys#k-{id}")),
        Err(super::error::ReportError::NotFound) => crate::web::extract::message_page(
            &state,
            &pc,
            req,
            StatusCode::NOT_FOUND,
            "problem-not-found",
        ),
        Err(e) => {
            tracing::error!(error = %e, "revoking an Open311 key");
            crate::web::extract::message_page(
                &state,
                &pc,
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem-internal",
            )
        }
    }
}
