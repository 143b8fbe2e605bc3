//! Appointments through a module, end to end on both databases, against a real Partner
//! Booking API server (the sandbox partner, standing in for the module's appointment
//! system) and a real webhook receiver of the module: approval needs the module's
//! booking credentials; its offers appear on the service's listing; a resident books,
//! confirms and cancels through the partner flow; the resident's access log names the
//! module; the module gets `booking.*` events signed per Standard Webhooks; the
//! module's booking webhooks to the portal are verified with the shared secret (while
//! it is paused too, not once it is removed); pause (its offers not bookable, and the
//! API says why),
//! manifest updates and removal; and the webhook secret's rotation.

use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use partner_sandbox::catalogue::{Catalogue, CatalogueOffer, Schedule};
use partner_sandbox::model::{Confirmation, OfferKind};
use partner_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::applications::{Got, Receiver};
use crate::helpers::*;
use crate::modules::{ok_json, send, setup};
use crate::on_both;

const CLIENT_ID: &str = "city-portal";
const CLIENT_SECRET: &str = "issued-by-the-citizens-office";
const LISTING: &str = "certified-copy";

/// The module's appointment system: two appointment offers every day, three weeks ahead.
fn catalogue(tz: chrono_tz::Tz) -> Catalogue {
    let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let every_day = |hours: &[u32]| {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .flat_map(|d| hours.iter().map(move |h| (d, at(*h))))
        .collect::<Vec<_>>()
    };
    let offer = |id: &str, name: &str, hours: &[u32]| CatalogueOffer {
        id: id.into(),
        name: name.into(),
        description: Some(format!("{name} at the citizens' office.")),
        needs_email: true,
        needs_phone: false,
        schedule: Schedule::Sessions {
            kind: OfferKind::Appointment,
            weekly: every_day(hours),
            duration_minutes: 15,
            capacity: 2,
            confirmation: Confirmation::Instant,
        },
    };
    Catalogue {
        time_zone: tz,
        weeks_ahead: 3,
        offers: vec![
            offer(
                "copy.certify",
                "Certify a copy",
                &[8, 10, 12, 14, 16, 18, 20],
            ),
            offer("copy.many", "Certify many copies", &[9, 11, 13, 15, 17, 19]),
        ],
    }
}

async fn sandbox(app: &TestApp) -> Sandbox {
    partner_sandbox::spawn(SandboxConfig {
        approval_delay: None,
        catalogue: catalogue(app.state.city.timezone),
        ..SandboxConfig::with_client(CLIENT_ID, CLIENT_SECRET)
    })
    .await
    .expect("sandbox starts")
}

/// The citizens' office's appointment module: one appointment service booking `offers`.
fn manifest(base_url: &str, webhook: &str, offers: &[&str]) -> Value {
    json!({
        "manifest_version": 1,
        "id": "citizens-office-appointments",
        "name": {"de": "Bürgeramt: Termine", "en": "Citizens' office: appointments"},
        "operator": "citizens-office",
        "base_url": base_url,
        "contact": {"email": "buergeramt@example.org"},
        "services": [{
            "listing": LISTING,
            "capability": "appointment",
            "data": ["name", "email"],
            "purpose": {
                "de": "Den Termin vorbereiten und Sie erreichen",
                "en": "To prepare the appointment and reach you"
            },
            "legal_basis": {"de": "Art. 6 Abs. 1 lit. e DSGVO", "en": "Art. 6(1)(e) GDPR"},
            "offers": offers,
        }],
        "scopes": [],
        "events": ["booking.*"],
        "webhook_url": webhook,
    })
}

/// The portal's address of a connection's webhooks, as this test reaches it.
pub(crate) fn reachable(app: &TestApp, url: &str) -> String {
    url.replace(
        app.state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/'),
        &app.base,
    )
}

async fn approve(app: &TestApp, admin: &User, version: i64, body: Value) -> reqwest::Response {
    let mut body = body;
    body["version"] = json!(version);
    send(
        app,
        admin,
        Method::POST,
        "/api/v1/admin/modules/citizens-office-appointments/approve",
        Some(body),
    )
    .await
}

/// The listing's active offers booked through a partner, by their reference.
pub(crate) async fn module_offers(app: &TestApp) -> Vec<Value> {
    let r = client()
        .get(app.url(&format!("/api/v1/listings/{LISTING}/offers")))
        .send()
        .await
        .unwrap();
    ok_json(r, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["provider"] == "partner")
        .cloned()
        .collect()
}

pub(crate) fn offer_refs(offers: &[Value]) -> Vec<String> {
    let mut refs: Vec<String> = offers
        .iter()
        .map(|o| o["partner"]["offer_ref"].as_str().unwrap().to_string())
        .collect();
    refs.sort();
    refs
}

pub(crate) async fn first_slot(app: &TestApp, offer: &str) -> String {
    let to = chrono::Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(6);
    let r = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability?to={to}")))
        .send()
        .await
        .unwrap();
    let v = ok_json(r, StatusCode::OK).await;
    v["slots"][0]["starts_at"]
        .as_str()
        .unwrap_or_else(|| panic!("no slot: {v}"))
        .to_string()
}

pub(crate) async fn book(app: &TestApp, user: &User, body: Value) -> (StatusCode, Value) {
    let r = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

/// The event types the module received, in order.
fn types(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            serde_json::from_slice::<Value>(&g.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Waits (at most 20 s) for a webhook of `event_type` and returns it.
async fn wait_event(module: &Receiver, event_type: &str) -> Got {
    for _ in 0..200 {
        if let Some(g) = module
            .received()
            .into_iter()
            .find(|g| serde_json::from_slice::<Value>(&g.body).unwrap()["type"] == event_type)
        {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {event_type}; the module got {:?}",
        types(&module.received())
    );
}

pub(crate) async fn booking_status(app: &TestApp, user: &User, id: &str) -> String {
    let r = user
        .client
        .get(app.url(&format!("/api/v1/bookings/{id}")))
        .send()
        .await
        .unwrap();
    ok_json(r, StatusCode::OK).await["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn appointments_through_a_module(app: TestApp) {
    let admin = setup(&app).await;
    let partner = sandbox(&app).await;
    let module = Receiver::start().await;
    let m = manifest(&partner.base_url(), &module.url, &["copy.certify"]);
    ok_json(
        send(&app, &admin, Method::POST, "/api/v1/admin/modules", Some(m)).await,
        StatusCode::CREATED,
    )
    .await;

    // Without the module's booking credentials nothing is approved.
    let p = problem(approve(&app, &admin, 1, json!({})).await, 422).await;
    assert!(fields(&p).contains(&"booking_client_id".to_string()), "{p}");
    // Credentials the module's token endpoint refuses are named too.
    let p = problem(
        approve(
            &app,
            &admin,
            1,
            json!({"booking_client_id": CLIENT_ID, "booking_client_secret": "wrong"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["booking_client_secret"], "{p}");
    let still = ok_json(
        send(
            &app,
            &admin,
            Method::GET,
            "/api/v1/admin/modules/citizens-office-appointments",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["status"], "pending", "never half-approved");
    assert!(module_offers(&app).await.is_empty());

    let approved = ok_json(
        approve(
            &app,
            &admin,
            1,
            json!({"booking_client_id": CLIENT_ID, "booking_client_secret": CLIENT_SECRET}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["module"]["status"], "active");
    let booking_webhook_url = approved["module"]["booking_webhook_url"]
        .as_str()
        .expect("where the module sends its booking webhooks")
        .to_string();
    let first = approved["webhook_secret"].as_str().unwrap().to_string();
    assert!(first.starts_with("whsec_"));
    // Rotated at once: the new secret is the one both directions use from now on.
    let rotated = ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules/citizens-office-appointments/webhook-secret",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let whsec = rotated["webhook_secret"].as_str().unwrap().to_string();
    assert_ne!(whsec, first);
    let secret = partner_contract::webhook::Secret::parse(&whsec).unwrap();
    let old_secret = partner_contract::webhook::Secret::parse(&first).unwrap();
    // The module signs its booking webhooks to the portal with the same secret.
    partner.set_webhook_secret(secret.clone());
    let connection = entities::partner_connection::Entity::find()
        .filter(entities::partner_connection::Column::ClientId.eq(CLIENT_ID))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the module's connection");
    assert!(connection.module_id.is_some());
    assert_eq!(connection.status, "active");
    assert!(!connection.client_secret_enc.contains(CLIENT_SECRET));
    // The operator's owners see the connection, but only the module register manages it.
    let owner = app.register("Owner").await;
    entities::membership::ActiveModel {
        id: Set(Uuid::new_v4()),
        organization_id: Set(connection.organization_id),
        user_id: Set(owner.id),
        role: Set("owner".into()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let at = format!("/api/v1/partner-connections/{}", connection.id);
    let changed =
        json!({"name": "Mine now", "base_url": "https://elsewhere.example", "client_id": "x"});
    for (method, body) in [(Method::PUT, Some(changed)), (Method::DELETE, None)] {
        let p = problem(send(&app, &owner, method, &at, body).await, 409).await;
        assert!(
            p["type"]
                .as_str()
                .unwrap()
                .ends_with("partner-connection-of-module"),
            "{p}"
        );
    }
    assert_eq!(
        booking_webhook_url,
        api::partners::connections::webhook_url(&app.state.config.server.public_url, connection.id)
    );
    partner.set_webhook_target(Some(reachable(&app, &booking_webhook_url)));

    // The offer is on the service's listing, named as the module names it, and the
    // service page offers "Book an appointment"; the register shows what it receives.
    let offers = module_offers(&app).await;
    assert_eq!(offer_refs(&offers), ["copy.certify"]);
    assert_eq!(offers[0]["name"]["en"], "Certify a copy");
    assert!(offers[0]["collect_email"].as_bool().unwrap());
    let offer = offers[0]["id"].as_str().unwrap().to_string();
    let page = client()
        .get(app.url(&format!("/services/{LISTING}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"book-appointment\""),
        "Book an appointment"
    );
    assert!(page.contains(&format!("/offers/{offer}")));
    let register = ok_json(
        client()
            .get(app.url("/api/v1/modules"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let service = &register["items"][0]["services"][0];
    assert_eq!(service["capability"], "appointment");
    assert_eq!(service["offers"], json!(["copy.certify"]));
    let data: Vec<&str> = service["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["category"].as_str().unwrap())
        .collect();
    assert_eq!(data, ["name", "email"]);

    // A resident books: a hold, then the confirmation with their data.
    let resident = app.register("Resident").await;
    let start = first_slot(&app, &offer).await;
    let (status, b) = book(
        &app,
        &resident,
        json!({"offer_id": offer, "starts_at": start, "hold": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "held");
    let id = b["id"].as_str().unwrap().to_string();
    let held = wait_event(&module, "booking.held").await;
    let r = resident
        .client
        .post(app.url(&format!("/api/v1/bookings/{id}/confirm")))
        .send()
        .await
        .unwrap();
    let confirmed = ok_json(r, StatusCode::OK).await;
    assert_eq!(confirmed["status"], "confirmed");
    // The module's system has the booking, with exactly the data the service names.
    let row = entities::booking::Entity::find_by_id(id.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let partner_ref = row.partner_ref.clone().unwrap();
    let at_module = partner.booking(&partner_ref).expect("the module has it");
    assert_eq!(
        serde_json::to_value(at_module.status).unwrap(),
        json!("confirmed")
    );
    let who = partner.resident(&partner_ref).expect("the resident's data");
    assert_eq!(who.name, row.contact_name);
    assert!(who.phone.is_none());

    // The module got `booking.confirmed` once, signed, without resident data.
    let got = wait_event(&module, "booking.confirmed").await;
    for g in [&held, &got] {
        partner_contract::webhook::verify_headers(&secret, &g.headers, &g.body)
            .expect("signed with the module's secret");
        assert!(
            partner_contract::webhook::verify_headers(&old_secret, &g.headers, &g.body).is_err(),
            "not with the one rotated away"
        );
    }
    let event: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(event["data"]["booking_id"], id.as_str());
    assert_eq!(event["data"]["offer_ref"], "copy.certify");
    assert_eq!(event["data"]["status"], "confirmed");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(event["data"]["start"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&start).unwrap()
    );
    let body = String::from_utf8(got.body.clone()).unwrap();
    assert!(!body.contains(&row.contact_name), "no resident data");
    assert!(!body.contains('@'), "no resident data");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        types(&module.received())
            .iter()
            .filter(|t| *t == "booking.confirmed")
            .count(),
        1,
        "once"
    );

    // The resident's access log names the module, the booking and the purpose.
    let log = ok_json(
        resident
            .client
            .get(app.url("/api/v1/accounts/me/access-log"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reader"] == "citizens-office-appointments")
        .unwrap_or_else(|| panic!("the module is named: {log}"));
    assert_eq!(entry["reader_kind"], "module");
    assert!(
        entry["purpose"]
            .as_str()
            .unwrap()
            .contains("To prepare the appointment and reach you"),
        "{entry}"
    );

    // The module's own webhooks to the portal are verified with the shared secret:
    // its system cancels a second booking, and the portal follows.
    let other = app.register("Other").await;
    let (status, b2) = book(&app, &other, json!({"offer_id": offer, "starts_at": start})).await;
    assert_eq!(status, StatusCode::CREATED, "{b2}");
    let id2 = b2["id"].as_str().unwrap().to_string();
    let ref2 = entities::booking::Entity::find_by_id(id2.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .partner_ref
        .unwrap();
    partner
        .cancel_by_business(&ref2, Some("The office is closed".into()))
        .unwrap();
    let mut followed = false;
    for _ in 0..100 {
        if booking_status(&app, &other, &id2).await == "cancelled" {
            followed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(followed, "the module's signed webhook was taken");

    // The resident cancels: the module's system has it, and the module gets the event.
    let r = resident
        .client
        .post(app.url(&format!("/api/v1/bookings/{id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(ok_json(r, StatusCode::OK).await["status"], "cancelled");
    assert_eq!(
        serde_json::to_value(partner.booking(&partner_ref).unwrap().status).unwrap(),
        json!("cancelled")
    );
    let cancelled = wait_event(&module, "booking.cancelled").await;
    partner_contract::webhook::verify_headers(&secret, &cancelled.headers, &cancelled.body)
        .unwrap();
    // Every attempt is in the delivery log.
    let log = ok_json(
        send(
            &app,
            &admin,
            Method::GET,
            "/api/v1/admin/modules/citizens-office-appointments/deliveries",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["event_type"] == "booking.cancelled" && d["status_code"] == 204));

    // A manifest changing the offers waits for review; the old offers stay bookable.
    let wider = manifest(
        &partner.base_url(),
        &module.url,
        &["copy.certify", "copy.many"],
    );
    let pending = ok_json(
        send(
            &app,
            &admin,
            Method::PUT,
            "/api/v1/admin/modules/citizens-office-appointments/manifest",
            Some(wider),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(pending["pending"]["widens"], json!(["services[0].offers"]));
    assert_eq!(offer_refs(&module_offers(&app).await), ["copy.certify"]);
    let (status, b3) = book(
        &app,
        &resident,
        json!({"offer_id": offer, "starts_at": first_slot(&app, &offer).await, "hold": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "still bookable: {b3}");

    // Approved (the portal has the credentials now): both offers are there.
    ok_json(approve(&app, &admin, 2, json!({})).await, StatusCode::OK).await;
    assert_eq!(
        offer_refs(&module_offers(&app).await),
        ["copy.certify", "copy.many"]
    );

    // A confirmed booking the module's system cancels while the module is paused.
    let (status, b5) = book(
        &app,
        &other,
        json!({"offer_id": offer, "starts_at": first_slot(&app, &offer).await}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b5}");
    let id5 = b5["id"].as_str().unwrap().to_string();
    let ref5 = entities::booking::Entity::find_by_id(id5.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .partner_ref
        .unwrap();
    assert!(module_offers(&app)
        .await
        .iter()
        .all(|o| o["bookable"] == true && o.get("not_bookable_reason").is_none()));

    // Paused: the offers are shown, but not bookable; bookings made can be cancelled.
    ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules/citizens-office-appointments/pause",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The API says so: not bookable, because the module is paused; its times and a
    // booking answer 409 `offer-not-bookable` (a deliberate pause, not an outage).
    let shown = module_offers(&app).await;
    assert_eq!(shown.len(), 2, "still shown");
    for o in &shown {
        assert_eq!(o["status"], "active");
        assert_eq!(o["bookable"], false, "{o}");
        assert_eq!(o["not_bookable_reason"], "module-paused", "{o}");
    }
    let one = ok_json(
        client()
            .get(app.url(&format!("/api/v1/offers/{offer}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&one["bookable"], &one["not_bookable_reason"]),
        (&json!(false), &json!("module-paused"))
    );
    let p = problem(
        client()
            .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("/offer-not-bookable"),
        "{p}"
    );
    let (status, refused) =
        book(&app, &other, json!({"offer_id": offer, "starts_at": start})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["type"]
            .as_str()
            .unwrap()
            .ends_with("/offer-not-bookable"),
        "{refused}"
    );
    // The module's system still cancels what was booked (a counter closes): its signed
    // webhook to the disabled connection is taken, and the resident's booking follows.
    partner
        .cancel_by_business(&ref5, Some("The counter is closed".into()))
        .unwrap();
    let mut followed = false;
    for _ in 0..100 {
        if booking_status(&app, &other, &id5).await == "cancelled" {
            followed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(followed, "the paused module's signed webhook was taken");
    let page = client()
        .get(app.url(&format!("/services/{LISTING}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("class=\"notice module-paused\""), "shown so");
    let id3 = b3["id"].as_str().unwrap();
    let r = resident
        .client
        .post(app.url(&format!("/api/v1/bookings/{id3}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(ok_json(r, StatusCode::OK).await["status"], "cancelled");

    // Resumed: bookable again. Removed: the offers are withdrawn.
    ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules/citizens-office-appointments/resume",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (status, b4) = book(
        &app,
        &other,
        json!({"offer_id": offer, "starts_at": first_slot(&app, &offer).await, "hold": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b4}");
    ok_json(
        send(
            &app,
            &admin,
            Method::DELETE,
            "/api/v1/admin/modules/citizens-office-appointments",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(module_offers(&app).await.is_empty(), "withdrawn");
    let conn = entities::partner_connection::Entity::find_by_id(connection.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conn.status, "disabled");
    // A removed module's connection is gone for its webhooks.
    let body = json!({"type": "booking.cancelled"}).to_string();
    let ts = chrono::Utc::now().timestamp();
    let r = client()
        .post(reachable(
            &app,
            &api::partners::connections::webhook_url(
                &app.state.config.server.public_url,
                connection.id,
            ),
        ))
        .header("webhook-id", "msg_after_removal")
        .header("webhook-timestamp", ts.to_string())
        .header(
            "webhook-signature",
            partner_contract::webhook::sign(&secret, "msg_after_removal", ts, body.as_bytes()),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The booking made stays, and its resident can still cancel it.
    let id4 = b4["id"].as_str().unwrap();
    let r = other
        .client
        .post(app.url(&format!("/api/v1/bookings/{id4}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(ok_json(r, StatusCode::OK).await["status"], "cancelled");
}
on_both!(appointments_through_a_module);

/// The module is asked before anything is written: unreachable, it answers 503 and the
/// module stays pending; an offer it does not have, or one asking for data the service
/// does not name, is named by its path.
async fn approval_asks_the_module_first(app: TestApp) {
    let admin = setup(&app).await;
    let partner = sandbox(&app).await;
    let base = partner.base_url();
    let mut m = manifest(
        &base,
        "https://module.example/hook",
        &["copy.certify", "copy.none"],
    );
    m["services"][0]["data"] = json!(["name"]);
    ok_json(
        send(&app, &admin, Method::POST, "/api/v1/admin/modules", Some(m)).await,
        StatusCode::CREATED,
    )
    .await;
    // The review page asks for the credentials; without them (no JavaScript) the form
    // comes back naming the field beside it.
    let page = admin
        .client
        .get(app.url("/admin/modules/citizens-office-appointments?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"booking_client_id\""),
        "the approval form asks"
    );
    assert!(page.contains("name=\"booking_client_secret\""));
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let csrf = page[at..at + page[at..].find('"').unwrap()].to_string();
    let r = admin
        .client
        .post(app.url("/admin/modules/citizens-office-appointments/approve?lang=en"))
        .form(&[("csrf", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"booking_client_id-error\""),
        "beside the field"
    );
    assert!(
        html.contains("href=\"#booking_client_id\""),
        "in the summary"
    );

    let creds = json!({"booking_client_id": CLIENT_ID, "booking_client_secret": CLIENT_SECRET});
    let p = problem(approve(&app, &admin, 1, creds.clone()).await, 422).await;
    assert_eq!(
        fields(&p),
        ["services[0].offers[0]", "services[0].offers[1]"],
        "the email the offer asks for, and an offer the module has not: {p}"
    );
    partner.set_mode(partner_sandbox::Mode::Down);
    let p = problem(approve(&app, &admin, 1, creds).await, 503).await;
    assert!(p["type"]
        .as_str()
        .unwrap()
        .ends_with("module-booking-unreachable"));
    let m = ok_json(
        send(
            &app,
            &admin,
            Method::GET,
            "/api/v1/admin/modules/citizens-office-appointments",
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["status"], "pending");
    assert!(m.get("client_id").is_none(), "no client outlives a failure");
    assert!(entities::partner_connection::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .is_none());
}
on_both!(approval_asks_the_module_first);

/// The webhook secret is made inside the approval: a module approved before modules had
/// one (its deliveries could never be signed) gets it with its next approval, shown
/// once; an admin rotates it (API and page), and the old one stops working.
async fn webhook_secret_made_with_approval_and_rotated(app: TestApp) {
    let admin = setup(&app).await;
    let module = Receiver::start().await;
    let m = crate::applications::manifest(&module.url, false);
    ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules",
            Some(m.clone()),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = "/api/v1/admin/modules/parking-permits";
    let first = ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            &format!("{path}/approve"),
            Some(json!({"version": 1})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(first["client_secret"].as_str().is_some());
    assert!(first["webhook_secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    let stored = || async {
        entities::module::Entity::find()
            .filter(entities::module::Column::Slug.eq("parking-permits"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
    };
    let opened = |m: &entities::module::Model| {
        use secrecy::ExposeSecret;
        app.state
            .partners
            .key()
            .decrypt(m.webhook_secret_enc.as_deref().unwrap())
            .unwrap()
            .expose_secret()
            .to_string()
    };
    assert_eq!(
        opened(&stored().await),
        first["webhook_secret"].as_str().unwrap()
    );

    // As if approved before modules had webhook secrets.
    let mut am: entities::module::ActiveModel = stored().await.into();
    am.webhook_secret_enc = Set(None);
    am.update(&app.state.db).await.unwrap();
    let mut wider = m;
    wider["webhook_url"] = json!(format!("{}/v2", module.url));
    ok_json(
        send(
            &app,
            &admin,
            Method::PUT,
            &format!("{path}/manifest"),
            Some(wider),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let second = ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            &format!("{path}/approve"),
            Some(json!({"version": 2})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(second.get("client_secret").is_none(), "the client stays");
    let made = second["webhook_secret"]
        .as_str()
        .expect("made with the approval");
    assert_eq!(opened(&stored().await), made);
    // A module that has one keeps it through approvals.
    let mut third = crate::applications::manifest(&format!("{}/v3", module.url), false);
    third["id"] = json!("parking-permits");
    ok_json(
        send(
            &app,
            &admin,
            Method::PUT,
            &format!("{path}/manifest"),
            Some(third),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let again = ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            &format!("{path}/approve"),
            Some(json!({"version": 3})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(again.get("webhook_secret").is_none());
    assert_eq!(opened(&stored().await), made);

    // Rotated through the API: shown once, stored encrypted, the old one gone.
    let rotated = ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            &format!("{path}/webhook-secret"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let new = rotated["webhook_secret"].as_str().unwrap();
    assert!(new.starts_with("whsec_") && new != made);
    let row = stored().await;
    assert_eq!(opened(&row), new);
    assert!(!row.webhook_secret_enc.unwrap().contains(new));
    // Only admins rotate; a module never approved has none to rotate.
    let resident = app.register("Resident").await;
    problem(
        send(
            &app,
            &resident,
            Method::POST,
            &format!("{path}/webhook-secret"),
            None,
        )
        .await,
        403,
    )
    .await;
    let mut other = crate::applications::manifest(&module.url, false);
    other["id"] = json!("other-module");
    other["services"][0]["listing"] = json!("dog-licence");
    ok_json(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules",
            Some(other),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    problem(
        send(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/modules/other-module/webhook-secret",
            None,
        )
        .await,
        409,
    )
    .await;

    // And with the button on the module's page, without JavaScript.
    let page = admin
        .client
        .get(app.url("/admin/modules/parking-permits?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/admin/modules/parking-permits/webhook-secret\""));
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let csrf = &page[at..at + page[at..].find('"').unwrap()];
    let r = admin
        .client
        .post(app.url("/admin/modules/parking-permits/webhook-secret?lang=en"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let shown = stored().await;
    let shown = opened(&shown);
    assert_ne!(shown, new);
    assert!(html.contains(&format!("<code id=\"webhook-secret\">{shown}</code>")));
    let later = admin
        .client
        .get(app.url("/admin/modules/parking-permits"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!later.contains(&shown), "shown once");
}
on_both!(webhook_secret_made_with_approval_and_rotated);
