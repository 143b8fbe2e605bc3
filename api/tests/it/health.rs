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
        text.contains(
            "http_requests_total{route=\"list_categories\",method=\"GET\",status=\"200\"} 3"
        ),
        "{text}"
    );
    assert!(
        text.contains("route=\"get_listing\",method=\"GET\",status=\"404\""),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket{route=\"list_categories\""));

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
}
