//! What the booking capability holds about one resident, for their data export (GDPR
//! Art. 15 and 20): every booking with what it shares and with whom, the consents given
//! by confirming, the waitlist entries, and the stored answers of repeatable requests.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use uuid::Uuid;

use entities::{booking, idempotency_key, listing, offer, offer_slot, waitlist_entry};

/// The resident's booking data.
pub struct Exported {
    /// Every booking, oldest first.
    pub bookings: Vec<Value>,
    /// Each time the resident agreed to share their contact with a business (by
    /// confirming, or by booking without a hold).
    pub consents: Vec<Value>,
    pub waitlist: Vec<Value>,
    /// Answers kept for a retried request (`Idempotency-Key`), with when they go.
    pub stored_requests: Vec<Value>,
    /// The ids the other parts of the export refer to (bookings and waitlist entries).
    pub ids: Vec<Uuid>,
}

pub async fn for_resident<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<Exported, DbErr> {
    let bookings = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user_id))
        .order_by_asc(booking::Column::CreatedAt)
        .order_by_asc(booking::Column::Id)
        .all(conn)
        .await?;
    let entries = waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::UserId.eq(user_id))
        .order_by_asc(waitlist_entry::Column::CreatedAt)
        .all(conn)
        .await?;
    let slots = offer_slot::Entity::find()
        .filter(offer_slot::Column::Id.is_in(entries.iter().map(|e| e.slot_id)))
        .all(conn)
        .await?;
    let offer_ids: Vec<Uuid> = bookings
        .iter()
        .map(|b| b.offer_id)
        .chain(slots.iter().map(|s| s.offer_id))
        .collect();
    let offers = offer::Entity::find()
        .filter(offer::Column::Id.is_in(offer_ids))
        .all(conn)
        .await?;
    let listings = listing::Entity::find()
        .filter(listing::Column::Id.is_in(offers.iter().map(|o| o.listing_id)))
        .all(conn)
        .await?;
    let stored = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .order_by_asc(idempotency_key::Column::CreatedAt)
        .all(conn)
        .await?;

    let what = |offer_id: Uuid| {
        let o = offers.iter().find(|o| o.id == offer_id);
        let l = o.and_then(|o| listings.iter().find(|l| l.id == o.listing_id));
        json!({
            "offer": o.map(|o| json!({ "id": o.id, "name_de": o.name_de, "name_en": o.name_en })),
            "listing": l.map(|l| json!({ "id": l.id, "slug": l.slug, "name_de": l.name_de, "name_en": l.name_en })),
        })
    };
    let shared_with = |b: &booking::Model| b.shared.get("with").cloned().unwrap_or(Value::Null);
    let fields = |b: &booking::Model| b.shared.get("fields").cloned().unwrap_or(json!([]));
    Ok(Exported {
        bookings: bookings
            .iter()
            .map(|b| {
                let mut v = what(b.offer_id);
                v["id"] = json!(b.id);
                v["status"] = json!(b.status);
                v["starts_at"] = json!(b.starts_at);
                v["ends_at"] = json!(b.ends_at);
                v["seats"] = json!(b.seats);
                v["hold_expires_at"] = json!(b.hold_expires_at);
                v["contact"] = json!({
                    "name": b.contact_name,
                    "email": b.contact_email,
                    "phone": b.contact_phone,
                });
                v["shares"] = json!({ "with": shared_with(b), "fields": fields(b) });
                v["shared_with_business_at"] = json!(b.shared_at);
                v["kept_in_partner_system"] = json!(b.partner_ref.is_some());
                v["created_at"] = json!(b.created_at);
                v["updated_at"] = json!(b.updated_at);
                v
            })
            .collect(),
        consents: bookings
            .iter()
            .filter_map(|b| {
                b.shared_at.map(|at| {
                    json!({
                        "booking_id": b.id,
                        "shared_with": shared_with(b),
                        "fields": fields(b),
                        "given_at": at,
                    })
                })
            })
            .collect(),
        waitlist: entries
            .iter()
            .map(|e| {
                let slot = slots.iter().find(|s| s.id == e.slot_id);
                let mut v = slot.map(|s| what(s.offer_id)).unwrap_or_else(|| json!({}));
                v["id"] = json!(e.id);
                v["starts_at"] = json!(slot.map(|s| s.starts_at));
                v["status"] = json!(e.status);
                v["offered_until"] = json!(e.offered_until);
                v["booking_id"] = json!(e.booking_id);
                v["contact"] = e.contact.clone().unwrap_or(Value::Null);
                v["created_at"] = json!(e.created_at);
                v["updated_at"] = json!(e.updated_at);
                v
            })
            .collect(),
        stored_requests: stored
            .iter()
            .map(|k| {
                json!({
                    "key": k.key,
                    "answered": k.response_status,
                    "created_at": k.created_at,
                    "deleted_after": k.expires_at,
                })
            })
            .collect(),
        ids: bookings
            .iter()
            .map(|b| b.id)
            .chain(entries.iter().map(|e| e.id))
            .collect(),
    })
}
