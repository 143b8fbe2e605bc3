//! Issue reports over Open311 GeoReport v2 (`/open311/v2`, JSON and XML, with
//! FixMyStreet's `servicerequestupdates`), the Module API's `/api/v1/module/reports`, the
//! Open311 API keys, and the residents' pages, on both databases.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::modules::{access_token, active, ok_json, send, setup, Creds};
use crate::on_both;

/// A street-defect module serving the demo city's "report a street defect" service, with
/// a small form (its Open311 attributes).
pub(crate) fn street_defects() -> Value {
    json!({
        "manifest_version": 1,
        "id": "street-defects",
        "name": {"de": "Straßenschäden", "en": "Street defects"},
        "operator": "public-works",
        "base_url": "https://defects.module.example",
        "contact": {"email": "defects@stadt.example"},
        "services": [{
            "listing": "report-street-defect",
            "capability": "report",
            "data": ["location", "attachments", "name", "email"],
            "purpose": {"de": "Schäden beheben.", "en": "Repairing defects."},
            "legal_basis": {"de": "Art. 6 Abs. 1 lit. e DSGVO.", "en": "Art. 6(1)(e) GDPR."},
            "form": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "x-order": ["kind", "lane", "blocking"],
                "required": ["kind"],
                "additionalProperties": false,
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": ["pothole", "crack"],
                        "x-title": {"de": "Art des Schadens", "en": "Kind of defect"},
                        "x-enum-labels": {
                            "pothole": {"de": "Schlagloch", "en": "Pothole"},
                            "crack": {"de": "Riss", "en": "Crack"}
                        }
                    },
                    "lane": {
                        "type": "string",
                        "maxLength": 50,
                        "x-title": {"de": "Fahrspur", "en": "Lane"}
                    },
                    "blocking": {
                        "type": "boolean",
                        "x-title": {"de": "Versperrt den Weg", "en": "Blocks the way"}
                    }
                }
            }
        }],
        "scopes": ["module:cases:read", "module:cases:status", "module:cases:messages", "module:resident-data:read"],
        "events": ["report.*"],
        "webhook_url": "https://defects.module.example/webhook"
    })
}

/// The demo city's services, an admin, the active street-defect module and its creds.
pub(crate) async fn with_module(app: &TestApp) -> (User, Creds) {
    let admin = setup(app).await;
    let creds = active(app, &admin, street_defects()).await;
    (admin, creds)
}

/// A fresh Open311 API key for an app.
pub(crate) async fn api_key(app: &TestApp, name: &str) -> String {
    api::reports::service::issue_key(
        api::reports::service::Ctx {
            db: &app.state.db,
            city_id: app.state.city.id,
        },
        name,
        None,
    )
    .await
    .unwrap()
    .secret
}

/// A GET as an English-speaking client (names and descriptions follow
/// `Accept-Language`; the city's own language otherwise).
async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    client()
        .get(app.url(path))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
}

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let ty = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert!(ty.starts_with("application/json"), "{ty}");
    serde_json::from_str(&body).unwrap()
}

async fn xml_of(r: reqwest::Response, status: StatusCode) -> String {
    let got = r.status();
    let ty = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert!(ty.starts_with("text/xml"), "{ty}");
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    body
}

/// The element paths of an XML document with their texts (`a/b/c` → text), in order;
/// fails on a document that is not well-formed.
fn xml_paths(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                out.push((path.join("/"), String::new()));
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                out.push((format!("{}/{name}", path.join("/")), String::new()));
            }
            Event::Text(t) => {
                let here = path.join("/");
                if let Some(last) = out.last_mut().filter(|l| l.0 == here) {
                    last.1.push_str(&t.unescape().unwrap());
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn xml_text(paths: &[(String, String)], path: &str) -> Vec<String> {
    paths
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, t)| t.clone())
        .collect()
}

/// Posts a service request as a third-party app would.
pub(crate) async fn post_request(
    app: &TestApp,
    format: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client()
        .post(app.url(&format!("/open311/v2/requests.{format}")))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn discovery_services_and_definitions(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let d = json_of(
        get(&app, "/open311/v2/discovery.json").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(d["endpoints"][0]["url"]
        .as_str()
        .unwrap()
        .ends_with("/open311/v2"));
    assert_eq!(
        d["endpoints"][0]["formats"],
        json!(["text/xml", "application/json"])
    );
    let x = xml_paths(&xml_of(get(&app, "/open311/v2/discovery.xml").await, StatusCode::OK).await);
    assert_eq!(
        xml_text(&x, "discovery/endpoints/endpoint/formats/format"),
        vec!["text/xml", "application/json"]
    );

    // The services: the report services of active modules only.
    let s = json_of(get(&app, "/open311/v2/services.json").await, StatusCode::OK).await;
    let list = s.as_array().unwrap();
    assert_eq!(list.len(), 1, "{s}");
    let svc = &list[0];
    assert_eq!(svc["service_code"], "report-street-defect");
    assert_eq!(svc["metadata"], true);
    assert_eq!(svc["type"], "realtime");
    assert_eq!(svc["group"], "Street defects");
    for key in ["service_name", "description", "keywords"] {
        assert!(svc[key].is_string(), "{key}: {svc}");
    }
    let x = xml_paths(&xml_of(get(&app, "/open311/v2/services.xml").await, StatusCode::OK).await);
    assert_eq!(
        xml_text(&x, "services/service/service_code"),
        vec!["report-street-defect"]
    );
    assert_eq!(xml_text(&x, "services/service/metadata"), vec!["true"]);
    // German when asked for.
    let de: Value = client()
        .get(app.url("/open311/v2/services.json"))
        .header("Accept-Language", "de")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(de[0]["group"], "Straßenschäden");

    // The definition: the form's fields as attributes, in order.
    let def = json_of(
        get(&app, "/open311/v2/services/report-street-defect.json").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(def["service_code"], "report-street-defect");
    let attrs = def["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attrs.iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["kind", "lane", "blocking"]);
    assert_eq!(attrs[0]["datatype"], "singlevaluelist");
    assert_eq!(attrs[0]["required"], true);
    assert_eq!(attrs[0]["variable"], true);
    assert_eq!(attrs[0]["order"], 1);
    assert_eq!(attrs[0]["description"], "Kind of defect");
    assert_eq!(
        attrs[0]["values"],
        json!([{"key": "pothole", "name": "Pothole"}, {"key": "crack", "name": "Crack"}])
    );
    assert_eq!(attrs[1]["datatype"], "string");
    assert_eq!(attrs[1]["required"], false);
    assert_eq!(attrs[2]["datatype"], "singlevaluelist");
    let x = xml_paths(
        &xml_of(
            get(&app, "/open311/v2/services/report-street-defect.xml").await,
            StatusCode::OK,
        )
        .await,
    );
    assert_eq!(
        xml_text(&x, "service_definition/attributes/attribute/code"),
        vec!["kind", "lane", "blocking"]
    );
    assert_eq!(
        xml_text(
            &x,
            "service_definition/attributes/attribute/values/value/key"
        )[..2],
        ["pothole", "crack"]
    );

    // Errors as the specification lists them.
    let e = json_of(
        get(&app, "/open311/v2/services/no-such-service.json").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e[0]["code"], 404);
    assert!(e[0]["description"]
        .as_str()
        .unwrap()
        .contains("service_code"));
    let city = app.state.city.slug.clone();
    json_of(
        get(
            &app,
            &format!("/open311/v2/services.json?jurisdiction_id={city}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let e = json_of(
        get(
            &app,
            "/open311/v2/services.json?jurisdiction_id=elsewhere.gov",
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(e[0]["description"]
        .as_str()
        .unwrap()
        .contains("jurisdiction_id"));
    let x = xml_paths(
        &xml_of(
            get(
                &app,
                "/open311/v2/services.xml?jurisdiction_id=elsewhere.gov",
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await,
    );
    assert_eq!(xml_text(&x, "errors/error/code"), vec!["404"]);
}
on_both!(discovery_services_and_definitions);

async fn apps_post_and_read_back_without_personal_data(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "Mängelmelder").await;
    let email = unique_email("reporter");
    let r = post_request(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "report-street-defect"),
            ("lat", "60.1699"),
            ("long", "24.9384"),
            ("description", "Deep pothole <b>&</b> \"here\""),
            ("email", &email),
            ("first_name", "Maija"),
            ("last_name", "Meikäläinen"),
            ("phone", "+358 40 1234567"),
            ("device_id", "device-1"),
            ("account_id", "acct-7"),
            ("attribute[kind]", "pothole"),
            ("attribute[blocking]", "true"),
            ("media_url", "https://img.example/pothole.jpg"),
        ],
    )
    .await;
    let created = json_of(r, StatusCode::CREATED).await;
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created[0]["account_id"], "acct-7");
    assert!(created[0]
        .as_object()
        .unwrap()
        .contains_key("service_notice"));
    // The module hears of it through the outbox, in the same transaction.
    assert_eq!(app.outbox_events(&id).await, vec!["report.submitted"]);

    // Read back: one, several, by filter; never who sent it.
    let one = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    let req = &one[0];
    assert_eq!(req["service_request_id"], id.as_str());
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], "report-street-defect");
    assert_eq!(req["description"], "Deep pothole <b>&</b> \"here\"");
    assert_eq!(req["lat"], 60.1699);
    assert_eq!(req["long"], 24.9384);
    assert_eq!(req["media_url"], "https://img.example/pothole.jpg");
    assert_eq!(req["agency_responsible"], "Street defects");
    for key in [
        "status_notes",
        "service_name",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
    ] {
        assert!(req.as_object().unwrap().contains_key(key), "{key}");
    }
    let text = req.to_string();
    for secret in [
        email.as_str(),
        "Maija",
        "Meikäläinen",
        "1234567",
        "device-1",
        "acct-7",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let xml = xml_of(
        get(&app, &format!("/open311/v2/requests/{id}.xml")).await,
        StatusCode::OK,
    )
    .await;
    assert!(xml.contains("Deep pothole &lt;b&gt;&amp;&lt;/b&gt; &quot;here&quot;"));
    let x = xml_paths(&xml);
    assert_eq!(
        xml_text(&x, "service_requests/request/service_request_id"),
        vec![id.clone()]
    );
    assert_eq!(
        xml_text(&x, "service_requests/request/description"),
        vec!["Deep pothole <b>&</b> \"here\""]
    );
    for secret in [email.as_str(), "Maija", "acct-7"] {
        assert!(!xml.contains(secret));
    }

    // A second, closed later by the module; filters.
    let r = post_request(
        &app,
        "xml",
        &[
            ("api_key", &key),
            ("service_code", "report-street-defect"),
            ("lat", "60.17"),
            ("long", "24.94"),
            ("description", "Crack"),
            ("attribute[kind]", "crack"),
        ],
    )
    .await;
    let x = xml_paths(&xml_of(r, StatusCode::CREATED).await);
    let second = xml_text(&x, "service_requests/request/service_request_id")[0].clone();
    let all = json_of(get(&app, "/open311/v2/requests.json").await, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let both = json_of(
        get(
            &app,
            &format!("/open311/v2/requests.json?service_request_id={id},{second}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(both.as_array().unwrap().len(), 2);
    let closed = json_of(
        get(&app, "/open311/v2/requests.json?status=closed").await,
        StatusCode::OK,
    )
    .await;
    assert!(closed.as_array().unwrap().is_empty());
    let none = json_of(
        get(&app, "/open311/v2/requests.json?service_code=other-service").await,
        StatusCode::OK,
    )
    .await;
    assert!(none.as_array().unwrap().is_empty());
    let old = json_of(
        get(
            &app,
            "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(old.as_array().unwrap().is_empty());
    let x = xml_paths(&xml_of(get(&app, "/open311/v2/requests.xml").await, StatusCode::OK).await);
    assert_eq!(
        xml_text(&x, "service_requests/request/service_request_id").len(),
        2
    );
    let e = json_of(
        get(
            &app,
            &format!("/open311/v2/requests/{}.json", uuid::Uuid::now_v7()),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e[0]["code"], 404);
}
on_both!(apps_post_and_read_back_without_personal_data);

/// Posts `extra` over a valid request and expects a 400 naming `field`.
async fn refused(app: &TestApp, key: &str, extra: &[(&str, &str)], field: &str) {
    let mut form: Vec<(&str, &str)> = vec![
        ("api_key", key),
        ("service_code", "report-street-defect"),
        ("attribute[kind]", "pothole"),
    ];
    let overridden: Vec<&str> = extra.iter().map(|(k, _)| *k).collect();
    form.retain(|(k, _)| !overridden.contains(k));
    form.extend(extra.iter().filter(|(_, v)| !v.is_empty()));
    let e = json_of(
        post_request(app, "json", &form).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let descriptions: Vec<&str> = e
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["code"], 400);
            x["description"].as_str().unwrap()
        })
        .collect();
    assert!(
        descriptions
            .iter()
            .any(|d| d.starts_with(&format!("{field}:"))),
        "{field}: {descriptions:?}"
    );
}

async fn hostile_posts_are_refused(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "Test app").await;
    let place = [("lat", "60.17"), ("long", "24.94")];
    // Keys: missing, wrong, revoked → 403.
    for bad in ["", "o311_not-a-key", &"x".repeat(5000)] {
        let e = json_of(
            post_request(
                &app,
                "json",
                &[
                    ("api_key", bad),
                    ("service_code", "report-street-defect"),
                    ("lat", "60.17"),
                    ("long", "24.94"),
                ],
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_eq!(e[0]["code"], 403);
        assert!(e[0]["description"].as_str().unwrap().contains("api_key"));
    }
    let revoked = api::reports::service::issue_key(
        api::reports::service::Ctx {
            db: &app.state.db,
            city_id: app.state.city.id,
        },
        "Old app",
        None,
    )
    .await
    .unwrap();
    api::reports::service::revoke_key(
        api::reports::service::Ctx {
            db: &app.state.db,
            city_id: app.state.city.id,
        },
        revoked.key.id,
    )
    .await
    .unwrap();
    let x = xml_paths(
        &xml_of(
            post_request(
                &app,
                "xml",
                &[
                    ("api_key", &revoked.secret),
                    ("service_code", "report-street-defect"),
                    ("lat", "60.17"),
                    ("long", "24.94"),
                ],
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await,
    );
    assert_eq!(xml_text(&x, "errors/error/code"), vec!["403"]);
    // An unknown service → 404; none → 400.
    let e = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", &key),
                ("service_code", "nope"),
                place[0],
                place[1],
            ],
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e[0]["code"], 404);
    refused(
        &app,
        &key,
        &[("service_code", ""), place[0], place[1]],
        "service_code",
    )
    .await;
    // Places.
    refused(&app, &key, &[], "lat").await;
    refused(&app, &key, &[("lat", "91"), ("long", "24.9")], "lat").await;
    refused(&app, &key, &[("lat", "NaN"), ("long", "24.9")], "lat").await;
    refused(&app, &key, &[("lat", "60.1"), ("long", "inf")], "long").await;
    refused(&app, &key, &[("lat", "60.1"), ("long", "-181")], "long").await;
    refused(&app, &key, &[("lat", "60.1")], "long").await;
    refused(&app, &key, &[("long", "24.9")], "lat").await;
    // Texts and contact details.
    let long = "x".repeat(4001);
    refused(
        &app,
        &key,
        &[place[0], place[1], ("description", &long)],
        "description",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("description", "a\u{0}b")],
        "description",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("email", "not-an-email")],
        "email",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("phone", "call me")],
        "phone",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("media_url", "javascript:alert(1)")],
        "media_url",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("first_name", &"n".repeat(101))],
        "first_name",
    )
    .await;
    // Attributes against the form.
    refused(
        &app,
        &key,
        &[place[0], place[1], ("attribute[kind]", "sinkhole")],
        "attribute[kind]",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("attribute[kind]", "")],
        "attribute[kind]",
    )
    .await;
    // An attribute the service does not ask is ignored (open311_takes_what_clients_send);
    // a boolean's value other than true or false is not.
    refused(
        &app,
        &key,
        &[place[0], place[1], ("attribute[blocking]", "maybe")],
        "attribute[blocking]",
    )
    .await;
    refused(
        &app,
        &key,
        &[place[0], place[1], ("attribute[lane]", &"l".repeat(51))],
        "attribute[lane]",
    )
    .await;
    // A body over the limit: 413.
    let huge = "d".repeat(70 * 1024);
    let e = json_of(
        post_request(&app, "json", &[("api_key", &key), ("description", &huge)]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(e[0]["code"], 413);
    // Queries.
    for (q, field) in [
        ("start_date=yesterday", "start_date"),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "end_date",
        ),
        ("status=pending", "status"),
        ("service_request_id=../../etc", "service_request_id"),
    ] {
        let e = json_of(
            get(&app, &format!("/open311/v2/requests.json?{q}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            e[0]["description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{field}:")),
            "{q}: {e}"
        );
    }
    // Unknown resources and formats.
    let r = get(&app, "/open311/v2/requests.html").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nothing was stored by any of it.
    let all = json_of(get(&app, "/open311/v2/requests.json").await, StatusCode::OK).await;
    assert!(all.as_array().unwrap().is_empty(), "{all}");
}
on_both!(hostile_posts_are_refused);

async fn modules_read_their_reports_and_post_updates(app: TestApp) {
    let (admin, creds) = with_module(&app).await;
    let key = api_key(&app, "App").await;
    let email = unique_email("app-user");
    let created = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", &key),
                ("service_code", "report-street-defect"),
                ("lat", "60.17"),
                ("long", "24.94"),
                ("description", "Pothole"),
                ("email", &email),
                ("first_name", "Ada"),
                ("attribute[kind]", "pothole"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Only with the module's own token, and the scope each operation needs.
    let r = client()
        .get(app.url("/api/v1/module/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = admin
        .client
        .get(app.url("/api/v1/module/reports"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let status_only = access_token(&app, &creds, Some("module:cases:status")).await;
    let r = client()
        .get(app.url("/api/v1/module/reports"))
        .bearer_auth(&status_only)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        problem(r, 403).await["type"],
        "/problems/insufficient-scope"
    );
    let read_only = access_token(&app, &creds, Some("module:cases:read")).await;
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&read_only)
        .json(&json!({"state": "fixed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/comments")))
        .bearer_auth(&read_only)
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The list carries no personal data; one report with the data the manifest names,
    // and the reporter only with module:resident-data:read.
    let list: Value = client()
        .get(app.url("/api/v1/module/reports?status=open"))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["channel"], "app");
    assert_eq!(list["items"][0]["attributes"]["kind"], "pothole");
    assert!(!list.to_string().contains(&email));
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["place"]["lat"], 60.17);
    assert!(one.get("reporter").is_none(), "{one}");
    let all = access_token(&app, &creds, None).await;
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&all)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["reporter"]["email"], email.as_str());
    assert_eq!(one["reporter"]["first_name"], "Ada");
    // Another module's report is not found.
    let r = client()
        .get(app.url(&format!("/api/v1/module/reports/{}", uuid::Uuid::now_v7())))
        .bearer_auth(&all)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Updates: bad input named, then a status change and a comment.
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&all)
        .json(&json!({"state": "repaired-ish"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), vec!["state"]);
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/comments")))
        .bearer_auth(&all)
        .json(&json!({"text": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), vec!["text"]);
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&all)
        .json(&json!({"state": "in_progress", "note": "Crew on its way", "expected_datetime": "2030-01-02T10:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/comments")))
        .bearer_auth(&all)
        .json(&json!({"text": "Asphalt ordered"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&all)
        .json(&json!({"state": "FIXED", "note": "Filled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // The module made these: nothing goes back to it.
    assert_eq!(app.outbox_events(&id).await, vec!["report.submitted"]);

    // Open311 shows the outcome, and FixMyStreet's updates list each step.
    let req = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(req[0]["status"], "closed");
    assert_eq!(req[0]["status_notes"], "Filled");
    assert!(req[0]["expected_datetime"]
        .as_str()
        .unwrap()
        .starts_with("2030-01-02"));
    let closed = json_of(
        get(&app, "/open311/v2/requests.json?status=closed").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let ups = json_of(
        get(&app, "/open311/v2/servicerequestupdates.json").await,
        StatusCode::OK,
    )
    .await;
    let states: Vec<&str> = ups
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["IN_PROGRESS", "IN_PROGRESS", "FIXED"]);
    assert_eq!(ups[1]["description"], "Asphalt ordered");
    assert_eq!(ups[2]["service_request_id"], id.as_str());
    for key in ["update_id", "updated_datetime", "media_url"] {
        assert!(ups[0].as_object().unwrap().contains_key(key), "{key}");
    }
    let x = xml_paths(
        &xml_of(
            get(&app, "/open311/v2/servicerequestupdates.xml").await,
            StatusCode::OK,
        )
        .await,
    );
    assert_eq!(
        xml_text(&x, "service_request_updates/request_update/status"),
        vec!["IN_PROGRESS", "IN_PROGRESS", "FIXED"]
    );
    let later = json_of(
        get(
            &app,
            "/open311/v2/servicerequestupdates.json?start_date=2035-01-01T00:00:00Z",
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(later.as_array().unwrap().is_empty());
}
on_both!(modules_read_their_reports_and_post_updates);

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in the page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let e = html[s..].find(end).unwrap() + s;
    &html[s..e]
}

/// City admins issue a key on their page (shown once), apps post with it, revoking it
/// ends that; residents and editors cannot see the page; the CLI prints a working key.
async fn admins_issue_and_revoke_keys(app: TestApp) {
    let (admin, _creds) = with_module(&app).await;
    let resident = app.register("Resident").await;
    let r = resident
        .client
        .get(app.url("/admin/open311-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = admin
        .client
        .get(app.url("/admin/open311-keys"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("No app has a key yet."));
    let csrf = hidden(&page, "csrf");
    // A name is needed; a forged form is refused.
    let r = admin
        .client
        .post(app.url("/admin/open311-keys"))
        .header("Accept-Language", "en")
        .form(&[("csrf", csrf.as_str()), ("app_name", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Give the app a name"));
    let r = admin
        .client
        .post(app.url("/admin/open311-keys"))
        .form(&[("csrf", "forged"), ("app_name", "Evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = admin
        .client
        .post(app.url("/admin/open311-keys"))
        .header("Accept-Language", "en")
        .form(&[("csrf", csrf.as_str()), ("app_name", "Mängelmelder <app>")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Shown once, kept by no cache.
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("Mängelmelder &lt;app&gt;"));
    let key = between(&html, "<code id=\"new-key\">", "</code>").to_string();
    assert!(key.starts_with("o311_"), "{key}");
    // Only its hash is stored.
    let stored = api::reports::service::keys(api::reports::service::Ctx {
        db: &app.state.db,
        city_id: app.state.city.id,
    })
    .await
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].key_hash, key);
    assert!(!stored[0].key_hash.contains(&key));
    // Shown once: the list shows only its beginning.
    let list = admin
        .client
        .get(app.url("/admin/open311-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&key));
    assert!(list.contains(&key[..12]));
    let form = [
        ("api_key", key.as_str()),
        ("service_code", "report-street-defect"),
        ("lat", "60.17"),
        ("long", "24.94"),
        ("attribute[kind]", "pothole"),
    ];
    assert_eq!(
        post_request(&app, "json", &form).await.status(),
        StatusCode::CREATED
    );
    let id = stored[0].id;
    let r = admin
        .client
        .post(app.url(&format!("/admin/open311-keys/{id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_request(&app, "json", &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let list = admin
        .client
        .get(app.url("/admin/open311-keys"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Revoked on"));

    // `city-portal open311 key <app-name>` prints a key that works.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
        .args(["open311", "key", "Street app"])
        .current_dir(tempfile::tempdir().unwrap().path())
        .env_clear()
        .env("DATABASE_URL", &app.database_url)
        .env("DEMO_DATA", "false")
        .env("CITY_NAME", "Testhausen")
        .env(
            "PARTNER_SECRETS_KEY",
            "dGVzdC1rZXktb2YtMzItYnl0ZXMtZm9yLWFlcy1nY20=",
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let printed = String::from_utf8(out.stdout).unwrap();
    let cli_key = printed.trim();
    assert!(cli_key.starts_with("o311_"), "{printed}");
    assert!(stderr.contains("Street app"));
    let form = [
        ("api_key", cli_key),
        ("service_code", "report-street-defect"),
        ("lat", "60.17"),
        ("long", "24.94"),
        ("attribute[kind]", "crack"),
    ];
    assert_eq!(
        post_request(&app, "json", &form).await.status(),
        StatusCode::CREATED
    );
}
on_both!(admins_issue_and_revoke_keys);

/// A few places of the city for the address search.
async fn places(app: &TestApp) {
    use api::places::service::{replace_all, NewPlace, PlaceKind};
    replace_all(
        &app.state.db,
        app.state.city.id,
        &[
            NewPlace {
                kind: PlaceKind::Address,
                name: "Mannerheimintie 5".into(),
                district: Some("Kluuvi".into()),
                lat: 60.1686,
                lng: 24.9414,
            },
            NewPlace {
                kind: PlaceKind::Street,
                name: "Aleksanterinkatu".into(),
                district: Some("Kluuvi".into()),
                lat: 60.1688,
                lng: 24.9470,
            },
        ],
    )
    .await
    .unwrap();
}

/// A 1×1 PNG (signature, IHDR, IDAT, IEND).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

async fn send_report(
    app: &TestApp,
    user: &User,
    csrf: &str,
    texts: &[(&str, &str)],
    photo: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in texts {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = photo {
        form = form.part(
            "report_photo",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("image/png")
                .unwrap(),
        );
    }
    user.client
        .post(app.url("/services/report-street-defect/report"))
        .header("Accept-Language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A resident reports by address without JavaScript (the service page offers it),
/// with a photo; bad input comes back beside its fields; My reports and the public list
/// show it (the list nothing about the reporter); the module's read is in the resident's
/// access log; its status change shows on My reports; export has it; erasure keeps it
/// without the reporter.
async fn residents_report_and_follow(app: TestApp) {
    let (_admin, creds) = with_module(&app).await;
    places(&app).await;
    let resident = app.register("Reporter").await;
    // The service page offers it; a service without a report module does not.
    let page = client()
        .get(app.url("/services/report-street-defect"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/services/report-street-defect/report\""));
    let other = client()
        .get(app.url("/services/passport"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other.contains("/report\""));
    let r = client()
        .get(app.url("/services/passport/report"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "logged out: to the login"
    );
    let r = resident
        .client
        .get(app.url("/services/passport/report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let form = resident
        .client
        .get(app.url("/services/report-street-defect/report"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(form.contains("name=\"kind\""), "the service's own question");
    let csrf = hidden(&form, "csrf");

    // Bad input, each beside its field, what was typed kept.
    let r = send_report(
        &app,
        &resident,
        &csrf,
        &[
            ("report_address", "Nowhere street 99"),
            ("report_description", ""),
            ("kind", "sinkhole"),
        ],
        Some(("pothole.png", b"MZ this is an executable".to_vec())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in [
        "report_address-error",
        "report_description-error",
        "report_photo-error",
        "kind-error",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("value=\"Nowhere street 99\""));
    assert!(html.contains("A photo must be a JPEG or PNG picture."));
    let r = send_report(
        &app,
        &resident,
        &csrf,
        &[("report_description", "x"), ("kind", "pothole")],
        Some(("big.png", vec![0x89; 5 * 1024 * 1024 + 10])),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("A photo may be at most 5 MB."));
    assert!(html.contains("id=\"report_address-error\""), "no place");
    let r = send_report(
        &app,
        &resident,
        &csrf,
        &[
            ("report_lat", "95"),
            ("report_lng", "24.9"),
            ("report_description", "x"),
            ("kind", "pothole"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = send_report(
        &app,
        &resident,
        "forged",
        &[
            ("report_address", "Mannerheimintie 5"),
            ("report_description", "x"),
            ("kind", "pothole"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // By address, with a photo.
    let r = send_report(
        &app,
        &resident,
        &csrf,
        &[
            ("report_address", "mannerheimintie 5"),
            ("report_description", "Deep pothole by the tram stop"),
            ("kind", "pothole"),
            ("blocking", "true"),
        ],
        Some(("C:\\photos\\pothole.png", PNG.to_vec())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/account/reports?sent=1#r-"), "{to}");
    let id = to.rsplit("#r-").next().unwrap().to_string();
    assert_eq!(app.outbox_events(&id).await, vec!["report.submitted"]);
    let mine = resident
        .client
        .get(app.url("/account/reports?sent=1"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&format!("id=\"r-{id}\"")));
    assert!(mine.contains("Deep pothole by the tram stop"));
    assert!(mine.contains("Mannerheimintie 5, Kluuvi"));
    assert!(mine.contains("your report was sent"));
    // Only their own.
    let other = app.register("Other").await;
    let theirs = other
        .client
        .get(app.url("/account/reports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains(&id));
    // The public list and Open311: the report, its place and photo, never the reporter.
    let public = client()
        .get(app.url("/reports"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let public = public.text().await.unwrap();
    assert!(public.contains("Deep pothole by the tram stop"));
    assert!(public.contains("data-map"), "a map on request");
    assert!(!public.contains(&resident.email));
    assert!(!public.contains("Reporter"));
    let photo = client()
        .get(app.url(&format!("/reports/{id}/photo")))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(photo.bytes().await.unwrap().as_ref(), PNG);
    let o = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(o[0]["address"], "Mannerheimintie 5, Kluuvi");
    assert_eq!(o[0]["lat"], 60.1686);
    assert!(o[0]["media_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/reports/{id}/photo")));
    assert!(!o.to_string().contains(&resident.email));

    // The module reads it with the resident's data: the access log names it.
    let token = access_token(&app, &creds, None).await;
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["reporter"]["email"], resident.email.as_str());
    assert_eq!(one["report"]["channel"], "portal");
    assert_eq!(
        one["report"]["attributes"],
        json!({"kind": "pothole", "blocking": true})
    );
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log?locale=en"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &log[0];
    assert_eq!(entry["reader_kind"], "module");
    assert_eq!(entry["reader"], "street-defects");
    assert!(
        entry["resource"]
            .as_str()
            .unwrap()
            .starts_with("your name, email address and the place of your report"),
        "{entry}"
    );
    // Its status change shows on My reports.
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&token)
        .json(&json!({"state": "action_scheduled", "note": "Repair on Monday"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mine = resident
        .client
        .get(app.url("/account/reports"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("Action scheduled"));
    assert!(mine.contains("Repair on Monday"));

    // The reporter adds information for the module: the event tells the module; the
    // note is not public.
    let csrf = hidden(&mine, "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/reports/{id}/comments")))
        .header("Accept-Language", "en")
        .form(&[("csrf", csrf.as_str()), ("text", "   ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(&format!("id=\"text-{id}-error\"")));
    let r = other
        .client
        .post(app.url(&format!("/account/reports/{id}/comments")))
        .form(&[
            ("csrf", hidden(&theirs, "csrf").as_str()),
            ("text", "Not mine"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = resident
        .client
        .post(app.url(&format!("/account/reports/{id}/comments")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("text", "It got deeper after the rain"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.outbox_events(&id).await,
        vec!["report.submitted", "report.commented"]
    );
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = one["updates"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "reporter_comment");
    assert_eq!(last["description"], "It got deeper after the rain");
    let public_updates = get(&app, "/open311/v2/servicerequestupdates.json")
        .await
        .text()
        .await
        .unwrap();
    assert!(public_updates.contains("Repair on Monday"));
    assert!(!public_updates.contains("deeper after the rain"));
    let mine = resident
        .client
        .get(app.url("/account/reports"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("It got deeper after the rain"));

    // The export has it; erasure keeps the report but not who sent it.
    let export: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["reports"][0]["id"], id.as_str());
    // The photo, where the resident fetches it.
    let photo_url = export["reports"][0]["photo"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let photo = client().get(app.url(&photo_url)).send().await.unwrap();
    assert_eq!(photo.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(photo.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(
        export["reports"][0]["updates"][0]["state"],
        "action_scheduled"
    );
    let r = resident
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let kept = api::reports::service::get(
        api::reports::service::Ctx {
            db: &app.state.db,
            city_id: app.state.city.id,
        },
        id.parse().unwrap(),
    )
    .await
    .unwrap();
    // The report stays for the city, but not who sent it, nor what they wrote or
    // photographed.
    assert_eq!(kept.reporter_user_id, None);
    assert_eq!(kept.description, "");
    assert_eq!(kept.service_code, "report-street-defect");
    let public = client()
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!public.contains("Deep pothole by the tram stop"));
    assert!(public.contains(&id));
    let photo = client().get(app.url(&photo_url)).send().await.unwrap();
    assert_eq!(photo.status(), StatusCode::NOT_FOUND);
    use sea_orm::EntityTrait;
    let notes = format!(
        "{:?}",
        entities::report_update::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
    );
    assert!(!notes.contains("It got deeper after the rain"));
    // The privacy page says so.
    let privacy = client()
        .get(app.url("/privacy"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(privacy.contains("your description, your photo and the notes you added are deleted"));
    assert!(privacy.contains(&format!(
        "deleted {} days after the report",
        api::reports::service::APP_CONTACT_RETENTION_DAYS
    )));
}
on_both!(residents_report_and_follow);

/// An Open311 client library from PyPI (`georeport`, in the virtual environment
/// `scripts/test` makes: TEST_OPEN311_PYTHON) lists the services and reads a definition,
/// posts a request and reads it back, in JSON and XML, through the running server.
async fn an_open311_client_library_from_pypi(app: TestApp) {
    let Some(python) = std::env::var_os("TEST_OPEN311_PYTHON") else {
        println!(
            "skipped: TEST_OPEN311_PYTHON is not set (scripts/test makes the Open311 client's virtual environment)"
        );
        return;
    };
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "georeport").await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/open311-client/check.py"
    );
    let endpoint = app.url("/open311/v2");
    let city = app.state.city.slug.clone();
    let out = tokio::process::Command::new(python)
        .args([
            script,
            &endpoint,
            &key,
            &city,
            "report-street-defect",
            "kind=crack",
        ])
        .output()
        .await
        .expect("the virtual environment's python runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the client failed: {stderr}");
    let seen: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(seen["services"], json!(["report-street-defect"]));
    assert_eq!(seen["attributes"], json!(["kind", "lane", "blocking"]));
    assert_eq!(seen["status"], "open");
    // It is stored as the client sent it, with the client's personal data for the
    // module only.
    let id = seen["service_request_id"].as_str().unwrap();
    let r = api::reports::service::get(
        api::reports::service::Ctx {
            db: &app.state.db,
            city_id: app.state.city.id,
        },
        id.parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(r.description, "Reported by the georeport client <&>");
    assert_eq!(r.reporter_email.as_deref(), Some("client@example.org"));
    // An unticked yes/no question is a no, as on the form.
    assert_eq!(
        serde_json::from_str::<Value>(&r.attributes).unwrap(),
        json!({"kind": "crack", "blocking": false})
    );
}
on_both!(an_open311_client_library_from_pypi);

/// An app may say where by address alone: a known one gets the place's coordinates and
/// name from the city's places; an unknown one (or an `address_id`) is kept as sent,
/// without coordinates, as the specification allows.
async fn apps_post_by_address(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    places(&app).await;
    let key = api_key(&app, "Address app").await;
    let mut ids = Vec::new();
    for place in [
        ("address_string", "Mannerheimintie 5, Helsinki"),
        ("address_string", "Somewhere unknown 1"),
        ("address_id", "parcel-4711"),
    ] {
        let created = json_of(
            post_request(
                &app,
                "json",
                &[
                    ("api_key", &key),
                    ("service_code", "report-street-defect"),
                    place,
                    ("attribute[kind]", "crack"),
                ],
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(
            created[0]["service_request_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let read = |id: String| {
        let app = &app;
        async move {
            json_of(
                get(app, &format!("/open311/v2/requests/{id}.json")).await,
                StatusCode::OK,
            )
            .await[0]
                .clone()
        }
    };
    let known = read(ids[0].clone()).await;
    assert_eq!(known["address"], "Mannerheimintie 5, Kluuvi");
    assert_eq!(known["lat"], 60.1686);
    assert_eq!(known["long"], 24.9414);
    let unknown = read(ids[1].clone()).await;
    assert_eq!(unknown["address"], "Somewhere unknown 1");
    assert_eq!(unknown["lat"], Value::Null);
    let by_id = read(ids[2].clone()).await;
    assert_eq!(by_id["address_id"], "parcel-4711");
    // The XML of a request without coordinates has them empty.
    let x = xml_paths(
        &xml_of(
            get(&app, &format!("/open311/v2/requests/{}.xml", ids[2])).await,
            StatusCode::OK,
        )
        .await,
    );
    assert_eq!(xml_text(&x, "service_requests/request/lat"), vec![""]);
    assert_eq!(
        xml_text(&x, "service_requests/request/address_id"),
        vec!["parcel-4711"]
    );
}
on_both!(apps_post_by_address);

/// A JPEG's parts: a marker with its data.
fn jpeg_segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(data);
    s
}

/// A photo is shown publicly: what the phone wrote into it (the place to a few metres,
/// the device) is gone before it is stored; a JPEG that is not one is refused.
async fn photos_lose_their_metadata(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    places(&app).await;
    let resident = app.register("Photographer").await;
    let form = resident
        .client
        .get(app.url("/services/report-street-defect/report"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&form, "csrf");
    let picture = [
        jpeg_segment(0xDB, &[0; 65]),
        jpeg_segment(0xDA, &[1, 1, 0, 0, 63, 0]),
        vec![0x12, 0x34, 0x56, 0xFF, 0xD9],
    ]
    .concat();
    let jpeg = [
        vec![0xFF, 0xD8],
        jpeg_segment(
            0xE1,
            b"Exif\0\0GPS 60.16861N 24.94139E Phone serial SN-4711",
        ),
        jpeg_segment(0xFE, b"Photographer's comment"),
        picture.clone(),
    ]
    .concat();
    let texts = [
        ("report_address", "Aleksanterinkatu"),
        ("report_description", "Loose paving stone"),
        ("kind", "crack"),
    ];
    // Claimed a JPEG, cut short: refused.
    let r = send_report(
        &app,
        &resident,
        &csrf,
        &texts,
        Some(("cut.jpg", jpeg[..30].to_vec())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = send_report(&app, &resident, &csrf, &texts, Some(("IMG_0001.JPG", jpeg))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id = to.rsplit("#r-").next().unwrap();
    let photo = client()
        .get(app.url(&format!("/reports/{id}/photo")))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(photo.headers()["x-content-type-options"], "nosniff");
    let bytes = photo.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), [vec![0xFF, 0xD8], picture].concat());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("GPS") && !text.contains("SN-4711") && !text.contains("comment"));
}
on_both!(photos_lose_their_metadata);

/// The errors of an Open311 JSON error answer with `status`: each description.
async fn o311_errors(r: reqwest::Response, status: StatusCode) -> Vec<String> {
    let e = json_of(r, status).await;
    e.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["code"], status.as_u16());
            x["description"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Control characters in any parameter (query or form, name or value), overlong lists,
/// malformed ids, bodies over 64 KiB and bodies that are not form-encoded are refused in
/// Open311's own error format (JSON or XML) before anything reaches the database.
async fn open311_checks_its_own_input(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "Test app").await;
    for path in [
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.json?status=open%01",
        "/open311/v2/requests.json?service_request_id=%00",
        "/open311/v2/servicerequestupdates.json?service_request_id=%00",
        "/open311/v2/services.json?jurisdiction_id=%00",
        "/open311/v2/services/report-street-defect.json?jurisdiction_id=x%00",
        "/open311/v2/requests/00000000-0000-0000-0000-000000000000.json?a%00=1",
        "/open311/v2/discovery.json?x=%1b",
    ] {
        let d = o311_errors(get(&app, path).await, StatusCode::BAD_REQUEST).await;
        assert!(
            d[0].ends_with(": must not contain control characters"),
            "{path}: {d:?}"
        );
    }
    let xml = xml_of(
        get(&app, "/open311/v2/requests.xml?service_code=%00").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let paths = xml_paths(&xml);
    assert_eq!(xml_text(&paths, "errors/error/code"), ["400"]);
    assert_eq!(
        xml_text(&paths, "errors/error/description"),
        ["service_code: must not contain control characters"]
    );
    // A form field with NUL, and a name with one.
    for (k, v) in [
        ("description", "hole\0"),
        ("first_name", "\u{7}"),
        ("x\0", "1"),
    ] {
        let d = o311_errors(
            post_request(
                &app,
                "json",
                &[
                    ("api_key", key.as_str()),
                    ("service_code", "report-street-defect"),
                    ("attribute[kind]", "pothole"),
                    ("lat", "60.17"),
                    ("long", "24.94"),
                    (k, v),
                ],
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(d[0].contains("control characters"), "{k}: {d:?}");
    }
    // Lists: at most 1,000 values; a malformed id is an error, in updates too.
    let many = vec!["report-street-defect"; 1001].join(",");
    let d = o311_errors(
        get(
            &app,
            &format!("/open311/v2/requests.json?service_code={many}"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(d, ["service_code: may list at most 1000 values"]);
    let thousand = vec!["report-street-defect"; 1000].join(",");
    json_of(
        get(
            &app,
            &format!("/open311/v2/requests.json?service_code={thousand}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let d = o311_errors(
        get(
            &app,
            "/open311/v2/servicerequestupdates.json?service_request_id=not-an-id",
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(d, ["service_request_id: is not a service_request_id"]);
    // Codes of no service, however long, find nothing (and never reach the database).
    let long = "x".repeat(5000);
    let list = json_of(
        get(
            &app,
            &format!("/open311/v2/requests.json?service_code=nope,{long}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!([]));
    // A body over 64 KiB: 413, in the format asked for.
    let big = "a".repeat(65 * 1024);
    let d = o311_errors(
        post_request(
            &app,
            "json",
            &[("api_key", key.as_str()), ("description", big.as_str())],
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(d[0].contains("64 KiB"), "{d:?}");
    let xml = xml_of(
        client()
            .post(app.url("/open311/v2/requests.xml"))
            .form(&[("api_key", key.as_str()), ("description", big.as_str())])
            .send()
            .await
            .unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(xml_text(&xml_paths(&xml), "errors/error/code"), ["413"]);
    // Not form-encoded: 415, saying what to send.
    let d = o311_errors(
        client()
            .post(app.url("/open311/v2/requests.json"))
            .header("content-type", "application/json")
            .body(r#"{"api_key":"x"}"#)
            .send()
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert!(d[0].contains("application/x-www-form-urlencoded"), "{d:?}");
    // Still well: a proper post goes through.
    json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "report-street-defect"),
                ("attribute[kind]", "pothole"),
                ("lat", "60.17"),
                ("long", "24.94"),
                ("description", "Hole\nby the school"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}
on_both!(open311_checks_its_own_input);

/// One API key creates at most POSTS_PER_MINUTE reports a minute; then 429 in Open311's
/// format; another key is not affected.
async fn open311_posts_are_rate_limited_per_key(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "Busy app").await;
    let other = api_key(&app, "Quiet app").await;
    let form = |k: &str| {
        vec![
            ("api_key", k.to_string()),
            ("service_code", "report-street-defect".to_string()),
            ("attribute[kind]", "pothole".to_string()),
            ("lat", "60.17".to_string()),
            ("long", "24.94".to_string()),
        ]
    };
    let post = |k: String| {
        let form = form(&k);
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
            post_request(app, "json", &f).await
        }
    };
    for _ in 0..api::reports::open311::POSTS_PER_MINUTE {
        assert_eq!(post(key.clone()).await.status(), StatusCode::CREATED);
    }
    let limited = post(key.clone()).await;
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let d = o311_errors(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(d[0].contains("api_key"), "{d:?}");
    assert_eq!(post(other.clone()).await.status(), StatusCode::CREATED);
}
on_both!(open311_posts_are_rate_limited_per_key);

/// The resident's report form has an overall budget: many parts each under its own limit
/// but together far over the photo's size are refused, not read on.
async fn the_report_form_has_an_overall_budget(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let resident = app.register("Reporter").await;
    let form = resident
        .client
        .get(app.url("/services/report-street-defect/report"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&form, "csrf");
    let filler = "a".repeat(60 * 1024);
    let mut texts = vec![("report_description", "Hole")];
    let names: Vec<String> = (0..60).map(|i| format!("extra{i}")).collect();
    for n in &names {
        texts.push((n.as_str(), filler.as_str()));
    }
    let photo = vec![0u8; 5 * 1024 * 1024];
    let r = send_report(&app, &resident, &csrf, &texts, Some(("big.png", photo))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    use sea_orm::{EntityTrait, PaginatorTrait};
    let reports = entities::report::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(reports, 0);
}
on_both!(the_report_form_has_an_overall_budget);

/// Where Open311 clients differ: a boolean's `false`, attributes the service does not
/// ask (ignored), repeated and `[]` list parameters, W3C dates without seconds and with a
/// `+` that arrived as a space, the portal's host as `jurisdiction_id`, an unknown
/// resource answered in the format asked for, `Vary: Accept-Language`, updates without
/// dates beyond 90 days, and a closed request's updated_datetime kept by later notes.
async fn open311_takes_what_clients_send(app: TestApp) {
    let (_admin, creds) = with_module(&app).await;
    let key = api_key(&app, "Test app").await;
    let created = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "report-street-defect"),
                ("attribute[kind]", "pothole"),
                ("attribute[blocking]", "false"),
                ("attribute[asked_elsewhere]", "42"),
                ("lat", "60.17"),
                ("long", "24.94"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = access_token(&app, &creds, None).await;
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = one.to_string();
    assert!(text.contains("pothole"), "{text}");
    assert!(!text.contains("asked_elsewhere"), "{text}");
    // Repeated and [] parameters; dates without seconds, `+` as a space.
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M");
    for q in [
        "status=open&status=closed".to_string(),
        "status[]=open&service_code=report-street-defect&service_code=other".to_string(),
        format!("start_date={yesterday}+01:00"),
        format!("start_date={yesterday}%2B01:00"),
        format!("start_date={yesterday}Z"),
    ] {
        let list = json_of(
            get(&app, &format!("/open311/v2/requests.json?{q}")).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list[0]["service_request_id"], id.as_str(), "{q}");
    }
    // The jurisdiction: the city's slug or the portal's host.
    let host = app
        .state
        .config
        .server
        .public_url
        .host_str()
        .unwrap()
        .to_string();
    for j in [app.state.city.slug.clone(), host] {
        let r = get(
            &app,
            &format!("/open311/v2/services.json?jurisdiction_id={j}"),
        )
        .await;
        assert_eq!(
            r.headers()["vary"].to_str().unwrap(),
            "Accept-Language",
            "{j}"
        );
        json_of(r, StatusCode::OK).await;
    }
    let e = json_of(
        get(
            &app,
            "/open311/v2/services.json?jurisdiction_id=elsewhere.example",
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e[0]["code"], 404);
    // An unknown resource, in the format asked for.
    let xml = xml_of(
        get(&app, "/open311/v2/nothing.xml").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(xml_text(&xml_paths(&xml), "errors/error/code"), ["404"]);
    // Closed, then a note: updated_datetime stays the closing's.
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/status")))
        .bearer_auth(&token)
        .json(&json!({"state": "fixed", "note": "Filled."}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let closed = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed[0]["status"], "closed");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = client()
        .post(app.url(&format!("/api/v1/module/reports/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({"text": "Checked again."}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let later = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(later[0]["updated_datetime"], closed[0]["updated_datetime"]);
    // Updates without dates: the newest, however old (here one moved back 200 days).
    {
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let first = entities::report_update::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        let mut m: entities::report_update::ActiveModel = first.into();
        m.created_at = Set(chrono::Utc::now() - chrono::Duration::days(200));
        m.update(&app.state.db).await.unwrap();
    }
    let ups = json_of(
        get(&app, "/open311/v2/servicerequestupdates.json").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ups.as_array().unwrap().len(), 2, "{ups}");
    let recent = json_of(
        get(
            &app,
            &format!("/open311/v2/servicerequestupdates.json?start_date={yesterday}Z"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(recent.as_array().unwrap().len(), 1, "{recent}");
}
on_both!(open311_takes_what_clients_send);

/// A report service may ask for a file or an address but not require one: Open311 apps
/// could never send it.
#[test]
fn report_services_cannot_require_files_or_addresses() {
    let mut m = street_defects();
    m["services"][0]["form"]["properties"]["where"] = json!({
        "type": "object",
        "x-address": true,
        "x-title": {"de": "Wo", "en": "Where"}
    });
    m["services"][0]["form"]["x-order"] = json!(["kind", "lane", "blocking", "where"]);
    assert!(api::modules::manifest::parse(&m).is_ok());
    m["services"][0]["form"]["required"] = json!(["kind", "where"]);
    let Err(api::modules::manifest::ManifestError::Invalid(i)) = api::modules::manifest::parse(&m)
    else {
        panic!("a required address was taken");
    };
    assert_eq!(i.0[0].field, "services[0].form.required");
}

/// The device and account ids an app sends match no data category a manifest can
/// declare: they are checked, the account id is echoed back, and neither is kept or
/// given to the module, even one with every scope.
async fn device_and_account_ids_are_not_kept(app: TestApp) {
    let (_admin, creds) = with_module(&app).await;
    let key = api_key(&app, "Test app").await;
    let created = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "report-street-defect"),
                ("attribute[kind]", "pothole"),
                ("lat", "60.17"),
                ("long", "24.94"),
                ("email", "someone@example.org"),
                ("device_id", "device-4711"),
                ("account_id", "acct-0815"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created[0]["account_id"], "acct-0815");
    let id = created[0]["service_request_id"].as_str().unwrap();
    let token = access_token(&app, &creds, None).await;
    for path in [
        format!("/api/v1/module/reports/{id}"),
        "/api/v1/module/reports".to_string(),
    ] {
        let text = client()
            .get(app.url(&path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains("someone@example.org") || path.ends_with("reports"),
            "{text}"
        );
        assert!(
            !text.contains("device-4711") && !text.contains("acct-0815"),
            "{text}"
        );
    }
    use sea_orm::EntityTrait;
    let row = entities::report::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let stored = format!("{row:?}");
    assert!(!stored.contains("device-4711") && !stored.contains("acct-0815"));
}
on_both!(device_and_account_ids_are_not_kept);

/// The contact details an app sent with a report are kept for
/// APP_CONTACT_RETENTION_DAYS: the retention job clears them on older reports (the
/// reports stay) and keeps them on newer ones.
async fn apps_contact_details_are_kept_for_a_while(app: TestApp) {
    let (_admin, _creds) = with_module(&app).await;
    let key = api_key(&app, "Test app").await;
    let mut ids = Vec::new();
    for who in ["old@example.org", "new@example.org"] {
        let created = json_of(
            post_request(
                &app,
                "json",
                &[
                    ("api_key", key.as_str()),
                    ("service_code", "report-street-defect"),
                    ("attribute[kind]", "pothole"),
                    ("lat", "60.17"),
                    ("long", "24.94"),
                    ("email", who),
                    ("first_name", "Maija"),
                    ("phone", "+358 40 1234567"),
                ],
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(
            created[0]["service_request_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let days = api::reports::service::APP_CONTACT_RETENTION_DAYS;
    let old_id: uuid::Uuid = ids[0].parse().unwrap();
    let old = entities::report::Entity::find_by_id(old_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entities::report::ActiveModel = old.into();
    m.created_at = Set(chrono::Utc::now() - chrono::Duration::days(days + 1));
    m.update(&app.state.db).await.unwrap();
    let before = chrono::Utc::now() - chrono::Duration::days(days);
    let n = api::reports::service::purge_app_contacts(&app.state.db, before)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let rows = entities::report::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        if r.id == old_id {
            assert_eq!(r.reporter_email, None);
            assert_eq!(r.reporter_first_name, None);
            assert_eq!(r.reporter_phone, None);
        } else {
            assert_eq!(r.reporter_email.as_deref(), Some("new@example.org"));
            assert_eq!(r.reporter_first_name.as_deref(), Some("Maija"));
        }
    }
    // Nothing left to clear.
    let n = api::reports::service::purge_app_contacts(&app.state.db, before)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
on_both!(apps_contact_details_are_kept_for_a_while);

/// A report form's answers that are an email address or a phone number are personal
/// data: the Module API's list leaves them out; the report itself has them.
async fn personal_answers_stay_out_of_the_module_list(app: TestApp) {
    let admin = setup(&app).await;
    let mut m = street_defects();
    let form = &mut m["services"][0]["form"];
    form["properties"]["callback"] = json!({
        "type": "string",
        "format": "email",
        "maxLength": 254,
        "x-title": {"de": "Rückfragen an", "en": "Questions to"}
    });
    form["x-order"] = json!(["kind", "lane", "blocking", "callback"]);
    let creds = active(&app, &admin, m).await;
    let key = api_key(&app, "Test app").await;
    let created = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "report-street-defect"),
                ("attribute[kind]", "pothole"),
                ("attribute[callback]", "neighbour@example.org"),
                ("lat", "60.17"),
                ("long", "24.94"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created[0]["service_request_id"].as_str().unwrap();
    let token = access_token(&app, &creds, None).await;
    let list: Value = client()
        .get(app.url("/api/v1/module/reports"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"][0]["attributes"],
        json!({"kind": "pothole", "blocking": false})
    );
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/reports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(one.to_string().contains("neighbour@example.org"), "{one}");
}
on_both!(personal_answers_stay_out_of_the_module_list);

/// A resident's answers that are contact data (a phone number for questions) come to
/// the module only with the resident-data scope, and reading one report with them writes
/// an access record naming the module; a read without personal data writes none.
async fn reading_contact_answers_is_in_the_access_log(app: TestApp) {
    let admin = setup(&app).await;
    let mut m = street_defects();
    // Not the reporter: besides the place, only the answers carry personal data.
    m["services"][0]["data"] = json!(["location"]);
    let form = &mut m["services"][0]["form"];
    form["properties"]["callback"] = json!({
        "type": "string",
        "format": "tel",
        "maxLength": 40,
        "x-title": {"de": "Rückrufnummer", "en": "Number to call back"}
    });
    form["x-order"] = json!(["kind", "lane", "blocking", "callback"]);
    let creds = active(&app, &admin, m).await;
    places(&app).await;
    let resident = app.register("Caller").await;
    let page = resident
        .client
        .get(app.url("/services/report-street-defect/report"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"callback\""), "the phone question");
    let r = send_report(
        &app,
        &resident,
        &hidden(&page, "csrf"),
        &[
            ("report_address", "Mannerheimintie 5"),
            ("report_description", "Loose kerb stone"),
            ("kind", "crack"),
            ("callback", "+49 711 555 0101"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id = to.rsplit("#r-").next().unwrap().to_string();
    let log = |who: &User| {
        let c = who.client.clone();
        let url = app.url("/api/v1/accounts/me/access-log?locale=en");
        async move {
            let v: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            v.as_array().unwrap().clone()
        }
    };
    let read = |token: String| {
        let url = app.url(&format!("/api/v1/module/reports/{id}"));
        async move {
            let r = client().get(url).bearer_auth(token).send().await.unwrap();
            ok_json(r, StatusCode::OK).await
        }
    };
    let contact = format!("the contact details you gave in the answers of your report {id}");
    let contact_reads = |entries: &[Value]| {
        entries
            .iter()
            .filter(|e| e["resource"] == contact.as_str())
            .cloned()
            .collect::<Vec<_>>()
    };

    // Cases only: the answers without the phone number; the place read is logged, no
    // contact data.
    let cases = access_token(&app, &creds, Some("module:cases:read")).await;
    let one = read(cases).await;
    assert_eq!(
        one["report"]["attributes"],
        json!({"kind": "crack", "blocking": false})
    );
    assert!(!one.to_string().contains("555 0101"), "{one}");
    assert!(one.get("reporter").is_none(), "{one}");
    let entries = log(&resident).await;
    assert!(entries[0]["resource"]
        .as_str()
        .unwrap()
        .starts_with("the place of your report"));
    assert!(contact_reads(&entries).is_empty(), "{entries:?}");

    // With the resident-data scope: the number, and its read in the log.
    let all = access_token(&app, &creds, None).await;
    let one = read(all).await;
    assert_eq!(one["report"]["attributes"]["callback"], "+49 711 555 0101");
    let entries = log(&resident).await;
    let reads = contact_reads(&entries);
    assert_eq!(reads.len(), 1, "{entries:?}");
    assert_eq!(reads[0]["reader_kind"], "module");
    assert_eq!(reads[0]["reader"], "street-defects");
    assert!(reads[0]["purpose"]
        .as_str()
        .unwrap()
        .contains("dealing with your report"));
}
on_both!(reading_contact_answers_is_in_the_access_log);

/// A listing residents filed cases to is not deleted with them: deleting it answers 409
/// `listing-has-cases` (one a module serves, `listing-served-by-module`), nothing is
/// deleted, and unpublishing it is what the city does instead; a listing without either
/// is deleted as before.
async fn a_listing_with_cases_is_not_deleted(app: TestApp) {
    let (admin, _creds) = with_module(&app).await;
    let path = "/api/v1/listings/report-street-defect";
    let p = problem(
        send(&app, &admin, reqwest::Method::DELETE, path, None).await,
        409,
    )
    .await;
    assert!(
        p["type"]
            .as_str()
            .unwrap()
            .ends_with("/listing-served-by-module"),
        "{p}"
    );
    let key = api_key(&app, "Test app").await;
    let created = json_of(
        post_request(
            &app,
            "json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "report-street-defect"),
                ("attribute[kind]", "pothole"),
                ("lat", "60.17"),
                ("long", "24.94"),
            ],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created[0]["service_request_id"].as_str().unwrap();
    let p = problem(
        send(&app, &admin, reqwest::Method::DELETE, path, None).await,
        409,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("/listing-has-cases"),
        "{p}"
    );
    assert!(p["detail"].as_str().unwrap().contains("unpublish"), "{p}");
    // Nothing went: the listing and the report are there.
    let listing = ok_json(
        client().get(app.url(path)).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    // The editor's delete button answers the same, in words.
    let lid = listing["id"].as_str().unwrap();
    let editor = admin
        .client
        .get(app.url(&format!("/manage/listings/{lid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = admin
        .client
        .post(app.url(&format!("/manage/listings/{lid}/status")))
        .header("Accept-Language", "en")
        .form(&[("action", "delete"), ("csrf", &hidden(&editor, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Unpublish it instead"), "{html}");
    let read = json_of(
        get(&app, &format!("/open311/v2/requests/{id}.json")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read[0]["service_request_id"], id);
    // Unpublished instead: out of public view, the case kept.
    ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("{path}/unpublish"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        client().get(app.url(path)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    use sea_orm::EntityTrait;
    let kept = entities::report::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap();
    assert!(kept.is_some());
    // A service without cases or a module is deleted as before.
    let r = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        "/api/v1/listings/passport",
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}
on_both!(a_listing_with_cases_is_not_deleted);
