//! Booking on SQLite and PostgreSQL: offers and availability, the last seat under 200
//! concurrent requests, Idempotency-Key, hold expiry, cancellation deadline and limits.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both;

/// A business with a published listing; returns the owner and the listing id.
pub(crate) async fn published_listing(app: &TestApp, name: &str) -> (User, String) {
    let (owner, org) = app.business_owner(name).await;
    let (listing, _) = app.create_listing(&owner, org, name).await;
    let id = listing["id"].as_str().unwrap().to_string();
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    (owner, id)
}

pub(crate) async fn create_offer(app: &TestApp, owner: &User, listing: &str, body: Value) -> Value {
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

/// Tomorrow in the city, as a local date string.
pub(crate) fn tomorrow(app: &TestApp) -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(1)
}

/// A class with one session tomorrow at 18:00 local time with `seats` seats.
pub(crate) async fn class_offer(
    app: &TestApp,
    owner: &User,
    listing: &str,
    seats: u32,
) -> (String, String) {
    let day = tomorrow(app);
    let offer = create_offer(
        app,
        owner,
        listing,
        json!({
            "kind": "class",
            "name": {"de": "Yoga am Abend", "en": "Evening yoga"},
            "class": {"seats": seats, "duration_minutes": 60,
                      "sessions": [format!("{day}T18:00:00")]},
        }),
    )
    .await;
    let id = offer["id"].as_str().unwrap().to_string();
    let slots = availability(app, &id, "").await;
    assert_eq!(slots.len(), 1, "{slots:?}");
    (id, slots[0]["starts_at"].as_str().unwrap().to_string())
}

pub(crate) async fn availability(app: &TestApp, offer: &str, query: &str) -> Vec<Value> {
    let resp = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    v["slots"].as_array().unwrap().clone()
}

pub(crate) async fn book(
    app: &TestApp,
    user: &User,
    key: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let resp = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

pub(crate) async fn post(app: &TestApp, user: &User, path: &str) -> (StatusCode, Value) {
    let resp = user.client.post(app.url(path)).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn offers_and_availability(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Kuntosali").await;
    let day = tomorrow(&app);

    // Validation names every field: first what the API document states (a range),
    // then, in one answer, what the offer's kind and details need.
    let offers = app.url(&format!("/api/v1/listings/{listing}/offers"));
    let invalid = json!({
        "kind": "appointment",
        "name": {"de": ""},
        "class": {"seats": 0, "duration_minutes": 60},
    });
    let mut out_of_range = invalid.clone();
    out_of_range["horizon_days"] = json!(0);
    for (body, expected) in [
        (out_of_range, &["horizon_days"][..]),
        (invalid, &["name", "appointment", "class"][..]),
    ] {
        let resp = owner.client.post(&offers).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p: Value = resp.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in expected {
            assert!(fields.contains(f), "{f} missing in {p}");
        }
    }

    // Someone else cannot add offers.
    let stranger = app.register("Stranger").await;
    let resp = stranger
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({"kind": "membership", "name": {"en": "x"},
                      "membership": {"period": "month", "price": "1 €", "start_dates": [day]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Appointments: 30 minutes, two in parallel, 09:00-11:00 every day.
    let weekly: Vec<Value> = ["mo", "tu", "we", "th", "fr", "sa", "su"]
        .iter()
        .map(|d| json!({"weekday": d, "opens": "09:00", "closes": "11:00"}))
        .collect();
    let appt = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "appointment",
            "name": {"de": "Probetraining", "en": "Trial session"},
            "appointment": {"duration_minutes": 30, "parallel": 2,
                            "availability": {"weekly": weekly,
                                             "exceptions": [{"date": day + chrono::Duration::days(1), "closed": true}]}},
        }),
    )
    .await;
    assert_eq!(appt["provider"], "native");
    assert_eq!(appt["confirmation"], "instant");
    let id = appt["id"].as_str().unwrap();
    let next = day + chrono::Duration::days(1);
    let slots = availability(&app, id, &format!("from={day}&to={next}")).await;
    // Four slots tomorrow; the day after is closed by its exception.
    assert_eq!(slots.len(), 4, "{slots:?}");
    let first: DateTime<FixedOffset> = slots[0]["starts_at"].as_str().unwrap().parse().unwrap();
    let local = first.with_timezone(&app.state.city.timezone);
    assert_eq!(local.format("%H:%M").to_string(), "09:00");
    assert_eq!(slots[0]["remaining"], 2);
    assert_eq!(slots[0]["capacity"], 2);

    // Booking one seat leaves one.
    let resident = app.register("Resident").await;
    let (status, b) = book(
        &app,
        &resident,
        "k1",
        &json!({"offer_id": id, "starts_at": slots[0]["starts_at"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["shared_with"], "Kuntosali GmbH");
    // Only the name is shared: the offer does not ask for email or phone.
    assert_eq!(b["contact"]["name"], "Resident");
    assert!(b["contact"].get("email").is_none_or(Value::is_null), "{b}");
    let slots = availability(&app, id, &format!("from={day}&to={day}")).await;
    assert_eq!(slots[0]["remaining"], 1);

    // A time that is not a slot is refused, naming the field.
    let odd = first + chrono::Duration::minutes(7);
    let (status, p) = book(
        &app,
        &resident,
        "k2",
        &json!({"offer_id": id, "starts_at": odd.to_rfc3339()}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "starts_at");

    // Classes from a weekly rule: every day at 07:00 for a week.
    let class = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "class",
            "name": {"en": "Morning spin"},
            "class": {"seats": 12, "duration_minutes": 45,
                      "recurrence": {"weekdays": ["mo","tu","we","th","fr","sa","su"], "time": "07:00",
                                     "from": day, "until": day + chrono::Duration::days(6)}},
        }),
    )
    .await;
    let slots = availability(
        &app,
        class["id"].as_str().unwrap(),
        &format!("from={day}&to={}", day + chrono::Duration::days(6)),
    )
    .await;
    assert_eq!(slots.len(), 7);
    assert!(slots.iter().all(|s| s["remaining"] == 12));

    // Memberships list their start dates.
    let m = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "membership",
            "name": {"en": "Monthly membership"},
            "confirmation": "approval",
            "membership": {"period": "month", "price": "39 € / month",
                           "start_dates": [day, day + chrono::Duration::days(3)]},
        }),
    )
    .await;
    let mid = m["id"].as_str().unwrap();
    let slots = availability(
        &app,
        mid,
        &format!("from={day}&to={}", day + chrono::Duration::days(6)),
    )
    .await;
    assert_eq!(slots.len(), 2);
    let (status, b) = book(
        &app,
        &resident,
        "m1",
        &json!({"offer_id": mid, "start_date": day}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "requested");

    // The listing's offers, publicly.
    let list: Value = client()
        .get(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);

    // My bookings.
    let mine: Value = resident
        .client
        .get(app.url("/api/v1/bookings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    // Nobody else sees them.
    let resp = stranger
        .client
        .get(app.url(&format!("/api/v1/bookings/{}", b["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // Every booking change is an outbox event.
    assert_eq!(
        app.outbox_events(b["id"].as_str().unwrap()).await,
        ["booking.requested"]
    );
}
on_both!(offers_and_availability);

async fn the_last_seat_goes_to_exactly_one_of_200(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Joogastudio").await;
    let (offer, starts_at) = class_offer(&app, &owner, &listing, 3).await;
    // Two seats are taken; one is left.
    for name in ["Early", "Earlier"] {
        let u = app.register(name).await;
        let (status, b) = book(
            &app,
            &u,
            &Uuid::new_v4().to_string(),
            &json!({"offer_id": offer, "starts_at": starts_at}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
    }
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(std::sync::Arc::new(
            app.register(&format!("Racer{i}")).await,
        ));
    }
    let body = json!({"offer_id": offer, "starts_at": starts_at});
    let mut tasks = Vec::new();
    for i in 0..200 {
        let u = users[i % users.len()].clone();
        let url = app.url("/api/v1/bookings");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let resp = u
                .client
                .post(url)
                .header("Idempotency-Key", Uuid::new_v4().to_string())
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let v: Value = resp.json().await.unwrap();
            (status, v)
        }));
    }
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for t in tasks {
        let (status, v) = t.await.unwrap();
        *by_status.entry(status.as_u16()).or_default() += 1;
        if status == StatusCode::CONFLICT {
            assert_eq!(v["status"], 409);
            assert!(
                v["type"] == "/problems/full" || v["type"] == "/problems/already-booked",
                "{v}"
            );
        } else {
            assert_eq!(status, StatusCode::CREATED, "{v}");
        }
    }
    assert_eq!(by_status.get(&201), Some(&1), "{by_status:?}");
    assert_eq!(by_status.get(&409), Some(&199), "{by_status:?}");
    let slots = availability(&app, &offer, "").await;
    assert_eq!(slots[0]["remaining"], 0);
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let confirmed = entities::booking::Entity::find()
        .filter(entities::booking::Column::OfferId.eq(offer.parse::<Uuid>().unwrap()))
        .filter(entities::booking::Column::Status.eq("confirmed"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(confirmed, 3);
}
on_both!(the_last_seat_goes_to_exactly_one_of_200);

async fn one_idempotency_key_sent_100_times_books_once(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Tanssikoulu").await;
    let (offer, starts_at) = class_offer(&app, &owner, &listing, 50).await;
    let resident = std::sync::Arc::new(app.register("Repeater").await);
    let body = json!({"offer_id": offer, "starts_at": starts_at, "contact": {"name": "R. Peater"}});

    // Missing key: 400 naming the header.
    let resp = resident
        .client
        .post(app.url("/api/v1/bookings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");

    // 50 at once, then 50 one after another.
    let key = Uuid::new_v4().to_string();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let u = resident.clone();
        let url = app.url("/api/v1/bookings");
        let (body, key) = (body.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let resp = u
                .client
                .post(url)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    for _ in 0..50 {
        let resp = resident
            .client
            .post(app.url("/api/v1/bookings"))
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await
            .unwrap();
        answers.push((resp.status(), resp.text().await.unwrap()));
    }
    let created: Vec<&String> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b)
        .collect();
    // Every answer after the first finished is the first answer, byte for byte; the
    // only other answer is 409 while the first was still running.
    assert!(created.len() >= 51, "{}", created.len());
    assert!(created.iter().all(|b| *b == created[0]));
    for (s, b) in &answers {
        if *s != StatusCode::CREATED {
            assert_eq!(*s, StatusCode::CONFLICT, "{b}");
            assert!(b.contains("/problems/idempotency-key-in-flight"), "{b}");
        }
    }
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let n = entities::booking::Entity::find()
        .filter(entities::booking::Column::UserId.eq(resident.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let slots = availability(&app, &offer, "").await;
    assert_eq!(slots[0]["remaining"], 49);

    // The same key with another body: 422 naming the header; nothing booked.
    let (status, p) = book(
        &app,
        &resident,
        &key,
        &json!({"offer_id": offer, "starts_at": starts_at, "contact": {"name": "Someone else"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["type"], "/problems/idempotency-key-reused");
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    // Keys are per user: another resident may use the same key.
    let other = app.register("Other").await;
    let (status, _) = book(&app, &other, &key, &body).await;
    assert_eq!(status, StatusCode::CREATED);
    // An error is replayed too: a second booking of the same time by the same resident
    // is 409, and so is its repeat.
    let k2 = Uuid::new_v4().to_string();
    let (s1, mut p1) = book(&app, &resident, &k2, &body).await;
    let (s2, mut p2) = book(&app, &resident, &k2, &body).await;
    assert_eq!((s1, s2), (StatusCode::CONFLICT, StatusCode::CONFLICT));
    // The same answer, but for the id of the request that asked (each names its own).
    let id1 = p1.as_object_mut().unwrap().remove("request_id").unwrap();
    let id2 = p2.as_object_mut().unwrap().remove("request_id").unwrap();
    assert_ne!(id1, id2);
    assert_eq!(p1, p2);
    assert_eq!(p1["type"], "/problems/already-booked");
}
on_both!(one_idempotency_key_sent_100_times_books_once);

async fn holds_expire_and_free_their_seat(backend: Backend) {
    let opts = Opts {
        env: vec![("BOOKING_HOLD_SECONDS", "1".into())],
        ..Default::default()
    };
    let Some(app) = spawn_with(backend, opts).await else {
        return;
    };
    let (owner, listing) = published_listing(&app, "Kiipeilykeskus").await;
    let (offer, starts_at) = class_offer(&app, &owner, &listing, 1).await;
    let a = app.register("Holder").await;
    let b = app.register("Waiter").await;
    let body = json!({"offer_id": offer, "starts_at": starts_at, "hold": true});
    let (status, held) = book(&app, &a, "h1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    assert_eq!(held["status"], "held");
    assert!(held["hold_expires_at"].is_string());
    let (status, p) = book(&app, &b, "h2", &body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/full");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The seat is free again.
    let slots = availability(&app, &offer, "").await;
    assert_eq!(slots[0]["remaining"], 1, "{slots:?}");
    let (status, got) = book(&app, &b, "h3", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{got}");
    let (status, p) = post(
        &app,
        &a,
        &format!("/api/v1/bookings/{}/confirm", held["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/hold-expired");
    // B confirms in time.
    let (status, c) = post(
        &app,
        &b,
        &format!("/api/v1/bookings/{}/confirm", got["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "confirmed");
    assert!(c["hold_expires_at"].is_null());
    let events = app.outbox_events(held["id"].as_str().unwrap()).await;
    assert_eq!(events, ["booking.held", "booking.expired"]);
    let slots = availability(&app, &offer, "").await;
    assert_eq!(slots[0]["remaining"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_expire_and_free_their_seat_sqlite() {
    holds_expire_and_free_their_seat(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_expire_and_free_their_seat_postgres() {
    holds_expire_and_free_their_seat(Backend::Postgres).await;
}

async fn cancellation_deadline_and_limits(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Hammaslääkäri").await;
    let weekly: Vec<Value> = ["mo", "tu", "we", "th", "fr", "sa", "su"]
        .iter()
        .map(|d| json!({"weekday": d, "opens": "00:00", "closes": "24:00"}))
        .collect();
    let offer = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "appointment",
            "name": {"en": "Check-up"},
            "cancel_deadline_minutes": 24 * 60,
            "max_active_per_resident": 2,
            "collect_phone": true,
            "appointment": {"duration_minutes": 60, "availability": {"weekly": weekly}},
        }),
    )
    .await;
    let id = offer["id"].as_str().unwrap();
    let today = Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive();
    let slots = availability(
        &app,
        id,
        &format!("from={today}&to={}", today + chrono::Duration::days(3)),
    )
    .await;
    let soon = slots[0]["starts_at"].clone(); // within the next hour
    let later = slots[60]["starts_at"].clone(); // 2-3 days ahead
    let later2 = slots[61]["starts_at"].clone();
    let resident = app.register("Patient").await;

    // The offer asks for a phone number: required, and then shared.
    let (status, p) = book(
        &app,
        &resident,
        "c0",
        &json!({"offer_id": id, "starts_at": soon}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "contact.phone");
    let phone = json!({"phone": "+358 40 1234567"});
    let (status, near) = book(
        &app,
        &resident,
        "c1",
        &json!({"offer_id": id, "starts_at": soon, "contact": phone}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{near}");
    assert_eq!(near["contact"]["phone"], "+358 40 1234567");
    // Within 24 hours of the start: no cancelling.
    assert!(near["cancellable_until"].is_null());
    let (status, p) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{}/cancel", near["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/cancellation-deadline");

    let (status, far) = book(
        &app,
        &resident,
        "c2",
        &json!({"offer_id": id, "starts_at": later, "contact": phone}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{far}");
    assert!(far["cancellable_until"].is_string());
    // Two active bookings is this offer's limit per resident.
    let (status, p) = book(
        &app,
        &resident,
        "c3",
        &json!({"offer_id": id, "starts_at": later2, "contact": phone}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/booking-limit");
    // Cancelling in time frees the seat and the limit.
    let (status, c) = post(
        &app,
        &resident,
        &format!("/api/v1/bookings/{}/cancel", far["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "cancelled");
    let (status, moved) = book(
        &app,
        &resident,
        "c4",
        &json!({"offer_id": id, "starts_at": later2, "contact": phone}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Rescheduling: within the deadline refused, to a full time refused (nothing
    // changes), to a free time moves the seat.
    let reschedule = |b: &Value, to: &Value| {
        resident
            .client
            .post(app.url(&format!(
                "/api/v1/bookings/{}/reschedule",
                b["id"].as_str().unwrap()
            )))
            .json(&json!({ "starts_at": to }))
            .send()
    };
    let resp = reschedule(&near, &later).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let other = app.register("Other").await;
    let (status, _) = book(
        &app,
        &other,
        "o1",
        &json!({"offer_id": id, "starts_at": later, "contact": phone}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let resp = reschedule(&moved, &later).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["type"], "/problems/full");
    let later3 = slots[62]["starts_at"].clone();
    let resp = reschedule(&moved, &later3).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let r: Value = resp.json().await.unwrap();
    assert_eq!(r["starts_at"], later3);
    assert_eq!(r["status"], "confirmed");
    let resp = reschedule(&moved, &json!("2020-01-01T10:00:00+02:00"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "starts_at");
    // Moved back to later2 for the seat counts below.
    let resp = reschedule(&moved, &later2).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        app.outbox_events(moved["id"].as_str().unwrap()).await,
        [
            "booking.confirmed",
            "booking.rescheduled",
            "booking.rescheduled"
        ]
    );
    let again = availability(
        &app,
        id,
        &format!("from={today}&to={}", today + chrono::Duration::days(3)),
    )
    .await;
    let seat = |v: &[Value], at: &Value| {
        v.iter()
            .find(|s| s["starts_at"] == *at)
            .map(|s| s["remaining"].clone())
    };
    // `later`: the other resident's booking; `later2`: ours, moved back; `later3` free.
    assert_eq!(seat(&again, &later), Some(json!(0)));
    assert_eq!(seat(&again, &later2), Some(json!(0)));
    let later3 = slots[62]["starts_at"].clone();
    assert_eq!(seat(&again, &later3), Some(json!(1)));
}
on_both!(cancellation_deadline_and_limits);

async fn the_business_sees_and_decides_and_the_resident_sees_who_read(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Kampaamo").await;
    let day = tomorrow(&app);
    let offer = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "class",
            "name": {"en": "Haircut course"},
            "confirmation": "approval",
            "collect_email": true,
            "class": {"seats": 2, "duration_minutes": 90, "sessions": [format!("{day}T10:00:00")]},
        }),
    )
    .await;
    let id = offer["id"].as_str().unwrap();
    let starts_at = availability(&app, id, "").await[0]["starts_at"].clone();
    let a = app.register("Asiakas").await;
    let b = app.register("Toinen").await;
    let (_, ba) = book(
        &app,
        &a,
        "d1",
        &json!({"offer_id": id, "starts_at": starts_at}),
    )
    .await;
    let (_, bb) = book(
        &app,
        &b,
        "d2",
        &json!({"offer_id": id, "starts_at": starts_at}),
    )
    .await;
    assert_eq!(ba["status"], "requested");
    // The email is shared because the offer asks for it: the account's address.
    assert_eq!(ba["contact"]["email"], json!(a.email));

    // A stranger sees nothing; the owner sees both, with what was shared.
    let stranger = app.register("Outsider").await;
    let resp = stranger
        .client
        .get(app.url(&format!("/api/v1/offers/{id}/bookings")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let list: Value = owner
        .client
        .get(app.url(&format!("/api/v1/offers/{id}/bookings")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert!(items
        .iter()
        .any(|i| i["contact"]["email"] == json!(a.email)));

    // Each resident's access log names the business and the booking.
    let log: Value = a
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["reader"], "Kampaamo GmbH");
    assert_eq!(entries[0]["reader_role"], "owner");
    assert_eq!(entries[0]["who"], "Kampaamo GmbH (Kampaamo, owner)");
    assert_eq!(entries[0]["count"], 1);
    // What, in words: the fields and the booking's offer and time (no ids).
    let what = entries[0]["resource"].as_str().unwrap();
    assert!(
        what.starts_with("your name and email address, for your class “Haircut course” on "),
        "{what}"
    );
    assert!(!what.contains(ba["id"].as_str().unwrap()), "{what}");

    // Approve one, reject the other (its seat is released).
    let decide = |booking: &Value, decision: &str| {
        owner
            .client
            .post(app.url(&format!(
                "/api/v1/bookings/{}/decision",
                booking["id"].as_str().unwrap()
            )))
            .json(&json!({ "decision": decision }))
            .send()
    };
    let r: Value = decide(&ba, "approve").await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], "confirmed");
    let r: Value = decide(&bb, "reject").await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], "rejected");
    assert_eq!(availability(&app, id, "").await[0]["remaining"], 1);
    // Rejecting again is harmless; approving a rejected booking is not possible.
    assert_eq!(
        decide(&bb, "reject").await.unwrap().status(),
        StatusCode::OK
    );
    let resp = decide(&bb, "approve").await.unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    // No-show only once it has started.
    let resp = decide(&ba, "no_show").await.unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["type"], "/problems/not-started");
    // A resident cannot decide on their own booking.
    let resp = a
        .client
        .post(app.url(&format!(
            "/api/v1/bookings/{}/decision",
            ba["id"].as_str().unwrap()
        )))
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A decision the document does not list is a 422 naming the field, never a 500.
    let resp = decide(&ba, "maybe").await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.outbox_events(bb["id"].as_str().unwrap()).await,
        ["booking.requested", "booking.rejected"]
    );

    // The access log holds messages (key and arguments): the German page shows them in
    // German, the API in its English.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let stored = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(a.id))
        .order_by_asc(entities::access_record::Column::CreatedAt)
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2, "listed, then approved: {stored:?}");
    let booking_id = ba["id"].as_str().unwrap();
    let what: Value = serde_json::from_str(&stored[0].resource).unwrap();
    assert_eq!(what["key"], "access-booking-data");
    assert_eq!(what["args"]["booking"], booking_id);
    let why: Value = serde_json::from_str(&stored[1].purpose).unwrap();
    assert_eq!(
        why,
        json!({"key": "access-purpose-booking-marked", "args": {"status": "confirmed"}})
    );
    let page = a
        .client
        .get(app.url("/account?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Ihr Name und Ihre E-Mail-Adresse, für Ihren Kurs „Haircut course“ am "),
        "{page}"
    );
    assert!(
        page.contains("Kampaamo GmbH (Kampaamo, Inhaber*in)"),
        "{page}"
    );
    assert!(page.contains("Buchung bestätigt"), "{page}");
    assert!(page.contains("Buchungsliste von "), "{page}");
    assert!(!page.contains("&quot;key&quot;"), "{page}");
    let log: Value = a
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log[0]["purpose"], "booking confirmed");
    assert!(log[0]["resource"]
        .as_str()
        .unwrap()
        .starts_with("your name and email address, for your class “Haircut course” on "));
    // The same in German when the client asks for it.
    let de: Value = a
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(de[0]["purpose"], "Buchung bestätigt");
    assert_eq!(de[0]["who"], "Kampaamo GmbH (Kampaamo, Inhaber*in)");
    assert!(log[1]["purpose"]
        .as_str()
        .unwrap()
        .starts_with("list of bookings of "));
}
on_both!(the_business_sees_and_decides_and_the_resident_sees_who_read);

/// Reads of the same booking by the same reader for the same reason on one day are one
/// entry with a count, on the page and in the API alike; another day is another entry.
async fn the_access_log_counts_repeated_reads_once_a_day(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let (owner, listing) = published_listing(&app, "Lukija").await;
    let (offer, starts_at) = class_offer(&app, &owner, &listing, 3).await;
    let id = offer.as_str();
    let me = app.register("Gelesen").await;
    let (status, b) = book(
        &app,
        &me,
        "r1",
        &json!({"offer_id": id, "starts_at": starts_at}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    for _ in 0..3 {
        let r = owner
            .client
            .get(app.url(&format!("/api/v1/offers/{id}/bookings")))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let api = |lang: &'static str| {
        let c = me.client.clone();
        let url = app.url(&format!("/api/v1/accounts/me/access-log?locale={lang}"));
        async move {
            let v: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            v.as_array().unwrap().clone()
        }
    };
    let log = api("en").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["count"], 3);
    assert_eq!(log[0]["who"], "Lukija GmbH (Lukija, owner)");
    assert!(log[0]["first_at"].as_str().unwrap() <= log[0]["at"].as_str().unwrap());

    // One of the reads was yesterday: two entries, the newest first.
    let first = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(me.id))
        .order_by_asc(entities::access_record::Column::CreatedAt)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    entities::access_record::Entity::update_many()
        .col_expr(
            entities::access_record::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(first.created_at - chrono::Duration::days(1)),
        )
        .filter(entities::access_record::Column::Id.eq(first.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let log = api("de").await;
    assert_eq!(
        log.iter()
            .map(|e| e["count"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(log[0]["who"], "Lukija GmbH (Lukija, Inhaber*in)");
    assert!(
        log[0]["resource"]
            .as_str()
            .unwrap()
            .starts_with("Ihr Name, für Ihren Kurs „Yoga am Abend“ am "),
        "{log:?}"
    );
    // The page shows the same entries.
    let page = me
        .client
        .get(app.url("/account?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = page
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    assert_eq!(table.matches("<tr>").count(), 2, "{table}");
    assert_eq!(table.matches("2-mal gelesen").count(), 1, "{table}");
    assert_eq!(
        table.matches("Lukija GmbH (Lukija, Inhaber*in)").count(),
        2,
        "{table}"
    );
}
on_both!(the_access_log_counts_repeated_reads_once_a_day);

/// Forces a held booking's hold to have run out (instead of waiting the claim window).
/// A hold shows the business that a time is held, nothing more: no name, email or phone
/// (API and page), and reading it writes no access record. Confirming shares exactly what
/// the offer asks for; a hold released or lapsed never shares anything.
async fn a_hold_shares_nothing_until_the_resident_confirms(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Hammaslaakari").await;
    let day = tomorrow(&app);
    let offer = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "class",
            "name": {"en": "Check-up"},
            "collect_email": true,
            "collect_phone": true,
            "class": {"seats": 5, "duration_minutes": 30, "sessions": [format!("{day}T09:00:00")]},
        }),
    )
    .await;
    let id = offer["id"].as_str().unwrap();
    let starts_at = availability(&app, id, "").await[0]["starts_at"].clone();
    let phone = "+358 40 123 4567";
    let hold = |u: &User, key: &'static str| {
        let body = json!({"offer_id": id, "starts_at": starts_at, "hold": true,
                          "contact": {"name": "Erika Mustermann", "phone": phone}});
        let u = u.client.clone();
        let url = app.url("/api/v1/bookings");
        async move {
            let r = u
                .post(url)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()
        }
    };
    let erika = app.register("Erika").await;
    let kept = hold(&erika, "c1").await;
    let released = app.register("Released").await;
    let dropped = hold(&released, "c2").await;
    let lapsed = app.register("Lapsed").await;
    let gone = hold(&lapsed, "c3").await;
    // The resident sees what the booking will share.
    assert_eq!(kept["status"], "held");
    assert_eq!(kept["contact"]["phone"], phone);

    let business_list = || async {
        let r = owner
            .client
            .get(app.url(&format!("/api/v1/offers/{id}/bookings")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        v["items"].as_array().unwrap().clone()
    };
    let business_page = || async {
        owner
            .client
            .get(app.url(&format!(
                "/manage/offers/{id}/bookings?lang=en&from={day}&to={day}"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let access_log = |u: &User| {
        let c = u.client.clone();
        let url = app.url("/api/v1/accounts/me/access-log");
        async move {
            let v: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            // Reads, however they are grouped.
            v.as_array()
                .unwrap()
                .iter()
                .map(|e| e["count"].as_u64().unwrap())
                .sum::<u64>()
        }
    };
    let items = business_list().await;
    assert_eq!(items.len(), 3);
    for i in &items {
        assert_eq!(i["status"], "held");
        assert!(i.get("contact").is_none(), "a hold shows no contact: {i}");
    }
    let html = business_page().await;
    assert!(html.contains("Reserved, not confirmed yet"));
    assert!(html.contains("You see the name and contact once the person confirms."));
    for secret in [
        "Erika Mustermann",
        phone,
        erika.email.as_str(),
        released.email.as_str(),
    ] {
        assert!(!html.contains(secret), "the page shows {secret}");
    }
    assert_eq!(access_log(&erika).await, 0, "reading a hold is no access");

    // One resident releases the hold, one lets it lapse, one confirms.
    let (st, _) = post(
        &app,
        &released,
        &format!(
            "/api/v1/bookings/{}/cancel",
            dropped["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    lapse_hold(&app, gone["id"].as_str().unwrap()).await;
    let (st, confirmed) = post(
        &app,
        &erika,
        &format!("/api/v1/bookings/{}/confirm", kept["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");

    let items = business_list().await;
    let mine = items.iter().find(|i| i["id"] == kept["id"]).unwrap();
    assert_eq!(mine["contact"]["name"], "Erika Mustermann");
    assert_eq!(mine["contact"]["phone"], phone);
    assert_eq!(mine["contact"]["email"], json!(erika.email));
    for i in items.iter().filter(|i| i["id"] != kept["id"]) {
        assert!(i.get("contact").is_none(), "released or lapsed: {i}");
    }
    let html = business_page().await;
    assert!(html.contains("Erika Mustermann") && html.contains(phone));
    assert!(!html.contains(released.email.as_str()) && !html.contains(lapsed.email.as_str()));
    // Two reads of the confirmed booking (API and page) are logged (one entry of the
    // day with a count); the others never.
    assert_eq!(access_log(&erika).await, 2);
    assert_eq!(access_log(&released).await, 0);
    assert_eq!(access_log(&lapsed).await, 0);
}
on_both!(a_hold_shares_nothing_until_the_resident_confirms);

async fn lapse_hold(app: &TestApp, booking: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::booking::Entity::update_many()
        .col_expr(
            entities::booking::Column::HoldExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(entities::booking::Column::Id.eq(booking.parse::<Uuid>().unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
}

async fn my_waitlist(app: &TestApp, u: &User) -> Vec<Value> {
    let v: Value = u
        .client
        .get(app.url("/api/v1/waitlist"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"].as_array().unwrap().clone()
}

async fn waitlist_promotes_in_order(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Sirkuskoulu").await;
    let (offer, starts_at) = class_offer(&app, &owner, &listing, 1).await;
    let a = app.register("Ensimmainen").await;
    let body = json!({"offer_id": offer, "starts_at": starts_at});
    let (status, first) = book(&app, &a, "w0", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    // A time with a free seat has no waitlist.
    let (other_offer, other_start) = class_offer(&app, &owner, &listing, 5).await;
    let b = app.register("Bertta").await;
    let resp = b
        .client
        .post(app.url("/api/v1/waitlist"))
        .json(&json!({"offer_id": other_offer, "starts_at": other_start}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["type"], "/problems/not-full");

    // Three join in order; joining twice keeps the place.
    let c = app.register("Cecilia").await;
    let d = app.register("Daavid").await;
    for (u, pos) in [(&b, 1), (&c, 2), (&d, 3), (&b, 1)] {
        let resp = u
            .client
            .post(app.url("/api/v1/waitlist"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let e: Value = resp.json().await.unwrap();
        assert_eq!(e["status"], "waiting");
        assert_eq!(e["position"], pos, "{e}");
    }
    // The booked resident cannot join their own time.
    let resp = a
        .client
        .post(app.url("/api/v1/waitlist"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // A cancels: the seat goes straight to B, held; nobody else can take it.
    let (status, _) = post(
        &app,
        &a,
        &format!("/api/v1/bookings/{}/cancel", first["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(availability(&app, &offer, "").await[0]["remaining"], 0);
    let stranger = app.register("Ohikulkija").await;
    let (status, p) = book(&app, &stranger, "w1", &body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/full");
    let eb = my_waitlist(&app, &b).await;
    assert_eq!(eb[0]["status"], "offered");
    assert!(eb[0]["offered_until"].is_string());
    let b_booking = eb[0]["booking_id"].as_str().unwrap().to_string();
    let held: Value = b
        .client
        .get(app.url(&format!("/api/v1/bookings/{b_booking}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(held["status"], "held");
    assert_eq!(held["contact"]["name"], "Bertta");
    // C moved up.
    assert_eq!(my_waitlist(&app, &c).await[0]["position"], 1);
    let offered = app.outbox_events(eb[0]["id"].as_str().unwrap()).await;
    assert_eq!(offered, ["waitlist.offered"]);

    // B lets the claim window pass: the seat goes to C.
    lapse_hold(&app, &b_booking).await;
    let mut tries = 0;
    loop {
        let ec = my_waitlist(&app, &c).await;
        if ec[0]["status"] == "offered" {
            break;
        }
        tries += 1;
        assert!(tries < 50, "the seat did not pass on: {ec:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(my_waitlist(&app, &b).await[0]["status"], "expired");
    let ec = my_waitlist(&app, &c).await;
    let c_booking = ec[0]["booking_id"].as_str().unwrap().to_string();
    // C confirms in time: claimed; D is next in line.
    let (status, r) = post(&app, &c, &format!("/api/v1/bookings/{c_booking}/confirm")).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "confirmed");
    assert_eq!(my_waitlist(&app, &c).await[0]["status"], "claimed");
    assert_eq!(my_waitlist(&app, &d).await[0]["position"], 1);

    // D leaves; then C cancels: nobody waits, so the seat is free for everyone.
    let did = my_waitlist(&app, &d).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = d
        .client
        .delete(app.url(&format!("/api/v1/waitlist/{did}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(my_waitlist(&app, &d).await[0]["status"], "left");
    let (status, _) = post(&app, &c, &format!("/api/v1/bookings/{c_booking}/cancel")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(availability(&app, &offer, "").await[0]["remaining"], 1);
    let (status, _) = book(&app, &stranger, "w2", &body).await;
    assert_eq!(status, StatusCode::CREATED);
}
on_both!(waitlist_promotes_in_order);

/// A listing whose offers residents booked is not deleted (the bookings would go with
/// its offers): 409 naming why, and the booking stays; it is unpublished instead.
async fn a_booked_listing_is_not_deleted(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Schwimmschule").await;
    let (offer, start) = class_offer(&app, &owner, &listing, 4).await;
    let resident = app.register("Bettina").await;
    let (status, b) = book(
        &app,
        &resident,
        &uuid::Uuid::new_v4().to_string(),
        &json!({"offer_id": offer, "starts_at": start}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let resp = owner
        .client
        .delete(app.url(&format!("/api/v1/listings/{listing}")))
        .send()
        .await
        .unwrap();
    let p = problem(resp, 409).await;
    assert!(
        p["type"].as_str().unwrap().ends_with("listing-has-cases"),
        "{p}"
    );
    let mine = resident
        .client
        .get(app.url(&format!("/api/v1/bookings/{}", b["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), StatusCode::OK, "the booking stays");
}
on_both!(a_booked_listing_is_not_deleted);
