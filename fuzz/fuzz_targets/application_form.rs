//! A module's application form (`applications::form`): the schema parser
//! (`FormSpec::parse`) on any JSON, then what a resident sends through the parsed form
//! (`FormSpec::validate`). Never a panic; a schema problem points into the schema; every
//! field error names a field of the form; accepted answers conform to the module's
//! schema and name only its fields; and accepted answers, shown again for changing
//! (`FormSpec::prefill`), are accepted again unchanged.
//!
//! Input: the schema's JSON text, a 0xFF byte, then bytes that choose what is sent for
//! each field (often something plausible for its kind, sometimes anything).

#![no_main]

use api::applications::form::{address_name, FormSpec, Kind, Submitted, ADDRESS_PARTS};
use arbitrary::{Arbitrary, Unstructured};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

/// A value for a field of `kind`.
fn value(u: &mut Unstructured, kind: &Kind) -> arbitrary::Result<String> {
    if u.ratio(1, 4)? {
        return String::arbitrary(u);
    }
    Ok(match kind {
        Kind::Text { max_length, .. } => {
            let n = u.int_in_range(0..=(*max_length).min(40) as usize)?;
            let pick = ["a", "Z", " ", "ä", "1", "-", "@", ".", "\r\n", "x"];
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(u.choose(&pick)?);
            }
            s
        }
        Kind::Number { integer, .. } => {
            let whole = i64::arbitrary(u)? % 1_000_000_000;
            if *integer || bool::arbitrary(u)? {
                whole.to_string()
            } else {
                let sep = if bool::arbitrary(u)? { '.' } else { ',' };
                let digits = u.int_in_range(1..=6u32)?;
                let frac = u.int_in_range(0..=10u64.pow(digits) - 1)?;
                format!("{whole}{sep}{frac:0width$}", width = digits as usize)
            }
        }
        Kind::Choice { options } if !options.is_empty() => u.choose(options)?.0.clone(),
        Kind::Boolean { .. } => u.choose(&["true", "on", "", "false"])?.to_string(),
        Kind::Date { .. } => {
            let d = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
                + chrono::Duration::days(i64::from(u.int_in_range(-400..=400i16)?));
            d.format("%Y-%m-%d").to_string()
        }
        _ => String::arbitrary(u)?,
    })
}

fn names(spec: &FormSpec) -> Vec<String> {
    spec.fields().iter().map(|f| f.name.clone()).collect()
}

fuzz_target!(|data: &[u8]| {
    let (schema, rest) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(schema) = serde_json::from_slice::<serde_json::Value>(schema) else {
        return;
    };
    let spec = match FormSpec::parse(&schema) {
        Ok(spec) => spec,
        Err(problems) => {
            assert!(!problems.is_empty(), "refused without a problem");
            for p in problems {
                assert!(
                    p.pointer.is_empty() || p.pointer.starts_with('/'),
                    "not a JSON Pointer: {:?}",
                    p.pointer
                );
            }
            return;
        }
    };
    // A parsed form's schema parses again to the same fields.
    let again = FormSpec::parse(spec.schema()).expect("a parsed schema parses again");
    assert_eq!(names(&again), names(&spec));
    let _ = spec.max_body_bytes();

    let mut u = Unstructured::new(rest);
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for f in spec.fields() {
        if u.ratio(1, 8).unwrap_or(true) {
            continue;
        }
        match &f.kind {
            Kind::Address => {
                for part in ADDRESS_PARTS {
                    let v = if part == "postcode" && u.ratio(3, 4).unwrap_or(false) {
                        format!("{:05}", u.int_in_range(0..=99999u32).unwrap_or(12345))
                    } else {
                        value(
                            &mut u,
                            &Kind::Text {
                                multiline: false,
                                min_length: None,
                                max_length: 60,
                                pattern: None,
                                format: None,
                            },
                        )
                        .unwrap_or_default()
                    };
                    pairs.push((address_name(&f.name, part), v));
                }
            }
            // No files here (the multipart target reads them).
            Kind::File { .. } => {}
            kind => pairs.push((f.name.clone(), value(&mut u, kind).unwrap_or_default())),
        }
    }
    let sent = Submitted::from_pairs(pairs.clone());
    let fields = names(&spec);
    match spec.validate(&sent, today) {
        Err(invalid) => {
            for e in &invalid.0 {
                assert!(
                    fields.iter().any(|n| *n == e.field),
                    "an error of no field: {:?} (fields {fields:?}, sent {pairs:?})",
                    e.field
                );
            }
        }
        Ok(answers) => {
            assert!(spec.conforms(&answers.data), "{}", answers.data);
            let obj = answers.data.as_object().expect("answers are an object");
            for k in obj.keys() {
                assert!(fields.contains(k), "an answer of no field: {k}");
            }
            assert!(answers.attachments.is_empty());
            // Shown again for changing, and sent unchanged: the same answers.
            let again = spec
                .validate(&spec.prefill(&answers.data), today)
                .unwrap_or_else(|e| {
                    panic!(
                        "accepted answers {} are refused when sent again: {:?}",
                        answers.data, e.0
                    )
                });
            assert_eq!(again.data, answers.data, "sent {pairs:?}");
        }
    }
});
