//! The city login's pages: start a login at the provider, its callback, the page
//! that asks before a new account is made, linking an existing account (with its
//! password), unlinking, step-up to a higher assurance level, and the error page that
//! says what happened. Plain links and forms; no script needed.

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{handler, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::identities::{self, Outcome};
use super::oidc::{Callback, CityLogin, OidcError, Purpose, Verified, PENDING_TTL, STATE_COOKIE};
use crate::core::identity::AuthUser;
use crate::core::secrets::{random_secret, sha256_hex};
use crate::web::auth::{self, CityLoginSession, LoginGate};
use crate::web::extract::{CheckedForm, PageUser, ProtectedForm};
use crate::web::pages::{next_page, query_param, render, see_other, with_cookie, PageCtx};
use crate::web::state::AppState;
use entities::user;

/// The cookie naming a verified city login that waits for an account's password.
const LINK_COOKIE: &str = "cp_oidc_link";
/// The cookie naming a verified city login that waits for the resident to confirm a
/// new account.
const NEW_COOKIE: &str = "cp_oidc_new";

fn link_key(token: &str) -> String {
    format!("oidc:link:{}", sha256_hex(token))
}

fn new_key(token: &str) -> String {
    format!("oidc:new:{}", sha256_hex(token))
}

/// A verified city login waiting, server-side and for at most [`PENDING_TTL`]: for
/// the password of the account with its address, or for the resident to confirm the
/// new account (then `name` is what it would be called).
#[derive(serde::Serialize, serde::Deserialize)]
struct WaitingLogin {
    issuer: String,
    subject: String,
    email: String,
    #[serde(default)]
    name: Option<String>,
    acr: Option<String>,
    #[serde(default)]
    auth_time: Option<chrono::DateTime<chrono::Utc>>,
    id_token: String,
    groups: Vec<String>,
    next: String,
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: u64) -> String {
    let secure = if state.config.server.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The error page: what happened, and that the local login still works.
pub fn error_page(state: &AppState, pc: &PageCtx, req: &Request, e: &OidcError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if status.is_server_error() {
        tracing::warn!(code = e.code(), error = %e, "city login failed");
    } else {
        tracing::info!(code = e.code(), error = %e, "city login refused");
    }
    let name = state
        .city_login
        .as_ref()
        .map(|c| c.config.display_name.clone())
        .unwrap_or_default();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("name", name);
    let text = state
        .i18n
        .t(pc.locale, &format!("{}-text", e.code()), Some(&args));
    let title = state
        .i18n
        .t(pc.locale, &format!("{}-title", e.code()), Some(&args));
    let mut resp = render(
        state,
        pc,
        req,
        "oidc_error.html",
        status,
        context! { title, text, code => e.code() },
    );
    // The started login is over, whatever happened.
    resp = with_cookie(resp, &cookie(state, STATE_COOKIE, "", 0));
    resp
}

pub fn not_configured(state: &AppState, pc: &PageCtx, req: &Request) -> Response {
    crate::web::extract::message_page(state, pc, req, StatusCode::NOT_FOUND, "oidc-off-text")
}

/// Sends the browser to the provider with a new started login.
async fn start(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    login: &CityLogin,
    purpose: Purpose,
    acr: Option<&str>,
    again: bool,
) -> Response {
    match login
        .begin(&state.store, purpose, acr, again, pc.locale.as_str())
        .await
    {
        Ok((url, st)) => with_cookie(
            see_other(url.as_str()),
            &cookie(state, STATE_COOKIE, &st, PENDING_TTL.as_secs()),
        ),
        Err(e) => error_page(state, pc, req, &e),
    }
}

/// `GET /auth/oidc/login?next=`: log in with the city account.
#[handler]
pub async fn login_start(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let Some(login) = state.city_login.clone() else {
        return not_configured(&state, &pc, req);
    };
    let next = next_page(query_param(req, "next").as_deref());
    start(
        &state,
        &pc,
        req,
        &login,
        Purpose::Login { next },
        None,
        false,
    )
    .await
}

/// `GET /auth/oidc/step-up?action=&next=`: log in again at the level the action needs.
#[handler]
pub async fn step_up_start(
    state: Data<&AppState>,
    req: &Request,
    PageUser { pc, user }: PageUser,
) -> Response {
    let Some(login) = state.city_login.clone() else {
        return not_configured(&state, &pc, req);
    };
    let next = next_page(query_param(req, "next").as_deref());
    let action = query_param(req, "action").unwrap_or_default();
    // An action's level by `OIDC_STEP_UP`, or a level a service asks for (a module's
    // `min_acr`), if the city login knows it.
    let level = login
        .config
        .level_for(&action)
        .map(String::from)
        .or_else(|| query_param(req, "level").filter(|l| login.config.acr_levels.contains(l)));
    let Some(level) = level else {
        return see_other(&next);
    };
    if identities::of_user(&state.db, user.id)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return level_page(&state, &pc, req, &level, false);
    }
    let purpose = Purpose::StepUp {
        user_id: user.id,
        next,
    };
    start(&state, &pc, req, &login, purpose, Some(&level), true).await
}

/// The page saying an action needs a city login at `level` (the account has none
/// linked, or the step-up is to be started).
fn level_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    level: &str,
    linked: bool,
) -> Response {
    let name = state
        .city_login
        .as_ref()
        .map(|c| c.config.display_name.clone())
        .unwrap_or_default();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("name", name);
    args.set("level", level.to_string());
    let title = state
        .i18n
        .t(pc.locale, "oidc-level-needed-title", Some(&args));
    let text = state.i18n.t(
        pc.locale,
        if linked {
            "oidc-level-needed-text"
        } else {
            "oidc-level-needed-unlinked"
        },
        Some(&args),
    );
    render(
        state,
        pc,
        req,
        "oidc_error.html",
        StatusCode::FORBIDDEN,
        context! { title, text, code => "oidc-level-needed", link_account => !linked },
    )
}

/// For an action that needs a higher level than the session's login: the step-up
/// (a redirect to the provider, continuing at `next`), or the page saying a linked
/// city account is needed. `None` when the action may go ahead.
pub async fn step_up_needed(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &AuthUser,
    action: &str,
    next: &str,
) -> Option<Response> {
    let login = state.city_login.as_ref()?;
    let level = login.config.level_for(action)?;
    if login
        .config
        .reached(user.acr.as_deref(), user.acr_at, level)
    {
        return None;
    }
    step_up_to(state, pc, req, user, ("action", action), level, next).await
}

/// For a service whose module asks for the login level `level` (`min_acr`): the
/// step-up when the session's login is below it, or the page saying a linked city
/// account is needed (or that there is no city login). `None` when the level is met.
pub async fn level_needed(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &AuthUser,
    level: &str,
    next: &str,
) -> Option<Response> {
    let Some(login) = state.city_login.as_ref() else {
        return Some(level_page(state, pc, req, level, false));
    };
    if login.config.satisfies(user.acr.as_deref(), level) {
        return None;
    }
    step_up_to(state, pc, req, user, ("level", level), level, next).await
}

async fn step_up_to(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user: &AuthUser,
    ask: (&str, &str),
    level: &str,
    next: &str,
) -> Option<Response> {
    if identities::of_user(&state.db, user.id)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return Some(level_page(state, pc, req, level, false));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(ask.0, ask.1)
        .append_pair("next", next)
        .finish();
    let to = format!("/auth/oidc/step-up?{query}");
    Some(see_other(&to))
}

/// `GET /auth/oidc/callback`: the provider's redirect back.
#[handler]
pub async fn callback(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    Query(cb): Query<Callback>,
) -> Response {
    let Some(login) = state.city_login.clone() else {
        return not_configured(&state, &pc, req);
    };
    let bound = auth::cookie(req, STATE_COOKIE);
    let v = match login.finish(&state.store, &cb, bound.as_deref()).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, &pc, req, &e),
    };
    let resp = match v.purpose.clone() {
        Purpose::Login { next } => logged_in(&state, &pc, req, &login, v, next).await,
        Purpose::Link { user_id } => {
            if pc.user.as_ref().map(|u| u.id) != Some(user_id) {
                return error_page(&state, &pc, req, &OidcError::State);
            }
            match identities::link(&state.db, user_id, &v).await {
                Ok(()) => {
                    map_roles(&state, &login, user_id, &v.groups).await;
                    see_other("/account?done=oidc-linked")
                }
                Err(e) => account_error(&state, &pc, req, &e),
            }
        }
        Purpose::StepUp { user_id, next } => {
            let same = pc.user.as_ref().map(|u| u.id) == Some(user_id)
                && identities::of_user(&state.db, user_id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|l| l.issuer == v.issuer && l.subject == v.subject);
            if !same {
                return error_page(&state, &pc, req, &OidcError::Level);
            }
            // The provider decides the staff role at every city login.
            map_roles(&state, &login, user_id, &v.groups).await;
            new_session(&state, req, user_id, &v, &next).await
        }
    };
    with_cookie(resp, &cookie(&state, STATE_COOKIE, "", 0))
}

fn account_error(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    e: &super::AccountError,
) -> Response {
    use crate::core::error::ErrorCode;
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if status.is_server_error() {
        tracing::error!(code = e.code(), error = ?e.internal(), "city login failed");
    }
    let text = e
        .fields()
        .first()
        .map(|f| state.i18n.message(pc.locale, &f.message))
        .unwrap_or_else(|| state.i18n.message(pc.locale, &e.message()));
    let title = pc.t(state, "oidc-refused-title");
    render(
        state,
        pc,
        req,
        "oidc_error.html",
        status,
        context! { title, text, code => e.code() },
    )
}

/// A new session for the account from a verified city login (any old one ends).
async fn new_session(
    state: &AppState,
    req: &Request,
    user_id: uuid::Uuid,
    v: &Verified,
    next: &str,
) -> Response {
    if let Some(old) = auth::session_id_from(req) {
        let _ = auth::destroy_session(state, &old).await;
    }
    let login = CityLoginSession {
        acr: v.acr.clone(),
        acr_at: v.auth_time,
        id_token: Some(v.id_token.clone()),
    };
    match auth::create_session_with(state, user_id, login).await {
        Ok(sid) => with_cookie(see_other(next), &auth::session_cookie(state, &sid)),
        Err(p) => p.to_response(),
    }
}

/// With roles mapped from the provider, the login's groups decide the staff role.
async fn map_roles(state: &AppState, login: &CityLogin, user_id: uuid::Uuid, groups: &[String]) {
    if login.config.roles_claim.is_none() {
        return;
    }
    let role = identities::mapped_role(groups, &login.config.role_map);
    if let Err(e) = identities::apply_role(&state.db, state.city.id, user_id, role).await {
        use crate::core::error::ErrorCode;
        tracing::error!(
            code = e.code(),
            "mapping the city login's staff role failed"
        );
    }
}

async fn logged_in(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    login: &CityLogin,
    v: Verified,
    next: String,
) -> Response {
    match identities::login(&state.db, &v).await {
        Ok(outcome) => outcome_page(state, pc, req, login, v, next, outcome).await,
        Err(e) => account_error(state, pc, req, &e),
    }
}

/// Where a city login leads: the session, the page confirming a new account, the
/// page asking for an existing account's password, or why none can be made.
async fn outcome_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    login: &CityLogin,
    v: Verified,
    next: String,
    outcome: Outcome,
) -> Response {
    let waiting = |email: String, name: Option<String>, v: Verified, next: String| WaitingLogin {
        issuer: v.issuer,
        subject: v.subject,
        email,
        name,
        acr: v.acr,
        auth_time: v.auth_time,
        id_token: v.id_token,
        groups: v.groups,
        next,
    };
    match outcome {
        Outcome::LoggedIn(user_id) => {
            map_roles(state, login, user_id, &v.groups).await;
            new_session(state, req, user_id, &v, &next).await
        }
        // Nothing is stored before the resident says so: a login started by another
        // site and finished silently by the provider must not make an account.
        Outcome::New { email, name } => {
            let w = waiting(email, Some(name), v, next);
            keep_waiting(state, pc, req, w, new_key, NEW_COOKIE, "/auth/oidc/confirm").await
        }
        Outcome::NeedsPassword { email } => {
            let w = waiting(email, None, v, next);
            keep_waiting(state, pc, req, w, link_key, LINK_COOKIE, "/auth/oidc/link").await
        }
        Outcome::NoVerifiedEmail => {
            let e = OidcError::Provider("no_verified_email".into());
            let name = login.config.display_name.clone();
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("name", name);
            let title = state.i18n.t(pc.locale, "oidc-no-email-title", Some(&args));
            let text = state.i18n.t(pc.locale, "oidc-no-email-text", Some(&args));
            render(
                state,
                pc,
                req,
                "oidc_error.html",
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN),
                context! { title, text, code => "oidc-no-email" },
            )
        }
    }
}

/// Keeps a verified city login server-side under a new token (in a cookie for this
/// browser only) and sends the browser to the page that continues it.
async fn keep_waiting(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    w: WaitingLogin,
    key: fn(&str) -> String,
    cookie_name: &str,
    page: &str,
) -> Response {
    let token = random_secret();
    let stored = state
        .store
        .set(
            &key(&token),
            &serde_json::to_string(&w).expect("serializes"),
            PENDING_TTL,
        )
        .await;
    if stored.is_err() {
        return error_page(state, pc, req, &OidcError::Store);
    }
    with_cookie(
        see_other(page),
        &cookie(state, cookie_name, &token, PENDING_TTL.as_secs()),
    )
}

async fn waiting_new(state: &AppState, req: &Request) -> Option<(String, WaitingLogin)> {
    let token = auth::cookie(req, NEW_COOKIE)?;
    let raw = state.store.get(&new_key(&token)).await.ok()??;
    Some((token, serde_json::from_str(&raw).ok()?))
}

/// `GET /auth/oidc/confirm`: before a new account is made from a city login, what the
/// portal would store, and whether the resident wants it.
#[handler]
pub async fn confirm_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let Some((_, w)) = waiting_new(&state, req).await else {
        return error_page(&state, &pc, req, &OidcError::State);
    };
    let provider = state
        .city_login
        .as_ref()
        .map(|c| c.config.display_name.clone())
        .unwrap_or_default();
    render(
        &state,
        &pc,
        req,
        "oidc_confirm.html",
        StatusCode::OK,
        context! { provider, name => w.name, email => w.email },
    )
}

#[derive(serde::Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    /// `create`; anything else cancels.
    #[serde(default)]
    decision: String,
}

impl ProtectedForm for ConfirmForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /auth/oidc/confirm`: create the account and log in, or cancel (nothing is
/// stored). The waiting login is used once, either way.
#[handler]
pub async fn confirm_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(form): CheckedForm<ConfirmForm>,
) -> Response {
    let clear = cookie(&state, NEW_COOKIE, "", 0);
    let taken = match auth::cookie(req, NEW_COOKIE) {
        Some(token) => match state.store.take(&new_key(&token)).await {
            Ok(raw) => raw.and_then(|r| serde_json::from_str::<WaitingLogin>(&r).ok()),
            Err(_) => return error_page(&state, &pc, req, &OidcError::Store),
        },
        None => None,
    };
    let Some(w) = taken else {
        return with_cookie(error_page(&state, &pc, req, &OidcError::State), &clear);
    };
    let Some(login) = state.city_login.clone() else {
        return not_configured(&state, &pc, req);
    };
    if form.decision != "create" {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("name", login.config.display_name.clone());
        let title = state
            .i18n
            .t(pc.locale, "oidc-new-cancelled-title", Some(&args));
        let text = state
            .i18n
            .t(pc.locale, "oidc-new-cancelled-text", Some(&args));
        let page = render(
            &state,
            &pc,
            req,
            "oidc_error.html",
            StatusCode::OK,
            context! { title, text, code => "oidc-new-cancelled" },
        );
        return with_cookie(page, &clear);
    }
    let name = w.name.clone().unwrap_or_default();
    let next = w.next.clone();
    let v = Verified {
        issuer: w.issuer,
        subject: w.subject,
        email: Some(w.email.clone()),
        name: w.name,
        acr: w.acr,
        auth_time: w.auth_time,
        groups: w.groups,
        id_token: w.id_token,
        purpose: Purpose::Login { next: next.clone() },
    };
    let resp = match identities::create(&state.db, &v, &w.email, &name, pc.locale).await {
        Ok(outcome) => outcome_page(&state, &pc, req, &login, v, next, outcome).await,
        Err(e) => account_error(&state, &pc, req, &e),
    };
    with_cookie(resp, &clear)
}

async fn waiting_link(state: &AppState, req: &Request) -> Option<(String, WaitingLogin)> {
    let token = auth::cookie(req, LINK_COOKIE)?;
    let raw = state.store.get(&link_key(&token)).await.ok()??;
    Some((token, serde_json::from_str(&raw).ok()?))
}

fn link_form_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> Response {
    let name = state
        .city_login
        .as_ref()
        .map(|c| c.config.display_name.clone())
        .unwrap_or_default();
    let errors: Vec<minijinja::Value> = error
        .iter()
        .map(|m| context! { field => "password", message => m.clone() })
        .collect();
    render(
        state,
        pc,
        req,
        "oidc_link.html",
        status,
        context! { email, provider => name, errors, password_error => error },
    )
}

/// `GET /auth/oidc/link`: an account has the city login's address; its password links
/// them.
#[handler]
pub async fn link_form(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    match waiting_link(&state, req).await {
        Some((_, w)) => link_form_page(&state, &pc, req, StatusCode::OK, &w.email, None),
        None => error_page(&state, &pc, req, &OidcError::State),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub password: String,
}

impl ProtectedForm for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Whether `password` is the account's (rate-limited like the login form); the error
/// message otherwise.
pub async fn check_password(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    email: &str,
    password: &str,
) -> Result<user::Model, (StatusCode, String)> {
    let ip = auth::client_ip(req);
    match auth::login_gate(state, email, &ip).await {
        Ok(LoginGate::Open) => {}
        Ok(LoginGate::Closed { retry_after }) => {
            let mut a = fluent_bundle::FluentArgs::new();
            a.set("minutes", retry_after.as_secs().div_ceil(60));
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                state.i18n.t(pc.locale, "error-rate-limited", Some(&a)),
            ));
        }
        Err(_) => {
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                pc.t(state, "error-summary"),
            ))
        }
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::DeletedAt.is_null())
        .one(&state.db)
        .await
        .ok()
        .flatten();
    let hash = found
        .as_ref()
        .filter(|u| identities::has_password(u))
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crate::core::secrets::dummy_hash().to_string());
    let password = password.to_string();
    let valid = tokio::task::spawn_blocking(move || {
        crate::core::secrets::verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false);
    match found.filter(|_| valid) {
        Some(u) => Ok(u),
        None => {
            let _ = auth::record_login_failure(state, email, &ip).await;
            Err((
                StatusCode::UNAUTHORIZED,
                pc.t(state, "error-password-wrong-oidc"),
            ))
        }
    }
}

/// `POST /auth/oidc/link`: the password given, link and log in.
#[handler]
pub async fn link_submit(
    state: Data<&AppState>,
    req: &Request,
    pc: PageCtx,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Response {
    let Some((token, w)) = waiting_link(&state, req).await else {
        return error_page(&state, &pc, req, &OidcError::State);
    };
    let u = match check_password(&state, &pc, req, &w.email, &form.password).await {
        Ok(u) => u,
        Err((status, m)) => return link_form_page(&state, &pc, req, status, &w.email, Some(m)),
    };
    // Used once: of two submissions at once, one links.
    if !matches!(state.store.take(&link_key(&token)).await, Ok(Some(_))) {
        return error_page(&state, &pc, req, &OidcError::State);
    }
    let v = Verified {
        issuer: w.issuer,
        subject: w.subject,
        email: Some(w.email),
        name: None,
        acr: w.acr,
        auth_time: w.auth_time,
        groups: w.groups,
        id_token: w.id_token,
        purpose: Purpose::Login {
            next: w.next.clone(),
        },
    };
    if let Err(e) = identities::link(&state.db, u.id, &v).await {
        return account_error(&state, &pc, req, &e);
    }
    // The provider verified this very address.
    if u.email_verified_at.is_none() {
        if let Err(e) = super::service::verify_without_link(&state.db, u.id).await {
            return account_error(&state, &pc, req, &e);
        }
    }
    if let Some(login) = state.city_login.clone() {
        map_roles(&state, &login, u.id, &v.groups).await;
    }
    let resp = new_session(&state, req, u.id, &v, &w.next).await;
    with_cookie(resp, &cookie(&state, LINK_COOKIE, "", 0))
}

/// Starts linking the city account to a logged-in account whose password was given.
pub async fn start_link(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    user_id: uuid::Uuid,
) -> Response {
    let Some(login) = state.city_login.clone() else {
        return not_configured(state, pc, req);
    };
    start(
        state,
        pc,
        req,
        &login,
        Purpose::Link { user_id },
        None,
        // Ask the provider who logs in (not a session left open on a shared computer).
        true,
    )
    .await
}

/// Where logout sends the browser: the provider's logout (ending its session too)
/// when the session began with a city login and the provider supports it.
pub async fn logout_target(
    state: &AppState,
    session: Option<CityLoginSession>,
    locale: crate::core::locale::Locale,
) -> Option<String> {
    let login = state.city_login.as_ref()?;
    let id_token = session?.id_token?;
    login
        .logout_url(&id_token, locale.as_str())
        .await
        .map(|u| u.to_string())
}
