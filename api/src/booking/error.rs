//! The errors of booking, as codes (see [`crate::core::error`]): one variant per
//! failure, with its stable code (the problem `type` the API has always answered), its
//! status and the values of its texts. The texts are in `errors-booking.ftl`.

use crate::core::error::{CommonError, ErrorCode, FieldMessage, Invalid};
use crate::core::message::{Arg, Message};
use crate::partners::PartnerConnectionError;

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Common(#[from] CommonError),
    #[error(transparent)]
    Connection(#[from] PartnerConnectionError),
    #[error(transparent)]
    Listing(#[from] crate::listings::error::ListingError),
    /// 409 `full`: no seat left at this time.
    #[error("fully booked")]
    Full,
    /// 409 `hold-expired`: the hold ran out.
    #[error("the hold ran out")]
    HoldExpired,
    /// 409 `hold-extended`: a hold is extended once at most.
    #[error("the hold was extended already")]
    HoldExtendedAlready,
    /// 409 `hold-not-extendable`: a partner keeps this hold and cannot extend it.
    #[error("the partner's hold cannot be extended")]
    HoldNotExtendable,
    /// 409 `already-booked`: the resident has a booking (or a waitlist place) at this time.
    #[error("already booked at this time")]
    AlreadyBooked,
    /// 409 `booking-limit`: as many active bookings as the offer allows.
    #[error("at most {max} active bookings")]
    BookingLimit { max: i32 },
    /// 409 `cancellation-deadline`: too late to change; `until` is the local deadline.
    #[error("changes were possible until {until}")]
    CancellationDeadline { until: String },
    /// 409 `wrong-status`: a booking in `status` cannot be confirmed.
    #[error("a {status} booking cannot be confirmed")]
    CannotConfirm { status: String },
    /// 409 `wrong-status`: a booking in `status` cannot be cancelled or rescheduled
    /// (`change`, in the API's English).
    #[error("a {status} booking cannot be {change}")]
    CannotChange {
        status: String,
        change: &'static str,
    },
    /// 409 `wrong-status`: a booking in `status` cannot become `to`.
    #[error("a {status} booking cannot become {to}")]
    CannotBecome { status: String, to: &'static str },
    /// 409 `wrong-status`: memberships are not rescheduled.
    #[error("a membership cannot be rescheduled")]
    MembershipNotMovable,
    /// 409 `changed`: the booking changed meanwhile.
    #[error("the booking changed meanwhile")]
    Changed,
    /// 409 `partner-managed`: the business decides in its own system.
    #[error("managed in the partner's system")]
    PartnerManaged,
    /// 409 `not-started`: no-show and completed only after the start.
    #[error("not started yet")]
    NotStarted,
    /// 409 `not-movable`: the booking cannot move (any more) (pages).
    #[error("the booking cannot be moved")]
    NotMovable,
    /// 409 `not-full`: the time still has a free seat (no waitlist needed).
    #[error("the time is not full")]
    NotFull,
    /// 409 `offer-has-bookings`: the booking system of an offer with active bookings.
    #[error("{active} active bookings")]
    OfferHasBookings { active: u64 },
    /// 412 `stale-version`: `If-Match` is not the current version `etag`.
    #[error("stale version, now {etag}")]
    StaleVersion { etag: String },
    /// 403 `forbidden`: only the listing's organization manages its offers.
    #[error("only the listing's organization manages its offers")]
    OffersForbidden,
    /// 403 `email-unverified`: booking (and the waitlist) needs a verified address.
    #[error("the account's email address is not verified")]
    EmailUnverified,
    /// 409 `partner-pending`: a partner call about this booking is unsettled.
    #[error("a partner call is unsettled")]
    PartnerPending,
    /// 409 `partner-refused`: the partner refused the hold.
    #[error("the partner refused the booking: {detail}")]
    PartnerRefused { detail: String },
    /// 409 `partner-refused`: the partner did not confirm.
    #[error("the partner did not confirm: {detail}")]
    PartnerNotConfirmed { detail: String },
    /// 409 `partner-refused`: the partner did not cancel.
    #[error("the partner did not cancel: {detail}")]
    PartnerNotCancelled { detail: String },
    /// 409 `partner-refused`: the partner did not move the booking.
    #[error("the partner did not move: {detail}")]
    PartnerNotMoved { detail: String },
    /// 503 `unavailable`: the partner does not answer.
    #[error("the partner does not answer")]
    PartnerUnavailable,
    /// 409 `offer-not-bookable`: the offer's connection is disabled (a paused module's,
    /// or one its business switched off): deliberately not bookable now, not an outage.
    #[error("the partner connection is disabled")]
    PartnerSwitchedOff,
    /// 503 `unavailable`: the confirmation's outcome is unknown; it is being checked.
    #[error("the partner's confirmation is unknown")]
    PartnerConfirmUnknown,
    /// 503 `unavailable`: the move's outcome is unknown; it is being checked.
    #[error("the partner's move is unknown")]
    PartnerRescheduleUnknown,
    /// 503 `unavailable`: a partner offer cannot be checked now.
    #[error("the partner offer cannot be checked")]
    PartnerOfferUnchecked,
    /// 503 `unavailable`: the webhook's secret cannot be opened.
    #[error("the webhook cannot be checked")]
    WebhookUnavailable,
    /// 400 `bad-request`: a form asked for a decision there is none of (pages).
    #[error("unknown decision")]
    UnknownDecision,
    /// 400 `idempotency-key-missing`.
    #[error("Idempotency-Key missing")]
    IdempotencyKeyMissing,
    /// 400 `idempotency-key-invalid`.
    #[error("Idempotency-Key invalid")]
    IdempotencyKeyInvalid,
    /// 422 `idempotency-key-reused`: the key came with another request.
    #[error("Idempotency-Key reused")]
    IdempotencyKeyReused,
    /// 409 `idempotency-key-in-flight`: the first request with the key is running.
    #[error("Idempotency-Key in flight")]
    IdempotencyKeyInFlight,
}

impl BookingError {
    /// 404 for a thing named in English (`booking`, `offer`, `waitlist entry`).
    pub fn not_found(what: &'static str) -> BookingError {
        CommonError::NotFound(what).into()
    }

    /// A 500 that should not happen, logged with `what`.
    pub fn internal(what: impl Into<String>) -> BookingError {
        CommonError::Internal(what.into()).into()
    }

    /// One invalid field.
    pub fn invalid(field: &str, message: Message) -> BookingError {
        Invalid::field(field, message).into()
    }

    /// The request header an idempotency error is about (the API names it as the
    /// problem's field).
    pub fn header(&self) -> Option<&'static str> {
        match self {
            Self::IdempotencyKeyMissing
            | Self::IdempotencyKeyInvalid
            | Self::IdempotencyKeyReused
            | Self::IdempotencyKeyInFlight => Some("Idempotency-Key"),
            _ => None,
        }
    }

    /// The message key of a variant whose code others share.
    fn key(&self) -> Option<&'static str> {
        Some(match self {
            Self::CannotConfirm { .. } => "problem-wrong-status-confirm",
            Self::CannotChange { .. } => "problem-wrong-status-change",
            Self::CannotBecome { .. } => "problem-wrong-status-become",
            Self::MembershipNotMovable => "problem-wrong-status-membership",
            Self::PartnerRefused { .. } => "problem-partner-refused-hold",
            Self::PartnerNotConfirmed { .. } => "problem-partner-refused-confirm",
            Self::PartnerNotCancelled { .. } => "problem-partner-refused-cancel",
            Self::PartnerNotMoved { .. } => "problem-partner-refused-move",
            Self::PartnerUnavailable => "problem-unavailable-partner",
            Self::PartnerConfirmUnknown => "problem-unavailable-partner-confirm",
            Self::PartnerRescheduleUnknown => "problem-unavailable-partner-move",
            Self::PartnerOfferUnchecked => "problem-unavailable-partner-offer",
            Self::WebhookUnavailable => "problem-unavailable-webhook",
            Self::OffersForbidden => "problem-forbidden-offers",
            Self::StaleVersion { .. } => "problem-stale-version-offer",
            Self::UnknownDecision => "problem-unknown-decision",
            _ => return None,
        })
    }
}

impl From<sea_orm::DbErr> for BookingError {
    fn from(e: sea_orm::DbErr) -> Self {
        CommonError::Db(e).into()
    }
}

impl From<Invalid> for BookingError {
    fn from(e: Invalid) -> Self {
        CommonError::Invalid(e).into()
    }
}

impl ErrorCode for BookingError {
    fn code(&self) -> &'static str {
        match self {
            Self::Common(e) => e.code(),
            Self::Connection(e) => e.code(),
            Self::Listing(e) => e.code(),
            Self::Full => "full",
            Self::HoldExpired => "hold-expired",
            Self::HoldExtendedAlready => "hold-extended",
            Self::HoldNotExtendable => "hold-not-extendable",
            Self::AlreadyBooked => "already-booked",
            Self::BookingLimit { .. } => "booking-limit",
            Self::CancellationDeadline { .. } => "cancellation-deadline",
            Self::CannotConfirm { .. }
            | Self::CannotChange { .. }
            | Self::CannotBecome { .. }
            | Self::MembershipNotMovable => "wrong-status",
            Self::Changed => "changed",
            Self::PartnerManaged => "partner-managed",
            Self::NotStarted => "not-started",
            Self::NotMovable => "not-movable",
            Self::NotFull => "not-full",
            Self::OfferHasBookings { .. } => "offer-has-bookings",
            Self::StaleVersion { .. } => "stale-version",
            Self::OffersForbidden => "forbidden",
            Self::EmailUnverified => "email-unverified",
            Self::PartnerPending => "partner-pending",
            Self::PartnerRefused { .. }
            | Self::PartnerNotConfirmed { .. }
            | Self::PartnerNotCancelled { .. }
            | Self::PartnerNotMoved { .. } => "partner-refused",
            Self::PartnerSwitchedOff => "offer-not-bookable",
            Self::PartnerUnavailable
            | Self::PartnerConfirmUnknown
            | Self::PartnerRescheduleUnknown
            | Self::PartnerOfferUnchecked
            | Self::WebhookUnavailable => "unavailable",
            Self::UnknownDecision => "bad-request",
            Self::IdempotencyKeyMissing => "idempotency-key-missing",
            Self::IdempotencyKeyInvalid => "idempotency-key-invalid",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::IdempotencyKeyInFlight => "idempotency-key-in-flight",
        }
    }
    fn status(&self) -> u16 {
        match self {
            Self::Common(e) => e.status(),
            Self::Connection(e) => e.status(),
            Self::Listing(e) => e.status(),
            Self::UnknownDecision | Self::IdempotencyKeyMissing | Self::IdempotencyKeyInvalid => {
                400
            }
            Self::OffersForbidden | Self::EmailUnverified => 403,
            Self::StaleVersion { .. } => 412,
            Self::IdempotencyKeyReused => 422,
            Self::PartnerUnavailable
            | Self::PartnerConfirmUnknown
            | Self::PartnerRescheduleUnknown
            | Self::PartnerOfferUnchecked
            | Self::WebhookUnavailable => 503,
            _ => 409,
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Self::Common(e) => e.args(),
            Self::Connection(e) => e.args(),
            Self::Listing(e) => e.args(),
            Self::BookingLimit { max } => vec![("max", Arg::from(*max))],
            Self::CancellationDeadline { until } => vec![("until", Arg::from(until))],
            Self::CannotConfirm { status } => vec![("status", Arg::from(status))],
            Self::CannotChange { status, change } => vec![
                ("status", Arg::from(status)),
                ("change", Arg::from(*change)),
            ],
            Self::CannotBecome { status, to } => {
                vec![("status", Arg::from(status)), ("to", Arg::from(*to))]
            }
            Self::OfferHasBookings { active } => vec![("n", Arg::from(*active))],
            Self::StaleVersion { etag } => vec![("etag", Arg::from(etag))],
            Self::PartnerRefused { detail }
            | Self::PartnerNotConfirmed { detail }
            | Self::PartnerNotCancelled { detail }
            | Self::PartnerNotMoved { detail } => vec![("detail", Arg::from(detail))],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            Self::Common(e) => e.fields(),
            Self::Connection(e) => e.fields(),
            Self::Listing(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            Self::Common(e) => e.internal(),
            Self::Connection(e) => e.internal(),
            Self::Listing(e) => e.internal(),
            _ => None,
        }
    }
    fn message(&self) -> Message {
        match self {
            Self::Common(e) => return e.message(),
            Self::Connection(e) => return e.message(),
            Self::Listing(e) => return e.message(),
            _ => {}
        }
        let key = self
            .key()
            .map(String::from)
            .unwrap_or_else(|| format!("problem-{}", self.code()));
        let mut m = Message::new(key);
        for (name, value) in self.args() {
            m = m.arg(name, value);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::{assert_codes, Problem};
    use crate::msg;
    use BookingError as E;

    fn field(key: &str) -> BookingError {
        BookingError::invalid("starts_at", msg!(key.to_string()))
    }

    #[test]
    fn every_error_has_a_code_a_status_and_texts() {
        let d = || "no".to_string();
        let mut cases = vec![
            (E::not_found("booking"), 404),
            (E::internal("boom"), 500),
            (sea_orm::DbErr::Custom("x".into()).into(), 500),
            (E::Connection(PartnerConnectionError::Unreachable), 503),
            (E::Full, 409),
            (E::HoldExpired, 409),
            (E::HoldExtendedAlready, 409),
            (E::HoldNotExtendable, 409),
            (E::AlreadyBooked, 409),
            (E::BookingLimit { max: 2 }, 409),
            (
                E::CancellationDeadline {
                    until: "2026-01-01 10:00".into(),
                },
                409,
            ),
            (
                E::CannotConfirm {
                    status: "cancelled".into(),
                },
                409,
            ),
            (
                E::CannotChange {
                    status: "cancelled".into(),
                    change: "rescheduled",
                },
                409,
            ),
            (
                E::CannotBecome {
                    status: "held".into(),
                    to: "confirmed",
                },
                409,
            ),
            (E::MembershipNotMovable, 409),
            (E::Changed, 409),
            (E::PartnerManaged, 409),
            (E::NotStarted, 409),
            (E::NotMovable, 409),
            (E::NotFull, 409),
            (E::OfferHasBookings { active: 2 }, 409),
            (
                E::StaleVersion {
                    etag: "\"3\"".into(),
                },
                412,
            ),
            (E::OffersForbidden, 403),
            (E::EmailUnverified, 403),
            (E::PartnerPending, 409),
            (E::PartnerRefused { detail: d() }, 409),
            (E::PartnerNotConfirmed { detail: d() }, 409),
            (E::PartnerNotCancelled { detail: d() }, 409),
            (E::PartnerNotMoved { detail: d() }, 409),
            (E::PartnerUnavailable, 503),
            (E::PartnerSwitchedOff, 409),
            (E::PartnerConfirmUnknown, 503),
            (E::PartnerRescheduleUnknown, 503),
            (E::PartnerOfferUnchecked, 503),
            (E::WebhookUnavailable, 503),
            (E::UnknownDecision, 400),
            (E::IdempotencyKeyMissing, 400),
            (E::IdempotencyKeyInvalid, 400),
            (E::IdempotencyKeyReused, 422),
            (E::IdempotencyKeyInFlight, 409),
        ];
        for key in FIELD_KEYS {
            cases.push((field(key), 422));
        }
        assert_codes(&cases);
    }

    /// Every field message booking writes.
    const FIELD_KEYS: &[&str] = &[
        "v-booking-required",
        "v-booking-membership-start-date",
        "v-booking-start-date-required",
        "v-booking-not-a-start-date",
        "v-booking-dst-gap",
        "v-booking-dst-gap-session",
        "v-booking-past",
        "v-booking-only-memberships",
        "v-booking-lead-time",
        "v-booking-horizon",
        "v-booking-not-a-time",
        "v-booking-not-a-session",
        "v-booking-phone",
        "v-booking-phone-needed",
        "v-booking-no-offer",
        "v-booking-no-waitlist",
        "v-booking-range",
        "v-booking-partner-ref-length",
        "v-booking-partner-not-allowed",
        "v-booking-kind-required",
        "v-booking-kind-not-allowed",
        "v-booking-one-range",
        "v-booking-time",
        "v-booking-choose-day",
        "v-booking-until-before-from",
        "v-booking-until-year",
        "v-booking-sessions-required",
        "v-booking-max-sessions",
        "v-booking-start-dates",
        "v-booking-partner-connection",
        "v-booking-partner-other-organization",
        "v-booking-partner-disabled",
        "v-booking-partner-unknown-offer",
        "v-booking-partner-kind",
        "v-booking-kind-fixed",
        "v-booking-partner-no-time",
        "v-booking-max-days-after",
        "v-booking-not-an-event",
        "v-booking-choose-time",
        "v-booking-whole-number",
        "v-booking-date-time",
        "v-booking-choose-connection",
    ];

    #[test]
    fn the_api_words_stay_as_they_were() {
        let detail = |e: BookingError| Problem::from_code(&e).detail.unwrap_or_default();
        assert_eq!(
            detail(E::BookingLimit { max: 1 }),
            "This offer allows 1 active booking(s) per resident."
        );
        assert_eq!(
            detail(E::CannotChange {
                status: "held".into(),
                change: "rescheduled"
            }),
            "A held booking cannot be rescheduled."
        );
        assert_eq!(
            detail(E::PartnerNotMoved {
                detail: "time taken (slot_taken)".into()
            }),
            "The business's booking system did not move the booking: time taken (slot_taken)"
        );
        let p = Problem::from_code(&E::IdempotencyKeyInFlight);
        assert_eq!(
            p.title,
            "A request with this Idempotency-Key is still being processed"
        );
        let p = Problem::from_code(&BookingError::invalid(
            "starts_at",
            msg!("v-booking-lead-time", n = 30),
        ));
        assert_eq!(p.errors[0].message, "must be at least 30 minutes from now");
    }
}
