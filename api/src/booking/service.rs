//! Bookings: creating them (with a seat taken by the database), confirming, cancelling,
//! expiring holds, and what the resident sees.
//!
//! A seat is taken by one conditional statement,
//! `UPDATE offer_slots SET booked = booked + 1 WHERE ... AND booked < capacity`, in the
//! transaction that inserts the booking; when it changes no row the slot is full (409).
//! The CHECK constraint `booked <= capacity` backs it up. A seat is given back by the
//! statement that moves the booking out of an active status, guarded by that status, so
//! it is given back exactly once. On SQLite the transaction's first statement is a write,
//! so it holds the write lock from its start, as `BEGIN IMMEDIATE` would.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::availability::{appointment_slots, local_to_utc};
use super::error::BookingError;
use super::idempotency::{self, Claim};
use super::ledger::{self, *};
use super::model::OfferKind;
use super::model::*;
use super::offers;
use crate::core::identity::AuthUser;
use crate::core::validate::Errors;
use crate::msg;
use entities::{booking, listing, offer, offer_slot};

/// Creates a booking. With a claim, the response is stored with it, in its transaction.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    input: &BookingInput,
    claim: Option<&Claim>,
) -> Result<(BookingView, String), BookingError> {
    if !user.email_verified {
        return Err(BookingError::EmailUnverified);
    }
    // The offer and the time are read in the booking's own transaction: one pooled
    // connection for the whole booking (sqlx tests every connection given back to the
    // pool with a round trip).
    let txn = crate::core::db::begin_write(db).await?;
    let (o, l, with) = offers::find_for_booking(&txn, ctx.city_id, input.offer_id)
        .await?
        .filter(|(o, l, _)| offers::is_public(o, l))
        .ok_or_else(|| BookingError::invalid("offer_id", msg!("v-booking-no-offer")))?;
    if o.partner_connection_id.is_some() {
        txn.rollback().await?;
        return crate::booking::partner::create(db, ctx, user, input, (o, l, &with), claim).await;
    }
    let mut errors = Errors::default();
    let target = resolve_target(&txn, ctx, &o, input, &mut errors).await?;
    let contact = contact(user, &o, &input.contact, &mut errors).await?;
    let target = errors
        .into_result(target)?
        .ok_or_else(|| BookingError::internal("a valid booking without a target"))?;
    let booking = Native {
        ctx,
        user,
        input,
        target: &target,
        contact: &contact,
        with: &with,
        claim,
    };
    let first = booking.insert(txn, (o.clone(), l.clone())).await;
    match first {
        // Holds that ran out but were not swept yet still count in the slot: expire them
        // and try once more (on the happy path this costs nothing).
        Err(p @ BookingError::Full) if target.uses_slot => {
            if expire_holds(db, ctx, Some((o.id, target.starts_at))).await? == 0 {
                return Err(p);
            }
            booking
                .insert(crate::core::db::begin_write(db).await?, (o, l))
                .await
        }
        r => r,
    }
}

/// A native booking as validated, before its transaction.
struct Native<'a> {
    ctx: &'a Ctx,
    user: &'a AuthUser,
    input: &'a BookingInput,
    target: &'a Target,
    contact: &'a BookingContact,
    with: &'a str,
    claim: Option<&'a Claim>,
}

impl Native<'_> {
    /// The rest of the booking's transaction: the seat, the resident's limits, the
    /// booking, its event and (with a claim) its stored response.
    async fn insert(
        &self,
        txn: sea_orm::DatabaseTransaction,
        (o, l): (offer::Model, listing::Model),
    ) -> Result<(BookingView, String), BookingError> {
        let Native {
            ctx,
            user,
            input,
            target,
            contact,
            with,
            claim,
        } = *self;
        let now = Utc::now();
        // One resident's bookings are counted one request at a time.
        lock_user(&txn, user.id).await?;
        let slot_id = if target.uses_slot {
            take_seat(&txn, o.id, target).await?
        } else {
            None
        };
        check_resident_limits(&txn, user.id, &o, target.starts_at).await?;
        let status = if input.hold {
            "held"
        } else if o.confirmation == "approval" {
            "requested"
        } else {
            "confirmed"
        };
        let mut fields = vec!["name"];
        if contact.email.is_some() {
            fields.push("email");
        }
        if contact.phone.is_some() {
            fields.push("phone");
        }
        let b = booking::ActiveModel {
            id: Set(Uuid::new_v4()),
            city_id: Set(ctx.city_id),
            offer_id: Set(o.id),
            slot_id: Set(slot_id),
            user_id: Set(user.id),
            status: Set(status.into()),
            starts_at: Set(target.starts_at),
            ends_at: Set(target.ends_at),
            seats: Set(1),
            hold_extended_at: Set(None),
            hold_expires_at: Set(input
                .hold
                .then(|| now + Duration::from_std(ctx.hold).unwrap_or(Duration::minutes(5)))),
            contact_name: Set(contact.name.clone()),
            contact_email: Set(contact.email.clone()),
            contact_phone: Set(contact.phone.clone()),
            shared: Set(serde_json::json!({ "with": with, "fields": fields })),
            // Without a hold the resident confirms by booking.
            shared_at: Set((!input.hold).then_some(now)),
            partner_ref: Set(None),
            partner_pending: Set(None),
            partner_pending_since: Set(None),
            partner_checked_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        crate::core::outbox::record(
            &txn,
            ctx.city_id,
            "booking",
            b.id,
            &format!("booking.{status}"),
            serde_json::json!({ "offer_id": o.id, "status": status }),
        )
        .await?;
        let view = BookingView {
            booking: b,
            offer: o,
            listing: l,
        };
        let body =
            serde_json::to_string(&poem_openapi::types::ToJSON::to_json(&view.to_api(ctx.tz)))
                .map_err(|e| BookingError::internal(e.to_string()))?;
        if let Some(c) = claim {
            idempotency::finish(&txn, c, 201, &body).await?;
        }
        txn.commit().await?;
        Ok((view, body))
    }
}

/// A booking of this user, with its offer and listing.
pub async fn mine(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, BookingError> {
    let b = booking::Entity::find_by_id(id)
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::CityId.eq(ctx.city_id))
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    let (o, l) = offers::find_with_listing(db, ctx.city_id, b.offer_id)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    Ok(BookingView {
        booking: b,
        offer: o,
        listing: l,
    })
}

/// The user's bookings, soonest first, after `after` (a booking id) for paging.
pub async fn list_mine(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<BookingView>, bool), BookingError> {
    let mut q = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::CityId.eq(ctx.city_id));
    if let Some(a) = after {
        q = q.filter(booking::Column::Id.gt(a));
    }
    let mut rows = q
        .order_by_asc(booking::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let offer_ids: Vec<Uuid> = rows.iter().map(|b| b.offer_id).collect();
    let offers_: Vec<offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(offer_ids))
        .all(db)
        .await?;
    let listing_ids: Vec<Uuid> = offers_.iter().map(|o| o.listing_id).collect();
    let listings_: Vec<listing::Model> = listing::Entity::find()
        .filter(listing::Column::Id.is_in(listing_ids))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for b in rows {
        let Some(o) = offers_.iter().find(|o| o.id == b.offer_id) else {
            continue;
        };
        let Some(l) = listings_.iter().find(|l| l.id == o.listing_id) else {
            continue;
        };
        out.push(BookingView {
            booking: b,
            offer: o.clone(),
            listing: l.clone(),
        });
    }
    Ok((out, more))
}

/// The resident confirms a hold: `confirmed`, or `requested` when the business approves
/// bookings. A hold that ran out is expired instead (409).
pub async fn confirm(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, BookingError> {
    let v = mine(db, ctx, user, id).await?;
    if v.offer.partner_connection_id.is_some() {
        return crate::booking::partner::confirm(db, ctx, v).await;
    }
    let to = if v.offer.confirmation == "approval" {
        "requested"
    } else {
        "confirmed"
    };
    match v.booking.status.as_str() {
        "held" => {}
        s if s == to => return Ok(v), // confirming twice is harmless
        "expired" => return Err(BookingError::HoldExpired),
        s => {
            return Err(BookingError::CannotConfirm {
                status: s.to_string(),
            })
        }
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let moved = transition(
        &txn,
        ctx,
        &v.booking,
        "held",
        to,
        Some(sea_orm::Condition::all().add(booking::Column::HoldExpiresAt.gt(now))),
    )
    .await?;
    txn.commit().await?;
    if !moved {
        expire_holds(db, ctx, Some((v.booking.offer_id, v.booking.starts_at))).await?;
        return Err(BookingError::HoldExpired);
    }
    mine(db, ctx, user, id).await
}

/// The resident keeps a held seat longer: once per hold, by the hold's length again, while
/// it has not run out (WCAG 2.2.1: a time limit the user can extend). A second extension
/// answers 409 `hold-extended`; a partner's hold 409 `hold-not-extendable`.
pub async fn extend_hold(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, BookingError> {
    let v = mine(db, ctx, user, id).await?;
    let b = &v.booking;
    let now = Utc::now();
    match b.status.as_str() {
        "held" => {}
        "expired" => return Err(BookingError::HoldExpired),
        s => {
            return Err(BookingError::CannotBecome {
                status: s.to_string(),
                to: "held",
            })
        }
    }
    if v.offer.partner_connection_id.is_some() {
        return Err(BookingError::HoldNotExtendable);
    }
    if b.hold_extended_at.is_some() {
        return Err(BookingError::HoldExtendedAlready);
    }
    let Some(until) = b.hold_expires_at.filter(|t| *t > now) else {
        expire_holds(db, ctx, Some((b.offer_id, b.starts_at))).await?;
        return Err(BookingError::HoldExpired);
    };
    let longer = until + Duration::from_std(ctx.hold).unwrap_or(Duration::minutes(5));
    // Guarded by the state read: a hold that ran out or was extended meanwhile stays so.
    let moved = booking::Entity::update_many()
        .col_expr(booking::Column::HoldExpiresAt, Expr::value(longer))
        .col_expr(booking::Column::HoldExtendedAt, Expr::value(now))
        .col_expr(booking::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            booking::Column::Version,
            Expr::col(booking::Column::Version).add(1),
        )
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::Status.eq("held"))
        .filter(booking::Column::HoldExtendedAt.is_null())
        .filter(booking::Column::HoldExpiresAt.gt(now))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        let again = mine(db, ctx, user, id).await?;
        return Err(if again.booking.hold_extended_at.is_some() {
            BookingError::HoldExtendedAlready
        } else {
            BookingError::HoldExpired
        });
    }
    mine(db, ctx, user, id).await
}

/// The resident cancels: holds and requests any time before the start, confirmed
/// bookings until the offer's cancellation deadline.
pub async fn cancel(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, BookingError> {
    let v = mine(db, ctx, user, id).await?;
    let b = &v.booking;
    if b.status == "cancelled" {
        return Ok(v);
    }
    changeable(ctx, b, &v.offer, "cancelled")?;
    if v.offer.partner_connection_id.is_some() {
        return crate::booking::partner::cancel(db, ctx, v).await;
    }
    let txn = db.begin().await?;
    let moved = transition(&txn, ctx, b, &b.status, "cancelled", None).await?;
    txn.commit().await?;
    if !moved {
        return Err(BookingError::Changed);
    }
    mine(db, ctx, user, id).await
}

/// Expires holds and old idempotency keys until `stop` resolves.
pub async fn run_sweeper(db: DatabaseConnection, ctx: Ctx) {
    let mut rounds: u64 = 0;
    loop {
        if let Err(e) = expire_holds(&db, &ctx, None).await {
            tracing::warn!(error = %e, "expiring booking holds failed");
        }
        if rounds.is_multiple_of(600) {
            if let Err(e) = idempotency::purge_expired(&db).await {
                tracing::warn!(error = %e, "purging idempotency keys failed");
            }
        }
        rounds += 1;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// The bookings of an offer between two instants, for its business: every booking
/// shown writes an access record for its resident.
pub async fn for_business(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    offer_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BookingView>, BookingError> {
    let (o, l) = offers::find_with_listing(db, ctx.city_id, offer_id)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    let reader = business_reader(db, user, &l).await?;
    let rows = booking::Entity::find()
        .filter(booking::Column::OfferId.eq(o.id))
        .filter(booking::Column::StartsAt.gte(from))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::Status.ne("expired"))
        .order_by_asc(booking::Column::StartsAt)
        .order_by_asc(booking::Column::Id)
        .limit(1000)
        .all(db)
        .await?;
    let name = if o.name_en.is_empty() {
        &o.name_de
    } else {
        &o.name_en
    };
    let txn = db.begin().await?;
    // Only what reached the business is a read of the resident's data: a hold (and a
    // hold that lapsed or was released) shows no contact, so it is not logged.
    for b in rows.iter().filter(|b| b.shared_at.is_some()) {
        crate::privacy::service::record_access(
            &txn,
            ctx.city_id,
            b.user_id,
            &reader,
            access_resource(b, &o),
            crate::msg!("access-purpose-booking-list", offer = name),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|b| BookingView {
            booking: b,
            offer: o.clone(),
            listing: l.clone(),
        })
        .collect())
}

/// What a business does with a booking.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Decision {
    /// A requested booking is confirmed.
    Approve,
    /// A requested booking is declined; its seat is released.
    Reject,
    /// The resident did not come (after the start).
    NoShow,
    /// The appointment or session took place (after the start).
    Completed,
}

/// Applies a business's decision to a booking of one of its offers.
pub async fn decide(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
    decision: Decision,
) -> Result<BookingView, BookingError> {
    let b = booking::Entity::find_by_id(id)
        .filter(booking::Column::CityId.eq(ctx.city_id))
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    let (o, l) = offers::find_with_listing(db, ctx.city_id, b.offer_id)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    let reader = business_reader(db, user, &l)
        .await
        .map_err(|_| BookingError::not_found("booking"))?;
    if o.partner_connection_id.is_some() {
        return Err(BookingError::PartnerManaged);
    }
    let (from, to) = match decision {
        Decision::Approve => ("requested", "confirmed"),
        Decision::Reject => ("requested", "rejected"),
        Decision::NoShow => ("confirmed", "no_show"),
        Decision::Completed => ("confirmed", "completed"),
    };
    if matches!(decision, Decision::NoShow | Decision::Completed) && Utc::now() < b.starts_at {
        return Err(BookingError::NotStarted);
    }
    if b.status == to {
        // Deciding twice is harmless.
    } else if b.status != from {
        return Err(BookingError::CannotBecome {
            status: b.status.clone(),
            to,
        });
    } else {
        let txn = db.begin().await?;
        let moved = transition(&txn, ctx, &b, from, to, None).await?;
        if !moved {
            return Err(BookingError::Changed);
        }
        crate::privacy::service::record_access(
            &txn,
            ctx.city_id,
            b.user_id,
            &reader,
            access_resource(&b, &o),
            crate::msg!("access-purpose-booking-marked", status = to),
        )
        .await?;
        txn.commit().await?;
    }
    let b = booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    Ok(BookingView {
        booking: b,
        offer: o,
        listing: l,
    })
}

/// Moves a booking to another time of the same offer: the new seat is taken and the old
/// one released in one transaction, so the resident never holds two seats or none.
/// Allowed while the booking could be cancelled.
pub async fn reschedule(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    id: Uuid,
    starts_at: DateTime<FixedOffset>,
) -> Result<BookingView, BookingError> {
    let v = mine(db, ctx, user, id).await?;
    let b = &v.booking;
    if v.offer.partner_connection_id.is_some() {
        return crate::booking::partner::reschedule(db, ctx, v, starts_at).await;
    }
    if b.slot_id.is_none() {
        return Err(BookingError::MembershipNotMovable);
    }
    changeable(ctx, b, &v.offer, "rescheduled")?;
    if starts_at.with_timezone(&Utc) == b.starts_at {
        return Ok(v);
    }
    let input = BookingInput {
        offer_id: b.offer_id,
        starts_at: Some(starts_at),
        start_date: None,
        hold: false,
        contact: ContactInput::default(),
    };
    let mut errors = Errors::default();
    let target = resolve_target(db, ctx, &v.offer, &input, &mut errors).await?;
    let target = errors
        .into_result(target)?
        .ok_or_else(|| BookingError::internal("a valid booking without a target"))?;
    expire_holds(db, ctx, Some((b.offer_id, target.starts_at))).await?;

    let txn = db.begin().await?;
    let new_slot = take_seat(&txn, b.offer_id, &target).await?;
    let moved = booking::Entity::update_many()
        .col_expr(booking::Column::SlotId, Expr::value(new_slot))
        .col_expr(booking::Column::StartsAt, Expr::value(target.starts_at))
        .col_expr(booking::Column::EndsAt, Expr::value(target.ends_at))
        .col_expr(booking::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(
            booking::Column::Version,
            Expr::col(booking::Column::Version).add(1),
        )
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::Status.eq(b.status.clone()))
        .filter(booking::Column::Version.eq(b.version))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(BookingError::Changed);
    }
    if let Some(old) = b.slot_id {
        super::ledger::release_seat(&txn, ctx, old, b.seats).await?;
    }
    crate::core::outbox::record(
        &txn,
        ctx.city_id,
        "booking",
        b.id,
        "booking.rescheduled",
        serde_json::json!({ "offer_id": b.offer_id, "from": b.starts_at, "to": target.starts_at }),
    )
    .await?;
    txn.commit().await?;
    mine(db, ctx, user, id).await
}

/// An offer's bookable times on the local dates `from..=to`, as
/// `GET /api/v1/offers/{id}/availability` lists them: inside the lead time and horizon,
/// with full ones kept (0 left) so that a page can say they are full.
pub async fn bookable_times(
    db: &DatabaseConnection,
    ctx: &Ctx,
    o: &offer::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TimeSlot>, BookingError> {
    if o.partner_connection_id.is_some() {
        return crate::booking::partner::times(db, ctx, o, from, to).await;
    }
    let tz = ctx.tz;
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    let now = Utc::now();
    let earliest = now + Duration::minutes(o.lead_time_minutes as i64);
    let latest = now + Duration::days(o.horizon_days as i64);
    if kind == OfferKind::Membership {
        let plan = offers::membership_of(o)
            .ok_or_else(|| BookingError::internal("a membership without its plan"))?;
        let mut dates = plan.start_dates.clone();
        dates.sort();
        dates.dedup();
        let first = today(tz).max(from);
        return Ok(dates
            .into_iter()
            .filter(|d| *d >= first && *d <= to)
            .filter_map(|d| local_to_utc(tz, d.and_hms_opt(0, 0, 0)?))
            .map(|start| TimeSlot {
                start,
                end: None,
                remaining: None,
                capacity: None,
            })
            .collect());
    }
    let rows = offer_slot::Entity::find()
        .filter(offer_slot::Column::OfferId.eq(o.id))
        .filter(offer_slot::Column::StartsAt.gte(day_start(tz, from) - Duration::hours(3)))
        .filter(
            offer_slot::Column::StartsAt
                .lt(day_start(tz, to + Duration::days(1)) + Duration::hours(3)),
        )
        .order_by_asc(offer_slot::Column::StartsAt)
        .all(db)
        .await?;
    let lapsed = ledger::lapsed_holds(db, rows.iter().map(|r| r.id).collect()).await?;
    let left = |r: &offer_slot::Model| {
        (r.capacity - r.booked + lapsed.get(&r.id).copied().unwrap_or(0)).max(0) as u32
    };
    let in_window = |t: DateTime<Utc>| {
        let d = t.with_timezone(&tz).date_naive();
        d >= from && d <= to && t >= earliest && t <= latest
    };
    let mut out = Vec::new();
    if kind == OfferKind::Appointment {
        let (a, hours) = offers::hours_of(o)
            .ok_or_else(|| BookingError::internal("an appointment without its hours"))?;
        for s in appointment_slots(&hours, a.duration_minutes, tz, from, to) {
            let date = s.start.with_timezone(&tz).date_naive();
            if !in_window(s.start) || offers::holiday_closed(&a, &hours, ctx.holidays, date) {
                continue;
            }
            let row = rows.iter().find(|r| r.starts_at == s.start);
            if row.is_some_and(|r| r.status != "open") {
                continue;
            }
            out.push(TimeSlot {
                start: s.start,
                end: Some(s.end),
                remaining: Some(row.map(left).unwrap_or(a.parallel)),
                capacity: Some(row.map(|r| r.capacity.max(0) as u32).unwrap_or(a.parallel)),
            });
        }
    } else {
        for r in rows.iter().filter(|r| r.status == "open") {
            if in_window(r.starts_at) {
                out.push(TimeSlot {
                    start: r.starts_at,
                    end: Some(r.ends_at),
                    remaining: Some(left(r)),
                    capacity: Some(r.capacity.max(0) as u32),
                });
            }
        }
    }
    Ok(out)
}
