//! The accounts API: register, log in, log out, the caller's profile and personal API
//! tokens, export my data, delete my account.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::error::AccountError;
use super::service::{self, Me, Registration};
use crate::core::identity::Via;
use crate::core::problem::{ApiError, Problem};
use crate::core::scope::Scope;
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, AppAuth, Auth, LoginGate};
use crate::web::state::AppState;
use entities::api_token;

/// Email and password.
#[derive(Object)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// A request for a personal API token.
#[derive(Object)]
pub struct NewToken {
    /// What it is for, 1-100 characters.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]{0,98}[^\s\u0000-\u001F\u007F-\u009F])?[ \t\n\r]*$"
    ))]
    pub name: String,
    /// Lifetime in days, 1-365; without it the token lives until revoked.
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    pub expires_in_days: Option<u32>,
}

/// A personal API token as listed (the secret is never shown again).
#[derive(Object)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// The first characters, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// A newly created token: `token` is shown this once.
#[derive(Object)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. Store it now; it cannot be shown again.
    pub token: String,
    #[oai(flatten)]
    pub info: TokenInfo,
}

#[derive(ApiResponse)]
pub enum SessionStarted {
    /// Logged in; a new session cookie is set.
    #[oai(status = 200)]
    Ok(Json<Me>, #[oai(header = "Set-Cookie")] String),
}

/// A registration waiting for its emailed link.
#[derive(Object)]
pub struct PendingRegistration {
    /// The address an email went to (as the portal writes it): follow its link, then
    /// log in.
    pub email: String,
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// Registered and logged in (a portal that sends no email, where addresses count
    /// as verified at once); the session cookie is set.
    #[oai(status = 201)]
    Created(Json<Me>, #[oai(header = "Set-Cookie")] String),
    /// An email is on its way to the address: follow its link, then log in. Nobody is
    /// logged in, and the answer is the same whether or not the address has an account
    /// already.
    #[oai(status = 202)]
    Accepted(Json<PendingRegistration>),
}

#[derive(ApiResponse)]
pub enum LoggedOut {
    /// Logged out; the session cookie is cleared.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum TokenCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CreatedToken>),
}

#[derive(ApiResponse)]
pub enum Revoked {
    /// Revoked.
    #[oai(status = 204)]
    NoContent,
}

/// An address that may have an account.
#[derive(Object)]
pub struct ResetRequest {
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \t\n\r]*[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \t\n\r]*$"
    ))]
    pub email: String,
}

/// A reset link's token and the new password.
#[derive(Object)]
pub struct ResetConfirm {
    /// The `token` parameter of the emailed link.
    pub token: String,
    /// 10-256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub password: String,
}

/// An emailed link's token.
#[derive(Object)]
pub struct LinkToken {
    /// The `token` parameter of the emailed link.
    pub token: String,
}

/// What to change of the account; what is left out stays.
#[derive(Object)]
pub struct ProfileChange {
    /// How the portal greets you, 1-120 characters.
    #[oai(validator(
        pattern = r"^[ \t\n\r]*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]{0,118}[^\s\u0000-\u001F\u007F-\u009F])?[ \t\n\r]*$"
    ))]
    pub display_name: Option<String>,
    /// The language of your emails and calendar files: `de` or `en`.
    #[oai(validator(pattern = r"^(de|en)$"))]
    pub locale: Option<String>,
}

/// A new address, confirmed with the password.
#[derive(Object)]
pub struct EmailChange {
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \t\n\r]*[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \t\n\r]*$"
    ))]
    pub email: String,
    pub password: String,
}

/// The current password and the new one.
#[derive(Object)]
pub struct PasswordChange {
    pub current_password: String,
    /// 10-256 characters.
    #[oai(validator(min_length = 10, max_length = 256))]
    pub new_password: String,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted: any email goes out in the background.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum PasswordChanged {
    /// Changed; every earlier session ended. A caller with the session cookie gets a
    /// new one.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] Option<String>),
}

/// Sends a reset link, if the address has an account, from a background task: the
/// request answers the same, and as soon, whether or not it has one.
pub(crate) fn send_reset_later(state: &AppState, email: String) {
    let db = state.db.clone();
    let postman = state.postman.clone();
    tokio::spawn(async move {
        match service::request_reset(&db, &email).await {
            Ok(Some(m)) => postman.send(&m).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "a password reset link was not made"),
        }
    });
}

/// Sends the account a new verification link from a background task (unless it asked
/// for too many within the hour): a login with the right password of an address never
/// confirmed answers like a wrong one, and this is how its owner gets in.
pub(crate) fn send_verification_later(state: &AppState, user_id: Uuid) {
    let db = state.db.clone();
    let store = state.store.clone();
    let postman = state.postman.clone();
    tokio::spawn(async move {
        match service::over_limit(&store, &service::link_limit_keys(user_id)).await {
            Ok(None) => {}
            Ok(Some(_)) => return,
            Err(e) => {
                tracing::warn!(error = %e, "a verification link was not made");
                return;
            }
        }
        match service::resend_verification(&db, user_id).await {
            Ok(Some(m)) => postman.send(&m).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "a verification link was not made"),
        }
    });
}

/// The English detail of a refused login: on a portal that verifies addresses, an
/// address never confirmed is refused alike.
pub(crate) fn login_refused(state: &AppState) -> Problem {
    let detail = match state.postman.delivers() {
        true => "Email or password is wrong, or the address is not verified yet (with the right password, the verification link is sent again)",
        false => "Email or password is wrong",
    };
    Problem::new(
        poem::http::StatusCode::UNAUTHORIZED,
        "invalid-credentials",
        detail,
    )
}

/// 429 when the account asked for too many links within the hour.
async fn limit_links(state: &AppState, user_id: Uuid) -> Result<(), ApiError> {
    let keys = service::link_limit_keys(user_id);
    if let Some(wait) = service::over_limit(&state.store, &keys)
        .await
        .map_err(|_| Problem::unavailable("Please try again shortly."))?
    {
        return Err(ApiError::rate_limited(
            wait,
            "Too many emails asked for. Wait before trying again.",
        ));
    }
    Ok(())
}

fn token_info(t: &api_token::Model) -> TokenInfo {
    TokenInfo {
        id: t.id,
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        expires_at: t.expires_at,
        revoked: t.revoked_at.is_some(),
    }
}

pub struct AccountsApi;

#[OpenApi(prefix_path = "/accounts", tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Register an account
    ///
    /// On a portal that sends email (the usual case), answers 202: a verification link
    /// goes to the address, and once it is followed the account logs in with `login`
    /// (until then a login answers like a wrong password). An address that has an
    /// account already is answered exactly the same (status, headers and body, after
    /// the same work), while its owner gets an email saying someone tried to register
    /// with it. A portal that sends no email cannot keep that secret: it answers 201,
    /// logs the new account in (its address counts as verified) and answers a taken
    /// address 422 at `email`. The language of the account's emails is the one
    /// `Accept-Language` prefers (else the city's).
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<Registration>,
    ) -> Result<RegisterResponse, ApiError> {
        let locale =
            crate::web::pages::accept_language(req).unwrap_or(state.config.city.default_locale);
        let keys = service::register_limit_keys(
            &auth::client_ip(req),
            state.config.server.registrations_per_hour,
        );
        if let Some(wait) = service::over_limit(&state.store, &keys)
            .await
            .map_err(|_| Problem::unavailable("Please try again shortly."))?
        {
            return Err(ApiError::rate_limited(
                wait,
                "Too many accounts registered from this address. Wait before trying again.",
            ));
        }
        let verification = state.postman.delivers();
        let pending = || {
            RegisterResponse::Accepted(Json(PendingRegistration {
                email: crate::core::email::normalize(&body.0.email),
            }))
        };
        match service::register(&state.db, &body.0, locale, verification).await? {
            service::Registered::New {
                user,
                verify_secret,
            } if verification => {
                let mail = service::verify_mail(&user, verify_secret, None);
                state.postman.send_later(mail.into_iter().collect());
                Ok(pending())
            }
            service::Registered::New { user, .. } => {
                let sid = auth::create_session(&state, user.id).await?;
                let me = service::me(&state.db, state.city.id, user.id).await?;
                Ok(RegisterResponse::Created(
                    Json(me),
                    auth::session_cookie(&state, &sid),
                ))
            }
            service::Registered::Taken { owner } if verification => {
                state.postman.send_later(vec![service::taken_mail(&owner)]);
                Ok(pending())
            }
            service::Registered::Taken { .. } => Err(service::taken_without_email().into()),
        }
    }

    /// Ask for a password reset link
    ///
    /// Emails a link to set a new password (valid one hour, once) if the address has an
    /// account; answers 202 either way. At most 3 requests per address and 10 per
    /// client within an hour, then 429 with `Retry-After`.
    #[oai(
        path = "/password-reset",
        method = "post",
        operation_id = "request_password_reset"
    )]
    async fn request_reset(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<ResetRequest>,
    ) -> Result<Accepted, ApiError> {
        if !crate::core::email::is_plausible(&crate::core::email::normalize(&body.0.email)) {
            return Err(AccountError::from(crate::core::error::Invalid::field(
                "email",
                crate::msg!("error-email-invalid"),
            ))
            .into());
        }
        let keys = service::reset_limit_keys(&body.0.email, &auth::client_ip(req));
        if let Some(wait) = service::over_limit(&state.store, &keys)
            .await
            .map_err(|_| Problem::unavailable("Please try again shortly."))?
        {
            return Err(ApiError::rate_limited(
                wait,
                "Too many reset requests. Wait before trying again.",
            ));
        }
        send_reset_later(&state, body.0.email);
        Ok(Accepted::Accepted)
    }

    /// Set a new password with a reset link
    ///
    /// `token` is the `token` parameter of the emailed link. Ends every session and
    /// revokes every API token of the account; log in again afterwards. An unknown,
    /// used or expired link answers 422 naming `token`.
    #[oai(
        path = "/password-reset/confirm",
        method = "post",
        operation_id = "confirm_password_reset"
    )]
    async fn confirm_reset(
        &self,
        state: Data<&AppState>,
        body: Json<ResetConfirm>,
    ) -> Result<Done, ApiError> {
        let mail = service::reset_password(&state.db, &body.0.token, &body.0.password).await?;
        state.postman.send_later(vec![mail]);
        Ok(Done::NoContent)
    }

    /// Verify an email address
    ///
    /// `token` is the `token` parameter of the emailed link: the account's address is
    /// verified (a new account can log in from then on), or a pending change of address
    /// takes effect. Logs nobody in. An unknown, used or expired link answers 422
    /// naming `token`.
    #[oai(path = "/verify", method = "post", operation_id = "verify_email")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        body: Json<LinkToken>,
    ) -> Result<Done, ApiError> {
        service::verify(&state.db, &body.0.token).await?;
        Ok(Done::NoContent)
    }

    /// Send the verification link again
    ///
    /// To the account's address, when it is not verified yet (202 either way). At most
    /// 5 links per account within an hour, then 429.
    #[oai(
        path = "/me/verification",
        method = "post",
        operation_id = "resend_verification"
    )]
    async fn resend(&self, state: Data<&AppState>, auth: Auth) -> Result<Accepted, ApiError> {
        limit_links(&state, auth.user().id).await?;
        if let Some(m) = service::resend_verification(&state.db, auth.user().id).await? {
            state.postman.send_later(vec![m]);
        }
        Ok(Accepted::Accepted)
    }

    /// Change my name or language
    ///
    /// Either or both: `display_name` (1-120 characters), `locale` (the language of
    /// the account's emails and calendar files).
    #[oai(path = "/me", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ProfileChange>,
    ) -> Result<Json<Me>, ApiError> {
        let id = auth.user().id;
        let locale = match body.0.locale.as_deref() {
            None => None,
            Some(l) => Some(l.parse().map_err(|_| {
                AccountError::from(crate::core::error::Invalid::field(
                    "locale",
                    crate::msg!("error-locale"),
                ))
            })?),
        };
        service::update_profile(&state.db, id, body.0.display_name.as_deref(), locale).await?;
        Ok(Json(service::me(&state.db, state.city.id, id).await?))
    }

    /// Change my email address
    ///
    /// Confirm with the password. The new address gets a verification link (valid 7
    /// days) and the current one a note of the change; the current address stays the
    /// login until the link is followed. Answers 202 whether or not the new address
    /// has an account already (its owner is told instead). At most 5 links per account
    /// within an hour, then 429.
    #[oai(path = "/me/email", method = "post", operation_id = "change_email")]
    async fn change_email(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<EmailChange>,
    ) -> Result<Accepted, ApiError> {
        let id = auth.user().id;
        let mails =
            service::request_email_change(&state.db, id, &body.0.email, &body.0.password).await?;
        limit_links(&state, id).await?;
        state.postman.send_later(mails);
        Ok(Accepted::Accepted)
    }

    /// Change my password
    ///
    /// Needs the current password. Every session of the account ends; a caller with
    /// the session cookie gets a new one. API tokens stay valid (revoke them one by
    /// one).
    #[oai(
        path = "/me/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PasswordChange>,
    ) -> Result<PasswordChanged, ApiError> {
        let user = auth.user();
        let mail = service::change_password(
            &state.db,
            user.id,
            &body.0.current_password,
            &body.0.new_password,
        )
        .await?;
        state.postman.send_later(vec![mail]);
        if user.via == Via::Session {
            let sid = auth::create_session(&state, user.id).await?;
            let cookie = auth::session_cookie(&state, &sid);
            return Ok(PasswordChanged::NoContent(Some(cookie)));
        }
        Ok(PasswordChanged::NoContent(None))
    }

    /// Log in
    ///
    /// Starts a new session (a fresh session id, whatever cookie was sent). After 10
    /// failed attempts for an account or from an address within 15 minutes, answers 429
    /// with `Retry-After`. On a portal that sends email, an account whose address was
    /// never verified is refused like a wrong password (else a login would tell who
    /// registered which address), and with the right password its verification link
    /// goes out again.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<Credentials>,
    ) -> Result<SessionStarted, ApiError> {
        let email = crate::core::email::normalize(&body.0.email);
        let ip = auth::client_ip(req);
        if let LoginGate::Closed { retry_after } = auth::login_gate(&state, &email, &ip).await? {
            return Err(ApiError::rate_limited(
                retry_after,
                "Too many failed logins. Wait before trying again.",
            ));
        }
        let verification = state.postman.delivers();
        let u =
            match service::check_login(&state.db, &email, &body.0.password, verification).await? {
                service::LoginCheck::Valid(u) => u,
                refused => {
                    if let service::LoginCheck::Unconfirmed(u) = refused {
                        send_verification_later(&state, u.id);
                    }
                    auth::record_login_failure(&state, &email, &ip).await?;
                    return Err(login_refused(&state).into());
                }
            };
        // A new session id on every login defeats session fixation.
        if let Some(old) = auth::session_id_from(req) {
            auth::destroy_session(&state, &old).await?;
        }
        let sid = auth::create_session(&state, u.id).await?;
        let me = service::me(&state.db, state.city.id, u.id).await?;
        Ok(SessionStarted::Ok(
            Json(me),
            auth::session_cookie(&state, &sid),
        ))
    }

    /// Log out
    ///
    /// Ends the current session.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: Auth,
    ) -> Result<LoggedOut, ApiError> {
        if auth.user().via == Via::Session {
            if let Some(sid) = auth::session_id_from(req) {
                auth::destroy_session(&state, &sid).await?;
            }
        }
        Ok(LoggedOut::NoContent(auth::clear_session_cookie(&state)))
    }

    /// Delete my account
    ///
    /// Deletes the account with its memberships, tokens and access log. Confirm with
    /// your password. The last owner of an organization must hand it over first.
    #[oai(path = "/me", method = "delete", operation_id = "delete_my_account")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: Auth,
        body: Json<DeleteAccount>,
    ) -> Result<LoggedOut, ApiError> {
        let missing =
            super::oidc::level_missing(state.city_login.as_deref(), auth.user(), "account-delete");
        if let Some(level) = missing {
            return Err(super::oidc::step_up_problem("account-delete", &level).into());
        }
        service::delete_account(
            &state.db,
            &state.booking_ctx(),
            auth.user(),
            &body.0.password,
        )
        .await?;
        if let Some(sid) = auth::session_id_from(req) {
            auth::destroy_session(&state, &sid).await?;
        }
        Ok(LoggedOut::NoContent(auth::clear_session_cookie(&state)))
    }

    /// Read my account
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::AccountRead")] auth: AppAuth,
    ) -> Result<Json<Me>, ApiError> {
        Ok(Json(
            service::me(&state.db, state.city.id, auth.user(Scope::AccountRead)?.id).await?,
        ))
    }

    /// Create a personal API token
    ///
    /// For members of an organization and city staff. The token is shown once; only its
    /// hash is stored.
    #[oai(path = "/me/tokens", method = "post", operation_id = "create_token")]
    async fn create_token(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NewToken>,
    ) -> Result<TokenCreated, ApiError> {
        let (secret, t) =
            service::create_token(&state.db, auth.user(), &body.0.name, body.0.expires_in_days)
                .await?;
        Ok(TokenCreated::Created(Json(CreatedToken {
            token: secret,
            info: token_info(&t),
        })))
    }

    /// List my API tokens
    #[oai(path = "/me/tokens", method = "get", operation_id = "list_tokens")]
    async fn list_tokens(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<TokenInfo>>, ApiError> {
        let tokens = api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(auth.user().id))
            .order_by_asc(api_token::Column::CreatedAt)
            .all(&state.db)
            .await?;
        Ok(Json(tokens.iter().map(token_info).collect()))
    }

    /// Revoke one of my API tokens
    #[oai(
        path = "/me/tokens/:id",
        method = "delete",
        operation_id = "revoke_token"
    )]
    async fn revoke_token(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Revoked, ApiError> {
        service::revoke_token(&state.db, auth.user().id, id.0).await?;
        Ok(Revoked::NoContent)
    }
}

/// The password, to confirm deleting the account.
#[derive(Object)]
pub struct DeleteAccount {
    pub password: String,
}

#[derive(ApiResponse)]
pub enum Exported {
    /// Everything the portal holds about you.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub struct MyDataApi;

#[OpenApi(prefix_path = "/accounts", tag = "ApiTags::Accounts")]
impl MyDataApi {
    /// Export my data
    ///
    /// Everything the portal holds about you, as JSON.
    #[oai(path = "/me/export", method = "get", operation_id = "export_my_data")]
    async fn export(&self, state: Data<&AppState>, auth: Auth) -> Result<Exported, ApiError> {
        let missing =
            super::oidc::level_missing(state.city_login.as_deref(), auth.user(), "account-export");
        if let Some(level) = missing {
            return Err(super::oidc::step_up_problem("account-export", &level).into());
        }
        let doc = service::export(&state.db, auth.user().id, state.city.timezone).await?;
        Ok(Exported::Ok(
            Json(doc),
            "attachment; filename=\"my-city-portal-data.json\"".to_string(),
        ))
    }
}
