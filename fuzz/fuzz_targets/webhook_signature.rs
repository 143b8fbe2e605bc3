//! Standard Webhooks verification (`partner_contract::webhook`), as the portal checks a
//! partner's status changes: a message signed with the secret verifies; any other
//! signature header verifies only when one of its `v1` entries is the message's very
//! signature; a changed id, timestamp or body, or another secret, does not verify;
//! timestamps more than five minutes off are refused; nothing panics (extreme
//! timestamps, odd headers, any secret text).

#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use partner_contract::webhook::{
    sign, verify, verify_headers, Secret, WebhookError, TOLERANCE_SECS,
};

#[derive(Arbitrary, Debug)]
struct Input {
    key: Vec<u8>,
    other_key: Vec<u8>,
    secret_text: String,
    id: String,
    now: i64,
    skew: i16,
    body: Vec<u8>,
    signatures: String,
    timestamp_text: String,
    flip: u16,
}

fuzz_target!(|input: Input| {
    // Any secret text: parsed or refused; a parsed one round-trips.
    if let Ok(s) = Secret::parse(&input.secret_text) {
        let again = Secret::parse(&s.to_whsec()).expect("whsec_ form parses");
        assert_eq!(again.to_whsec(), s.to_whsec());
    }
    // Anything in the headers: no panic, and acceptance only for the true signature.
    if input.key.is_empty() {
        return;
    }
    let secret = Secret::parse(&format!("whsec_{}", B64.encode(&input.key))).unwrap();
    let now = input.now;
    let result = verify(
        &secret,
        &input.id,
        &input.timestamp_text,
        &input.signatures,
        &input.body,
        now,
    );
    if result.is_ok() {
        let ts: i64 = input
            .timestamp_text
            .trim()
            .parse()
            .expect("an accepted timestamp");
        assert!(ts.abs_diff(now) <= TOLERANCE_SECS as u64);
        let good = sign(&secret, &input.id, ts, &input.body);
        assert!(
            input.signatures.split(' ').any(|e| e == good),
            "{:?} accepted, the signature is {good}",
            input.signatures
        );
    }

    // A signed message verifies, within the tolerance.
    let ts = now.saturating_add(i64::from(input.skew));
    let header = sign(&secret, &input.id, ts, &input.body);
    let within = ts.abs_diff(now) <= TOLERANCE_SECS as u64;
    let check =
        |id: &str, ts: &str, sigs: &str, body: &[u8]| verify(&secret, id, ts, sigs, body, now);
    let r = check(&input.id, &ts.to_string(), &header, &input.body);
    if input.id.is_empty() {
        assert_eq!(r, Err(WebhookError::MissingHeader("webhook-id")));
        return;
    }
    if !within {
        assert!(
            matches!(
                r,
                Err(WebhookError::TimestampTooOld | WebhookError::TimestampInFuture)
            ),
            "{r:?}"
        );
        return;
    }
    assert_eq!(r, Ok(()), "a signed message");
    // Beside other entries (a rotated secret), in any order.
    let both = format!("v1,{} {header} v1a,xyz", B64.encode([0u8; 32]));
    assert_eq!(
        check(&input.id, &ts.to_string(), &both, &input.body),
        Ok(())
    );
    // A changed body, id or timestamp, or another secret, does not verify.
    let mut body = input.body.clone();
    if body.is_empty() {
        body.push(0);
    } else {
        let i = usize::from(input.flip) % body.len();
        body[i] ^= 1 << (input.flip % 8);
    }
    assert_eq!(
        check(&input.id, &ts.to_string(), &header, &body),
        Err(WebhookError::InvalidSignature)
    );
    assert_eq!(
        check(
            &format!("{}x", input.id),
            &ts.to_string(),
            &header,
            &input.body
        ),
        Err(WebhookError::InvalidSignature)
    );
    if ts != now {
        // (the same message one second off, still within the tolerance)
        let off = if ts > now { ts - 1 } else { ts + 1 };
        assert_eq!(
            check(&input.id, &off.to_string(), &header, &input.body),
            Err(WebhookError::InvalidSignature)
        );
    }
    // (HMAC pads keys of up to 64 bytes with zeros and hashes longer ones: keys that
    // differ only in trailing zeros are the same key)
    let trimmed = |k: &[u8]| k.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    if !input.other_key.is_empty()
        && input.other_key.len() <= 64
        && input.key.len() <= 64
        && input.other_key[..trimmed(&input.other_key)] != input.key[..trimmed(&input.key)]
    {
        let other = Secret::parse(&B64.encode(&input.other_key)).unwrap();
        assert_eq!(
            verify(
                &other,
                &input.id,
                &ts.to_string(),
                &header,
                &input.body,
                now
            ),
            Err(WebhookError::InvalidSignature)
        );
    }
    // Through an HTTP header map, as the endpoint reads them (against the clock).
    let mut headers = http::HeaderMap::new();
    let clock = chrono::Utc::now().timestamp();
    let sig = sign(&secret, &input.id, clock, &input.body);
    if let Ok(id) = http::HeaderValue::from_str(&input.id) {
        headers.insert("webhook-id", id);
        headers.insert("webhook-timestamp", clock.into());
        headers.insert(
            "webhook-signature",
            http::HeaderValue::from_str(&sig).unwrap(),
        );
        // A header value of visible ASCII reads back as sent.
        if input.id.bytes().all(|b| (0x20..0x7f).contains(&b)) && !input.id.trim().is_empty() {
            assert_eq!(verify_headers(&secret, &headers, &input.body), Ok(()));
        }
    }
});
