//! What a booking is: its statuses, inputs and views, the booking context, and the
//! conflicts every booking path answers.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use super::availability::local_to_utc;
use crate::listings::model::LocalizedText;
use entities::{booking, listing, offer};

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
    /// While `held`: whether `POST /bookings/{id}/extend` can still keep the seat longer
    /// (once per hold, for bookings the portal keeps).
    pub hold_extendable: bool,
    /// Until when the resident can cancel; absent once that is past or not applicable.
    pub cancellable_until: Option<DateTime<FixedOffset>>,
    /// Exactly what this booking shares... In a business's view it is absent until the
    /// resident confirms: a hold (and a hold that expired or was released) shows the
    /// business only that a time is held.
    #[oai(skip_serializing_if_is_none)]
    pub contact: Option<BookingContact>,
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

pub(crate) fn local(tz: chrono_tz::Tz, t: DateTime<Utc>) -> DateTime<FixedOffset> {
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
    /// Whether the booking's contact details have reached the business (the resident
    /// confirmed, or booked without a hold).
    pub fn is_shared(&self) -> bool {
        self.booking.shared_at.is_some()
    }

    /// Whether the resident can still extend the hold: held, not run out, not extended
    /// before, kept by the portal (a partner keeps its own holds).
    pub fn hold_extendable(&self) -> bool {
        let b = &self.booking;
        b.status == "held"
            && b.hold_extended_at.is_none()
            && b.hold_expires_at.is_some_and(|t| t > Utc::now())
            && self.offer.partner_connection_id.is_none()
    }

    /// The business's view: the contact only once it is shared.
    pub fn to_business_api(&self, tz: chrono_tz::Tz) -> Booking {
        let mut b = self.to_api(tz);
        if !self.is_shared() {
            b.contact = None;
        }
        b
    }

    /// The resident's view of their own booking.
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
            hold_extendable: self.hold_extendable(),
            cancellable_until: cancellable_until(b, &self.offer)
                .filter(|t| *t > now)
                .map(|t| local(tz, t)),
            contact: Some(BookingContact {
                name: b.contact_name.clone(),
                email: b.contact_email.clone(),
                phone: b.contact_phone.clone(),
            }),
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

/// What the booking context needs from the server. Cheap to clone; pass it by
/// reference.
#[derive(Clone)]
pub struct Ctx {
    pub city_id: Uuid,
    /// How long the first in line on a waitlist has to confirm the seat held for them.
    pub claim: std::time::Duration,
    pub tz: chrono_tz::Tz,
    pub hold: std::time::Duration,
    /// The region whose public holidays close offers that follow them.
    pub holidays: Option<crate::core::holidays::Region>,
    /// Partner connections: secrets key, tokens, circuits.
    pub partners: std::sync::Arc<crate::partners::Partners>,
}

/// A listing's name as a recipient of shared data (German first, as stored).
pub(crate) fn listing_name(l: &listing::Model) -> String {
    if l.name_de.is_empty() {
        l.name_en.clone()
    } else {
        l.name_de.clone()
    }
}

/// A bookable time (or a membership's start date) and the seats left.
#[derive(Clone, Debug)]
pub struct TimeSlot {
    pub start: DateTime<Utc>,
    /// Absent for membership start dates.
    pub end: Option<DateTime<Utc>>,
    /// Seats left; absent for memberships (no limit).
    pub remaining: Option<u32>,
    /// Seats in all; absent for memberships.
    pub capacity: Option<u32>,
}

/// The midnight that starts a local date.
pub fn day_start(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    local_to_utc(tz, midnight).unwrap_or_else(|| midnight.and_utc())
}

/// Today in the city.
pub fn today(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// What kind of thing is booked.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum OfferKind {
    /// A time with someone (duration, several in parallel).
    Appointment,
    /// A seat in a dated session.
    Class,
    /// A membership plan starting on a date.
    Membership,
}

impl OfferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::Appointment => "appointment",
            OfferKind::Class => "class",
            OfferKind::Membership => "membership",
        }
    }
    pub fn parse(s: &str) -> Option<OfferKind> {
        match s {
            "appointment" => Some(OfferKind::Appointment),
            "class" => Some(OfferKind::Class),
            "membership" => Some(OfferKind::Membership),
            _ => None,
        }
    }
}
