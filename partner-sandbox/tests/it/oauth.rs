//! The token endpoint (RFC 6749 client credentials) and bearer protection of the API.

use std::time::Duration;

use partner_sandbox::ClientCredentials;

use crate::helpers::*;

async fn token_request(app: &App, req: reqwest::RequestBuilder) -> Answer {
    let _ = app;
    read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn basic_auth_gets_a_bearer_token_and_is_counted() {
    let app = spawn_app().await;
    assert_eq!(app.sandbox.tokens_issued(), 0);
    let a = token_request(
        &app,
        app.http
            .post(app.sandbox.token_url())
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials"), ("scope", "bookings")]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["expires_in"], 3600);
    assert_eq!(a.body["scope"], "bookings");
    assert!(a.body["access_token"].as_str().unwrap().len() >= 32);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(app.sandbox.tokens_issued(), 1);
    let token = a.body["access_token"].as_str().unwrap();
    let health = app.get("/health", token).await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.body["status"], "ok");
    // A second grant is a second token.
    let other = app.token().await;
    assert_ne!(other, token);
    assert_eq!(app.sandbox.tokens_issued(), 2);
}

#[tokio::test]
async fn form_fields_authenticate_too_and_encoded_basic_credentials_are_decoded() {
    let app = spawn_with(|c| {
        c.clients = vec![ClientCredentials::new("portal one", "s3cr:t&x=y")];
    })
    .await;
    let a = token_request(
        &app,
        app.http.post(app.sandbox.token_url()).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "portal one"),
            ("client_secret", "s3cr:t&x=y"),
        ]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
    let a = token_request(
        &app,
        app.http
            .post(app.sandbox.token_url())
            .basic_auth("portal+one", Some("s3cr%3At%26x%3Dy"))
            .form(&[("grant_type", "client_credentials")]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(app.sandbox.tokens_issued(), 2);
}

#[tokio::test]
async fn bad_clients_get_rfc6749_errors() {
    let app = spawn_app().await;
    let url = app.sandbox.token_url();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some("wrong"))
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            app.http
                .post(&url)
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            app.http.post(&url).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
            ]),
            401,
            "invalid_client",
        ),
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                ]),
            400,
            "invalid_request",
        ),
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[("grant_type", "password")]),
            400,
            "unsupported_grant_type",
        ),
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "bookings admin"),
                ]),
            400,
            "invalid_scope",
        ),
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[("scope", "bookings")]),
            400,
            "invalid_request",
        ),
        (
            app.http
                .post(&url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .json(&serde_json::json!({"grant_type": "client_credentials"})),
            400,
            "invalid_request",
        ),
    ];
    for (i, (req, status, error)) in cases.into_iter().enumerate() {
        let a = token_request(&app, req).await;
        assert_eq!(a.status, status, "case {i}: {}", a.text);
        assert_eq!(a.body["error"], error, "case {i}: {}", a.text);
        assert!(a.content_type().starts_with("application/json"), "case {i}");
        assert_eq!(a.header("cache-control"), Some("no-store"), "case {i}");
        if status == 401 {
            assert!(a.header("www-authenticate").unwrap().starts_with("Basic"));
        }
    }
    assert_eq!(app.sandbox.tokens_issued(), 0);
}

#[tokio::test]
async fn the_api_needs_a_valid_unexpired_token() {
    let app = spawn_with(|c| c.token_ttl = Duration::from_millis(1500)).await;
    let no_token = read(app.http.get(app.api("/health")).send().await.unwrap()).await;
    no_token.assert_problem(401, "unauthorized");
    assert!(no_token
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    app.get("/offers", "made-up")
        .await
        .assert_problem(401, "unauthorized");
    let token = app.token().await;
    assert_eq!(app.get("/offers", &token).await.status, 200);
    let a = read(
        app.http
            .post(app.sandbox.token_url())
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.body["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    app.get("/offers", &token)
        .await
        .assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn revoked_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.token().await;
    assert_eq!(app.get("/health", &token).await.status, 200);
    app.sandbox.revoke_tokens();
    app.get("/health", &token)
        .await
        .assert_problem(401, "unauthorized");
    let fresh = app.token().await;
    assert_eq!(app.get("/health", &fresh).await.status, 200);
}
