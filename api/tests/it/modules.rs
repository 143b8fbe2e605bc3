//! The module register: city admins register a module from its manifest, review and
//! approve it (its OAuth client gets exactly the approved scopes) or refuse it; updates
//! that widen wait, updates that narrow apply at once; pause, resume, remove; the public
//! register; hostile manifests; and the pages without JavaScript.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

const EXAMPLE: &str =
    include_str!("../../../openapi/examples/module-manifest.parking-permits.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

/// The example with `tokens:introspect` among its scopes, so that its own tokens can be
/// checked at the introspection endpoint.
fn introspecting() -> Value {
    let mut m = example();
    m["scopes"] = json!(["module:cases:read", "tokens:introspect"]);
    m
}

/// The demo city's departments and municipal services, and a city admin.
pub(crate) async fn setup(app: &TestApp) -> User {
    api::demo::seed::seed_services(&app.state.db, &app.state.city)
        .await
        .unwrap();
    app.admin().await
}

pub(crate) async fn send(
    app: &TestApp,
    user: &User,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = user.client.request(method, app.url(path));
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

pub(crate) async fn ok_json(resp: reqwest::Response, status: StatusCode) -> Value {
    let got = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{v}");
    v
}

pub(crate) async fn register(app: &TestApp, admin: &User, manifest: Value) -> Value {
    ok_json(
        send(
            app,
            admin,
            reqwest::Method::POST,
            "/api/v1/admin/modules",
            Some(manifest),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// Approves `version`; returns the module and the secret (on the first approval).
pub(crate) async fn approve(
    app: &TestApp,
    admin: &User,
    id: &str,
    version: i64,
) -> (Value, Option<String>) {
    let v = ok_json(
        send(
            app,
            admin,
            reqwest::Method::POST,
            &format!("/api/v1/admin/modules/{id}/approve"),
            Some(json!({"version": version})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let secret = v["client_secret"].as_str().map(str::to_string);
    (v["module"].clone(), secret)
}

/// A module's credentials.
pub(crate) struct Creds {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// Registers and approves a manifest; returns the client's credentials.
pub(crate) async fn active(app: &TestApp, admin: &User, manifest: Value) -> Creds {
    let id = manifest["id"].as_str().unwrap().to_string();
    register(app, admin, manifest).await;
    let (m, secret) = approve(app, admin, &id, 1).await;
    assert_eq!(m["status"], "active");
    Creds {
        id: m["client_id"].as_str().unwrap().to_string(),
        secret: secret.expect("the first approval shows the secret"),
    }
}

/// The token endpoint's answer to a client-credentials request (RFC 6749 4.4).
pub(crate) async fn token(app: &TestApp, c: &Creds, scope: Option<&str>) -> (StatusCode, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let r = client()
        .post(app.url("/oauth/token"))
        .basic_auth(&c.id, Some(&c.secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub(crate) async fn access_token(app: &TestApp, c: &Creds, scope: Option<&str>) -> String {
    let (status, v) = token(app, c, scope).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["access_token"].as_str().unwrap().to_string()
}

/// Introspects `token` with the module's token `with` (RFC 7662).
async fn introspect(app: &TestApp, with: &str, token: &str) -> (StatusCode, Value) {
    let r = client()
        .post(app.url("/oauth/introspect"))
        .bearer_auth(with)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn public_register(app: &TestApp) -> Vec<Value> {
    let r = client()
        .get(app.url("/api/v1/modules"))
        .send()
        .await
        .unwrap();
    ok_json(r, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn categories(module: &Value, service: usize) -> Vec<String> {
    module["services"][service]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["category"].as_str().unwrap().to_string())
        .collect()
}

async fn register_review_approve_and_token(app: TestApp) {
    let admin = setup(&app).await;
    let m = register(&app, &admin, introspecting()).await;
    assert_eq!(m["status"], "pending");
    assert_eq!(m["pending"]["version"], 1);
    assert!(m.get("client_id").is_none(), "no client before approval");
    assert!(
        public_register(&app).await.is_empty(),
        "pending is not public"
    );

    // The review shows exactly what it asks for.
    let got = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        got["pending"]["manifest"]["services"][0]["data"],
        json!([
            "name",
            "email",
            "postal_address",
            "form_answers",
            "attachments"
        ])
    );

    let (m, secret) = approve(&app, &admin, "parking-permits", 1).await;
    let secret = secret.unwrap();
    assert!(secret.starts_with("cps_"));
    assert_eq!(m["status"], "active");
    assert_eq!(m["approved_version"], 1);
    let c = Creds {
        id: m["client_id"].as_str().unwrap().to_string(),
        secret,
    };
    // Approving again: nothing waits.
    let again = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules/parking-permits/approve",
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(problem(again, 409).await["type"], "/problems/module-state");

    // Exactly the approved scopes.
    let (status, all) = token(&app, &c, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["scope"], "tokens:introspect module:cases:read");
    let (status, refused) = token(&app, &c, Some("module:services:write")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["error"], "invalid_scope");
    let (status, refused) = token(&app, &c, Some("bookings:read")).await;
    assert_eq!(
        (status, &refused["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_scope"))
    );
    // A token without a scope is refused where it is needed.
    let narrow = access_token(&app, &c, Some("module:cases:read")).await;
    let full = access_token(&app, &c, Some("tokens:introspect")).await;
    let (status, _) = introspect(&app, &narrow, &full).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = introspect(&app, &full, &narrow).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["active"], true);
    assert_eq!(v["scope"], "module:cases:read");
    assert_eq!(v["client_id"], c.id);

    // The client is found from the token.
    let access = api::oauth::service::access(&app.state.db, &narrow)
        .await
        .unwrap()
        .unwrap();
    let module = api::modules::service::of_client(&app.state.db, access.client_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(module.slug, "parking-permits");

    // The public register lists it with exactly what it receives.
    let items = public_register(&app).await;
    assert_eq!(items.len(), 1);
    let p = &items[0];
    assert_eq!(p["id"], "parking-permits");
    assert_eq!(p["status"], "active");
    assert_eq!(p["operator"]["slug"], "road-traffic-office");
    assert!(!p["operator"]["name"].as_str().unwrap().is_empty());
    assert_eq!(p["contact"]["email"], "bewohnerparken@stadt.example");
    assert_eq!(p["encrypted"], true);
    assert_eq!(p["services"][0]["listing"], "residents-parking-permit");
    assert_eq!(p["services"][0]["capability"], "application");
    assert_eq!(
        categories(p, 0),
        [
            "name",
            "email",
            "postal_address",
            "form_answers",
            "attachments"
        ]
    );
    assert_eq!(p["services"][0]["data"][0]["since"], p["approved_at"]);
    assert!(p["services"][0]["legal_basis"]["de"]
        .as_str()
        .unwrap()
        .contains("DSGVO"));

    // Who approved what when.
    let h = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits/versions",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let admin_id = app.user_id(&admin.email).await.to_string();
    assert_eq!(h["items"][0]["state"], "approved");
    assert_eq!(h["items"][0]["decided_by"], admin_id);
    assert!(h["items"][0]["applied_at"].is_string());
}
on_both!(register_review_approve_and_token);

async fn widening_waits_and_narrowing_applies(app: TestApp) {
    let admin = setup(&app).await;
    let c = active(&app, &admin, introspecting()).await;

    // Wider: a phone number and a scope more.
    let mut wider = introspecting();
    wider["services"][0]["data"] = json!([
        "name",
        "email",
        "phone",
        "postal_address",
        "form_answers",
        "attachments"
    ]);
    wider["scopes"] = json!([
        "module:cases:read",
        "tokens:introspect",
        "module:services:write"
    ]);
    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::PUT,
            "/api/v1/admin/modules/parking-permits/manifest",
            Some(wider.clone()),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(m["pending"]["version"], 2);
    assert_eq!(
        m["pending"]["widens"],
        json!(["services[0].data[2]", "scopes[2]"])
    );
    assert_eq!(m["approved_version"], 1, "the version in force stays");
    assert_eq!(m["manifest"], introspecting());
    let (_, refused) = token(&app, &c, Some("module:services:write")).await;
    assert_eq!(
        refused["error"], "invalid_scope",
        "the client's scopes stay"
    );
    assert!(!categories(&public_register(&app).await[0], 0).contains(&"phone".to_string()));

    let before = chrono::Utc::now();
    let (m, secret) = approve(&app, &admin, "parking-permits", 2).await;
    assert!(
        secret.is_none(),
        "the secret is shown once, at the first approval"
    );
    assert_eq!(m["approved_version"], 2);
    let writer = access_token(&app, &c, Some("module:services:write")).await;
    let p = &public_register(&app).await[0];
    let data = p["services"][0]["data"].as_array().unwrap();
    let since = |cat: &str| -> chrono::DateTime<chrono::Utc> {
        data.iter().find(|d| d["category"] == cat).unwrap()["since"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        since("phone") >= before,
        "phone numbers since the second approval"
    );
    assert!(since("name") < before, "names since the first");

    // Narrower: no phone, no write scope, a new English name: in force at once.
    let mut narrower = introspecting();
    narrower["name"]["en"] = json!("Parking for residents");
    narrower["services"][0]["data"] =
        json!(["name", "postal_address", "form_answers", "attachments"]);
    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::PUT,
            "/api/v1/admin/modules/parking-permits/manifest",
            Some(narrower.clone()),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["approved_version"], 3);
    assert!(m.get("pending").is_none());
    assert_eq!(m["manifest"]["name"]["en"], "Parking for residents");
    // The scope taken away: the tokens holding it stop, and no new one gets it.
    let checker = access_token(&app, &c, Some("tokens:introspect")).await;
    let (status, v) = introspect(&app, &checker, &writer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["active"], false);
    let (_, refused) = token(&app, &c, Some("module:services:write")).await;
    assert_eq!(refused["error"], "invalid_scope");
    let p = &public_register(&app).await[0];
    assert_eq!(
        categories(p, 0),
        ["name", "postal_address", "form_answers", "attachments"]
    );
    assert_eq!(p["name"]["en"], "Parking for residents");

    // A widening update replaced by another before a decision is superseded; the
    // history keeps every version.
    let r = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/modules/parking-permits/manifest",
        Some(wider.clone()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/modules/parking-permits/manifest",
        Some(wider),
    )
    .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // Approving the superseded version is refused: another waits.
    let stale = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules/parking-permits/approve",
        Some(json!({"version": 4})),
    )
    .await;
    assert_eq!(
        problem(stale, 409).await["type"],
        "/problems/module-version-stale"
    );
    let h = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits/versions",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let states: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["approved", "approved", "approved", "superseded", "pending"]
    );
    assert!(h["items"][1]["replaced_at"].is_string());
    assert!(h["items"][2]["replaced_at"].is_null());
    // An update may not change the id.
    let mut renamed = narrower;
    renamed["id"] = json!("other-id");
    let r = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/modules/parking-permits/manifest",
        Some(renamed),
    )
    .await;
    assert_eq!(fields(&problem(r, 422).await), ["id"]);
}
on_both!(widening_waits_and_narrowing_applies);

async fn refusing_needs_a_reason(app: TestApp) {
    let admin = setup(&app).await;
    register(&app, &admin, example()).await;
    let r = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules/parking-permits/refuse",
        Some(json!({"version": 1, "reason": "  "})),
    )
    .await;
    assert_eq!(fields(&problem(r, 422).await), ["reason"]);
    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/admin/modules/parking-permits/refuse",
            Some(json!({"version": 1, "reason": "Die Rechtsgrundlage fehlt."})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["status"], "refused");
    assert!(m.get("client_id").is_none());
    assert!(public_register(&app).await.is_empty());
    let h = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits/versions",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(h["items"][0]["state"], "refused");
    assert_eq!(h["items"][0]["note"], "Die Rechtsgrundlage fehlt.");
    // A new manifest for a refused module waits for review again.
    let r = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/modules/parking-permits/manifest",
        Some(example()),
    )
    .await;
    let m = ok_json(r, StatusCode::ACCEPTED).await;
    assert_eq!(m["status"], "pending");
    assert_eq!(m["pending"]["version"], 2);
}
on_both!(refusing_needs_a_reason);

async fn pause_resume_and_remove(app: TestApp) {
    let admin = setup(&app).await;
    let c = active(&app, &admin, introspecting()).await;
    let before = access_token(&app, &c, None).await;

    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/admin/modules/parking-permits/pause",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["status"], "paused");
    let (status, v) = token(&app, &c, None).await;
    assert_eq!(
        (status, &v["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client"))
    );
    let (status, _) = introspect(&app, &before, &before).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "its tokens stopped");
    let items = public_register(&app).await;
    assert_eq!(
        items[0]["status"], "paused",
        "paused modules show as paused"
    );
    let again = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules/parking-permits/pause",
        None,
    )
    .await;
    assert_eq!(problem(again, 409).await["type"], "/problems/module-state");

    ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/admin/modules/parking-permits/resume",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let after = access_token(&app, &c, None).await;
    let (status, v) = introspect(&app, &after, &after).await;
    assert_eq!((status, &v["active"]), (StatusCode::OK, &json!(true)));
    assert_eq!(public_register(&app).await[0]["status"], "active");

    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::DELETE,
            "/api/v1/admin/modules/parking-permits",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["status"], "removed");
    let (status, _) = token(&app, &c, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(public_register(&app).await.is_empty());
    // Its id stays taken; its service is free for another module.
    let dup = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(example()),
    )
    .await;
    assert_eq!(fields(&problem(dup, 409).await), ["id"]);
    let mut successor = example();
    successor["id"] = json!("parking-permits-2");
    active(&app, &admin, successor).await;
    assert_eq!(public_register(&app).await[0]["id"], "parking-permits-2");
}
on_both!(pause_resume_and_remove);

/// Each hostile manifest is a 4xx naming the field, and none is stored.
async fn hostile_manifests_are_refused_naming_the_field(app: TestApp) {
    let admin = setup(&app).await;
    let (owner, org) = app.business_owner("Bäckerei").await;
    let (business, _) = app.create_listing(&owner, org, "Bäckerei Korn").await;
    let business_slug = business["slug"].as_str().unwrap().to_string();

    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "wrong type",
            Box::new(|m: &mut Value| m["name"] = json!("Parken")),
            "name",
        ),
        (
            "unknown capability",
            Box::new(|m: &mut Value| m["services"][0]["capability"] = json!("petition")),
            "services[0].capability",
        ),
        (
            "bad leika key",
            Box::new(|m: &mut Value| m["services"][0]["leika_key"] = json!("9900000000000X")),
            "services[0].leika_key",
        ),
        (
            "http not on loopback",
            Box::new(|m: &mut Value| m["base_url"] = json!("http://parking.module.example")),
            "base_url",
        ),
        (
            "unknown listing",
            Box::new(|m: &mut Value| m["services"][0]["listing"] = json!("no-such-service")),
            "services[0].listing",
        ),
        (
            "unknown organization",
            Box::new(|m: &mut Value| m["operator"] = json!("no-such-department")),
            "operator",
        ),
        (
            "control characters",
            Box::new(|m: &mut Value| m["name"]["de"] = json!("Bewohner\u{0000}parken")),
            "name.de",
        ),
        (
            "unknown acr level",
            Box::new(|m: &mut Value| m["services"][0]["min_acr"] = json!("high")),
            "services[0].min_acr",
        ),
        (
            "a private key",
            Box::new(|m: &mut Value| m["encryption_key"]["d"] = json!("AQAB")),
            "encryption_key.d",
        ),
        (
            "unknown data category",
            Box::new(|m: &mut Value| m["services"][0]["data"][0] = json!("religion")),
            "services[0].data[0]",
        ),
        (
            "a resident scope",
            Box::new(|m: &mut Value| m["scopes"][0] = json!("account:read")),
            "scopes[0]",
        ),
        (
            "missing purpose",
            Box::new(|m: &mut Value| {
                m["services"][0].as_object_mut().unwrap().remove("purpose");
            }),
            "services[0].purpose",
        ),
    ];
    for (what, change, field) in cases {
        let mut m = example();
        change(&mut m);
        let r = send(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/admin/modules",
            Some(m),
        )
        .await;
        // A value of another type than the published schema says is 400 at the edge;
        // anything else the manifest breaks is 422; both name the field.
        let status = r.status().as_u16();
        assert!(matches!(status, 400 | 422), "{what}: {status}");
        let p = problem(r, status).await;
        assert!(
            fields(&p).contains(&field.to_string()),
            "{what}: {field} in {p}"
        );
    }
    // A business is not a municipal service.
    let mut m = example();
    m["services"][0]["listing"] = json!(business_slug);
    let r = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(m),
    )
    .await;
    assert_eq!(fields(&problem(r, 422).await), ["services[0].listing"]);
    // Too large for a manifest, and too large for any body.
    let mut m = example();
    m["services"][0]["form"]["description"] = json!("x".repeat(300 * 1024));
    let r = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(m),
    )
    .await;
    assert_eq!(
        problem(r, 413).await["type"],
        "/problems/module-manifest-too-large"
    );
    let mut m = example();
    m["services"][0]["form"]["description"] = json!("x".repeat(2 * 1024 * 1024));
    let r = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(m),
    )
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Not JSON at all.
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    problem(r, 400).await;
    // Deeply nested.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entities::module::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "nothing refused is stored"
    );

    // The same id twice; a service another module provides with the same capability.
    active(&app, &admin, example()).await;
    let dup = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(example()),
    )
    .await;
    let p = problem(dup, 409).await;
    assert_eq!(p["type"], "/problems/module-exists");
    assert_eq!(fields(&p), ["id"]);
    let mut rival = example();
    rival["id"] = json!("rival-permits");
    let r = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules",
        Some(rival),
    )
    .await;
    assert_eq!(fields(&problem(r, 422).await), ["services[0].listing"]);
}
on_both!(hostile_manifests_are_refused_naming_the_field);

/// With a city login's levels, a service may need one.
async fn a_service_may_need_a_login_level(app: TestApp) {
    let admin = setup(&app).await;
    let mut m = example();
    m["services"][0]["min_acr"] = json!("substantial");
    let created = register(&app, &admin, m).await;
    assert_eq!(
        created["pending"]["manifest"]["services"][0]["min_acr"],
        "substantial"
    );
}
crate::on_both_with!(
    a_service_may_need_a_login_level,
    vec![
        (
            "OIDC_ISSUER_URL",
            "http://127.0.0.1:9/realms/city".to_string()
        ),
        ("OIDC_CLIENT_ID", "portal".to_string()),
        ("OIDC_ACR_LEVELS", "basic substantial high".to_string()),
    ]
);

async fn only_admins_manage_modules(app: TestApp) {
    let admin = setup(&app).await;
    register(&app, &admin, example()).await;
    let resident = app.register("Resident").await;
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            "/api/v1/admin/modules",
            Some(example()),
        ),
        (reqwest::Method::GET, "/api/v1/admin/modules", None),
        (
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits",
            None,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/modules/parking-permits/approve",
            Some(json!({"version": 1})),
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/admin/modules/parking-permits",
            None,
        ),
    ] {
        let r = send(&app, &resident, method.clone(), path, body.clone()).await;
        problem(r, 403).await;
        let mut anon = client().request(method, app.url(path));
        if let Some(b) = body {
            anon = anon.json(&b);
        }
        problem(anon.send().await.unwrap(), 401).await;
    }
    // The pages: a resident sees 403, a visitor is sent to log in.
    let r = resident
        .client
        .get(app.url("/admin/modules"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client()
        .get(app.url("/admin/modules/parking-permits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let m = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["status"], "pending", "nothing changed");
}
on_both!(only_admins_manage_modules);

/// A hidden input's value in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in the page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The pages, without JavaScript: register by pasting, review, approve (the secret shown
/// once), and the public register linked from the privacy page.
async fn the_pages_register_review_and_publish(app: TestApp) {
    let admin = setup(&app).await;
    let page = admin
        .client
        .get(app.url("/admin/modules?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden(&page.text().await.unwrap(), "csrf");

    // A bad manifest: shown again with the field named.
    let mut bad = example();
    bad["services"][0]["leika_key"] = json!("123");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("manifest", bad.to_string());
    let r = admin
        .client
        .post(app.url("/admin/modules?lang=en"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("services[0].leika_key"), "{html}");
    assert!(html.contains("14 digits"));

    // Uploaded as a file.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("manifest", "")
        .part(
            "manifest_file",
            reqwest::multipart::Part::text(EXAMPLE).file_name("manifest.json"),
        );
    let r = admin
        .client
        .post(app.url("/admin/modules"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/admin/modules/parking-permits");

    let review = admin
        .client
        .get(app.url("/admin/modules/parking-permits?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "postal address",
        "uploaded files",
        "module:resident-data:read",
        "Art. 6(1)(e) GDPR",
        "/services/residents-parking-permit",
        "Approve version 1",
    ] {
        assert!(review.contains(expected), "{expected} on the review page");
    }
    assert!(
        !review.contains("telephone number"),
        "only what it asks for"
    );

    let r = admin
        .client
        .post(app.url("/admin/modules/parking-permits/approve?lang=en"))
        .form(&[("csrf", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("cps_"), "the secret is shown");
    let again = admin
        .client
        .get(app.url("/admin/modules/parking-permits"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains("cps_"), "... once");

    let privacy = client()
        .get(app.url("/privacy?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(privacy.contains("href=\"/modules\""));
    let public = client()
        .get(app.url("/modules?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let html = public.text().await.unwrap();
    for expected in [
        "Residents&#x27; parking",
        "postal address (since",
        "/services/residents-parking-permit",
        "bewohnerparken@stadt.example",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    let de = client()
        .get(app.url("/modules?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(de.contains("Postanschrift (seit"));

    // Pause and remove by the page's buttons.
    let r = admin
        .client
        .post(app.url("/admin/modules/parking-permits/pause"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = client()
        .get(app.url("/modules?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Paused"));
    let r = admin
        .client
        .post(app.url("/admin/modules/parking-permits/remove"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = client()
        .get(app.url("/modules?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("bewohnerparken@stadt.example"));
}
on_both!(the_pages_register_review_and_publish);

/// The schema and the example the docs link to are served as committed.
async fn the_schema_and_example_are_served(app: TestApp) {
    let r = client()
        .get(app.url("/api/v1/module-manifest.schema.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let schema: Value = r.json().await.unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let r = client()
        .get(app.url("/api/v1/module-manifest.example.json"))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, example());
}
on_both!(the_schema_and_example_are_served);

/// A module sends its own manifest update with its token; widening waits all the same.
async fn a_module_updates_its_own_manifest(app: TestApp) {
    let admin = setup(&app).await;
    let c = active(&app, &admin, introspecting()).await;
    let put = |token: Option<String>, body: Value| {
        let mut r = client().put(app.url("/api/v1/module/manifest")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let own = access_token(&app, &c, Some("module:cases:read")).await;
    let mut texts = introspecting();
    texts["contact"]["email"] = json!("parken@stadt.example");
    let m = ok_json(put(Some(own.clone()), texts).await.unwrap(), StatusCode::OK).await;
    assert_eq!(m["manifest"]["contact"]["email"], "parken@stadt.example");
    let mut wider = introspecting();
    wider["services"][0]["data"] = json!(["name", "phone", "form_answers", "attachments"]);
    let m = ok_json(
        put(Some(own.clone()), wider).await.unwrap(),
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(m["pending"]["widens"], json!(["services[0].data[1]"]));
    let h = ok_json(
        send(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/admin/modules/parking-permits/versions",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        h["items"][2]["submitted_by"].is_null(),
        "sent by the module"
    );
    // Not the module's own token: refused.
    problem(put(None, introspecting()).await.unwrap(), 401).await;
    let r = admin
        .client
        .put(app.url("/api/v1/module/manifest"))
        .json(&introspecting())
        .send()
        .await
        .unwrap();
    problem(r, 401).await;
    // Another module's id in the body is not another module.
    let mut other = introspecting();
    other["id"] = json!("someone-else");
    assert_eq!(
        fields(&problem(put(Some(own.clone()), other).await.unwrap(), 422).await),
        ["id"]
    );
    // Paused, its tokens stop.
    send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/modules/parking-permits/pause",
        None,
    )
    .await;
    problem(put(Some(own), introspecting()).await.unwrap(), 401).await;
}
on_both!(a_module_updates_its_own_manifest);
