//! The committed document is the contract: the sandbox, which implements it, must
//! generate exactly that document.

use serde_json::Value;

use crate::helpers::*;

const REGENERATE: &str =
    "cargo run -p partner-sandbox -- openapi > openapi/partner-booking-api.json";

/// The document generated from the sandbox's implementation.
fn spec() -> Value {
    serde_json::from_str(&partner_sandbox::generated_spec_json()).unwrap()
}

/// Where two documents first differ, as a JSON pointer with both values.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let path = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => first_difference(v, w, &path),
                    (v, w) => Some(format!("{path}: committed {v:?}, generated {w:?}")),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}"))),
        _ => (a != b).then(|| format!("{at}: committed {a}, generated {b}")),
    }
}

#[test]
fn committed_spec_matches_the_code() {
    // The published document, as `partner-contract` compiles it in.
    let committed: Value = serde_json::from_str(partner_sandbox::spec_json()).unwrap_or_else(|e| {
        panic!("openapi/partner-booking-api.json is not JSON ({e}); run `{REGENERATE}`")
    });
    let generated = spec();
    if let Some(diff) = first_difference(&committed, &generated, "") {
        panic!(
            "openapi/partner-booking-api.json is out of date with the sandbox's implementation \
             (first difference at {diff}); regenerate it with `{REGENERATE}`"
        );
    }
}

#[test]
fn first_difference_names_the_path() {
    let a = serde_json::json!({"paths": {"/a/b": {"get": [1, 2]}}, "x": 1});
    let b = serde_json::json!({"paths": {"/a/b": {"get": [1, 3]}}, "x": 1});
    assert_eq!(first_difference(&a, &a, ""), None);
    assert_eq!(
        first_difference(&a, &b, "").as_deref(),
        Some("/paths/~1a~1b/get/1: committed 2, generated 3")
    );
}

#[test]
fn every_operation_is_documented() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut ids = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        assert!(
            path == "/oauth/token" || path.starts_with("/partner/v1/"),
            "{path} is not part of the contract"
        );
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no operationId"));
            ids.push(id.to_string());
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(
                op["description"].as_str().is_some_and(|s| s.len() > 40),
                "{name} has no description"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            let responses = op["responses"].as_object().unwrap();
            let errors: Vec<&String> = responses.keys().filter(|k| !k.starts_with('2')).collect();
            assert!(!errors.is_empty(), "{name} documents no errors");
            for code in errors {
                let media = if path == "/oauth/token" && code != "503" {
                    "application/json; charset=utf-8"
                } else {
                    "application/problem+json"
                };
                assert!(
                    responses[code]["content"][media].is_object(),
                    "{name} {code} is not {media}"
                );
                assert!(responses[code]["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()));
            }
            if path.starts_with("/partner/v1/") {
                assert_eq!(
                    op["security"][0]["PartnerOAuth"][0], "bookings",
                    "{name} is not protected"
                );
                assert!(responses.contains_key("401"), "{name} documents no 401");
                let writes = method == "post" && path != "/partner/v1/availability";
                let key = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|p| p["name"] == "Idempotency-Key");
                assert_eq!(
                    key.is_some(),
                    writes,
                    "{name}: Idempotency-Key only on writes"
                );
                if let Some(k) = key {
                    assert_eq!(k["required"], true, "{name}");
                    assert_eq!(k["in"], "header");
                }
            }
        }
    }
    for (id, _) in partner_sandbox::OPERATION_ERRORS {
        assert!(
            ids.iter().any(|i| i == id),
            "OPERATION_ERRORS names unknown {id}"
        );
    }
    assert_eq!(ids.len(), partner_sandbox::OPERATION_ERRORS.len());
}

#[test]
fn the_document_explains_auth_idempotency_webhooks_and_errors() {
    let spec = spec();
    let flows = &spec["components"]["securitySchemes"]["PartnerOAuth"];
    assert_eq!(flows["type"], "oauth2");
    assert_eq!(
        flows["flows"]["clientCredentials"]["tokenUrl"],
        "/oauth/token"
    );
    let text = spec["info"]["description"].as_str().unwrap();
    for needle in [
        "Idempotency-Key",
        "idempotency-key-reused",
        "webhook-signature",
        "whsec_",
        "5 minutes",
        "application/problem+json",
        "slot-full",
        "client_credentials",
    ] {
        assert!(
            text.contains(needle),
            "the description does not mention {needle}"
        );
    }
    let hook = &spec["webhooks"]["booking"]["post"];
    let names: Vec<&str> = hook["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
    assert_eq!(
        hook["requestBody"]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/WebhookEvent"
    );
    // Every field of every schema is described for the partner's developers.
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        assert!(
            schema["description"].is_string() || schema["enum"].is_array(),
            "{name} has no description"
        );
        for (field, s) in schema["properties"].as_object().into_iter().flatten() {
            assert!(
                s["description"].is_string(),
                "{name}.{field} has no description"
            );
        }
    }
    assert!(!serde_json::to_string(&spec).unwrap().contains("/sandbox"));
}

#[tokio::test]
async fn the_sandbox_serves_the_document() {
    let app = spawn_app().await;
    let a = read(
        app.http
            .get(app.sandbox.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, spec());
}
