//! `/api/v1/listings/{id}/offers`, `/api/v1/offers/...` and `/api/v1/bookings/...`.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use poem::web::Data;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::error::BookingError;
use super::idempotency::{self, Begin};
use super::model::OfferKind;
use super::model::{Booking, BookingInput};
use super::offers::{self, Offer, OfferInput};
use super::service::{self, Decision};
use super::waitlist::{self, WaitlistEntry, WaitlistInput};
use crate::core::error::ErrorCode;
use crate::core::param::Required;
use crate::core::problem::{ApiError, FieldError, Problem};
use crate::core::scope::Scope;
use crate::listings::api::{decode_cursor, encode_cursor};
use crate::listings::service::IfMatch;
use crate::msg;
use crate::web::api_tags::ApiTags;
use crate::web::auth::{self, AppAuth};
use crate::web::json_body::PreJson;
use crate::web::state::AppState;

/// The offers of a listing.
#[derive(Object)]
pub struct OfferList {
    pub items: Vec<Offer>,
}

/// A time that can be booked, and how many seats are left.
#[derive(Object)]
pub struct AvailableSlot {
    /// In the city's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// Absent for membership start dates.
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Absent for membership start dates (no seat limit).
    pub capacity: Option<u32>,
    pub remaining: Option<u32>,
}

/// An offer's bookable times in a window.
#[derive(Object)]
pub struct Availability {
    pub offer_id: Uuid,
    pub kind: OfferKind,
    /// The IANA time zone the times are given in.
    pub timezone: String,
    pub slots: Vec<AvailableSlot>,
}

/// One page of bookings.
#[derive(Object)]
pub struct BookingPage {
    pub items: Vec<Booking>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum OfferCreated {
    /// Created.
    #[oai(status = 201)]
    Created(
        Json<Offer>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

#[derive(ApiResponse)]
pub enum OfferResponse {
    /// The offer.
    #[oai(status = 200)]
    Ok(Json<Offer>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum BookingCreated {
    /// Created; a repeat with the same `Idempotency-Key` and body gets this same answer.
    #[oai(status = 201)]
    Created(PreJson<Booking>, #[oai(header = "Location")] String),
}

async fn offer_ok(
    db: &sea_orm::DatabaseConnection,
    m: entities::offer::Model,
) -> Result<OfferResponse, BookingError> {
    let etag = crate::listings::service::etag(m.version);
    let o = offers::to_api_all(db, std::slice::from_ref(&m))
        .await?
        .pop()
        .ok_or_else(|| BookingError::internal("an offer without its view"))?;
    Ok(OfferResponse::Ok(Json(o), etag))
}

fn parse_id(id: &str, what: &'static str) -> Result<Uuid, BookingError> {
    Uuid::parse_str(id).map_err(|_| BookingError::not_found(what))
}

/// A booking error as the API answers it; an error about the `Idempotency-Key` header
/// also names the header as the problem's field.
fn problem(e: &BookingError) -> Problem {
    let mut p = Problem::from_code(e);
    if let Some(header) = e.header() {
        p.errors.push(FieldError {
            field: header.into(),
            message: p.detail.clone().unwrap_or_default(),
        });
    }
    p
}

pub struct OffersApi;

#[OpenApi(tag = "ApiTags::Booking")]
impl OffersApi {
    /// List a listing's offers
    ///
    /// Active offers of a published listing; its organization also sees drafts and
    /// archived ones.
    #[oai(
        path = "/listings/:id/offers",
        method = "get",
        operation_id = "list_offers"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        req: &Request,
        /// Listing id or slug.
        id: Path<String>,
    ) -> Result<Json<OfferList>, ApiError> {
        let user = auth::optional_user(req).await?;
        let items =
            offers::list_for_listing(&state.db, state.city.id, user.as_ref(), &id.0).await?;
        Ok(Json(OfferList {
            items: offers::to_api_all(&state.db, &items).await?,
        }))
    }

    /// Add an offer to a listing
    ///
    /// For members of the listing's organization (city staff for municipal services).
    /// Class sessions are created from `class.sessions` and `class.recurrence`.
    #[oai(
        path = "/listings/:id/offers",
        method = "post",
        operation_id = "create_offer"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        /// Listing id or slug.
        id: Path<String>,
        body: Json<OfferInput>,
    ) -> Result<OfferCreated, ApiError> {
        let m = offers::create(
            &state.db,
            &state.partners,
            state.city.id,
            state.city.timezone,
            auth.user(Scope::ListingsWrite)?,
            &id.0,
            body.0,
        )
        .await?;
        Ok(OfferCreated::Created(
            Json(offers::to_api(&m)),
            crate::listings::service::etag(m.version),
            format!("/api/v1/offers/{}", m.id),
        ))
    }

    /// Get an offer
    #[oai(path = "/offers/:id", method = "get", operation_id = "get_offer")]
    async fn get(
        &self,
        state: Data<&AppState>,
        req: &Request,
        id: Path<String>,
    ) -> Result<OfferResponse, ApiError> {
        let user = auth::optional_user(req).await?;
        let id = parse_id(&id.0, "offer")?;
        let (o, _) = offers::get(&state.db, state.city.id, user.as_ref(), id).await?;
        Ok(offer_ok(&state.db, o).await?)
    }

    /// Update an offer
    ///
    /// Replaces its fields; the kind stays. Sessions no longer listed are cancelled when
    /// nobody booked them; booked ones stay.
    #[oai(path = "/offers/:id", method = "put", operation_id = "update_offer")]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::ListingsWrite")] auth: AppAuth,
        id: Path<String>,
        /// The ETag last read (optional).
        #[oai(
            name = "If-Match",
            validator(pattern = r#"^[ \t]*(\*|"[^"]*"([ \t]*,[ \t]*"[^"]*")*)?[ \t]*$"#)
        )]
        if_match: Header<Option<String>>,
        body: Json<OfferInput>,
    ) -> Result<OfferResponse, ApiError> {
        let id = parse_id(&id.0, "offer")?;
        let if_match = if_match.0.as_deref().map(IfMatch::parse).transpose()?;
        let m = offers::update(
            &state.db,
            &state.partners,
            state.city.id,
            state.city.timezone,
            auth.user(Scope::ListingsWrite)?,
            id,
            if_match.as_ref(),
            body.0,
        )
        .await?;
        Ok(offer_ok(&state.db, m).await?)
    }

    /// An offer's availability
    ///
    /// The bookable times between two local dates (at most 31 days), with the seats
    /// left, in the city's time zone (correct across daylight-saving changes). Times
    /// inside the offer's lead time or beyond its horizon are left out.
    #[oai(
        path = "/offers/:id/availability",
        method = "get",
        operation_id = "offer_availability"
    )]
    async fn availability(
        &self,
        state: Data<&AppState>,
        req: &Request,
        id: Path<String>,
        /// First local date (default: today).
        from: Query<Option<NaiveDate>>,
        /// Last local date, inclusive (default: `from` + 6 days).
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<Availability>, ApiError> {
        let user = auth::optional_user(req).await?;
        let id = parse_id(&id.0, "offer")?;
        let tz = state.city.timezone;
        let today = Utc::now().with_timezone(&tz).date_naive();
        let from = from.0.unwrap_or(today);
        let to = to.0.unwrap_or(from + Duration::days(6));
        from_in_window(from, today)?;
        if to < from {
            return Err(BookingError::invalid("to", msg!("v-booking-until-before-from")).into());
        }
        if (to - from).num_days() > 30 {
            return Err(
                BookingError::invalid("to", msg!("v-booking-max-days-after", n = 31)).into(),
            );
        }
        let (o, _) = offers::get(&state.db, state.city.id, user.as_ref(), id).await?;
        let kind = OfferKind::parse(&o.kind).unwrap_or(OfferKind::Appointment);
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).fixed_offset();
        let times =
            super::service::bookable_times(&state.db, &state.booking_ctx(), &o, from, to).await?;
        let slots = times
            .into_iter()
            .map(|t| AvailableSlot {
                starts_at: local(t.start),
                ends_at: t.end.map(local),
                capacity: t.capacity,
                remaining: t.remaining,
            })
            .collect();
        Ok(Json(Availability {
            offer_id: o.id,
            kind,
            timezone: tz.name().to_string(),
            slots,
        }))
    }
}

pub struct BookingsApi;

#[OpenApi(tag = "ApiTags::Booking")]
impl BookingsApi {
    /// Book
    ///
    /// Takes a seat of an appointment time or class session, or requests a membership.
    /// Requires an `Idempotency-Key` header (a new random value per booking, e.g. a UUID;
    /// kept 24 hours): repeating a request with the same key and body answers exactly as
    /// the first time and never books twice; the same key with another body is refused
    /// (422), and while the first request is still running a repeat gets 409. A full time
    /// answers 409 `/problems/full`. With `hold: true` the seat is kept for a few minutes
    /// until `POST /bookings/{id}/confirm`.
    #[oai(path = "/bookings", method = "post", operation_id = "create_booking")]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        /// A unique key for this booking (1-255 visible ASCII characters); required
        /// (without it: 400 `idempotency-key-missing`).
        #[oai(name = "Idempotency-Key")]
        key: Header<Required<idempotency::KeyHeader>>,
        body: Json<BookingInput>,
    ) -> Result<BookingCreated, ApiError> {
        let user = auth.user(Scope::BookingsWrite)?;
        // Before the key is stored: once verified, the same request books.
        if !user.email_verified {
            return Err(problem(&BookingError::EmailUnverified).into());
        }
        let key = idempotency::parse_key(key.0 .0.as_ref().map(|k| k.0.as_str()))
            .map_err(|e| problem(&e))?;
        let hash = idempotency::request_hash(
            "POST",
            "/api/v1/bookings",
            &body.0.to_json().unwrap_or_default(),
        );
        let begun = idempotency::begin(&state.db, user.id, &key, &hash).await;
        let claim = match begun.map_err(|e| problem(&e))? {
            Begin::Replay { status, body } => return Ok(replay(status, body)?),
            Begin::Proceed(c) => c,
        };
        match service::create(&state.db, &state.booking_ctx(), user, &body.0, Some(&claim)).await {
            Ok((view, json)) => Ok(BookingCreated::Created(
                PreJson::from_bytes(json.into()),
                format!("/api/v1/bookings/{}", view.booking.id),
            )),
            Err(e) if e.status() < 500 => {
                let p = problem(&e);
                let json = serde_json::to_string(&p).unwrap_or_default();
                idempotency::finish(&state.db, &claim, p.status, &json).await?;
                Err(p.into())
            }
            Err(e) => {
                idempotency::abandon(&state.db, &claim).await;
                Err(e.into())
            }
        }
    }

    /// My bookings
    #[oai(path = "/bookings", method = "get", operation_id = "list_my_bookings")]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsRead")] auth: AppAuth,
        /// From `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{21}[AQgw]$"))]
        cursor: Query<Option<String>>,
        /// Page size, 1-100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<BookingPage>, ApiError> {
        let limit = limit.0.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(BookingError::invalid(
                "limit",
                msg!("v-booking-range", min = 1, max = 100),
            )
            .into());
        }
        let after = cursor.0.as_deref().map(decode_cursor).transpose()?;
        let c = state.booking_ctx();
        let (views, more) = service::list_mine(
            &state.db,
            &c,
            auth.user(Scope::BookingsRead)?,
            after,
            limit as u64,
        )
        .await?;
        Ok(Json(BookingPage {
            next_cursor: if more {
                views.last().map(|v| encode_cursor(v.booking.id))
            } else {
                None
            },
            items: views.iter().map(|v| v.to_api(c.tz)).collect(),
        }))
    }

    /// One of my bookings
    #[oai(path = "/bookings/:id", method = "get", operation_id = "get_booking")]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsRead")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::mine(
            &state.db,
            &c,
            auth.user(Scope::BookingsRead)?,
            parse_id(&id.0, "booking")?,
        )
        .await?;
        Ok(Json(v.to_api(c.tz)))
    }

    /// Confirm a hold
    ///
    /// `confirmed`, or `requested` when the business approves each booking. A hold that
    /// ran out answers 409 `/problems/hold-expired`.
    #[oai(
        path = "/bookings/:id/confirm",
        method = "post",
        operation_id = "confirm_booking"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::confirm(
            &state.db,
            &c,
            auth.user(Scope::BookingsWrite)?,
            parse_id(&id.0, "booking")?,
        )
        .await?;
        Ok(Json(v.to_api(c.tz)))
    }

    /// Extend a hold
    ///
    /// Keeps a held seat longer, by the hold's length again (`BOOKING_HOLD_SECONDS`),
    /// once per hold and before it runs out. A second extension answers 409
    /// `/problems/hold-extended`, a hold that ran out 409 `/problems/hold-expired`, and a
    /// hold a partner's booking system keeps 409 `/problems/hold-not-extendable`.
    #[oai(
        path = "/bookings/:id/extend",
        method = "post",
        operation_id = "extend_booking_hold"
    )]
    async fn extend(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::extend_hold(
            &state.db,
            &c,
            auth.user(Scope::BookingsWrite)?,
            parse_id(&id.0, "booking")?,
        )
        .await?;
        Ok(Json(v.to_api(c.tz)))
    }

    /// Move a booking to another time
    ///
    /// Same offer, another free time; possible while the booking could be cancelled.
    /// The new seat is taken and the old one released together.
    #[oai(
        path = "/bookings/:id/reschedule",
        method = "post",
        operation_id = "reschedule_booking"
    )]
    async fn reschedule(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        id: Path<String>,
        body: Json<RescheduleInput>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::reschedule(
            &state.db,
            &c,
            auth.user(Scope::BookingsWrite)?,
            parse_id(&id.0, "booking")?,
            body.0.starts_at,
        )
        .await?;
        Ok(Json(v.to_api(c.tz)))
    }

    /// Cancel a booking
    ///
    /// Holds and requests any time before the start; confirmed bookings until the offer's
    /// cancellation deadline (after it: 409 `/problems/cancellation-deadline`). The seat
    /// is released at once.
    #[oai(
        path = "/bookings/:id/cancel",
        method = "post",
        operation_id = "cancel_booking"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::cancel(
            &state.db,
            &c,
            auth.user(Scope::BookingsWrite)?,
            parse_id(&id.0, "booking")?,
        )
        .await?;
        Ok(Json(v.to_api(c.tz)))
    }
}

/// A business's decision on a booking.
#[derive(Object)]
pub struct DecisionInput {
    pub decision: Decision,
}

pub struct BusinessBookingsApi;

#[OpenApi(tag = "ApiTags::Booking")]
impl BusinessBookingsApi {
    /// An offer's bookings (for its business)
    ///
    /// For members of the listing's organization (city staff for municipal services).
    /// Each booking shown is recorded in its resident's access log.
    #[oai(
        path = "/offers/:id/bookings",
        method = "get",
        operation_id = "list_offer_bookings"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
        /// First local date (default: today).
        from: Query<Option<NaiveDate>>,
        /// Last local date, inclusive (default: `from` + 30 days; at most 92 days).
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<BookingPage>, ApiError> {
        let c = state.booking_ctx();
        let today = Utc::now().with_timezone(&c.tz).date_naive();
        let from = from.0.unwrap_or(today);
        let to = to.0.unwrap_or(from + Duration::days(30));
        from_in_window(from, today)?;
        if to < from {
            return Err(BookingError::invalid("to", msg!("v-booking-until-before-from")).into());
        }
        if (to - from).num_days() > 91 {
            return Err(
                BookingError::invalid("to", msg!("v-booking-max-days-after", n = 92)).into(),
            );
        }
        let start = |d: NaiveDate| {
            super::availability::local_to_utc(c.tz, d.and_hms_opt(0, 0, 0).unwrap())
                .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).unwrap().and_utc())
        };
        let views = service::for_business(
            &state.db,
            &c,
            auth.user(Scope::OrganizationsManage)?,
            parse_id(&id.0, "offer")?,
            start(from),
            start(to + Duration::days(1)),
        )
        .await?;
        Ok(Json(BookingPage {
            items: views.iter().map(|v| v.to_business_api(c.tz)).collect(),
            next_cursor: None,
        }))
    }

    /// Decide on a booking (for its business)
    ///
    /// `approve` or `reject` a requested booking; record `no_show` or `completed` once a
    /// confirmed booking has started.
    #[oai(
        path = "/bookings/:id/decision",
        method = "post",
        operation_id = "decide_booking"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
        body: Json<DecisionInput>,
    ) -> Result<Json<Booking>, ApiError> {
        let c = state.booking_ctx();
        let v = service::decide(
            &state.db,
            &c,
            auth.user(Scope::OrganizationsManage)?,
            parse_id(&id.0, "booking")?,
            body.0.decision,
        )
        .await?;
        Ok(Json(v.to_business_api(c.tz)))
    }
}

#[derive(ApiResponse)]
pub enum WaitlistJoined {
    /// In line (or already in line: the same entry).
    #[oai(status = 201)]
    Created(Json<WaitlistEntry>),
}

#[derive(ApiResponse)]
pub enum WaitlistLeft {
    /// Left; a seat held for you goes to the next in line.
    #[oai(status = 204)]
    NoContent,
}

/// My waitlist entries.
#[derive(Object)]
pub struct WaitlistList {
    pub items: Vec<WaitlistEntry>,
}

pub struct WaitlistApi;

#[OpenApi(tag = "ApiTags::Booking")]
impl WaitlistApi {
    /// Join the waitlist of a full time
    ///
    /// For a full appointment time or class session, also one a business's own booking
    /// system keeps. When a seat is given back, the first in line gets it held as a
    /// booking (`status: held`) and is notified, and has `WAITLIST_CLAIM_MINUTES` to
    /// confirm it (at most as long as the partner holds it); then it goes to the next.
    /// Nothing is sent to a partner before the resident confirms. A time with a free
    /// seat answers 409 `/problems/not-full` (book it instead).
    #[oai(path = "/waitlist", method = "post", operation_id = "join_waitlist")]
    async fn join(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        body: Json<WaitlistInput>,
    ) -> Result<WaitlistJoined, ApiError> {
        let e = waitlist::join(
            &state.db,
            &state.booking_ctx(),
            auth.user(Scope::BookingsWrite)?,
            &body.0,
        )
        .await?;
        Ok(WaitlistJoined::Created(Json(e)))
    }

    /// My waitlist entries
    #[oai(path = "/waitlist", method = "get", operation_id = "list_my_waitlist")]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsRead")] auth: AppAuth,
    ) -> Result<Json<WaitlistList>, ApiError> {
        let items = waitlist::list_mine(
            &state.db,
            &state.booking_ctx(),
            auth.user(Scope::BookingsRead)?,
        )
        .await?;
        Ok(Json(WaitlistList { items }))
    }

    /// Leave a waitlist
    #[oai(
        path = "/waitlist/:id",
        method = "delete",
        operation_id = "leave_waitlist"
    )]
    async fn leave(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BookingsWrite")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<WaitlistLeft, ApiError> {
        let id = parse_id(&id.0, "waitlist entry")?;
        waitlist::leave(
            &state.db,
            &state.booking_ctx(),
            auth.user(Scope::BookingsWrite)?,
            id,
        )
        .await?;
        Ok(WaitlistLeft::NoContent)
    }
}

/// A new time for a booking.
#[derive(Object)]
pub struct RescheduleInput {
    /// A start listed by the offer's availability.
    pub starts_at: DateTime<FixedOffset>,
}

/// The stored answer to the first request with an `Idempotency-Key`.
fn replay(status: u16, body: String) -> Result<BookingCreated, Problem> {
    if status == 201 {
        let id = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["id"].as_str().map(String::from))
            .unwrap_or_default();
        return Ok(BookingCreated::Created(
            PreJson::from_bytes(body.into()),
            format!("/api/v1/bookings/{id}"),
        ));
    }
    Err(serde_json::from_str(&body).unwrap_or_else(|_| Problem::internal()))
}

/// 422 at `from` for a first date outside the window input may name.
fn from_in_window(from: NaiveDate, today: NaiveDate) -> Result<(), BookingError> {
    let mut e = crate::core::validate::Errors::default();
    crate::core::validate::date_in_window(&mut e, "from", from, today);
    e.into_result(()).map_err(BookingError::from)
}
