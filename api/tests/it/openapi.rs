//! The committed spec is the contract: it must match what the server serves.

use serde_json::Value;

use crate::helpers::*;

const REGENERATE: &str = "cargo run -p api -- openapi > openapi/openapi.json";

#[test]
fn committed_spec_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/openapi.json"
    ))
    .unwrap_or_else(|_| panic!("openapi/openapi.json is missing; run `{REGENERATE}`"));
    let current = api::web::app::spec_json();
    let a: Value = serde_json::from_str(&committed).expect("committed spec is JSON");
    let b: Value = serde_json::from_str(&current).unwrap();
    assert!(
        a == b,
        "openapi/openapi.json is out of date with the code; regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn every_operation_is_documented() {
    let spec: Value = serde_json::from_str(&api::web::app::spec_json()).unwrap();
    let mut ops = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            ops += 1;
            let name = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            assert!(op["operationId"].is_string(), "{name} has no operationId");
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses
                    .keys()
                    .any(|k| k.starts_with('4') || k.starts_with('5')),
                "{name} documents no errors"
            );
            for (code, r) in responses {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{name} {code} is not problem+json"
                    );
                }
            }
        }
    }
    assert!(ops >= 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_spec_is_the_committed_one() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let served: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let current: Value = serde_json::from_str(&api::web::app::spec_json()).unwrap();
    assert_eq!(served, current);
}

#[test]
fn every_operation_declares_its_errors() {
    let spec: Value = serde_json::from_str(&api::web::app::spec_json()).unwrap();
    let mut ids = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                api::web::app::OPERATION_ERRORS
                    .iter()
                    .any(|(o, _)| *o == id),
                "{id} is missing from OPERATION_ERRORS"
            );
            ids.push(id.to_string());
        }
    }
    for (id, _) in api::web::app::OPERATION_ERRORS {
        assert!(
            ids.iter().any(|i| i == id),
            "OPERATION_ERRORS names unknown operation {id}"
        );
    }
    // The public list never claims it can be rate-limited or need If-Match.
    let list = &spec["paths"]["/api/v1/listings"]["get"]["responses"];
    assert!(list.get("429").is_none() && list.get("428").is_none());
    assert!(spec["paths"]["/api/v1/listings/{id}"]["put"]["responses"]
        .get("428")
        .is_some());
}
