//! Erasing an account (GDPR Art. 17), against the real server binary so that its whole log
//! output is read: a resident uses the portal fully, deletes the account, and afterwards
//! no table of the database and no line of the log holds their email, name or phone.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

/// The server binary on a fresh database, its stderr and stdout in `log`.
struct Server {
    base: String,
    child: std::process::Child,
    log: tempfile::NamedTempFile,
    db: TestDb,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(backend: Backend) -> Option<Server> {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh_database(backend, dir.path()).await?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
            .current_dir(dir.path())
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("DEMO_DATA", "false")
            .env("CITY_NAME", "Testhausen")
            .env(
                "PARTNER_SECRETS_KEY",
                "dGVzdC1rZXktb2YtMzItYnl0ZXMtZm9yLWFlcy1nY20=",
            )
            // The production default: every line the server writes at `info` and above.
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..300 {
            if let Ok(r) = client().get(format!("{base}/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    return Some(Server {
                        base,
                        child,
                        log,
                        db,
                        _dir: dir,
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let mut out = String::new();
        std::fs::File::open(log.path())
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        panic!("the server did not start: {out}");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server (SIGTERM) and returns everything it wrote.
    fn stop(mut self) -> String {
        let stopped = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(stopped.success());
        let status = self.child.wait().unwrap();
        let out = std::fs::read_to_string(self.log.path()).unwrap();
        assert!(status.success(), "stopped cleanly: {status}\n{out}");
        drop(self.db);
        out
    }
}

/// A new account (logged in through its cookie jar).
async fn register(s: &Server, name: &str, email: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(s.url("/api/v1/accounts/register"))
        .json(&json!({"email": email, "password": "correct horse battery", "display_name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    c
}

async fn send(req: reqwest::RequestBuilder, status: StatusCode) -> Value {
    let r = req.send().await.unwrap();
    let got = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

/// Every row of every table as text, one string per table.
pub async fn dump(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let sql = |s: &str| Statement::from_string(backend, s.to_string());
    let postgres = backend == sea_orm::DatabaseBackend::Postgres;
    let tables: Vec<String> = db
        .query_all(sql(if postgres {
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        }))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert!(tables.len() > 15, "{tables:?}");
    let mut out = Vec::new();
    for t in tables {
        let select = if postgres {
            format!("SELECT CAST(t AS text) FROM \"{t}\" t")
        } else {
            let cols: Vec<String> = db
                .query_all(sql(&format!("PRAGMA table_info(\"{t}\")")))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String>("", "name").unwrap())
                .collect();
            let joined = cols
                .iter()
                // Binary index pages (full-text shadow tables) as hex.
                .map(|c| {
                    format!(
                        "COALESCE(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") \
                         ELSE CAST(\"{c}\" AS TEXT) END, '')"
                    )
                })
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            format!("SELECT {joined} FROM \"{t}\"")
        };
        let rows = db.query_all(sql(&select)).await.unwrap();
        let text = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        out.push((t, text));
    }
    out
}

async fn erasing_an_account_leaves_nothing(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let tag = Uuid::new_v4().simple().to_string()[..8].to_string();
    let name = format!("Vilja Poistettava {tag}");
    let email = format!("vilja.{tag}@example.org");
    let phone = format!(
        "+358 40 {:07}",
        u32::from_str_radix(&tag[..6], 16).unwrap() % 10_000_000
    );

    // A business with two classes tomorrow: one roomy, one with a single seat.
    let owner = register(&s, "Omistaja", &format!("owner.{tag}@example.org")).await;
    let org = send(
        owner
            .post(s.url("/api/v1/organizations"))
            .json(&json!({"name": "Sali Oy"})),
        StatusCode::CREATED,
    )
    .await;
    let org_id: Uuid = org["id"].as_str().unwrap().parse().unwrap();
    let listing = send(
        owner
            .post(s.url("/api/v1/listings"))
            .json(&business_body(org_id, "Sali")),
        StatusCode::CREATED,
    )
    .await;
    let listing_id = listing["id"].as_str().unwrap().to_string();
    send(
        owner
            .post(s.url(&format!("/api/v1/listings/{listing_id}/publish")))
            .header("If-Match", "\"1\""),
        StatusCode::OK,
    )
    .await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    let class = |seats: u32, at: &str| {
        json!({"kind": "class", "name": {"en": format!("Class {at}")}, "collect_email": true,
               "collect_phone": true,
               "class": {"seats": seats, "duration_minutes": 60, "sessions": [format!("{day}T{at}:00")]}})
    };
    let mut offers = Vec::new();
    for (seats, at) in [(3, "10:00"), (1, "12:00"), (3, "14:00")] {
        let o = send(
            owner
                .post(s.url(&format!("/api/v1/listings/{listing_id}/offers")))
                .json(&class(seats, at)),
            StatusCode::CREATED,
        )
        .await;
        let id = o["id"].as_str().unwrap().to_string();
        let slots = send(
            client().get(s.url(&format!("/api/v1/offers/{id}/availability"))),
            StatusCode::OK,
        )
        .await;
        offers.push((id, slots["slots"][0]["starts_at"].clone()));
    }
    let seats_left = |i: usize| {
        let (id, _) = offers[i].clone();
        let url = s.url(&format!("/api/v1/offers/{id}/availability"));
        async move {
            let v = send(client().get(url), StatusCode::OK).await;
            v["slots"][0]["remaining"].as_i64().unwrap()
        }
    };

    // The resident: a confirmed booking, a hold, a waitlist place behind someone else,
    // the calendar feed, an organization of their own (with a second owner) and a token.
    let me = register(&s, &name, &email).await;
    let contact = json!({"name": name, "phone": phone});
    let book = |offer: usize, hold: bool, key: &str| {
        me.post(s.url("/api/v1/bookings"))
            .header("Idempotency-Key", key)
            .json(
                &json!({"offer_id": offers[offer].0, "starts_at": offers[offer].1,
                          "hold": hold, "contact": contact}),
            )
    };
    send(book(0, false, "k1"), StatusCode::CREATED).await;
    send(book(2, true, "k2"), StatusCode::CREATED).await;
    let other = register(&s, "Toinen", &format!("other.{tag}@example.org")).await;
    send(
        other
            .post(s.url("/api/v1/bookings"))
            .header("Idempotency-Key", "o1")
            .json(&json!({"offer_id": offers[1].0, "starts_at": offers[1].1,
                          "contact": {"phone": "+358 1 234"}})),
        StatusCode::CREATED,
    )
    .await;
    send(
        me.post(s.url("/api/v1/waitlist"))
            .json(&json!({"offer_id": offers[1].0, "starts_at": offers[1].1, "contact": contact})),
        StatusCode::CREATED,
    )
    .await;
    send(
        me.post(s.url("/api/v1/accounts/me/calendar-feed")),
        StatusCode::CREATED,
    )
    .await;
    let mine = send(
        me.post(s.url("/api/v1/organizations"))
            .json(&json!({"name": "Viljan Kahvila"})),
        StatusCode::CREATED,
    )
    .await;
    send(
        me.post(s.url(&format!(
            "/api/v1/organizations/{}/members",
            mine["id"].as_str().unwrap()
        )))
        .json(&json!({"email": format!("owner.{tag}@example.org"), "role": "owner"})),
        StatusCode::CREATED,
    )
    .await;
    let token = send(
        me.post(s.url("/api/v1/accounts/me/tokens"))
            .json(&json!({"name": "script"})),
        StatusCode::CREATED,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    // The business reads its bookings (an access record).
    let list = send(
        owner.get(s.url(&format!("/api/v1/offers/{}/bookings", offers[0].0))),
        StatusCode::OK,
    )
    .await;
    assert!(list.to_string().contains(&phone), "{list}");
    assert_eq!(seats_left(0).await, 2);
    assert_eq!(seats_left(2).await, 2);

    let db = api::core::db::connect(&s.db.url).await.unwrap();
    // An app the resident let act for them (a grant with a code, as the consent page
    // leaves it).
    let my_id: Uuid = send(me.get(s.url("/api/v1/accounts/me")), StatusCode::OK).await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let grants_of = |db: DatabaseConnection| async move {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        entities::oauth_grant::Entity::find()
            .filter(entities::oauth_grant::Column::UserId.eq(my_id))
            .count(&db)
            .await
            .unwrap()
            + entities::oauth_code::Entity::find()
                .filter(entities::oauth_code::Column::UserId.eq(my_id))
                .count(&db)
                .await
                .unwrap()
    };
    {
        use api::oauth::service::{issue_code, register_client, Consent, NewClient};
        use sea_orm::EntityTrait;
        let city = entities::city::Entity::find()
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let new = NewClient::parse(
            "Terminfinder",
            "public",
            &["bookings:read".to_string()],
            &["http://127.0.0.1:9/cb".to_string()],
        )
        .unwrap();
        let (app, _) = register_client(&db, city.id, new).await.unwrap();
        issue_code(
            &db,
            Consent {
                client: &app,
                user_id: my_id,
                redirect_uri: "http://127.0.0.1:9/cb",
                scopes: &app.scopes,
                code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(grants_of(db.clone()).await, 2);
    let before = dump(&db).await;
    assert!(
        before.iter().any(|(_, rows)| rows.contains(&phone)),
        "the check would find the phone"
    );

    // Erase: a wrong password changes nothing; the right one erases.
    send(
        me.delete(s.url("/api/v1/accounts/me"))
            .json(&json!({"password": "wrong password!"})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let r = me
        .delete(s.url("/api/v1/accounts/me"))
        .json(&json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // The app's grant is gone with its code.
    assert_eq!(grants_of(db.clone()).await, 0);
    // The seats are free again; the session and the token are dead.
    assert_eq!(seats_left(0).await, 3);
    assert_eq!(seats_left(2).await, 3);
    send(
        me.get(s.url("/api/v1/accounts/me")),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    send(
        client()
            .get(s.url("/api/v1/accounts/me"))
            .bearer_auth(&token),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The business sees the booking cancelled, without a contact.
    let list = send(
        owner.get(s.url(&format!("/api/v1/offers/{}/bookings", offers[0].0))),
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "cancelled", "{list}");
    assert_eq!(list["items"][0]["contact"]["name"], "", "{list}");
    assert!(list["items"][0]["contact"]["phone"].is_null(), "{list}");
    // The address can be used for a new account.
    register(&s, "Vilja", &email).await;
    send(
        client()
            .delete(s.url("/api/v1/accounts/me"))
            .json(&json!({"password": "x"})),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Let the notifier handle what the erasure wrote, then look everywhere.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = dump(&db).await;
    let log = s.stop();
    for needle in [name.as_str(), phone.as_str(), &email] {
        for (table, rows) in &after {
            // The new account with the same address is the only row that may hold it.
            let hits = rows.lines().filter(|l| l.contains(needle)).count();
            let allowed = usize::from(table == "users" && needle == email);
            assert_eq!(hits, allowed, "{needle} in {table}: {rows}");
        }
        assert!(!log.contains(needle), "{needle} in the log:\n{log}");
    }
    assert!(
        log.contains("listening") || log.contains("INFO"),
        "the log was read: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_an_account_leaves_nothing_on_sqlite() {
    erasing_an_account_leaves_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_an_account_leaves_nothing_on_postgres() {
    erasing_an_account_leaves_nothing(Backend::Postgres).await;
}
