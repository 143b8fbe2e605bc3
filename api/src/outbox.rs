//! The transactional outbox: every change writes its event in the same transaction, so
//! consumers (search indexing, notifications, module webhooks) never miss one.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use entities::outbox_event;

/// Appends an event; call it inside the transaction of the change it describes.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    aggregate_type: &str,
    aggregate_id: Uuid,
    event_type: &str,
    payload: serde_json::Value,
) -> Result<(), DbErr> {
    outbox_event::ActiveModel {
        city_id: Set(city_id),
        aggregate_type: Set(aggregate_type.to_string()),
        aggregate_id: Set(aggregate_id),
        event_type: Set(event_type.to_string()),
        payload: Set(payload),
        created_at: Set(Utc::now()),
        processed_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
