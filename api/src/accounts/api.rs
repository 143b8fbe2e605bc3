//! The accounts API: register, log in, log out, the caller's profile and personal API
//! tokens, export my data, delete my account.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::{self, Me, Registration};
use crate::core::identity::Via;
use crate::core::problem::{ApiError, Problem};
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, Auth, LoginGate};
use crate::web::state::AppState;
use entities::{api_token, user};

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
    pub name: String,
    /// Lifetime in days, 1-365; without it the token lives until revoked.
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
    /// Registered and logged in; the session cookie is set.
    #[oai(status = 201)]
    Created(Json<Me>, #[oai(header = "Set-Cookie")] String),
    /// Logged in; a new session cookie is set.
    #[oai(status = 200)]
    Ok(Json<Me>, #[oai(header = "Set-Cookie")] String),
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
    /// Creates the account and logs it in (sets the session cookie).
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        body: Json<Registration>,
    ) -> Result<SessionStarted, ApiError> {
        let u = service::register(&state.db, &body.0).await?;
        let sid = auth::create_session(&state, u.id).await?;
        let me = service::me(&state.db, state.city.id, u.id).await?;
        Ok(SessionStarted::Created(
            Json(me),
            auth::session_cookie(&state, &sid),
        ))
    }

    /// Log in
    ///
    /// Starts a new session (a fresh session id, whatever cookie was sent). After 10
    /// failed attempts for an account or from an address within 15 minutes, answers 429
    /// with `Retry-After`.
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
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(&state.db)
            .await?;
        let password = body.0.password.clone();
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| crate::core::secrets::dummy_hash().to_string());
        // argon2 is deliberately slow: keep it off the async workers.
        let valid = tokio::task::spawn_blocking(move || {
            crate::core::secrets::verify_password(&password, &hash)
        })
        .await
        .unwrap_or(false);
        let Some(u) = found.filter(|_| valid) else {
            auth::record_login_failure(&state, &email, &ip).await?;
            return Err(Problem::new(
                poem::http::StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Email or password is wrong",
            )
            .into());
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
    async fn me(&self, state: Data<&AppState>, auth: Auth) -> Result<Json<Me>, ApiError> {
        Ok(Json(
            service::me(&state.db, state.city.id, auth.user().id).await?,
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
        let doc = service::export(&state.db, auth.user().id, state.city.timezone).await?;
        Ok(Exported::Ok(
            Json(doc),
            "attachment; filename=\"my-city-portal-data.json\"".to_string(),
        ))
    }
}
