//! Sending webhooks: signed per Standard Webhooks, in order, retried with backoff.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::model::WebhookEvent;
use crate::server::Shared;
use crate::webhook::{self, Secret};

/// One webhook the sandbox sent (or tried to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRecord {
    /// The `webhook-id` (the same on retries and replays).
    pub id: String,
    /// The event type, e.g. `booking.confirmed`.
    pub event_type: String,
    /// The exact body sent.
    pub body: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether the target answered 2xx.
    pub delivered: bool,
    /// The target's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// Whether this is a re-send of an earlier webhook.
    pub replay: bool,
    /// Whether it was sent with a deliberately wrong signature.
    pub bad_signature: bool,
}

/// A webhook waiting to be sent.
pub(crate) enum Outgoing {
    Event(WebhookEvent),
    Replay { index: usize, bad_signature: bool },
}

/// Sends queued webhooks one after another until the sandbox stops.
pub(crate) async fn run(shared: Arc<Shared>, mut rx: UnboundedReceiver<Outgoing>) {
    let client = reqwest::Client::builder()
        .timeout(shared.config.webhook_timeout)
        .build()
        .expect("HTTP client");
    while let Some(out) = rx.recv().await {
        let index = match out {
            Outgoing::Event(event) => {
                let body = serde_json::to_string(&event).expect("events serialize");
                shared.push_webhook(WebhookRecord {
                    id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
                    event_type: event.type_.as_str().to_string(),
                    body,
                    attempts: 0,
                    delivered: false,
                    last_status: None,
                    last_error: None,
                    replay: false,
                    bad_signature: false,
                })
            }
            Outgoing::Replay {
                index,
                bad_signature,
            } => {
                let Some(mut rec) = shared.webhook(index) else {
                    continue;
                };
                rec.attempts = 0;
                rec.delivered = false;
                rec.last_status = None;
                rec.last_error = None;
                rec.replay = true;
                rec.bad_signature = bad_signature;
                shared.push_webhook(rec)
            }
        };
        deliver(&shared, &client, index).await;
    }
}

async fn deliver(shared: &Shared, client: &reqwest::Client, index: usize) {
    let Some(rec) = shared.webhook(index) else {
        return;
    };
    let Some(target) = shared.webhook_target() else {
        shared.update_webhook(index, |r| {
            r.last_error = Some("no webhook target is configured".into());
        });
        return;
    };
    let attempts = shared.config.webhook_attempts.max(1);
    let mut backoff = shared.config.webhook_backoff;
    for attempt in 1..=attempts {
        let ts = Utc::now().timestamp();
        let secret = if rec.bad_signature {
            Secret::generate()
        } else {
            shared.webhook_secret()
        };
        let signature = webhook::sign(&secret, &rec.id, ts, rec.body.as_bytes());
        let result = client
            .post(&target)
            .header("content-type", "application/json")
            .header(webhook::HEADER_ID, &rec.id)
            .header(webhook::HEADER_TIMESTAMP, ts.to_string())
            .header(webhook::HEADER_SIGNATURE, signature)
            .body(rec.body.clone())
            .send()
            .await;
        let (ok, status, error) = match result {
            Ok(resp) => {
                let s = resp.status();
                (
                    s.is_success(),
                    Some(s.as_u16()),
                    (!s.is_success()).then(|| format!("the target answered {s}")),
                )
            }
            Err(e) => (false, None, Some(format!("{e}"))),
        };
        shared.update_webhook(index, |r| {
            r.attempts = attempt;
            r.delivered = ok;
            r.last_status = status;
            r.last_error = error.clone();
        });
        if ok {
            tracing::debug!(id = %rec.id, event = %rec.event_type, "webhook delivered");
            return;
        }
        tracing::warn!(id = %rec.id, attempt, error = ?error, "webhook not delivered");
        if attempt < attempts {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(Duration::from_secs(60));
        }
    }
}
