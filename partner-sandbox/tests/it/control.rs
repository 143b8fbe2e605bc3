//! The sandbox's control API under /sandbox (not part of the contract).

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_control_api_needs_its_token_and_is_off_without_one() {
    let off = spawn_with(|c| c.control_token = None).await;
    let a = read(
        off.http
            .get(off.sandbox.url("/sandbox/mode"))
            .bearer_auth(CONTROL_TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    a.assert_problem(404, "not-found");
    let app = spawn_app().await;
    let a = read(
        app.http
            .get(app.sandbox.url("/sandbox/mode"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    a.assert_problem(401, "unauthorized");
    let a = read(
        app.http
            .get(app.sandbox.url("/sandbox/mode"))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    a.assert_problem(401, "unauthorized");
    // An access token of the partner API is not a control token.
    let token = app.token().await;
    let a = read(
        app.http
            .get(app.sandbox.url("/sandbox/stats"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    a.assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn modes_are_switched_and_read_back() {
    let app = spawn_app().await;
    let m = app.control(reqwest::Method::GET, "/mode", None).await;
    assert_eq!(m.body, json!({"mode": "normal"}));
    let m = app
        .control(
            reqwest::Method::POST,
            "/mode",
            Some(&json!({"mode": "slow", "delay_ms": 250})),
        )
        .await;
    assert_eq!(m.body, json!({"mode": "slow", "delay_ms": 250}));
    assert_eq!(
        app.sandbox.mode(),
        partner_sandbox::Mode::Slow(std::time::Duration::from_millis(250))
    );
    let bad = app
        .control(
            reqwest::Method::POST,
            "/mode",
            Some(&json!({"mode": "sideways"})),
        )
        .await;
    bad.assert_problem(422, "validation");
    let bad = app
        .control(
            reqwest::Method::POST,
            "/mode",
            Some(&json!({"delay_ms": 3})),
        )
        .await;
    bad.assert_problem(400, "bad-request");
    for mode in ["down", "wrong", "normal"] {
        let m = app
            .control(reqwest::Method::POST, "/mode", Some(&json!({"mode": mode})))
            .await;
        assert_eq!(m.body["mode"], mode);
        assert_eq!(app.sandbox.mode().name(), mode);
    }
}

#[tokio::test]
async fn bookings_can_be_decided_and_inspected() {
    let app = spawn_with(|c| c.approval_delay = None).await;
    let token = app.token().await;
    let monday = app.slot(&token, "sandbox-gym.monthly", 0).await;
    let h = app.hold(&token, &key(), &membership_hold(&monday)).await;
    let id = h.body["booking_id"].as_str().unwrap().to_string();
    let a = app
        .control(
            reqwest::Method::POST,
            &format!("/bookings/{id}/approve"),
            None,
        )
        .await;
    a.assert_problem(409, "invalid-transition");
    app.confirm(&token, &id, &key(), &membership_confirm())
        .await;
    let a = app
        .control(
            reqwest::Method::POST,
            &format!("/bookings/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], "confirmed");
    // While confirmed, the business sees the resident data of the membership.
    let list = app.control(reqwest::Method::GET, "/bookings", None).await;
    let confirmed = &list.body["bookings"][0];
    assert_eq!(confirmed["booking_id"], id.as_str());
    assert_eq!(confirmed["resident"], membership_confirm()["resident"]);
    let x = app
        .control(
            reqwest::Method::POST,
            &format!("/bookings/{id}/cancel"),
            Some(&json!({"reason": "Closed for renovation"})),
        )
        .await;
    assert_eq!(x.body["status"], "cancelled");
    assert_eq!(x.body["status_reason"], "Closed for renovation");
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let y = app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let yid = y.body["booking_id"].as_str().unwrap();
    let e = app
        .control(
            reqwest::Method::POST,
            &format!("/bookings/{yid}/expire"),
            None,
        )
        .await;
    assert_eq!(e.body["status"], "expired");
    let r = app
        .control(reqwest::Method::POST, "/bookings/bk_nope/reject", None)
        .await;
    r.assert_problem(404, "not-found");
    let list = app.control(reqwest::Method::GET, "/bookings", None).await;
    let listed = list.body["bookings"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    // No resident data for the membership the business cancelled (it had some while
    // confirmed) nor for the hold that was never confirmed.
    assert_eq!(listed[0]["booking_id"], id.as_str());
    assert_eq!(listed[0]["resident"], serde_json::Value::Null);
    assert_eq!(listed[1]["booking_id"], yid);
    assert_eq!(listed[1]["resident"], serde_json::Value::Null);
    let stats = app.control(reqwest::Method::GET, "/stats", None).await;
    assert_eq!(stats.body["tokens_issued"], 1);
    assert_eq!(stats.body["bookings"], 2);
    let hooks = app.control(reqwest::Method::GET, "/webhooks", None).await;
    assert!(hooks.body["webhooks"].as_array().unwrap().len() >= 4);
    let revoke = app
        .control(reqwest::Method::POST, "/tokens/revoke", None)
        .await;
    assert_eq!(revoke.status, 204);
    app.get("/health", &token)
        .await
        .assert_problem(401, "unauthorized");
}
