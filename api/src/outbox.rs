//! The transactional outbox: every change writes its event in the same transaction, so
//! consumers (search indexing, notifications, module webhooks) never miss one. Each
//! consumer that subscribes to an event gets its own delivery row, written with it.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use entities::{outbox_delivery, outbox_event};

/// The consumers that receive events about an aggregate type.
pub fn consumers_for(aggregate_type: &str) -> &'static [&'static str] {
    match aggregate_type {
        "listing" => &[search_indexer::consumer::CONSUMER],
        _ => &[],
    }
}

/// Appends an event; call it inside the transaction of the change it describes.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    aggregate_type: &str,
    aggregate_id: Uuid,
    event_type: &str,
    payload: serde_json::Value,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let consumers = consumers_for(aggregate_type);
    let event = outbox_event::ActiveModel {
        city_id: Set(city_id),
        aggregate_type: Set(aggregate_type.to_string()),
        aggregate_id: Set(aggregate_id),
        event_type: Set(event_type.to_string()),
        payload: Set(payload),
        created_at: Set(now),
        // An event nobody subscribes to is done at once.
        processed_at: Set(consumers.is_empty().then_some(now)),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for consumer in consumers {
        outbox_delivery::ActiveModel {
            event_id: Set(event.id),
            consumer: Set(consumer.to_string()),
            aggregate_id: Set(aggregate_id),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            done_at: Set(None),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
