//! The steps every booking shares, native or through a partner: status transitions
//! with their outbox events, seats and waitlists, resident limits, shared contact data.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::availability::appointment_slots;
use super::error::BookingError;
use super::model::OfferKind;
use super::model::*;
use super::offers;
use crate::core::email::Email;
use crate::core::identity::AuthUser;
use crate::core::validate::{is_valid_phone, text, Errors};
use crate::msg;
use entities::{booking, listing, offer, offer_slot, waitlist_entry};

/// Holds of these slots that ran out but are not expired yet (the sweeper runs every
/// second): their seats count as free.
pub async fn lapsed_holds<C: ConnectionTrait>(
    conn: &C,
    slot_ids: Vec<Uuid>,
) -> Result<std::collections::HashMap<Uuid, i32>, BookingError> {
    let rows: Vec<(Option<Uuid>, i32)> = booking::Entity::find()
        .select_only()
        .column(booking::Column::SlotId)
        .column(booking::Column::Seats)
        .filter(booking::Column::SlotId.is_in(slot_ids))
        .filter(booking::Column::Status.eq("held"))
        .filter(booking::Column::HoldExpiresAt.lte(Utc::now()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = std::collections::HashMap::new();
    for (slot, seats) in rows {
        if let Some(s) = slot {
            *out.entry(s).or_insert(0) += seats;
        }
    }
    Ok(out)
}

/// Where the booking goes: the slot (appointment or class) or the start date.
pub(crate) struct Target {
    pub(super) starts_at: DateTime<Utc>,
    pub(super) ends_at: Option<DateTime<Utc>>,
    /// The appointment capacity for a slot row created on its first booking.
    pub(super) new_slot_capacity: Option<i32>,
    pub(super) uses_slot: bool,
    /// The slot's id when it was read already (a class session).
    pub(super) slot_id: Option<Uuid>,
}

pub(crate) async fn resolve_target<C: ConnectionTrait>(
    db: &C,
    ctx: &Ctx,
    o: &offer::Model,
    input: &BookingInput,
    errors: &mut Errors,
) -> Result<Option<Target>, BookingError> {
    let now = Utc::now();
    let earliest = now + Duration::minutes(o.lead_time_minutes as i64);
    let latest = now + Duration::days(o.horizon_days as i64);
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    if kind == OfferKind::Membership {
        if input.starts_at.is_some() {
            errors.add("starts_at", msg!("v-booking-membership-start-date"));
        }
        let Some(date) = input.start_date else {
            errors.add("start_date", msg!("v-booking-start-date-required"));
            return Ok(None);
        };
        let plan = offers::membership_of(o)
            .ok_or_else(|| BookingError::internal("a membership without its plan"))?;
        if !plan.start_dates.contains(&date) {
            errors.add("start_date", msg!("v-booking-not-a-start-date"));
            return Ok(None);
        }
        let Some(start) =
            super::availability::local_to_utc(ctx.tz, date.and_hms_opt(0, 0, 0).expect("midnight"))
        else {
            errors.add("start_date", msg!("v-booking-dst-gap"));
            return Ok(None);
        };
        if date < now.with_timezone(&ctx.tz).date_naive() {
            errors.add("start_date", msg!("v-booking-past"));
            return Ok(None);
        }
        return Ok(Some(Target {
            starts_at: start,
            ends_at: None,
            new_slot_capacity: None,
            uses_slot: false,
            slot_id: None,
        }));
    }
    if input.start_date.is_some() {
        errors.add("start_date", msg!("v-booking-only-memberships"));
    }
    let Some(starts_at) = input.starts_at.map(|t| t.with_timezone(&Utc)) else {
        errors.add("starts_at", msg!("v-booking-required"));
        return Ok(None);
    };
    if starts_at < earliest {
        errors.add(
            "starts_at",
            msg!("v-booking-lead-time", n = o.lead_time_minutes.max(0)),
        );
        return Ok(None);
    }
    if starts_at > latest {
        errors.add("starts_at", msg!("v-booking-horizon", n = o.horizon_days));
        return Ok(None);
    }
    match kind {
        OfferKind::Appointment => {
            let (a, hours) = offers::hours_of(o)
                .ok_or_else(|| BookingError::internal("an appointment without its hours"))?;
            let day = starts_at.with_timezone(&ctx.tz).date_naive();
            let slot = appointment_slots(&hours, a.duration_minutes, ctx.tz, day, day)
                .into_iter()
                .filter(|_| !offers::holiday_closed(&a, &hours, ctx.holidays, day))
                .find(|s| s.start == starts_at);
            match slot {
                Some(s) => Ok(Some(Target {
                    starts_at: s.start,
                    ends_at: Some(s.end),
                    new_slot_capacity: Some(a.parallel as i32),
                    uses_slot: true,
                    slot_id: None,
                })),
                None => {
                    errors.add("starts_at", msg!("v-booking-not-a-time"));
                    Ok(None)
                }
            }
        }
        _ => {
            let session = offer_slot::Entity::find()
                .filter(offer_slot::Column::OfferId.eq(o.id))
                .filter(offer_slot::Column::StartsAt.eq(starts_at))
                .filter(offer_slot::Column::Status.eq("open"))
                .one(db)
                .await?;
            match session {
                Some(s) => Ok(Some(Target {
                    starts_at: s.starts_at,
                    ends_at: Some(s.ends_at),
                    new_slot_capacity: None,
                    uses_slot: true,
                    slot_id: Some(s.id),
                })),
                None => {
                    errors.add("starts_at", msg!("v-booking-not-a-session"));
                    Ok(None)
                }
            }
        }
    }
}

/// The contact details to share: only what the offer asks for.
pub(crate) async fn contact(
    user: &AuthUser,
    o: &offer::Model,
    input: &ContactInput,
    errors: &mut Errors,
) -> Result<BookingContact, BookingError> {
    // The account as read when the request was authenticated.
    let account = user;
    let name = text(errors, "contact.name", input.name.as_deref(), 200)
        .unwrap_or_else(|| account.display_name.clone());
    if name.trim().is_empty() {
        errors.add("contact.name", msg!("v-booking-required"));
    }
    let email = if o.collect_email {
        let e = text(errors, "contact.email", input.email.as_deref(), 254)
            .unwrap_or_else(|| account.email.clone());
        match Email::parse(&e) {
            Some(e) => Some(e.into_string()),
            None => {
                errors.add("contact.email", msg!("error-email-invalid"));
                Some(e)
            }
        }
    } else {
        None
    };
    let phone = if o.collect_phone {
        match text(errors, "contact.phone", input.phone.as_deref(), 40) {
            Some(p) if is_valid_phone(&p) => Some(p),
            Some(_) => {
                errors.add("contact.phone", msg!("v-booking-phone"));
                None
            }
            None => {
                errors.add("contact.phone", msg!("v-booking-phone-needed"));
                None
            }
        }
    } else {
        None
    };
    Ok(BookingContact { name, email, phone })
}

/// Makes one resident's bookings go one request at a time: a row lock on PostgreSQL.
/// On SQLite the transaction (begun with [`crate::core::db::begin_write`]) already holds the
/// only write lock.
pub(crate) async fn lock_user<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
) -> Result<(), BookingError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            [user_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The per-resident rules of an offer, checked inside the booking's transaction after
/// [`lock_user`]: one booking per time, and at most the offer's number of active ones.
pub(crate) async fn check_resident_limits<C: ConnectionTrait>(
    txn: &C,
    user_id: Uuid,
    o: &offer::Model,
    starts_at: DateTime<Utc>,
) -> Result<(), BookingError> {
    let mine = booking::Entity::find()
        .filter(booking::Column::UserId.eq(user_id))
        .filter(booking::Column::OfferId.eq(o.id))
        .filter(booking::Column::Status.is_in(ACTIVE))
        .filter(booking::Column::StartsAt.gte(Utc::now()));
    if mine
        .clone()
        .filter(booking::Column::StartsAt.eq(starts_at))
        .count(txn)
        .await?
        > 0
    {
        return Err(BookingError::AlreadyBooked);
    }
    if o.max_active_per_resident > 0 && mine.count(txn).await? >= o.max_active_per_resident as u64 {
        return Err(BookingError::BookingLimit {
            max: o.max_active_per_resident,
        });
    }
    Ok(())
}

/// Whether a move is the resident confirming a hold: the moment the booking's contact
/// details reach the business.
pub(crate) fn resident_confirms(from: &str, to: &str) -> bool {
    from == "held" && matches!(to, "requested" | "confirmed")
}

/// Moves a booking from one status to another if it is still in `from`; gives its seat
/// back when it leaves the active statuses. Returns whether it moved.
pub(crate) async fn transition<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    b: &booking::Model,
    from: &str,
    to: &str,
    extra: Option<sea_orm::Condition>,
) -> Result<bool, BookingError> {
    let now = Utc::now();
    let mut q = booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(to))
        .col_expr(booking::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            booking::Column::Version,
            Expr::col(booking::Column::Version).add(1),
        )
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::Status.eq(from));
    if resident_confirms(from, to) {
        q = q.col_expr(booking::Column::SharedAt, Expr::value(Some(now)));
    }
    if let Some(c) = extra {
        q = q.filter(c);
    }
    if q.exec(conn).await?.rows_affected != 1 {
        return Ok(false);
    }
    // A waitlist offer ends with its booking: claimed when confirmed, else expired.
    super::ledger::settle_offer(conn, b.id, to).await?;
    if ACTIVE.contains(&from) && !ACTIVE.contains(&to) {
        if let Some(slot) = b.slot_id {
            super::ledger::release_seat(conn, ctx, slot, b.seats).await?;
        } else if b.partner_ref.is_some() {
            // A seat the partner held for this booking (one it never had frees none).
            offer_partner_seat(conn, ctx, b.offer_id, b.starts_at).await?;
        }
    }
    let mut payload = serde_json::json!({ "offer_id": b.offer_id, "status": to, "from": from });
    // A booking through a module's connection is about that module too (its webhook,
    // `modules::delivery`): the offer's reference and the start, no resident data.
    if b.slot_id.is_none() {
        if let Some(o) = offer::Entity::find_by_id(b.offer_id).one(conn).await? {
            if let Some(module_id) = module_of(conn, &o).await? {
                payload["module_id"] = module_id.to_string().into();
                payload["offer_ref"] = o.partner_offer_ref.clone().into();
                payload["starts_at"] = serde_json::to_value(b.starts_at).unwrap_or_default();
            }
        }
    }
    crate::core::outbox::record(
        conn,
        ctx.city_id,
        "booking",
        b.id,
        &format!("booking.{to}"),
        payload,
    )
    .await?;
    Ok(true)
}

/// The module whose connection books an offer (`None` for native offers and a
/// business's own system): booking events about it go to that module too.
pub(crate) async fn module_of<C: ConnectionTrait>(
    conn: &C,
    o: &offer::Model,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    let Some(id) = o.partner_connection_id else {
        return Ok(None);
    };
    Ok(entities::partner_connection::Entity::find_by_id(id)
        .one(conn)
        .await?
        .and_then(|c| c.module_id))
}

/// Expires the holds that ran out (of one slot, or all), giving their seats back.
pub async fn expire_holds(
    db: &DatabaseConnection,
    ctx: &Ctx,
    slot: Option<(Uuid, DateTime<Utc>)>,
) -> Result<usize, BookingError> {
    let now = Utc::now();
    // A hold whose partner call is still unsettled is left to the reconciliation job.
    let mut q = booking::Entity::find()
        .filter(booking::Column::Status.eq("held"))
        .filter(booking::Column::HoldExpiresAt.lte(now))
        .filter(booking::Column::PartnerPending.is_null());
    if let Some((offer_id, starts_at)) = slot {
        q = q
            .filter(booking::Column::OfferId.eq(offer_id))
            .filter(booking::Column::StartsAt.eq(starts_at));
    }
    let stale = q.limit(500).all(db).await?;
    let mut n = 0;
    for b in stale {
        let txn = db.begin().await?;
        let moved = transition(
            &txn,
            ctx,
            &b,
            "held",
            "expired",
            Some(
                sea_orm::Condition::all()
                    .add(booking::Column::HoldExpiresAt.lte(now))
                    .add(booking::Column::PartnerPending.is_null()),
            ),
        )
        .await?;
        if moved && b.partner_ref.is_some() {
            // The partner's hold is given back too, by the reconciliation job.
            // (a call still unsettled is settled first; then this expiry shows)
            crate::booking::ledger::mark_pending(&txn, b.id, "cancel").await?;
        }
        txn.commit().await?;
        n += moved as usize;
    }
    Ok(n)
}

/// Whether the resident may still cancel or move the booking (`what` names the change
/// in the message): holds and requests before the start, confirmed bookings until the
/// offer's cancellation deadline.
pub(crate) fn changeable(
    ctx: &Ctx,
    b: &booking::Model,
    o: &offer::Model,
    what: &'static str,
) -> Result<(), BookingError> {
    let Some(until) = cancellable_until(b, o) else {
        return Err(BookingError::CannotChange {
            status: b.status.clone(),
            change: what,
        });
    };
    if Utc::now() >= until {
        return Err(BookingError::CancellationDeadline {
            until: local(ctx.tz, until).format("%Y-%m-%d %H:%M").to_string(),
        });
    }
    Ok(())
}

/// Who on the business side acts on an offer's bookings, for the access log.
pub(crate) async fn business_reader(
    db: &DatabaseConnection,
    user: &AuthUser,
    l: &listing::Model,
) -> Result<crate::privacy::service::Reader, BookingError> {
    if !crate::listings::service::can_edit(db, user, l)
        .await
        .map_err(BookingError::from)?
    {
        return Err(BookingError::not_found("offer"));
    }
    let membership = match l.organization_id {
        Some(org) => {
            entities::membership::Entity::find()
                .filter(entities::membership::Column::OrganizationId.eq(org))
                .filter(entities::membership::Column::UserId.eq(user.id))
                .one(db)
                .await?
        }
        None => None,
    };
    Ok(match membership {
        Some(m) => crate::privacy::service::Reader::Organization {
            user: user.id,
            organization: m.organization_id,
            role: m.role,
        },
        None => crate::privacy::service::Reader::CityStaff {
            user: user.id,
            role: user.staff_role.map_or("editor", |r| r.as_str()),
        },
    })
}

/// The contact fields a booking shares (`name` always).
pub(crate) fn shared_fields(b: &booking::Model) -> Vec<&'static str> {
    let mut f = vec!["name"];
    if b.contact_email.is_some() {
        f.push("email");
    }
    if b.contact_phone.is_some() {
        f.push("phone");
    }
    f
}

/// What a read of a booking's contact is, for the access log: the fields, the offer and
/// its time, shown in the resident's words (`privacy::log`).
pub(crate) fn access_resource(
    b: &booking::Model,
    o: &offer::Model,
) -> crate::core::message::Message {
    crate::msg!(
        "access-booking-data",
        booking = b.id.to_string(),
        fields = shared_fields(b).join(","),
        kind = o.kind.clone(),
        at = b.starts_at.to_rfc3339(),
        offer_de = o.name_de.clone(),
        offer_en = o.name_en.clone(),
    )
}

/// Takes one seat of the slot at `target` in `txn` (creating an appointment's slot row on
/// its first booking); returns the slot id, or 409 when it is full.
pub(crate) async fn take_seat<C: ConnectionTrait>(
    txn: &C,
    offer_id: Uuid,
    target: &Target,
) -> Result<Option<Uuid>, BookingError> {
    if let Some(capacity) = target.new_slot_capacity {
        offer_slot::Entity::insert(offer_slot::ActiveModel {
            id: Set(Uuid::new_v4()),
            offer_id: Set(offer_id),
            starts_at: Set(target.starts_at),
            ends_at: Set(target.ends_at.unwrap_or(target.starts_at)),
            capacity: Set(capacity),
            booked: Set(0),
            status: Set("open".into()),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([offer_slot::Column::OfferId, offer_slot::Column::StartsAt])
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(txn)
        .await?;
    }
    let taken = offer_slot::Entity::update_many()
        .col_expr(
            offer_slot::Column::Booked,
            Expr::col(offer_slot::Column::Booked).add(1),
        )
        .filter(offer_slot::Column::OfferId.eq(offer_id))
        .filter(offer_slot::Column::StartsAt.eq(target.starts_at))
        .filter(offer_slot::Column::Status.eq("open"))
        .filter(Expr::col(offer_slot::Column::Booked).lt(Expr::col(offer_slot::Column::Capacity)))
        .exec(txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(BookingError::Full);
    }
    if target.slot_id.is_some() {
        return Ok(target.slot_id);
    }
    Ok(offer_slot::Entity::find()
        .select_only()
        .column(offer_slot::Column::Id)
        .filter(offer_slot::Column::OfferId.eq(offer_id))
        .filter(offer_slot::Column::StartsAt.eq(target.starts_at))
        .into_tuple::<Uuid>()
        .one(txn)
        .await?)
}

/// Ends the waitlist offer whose held booking moved to `to`: claimed when the resident
/// confirmed it, expired otherwise.
pub(crate) async fn settle_offer<C: ConnectionTrait>(
    conn: &C,
    booking_id: Uuid,
    to: &str,
) -> Result<(), BookingError> {
    let status = match to {
        "confirmed" | "requested" => "claimed",
        "held" => return Ok(()),
        _ => "expired",
    };
    waitlist_entry::Entity::update_many()
        .col_expr(waitlist_entry::Column::Status, Expr::value(status))
        .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(waitlist_entry::Column::BookingId.eq(booking_id))
        .filter(waitlist_entry::Column::Status.eq("offered"))
        .exec(conn)
        .await?;
    Ok(())
}

/// Gives `seats` of a slot back: to the first in line on its waitlist as a held booking
/// (the seat stays taken), or, when nobody waits, to everyone.
pub(crate) async fn release_seat<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    slot_id: Uuid,
    seats: i32,
) -> Result<(), BookingError> {
    let now = Utc::now();
    loop {
        let next = waitlist_entry::Entity::find()
            .filter(waitlist_entry::Column::SlotId.eq(slot_id))
            .filter(waitlist_entry::Column::Status.eq("waiting"))
            .order_by_asc(waitlist_entry::Column::CreatedAt)
            .order_by_asc(waitlist_entry::Column::Id)
            .one(conn)
            .await?;
        let Some(e) = next else { break };
        let slot = offer_slot::Entity::find_by_id(slot_id)
            .one(conn)
            .await?
            .ok_or_else(|| BookingError::internal("a row read before is gone"))?;
        if slot.starts_at <= now {
            break; // too late to offer anyone this time
        }
        let until =
            now + chrono::Duration::from_std(ctx.claim).unwrap_or(chrono::Duration::hours(1));
        let until = until.min(slot.starts_at);
        let booking_id = Uuid::new_v4();
        // Only one release can take this entry (it stays in line otherwise).
        let taken = waitlist_entry::Entity::update_many()
            .col_expr(waitlist_entry::Column::Status, Expr::value("offered"))
            .col_expr(waitlist_entry::Column::OfferedUntil, Expr::value(until))
            .col_expr(waitlist_entry::Column::BookingId, Expr::value(booking_id))
            .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(now))
            .filter(waitlist_entry::Column::Id.eq(e.id))
            .filter(waitlist_entry::Column::Status.eq("waiting"))
            .exec(conn)
            .await?;
        if taken.rows_affected != 1 {
            continue;
        }
        let o = offer::Entity::find_by_id(slot.offer_id)
            .one(conn)
            .await?
            .ok_or_else(|| BookingError::internal("a row read before is gone"))?;
        let l = listing::Entity::find_by_id(o.listing_id)
            .one(conn)
            .await?
            .ok_or_else(|| BookingError::internal("a row read before is gone"))?;
        let (contact, shared) = waiting_contact(conn, &e, &l).await?;
        let text = |k: &str| contact.get(k).and_then(|v| v.as_str()).map(String::from);
        booking::ActiveModel {
            id: Set(booking_id),
            city_id: Set(ctx.city_id),
            offer_id: Set(o.id),
            slot_id: Set(Some(slot_id)),
            user_id: Set(e.user_id),
            status: Set("held".into()),
            starts_at: Set(slot.starts_at),
            ends_at: Set(Some(slot.ends_at)),
            seats: Set(seats),
            hold_extended_at: Set(None),
            hold_expires_at: Set(Some(until)),
            contact_name: Set(text("name").unwrap_or_default()),
            contact_email: Set(text("email")),
            contact_phone: Set(text("phone")),
            shared: Set(shared),
            // A seat held for the next in line shares nothing until they confirm.
            shared_at: Set(None),
            partner_ref: Set(None),
            partner_pending: Set(None),
            partner_pending_since: Set(None),
            partner_checked_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(conn)
        .await?;
        crate::core::outbox::record(
            conn,
            ctx.city_id,
            "waitlist",
            e.id,
            "waitlist.offered",
            serde_json::json!({
                "booking_id": booking_id,
                "offer_id": o.id,
                "user_id": e.user_id,
                "starts_at": slot.starts_at,
                "offered_until": until,
            }),
        )
        .await?;
        return Ok(());
    }
    offer_slot::Entity::update_many()
        .col_expr(
            offer_slot::Column::Booked,
            Expr::col(offer_slot::Column::Booked).sub(seats),
        )
        .filter(offer_slot::Column::Id.eq(slot_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The contact details a waiting resident agreed to share, and the booking's record of
/// what it shares with whom (`{with, fields}`).
async fn waiting_contact<C: ConnectionTrait>(
    conn: &C,
    e: &waitlist_entry::Model,
    l: &listing::Model,
) -> Result<(serde_json::Value, serde_json::Value), BookingError> {
    let contact = e.contact.clone().unwrap_or_default();
    let mut fields = vec!["name"];
    for k in ["email", "phone"] {
        if contact.get(k).and_then(|v| v.as_str()).is_some() {
            fields.push(k);
        }
    }
    let with = match l.organization_id {
        Some(org) => entities::organization::Entity::find_by_id(org)
            .one(conn)
            .await?
            .map(|o| o.name),
        None => None,
    }
    .unwrap_or_else(|| l.name_de.clone());
    Ok((
        contact,
        serde_json::json!({ "with": with, "fields": fields }),
    ))
}

/// The partner call that places the hold of a seat given to the first in line on a
/// partner session's waitlist (see [`offer_partner_seat`]).
pub const WAITLIST_HOLD: &str = "waitlist-hold";

/// A seat of a partner session was given back through the portal: it goes to the first
/// in line on the session's waitlist, if anyone waits.
///
/// The partner keeps the seats, so the seat cannot simply be handed over here: in `conn`
/// (the transaction that gives the seat back) the entry is taken (`offered`, by a
/// compare-and-set: of two give-backs at once each takes another entry) and a held
/// booking is recorded for them, marked with the partner call [`WAITLIST_HOLD`]. The
/// hold itself (no personal data, as every hold) is placed after the commit
/// (`partner::place_waitlist_holds`), or, when the server stops before that, by the
/// reconciliation job; only then is the resident told (`waitlist.offered`). When the
/// partner refuses it (someone outside the portal took the seat) the entry is back in
/// line at its place. Returns the new booking's id.
pub(crate) async fn offer_partner_seat<C: ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    offer_id: Uuid,
    starts_at: DateTime<Utc>,
) -> Result<Option<Uuid>, BookingError> {
    let now = Utc::now();
    if starts_at <= now {
        return Ok(None);
    }
    // A partner session's waitlist hangs on the portal's row of that session.
    let Some(slot) = offer_slot::Entity::find()
        .filter(offer_slot::Column::OfferId.eq(offer_id))
        .filter(offer_slot::Column::StartsAt.eq(starts_at))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    loop {
        let Some(e) = waitlist_entry::Entity::find()
            .filter(waitlist_entry::Column::SlotId.eq(slot.id))
            .filter(waitlist_entry::Column::Status.eq("waiting"))
            .order_by_asc(waitlist_entry::Column::CreatedAt)
            .order_by_asc(waitlist_entry::Column::Id)
            .one(conn)
            .await?
        else {
            return Ok(None);
        };
        let until =
            (now + Duration::from_std(ctx.claim).unwrap_or(Duration::hours(1))).min(slot.starts_at);
        let booking_id = Uuid::new_v4();
        let taken = waitlist_entry::Entity::update_many()
            .col_expr(waitlist_entry::Column::Status, Expr::value("offered"))
            .col_expr(waitlist_entry::Column::OfferedUntil, Expr::value(until))
            .col_expr(waitlist_entry::Column::BookingId, Expr::value(booking_id))
            .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(now))
            .filter(waitlist_entry::Column::Id.eq(e.id))
            .filter(waitlist_entry::Column::Status.eq("waiting"))
            .exec(conn)
            .await?;
        if taken.rows_affected != 1 {
            continue;
        }
        let o = offer::Entity::find_by_id(offer_id)
            .one(conn)
            .await?
            .ok_or_else(|| BookingError::internal("a row read before is gone"))?;
        let l = listing::Entity::find_by_id(o.listing_id)
            .one(conn)
            .await?
            .ok_or_else(|| BookingError::internal("a row read before is gone"))?;
        let (contact, mut shared) = waiting_contact(conn, &e, &l).await?;
        if let Some(c) = o.partner_connection_id {
            if let Some(m) = entities::partner_connection::Entity::find_by_id(c)
                .one(conn)
                .await?
            {
                shared["via"] = m.name.into();
            }
        }
        let text = |k: &str| contact.get(k).and_then(|v| v.as_str()).map(String::from);
        booking::ActiveModel {
            id: Set(booking_id),
            city_id: Set(ctx.city_id),
            offer_id: Set(o.id),
            // The partner keeps the seat: the booking takes none of the portal's row.
            slot_id: Set(None),
            user_id: Set(e.user_id),
            status: Set("held".into()),
            starts_at: Set(slot.starts_at),
            ends_at: Set(Some(slot.ends_at)),
            seats: Set(1),
            hold_extended_at: Set(None),
            hold_expires_at: Set(Some(until)),
            contact_name: Set(text("name").unwrap_or_default()),
            contact_email: Set(text("email")),
            contact_phone: Set(text("phone")),
            shared: Set(shared),
            // Shared with the partner when the resident confirms, not with the hold.
            shared_at: Set(None),
            partner_ref: Set(None),
            partner_pending: Set(Some(WAITLIST_HOLD.into())),
            partner_pending_since: Set(Some(now)),
            partner_checked_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(conn)
        .await?;
        return Ok(Some(booking_id));
    }
}

/// Marks a booking with a partner call whose outcome is not settled yet, unless another
/// call is unsettled (then false: one partner call per booking at a time).
pub async fn mark_pending<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    call: &str,
) -> Result<bool, BookingError> {
    let r = booking::Entity::update_many()
        .col_expr(booking::Column::PartnerPending, Expr::value(call))
        .col_expr(
            booking::Column::PartnerPendingSince,
            Expr::value(Utc::now()),
        )
        .filter(booking::Column::Id.eq(id))
        .filter(booking::Column::PartnerPending.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Clears the mark of a settled partner call, if it is still that call's.
pub async fn clear_pending<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    call: &str,
) -> Result<(), BookingError> {
    booking::Entity::update_many()
        .col_expr(
            booking::Column::PartnerPending,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            booking::Column::PartnerPendingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(booking::Column::Id.eq(id))
        .filter(booking::Column::PartnerPending.eq(call))
        .exec(conn)
        .await?;
    Ok(())
}
