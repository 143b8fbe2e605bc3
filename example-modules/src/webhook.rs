//! Receiving the portal's webhooks: Standard Webhooks signatures
//! (<https://www.standardwebhooks.com/>) verified with the module's `whsec_` secret, and
//! each event handled once, however often it is delivered.
//!
//! The portal retries an event until the module answers 2xx, always with the same
//! `webhook-id`; so a module answers quickly, remembers the ids it accepted, and answers
//! 2xx to a repeat without acting on it again. (This example remembers them in memory;
//! a real module stores them with its cases, in the same transaction.)

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use partner_contract::webhook::{self, Secret, WebhookError, HEADER_ID};
use serde_json::Value;

/// How many `webhook-id`s are remembered (the oldest are forgotten first). The portal
/// retries within hours, so a few thousand cover any retry.
const REMEMBERED: usize = 10_000;

/// One event from the portal: `{"type", "timestamp", "data"}`.
#[derive(Clone, Debug)]
pub struct Event {
    /// The `webhook-id`.
    pub id: String,
    /// The event type, e.g. `application.submitted`.
    pub kind: String,
    /// The event's data.
    pub data: Value,
}

/// What to answer a webhook.
#[derive(Debug)]
pub enum Verdict {
    /// A new, authentic event: act on it, answer 2xx.
    New(Event),
    /// An event accepted before: answer 2xx, do nothing.
    Repeat,
    /// Not signed with our secret, too old or too new: answer 401, do nothing.
    Forged(WebhookError),
    /// Signed, but not an event: answer 400.
    Malformed,
}

/// Verifies webhooks and remembers which were accepted.
pub struct Inbox {
    secret: Secret,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl Inbox {
    /// An inbox for the `whsec_…` secret the module's approval gave.
    pub fn new(webhook_secret: &str) -> Result<Inbox, WebhookError> {
        Ok(Inbox {
            secret: Secret::parse(webhook_secret)?,
            seen: Mutex::default(),
        })
    }

    /// Checks one webhook: its signature over the raw body first (before parsing it),
    /// then whether it came before.
    pub fn receive(&self, headers: &poem::http::HeaderMap, body: &[u8]) -> Verdict {
        if let Err(e) = webhook::verify_headers(&self.secret, headers, body) {
            return Verdict::Forged(e);
        }
        let Some(id) = headers.get(HEADER_ID).and_then(|v| v.to_str().ok()) else {
            return Verdict::Forged(WebhookError::MissingHeader(HEADER_ID));
        };
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return Verdict::Malformed;
        };
        let (Some(kind), Some(data)) = (v["type"].as_str(), v.get("data")) else {
            return Verdict::Malformed;
        };
        let mut seen = self.seen.lock().expect("the inbox lock");
        let (ids, order) = &mut *seen;
        if !ids.insert(id.to_string()) {
            return Verdict::Repeat;
        }
        order.push_back(id.to_string());
        if order.len() > REMEMBERED {
            if let Some(old) = order.pop_front() {
                ids.remove(&old);
            }
        }
        Verdict::New(Event {
            id: id.to_string(),
            kind: kind.to_string(),
            data: data.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::{HeaderMap, HeaderValue};

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    fn signed(id: &str, body: &[u8]) -> HeaderMap {
        let secret = Secret::parse(SECRET).unwrap();
        let ts = chrono::Utc::now().timestamp();
        let mut h = HeaderMap::new();
        h.insert("webhook-id", HeaderValue::from_str(id).unwrap());
        h.insert(
            "webhook-timestamp",
            HeaderValue::from_str(&ts.to_string()).unwrap(),
        );
        h.insert(
            "webhook-signature",
            HeaderValue::from_str(&webhook::sign(&secret, id, ts, body)).unwrap(),
        );
        h
    }

    #[test]
    fn accepts_once_refuses_forgeries_and_non_events() {
        let inbox = Inbox::new(SECRET).unwrap();
        let body = br#"{"type":"report.submitted","timestamp":"2026-12-07T10:00:00Z","data":{"report_id":"x"}}"#;
        let h = signed("msg_1", body);
        match inbox.receive(&h, body) {
            Verdict::New(e) => {
                assert_eq!(e.kind, "report.submitted");
                assert_eq!(e.data["report_id"], "x");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(inbox.receive(&h, body), Verdict::Repeat));
        // One byte changed: not ours.
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(matches!(
            inbox.receive(&signed("msg_2", body), &tampered),
            Verdict::Forged(WebhookError::InvalidSignature)
        ));
        // Signed with another secret.
        let other = Inbox::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(matches!(
            other.receive(&signed("msg_3", body), body),
            Verdict::Forged(_)
        ));
        // No signature at all.
        assert!(matches!(
            inbox.receive(&HeaderMap::new(), body),
            Verdict::Forged(_)
        ));
        // Signed, but not an event.
        assert!(matches!(
            inbox.receive(&signed("msg_4", b"[1]"), b"[1]"),
            Verdict::Malformed
        ));
    }
}
