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

// ---------------------------------------------------------------------------
// The Module API document (`openapi/module-api.json`)

const REGENERATE_MODULE: &str = "cargo run -p api -- openapi --module > openapi/module-api.json";

fn committed_module_api() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/module-api.json"
    ))
    .unwrap_or_else(|_| panic!("openapi/module-api.json is missing; run `{REGENERATE_MODULE}`"));
    serde_json::from_str(&text).expect("openapi/module-api.json is JSON")
}

fn module_api() -> Value {
    serde_json::from_str(&api::web::app::module_spec_json()).unwrap()
}

#[test]
fn committed_module_api_matches_the_code() {
    assert!(
        committed_module_api() == module_api(),
        "openapi/module-api.json is out of date with the code; regenerate it with \
         `{REGENERATE_MODULE}`"
    );
}

/// Every `$ref` in `v` names a schema of `doc`.
fn unresolved(doc: &Value, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                let ok = r
                    .strip_prefix('#')
                    .is_some_and(|pointer| doc.pointer(pointer).is_some());
                if !ok {
                    out.push(r.to_string());
                }
            }
            o.values().for_each(|x| unresolved(doc, x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| unresolved(doc, x, out)),
        _ => {}
    }
}

#[test]
fn the_module_api_is_only_what_a_module_calls_each_with_its_scope() {
    use api::web::module_spec::{OPERATION_SCOPES, PREFIX, SCHEME};
    let doc = module_api();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], api::web::module_spec::VERSION);
    let mut missing = Vec::new();
    unresolved(&doc, &doc, &mut missing);
    assert!(missing.is_empty(), "unresolved references: {missing:?}");

    let scheme = &doc["components"]["securitySchemes"][SCHEME];
    assert_eq!(scheme["type"], "oauth2");
    assert_eq!(
        scheme["flows"]["clientCredentials"]["tokenUrl"],
        "/oauth/token"
    );
    let granted: Vec<&String> = scheme["flows"]["clientCredentials"]["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let module_scopes: Vec<String> = api::core::scope::Scope::ALL
        .into_iter()
        .filter(|s| s.is_for_modules())
        .map(|s| s.as_str().to_string())
        .collect();
    assert_eq!(granted.len(), module_scopes.len());
    assert!(module_scopes.iter().all(|s| granted.contains(&s)));

    // Exactly the portal's operations under /api/v1/module/, each with its scope.
    let portal: Value = serde_json::from_str(&api::web::app::spec_json()).unwrap();
    let mut portal_ops = Vec::new();
    for (path, item) in portal["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            let module_token = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("ModuleToken").is_some()));
            assert_eq!(
                path.starts_with(PREFIX),
                module_token,
                "{path}: the Module API is exactly the operations with a module's token"
            );
            if module_token {
                portal_ops.push(op["operationId"].as_str().unwrap().to_string());
            }
        }
    }
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            if path == "/oauth/token" {
                assert_eq!(method, "post");
                continue;
            }
            assert!(path.starts_with(PREFIX), "{path}");
            let (_, scopes) = OPERATION_SCOPES
                .iter()
                .find(|(o, _)| *o == id)
                .unwrap_or_else(|| panic!("{id} is missing from OPERATION_SCOPES"));
            let listed: Vec<&str> = op["security"][0][SCHEME]
                .as_array()
                .unwrap_or_else(|| panic!("{id} is not protected by {SCHEME}"))
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(
                listed,
                scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>()
            );
            assert!(op["responses"]["401"].is_object(), "{id} documents no 401");
            ops.push(id);
        }
    }
    portal_ops.sort();
    ops.sort();
    assert_eq!(ops, portal_ops);
    assert_eq!(ops.len(), OPERATION_SCOPES.len());

    // Every event of the vocabulary, signed.
    let webhooks = doc["webhooks"].as_object().unwrap();
    let events: Vec<&str> = api::modules::manifest::EVENTS
        .into_iter()
        .filter(|e| !e.ends_with(".*"))
        .collect();
    assert_eq!(webhooks.len(), events.len());
    for e in events {
        let op = &webhooks[e]["post"];
        let headers: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{e} is not documented"))
            .iter()
            .filter(|p| p["in"] == "header" && p["required"] == true)
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            headers,
            ["webhook-id", "webhook-timestamp", "webhook-signature"],
            "{e}"
        );
        let schema = api::modules::events::schema_of(e).unwrap();
        assert_eq!(
            op["requestBody"]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{e}"
        );
    }
}

/// Every object schema of the document, closed: a field the document does not name is
/// an error (poem-openapi leaves them open).
fn closed(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.contains_key("properties") && !o.contains_key("additionalProperties") {
                o.insert("additionalProperties".into(), Value::Bool(false));
            }
            o.values_mut().for_each(closed);
        }
        Value::Array(a) => a.iter_mut().for_each(closed),
        _ => {}
    }
}

/// Fails unless `body` is a webhook body of the committed Module API: its `type` is a
/// documented event and the whole body satisfies that event's schema, nothing more.
pub fn assert_module_event(body: &Value) {
    let event_type = body["type"].as_str().expect("a type");
    let name = api::modules::events::schema_of(event_type)
        .unwrap_or_else(|| panic!("{event_type} is not an event of the Module API"));
    let mut doc = committed_module_api();
    closed(&mut doc["components"]);
    doc["$ref"] = Value::String(format!("#/components/schemas/{name}"));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&doc)
        .expect("the document's schemas compile");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{event_type} does not match module-api.json: {errors:?}\n{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_module_api_is_the_committed_one() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let served: Value = client()
        .get(app.url("/api/v1/module-api.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, module_api());
}

/// The checker's synthetic events are what the document says the portal sends, in
/// clear and sealed.
#[test]
fn the_checkers_synthetic_events_match_the_document() {
    let mut manifest: Value = serde_json::from_str(api::modules::manifest::EXAMPLE).unwrap();
    let key = api::applications::seal::ModuleKey::from_jwk(&manifest["encryption_key"]).unwrap();
    let mut report = manifest["services"][0].clone();
    report["capability"] = "report".into();
    report["listing"] = "report-street-defect".into();
    report.as_object_mut().unwrap().remove("form");
    manifest["services"].as_array_mut().unwrap().push(report);
    for e in api::modules::manifest::EVENTS {
        if e.ends_with(".*") {
            continue;
        }
        for key in [None, Some(&key)] {
            let body = api::modules::check::synthetic_event(&manifest, e, key).unwrap();
            assert_eq!(body["type"], e);
            assert_module_event(&body);
            if e == "application.submitted" {
                assert_eq!(body["data"]["sealed"].is_string(), key.is_some(), "{body}");
                assert_eq!(body["data"]["answers"].is_object(), key.is_none(), "{body}");
            }
        }
    }
}

/// A method an address does not take answers 405 naming those it does in `Allow`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_not_allowed_names_the_allowed_ones() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let resp = client()
        .request(reqwest::Method::TRACE, app.url("/api/v1/listings"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, POST, HEAD");
    let resp = client()
        .patch(app.url(&format!("/api/v1/listings/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "DELETE, GET, PUT, HEAD");
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/method-not-allowed");
}

/// What the handlers insist on, the document says: `If-Match` on a listing's full
/// update and `Idempotency-Key` on a booking are required; a module's service needs no
/// `offers`; a date is `format: date`; the manifest operations take the published
/// manifest schema; keys, dates, date-times, UUIDs and integers say their form.
#[test]
fn the_document_states_what_the_handlers_insist_on() {
    let spec: serde_json::Value = serde_json::from_str(&api::web::app::spec_json()).unwrap();
    let header = |path: &str, method: &str, name: &str| -> serde_json::Value {
        spec["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} has no {name}"))
    };
    assert_eq!(
        header("/api/v1/listings/{id}", "put", "If-Match")["required"],
        true
    );
    assert_eq!(
        header("/api/v1/bookings", "post", "Idempotency-Key")["required"],
        true
    );
    assert_eq!(
        header("/api/v1/offers/{id}", "put", "If-Match")["required"],
        false
    );
    assert!(header("/api/v1/listings/{id}", "put", "If-Match")["schema"]["pattern"].is_string());
    let required = spec["components"]["schemas"]["RegisterService"]["required"]
        .as_array()
        .unwrap();
    assert!(!required.contains(&"offers".into()), "{required:?}");
    assert!(!spec.to_string().contains("naive-date\""));
    for (path, method) in [
        ("/api/v1/admin/modules", "post"),
        ("/api/v1/admin/modules/{id}/manifest", "put"),
        ("/api/v1/module/manifest", "put"),
    ] {
        let schema = spec["paths"][path][method]["requestBody"]["content"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["schema"]
            .clone();
        assert_eq!(
            schema["$ref"], "#/components/schemas/ModuleManifest",
            "{method} {path}"
        );
    }
    assert_eq!(
        spec["components"]["schemas"]["ModuleManifest"]["additionalProperties"],
        false
    );
    // The form of a key, a date, a UUID and the range of an unsigned integer: tools
    // take formats as annotations.
    let key = header("/api/v1/bookings", "post", "Idempotency-Key")["schema"].clone();
    assert_eq!(
        (&key["minLength"], &key["maxLength"], &key["pattern"]),
        (&1.into(), &255.into(), &"^[!-~]+$".into())
    );
    let booking = &spec["components"]["schemas"]["BookingInput"]["properties"];
    assert!(booking["start_date"]["pattern"].is_string(), "{booking}");
    assert!(booking["starts_at"]["pattern"].is_string(), "{booking}");
    assert!(booking["offer_id"]["pattern"].is_string(), "{booking}");
    let uuid_params: Vec<&serde_json::Value> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("parameters").and_then(|p| p.as_array()))
        .flatten()
        .filter(|p| p["schema"]["format"] == "uuid")
        .collect();
    assert!(!uuid_params.is_empty());
    for p in uuid_params {
        assert!(p["schema"]["pattern"].is_string(), "{p}");
    }
    let offer = &spec["components"]["schemas"]["OfferInput"]["properties"];
    assert_eq!(offer["cancel_deadline_minutes"]["minimum"], 0);
    assert_eq!(offer["horizon_days"]["minimum"], 1);
    assert_eq!(offer["horizon_days"]["maximum"], 365);
    assert!(offer["horizon_days"]["minimum"].is_i64());
    let sessions = &spec["components"]["schemas"]["ClassDetails"]["properties"]["sessions"];
    assert!(sessions["items"]["pattern"].is_string(), "{sessions}");
}
