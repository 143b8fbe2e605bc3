//! The request and response bodies of the Partner Booking API and its webhooks.
//!
//! Every type serializes the same way through serde and through poem-openapi, so a client
//! (the portal) may use them as they are.

use chrono::{DateTime, FixedOffset};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

/// What kind of thing an offer books.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// A slot of fixed duration with a number of parallel places (e.g. an intro session).
    Appointment,
    /// A dated session with seats (e.g. a yoga class).
    Class,
    /// A membership plan starting on one of the offered start dates.
    Membership,
}

/// How a booking of the offer becomes confirmed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// `confirm` answers `confirmed` at once.
    Instant,
    /// `confirm` answers `pending`; the business approves or rejects later and the
    /// partner sends a `booking.confirmed` or `booking.rejected` webhook.
    Approval,
}

/// Data about the resident that an offer needs, sent with the confirmation. `name` is
/// always shared.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ResidentField {
    Name,
    Email,
    Phone,
}

/// The status of a booking at the partner.
///
/// `held → confirmed | pending | cancelled | expired`, `pending → confirmed | rejected |
/// cancelled`, `confirmed → cancelled`. `cancelled`, `expired` and `rejected` are final.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Seats are reserved until `hold_expires_at`; confirm before then.
    Held,
    /// Confirmed by the portal, waiting for the business's approval (memberships).
    Pending,
    /// The booking stands.
    Confirmed,
    /// Cancelled by the portal (or the business); the seats are free again.
    Cancelled,
    /// The hold was not confirmed in time; the seats are free again.
    Expired,
    /// The business declined the booking; `status_reason` may say why.
    Rejected,
}

impl BookingStatus {
    /// Whether the status can never change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            BookingStatus::Cancelled | BookingStatus::Expired | BookingStatus::Rejected
        )
    }

    /// Whether the booking occupies seats.
    pub fn occupies_seats(self) -> bool {
        matches!(
            self,
            BookingStatus::Held | BookingStatus::Pending | BookingStatus::Confirmed
        )
    }

    /// The lowercase name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Held => "held",
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Expired => "expired",
            BookingStatus::Rejected => "rejected",
        }
    }
}

/// Whether the booking system works.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Ready to answer availability and take bookings.
    Ok,
    /// Answers, but some functions may fail (e.g. availability is stale).
    Degraded,
}

/// The answer of `GET /partner/v1/health`.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`, or `degraded` when some functions may fail.
    pub status: HealthStatus,
    /// The partner's current time (RFC 3339), to spot clock skew that would break hold
    /// expiry and webhook timestamps.
    pub time: DateTime<FixedOffset>,
}

/// A membership plan.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembershipPlan {
    /// The plan's name as residents see it, e.g. `Monthly membership`.
    pub plan: String,
    /// The billing period as an ISO 8601 duration, e.g. `P1M` or `P1Y`.
    pub period: String,
    /// The price as display text, e.g. `49 € / month`. The portal shows it verbatim and
    /// never charges anything.
    pub price_text: String,
}

/// A bookable offer of the partner.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The partner's stable id of the offer (1–100 characters of `A-Za-z0-9._-`). The
    /// portal stores it on its own offer.
    pub offer_id: String,
    /// The name residents see.
    pub name: String,
    /// A longer description, plain text.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `appointment`, `class` or `membership`.
    pub kind: OfferKind,
    /// `instant`, or `approval` when the business approves each booking.
    pub confirmation: Confirmation,
    /// Length of a slot or session in minutes (appointments and classes).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// The plan (memberships only).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<MembershipPlan>,
    /// The resident data a confirmation must carry; `name` is always among them. The
    /// portal shares nothing else, and nothing at all before the resident confirms.
    pub resident_fields: Vec<ResidentField>,
}

/// The answer of `GET /partner/v1/offers`.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferList {
    /// Every bookable offer.
    pub offers: Vec<Offer>,
    /// The IANA time zone the partner's calendar runs in, e.g. `Europe/Helsinki`. Times in
    /// answers carry the UTC offset valid in that zone at that instant.
    pub time_zone: String,
}

/// A batch availability lookup.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityRequest {
    /// The offers to look up (1–50 ids; unknown ids are listed in `unknown_offer_ids`).
    #[oai(validator(min_items = 1, max_items = 50))]
    pub offer_ids: Vec<String>,
    /// Start of the window (RFC 3339 with offset): slots starting at or after it.
    pub from: DateTime<FixedOffset>,
    /// End of the window (RFC 3339 with offset): slots starting before it. At most 62
    /// days after `from`.
    pub to: DateTime<FixedOffset>,
}

/// One slot (appointment), session (class) or start date (membership).
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// When it starts (RFC 3339 with offset). For a membership: the first day, 00:00 in
    /// the partner's time zone. A hold names a slot by exactly this instant.
    pub start: DateTime<FixedOffset>,
    /// When it ends. For a membership: the end of the first period.
    pub end: DateTime<FixedOffset>,
    /// Seats or places in total.
    pub capacity: u32,
    /// Seats or places not held or booked (0 = full).
    pub remaining: u32,
}

/// The slots of one offer in the window.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferAvailability {
    /// The offer looked up.
    pub offer_id: String,
    /// Its kind.
    pub kind: OfferKind,
    /// The IANA time zone of the offer's calendar.
    pub time_zone: String,
    /// Its slots in the window in ascending `start` order, full ones included (with
    /// `remaining` 0). Past slots are never listed.
    pub slots: Vec<Slot>,
}

/// The answer of an availability lookup.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityResponse {
    /// One entry per known requested offer, in the order requested.
    pub offers: Vec<OfferAvailability>,
    /// Requested ids the partner does not know (e.g. deleted offers).
    pub unknown_offer_ids: Vec<String>,
}

/// The resident data a confirmation shares, exactly what the offer asks for: `name`
/// always, `email` and `phone` only when the offer lists them in `resident_fields`.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    /// The resident's name as they gave it.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Email address, only when the offer needs it.
    #[oai(skip_serializing_if_is_none, validator(max_length = 254))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (E.164 preferred), only when the offer needs it.
    #[oai(skip_serializing_if_is_none, validator(max_length = 40))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

fn one() -> u32 {
    1
}

/// A request to hold seats. It carries no personal data: the resident's data is sent
/// only with the confirmation, a `ConfirmRequest`.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldRequest {
    /// The offer to book.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub offer_id: String,
    /// The `start` of one of the offer's slots, exactly as availability answered it (the
    /// same instant; any offset).
    pub start: DateTime<FixedOffset>,
    /// How many seats (1–10; default 1). Memberships take 1.
    #[oai(
        default = "one",
        validator(minimum(value = "1"), maximum(value = "10"))
    )]
    #[serde(default = "one")]
    pub seats: u32,
    /// The portal's reference of this booking (opaque, 1–200 characters), unique per
    /// booking. The partner stores it, returns it in every booking and webhook, and
    /// refuses a second booking with the same `client_token` (409
    /// `duplicate-client-token`).
    #[oai(validator(min_length = 1, max_length = 200))]
    pub client_token: String,
}

/// A request to confirm a held booking: the resident has agreed to share their data
/// with the business, and this is the first time the partner receives it.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmRequest {
    /// The resident's data, exactly the fields the booked offer lists in
    /// `resident_fields`: `name` always, `email` and `phone` only when listed. A confirm
    /// without it, without one of those fields, or with a field the offer does not list
    /// answers 422 `validation` naming the field.
    pub resident: Resident,
}

impl ResidentField {
    /// The name on the wire and in `Resident`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResidentField::Name => "name",
            ResidentField::Email => "email",
            ResidentField::Phone => "phone",
        }
    }
}

impl ConfirmRequest {
    /// Reads a confirmation's JSON body (`None`: no body) the way the contract asks a
    /// partner to, for an offer asking for `fields`: the resident must be there with
    /// every field the offer lists (`name` always) and nothing else. Every offending
    /// field is named, as `resident` or `resident.<field>`, for a 422 `validation`
    /// problem ([`crate::problem::Problem::validation`]).
    pub fn from_body(
        body: Option<&serde_json::Value>,
        fields: &[ResidentField],
    ) -> Result<ConfirmRequest, Vec<crate::problem::FieldError>> {
        use serde_json::Value;
        let error = |field: &str, message: &str| crate::problem::FieldError {
            field: field.to_string(),
            message: message.to_string(),
        };
        let resident = match body.map(|b| b.get("resident").unwrap_or(&Value::Null)) {
            None | Some(Value::Null) => {
                return Err(vec![error(
                    "resident",
                    "a confirmation must carry the resident's data the offer asks for",
                )])
            }
            Some(Value::Object(r)) => r,
            Some(_) => return Err(vec![error("resident", "must be an object")]),
        };
        let mut errors = Vec::new();
        for key in resident.keys() {
            if !["name", "email", "phone"].contains(&key.as_str()) {
                errors.push(error(
                    &format!("resident.{key}"),
                    "is not resident data an offer can ask for; do not send it",
                ));
            }
        }
        let mut text = |field: ResidentField, max: usize| -> Option<String> {
            let name = field.as_str();
            let path = format!("resident.{name}");
            let wanted = field == ResidentField::Name || fields.contains(&field);
            match resident.get(name).unwrap_or(&Value::Null) {
                Value::Null if wanted => {
                    errors.push(error(
                        &path,
                        &format!("this offer needs the resident's {name}"),
                    ));
                    None
                }
                Value::Null => None,
                _ if !wanted => {
                    errors.push(error(
                        &path,
                        &format!(
                            "this offer does not ask for the resident's {name}; do not send it"
                        ),
                    ));
                    None
                }
                Value::String(s) if s.trim().is_empty() => {
                    errors.push(error(&path, "must not be blank"));
                    None
                }
                Value::String(s) if s.chars().count() > max => {
                    errors.push(error(&path, &format!("must be at most {max} characters")));
                    None
                }
                Value::String(s) => Some(s.clone()),
                _ => {
                    errors.push(error(&path, "must be a string"));
                    None
                }
            }
        };
        let name = text(ResidentField::Name, 200);
        let email = text(ResidentField::Email, 254);
        let phone = text(ResidentField::Phone, 40);
        if email.as_deref().is_some_and(|e| !e.contains('@')) {
            errors.push(error("resident.email", "is not an email address"));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(ConfirmRequest {
                resident: Resident { name, email, phone },
            }),
            _ => Err(errors),
        }
    }
}

/// A request to move a booking to another slot of the same offer.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RescheduleRequest {
    /// The `start` of the new slot, as availability answered it.
    pub start: DateTime<FixedOffset>,
}

/// A booking at the partner. Resident data is never echoed back.
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    /// The partner's id of the booking (opaque, at most 100 characters, URL-safe).
    pub booking_id: String,
    /// The portal's `client_token` from the hold.
    pub client_token: String,
    /// The booked offer.
    pub offer_id: String,
    /// The current status.
    pub status: BookingStatus,
    /// Start of the booked slot (RFC 3339 with offset).
    pub start: DateTime<FixedOffset>,
    /// End of the booked slot.
    pub end: DateTime<FixedOffset>,
    /// Seats booked.
    pub seats: u32,
    /// While `held`: when the hold lapses unless confirmed; then it becomes `expired`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<DateTime<FixedOffset>>,
    /// Why the booking was rejected or cancelled by the business, for the resident.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// When the hold was created.
    pub created_at: DateTime<FixedOffset>,
    /// When the booking last changed.
    pub updated_at: DateTime<FixedOffset>,
}

/// The kind of a webhook event: `booking.<new status>`, or `booking.rescheduled` when
/// only the slot changed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[oai(rename = "booking.held")]
    #[serde(rename = "booking.held")]
    BookingHeld,
    #[oai(rename = "booking.pending")]
    #[serde(rename = "booking.pending")]
    BookingPending,
    #[oai(rename = "booking.confirmed")]
    #[serde(rename = "booking.confirmed")]
    BookingConfirmed,
    #[oai(rename = "booking.cancelled")]
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    #[oai(rename = "booking.expired")]
    #[serde(rename = "booking.expired")]
    BookingExpired,
    #[oai(rename = "booking.rejected")]
    #[serde(rename = "booking.rejected")]
    BookingRejected,
    #[oai(rename = "booking.rescheduled")]
    #[serde(rename = "booking.rescheduled")]
    BookingRescheduled,
}

impl EventType {
    /// The event announcing that a booking now has `status`.
    pub fn for_status(status: BookingStatus) -> EventType {
        match status {
            BookingStatus::Held => EventType::BookingHeld,
            BookingStatus::Pending => EventType::BookingPending,
            BookingStatus::Confirmed => EventType::BookingConfirmed,
            BookingStatus::Cancelled => EventType::BookingCancelled,
            BookingStatus::Expired => EventType::BookingExpired,
            BookingStatus::Rejected => EventType::BookingRejected,
        }
    }

    /// The name on the wire, e.g. `booking.confirmed`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::BookingHeld => "booking.held",
            EventType::BookingPending => "booking.pending",
            EventType::BookingConfirmed => "booking.confirmed",
            EventType::BookingCancelled => "booking.cancelled",
            EventType::BookingExpired => "booking.expired",
            EventType::BookingRejected => "booking.rejected",
            EventType::BookingRescheduled => "booking.rescheduled",
        }
    }
}

/// What changed: the booking as it is now (resident data is never sent).
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingEventData {
    /// The partner's booking id.
    pub booking_id: String,
    /// The portal's `client_token` of the booking.
    pub client_token: String,
    /// The booked offer.
    pub offer_id: String,
    /// The status now.
    pub status: BookingStatus,
    /// The status before the change (absent for `booking.held`, the first event).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<BookingStatus>,
    /// Start of the booked slot.
    pub start: DateTime<FixedOffset>,
    /// End of the booked slot.
    pub end: DateTime<FixedOffset>,
    /// Seats booked.
    pub seats: u32,
    /// Why the business rejected or cancelled it, for the resident.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

/// The body of every webhook the partner sends (Standard Webhooks payload structure).
#[derive(Object, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// `booking.<status>` or `booking.rescheduled`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_: EventType,
    /// When the change happened (RFC 3339), not when this attempt was sent.
    pub timestamp: DateTime<FixedOffset>,
    /// The booking after the change.
    pub data: BookingEventData,
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::types::{ParseFromJSON, ToJSON};

    fn booking() -> Booking {
        let t = DateTime::parse_from_rfc3339("2025-03-30T10:00:00+03:00").unwrap();
        Booking {
            booking_id: "bk_1".into(),
            client_token: "ct".into(),
            offer_id: "o".into(),
            status: BookingStatus::Held,
            start: t,
            end: t,
            seats: 2,
            hold_expires_at: Some(t),
            status_reason: None,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn serde_and_openapi_agree() {
        let b = booking();
        assert_eq!(b.to_json().unwrap(), serde_json::to_value(&b).unwrap());
        let event = WebhookEvent {
            type_: EventType::BookingHeld,
            timestamp: b.created_at,
            data: BookingEventData {
                booking_id: b.booking_id.clone(),
                client_token: b.client_token.clone(),
                offer_id: b.offer_id.clone(),
                status: b.status,
                previous_status: None,
                start: b.start,
                end: b.end,
                seats: b.seats,
                status_reason: None,
            },
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(event.to_json().unwrap(), v);
        assert_eq!(v["type"], "booking.held");
        let hold: HoldRequest = serde_json::from_value(serde_json::json!({
            "offer_id": "o", "start": "2025-03-30T10:00:00+03:00", "client_token": "c"
        }))
        .unwrap();
        assert_eq!(hold.seats, 1);
        let v = serde_json::to_value(&hold).unwrap();
        assert!(
            v.get("resident").is_none(),
            "a hold carries no resident: {v}"
        );
        let parsed = HoldRequest::parse_from_json(Some(v));
        assert_eq!(parsed.unwrap(), hold);
        let confirm = ConfirmRequest {
            resident: Resident {
                name: "A".into(),
                email: None,
                phone: Some("+358401234567".into()),
            },
        };
        let v = serde_json::to_value(&confirm).unwrap();
        assert_eq!(confirm.to_json().unwrap(), v);
        assert_eq!(
            v,
            serde_json::json!({"resident": {"name": "A", "phone": "+358401234567"}})
        );
        assert_eq!(ConfirmRequest::parse_from_json(Some(v)).unwrap(), confirm);
    }

    fn fields_named(body: Option<serde_json::Value>, fields: &[ResidentField]) -> Vec<String> {
        ConfirmRequest::from_body(body.as_ref(), fields)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_confirmation_carries_exactly_the_resident_fields_of_the_offer() {
        use serde_json::json;
        use ResidentField::*;
        let full = json!({"resident": {"name": "Aino", "email": "aino@example.org", "phone": "+358401234567"}});
        let ok = ConfirmRequest::from_body(Some(&full), &[Name, Email, Phone]).unwrap();
        assert_eq!(ok.resident.email.as_deref(), Some("aino@example.org"));
        assert_eq!(ok.resident.phone.as_deref(), Some("+358401234567"));
        let name_only = json!({"resident": {"name": "Aino"}});
        let ok = ConfirmRequest::from_body(Some(&name_only), &[Name]).unwrap();
        assert_eq!(
            ok.resident,
            Resident {
                name: "Aino".into(),
                email: None,
                phone: None
            }
        );
        // `null` is the same as leaving a field out.
        let nulls = json!({"resident": {"name": "Aino", "email": null, "phone": null}});
        assert!(ConfirmRequest::from_body(Some(&nulls), &[Name]).is_ok());

        // No body, no resident, or no required field: each is named.
        assert_eq!(fields_named(None, &[Name]), ["resident"]);
        assert_eq!(fields_named(Some(json!({})), &[Name]), ["resident"]);
        assert_eq!(
            fields_named(Some(json!({"resident": null})), &[Name]),
            ["resident"]
        );
        assert_eq!(
            fields_named(Some(json!({"resident": "Aino"})), &[Name]),
            ["resident"]
        );
        assert_eq!(
            fields_named(Some(json!({"resident": {}})), &[Name]),
            ["resident.name"]
        );
        assert_eq!(
            fields_named(Some(name_only.clone()), &[Name, Email, Phone]),
            ["resident.email", "resident.phone"]
        );
        assert_eq!(
            fields_named(
                Some(json!({"resident": {"name": " ", "email": "nope"}})),
                &[Name, Email]
            ),
            ["resident.name", "resident.email"]
        );
        assert_eq!(
            fields_named(Some(json!({"resident": {"name": 7}})), &[Name]),
            ["resident.name"]
        );
        assert_eq!(
            fields_named(
                Some(json!({"resident": {"name": "x".repeat(201)}})),
                &[Name]
            ),
            ["resident.name"]
        );

        // A field the offer does not ask for is refused, never taken.
        assert_eq!(fields_named(Some(full), &[Name, Phone]), ["resident.email"]);
        assert_eq!(
            fields_named(
                Some(json!({"resident": {"name": "Aino", "birthday": "1990-01-01"}})),
                &[Name]
            ),
            ["resident.birthday"]
        );
    }
}
