//! The form library end to end: the documented example parses, hostile input never
//! becomes an answer, the partial renders accessibly, and a real multipart request
//! through poem reaches the validator (on a route built here, so nothing unwired ships).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::applications::form::{FormSpec, FormView, Kind, Submitted};
use crate::applications::upload::{self, FileType, Upload};
use crate::core::error::Invalid;
use crate::core::i18n::I18n;
use crate::core::locale::Locale;

fn example() -> Value {
    serde_json::from_str(include_str!("../../../openapi/module-form-example.json")).unwrap()
}

fn spec() -> FormSpec {
    FormSpec::parse(&example()).expect("the documented example parses")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn pdf(name: &str) -> Upload {
    Upload {
        file_name: Some(name.into()),
        content_type: Some("application/pdf".into()),
        bytes: PDF.to_vec(),
    }
}

/// A complete, valid submission of the parking permit, with the page's token and a
/// field the form does not know.
fn good_pairs() -> Vec<(&'static str, String)> {
    vec![
        ("plate", "S-AB 1234".into()),
        ("zone", "west".into()),
        ("address-street", "Königstraße 1".into()),
        ("address-postcode", "70173".into()),
        ("address-city", "Stuttgart".into()),
        ("start", "2026-12-24".into()),
        ("note", "Zweitwagen\r\nbitte ab Januar".into()),
        ("confirm", "true".into()),
        ("csrf", "token".into()),
        ("is_admin", "true".into()),
    ]
}

fn sent_with(changes: &[(&'static str, Option<&str>)], file: Option<Upload>) -> Submitted {
    let mut pairs = good_pairs();
    for (k, v) in changes {
        pairs.retain(|(n, _)| n != k);
        if let Some(v) = v {
            pairs.push((k, v.to_string()));
        }
    }
    let mut s = Submitted::from_pairs(pairs);
    if let Some(f) = file {
        s.add_file("proof", f);
    }
    s
}

/// The field errors of a submission: field → message key.
fn errors(r: Result<crate::applications::form::Answers, Invalid>) -> BTreeMap<String, String> {
    match r {
        Ok(a) => panic!("expected errors, got answers {}", a.data),
        Err(Invalid(e)) => e.into_iter().map(|m| (m.field, m.message.key)).collect(),
    }
}

#[test]
fn the_documented_example_parses_into_fields_in_their_order() {
    let s = spec();
    let names: Vec<&str> = s.fields().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["plate", "zone", "address", "proof", "start", "note", "confirm"]
    );
    assert!(s.has_files());
    let proof = &s.fields()[3];
    assert!(proof.required);
    assert_eq!(
        proof.kind,
        Kind::File {
            max_bytes: 5 * 1024 * 1024,
            content_types: vec![FileType::Pdf, FileType::Jpeg, FileType::Png]
        }
    );
    assert_eq!(proof.label.de, "Nachweis der Wohnadresse");
    assert_eq!(proof.label.get(Locale::En), "Proof of address");
    assert!(!s.fields()[5].required, "the note is optional");
    assert!(s.max_body_bytes() > 5 * 1024 * 1024);
}

#[test]
fn a_valid_submission_becomes_answers_that_conform_to_the_schema() {
    let s = spec();
    let a = s
        .validate(
            &sent_with(&[], Some(pdf("C:\\Users\\a\\Meldebescheinigung.pdf"))),
            today(),
        )
        .expect("valid");
    assert_eq!(a.attachments.len(), 1);
    let file = &a.attachments[0];
    assert_eq!(file.field, "proof");
    assert_eq!(file.file_name, "Meldebescheinigung.pdf");
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.bytes, PDF);
    assert_eq!(file.sha256.len(), 64);
    assert_eq!(
        a.data,
        json!({
            "plate": "S-AB 1234",
            "zone": "west",
            "address": {"street": "Königstraße 1", "postcode": "70173", "city": "Stuttgart"},
            "proof": file.id.to_string(),
            "start": "2026-12-24",
            "note": "Zweitwagen\nbitte ab Januar",
            "confirm": true
        }),
        "unknown fields and the page's token are not answers"
    );
    assert!(s.conforms(&a.data));
    // The optional note may be left out; then it is not in the answers at all.
    let a = s
        .validate(
            &sent_with(&[("note", Some("  "))], Some(pdf("x.pdf"))),
            today(),
        )
        .unwrap();
    assert!(a.data.get("note").is_none());
    assert!(s.conforms(&a.data));
}

/// Fields to set (`Some`) or leave out (`None`) in the good submission.
type Changes = &'static [(&'static str, Option<&'static str>)];

#[test]
fn hostile_text_choice_date_and_checkbox_values_are_field_errors() {
    let s = spec();
    let cases: &[(Changes, &str, &str)] = &[
        (&[("plate", None)], "plate", "v-form-required"),
        (&[("plate", Some("   "))], "plate", "v-form-required"),
        (&[("plate", Some("s-ab 1234"))], "plate", "v-form-pattern"),
        (
            &[("plate", Some("S-AB 1234\u{7}"))],
            "plate",
            "v-control-chars",
        ),
        (&[("plate", Some("S-AB 12345678"))], "plate", "v-max-chars"),
        (&[("zone", Some("nord"))], "zone", "v-form-choice"),
        (&[("zone", Some("West"))], "zone", "v-form-choice"),
        (&[("start", Some("2026-02-30"))], "start", "v-form-date"),
        (&[("start", Some("2026-13-01"))], "start", "v-form-date"),
        (&[("start", Some("24.12.2026"))], "start", "v-form-date"),
        (&[("start", Some("+2026-12-24"))], "start", "v-form-date"),
        (&[("start", Some("2026-12-06"))], "start", "v-form-date-min"),
        (&[("start", Some("2027-03-08"))], "start", "v-form-date-max"),
        (&[("confirm", None)], "confirm", "v-form-confirm"),
        (
            &[("confirm", Some("on; DROP TABLE"))],
            "confirm",
            "v-form-invalid",
        ),
        (
            &[("address-postcode", Some("<b>1</b>"))],
            "address",
            "v-form-address-postcode",
        ),
        (&[("address-city", None)], "address", "v-form-address-city"),
        (
            &[
                ("address-street", None),
                ("address-postcode", None),
                ("address-city", None),
            ],
            "address",
            "v-form-required",
        ),
        (&[("note", Some("a\u{0}b"))], "note", "v-control-chars"),
    ];
    for (changes, field, key) in cases {
        let e = errors(s.validate(&sent_with(changes, Some(pdf("a.pdf"))), today()));
        assert_eq!(
            e,
            BTreeMap::from([(field.to_string(), key.to_string())]),
            "{changes:?}"
        );
    }
    // A megabyte of text is one error of its field, not a crash or a cut answer.
    let huge = "A".repeat(1024 * 1024);
    let e = errors(s.validate(
        &sent_with(&[("note", Some(&huge))], Some(pdf("a.pdf"))),
        today(),
    ));
    assert_eq!(e["note"], "v-max-chars");
    let mut over = sent_with(&[("plate", None)], Some(pdf("a.pdf")));
    over.add_oversize("plate");
    assert_eq!(
        errors(s.validate(&over, today()))["plate"],
        "v-form-too-large"
    );
    // Every field wrong at once: one error per field.
    let sent = Submitted::from_pairs([("zone", "x"), ("start", "x"), ("confirm", "x")]);
    let e = errors(s.validate(&sent, today()));
    assert_eq!(
        e.keys().map(String::as_str).collect::<Vec<_>>(),
        ["address", "confirm", "plate", "proof", "start", "zone"]
    );
}

#[test]
fn files_are_checked_by_their_bytes_their_size_and_their_name() {
    let s = spec();
    let check = |file: Upload| s.validate(&sent_with(&[], Some(file)), today());
    let key = |file: Upload| errors(check(file))["proof"].clone();
    assert_eq!(key(Upload::default()), "v-form-required");
    // An executable calling itself a PDF.
    assert_eq!(
        key(Upload {
            bytes: b"MZ\x90\0\x03\0\0\0".to_vec(),
            ..pdf("passport.pdf")
        }),
        "v-form-file-type"
    );
    // A PNG sent as a PDF: the bytes are not what the type claims.
    assert_eq!(
        key(Upload {
            bytes: PNG.to_vec(),
            ..pdf("scan.pdf")
        }),
        "v-form-file-mismatch"
    );
    // GIF is not on the form's list.
    assert_eq!(
        key(Upload {
            file_name: Some("a.gif".into()),
            content_type: Some("image/gif".into()),
            bytes: b"GIF89a\x01\0\x01\0".to_vec(),
        }),
        "v-form-file-type"
    );
    // One byte over 5 MiB.
    let mut big = PDF.to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    assert_eq!(
        key(Upload {
            bytes: big.clone(),
            ..pdf("big.pdf")
        }),
        "v-form-file-size"
    );
    big.truncate(5 * 1024 * 1024);
    assert!(check(Upload {
        bytes: big,
        ..pdf("exactly-5.pdf")
    })
    .is_ok());
    // A PNG whose browser did not know its type is a PNG.
    let a = check(Upload {
        file_name: Some("../../etc/passwd".into()),
        content_type: Some("application/octet-stream".into()),
        bytes: PNG.to_vec(),
    })
    .unwrap();
    assert_eq!(a.attachments[0].content_type, "image/png");
    assert_eq!(a.attachments[0].file_name, "passwd.png");
    for (name, shown) in [
        ("C:\\x", "x.pdf"),
        ("a\0b.pdf", "ab.pdf"),
        ("", "attachment.pdf"),
    ] {
        let a = check(pdf(name)).unwrap();
        assert_eq!(a.attachments[0].file_name, shown);
    }
    let a = check(pdf(&"x/".repeat(10_000))).unwrap();
    assert_eq!(a.attachments[0].file_name, "attachment.pdf");
    let a = check(pdf(&"n".repeat(10_000))).unwrap();
    assert!(a.attachments[0].file_name.chars().count() <= upload::MAX_NAME_CHARS);
}

fn numbers_form() -> FormSpec {
    FormSpec::parse(&json!({
        "type": "object",
        "x-order": ["persons", "weight", "email", "phone", "site"],
        "required": ["persons"],
        "properties": {
            "persons": {"type": "integer", "minimum": 1, "maximum": 12, "x-title": {"de": "Personen", "en": "People"}},
            "weight": {"type": "number", "minimum": 0.5, "x-title": {"de": "Gewicht (t)", "en": "Weight (t)"}},
            "email": {"type": "string", "format": "email", "x-title": {"de": "E-Mail", "en": "Email"}},
            "phone": {"type": "string", "format": "tel", "x-title": {"de": "Telefon", "en": "Phone"}},
            "site": {"type": "string", "format": "uri", "x-title": {"de": "Website", "en": "Website"}}
        }
    }))
    .unwrap()
}

#[test]
fn numbers_and_formats_take_only_what_they_say() {
    let s = numbers_form();
    let one = |k: &'static str, v: &str| {
        let mut pairs = vec![("persons", "2".to_string())];
        pairs.retain(|(n, _)| *n != k);
        pairs.push((k, v.to_string()));
        s.validate(&Submitted::from_pairs(pairs), today())
    };
    let answer = |k: &'static str, v: &str| one(k, v).unwrap().data[k].clone();
    let error = |k: &'static str, v: &str| errors(one(k, v))[k].clone();
    assert_eq!(answer("persons", " 12 "), json!(12));
    assert_eq!(answer("weight", "1,5"), json!(1.5));
    assert_eq!(answer("weight", "2"), json!(2));
    for bad in [
        "1e400",
        "NaN",
        "inf",
        "-",
        "1.5",
        "0x10",
        "１２",
        "99999999999999999",
    ] {
        assert_eq!(error("persons", bad), "v-form-integer", "{bad}");
    }
    assert_eq!(error("persons", "13"), "v-form-range");
    assert_eq!(error("persons", "-3"), "v-form-range");
    for bad in ["1e400", "NaN", "Infinity", "1.", ".5", "1,5,0", "1 000"] {
        assert_eq!(error("weight", bad), "v-form-number", "{bad}");
    }
    assert_eq!(error("weight", "0,4"), "v-form-range");
    assert_eq!(
        answer("email", "Name@Example.org"),
        json!("Name@Example.org")
    );
    assert_eq!(error("email", "not an address"), "v-form-email");
    assert_eq!(error("email", "a@b"), "v-form-email");
    assert_eq!(answer("phone", "+49 711 123456"), json!("+49 711 123456"));
    assert_eq!(error("phone", "call me"), "v-form-tel");
    assert_eq!(
        answer("site", "https://example.org/a"),
        json!("https://example.org/a")
    );
    assert_eq!(error("site", "javascript:alert(1)"), "v-form-uri");
    let a = one("weight", "").unwrap();
    assert!(a.data.get("weight").is_none());
    assert!(s.conforms(&a.data));
}

/// Answers shown again for changing (`prefill`) are accepted again unchanged (the round
/// trip of the `application_form` fuzz target): a small decimal was shown as JSON
/// writes it, `1e-6`, which the form then refused as not a number.
#[test]
fn accepted_numbers_are_shown_again_as_residents_type_them() {
    let s = FormSpec::parse(&json!({
        "type": "object",
        "properties": {"n": {"type": "number", "x-title": {"de": "Zahl", "en": "Number"}}}
    }))
    .unwrap();
    for typed in [
        "0,000001",
        "0.00000000000001",
        "-0.0000005",
        "2.0",
        "-0.5",
        "7",
        "123456789012.5",
    ] {
        let a = s
            .validate(&Submitted::from_pairs([("n", typed)]), today())
            .unwrap();
        let shown = s.prefill(&a.data);
        assert!(
            !shown.text("n").unwrap().contains('e'),
            "{typed}: {:?}",
            shown.text("n")
        );
        let again = s
            .validate(&shown, today())
            .unwrap_or_else(|e| panic!("{typed} shown as {:?}: {e:?}", shown.text("n")));
        assert_eq!(again.data, a.data, "{typed}");
    }
}

#[test]
fn forms_outside_the_subset_are_refused_naming_the_json_path() {
    let refused = |change: &dyn Fn(&mut Value)| {
        let mut schema = example();
        change(&mut schema);
        FormSpec::parse(&schema)
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.pointer, e.message.key))
            .collect::<Vec<_>>()
    };
    let one = |p: &str, k: &str| vec![(p.to_string(), k.to_string())];
    assert_eq!(
        refused(&|s| s["properties"]["plate"]["oneOf"] = json!([])),
        one("/properties/plate/oneOf", "v-form-schema-unsupported")
    );
    assert_eq!(
        refused(&|s| s["$ref"] = json!("https://evil.example/schema")),
        one("/$ref", "v-form-schema-unsupported")
    );
    assert_eq!(
        refused(&|s| s["$schema"] = json!("http://json-schema.org/draft-04/schema#")),
        one("/$schema", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["properties"]["plate"]["x-title"] = json!({"de": "Kennzeichen"})),
        one("/properties/plate/x-title", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| {
            s["properties"]["plate"]
                .as_object_mut()
                .unwrap()
                .remove("x-title");
        }),
        one("/properties/plate", "v-form-schema-missing")
    );
    assert_eq!(
        refused(&|s| s["properties"]["proof"]["x-file"]["content_types"] = json!(["text/html"])),
        one(
            "/properties/proof/x-file/content_types",
            "v-form-schema-invalid"
        )
    );
    assert_eq!(
        refused(&|s| s["properties"]["proof"]["x-file"]["max_bytes"] = json!(1u64 << 40)),
        one(
            "/properties/proof/x-file/max_bytes",
            "v-form-schema-invalid"
        )
    );
    assert_eq!(
        refused(
            &|s| s["properties"]["zone"]["x-enum-labels"]["ost"] = json!({"de": "Ost", "en": ""})
        ),
        one(
            "/properties/zone/x-enum-labels/ost",
            "v-form-schema-invalid"
        )
    );
    assert_eq!(
        refused(&|s| s["properties"]["start"]["x-min-date"] = json!("tomorrow")),
        one("/properties/start/x-min-date", "v-form-schema-invalid")
    );
    for bound in ["todayé", "today+", "today*3", "today+999999", "2026-02-30"] {
        assert_eq!(
            refused(&|s| s["properties"]["start"]["x-max-date"] = json!(bound)),
            one("/properties/start/x-max-date", "v-form-schema-invalid"),
            "{bound}"
        );
    }
    let mut earlier = example();
    earlier["properties"]["start"]["x-min-date"] = json!("today-3");
    let earlier = FormSpec::parse(&earlier).unwrap();
    let sent = |d: &'static str| sent_with(&[("start", Some(d))], Some(pdf("a.pdf")));
    assert!(earlier.validate(&sent("2026-12-04"), today()).is_ok());
    assert_eq!(
        errors(earlier.validate(&sent("2026-12-03"), today()))["start"],
        "v-form-date-min"
    );
    assert_eq!(
        refused(&|s| s["properties"]["plate"]["pattern"] = json!("([a-z")),
        one("/properties/plate/pattern", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["properties"]["plate"]["maxLength"] = json!(1_000_000)),
        one("/properties/plate/maxLength", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["properties"]["confirm"]["const"] = json!(false)),
        one("/properties/confirm/const", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["properties"]["note"]["type"] = json!("array")),
        one("/properties/note/type", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["x-order"] = json!(["plate"])),
        one("/x-order", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| s["required"] = json!(["plate", "nothing"])),
        one("/required/1", "v-form-schema-invalid")
    );
    assert_eq!(
        refused(&|s| {
            let p = s["properties"].as_object_mut().unwrap();
            let v = p.remove("note").unwrap();
            p.insert("csrf".into(), v);
            s["x-order"] = json!(["plate", "zone", "address", "proof", "start", "csrf", "confirm"]);
        }),
        one("/properties/csrf", "v-form-schema-field-name")
    );
    assert_eq!(
        refused(&|s| s["properties"]["address"]["properties"] = json!({})),
        one(
            "/properties/address/properties",
            "v-form-schema-unsupported"
        )
    );
    // Several problems are all named at once.
    let all = refused(&|s| {
        s["type"] = json!("array");
        s["properties"]["plate"]["format"] = json!("hostname");
        s["properties"]["zone"]["enum"] = json!(["a", "a"]);
    });
    assert_eq!(
        all.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["/type", "/properties/plate/format", "/properties/zone/enum"]
    );
    for not_a_form in [json!([]), json!("form"), json!(null)] {
        assert_eq!(
            FormSpec::parse(&not_a_form).unwrap_err()[0].message.key,
            "v-form-schema-not-object"
        );
    }
    assert!(FormSpec::parse(&json!({"type": "object", "properties": {}})).is_err());
}

#[test]
fn every_schema_message_and_field_message_has_both_languages() {
    let i = I18n::embedded();
    for (_, de, en) in crate::core::i18n::FILES
        .iter()
        .filter(|f| f.0 == "errors-appforms")
    {
        let (de, en) = (I18n::keys(de), I18n::keys(en));
        assert_eq!(de, en);
        assert!(de.len() > 20);
    }
    let m = crate::msg!("v-form-schema-unsupported", keyword = "oneOf");
    assert_eq!(
        i.api_text(&m),
        "the keyword oneOf is not part of the form subset"
    );
    assert_eq!(
        i.message(Locale::De, &crate::msg!("v-form-file-size", max = "5")),
        "Die Datei ist größer als 5 MB."
    );
}

fn arb_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        Just("2026-02-30".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just("true".to_string()),
        Just("west".to_string()),
        Just("S-AB 1234".to_string()),
        "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]",
        "-?[0-9]{1,20}([.,][0-9]{0,8})?",
    ]
}

fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("plate".to_string()),
        Just("zone".to_string()),
        Just("start".to_string()),
        Just("note".to_string()),
        Just("confirm".to_string()),
        Just("address-street".to_string()),
        Just("address-postcode".to_string()),
        Just("address-city".to_string()),
        Just("persons".to_string()),
        Just("weight".to_string()),
        Just("email".to_string()),
        "[a-z_-]{1,12}",
    ]
}

fn arb_upload() -> impl Strategy<Value = Option<Upload>> {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(PDF.to_vec()),
        Just(PNG.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8)
            .prop_map(|b| [b"\xFF\xD8\xFF".as_slice(), &b].concat()),
    ];
    let kind = prop_oneof![
        Just(None),
        Just(Some("application/pdf".to_string())),
        Just(Some("image/png".to_string())),
        Just(Some("application/octet-stream".to_string())),
        "[ -~]{0,20}".prop_map(Some),
    ];
    proptest::option::of(
        (proptest::option::of(any::<String>()), kind, bytes).prop_map(
            |(file_name, content_type, bytes)| Upload {
                file_name,
                content_type,
                bytes,
            },
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever arrives, the validator neither panics nor returns answers the schema
    /// forbids, and its answers hold only the form's fields.
    #[test]
    fn arbitrary_input_never_panics_nor_yields_answers_the_schema_forbids(
        pairs in proptest::collection::vec((arb_name(), arb_value()), 0..24),
        upload in arb_upload(),
        base in any::<bool>(),
    ) {
        for s in [spec(), numbers_form()] {
            let mut sent = if base {
                Submitted::from_pairs(good_pairs().into_iter().chain(pairs.iter().map(|(k, v)| (k.as_str(), v.clone()))).map(|(k, v)| (k.to_string(), v)))
            } else {
                Submitted::from_pairs(pairs.clone())
            };
            if let Some(u) = upload.clone() {
                sent.add_file("proof", u);
            }
            match s.validate(&sent, today()) {
                Ok(a) => {
                    prop_assert!(s.conforms(&a.data), "{}", a.data);
                    let names: Vec<&str> = s.fields().iter().map(|f| f.name.as_str()).collect();
                    for k in a.data.as_object().unwrap().keys() {
                        prop_assert!(names.contains(&k.as_str()));
                    }
                    for f in &a.attachments {
                        prop_assert_eq!(a.data[&f.field].as_str().unwrap(), f.id.to_string());
                        prop_assert!(!f.file_name.contains(['/', '\\', '\0']));
                    }
                }
                Err(Invalid(e)) => {
                    prop_assert!(!e.is_empty());
                    let mut seen = std::collections::HashSet::new();
                    for m in &e {
                        prop_assert!(seen.insert(m.field.clone()), "one error per field");
                        prop_assert!(s.fields().iter().any(|f| f.name == m.field));
                    }
                }
            }
        }
    }

    /// Whatever a module sends as its form, parsing answers and never panics.
    #[test]
    fn arbitrary_schemas_never_panic(
        keys in proptest::collection::vec("[a-z$x-]{1,12}", 0..6),
        values in proptest::collection::vec(arb_value(), 0..6),
    ) {
        let mut schema = example();
        for (k, v) in keys.iter().zip(values.iter()) {
            schema["properties"]["plate"][k] = json!(v);
            schema["properties"]["start"]["x-min-date"] = json!(v);
            schema["properties"]["zone"]["x-enum-labels"][v] = json!(k);
            schema[k] = json!(v);
        }
        let _ = FormSpec::parse(&schema);
    }
}

/// The template environment of the pages, with the partial.
fn env() -> minijinja::Environment<'static> {
    crate::web::pages::templates(
        Arc::new(I18n::load(None).unwrap()),
        Arc::new(crate::web::assets::Assets::load(None)),
        None,
    )
}

fn render(view: &FormView, locale: Locale) -> String {
    // A page of its own (`.html`, so escaped as every page is) that uses the partial.
    let mut env = env();
    env.add_template_owned(
        "application_form_test.html",
        r#"{% import "application_form.html" as af %}{{ af.application_form(form, "/apply", "tok", "Send") }}"#,
    )
    .unwrap();
    env.get_template("application_form_test.html")
        .and_then(|t| t.render(minijinja::context! { form => view, locale => locale.as_str() }))
        .expect("the partial renders")
}

/// Every `attr="…"` value in `html`.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Labels, hints and errors are tied to what they describe.
fn assert_accessible(html: &str) {
    let ids = attrs(html, "id");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique");
    for target in attrs(html, "for") {
        assert!(ids.contains(&target), "label for {target} has its input");
    }
    for list in attrs(html, "aria-describedby") {
        for id in list.split(' ') {
            assert!(ids.contains(&id), "aria-describedby {id} exists");
        }
    }
    // Every visible input, select and textarea has a label.
    let labelled = attrs(html, "for");
    for tag in ["<input ", "<select ", "<textarea "] {
        for (i, _) in html.match_indices(tag) {
            let el = &html[i..i + html[i..].find('>').unwrap()];
            if el.contains("type=\"hidden\"") {
                continue;
            }
            let id = attrs(el, "id")[0];
            assert!(labelled.contains(&id), "{id} has a label");
        }
    }
}

#[test]
fn the_partial_renders_labels_hints_and_errors_tied_to_their_fields() {
    let s = spec();
    let i18n = I18n::load(None).unwrap();
    let empty = FormView::new(&s, Locale::De, &i18n, &Submitted::default(), &[], today());
    let html = render(&empty, Locale::De);
    assert_accessible(&html);
    assert!(html.contains(r#"enctype="multipart/form-data""#));
    assert!(html.contains(
        r#"<label for="plate">Kfz-Kennzeichen <span class="required">(Pflichtfeld)</span></label>"#
    ));
    assert!(html
        .contains(r#"<p class="hint" id="plate-hint">Wie auf dem Schild, z. B. S-AB 1234.</p>"#));
    assert!(html.contains(r#"aria-describedby="plate-hint""#));
    assert!(
        html.contains(r#"<legend>Parkzone <span class="required">(Pflichtfeld)</span></legend>"#)
    );
    assert!(html.contains(r#"type="radio" id="zone-0" name="zone" value="mitte""#));
    assert!(html.contains(r#"<label for="address-postcode">Postleitzahl</label>"#));
    assert!(html
        .contains(r#"type="file" accept="application/pdf,.pdf,image/jpeg,.jpg,image/png,.png""#));
    assert!(html.contains("PDF, JPEG, PNG, höchstens 5 MB."));
    assert!(html.contains(r#"type="date" value="" min="2026-12-07" max="2027-03-07""#));
    assert!(html.contains(r#"<textarea id="note" name="note""#));
    assert!(html.contains(r#"type="checkbox" id="confirm" name="confirm" value="true""#));
    assert!(!html.contains("error-summary"));
    assert!(!html.contains("aria-invalid"));

    // Sent back with errors: the typing is kept, each error stands beside its field
    // and is linked from the summary.
    let sent = sent_with(
        &[
            ("plate", Some("s-ab <1>")),
            ("start", Some("2026-02-30")),
            ("zone", Some("ost")),
        ],
        Some(pdf("a.pdf")),
    );
    let Err(Invalid(errs)) = s.validate(&sent, today()) else {
        panic!("invalid")
    };
    let view = FormView::new(&s, Locale::En, &i18n, &sent, &errs, today());
    let html = render(&view, Locale::En);
    assert_accessible(&html);
    assert!(html
        .contains(r##"<a href="#plate">This does not have the required form; see the hint.</a>"##));
    assert!(html.contains(r#"<p class="error" id="plate-error">This does not have the required form; see the hint.</p>"#));
    assert!(html.contains(r#"value="s-ab &lt;1&gt;" required aria-invalid="true" aria-describedby="plate-hint plate-error""#));
    assert!(html.contains(r##"<a href="#start">Enter a date that exists"##));
    assert!(html.contains(r#"name="start" type="date" value="2026-02-30""#));
    assert!(html.contains(r#"value="ost" checked"#));
    assert!(html.contains(r#"value="Königstraße 1""#));
    assert!(html.contains("Please choose the file again"));
    assert!(html.contains(r#"type="checkbox" id="confirm" name="confirm" value="true" checked"#));

    // A group's error is described on its fieldset and linked to its first input.
    let sent = sent_with(
        &[("zone", Some("nord")), ("address-postcode", Some("?"))],
        Some(pdf("a.pdf")),
    );
    let Err(Invalid(errs)) = s.validate(&sent, today()) else {
        panic!("invalid")
    };
    let html = render(
        &FormView::new(&s, Locale::De, &i18n, &sent, &errs, today()),
        Locale::De,
    );
    assert_accessible(&html);
    assert!(html.contains(r#"<fieldset class="field has-error" aria-describedby="zone-error">"#));
    assert!(html.contains(r##"<a href="#zone-0">Wählen Sie eine der Möglichkeiten.</a>"##));
    assert!(html.contains(r#"id="zone-0" name="zone" value="mitte" required aria-invalid="true""#));
    assert!(html.contains(
        r#"<fieldset class="field address has-error" aria-describedby="address-error">"#
    ));
    assert!(html.contains(r##"<a href="#address-street">Geben Sie eine Postleitzahl an"##));
    assert!(html.contains(r#"value="?" autocomplete="postal-code" required aria-invalid="true""#));

    // A form without a file is sent urlencoded.
    let view = FormView::new(
        &numbers_form(),
        Locale::En,
        &i18n,
        &Submitted::default(),
        &[],
        today(),
    );
    let html = render(&view, Locale::En);
    assert_accessible(&html);
    assert!(!html.contains("enctype"));
    assert!(html.contains(r#"type="text" inputmode="numeric""#));
    assert!(html.contains(r#"type="email""#));
}

mod over_http {
    //! A route built here and nowhere else: a real multipart request through poem's
    //! test client to the reader and the validator.

    use super::*;
    use poem::http::StatusCode;
    use poem::test::{TestClient, TestForm, TestFormField};
    use poem::web::{Data, Html, Json, Multipart};
    use poem::{handler, post, EndpointExt, IntoResponse, Response, Route};

    use crate::applications::multipart::{read_multipart, ReadError};

    struct Ctx {
        spec: FormSpec,
        i18n: I18n,
    }

    #[handler]
    async fn apply(ctx: Data<&Arc<Ctx>>, body: Multipart) -> Response {
        let sent = match read_multipart(&ctx.spec, body).await {
            Ok(s) => s,
            Err(ReadError::TooLarge) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            Err(ReadError::Malformed(_)) => return StatusCode::BAD_REQUEST.into_response(),
        };
        match ctx.spec.validate(&sent, today()) {
            Ok(a) => Json(json!({
                "data": a.data,
                "files": a.attachments.iter().map(|f| json!({"name": f.file_name, "type": f.content_type, "size": f.bytes.len()})).collect::<Vec<_>>(),
            }))
            .into_response(),
            Err(Invalid(errs)) => {
                let view = FormView::new(&ctx.spec, Locale::En, &ctx.i18n, &sent, &errs, today());
                Html(render(&view, Locale::En))
                    .with_status(StatusCode::UNPROCESSABLE_ENTITY)
                    .into_response()
            }
        }
    }

    fn client() -> TestClient<impl poem::Endpoint> {
        let ctx = Arc::new(Ctx {
            spec: spec(),
            i18n: I18n::load(None).unwrap(),
        });
        TestClient::new(Route::new().at("/apply", post(apply)).data(ctx))
    }

    fn form(file: TestFormField) -> TestForm {
        let mut f = TestForm::new();
        for (k, v) in good_pairs() {
            f = f.text(k, v);
        }
        f.field(file.name("proof"))
    }

    #[tokio::test]
    async fn a_multipart_submission_through_poem_becomes_answers() {
        let cli = client();
        let resp = cli
            .post("/apply")
            .multipart(form(
                TestFormField::bytes(PDF)
                    .filename("..\\..\\Windows\\Meldebescheinigung.pdf")
                    .content_type("application/pdf"),
            ))
            .send()
            .await;
        resp.assert_status_is_ok();
        let body = resp.json().await;
        let v = body.value();
        v.object()
            .get("data")
            .object()
            .get("plate")
            .assert_string("S-AB 1234");
        v.object()
            .get("data")
            .object()
            .get("confirm")
            .assert_bool(true);
        let file = v.object().get("files").array().get(0).object();
        file.get("name").assert_string("Meldebescheinigung.pdf");
        file.get("type").assert_string("application/pdf");
        file.get("size").assert_i64(PDF.len() as i64);
    }

    #[tokio::test]
    async fn a_disguised_file_comes_back_as_the_form_with_the_error_beside_it() {
        let cli = client();
        let resp = cli
            .post("/apply")
            .multipart(form(
                TestFormField::bytes(b"<?php system($_GET['c']); ?>".to_vec())
                    .filename("scan.pdf")
                    .content_type("application/pdf"),
            ))
            .send()
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.0.into_body().into_string().await.unwrap();
        assert!(html.contains(r#"<p class="error" id="proof-error">Choose a file of one of these types: PDF, JPEG, PNG.</p>"#));
        assert!(html.contains(r#"value="S-AB 1234""#), "the typing is kept");
    }

    #[tokio::test]
    async fn oversize_parts_and_bodies_are_refused_without_reading_them_whole() {
        let cli = client();
        // A file over its field's limit is that field's error.
        let mut big = PDF.to_vec();
        big.resize(5 * 1024 * 1024 + 10, b'0');
        let resp = cli
            .post("/apply")
            .multipart(form(
                TestFormField::bytes(big)
                    .filename("a.pdf")
                    .content_type("application/pdf"),
            ))
            .send()
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.0.into_body().into_string().await.unwrap();
        assert!(
            html.contains(r#"id="proof-error">This is too large."#),
            "{html}"
        );
        // A text part larger than the portal reads is its field's error too.
        let resp = cli
            .post("/apply")
            .multipart(
                form(
                    TestFormField::bytes(PDF)
                        .filename("a.pdf")
                        .content_type("application/pdf"),
                )
                .text("note", "x".repeat(upload::MAX_TEXT_BYTES + 1)),
            )
            .send()
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Many parts under unknown names exhaust the budget, not the server.
        let mut many = form(TestFormField::bytes(PDF).filename("a.pdf"));
        for n in 0..200 {
            many = many.text(format!("junk{n}"), "x");
        }
        cli.post("/apply")
            .multipart(many)
            .send()
            .await
            .assert_status(StatusCode::PAYLOAD_TOO_LARGE);
        // Not multipart at all.
        cli.post("/apply")
            .content_type("multipart/form-data; boundary=x")
            .body("--x\r\nContent-Disposition: form-data\r\n\r\nno end")
            .send()
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    }
}
