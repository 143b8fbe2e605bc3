//! Faults of what the portal depends on, against the real servers: a Redis of the
//! test's own (`redis-server`, as `scripts/test` installs it) that hangs for 5 seconds
//! and that stops for 5 seconds, while a resident is logged in through it; a
//! PostgreSQL cluster of its own restarted under a stream of bookings; and a
//! business's booking system (the sandbox partner) taken off the network while
//! residents book through it.

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

/// The network between the portal and a partner's server: a TCP forwarder on a port of
/// its own. Unplugged, the port refuses connections and every open connection is cut
/// (as when the partner's server is stopped); plugged in again, the same port
/// forwards to the same server, which kept its bookings (as a real one keeps them in
/// its database).
struct Cable {
    port: u16,
    upstream: std::net::SocketAddr,
    accept: Option<tokio::task::JoinHandle<()>>,
    open: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cable {
    async fn to(upstream: std::net::SocketAddr) -> Cable {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cable = Cable {
            port,
            upstream,
            accept: None,
            open: Default::default(),
        };
        cable.plug_in();
        cable
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn plug_in(&mut self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(([127, 0, 0, 1], self.port).into())
            .expect("the partner's port is free again");
        let listener = socket.listen(64).unwrap();
        let (upstream, open) = (self.upstream, self.open.clone());
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                open.lock().unwrap().push(task.abort_handle());
            }
        }));
    }

    async fn unplug(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        for c in self.open.lock().unwrap().drain(..) {
            c.abort();
        }
        // Nothing listens there any more.
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_err(),
            "the unplugged port refuses connections"
        );
    }
}

impl Drop for Cable {
    fn drop(&mut self) {
        if let Some(a) = &self.accept {
            a.abort();
        }
        for c in self.open.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

/// One booking request of a resident with a given idempotency key: its status, body,
/// whether it said when to retry, and how long it took.
async fn try_booking(
    app: &TestApp,
    user: &User,
    key: &str,
    body: &serde_json::Value,
) -> (StatusCode, serde_json::Value, bool, Duration) {
    let sent = Instant::now();
    let r = user
        .client
        .post(app.url("/api/v1/bookings"))
        .header("Idempotency-Key", key)
        .json(body)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let retry = r.headers().get("retry-after").is_some();
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "a problem"
        );
    }
    let body = r.json().await.unwrap_or_default();
    (status, body, retry, sent.elapsed())
}

/// A business's partner booking system goes off the network (its port refuses
/// connections, open connections are cut) for about 8 seconds while residents book a
/// class it keeps, and comes back at the same address:
/// - while it is away, every booking answers 503 `unavailable` with `Retry-After`
///   (never a 500), quickly (its connections are refused; then the circuit refuses at
///   once), and so does the class's availability;
/// - a hold taken before it went away expires on time (within 2 s of its end), though
///   the partner cannot be told;
/// - once it is back, without a restart of the portal: bookings go through again
///   (within 20 s: the circuit tries again after 1 s, then after twice as long with each
///   failed trial; measured), and the reconciliation job
///   settles everything left open: no booking keeps an unsettled partner call, no hold
///   is left held at either side, and the partner keeps exactly the seats of the
///   portal's confirmed bookings.
async fn a_partner_down_refuses_bookings_clearly_and_settles_when_back(app: TestApp) {
    use crate::partners::{book, fixture_with, partner_offer, row, sandbox, slots};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let sandbox = sandbox().await;
    let mut cable = Cable::to(sandbox.addr()).await;
    let f = fixture_with(&app, "Kletterhalle", sandbox, cable.url()).await;
    let offer = partner_offer(&app, &f, "class", "sandbox-gym.yoga").await;
    let start = slots(&app, &offer).await[0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string();
    let webhooks = f.sandbox.webhooks().len();
    // (the sandbox sends its webhooks straight to the portal, not over the cable)
    let public_url = &app.state.config.server.public_url;
    let webhook_target = Some(
        api::partners::connections::webhook_url(public_url, f.connection.parse().unwrap())
            .replace(public_url.as_str().trim_end_matches('/'), &app.base),
    );

    // Before: one resident holds a seat, another has booked one.
    let holder = app.register("Halter").await;
    let (status, held) = book(
        &app,
        &holder,
        &serde_json::json!({"offer_id": offer, "starts_at": start, "hold": true, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    assert_eq!(held["status"], "held");
    let held_id = held["id"].as_str().unwrap().to_string();
    let held_until = row(&app, &held_id).await.hold_expires_at.unwrap();
    let early = app.register("Frueh").await;
    let (status, booked) = book(
        &app,
        &early,
        &serde_json::json!({"offer_id": offer, "starts_at": start, "contact": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["status"], "confirmed");

    // The partner goes away (and, being away, sends no webhooks either).
    f.sandbox.set_webhook_target(None);
    cable.unplug().await;
    let away = Instant::now();
    let mut answers = Vec::new();
    let mut residents = Vec::new();
    for i in 0..6 {
        residents.push(app.register(&format!("Kletterer{i}")).await);
    }
    let want = serde_json::json!({"offer_id": offer, "starts_at": start, "contact": {}});
    let mut round = 0;
    while away.elapsed() < Duration::from_secs(8) {
        let r = &residents[round % residents.len()];
        let (status, p, retry, took) =
            try_booking(&app, r, &uuid::Uuid::new_v4().to_string(), &want).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "while away: {p}");
        assert_eq!(p["type"], "/problems/unavailable", "{p}");
        assert!(retry, "a 503 says when to retry: {p}");
        answers.push(took);
        round += 1;
        // The availability says so too.
        let resp = client()
            .get(app.url(&format!("/api/v1/offers/{offer}/availability")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The hold expired on time (the sweeper runs every second), with nobody at the
    // partner to tell: when it was written expired, against its end.
    let b = row(&app, &held_id).await;
    assert_eq!(
        b.status, "expired",
        "the hold expired while the partner was away"
    );
    let held_expired_after = b.updated_at - held_until;
    assert!(
        held_expired_after < chrono::Duration::seconds(2),
        "the hold expired {held_expired_after} after its end"
    );
    assert_eq!(
        row(&app, &held_id).await.partner_pending.as_deref(),
        Some("cancel"),
        "the partner is to be told"
    );
    let slowest_away = answers.iter().max().copied().unwrap();
    assert!(
        slowest_away < Duration::from_secs(5),
        "an answer while away took {slowest_away:?}"
    );
    let at_once = answers
        .iter()
        .filter(|d| **d < Duration::from_millis(200))
        .count();
    assert!(
        at_once * 2 >= answers.len(),
        "the open circuit answers at once: {answers:?}"
    );

    // Back at the same address; the portal is not restarted.
    cable.plug_in();
    f.sandbox.set_webhook_target(webhook_target);
    let back = Instant::now();
    // One resident retries, with the same key, every 250 ms until the booking goes through.
    let key = uuid::Uuid::new_v4().to_string();
    let again_after = loop {
        let (status, b, _, _) = try_booking(&app, &residents[0], &key, &want).await;
        if status == StatusCode::CREATED {
            assert_eq!(b["status"], "confirmed", "{b}");
            break back.elapsed();
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{b}");
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "still no booking 20 s after the partner returned: {b}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };

    // Everything left open settles: the reconciliation job tells the partner what it
    // missed (the expired hold, the holds of the refused bookings).
    let offer_id: uuid::Uuid = offer.parse().unwrap();
    let settled_after = loop {
        let rows = entities::booking::Entity::find()
            .filter(entities::booking::Column::OfferId.eq(offer_id))
            .all(&app.state.db)
            .await
            .unwrap();
        let open: Vec<_> = rows
            .iter()
            .filter(|b| b.partner_pending.is_some() || b.status == "held")
            .collect();
        if open.is_empty() {
            break back.elapsed();
        }
        assert!(
            back.elapsed() < Duration::from_secs(60),
            "still unsettled 60 s after the partner returned: {open:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let rows = entities::booking::Entity::find()
        .filter(entities::booking::Column::OfferId.eq(offer_id))
        .all(&app.state.db)
        .await
        .unwrap();
    let confirmed: Vec<_> = rows.iter().filter(|b| b.status == "confirmed").collect();
    assert_eq!(
        confirmed.len(),
        2,
        "the early booking and the one after the return"
    );
    assert!(
        rows.iter()
            .all(|b| matches!(b.status.as_str(), "confirmed" | "expired")),
        "{rows:?}"
    );
    // The partner keeps exactly the confirmed bookings' seats.
    let at_partner: Vec<_> = f
        .sandbox
        .bookings()
        .into_iter()
        .filter(|pb| pb.status.occupies_seats())
        .collect();
    let mut seats: Vec<String> = at_partner.iter().map(|pb| pb.booking_id.clone()).collect();
    let mut ours: Vec<String> = confirmed
        .iter()
        .map(|b| {
            b.partner_ref
                .clone()
                .expect("a confirmed booking's partner reference")
        })
        .collect();
    seats.sort();
    ours.sort();
    assert_eq!(
        seats, ours,
        "the partner's seats are the confirmed bookings'"
    );
    assert!(at_partner
        .iter()
        .all(|pb| pb.status.as_str() == "confirmed"));
    assert_eq!(slots(&app, &offer).await[0]["remaining"], 12 - 2);
    assert!(f.sandbox.webhooks().len() >= webhooks);
    let db = if app.database_url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "partner down, {db}: away 8 s: {} bookings answered 503 (slowest {slowest_away:?}); the hold expired {:.1} s after its end; bookings again {again_after:?} after its return, everything settled {settled_after:?} after",
        answers.len(),
        held_expired_after.num_milliseconds() as f64 / 1000.0,
    );
}
crate::on_both_with!(
    a_partner_down_refuses_bookings_clearly_and_settles_when_back,
    vec![
        ("BOOKING_HOLD_SECONDS", "3".to_string()),
        ("PARTNER_TIMEOUT_MS", "400".to_string()),
        ("PARTNER_RECONCILE_SECONDS", "1".to_string()),
    ]
);
