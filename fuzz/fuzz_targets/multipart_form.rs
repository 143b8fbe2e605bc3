//! Reading a form's `multipart/form-data` body (`applications::multipart::read_multipart`)
//! through poem's parser, as the application pages do. Any body: never a panic, and a
//! well-formed one is read back as sent: the first text of each name, a file's name,
//! type and bytes, and nothing of a file larger than its field allows.
//!
//! Input: the first byte chooses raw bytes (after the boundary's header) or parts built
//! from the rest.

#![no_main]

use std::sync::OnceLock;

use api::applications::form::FormSpec;
use api::applications::multipart::{read_multipart, ReadError};
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use poem::web::Multipart;
use poem::FromRequest;

const BOUNDARY: &str = "fuzz-boundary-Hq7ZtR2b";
const FILE_LIMIT: usize = 2048;

fn spec() -> &'static FormSpec {
    static SPEC: OnceLock<FormSpec> = OnceLock::new();
    SPEC.get_or_init(|| {
        FormSpec::parse(&serde_json::json!({
            "type": "object",
            "x-order": ["plate", "note", "address", "proof"],
            "required": ["plate"],
            "properties": {
                "plate": {"type": "string", "maxLength": 12, "x-title": {"de": "Kennzeichen", "en": "Plate"}},
                "note": {"type": "string", "x-multiline": true, "x-title": {"de": "Notiz", "en": "Note"}},
                "address": {"type": "object", "x-address": true, "x-title": {"de": "Adresse", "en": "Address"}},
                "proof": {
                    "type": "string",
                    "x-file": {"max_bytes": FILE_LIMIT, "content_types": ["application/pdf", "image/png"]},
                    "x-title": {"de": "Nachweis", "en": "Proof"}
                }
            }
        }))
        .expect("the form parses")
    })
}

#[derive(Arbitrary, Debug)]
struct Part {
    name: u8,
    text: String,
    file: Option<(String, Vec<u8>, bool)>,
}

const NAMES: [&str; 8] = [
    "plate",
    "note",
    "address.street",
    "address.postcode",
    "address.city",
    "proof",
    "csrf",
    "unknown",
];

fn read(body: Vec<u8>) -> Result<api::applications::form::Submitted, ReadError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    rt.block_on(async move {
        let req = poem::Request::builder()
            .method(poem::http::Method::POST)
            .content_type(&format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        let (req, mut body) = req.split();
        let m = Multipart::from_request(&req, &mut body)
            .await
            .map_err(|e| ReadError::Malformed(e.to_string()))?;
        read_multipart(spec(), m).await
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = read(rest.to_vec());
        return;
    }
    let mut u = Unstructured::new(rest);
    let Ok(parts) = Vec::<Part>::arbitrary(&mut u) else {
        return;
    };
    let mut body = Vec::new();
    for p in &parts {
        let name = NAMES[usize::from(p.name) % NAMES.len()];
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match &p.file {
            Some((file_name, bytes, typed)) => {
                // A browser's file name: no quotes, backslashes or control characters.
                let file_name: String = file_name
                    .chars()
                    .filter(|c| !matches!(c, '"' | '\\') && !c.is_control())
                    .collect();
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n"
                    )
                    .as_bytes(),
                );
                if *typed {
                    body.extend_from_slice(b"Content-Type: application/pdf\r\n");
                }
                body.extend_from_slice(b"\r\n");
                if bytes
                    .windows(BOUNDARY.len())
                    .any(|w| w == BOUNDARY.as_bytes())
                {
                    return;
                }
                body.extend_from_slice(bytes);
            }
            None => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                if p.text.contains(BOUNDARY) {
                    return;
                }
                body.extend_from_slice(p.text.as_bytes());
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let sent = match read(body) {
        Ok(s) => s,
        Err(ReadError::TooLarge) => {
            // Only when there are more parts than a form of four fields takes.
            assert!(
                parts.len() > 4 * 4 + 16,
                "{} parts refused as too large",
                parts.len()
            );
            return;
        }
        Err(ReadError::Malformed(e)) => panic!("a well-formed body refused: {e}"),
    };
    // What the form must have read: per name, the first part within its limit (a
    // text also valid UTF-8).
    for name in NAMES {
        let mine = parts
            .iter()
            .filter(|p| NAMES[usize::from(p.name) % NAMES.len()] == name);
        if name == "proof" {
            assert!(sent.text(name).is_none());
            let first = mine
                .map(|p| (bytes_of(p), p.file.as_ref().map(|f| f.2)))
                .find(|(b, _)| b.len() <= FILE_LIMIT);
            match first {
                None => assert!(sent.file(name).is_none(), "a file over its limit was kept"),
                Some((bytes, typed)) => {
                    let f = sent.file(name).expect("the file is read");
                    assert_eq!(f.bytes, bytes);
                    if let Some(typed) = typed {
                        assert_eq!(
                            f.content_type.as_deref(),
                            typed.then_some("application/pdf")
                        );
                    }
                }
            }
        } else {
            // Texts of the form's fields, and short texts of other names (the token).
            assert!(sent.file(name).is_none());
            let first = mine
                .map(bytes_of)
                .filter(|b| b.len() <= api::applications::upload::MAX_TEXT_BYTES)
                .find_map(|b| String::from_utf8(b).ok());
            assert_eq!(sent.text(name), first.as_deref(), "{name}");
        }
    }
});

fn bytes_of(p: &Part) -> Vec<u8> {
    match &p.file {
        Some((_, b, _)) => b.clone(),
        None => p.text.as_bytes().to_vec(),
    }
}
