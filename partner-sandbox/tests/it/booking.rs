//! The Partner Booking API operations against the Sandbox Gym.

use std::time::Duration;

use chrono::{DateTime, Utc};
use partner_sandbox::catalogue::{Catalogue, CatalogueOffer, Schedule};
use partner_sandbox::model::{Confirmation, OfferKind};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn health_and_offers() {
    let app = spawn_app().await;
    let token = app.token().await;
    let h = app.get("/health", &token).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body["status"], "ok");
    let time = DateTime::parse_from_rfc3339(h.body["time"].as_str().unwrap()).unwrap();
    assert!((time.with_timezone(&Utc) - Utc::now()).num_seconds().abs() < 5);

    let o = app.get("/offers", &token).await;
    assert_eq!(o.status, 200, "{}", o.text);
    assert_eq!(o.body["time_zone"], "Europe/Helsinki");
    let offers = o.body["offers"].as_array().unwrap();
    let ids: Vec<&str> = offers
        .iter()
        .map(|x| x["offer_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "sandbox-gym.yoga",
            "sandbox-gym.spinning",
            "sandbox-gym.kettlebell",
            "sandbox-gym.intro",
            "sandbox-gym.monthly",
            "sandbox-gym.annual"
        ]
    );
    let monthly = &offers[4];
    assert_eq!(monthly["kind"], "membership");
    assert_eq!(monthly["confirmation"], "approval");
    assert_eq!(monthly["membership"]["period"], "P1M");
    assert_eq!(monthly["membership"]["price_text"], "49 € / month");
    assert_eq!(
        monthly["resident_fields"],
        json!(["name", "email", "phone"])
    );
    assert_eq!(offers[0]["kind"], "class");
    assert_eq!(offers[0]["duration_minutes"], 60);
    assert_eq!(offers[0]["resident_fields"], json!(["name"]));
    assert_eq!(offers[3]["kind"], "appointment");
}

#[tokio::test]
async fn availability_is_a_batch_in_local_time() {
    let app = spawn_app().await;
    let token = app.token().await;
    let now = Utc::now();
    let a = app
        .post(
            "/availability",
            &token,
            None,
            Some(&json!({
                "offer_ids": ["sandbox-gym.spinning", "gone", "sandbox-gym.yoga"],
                "from": now.to_rfc3339(),
                "to": (now + chrono::Duration::days(14)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["unknown_offer_ids"], json!(["gone"]));
    let offers = a.body["offers"].as_array().unwrap();
    assert_eq!(offers[0]["offer_id"], "sandbox-gym.spinning");
    assert_eq!(offers[1]["offer_id"], "sandbox-gym.yoga");
    assert_eq!(offers[0]["time_zone"], "Europe/Helsinki");
    let spinning = offers[0]["slots"].as_array().unwrap();
    assert_eq!(spinning.len(), 4, "Tuesdays and Thursdays for two weeks");
    for s in spinning {
        let start = s["start"].as_str().unwrap();
        // 18:00 Helsinki time, +02:00 in winter and +03:00 in summer.
        assert!(
            start.contains("T18:00:00+02:00") || start.contains("T18:00:00+03:00"),
            "{start}"
        );
        assert_eq!(s["capacity"], 16);
        assert_eq!(s["remaining"], 16);
        let st = DateTime::parse_from_rfc3339(start).unwrap();
        assert!(st.with_timezone(&Utc) > now);
        let en = DateTime::parse_from_rfc3339(s["end"].as_str().unwrap()).unwrap();
        assert_eq!((en - st).num_minutes(), 45);
    }
    assert_eq!(offers[1]["slots"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn availability_rejects_bad_windows() {
    let app = spawn_app().await;
    let token = app.token().await;
    let now = Utc::now();
    let inverted = app
        .post(
            "/availability",
            &token,
            None,
            Some(&json!({"offer_ids": ["sandbox-gym.yoga"], "from": now.to_rfc3339(), "to": (now - chrono::Duration::hours(1)).to_rfc3339()})),
        )
        .await;
    inverted.assert_problem(422, "validation");
    assert_eq!(inverted.body["errors"][0]["field"], "to");
    let wide = app
        .post(
            "/availability",
            &token,
            None,
            Some(&json!({"offer_ids": ["sandbox-gym.yoga"], "from": now.to_rfc3339(), "to": (now + chrono::Duration::days(63)).to_rfc3339()})),
        )
        .await;
    wide.assert_problem(422, "validation");
    let empty = app
        .post(
            "/availability",
            &token,
            None,
            Some(&json!({"offer_ids": [], "from": now.to_rfc3339(), "to": now.to_rfc3339()})),
        )
        .await;
    empty.assert_problem(400, "bad-request");
    let not_json = read(
        app.http
            .post(app.api("/availability"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
    )
    .await;
    not_json.assert_problem(400, "bad-request");
}

#[tokio::test]
async fn hold_confirm_read_cancel() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let body = yoga_hold(&start, 2);
    let a = app.hold(&token, &key(), &body).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.body["booking_id"].as_str().unwrap().to_string();
    assert_eq!(
        a.header("location"),
        Some(format!("/partner/v1/bookings/{id}").as_str())
    );
    assert_eq!(a.header("idempotent-replayed"), None);
    assert_eq!(a.body["status"], "held");
    assert_eq!(a.body["seats"], 2);
    assert_eq!(a.body["start"], start);
    assert_eq!(a.body["client_token"], body["client_token"]);
    assert!(
        a.body.get("resident").is_none(),
        "resident data is never echoed"
    );
    let expires =
        DateTime::parse_from_rfc3339(a.body["hold_expires_at"].as_str().unwrap()).unwrap();
    let left = (expires.with_timezone(&Utc) - Utc::now()).num_seconds();
    assert!((590..=600).contains(&left), "{left}");
    // The held seats are taken.
    let slots = app.slots(&token, "sandbox-gym.yoga", 28).await;
    assert_eq!(slots[0]["remaining"], 10);

    let c = app.confirm(&token, &id, &key(), &yoga_confirm()).await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.body["status"], "confirmed");
    assert!(c.body.get("hold_expires_at").is_none());
    assert!(
        c.body.get("resident").is_none(),
        "resident data is never echoed"
    );
    // Confirming again changes nothing.
    let again = app.confirm(&token, &id, &key(), &yoga_confirm()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["status"], "confirmed");
    let g = app.get(&format!("/bookings/{id}"), &token).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["status"], "confirmed");

    let x = app
        .post(
            &format!("/bookings/{id}/cancel"),
            &token,
            Some(&key()),
            None,
        )
        .await;
    assert_eq!(x.status, 200, "{}", x.text);
    assert_eq!(x.body["status"], "cancelled");
    let slots = app.slots(&token, "sandbox-gym.yoga", 28).await;
    assert_eq!(slots[0]["remaining"], 12, "cancelled seats are free again");
    let x2 = app
        .post(
            &format!("/bookings/{id}/cancel"),
            &token,
            Some(&key()),
            None,
        )
        .await;
    assert_eq!(x2.status, 200);
    assert_eq!(x2.body["status"], "cancelled");
    let c2 = app.confirm(&token, &id, &key(), &yoga_confirm()).await;
    c2.assert_problem(409, "invalid-transition");
    assert_eq!(
        app.sandbox.booking(&id).unwrap().status.as_str(),
        "cancelled"
    );
}

/// Consent before sharing: a hold carries no resident data and the sandbox stores none
/// for it; the confirmation carries exactly the offer's `resident_fields`, and one that
/// does not is refused with a 422 naming each field and changes nothing.
#[tokio::test]
async fn the_resident_comes_with_the_confirmation_only() {
    let app = spawn_with(|c| c.approval_delay = None).await;
    let token = app.token().await;
    let monday = app.slot(&token, "sandbox-gym.monthly", 0).await;
    let h = app.hold(&token, &key(), &membership_hold(&monday)).await;
    assert_eq!(h.status, 201, "{}", h.text);
    let id = h.body["booking_id"].as_str().unwrap().to_string();
    assert_eq!(
        app.sandbox.resident(&id),
        None,
        "a hold has no resident data"
    );
    let listed = app.control(reqwest::Method::GET, "/bookings", None).await;
    assert_eq!(
        listed.body["bookings"][0]["resident"],
        serde_json::Value::Null
    );

    let path = format!("/bookings/{id}/confirm");
    let refused = |a: &Answer, fields: &[&str]| {
        a.assert_problem(422, "validation");
        let named: Vec<&str> = a.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "{}", a.text);
    };
    // No body, no resident, or without the fields the membership asks for.
    refused(
        &app.post(&path, &token, Some(&key()), None).await,
        &["resident"],
    );
    refused(
        &app.confirm(&token, &id, &key(), &json!({})).await,
        &["resident"],
    );
    refused(
        &app.confirm(&token, &id, &key(), &json!({"resident": {}}))
            .await,
        &["resident.name", "resident.email", "resident.phone"],
    );
    refused(
        &app.confirm(&token, &id, &key(), &yoga_confirm()).await,
        &["resident.email", "resident.phone"],
    );
    let mut no_phone = membership_confirm();
    no_phone["resident"]["phone"] = json!(" ");
    refused(
        &app.confirm(&token, &id, &key(), &no_phone).await,
        &["resident.phone"],
    );
    // A body that is not JSON cannot be read at all.
    let not_json = read(
        app.http
            .post(app.api(&path))
            .bearer_auth(&token)
            .header("Idempotency-Key", key())
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
    )
    .await;
    not_json.assert_problem(400, "bad-request");
    // A refusal is replayed under its key like any answer, and changed nothing.
    let k = key();
    refused(
        &app.confirm(&token, &id, &k, &yoga_confirm()).await,
        &["resident.email", "resident.phone"],
    );
    let again = app.confirm(&token, &id, &k, &yoga_confirm()).await;
    refused(&again, &["resident.email", "resident.phone"]);
    assert_eq!(app.sandbox.booking(&id).unwrap().status.as_str(), "held");
    assert_eq!(app.sandbox.resident(&id), None);

    // The confirmation with exactly the offer's fields: stored, and only now.
    let c = app
        .confirm(&token, &id, &key(), &membership_confirm())
        .await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.body["status"], "pending");
    let stored = app.sandbox.resident(&id).expect("stored on confirmation");
    assert_eq!(
        serde_json::to_value(&stored).unwrap(),
        membership_confirm()["resident"]
    );
    // Confirming again changes nothing, the stored data included.
    let other = json!({"resident": {"name": "Someone Else", "email": "else@example.org", "phone": "+358409999999"}});
    let again = app.confirm(&token, &id, &key(), &other).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(app.sandbox.resident(&id), Some(stored));

    // A field the offer does not ask for is refused, never stored.
    let yoga = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let y = app.hold(&token, &key(), &yoga_hold(&yoga, 1)).await;
    let yid = y.body["booking_id"].as_str().unwrap().to_string();
    let mut extra = yoga_confirm();
    extra["resident"]["email"] = json!("aino@example.org");
    refused(
        &app.confirm(&token, &yid, &key(), &extra).await,
        &["resident.email"],
    );
    assert_eq!(app.sandbox.resident(&yid), None);
    let mut unknown = yoga_confirm();
    unknown["resident"]["address"] = json!("Mannerheimintie 1");
    refused(
        &app.confirm(&token, &yid, &key(), &unknown).await,
        &["resident.address"],
    );
    let c = app.confirm(&token, &yid, &key(), &yoga_confirm()).await;
    assert_eq!(c.body["status"], "confirmed", "{}", c.text);
    let stored = app.sandbox.resident(&yid).unwrap();
    assert_eq!((stored.email, stored.phone), (None, None));

    // A hold that still carries a resident (as contract 1.0.0 had it) is held, and
    // nothing of it is kept.
    let mut old = yoga_hold(&yoga, 1);
    old["resident"] = json!({"name": "Aino Virtanen", "email": "aino@example.org"});
    let o = app.hold(&token, &key(), &old).await;
    assert_eq!(o.status, 201, "{}", o.text);
    let oid = o.body["booking_id"].as_str().unwrap();
    assert_eq!(app.sandbox.resident(oid), None);

    // An unknown booking is not found, body or not.
    app.post("/bookings/bk_nope/confirm", &token, Some(&key()), None)
        .await
        .assert_problem(404, "not-found");
}

#[tokio::test]
async fn holds_are_validated() {
    let app = spawn_app().await;
    let token = app.token().await;
    let yoga = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let mut unknown = yoga_hold(&yoga, 1);
    unknown["offer_id"] = json!("nope");
    let a = app.hold(&token, &key(), &unknown).await;
    a.assert_problem(422, "validation");
    assert_eq!(a.body["errors"][0]["field"], "offer_id");

    let start = DateTime::parse_from_rfc3339(&yoga).unwrap() + chrono::Duration::minutes(5);
    let a = app
        .hold(&token, &key(), &yoga_hold(&start.to_rfc3339(), 1))
        .await;
    a.assert_problem(422, "validation");
    assert_eq!(a.body["errors"][0]["field"], "start");

    // The same instant in another offset is the same slot.
    let utc = DateTime::parse_from_rfc3339(&yoga)
        .unwrap()
        .with_timezone(&Utc)
        .to_rfc3339();
    assert_eq!(
        app.hold(&token, &key(), &yoga_hold(&utc, 1)).await.status,
        201
    );

    // An offer that needs an email address is held without one: the hold carries no
    // resident data.
    let kettlebell = app.slot(&token, "sandbox-gym.kettlebell", 0).await;
    let mut kettlebell_hold = yoga_hold(&kettlebell, 1);
    kettlebell_hold["offer_id"] = json!("sandbox-gym.kettlebell");
    assert_eq!(app.hold(&token, &key(), &kettlebell_hold).await.status, 201);

    let monday = app.slot(&token, "sandbox-gym.monthly", 0).await;
    let mut two = membership_hold(&monday);
    two["seats"] = json!(2);
    let a = app.hold(&token, &key(), &two).await;
    a.assert_problem(422, "validation");
    assert_eq!(a.body["errors"][0]["field"], "seats");

    for seats in [0, 11] {
        app.hold(&token, &key(), &yoga_hold(&yoga, seats))
            .await
            .assert_problem(400, "bad-request");
    }
    let mut blank = yoga_hold(&yoga, 1);
    blank["client_token"] = json!("");
    app.hold(&token, &key(), &blank)
        .await
        .assert_problem(400, "bad-request");
}

#[tokio::test]
async fn writes_need_an_idempotency_key() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let a = app
        .post("/holds", &token, None, Some(&yoga_hold(&start, 1)))
        .await;
    a.assert_problem(400, "idempotency-key-missing");
    let long = "k".repeat(256);
    let a = app.hold(&token, &long, &yoga_hold(&start, 1)).await;
    a.assert_problem(400, "idempotency-key-missing");
    let a = app
        .post("/bookings/whatever/cancel", &token, None, None)
        .await;
    a.assert_problem(400, "idempotency-key-missing");
    assert!(app.sandbox.bookings().is_empty());
}

#[tokio::test]
async fn the_same_key_replays_and_another_body_is_refused() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.yoga", 1).await;
    let body = yoga_hold(&start, 1);
    let k = key();
    let first = app.hold(&token, &k, &body).await;
    assert_eq!(first.status, 201);
    let again = app.hold(&token, &k, &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(
        app.sandbox.bookings().len(),
        1,
        "a replay never books twice"
    );

    let mut other = body.clone();
    other["seats"] = json!(2);
    app.hold(&token, &k, &other)
        .await
        .assert_problem(422, "idempotency-key-reused");
    // The key is bound to its operation too.
    let id = first.body["booking_id"].as_str().unwrap();
    app.post(&format!("/bookings/{id}/cancel"), &token, Some(&k), None)
        .await
        .assert_problem(422, "idempotency-key-reused");
    // A confirm replays its own first answer even after the booking moved on.
    let ck = key();
    let c1 = app.confirm(&token, id, &ck, &yoga_confirm()).await;
    assert_eq!(c1.body["status"], "confirmed");
    // The same key with other resident data is another request.
    let other_resident = json!({"resident": {"name": "Someone Else"}});
    app.confirm(&token, id, &ck, &other_resident)
        .await
        .assert_problem(422, "idempotency-key-reused");
    let x = app
        .post(
            &format!("/bookings/{id}/cancel"),
            &token,
            Some(&key()),
            None,
        )
        .await;
    assert_eq!(x.body["status"], "cancelled");
    let c2 = app.confirm(&token, id, &ck, &yoga_confirm()).await;
    assert_eq!(c2.status, 200);
    assert_eq!(c2.body, c1.body);
    assert_eq!(c2.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        app.sandbox.resident(id),
        None,
        "the replay changed nothing: the cancelled booking keeps no resident data"
    );
    // Errors are replayed too.
    let mut bad = body.clone();
    bad["offer_id"] = json!("nope");
    let ek = key();
    app.hold(&token, &ek, &bad)
        .await
        .assert_problem(422, "validation");
    app.hold(&token, &ek, &bad)
        .await
        .assert_problem(422, "validation");
    // A new key with the same client_token is a second booking attempt.
    let dup = app.hold(&token, &key(), &body).await;
    dup.assert_problem(409, "duplicate-client-token");
    assert!(dup.body["detail"].as_str().unwrap().contains(id));
}

#[tokio::test]
async fn a_full_slot_is_a_409_and_frees_up_on_cancel() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.intro", 0).await;
    let first = app.hold(&token, &key(), &intro_hold(&start)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let full = app.hold(&token, &key(), &intro_hold(&start)).await;
    full.assert_problem(409, "slot-full");
    assert_eq!(full.body["detail"], "The slot is full.");
    let slots = app.slots(&token, "sandbox-gym.intro", 28).await;
    assert_eq!(slots[0]["remaining"], 0);
    let id = first.body["booking_id"].as_str().unwrap();
    app.post(
        &format!("/bookings/{id}/cancel"),
        &token,
        Some(&key()),
        None,
    )
    .await;
    assert_eq!(
        app.hold(&token, &key(), &intro_hold(&start)).await.status,
        201
    );

    // Seats count, not holds.
    let yoga = app.slot(&token, "sandbox-gym.yoga", 2).await;
    assert_eq!(
        app.hold(&token, &key(), &yoga_hold(&yoga, 10)).await.status,
        201
    );
    let over = app.hold(&token, &key(), &yoga_hold(&yoga, 3)).await;
    over.assert_problem(409, "slot-full");
    assert_eq!(over.body["detail"], "Only 2 seat(s) left in this slot.");
    assert_eq!(
        app.hold(&token, &key(), &yoga_hold(&yoga, 2)).await.status,
        201
    );
}

#[tokio::test]
async fn concurrent_holds_for_the_last_seat_give_one_booking() {
    let app = spawn_app().await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.intro", 1).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let http = app.http.clone();
            let url = app.api("/holds");
            let token = token.clone();
            let body = intro_hold(&start);
            tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", key())
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_unconfirmed_hold_expires_and_frees_its_seats() {
    let app = spawn_with(|c| c.hold_ttl = Duration::from_millis(300)).await;
    let token = app.token().await;
    let start = app.slot(&token, "sandbox-gym.intro", 0).await;
    let a = app.hold(&token, &key(), &intro_hold(&start)).await;
    let id = a.body["booking_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let g = app.get(&format!("/bookings/{id}"), &token).await;
    assert_eq!(g.body["status"], "expired");
    app.confirm(&token, &id, &key(), &intro_confirm())
        .await
        .assert_problem(409, "hold-expired");
    assert_eq!(app.sandbox.resident(&id), None, "never confirmed");
    app.post(
        &format!("/bookings/{id}/cancel"),
        &token,
        Some(&key()),
        None,
    )
    .await
    .assert_problem(409, "invalid-transition");
    assert_eq!(
        app.hold(&token, &key(), &intro_hold(&start)).await.status,
        201
    );
}

#[tokio::test]
async fn reschedule_moves_to_a_free_slot_of_the_same_offer() {
    let app = spawn_app().await;
    let token = app.token().await;
    let a0 = app.slot(&token, "sandbox-gym.intro", 0).await;
    let a1 = app.slot(&token, "sandbox-gym.intro", 1).await;
    let a2 = app.slot(&token, "sandbox-gym.intro", 2).await;
    let mine = app.hold(&token, &key(), &intro_hold(&a0)).await;
    let id = mine.body["booking_id"].as_str().unwrap().to_string();
    app.confirm(&token, &id, &key(), &intro_confirm()).await;
    assert_eq!(app.hold(&token, &key(), &intro_hold(&a2)).await.status, 201);

    let path = format!("/bookings/{id}/reschedule");
    let moved = app
        .post(&path, &token, Some(&key()), Some(&json!({"start": a1})))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["start"], a1);
    assert_eq!(moved.body["status"], "confirmed");
    assert_eq!(moved.body["booking_id"], id.as_str());
    let slots = app.slots(&token, "sandbox-gym.intro", 28).await;
    assert_eq!(slots[0]["remaining"], 1, "the old slot is free again");
    assert_eq!(slots[1]["remaining"], 0);

    app.post(&path, &token, Some(&key()), Some(&json!({"start": a2})))
        .await
        .assert_problem(409, "slot-full");
    let nowhere = DateTime::parse_from_rfc3339(&a1).unwrap() + chrono::Duration::minutes(7);
    app.post(
        &path,
        &token,
        Some(&key()),
        Some(&json!({"start": nowhere.to_rfc3339()})),
    )
    .await
    .assert_problem(422, "validation");
    let same = app
        .post(&path, &token, Some(&key()), Some(&json!({"start": a1})))
        .await;
    assert_eq!(same.status, 200);
    app.post(
        &format!("/bookings/{id}/cancel"),
        &token,
        Some(&key()),
        None,
    )
    .await;
    app.post(&path, &token, Some(&key()), Some(&json!({"start": a0})))
        .await
        .assert_problem(409, "invalid-transition");
}

#[tokio::test]
async fn memberships_wait_for_approval() {
    let app = spawn_with(|c| c.approval_delay = Some(Duration::from_millis(1000))).await;
    let token = app.token().await;
    let monday = app.slot(&token, "sandbox-gym.monthly", 0).await;
    assert!(monday.contains("T00:00:00+0"), "{monday}");
    let h = app.hold(&token, &key(), &membership_hold(&monday)).await;
    assert_eq!(h.status, 201, "{}", h.text);
    let id = h.body["booking_id"].as_str().unwrap().to_string();
    let end = DateTime::parse_from_rfc3339(h.body["end"].as_str().unwrap()).unwrap();
    let start = DateTime::parse_from_rfc3339(&monday).unwrap();
    assert!((28..=31).contains(&(end - start).num_days()));
    let c = app
        .confirm(&token, &id, &key(), &membership_confirm())
        .await;
    assert_eq!(c.body["status"], "pending");
    assert_eq!(
        app.get(&format!("/bookings/{id}"), &token).await.body["status"],
        "pending"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.get(&format!("/bookings/{id}"), &token).await.body["status"],
        "confirmed"
    );
}

#[tokio::test]
async fn the_business_approves_or_rejects_by_hand() {
    let app = spawn_with(|c| c.approval_delay = None).await;
    let token = app.token().await;
    let first = app.slot(&token, "sandbox-gym.monthly", 0).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let body = membership_hold(&first);
        let h = app.hold(&token, &key(), &body).await;
        let id = h.body["booking_id"].as_str().unwrap().to_string();
        app.confirm(&token, &id, &key(), &membership_confirm())
            .await;
        ids.push(id);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.get(&format!("/bookings/{}", ids[0]), &token).await.body["status"],
        "pending"
    );
    assert_eq!(
        app.sandbox.approve(&ids[0]).unwrap().status.as_str(),
        "confirmed"
    );
    let r = app
        .sandbox
        .reject(&ids[1], Some("The plan is full this month.".into()))
        .unwrap();
    assert_eq!(r.status.as_str(), "rejected");
    let g = app.get(&format!("/bookings/{}", ids[1]), &token).await;
    assert_eq!(g.body["status"], "rejected");
    assert_eq!(g.body["status_reason"], "The plan is full this month.");
    assert!(app
        .sandbox
        .approve(&ids[1])
        .unwrap_err()
        .contains("rejected"));
}

#[tokio::test]
async fn bookings_of_other_clients_do_not_exist() {
    let app = spawn_with(|c| {
        c.clients.push(partner_sandbox::ClientCredentials::new(
            "other",
            "other-secret",
        ));
    })
    .await;
    let token = app.token().await;
    app.get("/bookings/bk_nope", &token)
        .await
        .assert_problem(404, "not-found");
    let start = app.slot(&token, "sandbox-gym.yoga", 0).await;
    let h = app.hold(&token, &key(), &yoga_hold(&start, 1)).await;
    let id = h.body["booking_id"].as_str().unwrap();
    let other = read(
        app.http
            .post(app.sandbox.token_url())
            .basic_auth("other", Some("other-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let other = other.body["access_token"].as_str().unwrap();
    app.get(&format!("/bookings/{id}"), other)
        .await
        .assert_problem(404, "not-found");
    app.post(&format!("/bookings/{id}/cancel"), other, Some(&key()), None)
        .await
        .assert_problem(404, "not-found");
    // The same key from another client is another key.
    let k = key();
    assert_eq!(
        app.hold(&token, &k, &yoga_hold(&start, 1)).await.status,
        201
    );
    assert_eq!(app.hold(other, &k, &yoga_hold(&start, 1)).await.status, 201);
}

#[tokio::test]
async fn a_custom_catalogue_is_served() {
    let app = spawn_with(|c| {
        c.catalogue = Catalogue {
            time_zone: chrono_tz::UTC,
            weeks_ahead: 1,
            offers: vec![CatalogueOffer {
                id: "tiny".into(),
                name: "Tiny class".into(),
                description: None,
                needs_email: false,
                needs_phone: false,
                schedule: Schedule::Sessions {
                    kind: OfferKind::Class,
                    weekly: {
                        use chrono::Weekday::*;
                        [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
                            .into_iter()
                            .map(|d| (d, chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap()))
                            .collect()
                    },
                    duration_minutes: 1,
                    capacity: 2,
                    confirmation: Confirmation::Approval,
                },
            }],
        }
    })
    .await;
    let token = app.token().await;
    let o = app.get("/offers", &token).await;
    assert_eq!(o.body["time_zone"], "UTC");
    assert_eq!(o.body["offers"][0]["confirmation"], "approval");
    let slots = app.slots(&token, "tiny", 7).await;
    assert!((6..=7).contains(&slots.len()), "{}", slots.len());
    assert!(slots[0]["start"]
        .as_str()
        .unwrap()
        .ends_with("T23:59:00+00:00"));
    assert_eq!(slots[0]["capacity"], 2);
}
