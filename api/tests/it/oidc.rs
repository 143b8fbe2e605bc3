//! The city login against a real OpenID Provider: panva's oidc-provider (OpenID
//! Certified), started by `scripts/test` (`TEST_OIDC_ISSUER`; see
//! `scripts/oidc-provider/server.mjs`). Every test server registers its own client
//! there (dynamic registration) with its exact redirect URI, and a test browser (a
//! cookie jar) goes through the provider's real login and consent pages.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

/// The provider's issuer; `None` (with one printed line) when no provider runs and
/// it is not required.
fn issuer() -> Option<String> {
    match std::env::var("TEST_OIDC_ISSUER") {
        Ok(v) if !v.trim().is_empty() => Some(v.trim().to_string()),
        _ => {
            if std::env::var("REQUIRE_ALL_BACKENDS").is_ok_and(|v| v == "1") {
                panic!("TEST_OIDC_ISSUER is not set but REQUIRE_ALL_BACKENDS=1");
            }
            println!(
                "skipped: no test OpenID Provider (set TEST_OIDC_ISSUER; scripts/test starts one)"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A portal with the city login: its client registered at the provider.
struct Rp {
    app: TestApp,
    issuer: String,
    client_id: String,
}

async fn register_client(issuer: &str, base: &str) -> (String, String) {
    let r = reqwest::Client::new()
        .post(format!("{issuer}/reg"))
        .json(&json!({
            "redirect_uris": [format!("{base}/auth/oidc/callback")],
            "post_logout_redirect_uris": [format!("{base}/")],
            "client_name": "City Portal (test)",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "client registration");
    let body: Value = r.json().await.unwrap();
    (
        body["client_id"].as_str().unwrap().to_string(),
        body["client_secret"].as_str().unwrap().to_string(),
    )
}

async fn spawn_rp(backend: Backend, extra: &[(&'static str, &str)]) -> Option<Rp> {
    let issuer = issuer()?;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (client_id, secret) = register_client(&issuer, &base).await;
    let mut env = vec![
        ("BIND_ADDR", format!("127.0.0.1:{port}")),
        ("OIDC_ISSUER_URL", issuer.clone()),
        ("OIDC_CLIENT_ID", client_id.clone()),
        ("OIDC_CLIENT_SECRET", secret),
        ("OIDC_DISPLAY_NAME", "Testhausen-Konto".to_string()),
        ("OIDC_ACR_LEVELS", "basic substantial high".to_string()),
    ];
    for (k, v) in extra {
        env.push((k, v.to_string()));
    }
    let app = spawn_with(
        backend,
        Opts {
            public_url: Some(base),
            env,
            ..Default::default()
        },
    )
    .await?;
    Some(Rp {
        app,
        issuer,
        client_id,
    })
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("a redirect, got {}", r.status()))
        .to_str()
        .unwrap()
        .to_string()
}

fn absolute(base: &str, loc: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(loc)
        .unwrap()
        .to_string()
}

fn form_action(html: &str) -> String {
    let marker = "action=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("a form in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].replace("&#47;", "/")
}

/// Follows the provider's pages from `start` (a URL of the provider): logs in as
/// `login` at level `acr` and allows access, until the provider redirects back to the
/// portal. Returns the callback URL (not yet followed).
async fn through_provider(
    c: &reqwest::Client,
    rp: &Rp,
    start: &str,
    login: &str,
    acr: &str,
) -> String {
    let mut url = start.to_string();
    for _ in 0..12 {
        if url.starts_with(&rp.app.base) {
            return url;
        }
        let r = c.get(&url).send().await.unwrap();
        if r.status().is_redirection() {
            url = absolute(&url, &location(&r));
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "provider page {url}");
        let html = r.text().await.unwrap();
        let action = absolute(&url, &form_action(&html));
        let posted = if action.ends_with("/login") {
            c.post(&action)
                .form(&[("login", login), ("password", "x"), ("acr", acr)])
                .send()
                .await
                .unwrap()
        } else if html.contains("name=\"xsrf\"") {
            // Another account logs in: the provider ends its session first.
            let xsrf = crate::booking_pages::input_value(&html, "xsrf");
            c.post(&action)
                .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
                .send()
                .await
                .unwrap()
        } else {
            c.post(&action).form(&[("ok", "1")]).send().await.unwrap()
        };
        assert!(
            posted.status().is_redirection(),
            "{action}: {}",
            posted.status()
        );
        url = absolute(&action, &location(&posted));
    }
    panic!("the provider did not send the browser back");
}

/// Starts the city login on the portal and goes through the provider: the callback URL.
async fn city_login_callback(c: &reqwest::Client, rp: &Rp, login: &str, acr: &str) -> String {
    let r = c.get(rp.app.url("/auth/oidc/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with(&rp.issuer), "{to}");
    let q: std::collections::HashMap<String, String> = url::Url::parse(&to)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q.contains_key("code_challenge") && q.contains_key("nonce") && q.contains_key("state"));
    assert_eq!(q["redirect_uri"], rp.app.url("/auth/oidc/callback"));
    // The provider's pages in the resident's language on the portal.
    assert!(["de", "en"].contains(&q["ui_locales"].as_str()), "{to}");
    through_provider(c, rp, &to, login, acr).await
}

fn has_session_cookie(r: &reqwest::Response) -> bool {
    r.headers().get_all("set-cookie").iter().any(|v| {
        v.to_str().unwrap_or("").starts_with("cp_session=")
            && !v.to_str().unwrap_or("").starts_with("cp_session=;")
    })
}

/// The page asking before a new account is made: its form's CSRF token.
async fn confirm_page(c: &reqwest::Client, rp: &Rp) -> String {
    let r = c
        .get(rp.app.url("/auth/oidc/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("action=\"/auth/oidc/confirm\""), "{html}");
    crate::booking_pages::input_value(&html, "csrf")
}

/// Answers the page asking before a new account is made (`create` or `cancel`).
async fn decide(c: &reqwest::Client, rp: &Rp, decision: &str) -> reqwest::Response {
    let csrf = confirm_page(c, rp).await;
    c.post(rp.app.url("/auth/oidc/confirm"))
        .form(&[("csrf", csrf.as_str()), ("decision", decision)])
        .send()
        .await
        .unwrap()
}

/// Follows the callback; a first login's new account is confirmed on its page.
async fn finish_login(c: &reqwest::Client, rp: &Rp, cb: &str) -> reqwest::Response {
    let r = c.get(cb).send().await.unwrap();
    if r.status() == StatusCode::SEE_OTHER && location(&r) == "/auth/oidc/confirm" {
        assert!(!has_session_cookie(&r));
        return decide(c, rp, "create").await;
    }
    r
}

/// The provider changes its next answer to this portal's client (see server.mjs).
async fn tamper(rp: &Rp, mode: &str) {
    let set = reqwest::Client::new()
        .post(format!("{}/_test/tamper", rp.issuer))
        .json(&json!({"client_id": rp.client_id, "mode": mode}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
}

async fn identities_of_subject(rp: &Rp, subject: &str) -> u64 {
    entities::user_identity::Entity::find()
        .filter(entities::user_identity::Column::Subject.eq(subject))
        .count(&rp.app.state.db)
        .await
        .unwrap()
}

async fn logged_in(c: &reqwest::Client, rp: &Rp) -> bool {
    let r = c.get(rp.app.url("/account")).send().await.unwrap();
    r.status() == StatusCode::OK
}

fn new_login() -> String {
    format!("t{}", Uuid::new_v4().simple())
}

async fn user_by_email(rp: &Rp, email: &str) -> Option<entities::user::Model> {
    entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(email))
        .one(&rp.app.state.db)
        .await
        .unwrap()
}

async fn first_login_creates_the_account_and_the_second_finds_it(rp: Rp) {
    let login = new_login();
    let c = client();
    // The login page offers the city login beside the form (a link, no script).
    let r = c.get(rp.app.url("/login")).send().await.unwrap();
    // Forms may lead to the provider (linking, logout redirect there), no further.
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("form-action 'self' {};", rp.issuer)),
        "{csp}"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"/auth/oidc/login\""), "{page}");
    // The privacy page says what the city login keeps.
    let privacy = c
        .get(rp.app.url("/privacy?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        privacy.contains("Logging in with Testhausen-Konto") && privacy.contains("127.0.0.1"),
        "{privacy}"
    );
    assert!(page.contains("Testhausen-Konto"));
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    assert!(cb.contains("iss="), "RFC 9207: {cb}");
    // Nothing is stored before the resident says yes: the page says what would be.
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/auth/oidc/confirm");
    assert!(!has_session_cookie(&r));
    assert!(!logged_in(&c, &rp).await);
    let email = format!("{login}@citizens.example");
    assert!(user_by_email(&rp, &email).await.is_none());
    assert_eq!(identities_of_subject(&rp, &format!("sub-{login}")).await, 0);
    let page = c
        .get(rp.app.url("/auth/oidc/confirm?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("id=\"oidc-confirm-name\">{login}<"))
            && page.contains(&format!("id=\"oidc-confirm-email\">{email}<"))
            && page.contains("href=\"/privacy#h-city-login\"")
            && page.contains("value=\"create\"")
            && page.contains("value=\"cancel\""),
        "{page}"
    );
    assert!(
        user_by_email(&rp, &email).await.is_none(),
        "showing stores nothing"
    );
    let r = decide(&c, &rp, "create").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(has_session_cookie(&r));
    assert_eq!(location(&r), "/account");
    let account = c
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("id=\"oidc-level\">basic<"), "{account}");
    assert!(account.contains(&format!("{login}@citizens.example")));

    let u = user_by_email(&rp, &email).await.expect("the account");
    assert!(
        u.email_verified_at.is_some(),
        "the provider verified the address"
    );
    assert_eq!(u.password_hash, "", "no password");
    assert_eq!(u.display_name, login);
    let links = entities::user_identity::Entity::find()
        .filter(entities::user_identity::Column::UserId.eq(u.id))
        .all(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].subject, format!("sub-{login}"));
    assert_eq!(links[0].issuer, rp.issuer);

    // Another browser, the same city account: the same portal account.
    let c2 = client();
    let cb = city_login_callback(&c2, &rp, &login, "basic").await;
    let r = c2.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let me: Value = c2
        .get(rp.app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], json!(u.id.to_string()));
    let count = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(email))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);

    // The export names the link; erasure removes it (no password: the city login's
    // session confirms).
    let export: Value = c2
        .get(rp.app.url("/account/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        export["city_login"]["subject"],
        json!(format!("sub-{login}"))
    );
    assert_eq!(export["city_login"]["issuer"], json!(rp.issuer));
    let html = c2
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c2
        .post(rp.app.url("/account/delete"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let left = entities::user_identity::Entity::find()
        .filter(entities::user_identity::Column::UserId.eq(u.id))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "erasure removes the link");
}

async fn bad_answers_are_refused_without_a_session(rp: Rp) {
    let login = new_login();
    // A forged state.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let mut u = url::Url::parse(&cb).unwrap();
    let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    let with = |k: &str, v: &str| {
        let mut u = u.clone();
        u.query_pairs_mut().clear().extend_pairs(
            pairs
                .iter()
                .map(|(pk, pv)| (pk.as_str(), if pk == k { v } else { pv.as_str() })),
        );
        u.to_string()
    };
    let forged = with("state", "forged-state");
    let r = c.get(&forged).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!has_session_cookie(&r));
    assert!(r.text().await.unwrap().contains("data-code=\"oidc-state\""));
    assert!(!logged_in(&c, &rp).await);

    // A wrong `iss` (RFC 9207), on a fresh login.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    u = url::Url::parse(&cb).unwrap();
    let pairs2: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    let mut evil = u.clone();
    evil.query_pairs_mut()
        .clear()
        .extend_pairs(pairs2.iter().map(|(k, v)| {
            (
                k.as_str(),
                if k == "iss" {
                    "http://127.0.0.1:1/evil"
                } else {
                    v.as_str()
                },
            )
        }));
    let r = c.get(evil.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!has_session_cookie(&r));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-code=\"oidc-issuer\""));
    // The state was used up by the refused answer: the genuine one is refused too.
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!logged_in(&c, &rp).await);

    // The callback in another browser (login CSRF): refused.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let other = client();
    let r = other.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!has_session_cookie(&r));

    // The provider sends `iss` (its metadata says so): an answer without it is refused.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let mut bare = url::Url::parse(&cb).unwrap();
    let kept: Vec<(String, String)> = bare
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "iss")
        .collect();
    bare.query_pairs_mut().clear().extend_pairs(kept);
    let r = c.get(bare.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-code=\"oidc-issuer\""));

    // The resident cancels at the provider: nothing happens, and the page says so.
    let c = client();
    let r = c.get(rp.app.url("/auth/oidc/login")).send().await.unwrap();
    let state: String = url::Url::parse(&location(&r))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut denied = url::Url::parse(&rp.app.url("/auth/oidc/callback")).unwrap();
    denied
        .query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("state", &state)
        .append_pair("iss", &rp.issuer);
    let r = c.get(denied.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!has_session_cookie(&r));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-code=\"oidc-cancelled\""));

    // ID tokens the provider's answer was tampered with: each refused.
    // OpenID Connect Core 3.1.3.7 (signature, iss, aud, azp, exp, iat, nonce),
    // 3.1.3.8 (at_hash) and 5.3.2 (the UserInfo response's sub is the ID token's).
    for mode in [
        "other-key",
        "other-aud",
        "expired",
        "wrong-nonce",
        "wrong-iss",
        "other-azp",
        "several-aud",
        "old-iat",
        "future-iat",
        "wrong-at-hash",
        "userinfo-other-sub",
    ] {
        let c = client();
        let cb = city_login_callback(&c, &rp, &login, "basic").await;
        tamper(&rp, mode).await;
        let r = c.get(&cb).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{mode}");
        assert!(!has_session_cookie(&r), "{mode}");
        let html = r.text().await.unwrap();
        assert!(html.contains("data-code=\"oidc-token\""), "{mode}: {html}");
        assert!(!logged_in(&c, &rp).await, "{mode}");
        assert_eq!(
            identities_of_subject(&rp, &format!("sub-{login}")).await,
            0,
            "{mode}"
        );
    }
    // An `at_hash` that is the access token's is fine.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    tamper(&rp, "at-hash").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/auth/oidc/confirm", "a matching at_hash");
    // The provider rotates its keys: a token signed by the new one is accepted once
    // the keys are read again (at most every 5 seconds, against forged tokens).
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let c = client();
    let rotation = new_login();
    let cb = city_login_callback(&c, &rp, &rotation, "basic").await;
    reqwest::Client::new()
        .post(format!("{}/_test/tamper", rp.issuer))
        .json(&json!({"client_id": rp.client_id, "mode": "rotated"}))
        .send()
        .await
        .unwrap();
    // (the rotated key's login is a first one: confirmed below)
    let r = finish_login(&c, &rp, &cb).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "a rotated key is fetched"
    );
    assert!(has_session_cookie(&r));
    assert!(logged_in(&c, &rp).await);
    // A level the portal does not know counts for nothing and is not shown.
    let c = client();
    let cb = city_login_callback(&c, &rp, &rotation, "basic").await;
    tamper(&rp, "unknown-acr").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account");
    let html = c
        .get(rp.app.url("/account?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"oidc-level\">not logged in with the city account<"),
        "{html}"
    );

    // Nothing was created by any of them.
    assert!(user_by_email(&rp, &format!("{login}@citizens.example"))
        .await
        .is_none());

    // An address the provider did not verify makes no account.
    let c = client();
    let unverified = format!("unverified-{}", Uuid::new_v4().simple());
    let cb = city_login_callback(&c, &rp, &unverified, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!has_session_cookie(&r));
    assert!(
        user_by_email(&rp, &format!("{unverified}@citizens.example"))
            .await
            .is_none()
    );
}

/// Registers a local account with the address the provider gives `login`.
async fn local_account(rp: &Rp, login: &str) -> Uuid {
    let email = format!("{login}@citizens.example");
    let r = client()
        .post(rp.app.url("/api/v1/accounts/register"))
        .json(&json!({"email": email, "password": "correct horse battery", "display_name": "Local Name"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let u = user_by_email(rp, &email).await.unwrap();
    api::accounts::service::verify_without_link(&rp.app.state.db, u.id)
        .await
        .unwrap();
    u.id
}

async fn a_local_account_is_linked_only_with_its_password(rp: Rp) {
    let login = new_login();
    let id = local_account(&rp, &login).await;
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/auth/oidc/link");
    assert!(!has_session_cookie(&r), "not logged in before the password");
    let html = c
        .get(rp.app.url("/auth/oidc/link"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c
        .post(rp.app.url("/auth/oidc/link"))
        .form(&[("csrf", csrf.as_str()), ("password", "wrong password here")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(!logged_in(&c, &rp).await);
    let r = c
        .post(rp.app.url("/auth/oidc/link"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(has_session_cookie(&r));
    let me: Value = c
        .get(rp.app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], json!(id.to_string()));
    assert_eq!(
        me["display_name"],
        json!("Local Name"),
        "the resident's chosen name stays"
    );

    // Both ways in: the password still works, and the city login finds the account.
    let c2 = client();
    let cb = city_login_callback(&c2, &rp, &login, "basic").await;
    let r = c2.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account");
    let me: Value = c2
        .get(rp.app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], json!(id.to_string()));

    // Unlinking leaves the password; the next city login must link again.
    let html = c2
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/account/oidc/unlink\""));
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c2
        .post(rp.app.url("/account/oidc/unlink"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let links = entities::user_identity::Entity::find()
        .filter(entities::user_identity::Column::UserId.eq(id))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(links, 0);

    // Linking from the account page: the password first, then the provider.
    let html = c2
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/account/oidc/link\""));
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c2
        .post(rp.app.url("/account/oidc/link"))
        .form(&[("csrf", csrf.as_str()), ("password", "not it at all")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c2
        .post(rp.app.url("/account/oidc/link"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cb = through_provider(&c2, &rp, &location(&r), &login, "basic").await;
    let r = c2.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account?done=oidc-linked");
    let links = entities::user_identity::Entity::find()
        .filter(entities::user_identity::Column::UserId.eq(id))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(links, 1);

    // An account the city login made has no password: unlinking is refused.
    let only = new_login();
    let c3 = client();
    let cb = city_login_callback(&c3, &rp, &only, "basic").await;
    finish_login(&c3, &rp, &cb).await;
    let html = c3
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("action=\"/account/oidc/unlink\""));
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c3
        .post(rp.app.url("/account/oidc/unlink"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn step_up_asks_the_provider_for_the_higher_level(rp: Rp) {
    let login = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    finish_login(&c, &rp, &cb).await;
    // The export needs "substantial": the portal sends the resident back to the
    // provider, asking for it and for a new login.
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .get(absolute(&rp.app.base, &location(&r)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with(&rp.issuer));
    // A new login, not the provider's open session (OpenID Connect Core 3.1.2.1).
    assert!(
        to.contains("acr_values=substantial")
            && to.contains("prompt=login")
            && to.contains("max_age=0"),
        "{to}"
    );
    // The API asks the same of a session (and of a personal token, which has no level).
    let r = c
        .get(rp.app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap();
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "/problems/step-up-required");
    // Another city account at the right level is not a step-up of this one.
    let cb = through_provider(&c, &rp, &to, &new_login(), "substantial").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("data-code=\"oidc-level\""));
    // The provider answers without asking again (an old `auth_time`), or without
    // saying when (none): refused, the session stays as it was.
    for mode in ["old-auth-time", "no-auth-time"] {
        let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
        let r = c
            .get(absolute(&rp.app.base, &location(&r)))
            .send()
            .await
            .unwrap();
        let cb = through_provider(&c, &rp, &location(&r), &login, "substantial").await;
        tamper(&rp, mode).await;
        let r = c.get(&cb).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{mode}");
        assert!(!has_session_cookie(&r), "{mode}");
        assert!(
            r.text().await.unwrap().contains("data-code=\"oidc-stale\""),
            "{mode}"
        );
        let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{mode}: still below");
    }
    // Logging in at "basic" again is not enough.
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    let r = c
        .get(absolute(&rp.app.base, &location(&r)))
        .send()
        .await
        .unwrap();
    let to = location(&r);
    let cb = through_provider(&c, &rp, &to, &login, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // At "substantial" it continues where the resident was: the download.
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    let r = c
        .get(absolute(&rp.app.base, &location(&r)))
        .send()
        .await
        .unwrap();
    let cb = through_provider(&c, &rp, &location(&r), &login, "substantial").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account/export");
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["city_login"]["subject"], json!(format!("sub-{login}")));
    let r = c
        .get(rp.app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the session reached the level");
    let html = c
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"oidc-level\">substantial<"));

    // A local account without a city login is told to link one.
    let local = new_login();
    local_account(&rp, &local).await;
    let lc = client();
    let html = lc
        .get(rp.app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = lc
        .post(rp.app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", &format!("{local}@citizens.example")),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = lc.get(rp.app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-code=\"oidc-level-needed\""));
}

/// A service whose module asks for a login level (`min_acr`): a resident logged in at a
/// lower level is sent to the provider for it from the form (and gets a 403 problem
/// from the API, nothing stored); at the level, the form; a local account without a
/// city login is told to link one.
async fn a_service_at_a_login_level_asks_for_it(rp: Rp) {
    let receiver = crate::applications::Receiver::start().await;
    let mut m = crate::applications::manifest(&receiver.url, false);
    m["services"][0]["min_acr"] = json!("substantial");
    crate::applications::active_module(&rp.app, m).await;
    let apply = "/services/residents-parking-permit/apply";
    let login = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    finish_login(&c, &rp, &cb).await;

    // The form sends the resident to the provider for the level, and back to the form.
    let r = c.get(rp.app.url(apply)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let step_up = location(&r);
    assert!(
        step_up.starts_with("/auth/oidc/step-up?level=substantial&next=%2Fservices%2Fresidents-parking-permit%2Fapply"),
        "{step_up}"
    );
    // The API refuses the application with a 403 problem; nothing is stored.
    let r = c
        .post(
            rp.app
                .url("/api/v1/services/residents-parking-permit/applications"),
        )
        .json(&json!({"answers": {"plate": "S-AB 1234"}, "share": []}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("substantial"), "{p}");
    assert_eq!(
        entities::application::Entity::find()
            .count(&rp.app.state.db)
            .await
            .unwrap(),
        0
    );
    let r = c
        .get(absolute(&rp.app.base, &step_up))
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(
        to.starts_with(&rp.issuer) && to.contains("acr_values=substantial"),
        "{to}"
    );
    let cb = through_provider(&c, &rp, &to, &login, "substantial").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), apply);
    let r = c.get(rp.app.url(apply)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("action=\"{apply}\"")),
        "the form: {html}"
    );

    // A local account has no city login to raise: told to link one.
    let local = new_login();
    local_account(&rp, &local).await;
    let lc = client();
    let html = lc
        .get(rp.app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = lc
        .post(rp.app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", &format!("{local}@citizens.example")),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = lc.get(rp.app.url(apply)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-code=\"oidc-level-needed\""));
}

async fn logout_ends_the_providers_session_too(rp: Rp) {
    let login = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    finish_login(&c, &rp, &cb).await;
    let html = c
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c
        .post(rp.app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(
        to.starts_with(&format!("{}/session/end", rp.issuer)),
        "{to}"
    );
    // RP-Initiated Logout 1.0: the ID token as the hint, and back to PUBLIC_URL/ as
    // registered.
    let q: std::collections::HashMap<String, String> = url::Url::parse(&to)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(q.contains_key("id_token_hint"), "{to}");
    assert_eq!(q["post_logout_redirect_uri"], rp.app.url("/"));
    assert_eq!(q["client_id"], rp.client_id);
    assert_eq!(
        q["ui_locales"], "de",
        "the provider's pages in the resident's language"
    );
    assert!(!logged_in(&c, &rp).await, "the portal's session is over");
    // The provider asks to confirm, then sends the browser back to the portal.
    let page = c.get(&to).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let action = absolute(&to, &form_action(&html));
    let xsrf = crate::booking_pages::input_value(&html, "xsrf");
    let r = c
        .post(&action)
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let back = absolute(&action, &location(&r));
    assert!(back.starts_with(&rp.app.url("/")), "{back}");
    // The provider's session is over too: a new city login asks for the login again.
    let r = c.get(rp.app.url("/auth/oidc/login")).send().await.unwrap();
    let mut url = location(&r);
    let mut page = String::new();
    for _ in 0..5 {
        let r = c.get(&url).send().await.unwrap();
        if r.status().is_redirection() {
            url = absolute(&url, &location(&r));
            continue;
        }
        page = r.text().await.unwrap();
        break;
    }
    assert!(
        page.contains("name=\"login\""),
        "the provider asks who logs in: {page}"
    );
}

async fn staff_roles_follow_the_mapped_groups(rp: Rp) {
    let admin = format!("admin-{}", Uuid::new_v4().simple());
    let c = client();
    let cb = city_login_callback(&c, &rp, &admin, "basic").await;
    finish_login(&c, &rp, &cb).await;
    // Staff pages need the level "high" here: the step-up first, then the page.
    let r = c.get(rp.app.url("/admin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        "/auth/oidc/step-up?action=admin&next=%2Fadmin"
    );
    let r = c.get(rp.app.url(&location(&r))).send().await.unwrap();
    let to = location(&r);
    assert!(to.contains("acr_values=high"), "{to}");
    let cb = through_provider(&c, &rp, &to, &admin, "high").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/admin");
    let r = c.get(rp.app.url("/admin")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a city admin by the mapped group"
    );
    // Below the level, the staff role is held back everywhere, the API too.
    let c2 = client();
    let cb = city_login_callback(&c2, &rp, &admin, "basic").await;
    c2.get(&cb).send().await.unwrap();
    let r = c2
        .post(rp.app.url("/api/v1/organizations"))
        .json(&json!({"name": "Needs staff"}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == StatusCode::FORBIDDEN || r.status().is_success(),
        "{}",
        r.status()
    );
    let resident = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &resident, "basic").await;
    finish_login(&c, &rp, &cb).await;
    let r = c.get(rp.app.url("/admin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A staff role the provider's groups do not give is taken away at the next login.
    let email = format!("{resident}@citizens.example");
    api::accounts::create_admin(&rp.app.state.db, rp.app.state.city.id, &email, None)
        .await
        .unwrap();
    let c = client();
    let cb = city_login_callback(&c, &rp, &resident, "basic").await;
    c.get(&cb).send().await.unwrap();
    let r = c.get(rp.app.url("/admin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the provider decides");
    let u = user_by_email(&rp, &email).await.unwrap();
    let roles = entities::staff_role::Entity::find()
        .filter(entities::staff_role::Column::UserId.eq(u.id))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(roles, 0);
}

/// A city login started by another site and finished silently by the provider makes
/// no account: the resident decides on the portal's page, which stores nothing until
/// then, and is answered once.
async fn a_new_account_waits_for_the_residents_yes(rp: Rp) {
    let login = new_login();
    let email = format!("{login}@citizens.example");
    let subject = format!("sub-{login}");
    let nothing_stored = |what: &'static str| {
        let rp = &rp;
        let email = email.clone();
        let subject = subject.clone();
        async move {
            assert!(user_by_email(rp, &email).await.is_none(), "{what}");
            assert_eq!(identities_of_subject(rp, &subject).await, 0, "{what}");
        }
    };
    // The page needs the waiting login of this browser.
    let c = client();
    let r = c
        .get(rp.app.url("/auth/oidc/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("data-code=\"oidc-state\""));

    // Cancel: nothing stored, and the waiting login is gone.
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/auth/oidc/confirm");
    nothing_stored("before the answer").await;
    // Another browser cannot answer for this one.
    let other = client();
    let r = other
        .get(rp.app.url("/auth/oidc/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Without the form's CSRF token: refused, nothing stored.
    let r = c
        .post(rp.app.url("/auth/oidc/confirm"))
        .form(&[("csrf", "forged"), ("decision", "create")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    nothing_stored("a forged form").await;
    let csrf = confirm_page(&c, &rp).await;
    let r = c
        .post(rp.app.url("/auth/oidc/confirm?lang=en"))
        .form(&[("csrf", csrf.as_str()), ("decision", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!has_session_cookie(&r));
    let page = r.text().await.unwrap();
    assert!(page.contains("data-code=\"oidc-new-cancelled\""), "{page}");
    nothing_stored("cancelled").await;
    assert!(!logged_in(&c, &rp).await);
    // Replayed: refused cleanly (the login waits no more), nothing stored.
    let r = c
        .post(rp.app.url("/auth/oidc/confirm"))
        .form(&[("csrf", csrf.as_str()), ("decision", "create")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("data-code=\"oidc-state\""));
    nothing_stored("a replayed yes after cancel").await;

    // Yes: the account and its link, once; a replay of the yes is refused.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/auth/oidc/confirm");
    let csrf = confirm_page(&c, &rp).await;
    let yes = [("csrf", csrf.as_str()), ("decision", "create")];
    let r = c
        .post(rp.app.url("/auth/oidc/confirm"))
        .form(&yes)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account");
    assert!(has_session_cookie(&r));
    let u = user_by_email(&rp, &email).await.expect("the account");
    assert_eq!(identities_of_subject(&rp, &subject).await, 1);
    // The page's token belonged to the visitor before the login: refused as such.
    let r = c
        .post(rp.app.url("/auth/oidc/confirm"))
        .form(&yes)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With a token of the session, the yes has nothing left to confirm.
    let (_, account) = crate::booking_pages::get_html(&c, &rp.app.url("/account")).await;
    let fresh = crate::booking_pages::input_value(&account, "csrf");
    let r = c
        .post(rp.app.url("/auth/oidc/confirm"))
        .form(&[("csrf", fresh.as_str()), ("decision", "create")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let count = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(email.clone()))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // The next city login finds it, without asking.
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account");
    let me: Value = c
        .get(rp.app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], json!(u.id.to_string()));

    // The address registered here while the page waited: its password is asked for,
    // no second account is made.
    let late = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &late, "basic").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/auth/oidc/confirm");
    let local = local_account(&rp, &late).await;
    let r = decide(&c, &rp, "create").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/auth/oidc/link");
    assert!(!has_session_cookie(&r));
    let count = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(format!("{late}@citizens.example")))
        .count(&rp.app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(identities_of_subject(&rp, &format!("sub-{late}")).await, 0);
    assert!(user_by_email(&rp, &format!("{late}@citizens.example"))
        .await
        .is_some_and(|u| u.id == local));
}

/// A raised level lasts `OIDC_STEP_UP_SECONDS` after the login at the provider, not
/// the whole session: then the action asks again.
async fn a_raised_level_lasts_only_a_while(rp: Rp) {
    let login = new_login();
    let c = client();
    let cb = city_login_callback(&c, &rp, &login, "basic").await;
    finish_login(&c, &rp, &cb).await;
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    let r = c
        .get(absolute(&rp.app.base, &location(&r)))
        .send()
        .await
        .unwrap();
    let cb = through_provider(&c, &rp, &location(&r), &login, "substantial").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(location(&r), "/account/export");
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    // Still logged in, and the level still shown, but the export asks again.
    let r = c.get(rp.app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        "/auth/oidc/step-up?action=account-export&next=%2Faccount%2Fexport"
    );
    let r = c
        .get(rp.app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap();
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "/problems/step-up-required");
    let html = c
        .get(rp.app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"oidc-level\">substantial<"));
    assert!(html.contains("/auth/oidc/step-up?action=account-export"));
}

macro_rules! on_both_rp {
    ($scenario:ident, $env:expr) => {
        mod $scenario {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(rp) = spawn_rp(Backend::Sqlite, $env).await {
                    super::$scenario(rp).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(rp) = spawn_rp(Backend::Postgres, $env).await {
                    super::$scenario(rp).await;
                }
            }
        }
    };
}

on_both_rp!(first_login_creates_the_account_and_the_second_finds_it, &[]);
on_both_rp!(bad_answers_are_refused_without_a_session, &[]);
on_both_rp!(a_local_account_is_linked_only_with_its_password, &[]);
on_both_rp!(
    step_up_asks_the_provider_for_the_higher_level,
    &[("OIDC_STEP_UP", "account-export=substantial")]
);
on_both_rp!(logout_ends_the_providers_session_too, &[]);
on_both_rp!(a_service_at_a_login_level_asks_for_it, &[]);
on_both_rp!(a_new_account_waits_for_the_residents_yes, &[]);
on_both_rp!(
    a_raised_level_lasts_only_a_while,
    &[
        ("OIDC_STEP_UP", "account-export=substantial"),
        ("OIDC_STEP_UP_SECONDS", "4"),
    ]
);
on_both_rp!(
    staff_roles_follow_the_mapped_groups,
    &[
        ("OIDC_SCOPES", "email profile groups"),
        ("OIDC_ROLES_CLAIM", "groups"),
        ("OIDC_ROLE_MAP", "city-admins=admin"),
        ("OIDC_STEP_UP", "admin=high"),
    ]
);

/// The provider down: the login page still shows, the city login says what happened,
/// and the local login works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_down_never_blocks_local_login() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            env: vec![
                ("OIDC_ISSUER_URL", dead),
                ("OIDC_CLIENT_ID", "portal".to_string()),
            ],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let u = app.register("Local").await;
    let c = client();
    let r = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"/auth/oidc/login\""));
    let r = c.get(app.url("/auth/oidc/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(page.contains("data-code=\"oidc-unavailable\""), "{page}");
    assert!(page.contains("href=\"/login\""));
    let csrf = crate::booking_pages::input_value(&html, "csrf");
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", u.email.as_str()),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account");
}
