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
