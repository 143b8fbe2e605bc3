//! The server-rendered pages: forms with CSRF protection, sessions, the account's data,
//! listing pages with JSON-LD, discoverability and static assets.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

/// The CSRF token a page put in its form (and in the browser's cookie).
async fn form_token(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    let start =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
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
    assert_eq!(
        entities::user::Entity::find()
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
        sitemap.contains("/services/passport</loc>")
            && sitemap.contains(&format!("/listings/{slug}</loc>"))
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
