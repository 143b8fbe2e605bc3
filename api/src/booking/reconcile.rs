//! The reconciliation job: settles bookings whose partner call had no answer, and asks
//! the partner about bookings waiting for its decision in case a webhook was lost.
//!
//! - `hold` (the resident was told nothing was booked): the hold is repeated under its
//!   `Idempotency-Key` (which answers the first outcome, or makes it now) and cancelled,
//!   so the partner keeps no hold nobody owns.
//! - `confirm`: the partner's view decides; a hold still open there is confirmed, as the
//!   resident asked, with the same request as the first attempt (the resident's data
//!   from the booking, the same `Idempotency-Key`).
//! - `cancel`: the cancellation is sent again until the partner has it.
//! - `reschedule`: the partner's view decides.
//! - `waitlist-hold`: the hold of a seat given to the first in line on a waitlist is
//!   placed (again under its `Idempotency-Key`), and offered to them, or the entry goes
//!   back in line when the partner refuses it.
//!
//! Several servers may share one database and each runs this job: a round claims the
//! bookings it settles (a lease on `partner_pending_since`, see
//! [`claim_pending`]), so a booking is settled by one round at a time and its partner
//! is called once per round, not once per server. Bookings waiting for the business's
//! decision are asked about once per [`refresh_every`], claimed the same way (their
//! `partner_checked_at` moves forward only for the round that asks).

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, NullOrdering, Order};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::error::BookingError;
use super::ledger::{self, clear_pending};
use super::partner::{
    apply_remote, claim_pending, connection_for_cancel, connection_of, fetch, place_waitlist_holds,
    postpone, send_cancel, send_confirm, send_hold, settle_waitlist_hold,
};
use crate::booking::model::{self, Ctx};
use crate::partners::client::PartnerError;
use entities::{booking, offer};
use partner_contract::model::Booking as PartnerBooking;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Bookings whose pending call was settled.
    pub settled: usize,
    /// Bookings still unsettled (the partner did not answer).
    pub open: usize,
    /// Bookings waiting for the business's decision that the partner was asked about.
    pub asked: usize,
    /// Of those, the ones whose status changed (a webhook had been lost).
    pub refreshed: usize,
}

/// How often the partner is asked about a booking waiting for the business's decision:
/// a lost webhook is caught within this (and the time to the next round).
pub fn refresh_every() -> Duration {
    Duration::seconds(60)
}

/// How long a call may still be under way in a request (its attempts, timeouts and
/// backoff): younger marks are left to the request.
fn grace(ctx: &Ctx) -> Duration {
    let p = ctx.partners.policy();
    let per_call = p.timeout * p.attempts + p.backoff * (1u32 << p.attempts.min(8));
    Duration::from_std(per_call).unwrap_or(Duration::seconds(30)) + Duration::seconds(1)
}

/// How long a round keeps the bookings it claimed: settling one makes at most three
/// partner calls (a hold and its cancellation; a read, a confirmation and a read), each
/// within [`grace`].
fn lease(ctx: &Ctx) -> Duration {
    grace(ctx) * 3
}

/// One round over the unsettled bookings (at most 100) and the requested ones.
pub async fn round(db: &DatabaseConnection, ctx: &Ctx) -> Result<Round, BookingError> {
    let mut r = Round::default();
    let now = Utc::now();
    // A claimed booking is due again when `partner_pending_since` is `grace` old, so
    // the lease moves it to `lease - grace` ahead of now.
    let claimed = claim_pending(
        db,
        ctx.city_id,
        now - grace(ctx),
        now + lease(ctx) - grace(ctx),
        100,
    )
    .await?;
    for b in claimed {
        match settle(db, ctx, &b).await {
            Ok(true) => r.settled += 1,
            Ok(false) => {
                r.open += 1;
                postpone(db, &b).await?;
            }
            Err(p) => {
                tracing::warn!(booking = %b.id, error = %p, "reconciling a partner booking failed");
                r.open += 1;
                postpone(db, &b).await?;
            }
        }
    }
    // Bookings the business still decides on: a lost webhook must not leave them
    // requested for ever. Each is asked about once per `REFRESH_EVERY`, the longest
    // unasked first, so that none waits behind a hundred others; the round claims each
    // one before asking (the check time moves only for the first), so servers sharing
    // the database ask a partner once between them.
    // Not asked about since `at - refresh_every()`.
    let due = |at: chrono::DateTime<Utc>| {
        sea_orm::Condition::any()
            .add(booking::Column::PartnerCheckedAt.is_null())
            .add(booking::Column::PartnerCheckedAt.lte(at - refresh_every()))
    };
    // Settling the pending calls above may have taken a while.
    let now = Utc::now();
    let waiting = booking::Entity::find()
        .filter(booking::Column::Status.eq("requested"))
        .filter(booking::Column::PartnerRef.is_not_null())
        .filter(booking::Column::PartnerPending.is_null())
        .filter(booking::Column::CityId.eq(ctx.city_id))
        .filter(due(now))
        .order_by_with_nulls(
            booking::Column::PartnerCheckedAt,
            Order::Asc,
            NullOrdering::First,
        )
        .order_by_asc(booking::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await?;
    for b in waiting {
        // The claim is stamped with the time it is made: the partner calls of this
        // round take time, and the booking must not look due again meanwhile.
        let at = Utc::now();
        let claimed = booking::Entity::update_many()
            .col_expr(booking::Column::PartnerCheckedAt, Expr::value(at))
            .filter(booking::Column::Id.eq(b.id))
            .filter(booking::Column::Status.eq("requested"))
            .filter(booking::Column::PartnerPending.is_null())
            .filter(due(at))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            continue;
        }
        r.asked += 1;
        let Some(o) = offer::Entity::find_by_id(b.offer_id).one(db).await? else {
            continue;
        };
        let Ok((_, c)) = connection_of(db, ctx, &o).await else {
            continue;
        };
        if let Ok(pb) = fetch(ctx, &c, b.partner_ref.as_deref().unwrap_or_default()).await {
            let txn = crate::core::db::begin_write(db).await?;
            if apply_remote(&txn, ctx, &o, &b, &pb, None).await? {
                r.refreshed += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(r)
}

/// The partner's answer to a write, or, when it refused, its current view of the
/// booking; `None` while the partner does not answer.
async fn answer_or_view(
    ctx: &Ctx,
    c: &crate::partners::client::Conn,
    partner_ref: &str,
    answer: Result<PartnerBooking, PartnerError>,
) -> Option<PartnerBooking> {
    match answer {
        Ok(pb) => Some(pb),
        Err(PartnerError::Refused { .. }) => fetch(ctx, c, partner_ref).await.ok(),
        Err(_) => None,
    }
}

/// Settles one booking's pending call; false when the partner still does not answer.
async fn settle(
    db: &DatabaseConnection,
    ctx: &Ctx,
    b: &booking::Model,
) -> Result<bool, BookingError> {
    let o = offer::Entity::find_by_id(b.offer_id)
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    let call = b.partner_pending.as_deref().unwrap_or_default();
    // A cancellation is passed on through a connection switched off too.
    let (_, c) = if call == "cancel" {
        connection_for_cancel(db, ctx, &o).await?
    } else {
        connection_of(db, ctx, &o).await?
    };
    match b.partner_pending.as_deref() {
        Some("hold") => {
            let made = match send_hold(ctx, &c, &o, b).await {
                Ok(pb) => Some(pb),
                Err(PartnerError::Refused { .. }) => None,
                Err(_) => return Ok(false),
            };
            if let Some(pb) = &made {
                if pb.status.occupies_seats() {
                    match send_cancel(ctx, &c, &pb.booking_id, b).await {
                        Ok(_) | Err(PartnerError::Refused { .. }) => {}
                        Err(_) => return Ok(false),
                    }
                }
            }
            // A hold nobody owns kept a seat the session's waitlist may be waiting for.
            let freed = made.as_ref().is_some_and(|pb| pb.status.occupies_seats());
            let txn = crate::core::db::begin_write(db).await?;
            if freed {
                ledger::offer_partner_seat(&txn, ctx, b.offer_id, b.starts_at).await?;
            }
            if let Some(pb) = made {
                booking::Entity::update_many()
                    .col_expr(
                        booking::Column::PartnerRef,
                        sea_orm::sea_query::Expr::value(pb.booking_id),
                    )
                    .filter(booking::Column::Id.eq(b.id))
                    .exec(&txn)
                    .await?;
            }
            if b.status == "held" {
                ledger::transition(&txn, ctx, b, "held", "expired", None).await?;
            }
            clear_pending(&txn, b.id, call).await?;
            txn.commit().await?;
            if freed {
                place_waitlist_holds(db, ctx, b.offer_id, b.starts_at).await;
            }
            Ok(true)
        }
        Some("confirm") | Some("reschedule") => {
            let Some(partner_ref) = b.partner_ref.as_deref() else {
                clear_pending(db, b.id, call).await?;
                return Ok(true);
            };
            let mut pb = match fetch(ctx, &c, partner_ref).await {
                Ok(pb) => pb,
                Err(PartnerError::Refused { status: 404, .. }) => {
                    // The partner does not know it: a hold or request never became a
                    // booking there. A confirmed one is not undone on that word alone.
                    let txn = crate::core::db::begin_write(db).await?;
                    if matches!(b.status.as_str(), "held" | "requested") {
                        ledger::transition(&txn, ctx, b, &b.status, "expired", None).await?;
                    } else {
                        tracing::error!(booking = %b.id, status = %b.status, "the partner does not know a booking; check with the business");
                    }
                    clear_pending(&txn, b.id, call).await?;
                    txn.commit().await?;
                    return Ok(true);
                }
                Err(_) => return Ok(false),
            };
            if b.partner_pending.as_deref() == Some("confirm")
                && pb.status == partner_contract::model::BookingStatus::Held
            {
                let answer = send_confirm(ctx, &c, b).await;
                let Some(view) = answer_or_view(ctx, &c, partner_ref, answer).await else {
                    return Ok(false);
                };
                pb = view;
            }
            let txn = crate::core::db::begin_write(db).await?;
            apply_remote(&txn, ctx, &o, b, &pb, Some(call)).await?;
            txn.commit().await?;
            Ok(true)
        }
        Some("cancel") => {
            let Some(partner_ref) = b.partner_ref.as_deref() else {
                clear_pending(db, b.id, call).await?;
                return Ok(true);
            };
            let answer = send_cancel(ctx, &c, partner_ref, b).await;
            let Some(pb) = answer_or_view(ctx, &c, partner_ref, answer).await else {
                return Ok(false);
            };
            let kept = pb.status.occupies_seats();
            if kept {
                tracing::error!(booking = %b.id, partner = %pb.booking_id, "the partner keeps a booking the resident cancelled; check with the business");
            }
            let txn = crate::core::db::begin_write(db).await?;
            apply_remote(&txn, ctx, &o, b, &pb, Some(call)).await?;
            // A booking over here before the partner had the cancellation gave its
            // seat back only now: it goes to the session's waitlist (one still active
            // here offered it with its move above).
            let freed = !kept && !model::ACTIVE.contains(&b.status.as_str());
            if freed {
                ledger::offer_partner_seat(&txn, ctx, b.offer_id, b.starts_at).await?;
            }
            if kept {
                // The resident is told (the notification `partner-kept`): the business
                // may still expect them.
                crate::core::outbox::record(
                    &txn,
                    b.city_id,
                    "booking",
                    b.id,
                    "booking.partner_kept",
                    serde_json::json!({ "partner_booking_id": pb.booking_id }),
                )
                .await?;
            }
            txn.commit().await?;
            place_waitlist_holds(db, ctx, b.offer_id, b.starts_at).await;
            Ok(true)
        }
        Some(ledger::WAITLIST_HOLD) => settle_waitlist_hold(db, ctx, b).await,
        _ => {
            clear_pending(db, b.id, call).await?;
            Ok(true)
        }
    }
}

/// Runs a round every `every` until aborted.
pub async fn run(db: DatabaseConnection, ctx: Ctx, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        match round(&db, &ctx).await {
            Ok(r) if r != Round::default() => {
                tracing::info!(
                    settled = r.settled,
                    open = r.open,
                    asked = r.asked,
                    refreshed = r.refreshed,
                    "partner bookings reconciled"
                )
            }
            Ok(_) => {}
            Err(p) => tracing::warn!(error = %p, "partner reconciliation failed"),
        }
    }
}
