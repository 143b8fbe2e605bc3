//! `/healthz`, `/readyz`, `/metrics`, and the API docs.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let c = client();
    let h: Value = c
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    let r: Value = c
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "ok");
    assert_eq!(r["checks"]["database"]["status"], "ok");
    assert_eq!(r["checks"]["redis"]["status"], "not_configured");
    assert_eq!(r["checks"]["meilisearch"]["status"], "not_configured");

    // The process's counters are shared by the tests' servers: compared with before.
    let categories =
        "city_portal_http_requests_total{route=\"list_categories\",method=\"GET\",status=\"200\"}";
    let before = metric_of(&app.scrape().await, categories).unwrap_or(0.0);
    for _ in 0..3 {
        c.get(app.url("/api/v1/categories")).send().await.unwrap();
    }
    c.get(app.url("/api/v1/listings/nope"))
        .send()
        .await
        .unwrap();
    let m = c.get(app.url("/metrics")).send().await.unwrap();
    assert!(m.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = m.text().await.unwrap();
    assert!(
        metric_of(&text, categories).unwrap() >= before + 3.0,
        "{text}"
    );
    assert!(
        text.contains("route=\"get_listing\",method=\"GET\",status=\"404\""),
        "{text}"
    );
    assert!(text.contains("# TYPE city_portal_http_request_duration_seconds histogram"));
    assert!(text.contains(
        "city_portal_http_request_duration_seconds_bucket{route=\"list_categories\",method=\"GET\",status=\"200\",le=\"0.005\"}"
    ));
    // The state of this server: its database pool (SQLite: at most 8 connections)...
    assert_eq!(
        metric_of(&text, "city_portal_db_pool_max_connections"),
        Some(8.0),
        "{text}"
    );
    assert!(
        metric_of(&text, "city_portal_db_pool_connections{state=\"idle\"}").is_some(),
        "{text}"
    );
    assert!(
        metric_of(&text, "city_portal_db_pool_connections{state=\"in_use\"}").is_some(),
        "{text}"
    );
    // ... and the process.
    assert!(
        metric_of(&text, "process_resident_memory_bytes").unwrap() > 1e6,
        "{text}"
    );
    assert!(
        metric_of(&text, "process_open_fds").unwrap() > 3.0,
        "{text}"
    );
    assert!(
        metric_of(&text, "process_cpu_seconds_total").unwrap() > 0.0,
        "{text}"
    );

    let docs = c.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_reports_redis_and_a_missing_meilisearch() {
    let Some(app) = spawn_with(
        Backend::Sqlite,
        Opts {
            redis: true,
            // Nothing listens on the discard port: Meilisearch is configured but down.
            meili_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let r: Value = client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["checks"]["redis"]["status"], "ok");
    assert_eq!(r["checks"]["meilisearch"]["status"], "degraded");
    assert_eq!(r["status"], "degraded");
    // The public answer says what is degraded, never what failed.
    assert!(!r.to_string().contains("detail"), "{r}");
    assert!(!r.to_string().contains("127.0.0.1"), "{r}");
}

/// With `ADMIN_BIND_ADDR`, `/metrics` and the detailed `/readyz` are served there, and
/// the public port has no `/metrics`; its `/readyz` still tells no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_address_serves_metrics_and_the_detailed_readiness() {
    let app = spawn_with(
        Backend::Sqlite,
        Opts {
            env: vec![("ADMIN_BIND_ADDR", "127.0.0.1:0".into())],
            // Nothing listens on the discard port: Meilisearch is configured but down.
            meili_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let admin = app.admin.clone().expect("an admin address");
    assert_ne!(admin, app.base);
    let c = client();
    c.get(app.url("/api/v1/categories")).send().await.unwrap();

    // The public port.
    let r = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let public: Value = r.json().await.unwrap();
    assert_eq!(public["status"], "degraded", "{public}");
    assert_eq!(public["checks"]["meilisearch"]["status"], "degraded");
    assert!(!public.to_string().contains("detail"), "{public}");

    // The admin address.
    let r = c.get(format!("{admin}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let detailed: Value = r.json().await.unwrap();
    assert_eq!(detailed["status"], "degraded", "{detailed}");
    assert!(
        detailed["checks"]["meilisearch"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("search answers from the database")),
        "{detailed}"
    );
    let r = c.get(format!("{admin}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(
        metric_of(
            &text,
            "city_portal_http_requests_total{route=\"list_categories\",method=\"GET\",status=\"200\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(metric_of(&text, "city_portal_db_pool_max_connections").is_some());
    let r = c.get(format!("{admin}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Nothing else is served there.
    let r = c
        .get(format!("{admin}/api/v1/categories"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The value of a metric line, e.g.
/// `city_portal_outbox_pending_deliveries{consumer="search"}`.
fn metric(text: &str, series: &str) -> f64 {
    metric_of(text, series).unwrap_or_else(|| panic!("no {series} in {text}"))
}

/// `/metrics` shows the outbox's backlog per consumer: what a notifier that is not
/// running (`NOTIFIER=external`) leaves behind, and how old it is.
async fn metrics_show_the_outbox_backlog(app: TestApp) {
    use api::notifications::DELIVERIES;
    let scrape = || async {
        client()
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let notifications = "city_portal_outbox_pending_deliveries{consumer=\"notifications\"}";
    let oldest = "city_portal_outbox_oldest_pending_seconds{consumer=\"notifications\"}";
    let delivered = "city_portal_outbox_delivered_total{consumer=\"notifications\"}";
    let failed = "city_portal_outbox_failed_attempts_total{consumer=\"notifications\"}";
    let text = scrape().await;
    assert_eq!(metric(&text, notifications), 0.0);
    assert_eq!(metric(&text, oldest), 0.0);
    assert_eq!(
        metric(
            &text,
            "city_portal_outbox_pending_deliveries{consumer=\"search\"}"
        ),
        0.0
    );
    for _ in 0..2 {
        api::core::outbox::record(
            &app.state.db,
            app.state.city.id,
            "booking",
            uuid::Uuid::new_v4(),
            "booking.confirmed",
            serde_json::json!({}),
        )
        .await
        .unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let text = scrape().await;
    assert_eq!(metric(&text, notifications), 2.0, "{text}");
    assert!(metric(&text, oldest) >= 1.0, "{text}");
    // A failed attempt, then both handled: the backlog is gone, and the process
    // counted them (its counters are shared by the tests' servers: compared with
    // before).
    let delivered_before = metric_of(&text, delivered).unwrap_or(0.0);
    let failed_before = metric_of(&text, failed).unwrap_or(0.0);
    let claimed = DELIVERIES.claim(&app.state.db).await.unwrap();
    assert_eq!(claimed.len(), 2);
    DELIVERIES
        .failed(&app.state.db, &claimed[0], "the mail server is away")
        .await
        .unwrap();
    let ids: Vec<i32> = claimed.iter().map(|c| c.event.id).collect();
    DELIVERIES.done_many(&app.state.db, &ids).await.unwrap();
    let text = scrape().await;
    assert_eq!(metric(&text, notifications), 0.0, "{text}");
    assert_eq!(metric(&text, oldest), 0.0, "{text}");
    assert!(metric(&text, delivered) >= delivered_before + 2.0, "{text}");
    assert!(metric(&text, failed) >= failed_before + 1.0, "{text}");
}
crate::on_both_with!(
    metrics_show_the_outbox_backlog,
    vec![("NOTIFIER", "external".into())]
);
