//! The conformance checker against the sandbox in each mode.

use std::time::Duration;

use partner_sandbox::{check, check_with, CheckOptions, Mode, Outcome};

use crate::helpers::*;

#[tokio::test]
async fn a_conforming_partner_passes_every_check() {
    let app = spawn_app().await;
    let report = check(
        &app.sandbox.base_url(),
        &app.sandbox.token_url(),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .await;
    let text = report.render();
    assert!(report.passed(), "{text}");
    for name in [
        "token",
        "token-rejects-bad-secret",
        "health",
        "auth-missing",
        "auth-invalid",
        "offers",
        "availability-invalid",
        "availability",
        "idempotency-key-missing",
        "hold",
        "idempotent-replay",
        "idempotency-key-reused",
        "confirm-resident-missing",
        "confirm-extra-field",
        "confirm",
        "status",
        "cancel",
        "status-after-cancel",
        "full-slot",
        "reschedule",
        "not-found",
    ] {
        let f = report
            .finding(name)
            .unwrap_or_else(|| panic!("no finding {name}:\n{text}"));
        assert_eq!(f.outcome, Outcome::Pass, "{name}: {}\n{text}", f.message);
    }
    assert!(report.finding("cleanup").is_none(), "{text}");
    // Everything the check booked was cancelled again.
    let bookings = app.sandbox.bookings();
    assert!(!bookings.is_empty());
    assert!(
        bookings.iter().all(|b| b.status.as_str() == "cancelled"),
        "{bookings:?}"
    );
    // A base URL ending in /partner/v1 is accepted too.
    let again = check(
        &app.sandbox.url("/partner/v1/"),
        &app.sandbox.token_url(),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .await;
    assert!(again.passed(), "{}", again.render());
}

#[tokio::test]
async fn a_wrong_partner_gets_each_violation_named() {
    let app = spawn_app().await;
    app.sandbox.set_mode(Mode::Wrong);
    let report = check(
        &app.sandbox.base_url(),
        &app.sandbox.token_url(),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .await;
    let text = report.render();
    assert!(!report.passed());
    assert!(report.reachable(), "{text}");
    let failed = |name: &str, needle: &str| {
        let f = report
            .finding(name)
            .unwrap_or_else(|| panic!("no finding {name}:\n{text}"));
        assert_eq!(f.outcome, Outcome::Fail, "{name}: {}\n{text}", f.message);
        assert!(
            f.message.contains(needle),
            "{name}: `{}` lacks `{needle}`",
            f.message
        );
    };
    assert_eq!(
        report.finding("token").unwrap().outcome,
        Outcome::Pass,
        "{text}"
    );
    failed("health", "$.status: expected a string, got an integer 1");
    failed(
        "auth-missing",
        "Content-Type is `text/plain`, expected `application/problem+json`",
    );
    failed("auth-invalid", "a made-up access token was accepted");
    failed("offers", "$.offers[0].kind is missing");
    failed(
        "availability",
        "$.offers[0].slots[0].remaining: expected an integer, got a string",
    );
    failed("availability-invalid", "the body is not JSON");
    failed("hold", "answered 200, the contract says 201");
    failed("idempotent-replay", "created another booking");
    failed(
        "idempotency-key-reused",
        "expected `application/problem+json`",
    );
    failed(
        "confirm-resident-missing",
        "Content-Type is `text/plain`, expected `application/problem+json`",
    );
    failed(
        "confirm-extra-field",
        "Content-Type is `text/plain`, expected `application/problem+json`",
    );
    failed("confirm", "$.status is missing");
    failed("status", "$.status is missing");
    failed(
        "cancel",
        "\"canceled\" is not one of held, pending, confirmed, cancelled, expired, rejected",
    );
    failed(
        "full-slot",
        "answered 200, the contract says 409 (a 2xx with an error in the body)",
    );
    failed("not-found", "expected `application/problem+json`");
    assert!(text.contains("FAIL"), "{text}");
}

#[tokio::test]
async fn a_partner_that_is_down_is_reported_unreachable() {
    let app = spawn_app().await;
    app.sandbox.set_mode(Mode::Down);
    let report = check(
        &app.sandbox.base_url(),
        &app.sandbox.token_url(),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .await;
    let text = report.render();
    assert!(!report.passed());
    assert!(!report.reachable(), "{text}");
    let token = report.finding("token").unwrap();
    assert_eq!(token.outcome, Outcome::Fail);
    assert!(
        token
            .message
            .contains("answered 503: the partner is unreachable or unhealthy"),
        "{text}"
    );
    let health = report.finding("health").unwrap();
    assert!(
        health.message.contains("unreachable or unhealthy"),
        "{text}"
    );
    assert_eq!(report.finding("hold").unwrap().outcome, Outcome::Skip);
    assert!(
        text.contains("The partner is unreachable or unhealthy"),
        "{text}"
    );
}

#[tokio::test]
async fn nothing_listening_and_too_slow_are_reported() {
    // A port nobody listens on.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let report = check(
        &format!("http://{dead}"),
        &format!("http://{dead}/oauth/token"),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .await;
    assert!(!report.reachable());
    let token = report.finding("token").unwrap();
    assert!(
        token.message.contains("cannot connect"),
        "{}",
        report.render()
    );

    let app = spawn_app().await;
    app.sandbox.set_mode(Mode::Slow(Duration::from_millis(600)));
    let mut options = CheckOptions::new(
        &app.sandbox.base_url(),
        &app.sandbox.token_url(),
        CLIENT_ID,
        CLIENT_SECRET,
    );
    options.timeout = Duration::from_millis(200);
    let report = check_with(options).await;
    let token = report.finding("token").unwrap();
    assert!(
        token.message.contains("no answer within"),
        "{}",
        report.render()
    );
    assert!(!report.reachable());
}

#[tokio::test]
async fn wrong_credentials_are_reported_as_such() {
    let app = spawn_app().await;
    let report = check(
        &app.sandbox.base_url(),
        &app.sandbox.token_url(),
        CLIENT_ID,
        "not-the-secret",
    )
    .await;
    let token = report.finding("token").unwrap();
    assert_eq!(token.outcome, Outcome::Fail);
    assert!(
        token
            .message
            .contains("answered 401, the contract says 200"),
        "{}",
        report.render()
    );
    assert!(report.reachable());
    assert_eq!(report.finding("health").unwrap().outcome, Outcome::Skip);
}
