//! The `Idempotency-Key` of a booking and the fingerprint of its request
//! (`booking::idempotency`), as `POST /api/v1/bookings` computes them: from the body as
//! the API parsed it (`BookingInput`), so that a retry of the same booking, however its
//! JSON is written (key order, spacing, escapes), has the same fingerprint and a
//! different booking never has; the fingerprint's text is unambiguous (method, path and
//! body can be told apart); a key is 1-255 visible ASCII characters after trimming.

#![no_main]

use api::booking::idempotency::{parse_key, request_hash};
use api::booking::model::BookingInput;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use serde_json::{json, Map, Value};

#[derive(Arbitrary, Debug)]
struct Booking {
    offer: [u8; 16],
    /// Seconds since the epoch and an offset in minutes, or any text.
    starts_at: Option<Result<(i64, i16, u32), String>>,
    start_date: Option<Result<i32, String>>,
    hold: Option<bool>,
    contact: Option<(Option<String>, Option<String>, Option<String>)>,
    /// Key order and spacing of the JSON text.
    order: u64,
    pretty: bool,
    ascii: bool,
}

impl Booking {
    fn json(&self) -> Value {
        let mut o = Map::new();
        o.insert("offer_id".into(), uuid_text(self.offer).into());
        match &self.starts_at {
            Some(Ok((secs, offset, nanos))) => {
                let tz = chrono::FixedOffset::east_opt(i32::from(*offset % 1440) * 60)
                    .expect("within a day");
                if let Some(t) = chrono::DateTime::from_timestamp(
                    *secs % 400_000_000_000,
                    *nanos % 2_000_000_000,
                ) {
                    o.insert("starts_at".into(), t.with_timezone(&tz).to_rfc3339().into());
                }
            }
            Some(Err(s)) => {
                o.insert("starts_at".into(), s.clone().into());
            }
            None => {}
        }
        match &self.start_date {
            Some(Ok(days)) => {
                if let Some(d) = chrono::NaiveDate::from_num_days_from_ce_opt(*days) {
                    o.insert("start_date".into(), d.to_string().into());
                }
            }
            Some(Err(s)) => {
                o.insert("start_date".into(), s.clone().into());
            }
            None => {}
        }
        if let Some(h) = self.hold {
            o.insert("hold".into(), h.into());
        }
        if let Some((name, email, phone)) = &self.contact {
            o.insert(
                "contact".into(),
                json!({"name": name, "email": email, "phone": phone}),
            );
        }
        Value::Object(o)
    }
}

fn uuid_text(b: [u8; 16]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The JSON text of `v` with its keys in an order chosen by `order`, pretty or not,
/// non-ASCII characters escaped or not.
fn write(v: &Value, order: u64, pretty: bool, ascii: bool) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            let n = keys.len().max(1);
            keys.rotate_left((order as usize) % n);
            if order & 1 == 1 {
                keys.reverse();
            }
            let sep = if pretty { ",\n  " } else { "," };
            let items: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        string(k, ascii),
                        write(&m[*k], order >> 3, pretty, ascii)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(sep))
        }
        Value::String(s) => string(s, ascii),
        other => other.to_string(),
    }
}

fn string(s: &str, ascii: bool) -> String {
    if !ascii {
        return Value::String(s.to_string()).to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            ' '..='~' if c != '"' && c != '\\' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// The fingerprint of the text a client sent, as the endpoint computes it; `None`
/// when the API refuses the body.
fn fingerprint(text: &str) -> Option<(String, Value)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let input = BookingInput::parse_from_json(Some(v)).ok()?;
    let body = input.to_json().unwrap_or_default();
    Some((request_hash("POST", "/api/v1/bookings", &body), body))
}

#[derive(Arbitrary, Debug)]
struct Input {
    a: Booking,
    b: Booking,
    key: String,
    method: (String, String),
    path: (String, String),
    body: (String, String),
}

fuzz_target!(|input: Input| {
    // The key.
    match parse_key(Some(&input.key)) {
        Ok(k) => {
            assert_eq!(k, input.key.trim());
            assert!((1..=255).contains(&k.len()));
            assert!(k.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        }
        Err(_) => {
            let t = input.key.trim();
            assert!(
                t.is_empty() || t.len() > 255 || !t.bytes().all(|b| (0x21..=0x7e).contains(&b))
            );
        }
    }

    // The same booking, written two ways: one fingerprint; and the body the API keeps
    // fingerprints the same when it is sent again.
    let value = input.a.json();
    let first = write(&value, input.a.order, input.a.pretty, input.a.ascii);
    let second = write(&value, input.b.order, input.b.pretty, !input.a.ascii);
    if let Some((h1, body)) = fingerprint(&first) {
        assert_eq!(h1.len(), 64);
        assert!(h1
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let (h2, _) = fingerprint(&second).expect("the same booking written otherwise is accepted");
        assert_eq!(h1, h2, "{first} / {second}");
        let (h3, again) = fingerprint(&body.to_string()).expect("the kept body is accepted");
        assert_eq!(again, body);
        assert_eq!(h1, h3, "{body}");
        // Another booking: another fingerprint.
        let other = input.b.json();
        if let Some((h4, other_body)) = fingerprint(&other.to_string()) {
            assert_eq!(h1 == h4, body == other_body, "{body} / {other_body}");
        }
    }

    // The fingerprinted text tells method, path and body apart (a method has no
    // space, a path no line break, as HTTP has them).
    let ok = |m: &str, p: &str| !m.contains(' ') && !p.contains('\n');
    let (m1, m2) = &input.method;
    let (p1, p2) = &input.path;
    let (b1, b2) = (
        Value::String(input.body.0.clone()),
        Value::String(input.body.1.clone()),
    );
    if ok(m1, p1) && ok(m2, p2) {
        let same = m1 == m2 && p1 == p2 && b1 == b2;
        assert_eq!(request_hash(m1, p1, &b1) == request_hash(m2, p2, &b2), same);
    }
});
