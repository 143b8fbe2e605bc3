//! The city login: the portal as an OpenID Connect relying party of the city's
//! OpenID Provider (usually Keycloak brokering the federal BundID).
//!
//! Built on the `openidconnect` crate (itself on `oauth2`, the stack's OAuth client):
//! it does discovery, the authorization request with PKCE (S256) and a nonce, the code
//! exchange, and verifies the ID token's signature (against the provider's JWKS),
//! issuer, audience, expiry and nonce — the checks RFC 9700 and OpenID Connect Core
//! 3.1.3.7 list, which are easy to get subtly wrong by hand. What the crate leaves to
//! the relying party is here: `state` bound to the browser (a cookie) and single use,
//! the `iss` authorization response parameter (RFC 9207), discovery cached and the
//! keys fetched again on an unknown key id, and the rest of Core 3.1.3.7 and 3.1.3.8:
//! `azp`, `iat` within the login, the `acr` a step-up asked for, a fresh `auth_time`
//! when a new login was demanded (`max_age=0`), `at_hash` when present; and the
//! UserInfo response's `sub` (5.3.2).
//!
//! Kept from the provider (data minimisation): the issuer and `sub` (the key of the
//! link, never the email alone), a verified email and a name for new accounts, and the
//! login's `acr` in the session. Groups are read only when staff roles are mapped.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode,
    CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessTokenHash, AdditionalProviderMetadata, AuthenticationContextClass, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadata, RedirectUrl,
    Scope, SignatureVerificationError,
};
use openidconnect::{JsonWebKey, JwsSigningAlgorithm};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use url::Url;
use uuid::Uuid;

use crate::core::config::OidcConfig;
use crate::core::secrets::{random_secret, sha256_hex};
use crate::core::store::Store;

/// How long discovery (and the keys) are kept before being read again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The least time between two reads of the keys on an unknown key id.
const KEYS_REFRESH_MIN: Duration = Duration::from_secs(5);
/// How long a started login may take at the provider.
pub const PENDING_TTL: Duration = Duration::from_secs(600);
/// The cookie binding a started login to the browser that started it.
pub const STATE_COOKIE: &str = "cp_oidc";
/// How far the provider's clock may be off the portal's.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// The provider metadata fields the portal reads beyond the core ones.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraMetadata {
    /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// Whether the provider sends `iss` with its authorization response (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

/// The crate's client as the portal sets it up (from discovery, with the redirect URI).
type CityClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

pub type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// Why a city login did not succeed. None of these carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense (discovery, keys, token).
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The resident cancelled or the provider refused (its `error` code).
    #[error("the provider answered {0}")]
    Provider(String),
    /// `state` missing, unknown, used or not this browser's.
    #[error("the login's state does not match")]
    State,
    /// The `iss` response parameter is missing or not the provider's (RFC 9207).
    #[error("the response's issuer is not the provider's")]
    Issuer,
    /// The ID token failed verification (signature, issuer, audience, expiry, nonce).
    #[error("the ID token is not valid: {0}")]
    Token(String),
    /// The login's level is below the one asked for.
    #[error("the login's assurance level is too low")]
    Level,
    /// A new login was demanded (`max_age=0`) but the ID token says of none: its
    /// `auth_time` is missing or before the request (OpenID Connect Core 3.1.2.1).
    #[error("the provider did not ask for the login again")]
    Stale,
    /// The session store failed.
    #[error("the session store is unavailable")]
    Store,
}

impl OidcError {
    /// The error's code (for the error page's message and the log).
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::Unavailable(_) => "oidc-unavailable",
            OidcError::Provider(e) if e == "access_denied" => "oidc-cancelled",
            OidcError::Provider(_) => "oidc-provider-error",
            OidcError::State => "oidc-state",
            OidcError::Issuer => "oidc-issuer",
            OidcError::Token(_) => "oidc-token",
            OidcError::Level => "oidc-level",
            OidcError::Stale => "oidc-stale",
            OidcError::Store => "oidc-unavailable",
        }
    }

    /// The HTTP status of the error page.
    pub fn status(&self) -> u16 {
        match self {
            OidcError::Unavailable(_) | OidcError::Store => 503,
            OidcError::Provider(_) | OidcError::Level | OidcError::Stale => 403,
            _ => 400,
        }
    }
}

/// Why a login was started, and where it continues.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Purpose {
    /// Log in (or create an account); then go to `next`.
    Login { next: String },
    /// Link the city account to this (already logged-in, password-checked) account.
    Link { user_id: Uuid },
    /// Log in again at a higher level (`acr`), then continue at `next`.
    StepUp { user_id: Uuid, next: String },
}

/// A started login, kept in the store under its `state` (hashed) until the callback.
#[derive(Deserialize, Serialize)]
struct Pending {
    verifier: String,
    nonce: String,
    purpose: Purpose,
    acr: Option<String>,
    /// When the login was started (Unix seconds): the ID token must be issued after
    /// it, and a demanded new login must have happened after it.
    #[serde(default)]
    started_at: i64,
    /// Whether a new login was demanded (`prompt=login` and `max_age=0`).
    #[serde(default)]
    fresh: bool,
}

/// What a successful callback verified.
#[derive(Clone, Debug)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    /// The address, only when the provider says it is verified.
    pub email: Option<String>,
    pub name: Option<String>,
    pub acr: Option<String>,
    /// When the resident authenticated at the provider (`auth_time`), if it said.
    pub auth_time: Option<DateTime<Utc>>,
    /// The configured roles claim's values (empty unless roles are mapped).
    pub groups: Vec<String>,
    /// The ID token, kept in the session for RP-initiated logout.
    pub id_token: String,
    pub purpose: Purpose,
}

/// The callback's query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// The city's OpenID Provider, as the portal uses it.
pub struct CityLogin {
    pub config: OidcConfig,
    redirect: RedirectUrl,
    post_logout: Url,
    http: reqwest::Client,
    metadata: RwLock<Option<(Metadata, Instant)>>,
}

fn pending_key(state: &str) -> String {
    format!("oidc:pending:{}", sha256_hex(state))
}

impl CityLogin {
    pub fn new(config: OidcConfig, public_url: &Url) -> CityLogin {
        let base = public_url.as_str().trim_end_matches('/');
        let redirect =
            RedirectUrl::new(format!("{base}/auth/oidc/callback")).expect("PUBLIC_URL makes a URL");
        // `PUBLIC_URL/` as registered, under the portal's path if it has one.
        let post_logout = Url::parse(&format!("{base}/")).expect("PUBLIC_URL makes a URL");
        let http = reqwest::Client::builder()
            // Following redirects would open the client to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client");
        CityLogin {
            config,
            redirect,
            post_logout,
            http,
            metadata: RwLock::new(None),
        }
    }

    /// The provider's metadata and keys: cached, read again after [`METADATA_TTL`]
    /// or when `refresh` (an unknown key id) and the last read is not too recent.
    pub async fn metadata(&self, refresh: bool) -> Result<Metadata, OidcError> {
        if let Some((m, at)) = &*self.metadata.read().await {
            let fresh = at.elapsed() < METADATA_TTL;
            if fresh && (!refresh || at.elapsed() < KEYS_REFRESH_MIN) {
                return Ok(m.clone());
            }
        }
        // Exactly as configured (Discovery 4.3): a trailing slash is part of it.
        let issuer = IssuerUrl::new(self.config.issuer_id.clone())
            .map_err(|e| OidcError::Unavailable(e.to_string()))?;
        let m = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(e.to_string()))?;
        *self.metadata.write().await = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    fn client(&self, m: Metadata) -> CityClient {
        CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            self.config
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_string())),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The ID token verifier of Core 3.1.3.7 (the crate's: signature, `iss`, `aud`,
    /// `exp`, nonce) with `iat` between the login's start and now.
    fn id_token_verifier<'c>(
        &self,
        client: &'c CityClient,
        started: DateTime<Utc>,
    ) -> openidconnect::core::CoreIdTokenVerifier<'c> {
        client
            .id_token_verifier()
            .set_issue_time_verifier_fn(move |iat| {
                if iat < started - CLOCK_SKEW {
                    Err("iat is before the login began".into())
                } else if iat > Utc::now() + CLOCK_SKEW {
                    Err("iat is in the future".into())
                } else {
                    Ok(())
                }
            })
    }

    /// The access token's hash as the ID token's `at_hash` must be (Core 3.2.2.9): by
    /// the ID token's algorithm, with its key (the client secret for an HMAC).
    fn access_token_hash(
        &self,
        id_token: &openidconnect::core::CoreIdToken,
        verifier: &openidconnect::core::CoreIdTokenVerifier<'_>,
        access_token: &openidconnect::AccessToken,
    ) -> Result<AccessTokenHash, OidcError> {
        let bad = |e: String| OidcError::Token(format!("at_hash: {e}"));
        let alg = id_token.signing_alg().map_err(|e| bad(e.to_string()))?;
        let hash = if alg.uses_shared_secret() {
            let secret = self
                .config
                .client_secret
                .as_ref()
                .ok_or_else(|| bad("no client secret".into()))?;
            let key = CoreJsonWebKey::new_symmetric(secret.expose_secret().as_bytes().to_vec());
            AccessTokenHash::from_token(access_token, alg, &key)
        } else {
            let key = id_token
                .signing_key(verifier)
                .map_err(|e| bad(e.to_string()))?;
            AccessTokenHash::from_token(access_token, alg, key)
        };
        hash.map_err(|e| bad(e.to_string()))
    }

    /// Starts a login: remembers it under a new `state` and returns the provider's
    /// authorization URL and the state (for the browser's cookie). `acr` asks for a
    /// level; `again` makes the provider ask for the login again (a step-up);
    /// `locale` asks for the provider's pages in the resident's language.
    pub async fn begin(
        &self,
        store: &Store,
        purpose: Purpose,
        acr: Option<&str>,
        again: bool,
        locale: &str,
    ) -> Result<(Url, String), OidcError> {
        let m = self.metadata(false).await?;
        let client = self.client(m);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = random_secret();
        let state_for_url = state.clone();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state_for_url),
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_ui_locale(openidconnect::LanguageTag::new(locale.to_string()));
        for s in &self.config.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        // With levels configured, even a plain login asks for the lowest: it makes the
        // provider say (in the ID token's `acr`) which level the login reached.
        if let Some(level) = acr.or(self.config.acr_levels.first().map(String::as_str)) {
            request = request.add_auth_context_value(AuthenticationContextClass::new(level.into()));
        }
        // A new login, not a session left open at the provider: `prompt=login`, and
        // `max_age=0`, which makes the provider say when it happened (`auth_time`,
        // OpenID Connect Core 3.1.2.1), checked on the way back.
        if again {
            request = request
                .add_prompt(openidconnect::core::CoreAuthPrompt::Login)
                .set_max_age(Duration::ZERO);
        }
        let (url, _, nonce) = request.url();
        let pending = Pending {
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            purpose,
            acr: acr.map(String::from),
            started_at: Utc::now().timestamp(),
            fresh: again,
        };
        store
            .set(
                &pending_key(&state),
                &serde_json::to_string(&pending).expect("pending serializes"),
                PENDING_TTL,
            )
            .await
            .map_err(|_| OidcError::Store)?;
        Ok((url, state))
    }

    /// Finishes a login from the provider's redirect: the state must be this browser's
    /// (`cookie_state`) and unused, the issuer the provider's, the code exchanged with
    /// the PKCE verifier, and the ID token valid for this login.
    pub async fn finish(
        &self,
        store: &Store,
        cb: &Callback,
        cookie_state: Option<&str>,
    ) -> Result<Verified, OidcError> {
        let state = cb.state.as_deref().ok_or(OidcError::State)?;
        // Compared as hashes: how long the comparison takes says nothing of the state.
        let bound = cookie_state.is_some_and(|c| sha256_hex(c) == sha256_hex(state));
        if !bound {
            return Err(OidcError::State);
        }
        // Single use: taken out before anything else can fail.
        let key = pending_key(state);
        let raw = store.take(&key).await.map_err(|_| OidcError::Store)?;
        let pending: Pending = raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .ok_or(OidcError::State)?;
        let m = self.metadata(false).await?;
        // RFC 9207: the response says which provider sent it.
        let issuer = m.issuer().as_str().to_string();
        match &cb.iss {
            Some(iss) if iss == &issuer => {}
            Some(_) => return Err(OidcError::Issuer),
            None if m
                .additional_metadata()
                .authorization_response_iss_parameter_supported
                == Some(true) =>
            {
                return Err(OidcError::Issuer)
            }
            None => {}
        }
        if let Some(e) = &cb.error {
            let code: String = e
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            return Err(OidcError::Provider(code));
        }
        let code = cb.code.clone().ok_or(OidcError::State)?;
        let client = self.client(m.clone());
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                oauth2::RequestTokenError::ServerResponse(r) => {
                    OidcError::Provider(r.error().to_string())
                }
                other => OidcError::Unavailable(other.to_string()),
            })?;
        use openidconnect::{OAuth2TokenResponse, TokenResponse};
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Token("no ID token".into()))?
            .clone();
        let nonce = Nonce::new(pending.nonce.clone());
        let started = DateTime::from_timestamp(pending.started_at, 0).unwrap_or_default();
        let verify = |client: &CityClient| {
            id_token
                .claims(&self.id_token_verifier(client, started), &nonce)
                .cloned()
        };
        let (claims, keys) = match verify(&client) {
            Ok(c) => (c, client.clone()),
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys: read them again, once.
                let fresh = self.client(self.metadata(true).await?);
                let claims = verify(&fresh).map_err(|e| OidcError::Token(e.to_string()))?;
                (claims, fresh)
            }
            Err(e) => return Err(OidcError::Token(e.to_string())),
        };
        // Core 3.1.3.7 items 4 and 5: several audiences need an authorized party, and
        // an authorized party must be this client.
        match claims.authorized_party() {
            Some(azp) if azp.as_str() != self.config.client_id => {
                return Err(OidcError::Token("azp is another client".into()))
            }
            None if claims.audiences().len() > 1 => {
                return Err(OidcError::Token("several audiences and no azp".into()))
            }
            _ => {}
        }
        // Core 3.1.3.8: an `at_hash` must be the access token's.
        if let Some(expected) = claims.access_token_hash() {
            let verifier = self.id_token_verifier(&keys, started);
            let actual = self.access_token_hash(&id_token, &verifier, response.access_token())?;
            if &actual != expected {
                return Err(OidcError::Token("at_hash does not match".into()));
            }
        }
        let auth_time = claims.auth_time();
        // Core 3.1.2.1 and 3.1.3.7 item 13: with `max_age` asked, `auth_time` is
        // required, and a login from before the request is not the new one demanded.
        if pending.fresh {
            let now = Utc::now();
            match auth_time {
                Some(t) if t >= started - CLOCK_SKEW && t <= now + CLOCK_SKEW => {}
                _ => return Err(OidcError::Stale),
            }
        }
        // Core 3.1.3.7 item 12: with levels configured, only a level the portal knows
        // counts (an unknown one satisfies nothing and is not shown).
        let acr = claims
            .auth_context_ref()
            .map(|a| a.as_str().to_string())
            .filter(|a| self.config.acr_levels.is_empty() || self.config.acr_levels.contains(a));
        if let Some(wanted) = &pending.acr {
            if !self.config.satisfies(acr.as_deref(), wanted) {
                return Err(OidcError::Level);
            }
        }
        let mut email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_string());
        let mut name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string());
        let raw = id_token.to_string();
        let mut groups = match &self.config.roles_claim {
            Some(claim) => claim_strings(&raw, claim),
            None => Vec::new(),
        };
        // Many providers put the scopes' claims only in the UserInfo response
        // (OpenID Connect Core 5.4): ask it, for the same subject, what the ID token
        // did not say.
        let wants_groups = self.config.roles_claim.is_some() && groups.is_empty();
        if email.is_none() || name.is_none() || wants_groups {
            if let Ok(request) = client.user_info(
                response.access_token().clone(),
                Some(claims.subject().clone()),
            ) {
                // The crate checks the response's `sub` against the ID token's (Core
                // 5.3.2); another subject's answer is refused, never used.
                let info: openidconnect::UserInfoClaims<AllClaims, CoreGenderClaim> = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| match e {
                        openidconnect::UserInfoError::ClaimsVerification(e) => {
                            OidcError::Token(format!("userinfo: {e}"))
                        }
                        other => OidcError::Unavailable(format!("userinfo: {other}")),
                    })?;
                if email.is_none() && info.email_verified() == Some(true) {
                    email = info.email().map(|e| e.as_str().to_string());
                }
                if name.is_none() {
                    name = info
                        .name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.as_str().to_string());
                }
                if wants_groups {
                    if let Some(claim) = &self.config.roles_claim {
                        groups = strings(info.additional_claims().0.get(claim));
                    }
                }
            }
        }
        Ok(Verified {
            issuer,
            subject: claims.subject().as_str().to_string(),
            email,
            name,
            acr,
            auth_time,
            groups,
            id_token: raw,
            purpose: pending.purpose,
        })
    }

    /// Where to send the browser to end the provider's session too (RP-initiated
    /// logout), when the provider supports it, its pages in `locale`; `None` otherwise.
    pub async fn logout_url(&self, id_token: &str, locale: &str) -> Option<Url> {
        let m = self.metadata(false).await.ok()?;
        let end = m.additional_metadata().end_session_endpoint.clone()?;
        // RP-Initiated Logout 2.1: the endpoint MUST use https (as the issuer: http
        // only on loopback, for development); the browser is not sent elsewhere.
        if !secure_endpoint(&end) {
            tracing::warn!(
                "the provider's end_session_endpoint is not https; logging out here only"
            );
            return None;
        }
        let end = openidconnect::EndSessionUrl::new(end).ok()?;
        let token: openidconnect::core::CoreIdToken = id_token.parse().ok()?;
        Some(
            LogoutRequest::from(end)
                .set_id_token_hint(&token)
                .set_client_id(ClientId::new(self.config.client_id.clone()))
                .set_post_logout_redirect_uri(PostLogoutRedirectUrl::from_url(
                    self.post_logout.clone(),
                ))
                .add_ui_locale(openidconnect::LanguageTag::new(locale.to_string()))
                .http_get_url(),
        )
    }
}

/// The level an action needs that the caller's login has not reached, if any. A
/// personal API token has no login level: with a level configured for the action, it
/// cannot do it.
pub fn level_missing(
    login: Option<&CityLogin>,
    user: &crate::core::identity::AuthUser,
    action: &str,
) -> Option<String> {
    let login = login?;
    let level = login.config.level_for(action)?;
    (!login
        .config
        .reached(user.acr.as_deref(), user.acr_at, level))
    .then(|| level.to_string())
}

/// The API's answer to a caller below an action's level: 403 `step-up-required`.
pub fn step_up_problem(action: &str, level: &str) -> crate::core::problem::Problem {
    crate::core::problem::Problem::new(
        poem::http::StatusCode::FORBIDDEN,
        "step-up-required",
        "A login at a higher assurance level is needed",
    )
    .detail(format!(
        "This needs a recent city login at the level '{level}' (a level counts only \
         for a while after the login): in a browser, \
         GET /auth/oidc/step-up?action={action} and try again with that session."
    ))
}

/// A claim's string values from a verified ID token's payload (the crate's claims
/// type keeps only the standard ones): a string or an array of strings.
fn claim_strings(jwt: &str, claim: &str) -> Vec<String> {
    use base64::Engine;
    let Some(payload) = jwt.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    strings(value.get(claim))
}

/// A claim's value as strings: a string or an array of strings.
fn strings(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every claim beyond the standard ones (the UserInfo response's groups).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(transparent)]
struct AllClaims(std::collections::HashMap<String, serde_json::Value>);
impl openidconnect::AdditionalClaims for AllClaims {}

/// Whether a provider's endpoint may receive the browser: https, or http on a
/// loopback address (development, like `OIDC_ISSUER_URL`).
fn secure_endpoint(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| crate::core::validate::https_or_loopback_http(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_as_string_or_list() {
        use base64::Engine;
        let enc = |v: serde_json::Value| {
            format!(
                "h.{}.s",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
            )
        };
        let list = enc(serde_json::json!({"groups": ["a", "b", 3]}));
        assert_eq!(claim_strings(&list, "groups"), ["a", "b"]);
        let one = enc(serde_json::json!({"role": "admins"}));
        assert_eq!(claim_strings(&one, "role"), ["admins"]);
        assert!(claim_strings(&one, "groups").is_empty());
        assert!(claim_strings("not a jwt", "groups").is_empty());
    }

    #[test]
    fn logout_goes_only_to_a_secure_endpoint() {
        assert!(secure_endpoint("https://login.city.example/logout"));
        assert!(secure_endpoint("http://127.0.0.1:4567/session/end"));
        assert!(!secure_endpoint("http://login.city.example/logout"));
        assert!(!secure_endpoint("javascript:alert(1)"));
        assert!(!secure_endpoint("not a url"));
    }

    #[test]
    fn the_post_logout_redirect_keeps_the_portals_path() {
        let config = OidcConfig {
            issuer: Url::parse("https://login.city.example/").unwrap(),
            issuer_id: "https://login.city.example/".into(),
            client_id: "portal".into(),
            client_secret: None,
            scopes: Vec::new(),
            display_name: "city account".into(),
            acr_levels: Vec::new(),
            step_up: Vec::new(),
            step_up_max_age: Duration::from_secs(900),
            roles_claim: None,
            role_map: Vec::new(),
        };
        let public = Url::parse("https://city.example/portal").unwrap();
        let login = CityLogin::new(config, &public);
        assert_eq!(login.post_logout.as_str(), "https://city.example/portal/");
        assert_eq!(
            login.redirect.as_str(),
            "https://city.example/portal/auth/oidc/callback"
        );
    }

    #[test]
    fn purposes_round_trip() {
        let p = Purpose::StepUp {
            user_id: Uuid::nil(),
            next: "/account".into(),
        };
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Purpose>(&s).unwrap(), p);
    }
}
