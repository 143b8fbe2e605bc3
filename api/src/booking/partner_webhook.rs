//! `POST /api/v1/partner-webhooks/{connection}`: status changes pushed by a partner,
//! signed per Standard Webhooks (HMAC-SHA256 over `id.timestamp.body` with the
//! connection's secret, compared in constant time, timestamps within five minutes).
//! A webhook id already received from the connection is answered 200 and ignored.
//! A disabled connection still takes them; a removed module's connection answers 404.
//!
//! The raw body is verified before anything is parsed, so this is a plain endpoint and
//! not part of the portal's OpenAPI document; its payload is described in the Partner
//! Booking API (`openapi/partner-booking-api.json`, `WebhookEvent`).

use chrono::Utc;
use poem::web::Data;
use poem::{handler, Body, IntoResponse, Request, Response};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TryInsertResult};
use uuid::Uuid;

use super::error::BookingError;
use super::partner::{apply_remote, place_waitlist_holds};
use crate::core::problem::Problem;
use crate::msg;
use crate::partners::connections;
use crate::web::state::AppState;
use entities::{booking, offer, partner_connection, partner_webhook_event};
use partner_contract::model::WebhookEvent;
use partner_contract::webhook::{WebhookError, HEADER_ID};

fn answer(status: &str) -> Response {
    Response::builder()
        .content_type("application/json")
        .body(serde_json::json!({ "status": status }).to_string())
}

#[handler]
pub async fn receive(
    state: Data<&AppState>,
    req: &Request,
    poem::web::Path(connection): poem::web::Path<String>,
    body: Body,
) -> Response {
    match handle(&state, req, &connection, body).await {
        Ok(r) => r,
        Err(p) => p.to_response(),
    }
}

async fn handle(
    state: &AppState,
    req: &Request,
    connection: &str,
    body: Body,
) -> Result<Response, Problem> {
    let not_found = || Problem::from(BookingError::not_found("partner connection"));
    let id = Uuid::parse_str(connection).map_err(|_| not_found())?;
    // A disabled connection (a paused module's, or one its business switched off) still
    // takes its partner's signed status changes of the bookings made through it: a
    // counter closing cancels them, and the resident must hear of it. Only a removed
    // module's connection (and one deleted) is gone.
    let conn = partner_connection::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    if let Some(module_id) = conn.module_id {
        let removed = entities::module::Entity::find_by_id(module_id)
            .one(&state.db)
            .await?
            .is_none_or(|m| m.status == "removed");
        if removed {
            return Err(not_found());
        }
    }
    let body = body
        .into_bytes_limit(state.config.server.max_body_bytes)
        .await
        .map_err(|_| {
            Problem::new(
                poem::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The webhook body is too large",
            )
        })?;
    let ctx = state.booking_ctx();
    let secret = connections::webhook_secret(&ctx.partners, &conn).ok_or_else(|| {
        tracing::error!(connection = %conn.id, "cannot open the webhook secret");
        Problem::from(BookingError::WebhookUnavailable)
    })?;
    if let Err(e) = partner_contract::webhook::verify_headers(&secret, req.headers(), &body) {
        tracing::warn!(connection = %conn.id, error = %e, "webhook refused");
        let (field, message) = match e {
            WebhookError::MissingHeader(h) => (h, "required"),
            WebhookError::InvalidTimestamp => ("webhook-timestamp", "must be Unix seconds"),
            WebhookError::TimestampTooOld | WebhookError::TimestampInFuture => {
                ("webhook-timestamp", "more than five minutes from now")
            }
            _ => ("webhook-signature", "does not match the body"),
        };
        let mut p = Problem::new(
            poem::http::StatusCode::UNAUTHORIZED,
            "invalid-signature",
            "The webhook's signature is not valid",
        )
        .detail(format!("{field}: {message}"));
        p.errors.push(crate::core::problem::FieldError {
            field: field.into(),
            message: message.into(),
        });
        return Err(p);
    }
    let webhook_id = req
        .headers()
        .get(HEADER_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(255)
        .collect::<String>();
    let event: WebhookEvent = serde_json::from_slice(&body).map_err(|e| {
        BookingError::invalid(
            "body",
            msg!("v-booking-not-an-event", error = e.to_string()),
        )
    })?;

    let txn = crate::core::db::begin_write(&state.db).await?;
    let inserted = partner_webhook_event::Entity::insert(partner_webhook_event::ActiveModel {
        connection_id: Set(conn.id),
        webhook_id: Set(webhook_id),
        received_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            partner_webhook_event::Column::ConnectionId,
            partner_webhook_event::Column::WebhookId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(answer("duplicate"));
    }
    // The booking is the one whose id the portal sent as client token, of an offer
    // booked through this connection.
    let Some(b) = (match Uuid::parse_str(&event.data.client_token) {
        Ok(bid) => {
            booking::Entity::find_by_id(bid)
                .filter(booking::Column::CityId.eq(ctx.city_id))
                .one(&txn)
                .await?
        }
        Err(_) => None,
    }) else {
        txn.commit().await?;
        return Ok(answer("ignored"));
    };
    let o = offer::Entity::find_by_id(b.offer_id)
        .one(&txn)
        .await?
        .filter(|o| o.partner_connection_id == Some(conn.id));
    let Some(o) = o else {
        txn.commit().await?;
        return Ok(answer("ignored"));
    };
    if b.partner_ref
        .as_deref()
        .is_some_and(|r| r != event.data.booking_id)
    {
        txn.commit().await?;
        return Ok(answer("ignored"));
    }
    let pb = partner_contract::model::Booking {
        booking_id: event.data.booking_id.clone(),
        client_token: event.data.client_token.clone(),
        offer_id: event.data.offer_id.clone(),
        status: event.data.status,
        start: event.data.start,
        end: event.data.end,
        seats: event.data.seats,
        hold_expires_at: None,
        status_reason: event.data.status_reason.clone(),
        created_at: event.timestamp,
        updated_at: event.timestamp,
    };
    // A call of the portal's own still under way keeps its mark: it applies its answer.
    apply_remote(&txn, &ctx, &o, &b, &pb, None).await?;
    txn.commit().await?;
    // A seat the partner gave back goes to the session's waitlist (the partner calls
    // that takes are not made while the partner waits for this answer).
    let db = state.db.clone();
    tokio::spawn(async move { place_waitlist_holds(&db, &ctx, b.offer_id, b.starts_at).await });
    Ok(answer("applied").into_response())
}
