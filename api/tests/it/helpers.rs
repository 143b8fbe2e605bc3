//! `spawn_app()` and friends.

use std::collections::HashMap;

use api::core::config::Config;
use api::web::state::AppState;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use uuid::Uuid;

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Options for spawning.
#[derive(Clone, Debug, Default)]
pub struct Opts {
    pub redis: bool,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    /// Reuse this database instead of a fresh one (a second replica).
    pub database_url: Option<String>,
    /// Reuse this Redis key prefix instead of a fresh one.
    pub redis_prefix: Option<String>,
    pub meili_url: Option<String>,
    pub meili_api_key: Option<String>,
    pub meili_index: Option<String>,
    pub trust_forwarded_for: bool,
    /// `SEARCH_INDEXER=external`: the server runs no indexer of its own.
    pub external_indexer: bool,
    /// Further environment variables of the server.
    pub env: Vec<(&'static str, String)>,
}

/// The live Meilisearch of the test run (`MEILI_URL`, `MEILI_API_KEY`), or `None` with
/// one printed line saying the test is skipped; without one, `REQUIRE_ALL_BACKENDS=1`
/// fails the test (unless `MEILI_OPTIONAL=1`, see `search_indexer::testing`).
pub fn live_meili() -> Option<(String, Option<String>)> {
    search_indexer::testing::live_meili()
}

/// Options for an app indexing into its own fresh index of the live Meilisearch.
pub fn meili_opts() -> Option<Opts> {
    let (url, key) = live_meili()?;
    Some(Opts {
        meili_url: Some(url),
        meili_api_key: key,
        meili_index: Some(format!("test-{}", Uuid::new_v4().simple())),
        ..Default::default()
    })
}

/// A running portal.
pub struct TestApp {
    pub base: String,
    /// The admin address's base URL (with `ADMIN_BIND_ADDR`).
    pub admin: Option<String>,
    pub state: AppState,
    pub database_url: String,
    pub redis_prefix: Option<String>,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The database this app made (none for a replica of another app's); dropped last.
    _db: Option<TestDb>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn require_all() -> bool {
    std::env::var("REQUIRE_ALL_BACKENDS").is_ok_and(|v| v == "1")
}

/// A fresh, empty database of a test. A PostgreSQL one is dropped again when this is
/// dropped (also when the test panics), so that test runs do not fill the disk.
pub struct TestDb {
    pub url: String,
    /// The admin URL and the database's name, for dropping it.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread
        // with its own runtime drops the database (closing the app's connections).
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let admin = Database::connect(&admin_url).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop a test database: {e}");
        }
    }
}

/// A fresh, empty database for the backend; `None` (with one printed line) when the
/// backend is not available and not required.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Option<TestDb> {
    match backend {
        Backend::Sqlite => Some(TestDb {
            url: format!("sqlite://{}/portal.db?mode=rwc", dir.display()),
            postgres: None,
        }),
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
                if require_all() {
                    panic!("TEST_POSTGRES_URL is not set but REQUIRE_ALL_BACKENDS=1");
                }
                println!(
                    "skipped: TEST_POSTGRES_URL is not set (run scripts/test to start PostgreSQL)"
                );
                return None;
            };
            let name = format!("cp_test_{}", Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to TEST_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
            url.set_path(&format!("/{name}"));
            Some(TestDb {
                url: url.to_string(),
                postgres: Some((admin_url, name)),
            })
        }
    }
}

pub fn redis_url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(u) => Some(u),
        Err(_) if require_all() => panic!("TEST_REDIS_URL is not set but REQUIRE_ALL_BACKENDS=1"),
        Err(_) => {
            println!("skipped: TEST_REDIS_URL is not set (run scripts/test to start Redis)");
            None
        }
    }
}

/// Spawns the portal without demo data.
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, Opts::default()).await
}

pub async fn spawn_with(backend: Backend, opts: Opts) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let own_db = match &opts.database_url {
        Some(_) => None,
        None => Some(fresh_database(backend, dir.path()).await?),
    };
    let database_url = match (&opts.database_url, &own_db) {
        (Some(u), _) => u.clone(),
        (None, Some(db)) => db.url.clone(),
        (None, None) => unreachable!("a fresh database was made above"),
    };
    let redis_prefix = opts.redis.then(|| {
        opts.redis_prefix
            .clone()
            .unwrap_or_else(|| format!("test-{}:", Uuid::new_v4().simple()))
    });
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("BIND_ADDR", "127.0.0.1:0".into());
    vars.insert("DATABASE_URL", database_url.clone());
    vars.insert("DEMO_DATA", "false".into());
    // A fixed key (PostgreSQL requires one).
    vars.insert(
        "PARTNER_SECRETS_KEY",
        "dGVzdC1rZXktb2YtMzItYnl0ZXMtZm9yLWFlcy1nY20=".into(),
    );
    // The sandbox partners of the tests listen on loopback.
    vars.insert("PARTNER_ALLOW_PRIVATE_NETWORK", "true".into());
    // So do the modules.
    vars.insert("MODULE_NETWORKS", "127.0.0.0/8,::1/128".into());
    vars.insert("CITY_NAME", "Testhausen".into());
    // Every test comes from 127.0.0.1: the per-address limits of registrations and of
    // anonymous requests have tests of their own, which set them.
    vars.insert("REGISTRATIONS_PER_HOUR", "1000000".into());
    vars.insert("ANONYMOUS_REQUESTS_PER_MINUTE", "0".into());
    vars.insert("LOG", "warn".into());
    if opts.redis {
        vars.insert("REDIS_URL", redis_url()?);
        vars.insert("REDIS_KEY_PREFIX", redis_prefix.clone().unwrap());
    }
    if let Some(p) = &opts.public_url {
        vars.insert("PUBLIC_URL", p.clone());
    }
    if opts.trust_forwarded_for {
        vars.insert("TRUST_FORWARDED_FOR", "true".into());
    }
    if opts.external_indexer {
        vars.insert("SEARCH_INDEXER", "external".into());
    }
    for (k, v) in &opts.env {
        vars.insert(k, v.clone());
    }
    if let Some(m) = &opts.meili_url {
        vars.insert("MEILI_URL", m.clone());
    }
    if let Some(k) = &opts.meili_api_key {
        vars.insert("MEILI_API_KEY", k.clone());
    }
    if let Some(i) = &opts.meili_index {
        vars.insert("MEILI_INDEX", i.clone());
    }
    if let Some(n) = opts.max_body_bytes {
        vars.insert("MAX_BODY_BYTES", n.to_string());
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    let bound = api::web::app::bind(config).await.expect("server starts");
    let addr = bound.addr;
    let admin = bound.admin_addr.map(|a| format!("http://{a}"));
    let state = bound.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = bound
            .run(async {
                let _ = rx.await;
            })
            .await;
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        admin,
        state,
        database_url,
        redis_prefix,
        _dir: dir,
        shutdown: Some(tx),
        _db: own_db,
    })
}

impl TestApp {
    /// Loads the demo city (municipal services and the OSM businesses) into this app.
    pub async fn load_demo(&self) {
        api::demo::seed::load_demo_if_empty(&self.state.db, &self.state.city)
            .await
            .unwrap()
            .expect("the test database starts empty");
    }
}

/// Generates `sqlite` and `postgres` tests running the same scenario.
#[macro_export]
macro_rules! on_both {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("sqlite always runs");
                super::$scenario(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn($crate::helpers::Backend::Postgres).await
                {
                    super::$scenario(app).await;
                }
            }
        }
    };
}

/// Runs a scenario on both databases with extra server settings.
#[macro_export]
macro_rules! on_both_with {
    ($scenario:ident, $env:expr) => {
        mod $scenario {
            use $crate::helpers::*;
            fn opts() -> Opts {
                Opts {
                    env: $env,
                    ..Default::default()
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = spawn_with(Backend::Sqlite, opts())
                    .await
                    .expect("sqlite always runs");
                super::$scenario(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn_with(Backend::Postgres, opts()).await {
                    super::$scenario(app).await;
                }
            }
        }
    };
}

/// A client with its own cookie jar (a browser, in effect).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A unique address for a test account named `name`.
pub fn unique_email(name: &str) -> String {
    format!(
        "{}-{}@example.org",
        name.to_lowercase(),
        Uuid::new_v4().simple()
    )
}

/// A logged-in user.
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The Prometheus text of `/metrics` (the public port's).
    pub async fn scrape(&self) -> String {
        let r = client().get(self.url("/metrics")).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        r.text().await.unwrap()
    }

    /// Registers a new account (logged in through its cookie jar) with a verified
    /// address. On a portal that sends email, registering logs nobody in: the address is
    /// verified as if its owner had followed the emailed link (the way `create-admin`
    /// verifies; `account_basics.rs` follows real links), then the account logs in.
    pub async fn register(&self, name: &str) -> User {
        if !self.state.postman.delivers() {
            let u = self.register_unverified(name).await;
            api::accounts::service::verify_without_link(&self.state.db, u.id)
                .await
                .unwrap();
            return u;
        }
        let client = client();
        let email = unique_email(name);
        let resp = self.post_registration(&client, &email, name).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "register {name}");
        let id = self.user_id(&email).await;
        api::accounts::service::verify_without_link(&self.state.db, id)
            .await
            .unwrap();
        let resp = client
            .post(self.url("/api/v1/accounts/login"))
            .json(&json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "log in {name}");
        User { id, email, client }
    }

    /// Registers a new account (logged in) on a portal that sends no email, where its
    /// address counts as verified at once.
    pub async fn register_unverified(&self, name: &str) -> User {
        assert!(
            !self.state.postman.delivers(),
            "with email, registering logs nobody in"
        );
        let client = client();
        let email = unique_email(name);
        let resp = self.post_registration(&client, &email, name).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "register {name}");
        let body: Value = resp.json().await.unwrap();
        User {
            id: body["id"].as_str().unwrap().parse().unwrap(),
            email,
            client,
        }
    }

    async fn post_registration(
        &self,
        client: &reqwest::Client,
        email: &str,
        name: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/v1/accounts/register"))
            .json(
                &json!({"email": email, "password": "correct horse battery", "display_name": name}),
            )
            .send()
            .await
            .unwrap()
    }

    /// The id of the account with this address.
    pub async fn user_id(&self, email: &str) -> Uuid {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entities::user::Entity::find()
            .filter(entities::user::Column::Email.eq(email.to_lowercase()))
            .one(&self.state.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("an account for {email}"))
            .id
    }

    /// Registers a city admin (through the same code path as `create-admin`).
    pub async fn admin(&self) -> User {
        let u = self.register("Admin").await;
        api::accounts::create_admin(&self.state.db, self.state.city.id, &u.email, None)
            .await
            .unwrap();
        u
    }

    /// A user who owns a new business organization; returns the user and its id.
    pub async fn business_owner(&self, name: &str) -> (User, Uuid) {
        let u = self.register(name).await;
        let resp = u
            .client
            .post(self.url("/api/v1/organizations"))
            .json(&json!({"name": format!("{name} GmbH")}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let org: Value = resp.json().await.unwrap();
        let id = org["id"].as_str().unwrap().parse().unwrap();
        (u, id)
    }

    /// Creates a draft business listing; returns its JSON and ETag.
    pub async fn create_listing(&self, user: &User, org: Uuid, name: &str) -> (Value, String) {
        let resp = user
            .client
            .post(self.url("/api/v1/listings"))
            .json(&business_body(org, name))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::CREATED,
            "{}",
            resp.text().await.unwrap_or_default()
        );
        let etag = resp.headers()["etag"].to_str().unwrap().to_string();
        (resp.json().await.unwrap(), etag)
    }

    /// Number of outbox events about one aggregate.
    pub async fn outbox_events(&self, aggregate_id: &str) -> Vec<String> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        entities::outbox_event::Entity::find()
            .filter(
                entities::outbox_event::Column::AggregateId
                    .eq(aggregate_id.parse::<Uuid>().unwrap()),
            )
            .order_by_asc(entities::outbox_event::Column::Id)
            .all(&self.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }
}

/// A date a month from now, for dated exceptions of opening hours.
pub fn exception_date() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string()
}

/// A valid business listing body.
pub fn business_body(org: Uuid, name: &str) -> Value {
    json!({
        "kind": "business",
        "organization_id": org,
        "name": {"de": name, "en": name},
        "description": {"de": "Frisches Brot jeden Tag.", "en": "Fresh bread every day."},
        "categories": ["food.bakery"],
        "tags": ["brot", "bread"],
        "address": {"street": "Hauptstraße 1", "postcode": "10115", "city": "Testhausen"},
        "district": "Mitte",
        "location": {"lat": 60.17, "lng": 24.94},
        "contact": {"phone": "+49 30 1234567", "email": "info@baeckerei.example", "website": "https://baeckerei.example"},
        "wheelchair": "yes",
        "languages": ["de", "en"],
        "opening_hours": {
            "weekly": [{"weekday": "mo", "opens": "07:00", "closes": "18:00"}],
            "exceptions": [{"date": exception_date(), "closed": true, "note": "Heiligabend"}]
        }
    })
}

/// Asserts a problem+json response of `status` and returns its body.
pub async fn problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json",
        "errors are problem+json"
    );
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    let mut body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
    // Every problem names its request; the rest of the body is what tests compare.
    assert_eq!(body["request_id"], id.as_str(), "{body}");
    body.as_object_mut().unwrap().remove("request_id");
    body
}

/// The fields named by a validation problem, in alphabetical order (for a problem
/// naming several at once, whose order says nothing).
pub fn sorted_fields(problem: &Value) -> Vec<String> {
    let mut named = fields(problem);
    named.sort();
    named
}

/// The fields named by a validation problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The `Retry-After` seconds of a response.
pub fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

/// Asserts that a `Retry-After` is what remains of a rate limit's window that opened
/// at `started` or later: more than 0, at most the window, and no less than the window
/// minus the time since `started` (give or take the rounding to whole seconds).
pub fn assert_rest_of_window(retry: u64, window: std::time::Duration, started: std::time::Instant) {
    let elapsed = started.elapsed().as_secs();
    assert!(
        retry > 0 && retry <= window.as_secs(),
        "Retry-After {retry} outside (0, {}]",
        window.as_secs()
    );
    assert!(
        retry + elapsed + 1 >= window.as_secs(),
        "Retry-After {retry} is less than what remains of the {}s window {elapsed}s after it opened",
        window.as_secs()
    );
}

/// The value of one series of a Prometheus text, e.g.
/// `city_portal_outbox_pending_deliveries{consumer="search"}`; `None` without it.
/// What the process counts is shared by the tests' servers in it: compare with a value
/// read before, or use labels of the test's own.
pub fn metric_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

/// The sum of the series of a family whose labels contain `labels` (e.g.
/// `reason="temporary"`); 0 without any.
pub fn metric_sum(text: &str, family: &str, labels: &str) -> f64 {
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(family)?.strip_prefix('{')?;
            let (l, v) = rest.split_once("} ")?;
            l.contains(labels).then(|| v.trim().parse::<f64>().unwrap())
        })
        .sum()
}

/// A connection of its own for a test that steps the migrations down and up under a
/// running app: on SQLite one connection without a statement cache, so that every
/// schema change goes through one connection and no statement prepared before a change
/// is run again from a cache after it (stepping down and up through the app's pool of
/// eight connections now and then failed with "duplicate column name" under load); on
/// PostgreSQL the app's own pool.
pub async fn migration_connection(app: &TestApp) -> sea_orm::DatabaseConnection {
    if !app.database_url.starts_with("sqlite:") {
        return app.state.db.clone();
    }
    let mut opts = sea_orm::ConnectOptions::new(app.database_url.clone());
    opts.max_connections(1)
        .min_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.statement_cache_capacity(0)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10))
        });
    Database::connect(opts).await.unwrap()
}
