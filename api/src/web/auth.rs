//! Authentication: argon2id passwords, server-side sessions, personal API tokens, the
//! login rate limit, and the poem-openapi security schemes that resolve the caller.

use std::time::Duration;

use chrono::Utc;
use poem::Request;
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::core::identity::{AppGrant, AuthUser, StaffRole, Via};
use crate::core::problem::Problem;
use crate::core::scope::Scope;
use crate::core::secrets::{random_secret, sha256_hex};
use crate::web::state::AppState;
use entities::{api_token, staff_role, user};

/// Name of the session cookie (`__Host-cp_session` in the browser when the portal is
/// served over https, see [`cookie_name`]).
pub const SESSION_COOKIE: &str = "cp_session";
/// Name of the cookie that holds the form-protection token's key (`__Host-cp_csrf` over
/// https).
pub const CSRF_COOKIE: &str = "cp_csrf";
/// The cookies that carry a session or a form's protection.
const HOST_COOKIES: [&str; 2] = [SESSION_COOKIE, CSRF_COOKIE];
/// The prefix browsers accept only from this very host, over https, for `Path=/`.
const HOST_PREFIX: &str = "__Host-";

/// The name the browser keeps the cookie `name` under: with `__Host-` when the portal is
/// served over https, so that no other host (a sibling subdomain) and no plain-http
/// answer can set or replace it.
pub fn cookie_name(state: &AppState, name: &str) -> String {
    if state.config.server.secure_cookies() && HOST_COOKIES.contains(&name) {
        format!("{HOST_PREFIX}{name}")
    } else {
        name.to_string()
    }
}

/// Middleware: over https, the browser's `__Host-` session and form cookies are read
/// under their plain names, and those sent under a plain name are dropped (another host
/// could have set them).
pub async fn host_cookies<E: poem::Endpoint>(
    next: E,
    mut req: Request,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    let secure = req
        .data::<AppState>()
        .is_some_and(|s| s.config.server.secure_cookies());
    if secure && req.headers().contains_key(poem::http::header::COOKIE) {
        let kept = host_cookie_pairs(
            req.headers()
                .get_all(poem::http::header::COOKIE)
                .iter()
                .filter_map(|h| h.to_str().ok()),
        );
        req.headers_mut().remove(poem::http::header::COOKIE);
        if let Ok(v) = poem::http::HeaderValue::from_str(&kept.join("; ")) {
            if !kept.is_empty() {
                req.headers_mut().insert(poem::http::header::COOKIE, v);
            }
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// The `name=value` pairs of `Cookie` headers as the portal reads them over https.
fn host_cookie_pairs<'a>(headers: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut kept = Vec::new();
    for pair in headers.flat_map(|h| h.split(';')).map(str::trim) {
        let name = pair.split('=').next().unwrap_or("").trim();
        if HOST_COOKIES.contains(&name) {
            continue;
        }
        match pair.strip_prefix(HOST_PREFIX) {
            Some(rest) if HOST_COOKIES.contains(&rest.split('=').next().unwrap_or("").trim()) => {
                kept.push(rest.to_string())
            }
            _ if !pair.is_empty() => kept.push(pair.to_string()),
            _ => {}
        }
    }
    kept
}
/// How long a session lives.
pub const SESSION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// Failed logins allowed for one account name from one address within
/// [`LOGIN_WINDOW`]. Below [`LOGIN_MAX_FAILURES`], so that one address alone never locks
/// an account for everyone else.
pub const LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT: u64 = 5;
/// Failed logins allowed for one account, from all addresses together.
pub const LOGIN_MAX_FAILURES: u64 = 10;
/// Failed logins allowed from one address for all account names together: high enough
/// for a whole office behind one address, low enough to stop trying passwords across
/// many accounts.
pub const LOGIN_FAILURES_PER_ADDRESS: u64 = 100;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

fn session_key(session_id: &str) -> String {
    format!("session:{}", sha256_hex(session_id))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SessionData {
    user_id: Uuid,
    created_at: chrono::DateTime<Utc>,
    /// A city login's assurance level (`acr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acr: Option<String>,
    /// When the city login authenticated the resident at the provider (`auth_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acr_at: Option<chrono::DateTime<Utc>>,
    /// A city login's ID token, for ending the provider's session on logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// A session's city login: its level, when it authenticated, and its ID token.
#[derive(Clone, Debug, Default)]
pub struct CityLoginSession {
    pub acr: Option<String>,
    /// The provider's `auth_time`: a level counts for the actions that need it only
    /// for `OIDC_STEP_UP_SECONDS` after it.
    pub acr_at: Option<chrono::DateTime<Utc>>,
    pub id_token: Option<String>,
}

/// Creates a session for the user and returns its id (the cookie value).
pub async fn create_session(state: &AppState, user_id: Uuid) -> Result<String, Problem> {
    create_session_with(state, user_id, CityLoginSession::default()).await
}

/// Creates a session begun by a city login.
pub async fn create_session_with(
    state: &AppState,
    user_id: Uuid,
    login: CityLoginSession,
) -> Result<String, Problem> {
    let id = random_secret();
    let data = serde_json::to_string(&SessionData {
        user_id,
        created_at: Utc::now(),
        acr: login.acr,
        acr_at: login.acr_at,
        id_token: login.id_token,
    })
    .expect("session serializes");
    state
        .store
        .set(&session_key(&id), &data, SESSION_TTL)
        .await
        .map_err(store_problem)?;
    Ok(id)
}

/// The city login of a session, if it was begun by one.
pub async fn session_city_login(state: &AppState, session_id: &str) -> Option<CityLoginSession> {
    let raw = state.store.get(&session_key(session_id)).await.ok()??;
    let data: SessionData = serde_json::from_str(&raw).ok()?;
    (data.acr.is_some() || data.id_token.is_some()).then_some(CityLoginSession {
        acr: data.acr,
        acr_at: data.acr_at,
        id_token: data.id_token,
    })
}

/// Ends a session.
pub async fn destroy_session(state: &AppState, session_id: &str) -> Result<(), Problem> {
    state
        .store
        .delete(&session_key(session_id))
        .await
        .map_err(store_problem)
}

fn store_problem(e: crate::core::store::StoreError) -> Problem {
    tracing::error!(error = %e, "session store unavailable");
    Problem::unavailable("Sessions are temporarily unavailable; please try again shortly.")
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(state: &AppState, session_id: &str) -> String {
    let secure = if state.config.server.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(state, SESSION_COOKIE),
        SESSION_TTL.as_secs()
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = if state.config.server.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(state, SESSION_COOKIE)
    )
}

/// The session id sent by the browser, if any.
pub fn session_id_from(req: &Request) -> Option<String> {
    cookie(req, SESSION_COOKIE)
}

/// A cookie's value from the `Cookie` headers (no cookie-jar middleware needed).
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The account and its staff role in the city, in one query (and without the password
/// hash, which only logging in needs). A session begun before the password last changed
/// (`begun`) is over.
async fn load_user(
    state: &AppState,
    user_id: Uuid,
    via: Via,
    begun: Option<chrono::DateTime<Utc>>,
    login: Option<CityLoginSession>,
) -> Result<Option<AuthUser>, Problem> {
    let role = Query::select()
        .column(staff_role::Column::Role)
        .from(staff_role::Entity)
        .and_where(
            Expr::col((staff_role::Entity, staff_role::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .and_where(staff_role::Column::CityId.eq(state.city.id))
        .limit(1)
        .to_owned();
    type Row = (
        Uuid,
        String,
        String,
        Option<String>,
        Option<chrono::DateTime<Utc>>,
        Option<chrono::DateTime<Utc>>,
    );
    let row: Option<Row> = user::Entity::find_by_id(user_id)
        // An erased account's sessions and tokens end with it.
        .filter(user::Column::DeletedAt.is_null())
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Email)
        .column(user::Column::DisplayName)
        .expr_as(
            SimpleExpr::SubQuery(None, Box::new(role.into_sub_query_statement())),
            "role",
        )
        .column(user::Column::EmailVerifiedAt)
        .column(user::Column::CredentialsChangedAt)
        .into_tuple()
        .one(&state.db)
        .await?;
    Ok(
        row.and_then(|(id, email, display_name, role, verified_at, changed_at)| {
            if let (Some(begun), Some(changed)) = (begun, changed_at) {
                if begun < changed {
                    return None;
                }
            }
            let acr = login.as_ref().and_then(|l| l.acr.clone());
            let acr_at = login.as_ref().and_then(|l| l.acr_at);
            let mut staff_role = role.as_deref().and_then(StaffRole::parse);
            // With a level asked of staff (`OIDC_STEP_UP` `admin`), a login below it
            // acts without its staff role, everywhere (pages and API), until a step-up.
            let mut staff_step_up = false;
            if let Some(c) = &state.city_login {
                if let Some(level) = c.config.level_for("admin") {
                    if staff_role.is_some() && !c.config.reached(acr.as_deref(), acr_at, level) {
                        staff_role = None;
                        staff_step_up = true;
                    }
                }
            }
            Some(AuthUser {
                id,
                email,
                display_name,
                staff_role,
                staff_step_up,
                via,
                email_verified: verified_at.is_some(),
                acr,
                acr_at,
                city_login: login.is_some(),
            })
        }),
    )
}

/// Resolves a session id to its user.
pub async fn user_from_session(
    state: &AppState,
    session_id: &str,
) -> Result<Option<AuthUser>, Problem> {
    let Some(raw) = state
        .store
        .get(&session_key(session_id))
        .await
        .map_err(store_problem)?
    else {
        return Ok(None);
    };
    let Ok(data) = serde_json::from_str::<SessionData>(&raw) else {
        return Ok(None);
    };
    load_user(
        state,
        data.user_id,
        Via::Session,
        Some(data.created_at),
        data.id_token.is_some().then_some(CityLoginSession {
            acr: data.acr,
            acr_at: data.acr_at,
            id_token: None,
        }),
    )
    .await
}

/// Resolves a personal API token to its user.
pub async fn user_from_token(state: &AppState, token: &str) -> Result<Option<AuthUser>, Problem> {
    if token.starts_with(crate::oauth::service::ACCESS_PREFIX) {
        return Ok(None);
    }
    let now = Utc::now();
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    // Recording use is best effort and at most once a minute per token.
    if t.last_used_at
        .is_none_or(|at| now - at > chrono::Duration::minutes(1))
    {
        let _ = api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(t.id))
            .exec(&state.db)
            .await;
    }
    load_user(state, t.user_id, Via::Token(t.id), None, None).await
}

/// What an OAuth access token stands for.
pub enum AppCaller {
    /// An app acting for the resident, with the scopes they granted.
    Resident(AuthUser),
    /// A module acting for itself (client credentials).
    Module(crate::oauth::service::Access),
}

/// Resolves an OAuth access token. An app acting for a resident never acts with the
/// resident's city staff role. Each use for a resident is recorded in their access log,
/// naming the app.
pub async fn app_from_token(
    state: &AppState,
    req: &Request,
    token: &str,
) -> Result<Option<AppCaller>, Problem> {
    let Some(access) = crate::oauth::service::access(&state.db, token).await? else {
        return Ok(None);
    };
    let Some(user_id) = access.user_id else {
        return Ok(Some(AppCaller::Module(access)));
    };
    let grant = AppGrant {
        client_id: access.client_id,
        client_name: access.client_name.clone(),
        scopes: access.scopes.clone(),
    };
    let Some(mut user) = load_user(state, user_id, Via::App(grant), None, None).await? else {
        return Ok(None);
    };
    user.staff_role = None;
    user.staff_step_up = false;
    let used = AppUseRecord {
        user: user_id,
        app: access.client_name,
        method: req.method().as_str().to_string(),
        path: req.original_uri().path().to_string(),
    };
    match req.data::<AppUse>() {
        // Recorded when the answer is a success (see [`record_app_use`]).
        Some(cell) => *cell.0.lock().expect("not poisoned") = Some(used),
        None => used.record(state).await?,
    }
    Ok(Some(AppCaller::Resident(user)))
}

/// A request an app made for a resident, to record in their access log.
struct AppUseRecord {
    user: Uuid,
    app: String,
    method: String,
    path: String,
}

impl AppUseRecord {
    async fn record(self, state: &AppState) -> Result<(), sea_orm::DbErr> {
        let record = crate::privacy::service::access_record_of(
            state.city.id,
            self.user,
            &crate::privacy::service::Reader::App(self.app),
            crate::msg!("access-app-request", method = self.method, path = self.path),
            crate::msg!("access-purpose-app"),
        );
        state.access_log.record(record).await
    }
}

/// Where resolving an app's token notes its use during an API request.
#[derive(Clone, Default)]
pub struct AppUse(std::sync::Arc<std::sync::Mutex<Option<AppUseRecord>>>);

/// Middleware of the API: an app's request for a resident that succeeded is recorded
/// in the resident's access log, naming the app. A refused one (no scope, not found, a
/// conflict) read nothing of theirs and is not recorded.
pub async fn record_app_use<E: poem::Endpoint>(
    next: E,
    mut req: Request,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    let cell = AppUse::default();
    req.set_data(cell.clone());
    let state = req.data::<AppState>().cloned();
    let resp = next.call(req).await?.into_response();
    let used = cell.0.lock().expect("not poisoned").take();
    if let (true, Some(used), Some(state)) = (resp.status().is_success(), used, state) {
        if let Err(e) = used.record(&state).await {
            tracing::error!(error = %e, "recording an app's access");
            return Err(Problem::from(e).into());
        }
    }
    Ok(resp)
}

/// Middleware of the API: the challenge of a refused bearer token (RFC 6750 3). A 401 to
/// a request that sent one says the token is the trouble (3.1 `invalid_token`: expired,
/// revoked, malformed or unknown), so that the client gets a new one; a 401 to one that
/// sent none keeps the bare `Bearer` challenge (no error code without credentials). A
/// valid app or module token on an operation no app may call is no invalid token: that
/// is 403 `insufficient_scope` (no scope would do), or the app would refresh in vain.
pub async fn bearer_challenge<E: poem::Endpoint>(
    next: E,
    req: Request,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    let token = bearer_of(&req)
        .and_then(Result::ok)
        .filter(|t| !t.is_empty());
    let state = req.data::<AppState>().cloned();
    let mut resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => crate::core::problem::catch_all(e).await,
    };
    let (Some(token), Some(state)) = (token, state) else {
        return Ok(resp);
    };
    if resp.status() != poem::http::StatusCode::UNAUTHORIZED {
        return Ok(resp);
    }
    if crate::oauth::service::access(&state.db, &token)
        .await
        .map_err(Problem::from)?
        .is_some()
    {
        return Ok(Problem::insufficient_scope(None).to_response());
    }
    resp.headers_mut().insert(
        poem::http::header::WWW_AUTHENTICATE,
        poem::http::HeaderValue::from_static(crate::core::problem::INVALID_TOKEN_CHALLENGE),
    );
    Ok(resp)
}

/// The bearer token of the `Authorization` header, if one is sent.
fn bearer_of(req: &Request) -> Option<Result<String, Problem>> {
    let header = req.headers().get(poem::http::header::AUTHORIZATION)?;
    let value = header.to_str().unwrap_or("");
    Some(
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(|t| t.trim().to_string())
            .ok_or_else(Problem::unauthorized),
    )
}

/// Whether the request carries a valid personal token, OAuth access token or session,
/// checked without recording anything (for the limit of anonymous requests).
pub async fn carries_credentials(state: &AppState, req: &Request) -> bool {
    if let Some(token) = bearer_of(req) {
        let Ok(token) = token else {
            return false;
        };
        if token.starts_with(crate::oauth::service::ACCESS_PREFIX) {
            return matches!(
                crate::oauth::service::access(&state.db, &token).await,
                Ok(Some(_))
            );
        }
        return matches!(user_from_token(state, &token).await, Ok(Some(_)));
    }
    match session_id_from(req) {
        Some(id) => matches!(user_from_session(state, &id).await, Ok(Some(_))),
        None => false,
    }
}

/// The caller, whether by session cookie or personal API token; `None` when anonymous.
/// The operations that read the caller this way are not open to apps (they declare no
/// OAuth2 scope): a valid app or module token gives no more than no token (public data
/// only), so an app never reads what its scopes do not cover.
pub async fn optional_user(req: &Request) -> Result<Option<AuthUser>, Problem> {
    let state = req.data::<AppState>().expect("state is attached");
    if let Some(token) = bearer_of(req) {
        let token = token?;
        if token.starts_with(crate::oauth::service::ACCESS_PREFIX) {
            return match app_from_token(state, req, &token).await? {
                // Nothing of the resident's is read: nothing to record.
                Some(_) => {
                    if let Some(cell) = req.data::<AppUse>() {
                        cell.0.lock().expect("not poisoned").take();
                    }
                    Ok(None)
                }
                None => Err(Problem::unauthorized()),
            };
        }
        // A presented but invalid token is an error, never silently anonymous.
        return match user_from_token(state, &token).await? {
            Some(u) => Ok(Some(u)),
            None => Err(Problem::unauthorized()),
        };
    }
    match session_id_from(req) {
        Some(id) => user_from_session(state, &id).await,
        None => Ok(None),
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let state = req.data::<AppState>().expect("state is attached");
    match user_from_token(state, bearer.token.trim()).await? {
        Some(u) => Ok(u),
        None => Err(Problem::unauthorized().into()),
    }
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<AuthUser> {
    let state = req.data::<AppState>().expect("state is attached");
    match user_from_session(state, &key.key).await? {
        Some(u) => Ok(u),
        None => Err(Problem::unauthorized().into()),
    }
}

async fn check_app(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let state = req.data::<AppState>().expect("state is attached");
    match app_from_token(state, req, bearer.token.trim()).await? {
        Some(AppCaller::Resident(u)) => Ok(u),
        // A module's own token is valid, but no operation for residents accepts it.
        Some(AppCaller::Module(_)) => Err(Problem::insufficient_scope(None).into()),
        None => Err(Problem::unauthorized().into()),
    }
}

/// An OAuth access token of an app acting for a resident, with the scopes they granted
/// (`Authorization: Bearer <token>`). Tokens come from `/oauth/token`; see
/// `/.well-known/oauth-authorization-server`.
#[derive(SecurityScheme)]
#[oai(
    ty = "oauth2",
    rename = "OAuth2",
    flows(
        authorization_code(
            authorization_url = "/oauth/authorize",
            token_url = "/oauth/token",
            refresh_url = "/oauth/token",
            scopes = "Scope"
        ),
        client_credentials(token_url = "/oauth/token", scopes = "Scope"),
    ),
    checker = "check_app"
)]
pub struct AppToken(AuthUser);

/// A personal API token: `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerToken(AuthUser);

/// The browser session cookie set by login.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "cp_session",
    key_in = "cookie",
    checker = "check_cookie"
)]
pub struct SessionCookie(AuthUser);

/// Either a bearer token or the session cookie.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerToken),
    Session(SessionCookie),
}

impl Auth {
    /// The authenticated caller.
    pub fn user(&self) -> &AuthUser {
        match self {
            Auth::Bearer(b) => &b.0,
            Auth::Session(s) => &s.0,
        }
    }
}

/// A personal API token, an app's OAuth access token, or the session cookie: for the
/// operations an app may call for a resident. Each declares in the spec the scope it
/// needs and asks for it with [`AppAuth::user`].
#[derive(SecurityScheme)]
pub enum AppAuth {
    Bearer(BearerToken),
    App(AppToken),
    Session(SessionCookie),
}

impl AppAuth {
    /// The caller, if they may do what `scope` covers; an app without it gets 403
    /// `insufficient_scope` (RFC 6750 3.1).
    pub fn user(&self, scope: Scope) -> Result<&AuthUser, Problem> {
        let u = match self {
            AppAuth::Bearer(b) => &b.0,
            AppAuth::App(a) => &a.0,
            AppAuth::Session(s) => &s.0,
        };
        if u.allows(scope) {
            Ok(u)
        } else {
            Err(Problem::insufficient_scope(Some(scope)))
        }
    }
}

/// Outcome of checking the login rate limit.
pub enum LoginGate {
    Open,
    Closed { retry_after: Duration },
}

/// The counters of failed logins, with their limits: the account from everywhere, the
/// account from this address, and this address for every account. Account names are
/// kept as hashes.
fn login_keys(email: &str, ip: &str) -> [(String, u64); 3] {
    let account = sha256_hex(&email.to_lowercase());
    [
        (format!("login-fail:acct:{account}"), LOGIN_MAX_FAILURES),
        (
            format!("login-fail:ip-acct:{ip}:{account}"),
            LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT,
        ),
        (format!("login-fail:ip:{ip}"), LOGIN_FAILURES_PER_ADDRESS),
    ]
}

/// Whether another login attempt for this account from this IP may be tried now.
pub async fn login_gate(state: &AppState, email: &str, ip: &str) -> Result<LoginGate, Problem> {
    let mut retry_after = Duration::ZERO;
    for (key, max) in login_keys(email, ip) {
        let (count, ttl) = state.store.counter(&key).await.map_err(store_problem)?;
        if count >= max {
            retry_after = retry_after.max(ttl).max(Duration::from_secs(1));
        }
    }
    Ok(if retry_after.is_zero() {
        LoginGate::Open
    } else {
        LoginGate::Closed { retry_after }
    })
}

/// Counts a failed login against the account, the account from this address, and the
/// address.
pub async fn record_login_failure(state: &AppState, email: &str, ip: &str) -> Result<(), Problem> {
    for (key, _) in login_keys(email, ip) {
        state
            .store
            .incr_window(&key, LOGIN_WINDOW)
            .await
            .map_err(store_problem)?;
    }
    Ok(())
}

/// The client address used for rate limits: the socket peer, or behind a trusted
/// reverse proxy the last `X-Forwarded-For` entry (the one that proxy appended; entries
/// before it are whatever the client claimed).
pub fn client_ip(req: &Request) -> String {
    let trust = req
        .data::<AppState>()
        .is_some_and(|s| s.config.server.trust_forwarded_for);
    if trust {
        let last = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
            .and_then(|s| s.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = last {
            return ip.to_string();
        }
    }
    match req.remote_addr().as_socket_addr() {
        Some(addr) => addr.ip().to_string(),
        None => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_only_host_cookies_are_read_and_others_kept() {
        let kept = host_cookie_pairs(
            [
                "cp_session=planted; lang=de",
                "__Host-cp_session=real; cp_csrf=planted2; __Host-cp_csrf=k",
                "__Host-other=x",
            ]
            .into_iter(),
        );
        assert_eq!(
            kept,
            ["lang=de", "cp_session=real", "cp_csrf=k", "__Host-other=x"]
        );
    }

    #[test]
    fn secrets_are_random_and_hashed_keys_are_stable() {
        let (a, b) = (random_secret(), random_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(sha256_hex("abc"), sha256_hex("abc"));
        assert_eq!(session_key("abc").len(), "session:".len() + 64);
    }
}
