//! Account pages: register, log in, log out, "my account" with my data (access log,
//! export, delete). Plain HTML forms protected against CSRF; no script needed.

use std::collections::HashMap;

use minijinja::context;
use poem::http::{header, StatusCode};
use poem::web::{Data, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::error::AccountError;
use crate::core::error::ErrorCode;
use crate::core::i18n;
use crate::core::locale::Locale;
use crate::core::problem::Problem;
use crate::web::auth::{self, LoginGate};
use crate::web::extract::{expired_page, CheckedForm, PageUser, ProtectedForm};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::{membership, organization, user};

#[derive(serde::Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    /// Where to go after logging in (a path of this site), e.g. back to a booking.
    #[serde(default)]
    next: String,
}

#[derive(serde::Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// The logout form: its token only.
#[derive(serde::Deserialize, Default)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

impl ProtectedForm for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The account deletion form: the token and the password.
#[derive(serde::Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// An expired deletion form shows the account page again, the error at the password.
impl ProtectedForm for DeleteForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }

    async fn refused(self, state: &AppState, pc: PageCtx, req: &Request) -> Response {
        match pc.user.clone() {
            Some(u) => {
                let errors = vec![error("delete-password", pc.t(state, "error-csrf"))];
                account(state, &pc, req, &u, StatusCode::FORBIDDEN, errors).await
            }
            None => expired_page(state, &pc, req),
        }
    }
}

/// An expired login form shows itself again, keeping the email address.
impl ProtectedForm for LoginForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }

    async fn refused(self, state: &AppState, pc: PageCtx, req: &Request) -> Response {
        let errors = vec![error("email", pc.t(state, "error-csrf"))];
        let next = next_page(Some(&self.next));
        login_page(
            state,
            &pc,
            req,
            StatusCode::FORBIDDEN,
            &self.email,
            errors,
            &next,
        )
    }
}

/// An expired registration form shows itself again, keeping what was typed (but the
/// password).
impl ProtectedForm for RegisterForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }

    async fn refused(self, state: &AppState, pc: PageCtx, req: &Request) -> Response {
        let errors = vec![error("email", pc.t(state, "error-csrf"))];
        let next = next_page(Some(&self.next));
        let keep = context! { email => self.email, display_name => self.display_name };
        let ctx = context! { form => keep, errors, field_errors => context! {}, next };
        render(state, &pc, req, "register.html", StatusCode::FORBIDDEN, ctx)
    }
}

/// The login page with `email` filled in.
fn login_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    email: &str,
    errors: Vec<minijinja::Value>,
    next: &str,
) -> Response {
    render(
        state,
        pc,
        req,
        "login.html",
        status,
        context! { email, errors, next },
    )
}

fn error(field: &str, message: String) -> minijinja::Value {
    context! { field => field.to_string(), message }
}

/// Where to go after logging in or registering: `next` if it is a path of this site,
/// else my account.
fn next_page(next: Option<&str>) -> String {
    next.map(str::trim)
        .filter(|n| {
            n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 500
                && !n.chars().any(|c| c == '\\' || c.is_control())
        })
        .unwrap_or("/account")
        .to_string()
}

/// A redirect after a successful form (303: the browser follows with GET).
fn see_other(to: &str) -> Response {
    Redirect::see_other(to.to_string()).into_response()
}

fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// An account error in the page's language, as form errors: each invalid field with its
/// message, or the error's explanation on the form field `field`.
fn error_messages(
    state: &AppState,
    l: Locale,
    e: &AccountError,
    field: &str,
) -> Vec<(String, String)> {
    if e.status() >= 500 {
        tracing::error!(code = e.code(), error = ?e.internal(), "internal error on a page");
    }
    if e.fields().is_empty() {
        vec![(field.to_string(), state.i18n.message(l, &e.message()))]
    } else {
        e.fields()
            .iter()
            .map(|f| (f.field.clone(), state.i18n.message(l, &f.message)))
            .collect()
    }
}

#[handler]
pub async fn login_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let next = next_page(crate::web::pages::query_param(req, "next").as_deref());
    if pc.user.is_some() {
        return see_other(&next);
    }
    render(
        &state,
        &pc,
        req,
        "login.html",
        StatusCode::OK,
        context! { email => "", next },
    )
}

#[handler]
pub async fn login_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> Response {
    let l = pc.locale;
    let next = next_page(Some(&form.next));
    let again = |status: StatusCode, errors: Vec<minijinja::Value>| {
        login_page(&state, &pc, req, status, &form.email, errors, &next)
    };
    let email = crate::core::email::normalize(&form.email);
    let ip = auth::client_ip(req);
    match auth::login_gate(&state, &email, &ip).await {
        Ok(LoginGate::Open) => {}
        Ok(LoginGate::Closed { retry_after }) => {
            let mut a = fluent_bundle::FluentArgs::new();
            a.set("minutes", retry_after.as_secs().div_ceil(60));
            let mut resp = again(
                StatusCode::TOO_MANY_REQUESTS,
                vec![error(
                    "email",
                    state.i18n.t(l, "error-rate-limited", Some(&a)),
                )],
            );
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                crate::core::problem::retry_after_secs(retry_after).into(),
            );
            return resp;
        }
        Err(_) => {
            return again(
                StatusCode::SERVICE_UNAVAILABLE,
                vec![error("email", pc.t(&state, "error-summary"))],
            )
        }
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(&state.db)
        .await
        .ok()
        .flatten();
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crate::core::secrets::dummy_hash().to_string());
    let password = form.password.clone();
    let valid = tokio::task::spawn_blocking(move || {
        crate::core::secrets::verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false);
    let Some(u) = found.filter(|_| valid) else {
        let _ = auth::record_login_failure(&state, &email, &ip).await;
        return again(
            StatusCode::UNAUTHORIZED,
            vec![error("email", pc.t(&state, "error-invalid-credentials"))],
        );
    };
    if let Some(old) = auth::session_id_from(req) {
        let _ = auth::destroy_session(&state, &old).await;
    }
    match auth::create_session(&state, u.id).await {
        Ok(sid) => with_cookie(see_other(&next), &auth::session_cookie(&state, &sid)),
        Err(_) => again(
            StatusCode::SERVICE_UNAVAILABLE,
            vec![error("email", pc.t(&state, "error-summary"))],
        ),
    }
}

#[handler]
pub async fn register_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let next = next_page(crate::web::pages::query_param(req, "next").as_deref());
    if pc.user.is_some() {
        return see_other(&next);
    }
    render(
        &state,
        &pc,
        req,
        "register.html",
        StatusCode::OK,
        context! { form => context! {}, field_errors => context! {}, next },
    )
}

#[handler]
pub async fn register_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(form): CheckedForm<RegisterForm>,
) -> Response {
    let next = next_page(Some(&form.next));
    let keep = context! { email => form.email.clone(), display_name => form.display_name.clone() };
    let r = super::service::Registration {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
    };
    match super::service::register(&state.db, &r).await {
        Ok(u) => match auth::create_session(&state, u.id).await {
            Ok(sid) => with_cookie(see_other(&next), &auth::session_cookie(&state, &sid)),
            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        Err(e) => {
            let messages = error_messages(&state, pc.locale, &e, "email");
            let errors: Vec<_> = messages.iter().map(|(f, m)| error(f, m.clone())).collect();
            let field_errors: HashMap<String, String> = messages.into_iter().collect();
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(
                &state,
                &pc,
                req,
                "register.html",
                status,
                context! { form => keep, errors, field_errors, next },
            )
        }
    }
}

#[handler]
pub async fn logout_submit(
    state: Data<&AppState>,
    req: &Request,
    CheckedForm(_): CheckedForm<LogoutForm>,
) -> Response {
    if let Some(sid) = auth::session_id_from(req) {
        let _ = auth::destroy_session(&state, &sid).await;
    }
    with_cookie(see_other("/"), &auth::clear_session_cookie(&state))
}

#[handler]
pub async fn account_page(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
) -> Response {
    account(&state, &pc, req, &u, StatusCode::OK, Vec::new()).await
}

async fn account(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &crate::core::identity::AuthUser,
    status: StatusCode,
    errors: Vec<minijinja::Value>,
) -> Response {
    let l = pc.locale;
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
        .order_by_asc(organization::Column::Name)
        .all(&state.db)
        .await
        .unwrap_or_default();
    let tz = state.city.timezone;
    let log = crate::privacy::log::entries(&state.db, &state.i18n, l, tz, u.id)
        .await
        .unwrap_or_default();
    render(
        state,
        pc,
        req,
        "account.html",
        status,
        context! {
            name => u.display_name.clone(),
            email => u.email.clone(),
            organizations => orgs.iter().map(|o| context! {
                name => o.name.clone(),
                role => ms.iter().find(|m| m.organization_id == o.id).map(|m| m.role.clone()),
            }).collect::<Vec<_>>(),
            access_log => log.iter().map(|a| {
                let (first, last) = (a.first_at.with_timezone(&tz), a.at.with_timezone(&tz));
                let times = if a.count > 1 {
                    format!("{}–{}", first.format("%H:%M"), last.format("%H:%M"))
                } else {
                    last.format("%H:%M").to_string()
                };
                context! {
                    at => format!("{} {times}", i18n::format_date(l, last.date_naive())),
                    count => a.count,
                    times_read => (a.count > 1).then(|| state.i18n.t(l, "access-times", Some(&{
                        let mut args = fluent_bundle::FluentArgs::new();
                        args.set("count", a.count);
                        args
                    }))),
                    who => a.who.clone(),
                    resource => a.what.clone(),
                    purpose => a.why.clone(),
                }
            }).collect::<Vec<_>>(),
            errors,
        },
    )
}

#[handler]
pub async fn export_download(
    PageUser { user: u, .. }: PageUser,
    state: Data<&AppState>,
) -> Response {
    match super::service::export(&state.db, u.id, state.city.timezone).await {
        Ok(doc) => Response::builder()
            .content_type("application/json; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-city-portal-data.json\"",
            )
            .header(header::CACHE_CONTROL, "no-store")
            .body(serde_json::to_vec_pretty(&doc).unwrap_or_default()),
        Err(e) => Problem::from(e).to_response(),
    }
}

#[handler]
pub async fn delete_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(form): CheckedForm<DeleteForm>,
) -> Response {
    match super::service::delete_account(&state.db, &state.booking_ctx(), &u, &form.password).await
    {
        Ok(()) => {
            if let Some(sid) = auth::session_id_from(req) {
                let _ = auth::destroy_session(&state, &sid).await;
            }
            with_cookie(
                see_other("/?deleted=1"),
                &auth::clear_session_cookie(&state),
            )
        }
        Err(e) => {
            let errors = error_messages(&state, pc.locale, &e, "delete-password")
                .into_iter()
                .map(|(_, m)| error("delete-password", m))
                .collect();
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            account(&state, &pc, req, &u, status, errors).await
        }
    }
}
