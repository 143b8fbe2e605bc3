//! Notifications: emails received by a real SMTP server (the aiosmtpd that
//! `scripts/test` starts, `TEST_SMTP_PORT`, writing into `TEST_SMTP_MAILDIR`) with a
//! `.ics` that parses; cancellation with the same UID and a higher SEQUENCE; one
//! reminder per booking, also with two servers on PostgreSQL; the log without SMTP; the
//! `.ics` download and the personal calendar feed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::mailbox::{self, live_smtp};
use crate::on_both;
use api::notifications::ics::{content_lines, unescape_text};

/// One received email, as the tests look at it.
#[derive(Debug, Clone)]
struct Mail {
    subject: String,
    text: String,
    /// The `text/calendar` part and its `method` parameter.
    ics: String,
    ics_method: String,
}

impl Mail {
    fn prop(&self, name: &str) -> String {
        content_lines(&self.ics)
            .into_iter()
            .find(|(n, _)| n == name || n.starts_with(&format!("{name};")))
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{name} missing in {}", self.ics))
    }
}

/// A received email with a calendar file (the account's own emails, such as the
/// verification link, carry none and are left out), sent to `to`.
fn read_mail(m: &mail_parser::Message<'_>, to: &str) -> Option<Mail> {
    let to_header = m
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    assert_eq!(to_header, to, "sent to the resident");
    let calendar = m.attachments().find(|p| {
        p.content_type()
            .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
    })?;
    assert_eq!(calendar.attachment_name(), Some("booking.ics"));
    Some(Mail {
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).unwrap_or_default().to_string(),
        ics: String::from_utf8(calendar.contents().to_vec()).unwrap(),
        ics_method: calendar
            .content_type()
            .and_then(|c| c.attribute("method"))
            .unwrap_or_default()
            .to_string(),
    })
}

/// The messages the SMTP server received for `to`, oldest first.
fn received(maildir: &std::path::Path, to: &str) -> Vec<Mail> {
    mailbox::received(maildir, to, |m| read_mail(m, to))
}

/// Waits until `count` messages for `to` arrived (at most 20 s) and returns them.
async fn wait_for_mail(maildir: &std::path::Path, to: &str, count: usize) -> Vec<Mail> {
    mailbox::wait_for(maildir, to, count, |m| read_mail(m, to)).await
}

/// A published listing of a new business with a class of five seats tomorrow at 18:00
/// in the city; returns the owner, the offer id and the session's start.
async fn class_tomorrow(app: &TestApp) -> (User, String, String) {
    let (owner, org) = app.business_owner("Studio").await;
    let (listing, _) = app.create_listing(&owner, org, "Yogastudio").await;
    let listing = listing["id"].as_str().unwrap().to_string();
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let day = Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(1);
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"de": "Yoga am Abend", "en": "Evening yoga"},
            "class": {"seats": 5, "duration_minutes": 60, "sessions": [format!("{day}T18:00:00")]},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let offer: Value = resp.json().await.unwrap();
    let offer = offer["id"].as_str().unwrap().to_string();
    let slots: Value = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts_at = slots["slots"][0]["starts_at"].as_str().unwrap().to_string();
    (owner, offer, starts_at)
}

/// Books the session for `user` (held first when `hold`); returns the booking.
async fn book(app: &TestApp, user: &User, offer: &str, starts_at: &str, hold: bool) -> Value {
    let resp = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({"offer_id": offer, "starts_at": starts_at, "hold": hold}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn post(app: &TestApp, user: &User, path: &str) -> Value {
    let resp = user.client.post(app.url(path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

fn utc_stamp(rfc3339: &str) -> String {
    rfc3339
        .parse::<DateTime<Utc>>()
        .unwrap()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

async fn smtp_app(
    backend: Backend,
    database_url: Option<String>,
) -> Option<(TestApp, std::path::PathBuf)> {
    let (url, maildir) = live_smtp()?;
    let app = spawn_with(
        backend,
        Opts {
            database_url,
            env: vec![
                ("SMTP_URL", url),
                (
                    "SMTP_FROM",
                    "Stadtportal Testhausen <portal@testhausen.example>".into(),
                ),
                ("REMINDER_HOURS", "48".into()),
            ],
            ..Default::default()
        },
    )
    .await?;
    Some((app, maildir))
}

/// Confirmation, reminder (once) and cancellation arrive at the SMTP server.
async fn emails_with_calendar_files(backend: Backend) {
    let Some((app, maildir)) = smtp_app(backend, None).await else {
        return;
    };
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Rosa").await;
    let b = book(&app, &resident, &offer, &starts_at, true).await;
    let id = b["id"].as_str().unwrap().to_string();
    let confirmed = post(&app, &resident, &format!("/api/v1/bookings/{id}/confirm")).await;
    assert_eq!(confirmed["status"], "confirmed");

    // The confirmation and, as the session starts within REMINDER_HOURS, the reminder.
    let mails = wait_for_mail(&maildir, &resident.email, 2).await;
    let confirmation = mails
        .iter()
        .find(|m| m.subject.starts_with("Buchung bestätigt"))
        .unwrap_or_else(|| panic!("no confirmation in {mails:?}"));
    assert!(
        confirmation.subject.contains("Yoga am Abend"),
        "{}",
        confirmation.subject
    );
    assert!(
        confirmation.text.contains("Hallo Rosa"),
        "{}",
        confirmation.text
    );
    assert!(confirmation
        .text
        .contains("Hauptstraße 1, 10115 Testhausen"));
    assert_eq!(confirmation.ics_method, "REQUEST");
    assert!(confirmation.ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(confirmation.ics.contains("\r\nBEGIN:VEVENT\r\n"));
    assert_eq!(confirmation.prop("METHOD"), "REQUEST");
    let uid = confirmation.prop("UID");
    assert!(uid.starts_with(&format!("booking-{id}@")), "{uid}");
    assert_eq!(confirmation.prop("DTSTART"), utc_stamp(&starts_at));
    assert_eq!(confirmation.prop("STATUS"), "CONFIRMED");
    assert_eq!(
        unescape_text(&confirmation.prop("SUMMARY")),
        "Yoga am Abend – Yogastudio"
    );
    assert_eq!(
        unescape_text(&confirmation.prop("LOCATION")),
        "Hauptstraße 1, 10115 Testhausen"
    );
    assert_eq!(
        confirmation.prop("ORGANIZER"),
        "mailto:portal@testhausen.example"
    );
    let sequence: i32 = confirmation.prop("SEQUENCE").parse().unwrap();
    assert_eq!(sequence, confirmed["version"].as_i64().unwrap() as i32);
    let reminder = mails
        .iter()
        .find(|m| m.subject.starts_with("Erinnerung"))
        .unwrap_or_else(|| panic!("no reminder in {mails:?}"));
    assert_eq!(reminder.prop("UID"), uid);

    // The reminder is recorded, and a second round of the job sends none.
    let notifier = api::notifications::Notifier::with_i18n(
        app.state.db.clone(),
        &app.state.config,
        app.state.i18n.clone(),
    )
    .unwrap();
    assert_eq!(notifier.send_due_reminders().await.unwrap(), 0);
    let row = entities::notification_sent::Entity::find_by_id((
        id.parse::<Uuid>().unwrap(),
        "reminder".to_string(),
    ))
    .one(&app.state.db)
    .await
    .unwrap()
    .expect("the reminder is recorded");
    assert!(row.sent_at.is_some());

    // Cancelling: METHOD:CANCEL for the same UID with a higher SEQUENCE.
    let cancelled = post(&app, &resident, &format!("/api/v1/bookings/{id}/cancel")).await;
    assert_eq!(cancelled["status"], "cancelled");
    let mails = wait_for_mail(&maildir, &resident.email, 3).await;
    let cancellation = mails
        .iter()
        .find(|m| m.subject.starts_with("Buchung storniert"))
        .unwrap_or_else(|| panic!("no cancellation in {mails:?}"));
    assert_eq!(cancellation.ics_method, "CANCEL");
    assert_eq!(cancellation.prop("METHOD"), "CANCEL");
    assert_eq!(cancellation.prop("UID"), uid);
    assert_eq!(cancellation.prop("STATUS"), "CANCELLED");
    let later: i32 = cancellation.prop("SEQUENCE").parse().unwrap();
    assert!(later > sequence, "{later} > {sequence}");
    let reminders = mails
        .iter()
        .filter(|m| m.subject.starts_with("Erinnerung"))
        .count();
    assert_eq!(reminders, 1, "one reminder per booking");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_with_calendar_files_on_sqlite() {
    emails_with_calendar_files(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_with_calendar_files_on_postgres() {
    emails_with_calendar_files(Backend::Postgres).await;
}

/// Two servers on one PostgreSQL database: every message goes out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_send_each_message_once_on_postgres() {
    let Some((first, maildir)) = smtp_app(Backend::Postgres, None).await else {
        return;
    };
    let Some((second, _)) = smtp_app(Backend::Postgres, Some(first.database_url.clone())).await
    else {
        return;
    };
    let (_owner, offer, starts_at) = class_tomorrow(&first).await;
    let mut residents = Vec::new();
    for i in 0..4 {
        let app = if i % 2 == 0 { &first } else { &second };
        let r = app.register(&format!("Resident{i}")).await;
        book(app, &r, &offer, &starts_at, false).await;
        residents.push(r);
    }
    for r in &residents {
        wait_for_mail(&maildir, &r.email, 2).await;
    }
    // Both servers had time to send anything twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for r in &residents {
        let mails = received(&maildir, &r.email);
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(mails.len(), 2, "{subjects:?}");
        assert_eq!(
            subjects
                .iter()
                .filter(|s| s.starts_with("Erinnerung"))
                .count(),
            1,
            "{subjects:?}"
        );
    }
    drop(second);
}

/// A seat offered from the waitlist (`waitlist.offered`) is announced with a tentative
/// event for the booking held for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waitlist_offer_is_sent() {
    let Some((app, maildir)) = smtp_app(Backend::Sqlite, None).await else {
        return;
    };
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Wartende").await;
    let held = book(&app, &resident, &offer, &starts_at, true).await;
    let id: Uuid = held["id"].as_str().unwrap().parse().unwrap();
    let until = Utc::now() + chrono::Duration::minutes(30);
    api::core::outbox::record(
        &app.state.db,
        app.state.city.id,
        "waitlist",
        Uuid::new_v4(),
        "waitlist.offered",
        json!({"booking_id": id, "offer_id": offer, "user_id": resident.id,
               "starts_at": starts_at, "offered_until": until}),
    )
    .await
    .unwrap();
    let mails = wait_for_mail(&maildir, &resident.email, 1).await;
    assert!(
        mails[0].subject.starts_with("Ein Platz ist für Sie frei"),
        "{}",
        mails[0].subject
    );
    assert_eq!(mails[0].ics_method, "REQUEST");
    assert_eq!(mails[0].prop("STATUS"), "TENTATIVE");
    assert!(mails[0].prop("UID").starts_with(&format!("booking-{id}@")));
}

/// Without SMTP_URL each message is one log line, and the deliveries are done.
async fn without_smtp_the_log_gets_them(app: TestApp) {
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Lena").await;
    let b = book(&app, &resident, &offer, &starts_at, false).await;
    let id: Uuid = b["id"].as_str().unwrap().parse().unwrap();
    post(&app, &resident, &format!("/api/v1/bookings/{id}/cancel")).await;
    let pending = || async {
        entities::outbox_delivery::Entity::find()
            .filter(entities::outbox_delivery::Column::Consumer.eq("notifications"))
            .filter(entities::outbox_delivery::Column::AggregateId.eq(id))
            .filter(entities::outbox_delivery::Column::DoneAt.is_null())
            .count(&app.state.db)
            .await
            .unwrap()
    };
    let all = entities::outbox_delivery::Entity::find()
        .filter(entities::outbox_delivery::Column::Consumer.eq("notifications"))
        .filter(entities::outbox_delivery::Column::AggregateId.eq(id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(all, 2, "confirmed and cancelled each have a delivery");
    for _ in 0..100 {
        if pending().await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pending().await, 0, "the consumer marks its deliveries done");
    let unprocessed = entities::outbox_event::Entity::find()
        .filter(entities::outbox_event::Column::AggregateId.eq(id))
        .filter(entities::outbox_event::Column::ProcessedAt.is_null())
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(unprocessed, 0, "and the events are processed");
}
on_both!(without_smtp_the_log_gets_them);

/// The notification deliveries of one booking not yet done.
async fn pending_deliveries(app: &TestApp, booking: Uuid) -> u64 {
    entities::outbox_delivery::Entity::find()
        .filter(entities::outbox_delivery::Column::Consumer.eq("notifications"))
        .filter(entities::outbox_delivery::Column::AggregateId.eq(booking))
        .filter(entities::outbox_delivery::Column::DoneAt.is_null())
        .count(&app.state.db)
        .await
        .unwrap()
}

/// `NOTIFIER=external`: the server sends nothing itself; a separate `city-portal
/// notifier` process on the same database sends what is due and stops on SIGTERM.
async fn a_separate_notifier_process_sends_them(backend: Backend) {
    let Some(app) = spawn_with(
        backend,
        Opts {
            env: vec![("NOTIFIER", "external".into())],
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Ilse").await;
    let b = book(&app, &resident, &offer, &starts_at, false).await;
    let id: Uuid = b["id"].as_str().unwrap().parse().unwrap();
    post(&app, &resident, &format!("/api/v1/bookings/{id}/cancel")).await;
    // The in-server notifier would have handled them within a poll interval (500 ms).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        pending_deliveries(&app, id).await,
        2,
        "the server sent nothing"
    );

    let log = tempfile::NamedTempFile::new().unwrap();
    let workdir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
        .arg("notifier")
        .current_dir(workdir.path())
        .env_clear()
        .env("DATABASE_URL", &app.database_url)
        .env("DEMO_DATA", "false")
        .env("CITY_NAME", "Testhausen")
        .env(
            "PARTNER_SECRETS_KEY",
            "dGVzdC1rZXktb2YtMzItYnl0ZXMtZm9yLWFlcy1nY20=",
        )
        .env("LOG", "info")
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut left = 2;
    for _ in 0..200 {
        left = pending_deliveries(&app, id).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stop = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stop.success());
    let status = child.wait().unwrap();
    let stderr = std::fs::read_to_string(log.path()).unwrap();
    assert_eq!(left, 0, "the notifier process sent them: {stderr}");
    assert!(
        status.success(),
        "it stops cleanly on SIGTERM: {status}, {stderr}"
    );
    assert!(stderr.contains("notifier running"), "{stderr}");
    // Written to the log (no SMTP_URL): at least the cancellation (the confirmation is
    // left out when the booking was cancelled before it went out).
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("SMTP_URL not set") && l.contains(&id.to_string())),
        "{stderr}"
    );
}

/// The mail server refuses connections: the batch stops at the first message, which
/// waits for its retry, and gives the rest back due at once instead of trying each.
async fn a_failing_mail_server_ends_the_batch(backend: Backend) {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(app) = spawn_with(
        backend,
        Opts {
            env: vec![
                ("NOTIFIER", "external".into()),
                ("SMTP_URL", format!("smtp://127.0.0.1:{closed}")),
            ],
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let mut ids = Vec::new();
    for name in ["Ada", "Bea", "Cem"] {
        let r = app.register(name).await;
        let b = book(&app, &r, &offer, &starts_at, false).await;
        ids.push(b["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let notifier = api::notifications::Notifier::with_i18n(
        app.state.db.clone(),
        &app.state.config,
        app.state.i18n.clone(),
    )
    .unwrap();
    // The process's counters are shared by the tests' servers: compared with before.
    let failures = |text: &str| {
        metric_sum(
            text,
            "city_portal_mail_failures_total",
            "reason=\"temporary\"",
        )
    };
    let attempts = "city_portal_outbox_failed_attempts_total{consumer=\"notifications\"}";
    let text = app.scrape().await;
    let (failures_before, attempts_before) =
        (failures(&text), metric_of(&text, attempts).unwrap_or(0.0));
    let batch = notifier.process_batch().await.unwrap();
    assert_eq!(batch.handled, 1, "one tried");
    assert!(batch.mail_failed);
    // `/metrics` counted the mail failure and the failed delivery attempt.
    let text = app.scrape().await;
    assert!(failures(&text) >= failures_before + 1.0, "{text}");
    assert!(
        metric_of(&text, attempts).unwrap() >= attempts_before + 1.0,
        "{text}"
    );
    let deliveries = |id: Uuid| {
        let db = app.state.db.clone();
        async move {
            entities::outbox_delivery::Entity::find()
                .filter(entities::outbox_delivery::Column::Consumer.eq("notifications"))
                .filter(entities::outbox_delivery::Column::AggregateId.eq(id))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let now = Utc::now();
    let first = deliveries(ids[0]).await;
    assert_eq!(first.attempts, 1);
    assert!(first.last_error.is_some());
    assert!(
        first.next_attempt_at > now,
        "the failed one waits: {first:?}"
    );
    for id in &ids[1..] {
        let d = deliveries(*id).await;
        assert_eq!(d.attempts, 0, "{d:?}");
        assert!(d.done_at.is_none());
        assert!(d.next_attempt_at <= now, "given back, due at once: {d:?}");
    }
    // The next batch takes the next one (the failed one is kept waiting here, whatever
    // its first retry delay and however slow this machine).
    entities::outbox_delivery::Entity::update_many()
        .col_expr(
            entities::outbox_delivery::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(Utc::now() + chrono::Duration::hours(1)),
        )
        .filter(entities::outbox_delivery::Column::AggregateId.eq(ids[0]))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(notifier.process_batch().await.unwrap().handled, 1);
    assert_eq!(deliveries(ids[1]).await.attempts, 1);
    assert_eq!(deliveries(ids[2]).await.attempts, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_mail_server_ends_the_batch_on_sqlite() {
    a_failing_mail_server_ends_the_batch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_mail_server_ends_the_batch_on_postgres() {
    a_failing_mail_server_ends_the_batch(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_notifier_process_sends_them_on_sqlite() {
    a_separate_notifier_process_sends_them(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_notifier_process_sends_them_on_postgres() {
    a_separate_notifier_process_sends_them(Backend::Postgres).await;
}

/// `GET /api/v1/bookings/{id}.ics` (and `/calendar.ics`): the resident's own only.
async fn calendar_file_of_a_booking(app: TestApp) {
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Ida").await;
    let b = book(&app, &resident, &offer, &starts_at, false).await;
    let id = b["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/bookings/{id}.ics"),
        format!("/api/v1/bookings/{id}/calendar.ics"),
    ] {
        let resp = resident.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(
            resp.headers()["content-type"].to_str().unwrap(),
            "text/calendar; charset=utf-8"
        );
        let body = resp.text().await.unwrap();
        let lines = content_lines(&body);
        let get = |name: &str| {
            lines
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("METHOD").as_deref(), Some("PUBLISH"));
        assert!(get("UID").unwrap().starts_with(&format!("booking-{id}@")));
        assert_eq!(get("DTSTART"), Some(utc_stamp(&starts_at)));
        assert_eq!(get("STATUS").as_deref(), Some("CONFIRMED"));

        let stranger = app.register("Fremd").await;
        let resp = stranger.client.get(app.url(&path)).send().await.unwrap();
        problem(resp, 404).await;
        let resp = client().get(app.url(&path)).send().await.unwrap();
        problem(resp, 401).await;
    }
    let resp = resident
        .client
        .get(app.url(&format!("/api/v1/bookings/{}.ics", Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    problem(resp, 404).await;
}
on_both!(calendar_file_of_a_booking);

async fn fetch(app: &TestApp, path: &str) -> StatusCode {
    client().get(app.url(path)).send().await.unwrap().status()
}

/// The personal feed: created, read without login, rotated, turned off, exported and
/// deleted with the account.
async fn calendar_feed(app: TestApp) {
    let (_owner, offer, starts_at) = class_tomorrow(&app).await;
    let resident = app.register("Feed").await;
    let b = book(&app, &resident, &offer, &starts_at, false).await;
    let id = b["id"].as_str().unwrap();

    let status: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/calendar-feed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["active"], false);
    let create = || async {
        let resp = resident
            .client
            .post(app.url("/api/v1/accounts/me/calendar-feed"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let v: Value = resp.json().await.unwrap();
        v["url"].as_str().unwrap().to_string()
    };
    let url = create().await;
    let path = url::Url::parse(&url).unwrap().path().to_string();
    assert!(
        path.starts_with("/calendar/") && path.ends_with(".ics"),
        "{path}"
    );
    let resp = client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/calendar; charset=utf-8"
    );
    let body = resp.text().await.unwrap();
    assert!(body.contains(&format!("UID:booking-{id}@")), "{body}");
    assert!(body.contains("METHOD:PUBLISH"));
    assert!(!body.contains(&resident.email), "a feed names nobody");

    // Only the hash is stored.
    let token = path
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics");
    let stored = entities::calendar_feed::Entity::find_by_id(resident.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, token);
    assert_eq!(stored.token_hash.len(), 64);

    // Rotating: the old address is gone, the new one works.
    let rotated = create().await;
    assert_ne!(rotated, url);
    let new_path = url::Url::parse(&rotated).unwrap().path().to_string();
    assert_eq!(fetch(&app, &path).await, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&app, &new_path).await, StatusCode::OK);

    // The export says the feed exists (never its address).
    let export: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["calendar_feed"]["active"], true, "{export}");
    assert!(!export.to_string().contains(token));

    // Off: 404.
    let resp = resident
        .client
        .delete(app.url("/api/v1/accounts/me/calendar-feed"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &new_path).await, StatusCode::NOT_FOUND);

    // Deleting the account removes its feed.
    create().await;
    let resp = resident
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let left = entities::calendar_feed::Entity::find_by_id(resident.id)
        .one(&app.state.db)
        .await
        .unwrap();
    assert!(left.is_none());
}
on_both!(calendar_feed);

/// The confirmation of a citizens' office appointment says its fee and what to bring,
/// in the email's text and in its calendar entry (and in the `.ics` download).
async fn emails_say_price_and_what_to_bring(backend: Backend) {
    let Some((app, maildir)) = smtp_app(backend, None).await else {
        return;
    };
    api::demo::seed::seed_services(&app.state.db, &app.state.city)
        .await
        .unwrap();
    let service = api::demo::services::SERVICES
        .iter()
        .find(|s| s.slug == "identity-card")
        .unwrap();
    let seed = api::demo::services::APPOINTMENTS
        .iter()
        .find(|a| a.service == "identity-card")
        .unwrap();
    let offers: Value = client()
        .get(app.url("/api/v1/listings/identity-card/offers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer = offers["items"][0]["id"].as_str().unwrap().to_string();
    let from = Utc::now().date_naive() + chrono::Duration::days(1);
    let slots: Value = client()
        .get(app.url(&format!(
            "/api/v1/offers/{offer}/availability?from={from}&to={}",
            from + chrono::Duration::days(13)
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts_at = slots["slots"][0]["starts_at"].as_str().unwrap().to_string();
    let resident = app.register("Ines").await;
    let b = book(&app, &resident, &offer, &starts_at, false).await;
    let mails = wait_for_mail(&maildir, &resident.email, 1).await;
    let confirmation = mails
        .iter()
        .find(|m| m.subject.starts_with("Buchung bestätigt"))
        .unwrap_or_else(|| panic!("no confirmation in {mails:?}"));
    let price = format!("Preis: {}", seed.price_de);
    assert!(confirmation.text.contains(&price), "{}", confirmation.text);
    assert!(confirmation.text.contains("Was Sie mitbringen müssen:"));
    for item in service.what_to_bring_de {
        assert!(
            confirmation.text.contains(&format!("- {item}")),
            "{item} in {}",
            confirmation.text
        );
    }
    let description = unescape_text(&confirmation.prop("DESCRIPTION"));
    assert!(description.contains(&price), "{description}");
    assert!(
        description.contains(service.what_to_bring_de[0]),
        "{description}"
    );
    let ics = resident
        .client
        .get(app.url(&format!(
            "/api/v1/bookings/{}.ics",
            b["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let downloaded = content_lines(&ics)
        .into_iter()
        .find(|(n, _)| n == "DESCRIPTION")
        .map(|(_, v)| unescape_text(&v))
        .unwrap();
    assert!(downloaded.contains(&price), "{downloaded}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_say_price_and_what_to_bring_on_sqlite() {
    emails_say_price_and_what_to_bring(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_say_price_and_what_to_bring_on_postgres() {
    emails_say_price_and_what_to_bring(Backend::Postgres).await;
}
