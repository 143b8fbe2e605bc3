//! The committed document is the contract: it must match what the code describes.

use serde_json::Value;

use crate::helpers::*;

const REGENERATE: &str =
    "cargo run -p partner-sandbox -- openapi > openapi/partner-booking-api.json";

fn spec() -> Value {
    serde_json::from_str(&partner_sandbox::spec_json()).unwrap()
}

#[test]
fn committed_spec_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/partner-booking-api.json"
    ))
    .unwrap_or_else(|_| panic!("openapi/partner-booking-api.json is missing; run `{REGENERATE}`"));
    let committed: Value = serde_json::from_str(&committed).expect("committed spec is JSON");
    assert!(
        committed == spec(),
        "openapi/partner-booking-api.json is out of date with the code; regenerate it with `{REGENERATE}`"
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
