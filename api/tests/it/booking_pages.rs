//! The booking pages on SQLite and PostgreSQL, through forms with CSRF tokens as a
//! browser without JavaScript sends them: the "Book" section of a listing, a time
//! picked and held, the review of exactly what is shared, confirm, my bookings, cancel;
//! a double submit that books once; the business's offer editor (each kind, with field
//! errors), its bookings view (written to the access log) and approving a request.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both;

/// The value of the first `<input name="{name}" value="...">` (or button) in `html`.
pub(crate) fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("a field {name} in: {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Every value of buttons named `name` (the times a picker offers).
fn button_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("<button type=\"submit\" name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            html[start..start + html[start..].find('"').unwrap()].to_string()
        })
        .collect()
}

pub(crate) async fn get_html(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Asserts a redirect after a form (303) and returns where it leads.
pub(crate) async fn redirected(r: reqwest::Response) -> String {
    let status = r.status();
    let to = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    to.unwrap()
}

/// Posts a form found at `page` (its CSRF token included) to `action`.
pub(crate) async fn submit(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = get_html(c, &app.url(page)).await;
    let token = input_value(&html, "csrf");
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf", &token));
    c.post(app.url(action)).form(&all).send().await.unwrap()
}

/// A business with a published listing: the owner, the listing's id and slug.
async fn published_listing(app: &TestApp, name: &str) -> (User, String, String) {
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
    (owner, id, listing["slug"].as_str().unwrap().to_string())
}

fn tomorrow(app: &TestApp) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&app.state.city.timezone)
        .date_naive()
        + chrono::Duration::days(1)
}

async fn bookings_of(app: &TestApp, user: Uuid) -> Vec<entities::booking::Model> {
    entities::booking::Entity::find()
        .filter(entities::booking::Column::UserId.eq(user))
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn resident_books_through_the_pages(app: TestApp) {
    let (owner, listing, slug) = published_listing(&app, "Kuntosali").await;
    let day = tomorrow(&app);
    // A class that asks for the phone number (and not the email), two seats.
    let resp = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"de": "Yoga am Abend", "en": "Evening yoga"},
            "collect_phone": true,
            "cancel_deadline_minutes": 120,
            "class": {"seats": 2, "duration_minutes": 60, "sessions": [format!("{day}T18:00:00")]},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let offer: Value = resp.json().await.unwrap();
    let offer_id = offer["id"].as_str().unwrap().to_string();

    // The listing page has a "Book" section with the policy in words.
    let visitor = client();
    let (status, page) = get_html(&visitor, &app.url(&format!("/listings/{slug}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"h-book\""), "{page}");
    assert!(page.contains("Evening yoga"));
    assert!(page.contains("Class, 1 hour, up to 2 people"), "{page}");
    assert!(page.contains("You can cancel online until 2 hours before the start."));
    assert!(page.contains("Shared with Kuntosali GmbH: your name and phone number."));
    assert!(page.contains(&format!("href=\"/offers/{offer_id}\"")));
    // ...and in German by default.
    let (_, page) = get_html(&visitor, &app.url(&format!("/listings/{slug}?lang=de"))).await;
    assert!(page.contains("Weitergegeben an Kuntosali GmbH: Ihr Name und Ihre Telefonnummer."));

    // Logged out, choosing a time leads to the login page and back.
    let r = visitor
        .get(app.url(&format!("/offers/{offer_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let login = location(&r);
    assert_eq!(login, format!("/login?next=%2Foffers%2F{offer_id}"));
    let resident = app.register("Ronja").await;
    let (_, login_page) = get_html(&visitor, &app.url(&login)).await;
    assert!(login_page.contains(&format!("name=\"next\" value=\"/offers/{offer_id}\"")));
    let r = visitor
        .post(app.url("/login"))
        .form(&[
            ("email", resident.email.as_str()),
            ("password", "correct horse battery"),
            ("csrf", &input_value(&login_page, "csrf")),
            ("next", &format!("/offers/{offer_id}")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/offers/{offer_id}"));
    // Somewhere else than this site is never where a login leads (with a token of the
    // session now: a page's token is bound to the session it was shown in).
    let (_, login_page) = get_html(&visitor, &app.url("/account")).await;
    let r = visitor
        .post(app.url("/login"))
        .form(&[
            ("email", resident.email.as_str()),
            ("password", "correct horse battery"),
            ("csrf", &input_value(&login_page, "csrf")),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account");

    // The picker: one session, a phone field, a form key.
    let c = &resident.client;
    let pick_url = app.url(&format!("/offers/{offer_id}?lang=en"));
    let (status, pick) = get_html(c, &pick_url).await;
    assert_eq!(status, StatusCode::OK);
    let times = button_values(&pick, "starts_at");
    assert_eq!(times.len(), 1, "{pick}");
    assert!(pick.contains("(2 places left)"), "{pick}");
    assert!(pick.contains("id=\"phone\""));
    assert!(
        !pick.contains("id=\"email\""),
        "the offer does not ask for it"
    );
    let csrf = input_value(&pick, "csrf");
    let key = input_value(&pick, "key");
    let hold_url = app.url(&format!("/offers/{offer_id}/hold"));

    // Without the token nothing happens; without the phone number, the field says so.
    let r = c
        .post(&hold_url)
        .form(&[("key", key.as_str()), ("starts_at", &times[0])])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(app.url(&format!("/offers/{offer_id}/hold?lang=en")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("key", &key),
            ("starts_at", &times[0]),
            ("phone", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#phone\""), "{html}");
    assert!(html.contains("id=\"phone-error\""));
    assert!(html.contains("This offer needs your phone number."));
    assert!(bookings_of(&app, resident.id).await.is_empty());

    // Pressed twice, at once and once more after: one hold, the same review page.
    let form = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("starts_at", times[0].as_str()),
        ("phone", "+49 30 555 0101"),
    ];
    let (a, b) = tokio::join!(
        c.post(&hold_url).form(&form).send(),
        c.post(&hold_url).form(&form).send()
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.status(), StatusCode::SEE_OTHER);
    let review = location(&a);
    assert_eq!(review, location(&b));
    let again = c.post(&hold_url).form(&form).send().await.unwrap();
    assert_eq!(location(&again), review);
    let mine = bookings_of(&app, resident.id).await;
    assert_eq!(mine.len(), 1, "a double submit books once");
    assert_eq!(mine[0].status, "held");
    assert_eq!(review, format!("/account/bookings/{}", mine[0].id));

    // The review: exactly what goes to whom, until when the time is kept.
    let (status, html) = get_html(c, &app.url(&format!("{review}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Check and confirm your booking"));
    assert!(html.contains("What Kuntosali GmbH will receive"));
    let shared =
        &html[html.find("id=\"h-shared\"").unwrap()..html.find("id=\"h-policy\"").unwrap()];
    assert!(shared.contains("<dt>Name</dt><dd>Ronja</dd>"), "{shared}");
    assert!(shared.contains("<dt>Phone number</dt><dd>+49 30 555 0101</dd>"));
    assert!(
        !shared.contains("Email"),
        "not asked for, not shared: {shared}"
    );
    assert!(
        !html.contains(&resident.email),
        "the email is not on the page"
    );
    assert!(html.contains("This time is reserved for you until"));
    assert!(html.contains(&format!("action=\"{review}/confirm\"")));
    assert!(html.contains(&format!("action=\"{review}/cancel\"")));

    // Confirm: my bookings shows it, confirmed, with a cancel button.
    let r = submit(c, &app, &review, &format!("{review}/confirm"), &[]).await;
    assert_eq!(redirected(r).await, "/account/bookings?done=confirmed");
    let (status, html) = get_html(c, &app.url("/account/bookings?done=confirmed&lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your booking is confirmed."));
    let upcoming =
        &html[html.find("id=\"h-upcoming\"").unwrap()..html.find("id=\"h-past\"").unwrap()];
    assert!(upcoming.contains("Evening yoga"));
    assert!(
        upcoming.contains("<strong class=\"status\">Confirmed</strong>"),
        "{upcoming}"
    );
    // Cancelling asks first: a link to the question, whose form cancels.
    assert!(upcoming.contains(&format!("href=\"{review}/cancel\"")));
    let (status, question) = get_html(c, &app.url(&format!("{review}/cancel?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(question.contains("Cancel this booking?"), "{question}");
    assert!(question.contains("Evening yoga"), "{question}");
    assert!(
        question.contains(&format!("action=\"{review}/cancel\"")),
        "{question}"
    );
    assert!(
        question.contains(&format!("href=\"{review}\"")),
        "a way back: {question}"
    );
    assert!(upcoming.contains("You can cancel until"));
    // The account page leads there.
    let (_, account) = get_html(c, &app.url("/account")).await;
    assert!(account.contains("href=\"/account/bookings\""));

    // Cancel: it moves to the past, cancelled, and the seat is free again.
    let r = submit(
        c,
        &app,
        &format!("{review}/cancel"),
        &format!("{review}/cancel"),
        &[],
    )
    .await;
    assert_eq!(redirected(r).await, "/account/bookings?done=cancelled");
    // Nothing left to cancel: the question leads to the booking's page.
    let r = c
        .get(app.url(&format!("{review}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], review.as_str());
    let (_, html) = get_html(c, &app.url("/account/bookings?lang=en")).await;
    let past = &html[html.find("id=\"h-past\"").unwrap()..];
    assert!(
        past.contains("<strong class=\"status\">Cancelled</strong>"),
        "{past}"
    );
    assert!(
        !past.contains("/cancel\""),
        "no cancel button for a cancelled booking"
    );
    assert_eq!(bookings_of(&app, resident.id).await[0].status, "cancelled");
    let (_, pick) = get_html(c, &pick_url).await;
    assert!(pick.contains("(2 places left)"), "{pick}");

    // Someone else's booking is not found.
    let stranger = app.register("Stranger").await;
    let (status, _) = get_html(&stranger.client, &app.url(&review)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
on_both!(resident_books_through_the_pages);

/// Creates an offer through the editor; returns the response.
async fn offer_form(
    c: &reqwest::Client,
    app: &TestApp,
    listing: &str,
    kind: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = fields.to_vec();
    all.push(("kind", kind));
    submit(
        c,
        app,
        &format!("/manage/listings/{listing}/offers/new?kind={kind}"),
        &format!("/manage/listings/{listing}/offers?lang=en"),
        &all,
    )
    .await
}

async fn offers_of(app: &TestApp, listing: &str) -> Vec<entities::offer::Model> {
    entities::offer::Entity::find()
        .filter(entities::offer::Column::ListingId.eq(listing.parse::<Uuid>().unwrap()))
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn business_manages_offers_and_bookings_through_the_pages(app: TestApp) {
    let (owner, listing, slug) = published_listing(&app, "Sportverein").await;
    let c = &owner.client;
    let day = tomorrow(&app);

    // The dashboard and the editor lead to the listing's offers.
    let (_, dashboard) = get_html(c, &app.url("/manage")).await;
    assert!(dashboard.contains(&format!("href=\"/manage/listings/{listing}/offers\"")));
    let (status, page) = get_html(
        c,
        &app.url(&format!("/manage/listings/{listing}/offers?lang=en")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No offers yet."));
    for kind in ["appointment", "class", "membership"] {
        assert!(page.contains(&format!("/offers/new?kind={kind}\"")));
    }
    // Nobody else manages them (the listing is public: refused, as the API refuses).
    let stranger = app.register("Stranger").await;
    let (status, _) = get_html(
        &stranger.client,
        &app.url(&format!("/manage/listings/{listing}/offers")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An appointment with mistakes: each error next to its field, the input kept.
    let r = offer_form(
        c,
        &app,
        &listing,
        "appointment",
        &[
            ("name_de", "Beratung"),
            ("duration_minutes", "0"),
            ("parallel", "1"),
            ("h0_0_opens", "10:00"),
            ("h0_0_closes", "09:00"),
            ("x0_date", "24.12."),
            ("horizon_days", "zwei"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in ["duration_minutes", "h0_0_closes", "x0_date", "horizon_days"] {
        assert!(
            html.contains(&format!("href=\"#{id}\"")),
            "{id} in the summary: {html}"
        );
        assert!(
            html.contains(&format!("id=\"{id}-error\"")),
            "{id} next to its field"
        );
    }
    assert!(html.contains("Enter a number between 5 and 480."));
    assert!(html.contains("The closing time must be after the opening time."));
    assert!(html.contains("value=\"Beratung\""), "the input is kept");
    assert!(offers_of(&app, &listing).await.is_empty());
    // The same in German.
    let r = submit(
        c,
        &app,
        &format!("/manage/listings/{listing}/offers/new?kind=appointment"),
        &format!("/manage/listings/{listing}/offers?lang=de"),
        &[
            ("kind", "appointment"),
            ("name_de", "Beratung"),
            ("duration_minutes", "1"),
        ],
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Geben Sie eine Zahl zwischen 5 und 480 ein."),
        "{html}"
    );
    assert!(html.contains("Geben Sie mindestens einen Zeitraum ein."));

    // Each kind, created through the editor.
    let closed_on = exception_date();
    let r = offer_form(
        c,
        &app,
        &listing,
        "appointment",
        &[
            ("name_de", "Beratung"),
            ("name_en", "Consultation"),
            ("status", "active"),
            ("duration_minutes", "30"),
            ("parallel", "2"),
            ("h0_0_opens", "09:00"),
            ("h0_0_closes", "12:00"),
            ("h2_1_opens", "14:00"),
            ("h2_1_closes", "16:00"),
            ("x0_date", closed_on.as_str()),
            ("x0_closed", "1"),
            ("confirmation", "instant"),
            ("cancel_deadline_minutes", "60"),
            ("horizon_days", "30"),
            ("collect_email", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/manage/listings/{listing}/offers?done=offer-created")
    );
    // A class with a mistake first (no seats), then right; requests need approval.
    let session = format!("{day}T18:00");
    let class_fields = |seats: &'static str| {
        vec![
            ("name_de", "Lauftreff"),
            ("seats", seats),
            ("class_duration_minutes", "60"),
            ("s0", session.as_str()),
            ("s1", ""),
            ("confirmation", "approval"),
        ]
    };
    let r = offer_form(c, &app, &listing, "class", &class_fields("0")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#seats\"") && html.contains("id=\"seats-error\""));
    assert!(
        html.contains(&format!("value=\"{session}\"")),
        "the session is kept"
    );
    let r = offer_form(c, &app, &listing, "class", &class_fields("8")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A membership without start dates, then with.
    let r = offer_form(
        c,
        &app,
        &listing,
        "membership",
        &[
            ("name_de", "Mitgliedschaft"),
            ("period", "month"),
            ("price", "25 €"),
            ("d0", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#d0\"") && html.contains("Enter between 1 and 60 start dates."));
    let start = (day + chrono::Duration::days(10)).to_string();
    let r = offer_form(
        c,
        &app,
        &listing,
        "membership",
        &[
            ("name_de", "Mitgliedschaft"),
            ("period", "quarter"),
            ("price", "25 € im Monat"),
            ("d0", start.as_str()),
            ("cancel_anytime", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let offers = offers_of(&app, &listing).await;
    let kind = |k: &str| offers.iter().find(|o| o.kind == k).unwrap().clone();
    let (appointment, class, membership) = (kind("appointment"), kind("class"), kind("membership"));
    assert_eq!(offers.len(), 3);
    let a = api::booking::offers::to_api(&appointment);
    let details = a.appointment.unwrap();
    assert_eq!((details.duration_minutes, details.parallel), (30, 2));
    assert_eq!(details.availability.weekly.len(), 2);
    assert_eq!(details.availability.exceptions.len(), 1);
    assert!(a.collect_email && !a.collect_phone);
    assert_eq!((a.cancel_deadline_minutes, a.horizon_days), (60, 30));
    assert_eq!(class.confirmation, "approval");
    let m = api::booking::offers::to_api(&membership)
        .membership
        .unwrap();
    assert_eq!(m.start_dates.len(), 1);
    assert!(m.cancel_anytime);

    // The editor shows a stored class again (its session included) and saves it.
    let edit = format!("/manage/offers/{}", class.id);
    let (status, html) = get_html(c, &app.url(&edit)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!(
            "name=\"s0\" type=\"datetime-local\" value=\"{session}\""
        )),
        "{html}"
    );
    assert_eq!(input_value(&html, "version"), "1");
    let r = submit(
        c,
        &app,
        &edit,
        &edit,
        &[
            ("kind", "class"),
            ("version", "1"),
            ("name_de", "Lauftreff"),
            ("name_en", "Running group"),
            ("seats", "8"),
            ("class_duration_minutes", "60"),
            ("s0", session.as_str()),
            ("confirmation", "approval"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{edit}?done=offer-saved"));
    // A stale version is refused with a message, nothing lost.
    let r = submit(
        c,
        &app,
        &edit,
        &format!("{edit}?lang=en"),
        &[
            ("kind", "class"),
            ("version", "1"),
            ("name_de", "Alt"),
            ("seats", "8"),
            ("class_duration_minutes", "60"),
            ("s0", session.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Someone else changed this offer meanwhile."));

    // A resident requests a seat through the pages.
    let resident = app.register("Resi").await;
    let rc = &resident.client;
    let (_, listing_page) = get_html(rc, &app.url(&format!("/listings/{slug}?lang=en"))).await;
    assert!(listing_page.contains("Running group") && listing_page.contains("Consultation"));
    let (_, pick) = get_html(rc, &app.url(&format!("/offers/{}", class.id))).await;
    let times = button_values(&pick, "starts_at");
    assert_eq!(times.len(), 1);
    let r = rc
        .post(app.url(&format!("/offers/{}/hold", class.id)))
        .form(&[
            ("csrf", input_value(&pick, "csrf").as_str()),
            ("key", &input_value(&pick, "key")),
            ("starts_at", &times[0]),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let review = location(&r);
    let (_, html) = get_html(rc, &app.url(&format!("{review}?lang=en"))).await;
    assert!(
        html.contains("Send booking request"),
        "approval offers send a request"
    );
    let r = submit(rc, &app, &review, &format!("{review}/confirm"), &[]).await;
    assert_eq!(location(&r), "/account/bookings?done=requested");
    // A membership start date, too.
    let (_, pick) = get_html(rc, &app.url(&format!("/offers/{}?lang=en", membership.id))).await;
    assert_eq!(button_values(&pick, "start_date"), vec![start.clone()]);
    assert!(
        pick.contains("Membership, 25 € im Monat (quarterly)"),
        "{pick}"
    );

    // The business sees the request with what it shares, and approves it; reading it
    // is written to the resident's access log.
    let log_count = || async {
        entities::access_record::Entity::find()
            .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
            .count(&app.state.db)
            .await
            .unwrap()
    };
    assert_eq!(log_count().await, 0);
    let bookings_page = format!("/manage/offers/{}/bookings?lang=en", class.id);
    let (status, html) = get_html(c, &app.url(&bookings_page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>Resi</td>"));
    assert!(html.contains("Request: waiting for you"));
    assert!(html.contains("not shared"), "no email or phone asked for");
    assert!(html.contains("recorded in the resident"));
    assert_eq!(log_count().await, 1);
    let booking = bookings_of(&app, resident.id)
        .await
        .into_iter()
        .find(|b| b.offer_id == class.id)
        .unwrap();
    assert!(html.contains(&format!(
        "action=\"/manage/bookings/{}/decision\"",
        booking.id
    )));
    // Nobody else sees them.
    let (status, _) = get_html(&stranger.client, &app.url(&bookings_page)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = submit(
        c,
        &app,
        &bookings_page,
        &format!("/manage/bookings/{}/decision", booking.id),
        &[
            ("decision", "approve"),
            ("from", &day.to_string()),
            ("to", &day.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = location(&r);
    assert!(
        back.starts_with(&format!(
            "/manage/offers/{}/bookings?from={day}&to={day}&done=decided-approve",
            class.id
        )),
        "{back}"
    );
    let (_, html) = get_html(c, &app.url(&format!("{back}&lang=en"))).await;
    assert!(html.contains("The booking is confirmed."));
    assert!(
        !html.contains("value=\"approve\""),
        "decided: no buttons left"
    );
    assert_eq!(
        bookings_of(&app, resident.id)
            .await
            .into_iter()
            .find(|b| b.id == booking.id)
            .unwrap()
            .status,
        "confirmed"
    );
    // No-show and completed only once it started.
    let r = submit(
        c,
        &app,
        &bookings_page,
        &format!("/manage/bookings/{}/decision", booking.id),
        &[("decision", "no_show")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The resident sees it confirmed.
    let (_, html) = get_html(rc, &app.url("/account/bookings?lang=en")).await;
    assert!(html.contains("Running group") && html.contains("Confirmed"));
}
on_both!(business_manages_offers_and_bookings_through_the_pages);

/// A signed-in user who may not edit an existing listing gets the same answer from the
/// offer API, the offer pages and the listing editor as from the listing API: 404 while
/// the listing is not public (its existence stays hidden), 403 once it is.
async fn offer_api_and_pages_agree_on_a_listing_that_is_not_yours(app: TestApp) {
    let (owner, org) = app.business_owner("Fremdladen").await;
    let (draft, _) = app.create_listing(&owner, org, "Fremdladen Entwurf").await;
    let draft = draft["id"].as_str().unwrap().to_string();
    let (_, published, _) = published_listing(&app, "Nachbarladen").await;
    let stranger = app.register("Stranger").await;
    let c = &stranger.client;
    let day = tomorrow(&app).to_string();
    let answers = |id: String| {
        let day = day.clone();
        let app = &app;
        async move {
            let api_offer = c
                .post(app.url(&format!("/api/v1/listings/{id}/offers")))
                .json(&json!({"kind": "membership", "name": {"en": "x"},
                              "membership": {"period": "month", "price": "1 €", "start_dates": [day]}}))
                .send()
                .await
                .unwrap()
                .status();
            let api_listing = c
                .put(app.url(&format!("/api/v1/listings/{id}")))
                .header("If-Match", "*")
                .json(&business_body(Uuid::new_v4(), "Gekapert"))
                .send()
                .await
                .unwrap()
                .status();
            let mut pages = Vec::new();
            for page in [
                format!("/manage/listings/{id}/offers"),
                format!("/manage/listings/{id}/offers/new?kind=membership"),
                format!("/manage/listings/{id}"),
            ] {
                pages.push((page.clone(), get_html(c, &app.url(&page)).await.0));
            }
            (api_offer, api_listing, pages)
        }
    };
    for (id, expected) in [
        (draft, StatusCode::NOT_FOUND),
        (published.clone(), StatusCode::FORBIDDEN),
        (Uuid::new_v4().to_string(), StatusCode::NOT_FOUND),
    ] {
        let (api_offer, api_listing, pages) = answers(id.clone()).await;
        assert_eq!(api_listing, expected, "PUT /api/v1/listings/{id}");
        assert_eq!(api_offer, expected, "POST /api/v1/listings/{id}/offers");
        for (page, status) in pages {
            assert_eq!(status, expected, "{page}");
        }
    }
    assert!(offers_of(&app, &published).await.is_empty());
}
on_both!(offer_api_and_pages_agree_on_a_listing_that_is_not_yours);

/// The value of the "join the waitlist" button of the first full time of a picker.
fn waitlist_value(html: &str, offer: &str) -> Option<String> {
    let marker = format!("formaction=\"/offers/{offer}/waitlist\" name=\"starts_at\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"').unwrap()].to_string())
}

async fn a_full_time_has_a_waitlist_and_bookings_a_calendar_file(app: TestApp) {
    let (owner, listing, _) = published_listing(&app, "Kletterhalle").await;
    let day = tomorrow(&app);
    let offer: Value = owner
        .client
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"de": "Bouldern", "en": "Bouldering"},
            "class": {"seats": 1, "duration_minutes": 90, "sessions": [format!("{day}T17:00:00")]},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer = offer["id"].as_str().unwrap().to_string();
    // The only place goes to someone else.
    let first = app.register("First").await;
    let slots: Value = client()
        .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts_at = slots["slots"][0]["starts_at"].as_str().unwrap().to_string();
    let r = first
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({"offer_id": offer, "starts_at": starts_at}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let first_booking: Value = r.json().await.unwrap();

    // Full: said so, and a button to join the waitlist instead of booking.
    let second = app.register("Second").await;
    let c = &second.client;
    let pick_url = app.url(&format!("/offers/{offer}?lang=en"));
    let (_, pick) = get_html(c, &pick_url).await;
    assert!(pick.contains("fully booked"), "{pick}");
    assert!(
        button_values(&pick, "starts_at").is_empty(),
        "nothing to book"
    );
    let value = waitlist_value(&pick, &offer).expect("a waitlist button");
    let r = c
        .post(app.url(&format!("/offers/{offer}/waitlist")))
        .form(&[
            ("csrf", input_value(&pick, "csrf").as_str()),
            ("key", &input_value(&pick, "key")),
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
    let (_, html) = get_html(
        c,
        &app.url("/account/bookings?done=waitlist-joined&lang=en"),
    )
    .await;
    let waiting =
        &html[html.find("id=\"h-waitlist\"").unwrap()..html.find("id=\"h-past\"").unwrap()];
    assert!(waiting.contains("Bouldering"));
    assert!(
        waiting.contains("Waiting: you are number 1 in line."),
        "{waiting}"
    );
    assert!(waiting.contains("/leave\""));
    // The picker knows.
    let (_, pick) = get_html(c, &pick_url).await;
    assert!(pick.contains("you are on the waiting list"));
    assert!(waitlist_value(&pick, &offer).is_none());

    // A third joins and leaves again.
    let third = app.register("Third").await;
    let (_, pick3) = get_html(&third.client, &pick_url).await;
    let r = third
        .client
        .post(app.url(&format!("/offers/{offer}/waitlist")))
        .form(&[
            ("csrf", input_value(&pick3, "csrf").as_str()),
            ("key", &input_value(&pick3, "key")),
            ("starts_at", &waitlist_value(&pick3, &offer).unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let to = redirected(r).await;
    let entry = to.rsplit("#w-").next().unwrap().to_string();
    let (_, html) = get_html(&third.client, &app.url("/account/bookings?lang=en")).await;
    assert!(html.contains("you are number 2 in line"), "{html}");
    let r = submit(
        &third.client,
        &app,
        "/account/bookings",
        &format!("/account/waitlist/{entry}/leave"),
        &[],
    )
    .await;
    assert_eq!(redirected(r).await, "/account/bookings?done=waitlist-left");
    let (_, html) = get_html(&third.client, &app.url("/account/bookings?lang=en")).await;
    assert!(html.contains("You are on no waiting list."));

    // The place frees up: it is held for the first in line, who confirms it.
    let r = first
        .client
        .post(app.url(&format!(
            "/api/v1/bookings/{}/cancel",
            first_booking["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, html) = get_html(c, &app.url("/account/bookings?lang=en")).await;
    let waiting =
        &html[html.find("id=\"h-waitlist\"").unwrap()..html.find("id=\"h-past\"").unwrap()];
    assert!(
        waiting.contains("A place is reserved for you until"),
        "{waiting}"
    );
    let held = bookings_of(&app, second.id).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].status, "held");
    let review = format!("/account/bookings/{}", held[0].id);
    assert!(waiting.contains(&format!("href=\"{review}\"")));
    let r = submit(c, &app, &review, &format!("{review}/confirm"), &[]).await;
    assert_eq!(redirected(r).await, "/account/bookings?done=confirmed");

    // Confirmed: its calendar file is linked and downloads with the session.
    let (_, html) = get_html(c, &app.url(&format!("{review}?lang=en"))).await;
    let ics = format!("/api/v1/bookings/{}.ics", held[0].id);
    assert!(html.contains(&format!("href=\"{ics}\"")), "{html}");
    let (_, html) = get_html(c, &app.url("/account/bookings")).await;
    assert!(html.contains(&format!("href=\"{ics}\"")));
    assert!(!html.contains("id=\"w-"), "the waitlist entry is settled");
    let r = c.get(app.url(&ics)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(r.text().await.unwrap().contains("BEGIN:VCALENDAR"));
}
on_both!(a_full_time_has_a_waitlist_and_bookings_a_calendar_file);
