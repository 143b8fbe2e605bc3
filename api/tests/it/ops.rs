//! Operating the portal: every answer has a request id, carried by the request's log
//! lines and problems; logs are JSON lines on request and never coloured off a terminal.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both;

/// `X-Request-Id`: the caller's when it is a plain token, else a new one; a problem's
/// body names it too.
async fn every_answer_has_a_request_id(app: TestApp) {
    let http = client();
    let r = http.get(app.url("/healthz")).send().await.unwrap();
    let made = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 32, "{made}");
    let r = http
        .get(app.url("/healthz"))
        .header("x-request-id", "gateway-4711.a_b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "gateway-4711.a_b");
    for bad in ["has space", &"x".repeat(65), "quote\"d"] {
        let r = http
            .get(app.url("/healthz"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32);
    }
    let r = http
        .get(app.url("/api/v1/listings/no-such-listing"))
        .header("x-request-id", "ask-about-this")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "ask-about-this");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["request_id"], "ask-about-this");
}
on_both!(every_answer_has_a_request_id);

/// The server's own output: with `LOG_FORMAT=json` every line is a JSON object, and a
/// request's lines carry its id; as text (the default) off a terminal, no colour codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_json_lines_on_request_and_never_coloured_off_a_terminal() {
    for format in ["json", "text"] {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
            .current_dir(dir.path())
            .env_clear()
            .env("DATABASE_URL", "sqlite://portal.db?mode=rwc")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("DEMO_DATA", "false")
            .env("LOG_FORMAT", format)
            // Each request's line (method, route, status, time) is logged at debug.
            .env("LOG", "info,access=debug")
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let mut up = false;
        for _ in 0..300 {
            if let Ok(r) = client().get(format!("{base}/healthz")).send().await {
                up = r.status() == StatusCode::OK;
                if up {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let r = client()
            .get(format!("{base}/api/v1/search?q=Kamppi"))
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let mut out = String::new();
        std::fs::File::open(log.path())
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(up, "the server did not start: {out}");
        assert!(!out.contains('\u{1b}'), "{format}: colour codes in {out}");
        let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(!lines.is_empty());
        if format == "json" {
            let objects: Vec<Value> = lines
                .iter()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect();
            assert!(objects.iter().all(|o| o["level"].is_string()));
            assert!(
                objects
                    .iter()
                    .any(|o| o["span"]["name"] == "request" && o["span"]["id"] == "trace-me-42"),
                "{out}"
            );
        } else {
            assert!(
                lines.iter().any(|l| l.contains("request{id=trace-me-42}")),
                "{out}"
            );
        }
    }
}

/// `docker/compose.yaml` (no container runtime here: its content is checked): a YAML
/// document whose PostgreSQL password has no default, whose portal waits for
/// PostgreSQL and Redis to be healthy but only for Meilisearch to have started (search
/// falls back to the database), and whose portal gets every variable it is given
/// through the shared environment, the password included.
#[test]
fn the_compose_file_requires_the_database_password_and_waits_for_no_search_engine() {
    use yaml_rust2::{Yaml, YamlLoader};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docker/compose.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("compose.yaml is YAML");
    assert_eq!(docs.len(), 1);
    let compose = &docs[0];
    let services = &compose["services"];
    for s in ["postgres", "redis", "meilisearch", "portal"] {
        assert!(!services[s].is_badvalue(), "no {s} service");
    }
    let portal = &services["portal"];
    let wait = |s: &str| {
        portal["depends_on"][s]["condition"]
            .as_str()
            .map(String::from)
    };
    assert_eq!(wait("postgres").as_deref(), Some("service_healthy"));
    assert_eq!(wait("redis").as_deref(), Some("service_healthy"));
    assert_eq!(wait("meilisearch").as_deref(), Some("service_started"));
    // Every use of the password is required (`:?`), none has a default (`:-`).
    let required = "${POSTGRES_PASSWORD:?";
    assert!(
        !text.contains("${POSTGRES_PASSWORD:-"),
        "a default password"
    );
    assert!(
        !text.contains("${POSTGRES_PASSWORD}"),
        "an unchecked password"
    );
    assert_eq!(
        services["postgres"]["environment"]["POSTGRES_PASSWORD"].as_str(),
        Some("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in docker/.env}")
    );
    // The portal's environment is the shared one (an alias), with the password in
    // its database URL.
    let env = match &portal["environment"] {
        Yaml::Hash(h) => h.clone(),
        other => panic!("the portal's environment: {other:?}"),
    };
    let url = env
        .get(&Yaml::String("DATABASE_URL".into()))
        .and_then(Yaml::as_str)
        .expect("DATABASE_URL");
    assert!(url.contains(required), "{url}");
    for var in ["ADMIN_BIND_ADDR", "LOG_FORMAT", "BIND_ADDR"] {
        assert!(
            env.contains_key(&Yaml::String(var.into())),
            "{var} is not passed to the portal"
        );
    }
}
