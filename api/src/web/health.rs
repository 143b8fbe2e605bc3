//! `/healthz` (alive), `/readyz` (dependencies: ok, degraded or not configured) and
//! `/metrics` (Prometheus text: requests and latency by route and status, and the
//! outbox's backlog by consumer).

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{handler, Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;
use sea_orm::ConnectionTrait;

use crate::web::state::AppState;

/// A bounded route label for paths that are not API operations.
fn page_route(path: &str) -> &'static str {
    match path {
        "/" => "home",
        "/healthz" => "healthz",
        "/readyz" => "readyz",
        "/metrics" => "metrics",
        "/api/v1/openapi.json" => "openapi",
        p if p.starts_with("/listings/") => "listing_page",
        p if p.starts_with("/docs") => "docs",
        p if p.starts_with("/static/") => "static",
        p if p.starts_with("/api/") => "api_other",
        _ => "other",
    }
}

/// Middleware recording every request: its metrics, and (target `access`, at debug
/// level: `LOG=info,access=debug`) one line with its method, route, status and time,
/// never its path or query (they may hold a name, a search or a token). Every log line
/// of the request is in its `request` span, with its id (see `edge::request_id`).
pub async fn track<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    use tracing::Instrument;
    let start = Instant::now();
    let method = req.method().to_string();
    let path_label = page_route(req.uri().path());
    let sink = req.data::<AppState>().map(|s| s.metrics.clone());
    let id = crate::web::edge::request_id_of(&req);
    let span = tracing::info_span!("request", id = %id);
    req.set_data(crate::web::edge::RequestId(id));
    async move {
        let res = next.call(req).await.map(IntoResponse::into_response);
        let (status, op) = match &res {
            Ok(r) => (r.status(), r.data::<OperationId>().map(|o| o.0)),
            Err(e) => (e.status(), e.data::<OperationId>().map(|o| o.0)),
        };
        let route = op.unwrap_or(path_label);
        tracing::debug!(
            target: "access",
            method = %method,
            route,
            status = status.as_u16(),
            ms = start.elapsed().as_millis() as u64,
            "answered"
        );
        if let Some(m) = sink {
            m.observe(route, &method, status.as_u16(), start.elapsed());
        }
        res
    }
    .instrument(span)
    .await
}

#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

fn check(result: Result<(), String>) -> serde_json::Value {
    match result {
        Ok(()) => serde_json::json!({ "status": "ok" }),
        Err(e) => serde_json::json!({ "status": "degraded", "detail": e }),
    }
}

#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let db = state
        .db
        .execute_unprepared("SELECT 1")
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    let db_ok = db.is_ok();
    let redis = if state.config.store.redis_url.is_some() {
        check(state.store.ping().await.map_err(|e| e.to_string()))
    } else {
        serde_json::json!({ "status": "not_configured", "detail": "sessions and rate limits in process memory" })
    };
    let meili = match &state.search.meili {
        Some(target) => {
            let health = search_indexer::health_of(&target.client, Duration::from_secs(1)).await;
            match (health, state.search.breaker()) {
                (Err(e), _) => serde_json::json!({
                    "status": "degraded",
                    "detail": format!("{e}; search answers from the database"),
                }),
                (Ok(()), Some(e)) => serde_json::json!({
                    "status": "degraded",
                    "detail": format!("recent failure ({e}); search answers from the database for a few seconds"),
                }),
                (Ok(()), None) => serde_json::json!({ "status": "ok" }),
            }
        }
        None => {
            serde_json::json!({ "status": "not_configured", "detail": "search answers from the database" })
        }
    };
    let degraded = [&redis, &meili].iter().any(|c| c["status"] == "degraded");
    let status = if !db_ok {
        "unavailable"
    } else if degraded {
        "degraded"
    } else {
        "ok"
    };
    let body = serde_json::json!({
        "status": status,
        "checks": { "database": check(db), "redis": redis, "meilisearch": meili },
    });
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(body).with_status(code).into_response()
}

#[handler]
pub async fn metrics(state: Data<&AppState>) -> Response {
    let mut text = state.metrics.render();
    // The request metrics still answer, at once, while the database does not.
    match tokio::time::timeout(Duration::from_secs(1), outbox_backlog(&state.db)).await {
        Ok(Ok(backlog)) => text.push_str(&render_backlog(&backlog)),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: reading the outbox backlog failed"),
        Err(_) => tracing::warn!("metrics: reading the outbox backlog took over 1 s; left out"),
    }
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(text)
}

/// Per consumer: deliveries not handled yet, and the age in seconds of the oldest
/// event among them (0 without any). Read through the pending deliveries' partial
/// indexes, so it costs the backlog, not the history.
async fn outbox_backlog(
    db: &sea_orm::DatabaseConnection,
) -> Result<Vec<(&'static str, u64, f64)>, sea_orm::DbErr> {
    use entities::{outbox_delivery, outbox_event};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
    let mut out = Vec::with_capacity(crate::core::outbox::CONSUMERS.len());
    for consumer in crate::core::outbox::CONSUMERS {
        let pending = || {
            outbox_delivery::Entity::find()
                .filter(outbox_delivery::Column::Consumer.eq(consumer))
                .filter(outbox_delivery::Column::DoneAt.is_null())
        };
        let count = pending().count(db).await?;
        let oldest = match pending()
            .order_by_asc(outbox_delivery::Column::EventId)
            .one(db)
            .await?
        {
            Some(d) => outbox_event::Entity::find_by_id(d.event_id)
                .one(db)
                .await?
                .map(|e| {
                    (chrono::Utc::now() - e.created_at)
                        .num_milliseconds()
                        .max(0) as f64
                        / 1000.0
                })
                .unwrap_or(0.0),
            None => 0.0,
        };
        out.push((consumer, count, oldest));
    }
    Ok(out)
}

fn render_backlog(backlog: &[(&str, u64, f64)]) -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP outbox_pending_deliveries Outbox deliveries a consumer has not handled yet.\n",
    );
    out.push_str("# TYPE outbox_pending_deliveries gauge\n");
    for (consumer, count, _) in backlog {
        out.push_str(&format!(
            "outbox_pending_deliveries{{consumer=\"{consumer}\"}} {count}\n"
        ));
    }
    out.push_str("# HELP outbox_oldest_pending_seconds Age of the oldest event a consumer has not handled yet (0 when none).\n");
    out.push_str("# TYPE outbox_oldest_pending_seconds gauge\n");
    for (consumer, _, age) in backlog {
        out.push_str(&format!(
            "outbox_oldest_pending_seconds{{consumer=\"{consumer}\"}} {age}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::metrics::Metrics;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe("get_listing", "GET", 200, Duration::from_millis(3));
        m.observe("get_listing", "GET", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains(
            "http_requests_total{route=\"get_listing\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }
}
