//! `/api/v1/oauth-clients`: the city's admins register apps and modules as OAuth
//! clients, rotate their secrets and disable them.

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::error::OAuthError;
use super::service::{self, Client, NewClient};
use crate::core::identity::{AuthUser, StaffRole};
use crate::core::problem::{ApiError, Problem};
use crate::web::api_tags::ApiTags;
use crate::web::auth::Auth;
use crate::web::state::AppState;

/// An app or module registered as an OAuth client.
#[derive(Object)]
pub struct OAuthClient {
    /// The `client_id`.
    pub id: Uuid,
    /// Shown to residents on the consent page and in their access log.
    pub name: String,
    /// `confidential` (has secrets; client credentials and code flow) or `public` (no
    /// secret; code flow with PKCE only).
    pub kind: String,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// Its redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// When it was disabled; its tokens stopped working then.
    #[oai(skip_serializing_if_is_none)]
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<Client> for OAuthClient {
    fn from(c: Client) -> OAuthClient {
        OAuthClient {
            id: c.id,
            name: c.name,
            kind: c.kind.as_str().to_string(),
            scopes: c.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            redirect_uris: c.redirect_uris,
            created_at: c.created_at,
            disabled_at: c.disabled_at,
        }
    }
}

/// A client to register.
#[derive(Object)]
pub struct OAuthClientInput {
    /// 1 to 100 characters.
    pub name: String,
    /// `confidential` or `public`.
    pub kind: String,
    /// The scopes it may ask for (see the `OAuth2` security scheme).
    pub scopes: Vec<String>,
    /// Absolute HTTPS URIs without a fragment, at most 10; a public client needs at
    /// least one. Plain HTTP only for a native app's loopback IP redirect URI,
    /// `http://127.0.0.1/...` or `http://[::1]/...` (not `localhost`), which matches
    /// with any port at the time of the request (RFC 8252 7.3).
    #[oai(default)]
    pub redirect_uris: Vec<String>,
}

/// A new client and, for a confidential one, its secret: shown this once, stored only
/// hashed.
#[derive(Object)]
pub struct OAuthClientCreated {
    pub client: OAuthClient,
    #[oai(skip_serializing_if_is_none)]
    pub client_secret: Option<String>,
}

/// The scopes a client may ask for from now on.
#[derive(Object)]
pub struct ScopesInput {
    /// At least one (see the `OAuth2` security scheme).
    pub scopes: Vec<String>,
}

/// How long the secrets in use keep working after the new one.
#[derive(Object)]
pub struct RotateInput {
    /// Hours of overlap, 0 to 720; 168 (a week) if absent.
    #[oai(validator(minimum(value = "0"), maximum(value = "720")))]
    pub overlap_hours: Option<u32>,
}

/// A client's new secret, shown this once.
#[derive(Object)]
pub struct RotatedSecret {
    pub client_secret: String,
    /// When the secrets it had before stop working.
    pub previous_expire_at: DateTime<Utc>,
}

/// The city's clients.
#[derive(Object)]
pub struct OAuthClientList {
    pub items: Vec<OAuthClient>,
}

#[derive(ApiResponse)]
pub enum ClientCreated {
    /// Registered.
    #[oai(status = 201)]
    Created(Json<OAuthClientCreated>),
}

fn admin(user: &AuthUser) -> Result<(), Problem> {
    if user.staff_role == Some(StaffRole::Admin) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "Only the city's admins manage OAuth clients.",
        ))
    }
}

fn client_id(id: &str) -> Result<Uuid, OAuthError> {
    Uuid::parse_str(id).map_err(|_| OAuthError::NotFound("client"))
}

pub struct OAuthClientsApi;

#[OpenApi(tag = "ApiTags::Accounts")]
impl OAuthClientsApi {
    /// Register an OAuth client
    ///
    /// City admins only. A confidential client's secret is in the answer, this once.
    #[oai(
        path = "/oauth-clients",
        method = "post",
        operation_id = "create_oauth_client"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<OAuthClientInput>,
    ) -> Result<ClientCreated, ApiError> {
        admin(auth.user())?;
        let b = body.0;
        let new = NewClient::parse(&b.name, &b.kind, &b.scopes, &b.redirect_uris)
            .map_err(OAuthError::from)?;
        let (c, secret) = service::register_client(&state.db, state.city.id, new).await?;
        Ok(ClientCreated::Created(Json(OAuthClientCreated {
            client: c.into(),
            client_secret: secret,
        })))
    }

    /// List the OAuth clients
    ///
    /// City admins only; newest first. Secrets are never shown again.
    #[oai(
        path = "/oauth-clients",
        method = "get",
        operation_id = "list_oauth_clients"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<OAuthClientList>, ApiError> {
        admin(auth.user())?;
        let items = service::list_clients(&state.db, state.city.id).await?;
        Ok(Json(OAuthClientList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Rotate a client's secret
    ///
    /// City admins only. The new secret is in the answer, this once; the client's
    /// earlier secrets keep working for `overlap_hours` more.
    #[oai(
        path = "/oauth-clients/:id/secret",
        method = "post",
        operation_id = "rotate_oauth_client_secret"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        body: Json<RotateInput>,
    ) -> Result<Json<RotatedSecret>, ApiError> {
        admin(auth.user())?;
        let overlap = body
            .0
            .overlap_hours
            .map(|h| Duration::hours(h.into()))
            .unwrap_or(service::DEFAULT_OVERLAP);
        let (secret, until) =
            service::rotate_secret(&state.db, state.city.id, client_id(&id.0)?, overlap).await?;
        Ok(Json(RotatedSecret {
            client_secret: secret,
            previous_expire_at: until,
        }))
    }

    /// Change a client's scopes
    ///
    /// City admins only. Narrowing takes effect at once: residents' grants, the
    /// client's live tokens and unspent codes keep only the scopes still allowed (one
    /// left with none is revoked). Widening changes no grant: residents agree to more
    /// on the consent page.
    #[oai(
        path = "/oauth-clients/:id/scopes",
        method = "put",
        operation_id = "set_oauth_client_scopes"
    )]
    async fn set_scopes(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
        body: Json<ScopesInput>,
    ) -> Result<Json<OAuthClient>, ApiError> {
        admin(auth.user())?;
        let c =
            service::set_client_scopes(&state.db, state.city.id, client_id(&id.0)?, &body.0.scopes)
                .await?;
        Ok(Json(c.into()))
    }

    /// Disable a client
    ///
    /// City admins only. It gets no more tokens, and the tokens it holds stop working.
    #[oai(
        path = "/oauth-clients/:id/disable",
        method = "post",
        operation_id = "disable_oauth_client"
    )]
    async fn disable(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<String>,
    ) -> Result<Json<OAuthClient>, ApiError> {
        admin(auth.user())?;
        let c = service::disable_client(&state.db, state.city.id, client_id(&id.0)?).await?;
        Ok(Json(c.into()))
    }
}
