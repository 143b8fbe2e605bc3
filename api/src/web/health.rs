//! `/healthz` (alive), `/readyz` (dependencies: ok, degraded or not configured; the
//! detailed one on the admin address) and
//! `/metrics` (Prometheus text, see `core::metrics`).

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
    let method = req.method().clone();
    let path_label = page_route(req.uri().path());
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
        crate::core::metrics::observe_request(route, &method, status.as_u16(), start.elapsed());
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

/// The public `/readyz`: the status of the portal and of each dependency (`ok`,
/// `degraded`, `not_configured`; 503 while the database cannot be reached), never
/// what failed: error messages may name hosts and addresses. The detailed answer is
/// on the admin address (`ADMIN_BIND_ADDR`).
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let (code, mut body) = readiness(&state).await;
    if let Some(checks) = body["checks"].as_object_mut() {
        for check in checks.values_mut() {
            if let Some(c) = check.as_object_mut() {
                c.remove("detail");
            }
        }
    }
    Json(body).with_status(code).into_response()
}

/// `/readyz` on the admin address: with each check's detail (what failed, and what the
/// portal does meanwhile).
#[handler]
pub async fn readyz_detailed(state: Data<&AppState>) -> Response {
    let (code, body) = readiness(&state).await;
    Json(body).with_status(code).into_response()
}

/// The readiness checks: the status code, and the answer with each check's detail.
async fn readiness(state: &AppState) -> (StatusCode, serde_json::Value) {
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
    (code, body)
}

#[handler]
pub async fn metrics(state: Data<&AppState>) -> Response {
    use crate::core::metrics::Snapshot;
    let snapshot = Snapshot::default();
    snapshot.process();
    if let Some(pool) = pool_of(&state.db) {
        snapshot.pool(&pool);
    }
    // The other metrics still answer, at once, while the database does not.
    match tokio::time::timeout(Duration::from_secs(1), outbox_backlog(&state.db)).await {
        Ok(Ok(backlog)) => {
            snapshot.backlog(&backlog);
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: reading the outbox backlog failed"),
        Err(_) => tracing::warn!("metrics: reading the outbox backlog took over 1 s; left out"),
    }
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(snapshot.render())
}

/// The database pool's connections now.
fn pool_of(db: &sea_orm::DatabaseConnection) -> Option<crate::core::metrics::Pool> {
    use crate::core::metrics::Pool;
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            Some(Pool {
                size: p.size(),
                idle: p.num_idle() as u32,
                max: p.options().get_max_connections(),
            })
        }
        sea_orm::DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            Some(Pool {
                size: p.size(),
                idle: p.num_idle() as u32,
                max: p.options().get_max_connections(),
            })
        }
        _ => None,
    }
}

/// Per consumer: deliveries not handled yet, and the age in seconds of the oldest
/// event among them (0 without any). Read through the pending deliveries' partial
/// indexes, so it costs the backlog, not the history.
async fn outbox_backlog(
    db: &sea_orm::DatabaseConnection,
) -> Result<Vec<crate::core::metrics::Backlog>, sea_orm::DbErr> {
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
        out.push(crate::core::metrics::Backlog {
            consumer,
            pending: count,
            oldest_seconds: oldest,
        });
    }
    Ok(out)
}
