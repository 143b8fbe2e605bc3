//! Standard Webhooks signatures: signing (the partner's side) and verification (the
//! portal's side).
//!
//! A webhook carries three headers: `webhook-id` (unique per event, the same on every
//! retry), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`
//! (`v1,<base64 HMAC-SHA256>` of `"{id}.{timestamp}.{body}"`, keyed with the
//! base64-decoded part of a `whsec_<base64>` secret; several space-separated signatures
//! are allowed, e.g. while a secret is rotated). See <https://www.standardwebhooks.com/>.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header with the event's unique id.
pub const HEADER_ID: &str = "webhook-id";
/// Header with the attempt's Unix timestamp in seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header with the space-separated `v1,<base64>` signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far the timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECS: i64 = 5 * 60;

const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook secret or signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// The secret is not `whsec_` followed by base64 (or plain base64).
    InvalidSecret,
    /// A required header is missing or not visible ASCII.
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not an integer.
    InvalidTimestamp,
    /// The timestamp is more than five minutes in the past.
    TimestampTooOld,
    /// The timestamp is more than five minutes in the future.
    TimestampInFuture,
    /// No `v1` signature matches.
    InvalidSignature,
}

impl std::fmt::Display for WebhookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookError::InvalidSecret => write!(f, "the webhook secret is not whsec_<base64>"),
            WebhookError::MissingHeader(h) => write!(f, "the {h} header is missing"),
            WebhookError::InvalidTimestamp => write!(f, "webhook-timestamp is not an integer"),
            WebhookError::TimestampTooOld => {
                write!(f, "webhook-timestamp is more than 5 minutes old")
            }
            WebhookError::TimestampInFuture => {
                write!(f, "webhook-timestamp is more than 5 minutes in the future")
            }
            WebhookError::InvalidSignature => write!(f, "no webhook signature matches"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// A webhook signing secret: the decoded key of a `whsec_<base64>` string.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Parses `whsec_<base64>` (the prefix may be left out).
    pub fn parse(s: &str) -> Result<Secret, WebhookError> {
        let b64 = s.trim().strip_prefix(SECRET_PREFIX).unwrap_or(s.trim());
        let key = B64.decode(b64).map_err(|_| WebhookError::InvalidSecret)?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Secret(key))
    }

    /// A fresh random secret of 32 bytes.
    pub fn generate() -> Secret {
        use rand::RngCore;
        let mut key = vec![0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Secret(key)
    }

    /// The `whsec_<base64>` form, to hand to the other side.
    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", B64.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The `webhook-signature` header value (`v1,<base64>`) for one message.
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = secret.mac(id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", B64.encode(tag))
}

/// Verifies a webhook from its three header values and raw body against `now` (Unix
/// seconds): the timestamp within [`TOLERANCE_SECS`], and at least one of the
/// space-separated `v1` signatures matching (compared in constant time). Entries of
/// other versions (e.g. `v1a`) are ignored.
pub fn verify(
    secret: &Secret,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    if id.is_empty() {
        return Err(WebhookError::MissingHeader(HEADER_ID));
    }
    if signatures.trim().is_empty() {
        return Err(WebhookError::MissingHeader(HEADER_SIGNATURE));
    }
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::InvalidTimestamp)?;
    if now.saturating_sub(ts) > TOLERANCE_SECS {
        return Err(WebhookError::TimestampTooOld);
    }
    if ts.saturating_sub(now) > TOLERANCE_SECS {
        return Err(WebhookError::TimestampInFuture);
    }
    let mac = secret.mac(id, ts, body);
    let matched = signatures
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, sig)| B64.decode(sig).ok())
        // `verify_slice` compares in constant time.
        .any(|sig| mac.clone().verify_slice(&sig).is_ok());
    if matched {
        Ok(())
    } else {
        Err(WebhookError::InvalidSignature)
    }
}

/// [`verify`] reading the headers from an HTTP header map, against the current time.
pub fn verify_headers(
    secret: &Secret,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<(), WebhookError> {
    let get = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or(WebhookError::MissingHeader(name))
    };
    let id = get(HEADER_ID)?;
    let ts = get(HEADER_TIMESTAMP)?;
    let sig = get(HEADER_SIGNATURE)?;
    verify(secret, id, ts, sig, body, chrono::Utc::now().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector of the Standard Webhooks reference libraries.
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: i64 = 1649367553;
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const EXPECTED: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn secret() -> Secret {
        Secret::parse(SECRET).unwrap()
    }

    #[test]
    fn extreme_timestamps_are_refused_not_overflowed() {
        for ts in [i64::MIN, i64::MAX] {
            assert!(verify(&secret(), ID, &ts.to_string(), EXPECTED, BODY, TS).is_err());
        }
    }

    #[test]
    fn signs_the_published_test_vector() {
        assert_eq!(sign(&secret(), ID, TS, BODY), EXPECTED);
    }

    #[test]
    fn verifies_the_published_test_vector_at_its_time() {
        assert_eq!(
            verify(&secret(), ID, &TS.to_string(), EXPECTED, BODY, TS + 10),
            Ok(())
        );
    }

    #[test]
    fn rejects_a_tampered_body_id_or_timestamp() {
        let ts = TS.to_string();
        let other = br#"{"email":"test@example.com","username":"test_user2"}"#;
        assert_eq!(
            verify(&secret(), ID, &ts, EXPECTED, other, TS),
            Err(WebhookError::InvalidSignature)
        );
        assert_eq!(
            verify(&secret(), "msg_other", &ts, EXPECTED, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
        assert_eq!(
            verify(&secret(), ID, &(TS + 1).to_string(), EXPECTED, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
    }

    #[test]
    fn rejects_another_secret() {
        let other = Secret::generate();
        assert_eq!(
            verify(&other, ID, &TS.to_string(), EXPECTED, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
    }

    #[test]
    fn five_minute_tolerance_both_ways() {
        let ts = TS.to_string();
        assert!(verify(&secret(), ID, &ts, EXPECTED, BODY, TS + TOLERANCE_SECS).is_ok());
        assert!(verify(&secret(), ID, &ts, EXPECTED, BODY, TS - TOLERANCE_SECS).is_ok());
        assert_eq!(
            verify(&secret(), ID, &ts, EXPECTED, BODY, TS + TOLERANCE_SECS + 1),
            Err(WebhookError::TimestampTooOld)
        );
        assert_eq!(
            verify(&secret(), ID, &ts, EXPECTED, BODY, TS - TOLERANCE_SECS - 1),
            Err(WebhookError::TimestampInFuture)
        );
        assert_eq!(
            verify(&secret(), ID, "yesterday", EXPECTED, BODY, TS),
            Err(WebhookError::InvalidTimestamp)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let ts = TS.to_string();
        let several =
            format!("v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q= v1a,whatever {EXPECTED} v2,x");
        assert!(verify(&secret(), ID, &ts, &several, BODY, TS).is_ok());
        let none = "v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q= v1,not-base64!";
        assert_eq!(
            verify(&secret(), ID, &ts, none, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
        // The right signature under another version tag does not count.
        let wrong_version = EXPECTED.replacen("v1,", "v2,", 1);
        assert_eq!(
            verify(&secret(), ID, &ts, &wrong_version, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
    }

    #[test]
    fn missing_parts_are_named() {
        let ts = TS.to_string();
        assert_eq!(
            verify(&secret(), "", &ts, EXPECTED, BODY, TS),
            Err(WebhookError::MissingHeader(HEADER_ID))
        );
        assert_eq!(
            verify(&secret(), ID, &ts, " ", BODY, TS),
            Err(WebhookError::MissingHeader(HEADER_SIGNATURE))
        );
        let headers = http::HeaderMap::new();
        assert_eq!(
            verify_headers(&secret(), &headers, BODY),
            Err(WebhookError::MissingHeader(HEADER_ID))
        );
    }

    #[test]
    fn secrets_round_trip_and_reject_garbage() {
        let s = Secret::generate();
        let again = Secret::parse(&s.to_whsec()).unwrap();
        assert_eq!(sign(&s, ID, TS, BODY), sign(&again, ID, TS, BODY));
        assert_eq!(
            Secret::parse("whsec_***").unwrap_err(),
            WebhookError::InvalidSecret
        );
        assert_eq!(
            Secret::parse("whsec_").unwrap_err(),
            WebhookError::InvalidSecret
        );
        assert!(!format!("{s:?}").contains(&s.to_whsec()[6..]));
    }
}
