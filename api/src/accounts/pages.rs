//! Account pages: register, log in, log out, "my account" with my data (access log,
//! export, delete). Plain HTML forms protected against CSRF; no script needed.

use std::collections::HashMap;

use minijinja::context;
use poem::http::{header, StatusCode};
use poem::web::Data;
use poem::{handler, IntoResponse, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::error::AccountError;
use super::service::{self, Purpose, Registered};
use crate::core::error::ErrorCode;
use crate::core::i18n;
use crate::core::locale::Locale;
use crate::core::problem::Problem;
use crate::web::auth::{self, LoginGate};
use crate::web::extract::{expired_page, CheckedForm, PageUser, ProtectedForm};
use crate::web::pages::{next_page, render, see_other, with_cookie, PageCtx};
use crate::web::state::AppState;
use entities::{membership, organization};

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

/// `?next=...` for a link that keeps `next` (nothing for the default, my account).
fn next_query(next: &str) -> String {
    match next {
        "/account" => String::new(),
        n => format!(
            "?next={}",
            url::form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
        ),
    }
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
    let notice = crate::web::pages::query_param(req, "done")
        .filter(|d| d == "password-reset")
        .map(|_| pc.t(&state, "account-done-password-reset"));
    render(
        &state,
        &pc,
        req,
        "login.html",
        StatusCode::OK,
        context! { email => "", next, notice },
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
    let verification = state.postman.delivers();
    let u = match service::check_login(&state.db, &email, &form.password, verification).await {
        Ok(service::LoginCheck::Valid(u)) => u,
        Ok(refused) => {
            if let service::LoginCheck::Unconfirmed(u) = refused {
                super::api::send_verification_later(&state, u.id);
            }
            let _ = auth::record_login_failure(&state, &email, &ip).await;
            let message = match verification {
                true => "login-refused-or-unconfirmed",
                false => "error-invalid-credentials",
            };
            return again(
                StatusCode::UNAUTHORIZED,
                vec![error("email", pc.t(&state, message))],
            );
        }
        Err(_) => {
            return again(
                StatusCode::SERVICE_UNAVAILABLE,
                vec![error("email", pc.t(&state, "error-summary"))],
            )
        }
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
    let keys = service::register_limit_keys(
        &auth::client_ip(req),
        state.config.server.registrations_per_hour,
    );
    match service::over_limit(&state.store, &keys).await {
        Ok(None) => {}
        Ok(Some(wait)) => {
            let message = wait_message(&state, pc.locale, "error-too-many-registrations", wait);
            let errors = vec![error("email", message.clone())];
            let field_errors = HashMap::from([("email".to_string(), message)]);
            let resp = render(
                &state,
                &pc,
                req,
                "register.html",
                StatusCode::TOO_MANY_REQUESTS,
                context! { form => keep, errors, field_errors, next },
            );
            return with_retry_after(resp, wait);
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let verification = state.postman.delivers();
    // With email, registering logs nobody in: a new address and a taken one get the
    // same page, and the emailed link leads on (to `next`, after logging in).
    let sent = || {
        let email = crate::core::email::normalize(&form.email);
        let register_again = format!("/register{}", next_query(&next));
        render(
            &state,
            &pc,
            req,
            "account_link.html",
            StatusCode::OK,
            context! { state => "sent", purpose => "verify", email, register_again },
        )
    };
    let registered = super::service::register(&state.db, &r, pc.locale, verification).await;
    let registered = match registered {
        Ok(Registered::Taken { .. }) if !verification => Err(service::taken_without_email()),
        other => other,
    };
    match registered {
        Ok(Registered::New {
            user,
            verify_secret,
        }) if verification => {
            let mail = service::verify_mail(&user, verify_secret, Some(&next));
            state.postman.send_later(mail.into_iter().collect());
            sent()
        }
        Ok(Registered::New { user, .. }) => match auth::create_session(&state, user.id).await {
            Ok(sid) => with_cookie(see_other(&next), &auth::session_cookie(&state, &sid)),
            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        Ok(Registered::Taken { owner }) => {
            state.postman.send_later(vec![service::taken_mail(&owner)]);
            sent()
        }
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
    pc: PageCtx,
    CheckedForm(_): CheckedForm<LogoutForm>,
) -> Response {
    let mut to = None;
    if let Some(sid) = auth::session_id_from(req) {
        let login = auth::session_city_login(&state, &sid).await;
        let _ = auth::destroy_session(&state, &sid).await;
        // A session begun by the city login ends the provider's session too.
        to = super::oidc_pages::logout_target(&state, login, pc.locale).await;
    }
    with_cookie(
        see_other(to.as_deref().unwrap_or("/")),
        &auth::clear_session_cookie(&state),
    )
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
    account_with(state, pc, req, u, status, errors, Kept::default()).await
}

/// What the account page's forms show again after an error: the fields' errors and
/// what was typed (never a password).
#[derive(Default)]
struct Kept {
    field_errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

async fn account_with(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &crate::core::identity::AuthUser,
    status: StatusCode,
    errors: Vec<minijinja::Value>,
    kept: Kept,
) -> Response {
    let l = pc.locale;
    let me = service::me(&state.db, state.city.id, u.id).await.ok();
    let done = crate::web::pages::query_param(req, "done")
        .filter(|d| DONE.contains(&d.as_str()))
        .map(|d| pc.t(state, &format!("account-done-{d}")));
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
    let city_login = match &state.city_login {
        Some(c) => {
            let link = super::identities::of_user(&state.db, u.id)
                .await
                .ok()
                .flatten();
            let has_password = entities::user::Entity::find_by_id(u.id)
                .one(&state.db)
                .await
                .ok()
                .flatten()
                .is_some_and(|m| super::identities::has_password(&m));
            Some(context! {
                name => c.config.display_name.clone(),
                linked => link.is_some(),
                linked_on => link.map(|x| i18n::format_date(l, x.linked_at.with_timezone(&state.city.timezone).date_naive())),
                acr => u.acr.clone(),
                has_password,
            })
        }
        None => None,
    };
    let tz = state.city.timezone;
    let log = crate::privacy::log::entries(&state.db, &state.i18n, l, tz, u.id)
        .await
        .unwrap_or_default();
    let apps = crate::oauth::pages::apps_of(state, l, u.id).await;
    render(
        state,
        pc,
        req,
        "account.html",
        status,
        context! {
            name => u.display_name.clone(),
            email => u.email.clone(),
            email_verified => u.email_verified,
            pending_email => me.as_ref().and_then(|m| m.pending_email.clone()),
            account_locale => me.as_ref().and_then(|m| m.locale.clone()).unwrap_or_else(|| state.config.city.default_locale.as_str().to_string()),
            city_login,
            export_step_up => state.city_login.as_ref().and_then(|c| {
                c.config
                    .level_for("account-export")
                    .filter(|level| !c.config.reached(u.acr.as_deref(), u.acr_at, level))
                    .map(|_| "/auth/oidc/step-up?action=account-export&next=%2Faccount%2Fexport")
            }),
            field_errors => kept.field_errors,
            values => kept.values,
            done,
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
            apps,
            errors,
        },
    )
}

#[handler]
pub async fn export_download(
    PageUser { user: u, pc }: PageUser,
    state: Data<&AppState>,
    req: &Request,
) -> Response {
    if let Some(step_up) =
        super::oidc_pages::step_up_needed(&state, &pc, req, &u, "account-export", "/account/export")
            .await
    {
        return step_up;
    }
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
    if let Some(step_up) = super::oidc_pages::step_up_needed(
        &state,
        &pc,
        req,
        &u,
        "account-delete",
        "/account#h-delete",
    )
    .await
    {
        return step_up;
    }
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

/// The notes the account page shows after a change (`?done=`).
const DONE: [&str; 8] = [
    "profile",
    "email",
    "password",
    "verification",
    "verified",
    "oidc-linked",
    "oidc-unlinked",
    "apps",
];

/// The account page again after a form's error: `fields` renames the service's field
/// names to the form's (e.g. `password` to `email_password`); the first is where an
/// error without a field goes.
async fn account_form_error(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &crate::core::identity::AuthUser,
    e: &AccountError,
    fields: &[(&str, &str)],
    values: HashMap<String, String>,
) -> Response {
    let rename = |f: &str| {
        fields
            .iter()
            .find(|(from, _)| *from == f)
            .map(|(_, to)| to.to_string())
            .unwrap_or_else(|| {
                fields
                    .first()
                    .map(|(_, to)| to.to_string())
                    .unwrap_or_default()
            })
    };
    let messages: Vec<(String, String)> = error_messages(state, pc.locale, e, fields[0].0)
        .into_iter()
        .map(|(f, m)| (rename(&f), m))
        .collect();
    let errors = messages.iter().map(|(f, m)| error(f, m.clone())).collect();
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let kept = Kept {
        field_errors: messages.into_iter().collect(),
        values,
    };
    account_with(state, pc, req, u, status, errors, kept).await
}

/// The account page again with one form's error at `field`.
pub async fn account_with_error(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    u: &crate::core::identity::AuthUser,
    status: StatusCode,
    field: &str,
    message: String,
) -> Response {
    let errors = vec![error(field, message.clone())];
    let kept = Kept {
        field_errors: HashMap::from([(field.to_string(), message)]),
        values: HashMap::new(),
    };
    account_with(state, pc, req, u, status, errors, kept).await
}

/// A page form's answer when it asked too often: the form's page with the error.
fn too_many(state: &AppState, l: Locale, wait: std::time::Duration) -> String {
    wait_message(state, l, "error-too-many-requests", wait)
}

/// The message `key` saying how many minutes to wait.
fn wait_message(state: &AppState, l: Locale, key: &str, wait: std::time::Duration) -> String {
    let mut a = fluent_bundle::FluentArgs::new();
    a.set("minutes", wait.as_secs().div_ceil(60));
    state.i18n.t(l, key, Some(&a))
}

fn with_retry_after(mut resp: Response, wait: std::time::Duration) -> Response {
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        crate::core::problem::retry_after_secs(wait).into(),
    );
    resp
}

/// The name and language form.
#[derive(serde::Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

/// The change-of-address form.
#[derive(serde::Deserialize, Default)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "new_email")]
    email: String,
    #[serde(default, rename = "email_password")]
    password: String,
}

/// The change-of-password form.
#[derive(serde::Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// The reset request form.
#[derive(serde::Deserialize, Default)]
pub struct ResetRequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// The new-password form of a reset link.
#[derive(serde::Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// The button that follows a verification link.
#[derive(serde::Deserialize, Default)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    /// Where to go on (a path of this site), from the emailed link.
    #[serde(default)]
    next: String,
}

crate::web::extract::protected_form!(
    ProfileForm,
    EmailForm,
    PasswordForm,
    ResetRequestForm,
    ResetForm,
    VerifyForm
);

/// `POST /account/profile`: the name and the language of emails and calendar files.
#[handler]
pub async fn profile_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(f): CheckedForm<ProfileForm>,
) -> Response {
    let locale = f.locale.parse::<Locale>().ok();
    match service::update_profile(&state.db, u.id, Some(&f.display_name), locale).await {
        Ok(()) => see_other("/account?done=profile#h-profile"),
        Err(e) => {
            let values = HashMap::from([("display_name".to_string(), f.display_name.clone())]);
            account_form_error(
                &state,
                &pc,
                req,
                &u,
                &e,
                &[("display_name", "display_name")],
                values,
            )
            .await
        }
    }
}

/// `POST /account/email`: starts changing the address (a link to the new one).
#[handler]
pub async fn email_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(f): CheckedForm<EmailForm>,
) -> Response {
    let fields = [("email", "new_email"), ("password", "email_password")];
    let values = HashMap::from([("new_email".to_string(), f.email.clone())]);
    match service::request_email_change(&state.db, u.id, &f.email, &f.password).await {
        Ok(mails) => {
            match service::over_limit(&state.store, &service::link_limit_keys(u.id)).await {
                Ok(None) => {}
                Ok(Some(wait)) => {
                    let errors = vec![error("new_email", too_many(&state, pc.locale, wait))];
                    let resp =
                        account(&state, &pc, req, &u, StatusCode::TOO_MANY_REQUESTS, errors).await;
                    return with_retry_after(resp, wait);
                }
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
            state.postman.send_later(mails);
            see_other("/account?done=email#h-email")
        }
        Err(e) => account_form_error(&state, &pc, req, &u, &e, &fields, values).await,
    }
}

/// `POST /account/password`: a new password, with the current one. Other sessions end;
/// this browser gets a new one.
#[handler]
pub async fn password_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(f): CheckedForm<PasswordForm>,
) -> Response {
    let fields = [
        ("current_password", "current_password"),
        ("new_password", "new_password"),
    ];
    match service::change_password(&state.db, u.id, &f.current_password, &f.new_password).await {
        Ok(mail) => {
            state.postman.send_later(vec![mail]);
            if let Some(old) = auth::session_id_from(req) {
                let _ = auth::destroy_session(&state, &old).await;
            }
            match auth::create_session(&state, u.id).await {
                Ok(sid) => with_cookie(
                    see_other("/account?done=password#h-password"),
                    &auth::session_cookie(&state, &sid),
                ),
                Err(_) => see_other("/login"),
            }
        }
        Err(e) => account_form_error(&state, &pc, req, &u, &e, &fields, HashMap::new()).await,
    }
}

/// `POST /account/verification`: the verification link again. Comes back to `next`
/// (e.g. the offer being booked), else the account page.
#[handler]
pub async fn resend_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user: u }: PageUser,
    CheckedForm(_): CheckedForm<crate::web::extract::TokenOnly>,
) -> Response {
    match service::over_limit(&state.store, &service::link_limit_keys(u.id)).await {
        Ok(None) => {}
        Ok(Some(wait)) => {
            let errors = vec![error("resend", too_many(&state, pc.locale, wait))];
            let resp = account(&state, &pc, req, &u, StatusCode::TOO_MANY_REQUESTS, errors).await;
            return with_retry_after(resp, wait);
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    match service::resend_verification(&state.db, u.id).await {
        Ok(Some(m)) => {
            state.postman.send_later(vec![m]);
            see_other("/account?done=verification#h-email")
        }
        Ok(None) => see_other("/account#h-email"),
        Err(e) => Problem::from(e).to_response(),
    }
}

/// The page saying a link is unknown, used or expired, with the way to a new one.
fn link_invalid(state: &AppState, pc: &PageCtx, req: &Request, purpose: Purpose) -> Response {
    render(
        state,
        pc,
        req,
        "account_link.html",
        StatusCode::GONE,
        context! { state => "invalid", purpose => purpose.as_str() },
    )
}

/// `GET /password-reset`: asks for the address.
#[handler]
pub async fn reset_request_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    render(
        &state,
        &pc,
        req,
        "password_reset.html",
        StatusCode::OK,
        context! { email => "", sent => false },
    )
}

/// `POST /password-reset`: the same page for every address ("if it has an account, a
/// link is on its way"), the link sent in the background.
#[handler]
pub async fn reset_request_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(f): CheckedForm<ResetRequestForm>,
) -> Response {
    let again = |status: StatusCode, message: String| {
        render(
            &state,
            &pc,
            req,
            "password_reset.html",
            status,
            context! {
                email => f.email.clone(),
                sent => false,
                errors => vec![error("email", message.clone())],
                field_errors => context! { email => message },
            },
        )
    };
    if !crate::core::email::is_plausible(&crate::core::email::normalize(&f.email)) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            pc.t(&state, "error-email-invalid"),
        );
    }
    let keys = service::reset_limit_keys(&f.email, &auth::client_ip(req));
    match service::over_limit(&state.store, &keys).await {
        Ok(None) => {}
        Ok(Some(wait)) => {
            let resp = again(
                StatusCode::TOO_MANY_REQUESTS,
                too_many(&state, pc.locale, wait),
            );
            return with_retry_after(resp, wait);
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    super::api::send_reset_later(&state, f.email.clone());
    render(
        &state,
        &pc,
        req,
        "password_reset.html",
        StatusCode::OK,
        context! { email => "", sent => true },
    )
}

/// `GET /password-reset/confirm?token=`: the new-password form of a valid link.
#[handler]
pub async fn reset_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let token = crate::web::pages::query_param(req, "token").unwrap_or_default();
    match service::find_link(&state.db, Purpose::Reset, &token).await {
        Ok(_) => render(
            &state,
            &pc,
            req,
            "password_reset_confirm.html",
            StatusCode::OK,
            context! { token },
        ),
        Err(_) => link_invalid(&state, &pc, req, Purpose::Reset),
    }
}

/// `POST /password-reset/confirm`: sets the new password; on to the login.
#[handler]
pub async fn reset_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(f): CheckedForm<ResetForm>,
) -> Response {
    match service::reset_password(&state.db, &f.token, &f.password).await {
        Ok(mail) => {
            state.postman.send_later(vec![mail]);
            // Whatever session this browser had is over too.
            let resp = see_other("/login?done=password-reset");
            with_cookie(resp, &auth::clear_session_cookie(&state))
        }
        Err(e) if e.fields().iter().any(|f| f.field == "token") => {
            link_invalid(&state, &pc, req, Purpose::Reset)
        }
        Err(e) => {
            let messages = error_messages(&state, pc.locale, &e, "password");
            let errors: Vec<_> = messages.iter().map(|(f, m)| error(f, m.clone())).collect();
            let field_errors: HashMap<String, String> = messages.into_iter().collect();
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(
                &state,
                &pc,
                req,
                "password_reset_confirm.html",
                status,
                context! { token => f.token, errors, field_errors },
            )
        }
    }
}

/// `GET /verify?token=&next=`: a button that verifies (a link opened by a mail scanner
/// uses nothing up).
#[handler]
pub async fn verify_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let token = crate::web::pages::query_param(req, "token").unwrap_or_default();
    let next = next_page(crate::web::pages::query_param(req, "next").as_deref());
    match service::find_link(&state.db, Purpose::Verify, &token).await {
        Ok((t, _)) => render(
            &state,
            &pc,
            req,
            "account_link.html",
            StatusCode::OK,
            context! { state => "confirm", purpose => "verify", token, email => t.email, next },
        ),
        Err(_) => link_invalid(&state, &pc, req, Purpose::Verify),
    }
}

/// `POST /verify`: verifies the address (or makes the new one the login). The browser
/// logged in to the account goes on as before; any other gets the login form with the
/// address filled in, leading on to `next`: the link proves the mailbox, the password
/// proves the account (a mistyped address's link must not open someone's account).
#[handler]
pub async fn verify_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(f): CheckedForm<VerifyForm>,
) -> Response {
    let next = next_page(Some(&f.next));
    match service::verify(&state.db, &f.token).await {
        Ok(v) if pc.user.as_ref().is_some_and(|u| u.id == v.user_id) => render(
            &state,
            &pc,
            req,
            "account_link.html",
            StatusCode::OK,
            context! { state => "verified", purpose => "verify", changed => v.changed, next },
        ),
        Ok(v) => {
            let key = match v.changed {
                true => "link-verified-changed-login",
                false => "link-verified-login",
            };
            render(
                &state,
                &pc,
                req,
                "login.html",
                StatusCode::OK,
                context! { email => v.email, next, notice => pc.t(&state, key) },
            )
        }
        Err(e) if e.status() < 500 => link_invalid(&state, &pc, req, Purpose::Verify),
        Err(e) => Problem::from(e).to_response(),
    }
}

/// The page a resident whose address is not verified sees instead of booking: verify
/// first, with a button sending the link again.
pub fn verify_first(state: &AppState, pc: &PageCtx, req: &Request, email: &str) -> Response {
    render(
        state,
        pc,
        req,
        "account_link.html",
        StatusCode::FORBIDDEN,
        context! { state => "unverified", purpose => "verify", email },
    )
}

/// `POST /account/oidc/link`: a logged-in resident links their city account; the
/// password is asked first.
#[handler]
pub async fn account_link_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user }: PageUser,
    CheckedForm(form): CheckedForm<super::oidc_pages::PasswordForm>,
) -> Response {
    if state.city_login.is_none() {
        return super::oidc_pages::not_configured(&state, &pc, req);
    }
    if let Err((status, m)) =
        super::oidc_pages::check_password(&state, &pc, req, &user.email, &form.password).await
    {
        return account_with_error(&state, &pc, req, &user, status, "oidc_password", m).await;
    }
    super::oidc_pages::start_link(&state, &pc, req, user.id).await
}

/// `POST /account/oidc/unlink`: remove the city login (the account keeps its password).
#[handler]
pub async fn account_unlink_submit(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user }: PageUser,
    CheckedForm(_): CheckedForm<LogoutForm>,
) -> Response {
    match super::identities::unlink(&state.db, user.id).await {
        Ok(()) => see_other("/account?done=oidc-unlinked"),
        Err(e) => {
            use crate::core::error::ErrorCode;
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let m = e
                .fields()
                .first()
                .map(|f| state.i18n.message(pc.locale, &f.message))
                .unwrap_or_else(|| state.i18n.message(pc.locale, &e.message()));
            account_with_error(&state, &pc, req, &user, status, "oidc_unlink", m).await
        }
    }
}
