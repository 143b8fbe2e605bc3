//! The portal as an OAuth 2.0 authorization server, driven by the `oauth2` crate as the
//! client: client credentials, the code flow with PKCE through the consent page, refresh
//! rotation, revocation, and an app booking for a resident. Each test names the RFC
//! section whose MUST it checks.

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, RevocationUrl, Scope, StandardRevocableToken,
    TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::{on_both, on_both_with};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A registered client: its id and, for a confidential one, its secret.
struct Registered {
    id: String,
    secret: Option<String>,
}

async fn register_client(app: &TestApp, admin: &User, body: Value) -> Registered {
    let resp = admin
        .client
        .post(app.url("/api/v1/oauth-clients"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    Registered {
        id: v["client"]["id"].as_str().unwrap().to_string(),
        secret: v["client_secret"].as_str().map(str::to_string),
    }
}

/// The app registered for the code flow: confidential, with the resident scopes.
async fn app_client(app: &TestApp, admin: &User, name: &str) -> Registered {
    register_client(
        app,
        admin,
        json!({
            "name": name, "kind": "confidential",
            "scopes": ["bookings:read", "bookings:write", "account:read"],
            "redirect_uris": [REDIRECT],
        }),
    )
    .await
}

type Client = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
>;

fn oauth_client(app: &TestApp, c: &Registered, redirect: &str) -> Client {
    let mut client = BasicClient::new(ClientId::new(c.id.clone()));
    if let Some(s) = &c.secret {
        client = client.set_client_secret(ClientSecret::new(s.clone()));
    }
    client
        .set_auth_uri(AuthUrl::new(app.url("/oauth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(app.url("/oauth/token")).unwrap())
        .set_revocation_url(RevocationUrl::new(app.url("/oauth/revoke")).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect.to_string()).unwrap())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn error_of<T: std::fmt::Debug>(
    r: Result<
        T,
        RequestTokenError<
            oauth2::HttpClientError<reqwest::Error>,
            oauth2::basic::BasicErrorResponse,
        >,
    >,
) -> BasicErrorResponseType {
    match r {
        Err(RequestTokenError::ServerResponse(e)) => e.error().clone(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    }
}

/// A hidden input's value in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&")
}

/// The resident opens the authorize URL and sees the consent page; returns its form.
async fn consent_form(resident: &User, url: &str, decision: &str) -> Vec<(String, String)> {
    let page = resident.client.get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let fields = [
        "csrf",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
    let mut form: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.to_string(), hidden(&html, f)))
        .collect();
    form.push(("decision".into(), decision.into()));
    form
}

/// The resident sends the consent page's form; returns the redirect's `Location`.
async fn send_consent(app: &TestApp, resident: &User, form: &[(String, String)]) -> url::Url {
    let resp = resident
        .client
        .post(app.url("/oauth/authorize"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap()
}

/// The resident opens the authorize URL, sees the consent page, and answers; returns
/// the redirect's `Location`.
async fn consent(app: &TestApp, resident: &User, url: &str, decision: &str) -> url::Url {
    let form = consent_form(resident, url, decision).await;
    send_consent(app, resident, &form).await
}

/// The issuer: the portal's public address (RFC 8414 2).
fn issuer(app: &TestApp) -> String {
    app.state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_string()
}

fn query(u: &url::Url, name: &str) -> Option<String> {
    u.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The code flow up to the code: authorize URL with PKCE and state, consent, redirect.
async fn code_for(
    app: &TestApp,
    client: &Client,
    resident: &User,
    scopes: &[&str],
) -> (AuthorizationCode, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for s in scopes {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    let (url, state) = req.url();
    let back = consent(app, resident, url.as_str(), "allow").await;
    // RFC 6749 4.1.2: the code and the client's state, at the registered URI.
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    assert_eq!(
        query(&back, "state").as_deref(),
        Some(state.secret().as_str())
    );
    // RFC 9207 2: iss is the issuer of the metadata.
    assert_eq!(query(&back, "iss").as_deref(), Some(issuer(app).as_str()));
    (
        AuthorizationCode::new(query(&back, "code").unwrap()),
        verifier,
    )
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    http()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// RFC 8414 2 and 3: the metadata names this issuer and its endpoints; RFC 9207 3.
async fn metadata_names_the_issuer_and_endpoints(app: TestApp) {
    let resp = http()
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let m: Value = resp.json().await.unwrap();
    let iss = issuer(&app);
    assert_eq!(m["issuer"], iss);
    assert_eq!(m["token_endpoint"], format!("{iss}/oauth/token"));
    assert_eq!(
        m["authorization_endpoint"],
        format!("{iss}/oauth/authorize")
    );
    assert_eq!(m["revocation_endpoint"], format!("{iss}/oauth/revoke"));
    assert_eq!(m["response_types_supported"], json!(["code"]));
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    assert!(m["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("bookings:write")));
}
on_both!(metadata_names_the_issuer_and_endpoints);

/// RFC 6749 4.4 (client credentials), 2.3.1 (Basic and body authentication), 5.1
/// (no-store), 5.2 (invalid_client 401 with WWW-Authenticate, invalid_scope), RFC 6750
/// 3.1 (insufficient_scope), and secret rotation with an overlap.
async fn client_credentials_with_and_without_the_right_scope(app: TestApp) {
    let admin = app.admin().await;
    let module = register_client(
        &app,
        &admin,
        json!({"name": "Archiv-Modul", "kind": "confidential", "scopes": ["tokens:introspect"]}),
    )
    .await;
    let other = register_client(
        &app,
        &admin,
        json!({"name": "Statistik", "kind": "confidential", "scopes": ["bookings:read"]}),
    )
    .await;
    let secret = module.secret.clone().unwrap();
    assert!(secret.starts_with("cps_"));
    // Only the hash is stored.
    let stored = entities::oauth_client_secret::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|s| s.secret_hash != secret && s.secret_hash.len() == 64));

    let c = oauth_client(&app, &module, REDIRECT);
    let http = http();
    // client_secret_basic (the crate's default).
    let tok = c
        .exchange_client_credentials()
        .add_scope(Scope::new("tokens:introspect".into()))
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        tok.refresh_token().is_none(),
        "RFC 6749 4.4.3: no refresh token"
    );
    let access = tok.access_token().secret().clone();
    // client_secret_post.
    let posted = c
        .clone()
        .set_auth_type(AuthType::RequestBody)
        .exchange_client_credentials()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(
        posted.scopes().unwrap()[0].as_str(),
        "tokens:introspect",
        "no scope asked: all of the client's"
    );
    // A scope the client does not have: invalid_scope.
    let refused = c
        .exchange_client_credentials()
        .add_scope(Scope::new("bookings:write".into()))
        .request_async(&http)
        .await;
    assert_eq!(error_of(refused), BasicErrorResponseType::InvalidScope);

    // RFC 6749 5.1: Cache-Control: no-store; 5.2: a wrong secret is a 401 with a challenge.
    let raw = http
        .post(app.url("/oauth/token"))
        .basic_auth(&module.id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(raw.headers()["cache-control"], "no-store");
    let raw = http
        .post(app.url("/oauth/token"))
        .basic_auth(&module.id, Some("cps_wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNAUTHORIZED);
    assert!(raw.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(raw.headers()["cache-control"], "no-store");
    let v: Value = raw.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    // RFC 6749 5.2: unsupported_grant_type; 3.2: parameters not twice.
    let raw = http
        .post(app.url("/oauth/token"))
        .basic_auth(&module.id, Some(&secret))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let v: Value = raw.json().await.unwrap();
    assert_eq!(v["error"], "unsupported_grant_type");
    let raw = http
        .post(app.url("/oauth/token"))
        .basic_auth(&module.id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let v: Value = raw.json().await.unwrap();
    assert_eq!(v["error"], "invalid_request");

    // With the right scope the module checks a token.
    let intro = http
        .post(app.url("/oauth/introspect"))
        .bearer_auth(&access)
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(intro.status(), StatusCode::OK);
    let v: Value = intro.json().await.unwrap();
    assert_eq!(v["active"], true);
    assert_eq!(v["scope"], "tokens:introspect");
    assert_eq!(v["client_id"], module.id);
    // Without it: 403 insufficient_scope naming the scope (RFC 6750 3.1).
    let o = oauth_client(&app, &other, REDIRECT)
        .exchange_client_credentials()
        .request_async(&http)
        .await
        .unwrap();
    let other_access = o.access_token().secret().clone();
    let intro = http
        .post(app.url("/oauth/introspect"))
        .bearer_auth(&other_access)
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(intro.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        intro.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"tokens:introspect\""
    );
    // A module's own token has no resident: no operation for residents takes it. The
    // token is valid, so no scope would do (RFC 6750 3.1), not `invalid_token`.
    let r = api_get(&app, &other_access, "/api/v1/bookings").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\""
    );

    // Rotation: the new secret works, and the old one for the overlap given.
    let rot: Value = admin
        .client
        .post(app.url(&format!("/api/v1/oauth-clients/{}/secret", module.id)))
        .json(&json!({"overlap_hours": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rot["client_secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    for s in [&secret, &new_secret] {
        let c = oauth_client(
            &app,
            &Registered {
                id: module.id.clone(),
                secret: Some(s.clone()),
            },
            REDIRECT,
        );
        c.exchange_client_credentials()
            .request_async(&http)
            .await
            .expect("both secrets work during the overlap");
    }
    // With no overlap the old one stops at once.
    admin
        .client
        .post(app.url(&format!("/api/v1/oauth-clients/{}/secret", module.id)))
        .json(&json!({"overlap_hours": 0}))
        .send()
        .await
        .unwrap();
    let old = oauth_client(
        &app,
        &Registered {
            id: module.id.clone(),
            secret: Some(new_secret),
        },
        REDIRECT,
    );
    let r = old.exchange_client_credentials().request_async(&http).await;
    assert_eq!(error_of(r), BasicErrorResponseType::InvalidClient);

    // Disabling ends its tokens at once.
    let d = admin
        .client
        .post(app.url(&format!("/api/v1/oauth-clients/{}/disable", module.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), StatusCode::OK);
    let intro = http
        .post(app.url("/oauth/introspect"))
        .bearer_auth(&access)
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(intro.status(), StatusCode::UNAUTHORIZED);
    // Only the city's admins manage clients.
    let resident = app.register("Resi").await;
    let r = resident
        .client
        .get(app.url("/api/v1/oauth-clients"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
on_both!(client_credentials_with_and_without_the_right_scope);

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The code flow with PKCE and consent (RFC 6749 4.1, RFC 7636 4.6); the app reads
/// only what its scopes allow (RFC 6750 3.1); a reused code is refused and the tokens
/// issued for it revoked (RFC 6749 4.1.2).
async fn code_flow_with_pkce_and_consent(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Terminfinder").await;
    let resident = app.register("Birgit").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let http = http();
    let tok = client
        .exchange_code(code.clone())
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let access = tok.access_token().secret().clone();
    assert!(access.starts_with("cpo_"));
    assert!(tok.refresh_token().is_some());
    assert!(tok.expires_in().unwrap().as_secs() <= 600);
    assert_eq!(tok.scopes().unwrap()[0].as_str(), "bookings:read");
    // It reads the resident's bookings ...
    let r = api_get(&app, &access, "/api/v1/bookings").await;
    assert_eq!(r.status(), StatusCode::OK);
    // ... but not their account, which needs another scope.
    let r = api_get(&app, &access, "/api/v1/accounts/me").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"account:read\""
    );
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["type"], "/problems/insufficient-scope");
    // The access log has the read of the bookings, not the refused request.
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log?locale=en"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["your data through GET /api/v1/bookings"], "{log}");
    // Nor what no app may do (operations without the OAuth2 scheme): the token is
    // valid, so no scope would do (RFC 6750 3.1), not `invalid_token`.
    let r = api_get(&app, &access, "/api/v1/accounts/me/export").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\""
    );

    // The code again: refused, and the tokens it gave are revoked.
    let (_, verifier2) = PkceCodeChallenge::new_random_sha256();
    let again = client
        .exchange_code(code)
        .set_pkce_verifier(verifier2)
        .request_async(&http)
        .await;
    assert_eq!(error_of(again), BasicErrorResponseType::InvalidGrant);
    let r = api_get(&app, &access, "/api/v1/bookings").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Denying sends access_denied back, with state and iss.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("bookings:read".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = consent(&app, &resident, url.as_str(), "deny").await;
    assert_eq!(query(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        query(&back, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(query(&back, "iss").as_deref(), Some(issuer(&app).as_str()));

    // RFC 6749 10.12: the consent form without this browser's CSRF token is refused.
    let forged = resident
        .client
        .post(app.url("/oauth/authorize"))
        .form(&[
            ("csrf", "forged"),
            ("client_id", reg.id.as_str()),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Logged out, the authorize URL goes through login and comes back.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("bookings:read".into()))
        .set_pkce_challenge(challenge)
        .url();
    let r = client_jar().get(url.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let login = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        login.starts_with("/login?next=%2Foauth%2Fauthorize%3F"),
        "{login}"
    );
}
on_both!(code_flow_with_pkce_and_consent);

fn client_jar() -> reqwest::Client {
    crate::helpers::client()
}

/// RFC 7636 4.6: a wrong verifier is refused; RFC 6749 4.1.2.1 / RFC 9700 2.1: a
/// redirect URI one character off is never redirected to; RFC 6749 4.1.3: the token
/// request's redirect_uri must be the authorization request's; RFC 7636 4.4.1: PKCE is
/// required; 4.1.2.1: an error about the request goes back to the app.
async fn wrong_verifier_and_redirect_uri_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Terminfinder").await;
    let resident = app.register("Carla").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();

    let (code, _) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let (_, wrong) = PkceCodeChallenge::new_random_sha256();
    let r = client
        .exchange_code(code)
        .set_pkce_verifier(wrong)
        .request_async(&http)
        .await;
    assert_eq!(error_of(r), BasicErrorResponseType::InvalidGrant);

    // Without a verifier at all.
    let (code, _) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let r = client.exchange_code(code).request_async(&http).await;
    assert_eq!(error_of(r), BasicErrorResponseType::InvalidRequest);

    // The token request with another redirect URI than the authorization request's.
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let r = oauth_client(&app, &reg, "http://127.0.0.1:9/callbacK")
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await;
    assert_eq!(error_of(r), BasicErrorResponseType::InvalidGrant);

    // An authorization request with a redirect URI one character off: an error page,
    // never a redirect.
    for bad in [
        "http://127.0.0.1:9/callbacK",
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/callback?x=1",
    ] {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (url, _) = oauth_client(&app, &reg, bad)
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new("bookings:read".into()))
            .set_pkce_challenge(challenge)
            .url();
        let r = resident.client.get(url.as_str()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.headers().get("location").is_none());
    }
    // An unknown client: an error page too.
    let r = resident
        .client
        .get(app.url(&format!(
            "/oauth/authorize?response_type=code&client_id=00000000-0000-0000-0000-000000000000&redirect_uri={REDIRECT}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // No PKCE: invalid_request, sent back to the (registered) redirect URI.
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("bookings:read".into()))
        .url();
    let r = resident.client.get(url.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(query(&back, "error").as_deref(), Some("invalid_request"));
    // A scope the app may not ask for: invalid_scope.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("organizations:manage".into()))
        .set_pkce_challenge(challenge)
        .url();
    let r = resident.client.get(url.as_str()).send().await.unwrap();
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(query(&back, "error").as_deref(), Some("invalid_scope"));
}
on_both!(wrong_verifier_and_redirect_uri_are_refused);

/// RFC 6749 6 and RFC 9700 4.14.2: each refresh gives a new refresh token; the old one
/// used again revokes the whole family; a public client uses the code flow with PKCE
/// and no secret (RFC 6749 2.1, RFC 9700 2.1.1).
async fn refresh_rotation_and_reuse(app: TestApp) {
    let admin = app.admin().await;
    let reg = register_client(
        &app,
        &admin,
        json!({
            "name": "Handy-App", "kind": "public",
            "scopes": ["bookings:read", "account:read"],
            "redirect_uris": [REDIRECT],
        }),
    )
    .await;
    assert!(reg.secret.is_none());
    let resident = app.register("Dora").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (code, verifier) =
        code_for(&app, &client, &resident, &["bookings:read", "account:read"]).await;
    let first = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let r1 = first.refresh_token().unwrap().clone();
    // RFC 6749 6: the scope of a refresh may only narrow.
    let wider = client
        .exchange_refresh_token(&r1)
        .add_scope(Scope::new("bookings:write".into()))
        .request_async(&http)
        .await;
    assert_eq!(error_of(wider), BasicErrorResponseType::InvalidScope);
    let second = client
        .exchange_refresh_token(&r1)
        .add_scope(Scope::new("bookings:read".into()))
        .request_async(&http)
        .await
        .unwrap();
    let r2 = second.refresh_token().unwrap().clone();
    assert_ne!(r1.secret(), r2.secret(), "the refresh token rotates");
    assert_eq!(second.scopes().unwrap().len(), 1);
    let a2 = second.access_token().secret().clone();
    assert_eq!(
        api_get(&app, &a2, "/api/v1/bookings").await.status(),
        StatusCode::OK
    );
    // client_credentials is not for public clients.
    let r = client
        .exchange_client_credentials()
        .request_async(&http)
        .await;
    assert_eq!(error_of(r), BasicErrorResponseType::UnauthorizedClient);
    // The spent refresh token again: refused, and its family is gone.
    let reused = client
        .exchange_refresh_token(&r1)
        .request_async(&http)
        .await;
    assert_eq!(error_of(reused), BasicErrorResponseType::InvalidGrant);
    let after = client
        .exchange_refresh_token(&r2)
        .request_async(&http)
        .await;
    assert_eq!(error_of(after), BasicErrorResponseType::InvalidGrant);
    assert_eq!(
        api_get(&app, &a2, "/api/v1/bookings").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Another client cannot use this client's refresh token.
    let other = app_client(&app, &admin, "Fremde App").await;
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let fresh = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let stolen = oauth_client(&app, &other, REDIRECT)
        .exchange_refresh_token(fresh.refresh_token().unwrap())
        .request_async(&http)
        .await;
    assert_eq!(error_of(stolen), BasicErrorResponseType::InvalidGrant);
}
on_both!(refresh_rotation_and_reuse);

async fn revoke(app: &TestApp, reg: &Registered, token: &str, hint: &str) {
    let r = http()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&reg.id, reg.secret.as_deref())
        .form(&[("token", token), ("token_type_hint", hint)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// RFC 7009 2.1 and 2.2: a revoked token stops working; revoking a refresh token ends
/// its family; an unknown token is answered 200 too.
async fn revocation(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Terminfinder").await;
    let resident = app.register("Emil").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let tok = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    // The oauth2 crate revokes over HTTPS only; this test server speaks HTTP, so the
    // revocation requests are made by hand (client_secret_basic, as the crate would).
    let access = tok.access_token().clone();
    revoke(&app, &reg, access.secret(), "access_token").await;
    assert_eq!(
        api_get(&app, access.secret(), "/api/v1/bookings")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // The refresh token still works; revoking it ends the family.
    let next = client
        .exchange_refresh_token(tok.refresh_token().unwrap())
        .request_async(&http)
        .await
        .unwrap();
    revoke(
        &app,
        &reg,
        next.refresh_token().unwrap().secret(),
        "refresh_token",
    )
    .await;
    assert_eq!(
        api_get(&app, next.access_token().secret(), "/api/v1/bookings")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Unknown: 200 all the same.
    let r = http
        .post(app.url("/oauth/revoke"))
        .basic_auth(&reg.id, reg.secret.as_deref())
        .form(&[("token", "cpo_unknown")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Without the client's credentials: 401.
    let r = http
        .post(app.url("/oauth/revoke"))
        .form(&[("token", "cpo_unknown"), ("client_id", reg.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
on_both!(revocation);

/// An app books for the resident with `bookings:write`; the resident's access log names
/// the app; the resident sees the grant on the account page, and taking it back ends the
/// app's tokens at once. The export lists the grant; erasure removes it (see
/// `erasure.rs` for the whole-database check).
async fn an_app_books_for_a_resident_and_the_access_log_names_it(app: TestApp) {
    let (owner, listing) = crate::booking::published_listing(&app, "Joogastudio").await;
    let (offer, starts_at) = crate::booking::class_offer(&app, &owner, &listing, 3).await;
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Terminfinder").await;
    let resident = app.register("Frieda").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (code, verifier) = code_for(
        &app,
        &client,
        &resident,
        &["bookings:read", "bookings:write"],
    )
    .await;
    let tok = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let access = tok.access_token().secret().clone();
    let resp = http
        .post(app.url("/api/v1/bookings"))
        .bearer_auth(&access)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"offer_id": offer, "starts_at": starts_at}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let booking: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    // The booking is the resident's: they see it with their own session.
    let mine: Value = resident
        .client
        .get(app.url("/api/v1/bookings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"][0]["id"], booking["id"]);
    // The access log names the app.
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log?locale=en"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log["items"].as_array().or(log.as_array()).unwrap().clone();
    let by_app: Vec<&Value> = entries
        .iter()
        .filter(|e| e["reader_kind"] == "app")
        .collect();
    assert!(!by_app.is_empty(), "{log}");
    assert!(by_app.iter().all(|e| e["reader"] == "Terminfinder"));
    assert!(
        by_app.iter().any(|e| e["resource"]
            .as_str()
            .unwrap()
            .contains("POST /api/v1/bookings")),
        "{log}"
    );
    assert_eq!(by_app[0]["who"], "the app “Terminfinder”");

    // The export lists the grant.
    let export: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["app_grants"][0]["app"], "Terminfinder");
    assert_eq!(
        export["app_grants"][0]["scopes"],
        "bookings:read bookings:write"
    );

    // The account page lists the app; taking the grant back ends its tokens.
    let page = resident
        .client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Terminfinder"),
        "the account page names the app"
    );
    let grant = entities::oauth_grant::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.user_id == resident.id)
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/apps/{}/revoke", grant.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api_get(&app, &access, "/api/v1/bookings").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed = client
        .exchange_refresh_token(tok.refresh_token().unwrap())
        .request_async(&http)
        .await;
    assert_eq!(error_of(refreshed), BasicErrorResponseType::InvalidGrant);
}
on_both!(an_app_books_for_a_resident_and_the_access_log_names_it);

/// The admin page registers a client (the secret shown once), rotates its secret and
/// disables it; others may not see it.
async fn admin_page_registers_rotates_and_disables(app: TestApp) {
    let admin = app.admin().await;
    let page = admin
        .client
        .get(app.url("/admin/oauth-clients?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    // Invalid: no scope, a redirect URI over plain HTTP elsewhere.
    let r = admin
        .client
        .post(app.url("/admin/oauth-clients"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Bürger-App"),
            ("kind", "public"),
            ("redirect_uris", "http://app.example/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary"));
    assert!(html.contains("Bürger-App"), "the typing is kept");
    let r = admin
        .client
        .post(app.url("/admin/oauth-clients"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Stadtwerke-Modul"),
            ("kind", "confidential"),
            ("scope", "tokens:introspect"),
            ("scope", "bookings:read"),
            ("redirect_uris", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let start = html.find("cps_").expect("the secret is shown once");
    let secret = html[start..start + 47].to_string();
    let c = entities::oauth_client::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(c.scopes, "bookings:read tokens:introspect");
    let reg = Registered {
        id: c.id.to_string(),
        secret: Some(secret),
    };
    oauth_client(&app, &reg, REDIRECT)
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .expect("the shown secret works");
    let page = admin
        .client
        .get(app.url("/admin/oauth-clients"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("cps_"), "never shown again");
    let r = admin
        .client
        .post(app.url(&format!("/admin/oauth-clients/{}/secret", c.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("cps_"));
    let r = admin
        .client
        .post(app.url(&format!("/admin/oauth-clients/{}/disable", c.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = oauth_client(&app, &reg, REDIRECT)
        .exchange_client_credentials()
        .request_async(&http())
        .await;
    assert_eq!(error_of(r), BasicErrorResponseType::InvalidClient);
    let resident = app.register("Gustav").await;
    let r = resident
        .client
        .get(app.url("/admin/oauth-clients"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
on_both!(admin_page_registers_rotates_and_disables);

/// RFC 6749 6 and RFC 9700 4.14.2 under concurrency: a refresh token keeps the grant's
/// whole scope after a narrowed refresh; of two refreshes with the same token at once
/// exactly one succeeds, and the reuse revokes what the winner got. An app token on an
/// operation not open to apps reads no more than no token; the token endpoint reads at
/// most a small form.
async fn refresh_races_scopes_and_limits(app: TestApp) {
    let admin = app.admin().await;
    let reg = register_client(
        &app,
        &admin,
        json!({
            "name": "Renn-App", "kind": "public",
            "scopes": ["bookings:read", "account:read"],
            "redirect_uris": [REDIRECT],
        }),
    )
    .await;
    let (owner, org) = app.business_owner("Eda").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (code, verifier) =
        code_for(&app, &client, &owner, &["bookings:read", "account:read"]).await;
    let first = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    // Narrowed once, the next refresh may ask for the whole grant again.
    let narrow = client
        .exchange_refresh_token(first.refresh_token().unwrap())
        .add_scope(Scope::new("bookings:read".into()))
        .request_async(&http)
        .await
        .unwrap();
    let whole = client
        .exchange_refresh_token(narrow.refresh_token().unwrap())
        .add_scope(Scope::new("account:read".into()))
        .add_scope(Scope::new("bookings:read".into()))
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(whole.scopes().unwrap().len(), 2);

    // Two refreshes with the same token at once.
    let rt = whole.refresh_token().unwrap().clone();
    let (a, b) = tokio::join!(
        client.exchange_refresh_token(&rt).request_async(&http),
        client.exchange_refresh_token(&rt).request_async(&http),
    );
    let winners: Vec<_> = [a, b].into_iter().filter_map(Result::ok).collect();
    assert_eq!(winners.len(), 1, "exactly one refresh wins");
    let got = winners[0].access_token().secret().clone();
    assert_eq!(
        api_get(&app, &got, "/api/v1/bookings").await.status(),
        StatusCode::UNAUTHORIZED,
        "the reuse revoked the winner's tokens too"
    );

    // An operation without the OAuth2 scheme: the app sees what anyone sees.
    let (code, verifier) = code_for(&app, &client, &owner, &["bookings:read"]).await;
    let t = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let (listing, _) = app.create_listing(&owner, org, "Entwurf Eda").await;
    let path = format!("/api/v1/listings/{}", listing["id"].as_str().unwrap());
    let r = owner.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the owner sees the draft");
    let r = api_get(&app, t.access_token().secret(), &path).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "the app does not");

    // A huge form is refused before it is read whole.
    let r = http
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&x={}",
            "a".repeat(200_000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}
on_both!(refresh_races_scopes_and_limits);

/// Every read by an app is recorded, also when many come at once (first reads are
/// stored in groups before their answers; repeats of the same read within a quarter of
/// an hour are counted on the first one's record, see `privacy::writer`): 200
/// concurrent reads and 50 more one after another are 250 reads in the access log, on
/// far fewer records.
async fn concurrent_app_reads_are_each_recorded(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Zähl-App").await;
    let resident = app.register("Greta").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (code, verifier) = code_for(&app, &client, &resident, &["account:read"]).await;
    let tok = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let access = tok.access_token().secret().clone();
    let mut reads = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (http, url, access) = (http.clone(), app.url("/api/v1/accounts/me"), access.clone());
        reads.spawn(async move {
            http.get(url)
                .bearer_auth(access)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = reads.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let records = || async {
        app.state.access_log.flush().await.unwrap();
        entities::access_record::Entity::find()
            .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
            .filter(entities::access_record::Column::ActorRole.eq("app"))
            .all(&app.state.db)
            .await
            .unwrap()
    };
    let stored = records().await;
    let sum = |rs: &[entities::access_record::Model]| rs.iter().map(|r| r.reads).sum::<i32>();
    assert_eq!(sum(&stored), 200, "{stored:?}");
    assert!(!stored.is_empty() && stored.len() <= 200);
    for _ in 0..50 {
        let r = api_get(&app, &access, "/api/v1/accounts/me").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let again = records().await;
    assert_eq!(sum(&again), 250);
    // The repeats went onto the records there were (one more at most: a new quarter of
    // an hour may have begun meanwhile).
    assert!(
        again.len() <= stored.len() + 1,
        "{} then {}",
        stored.len(),
        again.len()
    );
    let repeated = again
        .iter()
        .find(|r| r.reads > 1)
        .expect("a counted record");
    assert!(repeated.last_read_at.unwrap() >= repeated.created_at);
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let counted: u64 = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reader_kind"] == "app")
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 250, "{log}");
    // The resident's export has every record with its count.
    let export: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exported: i64 = export["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor_role"] == "app")
        .map(|e| e["reads"].as_i64().unwrap())
        .sum();
    assert_eq!(exported, 250);
}
on_both!(concurrent_app_reads_are_each_recorded);

/// Two first consents for the same resident and app at once (two tabs): both get a
/// code, not `server_error`; there is one grant, with the scopes of both.
async fn concurrent_first_consents_make_one_grant(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Doppel-App").await;
    let resident = app.register("Hanna").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    for round in 0..5 {
        let mut forms = Vec::new();
        for scope in ["bookings:read", "account:read"] {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, _) = client
                .authorize_url(CsrfToken::new_random)
                .set_pkce_challenge(challenge)
                .add_scope(Scope::new(scope.into()))
                .url();
            forms.push((
                consent_form(&resident, url.as_str(), "allow").await,
                verifier,
            ));
        }
        let (a, b) = tokio::join!(
            send_consent(&app, &resident, &forms[0].0),
            send_consent(&app, &resident, &forms[1].0)
        );
        for (back, (_, verifier)) in [a, b].into_iter().zip(forms) {
            assert_eq!(query(&back, "error"), None, "round {round}: {back}");
            let code = AuthorizationCode::new(query(&back, "code").unwrap());
            let tok = client
                .exchange_code(code)
                .set_pkce_verifier(verifier)
                .request_async(&http)
                .await
                .unwrap();
            assert!(tok.access_token().secret().starts_with("cpo_"));
        }
        let grants: Vec<_> = entities::oauth_grant::Entity::find()
            .filter(entities::oauth_grant::Column::UserId.eq(resident.id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(grants.len(), 1, "round {round}");
        assert_eq!(grants[0].scopes, "account:read bookings:read");
        // The next round begins with no grant: a first consent again.
        let page = resident
            .client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap();
        let csrf = hidden(&page.text().await.unwrap(), "csrf");
        let r = resident
            .client
            .post(app.url(&format!("/account/apps/{}/revoke", grants[0].id)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
}
on_both!(concurrent_first_consents_make_one_grant);

/// RFC 6750 3 and 3.1: a 401 to a bearer token that is unknown, expired or revoked says
/// `error="invalid_token"`, whether the token looks like an app's or a personal one; a
/// 401 without credentials carries the bare challenge; a token without the scope needed
/// gets 403 `insufficient_scope` with the scope.
async fn refused_bearer_tokens_carry_their_challenge(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Abgelaufen-App").await;
    let resident = app.register("Ida").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
        let tok = client
            .exchange_code(code)
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .unwrap();
        tokens.push(tok.access_token().secret().clone());
    }
    let (expired, revoked) = (&tokens[0], &tokens[1]);
    for t in [expired, revoked] {
        assert_eq!(
            api_get(&app, t, "/api/v1/bookings").await.status(),
            StatusCode::OK
        );
    }
    // One expires (as if ten minutes had passed), the other is revoked (RFC 7009).
    use sea_orm::sea_query::Expr;
    entities::oauth_token::Entity::update_many()
        .col_expr(
            entities::oauth_token::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(entities::oauth_token::Column::TokenHash.eq(city_portal_sha256(expired)))
        .exec(&app.state.db)
        .await
        .unwrap();
    revoke(&app, &reg, revoked, "access_token").await;
    let unknown_app = format!("cpo_{}", "x".repeat(43));
    let unknown_personal = format!("cpt_{}", "x".repeat(43));
    for (what, token) in [
        ("expired", expired.as_str()),
        ("revoked", revoked.as_str()),
        ("unknown app token", unknown_app.as_str()),
        ("unknown personal token", unknown_personal.as_str()),
        ("garbage", "not-a-token"),
    ] {
        for path in ["/api/v1/bookings", "/api/v1/accounts/me/export"] {
            let r = api_get(&app, token, path).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what} on {path}");
            assert_eq!(
                r.headers()["www-authenticate"],
                "Bearer error=\"invalid_token\"",
                "{what} on {path}"
            );
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json"));
        }
    }
    // No credentials: the bare challenge, no error code (RFC 6750 3).
    let r = http.get(app.url("/api/v1/bookings")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    // A valid token without the scope: 403 naming the scope (RFC 6750 3.1).
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let tok = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let r = api_get(&app, tok.access_token().secret(), "/api/v1/accounts/me").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"account:read\""
    );
}
on_both!(refused_bearer_tokens_carry_their_challenge);

fn city_portal_sha256(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// Control characters and overlong values in a client's name or redirect URIs are
/// refused with 422 naming the field (the API) and beside the field (the admin page);
/// a NUL never reaches the database (PostgreSQL refuses it in text).
async fn client_fields_refuse_control_characters(app: TestApp) {
    let admin = app.admin().await;
    let post = |body: Value| {
        admin
            .client
            .post(app.url("/api/v1/oauth-clients"))
            .json(&body)
            .send()
    };
    let ok_uri = "https://app.example/cb";
    let long_uri = format!("https://app.example/{}", "a".repeat(500));
    let cases: Vec<(&str, String, String)> = vec![
        ("name", "App\u{0}Name".into(), ok_uri.into()),
        ("name", "App\u{7}".into(), ok_uri.into()),
        ("name", "Zeile\neins".into(), ok_uri.into()),
        ("name", "Rechts\u{202e}links".into(), ok_uri.into()),
        ("name", "a".repeat(101), ok_uri.into()),
        (
            "redirect_uris[0]",
            "App".into(),
            "https://app.example/c\u{0}b".into(),
        ),
        (
            "redirect_uris[0]",
            "App".into(),
            "https://app.example/c\u{1b}b".into(),
        ),
        (
            "redirect_uris[0]",
            "App".into(),
            "https://app.example/c\u{7f}b".into(),
        ),
        ("redirect_uris", "App".into(), long_uri.clone()),
    ];
    for (field, name, uri) in &cases {
        let r = post(json!({
            "name": name, "kind": "public", "scopes": ["bookings:read"],
            "redirect_uris": [uri],
        }))
        .await
        .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(fields(&p), [field.to_string()], "{name:?} {uri:?}: {p}");
    }
    let none = entities::oauth_client::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(none, 0, "nothing was stored");

    // The admin page: the messages beside the fields, the typing kept.
    let page = admin
        .client
        .get(app.url("/admin/oauth-clients?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    // (Not NUL, which no page's form gets past the edge with: see `problems.rs`.)
    let uris = format!("https://app.example/ok\nhttps://app.example/c\u{1b}b\n{long_uri}");
    let r = admin
        .client
        .post(app.url("/admin/oauth-clients"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Bürger\u{7}App"),
            ("kind", "public"),
            ("scope", "bookings:read"),
            ("redirect_uris", uris.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(
        html.contains("aria-describedby=\"redirect_uris-error\""),
        "{html}"
    );
    let beside = &html[html.find("id=\"redirect_uris-error\"").unwrap()..];
    let beside = &beside[..beside.find("</p>").unwrap()];
    assert!(
        beside.contains("Redirect address 1 contains control characters"),
        "{beside}"
    );
    assert!(
        beside.contains("Redirect address 2 is longer than 500"),
        "{beside}"
    );
    let name_error = &html[html.find("id=\"name-error\"").unwrap()..];
    assert!(
        name_error.starts_with("id=\"name-error\">Remove control characters"),
        "{name_error}"
    );
    assert_eq!(
        entities::oauth_client::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}
on_both!(client_fields_refuse_control_characters);

/// RFC 8252 7.3: a native app registers a loopback IP redirect URI and, at the time of
/// the request, listens on whatever port it got: any port is allowed, the path exactly
/// as registered; the token request names the same URI as the authorization request.
/// `localhost` is refused at registration (RFC 8252 8.3).
async fn loopback_redirect_uris_take_any_port(app: TestApp) {
    let admin = app.admin().await;
    let reg = register_client(
        &app,
        &admin,
        json!({
            "name": "Desktop-App", "kind": "public", "scopes": ["bookings:read"],
            "redirect_uris": ["http://127.0.0.1/callback", "http://[::1]:8080/cb"],
        }),
    )
    .await;
    let resident = app.register("Jonas").await;
    let http = http();
    for redirect in [
        "http://127.0.0.1:51004/callback",
        "http://127.0.0.1/callback",
        "http://[::1]:61023/cb",
    ] {
        let client = oauth_client(&app, &reg, redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_scope(Scope::new("bookings:read".into()))
            .url();
        let back = consent(&app, &resident, url.as_str(), "allow").await;
        assert!(back.as_str().starts_with(redirect), "{back}");
        assert_eq!(
            query(&back, "state").as_deref(),
            Some(state.secret().as_str())
        );
        let code = AuthorizationCode::new(query(&back, "code").unwrap());
        // The token request must name the URI of the authorization request, port and
        // all (RFC 6749 4.1.3): another port is refused ...
        let other = oauth_client(&app, &reg, "http://127.0.0.1:1/callback");
        let (_, wrong) = PkceCodeChallenge::new_random_sha256();
        if redirect.contains("127.0.0.1:51004") {
            let r = other
                .exchange_code(code.clone())
                .set_pkce_verifier(wrong)
                .request_async(&http)
                .await;
            assert_eq!(error_of(r), BasicErrorResponseType::InvalidGrant);
            continue;
        }
        // ... the same one works.
        let tok = client
            .exchange_code(code)
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .unwrap();
        assert!(tok.access_token().secret().starts_with("cpo_"));
    }
    // Anything but the port must match: path, case, trailing slash, query, address.
    for redirect in [
        "http://127.0.0.1:51004/callback/",
        "http://127.0.0.1:51004/Callback",
        "http://127.0.0.1:51004/callback?x=1",
        "http://[::1]:51004/callback",
        "http://localhost:51004/callback",
        "http://127.1:51004/callback",
        "https://127.0.0.1:51004/callback",
        "http://127.0.0.1:51004@evil.example/callback",
    ] {
        let url = format!(
            "{}?response_type=code&client_id={}&redirect_uri={}&scope=bookings%3Aread&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"),
            reg.id,
            url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        );
        let r = resident.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{redirect}");
        assert!(r.headers().get("location").is_none(), "{redirect}");
    }
    // localhost is not registered (RFC 8252 8.3), nor HTTP elsewhere.
    for uri in [
        "http://localhost/cb",
        "http://localhost:8080/cb",
        "http://127.1/cb",
    ] {
        let r = admin
            .client
            .post(app.url("/api/v1/oauth-clients"))
            .json(&json!({
                "name": "Lokal", "kind": "public", "scopes": ["bookings:read"],
                "redirect_uris": [uri],
            }))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(fields(&p), ["redirect_uris"], "{uri}");
    }
}
on_both!(loopback_redirect_uris_take_any_port);

/// RFC 8414 3.1: with a path in `PUBLIC_URL` (`http://stadt.example/portal`, behind a
/// reverse proxy that strips it), the metadata is at `/.well-known/oauth-authorization-
/// server/portal` (the well-known string between host and path), also under the
/// portal's own path, and not for another path. Its `issuer` is the issuer with the
/// path, and it is the very `iss` of the authorization response (RFC 9207 2) and of
/// introspection, as clients compare them (RFC 8414 3.3).
async fn metadata_of_an_issuer_with_a_path(app: TestApp) {
    let iss = "http://stadt.example/portal";
    assert_eq!(issuer(&app), iss);
    for path in [
        "/.well-known/oauth-authorization-server/portal",
        "/.well-known/oauth-authorization-server",
    ] {
        let resp = http().get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let m: Value = resp.json().await.unwrap();
        assert_eq!(m["issuer"], iss, "{path}");
        assert_eq!(
            m["authorization_endpoint"],
            format!("{iss}/oauth/authorize")
        );
        assert_eq!(m["token_endpoint"], format!("{iss}/oauth/token"));
    }
    for path in [
        "/.well-known/oauth-authorization-server/other",
        "/.well-known/oauth-authorization-server/portal/x",
        "/.well-known/oauth-authorization-server/porta",
    ] {
        let resp = http().get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The authorization response's iss (checked in `code_for`) and introspection's.
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Pfad-App").await;
    let resident = app.register("Klara").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let (code, verifier) = code_for(&app, &client, &resident, &["bookings:read"]).await;
    let tok = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap();
    let module = register_client(
        &app,
        &admin,
        json!({"name": "Prüf-Modul", "kind": "confidential", "scopes": ["tokens:introspect"]}),
    )
    .await;
    let own = oauth_client(&app, &module, REDIRECT)
        .exchange_client_credentials()
        .request_async(&http())
        .await
        .unwrap();
    let intro: Value = http()
        .post(app.url("/oauth/introspect"))
        .bearer_auth(own.access_token().secret())
        .form(&[("token", tok.access_token().secret().as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true, "{intro}");
    assert_eq!(intro["iss"], iss);
}
on_both_with!(
    metadata_of_an_issuer_with_a_path,
    vec![("PUBLIC_URL", "http://stadt.example/portal/".to_string())]
);

/// The code flow for `scopes` through to the tokens.
async fn token_of(
    app: &TestApp,
    client: &Client,
    resident: &User,
    scopes: &[&str],
) -> BasicTokenResponse {
    let (code, verifier) = code_for(app, client, resident, scopes).await;
    client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap()
}

/// Narrowing a client's scopes takes effect at once: grants keep only what is still
/// allowed (one left empty is removed), live access tokens stop working for the scopes
/// taken away (one left with none is revoked), and a refresh gives no more; widening
/// again gives residents' grants nothing they did not agree to.
async fn narrowing_a_clients_scopes_narrows_grants_and_tokens(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Schmal-App").await;
    let client = oauth_client(&app, &reg, REDIRECT);
    let http = http();
    let (anna, bert) = (app.register("Anna").await, app.register("Bert").await);
    let a = token_of(&app, &client, &anna, &["bookings:read", "account:read"]).await;
    let b = token_of(&app, &client, &bert, &["account:read"]).await;
    let a_access = a.access_token().secret().clone();
    let b_access = b.access_token().secret().clone();
    assert_eq!(
        api_get(&app, &a_access, "/api/v1/accounts/me")
            .await
            .status(),
        StatusCode::OK
    );

    let put = |scopes: Value| {
        admin
            .client
            .put(app.url(&format!("/api/v1/oauth-clients/{}/scopes", reg.id)))
            .json(&json!({ "scopes": scopes }))
            .send()
    };
    // Checked like registration.
    let p = problem(put(json!([])).await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["scopes"]);
    let p = problem(put(json!(["bookings:nope"])).await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["scopes"]);
    let r = anna
        .client
        .put(app.url(&format!("/api/v1/oauth-clients/{}/scopes", reg.id)))
        .json(&json!({"scopes": ["bookings:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = put(json!(["bookings:read", "bookings:write"]))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["scopes"], json!(["bookings:read", "bookings:write"]));

    // Anna's token works for what is left, not for what was taken away.
    assert_eq!(
        api_get(&app, &a_access, "/api/v1/bookings").await.status(),
        StatusCode::OK
    );
    let r = api_get(&app, &a_access, "/api/v1/accounts/me").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"account:read\""
    );
    // Bert's had nothing left: revoked, and his grant is gone.
    let r = api_get(&app, &b_access, "/api/v1/accounts/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let refreshed = client
        .exchange_refresh_token(b.refresh_token().unwrap())
        .request_async(&http)
        .await;
    assert_eq!(error_of(refreshed), BasicErrorResponseType::InvalidGrant);
    let grants = entities::oauth_grant::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].user_id, grants[0].scopes.as_str()),
        (anna.id, "bookings:read")
    );
    // Anna's refresh gives only what is left.
    let t = client
        .exchange_refresh_token(a.refresh_token().unwrap())
        .request_async(&http)
        .await
        .unwrap();
    let scopes: Vec<&str> = t.scopes().unwrap().iter().map(|s| s.as_str()).collect();
    assert_eq!(scopes, ["bookings:read"]);

    // Widening again: the grant and the tokens stay as narrow as they are.
    assert_eq!(
        put(json!(["bookings:read", "account:read"]))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let r = api_get(&app, t.access_token().secret(), "/api/v1/accounts/me").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let grant = entities::oauth_grant::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grant.scopes, "bookings:read");
}
on_both!(narrowing_a_clients_scopes_narrows_grants_and_tokens);

/// The admin page changes a client's scopes too; none is refused beside that client's
/// scopes.
async fn admin_page_changes_a_clients_scopes(app: TestApp) {
    let admin = app.admin().await;
    let reg = app_client(&app, &admin, "Seiten-App").await;
    let page = admin
        .client
        .get(app.url("/admin/oauth-clients?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!(
        "action=\"/admin/oauth-clients/{}/scopes\"",
        reg.id
    )));
    let csrf = hidden(&page, "csrf");
    let url = app.url(&format!("/admin/oauth-clients/{}/scopes", reg.id));
    let r = admin
        .client
        .post(&url)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "id=\"scopes-{}-error\">Choose at least one scope.",
            reg.id
        )),
        "{html}"
    );
    let r = admin
        .client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("scope", "bookings:read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = entities::oauth_client::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.scopes, "bookings:read");
}
on_both!(admin_page_changes_a_clients_scopes);
