//! Account basics against a real SMTP server (the aiosmtpd of `scripts/test`): the
//! verification link gates login and booking, the password reset by email, a taken
//! address answered like a new one, changing name, language, address and password, the export
//! and erasure of the links, and the migration verifying the accounts that existed.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{availability, create_offer, published_listing, tomorrow};
use crate::helpers::*;
use crate::mailbox::{self, live_smtp};

/// One plain-text email as received.
#[derive(Debug, Clone)]
struct Mail {
    subject: String,
    text: String,
}

impl Mail {
    /// The link in the text that starts with `prefix` (e.g. `http://.../verify?token=`).
    fn link(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.contains(&format!("/{path}?token=")))
            .unwrap_or_else(|| panic!("a /{path} link in {}", self.text))
            .to_string()
    }
}

/// A received message's subject and text.
fn read_mail(m: &mail_parser::Message<'_>) -> Option<Mail> {
    Some(Mail {
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).unwrap_or_default().to_string(),
    })
}

/// The messages received for `to`, oldest first.
fn received(maildir: &std::path::Path, to: &str) -> Vec<Mail> {
    mailbox::received(maildir, to, read_mail)
}

/// Waits until `count` messages for `to` arrived (at most 20 s).
async fn wait_for_mail(maildir: &std::path::Path, to: &str, count: usize) -> Vec<Mail> {
    mailbox::wait_for(maildir, to, count, read_mail).await
}

/// An app sending by SMTP, and the Maildir it arrives in.
struct Smtp {
    app: TestApp,
    maildir: std::path::PathBuf,
}

macro_rules! with_smtp {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;
            async fn run(backend: Backend) {
                let Some((url, maildir)) = live_smtp() else {
                    return;
                };
                let opts = Opts {
                    env: vec![
                        ("SMTP_URL", url),
                        (
                            "SMTP_FROM",
                            "Stadtportal <portal@testhausen.example>".into(),
                        ),
                    ],
                    ..Default::default()
                };
                if let Some(app) = spawn_with(backend, opts).await {
                    super::$scenario(Smtp { app, maildir }).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await;
            }
        }
    };
}

fn unique(name: &str) -> String {
    format!("{name}-{}@example.org", Uuid::new_v4().simple())
}

fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("a field {name} in: {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// The path and query of a link of the portal.
fn path_of(link: &str) -> String {
    let u = url::Url::parse(link).unwrap();
    format!("{}?{}", u.path(), u.query().unwrap_or_default())
}

async fn register_with(
    app: &TestApp,
    c: &reqwest::Client,
    email: &str,
    lang: &str,
) -> reqwest::Response {
    c.post(app.url("/api/v1/accounts/register"))
        .header("Accept-Language", lang)
        .json(&json!({"email": email, "password": "correct horse battery", "display_name": "Rosa"}))
        .send()
        .await
        .unwrap()
}

async fn me(app: &TestApp, c: &reqwest::Client) -> (StatusCode, Value) {
    let r = c.get(app.url("/api/v1/accounts/me")).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn page(c: &reqwest::Client, url: String) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A class tomorrow with seats; returns its id and start.
async fn class(app: &TestApp, seats: u32) -> (String, String) {
    let (owner, listing) = published_listing(app, "Studio").await;
    let day = tomorrow(app);
    let offer = create_offer(
        app,
        &owner,
        &listing,
        json!({"kind": "class", "name": {"en": "Yoga"},
               "class": {"seats": seats, "duration_minutes": 60, "sessions": [format!("{day}T18:00:00")]}}),
    )
    .await;
    let id = offer["id"].as_str().unwrap().to_string();
    let starts_at = availability(app, &id, "").await[0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    (id, starts_at)
}

async fn login(
    app: &TestApp,
    c: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    c.post(app.url("/api/v1/accounts/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The value of the form field `name` (whatever attributes come between).
fn field_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("a field {name} in: {html}"));
    let start = at + html[at..].find("value=\"").unwrap() + "value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// With email, registering logs nobody in, and until the emailed link is followed a
/// login with the right password is refused like a wrong one (the link goes out
/// again). A session of an account not verified (one begun before registering stopped
/// logging in) browses but does not book (API, waitlist, pages). Following the link in
/// another browser leads to the login form with the address filled in; the link works
/// once; the account's language (from `Accept-Language` at registration) is the
/// email's.
async fn verification_gates_booking(s: Smtp) {
    let app = &s.app;
    let c = client();
    let email = unique("rosa");
    let r = register_with(app, &c, &email, "de-DE,de;q=0.9").await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "nobody is logged in"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({ "email": email }));
    assert_eq!(me(app, &c).await.0, StatusCode::UNAUTHORIZED);
    let mails = wait_for_mail(&s.maildir, &email, 1).await;
    assert_eq!(mails[0].subject, "Bestätigen Sie Ihre E-Mail-Adresse");
    let link = mails[0].link("verify");

    // The right password before the link: refused like a wrong one, the link again.
    let right = login(app, &c, &email, "correct horse battery").await;
    assert!(right.headers().get("set-cookie").is_none());
    let right = problem(right, 401).await;
    let wrong = problem(login(app, &client(), &email, "not the password").await, 401).await;
    assert_eq!(right, wrong);
    let mails = wait_for_mail(&s.maildir, &email, 2).await;
    let second = mails[1].link("verify");
    assert_ne!(link, second, "a new link each time");

    // A session of the account while its address waits.
    let id = app.user_id(&email).await;
    let sid = api::web::auth::create_session(&app.state, id)
        .await
        .unwrap();
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &api::web::auth::session_cookie(&app.state, &sid),
        &app.base.parse().unwrap(),
    );
    let c = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (status, m) = me(app, &c).await;
    assert_eq!(
        (status, &m["email_verified"]),
        (StatusCode::OK, &json!(false))
    );
    assert_eq!(m["locale"], "de");
    let (offer, starts_at) = class(app, 1).await;
    let booking = json!({"offer_id": offer, "starts_at": starts_at});
    let r = c
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", "k-1")
        .json(&booking)
        .send()
        .await
        .unwrap();
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "/problems/email-unverified");
    let r = c
        .post(app.url("/api/v1/waitlist"))
        .json(&booking)
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    // The booking page says so and offers the link again.
    let (status, html) = page(&c, app.url(&format!("/offers/{offer}?lang=en"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Confirm your email address first"), "{html}");
    assert!(html.contains("action=\"/account/verification\""));
    let resend = c
        .post(app.url("/account/verification"))
        .form(&[("csrf", input_value(&html, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), StatusCode::SEE_OTHER);
    let mails = wait_for_mail(&s.maildir, &email, 3).await;
    let third = mails[2].link("verify");

    // Another browser opens the link: a button; pressing it verifies and shows the
    // login form with the address filled in, which logs in.
    let browser = client();
    let (status, html) = page(&browser, app.url(&format!("{}&lang=en", path_of(&third)))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let form = [
        ("csrf", input_value(&html, "csrf")),
        ("token", input_value(&html, "token")),
    ];
    let r = browser
        .post(app.url("/verify"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "the link logs nobody in"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("action=\"/login\""), "{html}");
    assert!(html.contains("Your email address is confirmed. Log in to continue."));
    assert_eq!(field_value(&html, "email"), email);
    let r = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf", input_value(&html, "csrf")),
            ("email", email.clone()),
            ("password", "correct horse battery".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account");
    assert_eq!(me(app, &browser).await.1["email_verified"], true);
    assert_eq!(me(app, &c).await.1["email_verified"], true);
    // Used: the same link again is a clear page, not an error (pressed on a page of
    // the new session: the old page's token belonged to the visitor before the login).
    let (_, html) = page(&browser, app.url("/account")).await;
    let again = [
        ("csrf", input_value(&html, "csrf")),
        ("token", form[1].1.clone()),
    ];
    let r = browser
        .post(app.url("/verify"))
        .form(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    let (status, _) = page(&browser, app.url(&path_of(&third))).await;
    assert_eq!(status, StatusCode::GONE);
    // And the API says which field was wrong.
    let r = client()
        .post(app.url("/api/v1/accounts/verify"))
        .json(&json!({"token": "not-a-token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(r, 422).await), ["token"]);

    let r = c
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", "k-2")
        .json(&booking)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}
with_smtp!(verification_gates_booking);

async fn request_reset(app: &TestApp, c: &reqwest::Client, email: &str) -> reqwest::Response {
    c.post(app.url("/api/v1/accounts/password-reset"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

/// The reset: the same answer for known and unknown addresses, a link only to the
/// known one, valid once and for an hour; afterwards every session and API token of
/// the account is over and only the new password logs in. Rate-limited per address.
async fn password_reset_by_email(s: Smtp) {
    let app = &s.app;
    let (owner, _) = app.business_owner("Olli").await;
    let token: Value = owner
        .client
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "integration"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["token"].as_str().unwrap().to_string();
    let nobody = unique("nobody");

    let anon = client();
    let known = request_reset(app, &anon, &owner.email).await;
    let unknown = request_reset(app, &anon, &nobody).await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    // The verification mail of registration came first; then the reset.
    let mails = wait_for_mail(&s.maildir, &owner.email, 2).await;
    let reset = mails
        .iter()
        .find(|m| m.text.contains("/password-reset/confirm?token="))
        .unwrap();
    assert_eq!(
        reset.subject, "Neues Passwort festlegen",
        "registered without Accept-Language: the city's language"
    );
    let link = reset.link("password-reset/confirm");
    let secret = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .to_string();
    // Only a hash is stored.
    let rows = entities::account_token::Entity::find()
        .filter(entities::account_token::Column::Purpose.eq("reset"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, secret);
    let lifetime = rows[0].expires_at - rows[0].created_at;
    assert_eq!(lifetime, chrono::Duration::hours(1));

    let (status, html) = page(&anon, app.url(&path_of(&link))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("action=\"/password-reset/confirm\""));
    let confirm = |password: &'static str| {
        anon.post(app.url("/api/v1/accounts/password-reset/confirm"))
            .json(&json!({"token": secret, "password": password}))
            .send()
    };
    assert_eq!(
        fields(&problem(confirm("short").await.unwrap(), 422).await),
        ["password"]
    );
    assert_eq!(
        confirm("a brand new secret").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    // Used up.
    assert_eq!(
        fields(&problem(confirm("yet another secret").await.unwrap(), 422).await),
        ["token"]
    );
    let (status, html) = page(&anon, app.url(&path_of(&link))).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("href=\"/password-reset\""));

    // The owner's session and API token are over.
    assert_eq!(me(app, &owner.client).await.0, StatusCode::UNAUTHORIZED);
    let r = client()
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let login = |password: &'static str| {
        client()
            .post(app.url("/api/v1/accounts/login"))
            .json(&json!({"email": owner.email, "password": password}))
            .send()
    };
    assert_eq!(
        login("correct horse battery").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login("a brand new secret").await.unwrap().status(),
        StatusCode::OK
    );
    let mails = wait_for_mail(&s.maildir, &owner.email, 3).await;
    assert!(mails
        .iter()
        .any(|m| m.subject == "Ihr Passwort wurde geändert"));

    // An expired link is refused like a used one.
    request_reset(app, &anon, &owner.email).await;
    let mails = wait_for_mail(&s.maildir, &owner.email, 4).await;
    let late = mails.last().unwrap().link("password-reset/confirm");
    entities::account_token::Entity::update_many()
        .col_expr(
            entities::account_token::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        page(&anon, app.url(&path_of(&late))).await.0,
        StatusCode::GONE
    );

    // Three requests per address and hour; the fourth waits (for any client).
    let r = request_reset(app, &client(), &owner.email).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = request_reset(app, &client(), &owner.email).await;
    assert!(retry_after(&r) > 0);
    problem(r, 429).await;
    // Nothing ever went to the unknown address.
    assert!(received(&s.maildir, &nobody).is_empty());
}
with_smtp!(password_reset_by_email);

/// Registering a taken address answers exactly like a new registration, API and page
/// (status, headers, cookies, body but the address typed), logs nobody in, and the
/// owner is told by email; the new address's link leads, through the login, on to
/// the page the registration began from.
async fn taken_address_answers_like_new(s: Smtp) {
    let app = &s.app;
    let owner = app.register("Owner").await;
    let fresh_email = unique("fresh");
    let fresh = register_with(app, &client(), &fresh_email.to_uppercase(), "en").await;
    let taken = register_with(app, &client(), &owner.email.to_uppercase(), "en").await;
    assert_eq!(fresh.status(), StatusCode::ACCEPTED);
    assert_eq!(fresh.status(), taken.status());
    let keys = |r: &reqwest::Response| {
        let mut k: Vec<String> = r.headers().keys().map(|k| k.to_string()).collect();
        k.retain(|k| k != "date" && k != "content-length");
        k.sort();
        k
    };
    assert_eq!(keys(&fresh), keys(&taken));
    assert!(fresh.headers().get("set-cookie").is_none());
    assert!(taken.headers().get("set-cookie").is_none());
    let (a, b): (Value, Value) = (fresh.json().await.unwrap(), taken.json().await.unwrap());
    assert_eq!(a, json!({ "email": fresh_email }));
    assert_eq!(b, json!({ "email": owner.email }));
    let mails = wait_for_mail(&s.maildir, &owner.email, 2).await;
    let note = mails
        .iter()
        .find(|m| m.subject == "Jemand wollte Ihre E-Mail-Adresse verwenden");
    assert!(note.is_some(), "{mails:?}");
    assert!(note.unwrap().text.contains("/password-reset"));
    assert_eq!(wait_for_mail(&s.maildir, &fresh_email, 1).await.len(), 1);

    // The page, from one browser: the same answer for a new and a taken address.
    let next = "/search?q=yoga";
    let browser = client();
    let (_, html) = page(
        &browser,
        app.url("/register?lang=en&next=%2Fsearch%3Fq%3Dyoga"),
    )
    .await;
    let csrf = input_value(&html, "csrf");
    assert_eq!(input_value(&html, "next"), "/search?q=yoga");
    let form = |email: String| {
        browser
            .post(app.url("/register"))
            .form(&[
                ("csrf", csrf.clone()),
                ("email", email),
                ("password", "correct horse battery".into()),
                ("display_name", "Page".into()),
                ("next", next.into()),
            ])
            .send()
    };
    let page_email = unique("page");
    let p1 = form(page_email.clone()).await.unwrap();
    let p2 = form(owner.email.to_uppercase()).await.unwrap();
    assert_eq!(p1.status(), StatusCode::OK);
    assert_eq!(p1.status(), p2.status());
    assert_eq!(keys(&p1), keys(&p2));
    assert!(p1.headers().get("set-cookie").is_none());
    assert!(p2.headers().get("set-cookie").is_none());
    let (h1, h2) = (p1.text().await.unwrap(), p2.text().await.unwrap());
    assert!(
        h1.contains("Check your mailbox") && h1.contains(&page_email),
        "{h1}"
    );
    assert_eq!(
        h1.replace(&page_email, "ADDRESS"),
        h2.replace(&owner.email, "ADDRESS"),
        "the same page but the address"
    );
    assert_eq!(me(app, &browser).await.0, StatusCode::UNAUTHORIZED);
    let mails = wait_for_mail(&s.maildir, &owner.email, 3).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject == "Jemand wollte Ihre E-Mail-Adresse verwenden")
            .count(),
        2
    );
    // The owner's password is untouched.
    assert_eq!(
        login(app, &client(), &owner.email, "correct horse battery")
            .await
            .status(),
        StatusCode::OK
    );

    // The new address's link: confirm, log in, on to where the registration began.
    let link = wait_for_mail(&s.maildir, &page_email, 1).await[0].link("verify");
    let (status, html) = page(&browser, app.url(&path_of(&link))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(input_value(&html, "next"), next);
    let r = browser
        .post(app.url("/verify"))
        .form(&[
            ("csrf", input_value(&html, "csrf")),
            ("token", input_value(&html, "token")),
            ("next", input_value(&html, "next")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(field_value(&html, "email"), page_email);
    assert_eq!(input_value(&html, "next"), next);
    let r = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf", input_value(&html, "csrf")),
            ("email", page_email.clone()),
            ("password", "correct horse battery".into()),
            ("next", input_value(&html, "next")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], next);
    assert_eq!(me(app, &browser).await.1["email"], page_email.as_str());
}
with_smtp!(taken_address_answers_like_new);

/// Name and language, address (verified again, the old one told and kept until then),
/// password (the current one asked; other sessions end, this one goes on); the export
/// shows the pending change and the links; erasure removes the links.
async fn change_name_language_address_password(s: Smtp) {
    let app = &s.app;
    let u = app.register("Rosa").await;
    let patch = |body: Value| {
        u.client
            .patch(app.url("/api/v1/accounts/me"))
            .json(&body)
            .send()
    };
    let r = patch(json!({"display_name": "Rosa R.", "locale": "de"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["display_name"].as_str(), body["locale"].as_str()),
        (Some("Rosa R."), Some("de"))
    );
    assert_eq!(
        fields(&problem(patch(json!({"display_name": " "})).await.unwrap(), 422).await),
        ["display_name"]
    );

    let r = patch(json!({"locale": "fr"})).await.unwrap();
    let status = r.status().as_u16();
    let p = problem(r, status).await;
    assert!((400..500).contains(&status), "{p}");
    assert_eq!(fields(&p), ["locale"], "{p}");

    // The address.
    let new = unique("rosa-neu");
    let change = |email: &str, password: &str| {
        u.client
            .post(app.url("/api/v1/accounts/me/email"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    assert_eq!(
        fields(&problem(change(&new, "wrong one!!").await.unwrap(), 422).await),
        ["password"]
    );
    assert_eq!(
        fields(
            &problem(
                change(&u.email, "correct horse battery").await.unwrap(),
                422
            )
            .await
        ),
        ["email"]
    );
    assert_eq!(
        change(&new, "correct horse battery")
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    let to_new = wait_for_mail(&s.maildir, &new, 1).await;
    assert_eq!(
        to_new[0].subject, "Bestätigen Sie Ihre E-Mail-Adresse",
        "the account's language"
    );
    let to_old = wait_for_mail(&s.maildir, &u.email, 2).await;
    assert!(
        to_old
            .iter()
            .any(|m| m.subject == "Ihre E-Mail-Adresse wird geändert"),
        "{to_old:?}"
    );
    let (_, m) = me(app, &u.client).await;
    assert_eq!(
        (m["email"].as_str(), m["pending_email"].as_str()),
        (Some(u.email.as_str()), Some(new.as_str()))
    );
    let export: Value = u
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["account"]["pending_email"], new.as_str());
    assert!(export["account"]["email_verified_at"].is_string());
    assert!(export["email_links"].as_array().unwrap().len() >= 2);
    assert!(!export.to_string().contains("token_hash"));
    let secret = url::Url::parse(&to_new[0].link("verify"))
        .unwrap()
        .query_pairs()
        .next()
        .unwrap()
        .1
        .to_string();
    let r = client()
        .post(app.url("/api/v1/accounts/verify"))
        .json(&json!({"token": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, m) = me(app, &u.client).await;
    assert_eq!(
        (m["email"].as_str(), m["email_verified"].as_bool()),
        (Some(new.as_str()), Some(true))
    );
    assert!(m["pending_email"].is_null());

    // The password.
    let other = client();
    let r = other
        .post(app.url("/api/v1/accounts/login"))
        .json(&json!({"email": new, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pw = |current: &str, new_pw: &str| {
        u.client
            .post(app.url("/api/v1/accounts/me/password"))
            .json(&json!({"current_password": current, "new_password": new_pw}))
            .send()
    };
    // What the published document states (the new password's length) is checked at
    // the edge, before the current password is: the first answer names that.
    let p = problem(pw("not the one", "short").await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["new_password"]);
    let p = problem(pw("not the one", "long enough now").await.unwrap(), 422).await;
    assert_eq!(fields(&p), ["current_password"]);
    let r = pw("correct horse battery", "another horse battery")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.headers().get("set-cookie").is_some());
    assert_eq!(
        me(app, &u.client).await.0,
        StatusCode::OK,
        "this browser goes on"
    );
    assert_eq!(
        me(app, &other).await.0,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );

    // Erasure takes the links along.
    let r = u
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"password": "another horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let left = entities::account_token::Entity::find()
        .filter(entities::account_token::Column::UserId.eq(u.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
with_smtp!(change_name_language_address_password);

/// The account page's forms: name and language, the address, the password, each with
/// its errors at its fields; the login page links to the reset.
async fn account_page_forms(app: TestApp) {
    let u = app.register("Form").await;
    let (status, html) = page(&u.client, app.url("/account?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    for action in ["/account/profile", "/account/email", "/account/password"] {
        assert!(html.contains(&format!("action=\"{action}\"")), "{action}");
    }
    let csrf = input_value(&html, "csrf");
    let r = u
        .client
        .post(app.url("/account/profile"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "Form B"),
            ("locale", "de"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, m) = me(&app, &u.client).await;
    assert_eq!(
        (m["display_name"].as_str(), m["locale"].as_str()),
        (Some("Form B"), Some("de"))
    );
    let r = u
        .client
        .post(app.url("/account/password?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", "nope"),
            ("new_password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#current_password\"") && html.contains("href=\"#new_password\""));
    let r = u
        .client
        .post(app.url("/account/email?lang=en"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("new_email", "no address"),
            ("email_password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#new_email\"") && html.contains("href=\"#email_password\""));
    let (_, login) = page(&client(), app.url("/login")).await;
    assert!(login.contains("href=\"/password-reset\""));
    let (status, _) = page(&client(), app.url("/password-reset/confirm?token=nothing")).await;
    assert_eq!(status, StatusCode::GONE);
}
crate::on_both!(account_page_forms);

/// Accounts that exist when the migration runs count as verified. A portal that sends
/// no email (this one: no `SMTP_URL`) verifies new accounts at once, as no link could
/// reach them.
async fn existing_accounts_are_verified_by_the_migration(app: TestApp) {
    use migration::MigratorTrait;
    let u = app.register_unverified("Old").await;
    let db = &app.state.db;
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000020_add_account_basics")
        .unwrap();
    let mig = crate::helpers::migration_connection(&app).await;
    migration::Migrator::down(&mig, Some((names.len() - at) as u32))
        .await
        .unwrap();
    migration::Migrator::up(&mig, None).await.unwrap();
    let row = entities::user::Entity::find_by_id(u.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.email_verified_at, Some(row.created_at));
    let fresh = app.register_unverified("New").await;
    let (_, m) = me(&app, &fresh.client).await;
    assert_eq!(m["email_verified"], true, "no email, no verification");
}
crate::on_both!(existing_accounts_are_verified_by_the_migration);

/// A portal that sends no email cannot keep a taken address secret (whoever registers
/// is logged in at once, or not): it says so, at the field, on the API and the page,
/// and logs nobody in.
async fn without_email_a_taken_address_is_said_plainly(app: TestApp) {
    let owner = app.register("Owner").await;
    let r = register_with(&app, &client(), &owner.email.to_uppercase(), "en").await;
    assert!(r.headers().get("set-cookie").is_none());
    let p = problem(r, 422).await;
    assert_eq!(fields(&p), ["email"]);
    assert_eq!(p["errors"][0]["message"], "has an account already");
    let browser = client();
    let (_, html) = page(&browser, app.url("/register?lang=en")).await;
    let r = browser
        .post(app.url("/register"))
        .form(&[
            ("csrf", input_value(&html, "csrf")),
            ("email", owner.email.clone()),
            ("password", "correct horse battery".into()),
            ("display_name", "Page".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.headers().get("set-cookie").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#email\""), "{html}");
    assert!(
        html.contains("This address has an account already."),
        "{html}"
    );
    assert_eq!(me(&app, &browser).await.0, StatusCode::UNAUTHORIZED);
    // A new address registers and is logged in at once.
    let fresh = app.register_unverified("Fresh").await;
    assert_eq!(me(&app, &fresh.client).await.1["email_verified"], true);
}
crate::on_both!(without_email_a_taken_address_is_said_plainly);

/// Used and expired emailed links are deleted (hourly, and at start); a live one stays.
async fn used_and_expired_links_are_purged(app: TestApp) {
    use sea_orm::{ActiveModelTrait, Set};
    let u = app.register("Purge").await;
    let now = chrono::Utc::now();
    let link = |hash: &str, expires: chrono::DateTime<chrono::Utc>, used: bool| {
        entities::account_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(u.id),
            purpose: Set("verify".into()),
            token_hash: Set(hash.repeat(64)),
            email: Set(Some("new-address@example.org".into())),
            created_at: Set(now - chrono::Duration::days(8)),
            expires_at: Set(expires),
            used_at: Set(used.then_some(now - chrono::Duration::days(1))),
        }
    };
    let db = &app.state.db;
    link("a", now - chrono::Duration::hours(1), false)
        .insert(db)
        .await
        .unwrap();
    link("b", now + chrono::Duration::days(1), true)
        .insert(db)
        .await
        .unwrap();
    let live = link("c", now + chrono::Duration::days(1), false)
        .insert(db)
        .await
        .unwrap();
    let purged = api::accounts::service::purge_links(db).await.unwrap();
    assert!(purged >= 2, "{purged}");
    let left = entities::account_token::Entity::find()
        .filter(entities::account_token::Column::UserId.eq(u.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        left.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![live.id],
        "only the live link stays"
    );
}
crate::on_both!(used_and_expired_links_are_purged);
