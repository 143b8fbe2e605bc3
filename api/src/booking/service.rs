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
use poem_openapi::Object;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::availability::appointment_slots;
use super::idempotency::{self, Claim};
use super::offers::{self, OfferKind};
use crate::core::identity::AuthUser;
use crate::core::problem::Problem;
use crate::core::validate::{is_valid_email, is_valid_phone, text, Errors};
use crate::listings::model::LocalizedText;
use crate::privacy::service::texts;
use entities::{booking, listing, offer, offer_slot};

/// Statuses that hold a seat.
pub const ACTIVE: [&str; 3] = ["held", "requested", "confirmed"];

/// The resident's contact details for a booking.
#[derive(Object, Clone, Debug, Default, serde::Serialize)]
pub struct ContactInput {
    /// Default: the account's display name.
    pub name: Option<String>,
    /// Only used when the offer asks for it; default: the account's email.
    pub email: Option<String>,
    /// Only used when the offer asks for it; then required.
    pub phone: Option<String>,
}

/// A new booking.
#[derive(Object, Clone, Debug)]
pub struct BookingInput {
    pub offer_id: Uuid,
    /// For appointments and classes: the start of the slot or session, as listed by the
    /// availability endpoint.
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// For memberships: one of the plan's start dates.
    pub start_date: Option<NaiveDate>,
    /// `true`: keep the seat for a few minutes while the resident reviews what is shared,
    /// then `POST /bookings/{id}/confirm`. `false` (default): confirm at once.
    #[oai(default)]
    pub hold: bool,
    #[oai(default)]
    pub contact: ContactInput,
}

/// The resident data a booking shares.
#[derive(Object, Clone, Debug)]
pub struct BookingContact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A booking.
#[derive(Object, Clone, Debug)]
pub struct Booking {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub offer_name: LocalizedText,
    pub offer_kind: OfferKind,
    pub listing_id: Uuid,
    pub listing_slug: String,
    pub listing_name: LocalizedText,
    /// `held`, `requested` (awaiting the business), `confirmed`, `rejected`, `expired`,
    /// `cancelled`, `completed`, `no_show`.
    pub status: String,
    /// In the city's time zone.
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// While `held`: the seat is kept until then.
    pub hold_expires_at: Option<DateTime<FixedOffset>>,
    /// Until when the resident can cancel; absent once that is past or not applicable.
    pub cancellable_until: Option<DateTime<FixedOffset>>,
    /// Exactly what this booking shares...
    pub contact: BookingContact,
    /// ...and with whom.
    pub shared_with: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything a booking is shown with.
pub struct BookingView {
    pub booking: booking::Model,
    pub offer: offer::Model,
    pub listing: listing::Model,
}

fn local(tz: chrono_tz::Tz, t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&tz).fixed_offset()
}

/// Until when a booking can be cancelled by its resident.
pub fn cancellable_until(b: &booking::Model, o: &offer::Model) -> Option<DateTime<Utc>> {
    match b.status.as_str() {
        "held" | "requested" => Some(b.starts_at),
        "confirmed" => Some(b.starts_at - Duration::minutes(o.cancel_deadline_minutes as i64)),
        _ => None,
    }
}

impl BookingView {
    pub fn to_api(&self, tz: chrono_tz::Tz) -> Booking {
        let b = &self.booking;
        let now = Utc::now();
        Booking {
            id: b.id,
            offer_id: b.offer_id,
            offer_name: LocalizedText {
                de: self.offer.name_de.clone(),
                en: self.offer.name_en.clone(),
            },
            offer_kind: OfferKind::parse(&self.offer.kind).unwrap_or(OfferKind::Appointment),
            listing_id: self.listing.id,
            listing_slug: self.listing.slug.clone(),
            listing_name: LocalizedText {
                de: self.listing.name_de.clone(),
                en: self.listing.name_en.clone(),
            },
            status: b.status.clone(),
            starts_at: local(tz, b.starts_at),
            ends_at: b.ends_at.map(|t| local(tz, t)),
            hold_expires_at: b
                .hold_expires_at
                .filter(|_| b.status == "held")
                .map(|t| local(tz, t)),
            cancellable_until: cancellable_until(b, &self.offer)
                .filter(|t| *t > now)
                .map(|t| local(tz, t)),
            contact: BookingContact {
                name: b.contact_name.clone(),
                email: b.contact_email.clone(),
                phone: b.contact_phone.clone(),
            },
            shared_with: b
                .shared
                .get("with")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            version: b.version,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// What the booking context needs from the server.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub city_id: Uuid,
    /// How long the first in line on a waitlist has to confirm the seat held for them.
    pub claim: std::time::Duration,
    pub tz: chrono_tz::Tz,
    pub hold: std::time::Duration,
    /// Partner connections: secrets key, tokens, circuits.
    pub partners: &'static crate::partners::Partners,
}

impl Ctx {
    /// The booking settings of the running server.
    pub fn of(state: &crate::web::state::AppState) -> Ctx {
        Ctx {
            city_id: state.city.id,
            tz: state.city.timezone,
            hold: state.config.booking_hold,
            claim: state.config.waitlist_claim,
            partners: state.partners,
        }
    }
}

pub(crate) fn hold_expired() -> Problem {
    Problem::conflict(
        "hold-expired",
        "The hold ran out and the seat was released. Book again if it is still free.",
    )
}

/// Holds of these slots that ran out but are not expired yet (the sweeper runs every
/// second): their seats count as free.
pub async fn lapsed_holds<C: ConnectionTrait>(
    conn: &C,
    slot_ids: Vec<Uuid>,
) -> Result<std::collections::HashMap<Uuid, i32>, Problem> {
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

pub(crate) fn full() -> Problem {
    Problem::conflict(
        "full",
        "This time is fully booked. Choose another time or join the waitlist.",
    )
}

/// Where the booking goes: the slot (appointment or class) or the start date.
pub(super) struct Target {
    pub(super) starts_at: DateTime<Utc>,
    pub(super) ends_at: Option<DateTime<Utc>>,
    /// The appointment capacity for a slot row created on its first booking.
    pub(super) new_slot_capacity: Option<i32>,
    pub(super) uses_slot: bool,
    /// The slot's id when it was read already (a class session).
    pub(super) slot_id: Option<Uuid>,
}

pub(super) async fn resolve_target<C: ConnectionTrait>(
    db: &C,
    ctx: Ctx,
    o: &offer::Model,
    input: &BookingInput,
    errors: &mut Errors,
) -> Result<Option<Target>, Problem> {
    let now = Utc::now();
    let earliest = now + Duration::minutes(o.lead_time_minutes as i64);
    let latest = now + Duration::days(o.horizon_days as i64);
    let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
    if kind == OfferKind::Membership {
        if input.starts_at.is_some() {
            errors.add("starts_at", "not used for memberships; give start_date");
        }
        let Some(date) = input.start_date else {
            errors.add("start_date", "required for a membership");
            return Ok(None);
        };
        let plan = offers::membership_of(o).ok_or_else(Problem::internal)?;
        if !plan.start_dates.contains(&date) {
            errors.add("start_date", "not one of the plan's start dates");
            return Ok(None);
        }
        let Some(start) =
            super::availability::local_to_utc(ctx.tz, date.and_hms_opt(0, 0, 0).expect("midnight"))
        else {
            errors.add("start_date", "does not exist in the city's time zone");
            return Ok(None);
        };
        if date < now.with_timezone(&ctx.tz).date_naive() {
            errors.add("start_date", "is in the past");
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
        errors.add("start_date", "only for memberships; give starts_at");
    }
    let Some(starts_at) = input.starts_at.map(|t| t.with_timezone(&Utc)) else {
        errors.add("starts_at", "required");
        return Ok(None);
    };
    if starts_at < earliest {
        errors.add(
            "starts_at",
            format!(
                "must be at least {} minutes from now",
                o.lead_time_minutes.max(0)
            ),
        );
        return Ok(None);
    }
    if starts_at > latest {
        errors.add(
            "starts_at",
            format!("must be at most {} days ahead", o.horizon_days),
        );
        return Ok(None);
    }
    match kind {
        OfferKind::Appointment => {
            let (a, hours) = offers::hours_of(o).ok_or_else(Problem::internal)?;
            let day = starts_at.with_timezone(&ctx.tz).date_naive();
            let slot = appointment_slots(&hours, a.duration_minutes, ctx.tz, day, day)
                .into_iter()
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
                    errors.add("starts_at", "not a bookable time of this offer");
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
                    errors.add("starts_at", "not a session of this class");
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
) -> Result<BookingContact, Problem> {
    // The account as read when the request was authenticated.
    let account = user;
    let name = text(errors, "contact.name", input.name.as_deref(), 200)
        .unwrap_or_else(|| account.display_name.clone());
    if name.trim().is_empty() {
        errors.add("contact.name", "required");
    }
    let email = if o.collect_email {
        let e = text(errors, "contact.email", input.email.as_deref(), 254)
            .unwrap_or_else(|| account.email.clone());
        if !is_valid_email(&e) {
            errors.add("contact.email", "must be an email address");
        }
        Some(e)
    } else {
        None
    };
    let phone = if o.collect_phone {
        match text(errors, "contact.phone", input.phone.as_deref(), 40) {
            Some(p) if is_valid_phone(&p) => Some(p),
            Some(_) => {
                errors.add("contact.phone", "must be a phone number");
                None
            }
            None => {
                errors.add("contact.phone", "this offer needs a phone number");
                None
            }
        }
    } else {
        None
    };
    Ok(BookingContact { name, email, phone })
}

/// A listing's name as a recipient of shared data (German first, as stored).
pub(crate) fn listing_name(l: &listing::Model) -> String {
    if l.name_de.is_empty() {
        l.name_en.clone()
    } else {
        l.name_de.clone()
    }
}

/// Makes one resident's bookings go one request at a time: a row lock on PostgreSQL.
/// On SQLite the transaction (begun with [`crate::core::db::begin_write`]) already holds the
/// only write lock.
pub(crate) async fn lock_user<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<(), Problem> {
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
) -> Result<(), Problem> {
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
        return Err(Problem::conflict(
            "already-booked",
            "You already have a booking at this time.",
        ));
    }
    if o.max_active_per_resident > 0 && mine.count(txn).await? >= o.max_active_per_resident as u64 {
        return Err(Problem::conflict(
            "booking-limit",
            format!(
                "This offer allows {} active booking(s) per resident.",
                o.max_active_per_resident
            ),
        ));
    }
    Ok(())
}

/// Creates a booking. With a claim, the response is stored with it, in its transaction.
pub async fn create(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    input: &BookingInput,
    claim: Option<&Claim>,
) -> Result<(BookingView, String), Problem> {
    // The offer and the time are read in the booking's own transaction: one pooled
    // connection for the whole booking (sqlx tests every connection given back to the
    // pool with a round trip).
    let txn = crate::core::db::begin_write(db).await?;
    let (o, l, with) = offers::find_for_booking(&txn, ctx.city_id, input.offer_id)
        .await?
        .filter(|(o, l, _)| offers::is_public(o, l))
        .ok_or_else(|| Problem::invalid("offer_id", "no bookable offer with this id"))?;
    if o.partner_connection_id.is_some() {
        txn.rollback().await?;
        return crate::partners::booking::create(db, ctx, user, input, (o, l, &with), claim).await;
    }
    let mut errors = Errors::default();
    let target = resolve_target(&txn, ctx, &o, input, &mut errors).await?;
    let contact = contact(user, &o, &input.contact, &mut errors).await?;
    let target = errors.into_result(target)?.ok_or_else(Problem::internal)?;
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
        Err(p) if target.uses_slot && p.code() == "full" => {
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
    ctx: Ctx,
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
    ) -> Result<(BookingView, String), Problem> {
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
            hold_expires_at: Set(input
                .hold
                .then(|| now + Duration::from_std(ctx.hold).unwrap_or(Duration::minutes(5)))),
            contact_name: Set(contact.name.clone()),
            contact_email: Set(contact.email.clone()),
            contact_phone: Set(contact.phone.clone()),
            shared: Set(serde_json::json!({ "with": with, "fields": fields })),
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
                .map_err(|_| Problem::internal())?;
        if let Some(c) = claim {
            idempotency::finish(&txn, c, 201, &body).await?;
        }
        txn.commit().await?;
        Ok((view, body))
    }
}

/// Moves a booking from one status to another if it is still in `from`; gives its seat
/// back when it leaves the active statuses. Returns whether it moved.
pub(crate) async fn transition<C: ConnectionTrait>(
    conn: &C,
    ctx: Ctx,
    b: &booking::Model,
    from: &str,
    to: &str,
    extra: Option<sea_orm::Condition>,
) -> Result<bool, Problem> {
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
    if let Some(c) = extra {
        q = q.filter(c);
    }
    if q.exec(conn).await?.rows_affected != 1 {
        return Ok(false);
    }
    // A waitlist offer ends with its booking: claimed when confirmed, else expired.
    super::waitlist::settle_offer(conn, b.id, to).await?;
    if ACTIVE.contains(&from) && !ACTIVE.contains(&to) {
        if let Some(slot) = b.slot_id {
            super::waitlist::release_seat(conn, ctx, slot, b.seats).await?;
        }
    }
    crate::core::outbox::record(
        conn,
        ctx.city_id,
        "booking",
        b.id,
        &format!("booking.{to}"),
        serde_json::json!({ "offer_id": b.offer_id, "status": to, "from": from }),
    )
    .await?;
    Ok(true)
}

/// Expires the holds that ran out (of one slot, or all), giving their seats back.
pub async fn expire_holds(
    db: &DatabaseConnection,
    ctx: Ctx,
    slot: Option<(Uuid, DateTime<Utc>)>,
) -> Result<usize, Problem> {
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
            crate::partners::booking::mark_pending(&txn, b.id, "cancel").await?;
        }
        txn.commit().await?;
        n += moved as usize;
    }
    Ok(n)
}

/// A booking of this user, with its offer and listing.
pub async fn mine(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, Problem> {
    let b = booking::Entity::find_by_id(id)
        .filter(booking::Column::UserId.eq(user.id))
        .filter(booking::Column::CityId.eq(ctx.city_id))
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found("booking"))?;
    let (o, l) = offers::find_with_listing(db, ctx.city_id, b.offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("booking"))?;
    Ok(BookingView {
        booking: b,
        offer: o,
        listing: l,
    })
}

/// The user's bookings, soonest first, after `after` (a booking id) for paging.
pub async fn list_mine(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<BookingView>, bool), Problem> {
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
    ctx: Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, Problem> {
    let v = mine(db, ctx, user, id).await?;
    if v.offer.partner_connection_id.is_some() {
        return crate::partners::booking::confirm(db, ctx, v).await;
    }
    let to = if v.offer.confirmation == "approval" {
        "requested"
    } else {
        "confirmed"
    };
    match v.booking.status.as_str() {
        "held" => {}
        s if s == to => return Ok(v), // confirming twice is harmless
        "expired" => return Err(hold_expired()),
        s => {
            return Err(Problem::conflict(
                "wrong-status",
                format!("A {s} booking cannot be confirmed."),
            ))
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
        return Err(hold_expired());
    }
    mine(db, ctx, user, id).await
}

/// Whether the resident may still cancel or move the booking (`what` names the change
/// in the message): holds and requests before the start, confirmed bookings until the
/// offer's cancellation deadline.
pub(crate) fn changeable(
    ctx: Ctx,
    b: &booking::Model,
    o: &offer::Model,
    what: &str,
) -> Result<(), Problem> {
    let Some(until) = cancellable_until(b, o) else {
        return Err(Problem::conflict(
            "wrong-status",
            format!("A {} booking cannot be {what}.", b.status),
        ));
    };
    if Utc::now() >= until {
        return Err(Problem::conflict(
            "cancellation-deadline",
            format!(
                "Changes were possible until {}; contact the business.",
                local(ctx.tz, until).format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    Ok(())
}

/// The resident cancels: holds and requests any time before the start, confirmed
/// bookings until the offer's cancellation deadline.
pub async fn cancel(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    id: Uuid,
) -> Result<BookingView, Problem> {
    let v = mine(db, ctx, user, id).await?;
    let b = &v.booking;
    if b.status == "cancelled" {
        return Ok(v);
    }
    changeable(ctx, b, &v.offer, "cancelled")?;
    if v.offer.partner_connection_id.is_some() {
        return crate::partners::booking::cancel(db, ctx, v).await;
    }
    let txn = db.begin().await?;
    let moved = transition(&txn, ctx, b, &b.status, "cancelled", None).await?;
    txn.commit().await?;
    if !moved {
        return Err(Problem::conflict(
            "changed",
            "The booking changed meanwhile; reload it.",
        ));
    }
    mine(db, ctx, user, id).await
}

/// Expires holds and old idempotency keys until `stop` resolves.
pub async fn run_sweeper(db: DatabaseConnection, ctx: Ctx) {
    let mut rounds: u64 = 0;
    loop {
        if let Err(e) = expire_holds(&db, ctx, None).await {
            tracing::warn!(error = %e.title, "expiring booking holds failed");
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

/// Who on the business side acts on an offer's bookings, for the access log.
async fn business_reader(
    db: &DatabaseConnection,
    user: &AuthUser,
    l: &listing::Model,
) -> Result<crate::privacy::service::Reader, Problem> {
    if !crate::listings::service::can_edit(db, user, l).await? {
        return Err(Problem::not_found("offer"));
    }
    Ok(match l.organization_id {
        Some(org) if crate::listings::service::is_member(db, org, user.id).await? => {
            crate::privacy::service::Reader::Organization {
                user: user.id,
                organization: org,
            }
        }
        _ => crate::privacy::service::Reader::CityStaff(user.id),
    })
}

fn shared_fields(b: &booking::Model) -> String {
    let mut f = vec!["name"];
    if b.contact_email.is_some() {
        f.push("email");
    }
    if b.contact_phone.is_some() {
        f.push("phone");
    }
    f.join(", ")
}

/// The bookings of an offer between two instants, for its business: every booking
/// shown writes an access record for its resident.
pub async fn for_business(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    offer_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BookingView>, Problem> {
    let (o, l) = offers::find_with_listing(db, ctx.city_id, offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("offer"))?;
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
    for b in &rows {
        crate::privacy::service::record_access(
            &txn,
            ctx.city_id,
            b.user_id,
            &reader,
            &texts::fill(
                texts::BOOKING,
                &[
                    ("booking", &b.id.to_string()),
                    ("fields", &shared_fields(b)),
                ],
            ),
            &texts::fill(texts::PURPOSE_BOOKING_LIST, &[("offer", name)]),
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
    ctx: Ctx,
    user: &AuthUser,
    id: Uuid,
    decision: Decision,
) -> Result<BookingView, Problem> {
    let b = booking::Entity::find_by_id(id)
        .filter(booking::Column::CityId.eq(ctx.city_id))
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found("booking"))?;
    let (o, l) = offers::find_with_listing(db, ctx.city_id, b.offer_id)
        .await?
        .ok_or_else(|| Problem::not_found("booking"))?;
    let reader = business_reader(db, user, &l)
        .await
        .map_err(|_| Problem::not_found("booking"))?;
    if o.partner_connection_id.is_some() {
        return Err(Problem::conflict(
            "partner-managed",
            "This booking is managed in the business's own booking system; decide it there.",
        ));
    }
    let (from, to) = match decision {
        Decision::Approve => ("requested", "confirmed"),
        Decision::Reject => ("requested", "rejected"),
        Decision::NoShow => ("confirmed", "no_show"),
        Decision::Completed => ("confirmed", "completed"),
    };
    if matches!(decision, Decision::NoShow | Decision::Completed) && Utc::now() < b.starts_at {
        return Err(Problem::conflict(
            "not-started",
            "No-show and completed can be recorded once the booking has started.",
        ));
    }
    if b.status == to {
        // Deciding twice is harmless.
    } else if b.status != from {
        return Err(Problem::conflict(
            "wrong-status",
            format!("A {} booking cannot become {to}.", b.status),
        ));
    } else {
        let txn = db.begin().await?;
        let moved = transition(&txn, ctx, &b, from, to, None).await?;
        if !moved {
            return Err(Problem::conflict(
                "changed",
                "The booking changed meanwhile; reload it.",
            ));
        }
        crate::privacy::service::record_access(
            &txn,
            ctx.city_id,
            b.user_id,
            &reader,
            &texts::fill(
                texts::BOOKING,
                &[
                    ("booking", &b.id.to_string()),
                    ("fields", &shared_fields(&b)),
                ],
            ),
            &texts::fill(texts::PURPOSE_BOOKING_MARKED, &[("status", to)]),
        )
        .await?;
        txn.commit().await?;
    }
    let b = booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Problem::not_found("booking"))?;
    Ok(BookingView {
        booking: b,
        offer: o,
        listing: l,
    })
}

/// Takes one seat of the slot at `target` in `txn` (creating an appointment's slot row on
/// its first booking); returns the slot id, or 409 when it is full.
pub(super) async fn take_seat<C: ConnectionTrait>(
    txn: &C,
    offer_id: Uuid,
    target: &Target,
) -> Result<Option<Uuid>, Problem> {
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
        return Err(full());
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

/// Moves a booking to another time of the same offer: the new seat is taken and the old
/// one released in one transaction, so the resident never holds two seats or none.
/// Allowed while the booking could be cancelled.
pub async fn reschedule(
    db: &DatabaseConnection,
    ctx: Ctx,
    user: &AuthUser,
    id: Uuid,
    starts_at: DateTime<FixedOffset>,
) -> Result<BookingView, Problem> {
    let v = mine(db, ctx, user, id).await?;
    let b = &v.booking;
    if v.offer.partner_connection_id.is_some() {
        return crate::partners::booking::reschedule(db, ctx, v, starts_at).await;
    }
    if b.slot_id.is_none() {
        return Err(Problem::conflict(
            "wrong-status",
            "A membership cannot be rescheduled; cancel it and request another start date.",
        ));
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
    let target = errors.into_result(target)?.ok_or_else(Problem::internal)?;
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
        return Err(Problem::conflict(
            "changed",
            "The booking changed meanwhile; reload it.",
        ));
    }
    if let Some(old) = b.slot_id {
        super::waitlist::release_seat(&txn, ctx, old, b.seats).await?;
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
