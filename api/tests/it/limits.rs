//! Limits per client address (registrations, anonymous requests) and the protection of
//! sessions and forms (signed form tokens bound to the session, `__Host-` cookies).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_with;

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// `REGISTRATIONS_PER_HOUR` accounts per address and hour, by the API and the page
/// alike; then 429 with the time to wait, and nothing is created. Another address (behind
/// the trusted proxy) registers on.
async fn registrations_are_limited_per_address(app: TestApp) {
    let c = reqwest::Client::new();
    let register = |email: String, ip: &'static str| {
        c.post(app.url("/api/v1/accounts/register"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": email, "password": "correct horse battery", "display_name": "Neu"}))
            .send()
    };
    for i in 0..2 {
        let r = register(format!("first{i}@example.org"), "203.0.113.10")
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let refused = register("third@example.org".into(), "203.0.113.10")
        .await
        .unwrap();
    let wait = retry_after(&refused);
    assert!(wait > 3000 && wait <= 3600, "{wait}");
    let p = problem(refused, 429).await;
    assert_eq!(p["type"], "/problems/rate-limited");
    // The page says so in the visitor's language, with the form kept.
    let page = client();
    let token = page_token(&page, &app.url("/register?lang=en")).await;
    let r = page
        .post(app.url("/register?lang=en"))
        .header("x-forwarded-for", "203.0.113.10")
        .form(&[
            ("email", "fourth@example.org"),
            ("password", "correct horse battery"),
            ("display_name", "Vierte"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&r) > 0);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Too many accounts were registered from this address"),
        "{html}"
    );
    assert!(html.contains("fourth@example.org"), "the form is kept");
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let stored = entities::user::Entity::find()
        .filter(entities::user::Column::Email.is_in(["third@example.org", "fourth@example.org"]))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let elsewhere = register("fifth@example.org".into(), "203.0.113.11")
        .await
        .unwrap();
    assert!(elsewhere.status().is_success(), "{}", elsewhere.status());
}
on_both_with!(
    registrations_are_limited_per_address,
    vec![
        ("REGISTRATIONS_PER_HOUR", "2".to_string()),
        ("TRUST_FORWARDED_FOR", "true".to_string()),
    ]
);

/// The hidden `csrf` field of the first form on the page at `url`.
async fn page_token(c: &reqwest::Client, url: &str) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    hidden_csrf(&html)
}

/// The value of the first hidden `csrf` field of a page.
fn hidden_csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\"")
        .expect("a form with a csrf field");
    let value = &html[at..];
    let start = value.find("value=\"").unwrap() + 7;
    value[start..start + value[start..].find('"').unwrap()].to_string()
}

/// `ANONYMOUS_REQUESTS_PER_MINUTE` (60: bursts of 10) per address: then 429 with
/// `Retry-After` for the API (problem+json) and the pages (a page), while probes,
/// static files, logged-in residents and valid tokens from the same address go on, and
/// a made-up session cookie or token does not.
async fn anonymous_requests_are_limited_per_address(app: TestApp) {
    // A business owner, who may make a personal API token.
    let (resident, _) = app.business_owner("Angemeldet").await;
    let token: Value = resident
        .client
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{token}"))
        .to_string();
    let anonymous = reqwest::Client::new();
    let mut refused = None;
    for i in 0..30 {
        let r = anonymous
            .get(app.url("/api/v1/search?q=x"))
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
    let (at, r) = refused.expect("the limit was reached");
    // The burst (a sixth of a minute's share; the registration, organization and token
    // above counted too), not more.
    assert!((6..=7).contains(&at), "refused at {at}");
    assert!(retry_after(&r) >= 1);
    let p = problem(r, 429).await;
    assert_eq!(p["type"], "/problems/rate-limited");
    let page = anonymous
        .get(app.url("/?lang=en"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("Too many requests"));
    for free in ["/healthz", "/static/site.css"] {
        let r = anonymous.get(app.url(free)).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{free}");
    }
    // Logged in (session or token), the same address goes on.
    let r = resident
        .client
        .get(app.url("/api/v1/search?q=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = anonymous
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Made-up credentials buy nothing.
    let r = anonymous
        .get(app.url("/api/v1/search?q=x"))
        .header(
            "cookie",
            "cp_session=made-up-session-id-of-the-right-length-123",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = anonymous
        .get(app.url("/api/v1/search?q=x"))
        .bearer_auth("cpt_made_up")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // A second later the address has a request again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = anonymous
        .get(app.url("/api/v1/search?q=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
on_both_with!(
    anonymous_requests_are_limited_per_address,
    vec![("ANONYMOUS_REQUESTS_PER_MINUTE", "60".to_string())]
);

/// A form token is signed for the browser's form cookie and its session: a token shown
/// before logging in does not work in the session, and a form cookie planted by another
/// host, with a token an attacker got for it, does not work in the victim's session.
async fn form_tokens_are_bound_to_the_session(app: TestApp) {
    // The attacker's own form cookie and its token, got by visiting as anyone can.
    let (planted_cookie, planted_token) = fresh_form(&app).await;

    let victim = app.register("Opfer").await;
    let profile = |c: &reqwest::Client, cookie: Option<String>, token: &str| {
        let mut r = c.post(app.url("/account/profile")).form(&[
            ("csrf", token),
            ("display_name", "Umbenannt"),
            ("locale", "de"),
        ]);
        if let Some(cookie) = cookie {
            r = r.header("cookie", cookie);
        }
        r.send()
    };
    // The victim's session id, to send with the planted form cookie.
    let sid = session_of(&app, &victim).await;
    let r = profile(
        &reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        Some(format!("cp_session={sid}; cp_csrf={planted_cookie}")),
        &planted_token,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A token of the same browser from before the login is refused too.
    let browser = client();
    let before = page_token(&browser, &app.url("/login")).await;
    let r = browser
        .post(app.url("/api/v1/accounts/login"))
        .json(&json!({"email": victim.email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = profile(&browser, None, &before).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The token of a page shown in the session works.
    let now = page_token(&browser, &app.url("/account")).await;
    assert_ne!(now, before);
    let r = profile(&browser, None, &now).await.unwrap();
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    use sea_orm::EntityTrait;
    let u = entities::user::Entity::find_by_id(victim.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.display_name, "Umbenannt");
}
on_both_with!(form_tokens_are_bound_to_the_session, vec![]);

/// A visit without cookies: the form cookie it is given and the token on its page.
async fn fresh_form(app: &TestApp) -> (String, String) {
    let r = reqwest::Client::new()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cp_csrf="))
        .expect("a form cookie")
        .to_string();
    let cookie = set["cp_csrf=".len()..set.find(';').unwrap()].to_string();
    (cookie, hidden_csrf(&r.text().await.unwrap()))
}

/// The session id of a logged-in user, by logging them in once more without a jar.
async fn session_of(app: &TestApp, u: &User) -> String {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/accounts/login"))
        .json(&json!({"email": u.email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    set["cp_session=".len()..set.find(';').unwrap()].to_string()
}

/// Over https the session and form cookies are `__Host-` cookies (`Secure`, `Path=/`,
/// no `Domain`), and the same names without the prefix (which another host could set)
/// are not read.
async fn https_cookies_carry_the_host_prefix(app: TestApp) {
    let email = "host@example.org";
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/accounts/register"))
        .json(&json!({"email": email, "password": "correct horse battery", "display_name": "Host"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-cp_session="), "{set}");
    assert!(set.contains("; Path=/;") && set.contains("; Secure") && !set.contains("Domain"));
    let sid = set["__Host-cp_session=".len()..set.find(';').unwrap()].to_string();
    let me = |cookie: String| {
        reqwest::Client::new()
            .get(app.url("/api/v1/accounts/me"))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(
        me(format!("__Host-cp_session={sid}"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        me(format!("cp_session={sid}")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let page = reqwest::Client::new()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    let form_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("cp_csrf="))
        .expect("a form cookie")
        .to_string();
    assert!(form_cookie.starts_with("__Host-cp_csrf="), "{form_cookie}");
    assert!(form_cookie.contains("; Path=/;") && form_cookie.contains("; Secure"));
}
on_both_with!(
    https_cookies_carry_the_host_prefix,
    vec![("PUBLIC_URL", "https://portal.example/".to_string())]
);
