//! The server-rendered pages: forms with CSRF protection, sessions, the account's data,
//! listing pages with JSON-LD, discoverability and static assets.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

/// The CSRF token a page put in its form (and in the browser's cookie).
async fn form_token(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("a csrf field in {url}: {html}"))
        + "name=\"csrf\" value=\"".len();
    html[start..start + 43].to_string()
}

async fn register_login_logout_and_my_data(app: TestApp) {
    let c = client();
    let register = app.url("/register");
    // Without the token nothing happens.
    let r = c
        .post(&register)
        .form(&[
            ("email", "web@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Web"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entities::user::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );

    // Invalid input: the errors are named, linked, and the input is kept.
    let token = form_token(&c, &register).await;
    let r = c
        .post(&register)
        .form(&[
            ("email", "web@example.org"),
            ("password", "short"),
            ("display_name", "Web Person"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#password\""),
        "the summary links to the field"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(
        html.contains("value=\"web@example.org\"") && html.contains("value=\"Web Person\""),
        "input kept"
    );

    let r = c
        .post(&register)
        .form(&[
            ("email", "web@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Web Person"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account");
    let account = c
        .get(app.url("/account?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("Hello, Web Person"));
    assert!(account.contains("Nobody but you has read your data."));

    // My data as a download.
    let export: Value = c
        .get(app.url("/account/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["account"]["email"], "web@example.org");
    assert!(
        export.to_string().find("argon2id$").is_none(),
        "no password hash in the export"
    );

    // Log out (a form with the token), then log in again through the form.
    let token = form_token(&c, &app.url("/account")).await;
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let token = form_token(&c, &app.url("/login")).await;
    let wrong = c
        .post(app.url("/login?lang=en"))
        .form(&[
            ("email", "web@example.org"),
            ("password", "not the password"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("Email or password is wrong."));
    let ok = c
        .post(app.url("/login"))
        .form(&[
            ("email", "web@example.org"),
            ("password", "correct horse battery"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);

    // Delete the account: the wrong password changes nothing, the right one removes it all.
    let token = form_token(&c, &app.url("/account")).await;
    let r = c
        .post(app.url("/account/delete"))
        .form(&[("password", "nope nope nope"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        entities::user::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        1
    );
    let r = c
        .post(app.url("/account/delete"))
        .form(&[("password", "correct horse battery"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The home page it leads to says so.
    let home = r.headers()["location"].to_str().unwrap().to_string();
    let html = c
        .get(app.url(&format!("{home}&lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Your account and its data are deleted."),
        "{home}: {html}"
    );
    // The erased account keeps a row without personal data (tests/it/erasure.rs).
    use sea_orm::{ColumnTrait, QueryFilter};
    assert_eq!(
        entities::user::Entity::find()
            .filter(entities::user::Column::DeletedAt.is_null())
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}
on_both!(register_login_logout_and_my_data);

/// After too many failed logins the login page answers 429 with the time that remains of
/// the limit's window as `Retry-After`, and says so in minutes.
async fn the_login_page_says_when_to_try_again(app: TestApp) {
    let victim = app.register("Locked").await;
    let c = client();
    let token = form_token(&c, &app.url("/login")).await;
    let attempt = |password: &'static str| {
        c.post(app.url("/login?lang=en"))
            .form(&[
                ("email", victim.email.as_str()),
                ("password", password),
                ("csrf", token.as_str()),
            ])
            .send()
    };
    let started = std::time::Instant::now();
    for _ in 0..api::web::auth::LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT {
        let r = attempt("not the password").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = attempt("correct horse battery").await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let retry = retry_after(&locked);
    assert_rest_of_window(retry, api::web::auth::LOGIN_WINDOW, started);
    let html = locked.text().await.unwrap();
    let wait = match retry.div_ceil(60) {
        1 => "Please wait a minute.".to_string(),
        n => format!("Please wait {n} minutes."),
    };
    assert!(html.contains(&wait), "{html}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = attempt("correct horse battery").await.unwrap();
    assert_eq!(later.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        retry_after(&later) < retry,
        "{} then {retry}",
        retry_after(&later)
    );
}
on_both!(the_login_page_says_when_to_try_again);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_cannot_delete_the_account() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let (owner, _org) = app.business_owner("Owner").await;
    let r = owner
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 409).await;
    assert_eq!(p["type"], "/problems/last-owner");
    let resident = app.register("Resident").await;
    let r = resident
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        resident
            .client
            .get(app.url("/api/v1/accounts/me"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    let exported: Value = owner
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exported["memberships"][0]["role"], "owner");
}

async fn public_pages(app: TestApp) {
    app.load_demo().await;
    let c = client();
    // A municipal service page with GovernmentService JSON-LD.
    let r = c
        .get(app.url("/services/passport?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()["content-language"], "en");
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Apply for a passport</h1>"));
    assert!(html.contains("What to bring") && html.contains("Fees"));
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "GovernmentService");
    // The city provides it, and the page says so: no business can look like this.
    assert_eq!(
        ld["provider"],
        json!({"@type": "GovernmentOrganization", "name": "Testhausen", "url": app.state.config.server.public_url.as_str()})
    );
    assert!(html.contains("Official service of Testhausen"), "{html}");
    assert!(
        ld["availableChannel"]["serviceLocation"]["openingHoursSpecification"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    assert!(html.contains("<link rel=\"canonical\""));

    // A business page with LocalBusiness JSON-LD; the wrong prefix redirects.
    let listing: Value = c
        .get(app.url("/api/v1/search?kind=business&per_page=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slug = listing["hits"][0]["slug"].as_str().unwrap();
    let html = c
        .get(app.url(&format!("/listings/{slug}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(json_ld(&html)["@type"], "LocalBusiness");
    let r = c
        .get(app.url(&format!("/services/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers()["location"], format!("/listings/{slug}"));

    // The search page works as plain HTML: results, facets, pagination.
    let html = c
        .get(app.url("/search?q=b%C3%BCrgeramt&lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Ergebnisse für „bürgeramt“") || html.contains("Ergebnisse für „Bürgeramt“")
    );
    assert!(html.contains("href=\"/services/register-residence\""));
    let page2 = c
        .get(app.url("/search?page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page2.contains("rel=\"prev\"") && page2.contains("aria-current=\"page\""));
    let empty = c
        .get(app.url("/search?q=qqqqxxxx&lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(empty.contains("Nothing found") && empty.contains("/services/"));

    // Discoverability.
    let sitemap = c
        .get(app.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sitemap.contains("/services/passport?lang=de</loc>")
            && sitemap.contains("/services/passport?lang=en</loc>")
            && sitemap.contains(&format!("/listings/{slug}?lang=de</loc>"))
    );
    let robots = c
        .get(app.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(robots.contains("Sitemap: ") && robots.contains("Disallow: /account"));
    assert_eq!(
        c.get(app.url("/listings/no-such-thing"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Today's row of the opening hours says so in words, not only by its look.
    for (lang, today) in [("de", "(heute)"), ("en", "(today)")] {
        let html = c
            .get(app.url(&format!("/services/passport?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let table = between(&html, "<table class=\"hours\">", "</table>");
        assert_eq!(table.matches("<tr class=\"today\">").count(), 1, "{table}");
        let row = between(table, "<tr class=\"today\">", "</tr>");
        assert!(
            row.contains(&format!("<span class=\"visually-hidden\">{today}</span>")),
            "{row}"
        );
        assert_eq!(table.matches(today).count(), 1);
        // The map's container is named as a map only by the script that draws it.
        // It is hidden until asked for (the script adds the button), and names the
        // tile server in a note the button refers to.
        let map = between(&html, "<div class=\"map\" id=\"map\" data-map hidden", ">");
        assert!(
            !map.contains("role=") && !map.contains("aria-label="),
            "{map}"
        );
        assert!(map.contains("data-map-label="), "{map}");
        assert!(map.contains("data-note=\"map-note\""), "{map}");
        let note = between(
            &html,
            "<p class=\"hint map-note\" id=\"map-note\" hidden>",
            "</p>",
        );
        let host = url::Url::parse(&app.state.config.theme.map_tile_url.replace(['{', '}'], ""))
            .unwrap()
            .host_str()
            .unwrap()
            .to_string();
        assert!(note.contains(&host), "{note}");
    }

    // The privacy page says where map tiles come from and what that server sees.
    let tiles =
        url::Url::parse(&app.state.config.theme.map_tile_url.replace(['{', '}'], "")).unwrap();
    let tile_host = tiles.host_str().unwrap();
    for (lang, words) in [
        ("de", ["IP-Adresse", "Kartenausschnitt"]),
        ("en", ["IP address", "which area of the map"]),
    ] {
        let html = c
            .get(app.url(&format!("/privacy?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let section = between(&html, "<section aria-labelledby=\"h-map\"", "</section>");
        assert!(section.contains(tile_host), "{section}");
        assert!(!html.contains("MAP_TILE_URL"), "no variable names");
        for w in words {
            assert!(section.contains(w), "{lang}: {w} in {section}");
        }
    }

    // On /search, "open now" has its own group, not the accessibility one. (Both
    // filters on: an active filter always shows, whatever the time of day.)
    let html = c
        .get(app.url("/search?lang=en&open_now=1&wheelchair=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let facets = between(&html, "<div class=\"facets\">", "</details>");
    let groups: Vec<(&str, &str)> = facets
        .split("<h2>")
        .skip(1)
        .map(|g| g.split_once("</h2>").unwrap())
        .collect();
    let group_of = |item: &str| {
        groups
            .iter()
            .find(|(_, body)| body.contains(item))
            .map(|(title, _)| *title)
    };
    assert_eq!(group_of(">Open now ("), Some("Opening hours"), "{facets}");
    assert_eq!(
        group_of(">Wheelchair accessible ("),
        Some("Accessibility"),
        "{facets}"
    );
}
on_both!(public_pages);

fn json_ld(html: &str) -> Value {
    let start = html
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + "<script type=\"application/ld+json\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("valid JSON-LD")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_assets_are_fingerprinted_cached_and_compressed() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = reqwest::Client::builder().gzip(false).build().unwrap();
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = home.find("/static/site.").unwrap();
    let end = start + home[start..].find('"').unwrap();
    let css_url = &home[start..end];
    assert!(css_url.ends_with(".css") && css_url.len() > "/static/site..css".len() + 8);
    let r = c
        .get(app.url(css_url))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.headers()["content-encoding"], "br");
    let r = c
        .get(app.url(css_url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(
        c.get(app.url("/static/site.000000000000.css"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let theme = c
        .get(app.url("/static/theme.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(theme.contains("--accent: #0b5cad"));
}

/// Submits a form found at `page` (its token included) to `action`.
async fn submit(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = form_token(c, &app.url(page)).await;
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf", &token));
    c.post(app.url(action)).form(&all).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn business_dashboard_and_moderation(app: TestApp) {
    let c = client();
    let r = submit(
        &c,
        &app,
        "/register",
        "/register",
        &[
            ("email", "shop@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Shop Owner"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Register the business.
    let r = submit(
        &c,
        &app,
        "/manage",
        "/manage/organizations",
        &[("name", "Bäckerei Morgenrot")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = c
        .get(app.url("/manage?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("Bäckerei Morgenrot"));
    let start = dashboard.find("/manage/organizations/").unwrap() + "/manage/organizations/".len();
    let org = &dashboard[start..start + 36];
    let new_page = format!("/manage/organizations/{org}/listings/new");
    let action = format!("/manage/organizations/{org}/listings");

    // Invalid: errors next to the fields, input kept, nothing written.
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[
            ("name_de", "Bäckerei Morgenrot"),
            ("category_1", ""),
            ("website", "javascript:alert(1)"),
            ("lat", "sechzig"),
            ("h0_0_opens", "18:00"),
            ("h0_0_closes", "07:00"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in ["category_1", "website", "lat", "h0_0_closes"] {
        assert!(
            html.contains(&format!("href=\"#{id}\"")),
            "summary links to {id}"
        );
        assert!(
            html.contains(&format!("id=\"{id}-error\"")),
            "error next to {id}"
        );
    }
    assert!(
        html.contains("value=\"Bäckerei Morgenrot\"") && html.contains("value=\"18:00\""),
        "input kept"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entities::listing::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );

    // Valid: a draft, open on no day yet.
    let closed_on = exception_date();
    let r = submit(
        &c,
        &app,
        &new_page,
        &action,
        &[
            ("name_de", "Bäckerei Morgenrot"),
            ("name_en", "Morgenrot Bakery"),
            ("category_1", "food.bakery"),
            ("street", "Aleksanterinkatu 1"),
            ("lat", "60.1699"),
            ("lng", "24.9384"),
            ("x0_date", closed_on.as_str()),
            ("x0_closed", "1"),
            ("x0_note", "Heiligabend"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let edit = location(&r);
    let edit_path = edit.split('?').next().unwrap().to_string();
    let id = edit_path.rsplit('/').next().unwrap().to_string();
    let search = |q: &'static str| {
        let c = client();
        let url = app.url(&format!("/api/v1/search?q={q}"));
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        search("morgenrot").await["estimated_total"],
        0,
        "drafts are not public"
    );

    // Publish: public page and search find it.
    let r = submit(
        &c,
        &app,
        &edit_path,
        &format!("{edit_path}/status"),
        &[("action", "publish")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(search("morgenrot").await["estimated_total"], 1);
    let public = c
        .get(app.url("/listings/backerei-morgenrot?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("Morgenrot Bakery") && public.contains("No opening hours known."));

    // Edit the hours to open all day every day: "open now" appears.
    let form_page = c
        .get(app.url(&edit_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let v =
        form_page.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
    let version = form_page[v..].split('"').next().unwrap().to_string();
    let mut fields: Vec<(String, String)> = vec![
        ("name_de".into(), "Bäckerei Morgenrot".into()),
        ("name_en".into(), "Morgenrot Bakery".into()),
        ("category_1".into(), "food.bakery".into()),
        ("version".into(), version.clone()),
    ];
    for d in 0..7 {
        fields.push((format!("h{d}_0_opens"), "00:00".into()));
        fields.push((format!("h{d}_0_closes"), "23:59".into()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = submit(&c, &app, &edit_path, &edit_path, &pairs).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let public = c
        .get(app.url("/listings/backerei-morgenrot?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains("Open now, until 23:59") || public.contains("Closed now"),
        "an open state is shown"
    );
    // Saving again with the old version is refused as stale.
    let r = submit(&c, &app, &edit_path, &edit_path, &pairs).await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);

    // A resident may not see the admin page; city staff suspend the listing.
    assert_eq!(
        c.get(app.url("/admin")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let staff = client();
    submit(
        &staff,
        &app,
        "/register",
        "/register",
        &[
            ("email", "staff@city.example"),
            ("password", "correct horse battery"),
            ("display_name", "Staff"),
        ],
    )
    .await;
    api::accounts::create_admin(&app.state.db, app.state.city.id, "staff@city.example", None)
        .await
        .unwrap();
    let admin_page = staff
        .get(app.url("/admin?q=morgenrot"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin_page.contains("Bäckerei Morgenrot"));
    let r = submit(
        &staff,
        &app,
        "/admin?q=morgenrot",
        &format!("/admin/listings/{id}/status"),
        &[("action", "suspend"), ("reason", "Irreführende Angaben")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(app.url("/listings/backerei-morgenrot"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(search("morgenrot").await["estimated_total"], 0);
    let owner_view = c
        .get(app.url(&edit_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        owner_view.contains("Irreführende Angaben"),
        "the owner sees why"
    );
    let r = submit(
        &staff,
        &app,
        "/admin",
        &format!("/admin/listings/{id}/status"),
        &[("action", "restore")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(search("morgenrot").await["estimated_total"], 1);

    // Members: add an existing account, refuse an unknown email.
    submit(
        &client(),
        &app,
        "/register",
        "/register",
        &[
            ("email", "clerk@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Clerk"),
        ],
    )
    .await;
    let r = submit(
        &c,
        &app,
        "/manage",
        &format!("/manage/organizations/{org}/members"),
        &[("email", "ghost@example.org"), ("role", "staff")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = submit(
        &c,
        &app,
        "/manage",
        &format!("/manage/organizations/{org}/members"),
        &[("email", "clerk@example.org"), ("role", "staff")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = c
        .get(app.url("/manage"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("clerk@example.org"));
}
on_both!(business_dashboard_and_moderation);

/// The management pages send a visitor to the login page naming the page asked for
/// (path and query), and logging in there leads back to it.
async fn manage_pages_send_visitors_to_the_login_and_back(app: TestApp) {
    let (owner, org) = app.business_owner("Rückweg").await;
    let (listing, _) = app.create_listing(&owner, org, "Rückweg").await;
    let id = listing["id"].as_str().unwrap();
    let c = client();
    for page in [
        "/manage".to_string(),
        format!("/manage/listings/{id}?lang=en"),
        format!("/manage/organizations/{org}/listings/new"),
        "/admin".to_string(),
        "/admin/services/new".to_string(),
        format!("/manage/listings/{id}/offers"),
        "/account".to_string(),
        "/account/export".to_string(),
        "/account/bookings?done=x".to_string(),
        format!("/offers/{id}"),
    ] {
        let r = c.get(app.url(&page)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        let to = location(&r);
        let next: String = url::form_urlencoded::byte_serialize(page.as_bytes()).collect();
        assert_eq!(to, format!("/login?next={next}"), "{page}");
    }
    // A form sent without a session comes back to the page that shows it.
    let r = c
        .post(app.url(&format!("/manage/listings/{id}")))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&r),
        format!("/login?next=%2Fmanage%2Flistings%2F{id}")
    );

    // Logging in on that page leads back to the editor.
    let page = format!("/manage/listings/{id}?lang=en");
    let login = location(&c.get(app.url(&page)).send().await.unwrap());
    let html = c
        .get(app.url(&login))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("name=\"next\" value=\"{page}\"")),
        "{html}"
    );
    let token = form_token(&c, &app.url(&login)).await;
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", owner.email.as_str()),
            ("password", "correct horse battery"),
            ("next", page.as_str()),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), page);
    let r = c.get(app.url(&page)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
on_both!(manage_pages_send_visitors_to_the_login_and_back);

/// Every form of the portal: sent without a session, it leads to the login page, which
/// comes back to the page that shows the form; sent with a session but without this
/// browser's token, it is refused with the page saying the form expired, and nothing
/// changes.
async fn forms_check_the_session_first_then_the_token(app: TestApp) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let (owner, org) = app.business_owner("Formwache").await;
    let (listing, _) = app.create_listing(&owner, org, "Formwache").await;
    let id = listing["id"].as_str().unwrap();
    let x = uuid::Uuid::new_v4();
    let same = |p: String| (p.clone(), p);
    let forms: Vec<(String, String)> = vec![
        (format!("/offers/{x}/hold"), format!("/offers/{x}")),
        (format!("/offers/{x}/waitlist"), format!("/offers/{x}")),
        (
            format!("/account/waitlist/{x}/leave"),
            "/account/bookings".into(),
        ),
        (
            format!("/account/bookings/{x}/confirm"),
            format!("/account/bookings/{x}"),
        ),
        (
            format!("/account/bookings/{x}/cancel"),
            format!("/account/bookings/{x}"),
        ),
        same(format!("/account/bookings/{x}/reschedule")),
        ("/account/delete".into(), "/account".into()),
        (format!("/manage/bookings/{x}/decision"), "/manage".into()),
        (
            format!("/manage/organizations/{org}/partner-connections"),
            "/manage".into(),
        ),
        same(format!("/manage/partner-connections/{x}")),
        (
            format!("/manage/partner-connections/{x}/delete"),
            format!("/manage/partner-connections/{x}"),
        ),
        ("/manage/organizations".into(), "/manage".into()),
        (
            format!("/manage/organizations/{org}/members"),
            "/manage".into(),
        ),
        (
            format!("/manage/organizations/{org}/members/{x}/remove"),
            "/manage".into(),
        ),
        (
            format!("/manage/organizations/{org}/listings"),
            format!("/manage/organizations/{org}/listings/new"),
        ),
        same(format!("/manage/listings/{id}")),
        (
            format!("/manage/listings/{id}/status"),
            format!("/manage/listings/{id}"),
        ),
        same(format!("/manage/listings/{id}/offers")),
        same(format!("/manage/offers/{x}")),
        (format!("/admin/listings/{id}/status"), "/admin".into()),
        ("/admin/services".into(), "/admin/services/new".into()),
    ];
    let fields = [
        ("csrf", "not-the-token"),
        ("name", "Umbenannt"),
        ("name_de", "Umbenannt"),
        ("action", "unpublish"),
        ("email", "someone@example.org"),
    ];
    let visitor = client();
    for (action, page) in &forms {
        let r = visitor
            .post(app.url(action))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
        let next: String = url::form_urlencoded::byte_serialize(page.as_bytes()).collect();
        assert_eq!(location(&r), format!("/login?next={next}"), "{action}");
    }

    let orgs = entities::organization::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    for (action, _) in &forms {
        let r = owner
            .client
            .post(app.url(action))
            .header("accept-language", "en")
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{action}"
        );
        let html = r.text().await.unwrap();
        // The staff's form refuses a resident before it looks at the token.
        let expected = if action == "/admin/services" {
            "This page is for city staff."
        } else {
            "The form expired. Please submit it again."
        };
        assert!(html.contains(expected), "{action}: {html}");
    }
    // Nothing changed: no organization was added, the listing kept its name and state.
    assert_eq!(
        entities::organization::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        orgs
    );
    let now: Value = owner
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["name"], listing["name"]);
    assert_eq!(now["status"], listing["status"]);

    // Logging out needs the token too; without it the page says the form expired.
    let r = owner
        .client
        .post(app.url("/logout"))
        .header("accept-language", "en")
        .form(&[("csrf", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("The form expired."));
    let r = owner.client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "still logged in");
}
on_both!(forms_check_the_session_first_then_the_token);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_addresses_get_the_html_404_page_in_browsers_and_problem_json_elsewhere() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = client();
    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    // A browser opening a page that does not exist: the HTML page, in its language.
    let r = c
        .get(app.url("/no-such-page"))
        .header("accept", browser_accept)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.headers().contains_key("content-security-policy"));
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(html.contains("href=\"/\""));
    let de = c
        .get(app.url("/manage/nothing/here?lang=de"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(de.status(), StatusCode::NOT_FOUND);
    assert!(de.text().await.unwrap().contains("<html lang=\"de\">"));

    // API paths and clients that do not ask for HTML keep problem+json.
    for (path, accept) in [
        ("/api/v1/no-such-thing", browser_accept),
        ("/no-such-page", "application/json"),
        ("/no-such-page", "*/*"),
    ] {
        let r = c
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path} with Accept: {accept}"
        );
        let p = problem(r, 404).await;
        assert_eq!(p["type"], "/problems/not-found");
    }
}

/// The text of `html` from `from` to the next `to` (for checking one element).
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} in the page"));
    let end = html[start..].find(to).map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_errors_and_the_access_log_speak_the_page_language_while_the_api_stays_english() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = client();

    // Registration in German and in English.
    let r = submit(
        &c,
        &app,
        "/register?lang=de",
        "/register",
        &[
            ("email", "kein-at-zeichen"),
            ("password", "kurz"),
            ("display_name", "Erika"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Das Passwort braucht mindestens 10 Zeichen."));
    assert!(html.contains("Geben Sie eine E-Mail-Adresse wie name@example.org ein."));
    assert!(!html.contains("must be"), "no English message: {html}");
    let r = submit(
        &c,
        &app,
        "/register?lang=en",
        "/register",
        &[
            ("email", "owner@example.org"),
            ("password", "short"),
            ("display_name", "Olga"),
        ],
    )
    .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The password needs at least 10 characters."));

    // A business owner in German: organization name, member, listing editor.
    let r = submit(
        &c,
        &app,
        "/register?lang=de",
        "/register",
        &[
            ("email", "owner@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Olga"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = submit(
        &c,
        &app,
        "/manage",
        "/manage/organizations",
        &[("name", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let field = between(&html, "<label for=\"org-name\"", "</div>");
    assert!(
        field.contains("id=\"org-name-error\"")
            && field.contains("Geben Sie einen Namen mit 2 bis 200 Zeichen an."),
        "the error next to the field, in German: {field}"
    );
    assert!(field.contains("aria-invalid=\"true\"") && field.contains("value=\"x\""));
    let r = submit(
        &c,
        &app,
        "/manage",
        "/manage/organizations",
        &[("name", "Bäckerei Sonnenschein")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = c
        .get(app.url("/manage"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = dashboard.find("/manage/organizations/").unwrap() + "/manage/organizations/".len();
    let org = dashboard[start..start + 36].to_string();
    let r = submit(
        &c,
        &app,
        "/manage",
        &format!("/manage/organizations/{org}/members"),
        &[("email", "ghost@example.org"), ("role", "staff")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Zu dieser E-Mail-Adresse gibt es kein Konto."));
    assert!(html.contains(&format!("id=\"member-email-{org}-error\"")));

    let r = submit(
        &c,
        &app,
        &format!("/manage/organizations/{org}/listings/new"),
        &format!("/manage/organizations/{org}/listings"),
        &[
            ("name_de", "Bäckerei Sonnenschein"),
            ("category_1", "food.bakery"),
            ("website", "ftp://example.org"),
            ("lat", "sechzig"),
            ("h0_0_opens", "18:00"),
            ("h0_0_closes", "07:00"),
            ("postcode", "00100!"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (id, german) in [
        ("website", "Geben Sie eine vollständige Webadresse an"),
        ("lat", "Geben Sie eine Zahl an"),
        (
            "h0_0_closes",
            "Die Schließzeit muss nach der Öffnungszeit liegen.",
        ),
        (
            "postcode",
            "Bitte nur Buchstaben, Ziffern, Leerzeichen und Bindestriche.",
        ),
    ] {
        let next_to = between(&html, &format!("id=\"{id}-error\""), "</");
        assert!(next_to.contains(german), "{id}: {next_to}");
        assert!(
            between(&html, "id=\"error-summary\"", "</div>").contains(german),
            "{id} in the summary"
        );
    }
    assert!(!html.contains("must be"), "no English message");

    // The API keeps answering in English.
    let r = c
        .post(app.url("/api/v1/organizations"))
        .header("accept-language", "de")
        .json(&serde_json::json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "name");
    assert_eq!(
        p["errors"][0]["message"],
        "has too few or too many characters (spaces at either end not counted), or control characters"
    );

    // The access log: an admin read the members; the owner reads that in German.
    let admin = app.admin().await;
    let r = admin
        .client
        .get(app.url(&format!("/api/v1/organizations/{org}/members")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let account = c
        .get(app.url("/account?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let log = between(&account, "<tbody>", "</tbody>");
    assert!(
        log.contains("Name und E-Mail-Adresse als Mitglied von Bäckerei Sonnenschein")
            && log.contains("Stadtverwaltung: Prüfung der Mitglieder einer Organisation"),
        "{log}"
    );
    let account = c
        .get(app.url("/account?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("name and email address as a member of Bäckerei Sonnenschein"));
    let api_log: Value = c
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        api_log[0]["purpose"],
        "city administration: review of an organization's members"
    );
}

/// `after_writes`: a write wakes the in-server search indexer at once (and clears this
/// process's listing cache); a read does not.
async fn a_write_wakes_the_indexer_and_a_read_does_not(app: TestApp) {
    let (owner, org) = app.business_owner("Wake").await;
    let (listing, etag) = app.create_listing(&owner, org, "Café Weckruf").await;
    let id = listing["id"].as_str().unwrap().to_string();
    let wake = app.state.search.wake.clone();
    // The create was a write: its wake-up is waiting (no indexer runs without Meilisearch).
    tokio::time::timeout(std::time::Duration::from_secs(1), wake.notified())
        .await
        .expect("the create woke the indexer");
    // A read wakes nothing.
    let resp = owner
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(200), wake.notified())
            .await
            .is_err(),
        "a GET woke the indexer"
    );
    // A write does, and the next read sees it at once.
    let resp = owner
        .client
        .put(app.url(&format!("/api/v1/listings/{id}")))
        .header("If-Match", &etag)
        .json(&business_body(org, "Café Weckruf Zwei"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    tokio::time::timeout(std::time::Duration::from_secs(1), wake.notified())
        .await
        .expect("the update woke the indexer");
    let got: Value = owner
        .client
        .get(app.url(&format!("/api/v1/listings/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"]["de"], "Café Weckruf Zwei");
}
on_both!(a_write_wakes_the_indexer_and_a_read_does_not);
