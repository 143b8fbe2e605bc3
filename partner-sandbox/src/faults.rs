//! Fault modes: `slow`, `down` and `wrong`, applied around the token endpoint and the
//! Partner Booking API (never around the control API).

use std::sync::Arc;

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::{json, Value};

use crate::config::Mode;
use crate::errors::SandboxProblem;
use crate::problem::Problem;
use crate::server::Shared;

/// Turns errors raised before the token handler ran (a body that is not a form, a missing
/// `grant_type`) into RFC 6749 `invalid_request` answers instead of problems.
pub(crate) async fn token_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let is_token = req.uri().path() == "/oauth/token";
    match next.call(req).await {
        Err(e) if is_token && !e.is_from_response() && e.status().is_client_error() => {
            Ok(crate::oauth::invalid_request_response(e.to_string()))
        }
        other => other.map(IntoResponse::into_response),
    }
}

/// Applies the current [`Mode`].
pub(crate) async fn apply<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let shared = req
        .data::<Arc<Shared>>()
        .cloned()
        .expect("sandbox state is attached");
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let partner = path.starts_with("/partner/");
    shared.record_request(method.as_str(), &path);
    match shared.mode() {
        Mode::Normal => next.call(req).await.map(IntoResponse::into_response),
        Mode::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.call(req).await.map(IntoResponse::into_response)
        }
        Mode::Down => Ok(Problem::unavailable(
            "The booking system is down for maintenance (sandbox mode `down`).",
        )
        .to_response()),
        Mode::Wrong if partner => {
            let resp = next.call(req).await.map(IntoResponse::into_response)?;
            Ok(corrupt(&method, &path, resp).await)
        }
        Mode::Wrong => next.call(req).await.map(IntoResponse::into_response),
    }
}

/// What a careless implementation might answer instead, one mistake per operation so
/// that a checker can name each.
async fn corrupt(method: &Method, path: &str, resp: Response) -> Response {
    let status = resp.status();
    let replayed = resp.headers().contains_key("Idempotent-Replayed");
    let body = match resp.into_body().into_bytes().await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if status.is_client_error() {
        // Errors: a 409 becomes "200 with an error"; others lose problem+json.
        if status == StatusCode::CONFLICT {
            return json_response(StatusCode::OK, &json!({"error": "slot full"}));
        }
        let title = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["title"].as_str().map(str::to_string))
            .unwrap_or_else(|| "error".into());
        return Response::builder()
            .status(status)
            .content_type("text/plain")
            .body(format!("Error: {title}"));
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&body) else {
        return Response::builder().status(status).body(body);
    };
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut out_status = status;
    match (method.as_str(), segments.as_slice()) {
        ("GET", [_, "partner", "v1", "health"]) => {
            v = json!({"status": 1});
        }
        ("GET", [_, "partner", "v1", "offers"]) => {
            for o in v["offers"].as_array_mut().into_iter().flatten() {
                if let Some(m) = o.as_object_mut() {
                    m.remove("kind");
                }
            }
        }
        ("POST", [_, "partner", "v1", "availability"]) => {
            for o in v["offers"].as_array_mut().into_iter().flatten() {
                for s in o["slots"].as_array_mut().into_iter().flatten() {
                    s["remaining"] = json!(s["remaining"].to_string());
                    if let Some(m) = s.as_object_mut() {
                        m.remove("capacity");
                    }
                }
            }
        }
        ("POST", [_, "partner", "v1", "holds"]) => {
            out_status = StatusCode::OK;
            v["status"] = json!("HELD");
            if replayed {
                let id = v["booking_id"].as_str().unwrap_or_default().to_string();
                v["booking_id"] = json!(format!("{id}-2"));
            }
        }
        ("GET", [_, "partner", "v1", "bookings", _]) => {
            if let Some(m) = v.as_object_mut() {
                m.remove("status");
            }
        }
        ("POST", [_, "partner", "v1", "bookings", _, "confirm"]) => {
            v = json!({"ok": true});
        }
        ("POST", [_, "partner", "v1", "bookings", _, "cancel"]) => {
            v["status"] = json!("canceled");
            v["seats"] = json!(v["seats"].to_string());
        }
        ("POST", [_, "partner", "v1", "bookings", _, "reschedule"]) => {
            if let Some(m) = v.as_object_mut() {
                m.remove("end");
            }
        }
        _ => {}
    }
    json_response(out_status, &v)
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(serde_json::to_vec(v).unwrap_or_default())
}
