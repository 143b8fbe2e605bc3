//! Waitlists for full appointment times and class sessions.
//!
//! A resident joins a full time, sharing the contact details a booking would. When a
//! seat of that time is given back (a cancellation, an expired hold, a rejection, a
//! reschedule), it does not become free while someone waits: in the same transaction
//! it goes to the first in line as a held booking, which they confirm within the claim
//! window (`WAITLIST_CLAIM_MINUTES`). If they do not, the hold expires and the seat goes
//! to the next in line. An event `waitlist.offered` tells the notifications.

use chrono::{DateTime, FixedOffset, Utc};
use poem_openapi::Object;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::error::BookingError;
use super::ledger;
use super::model::{BookingInput, ContactInput, Ctx, OfferKind, ACTIVE};
use super::offers;
use super::partner;
use super::service;
use crate::core::error::ErrorCode;
use crate::core::identity::AuthUser;
use crate::core::validate::Errors;
use crate::listings::model::LocalizedText;
use crate::msg;
use entities::{booking, listing, offer, offer_slot, waitlist_entry};

/// Joining a waitlist.
#[derive(Object, Clone, Debug)]
pub struct WaitlistInput {
    pub offer_id: Uuid,
    /// The full time, as listed by the offer's availability.
    pub starts_at: DateTime<FixedOffset>,
    /// Shared with the booking held for you when a seat frees (as for a booking).
    #[oai(default)]
    pub contact: ContactInput,
}

/// A place on a waitlist.
#[derive(Object, Clone, Debug)]
pub struct WaitlistEntry {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub offer_name: LocalizedText,
    pub listing_slug: String,
    pub listing_name: LocalizedText,
    /// In the city's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// `waiting`, `offered` (a seat is held for you: confirm the booking before
    /// `offered_until`), `claimed`, `expired` or `left`.
    pub status: String,
    /// While waiting: your place in line (1 = next).
    pub position: Option<u32>,
    pub offered_until: Option<DateTime<FixedOffset>>,
    /// The booking held for you once offered.
    pub booking_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

async fn to_api<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    e: waitlist_entry::Model,
) -> Result<WaitlistEntry, BookingError> {
    let slot = offer_slot::Entity::find_by_id(e.slot_id)
        .one(conn)
        .await?
        .ok_or_else(|| BookingError::not_found("waitlist entry"))?;
    let o = offer::Entity::find_by_id(slot.offer_id)
        .one(conn)
        .await?
        .ok_or_else(|| BookingError::not_found("waitlist entry"))?;
    let l = listing::Entity::find_by_id(o.listing_id)
        .one(conn)
        .await?
        .ok_or_else(|| BookingError::not_found("waitlist entry"))?;
    let position = if e.status == "waiting" {
        let ahead = waitlist_entry::Entity::find()
            .filter(waitlist_entry::Column::SlotId.eq(e.slot_id))
            .filter(waitlist_entry::Column::Status.eq("waiting"))
            .filter(
                sea_orm::Condition::any()
                    .add(waitlist_entry::Column::CreatedAt.lt(e.created_at))
                    .add(
                        sea_orm::Condition::all()
                            .add(waitlist_entry::Column::CreatedAt.eq(e.created_at))
                            .add(waitlist_entry::Column::Id.lt(e.id)),
                    ),
            )
            .count(conn)
            .await?;
        Some(ahead as u32 + 1)
    } else {
        None
    };
    let local = |t: DateTime<Utc>| t.with_timezone(&ctx.tz).fixed_offset();
    Ok(WaitlistEntry {
        id: e.id,
        offer_id: o.id,
        offer_name: LocalizedText {
            de: o.name_de,
            en: o.name_en,
        },
        listing_slug: l.slug,
        listing_name: LocalizedText {
            de: l.name_de,
            en: l.name_en,
        },
        starts_at: local(slot.starts_at),
        status: e.status,
        position,
        offered_until: e.offered_until.map(local),
        booking_id: e.booking_id,
        created_at: e.created_at,
    })
}

/// Joins the waitlist of a full time (again at the end of the line after leaving).
pub async fn join(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    input: &WaitlistInput,
) -> Result<WaitlistEntry, BookingError> {
    if !user.email_verified {
        return Err(BookingError::EmailUnverified);
    }
    let (o, _) = offers::find_with_listing(db, ctx.city_id, input.offer_id)
        .await?
        .filter(|(o, l)| offers::is_public(o, l))
        .ok_or_else(|| BookingError::invalid("offer_id", msg!("v-booking-no-offer")))?;
    let (slot_id, contact_json) = if o.partner_connection_id.is_some() {
        partner_session(db, ctx, user, &o, input).await?
    } else {
        native_slot(db, ctx, user, &o, input).await?
    };
    let now = Utc::now();
    let existing = waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::SlotId.eq(slot_id))
        .filter(waitlist_entry::Column::UserId.eq(user.id))
        .one(db)
        .await?;
    let entry = match existing {
        Some(e) if e.status == "waiting" || e.status == "offered" => e,
        Some(e) => {
            // Back in line, at its end.
            let mut am: waitlist_entry::ActiveModel = e.into();
            am.status = Set("waiting".into());
            am.offered_until = Set(None);
            am.booking_id = Set(None);
            am.contact = Set(Some(contact_json));
            am.created_at = Set(now);
            am.updated_at = Set(now);
            am.update(db).await?
        }
        None => {
            waitlist_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                slot_id: Set(slot_id),
                user_id: Set(user.id),
                status: Set("waiting".into()),
                offered_until: Set(None),
                booking_id: Set(None),
                contact: Set(Some(contact_json)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    };
    to_api(db, ctx, entry).await
}

fn shared_contact(c: &super::model::BookingContact) -> serde_json::Value {
    serde_json::json!({ "name": c.name, "email": c.email, "phone": c.phone })
}

/// The full native time to wait for, and the contact details to share.
async fn native_slot(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    o: &offer::Model,
    input: &WaitlistInput,
) -> Result<(Uuid, serde_json::Value), BookingError> {
    let as_booking = BookingInput {
        offer_id: o.id,
        starts_at: Some(input.starts_at),
        start_date: None,
        hold: false,
        contact: input.contact.clone(),
    };
    let mut errors = Errors::default();
    let target = ledger::resolve_target(db, ctx, o, &as_booking, &mut errors).await?;
    let contact = ledger::contact(user, o, &input.contact, &mut errors).await?;
    let target = errors
        .into_result(target)?
        .ok_or_else(|| BookingError::internal("a valid booking without a target"))?;
    if !target.uses_slot {
        return Err(BookingError::invalid(
            "offer_id",
            msg!("v-booking-no-waitlist"),
        ));
    }
    ledger::expire_holds(db, ctx, Some((o.id, target.starts_at))).await?;
    let slot = offer_slot::Entity::find()
        .filter(offer_slot::Column::OfferId.eq(o.id))
        .filter(offer_slot::Column::StartsAt.eq(target.starts_at))
        .one(db)
        .await?;
    let Some(slot) = slot.filter(|s| s.booked >= s.capacity) else {
        return Err(BookingError::NotFull);
    };
    let mine = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::SlotId.eq(slot.id))
        .filter(booking::Column::Status.is_in(ACTIVE))
        .count(db)
        .await?;
    if mine > 0 {
        return Err(BookingError::AlreadyBooked);
    }
    Ok((slot.id, shared_contact(&contact)))
}

/// A full session of an offer a partner keeps, and the contact details to share.
///
/// The partner's availability tells whether it is full. Its waitlist hangs on a row of
/// the portal's own (`offer_slots`, made here on the first joining), which is never
/// bookable (`cancelled`, no capacity: the partner keeps the seats) and only anchors
/// the line; see [`ledger::offer_partner_seat`] for how a seat given back reaches it.
/// Nothing goes to the partner when joining.
async fn partner_session(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    o: &offer::Model,
    input: &WaitlistInput,
) -> Result<(Uuid, serde_json::Value), BookingError> {
    if OfferKind::parse(&o.kind) == Some(OfferKind::Membership) {
        return Err(BookingError::invalid(
            "offer_id",
            msg!("v-booking-no-waitlist"),
        ));
    }
    let mut errors = Errors::default();
    let t = input.starts_at.with_timezone(&Utc);
    partner::check_window(o, t, "starts_at", &mut errors);
    let contact = ledger::contact(user, o, &input.contact, &mut errors).await?;
    errors.into_result(())?;
    let day = input.starts_at.with_timezone(&ctx.tz).date_naive();
    let Some(session) = partner::times(db, ctx, o, day, day)
        .await?
        .into_iter()
        .find(|s| s.start == t)
    else {
        return Err(BookingError::invalid(
            "starts_at",
            msg!("v-booking-not-a-session"),
        ));
    };
    if session.remaining.unwrap_or(0) > 0 {
        return Err(BookingError::NotFull);
    }
    let mine = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::OfferId.eq(o.id))
        .filter(booking::Column::StartsAt.eq(t))
        .filter(booking::Column::Status.is_in(ACTIVE))
        .count(db)
        .await?;
    if mine > 0 {
        return Err(BookingError::AlreadyBooked);
    }
    offer_slot::Entity::insert(offer_slot::ActiveModel {
        id: Set(Uuid::new_v4()),
        offer_id: Set(o.id),
        starts_at: Set(t),
        ends_at: Set(session.end.unwrap_or(t)),
        capacity: Set(0),
        booked: Set(0),
        status: Set("cancelled".into()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([offer_slot::Column::OfferId, offer_slot::Column::StartsAt])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(db)
    .await?;
    let slot = offer_slot::Entity::find()
        .filter(offer_slot::Column::OfferId.eq(o.id))
        .filter(offer_slot::Column::StartsAt.eq(t))
        .one(db)
        .await?
        .ok_or_else(|| BookingError::internal("a row written before is gone"))?;
    Ok((slot.id, shared_contact(&contact)))
}

/// The user's waitlist entries, newest first.
pub async fn list_mine(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
) -> Result<Vec<WaitlistEntry>, BookingError> {
    let rows = waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::UserId.eq(user.id))
        .order_by_desc(waitlist_entry::Column::CreatedAt)
        .limit(200)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        out.push(to_api(db, ctx, e).await?);
    }
    Ok(out)
}

/// Leaves a waitlist; a seat already held for the user goes to the next in line.
pub async fn leave(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<(), BookingError> {
    let e = waitlist_entry::Entity::find_by_id(id)
        .filter(waitlist_entry::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("waitlist entry"))?;
    if e.status == "offered" {
        if let Some(b) = e.booking_id {
            // Cancelling the held booking passes its seat on and ends the offer.
            match service::cancel(db, ctx, user, b).await {
                Ok(_) => {}
                Err(p) if p.status() == 409 => {}
                Err(p) => return Err(p),
            }
        }
    }
    waitlist_entry::Entity::update_many()
        .col_expr(waitlist_entry::Column::Status, Expr::value("left"))
        .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(waitlist_entry::Column::Id.eq(e.id))
        .filter(waitlist_entry::Column::Status.is_in(["waiting", "offered"]))
        .exec(db)
        .await?;
    Ok(())
}
