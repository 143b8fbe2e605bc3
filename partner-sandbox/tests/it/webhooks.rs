//! Signed webhooks on every status change, retried, replayable.

use std::time::Duration;

use partner_sandbox::webhook::{self, Secret, WebhookError};
use serde_json::Value;

use crate::helpers::*;

fn verify(app: &App, r: &Received) -> Result<(), WebhookError> {
    let secret = Secret::parse(&app.sandbox.webhook_secret()).unwrap();
    webhook::verify_headers(&secret, &r.headers, &r.body)
}

#[tokio::test]
async fn every_status_change_is_pushed_signed_and_in_order() {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_with(|c| c.webhook_url = Some(url)).await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let body = yoga_hold(&start, 1);
    let h = app.hold(&token, &key(), &body).await;
    let id = h.body["booking_id"].as_str().unwrap().to_string();
    app.confirm(&token, &id, &key(), &yoga_confirm()).await;
    let other = app.slot(&token, "sandbox-gym.yoga", 1).await;
    app.post(
        &format!("/bookings/{id}/reschedule"),
        &token,
        Some(&key()),
        Some(&serde_json::json!({"start": other})),
    )
    .await;
    app.post(
        &format!("/bookings/{id}/cancel"),
        &token,
        Some(&key()),
        None,
    )
    .await;

    let got = receiver.wait_for(4).await;
    let types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "booking.held",
            "booking.confirmed",
            "booking.rescheduled",
            "booking.cancelled"
        ]
    );
    let mut ids = Vec::new();
    for r in &got {
        assert_eq!(verify(&app, r), Ok(()));
        assert_eq!(r.header("content-type"), "application/json");
        assert!(r.header("webhook-id").starts_with("msg_"));
        let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 10);
        ids.push(r.header("webhook-id").to_string());
        let v = r.json();
        assert_eq!(v["data"]["booking_id"], id.as_str());
        assert_eq!(v["data"]["client_token"], body["client_token"]);
        assert_eq!(v["data"]["offer_id"], "sandbox-gym.yoga");
        assert!(v["timestamp"].as_str().unwrap().contains('T'));
        assert!(v["data"].get("resident").is_none());
        assert!(
            !String::from_utf8_lossy(&r.body).contains("Aino"),
            "no resident data in webhooks"
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 4, "each event has its own id");
    let statuses: Vec<Value> = got
        .iter()
        .map(|r| r.json()["data"]["status"].clone())
        .collect();
    assert_eq!(statuses, ["held", "confirmed", "confirmed", "cancelled"]);
    assert_eq!(got[0].json()["data"].get("previous_status"), None);
    assert_eq!(got[1].json()["data"]["previous_status"], "held");
    assert_eq!(got[2].json()["data"]["start"], other.as_str());
    assert_eq!(got[3].json()["data"]["previous_status"], "confirmed");
    // The webhook verifies only with the sandbox's secret and the exact body.
    let wrong = Secret::generate();
    assert_eq!(
        webhook::verify_headers(&wrong, &got[0].headers, &got[0].body),
        Err(WebhookError::InvalidSignature)
    );
    let mut tampered = got[0].body.clone();
    tampered.push(b' ');
    assert_eq!(
        webhook::verify_headers(
            &Secret::parse(&app.sandbox.webhook_secret()).unwrap(),
            &got[0].headers,
            &tampered
        ),
        Err(WebhookError::InvalidSignature)
    );
    let records = app
        .sandbox
        .wait_for_webhooks(4, Duration::from_secs(5))
        .await;
    assert!(records
        .iter()
        .all(|r| r.delivered && r.attempts == 1 && r.last_status == Some(204)));
}

#[tokio::test]
async fn expiry_and_approval_are_pushed_too() {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_with(|c| {
        c.webhook_url = Some(url);
        c.hold_ttl = Duration::from_millis(1500);
        c.approval_delay = Some(Duration::from_millis(100));
    })
    .await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.intro", 0).await;
    app.hold(&token, &key(), &intro_hold(&start)).await;
    let monday = app.slot(&token, "sandbox-gym.monthly", 0).await;
    let m = app.hold(&token, &key(), &membership_hold(&monday)).await;
    let id = m.body["booking_id"].as_str().unwrap();
    app.confirm(&token, id, &key(), &membership_confirm()).await;
    let got = receiver.wait_for(5).await;
    let mut types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "booking.confirmed",
            "booking.expired",
            "booking.held",
            "booking.held",
            "booking.pending"
        ]
    );
    assert!(got.iter().all(|r| verify(&app, r).is_ok()));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_id() {
    let receiver = Receiver::start(2).await;
    let url = receiver.url.clone();
    let app = spawn_with(|c| c.webhook_url = Some(url)).await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let got = receiver.wait_for(3).await;
    assert_eq!(got[0].header("webhook-id"), got[2].header("webhook-id"));
    assert_eq!(got[0].body, got[2].body);
    assert!(got.iter().all(|r| verify(&app, r).is_ok()));
    let records = app
        .sandbox
        .wait_for_webhooks(1, Duration::from_secs(5))
        .await;
    assert_eq!(records[0].attempts, 3);
    assert!(records[0].delivered);
}

#[tokio::test]
async fn a_target_that_never_answers_2xx_is_given_up_after_the_attempts() {
    let receiver = Receiver::start(usize::MAX).await;
    let url = receiver.url.clone();
    let app = spawn_with(|c| {
        c.webhook_url = Some(url);
        c.webhook_attempts = 3;
    })
    .await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let records = app
        .sandbox
        .wait_for_webhooks(1, Duration::from_secs(5))
        .await;
    assert_eq!(records[0].attempts, 3);
    assert!(!records[0].delivered);
    assert_eq!(records[0].last_status, Some(500));
    assert_eq!(receiver.all().len(), 3);
}

#[tokio::test]
async fn the_last_webhook_can_be_replayed_and_sent_with_a_bad_signature() {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_with(|c| c.webhook_url = Some(url)).await;
    assert_eq!(app.sandbox.replay_last_webhook(false), None);
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let first = receiver.wait_for(1).await.remove(0);
    let id = app.sandbox.replay_last_webhook(false).unwrap();
    assert_eq!(id, first.header("webhook-id"));
    let replayed = receiver.wait_for(2).await.remove(1);
    assert_eq!(replayed.header("webhook-id"), first.header("webhook-id"));
    assert_eq!(replayed.body, first.body);
    assert_eq!(verify(&app, &replayed), Ok(()));
    // Through the control API, with a bad signature.
    let a = app
        .control(
            reqwest::Method::POST,
            "/webhooks/replay",
            Some(&serde_json::json!({"bad_signature": true})),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    assert_eq!(a.body["webhook_id"], id.as_str());
    let forged = receiver.wait_for(3).await.remove(2);
    assert_eq!(forged.body, first.body);
    assert_eq!(verify(&app, &forged), Err(WebhookError::InvalidSignature));
    let records = app
        .sandbox
        .wait_for_webhooks(3, Duration::from_secs(5))
        .await;
    assert_eq!(records.iter().filter(|r| r.replay).count(), 2);
    assert!(records[2].bad_signature);
}

#[tokio::test]
async fn without_a_target_webhooks_are_recorded_only() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let records = app
        .sandbox
        .wait_for_webhooks(1, Duration::from_secs(5))
        .await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].event_type, "booking.held");
    assert!(!records[0].delivered);
    assert_eq!(records[0].attempts, 0);
    assert!(records[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("no webhook target"));
    // A target set later receives later events.
    let receiver = Receiver::start(0).await;
    app.sandbox.set_webhook_target(Some(receiver.url.clone()));
    app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["type"], "booking.held");
}
