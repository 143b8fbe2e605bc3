//! The authorization server's machine endpoints: its metadata (RFC 8414), the token
//! endpoint (RFC 6749 3.2, 4.1.3, 4.4, 6), revocation (RFC 7009) and introspection for
//! modules (RFC 7662). They answer in OAuth's JSON formats, which third-party client
//! libraries expect, rather than problem+json.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use poem::http::{header, HeaderValue, StatusCode};
use poem::web::Data;
use poem::{handler, Body, IntoResponse, Request, Response};
use serde_json::json;

use super::error::TokenError;
use super::service::{self, Client};
use crate::core::locale::Locale;
use crate::core::scope::{Scope, ScopeSet};
use crate::web::state::AppState;

/// The largest form body the token, revocation and introspection endpoints read.
const FORM_LIMIT: usize = 64 * 1024;

/// The issuer: the portal's public address, scheme, host, port and path, without a
/// trailing slash, query or fragment (RFC 8414 2). The same string is the metadata's
/// `issuer`, the authorization response's `iss` (RFC 9207 2) and introspection's `iss`,
/// so that a client comparing them finds them identical (RFC 8414 3.3).
pub fn issuer(state: &AppState) -> String {
    let u = &state.config.server.public_url;
    format!(
        "{}{}",
        u.origin().ascii_serialization(),
        u.path().trim_end_matches('/')
    )
}

/// `GET /.well-known/oauth-authorization-server/{path}`: the metadata where RFC 8414 3.1
/// puts it for an issuer with a path (`PUBLIC_URL` `https://city.example/portal` has
/// it at `https://city.example/.well-known/oauth-authorization-server/portal`, which the
/// reverse proxy forwards here unchanged); another path is not this issuer's.
#[handler]
pub fn metadata_for_path(
    state: Data<&AppState>,
    poem::web::Path(path): poem::web::Path<String>,
) -> Response {
    let issuer_path = state.config.server.public_url.path().trim_matches('/');
    if issuer_path.is_empty() || path.trim_end_matches('/') != issuer_path {
        return crate::core::problem::Problem::not_found("issuer").to_response();
    }
    metadata_of(&state)
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414 3).
/// For an issuer without a path this is the RFC 8414 3.1 location; with one, it is the
/// address under the portal's own path (`{PUBLIC_URL}/.well-known/...`), which some
/// clients try, as OpenID Connect Discovery places it (RFC 8414 5).
#[handler]
pub fn metadata(state: Data<&AppState>) -> Response {
    metadata_of(&state)
}

fn metadata_of(state: &AppState) -> Response {
    let iss = issuer(state);
    let scopes: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    let body = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oauth/authorize"),
        "token_endpoint": format!("{iss}/oauth/token"),
        "revocation_endpoint": format!("{iss}/oauth/revoke"),
        "introspection_endpoint": format!("{iss}/oauth/introspect"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["bearer"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "service_documentation": format!("{iss}/docs"),
    });
    let mut resp = poem::web::Json(body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// The parameters of a request (a form body or a query): a parameter sent twice is
/// refused (RFC 6749 3.1, 3.2), and one sent without a value counts as absent (3.1).
pub fn parameters(encoded: &[u8]) -> Result<HashMap<String, String>, &'static str> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(encoded) {
        if out.contains_key(k.as_ref()) {
            return Err("duplicate");
        }
        out.insert(k.into_owned(), v.into_owned());
    }
    out.retain(|_, v| !v.is_empty());
    Ok(out)
}

/// A form body, which these endpoints require (RFC 6749 3.2, RFC 7009 2.1).
async fn form(req: &Request, body: Body) -> Result<HashMap<String, String>, TokenError> {
    let is_form = req
        .header(header::CONTENT_TYPE)
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(TokenError::InvalidRequest("content-type"));
    }
    // These endpoints answer without authentication: their bodies are small forms.
    let bytes = body
        .into_bytes_limit(FORM_LIMIT)
        .await
        .map_err(|_| TokenError::InvalidRequest("body"))?;
    parameters(&bytes).map_err(TokenError::InvalidRequest)
}

/// How the client identified itself.
struct ClientAuth {
    id: String,
    secret: Option<String>,
}

/// The client's credentials: HTTP Basic with the form-encoded id and secret (RFC 6749
/// 2.3.1, `client_secret_basic`), or `client_id` and `client_secret` in the body
/// (`client_secret_post`), or only `client_id` for a public client. More than one
/// method at once is refused (2.3).
fn client_auth(req: &Request, params: &HashMap<String, String>) -> Result<ClientAuth, TokenError> {
    if let Some(value) = req.header(header::AUTHORIZATION) {
        let encoded = value
            .strip_prefix("Basic ")
            .or_else(|| value.strip_prefix("basic "))
            .ok_or(TokenError::InvalidClient)?;
        if params.contains_key("client_secret") {
            return Err(TokenError::InvalidRequest("two-methods"));
        }
        let decoded = B64
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(TokenError::InvalidClient)?;
        let (id, secret) = decoded.split_once(':').ok_or(TokenError::InvalidClient)?;
        let unform = |s: &str| -> String {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (id, secret) = (unform(id), unform(secret));
        if params.get("client_id").is_some_and(|c| *c != id) {
            return Err(TokenError::InvalidRequest("two-methods"));
        }
        return Ok(ClientAuth {
            id,
            secret: Some(secret),
        });
    }
    let id = params
        .get("client_id")
        .cloned()
        .ok_or(TokenError::InvalidClient)?;
    Ok(ClientAuth {
        id,
        secret: params.get("client_secret").cloned(),
    })
}

/// A JSON answer that no cache may keep (RFC 6749 5.1: `Cache-Control: no-store`).
fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = poem::web::Json(body).with_status(status).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// An error as RFC 6749 5.2 words it: `error` and an English `error_description`; a
/// failed client authentication is a 401 with a Basic challenge.
fn error_response(state: &AppState, e: &TokenError) -> Response {
    if let TokenError::Db(db) = e {
        tracing::error!(error = %db, "oauth endpoint: database error");
    }
    let description = state.i18n.t(Locale::En, &e.description_key(), None);
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = no_store(
        status,
        json!({"error": e.code(), "error_description": description}),
    );
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth\", charset=\"UTF-8\""),
        );
    }
    resp
}

async fn authenticated(
    state: &AppState,
    req: &Request,
    params: &HashMap<String, String>,
) -> Result<Client, TokenError> {
    let auth = client_auth(req, params)?;
    service::authenticate_client(&state.db, state.city.id, &auth.id, auth.secret.as_deref()).await
}

/// `POST /oauth/token`.
#[handler]
pub async fn token(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    match token_inner(&state, req, body).await {
        Ok(t) => no_store(
            StatusCode::OK,
            serde_json::to_value(t).expect("a token response serializes"),
        ),
        Err(e) => error_response(&state, &e),
    }
}

async fn token_inner(
    state: &AppState,
    req: &Request,
    body: Body,
) -> Result<service::TokenResponse, TokenError> {
    let params = form(req, body).await?;
    let grant_type = params
        .get("grant_type")
        .ok_or(TokenError::InvalidRequest("grant-type-missing"))?
        .clone();
    if !matches!(
        grant_type.as_str(),
        "authorization_code" | "client_credentials" | "refresh_token"
    ) {
        return Err(TokenError::UnsupportedGrantType);
    }
    let client = authenticated(state, req, &params).await?;
    let get = |k: &str| params.get(k).map(String::as_str);
    match grant_type.as_str() {
        "client_credentials" => service::client_credentials(&state.db, &client, get("scope")).await,
        "authorization_code" => {
            let code = get("code").ok_or(TokenError::InvalidRequest("code-missing"))?;
            service::exchange_code(
                &state.db,
                &client,
                code,
                get("redirect_uri"),
                get("code_verifier"),
            )
            .await
        }
        _ => {
            let refresh =
                get("refresh_token").ok_or(TokenError::InvalidRequest("refresh-missing"))?;
            service::refresh(&state.db, &client, refresh, get("scope")).await
        }
    }
}

/// `POST /oauth/revoke` (RFC 7009): 200 whether or not the token was known.
#[handler]
pub async fn revoke(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let result = async {
        let params = form(req, body).await?;
        let presented = params
            .get("token")
            .ok_or(TokenError::InvalidRequest("token-missing"))?;
        let client = authenticated(&state, req, &params).await?;
        service::revoke(&state.db, &client, presented).await
    }
    .await;
    match result {
        Ok(()) => no_store(StatusCode::OK, json!({})),
        Err(e) => error_response(&state, &e),
    }
}

/// `POST /oauth/introspect` (RFC 7662) for modules: with their own access token holding
/// `tokens:introspect`, they check a token an app presented to them.
#[handler]
pub async fn introspect(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let bearer = req
        .header(header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let caller = match bearer {
        Some(t) => service::access(&state.db, &t).await,
        None => Ok(None),
    };
    let caller = match caller {
        Ok(Some(c)) => c,
        Ok(None) => return bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", None),
        Err(e) => return error_response(&state, &TokenError::Db(e)),
    };
    if caller.user_id.is_some() || !caller.scopes.contains(Scope::TokensIntrospect) {
        return bearer_error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            Some(Scope::TokensIntrospect),
        );
    }
    let params = match form(req, body).await {
        Ok(p) => p,
        Err(e) => return error_response(&state, &e),
    };
    let Some(presented) = params.get("token") else {
        return error_response(&state, &TokenError::InvalidRequest("token-missing"));
    };
    match service::access(&state.db, presented).await {
        Ok(Some(a)) => no_store(
            StatusCode::OK,
            json!({
                "active": true,
                "scope": a.scopes.to_string_list(),
                "client_id": a.client_id.to_string(),
                "token_type": "Bearer",
                "exp": a.expires_at.timestamp(),
                "iss": issuer(&state),
                "sub": a.user_id.map(|u| u.to_string()),
            }),
        ),
        Ok(None) => no_store(StatusCode::OK, json!({"active": false})),
        Err(e) => error_response(&state, &TokenError::Db(e)),
    }
}

/// An RFC 6750 3 answer of a protected endpoint of the protocol itself.
fn bearer_error(status: StatusCode, error: &str, scope: Option<Scope>) -> Response {
    let challenge = match scope {
        Some(s) => format!("Bearer error=\"{error}\", scope=\"{}\"", s.as_str()),
        None => format!("Bearer error=\"{error}\""),
    };
    let mut resp = no_store(status, json!({"error": error}));
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The scope set of a request's `scope`, if every name in it is known.
pub fn scope_param(s: Option<&String>) -> Option<ScopeSet> {
    s.and_then(|s| ScopeSet::parse(s).ok())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6749 3.1/3.2: parameters MUST NOT be included more than once; 3.1: sent
    /// without a value they MUST be treated as omitted.
    #[test]
    fn rfc6749_3_1_parameters_once_and_empty_as_absent() {
        assert_eq!(parameters(b"a=1&a=2"), Err("duplicate"));
        let p = parameters(b"a=1&b=&c=x+y").unwrap();
        assert_eq!(p.get("a").map(String::as_str), Some("1"));
        assert!(!p.contains_key("b"));
        assert_eq!(p.get("c").map(String::as_str), Some("x y"));
    }
}
