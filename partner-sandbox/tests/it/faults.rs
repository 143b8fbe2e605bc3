//! slow, down and wrong: what the portal's resilience tests and the checker run against.

use std::time::{Duration, Instant};

use partner_sandbox::Mode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn slow_delays_every_answer_of_the_partner() {
    let app = spawn_app().await;
    let token = app.token().await;
    app.sandbox.set_mode(Mode::Slow(Duration::from_millis(800)));
    let t = Instant::now();
    assert_eq!(app.get("/health", &token).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(800));
    let t = Instant::now();
    app.token().await;
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "the token endpoint is slow too"
    );
    app.sandbox.set_mode(Mode::Normal);
    let t = Instant::now();
    assert_eq!(app.get("/health", &token).await.status, 200);
    assert!(t.elapsed() < Duration::from_millis(800));
}

#[tokio::test]
async fn down_answers_503_problems_and_the_control_api_still_works() {
    let app = spawn_app().await;
    let token = app.token().await;
    app.sandbox.set_mode(Mode::Down);
    let h = app.get("/health", &token).await;
    h.assert_problem(503, "unavailable");
    assert_eq!(h.header("retry-after"), Some("30"));
    let t = read(
        app.http
            .post(app.sandbox.token_url())
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    t.assert_problem(503, "unavailable");
    let start = "2030-01-01T10:00:00+02:00";
    app.hold(&token, &key(), &yoga_hold(start, 1))
        .await
        .assert_problem(503, "unavailable");
    assert!(
        app.sandbox.bookings().is_empty(),
        "nothing happens while down"
    );
    let m = app.control(reqwest::Method::GET, "/mode", None).await;
    assert_eq!(m.body["mode"], "down");
    let m = app
        .control(
            reqwest::Method::POST,
            "/mode",
            Some(&json!({"mode": "normal"})),
        )
        .await;
    assert_eq!(m.status, 200);
    assert_eq!(app.get("/health", &token).await.status, 200);
}

#[tokio::test]
async fn wrong_breaks_the_contract_in_ways_a_checker_can_name() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.intro", 0).await;
    app.sandbox.set_mode(Mode::Wrong);
    // The token endpoint stays correct.
    let fresh = app.token().await;
    assert!(!fresh.is_empty());
    let h = app.get("/health", "not-a-token").await;
    assert_eq!(h.status, 200, "any token is accepted");
    assert_eq!(h.body, json!({"status": 1}));
    let o = app.get("/offers", &token).await;
    assert!(o.body["offers"][0].get("kind").is_none());
    let slots = app.slots(&token, "sandbox-gym.intro", 28).await;
    assert!(slots[0]["remaining"].is_string());
    assert!(slots[0].get("capacity").is_none());
    let k = key();
    let body = intro_hold(&start);
    let h1 = app.hold(&token, &k, &body).await;
    assert_eq!(h1.status, 200);
    assert_eq!(h1.body["status"], "HELD");
    let h2 = app.hold(&token, &k, &body).await;
    assert_ne!(h2.body["booking_id"], h1.body["booking_id"]);
    let full = app.hold(&token, &key(), &intro_hold(&start)).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body["error"], "slot full");
    let missing = app.get("/bookings/nope", &token).await;
    assert_eq!(missing.status, 404);
    assert!(missing.content_type().starts_with("text/plain"));
    let id = h1.body["booking_id"].as_str().unwrap();
    let c = app.confirm(&token, id, &key(), &intro_confirm()).await;
    assert_eq!(c.body, json!({"ok": true}));
    let g = app.get(&format!("/bookings/{id}"), &token).await;
    assert!(g.body.get("status").is_none());
    let x = app
        .post(
            &format!("/bookings/{id}/cancel"),
            &token,
            Some(&key()),
            None,
        )
        .await;
    assert_eq!(x.body["status"], "canceled");
    assert_eq!(x.body["seats"], "1");
    // Behind the broken answers the bookings really changed.
    assert_eq!(
        app.sandbox.booking(id).unwrap().status.as_str(),
        "cancelled"
    );
}
