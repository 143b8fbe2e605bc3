//! Booking through a business's own system, against the sandbox partner (a real HTTP
//! server with its own OAuth2 token endpoint) on SQLite and PostgreSQL: connections
//! and their secrets, availability, book / confirm / cancel / reschedule, memberships
//! approved by the partner and announced by webhook, webhooks with a bad signature and
//! replayed ones, the partner down, slow and wrong, the circuit, the token cache, the
//! reconciliation job, and `city-portal partner check`.

use std::time::Duration;

use partner_sandbox::{Mode, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking_pages::{get_html, input_value, redirected};
use crate::helpers::*;
use crate::on_both_with;

/// A business with a published listing, a sandbox partner, and a connection to it.
pub(crate) struct Fixture {
    pub(crate) sandbox: Sandbox,
    pub(crate) owner: User,
    pub(crate) org: Uuid,
    pub(crate) listing: String,
    pub(crate) connection: String,
}

async fn fixture(app: &TestApp, name: &str) -> Fixture {
    let sandbox = sandbox().await;
    let base_url = sandbox.base_url();
    fixture_with(app, name, sandbox, base_url).await
}

/// A sandbox partner as the fixtures run it.
pub(crate) async fn sandbox() -> Sandbox {
    partner_sandbox::spawn(SandboxConfig {
        approval_delay: None,
        ..SandboxConfig::with_client("city-portal", "s3cret-of-the-portal")
    })
    .await
    .expect("sandbox starts")
}

/// The fixture with `sandbox`, which the portal reaches at `base_url` (the sandbox's
/// own, or a way to it).
pub(crate) async fn fixture_with(
    app: &TestApp,
    name: &str,
    sandbox: Sandbox,
    base_url: String,
) -> Fixture {
    let (owner, org) = app.business_owner(name).await;
    let (listing, _) = app.create_listing(&owner, org, name).await;
    let listing = listing["id"].as_str().unwrap().to_string();
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/organizations/{org}/partner-connections")))
        .json(&json!({
            "name": "Our booking system",
            "base_url": base_url,
            "client_id": "city-portal",
            "client_secret": "s3cret-of-the-portal",
            "webhook_secret": sandbox.webhook_secret(),
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let c: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let connection = c["id"].as_str().unwrap().to_string();
    sandbox.set_webhook_target(Some(
        c["webhook_url"].as_str().unwrap().replace(
            app.state
                .config
                .server
                .public_url
                .as_str()
                .trim_end_matches('/'),
            &app.base,
        ),
    ));
    Fixture {
        sandbox,
        owner,
        org,
        listing,
        connection,
    }
}

pub(crate) async fn partner_offer(
    app: &TestApp,
    f: &Fixture,
    kind: &str,
    offer_ref: &str,
) -> String {
    let resp = f
        .owner
        .client
        .post(app.url(&format!("/api/v1/listings/{}/offers", f.listing)))
        .json(&json!({
            "kind": kind,
            "name": {"en": offer_ref},
            "partner": {"connection_id": f.connection, "offer_ref": offer_ref},
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub(crate) async fn slots(app: &TestApp, offer: &str) -> Vec<Value> {
    let resp = client()
        .get(app.url(&format!(
            "/api/v1/offers/{offer}/availability?to={}",
            in_days(app, 13)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    v["slots"].as_array().unwrap().clone()
}

fn in_days(app: &TestApp, n: i64) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(n)
}

pub(crate) async fn book(app: &TestApp, user: &User, body: &Value) -> (StatusCode, Value) {
    let resp = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn post(app: &TestApp, user: &User, path: &str, body: Value) -> (StatusCode, Value) {
    let resp = user
        .client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

pub(crate) async fn row(app: &TestApp, id: &str) -> entities::booking::Model {
    entities::booking::Entity::find_by_id(id.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

pub(crate) fn ctx(app: &TestApp) -> api::booking::model::Ctx {
    app.state.booking_ctx()
}

/// A fixture with a class offer linked to the sandbox's yoga, its first session's
/// start, and a resident.
async fn yoga_class(app: &TestApp, name: &str) -> (Fixture, String, String, User) {
    let f = fixture(app, name).await;
    let offer = partner_offer(app, &f, "class", "sandbox-gym.yoga").await;
    let start = slots(app, &offer).await[0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    let resident = app.register("Resident").await;
    (f, offer, start, resident)
}

/// The sandbox gym's monthly membership as an offer, and its first possible start date.
async fn monthly_membership(app: &TestApp, f: &Fixture) -> (String, chrono::NaiveDate) {
    let offer = partner_offer(app, f, "membership", "sandbox-gym.monthly").await;
    let dates = slots(app, &offer).await;
    assert!(!dates.is_empty());
    assert!(dates[0]["ends_at"].is_null());
    let start_date = chrono::DateTime::parse_from_rfc3339(dates[0]["starts_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&app.state.city.timezone)
        .date_naive();
    (offer, start_date)
}

/// A resident asks for the membership (the partner decides): the booking's id and its
/// reference at the partner.
async fn request_membership(
    app: &TestApp,
    resident: &User,
    offer: &str,
    start_date: chrono::NaiveDate,
    phone: &str,
) -> (String, String) {
    let (status, b) = book(
        app,
        resident,
        &json!({"offer_id": offer, "start_date": start_date, "contact": {"phone": phone}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "requested");
    let id = b["id"].as_str().unwrap().to_string();
    let partner_ref = row(app, &id).await.partner_ref.unwrap();
    (id, partner_ref)
}

/// Two reconciliation rounds at once, as two servers sharing the database run them.
async fn two_rounds(app: &TestApp) -> Vec<api::booking::reconcile::Round> {
    let rounds: Vec<_> = (0..2)
        .map(|_| {
            let db = app.state.db.clone();
            let c = ctx(app);
            tokio::spawn(async move { api::booking::reconcile::round(&db, &c).await })
        })
        .collect();
    let mut done = Vec::new();
    for r in rounds {
        done.push(r.await.unwrap().unwrap());
    }
    done
}

/// Runs reconciliation rounds (for up to 10 s) until one settles a booking.
async fn settle_one(app: &TestApp) {
    for _ in 0..40 {
        let r = api::booking::reconcile::round(&app.state.db, &ctx(app))
            .await
            .unwrap();
        if r.settled > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no booking was settled");
}

/// Waits until the booking has `status` (webhooks arrive asynchronously).
async fn wait_status(app: &TestApp, id: &str, status: &str) -> entities::booking::Model {
    for _ in 0..100 {
        let b = row(app, id).await;
        if b.status == status {
            return b;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "booking {id} never became {status}: {:?}",
        row(app, id).await
    );
}

async fn connections_and_offers(app: TestApp) {
    let f = fixture(&app, "Gym").await;

    // Every bad field is named; plain http only on loopback.
    let resp = f
        .owner
        .client
        .post(app.url(&format!(
            "/api/v1/organizations/{}/partner-connections",
            f.org
        )))
        .json(&json!({
            "name": "",
            "base_url": "http://partner.example.com",
            "token_url": "ftp://x",
            "client_id": "id",
            "webhook_secret": "whsec_c2hvcnQ=",
        }))
        .send()
        .await
        .unwrap();
    let p = problem(resp, 422).await;
    let named = fields(&p);
    for field in [
        "name",
        "base_url",
        "token_url",
        "client_secret",
        "webhook_secret",
    ] {
        assert!(named.contains(&field.to_string()), "{field} in {p}");
    }

    // The secrets are never returned and are not stored in plain text.
    let resp = f
        .owner
        .client
        .get(app.url(&format!("/api/v1/partner-connections/{}", f.connection)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    assert!(!text.contains("s3cret-of-the-portal"), "{text}");
    assert!(!text.contains("whsec_"), "{text}");
    let stored =
        entities::partner_connection::Entity::find_by_id(f.connection.parse::<Uuid>().unwrap())
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
    assert!(!stored.client_secret_enc.contains("s3cret"));
    assert!(!stored.webhook_secret_enc.contains("whsec_"));

    // A stranger does not see it; a plain member may look but not change it.
    let stranger = app.register("Stranger").await;
    let resp = stranger
        .client
        .get(app.url(&format!("/api/v1/partner-connections/{}", f.connection)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let member = app.register("Member").await;
    let resp = f
        .owner
        .client
        .post(app.url(&format!("/api/v1/organizations/{}/members", f.org)))
        .json(&json!({"email": member.email, "role": "staff"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let resp = member
        .client
        .put(app.url(&format!("/api/v1/partner-connections/{}", f.connection)))
        .json(&json!({"name": "x", "base_url": f.sandbox.base_url(), "client_id": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // The partner's offers, live.
    let resp = f
        .owner
        .client
        .get(app.url(&format!(
            "/api/v1/partner-connections/{}/offers",
            f.connection
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let list: Value = resp.json().await.unwrap();
    let refs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["offer_ref"].as_str().unwrap())
        .collect();
    assert!(refs.contains(&"sandbox-gym.yoga"), "{list}");

    // Linking checks the partner: unknown offer, wrong kind, details not allowed.
    for (body, field) in [
        (
            json!({"kind": "class", "name": {"en": "x"},
                   "partner": {"connection_id": f.connection, "offer_ref": "nope"}}),
            "partner.offer_ref",
        ),
        (
            json!({"kind": "appointment", "name": {"en": "x"},
                   "partner": {"connection_id": f.connection, "offer_ref": "sandbox-gym.yoga"}}),
            "kind",
        ),
        (
            json!({"kind": "class", "name": {"en": "x"},
                   "class": {"seats": 3, "duration_minutes": 30, "sessions": []},
                   "partner": {"connection_id": f.connection, "offer_ref": "sandbox-gym.yoga"}}),
            "class",
        ),
        (
            json!({"kind": "class", "name": {"en": "x"},
                   "partner": {"connection_id": Uuid::new_v4(), "offer_ref": "sandbox-gym.yoga"}}),
            "partner.connection_id",
        ),
    ] {
        let resp = f
            .owner
            .client
            .post(app.url(&format!("/api/v1/listings/{}/offers", f.listing)))
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(resp, 422).await;
        assert!(fields(&p).contains(&field.to_string()), "{field} in {p}");
    }

    // A linked offer follows the partner: approval and the data it needs.
    let id = partner_offer(&app, &f, "membership", "sandbox-gym.monthly").await;
    let offer: Value = client()
        .get(app.url(&format!("/api/v1/offers/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(offer["provider"], "partner");
    assert_eq!(offer["confirmation"], "approval");
    assert_eq!(offer["collect_email"], true);
    assert_eq!(offer["collect_phone"], true);
    assert_eq!(offer["partner"]["offer_ref"], "sandbox-gym.monthly");

    // A connection in use cannot be removed.
    let resp = f
        .owner
        .client
        .delete(app.url(&format!("/api/v1/partner-connections/{}", f.connection)))
        .send()
        .await
        .unwrap();
    problem(resp, 409).await;
}
crate::on_both!(connections_and_offers);

async fn book_through_the_partner(app: TestApp) {
    let f = fixture(&app, "Spin").await;
    let offer = partner_offer(&app, &f, "class", "sandbox-gym.spinning").await;
    let times = slots(&app, &offer).await;
    assert!(times.len() >= 2, "{times:?}");
    assert_eq!(times[0]["capacity"], 16);
    let resident = app.register("Resident").await;
    let start = times[0]["starts_at"].as_str().unwrap().to_string();

    // Book (held and confirmed at the partner); only the name is shared.
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start,
                "contact": {"name": "Resi Dent", "email": "r@example.org", "phone": "+358 40 1234567"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed");
    let id = b["id"].as_str().unwrap().to_string();
    let stored = row(&app, &id).await;
    let partner_id = stored.partner_ref.clone().expect("partner id stored");
    assert!(stored.partner_pending.is_none());
    assert_eq!(stored.contact_email, None);
    let at_partner = f.sandbox.booking(&partner_id).unwrap();
    assert_eq!(at_partner.client_token, id);
    assert_eq!(at_partner.status.as_str(), "confirmed");
    let seats_left = slots(&app, &offer).await[0]["remaining"].as_u64().unwrap();
    assert_eq!(seats_left, 15);

    // The access log says that the partner's system received their data.
    let access = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        access.iter().any(|a| a
            .actor_module
            .as_deref()
            .is_some_and(|m| m.contains("Our booking system"))),
        "{access:?}"
    );

    // Move it to the next session, at the partner too.
    let next = times[1]["starts_at"].as_str().unwrap().to_string();
    let (status, moved) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id}/reschedule"),
        json!({"starts_at": next}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(moved["starts_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&next).unwrap()
    );
    assert_eq!(
        f.sandbox.booking(&partner_id).unwrap().start,
        chrono::DateTime::parse_from_rfc3339(&next).unwrap()
    );

    // A hold first, then confirm; then cancel: the partner frees the seat.
    let (status, h) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "hold": true, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    assert_eq!(h["status"], "held");
    let hid = h["id"].as_str().unwrap().to_string();
    let (status, c) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{hid}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "confirmed");
    let (status, c) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{hid}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    let hp = row(&app, &hid).await.partner_ref.unwrap();
    assert_eq!(f.sandbox.booking(&hp).unwrap().status.as_str(), "cancelled");
    assert_eq!(slots(&app, &offer).await[0]["remaining"], 16);

    // Where the offer books cannot change while bookings run there.
    let resp = f
        .owner
        .client
        .put(app.url(&format!("/api/v1/offers/{offer}")))
        .json(&json!({
            "kind": "class",
            "name": {"en": "now native"},
            "class": {"seats": 5, "duration_minutes": 45, "sessions": [format!("{}T18:00:00", in_days(&app, 5))]},
        }))
        .send()
        .await
        .unwrap();
    let p = problem(resp, 409).await;
    assert_eq!(p["type"], "/problems/offer-has-bookings", "{p}");

    // The business decides in its own system, not through the portal.
    let resp = f
        .owner
        .client
        .post(app.url(&format!("/api/v1/bookings/{id}/decision")))
        .json(&json!({"decision": "completed"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());

    // A time the partner does not have: 422 naming the field.
    let (status, p) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": format!("{}T03:17:00+02:00", in_days(&app, 3)), "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "starts_at");

    // Every change is an outbox event.
    let events = app.outbox_events(&id).await;
    assert!(events.contains(&"booking.held".to_string()), "{events:?}");
    assert!(
        events.contains(&"booking.confirmed".to_string()),
        "{events:?}"
    );
    assert!(
        events.contains(&"booking.rescheduled".to_string()),
        "{events:?}"
    );
}
crate::on_both!(book_through_the_partner);

/// The access records naming the partner's system as a reader of a resident's data.
async fn partner_reads(app: &TestApp, user: Uuid) -> Vec<entities::access_record::Model> {
    entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(user))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| {
            a.actor_module
                .as_deref()
                .is_some_and(|m| m.contains("Our booking system"))
        })
        .collect()
}

/// Consent before sharing: the resident's name, email and phone reach the business only
/// when they confirm, never with the hold; then exactly the fields the offer asks for.
/// A retried confirmation (the same `Idempotency-Key`) sends the same body and changes
/// nothing, and the reconciliation job, resending a confirmation whose answer was lost,
/// sends the resident too.
/// Erasing an account cancels its upcoming partner bookings by the partner's cancel call:
/// the partner's booking is cancelled and keeps no resident data, the portal's booking
/// keeps no contact.
async fn erasing_an_account_cancels_its_partner_bookings(app: TestApp) {
    let f = fixture(&app, "Erase").await;
    let offer = partner_offer(&app, &f, "appointment", "sandbox-gym.intro").await;
    let times = slots(&app, &offer).await;
    let resident = app.register("Leaving").await;
    let contact = json!({"name": "Lea Ving", "phone": "+358409876543"});
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": times[0]["starts_at"], "contact": contact}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed");
    let id = b["id"].as_str().unwrap().to_string();
    let partner_id = row(&app, &id).await.partner_ref.unwrap();
    assert!(f.sandbox.resident(&partner_id).is_some());

    let r = resident
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        f.sandbox.booking(&partner_id).unwrap().status.as_str(),
        "cancelled",
        "cancelled at the partner by its cancel call"
    );
    assert_eq!(
        f.sandbox.resident(&partner_id),
        None,
        "the partner keeps no data"
    );
    let mine = row(&app, &id).await;
    assert_eq!(mine.status, "cancelled");
    assert_eq!(
        (
            mine.contact_name.as_str(),
            mine.contact_email,
            mine.contact_phone
        ),
        ("", None, None)
    );
}
crate::on_both!(erasing_an_account_cancels_its_partner_bookings);

async fn residents_are_shared_on_confirmation_only(app: TestApp) {
    let f = fixture(&app, "Consent").await;
    // The trainer intro asks for the name and a phone number, not the email address.
    let offer = partner_offer(&app, &f, "appointment", "sandbox-gym.intro").await;
    let times = slots(&app, &offer).await;
    assert!(times.len() >= 3, "{times:?}");
    let resident = app.register("Resident").await;
    let contact = json!({"name": "Resi Dent", "email": "r@example.org", "phone": "+358401234567"});
    let expected = partner_sandbox::model::Resident {
        name: "Resi Dent".into(),
        email: None,
        phone: Some("+358401234567".into()),
    };

    // Held: the partner keeps the seat and knows nothing about the resident.
    let (status, h) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": times[0]["starts_at"], "hold": true, "contact": contact}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    assert_eq!(h["status"], "held");
    let id = h["id"].as_str().unwrap().to_string();
    let held = row(&app, &id).await;
    let partner_id = held.partner_ref.clone().expect("held at the partner");
    assert_eq!(
        f.sandbox.booking(&partner_id).unwrap().status.as_str(),
        "held"
    );
    assert_eq!(
        f.sandbox.resident(&partner_id),
        None,
        "no data with the hold"
    );
    assert!(partner_reads(&app, resident.id).await.is_empty());
    // What the portal sends (and the reconciliation job repeats): no personal data in
    // the hold; in the confirmation, the name and phone the offer asks for.
    let o = entities::offer::Entity::find_by_id(offer.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let hold = api::booking::partner::hold_body(&ctx(&app), &o, &held).unwrap();
    assert!(hold.get("resident").is_none(), "{hold}");
    for personal in ["Resi Dent", "r@example.org", "+358401234567"] {
        assert!(!hold.to_string().contains(personal), "{hold}");
    }
    assert_eq!(
        api::booking::partner::confirm_body(&held),
        json!({"resident": {"name": "Resi Dent", "phone": "+358401234567"}})
    );

    // Confirmed: the partner has exactly the offer's fields, and the access log says so.
    let (status, c) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "confirmed");
    assert_eq!(f.sandbox.resident(&partner_id), Some(expected.clone()));
    let reads = partner_reads(&app, resident.id).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(
        reads[0].resource.contains(r#""fields":"name,phone""#),
        "{reads:?}"
    );
    assert!(reads[0].resource.contains(&id), "{reads:?}");

    // The same confirmation again, under the same Idempotency-Key: the partner takes it
    // as the same request (a different body would be refused as another one), answers
    // as before, and nothing is doubled or changed.
    f.sandbox
        .wait_for_webhooks(2, Duration::from_secs(10))
        .await;
    let hooks = f.sandbox.webhooks().len();
    let bookings = f.sandbox.bookings().len();
    let m = entities::partner_connection::Entity::find_by_id(f.connection.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let conn = api::partners::connections::open(&app.state.partners, &m).unwrap();
    let confirmed = row(&app, &id).await;
    let again = api::booking::partner::send_confirm(&ctx(&app), &conn, &confirmed)
        .await
        .expect("the same request, answered again");
    assert_eq!(again.status.as_str(), "confirmed");
    assert_eq!(again.booking_id, partner_id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.sandbox.resident(&partner_id), Some(expected.clone()));
    assert_eq!(f.sandbox.bookings().len(), bookings);
    assert_eq!(f.sandbox.webhooks().len(), hooks, "no new event");
    assert_eq!(row(&app, &id).await, confirmed);
    let events = app.outbox_events(&id).await;
    assert_eq!(
        events.iter().filter(|e| *e == "booking.confirmed").count(),
        1,
        "{events:?}"
    );
    assert_eq!(partner_reads(&app, resident.id).await.len(), 1);

    // A hold the resident gives back never shares anything.
    let (status, h2) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": times[2]["starts_at"], "hold": true, "contact": contact}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{h2}");
    let id2 = h2["id"].as_str().unwrap().to_string();
    let (status, x) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id2}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{x}");
    let p2 = row(&app, &id2).await.partner_ref.unwrap();
    assert_eq!(f.sandbox.booking(&p2).unwrap().status.as_str(), "cancelled");
    assert_eq!(f.sandbox.resident(&p2), None);
    assert_eq!(partner_reads(&app, resident.id).await.len(), 1);

    // A confirmation that does not reach the partner: the reconciliation job sends it
    // when the partner is back, with the resident's data.
    let (status, h3) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": times[1]["starts_at"], "hold": true, "contact": contact}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{h3}");
    let id3 = h3["id"].as_str().unwrap().to_string();
    let p3 = row(&app, &id3).await.partner_ref.unwrap();
    f.sandbox.set_webhook_target(None);
    f.sandbox.set_mode(Mode::Down);
    let (status, p) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id3}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{p}");
    assert_eq!(
        row(&app, &id3).await.partner_pending.as_deref(),
        Some("confirm")
    );
    assert_eq!(f.sandbox.resident(&p3), None, "nothing reached the partner");
    f.sandbox.set_mode(Mode::Normal);
    app.state.partners.forget(f.connection.parse().unwrap());
    settle_one(&app).await;
    let settled = row(&app, &id3).await;
    assert_eq!(settled.status, "confirmed");
    assert!(settled.partner_pending.is_none());
    assert_eq!(f.sandbox.resident(&p3), Some(expected.clone()));
    // What the job sent is what the request sends: the same key and body replay.
    let again = api::booking::partner::send_confirm(&ctx(&app), &conn, &settled)
        .await
        .expect("the same request, answered again");
    assert_eq!(again.status.as_str(), "confirmed");
    assert_eq!(f.sandbox.resident(&p3), Some(expected));
    let confirms = f
        .sandbox
        .requests()
        .iter()
        .filter(|r| **r == format!("POST /partner/v1/bookings/{p3}/confirm"))
        .count();
    assert!(confirms >= 2, "sent while down, by the job and again");
    assert_eq!(partner_reads(&app, resident.id).await.len(), 2);
}
on_both_with!(
    residents_are_shared_on_confirmation_only,
    vec![("PARTNER_TIMEOUT_MS", "400".to_string())]
);

async fn membership_and_webhooks(app: TestApp) {
    let f = fixture(&app, "Members").await;
    let (offer, start_date) = monthly_membership(&app, &f).await;
    let resident = app.register("Member").await;

    // The partner needs a phone number: the portal asks for it before sending anything.
    let (status, p) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "start_date": start_date, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(fields(&p).contains(&"contact.phone".to_string()));
    assert!(f.sandbox.bookings().is_empty());

    let (id, partner_id) =
        request_membership(&app, &resident, &offer, start_date, "+358401234567").await;

    // The business approves in its system; the webhook confirms it here.
    f.sandbox.approve(&partner_id).unwrap();
    wait_status(&app, &id, "confirmed").await;
    let delivered = f
        .sandbox
        .wait_for_webhooks(3, Duration::from_secs(10))
        .await;
    assert!(delivered.iter().all(|w| w.delivered), "{delivered:?}");
    let events = app.outbox_events(&id).await;
    let confirmations = events.iter().filter(|e| *e == "booking.confirmed").count();
    assert_eq!(confirmations, 1, "{events:?}");

    // A replayed webhook is ignored; one with a bad signature is refused.
    f.sandbox.replay_last_webhook(false).unwrap();
    f.sandbox.replay_last_webhook(true).unwrap();
    let all = f
        .sandbox
        .wait_for_webhooks(delivered.len() + 2, Duration::from_secs(10))
        .await;
    let replays: Vec<_> = all.iter().filter(|w| w.replay).collect();
    assert_eq!(replays.len(), 2, "{all:?}");
    let good = replays.iter().find(|w| !w.bad_signature).unwrap();
    let bad = replays.iter().find(|w| w.bad_signature).unwrap();
    assert_eq!(good.last_status, Some(200), "{good:?}");
    assert_eq!(bad.last_status, Some(401), "{bad:?}");
    assert_eq!(
        app.outbox_events(&id).await,
        events,
        "nothing applied twice"
    );

    // Forged and stale webhooks are refused before anything is read.
    let url = app.url(&format!("/api/v1/partner-webhooks/{}", f.connection));
    let body = all.last().unwrap().body.clone();
    let resp = client()
        .post(&url)
        .header("webhook-id", "msg_forged")
        .header(
            "webhook-timestamp",
            chrono::Utc::now().timestamp().to_string(),
        )
        .header(
            "webhook-signature",
            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let p = problem(resp, 401).await;
    assert_eq!(p["type"], "/problems/invalid-signature");
    let secret = partner_sandbox::webhook::Secret::parse(&f.sandbox.webhook_secret()).unwrap();
    let old = chrono::Utc::now().timestamp() - 600;
    let resp = client()
        .post(&url)
        .header("webhook-id", "msg_old")
        .header("webhook-timestamp", old.to_string())
        .header(
            "webhook-signature",
            partner_sandbox::webhook::sign(&secret, "msg_old", old, body.as_bytes()),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    problem(resp, 401).await;
    // A signed body reaches the handler byte for byte: a number written `1.0` is not
    // rewritten at the edge (as a body the API document describes would be), so its
    // signature holds.
    let mut with_float: serde_json::Value = serde_json::from_str(&body).unwrap();
    with_float["x_weight"] = serde_json::json!(1.0);
    let with_float = serde_json::to_string(&with_float).unwrap();
    assert!(with_float.contains("1.0"), "{with_float}");
    let now = chrono::Utc::now().timestamp();
    let resp = client()
        .post(&url)
        .header("content-type", "application/json")
        .header("webhook-id", "msg_float")
        .header("webhook-timestamp", now.to_string())
        .header(
            "webhook-signature",
            partner_sandbox::webhook::sign(&secret, "msg_float", now, with_float.as_bytes()),
        )
        .body(with_float)
        .send()
        .await
        .unwrap();
    assert_ne!(resp.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert!(resp.status().is_success(), "{}", resp.status());
    let resp = client()
        .post(app.url(&format!("/api/v1/partner-webhooks/{}", Uuid::new_v4())))
        .body(body)
        .send()
        .await
        .unwrap();
    problem(resp, 404).await;

    // The business cancels in its system: the resident's booking follows.
    f.sandbox
        .cancel_by_business(&partner_id, Some("Closed for renovation".into()))
        .unwrap();
    wait_status(&app, &id, "cancelled").await;
}
crate::on_both!(membership_and_webhooks);

async fn partner_down_and_back(app: TestApp) {
    let (f, offer, start, resident) = yoga_class(&app, "Down").await;

    f.sandbox.set_mode(Mode::Down);
    // Times cannot be shown: a clear 503, not a 500.
    let resp = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap();
    let p = problem(resp, 503).await;
    assert!(
        p["detail"].as_str().unwrap().contains("not answering"),
        "{p}"
    );
    // Booking: 503; nothing stays booked; the unsettled hold is marked.
    let (status, p) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{p}");
    let mine: Value = resident
        .client
        .get(app.url("/api/v1/bookings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "expired");
    let id = items[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        row(&app, &id).await.partner_pending.as_deref(),
        Some("hold")
    );

    // Repeated failures open the circuit: calls are refused at once.
    let conn_id: Uuid = f.connection.parse().unwrap();
    for _ in 0..5 {
        if app.state.partners.circuit_open(conn_id) {
            break;
        }
        let resp = client()
            .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(app.state.partners.circuit_open(conn_id));
    // While it is open, a call is refused at once.
    let resp = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);

    // The partner is back; the circuit is reset (as after its open time) and the
    // reconciliation job settles the booking: the hold is made and given back.
    f.sandbox.set_mode(Mode::Normal);
    app.state.partners.forget(conn_id);
    settle_one(&app).await;
    let b = row(&app, &id).await;
    assert!(b.partner_pending.is_none());
    assert_eq!(b.status, "expired");
    let at_partner: Vec<_> = f
        .sandbox
        .bookings()
        .into_iter()
        .filter(|pb| pb.client_token == id)
        .collect();
    assert!(
        at_partner.iter().all(|pb| !pb.status.occupies_seats()),
        "{at_partner:?}"
    );
    assert_eq!(slots(&app, &offer).await[0]["remaining"], 12);

    // And booking works again.
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");

    // `/metrics` counted this connection's calls by outcome, with their times.
    let text = app.scrape().await;
    let calls = |outcome: &str| {
        metric_of(
            &text,
            &format!(
                "city_portal_partner_calls_total{{connection=\"{conn_id}\",outcome=\"{outcome}\"}}"
            ),
        )
        .unwrap_or(0.0)
    };
    assert!(calls("ok") >= 2.0, "{text}");
    assert!(calls("unavailable") >= 2.0, "{text}");
    assert!(calls("circuit_open") >= 1.0, "{text}");
    let timed = metric_of(
        &text,
        &format!(
            "city_portal_partner_call_duration_seconds_count{{connection=\"{conn_id}\",outcome=\"ok\"}}"
        ),
    );
    assert_eq!(timed, Some(calls("ok")), "{text}");
}
on_both_with!(
    partner_down_and_back,
    vec![("PARTNER_TIMEOUT_MS", "400".to_string())]
);

async fn partner_slow_then_settled(app: TestApp) {
    let (f, offer, start, resident) = yoga_class(&app, "Slow").await;
    let (status, h) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "hold": true, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    let id = h["id"].as_str().unwrap().to_string();

    // Slower than the timeout: the confirmation's outcome is unknown (and no webhook
    // tells, here).
    f.sandbox.set_webhook_target(None);
    f.sandbox.set_mode(Mode::Slow(Duration::from_millis(1500)));
    let (status, p) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("being checked"),
        "{p}"
    );
    let b = row(&app, &id).await;
    assert_eq!(b.partner_pending.as_deref(), Some("confirm"));
    // The sweeper leaves it alone even past its hold time.
    api::booking::ledger::expire_holds(&app.state.db, &ctx(&app), None)
        .await
        .unwrap();
    assert_eq!(row(&app, &id).await.status, "held");

    // The partner answers in time again: the reconciliation job confirms it.
    f.sandbox.set_mode(Mode::Normal);
    app.state.partners.forget(f.connection.parse().unwrap());
    let mut done = false;
    for _ in 0..40 {
        api::booking::reconcile::round(&app.state.db, &ctx(&app))
            .await
            .unwrap();
        if row(&app, &id).await.partner_pending.is_none() {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(done);
    let b = row(&app, &id).await;
    assert_eq!(b.status, "confirmed");
    let pb = f
        .sandbox
        .booking(b.partner_ref.as_deref().unwrap())
        .unwrap();
    assert_eq!(pb.status.as_str(), "confirmed");
}
on_both_with!(
    partner_slow_then_settled,
    vec![("PARTNER_TIMEOUT_MS", "300".to_string())]
);

/// Two servers sharing the database run a reconciliation round at the same time: each
/// unsettled booking is claimed by one round, so the partner is asked about it once,
/// its confirmation is sent once, and its outcome recorded once.
async fn concurrent_rounds_settle_each_booking_once(app: TestApp) {
    let f = fixture(&app, "Twice").await;
    let offer = partner_offer(&app, &f, "class", "sandbox-gym.yoga").await;
    let start = slots(&app, &offer).await[0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for i in 0..4 {
        let resident = app.register(&format!("Resident{i}")).await;
        let (status, h) = book(
            &app,
            &resident,
            &json!({"offer_id": offer, "starts_at": start, "hold": true, "contact": {}}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
        ids.push(h["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    // Each resident's confirmation went out and its answer was lost before the partner
    // had it: held here and there, marked with a `confirm` unsettled for an hour.
    f.sandbox.set_webhook_target(None);
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    entities::booking::Entity::update_many()
        .col_expr(
            entities::booking::Column::PartnerPending,
            sea_orm::sea_query::Expr::value("confirm"),
        )
        .col_expr(
            entities::booking::Column::PartnerPendingSince,
            sea_orm::sea_query::Expr::value(Some(long_ago)),
        )
        .filter(entities::booking::Column::Id.is_in(ids.clone()))
        .exec(&app.state.db)
        .await
        .unwrap();

    // Every partner call is slow, so that the two rounds overlap throughout.
    f.sandbox.set_mode(Mode::Slow(Duration::from_millis(150)));
    let before = f.sandbox.requests().len();
    let mut settled = 0;
    for r in two_rounds(&app).await {
        assert_eq!(r.open, 0, "{r:?}");
        settled += r.settled;
    }
    assert_eq!(settled, ids.len(), "each booking settled by one round");

    let calls = f.sandbox.requests()[before..].to_vec();
    for id in &ids {
        let b = row(&app, &id.to_string()).await;
        assert_eq!(b.status, "confirmed");
        assert!(b.partner_pending.is_none());
        let partner_ref = b.partner_ref.unwrap();
        let count = |call: String| calls.iter().filter(|c| **c == call).count();
        assert_eq!(
            count(format!("GET /partner/v1/bookings/{partner_ref}")),
            1,
            "one read of {partner_ref}: {calls:#?}"
        );
        assert_eq!(
            count(format!("POST /partner/v1/bookings/{partner_ref}/confirm")),
            1,
            "one confirmation of {partner_ref}: {calls:#?}"
        );
        assert_eq!(
            f.sandbox.booking(&partner_ref).unwrap().status.as_str(),
            "confirmed"
        );
        let confirmed = entities::outbox_event::Entity::find()
            .filter(entities::outbox_event::Column::AggregateId.eq(*id))
            .filter(entities::outbox_event::Column::EventType.eq("booking.confirmed"))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(confirmed.len(), 1, "one booking.confirmed event");
    }
    // Nothing is left for a later round.
    let r = api::booking::reconcile::round(&app.state.db, &ctx(&app))
        .await
        .unwrap();
    assert_eq!(r, api::booking::reconcile::Round::default());
}
on_both_with!(
    concurrent_rounds_settle_each_booking_once,
    vec![("PARTNER_RECONCILE_SECONDS", "3600".to_string())]
);

async fn partner_wrong_and_tokens(app: TestApp) {
    let (f, offer, start, resident) = yoga_class(&app, "Wrong").await;

    // Tokens are cached: several calls, one token.
    for _ in 0..3 {
        slots(&app, &offer).await;
    }
    let issued = f.sandbox.tokens_issued();
    assert_eq!(issued, 1, "one token for all calls");
    // A revoked token is replaced once, transparently.
    f.sandbox.revoke_tokens();
    slots(&app, &offer).await;
    assert_eq!(f.sandbox.tokens_issued(), 2);

    // A partner breaking the contract gives a clear 503, never a 500.
    f.sandbox.set_mode(Mode::Wrong);
    let (status, p) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{p}");
    assert_eq!(p["type"], "/problems/unavailable");
    let resp = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
}
crate::on_both!(partner_wrong_and_tokens);

/// `city-portal partner check` passes a conforming partner and names what a broken one
/// gets wrong (exit status 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_check_command() {
    let sandbox = partner_sandbox::spawn(SandboxConfig::with_client("dev", "dev-secret"))
        .await
        .unwrap();
    let run = |url: String| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
                .args(["partner", "check", &url, "--client-id", "dev"])
                .env("PARTNER_CLIENT_SECRET", "dev-secret")
                .env("LOG", "error")
                .output()
        })
    };
    let ok = run(sandbox.base_url()).await.unwrap().unwrap();
    let out = String::from_utf8_lossy(&ok.stdout).to_string();
    assert!(
        ok.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.to_lowercase().contains("pass"), "{out}");
    sandbox.set_mode(Mode::Wrong);
    let bad = run(sandbox.base_url()).await.unwrap().unwrap();
    let out = String::from_utf8_lossy(&bad.stdout).to_string();
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.to_lowercase().contains("fail"), "{out}");
}

/// The demo city's gym books through a sandbox partner run by the server itself: its
/// classes show the partner's seats, a class is booked there, and a membership request
/// waits for the partner's approval.
#[cfg(feature = "demo-partner")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_gym_books_through_its_sandbox() {
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            // As `cargo run` starts it: demo data on, private networks not allowed (the
            // demo's own sandbox on loopback is the server's, not a configured one).
            env: vec![
                ("DEMO_DATA", "true".to_string()),
                ("PARTNER_ALLOW_PRIVATE_NETWORK", "false".to_string()),
            ],
            ..Default::default()
        },
    )
    .await
    .expect("sqlite always runs");
    // The sandbox starts with the server; its offers are linked on first start.
    let mut offers = Vec::new();
    for _ in 0..100 {
        let resp = client()
            .get(app.url("/api/v1/listings/sandbox-gym/offers"))
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::OK {
            let v: Value = resp.json().await.unwrap();
            offers = v["items"].as_array().unwrap().clone();
            if offers.len() == 3 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(offers.len(), 3, "{offers:?}");
    assert!(offers.iter().all(|o| o["provider"] == "partner"));
    let yoga = offers
        .iter()
        .find(|o| o["partner"]["offer_ref"] == "sandbox-gym.yoga")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let times = slots(&app, &yoga).await;
    assert!(!times.is_empty());
    assert_eq!(times[0]["capacity"], 12);
    let resident = app.register("Resident").await;
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": yoga, "starts_at": times[0]["starts_at"], "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed");
    let stored = row(&app, b["id"].as_str().unwrap()).await;
    assert!(stored.partner_ref.is_some());
    assert_eq!(slots(&app, &yoga).await[0]["remaining"], 11);
}

/// Built without `demo-partner` (as the production image is), a server with the demo data
/// on starts as usual, without the gym whose partner it cannot run.
#[cfg(not(feature = "demo-partner"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_demo_partner_the_demo_city_has_no_gym() {
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            env: vec![("DEMO_DATA", "true".to_string())],
            ..Default::default()
        },
    )
    .await
    .expect("sqlite always runs");
    let resp = client()
        .get(app.url("/api/v1/listings/sandbox-gym"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Without PARTNER_ALLOW_PRIVATE_NETWORK a connection may only point at public
/// addresses: loopback, private ranges and the cloud metadata address are refused.
async fn private_networks_refused(app: TestApp) {
    let (owner, org) = app.business_owner("Ssrf").await;
    for (base_url, field) in [
        ("http://127.0.0.1:8090", "base_url"),
        ("https://127.0.0.1:8443", "base_url"),
        ("https://10.0.0.7", "base_url"),
        ("https://169.254.169.254", "base_url"),
        ("https://localhost", "base_url"),
        ("https://[::1]", "base_url"),
    ] {
        let resp = owner
            .client
            .post(app.url(&format!("/api/v1/organizations/{org}/partner-connections")))
            .json(&json!({
                "name": "Internal",
                "base_url": base_url,
                "client_id": "x",
                "client_secret": "y",
                "webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            }))
            .send()
            .await
            .unwrap();
        let p = problem(resp, 422).await;
        assert!(fields(&p).contains(&field.to_string()), "{base_url}: {p}");
    }
}
on_both_with!(
    private_networks_refused,
    vec![("PARTNER_ALLOW_PRIVATE_NETWORK", "false".to_string())]
);

/// Names are resolved to public addresses only at call time too, so a partner host that
/// later resolves into the city's network is not called (DNS rebinding); with private
/// networks allowed the same call goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_resolve_names_to_public_addresses_only() {
    use api::partners::client::{Body, Conn};
    use api::partners::{CallPolicy, PartnerError, Partners};
    let sandbox = partner_sandbox::spawn(SandboxConfig::with_client("dev", "dev-secret"))
        .await
        .unwrap();
    let port = sandbox.addr().port();
    let conn = Conn {
        id: Uuid::new_v4(),
        name: "by name".into(),
        organization_id: Uuid::new_v4(),
        base_url: format!("http://localhost:{port}"),
        token_url: format!("http://localhost:{port}/oauth/token"),
        client_id: "dev".into(),
        client_secret: secrecy::SecretString::from("dev-secret".to_string()),
        module: false,
    };
    let policy = CallPolicy::with_timeout(Duration::from_secs(2));
    let key = api::core::secrets::SecretsKey::generate();
    let strict = Partners::new(key.clone(), policy);
    let refused: Result<Value, PartnerError> = strict
        .call(&conn, reqwest::Method::GET, "/health", Body::None, None)
        .await;
    assert!(
        matches!(refused, Err(PartnerError::Unavailable(_))),
        "{refused:?}"
    );
    assert_eq!(sandbox.tokens_issued(), 0, "nothing reached the partner");
    let open = Partners::new(key, policy).allowing_private_networks(true);
    let health: Value = open
        .call(&conn, reqwest::Method::GET, "/health", Body::None, None)
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
}

/// A module's booking system is called only at public addresses and in the networks
/// the city names for its modules (`MODULE_NETWORKS`), by name (checked when resolved)
/// and by address literal (checked before the call); a business's private-network
/// allowance does not extend to modules, nor the modules' networks to businesses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_hosts_are_called_only_in_the_module_networks() {
    use api::partners::client::{Body, Conn, Reach};
    use api::partners::{CallPolicy, PartnerError, Partners};
    let sandbox = partner_sandbox::spawn(SandboxConfig::with_client("dev", "dev-secret"))
        .await
        .unwrap();
    let port = sandbox.addr().port();
    let conn = |host: &str, module: bool| Conn {
        id: Uuid::new_v4(),
        name: "module".into(),
        organization_id: Uuid::new_v4(),
        base_url: format!("http://{host}:{port}"),
        token_url: format!("http://{host}:{port}/oauth/token"),
        client_id: "dev".into(),
        client_secret: secrecy::SecretString::from("dev-secret".to_string()),
        module,
    };
    let policy = CallPolicy::with_timeout(Duration::from_secs(2));
    let key = api::core::secrets::SecretsKey::generate();
    async fn health(p: &Partners, c: Conn) -> Result<Value, PartnerError> {
        p.call::<Value>(&c, reqwest::Method::GET, "/health", Body::None, None)
            .await
    }
    // Modules' networks not given: neither the name nor the literal is called, even
    // where businesses may call private addresses.
    let businesses_private = Partners::new(key.clone(), policy).allowing_private_networks(true);
    for host in ["localhost", "127.0.0.1", "[::ffff:127.0.0.1]"] {
        let r = health(&businesses_private, conn(host, true)).await;
        assert!(
            matches!(
                r,
                Err(PartnerError::Unavailable(_) | PartnerError::Invalid(_))
            ),
            "{host}: {r:?}"
        );
    }
    assert_eq!(sandbox.tokens_issued(), 0, "nothing reached the module");
    // The city names loopback as its modules' network: both are called.
    let loopback: ipnet::IpNet = "127.0.0.0/8".parse().unwrap();
    let modules =
        Partners::new(key.clone(), policy).reaching_modules(Reach::public_and(&[loopback]));
    for host in ["localhost", "127.0.0.1"] {
        let r = health(&modules, conn(host, true)).await.unwrap();
        assert_eq!(r["status"], "ok", "{host}: {r}");
    }
    // The modules' network is not the businesses' (whose literals are checked when a
    // connection is saved, their names when they are resolved).
    let r = health(&modules, conn("localhost", false)).await;
    assert!(matches!(r, Err(PartnerError::Unavailable(_))), "{r:?}");
}

/// The resident cancels while the partner is down; when it is back it refuses the
/// cancellation (its own deadline has passed). The booking stays cancelled here, and
/// the resident is told that the business may still expect them.
async fn partner_refuses_a_late_cancellation(app: TestApp) {
    let (f, offer, start, resident) = yoga_class(&app, "Late").await;
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let partner_id = row(&app, &id).await.partner_ref.unwrap();

    // Down: the portal cancels its own booking and leaves the partner's for later.
    f.sandbox.set_mode(Mode::Down);
    let (status, c) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{id}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    assert_eq!(
        row(&app, &id).await.partner_pending.as_deref(),
        Some("cancel")
    );

    // Back, but now every class is too close to cancel there.
    f.sandbox.set_mode(Mode::Normal);
    f.sandbox
        .set_cancel_deadline(Some(Duration::from_secs(400 * 24 * 3600)));
    app.state.partners.forget(f.connection.parse().unwrap());
    settle_one(&app).await;
    let b = row(&app, &id).await;
    assert_eq!(b.status, "cancelled");
    assert!(b.partner_pending.is_none());
    assert_eq!(
        f.sandbox.booking(&partner_id).unwrap().status.as_str(),
        "confirmed"
    );

    // The event that tells the resident, handled by the notifications without error.
    let kept = entities::outbox_event::Entity::find()
        .filter(entities::outbox_event::Column::AggregateId.eq(b.id))
        .filter(entities::outbox_event::Column::EventType.eq("booking.partner_kept"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].payload["partner_booking_id"], json!(partner_id));
    let mut handled = false;
    for _ in 0..40 {
        let d = entities::outbox_delivery::Entity::find()
            .filter(entities::outbox_delivery::Column::EventId.eq(kept[0].id))
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("a delivery to the notifications");
        if d.done_at.is_some() {
            assert!(d.last_error.is_none(), "{d:?}");
            handled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(handled, "the notifications handled the event");
    // What it says.
    use api::notifications::message::{self, BookingFacts, Kind};
    assert_eq!(
        Kind::for_booking_event("booking.partner_kept"),
        Some(Kind::PartnerKept)
    );
    let facts = BookingFacts::load(&app.state.db, b.id)
        .await
        .unwrap()
        .unwrap();
    let site = message::Site {
        public_url: app.state.config.server.public_url.clone(),
        from: app.state.config.notifications.smtp_from.clone(),
    };
    let m = message::compose(
        Kind::PartnerKept,
        &facts,
        &site,
        &app.state.i18n,
        api::core::locale::Locale::En,
        None,
    )
    .unwrap();
    assert!(
        m.subject.starts_with("Bitte prüfen Sie Ihre Stornierung")
            || m.subject.starts_with("Please check your cancellation"),
        "{}",
        m.subject
    );
    assert!(m.text.contains("Late"), "names the business: {}", m.text);
    assert!(m.ics.contains("METHOD:CANCEL"), "{}", m.ics);
}
on_both_with!(
    partner_refuses_a_late_cancellation,
    vec![("PARTNER_TIMEOUT_MS", "400".to_string())]
);

/// The business approves a membership in its own system but the webhook is lost: the
/// reconciliation asks the partner and confirms it here. Two rounds at once ask once
/// between them, and a booking just asked about is not asked again before
/// `refresh_every` has passed.
async fn a_lost_approval_is_found_by_the_reconciliation(app: TestApp) {
    let f = fixture(&app, "Members").await;
    let (offer, start_date) = monthly_membership(&app, &f).await;
    let resident = app.register("Member").await;
    let (id, partner_ref) =
        request_membership(&app, &resident, &offer, start_date, "+358401234567").await;

    // The webhook of the approval never arrives.
    f.sandbox.set_webhook_target(None);
    f.sandbox.approve(&partner_ref).unwrap();
    assert_eq!(row(&app, &id).await.status, "requested");

    f.sandbox.set_mode(Mode::Slow(Duration::from_millis(150)));
    let before = f.sandbox.requests().len();
    let (mut asked, mut refreshed) = (0, 0);
    for r in two_rounds(&app).await {
        asked += r.asked;
        refreshed += r.refreshed;
    }
    assert_eq!((asked, refreshed), (1, 1), "one round asked and confirmed");
    let reads = f.sandbox.requests()[before..]
        .iter()
        .filter(|c| **c == format!("GET /partner/v1/bookings/{partner_ref}"))
        .count();
    assert_eq!(reads, 1, "the partner was asked once");
    let stored = row(&app, &id).await;
    assert_eq!(stored.status, "confirmed");
    assert!(stored.partner_checked_at.is_some());
    let events = app.outbox_events(&id).await;
    assert_eq!(
        events.iter().filter(|e| *e == "booking.confirmed").count(),
        1,
        "{events:?}"
    );

    // A second requested booking, just asked about by a round, waits for its turn.
    f.sandbox.set_mode(Mode::Normal);
    let other = app.register("Othermember").await;
    let (id2, _) = request_membership(&app, &other, &offer, start_date, "+358401234568").await;
    let r = api::booking::reconcile::round(&app.state.db, &ctx(&app))
        .await
        .unwrap();
    assert_eq!((r.asked, r.refreshed), (1, 0), "asked, still requested");
    let r = api::booking::reconcile::round(&app.state.db, &ctx(&app))
        .await
        .unwrap();
    assert_eq!(r.asked, 0, "not asked again so soon");
    // Once its check is older than the interval, it is due again.
    let long_ago = chrono::Utc::now() - api::booking::reconcile::refresh_every();
    entities::booking::Entity::update_many()
        .col_expr(
            entities::booking::Column::PartnerCheckedAt,
            sea_orm::sea_query::Expr::value(long_ago),
        )
        .filter(entities::booking::Column::Id.eq(id2.parse::<Uuid>().unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
    let r = api::booking::reconcile::round(&app.state.db, &ctx(&app))
        .await
        .unwrap();
    assert_eq!(r.asked, 1, "due again");
}
on_both_with!(
    a_lost_approval_is_found_by_the_reconciliation,
    vec![("PARTNER_RECONCILE_SECONDS", "3600".to_string())]
);

/// A server's partner side (key, token cache, HTTP connection pool) belongs to that
/// server: once it has stopped and the last handle on its state is dropped, nothing
/// keeps it alive. Tests start hundreds of servers in one process; each used to leak
/// one.
async fn a_stopped_server_frees_its_partners(app: TestApp) {
    // Use the partner side for real: a token cached, a pooled connection to the
    // partner, a booking, the background tasks running with their own handles.
    let (_f, offer, start, resident) = yoga_class(&app, "Freed").await;
    let (status, b) = book(
        &app,
        &resident,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let partners = std::sync::Arc::downgrade(&app.state.partners);
    assert!(
        std::sync::Arc::strong_count(&app.state.partners) > 1,
        "the running server holds its partners too"
    );

    // Stopping the server while the resident's client still keeps a connection open.
    drop(app);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while partners.upgrade().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stopped server's partners are still alive"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(resident);
}
crate::on_both!(a_stopped_server_frees_its_partners);

/// A partner-kept class says the length its partner tells (never "0 minutes"), a
/// partner-kept membership its price.
async fn partner_offers_say_their_size(app: TestApp) {
    let (f, offer, _, _) = yoga_class(&app, "Kreisstudio").await;
    let stored = entities::offer::Entity::find_by_id(offer.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let partner = api::booking::offers::partner_offer_of(&stored).expect("the partner's offer");
    let minutes = partner
        .duration_minutes
        .expect("the sandbox tells the length");
    let (membership, _) = monthly_membership(&app, &f).await;
    let plan = api::booking::offers::partner_offer_of(
        &entities::offer::Entity::find_by_id(membership.parse::<Uuid>().unwrap())
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap(),
    )
    .and_then(|o| o.membership)
    .expect("the partner's plan");
    let html = client()
        .get(app.url(&format!("/listings/{}?lang=en", f.listing)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let length = match (minutes % 60, minutes / 60) {
        (0, 1) => "1 hour".to_string(),
        (0, h) => format!("{h} hours"),
        _ => format!("{minutes} minutes"),
    };
    assert!(html.contains(&format!("Class, {length}<")), "{html}");
    assert!(
        html.contains(&format!("Membership, {}", plan.price_text)),
        "{html}"
    );
    assert!(
        !html.contains(" 0 minutes") && !html.contains("up to 0"),
        "{html}"
    );
}

crate::on_both!(partner_offers_say_their_size);

/// Takes every seat of a session left at the partner, as someone booking outside the
/// portal would (a hold of the partner's own API); returns the partner's booking id.
async fn fill_outside(app: &TestApp, f: &Fixture, offer: &str, start: &str) -> String {
    let left = slots(app, offer)
        .await
        .into_iter()
        .find(|s| s["starts_at"] == start)
        .expect("the session")["remaining"]
        .as_u64()
        .unwrap();
    assert!(left > 0);
    // At most 10 seats a hold (the contract's limit).
    let mut last = String::new();
    for n in (0..left).step_by(10) {
        last = outside_hold(f, start, (left - n).min(10)).await;
    }
    last
}

async fn outside_hold(f: &Fixture, start: &str, seats: u64) -> String {
    let token: Value = client()
        .post(f.sandbox.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "city-portal"),
            ("client_secret", "s3cret-of-the-portal"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resp = client()
        .post(f.sandbox.url("/partner/v1/holds"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({
            "offer_id": "sandbox-gym.yoga",
            "start": start,
            "seats": seats,
            "client_token": Uuid::new_v4().to_string(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let b: Value = resp.json().await.unwrap();
    b["booking_id"].as_str().unwrap().to_string()
}

/// The user's waitlist entry for the offer.
async fn entry(app: &TestApp, user: &User, offer: &str) -> Value {
    let v: Value = user
        .client
        .get(app.url("/api/v1/waitlist"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["offer_id"] == offer)
        .cloned()
        .expect("an entry for the offer")
}

/// The `waitlist.offered` events of a waitlist entry.
async fn offered_events(app: &TestApp, entry: &Value) -> Vec<entities::outbox_event::Model> {
    entities::outbox_event::Entity::find()
        .filter(entities::outbox_event::Column::EventType.eq("waitlist.offered"))
        .filter(
            entities::outbox_event::Column::AggregateId.eq(entry["id"]
                .as_str()
                .unwrap()
                .parse::<Uuid>()
                .unwrap()),
        )
        .all(&app.state.db)
        .await
        .unwrap()
}

/// A resident's confirmed booking of the session; its id.
async fn booked(app: &TestApp, user: &User, offer: &str, start: &str) -> String {
    let (status, b) = book(
        app,
        user,
        &json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed");
    b["id"].as_str().unwrap().to_string()
}

/// A full partner class has a waitlist: joining needs it full at the partner and sends
/// nothing there; a seat given back through the portal is held at the partner for the
/// first in line (a hold without their data) and offered to them; the partner has their
/// data only once they confirm; the next in line moves up, and may leave.
async fn a_full_partner_class_has_a_waitlist(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Warteliste").await;
    let second = app.register("Second").await;
    let third = app.register("Third").await;
    let looker = app.register("Looking").await;
    let first_booking = booked(&app, &first, &offer, &start).await;

    let join = json!({"offer_id": offer, "starts_at": start});
    let (status, p) = post(&app, &second, "/api/v1/waitlist", join.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["type"], "/problems/not-full");

    fill_outside(&app, &f, &offer, &start).await;
    let before = f.sandbox.requests().len();
    let (status, e2) = post(&app, &second, "/api/v1/waitlist", join.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{e2}");
    assert_eq!(e2["status"], "waiting");
    assert_eq!(e2["position"], 1);
    let (status, e3) = post(&app, &third, "/api/v1/waitlist", join.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{e3}");
    assert_eq!(e3["position"], 2);
    // Joining asked the partner's availability only: no hold, nothing of the resident.
    assert!(f.sandbox.requests()[before..]
        .iter()
        .all(|r| !r.contains("/holds") && !r.contains("/bookings")));
    // The one who booked waits for nothing.
    let (status, p) = post(&app, &first, "/api/v1/waitlist", join.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["type"], "/problems/already-booked");

    // The page offers the waitlist for the full session.
    let html = looker
        .client
        .get(app.url(&format!("/offers/{offer}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = format!("formaction=\"/offers/{offer}/waitlist\" name=\"starts_at\" value=\"");
    let at = html.find(&marker).expect("a waitlist button") + marker.len();
    let value = html[at..at + html[at..].find('"').unwrap()].to_string();
    // Joined from the page as from the API.
    let r = looker
        .client
        .post(app.url(&format!("/offers/{offer}/waitlist")))
        .form(&[
            ("csrf", input_value(&html, "csrf").as_str()),
            ("key", &input_value(&html, "key")),
            ("starts_at", &value),
        ])
        .send()
        .await
        .unwrap();
    let to = redirected(r).await;
    assert!(
        to.starts_with("/account/bookings?done=waitlist-joined#w-"),
        "{to}"
    );
    let (_, mine) = get_html(&looker.client, &app.url("/account/bookings?lang=en")).await;
    assert!(
        mine.contains("Waiting: you are number 3 in line."),
        "{mine}"
    );

    // The first cancels: the seat is held at the partner for the second in line.
    let (status, c) = post(
        &app,
        &first,
        &format!("/api/v1/bookings/{first_booking}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    let offered = entry(&app, &second, &offer).await;
    assert_eq!(offered["status"], "offered", "{offered}");
    assert!(offered["offered_until"].is_string());
    let held_id = offered["booking_id"].as_str().unwrap().to_string();
    let held = row(&app, &held_id).await;
    assert_eq!(held.status, "held");
    assert_eq!(held.user_id, second.id);
    assert!(held.partner_pending.is_none());
    assert!(held.shared_at.is_none());
    let partner_ref = held.partner_ref.clone().expect("held at the partner");
    assert_eq!(
        f.sandbox.booking(&partner_ref).unwrap().status.as_str(),
        "held"
    );
    assert!(f.sandbox.resident(&partner_ref).is_none());
    assert!(partner_reads(&app, second.id).await.is_empty());
    assert_eq!(offered_events(&app, &offered).await.len(), 1);
    let waiting = entry(&app, &third, &offer).await;
    assert_eq!(waiting["status"], "waiting");
    assert_eq!(waiting["position"], 1);

    // They confirm as any booking: now the partner has their name.
    let (status, b) = post(
        &app,
        &second,
        &format!("/api/v1/bookings/{held_id}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "confirmed");
    assert_eq!(
        f.sandbox
            .resident(&partner_ref)
            .expect("sent on confirmation")
            .name,
        "Second"
    );
    assert_eq!(partner_reads(&app, second.id).await.len(), 1);
    assert_eq!(entry(&app, &second, &offer).await["status"], "claimed");

    // The third leaves the line.
    let resp = third
        .client
        .delete(app.url(&format!(
            "/api/v1/waitlist/{}",
            waiting["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(entry(&app, &third, &offer).await["status"], "left");
}
crate::on_both!(a_full_partner_class_has_a_waitlist);

/// The partner refuses the hold for the first in line (someone outside the portal took
/// the seat first): they keep their place, and nothing was offered to them.
async fn a_refused_partner_hold_keeps_the_place(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Vergeben").await;
    let second = app.register("Second").await;
    let first_booking = booked(&app, &first, &offer, &start).await;
    fill_outside(&app, &f, &offer, &start).await;
    let (status, e) = post(
        &app,
        &second,
        "/api/v1/waitlist",
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");

    // The business cancels the first's booking in its own system (the portal hears of it
    // only later), and its seat goes to someone outside the portal.
    f.sandbox.set_webhook_target(None);
    let first_ref = row(&app, &first_booking).await.partner_ref.unwrap();
    f.sandbox
        .cancel_by_business(&first_ref, None)
        .expect("the business cancels");
    outside_hold(&f, &start, 1).await;

    // The first cancels through the portal: the seat is offered, the partner refuses.
    let (status, c) = post(
        &app,
        &first,
        &format!("/api/v1/bookings/{first_booking}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let still = entry(&app, &second, &offer).await;
    assert_eq!(still["status"], "waiting", "{still}");
    assert_eq!(still["position"], 1);
    assert!(still["booking_id"].is_null());
    assert!(offered_events(&app, &still).await.is_empty());
    let tried = entities::booking::Entity::find()
        .filter(entities::booking::Column::UserId.eq(second.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(tried.len(), 1);
    assert_eq!(tried[0].status, "expired");
    assert!(tried[0].partner_pending.is_none());
    assert!(tried[0].partner_ref.is_none());
}
crate::on_both!(a_refused_partner_hold_keeps_the_place);

/// Two seats given back at once go to two residents in line, each once.
async fn two_cancellations_at_once_offer_each_entry_once(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Gleichzeitig").await;
    let other = app.register("Also").await;
    let waiters = [
        app.register("Waitone").await,
        app.register("Waittwo").await,
        app.register("Waitthree").await,
    ];
    let bookings = [
        booked(&app, &first, &offer, &start).await,
        booked(&app, &other, &offer, &start).await,
    ];
    fill_outside(&app, &f, &offer, &start).await;
    for w in &waiters {
        let (status, e) = post(
            &app,
            w,
            "/api/v1/waitlist",
            json!({"offer_id": offer, "starts_at": start}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
    }
    let cancels: Vec<_> = [&first, &other]
        .into_iter()
        .zip(bookings.iter())
        .map(|(u, id)| {
            let c = u.client.clone();
            let url = app.url(&format!("/api/v1/bookings/{id}/cancel"));
            tokio::spawn(async move { c.post(url).json(&json!({})).send().await.unwrap() })
        })
        .collect();
    for c in cancels {
        assert_eq!(c.await.unwrap().status(), StatusCode::OK);
    }
    let mut held = Vec::new();
    for w in &waiters[..2] {
        let e = entry(&app, w, &offer).await;
        assert_eq!(e["status"], "offered", "{e}");
        assert_eq!(offered_events(&app, &e).await.len(), 1);
        let mine = entities::booking::Entity::find()
            .filter(entities::booking::Column::UserId.eq(w.id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1, "one booking held for each");
        assert_eq!(mine[0].status, "held");
        assert_eq!(e["booking_id"], mine[0].id.to_string());
        held.push(mine[0].partner_ref.clone().expect("held at the partner"));
    }
    assert_ne!(held[0], held[1]);
    let third = entry(&app, &waiters[2], &offer).await;
    assert_eq!(third["status"], "waiting");
    assert_eq!(third["position"], 1);
}
crate::on_both!(two_cancellations_at_once_offer_each_entry_once);

/// The partner does not answer when a seat is given back: the resident's cancellation
/// stands, the seat is taken for the first in line and its hold stays marked; once the
/// partner is back the reconciliation job passes the cancellation on and places the
/// hold, and only then is the seat offered.
async fn an_unanswered_waitlist_hold_is_placed_by_the_reconciliation(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Spaeter").await;
    let second = app.register("Second").await;
    let first_booking = booked(&app, &first, &offer, &start).await;
    fill_outside(&app, &f, &offer, &start).await;
    let (status, e) = post(
        &app,
        &second,
        "/api/v1/waitlist",
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");

    f.sandbox.set_webhook_target(None);
    f.sandbox.set_mode(Mode::Down);
    let (status, c) = post(
        &app,
        &first,
        &format!("/api/v1/bookings/{first_booking}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    let taken = entry(&app, &second, &offer).await;
    assert_eq!(taken["status"], "offered", "{taken}");
    let held_id = taken["booking_id"].as_str().unwrap().to_string();
    let held = row(&app, &held_id).await;
    assert_eq!(held.partner_pending.as_deref(), Some("waitlist-hold"));
    assert!(held.partner_ref.is_none());
    // Not told yet: nothing is held for them at the partner.
    assert!(offered_events(&app, &taken).await.is_empty());

    f.sandbox.set_mode(Mode::Normal);
    app.state.partners.forget(f.connection.parse().unwrap());
    for _ in 0..80 {
        api::booking::reconcile::round(&app.state.db, &ctx(&app))
            .await
            .unwrap();
        if row(&app, &held_id).await.partner_pending.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let held = row(&app, &held_id).await;
    assert!(held.partner_pending.is_none(), "{held:?}");
    assert_eq!(held.status, "held");
    let partner_ref = held.partner_ref.expect("held at the partner");
    assert_eq!(
        f.sandbox.booking(&partner_ref).unwrap().status.as_str(),
        "held"
    );
    assert!(f.sandbox.resident(&partner_ref).is_none());
    let first_ref = row(&app, &first_booking).await.partner_ref.unwrap();
    assert_eq!(
        f.sandbox.booking(&first_ref).unwrap().status.as_str(),
        "cancelled"
    );
    let offered = entry(&app, &second, &offer).await;
    assert_eq!(offered["status"], "offered");
    assert_eq!(offered_events(&app, &offered).await.len(), 1);
}
on_both_with!(
    an_unanswered_waitlist_hold_is_placed_by_the_reconciliation,
    vec![("PARTNER_TIMEOUT_MS", "400".to_string())]
);

/// A seat offered from the waitlist and not confirmed in time goes on to the next in
/// line, held at the partner for them.
async fn an_unclaimed_partner_seat_goes_to_the_next_in_line(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Weiter").await;
    let second = app.register("Second").await;
    let third = app.register("Third").await;
    let first_booking = booked(&app, &first, &offer, &start).await;
    fill_outside(&app, &f, &offer, &start).await;
    for u in [&second, &third] {
        let (status, e) = post(
            &app,
            u,
            "/api/v1/waitlist",
            json!({"offer_id": offer, "starts_at": start}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
    }
    let (status, c) = post(
        &app,
        &first,
        &format!("/api/v1/bookings/{first_booking}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let offered = entry(&app, &second, &offer).await;
    let held_id = offered["booking_id"].as_str().unwrap().to_string();
    let partner_ref = row(&app, &held_id).await.partner_ref.unwrap();

    // The claim window runs out (at the partner too).
    f.sandbox
        .expire_hold(&partner_ref)
        .expect("the hold expires");
    entities::booking::Entity::update_many()
        .col_expr(
            entities::booking::Column::HoldExpiresAt,
            sea_orm::sea_query::Expr::value(Some(
                chrono::Utc::now() - chrono::Duration::seconds(1),
            )),
        )
        .filter(entities::booking::Column::Id.eq(held_id.parse::<Uuid>().unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
    let mut next = Value::Null;
    for _ in 0..80 {
        api::booking::ledger::expire_holds(&app.state.db, &ctx(&app), None)
            .await
            .unwrap();
        api::booking::reconcile::round(&app.state.db, &ctx(&app))
            .await
            .unwrap();
        next = entry(&app, &third, &offer).await;
        if next["status"] == "offered" && !offered_events(&app, &next).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(next["status"], "offered", "{next}");
    assert_eq!(entry(&app, &second, &offer).await["status"], "expired");
    assert_eq!(row(&app, &held_id).await.status, "expired");
    let b = row(&app, next["booking_id"].as_str().unwrap()).await;
    assert_eq!(b.status, "held");
    assert_eq!(b.user_id, third.id);
    let r = b.partner_ref.expect("held at the partner");
    assert_eq!(f.sandbox.booking(&r).unwrap().status.as_str(), "held");
}
on_both_with!(
    an_unclaimed_partner_seat_goes_to_the_next_in_line,
    vec![("PARTNER_TIMEOUT_MS", "400".to_string())]
);

/// Moving a partner booking to another session gives its seat to the waitlist of the
/// session it leaves.
async fn moving_a_partner_booking_offers_its_old_seat(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Umzug").await;
    let second = app.register("Second").await;
    let later = slots(&app, &offer).await[1]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    let first_booking = booked(&app, &first, &offer, &start).await;
    fill_outside(&app, &f, &offer, &start).await;
    let (status, e) = post(
        &app,
        &second,
        "/api/v1/waitlist",
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let (status, b) = post(
        &app,
        &first,
        &format!("/api/v1/bookings/{first_booking}/reschedule"),
        json!({"starts_at": later}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let offered = entry(&app, &second, &offer).await;
    assert_eq!(offered["status"], "offered", "{offered}");
    let held = row(&app, offered["booking_id"].as_str().unwrap()).await;
    assert_eq!(held.status, "held");
    assert!(held.partner_ref.is_some());
    assert_eq!(offered_events(&app, &offered).await.len(), 1);
}
crate::on_both!(moving_a_partner_booking_offers_its_old_seat);

/// The business cancels a portal booking in its own system: its webhook gives the seat
/// to the first in line, held at the partner for them.
async fn a_seat_the_partner_frees_goes_to_the_waitlist(app: TestApp) {
    let (f, offer, start, first) = yoga_class(&app, "Hinweis").await;
    let second = app.register("Second").await;
    let first_booking = booked(&app, &first, &offer, &start).await;
    fill_outside(&app, &f, &offer, &start).await;
    let (status, e) = post(
        &app,
        &second,
        "/api/v1/waitlist",
        json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let first_ref = row(&app, &first_booking).await.partner_ref.unwrap();
    f.sandbox
        .cancel_by_business(&first_ref, Some("Trainer ill".into()))
        .expect("the business cancels");
    wait_status(&app, &first_booking, "cancelled").await;
    let mut offered = Value::Null;
    for _ in 0..100 {
        offered = entry(&app, &second, &offer).await;
        if !offered_events(&app, &offered).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(offered["status"], "offered", "{offered}");
    assert_eq!(offered_events(&app, &offered).await.len(), 1);
    let held = row(&app, offered["booking_id"].as_str().unwrap()).await;
    let r = held.partner_ref.expect("held at the partner");
    assert_eq!(f.sandbox.booking(&r).unwrap().status.as_str(), "held");
    assert!(f.sandbox.resident(&r).is_none());
}
crate::on_both!(a_seat_the_partner_frees_goes_to_the_waitlist);
