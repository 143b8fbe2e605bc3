//! Database errors as problems, from real errors of SQLite and PostgreSQL.

use api::core::problem::{ApiError, Problem};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, SqlErr};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both;

fn user(email: &str) -> entities::user::ActiveModel {
    entities::user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.to_string()),
        password_hash: Set("not a hash".into()),
        display_name: Set("Twice".into()),
        locale: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        deleted_at: Set(None),
        email_verified_at: Set(None),
        credentials_changed_at: Set(None),
    }
}

/// A second row with the same unique value (a user's email) is a 409 `duplicate`.
async fn unique_violation_is_a_conflict_not_a_500(app: TestApp) {
    let db = &app.state.db;
    user("twice@example.org").insert(db).await.unwrap();
    let err = user("twice@example.org").insert(db).await.unwrap_err();
    assert!(
        matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
        "a real unique violation: {err}"
    );
    let p = Problem::from(err);
    assert_eq!(p.status, 409, "{p:?}");
    assert_eq!(p.code(), "duplicate");
    assert_eq!(
        p.detail.as_deref(),
        Some("A resource with the same unique value already exists.")
    );

    // The same through the API's error type.
    let err = user("twice@example.org").insert(db).await.unwrap_err();
    assert!(
        matches!(ApiError::from(err), ApiError::Conflict(ref j) if j.0.code() == "duplicate"),
        "a 409 response"
    );

    // Any other database error stays a 500 that shows nothing of it.
    let err = db
        .execute_unprepared("SELECT no_such_column FROM users")
        .await
        .unwrap_err();
    let p = Problem::from(err);
    assert_eq!(p.status, 500);
    assert_eq!(p.code(), "internal");
    assert!(!p.detail.unwrap_or_default().contains("no_such_column"));
}
on_both!(unique_violation_is_a_conflict_not_a_500);

/// Control characters never reach a handler (NUL was a 500 on PostgreSQL, which refuses
/// it in text): in a path segment 404, in a query parameter, a JSON field or a form
/// field 422 naming it; a JSON object with a key twice 400; nothing stored.
async fn control_characters_and_duplicate_keys_are_refused_at_the_edge(app: TestApp) {
    let http = client();
    let get = |path: &str| http.get(app.url(path)).send();
    let r = get("/api/v1/listings/a%00b").await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = get("/listings/caf%1Bx").await.unwrap();
    assert_eq!(r.status(), 404);
    let p = problem(get("/api/v1/search?district=%00").await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["district"]);
    let p = problem(get("/search?q=a%00").await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["q"]);

    // JSON: the login's email with NUL, a nested field with an escape character.
    let r = http
        .post(app.url("/api/v1/accounts/login"))
        .header("content-type", "application/json")
        .body(r#"{"email": "a\u0000@example.org", "password": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["email"]);
    let (owner, org) = app.business_owner("Edge").await;
    let mut body = business_body(org, "Kante");
    body["name"]["en"] = serde_json::json!("Edge\u{1b}[31m");
    let r = owner
        .client
        .post(app.url("/api/v1/listings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["name.en"]);
    // A key twice: which one counts would depend on the parser.
    let r = owner
        .client
        .post(app.url("/api/v1/organizations"))
        .header("content-type", "application/json")
        .body(r#"{"name": "Erste", "name": "Zweite"}"#)
        .send()
        .await
        .unwrap();
    let p = problem(r, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("`name`"), "{p}");
    // A page's form with NUL: a page naming the field, in the page's language.
    let r = http
        .post(app.url("/login?lang=en"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "en")
        .body("email=a%00%40example.org&password=x&csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("email"), "{html}");
    assert!(html.contains("(NUL)"), "{html}");
    // Nothing was stored.
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let stored = entities::organization::Entity::find()
        .filter(entities::organization::Column::Name.is_in(["Erste", "Zweite"]))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let listings = entities::listing::Entity::find()
        .filter(entities::listing::Column::NameDe.eq("Kante"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(listings, 0);
    // Text with line breaks and tabs in a body is fine.
    let r = http
        .post(app.url("/api/v1/accounts/login"))
        .json(&serde_json::json!({"email": "nobody@example.org", "password": "two\nlines\t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
on_both!(control_characters_and_duplicate_keys_are_refused_at_the_edge);

/// A page's form body over `FORM_MAX_BYTES` is refused with 413 before it is read
/// (announced by its length) or as soon as the limit is passed (chunked); the API keeps
/// its own, larger limit.
async fn form_bodies_are_bounded(app: TestApp) {
    let http = client();
    let big = format!("email=a%40b.de&password={}", "x".repeat(100 * 1024));
    let r = http
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["type"], "/problems/payload-too-large");
    // Streamed without a length (chunked, by hand over a socket).
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = app.base.trim_start_matches("http://").to_string();
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /register HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        for chunk in big.as_bytes().chunks(8192) {
            let framed = format!("{:x}\r\n", chunk.len());
            // The server may answer and close before the last chunk: stop writing then.
            if s.write_all(framed.as_bytes()).await.is_err()
                || s.write_all(chunk).await.is_err()
                || s.write_all(b"\r\n").await.is_err()
            {
                break;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
    // The same size is no problem for the API (1 MiB by default): it answers as usual.
    let r = client()
        .post(app.url("/api/v1/accounts/login"))
        .json(&serde_json::json!({"email": "a@b.de", "password": "x".repeat(100 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 413);
}
on_both!(form_bodies_are_bounded);

/// Dates far outside the present (a class in 1900, a membership starting in 2999, an
/// opening-hours exception or an availability from 1900) are refused with 422 naming
/// the field, and nothing is stored.
async fn dates_outside_a_sane_window_are_refused(app: TestApp) {
    let (owner, org) = app.business_owner("Zeitfenster").await;
    let (listing, etag) = app.create_listing(&owner, org, "Zeitfenster").await;
    let id = listing["id"].as_str().unwrap();
    let offer = |body: serde_json::Value| {
        owner
            .client
            .post(app.url(&format!("/api/v1/listings/{id}/offers")))
            .json(&body)
            .send()
    };
    let p = problem(
        offer(serde_json::json!({
            "kind": "class",
            "name": {"en": "Old yoga"},
            "class": {"seats": 5, "duration_minutes": 60, "sessions": ["1900-01-01T18:00:00"]}
        }))
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["class.sessions[0]"]);
    let p = problem(
        offer(serde_json::json!({
            "kind": "class",
            "name": {"en": "Far yoga"},
            "class": {"seats": 5, "duration_minutes": 60,
                      "recurrence": {"weekdays": ["mo"], "time": "18:00", "from": "2999-01-01", "until": "2999-02-01"}}
        }))
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        fields(&p),
        ["class.recurrence.from", "class.recurrence.until"]
    );
    let p = problem(
        offer(serde_json::json!({
            "kind": "membership",
            "name": {"en": "Forever"},
            "membership": {"period": "month", "price": "10 €", "start_dates": ["2999-01-01"]}
        }))
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["membership.start_dates[0]"]);
    let mut body = business_body(org, "Zeitfenster");
    body["opening_hours"]["exceptions"][0]["date"] = serde_json::json!("1900-12-24");
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(fields(&p), ["opening_hours.exceptions[0].date"]);
    use sea_orm::{EntityTrait, PaginatorTrait};
    let offers = entities::offer::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(offers, 0);
    // A first date of availability in 1900 names `from`, once an offer exists.
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let created = offer(serde_json::json!({
        "kind": "class",
        "name": {"en": "Yoga"},
        "class": {"seats": 5, "duration_minutes": 60, "sessions": [format!("{day}T18:00:00")]}
    }))
    .await
    .unwrap();
    assert_eq!(created.status(), 201);
    let o: serde_json::Value = created.json().await.unwrap();
    let r = client()
        .get(app.url(&format!(
            "/api/v1/offers/{}/availability?from=1900-01-01",
            o["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["from"]);
}
on_both!(dates_outside_a_sane_window_are_refused);

/// JSON values of the wrong type are refused, never converted: a boolean or a number
/// where a text belongs, or a text where a number belongs, is 400 naming the field, and
/// nothing is stored. `null` stays the same as leaving a field out.
async fn json_types_are_strict(app: TestApp) {
    let (owner, org) = app.business_owner("Typen").await;
    for body in [
        serde_json::json!({"name": false}),
        serde_json::json!({"name": 12345}),
        serde_json::json!({"name": ["Liste"]}),
    ] {
        let r = owner
            .client
            .post(app.url("/api/v1/organizations"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(r, 400).await;
        assert_eq!(fields(&p), ["name"], "{body}: {p}");
        assert_eq!(p["errors"][0]["message"], "must be a string", "{p}");
    }
    let r = client()
        .post(app.url("/api/v1/accounts/login"))
        .json(&serde_json::json!({"email": 1, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 400).await), ["email"]);
    // Nested, and a number given as text.
    let (listing, _) = app.create_listing(&owner, org, "Typen").await;
    let id = listing["id"].as_str().unwrap();
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/offers")))
        .json(&serde_json::json!({
            "kind": "class",
            "name": {"en": true},
            "collect_email": "yes",
            "class": {"seats": "5", "duration_minutes": 60, "sessions": [format!("{day}T18:00:00")]},
            "description": null
        }))
        .send()
        .await
        .unwrap();
    let p = problem(r, 400).await;
    let named = sorted_fields(&p);
    assert_eq!(named, ["class.seats", "collect_email", "name.en"], "{p}");
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let stored = entities::organization::Entity::find()
        .filter(entities::organization::Column::Name.is_in(["false", "12345"]))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let offers = entities::offer::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(offers, 0);
}
on_both!(json_types_are_strict);

/// The edge holds an API body to its operation's schema in the published document:
/// what the document states (a length, a form, a range) is 422 naming the field before
/// a handler runs; fields the document does not name are ignored, whatever their text;
/// a number written with a zero fraction is the integer it is.
async fn bodies_are_held_to_the_document(app: TestApp) {
    let (owner, org) = app.business_owner("Dokument").await;
    // Out of the document's bounds: each field named, nothing stored.
    let r = owner
        .client
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&serde_json::json!({"name": "   ", "expires_in_days": 366}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let named = sorted_fields(&p);
    assert_eq!(named, ["expires_in_days", "name"], "{p}");
    let r = client()
        .post(app.url("/api/v1/accounts/register"))
        .json(
            &serde_json::json!({"email": "no address", "password": "short", "display_name": "Ann"}),
        )
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let named = sorted_fields(&p);
    assert_eq!(named, ["email", "password"], "{p}");
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"] == "must be an email address"),
        "{p}"
    );
    // An unknown field, however odd its text, is ignored; a known one is not.
    let r = owner
        .client
        .post(app.url("/api/v1/organizations"))
        .json(&serde_json::json!({"name": "Extra Oy", "note\u{0}": "\u{0}\u{1b}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let r = owner
        .client
        .post(app.url("/api/v1/organizations"))
        .json(&serde_json::json!({"name": "Extra\u{0} Oy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["name"]);
    // 5.0 seats are five seats.
    let (listing, _) = app.create_listing(&owner, org, "Dokument").await;
    let id = listing["id"].as_str().unwrap();
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{id}/offers")))
        .json(&serde_json::json!({
            "kind": "class",
            "name": {"en": "Floats"},
            "class": {"seats": 5.0, "duration_minutes": 6e1, "sessions": [format!("{day}T18:00:00")]}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let offer: serde_json::Value = r.json().await.unwrap();
    assert_eq!(offer["class"]["seats"], 5, "{offer}");
    // A date, a local date-time or a UUID of another form, and a negative count, are
    // refused in the document's words, each named (poem's parser used to answer 400).
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/offers/{}", offer["id"].as_str().unwrap())))
        .json(&serde_json::json!({
            "kind": "class",
            "name": {"en": "Floats"},
            "max_active_per_resident": -1,
            "class": {"seats": 5, "duration_minutes": 60, "sessions": [format!("{day} 18:00")]}
        }))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let named = sorted_fields(&p);
    assert_eq!(
        named,
        ["class.sessions[0]", "max_active_per_resident"],
        "{p}"
    );
    assert!(p.to_string().contains("must be a local date-time"), "{p}");
    assert!(p.to_string().contains("must be at least 0"), "{p}");
    let r = owner
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", "dates-of-another-form")
        .json(&serde_json::json!({"offer_id": "not-a-uuid", "start_date": "2026-13-01"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let named = sorted_fields(&p);
    assert_eq!(named, ["offer_id", "start_date"], "{p}");
    assert!(p.to_string().contains("must be a date as RFC 3339"), "{p}");
    // The OAuth endpoints take POST alone, and say so.
    let r = client()
        .request(reqwest::Method::TRACE, app.url("/oauth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "POST");
}
on_both!(bodies_are_held_to_the_document);
