//! The city's own appointments and what booking shows of an offer, on SQLite and
//! PostgreSQL: the citizens' office's seeded appointments (realistic lengths and
//! counters, opening hours, what to bring, a price), public holidays closing them, the
//! service pages saying how to apply, an offer's price and what to bring through the
//! API and the pages, the real size of classes and memberships, and extending a hold
//! once.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::booking::{availability, book, create_offer, post, published_listing};
use crate::booking_pages::{get_html, input_value, redirected};
use crate::helpers::*;
use crate::on_both_with;
use api::core::holidays::Region;

fn berlin() -> Region {
    Region::parse("DE-BE").unwrap()
}

fn today(app: &TestApp) -> NaiveDate {
    Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
}

async fn offers_of(app: &TestApp, listing: &str) -> Vec<Value> {
    let r = client()
        .get(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("offers in {v}"))
}

/// The seeded services: at least eight municipal services have a native appointment
/// of 10-30 minutes at several counters in the office's hours, closed on holidays, with
/// the service's "what to bring" and a fee; their pages show the way to book, say how
/// to apply and link no placeholder, and list the coming holidays as closures.
async fn the_citizens_office_offers_appointments(app: TestApp) {
    api::demo::seed::seed_services(&app.state.db, &app.state.city)
        .await
        .unwrap();
    let mut bookable = 0;
    for a in api::demo::services::APPOINTMENTS {
        let s = api::demo::services::SERVICES
            .iter()
            .find(|s| s.slug == a.service)
            .unwrap();
        let offers = offers_of(&app, a.service).await;
        assert_eq!(offers.len(), 1, "{}: {offers:?}", a.service);
        let o = &offers[0];
        assert_eq!(o["kind"], "appointment");
        assert_eq!(o["provider"], "native");
        let minutes = o["appointment"]["duration_minutes"].as_u64().unwrap();
        assert!((10..=30).contains(&minutes), "{}: {minutes}", a.service);
        assert!(o["appointment"]["parallel"].as_u64().unwrap() >= 2);
        assert_eq!(o["appointment"]["closed_on_holidays"], true);
        assert_eq!(
            o["appointment"]["availability"]["weekly"]
                .as_array()
                .unwrap()
                .len(),
            s.hours.len()
        );
        assert_eq!(o["price"]["de"], a.price_de);
        assert_eq!(o["price"]["en"], a.price_en);
        assert_eq!(o["what_to_bring"]["de"], json!(s.what_to_bring_de));
        assert_eq!(o["what_to_bring"]["en"], json!(s.what_to_bring_en));

        // Every time offered lies inside the office's hours and on no holiday.
        let id = o["id"].as_str().unwrap();
        let from = today(&app) + Duration::days(1);
        let slots = availability(
            &app,
            id,
            &format!("from={from}&to={}", from + Duration::days(13)),
        )
        .await;
        assert!(!slots.is_empty(), "{}: no times in two weeks", a.service);
        for slot in &slots {
            let start = chrono::DateTime::parse_from_rfc3339(slot["starts_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&app.state.city.timezone);
            let wd = start.weekday().num_days_from_monday() as u8;
            let hm = start.format("%H:%M").to_string();
            let rule = s.hours.iter().find(|h| h.weekday == wd);
            assert!(
                rule.is_some_and(|h| h.opens <= hm.as_str() && hm.as_str() < h.closes),
                "{}: {hm} on weekday {wd}",
                a.service
            );
            assert!(berlin().holiday_on(start.date_naive()).is_none());
            assert_eq!(
                slot["remaining"].as_u64(),
                o["appointment"]["parallel"].as_u64()
            );
        }
        bookable += 1;

        // The service page: the way to book, how to apply, no placeholder link.
        let (status, html) = get_html(
            &client(),
            &app.url(&format!("/services/{}?lang=en", a.service)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(&format!("href=\"/offers/{id}\"")),
            "{}",
            a.service
        );
        assert!(html.contains("href=\"#h-book\""), "{}", a.service);
        assert!(html.contains("In person at "), "{}", a.service);
        assert!(html.contains(a.price_en), "{}", a.service);
        assert!(!html.contains("city.example/services"), "{}", a.service);
        let window = (today(&app), today(&app) + Duration::days(90));
        for h in berlin().between(window.0, window.1) {
            let shown = h.name_en.replace('\'', "&#x27;");
            assert!(
                html.contains(&shown),
                "{}: {} not shown",
                a.service,
                h.name_en
            );
        }
    }
    assert!(bookable >= 8);
    // Services without an online application say how to apply instead of linking one.
    let (_, html) = get_html(
        &client(),
        &app.url("/services/report-street-defect?lang=en"),
    )
    .await;
    assert!(html.contains("By phone:"), "{html}");
    assert!(!html.contains("Apply online"));
    assert!(!html.contains("city.example/services"));
}

on_both_with!(
    the_citizens_office_offers_appointments,
    vec![("CITY_HOLIDAYS", "DE-BE".to_string())]
);

/// An appointment open every day, closed on holidays: no times on a holiday (and
/// booking one is refused), unless a dated exception opens that day.
async fn holidays_close_appointments(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Amtsstube").await;
    let start = today(&app) + Duration::days(2);
    let holidays = berlin().between(start, start + Duration::days(360));
    let (closed, opened) = (holidays[0].date, holidays[1].date);
    let weekly: Vec<Value> = ["mo", "tu", "we", "th", "fr", "sa", "su"]
        .iter()
        .map(|d| json!({"weekday": d, "opens": "09:00", "closes": "11:00"}))
        .collect();
    let offer = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "appointment",
            "name": {"de": "Vorsprache"},
            "horizon_days": 365,
            "appointment": {
                "duration_minutes": 30,
                "parallel": 2,
                "closed_on_holidays": true,
                "availability": {"weekly": weekly, "exceptions": [
                    {"date": opened.to_string(), "closed": false, "opens": "10:00", "closes": "11:00"}
                ]},
            },
        }),
    )
    .await;
    let id = offer["id"].as_str().unwrap();
    assert_eq!(offer["appointment"]["closed_on_holidays"], true);
    let on = |d: NaiveDate| format!("from={d}&to={d}");
    assert!(
        availability(&app, id, &on(closed)).await.is_empty(),
        "{closed}"
    );
    assert_eq!(
        availability(&app, id, &on(opened)).await.len(),
        2,
        "{opened}"
    );
    let normal = start + Duration::days(1);
    let normal = (0..30)
        .map(|i| normal + Duration::days(i))
        .find(|d| berlin().holiday_on(*d).is_none())
        .unwrap();
    assert_eq!(availability(&app, id, &on(normal)).await.len(), 4);

    // Booking a holiday's time is refused, naming the field.
    let resident = app.register("Hanna").await;
    let at = api::booking::availability::local_to_utc(
        app.state.city.timezone,
        closed.and_hms_opt(9, 0, 0).unwrap(),
    )
    .unwrap()
    .with_timezone(&app.state.city.timezone)
    .to_rfc3339();
    let (status, body) = book(
        &app,
        &resident,
        "holiday-1",
        &json!({"offer_id": id, "starts_at": at}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["starts_at"]);

    // Without the setting, holidays close nothing.
    let off = spawn_with(
        if app.database_url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        },
        Opts {
            database_url: Some(app.database_url.clone()),
            env: vec![("CITY_HOLIDAYS", "none".into())],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let r = client()
        .get(off.url(&format!("/api/v1/offers/{id}/availability?{}", on(closed))))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["slots"].as_array().unwrap().len(), 4, "{v}");
}

on_both_with!(
    holidays_close_appointments,
    vec![("CITY_HOLIDAYS", "DE-BE".to_string())]
);

/// An offer's price and what to bring: validated, stored, read back, changed, and shown
/// on the offer list, the time picker and the review; classes and memberships say their
/// real size and price.
async fn offers_carry_price_and_what_to_bring(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Passbilder").await;
    let weekly = json!([{"weekday": "mo", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "tu", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "we", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "th", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "fr", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "sa", "opens": "09:00", "closes": "12:00"},
                        {"weekday": "su", "opens": "09:00", "closes": "12:00"}]);
    let appointment =
        json!({"duration_minutes": 15, "parallel": 3, "availability": {"weekly": weekly}});

    // Bad input names each field.
    let r = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "appointment",
            "name": {"de": "Passfoto"},
            "price": {"de": "x".repeat(101)},
            "what_to_bring": {"de": ["Ausweis", "zwei\nZeilen", " "], "en": []},
            "appointment": appointment,
        }))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(
        fields(&p),
        ["price.de", "what_to_bring.de[1]", "what_to_bring.de[2]"],
        "{p}"
    );

    let o = create_offer(
        &app,
        &owner,
        &listing,
        json!({
            "kind": "appointment",
            "name": {"de": "Passfoto", "en": "Passport photo"},
            "price": {"de": "12,00 €", "en": "€12.00"},
            "what_to_bring": {"de": ["Brille, falls Sie eine tragen"], "en": ["Your glasses, if you wear them"]},
            "collect_email": true,
            "appointment": appointment,
        }),
    )
    .await;
    let id = o["id"].as_str().unwrap().to_string();
    assert_eq!(o["price"], json!({"de": "12,00 €", "en": "€12.00"}));
    assert_eq!(
        o["what_to_bring"]["en"],
        json!(["Your glasses, if you wear them"])
    );
    let stored = entities::offer::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.price_de, "12,00 €");
    assert_eq!(stored.what_to_bring_de, "Brille, falls Sie eine tragen");

    // The listing's "Book" section and the time picker show them.
    let (_, html) = get_html(&client(), &app.url(&format!("/listings/{listing}?lang=en"))).await;
    assert!(html.contains("Price: €12.00"), "{html}");
    assert!(html.contains("Your glasses, if you wear them"));
    assert!(html.contains("Appointment, 15 minutes"));
    let resident = app.register("Paula").await;
    let (_, html) = get_html(&resident.client, &app.url(&format!("/offers/{id}?lang=en"))).await;
    assert!(html.contains("Price: €12.00"), "{html}");

    // The review of a hold shows the price and what to bring, and so does the booking.
    let slot = availability(&app, &id, "").await[0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, b) = book(
        &app,
        &resident,
        "photo-1",
        &json!({"offer_id": id, "starts_at": slot, "hold": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let bid = b["id"].as_str().unwrap();
    let (_, html) = get_html(
        &resident.client,
        &app.url(&format!("/account/bookings/{bid}?lang=de")),
    )
    .await;
    assert!(html.contains("12,00 €"), "{html}");
    assert!(html.contains("Brille, falls Sie eine tragen"));
    assert!(html.contains("Was Sie mitbringen müssen"));

    // An update changes them; clearing them removes them.
    let mut body = json!({
        "kind": "appointment",
        "name": {"de": "Passfoto"},
        "price": {"de": "15,00 €"},
        "appointment": appointment,
    });
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/offers/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["price"], json!({"de": "15,00 €", "en": ""}));
    assert_eq!(v["what_to_bring"], json!({"de": [], "en": []}));
    body["price"] = json!(null);
    let r = owner
        .client
        .put(app.url(&format!("/api/v1/offers/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["price"], json!({"de": "", "en": ""}));

    // A class says its length and seats; a membership its price and period.
    let day = today(&app) + Duration::days(3);
    create_offer(
        &app,
        &owner,
        &listing,
        json!({"kind": "class", "name": {"en": "Spinning"},
               "class": {"seats": 14, "duration_minutes": 45, "sessions": [format!("{day}T18:00:00")]}}),
    )
    .await;
    create_offer(
        &app,
        &owner,
        &listing,
        json!({"kind": "membership", "name": {"en": "Flat rate"},
               "membership": {"period": "month", "price": "39 € / month", "start_dates": [day.to_string()]}}),
    )
    .await;
    let (_, html) = get_html(&client(), &app.url(&format!("/listings/{listing}?lang=en"))).await;
    assert!(
        html.contains("Class, 45 minutes, up to 14 people"),
        "{html}"
    );
    assert!(
        html.contains("Membership, 39 € / month (monthly)"),
        "{html}"
    );
    assert!(!html.contains(" 0 minutes"));
}

on_both_with!(offers_carry_price_and_what_to_bring, Vec::new());

/// A hold is extended once, by the hold's length, through the API and the review page;
/// a second time answers 409 `hold-extended`.
async fn a_hold_is_extended_once(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Meldestelle").await;
    let weekly: Vec<Value> = ["mo", "tu", "we", "th", "fr", "sa", "su"]
        .iter()
        .map(|d| json!({"weekday": d, "opens": "08:00", "closes": "16:00"}))
        .collect();
    let o = create_offer(
        &app,
        &owner,
        &listing,
        json!({"kind": "appointment", "name": {"de": "Termin"},
               "appointment": {"duration_minutes": 20, "parallel": 1, "availability": {"weekly": weekly}}}),
    )
    .await;
    let id = o["id"].as_str().unwrap();
    let slots = availability(&app, id, "").await;
    let resident = app.register("Ida").await;
    let hold = app.state.config.booking.hold;

    // Through the API.
    let (_, b) = book(
        &app,
        &resident,
        "ext-1",
        &json!({"offer_id": id, "starts_at": slots[0]["starts_at"], "hold": true}),
    )
    .await;
    assert_eq!(b["hold_extendable"], true, "{b}");
    let until =
        chrono::DateTime::parse_from_rfc3339(b["hold_expires_at"].as_str().unwrap()).unwrap();
    let bid = b["id"].as_str().unwrap().to_string();
    let (status, extended) = post(&app, &resident, &format!("/api/v1/bookings/{bid}/extend")).await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    let later = chrono::DateTime::parse_from_rfc3339(extended["hold_expires_at"].as_str().unwrap())
        .unwrap();
    assert_eq!(later - until, Duration::from_std(hold).unwrap());
    assert_eq!(extended["hold_extendable"], false);
    assert_eq!(extended["status"], "held");
    let (status, again) = post(&app, &resident, &format!("/api/v1/bookings/{bid}/extend")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["type"], "/problems/hold-extended", "{again}");
    let row = entities::booking::Entity::find_by_id(bid.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.hold_extended_at.is_some());
    assert_eq!(
        row.hold_expires_at.map(|t| t.timestamp()),
        Some(later.timestamp())
    );
    // Someone else's hold is not theirs to extend.
    let other = app.register("Otto").await;
    let (status, _) = post(&app, &other, &format!("/api/v1/bookings/{bid}/extend")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A confirmed booking has no hold to extend.
    let (status, _) = post(&app, &resident, &format!("/api/v1/bookings/{bid}/confirm")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = post(&app, &resident, &format!("/api/v1/bookings/{bid}/extend")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    // Moving it: the page says what happens before anything does.
    let (status, html) = get_html(
        &resident.client,
        &app.url(&format!("/account/bookings/{bid}/reschedule?lang=en")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Choosing a time below moves your booking there at once"),
        "{html}"
    );

    // Through the review page, without script.
    let (_, b) = book(
        &app,
        &resident,
        "ext-2",
        &json!({"offer_id": id, "starts_at": slots[1]["starts_at"], "hold": true}),
    )
    .await;
    let bid = b["id"].as_str().unwrap().to_string();
    let page = app.url(&format!("/account/bookings/{bid}?lang=en"));
    let (_, html) = get_html(&resident.client, &page).await;
    assert!(
        html.contains(&format!("action=\"/account/bookings/{bid}/extend\"")),
        "{html}"
    );
    assert!(html.contains("left."), "{html}");
    let token = input_value(&html, "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/bookings/{bid}/extend")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let to = redirected(r).await;
    assert_eq!(to, format!("/account/bookings/{bid}?done=extended"));
    let (_, html) = get_html(&resident.client, &app.url(&format!("{to}&lang=en"))).await;
    assert!(html.contains("The time is kept for you longer now."));
    assert!(!html.contains("/extend\""), "{html}");
    assert!(html.contains("cannot be extended again"));
    let r = resident
        .client
        .post(app.url(&format!("/account/bookings/{bid}/extend")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("A reservation can be extended once."));
}

on_both_with!(a_hold_is_extended_once, Vec::new());

/// The offer editor sets the price, what to bring (one item a line) and the holiday
/// closing, shows them again, and names the price field when it is too long.
async fn the_offer_editor_sets_price_and_what_to_bring(app: TestApp) {
    let (owner, listing) = published_listing(&app, "Standesamt").await;
    let c = &owner.client;
    let new_page = format!("/manage/listings/{listing}/offers/new?kind=appointment");
    let action = format!("/manage/listings/{listing}/offers?lang=en");
    let long = "x".repeat(101);
    let mut fields = vec![
        ("kind", "appointment"),
        ("name_de", "Trautermin"),
        ("status", "active"),
        ("duration_minutes", "30"),
        ("parallel", "2"),
        ("h0_0_opens", "09:00"),
        ("h0_0_closes", "12:00"),
        ("closed_on_holidays", "1"),
        ("offer_price_de", long.as_str()),
        ("offer_price_en", "€40.00"),
        ("bring_de", "Personalausweis\r\n\r\n  Geburtsurkunde  \r\n"),
        ("bring_en", "ID card\nBirth certificate"),
    ];
    let r = crate::booking_pages::submit(c, &app, &new_page, &action, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"offer_price_de-error\""), "{html}");
    assert!(html.contains("href=\"#offer_price_de\""), "{html}");

    fields[8] = ("offer_price_de", "40,00 €");
    let r = crate::booking_pages::submit(c, &app, &new_page, &action, &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let o = entities::offer::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.listing_id.to_string() == listing)
        .unwrap();
    assert_eq!(
        (o.price_de.as_str(), o.price_en.as_str()),
        ("40,00 €", "€40.00")
    );
    assert_eq!(o.what_to_bring_de, "Personalausweis\nGeburtsurkunde");
    assert_eq!(o.what_to_bring_en, "ID card\nBirth certificate");
    assert_eq!(o.details["appointment"]["closed_on_holidays"], true);
    let (_, html) = get_html(c, &app.url(&format!("/manage/offers/{}", o.id))).await;
    assert!(html.contains("value=\"40,00 €\""), "{html}");
    assert!(
        html.contains(">Personalausweis\nGeburtsurkunde</textarea>"),
        "{html}"
    );
    assert!(
        html.contains("name=\"closed_on_holidays\" type=\"checkbox\" value=\"1\" checked"),
        "{html}"
    );
}

on_both_with!(the_offer_editor_sets_price_and_what_to_bring, Vec::new());
