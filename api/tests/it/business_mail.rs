//! Emails to a business, received by the test run's real SMTP server: a booking request
//! waiting for its decision and a resident's cancellation reach every member in their
//! own language, with no personal data of the resident; a hold's cancellation (which the
//! business never saw) sends nothing. The dashboard counts the waiting requests.

use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::mailbox::{self, live_smtp};

/// A received message's subject and text; the account's own emails (the verification
/// link sent on registering) are not the business's.
fn read_mail(m: &mail_parser::Message<'_>) -> Option<(String, String)> {
    let text = m.body_text(0).unwrap_or_default().to_string();
    (!text.contains("/verify?")).then(|| (m.subject().unwrap_or_default().to_string(), text))
}

/// Waits until `count` messages for `to` arrived (at most 20 s).
async fn wait_for(maildir: &std::path::Path, to: &str, count: usize) -> Vec<(String, String)> {
    mailbox::wait_for(maildir, to, count, read_mail).await
}

async fn book(app: &TestApp, user: &User, offer: &str, starts_at: &Value, hold: bool) -> Value {
    let r = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({"offer_id": offer, "starts_at": starts_at, "hold": hold}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn cancel(app: &TestApp, user: &User, booking: &Value) {
    let r = user
        .client
        .post(app.url(&format!(
            "/api/v1/bookings/{}/cancel",
            booking["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn requests_and_cancellations_reach_the_business(backend: Backend) {
    let Some((smtp, maildir)) = live_smtp() else {
        return;
    };
    let Some(app) = spawn_with(
        backend,
        Opts {
            env: vec![
                ("SMTP_URL", smtp),
                (
                    "SMTP_FROM",
                    "Stadtportal <portal@testhausen.example>".into(),
                ),
            ],
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let (owner, org) = app.business_owner("Friseur").await;
    // A staff member who reads English.
    let staff = app.register("Helper").await;
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/organizations/{org}/members")))
        .json(&json!({"email": staff.email, "role": "staff"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut u: entities::user::ActiveModel = entities::user::Entity::find_by_id(staff.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    u.locale = Set(Some("en".into()));
    u.update(&app.state.db).await.unwrap();

    let (listing, etag) = app.create_listing(&owner, org, "Salon Schnitt").await;
    let listing = listing["id"].as_str().unwrap();
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/publish")))
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let day = chrono::Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(2);
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"de": "Haarschnitt-Kurs", "en": "Haircut course"},
            "confirmation": "approval",
            "class": {"seats": 5, "duration_minutes": 60, "sessions": [format!("{day}T10:00:00")]},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let offer: Value = r.json().await.unwrap();
    let offer = offer["id"].as_str().unwrap().to_string();
    let slots: Value = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts_at = slots["slots"][0]["starts_at"].clone();

    // A request: every member hears of it, in their language, without the resident.
    let resident = app.register("Rosa").await;
    let requested = book(&app, &resident, &offer, &starts_at, false).await;
    assert_eq!(requested["status"], "requested");
    let to_owner = wait_for(&maildir, &owner.email, 1).await;
    assert_eq!(to_owner[0].0, "Neue Buchungsanfrage: Haarschnitt-Kurs");
    let link = format!("/manage/offers/{offer}/bookings");
    assert!(to_owner[0].1.contains(&link), "{}", to_owner[0].1);
    assert!(to_owner[0].1.contains("Salon Schnitt"));
    let to_staff = wait_for(&maildir, &staff.email, 1).await;
    assert_eq!(to_staff[0].0, "New booking request: Haircut course");
    for (_, text) in to_owner.iter().chain(&to_staff) {
        assert!(
            !text.contains("Rosa") && !text.contains(&resident.email),
            "{text}"
        );
    }

    // The dashboard counts it and links to it.
    let html = owner
        .client
        .get(app.url("/manage?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("One booking request is waiting for your decision."),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{link}\"")));
    assert!(html.contains("Haircut course: one request"));

    // A hold never reached the business: its cancellation tells it nothing. The next
    // request (handled after it) shows that nothing came in between.
    let holder = app.register("Holger").await;
    let held = book(&app, &holder, &offer, &starts_at, true).await;
    cancel(&app, &holder, &held).await;
    let other = app.register("Otto").await;
    book(&app, &other, &offer, &starts_at, false).await;
    let to_owner = wait_for(&maildir, &owner.email, 2).await;
    assert_eq!(to_owner.len(), 2, "{to_owner:?}");
    assert_eq!(to_owner[1].0, "Neue Buchungsanfrage: Haarschnitt-Kurs");

    // The resident cancels the request: the business is told.
    cancel(&app, &resident, &requested).await;
    let to_owner = wait_for(&maildir, &owner.email, 3).await;
    assert!(
        to_owner[2]
            .0
            .starts_with("Buchung storniert: Haarschnitt-Kurs"),
        "{:?}",
        to_owner[2]
    );
    let to_staff = wait_for(&maildir, &staff.email, 3).await;
    assert!(to_staff[2]
        .0
        .starts_with("Booking cancelled: Haircut course"));

    // No read of the resident's data: their access log stays empty.
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_cancellations_reach_the_business_on_sqlite() {
    requests_and_cancellations_reach_the_business(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_cancellations_reach_the_business_on_postgres() {
    requests_and_cancellations_reach_the_business(Backend::Postgres).await;
}
