//! The dashboard pages of partner connections on SQLite and PostgreSQL, through forms
//! with CSRF tokens as a browser without JavaScript sends them, against the sandbox
//! partner: an owner connects a booking system from /manage, its pages never show the
//! secrets, bad input is refused next to its fields (422), a staff member may not
//! connect one, a change with empty secret fields keeps the stored secrets, the
//! partner's offers are shown live (and a partner that does not answer is said so),
//! removing is refused while an offer books through it (409) and works otherwise, the
//! offer editor keeps a partner offer's link, and it links an offer to a partner's
//! offer (bad references refused beside the field, a partner that does not answer, and
//! no change under running bookings).

use partner_sandbox::{Mode, SandboxConfig};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both;

const SECRET: &str = "s3cret";

/// The value of the first `<input name="{name}" value="...">` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("a field {name} in: {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn get_html(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Asserts a redirect after a form (303) and returns where it leads.
async fn redirected(r: reqwest::Response) -> String {
    let status = r.status();
    let to = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    to.unwrap()
}

/// Posts a form found at `page` (its CSRF token included) to `action`.
async fn submit(
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

async fn stored(app: &TestApp, id: Uuid) -> Option<entities::partner_connection::Model> {
    entities::partner_connection::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
}

/// The stored secrets of a connection, opened.
async fn secrets(app: &TestApp, id: Uuid) -> (String, String) {
    let m = stored(app, id).await.expect("the connection exists");
    let c = api::partners::connections::open(&app.state.partners, &m).unwrap();
    let wh = app
        .state
        .partners
        .key()
        .decrypt(&m.webhook_secret_enc)
        .unwrap();
    (
        c.client_secret.expose_secret().to_string(),
        wh.expose_secret().to_string(),
    )
}

async fn connections_of(app: &TestApp, org: Uuid) -> u64 {
    entities::partner_connection::Entity::find()
        .filter(entities::partner_connection::Column::OrganizationId.eq(org))
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn owner_manages_booking_systems(app: TestApp) {
    let sandbox = partner_sandbox::spawn(SandboxConfig::with_client("city-portal", SECRET))
        .await
        .expect("sandbox starts");
    let whsec = sandbox.webhook_secret();
    let (owner, org) = app.business_owner("Sauna").await;
    let c = &owner.client;

    // The dashboard has the section, in English and in German.
    let (status, page) = get_html(c, &app.url("/manage?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Booking systems"), "{page}");
    assert!(page.contains("No booking system is connected yet."));
    let action = format!("/manage/organizations/{org}/partner-connections");
    assert!(page.contains(&format!("action=\"{action}\"")));
    let (_, page) = get_html(c, &app.url("/manage?lang=de")).await;
    assert!(page.contains("Buchungssysteme"), "{page}");

    // Bad input: 422 with each error next to its field (German by default), and the
    // secret typed is not sent back.
    let p = format!("pc-{org}-");
    let r = submit(
        c,
        &app,
        "/manage",
        &action,
        &[
            ("name", ""),
            ("base_url", "http://partner.example"),
            ("client_id", "city-portal"),
            ("client_secret", "typed-s3cret-value"),
            ("webhook_secret", "whsec_not base64!"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for field in ["name", "base_url", "webhook_secret"] {
        assert!(
            html.contains(&format!("id=\"{p}{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(!html.contains(&format!("id=\"{p}client_id-error\"")));
    assert!(html.contains("Muss eine https-Adresse sein."), "{html}");
    assert!(html.contains("Muss whsec_ gefolgt von Base64 sein (mindestens 16 Bytes)"));
    assert!(
        html.contains("href=\"#pc-"),
        "the error summary links the fields"
    );
    assert!(html.contains("value=\"http://partner.example\""), "kept");
    assert!(
        !html.contains("typed-s3cret-value"),
        "secrets are not sent back"
    );
    // Secrets are required on creation.
    let r = submit(
        c,
        &app,
        "/manage",
        &format!("{action}?lang=en"),
        &[
            ("name", "Our booking system"),
            ("base_url", &sandbox.base_url()),
            ("client_id", "city-portal"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("id=\"{p}client_secret-error\"")));
    assert!(html.contains(&format!("id=\"{p}webhook_secret-error\"")));
    assert!(html.contains("This is required."), "{html}");
    assert_eq!(connections_of(&app, org).await, 0);

    // Connected through the form.
    let r = submit(
        c,
        &app,
        "/manage",
        &action,
        &[
            ("name", "Our booking system"),
            ("base_url", &sandbox.base_url()),
            ("token_url", ""),
            ("client_id", "city-portal"),
            ("client_secret", SECRET),
            ("webhook_secret", &whsec),
            ("status", "active"),
        ],
    )
    .await;
    let to = redirected(r).await;
    assert!(to.ends_with("?done=connection-created"), "{to}");
    let id: Uuid = to
        .trim_start_matches("/manage/partner-connections/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let m = stored(&app, id).await.unwrap();
    assert_eq!(m.organization_id, org);
    assert_eq!(m.token_url, format!("{}/oauth/token", sandbox.base_url()));
    assert_eq!(secrets(&app, id).await, (SECRET.to_string(), whsec.clone()));

    // Its page: the details, the webhook URL, the partner's offers live; no secrets.
    let (status, html) = get_html(c, &app.url(&format!("{to}&lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The booking system is connected."));
    assert!(html.contains("Our booking system"));
    assert!(html.contains(&sandbox.base_url()));
    assert!(html.contains(&format!("/api/v1/partner-webhooks/{id}")));
    assert!(html.contains("sandbox-gym.yoga"), "{html}");
    assert!(html.contains("Morning yoga"));
    assert!(html.contains("Leave empty to keep the stored secret"));
    assert!(!html.contains(SECRET), "no client secret in: {html}");
    assert!(!html.contains(&whsec), "no webhook secret");
    // ...and the dashboard lists it, without secrets either.
    let (_, html) = get_html(c, &app.url("/manage?lang=en")).await;
    assert!(html.contains(&format!("href=\"/manage/partner-connections/{id}\"")));
    assert!(html.contains(&format!("/api/v1/partner-webhooks/{id}")));
    assert!(html.contains("city-portal"));
    assert!(!html.contains(SECRET) && !html.contains(&whsec));
    let (status, html) = get_html(
        c,
        &app.url(&format!("/manage/organizations/{org}/partner-connections")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Our booking system") && !html.contains(SECRET));

    // A change with the secret fields left empty keeps the stored secrets.
    let page = format!("/manage/partner-connections/{id}");
    let r = submit(
        c,
        &app,
        &page,
        &page,
        &[
            ("name", "Renamed system"),
            ("base_url", &sandbox.base_url()),
            ("token_url", ""),
            ("client_id", "city-portal"),
            ("client_secret", ""),
            ("webhook_secret", ""),
            ("status", "disabled"),
        ],
    )
    .await;
    assert_eq!(redirected(r).await, format!("{page}?done=connection-saved"));
    let m = stored(&app, id).await.unwrap();
    assert_eq!(
        (m.name.as_str(), m.status.as_str()),
        ("Renamed system", "disabled")
    );
    assert_eq!(secrets(&app, id).await, (SECRET.to_string(), whsec.clone()));
    let (_, html) = get_html(c, &app.url(&format!("{page}?lang=en"))).await;
    assert!(html.contains("Disabled"), "{html}");
    // A bad change: 422 next to the field, nothing stored.
    let r = submit(
        c,
        &app,
        &page,
        &format!("{page}?lang=en"),
        &[
            ("name", "Renamed again"),
            ("base_url", "ftp://partner.example"),
            ("client_id", "city-portal"),
            ("client_secret", "new-s3cret-typed"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"pc-base_url-error\""), "{html}");
    assert!(html.contains("Must be an https address."));
    assert!(!html.contains("new-s3cret-typed"));
    assert_eq!(stored(&app, id).await.unwrap().name, "Renamed system");
    // A new client secret replaces the stored one; the webhook secret stays.
    let r = submit(
        c,
        &app,
        &page,
        &page,
        &[
            ("name", "Our booking system"),
            ("base_url", &sandbox.base_url()),
            ("client_id", "city-portal"),
            ("client_secret", "rotated"),
            ("status", "active"),
        ],
    )
    .await;
    redirected(r).await;
    assert_eq!(
        secrets(&app, id).await,
        ("rotated".to_string(), whsec.clone())
    );
    let r = submit(
        c,
        &app,
        &page,
        &page,
        &[
            ("name", "Our booking system"),
            ("base_url", &sandbox.base_url()),
            ("client_id", "city-portal"),
            ("client_secret", SECRET),
            ("status", "active"),
        ],
    )
    .await;
    redirected(r).await;

    // The partner does not answer: the page says so (no 500).
    sandbox.set_mode(Mode::Down);
    let (status, html) = get_html(c, &app.url(&format!("{page}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("did not answer usably"), "{html}");
    assert!(!html.contains("Morning yoga"));
    sandbox.set_mode(Mode::Normal);

    // A staff member sees no section and may not connect, open or remove one.
    let staff = app.register("Staff").await;
    let resp = c
        .post(app.url(&format!("/api/v1/organizations/{org}/members")))
        .json(&json!({"email": staff.email, "role": "staff"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let (_, html) = get_html(&staff.client, &app.url("/manage?lang=en")).await;
    assert!(html.contains("Sauna GmbH"));
    assert!(!html.contains(&format!("action=\"{action}\"")));
    assert!(!html.contains(&format!("/manage/partner-connections/{id}")));
    let r = submit(
        &staff.client,
        &app,
        "/manage",
        &action,
        &[
            ("name", "Mine"),
            ("base_url", &sandbox.base_url()),
            ("client_id", "city-portal"),
            ("client_secret", SECRET),
            ("webhook_secret", &whsec),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for path in [page.clone(), action.clone()] {
        let (status, _) = get_html(&staff.client, &app.url(&path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = submit(
        &staff.client,
        &app,
        "/manage",
        &format!("{page}/delete"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(connections_of(&app, org).await, 1);
    // Someone of another organization does not even learn it exists.
    let (stranger, _) = app.business_owner("Other").await;
    let (status, _) = get_html(&stranger.client, &app.url(&page)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A form without the browser's token is refused.
    let r = c
        .post(app.url(&format!("{page}/delete")))
        .form(&[("csrf", "x".repeat(43))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An offer books through it: the offer editor keeps the link and says so.
    let (listing, _) = app.create_listing(&owner, org, "Sauna").await;
    let listing = listing["id"].as_str().unwrap().to_string();
    let resp = c
        .post(app.url(&format!("/api/v1/listings/{listing}/offers")))
        .json(&json!({
            "kind": "class",
            "name": {"en": "Yoga"},
            "partner": {"connection_id": id, "offer_ref": "sandbox-gym.yoga"},
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let offer: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let offer = offer["id"].as_str().unwrap().to_string();
    let editor = format!("/manage/offers/{offer}");
    let (status, html) = get_html(c, &app.url(&format!("{editor}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"offer-partner-note\""), "{html}");
    assert!(html.contains("sandbox-gym.yoga"));
    assert!(
        !html.contains("name=\"seats\""),
        "the partner keeps the seats"
    );
    let version = input_value(&html, "version");
    let r = submit(
        c,
        &app,
        &editor,
        &editor,
        &[
            ("kind", "class"),
            ("version", &version),
            ("name_en", "Morning yoga at the sauna"),
            ("status", "active"),
            ("cancel_deadline_minutes", "60"),
        ],
    )
    .await;
    assert_eq!(redirected(r).await, format!("{editor}?done=offer-saved"));
    let o = entities::offer::Entity::find_by_id(offer.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.name_en, "Morning yoga at the sauna");
    assert_eq!(o.cancel_deadline_minutes, 60);
    assert_eq!(o.partner_connection_id, Some(id));
    assert_eq!(o.partner_offer_ref.as_deref(), Some("sandbox-gym.yoga"));
    assert_eq!(o.provider, "partner");
    // The connection's page lists the offer.
    let (_, html) = get_html(c, &app.url(&format!("{page}?lang=en"))).await;
    assert!(
        html.contains(&format!("href=\"/manage/offers/{offer}\"")),
        "{html}"
    );

    // Removing it is refused while the offer books through it: 409 with the reason.
    let r = submit(c, &app, &page, &format!("{page}/delete?lang=en"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("1 offer books through this connection"),
        "{html}"
    );
    assert!(stored(&app, id).await.is_some());
    let r = submit(c, &app, &page, &format!("{page}/delete?lang=de"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("1 Angebot wird über diese Verbindung gebucht"));

    // A connection no offer uses is removed.
    let r = submit(
        c,
        &app,
        "/manage",
        &action,
        &[
            ("name", "Second system"),
            ("base_url", &sandbox.base_url()),
            ("client_id", "city-portal"),
            ("client_secret", SECRET),
            ("webhook_secret", &whsec),
        ],
    )
    .await;
    let to = redirected(r).await;
    let second: Uuid = to
        .trim_start_matches("/manage/partner-connections/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let second_page = format!("/manage/partner-connections/{second}");
    let r = submit(c, &app, &second_page, &format!("{second_page}/delete"), &[]).await;
    let to = redirected(r).await;
    assert!(to.starts_with("/manage?done=connection-removed"), "{to}");
    assert!(stored(&app, second).await.is_none());
    let flash = to.split('#').next().unwrap();
    let (_, html) = get_html(c, &app.url(&format!("{flash}&lang=en"))).await;
    assert!(html.contains("The connection is removed."));
    assert!(!html.contains("Second system"));
    let (status, _) = get_html(c, &app.url(&second_page)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
on_both!(owner_manages_booking_systems);

/// The offer editor links an offer to a partner's offer without JavaScript: a choice of
/// the organization's booking systems and a select of the offers of the editor's kind
/// each one lists now (a text field, with a message, when one does not answer), the
/// same checks as the API with their messages beside the fields, and a link that
/// cannot change while active bookings run.
async fn offer_editor_links_partner_offers(app: TestApp) {
    let sandbox = partner_sandbox::spawn(SandboxConfig::with_client("city-portal", SECRET))
        .await
        .expect("sandbox starts");
    let (owner, org) = app.business_owner("Gym").await;
    let c = &owner.client;
    let (listing, _) = app.create_listing(&owner, org, "Gym").await;
    let listing = listing["id"].as_str().unwrap().to_string();
    let resp = c
        .post(app.url(&format!("/api/v1/organizations/{org}/partner-connections")))
        .json(&json!({
            "name": "Gym calendar",
            "base_url": sandbox.base_url(),
            "client_id": "city-portal",
            "client_secret": SECRET,
            "webhook_secret": sandbox.webhook_secret(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let conn: Value = resp.json().await.unwrap();
    let conn = conn["id"].as_str().unwrap().to_string();
    let offers_of_listing = || async {
        entities::offer::Entity::find()
            .filter(entities::offer::Column::ListingId.eq(listing.parse::<Uuid>().unwrap()))
            .all(&app.state.db)
            .await
            .unwrap()
    };

    // The new class form offers the system and its classes (not its memberships).
    let new = format!("/manage/listings/{listing}/offers/new?kind=class&lang=en");
    let (status, html) = get_html(c, &app.url(&new)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"partner_connection_id\""), "{html}");
    assert!(html.contains(&format!("<option value=\"{conn}\">Gym calendar</option>")));
    assert!(
        html.contains("The portal&#x27;s own calendar")
            || html.contains("The portal's own calendar")
    );
    assert!(
        html.contains("<option value=\"sandbox-gym.yoga\">"),
        "{html}"
    );
    assert!(!html.contains("sandbox-gym.monthly"), "only classes");
    let (_, html) = get_html(
        c,
        &app.url(&format!(
            "/manage/listings/{listing}/offers/new?kind=class&lang=de"
        )),
    )
    .await;
    assert!(html.contains("Angebot im Buchungssystem"), "{html}");

    let action = format!("/manage/listings/{listing}/offers");
    fn form<'a>(connection: &'a str, offer_ref: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("kind", "class"),
            ("name_en", "Yoga at the gym"),
            ("status", "active"),
            ("cancel_deadline_minutes", "0"),
            ("lead_time_minutes", "0"),
            ("horizon_days", "30"),
            ("max_active_per_resident", "0"),
            ("partner_connection_id", connection),
            ("partner_offer_ref", offer_ref),
        ]
    }
    let conn_str = conn.as_str();
    // A reference the partner does not have: refused beside the field, in English and
    // in German, and nothing stored.
    for (lang, text) in [
        ("en", "The booking system has no offer with this reference."),
        (
            "de",
            "Das Buchungssystem hat kein Angebot mit dieser Kennung.",
        ),
    ] {
        let r = submit(
            c,
            &app,
            &new,
            &format!("{action}?lang={lang}"),
            &form(conn_str, "sandbox-gym.no-such-offer"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"partner_offer_ref-error\""), "{html}");
        assert!(html.contains(text), "{html}");
        assert!(
            html.contains("href=\"#partner_offer_ref\""),
            "in the summary"
        );
        // The reference stays chosen, so it is shown with its error.
        assert!(html.contains("<option value=\"sandbox-gym.no-such-offer\" selected>"));
    }
    // The partner's offer of another kind, no reference, a reference without a system,
    // and a system that is not one: each named beside its field.
    for (connection, offer_ref, field, text) in [
        (
            conn_str,
            "sandbox-gym.monthly",
            "partner_offer_ref",
            "a different kind: Membership",
        ),
        (conn_str, "", "partner_offer_ref", "This is required."),
        (
            "",
            "sandbox-gym.yoga",
            "partner_connection_id",
            "Choose the booking system the offer is in.",
        ),
        (
            "not-a-connection",
            "sandbox-gym.yoga",
            "partner_connection_id",
            "Choose one of your organization&#x27;s booking systems.",
        ),
    ] {
        let r = submit(
            c,
            &app,
            &new,
            &format!("{action}?lang=en"),
            &form(connection, offer_ref),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{offer_ref}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{html}");
        assert!(
            html.contains(text) || html.contains(&text.replace("&#x27;", "'")),
            "{text}: {html}"
        );
    }
    assert!(offers_of_listing().await.is_empty());

    // Linked through the form: it follows the partner's offer.
    let r = submit(c, &app, &new, &action, &form(conn_str, "sandbox-gym.yoga")).await;
    let to = redirected(r).await;
    assert!(to.ends_with("?done=offer-created"), "{to}");
    let all = offers_of_listing().await;
    assert_eq!(all.len(), 1);
    let o = &all[0];
    assert_eq!(o.provider, "partner");
    assert_eq!(
        o.partner_connection_id.map(|c| c.to_string()),
        Some(conn.clone())
    );
    assert_eq!(o.partner_offer_ref.as_deref(), Some("sandbox-gym.yoga"));
    assert_eq!(o.name_en, "Yoga at the gym");
    let editor = format!("/manage/offers/{}", o.id);
    let (_, html) = get_html(c, &app.url(&format!("{editor}?lang=en"))).await;
    assert!(
        html.contains(&format!("<option value=\"{conn}\" selected>")),
        "{html}"
    );
    assert!(html.contains("<option value=\"sandbox-gym.yoga\" selected>"));
    assert!(html.contains("id=\"offer-partner-note\""));
    assert!(
        !html.contains("name=\"seats\""),
        "the partner keeps the seats"
    );

    // The editor keeps a partner's list for a minute: opening it again asks no one.
    let asked = || {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.as_str() == "GET /partner/v1/offers")
            .count()
    };
    let before = asked();
    assert!(
        before > 0,
        "the editors asked the partner: {:?}",
        sandbox.requests()
    );
    let (status, again) = get_html(c, &app.url(&format!("{editor}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("<option value=\"sandbox-gym.yoga\" selected>"));
    assert_eq!(asked(), before, "the list came from the editor's cache");

    // The partner does not answer (and the minute is over): the editor says so and
    // takes the reference as text; a change cannot be checked and is refused beside
    // the field (503), nothing saved.
    sandbox.set_mode(Mode::Down);
    app.state.partners.forget(conn.parse().unwrap());
    let (status, html) = get_html(c, &app.url(&format!("{editor}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"partner-offers-down\""), "{html}");
    assert!(html.contains("The booking system Gym calendar did not answer just now"));
    assert!(html.contains(
        "<input id=\"partner_offer_ref\" name=\"partner_offer_ref\" type=\"text\" value=\"sandbox-gym.yoga\""
    ));
    let version = input_value(&html, "version");
    let mut change = form(conn_str, "sandbox-gym.spinning");
    change.push(("version", &version));
    let r = submit(c, &app, &editor, &format!("{editor}?lang=en"), &change).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"partner_offer_ref-error\""), "{html}");
    assert!(html.contains("the offer cannot be checked now"));
    sandbox.set_mode(Mode::Normal);
    app.state.partners.forget(conn.parse().unwrap());

    // While a booking runs, the link cannot change: 409 beside the booking system.
    let resp = c
        .post(app.url(&format!("/api/v1/listings/{listing}/publish")))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resident = app.register("Resident").await;
    let to = chrono::Utc::now().date_naive() + chrono::Duration::days(13);
    let slots: Value = client()
        .get(app.url(&format!("/api/v1/offers/{}/availability?to={to}", o.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = slots["slots"][0]["starts_at"].as_str().unwrap().to_string();
    let resp = resident
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({"offer_id": o.id, "starts_at": start, "contact": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let booking: Value = resp.json().await.unwrap();
    let r = submit(c, &app, &editor, &format!("{editor}?lang=en"), &change).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"partner_connection_id-error\""),
        "{html}"
    );
    assert!(html.contains("1 active booking is kept where this offer books now"));
    let r = submit(c, &app, &editor, &format!("{editor}?lang=de"), &change).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("1 aktive Buchung liegt dort, wo dieses Angebot jetzt gebucht wird"));
    let stored_ref = || async {
        entities::offer::Entity::find_by_id(o.id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .partner_offer_ref
    };
    assert_eq!(stored_ref().await.as_deref(), Some("sandbox-gym.yoga"));
    // Once it is cancelled, the offer links to another class of the partner.
    let resp = resident
        .client
        .post(app.url(&format!(
            "/api/v1/bookings/{}/cancel",
            booking["id"].as_str().unwrap()
        )))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let r = submit(c, &app, &editor, &editor, &change).await;
    assert_eq!(redirected(r).await, format!("{editor}?done=offer-saved"));
    assert_eq!(stored_ref().await.as_deref(), Some("sandbox-gym.spinning"));
}
on_both!(offer_editor_links_partner_offers);
