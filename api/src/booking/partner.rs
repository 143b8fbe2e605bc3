//! Bookings of offers kept in a business's own booking system: the portal keeps its own
//! record of each booking (what the resident sees, what was shared, the outbox events)
//! and the partner keeps the seats.
//!
//! Consent before sharing: the hold carries no personal data. The resident's data (the
//! contact fields the offer asks for, as stored on the booking) goes to the partner only
//! with the confirmation, when the resident confirms; that is when the access log
//! records the partner's system as a reader.
//!
//! Every partner write is sent with an `Idempotency-Key` derived from the booking, so a
//! retry never books twice. Before a write the booking is marked with the call
//! (`partner_pending`); the mark is cleared when the partner's answer is applied. When
//! the partner does not answer, the mark stays and the reconciliation job
//! ([`super::reconcile`]) settles the booking later: a resident is never left with a
//! booking in an unknown state, and a partner is never left with a hold nobody owns.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::error::BookingError;
use super::ledger::{self, clear_pending, mark_pending};
use crate::booking::idempotency::{self, Claim};
use crate::booking::model::OfferKind;
use crate::booking::model::{self, BookingInput, BookingView, Ctx, TimeSlot};
use crate::core::identity::AuthUser;
use crate::core::validate::Errors;
use crate::msg;
use crate::partners::client::{Body, Conn, PartnerError};
use crate::partners::connections;
use entities::{booking, listing, offer, partner_connection};
use partner_contract::model::{
    AvailabilityResponse, Booking as PartnerBooking, BookingStatus as PartnerStatus,
};

/// The portal status of a partner status.
pub fn local_status(s: PartnerStatus) -> &'static str {
    match s {
        PartnerStatus::Held => "held",
        PartnerStatus::Pending => "requested",
        PartnerStatus::Confirmed => "confirmed",
        PartnerStatus::Cancelled => "cancelled",
        PartnerStatus::Expired => "expired",
        PartnerStatus::Rejected => "rejected",
    }
}

/// Whether a booking may move from `from` to `to` on the partner's word: only forward,
/// so that a late or repeated message never undoes a newer state.
pub fn moves_forward(from: &str, to: &str) -> bool {
    match from {
        "held" => matches!(
            to,
            "requested" | "confirmed" | "cancelled" | "expired" | "rejected"
        ),
        "requested" => matches!(to, "confirmed" | "cancelled" | "rejected" | "expired"),
        "confirmed" => matches!(to, "cancelled"),
        _ => false,
    }
}

fn busy() -> BookingError {
    BookingError::PartnerPending
}

/// The offer's connection, if it is active, opened for calls.
pub async fn connection_of(
    db: &DatabaseConnection,
    ctx: &Ctx,
    o: &offer::Model,
) -> Result<(partner_connection::Model, Conn), BookingError> {
    let id = o
        .partner_connection_id
        .ok_or_else(|| BookingError::internal("a partner offer without its connection"))?;
    let m = partner_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(BookingError::PartnerSwitchedOff)?;
    let c = connections::open(&ctx.partners, &m)?;
    Ok((m, c))
}

/// The offer's connection, active or not, opened for calls: a cancellation carries no
/// resident data and is passed on through a connection switched off too (a paused or
/// removed module's), so that a resident can always cancel what they booked.
pub async fn connection_for_cancel(
    db: &DatabaseConnection,
    ctx: &Ctx,
    o: &offer::Model,
) -> Result<(partner_connection::Model, Conn), BookingError> {
    let id = o
        .partner_connection_id
        .ok_or_else(|| BookingError::internal("a partner offer without its connection"))?;
    let m = partner_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(BookingError::PartnerSwitchedOff)?;
    let c = connections::open(&ctx.partners, &m)?;
    Ok((m, c))
}

fn offer_ref(o: &offer::Model) -> Result<&str, BookingError> {
    o.partner_offer_ref
        .as_deref()
        .ok_or_else(|| BookingError::internal("a partner offer without its reference"))
}

fn local(ctx: &Ctx, t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&ctx.tz).fixed_offset()
}

/// Logs a partner failure and turns it into the resident's problem.
fn failed(c: &Conn, what: &str, e: &PartnerError) -> BookingError {
    match e {
        PartnerError::Invalid(_) => {
            tracing::error!(connection = %c.id, call = what, error = %e, "partner broke the contract")
        }
        _ => tracing::warn!(connection = %c.id, call = what, error = %e, "partner call failed"),
    }
    BookingError::PartnerUnavailable
}

/// The offer's bookable times on the local dates `from..=to`, from the partner.
pub async fn times(
    db: &DatabaseConnection,
    ctx: &Ctx,
    o: &offer::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TimeSlot>, BookingError> {
    let (_, c) = connection_of(db, ctx, o).await?;
    // The contract allows windows of at most 62 days, and past slots are never listed.
    let today = Utc::now().with_timezone(&ctx.tz).date_naive();
    let from = from.max(today);
    let to = to.min(from + Duration::days(60));
    if to < from {
        return Ok(Vec::new());
    }
    let day_start = |d: NaiveDate| crate::booking::model::day_start(ctx.tz, d);
    let body = serde_json::json!({
        "offer_ids": [offer_ref(o)?],
        "from": local(ctx, day_start(from) - Duration::days(1)).max(local(ctx, Utc::now())),
        "to": local(ctx, day_start(to + Duration::days(2))),
    });
    let answer: AvailabilityResponse = ctx
        .partners
        .call(
            &c,
            reqwest::Method::POST,
            "/availability",
            Body::Json(&body),
            None,
        )
        .await
        .map_err(|e| failed(&c, "availability", &e))?;
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    let now = Utc::now();
    let earliest = now + Duration::minutes(o.lead_time_minutes as i64);
    let latest = now + Duration::days(o.horizon_days as i64);
    let mut out = Vec::new();
    for a in answer
        .offers
        .iter()
        .filter(|a| Some(a.offer_id.as_str()) == o.partner_offer_ref.as_deref())
    {
        let partner_tz: chrono_tz::Tz = a.time_zone.parse().unwrap_or(ctx.tz);
        for s in &a.slots {
            let mut start = s.start.with_timezone(&Utc);
            if kind == OfferKind::Membership {
                // A start date as the partner means it, shown as that date here.
                let date = s.start.with_timezone(&partner_tz).date_naive();
                start = crate::booking::model::day_start(ctx.tz, date);
            }
            let d = start.with_timezone(&ctx.tz).date_naive();
            if d < from || d > to {
                continue;
            }
            if kind != OfferKind::Membership && (start < earliest || start > latest) {
                continue;
            }
            out.push(TimeSlot {
                start,
                end: (kind != OfferKind::Membership).then(|| s.end.with_timezone(&Utc)),
                remaining: (kind != OfferKind::Membership).then_some(s.remaining),
                capacity: (kind != OfferKind::Membership).then_some(s.capacity),
            });
        }
    }
    out.sort_by_key(|t| t.start);
    Ok(out)
}

/// When the booking starts, checked against the offer's lead time and horizon.
fn target(
    ctx: &Ctx,
    o: &offer::Model,
    input: &BookingInput,
    errors: &mut Errors,
) -> Option<DateTime<Utc>> {
    let now = Utc::now();
    if OfferKind::parse(&o.kind) == Some(OfferKind::Membership) {
        if input.starts_at.is_some() {
            errors.add("starts_at", msg!("v-booking-membership-start-date"));
        }
        let Some(date) = input.start_date else {
            errors.add("start_date", msg!("v-booking-start-date-required"));
            return None;
        };
        if date < now.with_timezone(&ctx.tz).date_naive() {
            errors.add("start_date", msg!("v-booking-past"));
            return None;
        }
        return Some(crate::booking::model::day_start(ctx.tz, date));
    }
    if input.start_date.is_some() {
        errors.add("start_date", msg!("v-booking-only-memberships"));
    }
    let Some(t) = input.starts_at.map(|t| t.with_timezone(&Utc)) else {
        errors.add("starts_at", msg!("v-booking-required"));
        return None;
    };
    check_window(o, t, "starts_at", errors);
    Some(t)
}

pub(crate) fn check_window(o: &offer::Model, t: DateTime<Utc>, field: &str, errors: &mut Errors) {
    let now = Utc::now();
    if t < now + Duration::minutes(o.lead_time_minutes as i64) {
        errors.add(
            field,
            msg!("v-booking-lead-time", n = o.lead_time_minutes.max(0)),
        );
    } else if t > now + Duration::days(o.horizon_days as i64) {
        errors.add(field, msg!("v-booking-horizon", n = o.horizon_days));
    }
}

/// The time zone of the partner's calendar (as its offer list said when the offer was
/// linked), in which a membership's start date begins.
pub fn partner_tz(ctx: &Ctx, o: &offer::Model) -> chrono_tz::Tz {
    o.details
        .get("partner_time_zone")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(ctx.tz)
}

/// Where the booking starts in the partner's terms: a membership's start date at
/// midnight in the partner's time zone; otherwise the instant.
fn partner_start(ctx: &Ctx, o: &offer::Model, b: &booking::Model) -> DateTime<FixedOffset> {
    if OfferKind::parse(&o.kind) == Some(OfferKind::Membership) {
        let date = b.starts_at.with_timezone(&ctx.tz).date_naive();
        let tz = partner_tz(ctx, o);
        let t = crate::booking::model::day_start(tz, date);
        return t.with_timezone(&tz).fixed_offset();
    }
    local(ctx, b.starts_at)
}

/// The hold request of a booking: no personal data, only the offer, the time, the seats
/// and the booking's id. Built from the booking alone, so that the reconciliation job
/// can repeat it byte for byte under the same `Idempotency-Key`.
pub fn hold_body(
    ctx: &Ctx,
    o: &offer::Model,
    b: &booking::Model,
) -> Result<serde_json::Value, BookingError> {
    Ok(serde_json::json!({
        "offer_id": offer_ref(o)?,
        "start": partner_start(ctx, o, b),
        "seats": b.seats,
        "client_token": b.id.to_string(),
    }))
}

/// The resident fields a booking shares with the partner: the name, and the email and
/// phone it holds only when its offer asked for them.
/// The confirmation request of a booking: the resident's data, the first the partner
/// receives, exactly the contact fields stored on the booking (which are the ones its
/// offer asks for). Built from the booking alone, like [`hold_body`], so that a retry
/// and the reconciliation job send the same body under the same `Idempotency-Key`.
pub fn confirm_body(b: &booking::Model) -> serde_json::Value {
    let mut resident = serde_json::json!({ "name": b.contact_name });
    if let Some(e) = &b.contact_email {
        resident["email"] = e.clone().into();
    }
    if let Some(p) = &b.contact_phone {
        resident["phone"] = p.clone().into();
    }
    serde_json::json!({ "resident": resident })
}

fn key(call: &str, b: &booking::Model) -> String {
    format!("{call}-{}", b.id)
}

/// Sends the hold of a booking (also used by the reconciliation job).
pub async fn send_hold(
    ctx: &Ctx,
    c: &Conn,
    o: &offer::Model,
    b: &booking::Model,
) -> Result<PartnerBooking, PartnerError> {
    let body = hold_body(ctx, o, b).map_err(|_| PartnerError::Invalid("no offer id".into()))?;
    ctx.partners
        .call(
            c,
            reqwest::Method::POST,
            "/holds",
            Body::Json(&body),
            Some(&key("hold", b)),
        )
        .await
}

/// Confirms a booking's hold at the partner, sending the resident's data
/// ([`confirm_body`]); also used by the reconciliation job, which repeats it as it was.
pub async fn send_confirm(
    ctx: &Ctx,
    c: &Conn,
    b: &booking::Model,
) -> Result<PartnerBooking, PartnerError> {
    let r = b.partner_ref.as_deref().unwrap_or_default();
    ctx.partners
        .call(
            c,
            reqwest::Method::POST,
            &format!("/bookings/{}/confirm", urlencode(r)),
            Body::Json(&confirm_body(b)),
            Some(&key("confirm", b)),
        )
        .await
}

/// Cancels a booking at the partner.
pub async fn send_cancel(
    ctx: &Ctx,
    c: &Conn,
    partner_ref: &str,
    b: &booking::Model,
) -> Result<PartnerBooking, PartnerError> {
    ctx.partners
        .call(
            c,
            reqwest::Method::POST,
            &format!("/bookings/{}/cancel", urlencode(partner_ref)),
            Body::Json(&serde_json::json!({})),
            Some(&key("cancel", b)),
        )
        .await
}

/// The partner's view of a booking.
pub async fn fetch(ctx: &Ctx, c: &Conn, partner_ref: &str) -> Result<PartnerBooking, PartnerError> {
    ctx.partners
        .call(
            c,
            reqwest::Method::GET,
            &format!("/bookings/{}", urlencode(partner_ref)),
            Body::None,
            None,
        )
        .await
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Applies the partner's view of a booking: its status (only forward), its times, and
/// the partner's id; clears the pending mark. Returns whether anything changed.
///
/// `clear` names the call whose answer this is (its mark is cleared); webhooks and
/// refreshes pass none: a call of the portal's own still under way keeps its mark.
pub async fn apply_remote<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    o: &offer::Model,
    b: &booking::Model,
    pb: &PartnerBooking,
    clear: Option<&str>,
) -> Result<bool, BookingError> {
    let mut changed = false;
    let start = pb.start.with_timezone(&Utc);
    let end = pb.end.with_timezone(&Utc);
    // A membership keeps its start date as the resident chose it (local midnight).
    let is_membership = OfferKind::parse(&o.kind) == Some(OfferKind::Membership);
    let start = if is_membership { b.starts_at } else { start };
    if b.partner_ref.as_deref() != Some(pb.booking_id.as_str())
        || (model::ACTIVE.contains(&b.status.as_str())
            && (b.starts_at != start || (!is_membership && b.ends_at != Some(end))))
    {
        let moved = b.partner_ref.is_some() && b.starts_at != start;
        let mut q = booking::Entity::update_many()
            .col_expr(
                booking::Column::PartnerRef,
                Expr::value(pb.booking_id.clone()),
            )
            .col_expr(booking::Column::UpdatedAt, Expr::value(Utc::now()))
            .col_expr(
                booking::Column::Version,
                Expr::col(booking::Column::Version).add(1),
            );
        if model::ACTIVE.contains(&b.status.as_str()) {
            q = q.col_expr(booking::Column::StartsAt, Expr::value(start));
            if !is_membership {
                q = q.col_expr(booking::Column::EndsAt, Expr::value(Some(end)));
            }
        }
        if let Some(h) = pb.hold_expires_at {
            let h = h.with_timezone(&Utc);
            if b.hold_expires_at.is_none_or(|mine| h < mine) {
                q = q.col_expr(booking::Column::HoldExpiresAt, Expr::value(Some(h)));
            }
        }
        // Guarded by the time read: of two appliers of the same move (the webhook and
        // the request's answer) only one changes the row and records the event.
        let done = q
            .filter(booking::Column::Id.eq(b.id))
            .filter(booking::Column::StartsAt.eq(b.starts_at))
            .exec(conn)
            .await?;
        if moved && done.rows_affected == 1 {
            // The seat of the time it leaves goes to that time's waitlist.
            ledger::offer_partner_seat(conn, ctx, b.offer_id, b.starts_at).await?;
            crate::core::outbox::record(
                conn,
                ctx.city_id,
                "booking",
                b.id,
                "booking.rescheduled",
                serde_json::json!({ "offer_id": b.offer_id, "from": b.starts_at, "to": start }),
            )
            .await?;
        }
        changed = true;
    }
    let to = local_status(pb.status);
    if to != b.status && moves_forward(&b.status, to) {
        changed |= ledger::transition(conn, ctx, b, &b.status, to, None).await?;
    }
    if let Some(call) = clear {
        clear_pending(conn, b.id, call).await?;
    }
    Ok(changed)
}

async fn reload(db: &DatabaseConnection, v: BookingView) -> Result<BookingView, BookingError> {
    let b = booking::Entity::find_by_id(v.booking.id)
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("booking"))?;
    Ok(BookingView { booking: b, ..v })
}

/// Who the access log names for data sent through a connection, and why: for a
/// module's connection the module (by its id, as the Module API's records name it) and
/// the purpose its manifest in force gives the service of the offer; for a business's
/// own system, that system.
pub async fn partner_reader<C: ConnectionTrait>(
    conn: &C,
    m: &partner_connection::Model,
    o: &offer::Model,
) -> Result<
    (
        crate::privacy::service::Reader,
        crate::core::message::Message,
    ),
    sea_orm::DbErr,
> {
    use crate::privacy::service::Reader;
    let business = || {
        (
            Reader::Module(format!("partner booking system \"{}\"", m.name)),
            crate::msg!("access-purpose-partner-sent"),
        )
    };
    let Some(module_id) = m.module_id else {
        return Ok(business());
    };
    let Some(module) = entities::module::Entity::find_by_id(module_id)
        .one(conn)
        .await?
    else {
        return Ok(business());
    };
    let manifest = match module.approved_version {
        Some(v) => entities::module_version::Entity::find()
            .filter(entities::module_version::Column::ModuleId.eq(module.id))
            .filter(entities::module_version::Column::Version.eq(v))
            .one(conn)
            .await?
            .and_then(|v| serde_json::from_str::<serde_json::Value>(&v.manifest).ok()),
        None => None,
    };
    // The appointment service that books this offer.
    let service = manifest.as_ref().and_then(|m| {
        m["services"].as_array()?.iter().find(|s| {
            s["capability"] == "appointment"
                && s["offers"].as_array().is_some_and(|offers| {
                    offers
                        .iter()
                        .any(|x| x.as_str() == o.partner_offer_ref.as_deref())
                })
        })
    });
    let purpose = |l: &str| {
        service
            .and_then(|s| s["purpose"][l].as_str())
            .unwrap_or_default()
            .to_string()
    };
    Ok((
        Reader::Module(module.slug.clone()),
        crate::msg!(
            "access-purpose-module-booking",
            purpose_de = purpose("de"),
            purpose_en = purpose("en"),
        ),
    ))
}

/// Books an offer kept in a partner's system: the booking is recorded, the hold sent,
/// and (unless the resident asked for a hold) confirmed.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &Ctx,
    user: &AuthUser,
    input: &BookingInput,
    (o, l, with): (offer::Model, listing::Model, &str),
    claim: Option<&Claim>,
) -> Result<(BookingView, String), BookingError> {
    let mut errors = Errors::default();
    let starts_at = target(ctx, &o, input, &mut errors);
    let contact = ledger::contact(user, &o, &input.contact, &mut errors).await?;
    let starts_at = errors
        .into_result(starts_at)?
        .ok_or_else(|| BookingError::internal("a valid booking without its start"))?;
    let (conn_model, c) = connection_of(db, ctx, &o).await?;

    let now = Utc::now();
    // What the booking will share with the partner when the resident confirms.
    let mut fields = vec!["name"];
    if contact.email.is_some() {
        fields.push("email");
    }
    if contact.phone.is_some() {
        fields.push("phone");
    }
    let txn = crate::core::db::begin_write(db).await?;
    ledger::lock_user(&txn, user.id).await?;
    ledger::check_resident_limits(&txn, user.id, &o, starts_at).await?;
    let b = booking::ActiveModel {
        id: Set(Uuid::new_v4()),
        city_id: Set(ctx.city_id),
        offer_id: Set(o.id),
        slot_id: Set(None),
        user_id: Set(user.id),
        status: Set("held".into()),
        // Shared when the resident confirms (the confirm call), not with the hold.
        shared_at: Set(None),
        starts_at: Set(starts_at),
        ends_at: Set(None),
        seats: Set(1),
        hold_extended_at: Set(None),
        hold_expires_at: Set(Some(
            now + Duration::from_std(ctx.hold).unwrap_or(Duration::minutes(5)),
        )),
        contact_name: Set(contact.name),
        contact_email: Set(contact.email),
        contact_phone: Set(contact.phone),
        shared: Set(serde_json::json!({
            "with": with,
            "fields": fields,
            "via": conn_model.name,
        })),
        partner_ref: Set(None),
        partner_pending: Set(Some("hold".into())),
        partner_pending_since: Set(Some(now)),
        partner_checked_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    // Nothing of the resident goes with the hold: their data is sent, and the access
    // recorded, when they confirm.
    txn.commit().await?;

    let pb = match send_hold(ctx, &c, &o, &b).await {
        Ok(pb) => pb,
        Err(e) => {
            // Nothing is booked for the resident. A refused hold is gone for good; one
            // whose outcome is unknown stays marked, and the reconciliation job makes
            // sure the partner keeps no hold for it.
            let refused = matches!(e, PartnerError::Refused { .. });
            let txn = crate::core::db::begin_write(db).await?;
            booking::Entity::update_many()
                .col_expr(booking::Column::Status, Expr::value("expired"))
                .col_expr(booking::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(booking::Column::Id.eq(b.id))
                .exec(&txn)
                .await?;
            if refused {
                clear_pending(&txn, b.id, "hold").await?;
            }
            txn.commit().await?;
            return Err(match e {
                PartnerError::Refused {
                    status: 409,
                    code,
                    detail,
                } if code == "slot-full" || code == "full" => {
                    let _ = detail;
                    BookingError::Full
                }
                PartnerError::Refused {
                    status: 422,
                    detail,
                    ..
                } => {
                    let field = if input.start_date.is_some() {
                        "start_date"
                    } else {
                        "starts_at"
                    };
                    BookingError::invalid(field, msg!("v-booking-partner-no-time", detail = detail))
                }
                PartnerError::Refused { detail, .. } => BookingError::PartnerRefused { detail },
                e => failed(&c, "hold", &e),
            });
        }
    };
    let txn = crate::core::db::begin_write(db).await?;
    apply_remote(&txn, ctx, &o, &b, &pb, Some("hold")).await?;
    let mut payload = serde_json::json!({ "offer_id": o.id, "status": "held" });
    if let Some(module_id) = ledger::module_of(&txn, &o).await? {
        // For the module's webhook (`modules::delivery`): no resident data.
        payload["module_id"] = module_id.to_string().into();
        payload["offer_ref"] = o.partner_offer_ref.clone().into();
        payload["starts_at"] = serde_json::to_value(b.starts_at).unwrap_or_default();
    }
    crate::core::outbox::record(&txn, ctx.city_id, "booking", b.id, "booking.held", payload)
        .await?;
    txn.commit().await?;
    let mut v = reload(
        db,
        BookingView {
            booking: b,
            offer: o,
            listing: l,
        },
    )
    .await?;
    if !input.hold {
        v = confirm(db, ctx, v).await?;
    }
    let body = serde_json::to_string(&poem_openapi::types::ToJSON::to_json(&v.to_api(ctx.tz)))
        .map_err(|e| BookingError::internal(e.to_string()))?;
    if let Some(cl) = claim {
        idempotency::finish(db, cl, 201, &body).await?;
    }
    Ok((v, body))
}

/// Confirms a held booking at the partner: `confirmed`, or `requested` while the
/// business decides (memberships).
pub async fn confirm(
    db: &DatabaseConnection,
    ctx: &Ctx,
    v: BookingView,
) -> Result<BookingView, BookingError> {
    match v.booking.status.as_str() {
        "held" => {}
        "requested" | "confirmed" => return Ok(v), // confirming twice is harmless
        "expired" => return Err(BookingError::HoldExpired),
        s => {
            return Err(BookingError::CannotConfirm {
                status: s.to_string(),
            })
        }
    }
    if v.booking.partner_ref.is_none() || v.booking.partner_pending.is_some() {
        return Err(busy());
    }
    if v.booking.hold_expires_at.is_some_and(|t| t <= Utc::now()) {
        ledger::expire_holds(db, ctx, None).await?;
        return Err(BookingError::HoldExpired);
    }
    let (conn_model, c) = connection_of(db, ctx, &v.offer).await?;
    // Marked first: the sweeper leaves the hold alone while the partner decides. The
    // confirmation carries the resident's data to the partner's system, recorded in
    // their access log with the mark (a retry, here or by the reconciliation job,
    // resends the same data).
    let txn = crate::core::db::begin_write(db).await?;
    let marked = booking::Entity::update_many()
        .col_expr(booking::Column::PartnerPending, Expr::value("confirm"))
        .col_expr(
            booking::Column::PartnerPendingSince,
            Expr::value(Utc::now()),
        )
        .filter(booking::Column::Id.eq(v.booking.id))
        .filter(booking::Column::Status.eq("held"))
        .filter(booking::Column::PartnerPending.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Err(BookingError::Changed);
    }
    let (reader, purpose) = partner_reader(&txn, &conn_model, &v.offer).await?;
    crate::privacy::service::record_access(
        &txn,
        ctx.city_id,
        v.booking.user_id,
        &reader,
        ledger::access_resource(&v.booking, &v.offer),
        purpose,
    )
    .await?;
    txn.commit().await?;
    match send_confirm(ctx, &c, &v.booking).await {
        Ok(pb) => {
            let txn = crate::core::db::begin_write(db).await?;
            apply_remote(&txn, ctx, &v.offer, &v.booking, &pb, Some("confirm")).await?;
            txn.commit().await?;
            reload(db, v).await
        }
        Err(PartnerError::Refused { code, detail, .. }) => {
            // The partner's hold is gone (expired) or the partner will not confirm.
            let txn = crate::core::db::begin_write(db).await?;
            ledger::transition(&txn, ctx, &v.booking, "held", "expired", None).await?;
            clear_pending(&txn, v.booking.id, "confirm").await?;
            txn.commit().await?;
            Err(if code.contains("expired") {
                BookingError::HoldExpired
            } else {
                BookingError::PartnerNotConfirmed { detail }
            })
        }
        Err(e) => {
            // Unknown: the mark stays and the reconciliation job asks the partner.
            failed(&c, "confirm", &e);
            Err(BookingError::PartnerConfirmUnknown)
        }
    }
}

/// Cancels a booking at the partner. The resident's cancellation always stands: when
/// the partner does not answer, it is cancelled here and the reconciliation job passes
/// the cancellation on.
pub async fn cancel(
    db: &DatabaseConnection,
    ctx: &Ctx,
    v: BookingView,
) -> Result<BookingView, BookingError> {
    let b = &v.booking;
    let Some(partner_ref) = b.partner_ref.clone() else {
        return Err(busy());
    };
    let (_, c) = connection_for_cancel(db, ctx, &v.offer).await?;
    if !mark_pending(db, b.id, "cancel").await? {
        return Err(busy());
    }
    match send_cancel(ctx, &c, &partner_ref, b).await {
        Ok(pb) => {
            let txn = crate::core::db::begin_write(db).await?;
            apply_remote(&txn, ctx, &v.offer, b, &pb, Some("cancel")).await?;
            txn.commit().await?;
        }
        Err(PartnerError::Refused { detail, .. }) => {
            // Already over at the partner (expired, rejected), or the partner will not
            // cancel (e.g. its own deadline): its view of the booking decides. Asked
            // before the transaction, which must not wait on the partner.
            let remote = fetch(ctx, &c, &partner_ref).await;
            let txn = crate::core::db::begin_write(db).await?;
            let over = match remote {
                Ok(pb) => {
                    apply_remote(&txn, ctx, &v.offer, b, &pb, None).await?;
                    !pb.status.occupies_seats()
                }
                Err(_) => false,
            };
            clear_pending(&txn, b.id, "cancel").await?;
            txn.commit().await?;
            if !over {
                return Err(BookingError::PartnerNotCancelled { detail });
            }
        }
        Err(e) => {
            failed(&c, "cancel", &e);
            let txn = crate::core::db::begin_write(db).await?;
            ledger::transition(&txn, ctx, b, &b.status, "cancelled", None).await?;
            txn.commit().await?;
        }
    }
    place_waitlist_holds(db, ctx, b.offer_id, b.starts_at).await;
    reload(db, v).await
}

/// Moves a booking to another time of the partner's offer.
pub async fn reschedule(
    db: &DatabaseConnection,
    ctx: &Ctx,
    v: BookingView,
    starts_at: DateTime<FixedOffset>,
) -> Result<BookingView, BookingError> {
    let b = &v.booking;
    if OfferKind::parse(&v.offer.kind) == Some(OfferKind::Membership) {
        return Err(BookingError::MembershipNotMovable);
    }
    ledger::changeable(ctx, b, &v.offer, "rescheduled")?;
    let t = starts_at.with_timezone(&Utc);
    if t == b.starts_at {
        return Ok(v);
    }
    let mut errors = Errors::default();
    check_window(&v.offer, t, "starts_at", &mut errors);
    errors.into_result(())?;
    let Some(partner_ref) = b.partner_ref.clone() else {
        return Err(busy());
    };
    let (_, c) = connection_of(db, ctx, &v.offer).await?;
    if !mark_pending(db, b.id, "reschedule").await? {
        return Err(busy());
    }
    let answer: Result<PartnerBooking, PartnerError> = ctx
        .partners
        .call(
            &c,
            reqwest::Method::POST,
            &format!("/bookings/{}/reschedule", urlencode(&partner_ref)),
            Body::Json(&serde_json::json!({ "start": local(ctx, t) })),
            // One key per change: the booking's version and the new time (the version
            // grows with every change, so moving back and forth never replays).
            Some(&format!(
                "reschedule-{}-v{}-{}",
                b.id,
                b.version,
                t.timestamp()
            )),
        )
        .await;
    match answer {
        Ok(pb) => {
            let txn = crate::core::db::begin_write(db).await?;
            apply_remote(&txn, ctx, &v.offer, b, &pb, Some("reschedule")).await?;
            txn.commit().await?;
            place_waitlist_holds(db, ctx, b.offer_id, b.starts_at).await;
            reload(db, v).await
        }
        Err(PartnerError::Refused {
            status,
            code,
            detail,
        }) => {
            clear_pending(db, b.id, "reschedule").await?;
            Err(
                if status == 409 && (code == "slot-full" || code == "full") {
                    BookingError::Full
                } else if status == 422 {
                    BookingError::invalid(
                        "starts_at",
                        msg!("v-booking-partner-no-time", detail = detail),
                    )
                } else {
                    BookingError::PartnerNotMoved { detail }
                },
            )
        }
        Err(e) => {
            failed(&c, "reschedule", &e);
            Err(BookingError::PartnerRescheduleUnknown)
        }
    }
}

/// Claims the bookings whose partner call has been unsettled since before `older_than`
/// (at most `limit`, oldest first, so that bookings that cannot be settled yet, moved
/// to the back with [`postpone`], never keep the others waiting) for the caller, so
/// that a round on another server sharing the database skips them.
///
/// In one short transaction (rows read with `FOR UPDATE SKIP LOCKED` on PostgreSQL; on
/// SQLite the transaction holds the write lock from its start) each due booking's
/// `partner_pending_since` is moved to `lease_until` by a compare-and-set on the call
/// and the due time, and only the rows whose lease this claim set are handed out: a
/// booking is due again only when its lease has run out, so a server that dies while
/// settling one leaves it to the next round after that.
pub async fn claim_pending(
    db: &DatabaseConnection,
    city_id: Uuid,
    older_than: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<booking::Model>, BookingError> {
    use sea_orm::sea_query::{LockBehavior, LockType};
    use sea_orm::{QueryOrder, QuerySelect};
    let txn = crate::core::db::begin_write(db).await?;
    let mut due = booking::Entity::find()
        .filter(booking::Column::CityId.eq(city_id))
        .filter(booking::Column::PartnerPending.is_not_null())
        .filter(booking::Column::PartnerPendingSince.lte(older_than))
        .order_by_asc(booking::Column::PartnerPendingSince)
        .limit(limit);
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        QuerySelect::query(&mut due).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = due.all(&txn).await?;
    let mut mine = Vec::with_capacity(rows.len());
    for mut b in rows {
        let Some(call) = b.partner_pending.clone() else {
            continue;
        };
        // Compare and set: of two claimers that read the same row, one moves it.
        let leased = booking::Entity::update_many()
            .col_expr(
                booking::Column::PartnerPendingSince,
                Expr::value(Some(lease_until)),
            )
            .filter(booking::Column::Id.eq(b.id))
            .filter(booking::Column::PartnerPending.eq(call))
            .filter(booking::Column::PartnerPendingSince.lte(older_than))
            .exec(&txn)
            .await?;
        if leased.rows_affected == 1 {
            b.partner_pending_since = Some(lease_until);
            mine.push(b);
        }
    }
    txn.commit().await?;
    Ok(mine)
}

/// Moves a booking whose call could not be settled now to the back of the queue (its
/// mark stays).
pub async fn postpone(db: &DatabaseConnection, b: &booking::Model) -> Result<(), BookingError> {
    let Some(call) = b.partner_pending.as_deref() else {
        return Ok(());
    };
    booking::Entity::update_many()
        .col_expr(
            booking::Column::PartnerPendingSince,
            Expr::value(Utc::now()),
        )
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::PartnerPending.eq(call))
        .exec(db)
        .await?;
    Ok(())
}

/// Places the partner holds of the seats given to the first in line on the waitlist of
/// one session ([`ledger::offer_partner_seat`]), right after the seat was given back.
/// A hold the partner does not answer for is left to the reconciliation job.
pub async fn place_waitlist_holds(
    db: &DatabaseConnection,
    ctx: &Ctx,
    offer_id: Uuid,
    starts_at: DateTime<Utc>,
) {
    let due = booking::Entity::find()
        .filter(booking::Column::OfferId.eq(offer_id))
        .filter(booking::Column::StartsAt.eq(starts_at))
        .filter(booking::Column::PartnerPending.eq(ledger::WAITLIST_HOLD))
        .all(db)
        .await;
    for b in due.unwrap_or_default() {
        if let Err(p) = settle_waitlist_hold(db, ctx, &b).await {
            tracing::warn!(booking = %b.id, error = %p, "placing a waitlist hold failed");
        }
    }
}

/// Places (or, repeated under the same `Idempotency-Key`, learns the outcome of) the
/// partner hold of a seat given to the first in line, and applies it: the resident's
/// held booking, which they confirm through the normal confirmation (the first time
/// their data reaches the partner), and `waitlist.offered`; or, when the partner refuses
/// (the seat went to someone outside the portal), the entry back in line at its place.
/// False while the partner does not answer (the mark stays for the next round).
pub async fn settle_waitlist_hold(
    db: &DatabaseConnection,
    ctx: &Ctx,
    b: &booking::Model,
) -> Result<bool, BookingError> {
    use entities::waitlist_entry;
    let o = offer::Entity::find_by_id(b.offer_id)
        .one(db)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    let (_, c) = connection_of(db, ctx, &o).await?;
    let made = match send_hold(ctx, &c, &o, b).await {
        Ok(pb) if pb.status.occupies_seats() => Some(pb),
        Ok(_) | Err(PartnerError::Refused { .. }) => None,
        Err(e) => {
            failed(&c, "waitlist hold", &e);
            return Ok(false);
        }
    };
    let txn = crate::core::db::begin_write(db).await?;
    // Of two settlers at once (the request that gave the seat back and a
    // reconciliation round, or two rounds), the one that clears the mark applies.
    let mine = booking::Entity::update_many()
        .col_expr(
            booking::Column::PartnerPending,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            booking::Column::PartnerPendingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::PartnerPending.eq(ledger::WAITLIST_HOLD))
        .exec(&txn)
        .await?;
    if mine.rows_affected != 1 {
        return Ok(true);
    }
    let entry = waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::BookingId.eq(b.id))
        .one(&txn)
        .await?;
    let now = Utc::now();
    match made {
        Some(pb) => {
            apply_remote(&txn, ctx, &o, b, &pb, None).await?;
            // The resident has the claim window from now (the hold may have been placed
            // late), within the partner's hold and before the session starts.
            let mut until = (now + Duration::from_std(ctx.claim).unwrap_or(Duration::hours(1)))
                .min(b.starts_at);
            if let Some(h) = pb.hold_expires_at {
                until = until.min(h.with_timezone(&Utc));
            }
            let offered = entry.as_ref().is_some_and(|e| e.status == "offered");
            booking::Entity::update_many()
                .col_expr(booking::Column::HoldExpiresAt, Expr::value(Some(until)))
                .filter(booking::Column::Id.eq(b.id))
                .exec(&txn)
                .await?;
            let held = booking::Entity::find_by_id(b.id)
                .one(&txn)
                .await?
                .is_some_and(|h| h.status == "held");
            match entry {
                Some(e) if offered && held => {
                    waitlist_entry::Entity::update_many()
                        .col_expr(waitlist_entry::Column::OfferedUntil, Expr::value(until))
                        .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(now))
                        .filter(waitlist_entry::Column::Id.eq(e.id))
                        .exec(&txn)
                        .await?;
                    crate::core::outbox::record(
                        &txn,
                        ctx.city_id,
                        "waitlist",
                        e.id,
                        "waitlist.offered",
                        serde_json::json!({
                            "booking_id": b.id,
                            "offer_id": o.id,
                            "user_id": e.user_id,
                            "starts_at": b.starts_at,
                            "offered_until": until,
                        }),
                    )
                    .await?;
                }
                _ => {
                    // The resident left the line meanwhile: the hold goes back to the
                    // partner (the reconciliation job sends the cancellation, and once
                    // the partner has it, offers the seat to the next in line).
                    booking::Entity::update_many()
                        .col_expr(booking::Column::Status, Expr::value("cancelled"))
                        .col_expr(booking::Column::UpdatedAt, Expr::value(now))
                        .filter(booking::Column::Id.eq(b.id))
                        .filter(booking::Column::Status.eq("held"))
                        .exec(&txn)
                        .await?;
                    mark_pending(&txn, b.id, "cancel").await?;
                }
            }
        }
        None => {
            // Nothing was held: the booking ends unseen (no booking event: nobody was
            // told of it) and the resident is back in line where they were.
            booking::Entity::update_many()
                .col_expr(booking::Column::Status, Expr::value("expired"))
                .col_expr(booking::Column::UpdatedAt, Expr::value(now))
                .filter(booking::Column::Id.eq(b.id))
                .filter(booking::Column::Status.eq("held"))
                .exec(&txn)
                .await?;
            waitlist_entry::Entity::update_many()
                .col_expr(waitlist_entry::Column::Status, Expr::value("waiting"))
                .col_expr(
                    waitlist_entry::Column::OfferedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    waitlist_entry::Column::BookingId,
                    Expr::value(Option::<Uuid>::None),
                )
                .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(now))
                .filter(waitlist_entry::Column::BookingId.eq(b.id))
                .filter(waitlist_entry::Column::Status.eq("offered"))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(true)
}
