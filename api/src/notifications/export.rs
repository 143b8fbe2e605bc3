//! The messages the portal sent a resident about their bookings and waitlist places,
//! for their data export.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use uuid::Uuid;

use super::message::Kind;
use crate::core::outbox::NOTIFICATIONS;
use entities::{notification_sent, outbox_delivery, outbox_event};

/// Each message handled for the bookings and waitlist entries `about` (ids), oldest
/// first: what it said (its kind), about which, and when. Emailed when a mail server is
/// configured, else written to the server's log without the address.
pub async fn for_resident<C: ConnectionTrait>(
    conn: &C,
    about: &[Uuid],
) -> Result<Vec<Value>, DbErr> {
    let done = outbox_delivery::Entity::find()
        .filter(outbox_delivery::Column::Consumer.eq(NOTIFICATIONS))
        .filter(outbox_delivery::Column::AggregateId.is_in(about.iter().copied()))
        .filter(outbox_delivery::Column::DoneAt.is_not_null())
        .all(conn)
        .await?;
    let events = outbox_event::Entity::find()
        .filter(outbox_event::Column::Id.is_in(done.iter().map(|d| d.event_id)))
        .order_by_asc(outbox_event::Column::Id)
        .all(conn)
        .await?;
    let mut out: Vec<(chrono::DateTime<chrono::Utc>, Value)> = Vec::new();
    for e in &events {
        let kind = match e.event_type.as_str() {
            "waitlist.offered" => Some(Kind::WaitlistOffer),
            t => Kind::for_booking_event(t),
        };
        let Some(kind) = kind else { continue };
        let at = done
            .iter()
            .find(|d| d.event_id == e.id)
            .and_then(|d| d.done_at)
            .unwrap_or(e.created_at);
        out.push((
            at,
            json!({ "kind": kind.as_str(), "about": e.aggregate_id, "at": at }),
        ));
    }
    let reminders = notification_sent::Entity::find()
        .filter(notification_sent::Column::BookingId.is_in(about.iter().copied()))
        .filter(notification_sent::Column::SentAt.is_not_null())
        .all(conn)
        .await?;
    for r in reminders {
        let at = r.sent_at.unwrap_or(r.claimed_at);
        out.push((
            at,
            json!({ "kind": r.kind, "about": r.booking_id, "at": at }),
        ));
    }
    out.sort_by_key(|(at, _)| *at);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}
