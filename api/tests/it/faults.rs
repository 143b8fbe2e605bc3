//! Faults of what the portal depends on, against the real servers: a Redis of the
//! test's own (`redis-server`, as `scripts/test` installs it) that hangs for 5 seconds
//! and that stops for 5 seconds, while a resident is logged in through it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::*;

/// A Redis server of this test alone, with its data in an append-only file so that
/// sessions outlive a stop and start.
struct OwnRedis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl OwnRedis {
    /// Starts one, or says why not (no `redis-server`: skipped unless every backend is
    /// required).
    fn start() -> Option<OwnRedis> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            if std::env::var("REQUIRE_ALL_BACKENDS").as_deref() == Ok("1") {
                panic!("redis-server is not on PATH but REQUIRE_ALL_BACKENDS=1");
            }
            println!("skipped: redis-server is not on PATH (scripts/test installs it)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Self::spawn(port, dir.path());
        Some(OwnRedis { child, port, dir })
    }

    fn spawn(port: u16, dir: &std::path::Path) -> Child {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let started = Instant::now();
        while !ping(port) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server answers"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {signal}");
    }

    fn stop(&mut self) {
        self.signal("-TERM");
        self.child.wait().unwrap();
    }

    fn restart(&mut self) {
        self.child = Self::spawn(self.port, self.dir.path());
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// One request as the logged-in resident: its status, its `Retry-After`, how long it took.
async fn me(app: &TestApp, user: &User) -> (StatusCode, Option<String>, Duration) {
    let started = Instant::now();
    let r = user
        .client
        .get(app.url("/api/v1/accounts/me"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let status = r.status();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "a problem"
        );
    }
    (status, retry, started.elapsed())
}

/// While Redis is away: the resident's requests answer 503 with `Retry-After` at once
/// (the first, and a probe every 200 ms, within a command's timeout of 500 ms),
/// `/readyz` answers within a second (its ping's timeout) saying Redis is degraded.
/// Returns the slowest of those answers.
async fn while_away(app: &TestApp, user: &User, how: &str) -> Duration {
    let mut slowest = Duration::ZERO;
    let (status, retry, took) = me(app, user).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{how}: first request"
    );
    assert_eq!(retry.as_deref(), Some("1"), "{how}");
    assert!(
        took < Duration::from_millis(1200),
        "{how}: first took {took:?}"
    );
    slowest = slowest.max(took);
    // At once: but for a probe now and then (which waits at most a command's timeout),
    // without trying Redis. The bounds leave room for a busy test machine.
    let mut quick = 0;
    for i in 0..20 {
        let (status, retry, took) = me(app, user).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{how}: request {i}"
        );
        assert!(retry.is_some());
        assert!(
            took < Duration::from_millis(1500),
            "{how}: request {i} took {took:?}"
        );
        if took < Duration::from_millis(200) {
            quick += 1;
        }
        slowest = slowest.max(took);
    }
    assert!(quick >= 10, "{how}: only {quick} of 20 answered at once");
    // A page of the resident's answers 503 too, not a login form or a 500.
    let page = user
        .client
        .get(app.url("/account"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "{how}: page"
    );
    let started = Instant::now();
    let ready = client()
        .get(app.url("/readyz"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1500),
        "{how}: /readyz took {took:?}"
    );
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{how}: {body}");
    assert_eq!(body["checks"]["redis"]["status"], "degraded", "{body}");
    slowest.max(took)
}

/// From Redis's return until the resident's request succeeds again (polled every
/// 20 ms), without a restart of the portal.
async fn back_after(app: &TestApp, user: &User, back: Instant, how: &str) -> Duration {
    loop {
        let (status, _, _) = me(app, user).await;
        if status == StatusCode::OK {
            return back.elapsed();
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{how}");
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "{how}: still {status} 2 s after Redis returned"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Redis hangs for 5 s (stopped with SIGSTOP: connections stay open, nothing answers),
/// then stops for 5 s (SIGTERM: connections refused) and starts again. Each time the
/// resident's requests answer 503 at once while it is away and work again within 2 s
/// of its return, with the same session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_blip_costs_seconds_not_minutes() {
    let Some(mut redis) = OwnRedis::start() else {
        return;
    };
    let Some(app) = spawn_with(
        Backend::Sqlite,
        Opts {
            env: vec![
                ("REDIS_URL", redis.url()),
                ("REDIS_KEY_PREFIX", "faults:".to_string()),
            ],
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    assert_eq!(app.state.store.kind(), "redis");
    let user = app.register("Rita").await;
    assert_eq!(me(&app, &user).await.0, StatusCode::OK);

    redis.signal("-STOP");
    let away = Instant::now();
    let hang_slowest = while_away(&app, &user, "hanging").await;
    tokio::time::sleep(Duration::from_secs(5).saturating_sub(away.elapsed())).await;
    redis.signal("-CONT");
    let hang_back = back_after(&app, &user, Instant::now(), "after hanging").await;

    redis.stop();
    let away = Instant::now();
    let stop_slowest = while_away(&app, &user, "stopped").await;
    tokio::time::sleep(Duration::from_secs(5).saturating_sub(away.elapsed())).await;
    redis.restart();
    let stop_back = back_after(&app, &user, Instant::now(), "after a restart").await;
    // The readiness check says so too.
    let ready: serde_json::Value = client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["redis"]["status"], "ok", "{ready}");
    println!(
        "redis faults: hanging 5 s: slowest answer while away {hang_slowest:?}, working again {hang_back:?} after; \
         stopped 5 s: slowest {stop_slowest:?}, working again {stop_back:?} after its start"
    );
}

/// A PostgreSQL cluster of this test alone (`initdb` as the `postgres` user, as
/// `scripts/test` makes its own), on a free port, to be restarted under load.
struct OwnPostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    /// Starts one, or says why not (no PostgreSQL binaries: skipped unless every
    /// backend is required).
    fn start() -> Option<OwnPostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .find(|b| b.join("initdb").exists() && b.join("pg_ctl").exists());
        let Some(bin) = bin else {
            if std::env::var("REQUIRE_ALL_BACKENDS").as_deref() == Ok("1") {
                panic!(
                    "no PostgreSQL binaries under /usr/lib/postgresql but REQUIRE_ALL_BACKENDS=1"
                );
            }
            println!("skipped: no PostgreSQL binaries (scripts/test installs them)");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("cp-pg-fault")
            .tempdir_in("/tmp")
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = OwnPostgres { bin, dir, port };
        assert!(Command::new("chown")
            .args(["-R", "postgres"])
            .arg(pg.dir.path())
            .status()
            .unwrap()
            .success());
        pg.as_postgres(
            "initdb",
            &[
                "-D",
                &pg.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
        );
        pg.ctl("start");
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn as_postgres(&self, tool: &str, args: &[&str]) {
        let out = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .current_dir("/")
            .stdin(Stdio::null())
            .output()
            .expect("runuser");
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl start`, `stop` (fast: open connections are ended) or `restart`.
    fn ctl(&self, action: &str) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("pg.log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", data.as_str(), "-w", "-t", "60", "-m", "fast", action];
        if action != "stop" {
            args.extend(["-o", opts.as_str(), "-l", log.as_str()]);
        }
        self.as_postgres("pg_ctl", &args);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data, "-w", "-m", "immediate", "stop"])
            .current_dir("/")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// PostgreSQL is stopped for 12 s (longer than the pool waits for a connection) and
/// started again while residents keep booking, each retrying with its idempotency key
/// as a client should: no answer is a 500 (the database being away is a 503 with
/// `Retry-After`), every booking acknowledged is in the database exactly once, no
/// resident holds two seats, and bookings go through again after the start without
/// the portal being restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_answers_503_and_loses_nothing() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let Some(pg) = OwnPostgres::start() else {
        return;
    };
    let Some(app) = spawn_with(
        Backend::Postgres,
        Opts {
            database_url: Some(pg.url()),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let (owner, listing) = crate::booking::published_listing(&app, "Hallenbad").await;
    let (offer, start) = crate::booking::class_offer(&app, &owner, &listing, 500).await;
    let mut residents = Vec::new();
    for i in 0..40 {
        residents.push(app.register(&format!("Schwimmer{i}")).await);
    }

    // Two residents at a time book, one after the other, until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let residents = std::sync::Arc::new(residents);
    let mut streams = Vec::new();
    for lane in 0..2usize {
        let (stop, residents, base) = (stop.clone(), residents.clone(), app.base.clone());
        let (offer, start) = (offer.clone(), start.clone());
        streams.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = lane;
            let mut key = uuid::Uuid::new_v4().to_string();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && i < residents.len() {
                let sent = Instant::now();
                let r = residents[i]
                    .client
                    .post(format!("{base}/api/v1/bookings"))
                    .header("Idempotency-Key", &key)
                    .json(&serde_json::json!({"offer_id": offer, "starts_at": start}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let retry = r.headers().get("retry-after").is_some();
                let body: serde_json::Value = r.json().await.unwrap_or_default();
                seen.push((status, retry, body, sent, Instant::now()));
                if status == StatusCode::CREATED {
                    // The next resident, with a key of their own.
                    i += 2;
                    key = uuid::Uuid::new_v4().to_string();
                    tokio::time::sleep(Duration::from_millis(300)).await;
                } else {
                    // The same booking again, with the same key.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            seen
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    pg.ctl("stop");
    let stopped = Instant::now();
    tokio::time::sleep(Duration::from_secs(12)).await;
    pg.ctl("start");
    let started = Instant::now();
    // Long enough for the pool to be back and a few more bookings.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut seen = Vec::new();
    for s in streams {
        seen.extend(s.await.unwrap());
    }

    let statuses: Vec<u16> = seen.iter().map(|s| s.0.as_u16()).collect();
    assert!(
        seen.iter()
            .all(|s| s.0 == StatusCode::CREATED || s.0 == StatusCode::SERVICE_UNAVAILABLE),
        "only 201 or 503: {statuses:?}"
    );
    let unavailable: Vec<_> = seen
        .iter()
        .filter(|s| s.0 == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!unavailable.is_empty(), "the stop was seen: {statuses:?}");
    for s in &unavailable {
        assert!(s.1, "a 503 says when to retry: {}", s.2);
        assert_eq!(s.2["type"], "/problems/unavailable", "{}", s.2);
    }
    let back = seen
        .iter()
        .filter(|s| s.0 == StatusCode::CREATED && s.3 > started)
        .map(|s| s.4 - started)
        .min()
        .expect("bookings go through again after the start, without a restart");
    let slowest_away = unavailable.iter().map(|s| s.4 - s.3).max().unwrap();
    // Every acknowledged booking is there, once.
    let acknowledged: Vec<uuid::Uuid> = seen
        .iter()
        .filter(|s| s.0 == StatusCode::CREATED)
        .map(|s| s.2["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut unique = acknowledged.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        acknowledged.len(),
        "no booking acknowledged twice"
    );
    let stored = entities::booking::Entity::find()
        .filter(entities::booking::Column::OfferId.eq(offer.parse::<uuid::Uuid>().unwrap()))
        .all(&app.state.db)
        .await
        .unwrap();
    for id in &acknowledged {
        assert_eq!(
            stored.iter().filter(|b| b.id == *id).count(),
            1,
            "acknowledged booking {id} is stored once"
        );
    }
    // A resident never holds two seats: a retry after a 503 did not book again.
    for r in residents.iter() {
        let n = entities::booking::Entity::find()
            .filter(entities::booking::Column::UserId.eq(r.id))
            .count(&app.state.db)
            .await
            .unwrap();
        assert!(n <= 1, "one booking per resident, {n} for {}", r.id);
    }
    println!(
        "postgres restart: stopped {:?}; slowest answer while away {slowest_away:?}; first booking {back:?} after the start ({} booked, {} answered 503)",
        started - stopped,
        acknowledged.len(),
        unavailable.len()
    );
}
