//! The example modules (crate `example-modules`, what a city's developer copies)
//! against the real server over HTTP, as a city runs them: registered from their
//! manifests and approved by a city admin, then talking to the portal only through the
//! published contract (client credentials, the Module API, signed webhooks, sealed
//! submissions). A resident's parking permit application is decided by the module
//! (approved with the permit, refused by its plate rule, or a question first), in clear
//! and sealed; a street-defect report goes through its states, which Open311 shows; the
//! demo city registers, approves and restarts both.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use example_modules::{Example, Options, Running};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

/// A short pause before each step: the tests wait for the module, not the other way.
const DELAY: Duration = Duration::from_millis(100);
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const SEAL_VECTOR: &str = include_str!("../../src/applications/testdata/seal-vector.json");
const APPLY: &str = "/api/v1/services/residents-parking-permit/applications";

/// What a city admin's approval hands the module's operator.
struct Approval {
    client_id: String,
    client_secret: String,
    webhook_secret: String,
}

/// A city admin registers `manifest` and approves it.
async fn register_and_approve(app: &TestApp, admin: &User, manifest: &Value) -> Approval {
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .json(manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let id = manifest["id"].as_str().unwrap();
    let r = admin
        .client
        .post(app.url(&format!("/api/v1/admin/modules/{id}/approve")))
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["module"]["status"], "active", "{v}");
    Approval {
        client_id: v["module"]["client_id"].as_str().unwrap().into(),
        client_secret: v["client_secret"].as_str().unwrap().into(),
        webhook_secret: v["webhook_secret"].as_str().unwrap().into(),
    }
}

/// The city's services and an admin; then `example` listening on loopback, registered,
/// approved and running (sealed to `key`'s public half when given).
async fn run_example(
    app: &TestApp,
    admin: &User,
    example: Example,
    key: Option<example_modules::jwe::PrivateKey>,
) -> (Running, String, Approval) {
    let bound = example_modules::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let webhook_url = bound.webhook_url();
    let approval = register_and_approve(
        app,
        admin,
        &example.manifest(&webhook_url, None, key.as_ref()),
    )
    .await;
    let running = bound
        .run(
            example,
            Options {
                portal: app.base.clone(),
                client_id: approval.client_id.clone(),
                client_secret: approval.client_secret.clone(),
                webhook_secret: approval.webhook_secret.clone(),
                delay: DELAY,
                private_key: key,
            },
        )
        .unwrap();
    (running, webhook_url, approval)
}

async fn setup(app: &TestApp) -> User {
    api::demo::seed::seed_services(&app.state.db, &app.state.city)
        .await
        .unwrap();
    app.admin().await
}

/// A resident who reads the portal in English, their account's language: their
/// emails, and the module's messages, come in English.
async fn english_resident(app: &TestApp, name: &str) -> User {
    let r = app.register(name).await;
    r.client.get(app.url("/?lang=en")).send().await.unwrap();
    let me = r
        .client
        .patch(app.url("/api/v1/accounts/me"))
        .json(&json!({"locale": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    r
}

/// The resident applies through the API; returns the case id.
async fn apply(app: &TestApp, resident: &User, plate: &str, proof: bool) -> String {
    let mut answers = json!({
        "plate": plate,
        "zone": "ost",
        "address": {"street": "Königstraße 1", "postcode": "70173", "city": "Stuttgart"},
        "start": (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string(),
        "fee": true,
        "confirm": true
    });
    if proof {
        answers["proof"] = json!({
            "file_name": "Meldebescheinigung.pdf",
            "content_type": "application/pdf",
            "data": base64::engine::general_purpose::STANDARD.encode(PDF)
        });
    }
    let r = resident
        .client
        .post(app.url(APPLY))
        .json(&json!({"answers": answers, "share": ["name"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let v: Value = r.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// The resident's case page (English) once it shows `what` (at most 20 s).
async fn case_page_showing(app: &TestApp, resident: &User, id: &str, what: &str) -> String {
    let mut html = String::new();
    for _ in 0..200 {
        html = resident
            .client
            .get(app.url(&format!("/account/applications/{id}?lang=en")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains(what) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the case never showed {what:?}: {html}");
}

/// The permit: the case page links it, and it is the module's PDF naming the plate.
async fn permit_of(app: &TestApp, resident: &User, html: &str, id: &str) -> Vec<u8> {
    let prefix = format!("/account/applications/{id}/files/");
    let at = html.find(&prefix).expect("the page links the permit");
    let end = html[at..].find('"').unwrap() + at;
    let r = resident
        .client
        .get(app.url(&html[at..end]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    bytes
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// Signs a webhook as the portal does.
fn signed(secret: &str, id: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    let secret = partner_contract::webhook::Secret::parse(secret).unwrap();
    let ts = chrono::Utc::now().timestamp();
    vec![
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", ts.to_string()),
        (
            "webhook-signature",
            partner_contract::webhook::sign(&secret, id, ts, body),
        ),
    ]
}

async fn post_webhook(url: &str, headers: &[(&'static str, String)], body: &[u8]) -> StatusCode {
    let mut r = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.send().await.unwrap().status()
}

async fn timeline_len(app: &TestApp, id: &str) -> usize {
    use sea_orm::{ColumnTrait, QueryFilter};
    entities::application_event::Entity::find()
        .filter(
            entities::application_event::Column::ApplicationId
                .eq(uuid::Uuid::parse_str(id).unwrap()),
        )
        .all(&app.state.db)
        .await
        .unwrap()
        .len()
}

async fn parking_permits_decided_by_the_example(app: TestApp, maildir: std::path::PathBuf) {
    let admin = setup(&app).await;
    let (module, webhook_url, approval) =
        run_example(&app, &admin, Example::ParkingPermits, None).await;
    let resident = english_resident(&app, "Paula").await;

    // A good application: received, in progress, approved with the permit.
    let id = apply(&app, &resident, "s-ab 1234", true).await;
    let html = case_page_showing(&app, &resident, &id, "is approved").await;
    for step in [
        "The office received it",
        "The office is working on it",
        "Approved",
    ] {
        assert!(html.contains(step), "{step}: {html}");
    }
    let permit = permit_of(&app, &resident, &html, &id).await;
    assert!(String::from_utf8_lossy(&permit).contains("S-AB 1234"));

    // A plate the module's own rule refuses (nine letters and digits): refused, saying why.
    let refused = apply(&app, &resident, "ABC-DE 1234", true).await;
    let html = case_page_showing(&app, &resident, &refused, "Refused").await;
    assert!(html.contains("at most eight letters and digits"), "{html}");
    // In the resident's language only: the event named it.
    assert!(!html.contains("höchstens acht"), "{html}");

    // No proof of address: the module asks; the resident answers; then approved.
    let asked = apply(&app, &resident, "S-XY 77", false).await;
    let html = case_page_showing(
        &app,
        &resident,
        &asked,
        "Since when have you been registered",
    )
    .await;
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{asked}/answer")))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("answer", "Since 1 March 2024"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = case_page_showing(&app, &resident, &asked, "is approved").await;
    permit_of(&app, &resident, &html, &asked).await;

    // The resident was emailed the decision (in their account's language), with the
    // link to the case.
    let mails = crate::mailbox::wait_for(&maildir, &resident.email, 2, |m| {
        let s = m.subject().unwrap_or_default().to_string();
        s.ends_with("Approved")
            .then(|| m.body_text(0).unwrap_or_default().to_string())
    })
    .await;
    assert!(
        mails
            .iter()
            .any(|b| b.contains(&format!("/account/applications/{id}"))),
        "{mails:?}"
    );

    // Every delivery was answered 204 and the module read through its own client: the
    // resident's access log names it.
    let log: Value = admin
        .client
        .get(app.url("/api/v1/admin/modules/parking-permits/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{log}");
    assert!(items.iter().all(|d| d["status_code"] == 204), "{log}");

    // Idempotent by webhook-id: the portal's own delivery once more is answered 200 and
    // changes nothing; a forged one is refused.
    let first = items
        .iter()
        .find(|d| d["aggregate_id"] == id.as_str() && d["event_type"] == "application.submitted")
        .unwrap();
    let before = timeline_len(&app, &id).await;
    let body = serde_json::to_vec(&json!({
        "type": "application.submitted",
        "timestamp": chrono::Utc::now(),
        "data": {"application_id": id, "answers": {"plate": "S-AB 1234"}}
    }))
    .unwrap();
    let webhook_id = first["webhook_id"].as_str().unwrap();
    let headers = signed(&approval.webhook_secret, webhook_id, &body);
    assert_eq!(
        post_webhook(&webhook_url, &headers, &body).await,
        StatusCode::OK
    );
    let forged = signed(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_forged",
        &body,
    );
    assert_eq!(
        post_webhook(&webhook_url, &forged, &body).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_webhook(&webhook_url, &[], &body).await,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(DELAY * 5).await;
    assert_eq!(
        timeline_len(&app, &id).await,
        before,
        "nothing happened twice"
    );
    module.stop().await;
}

mod parking_permits_decided_by_the_example {
    use crate::helpers::*;

    async fn with_mail(backend: Backend) -> Option<(TestApp, std::path::PathBuf)> {
        let (url, maildir) = crate::mailbox::live_smtp()?;
        let app = spawn_with(
            backend,
            Opts {
                env: vec![("SMTP_URL", url)],
                ..Default::default()
            },
        )
        .await?;
        Some((app, maildir))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some((app, dir)) = with_mail(Backend::Sqlite).await {
            super::parking_permits_decided_by_the_example(app, dir).await;
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some((app, dir)) = with_mail(Backend::Postgres).await {
            super::parking_permits_decided_by_the_example(app, dir).await;
        }
    }
}

/// With a key in its manifest, the module gets the submission sealed, opens it with its
/// private key, and decides; the portal keeps only ciphertext.
async fn sealed_applications_are_opened_and_decided(app: TestApp) {
    let admin = setup(&app).await;
    let vector: Value = serde_json::from_str(SEAL_VECTOR).unwrap();
    let key = example_modules::jwe::PrivateKey::from_jwk(&vector["private"]).unwrap();
    let (module, _, _) = run_example(&app, &admin, Example::ParkingPermits, Some(key)).await;
    let resident = english_resident(&app, "Sven").await;
    let id = apply(&app, &resident, "M-X 1E", true).await;
    let html = case_page_showing(&app, &resident, &id, "is approved").await;
    let permit = permit_of(&app, &resident, &html, &id).await;
    assert!(String::from_utf8_lossy(&permit).contains("M-X 1E"));
    let stored = entities::application::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.sealed, "the portal keeps only the ciphertext");
    assert!(!stored.answers.contains("M-X"));
    // A plate refused by the rule is read from the sealed answers too.
    let refused = apply(&app, &resident, "B-SS 12", true).await;
    let html = case_page_showing(&app, &resident, &refused, "Refused").await;
    assert!(html.contains("never issued"), "{html}");
    // The module fetched the sealed proof through the Module API: the resident's access
    // log has the read of the attachment, naming the module.
    let records = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.actor_module.as_deref() == Some("parking-permits")
                && r.resource.contains("access-application-read")
                && r.resource.contains(&id)),
        "{records:?}"
    );
    module.stop().await;
}
on_both!(sealed_applications_are_opened_and_decided);

/// GET as an English-speaking client, JSON expected.
async fn open311(app: &TestApp, path: &str) -> Value {
    let r = client()
        .get(app.url(path))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// An Open311 app reports a broken street light; returns the request's id.
async fn report_light(app: &TestApp, key: &str) -> String {
    let r = client()
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("api_key", key),
            ("service_code", "report-street-defect"),
            ("lat", "60.1699"),
            ("long", "24.9384"),
            ("description", "The light at the corner is out"),
            ("attribute[kind]", "street_light"),
            ("attribute[light_number]", "L-0815"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let v: Value = r.json().await.unwrap();
    v[0]["service_request_id"].as_str().unwrap().to_string()
}

/// Open311's request `id` once it is closed (at most 20 s).
async fn closed_request(app: &TestApp, id: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        last = open311(app, &format!("/open311/v2/requests/{id}.json")).await;
        if last[0]["status"] == "closed" {
            return last[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the request was never closed: {last}");
}

/// A report goes through the module's states; Open311 shows each, with its notes.
async fn street_defects_progress_through_their_states(app: TestApp) {
    let admin = setup(&app).await;
    let (module, _, _) = run_example(&app, &admin, Example::StreetDefects, None).await;
    let key = crate::reports::api_key(&app, "Mängelmelder").await;
    let id = report_light(&app, &key).await;
    let req = closed_request(&app, &id).await;
    assert!(
        req["status_notes"].as_str().unwrap().contains("Behoben."),
        "in the city's language (an app's report, no account): {req}"
    );
    assert!(
        !req["status_notes"].as_str().unwrap().contains("Fixed"),
        "{req}"
    );
    assert!(req["expected_datetime"].is_string(), "{req}");
    let ups = open311(&app, "/open311/v2/servicerequestupdates.json").await;
    let states: Vec<&str> = ups
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["service_request_id"] == id.as_str())
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["INVESTIGATING", "ACTION_SCHEDULED", "FIXED"]);
    module.stop().await;
}
on_both!(street_defects_progress_through_their_states);

/// The citizens' office's appointment module: its appointment system serves the Partner
/// Booking API, the admin approves the module with the booking credentials it issued,
/// its offers appear on "Certified copies", a resident books one (the office has the
/// booking with exactly the name and email address), the module gets the signed
/// `booking.*` events and its access is in the resident's log; when the office cancels,
/// its signed webhook reaches the portal.
async fn the_citizens_office_books_through_its_appointment_system(app: TestApp) {
    use crate::module_appointments::{
        book, booking_status, first_slot, module_offers, offer_refs, reachable,
    };
    use example_modules::citizens_office::{self, AppointmentSystem};
    let admin = setup(&app).await;
    let system = AppointmentSystem::start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        app.state.city.timezone,
        "city-portal",
        "issued-by-the-office",
    )
    .await
    .unwrap();
    let bound = example_modules::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let manifest =
        Example::CitizensOffice.manifest(&bound.webhook_url(), Some(&system.base_url()), None);
    assert_eq!(manifest["base_url"], system.base_url());
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .json(&manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let r = admin
        .client
        .post(app.url(&format!(
            "/api/v1/admin/modules/{}/approve",
            citizens_office::ID
        )))
        .json(&json!({
            "version": 1,
            "booking_client_id": "city-portal",
            "booking_client_secret": "issued-by-the-office"
        }))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["module"]["status"], "active", "{v}");
    let webhook_secret = v["webhook_secret"].as_str().unwrap().to_string();
    let hook = v["module"]["booking_webhook_url"]
        .as_str()
        .expect("the booking webhook address");
    system
        .connect(&webhook_secret, &reachable(&app, hook))
        .unwrap();
    let running = bound
        .run(
            Example::CitizensOffice,
            Options {
                portal: app.base.clone(),
                client_id: v["module"]["client_id"].as_str().unwrap().into(),
                client_secret: v["client_secret"].as_str().unwrap().into(),
                webhook_secret,
                delay: DELAY,
                private_key: None,
            },
        )
        .unwrap();

    // Both offers are on the listing, named as the office names them.
    let offers = module_offers(&app).await;
    assert_eq!(
        offer_refs(&offers),
        [citizens_office::OFFER_FEW, citizens_office::OFFER_MANY]
    );
    let few = offers
        .iter()
        .find(|o| o["partner"]["offer_ref"] == citizens_office::OFFER_FEW)
        .unwrap();
    assert_eq!(few["name"]["en"], "Certify up to five copies");
    let offer = few["id"].as_str().unwrap().to_string();

    // A resident books: held, then confirmed; the office has it with name and email only.
    let resident = english_resident(&app, "Carla").await;
    let start = first_slot(&app, &offer).await;
    let (status, b) = book(
        &app,
        &resident,
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed", "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let row = entities::booking::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let partner_ref = row.partner_ref.clone().unwrap();
    let at_office = system
        .bookings()
        .into_iter()
        .find(|x| x.booking_id == partner_ref)
        .expect("the office has the booking");
    assert_eq!(
        serde_json::to_value(at_office.status).unwrap(),
        json!("confirmed")
    );
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&start).unwrap(),
        at_office.start
    );

    // The module took the signed `booking.confirmed` (204 in its delivery log).
    let deliveries_url = app.url(&format!(
        "/api/v1/admin/modules/{}/deliveries",
        citizens_office::ID
    ));
    let mut delivered = false;
    for _ in 0..100 {
        let log: Value = admin
            .client
            .get(&deliveries_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["event_type"] == "booking.confirmed" && d["status_code"] == 204)
        {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(delivered, "the module took booking.confirmed");

    // The resident's access log names the module and its purpose.
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reader"] == citizens_office::ID)
        .unwrap_or_else(|| panic!("the module is named: {log}"));
    assert!(
        entry["purpose"]
            .as_str()
            .unwrap()
            .contains("prepare your appointment"),
        "{entry}"
    );

    // The office closes a counter: its signed webhook cancels the booking at the portal.
    system
        .cancel(&partner_ref, "The counter is closed that day")
        .unwrap();
    let mut followed = false;
    for _ in 0..100 {
        if booking_status(&app, &resident, &id).await == "cancelled" {
            followed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(followed, "the office's signed webhook was taken");
    running.stop().await;
    system.stop().await;
}
on_both!(the_citizens_office_books_through_its_appointment_system);

/// The demo city's start: the three examples registered and approved by the server
/// itself, listed in the public register, working; a second start (a restart: new
/// ports, new secrets) approves the new manifests and they work again, the citizens'
/// office's appointment system with the booking credentials it issued the first time.
#[cfg(feature = "demo-modules")]
async fn the_demo_city_runs_its_examples(app: TestApp) {
    let admin = setup(&app).await;
    let addr: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let first = api::demo::examples::start_examples(&app.state, addr, DELAY)
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert!(first.office().is_some());
    let register = open311(&app, "/api/v1/modules").await;
    let ids: Vec<&str> = register["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{register}");
    for id in [
        "parking-permits",
        "street-defects",
        "citizens-office-appointments",
    ] {
        assert!(ids.contains(&id), "{register}");
    }
    let connection = entities::partner_connection::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the office's booking connection");
    first.stop().await;

    let again = api::demo::examples::start_examples(&app.state, addr, DELAY)
        .await
        .unwrap();
    assert_eq!(again.len(), 3);
    let resident = english_resident(&app, "Demo").await;
    // The office's appointment system runs at a new address with the same credentials:
    // one connection, brought up to date, and a booking goes through it.
    let connections = entities::partner_connection::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].id, connection.id);
    assert_eq!(connections[0].client_id, connection.client_id);
    assert_ne!(connections[0].base_url, connection.base_url);
    let offer = crate::module_appointments::module_offers(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let start = crate::module_appointments::first_slot(&app, &offer).await;
    let (status, b) = crate::module_appointments::book(
        &app,
        &resident,
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed", "{b}");
    assert_eq!(again.office().unwrap().bookings().len(), 1);
    let id = apply(&app, &resident, "S-AB 1234", true).await;
    case_page_showing(&app, &resident, &id, "is approved").await;
    let key = crate::reports::api_key(&app, "Demo app").await;
    let report = report_light(&app, &key).await;
    closed_request(&app, &report).await;
    // Approved by the server, not by anyone's account.
    let versions: Value = admin
        .client
        .get(app.url("/api/v1/admin/modules/parking-permits/versions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = versions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{versions}");
    assert!(
        items.iter().all(|v| v.get("decided_by").is_none()),
        "{versions}"
    );
    assert_eq!(items[1]["state"], "approved");
    again.stop().await;
}
#[cfg(feature = "demo-modules")]
on_both!(the_demo_city_runs_its_examples);
