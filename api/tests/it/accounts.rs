//! Accounts: registration, sessions (memory and Redis), login rate limit, API tokens,
//! organizations and members.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

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

fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cp_session="))
        .expect("a session cookie")
}

/// Sessions: cookie flags, a fresh id on login, logout ends the session.
async fn sessions(app: &TestApp) {
    let u = app.register("Session").await;
    let me: Value = u
        .client
        .get(app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], u.email.as_str());

    let c = reqwest::Client::new();
    let first = login(app, &c, &u.email, "correct horse battery").await;
    assert_eq!(first.status(), StatusCode::OK);
    let cookie1 = session_cookie(&first);
    assert!(
        cookie1.contains("HttpOnly")
            && cookie1.contains("SameSite=Lax")
            && !cookie1.contains("Secure")
    );
    let sid1 = cookie1.split(';').next().unwrap().to_string();

    // Logging in again while presenting the old session: a new id, and the old one is dead.
    let second = c
        .post(app.url("/api/v1/accounts/login"))
        .header("cookie", &sid1)
        .json(&json!({"email": u.email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let sid2 = session_cookie(&second)
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(sid1, sid2);
    let me_old = c
        .get(app.url("/api/v1/accounts/me"))
        .header("cookie", &sid1)
        .send()
        .await
        .unwrap();
    problem(me_old, 401).await;
    let me_new = c
        .get(app.url("/api/v1/accounts/me"))
        .header("cookie", &sid2)
        .send()
        .await
        .unwrap();
    assert_eq!(me_new.status(), StatusCode::OK);

    let out = c
        .post(app.url("/api/v1/accounts/logout"))
        .header("cookie", &sid2)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(session_cookie(&out).contains("Max-Age=0"));
    problem(
        c.get(app.url("/api/v1/accounts/me"))
            .header("cookie", &sid2)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;

    // Wrong password and unknown account look the same.
    let p1 = problem(login(app, &c, &u.email, "wrong password!").await, 401).await;
    let p2 = problem(
        login(app, &c, "nobody@example.org", "wrong password!").await,
        401,
    )
    .await;
    assert_eq!(p1, p2);
    // Without email (this portal), a taken address is said plainly (with email it is
    // answered like a new one: see account_basics.rs), and logs nobody in.
    let dup = client()
        .post(app.url("/api/v1/accounts/register"))
        .json(&json!({"email": u.email.to_uppercase(), "password": "another long one", "display_name": "Dup"}))
        .send()
        .await
        .unwrap();
    assert!(dup.headers().get("set-cookie").is_none());
    assert_eq!(fields(&problem(dup, 422).await), ["email"]);
}

/// After 5 failures for one account from one address, that account is locked from that
/// address (429 + Retry-After, even for the right password); other accounts from the
/// same address are not.
async fn login_rate_limit(app: &TestApp) {
    let victim = app.register("Victim").await;
    let c = reqwest::Client::new();
    let started = std::time::Instant::now();
    for i in 0..api::web::auth::LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT {
        let r = login(app, &c, &victim.email, &format!("guess number {i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let locked = login(app, &c, &victim.email, "correct horse battery").await;
    // Retry-After is what remains of the 15 minutes that began with the first failure.
    let retry = retry_after(&locked);
    assert_rest_of_window(retry, api::web::auth::LOGIN_WINDOW, started);
    let p = problem(locked, 429).await;
    assert_eq!(p["type"], "/problems/rate-limited");
    // A second later, a second less: the time left, not a constant.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = login(app, &c, &victim.email, "correct horse battery").await;
    assert_eq!(later.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        retry_after(&later) < retry,
        "{} then {retry}",
        retry_after(&later)
    );
    // The same address (all tests come from 127.0.0.1) still logs in other accounts.
    let other = app.register("Other").await;
    let ok = login(app, &c, &other.email, "correct horse battery").await;
    assert_eq!(ok.status(), StatusCode::OK);
}

async fn sessions_in_memory(app: TestApp) {
    assert_eq!(app.state.store.kind(), "memory");
    sessions(&app).await;
}
on_both!(sessions_in_memory);

async fn rate_limit_in_memory(app: TestApp) {
    login_rate_limit(&app).await;
}
on_both!(rate_limit_in_memory);

/// Every 401 of the API names its scheme in `WWW-Authenticate`: those of a handler (a
/// wrong password) as well as those of the security scheme (no or a bad token).
async fn every_401_names_its_scheme(app: TestApp) {
    let u = app.register("Challenged").await;
    let c = reqwest::Client::new();
    let wrong = login(&app, &c, &u.email, "not the password").await;
    assert_eq!(
        wrong
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        Some("Bearer"),
        "a handler's 401"
    );
    let p = problem(wrong, 401).await;
    assert_eq!(p["type"], "/problems/invalid-credentials");
    // Without credentials the bare scheme; with a token that is not valid, also why
    // (RFC 6750 3 and 3.1).
    for (what, req, challenge) in [
        (
            "no credentials",
            c.get(app.url("/api/v1/accounts/me")),
            "Bearer",
        ),
        (
            "a bad token",
            c.get(app.url("/api/v1/accounts/me"))
                .bearer_auth("cp_not-a-token"),
            "Bearer error=\"invalid_token\"",
        ),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(
            r.headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some(challenge),
            "{what}"
        );
        problem(r, 401).await;
    }
}
on_both!(every_401_names_its_scheme);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_rate_limit_in_redis() {
    let opts = Opts {
        redis: true,
        ..Default::default()
    };
    let Some(app) = spawn_with(Backend::Sqlite, opts.clone()).await else {
        return;
    };
    assert_eq!(app.state.store.kind(), "redis");
    sessions(&app).await;
    // Its own deployment (key prefix), so the failures above do not count against it.
    let limited = spawn_with(Backend::Sqlite, opts.clone()).await.unwrap();
    login_rate_limit(&limited).await;

    // Sessions live in Redis: a second replica on the same database and Redis knows
    // a session the first one created, and a logout on the replica ends it everywhere.
    let replica = spawn_with(
        Backend::Sqlite,
        Opts {
            database_url: Some(app.database_url.clone()),
            redis_prefix: Some(app.redis_prefix.clone().unwrap()),
            ..opts
        },
    )
    .await
    .unwrap();
    let u = app.register("Shared").await;
    let c = reqwest::Client::new();
    let resp = login(&app, &c, &u.email, "correct horse battery").await;
    let sid = session_cookie(&resp).split(';').next().unwrap().to_string();
    let me = c
        .get(replica.url("/api/v1/accounts/me"))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = c
        .post(replica.url("/api/v1/accounts/logout"))
        .header("cookie", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    problem(
        c.get(app.url("/api/v1/accounts/me"))
            .header("cookie", &sid)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_makes_the_cookie_secure() {
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            public_url: Some("https://portal.city.example".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let resp = client()
        .post(app.url("/api/v1/accounts/register"))
        .json(&json!({"email": "secure@example.org", "password": "correct horse battery", "display_name": "S"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    // Over https the cookie is a `__Host-` one (see `limits::https_cookies_...`).
    assert!(cookie.starts_with("__Host-cp_session="), "{cookie}");
    assert!(cookie.contains("; Secure"));
}

async fn api_tokens(app: TestApp) {
    // A resident without an organization gets none.
    let resident = app.register("NoOrg").await;
    problem(
        resident
            .client
            .post(app.url("/api/v1/accounts/me/tokens"))
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;

    let (owner, org) = app.business_owner("Tokenized").await;
    let p = problem(
        owner
            .client
            .post(app.url("/api/v1/accounts/me/tokens"))
            .json(&json!({"name": "", "expires_in_days": 0}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    let named = sorted_fields(&p);
    assert_eq!(named, vec!["expires_in_days", "name"]);
    let resp = owner
        .client
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "booking system", "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("cpt_"));

    // Only the hash is stored.
    use sea_orm::EntityTrait;
    let stored = entities::api_token::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|t| t.token_hash != token && !t.token_hash.contains(&token[4..])));

    // The token works as Bearer without any cookie.
    let bare = reqwest::Client::new();
    let resp = bare
        .post(app.url("/api/v1/listings"))
        .bearer_auth(&token)
        .json(&business_body(org, "Per Token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    // The listing shows the token's secret nowhere, and the list hides it.
    let list: Value = owner
        .client
        .get(app.url("/api/v1/accounts/me/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("token").is_none());
    assert!(!list[0]["last_used_at"].is_null());

    // A wrong token is 401, never anonymous.
    problem(
        bare.get(app.url("/api/v1/listings/anything"))
            .bearer_auth("cpt_wrong")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;

    // Revoked: refused.
    let id = created["id"].as_str().unwrap();
    let r = owner
        .client
        .delete(app.url(&format!("/api/v1/accounts/me/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        bare.get(app.url("/api/v1/accounts/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}
on_both!(api_tokens);

async fn organization_members(app: TestApp) {
    let (owner, org) = app.business_owner("Owner").await;
    let staff = app.register("Staff").await;
    let stranger = app.register("Stranger").await;
    let members = |u: &User| {
        u.client
            .get(app.url(&format!("/api/v1/organizations/{org}/members")))
            .send()
    };

    problem(members(&stranger).await.unwrap(), 404).await;
    let add = |u: &User, email: &str, role: &str| {
        u.client
            .post(app.url(&format!("/api/v1/organizations/{org}/members")))
            .json(&json!({"email": email, "role": role}))
            .send()
    };
    let p = problem(
        add(&owner, "ghost@example.org", "staff").await.unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["email"]);
    // Text that is no address says so, naming the field.
    let p = problem(add(&owner, "not an address", "staff").await.unwrap(), 422).await;
    assert_eq!(fields(&p), vec!["email"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("email"),
        "{p}"
    );
    // An address is compared trimmed and in lower case.
    let shouted = format!("  {}  ", staff.email.to_uppercase());
    assert_eq!(
        add(&owner, &shouted, "staff").await.unwrap().status(),
        StatusCode::CREATED
    );
    problem(add(&owner, &staff.email, "staff").await.unwrap(), 409).await;
    // Staff manage listings, not members.
    problem(add(&staff, &stranger.email, "staff").await.unwrap(), 403).await;
    let (l, _) = app.create_listing(&staff, org, "Vom Personal").await;
    assert_eq!(l["organization_id"], org.to_string());

    let list: Value = members(&owner).await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let mine: Value = staff
        .client
        .get(app.url("/api/v1/organizations/mine"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["my_role"], "staff");

    // The last owner cannot leave; staff can be removed.
    let url = |uid: uuid::Uuid| app.url(&format!("/api/v1/organizations/{org}/members/{uid}"));
    problem(
        owner.client.delete(url(owner.id)).send().await.unwrap(),
        409,
    )
    .await;
    assert_eq!(
        owner
            .client
            .delete(url(staff.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    problem(members(&staff).await.unwrap(), 404).await;

    // Only city admins create departments.
    let r = owner
        .client
        .post(app.url("/api/v1/organizations"))
        .json(&json!({"name": "Amt für Tests", "kind": "department"}))
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    let p = problem(
        owner
            .client
            .post(app.url("/api/v1/organizations"))
            .json(&json!({"name": " "}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), vec!["name"]);
}
on_both!(organization_members);

/// Behind a trusted proxy the limits count the forwarded client address: one address
/// locks only the account it tried, and only for itself, until a second address fails
/// too; an address trying many accounts is stopped after 100 failures. Without trust, a
/// client-supplied `X-Forwarded-For` changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limits_count_accounts_and_addresses_apart() {
    use api::web::auth::{
        LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT, LOGIN_MAX_FAILURES,
    };
    for trusted in [true, false] {
        let app = spawn_with(
            Backend::Sqlite,
            Opts {
                trust_forwarded_for: trusted,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let target = app.register("Target").await;
        let other = app.register("Other").await;
        let c = reqwest::Client::new();
        let attempt = |email: String, password: &'static str, ip: &'static str| {
            c.post(app.url("/api/v1/accounts/login"))
                .header("x-forwarded-for", format!("198.51.100.7, {ip}"))
                .json(&json!({"email": email, "password": password}))
                .send()
        };
        let status = |r: reqwest::Response| r.status();
        for _ in 0..LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT {
            let r = attempt(target.email.clone(), "wrong password 1", "203.0.113.1")
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        let locked_here = attempt(target.email.clone(), "correct horse battery", "203.0.113.1");
        assert_eq!(
            status(locked_here.await.unwrap()),
            StatusCode::TOO_MANY_REQUESTS
        );
        // The office's other accounts still log in from the same address.
        let same_ip = attempt(other.email.clone(), "correct horse battery", "203.0.113.1");
        assert_eq!(status(same_ip.await.unwrap()), StatusCode::OK);
        // From another address the target logs in: one address alone locks no one out.
        let elsewhere = attempt(target.email.clone(), "correct horse battery", "203.0.113.2");
        let expected = if trusted {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(
            status(elsewhere.await.unwrap()),
            expected,
            "trusted={trusted}"
        );
        if !trusted {
            continue;
        }
        // Failures from a second address add up to the account's own limit.
        for _ in LOGIN_FAILURES_PER_ADDRESS_AND_ACCOUNT..LOGIN_MAX_FAILURES {
            let r = attempt(target.email.clone(), "wrong password 2", "203.0.113.3")
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        let locked = attempt(target.email.clone(), "correct horse battery", "203.0.113.4");
        assert_eq!(status(locked.await.unwrap()), StatusCode::TOO_MANY_REQUESTS);
        // One address trying many accounts is stopped once, for all of them.
        for i in 0..LOGIN_FAILURES_PER_ADDRESS {
            let r = c
                .post(app.url("/api/v1/accounts/login"))
                .header("x-forwarded-for", "203.0.113.5")
                .json(
                    &json!({"email": format!("sprayed{i}@example.org"), "password": "Winter2026!"}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let sprayer = attempt(other.email.clone(), "correct horse battery", "203.0.113.5");
        assert_eq!(
            status(sprayer.await.unwrap()),
            StatusCode::TOO_MANY_REQUESTS
        );
        let neighbour = attempt(other.email.clone(), "correct horse battery", "203.0.113.6");
        assert_eq!(status(neighbour.await.unwrap()), StatusCode::OK);
    }
}

async fn admins_reading_members_is_logged_for_the_member(app: TestApp) {
    let (owner, org) = app.business_owner("Logged").await;
    let empty: Value = owner
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty, json!([]));
    // The owner reading their own organization's members is not a third-party read.
    owner
        .client
        .get(app.url(&format!("/api/v1/organizations/{org}/members")))
        .send()
        .await
        .unwrap();
    let admin = app.admin().await;
    let r = admin
        .client
        .get(app.url(&format!("/api/v1/organizations/{org}/members")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let log: Value = owner
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["reader_kind"], "city_staff");
    assert_eq!(log[0]["reader"], "Admin");
    assert!(log[0]["resource"].as_str().unwrap().contains("Logged GmbH"));
    // Nobody else's log changed.
    let admin_log: Value = admin
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(admin_log, json!([]));
    problem(
        client()
            .get(app.url("/api/v1/accounts/me/access-log"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}
on_both!(admins_reading_members_is_logged_for_the_member);

/// Posts `body` (none when null) as `u` and checks the answer's status.
async fn post_as(app: &TestApp, u: &User, path: &str, body: Value, status: StatusCode) {
    let mut req = u.client.post(app.url(path));
    if !body.is_null() {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), status, "{path}");
}

/// The export holds everything the portal keeps about a resident: one resident uses every
/// feature (an organization, a token, the calendar feed, bookings confirmed, held and
/// released, a waitlist place, a business reading their data, the notifications about
/// them), and each part of the export is checked against the database rows.
async fn the_export_holds_everything_about_the_resident(app: TestApp) {
    use crate::booking::{availability, book, create_offer, published_listing, tomorrow};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use std::collections::BTreeSet;
    let db = &app.state.db;
    let (owner, listing) = published_listing(&app, "Kaikki").await;
    let day = tomorrow(&app);
    let class = |seats: u32, at: &str| {
        json!({"kind": "class", "name": {"en": format!("Class at {at}")}, "collect_email": true,
               "collect_phone": true,
               "class": {"seats": seats, "duration_minutes": 45, "sessions": [format!("{day}T{at}:00")]}})
    };
    let roomy = create_offer(&app, &owner, &listing, class(5, "10:00")).await;
    let full = create_offer(&app, &owner, &listing, class(1, "12:00")).await;
    let later = create_offer(&app, &owner, &listing, class(5, "14:00")).await;
    let later_id = later["id"].as_str().unwrap();
    let later_at = availability(&app, later_id, "").await[0]["starts_at"].clone();
    let roomy_id = roomy["id"].as_str().unwrap();
    let full_id = full["id"].as_str().unwrap();
    let roomy_at = availability(&app, roomy_id, "").await[0]["starts_at"].clone();
    let full_at = availability(&app, full_id, "").await[0]["starts_at"].clone();

    let me = app.register("Export").await;
    let phone = "+358 9 310 1111";
    let contact = json!({"name": "Eeva Export", "phone": phone});
    // Booked, held, released; the full class's only seat goes to someone else first.
    let (s, confirmed) = book(
        &app,
        &me,
        "e1",
        &json!({"offer_id": roomy_id, "starts_at": roomy_at, "contact": contact}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{confirmed}");
    let first = app.register("First").await;
    let (s, _) = book(
        &app,
        &first,
        "f1",
        &json!({"offer_id": full_id, "starts_at": full_at, "contact": {"phone": "+358 1"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    post_as(
        &app,
        &me,
        "/api/v1/waitlist",
        json!({"offer_id": full_id, "starts_at": full_at, "contact": contact}),
        StatusCode::CREATED,
    )
    .await;
    let (s, released) = book(
        &app,
        &me,
        "e2",
        &json!({"offer_id": later_id, "starts_at": later_at, "hold": true, "contact": contact}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{released}");
    post_as(
        &app,
        &me,
        &format!(
            "/api/v1/bookings/{}/cancel",
            released["id"].as_str().unwrap()
        ),
        Value::Null,
        StatusCode::OK,
    )
    .await;
    // An organization, a token, the calendar feed.
    post_as(
        &app,
        &me,
        "/api/v1/organizations",
        json!({"name": "Eevan Kahvila"}),
        StatusCode::CREATED,
    )
    .await;
    post_as(
        &app,
        &me,
        "/api/v1/accounts/me/tokens",
        json!({"name": "my script"}),
        StatusCode::CREATED,
    )
    .await;
    post_as(
        &app,
        &me,
        "/api/v1/accounts/me/calendar-feed",
        Value::Null,
        StatusCode::CREATED,
    )
    .await;
    // The business reads its bookings: an access record.
    let r = owner
        .client
        .get(app.url(&format!("/api/v1/offers/{roomy_id}/bookings")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The notifications about my bookings are handled (by the server's consumer).
    let mine: Vec<uuid::Uuid> = entities::booking::Entity::find()
        .filter(entities::booking::Column::UserId.eq(me.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut waited = 0;
    while entities::outbox_delivery::Entity::find()
        .filter(entities::outbox_delivery::Column::Consumer.eq("notifications"))
        .filter(entities::outbox_delivery::Column::AggregateId.is_in(mine.clone()))
        .filter(entities::outbox_delivery::Column::DoneAt.is_null())
        .count(db)
        .await
        .unwrap()
        > 0
    {
        waited += 1;
        assert!(waited < 200, "the notifications were not handled");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let export: Value = me
        .client
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = |v: &Value, key: &str| -> BTreeSet<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("an array: {v}"))
            .iter()
            .map(|i| i[key].as_str().unwrap().to_string())
            .collect()
    };

    // Bookings: every row, with its status and the contact it holds.
    let rows = entities::booking::Entity::find()
        .filter(entities::booking::Column::UserId.eq(me.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        ids(&export["bookings"], "id"),
        rows.iter().map(|b| b.id.to_string()).collect()
    );
    for row in &rows {
        let b = export["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == json!(row.id))
            .unwrap();
        assert_eq!(b["status"], json!(row.status));
        assert_eq!(b["contact"]["name"], json!(row.contact_name));
        assert_eq!(b["contact"]["email"], json!(row.contact_email));
        assert_eq!(b["contact"]["phone"], json!(row.contact_phone));
        assert_eq!(b["shares"], row.shared);
        assert_eq!(b["offer"]["id"], json!(row.offer_id));
        assert_eq!(b["listing"]["id"], json!(listing));
        assert_eq!(
            b["shared_with_business_at"].is_null(),
            row.shared_at.is_none()
        );
    }
    // Consents: the bookings whose contact reached the business (not the released hold).
    assert_eq!(
        ids(&export["consents"], "booking_id"),
        rows.iter()
            .filter(|b| b.shared_at.is_some())
            .map(|b| b.id.to_string())
            .collect()
    );
    assert_eq!(
        ids(&export["consents"], "booking_id"),
        BTreeSet::from([confirmed["id"].as_str().unwrap().to_string()])
    );
    // The waitlist place.
    let entries = entities::waitlist_entry::Entity::find()
        .filter(entities::waitlist_entry::Column::UserId.eq(me.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        ids(&export["waitlist"], "id"),
        entries.iter().map(|e| e.id.to_string()).collect()
    );
    assert_eq!(export["waitlist"][0]["offer"]["id"], json!(full_id));
    assert_eq!(export["waitlist"][0]["status"], json!(entries[0].status));
    // Stored answers of repeatable requests.
    let keys = entities::idempotency_key::Entity::find()
        .filter(entities::idempotency_key::Column::UserId.eq(me.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        ids(&export["stored_requests"], "key"),
        keys.iter().map(|k| k.key.clone()).collect()
    );
    // Notifications: one per handled event about my bookings that has a message.
    let events = entities::outbox_event::Entity::find()
        .filter(entities::outbox_event::Column::AggregateId.is_in(mine.clone()))
        .all(db)
        .await
        .unwrap();
    let with_message = events
        .iter()
        .filter(|e| api::notifications::message::Kind::for_booking_event(&e.event_type).is_some())
        .count();
    assert!(with_message >= 2, "{events:?}");
    // And the reminders sent (the reminder job may already have sent one for tomorrow).
    let reminders = entities::notification_sent::Entity::find()
        .filter(entities::notification_sent::Column::BookingId.is_in(mine.clone()))
        .filter(entities::notification_sent::Column::SentAt.is_not_null())
        .count(db)
        .await
        .unwrap() as usize;
    assert_eq!(
        export["notifications"].as_array().unwrap().len(),
        with_message + reminders,
        "{}",
        export["notifications"]
    );
    // The access log, organizations, tokens, the feed.
    let access = entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(me.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(access, 1);
    assert_eq!(
        export["access_log"].as_array().unwrap().len() as u64,
        access
    );
    let memberships = entities::membership::Entity::find()
        .filter(entities::membership::Column::UserId.eq(me.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(memberships, 1);
    assert_eq!(
        export["memberships"].as_array().unwrap().len() as u64,
        memberships
    );
    assert_eq!(export["memberships"][0]["organization"], "Eevan Kahvila");
    let tokens = entities::api_token::Entity::find()
        .filter(entities::api_token::Column::UserId.eq(me.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        export["api_tokens"].as_array().unwrap().len() as u64,
        tokens
    );
    assert_eq!(export["calendar_feed"]["active"], true);
    assert_eq!(export["account"]["email"], json!(me.email));
    // Nothing of another resident.
    assert!(!export.to_string().contains(&first.email));
}
// No reminder falls due during the test (the bookings are tomorrow), so the messages
// handled are exactly the booking events'.
crate::on_both_with!(
    the_export_holds_everything_about_the_resident,
    vec![("REMINDER_HOURS", "1".to_string())]
);
