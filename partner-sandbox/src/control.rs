//! The control API under `/sandbox`: the sandbox's own switches, not part of the
//! contract. Guarded by `Authorization: Bearer <control token>`; without a configured
//! control token every call answers 404.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{get, handler, post, IntoResponse, Request, Response, Route};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::Mode;
use crate::errors::SandboxProblem;
use crate::model::Booking;
use crate::problem::Problem;
use crate::server::Shared;

pub(crate) fn routes() -> Route {
    Route::new()
        .at("/mode", get(get_mode).post(set_mode))
        .at("/webhooks", get(list_webhooks))
        .at("/webhooks/replay", post(replay_webhook))
        .at("/bookings", get(list_bookings))
        .at("/bookings/:id/approve", post(approve))
        .at("/bookings/:id/reject", post(reject))
        .at("/bookings/:id/cancel", post(cancel))
        .at("/bookings/:id/expire", post(expire))
        .at("/tokens/revoke", post(revoke_tokens))
        .at("/stats", get(stats))
}

/// Checks the control token; `Some` is the refusal to send.
fn denied(req: &Request, shared: &Shared) -> Option<Response> {
    let Some(expected) = shared.config.control_token.as_deref() else {
        return Some(
            Problem::not_found("control API (set SANDBOX_CONTROL_TOKEN to enable it)")
                .to_response(),
        );
    };
    let given = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // Both are short and of our choosing; compare without an early exit anyway.
    let ok = given.is_some_and(|g| {
        g.len() == expected.len()
            && g.bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        None
    } else {
        Some(Problem::unauthorized("Send `Authorization: Bearer <control token>`.").to_response())
    }
}

fn mode_json(mode: Mode) -> Value {
    match mode {
        Mode::Slow(d) => json!({"mode": "slow", "delay_ms": d.as_millis() as u64}),
        m => json!({"mode": m.name()}),
    }
}

#[handler]
fn get_mode(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    Json(mode_json(shared.mode())).into_response()
}

#[derive(Deserialize)]
struct ModeRequest {
    mode: String,
    #[serde(default)]
    delay_ms: Option<u64>,
}

#[handler]
fn set_mode(
    req: &Request,
    shared: Data<&Arc<Shared>>,
    body: poem::Result<Json<ModeRequest>>,
) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    let body = match body {
        Ok(b) => b.0,
        Err(e) => return Problem::bad_request(e.to_string()).to_response(),
    };
    match Mode::parse(&body.mode, body.delay_ms.map(Duration::from_millis)) {
        Some(mode) => {
            shared.set_mode(mode);
            Json(mode_json(mode)).into_response()
        }
        None => Problem::invalid("mode", "must be one of normal, slow, down, wrong").to_response(),
    }
}

#[handler]
fn list_webhooks(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    let list: Vec<Value> = shared
        .webhooks()
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "type": r.event_type,
                "body": serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null),
                "attempts": r.attempts,
                "delivered": r.delivered,
                "last_status": r.last_status,
                "last_error": r.last_error,
                "replay": r.replay,
                "bad_signature": r.bad_signature,
            })
        })
        .collect();
    Json(json!({ "webhooks": list })).into_response()
}

#[derive(Deserialize, Default)]
struct ReplayRequest {
    #[serde(default)]
    bad_signature: bool,
}

#[handler]
async fn replay_webhook(req: &Request, shared: Data<&Arc<Shared>>, body: poem::Body) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    let bytes = body.into_bytes().await.unwrap_or_default();
    let opts: ReplayRequest = if bytes.is_empty() {
        ReplayRequest::default()
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(o) => o,
            Err(e) => return Problem::bad_request(e.to_string()).to_response(),
        }
    };
    match shared.replay_last_webhook(opts.bad_signature) {
        Some(id) => (
            StatusCode::ACCEPTED,
            Json(json!({"webhook_id": id, "bad_signature": opts.bad_signature})),
        )
            .into_response(),
        None => Problem::not_found("webhook (none was sent yet)").to_response(),
    }
}

#[handler]
fn list_bookings(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    // The business's view: each booking with the resident data it received (`null`
    // until the booking is confirmed).
    let list: Vec<Value> = shared
        .bookings_with_residents()
        .into_iter()
        .map(|(b, resident)| {
            let mut v = serde_json::to_value(b).unwrap_or(Value::Null);
            v["resident"] = serde_json::to_value(resident).unwrap_or(Value::Null);
            v
        })
        .collect();
    Json(json!({ "bookings": list })).into_response()
}

#[derive(Deserialize, Default)]
struct ReasonRequest {
    #[serde(default)]
    reason: Option<String>,
}

async fn reason(body: poem::Body) -> Option<String> {
    let bytes = body.into_bytes().await.unwrap_or_default();
    serde_json::from_slice::<ReasonRequest>(&bytes)
        .unwrap_or_default()
        .reason
}

fn decided(result: Result<Booking, String>) -> Response {
    match result {
        Ok(b) => Json(b).into_response(),
        Err(e) if e.starts_with("no booking") => Problem::not_found("booking").to_response(),
        Err(e) => Problem::conflict(
            "invalid-transition",
            "The booking's status does not allow this",
            e,
        )
        .to_response(),
    }
}

#[handler]
fn approve(req: &Request, shared: Data<&Arc<Shared>>, id: Path<String>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    decided(shared.decide(&id.0, crate::model::BookingStatus::Confirmed, None))
}

#[handler]
async fn reject(
    req: &Request,
    shared: Data<&Arc<Shared>>,
    id: Path<String>,
    body: poem::Body,
) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    let why = reason(body).await;
    decided(shared.decide(&id.0, crate::model::BookingStatus::Rejected, why))
}

#[handler]
async fn cancel(
    req: &Request,
    shared: Data<&Arc<Shared>>,
    id: Path<String>,
    body: poem::Body,
) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    let why = reason(body).await;
    decided(shared.decide(&id.0, crate::model::BookingStatus::Cancelled, why))
}

#[handler]
fn expire(req: &Request, shared: Data<&Arc<Shared>>, id: Path<String>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    decided(shared.decide(&id.0, crate::model::BookingStatus::Expired, None))
}

#[handler]
fn revoke_tokens(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    shared.revoke_tokens();
    StatusCode::NO_CONTENT.into_response()
}

#[handler]
fn stats(req: &Request, shared: Data<&Arc<Shared>>) -> Response {
    if let Some(r) = denied(req, &shared) {
        return r;
    }
    Json(json!({
        "mode": mode_json(shared.mode()),
        "tokens_issued": shared.tokens_issued(),
        "bookings": shared.bookings().len(),
        "webhooks": shared.webhooks().len(),
    }))
    .into_response()
}
