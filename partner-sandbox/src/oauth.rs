//! OAuth2 client credentials (RFC 6749 §4.4): the token endpoint and the bearer check of
//! the Partner Booking API.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::{Form, Json};
use poem_openapi::{ApiResponse, Enum, OAuthScopes, Object, OpenApi, SecurityScheme};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::api::ApiTags;
use crate::config::Mode;
use crate::errors::SandboxProblem;
use crate::problem::Problem;
use crate::server::Shared;
use crate::SCOPE;

/// The scopes a token may carry.
#[derive(OAuthScopes)]
pub enum PartnerScopes {
    /// Read offers and availability, create and change bookings.
    #[oai(rename = "bookings")]
    Bookings,
}

/// The client that presented a valid access token.
#[derive(Clone, Debug)]
pub struct Client {
    /// Its OAuth2 client id.
    pub client_id: String,
}

/// OAuth2 client credentials: fetch a token at the token URL, then send
/// `Authorization: Bearer <access_token>`.
#[derive(SecurityScheme)]
#[oai(
    rename = "PartnerOAuth",
    ty = "oauth2",
    flows(client_credentials(token_url = "/oauth/token", scopes = "PartnerScopes")),
    checker = "check_token"
)]
pub struct PartnerAuth(pub Client);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Client> {
    let shared = req
        .data::<Arc<Shared>>()
        .expect("sandbox state is attached");
    if let Some(client_id) = shared.token_client(bearer.token.trim()) {
        return Ok(Client { client_id });
    }
    if shared.mode() == Mode::Wrong {
        // A broken partner that lets anybody in.
        return Ok(Client {
            client_id: shared
                .config
                .clients
                .first()
                .map(|c| c.client_id.clone())
                .unwrap_or_default(),
        });
    }
    Err(
        Problem::unauthorized("The access token is unknown or has expired; fetch a new one.")
            .into_error(),
    )
}

/// A token grant.
pub(crate) struct Grant {
    pub client_id: String,
    pub expires: Instant,
}

/// A new opaque access token.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The form of a token request (`application/x-www-form-urlencoded`).
#[derive(Object, Debug, Deserialize)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    /// The client id, when not sent with HTTP Basic.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The client secret, when not sent with HTTP Basic.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Space-separated scopes; `bookings` is the only one and the default.
    #[serde(default)]
    pub scope: Option<String>,
}

/// The token type; always `Bearer`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    Bearer,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Object, Debug, Serialize, Deserialize)]
pub struct AccessToken {
    /// The opaque access token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: TokenType,
    /// Seconds until the token expires. Cache it until then (less a small margin)
    /// instead of fetching one per call.
    pub expires_in: u64,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// An RFC 6749 §5.2 error code.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TokenErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
}

/// A token error response (RFC 6749 §5.2).
#[derive(Object, Debug, Serialize, Deserialize)]
pub struct TokenError {
    /// The error code.
    pub error: TokenErrorCode,
    /// What went wrong, for the developer.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

#[derive(ApiResponse)]
pub(crate) enum TokenResponse {
    /// The access token. Responses are never cached (`Cache-Control: no-store`).
    #[oai(status = 200)]
    Ok(
        Json<AccessToken>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Pragma")] String,
    ),
    /// `invalid_request` (a missing or repeated parameter, or a body that is not a form),
    /// `unsupported_grant_type` (anything but `client_credentials`) or `invalid_scope`.
    #[oai(status = 400)]
    BadRequest(Json<TokenError>, #[oai(header = "Cache-Control")] String),
    /// `invalid_client`: unknown client or wrong secret, or no client authentication.
    #[oai(status = 401)]
    Unauthorized(
        Json<TokenError>,
        #[oai(header = "WWW-Authenticate")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn bad(error: TokenErrorCode, description: impl Into<String>) -> TokenResponse {
    TokenResponse::BadRequest(
        Json(TokenError {
            error,
            error_description: Some(description.into()),
        }),
        "no-store".into(),
    )
}

fn invalid_client(description: impl Into<String>) -> TokenResponse {
    TokenResponse::Unauthorized(
        Json(TokenError {
            error: TokenErrorCode::InvalidClient,
            error_description: Some(description.into()),
        }),
        "Basic realm=\"partner\"".into(),
        "no-store".into(),
    )
}

/// The token request as a plain response, for errors raised before the handler (a body
/// that is not a form).
pub(crate) fn invalid_request_response(description: String) -> poem::Response {
    let body = serde_json::to_vec(&TokenError {
        error: TokenErrorCode::InvalidRequest,
        error_description: Some(description),
    })
    .unwrap_or_default();
    poem::Response::builder()
        .status(poem::http::StatusCode::BAD_REQUEST)
        .content_type("application/json")
        .header("Cache-Control", "no-store")
        .body(body)
}

/// Decodes an `application/x-www-form-urlencoded` component (RFC 6749 §2.3.1 encodes the
/// Basic credentials that way).
fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn basic_credentials(req: &Request) -> Option<Result<(String, String), String>> {
    let value = req.headers().get(poem::http::header::AUTHORIZATION)?;
    let value = value.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = B64
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|d| d.split_once(':')) {
        Some((id, secret)) => Ok((id.to_string(), secret.to_string())),
        None => Err("the Basic credentials are not base64 of client_id:client_secret".into()),
    })
}

pub(crate) struct TokenApi;

#[OpenApi]
impl TokenApi {
    /// Get an access token
    ///
    /// OAuth2 client credentials grant (RFC 6749 §4.4). Authenticate the client with HTTP
    /// Basic (`client_id:client_secret`, each form-urlencoded, RFC 6749 §2.3.1) or with
    /// `client_id` and `client_secret` form fields — not both. The token is opaque; send it
    /// as `Authorization: Bearer <access_token>` to every Partner Booking API call until
    /// `expires_in` seconds have passed, then fetch a new one. A partner may serve this
    /// endpoint at any URL (e.g. its identity provider's); the business enters that URL
    /// in the portal as the connection's token URL.
    #[oai(
        path = "/oauth/token",
        method = "post",
        operation_id = "get_token",
        tag = "ApiTags::Authentication"
    )]
    async fn token(
        &self,
        req: &Request,
        shared: poem::web::Data<&Arc<Shared>>,
        form: Form<TokenRequest>,
    ) -> TokenResponse {
        let form = form.0;
        let basic = match basic_credentials(req) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => return invalid_client(e),
            None => None,
        };
        let (id, secret) = match (basic, &form.client_id, &form.client_secret) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return bad(
                    TokenErrorCode::InvalidRequest,
                    "authenticate the client with HTTP Basic or with form fields, not both",
                )
            }
            (Some(c), None, None) => c,
            (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
            (None, Some(_), None) => {
                return invalid_client("client_secret is missing");
            }
            (None, None, _) => {
                return invalid_client(
                    "no client authentication: use HTTP Basic or client_id and client_secret",
                )
            }
        };
        if form.grant_type != "client_credentials" {
            return bad(
                TokenErrorCode::UnsupportedGrantType,
                "only grant_type=client_credentials is supported",
            );
        }
        let known = |id: &str, secret: &str| {
            shared
                .config
                .clients
                .iter()
                .find(|c| c.client_id == id && c.client_secret == secret)
                .map(|c| c.client_id.clone())
        };
        // Accept the credentials as sent and, per RFC 6749 §2.3.1, form-decoded.
        let client_id =
            known(&id, &secret).or_else(|| known(&form_decode(&id), &form_decode(&secret)));
        let Some(client_id) = client_id else {
            return invalid_client("unknown client or wrong secret");
        };
        if let Some(scope) = &form.scope {
            if let Some(other) = scope.split(' ').find(|s| !s.is_empty() && *s != SCOPE) {
                return bad(
                    TokenErrorCode::InvalidScope,
                    format!("unknown scope `{other}`; the only scope is `{SCOPE}`"),
                );
            }
        }
        let ttl = shared.config.token_ttl;
        let token = shared.issue_token(&client_id, ttl);
        TokenResponse::Ok(
            Json(AccessToken {
                access_token: token,
                token_type: TokenType::Bearer,
                expires_in: ttl.as_secs().max(1),
                scope: SCOPE.into(),
            }),
            "no-store".into(),
            "no-cache".into(),
        )
    }
}

/// A grant that lasts `ttl` from now.
pub(crate) fn grant(client_id: &str, ttl: Duration) -> Grant {
    Grant {
        client_id: client_id.to_string(),
        expires: Instant::now() + ttl,
    }
}
