//! Offers: what residents book on a listing (appointments, classes, memberships), their
//! booking policy, validation, and storage. Class sessions become slot rows when the
//! offer is saved; appointment slots are computed from the weekly availability.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{Enum, Object};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::availability::{local_to_utc, recurring_sessions, SlotTime};
use super::error::BookingError;
use super::model::OfferKind;
use crate::core::identity::AuthUser;
use crate::core::validate::{date_in_window, text, Errors};
use crate::listings::hours::{HourMinute, OpeningHours};
use crate::listings::model::{
    validate_hours, LocalizedInput, LocalizedList, LocalizedText, OpeningHoursInput, Weekday,
};
use crate::listings::service as listings;
use crate::msg;
use entities::{listing, offer, offer_slot, organization};

/// How a booking becomes confirmed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "snake_case")]
pub enum Confirmation {
    /// Confirmed as soon as the resident confirms.
    #[default]
    Instant,
    /// The business approves or rejects each booking.
    Approval,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Instant => "instant",
            Confirmation::Approval => "approval",
        }
    }
}

/// Whether residents can book it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "snake_case")]
pub enum OfferStatus {
    Draft,
    #[default]
    Active,
    Archived,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Draft => "draft",
            OfferStatus::Active => "active",
            OfferStatus::Archived => "archived",
        }
    }
    pub fn parse(s: &str) -> OfferStatus {
        match s {
            "active" => OfferStatus::Active,
            "archived" => OfferStatus::Archived,
            _ => OfferStatus::Draft,
        }
    }
}

/// A membership's billing period.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MembershipPeriod {
    Month,
    Quarter,
    HalfYear,
    Year,
}

/// Appointment settings.
#[derive(Object, Clone, Debug)]
pub struct AppointmentDetails {
    /// Length of one appointment, 5-480 minutes; slots follow each other back to back.
    pub duration_minutes: u32,
    /// How many residents can book the same time (staff, rooms), 1-100 (default 1).
    #[oai(default = "one")]
    pub parallel: u32,
    /// When appointments can be booked: weekly hours with dated exceptions, in the
    /// city's local time.
    pub availability: OpeningHoursInput,
    /// Closed on the public holidays of the city's region (`CITY_HOLIDAYS`) unless a
    /// dated exception says otherwise (default false).
    #[oai(default)]
    pub closed_on_holidays: bool,
}

fn one() -> u32 {
    1
}

/// A rule that generates class sessions.
#[derive(Object, Clone, Debug)]
pub struct SessionRule {
    /// On these days of the week...
    pub weekdays: Vec<Weekday>,
    /// ...at this local time (HH:MM)...
    pub time: String,
    /// ...from this date...
    pub from: NaiveDate,
    /// ...until this date (at most a year later).
    pub until: NaiveDate,
}

/// Class settings.
#[derive(Object, Clone, Debug)]
pub struct ClassDetails {
    /// Seats per session, 1-1000.
    pub seats: u32,
    /// Length of a session, 5-720 minutes.
    pub duration_minutes: u32,
    /// Single sessions at these local date-times (`2026-12-01T18:00:00`).
    #[oai(default)]
    pub sessions: Vec<NaiveDateTime>,
    /// Sessions generated from a weekly rule.
    pub recurrence: Option<SessionRule>,
}

/// Membership settings.
#[derive(Object, Clone, Debug)]
pub struct MembershipDetails {
    pub period: MembershipPeriod,
    /// The price as shown, e.g. "39 € / month" (1-100 characters).
    pub price: String,
    /// The dates a membership can start on (1-60).
    pub start_dates: Vec<NaiveDate>,
    /// Whether a member can cancel before the period ends (shown to residents).
    #[oai(default)]
    pub cancel_anytime: bool,
}

/// An offer as submitted (create and full update).
#[derive(Object, Clone, Debug)]
pub struct OfferInput {
    pub kind: OfferKind,
    /// Name in German and/or English (each 1-200 characters).
    pub name: LocalizedInput,
    pub description: Option<LocalizedInput>,
    /// The price as display text in German and/or English, e.g. "37,00 €" / "€37.00"
    /// (each up to 100 characters). Residents see it; the portal never charges.
    pub price: Option<LocalizedInput>,
    /// What a resident brings, per language (up to 30 items of 1-300 characters each).
    #[oai(default)]
    pub what_to_bring: LocalizedList,
    /// Default `active`.
    pub status: Option<OfferStatus>,
    /// Default `instant`.
    pub confirmation: Option<Confirmation>,
    /// Residents can cancel until this many minutes before the start (default 0).
    pub cancel_deadline_minutes: Option<u32>,
    /// Active bookings one resident may have on this offer; 0 or absent: no limit.
    pub max_active_per_resident: Option<u32>,
    /// Whether a booking shares the resident's email (the name is always shared).
    #[oai(default)]
    pub collect_email: bool,
    /// Whether a booking shares the resident's phone number.
    #[oai(default)]
    pub collect_phone: bool,
    /// Bookable at least this many minutes ahead (default 0).
    pub lead_time_minutes: Option<u32>,
    /// Bookable at most this many days ahead, 1-365 (default 60).
    #[oai(validator(minimum(value = "1"), maximum(value = "365")))]
    pub horizon_days: Option<u32>,
    /// Required for `appointment`.
    pub appointment: Option<AppointmentDetails>,
    /// Required for `class`.
    pub class: Option<ClassDetails>,
    /// Required for `membership`.
    pub membership: Option<MembershipDetails>,
    /// Book through the organization's own booking system (a partner connection)
    /// instead of the portal's calendar. Then `appointment`, `class` and `membership` are
    /// left out (the partner keeps times and seats), and the confirmation mode and the
    /// resident data a booking shares follow the partner's offer.
    pub partner: Option<PartnerLink>,
}

/// Where a partner offer is booked.
#[derive(Object, Clone, Debug, PartialEq, Eq)]
pub struct PartnerLink {
    /// A partner connection of the listing's organization.
    pub connection_id: Uuid,
    /// The partner's id of the offer (see `GET /partner-connections/{id}/offers`).
    pub offer_ref: String,
}

/// A bookable offer.
#[derive(Object, Clone, Debug)]
pub struct Offer {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub kind: OfferKind,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// The price as display text; empty strings when none is shown.
    pub price: LocalizedText,
    /// What a resident brings; empty lists when nothing.
    pub what_to_bring: LocalizedList,
    pub status: OfferStatus,
    pub confirmation: Confirmation,
    /// `native` (the portal keeps the calendar) or `partner` (the business's system).
    pub provider: String,
    pub cancel_deadline_minutes: u32,
    pub max_active_per_resident: u32,
    pub collect_email: bool,
    pub collect_phone: bool,
    pub lead_time_minutes: u32,
    pub horizon_days: u32,
    pub appointment: Option<AppointmentDetails>,
    pub class: Option<ClassDetails>,
    pub membership: Option<MembershipDetails>,
    /// Set when the offer is booked through the organization's own system.
    pub partner: Option<PartnerLink>,
    /// Whether a resident can book it now: an active offer whose booking system is
    /// switched on. Booking one that is not answers `409` `offer-not-bookable`.
    pub bookable: bool,
    /// Why it is not bookable now: `not-active` (a draft or archived offer),
    /// `module-paused` (booked through a city module that is paused) or
    /// `connection-disabled` (the business switched its booking system's connection
    /// off). Absent when bookable.
    #[oai(skip_serializing_if_is_none)]
    pub not_bookable_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A validated offer, ready to store.
pub struct OfferData {
    pub input: OfferInput,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub price: LocalizedText,
    pub what_to_bring: LocalizedList,
    /// Appointment availability, parsed.
    pub hours: Option<OpeningHours>,
    /// Class sessions (UTC start and end).
    pub sessions: Vec<SlotTime>,
}

const MAX_SESSIONS: usize = 500;

fn range(errors: &mut Errors, field: &str, v: u32, min: u32, max: u32) {
    if v < min || v > max {
        errors.add(field, msg!("v-booking-range", min = min, max = max));
    }
}

impl OfferInput {
    /// Validates everything, naming each offending field.
    pub fn validate(self, tz: chrono_tz::Tz) -> Result<OfferData, BookingError> {
        let mut e = Errors::default();
        let today = Utc::now().with_timezone(&tz).date_naive();
        let name_de = text(&mut e, "name.de", self.name.de.as_deref(), 200);
        let name_en = text(&mut e, "name.en", self.name.en.as_deref(), 200);
        if name_de.is_none() && name_en.is_none() && e.0.is_empty() {
            e.add("name", msg!("v-name-required"));
        }
        let desc = self.description.clone().unwrap_or_default();
        let description = LocalizedText {
            de: text(&mut e, "description.de", desc.de.as_deref(), 2000).unwrap_or_default(),
            en: text(&mut e, "description.en", desc.en.as_deref(), 2000).unwrap_or_default(),
        };
        let price_in = self.price.clone().unwrap_or_default();
        let price = LocalizedText {
            de: text(&mut e, "price.de", price_in.de.as_deref(), 100).unwrap_or_default(),
            en: text(&mut e, "price.en", price_in.en.as_deref(), 100).unwrap_or_default(),
        };
        let what_to_bring = bring_list(&mut e, &self.what_to_bring);
        if let Some(v) = self.cancel_deadline_minutes {
            range(&mut e, "cancel_deadline_minutes", v, 0, 60 * 24 * 30);
        }
        if let Some(v) = self.max_active_per_resident {
            range(&mut e, "max_active_per_resident", v, 0, 100);
        }
        if let Some(v) = self.lead_time_minutes {
            range(&mut e, "lead_time_minutes", v, 0, 60 * 24 * 30);
        }
        if let Some(v) = self.horizon_days {
            range(&mut e, "horizon_days", v, 1, 365);
        }
        let kinds = [
            (
                "appointment",
                self.appointment.is_some(),
                OfferKind::Appointment,
            ),
            ("class", self.class.is_some(), OfferKind::Class),
            (
                "membership",
                self.membership.is_some(),
                OfferKind::Membership,
            ),
        ];
        if let Some(p) = &self.partner {
            let r = p.offer_ref.trim();
            if r.is_empty() || r.len() > 100 {
                e.add("partner.offer_ref", msg!("v-booking-partner-ref-length"));
            }
        }
        let native = self.partner.is_none();
        for (field, given, kind) in kinds {
            if !native && given {
                e.add(field, msg!("v-booking-partner-not-allowed"));
            } else if !native {
            } else if kind == self.kind && !given {
                e.add(field, msg!("v-booking-kind-required", kind = kind.as_str()));
            } else if kind != self.kind && given {
                e.add(
                    field,
                    msg!("v-booking-kind-not-allowed", kind = self.kind.as_str()),
                );
            }
        }
        let mut hours = None;
        if let Some(a) = &self.appointment {
            range(
                &mut e,
                "appointment.duration_minutes",
                a.duration_minutes,
                5,
                480,
            );
            range(&mut e, "appointment.parallel", a.parallel, 1, 100);
            let h = validate_hours(&mut e, "appointment.availability", &a.availability);
            if h.weekly.is_empty() && h.exceptions.iter().all(|x| x.hours.is_none()) {
                e.add(
                    "appointment.availability.weekly",
                    msg!("v-booking-one-range"),
                );
            }
            hours = Some(h);
        }
        let mut sessions = Vec::new();
        if let Some(c) = &self.class {
            range(&mut e, "class.seats", c.seats, 1, 1000);
            range(&mut e, "class.duration_minutes", c.duration_minutes, 5, 720);
            let minutes = c.duration_minutes as i64;
            for (i, local) in c.sessions.iter().enumerate() {
                let field = format!("class.sessions[{i}]");
                let before = e.0.len();
                date_in_window(&mut e, &field, local.date(), today);
                if e.0.len() > before {
                    continue;
                }
                match local_to_utc(tz, *local) {
                    Some(start) => sessions.push(SlotTime {
                        start,
                        end: start + chrono::Duration::minutes(minutes),
                    }),
                    None => e.add(
                        format!("class.sessions[{i}]"),
                        msg!("v-booking-dst-gap-session"),
                    ),
                }
            }
            if let Some(r) = &c.recurrence {
                let time = HourMinute::parse(r.time.trim()).filter(|t| t.minutes() < 1440);
                if time.is_none() {
                    e.add("class.recurrence.time", msg!("v-booking-time"));
                }
                if r.weekdays.is_empty() {
                    e.add("class.recurrence.weekdays", msg!("v-booking-choose-day"));
                }
                date_in_window(&mut e, "class.recurrence.from", r.from, today);
                date_in_window(&mut e, "class.recurrence.until", r.until, today);
                if r.until < r.from {
                    e.add(
                        "class.recurrence.until",
                        msg!("v-booking-until-before-from"),
                    );
                } else if (r.until - r.from).num_days() > 366 {
                    e.add("class.recurrence.until", msg!("v-booking-until-year"));
                }
                if let (Some(t), true) = (time, e.0.is_empty()) {
                    let days: Vec<chrono::Weekday> =
                        r.weekdays.iter().map(|w| w.to_chrono()).collect();
                    sessions.extend(recurring_sessions(
                        &days,
                        t,
                        c.duration_minutes,
                        tz,
                        r.from,
                        r.until,
                    ));
                }
            }
            sessions.sort_by_key(|s| s.start);
            sessions.dedup_by_key(|s| s.start);
            if sessions.is_empty() && e.0.is_empty() {
                e.add("class.sessions", msg!("v-booking-sessions-required"));
            }
            if sessions.len() > MAX_SESSIONS {
                e.add(
                    "class.sessions",
                    msg!("v-booking-max-sessions", n = MAX_SESSIONS),
                );
            }
        }
        if let Some(m) = &self.membership {
            let price = text(&mut e, "membership.price", Some(&m.price), 100);
            if price.is_none() && !e.0.iter().any(|f| f.field == "membership.price") {
                e.add("membership.price", msg!("v-not-empty"));
            }
            if m.start_dates.is_empty() || m.start_dates.len() > 60 {
                e.add("membership.start_dates", msg!("v-booking-start-dates"));
            }
            for (i, d) in m.start_dates.iter().enumerate() {
                date_in_window(&mut e, &format!("membership.start_dates[{i}]"), *d, today);
            }
        }
        e.into_result(())?;
        Ok(OfferData {
            name: LocalizedText {
                de: name_de.unwrap_or_default(),
                en: name_en.unwrap_or_default(),
            },
            description,
            price,
            what_to_bring,
            hours,
            sessions,
            input: self,
        })
    }
}

/// What to bring, validated: at most 30 items per language, each 1-300 characters.
fn bring_list(e: &mut Errors, input: &LocalizedList) -> LocalizedList {
    let mut out = LocalizedList::default();
    for (lang, list, target) in [
        ("de", &input.de, &mut out.de),
        ("en", &input.en, &mut out.en),
    ] {
        if list.len() > 30 {
            e.add(format!("what_to_bring.{lang}"), msg!("v-max-items"));
            continue;
        }
        for (i, item) in list.iter().enumerate() {
            let field = format!("what_to_bring.{lang}[{i}]");
            let before = e.0.len();
            // `text` refuses line breaks (control characters): one item, one line.
            match text(e, &field, Some(item), 300) {
                Some(v) => target.push(v),
                None if e.0.len() == before => e.add(field, msg!("v-not-empty")),
                None => {}
            }
        }
    }
    out
}

/// A stored list (one item per line) as a list.
fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// What to bring to an offer, per language.
pub fn what_to_bring_of(m: &offer::Model) -> LocalizedList {
    LocalizedList {
        de: lines(&m.what_to_bring_de),
        en: lines(&m.what_to_bring_en),
    }
}

/// The kind-specific part of an offer, as stored in `details`.
fn details_json(input: &OfferInput) -> serde_json::Value {
    let mut details = serde_json::Map::new();
    if let Some(a) = &input.appointment {
        details.insert("appointment".into(), a.to_json().unwrap_or_default());
    }
    if let Some(c) = &input.class {
        // Sessions live in offer_slots; the rule is kept to show it again.
        let mut c = c.clone();
        c.sessions.clear();
        details.insert("class".into(), c.to_json().unwrap_or_default());
    }
    if let Some(m) = &input.membership {
        details.insert("membership".into(), m.to_json().unwrap_or_default());
    }
    serde_json::Value::Object(details)
}

fn parse_detail<T: ParseFromJSON>(details: &serde_json::Value, key: &str) -> Option<T> {
    details
        .get(key)
        .and_then(|v| T::parse_from_json(Some(v.clone())).ok())
}

/// The appointment settings of a stored offer.
pub fn appointment_of(m: &offer::Model) -> Option<AppointmentDetails> {
    parse_detail(&m.details, "appointment")
}

/// The membership settings of a stored offer.
pub fn membership_of(m: &offer::Model) -> Option<MembershipDetails> {
    parse_detail(&m.details, "membership")
}

/// The partner's offer as it answered when the offer was linked.
pub fn partner_offer_of(m: &offer::Model) -> Option<partner_contract::model::Offer> {
    serde_json::from_value(m.details.get("partner")?.clone()).ok()
}

/// What an offer's kind line says: its length, seats per session (when known), and a
/// membership's period and price, whether the portal or a partner keeps it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Size {
    pub duration_minutes: Option<u32>,
    pub seats: Option<u32>,
    pub period: Option<MembershipPeriod>,
}

/// The size of a stored offer (see [`Size`]).
pub fn size_of(m: &offer::Model) -> Size {
    if let Some(p) = partner_offer_of(m) {
        return Size {
            duration_minutes: p.duration_minutes.filter(|d| *d > 0),
            // The partner tells seats per session with its availability only.
            seats: None,
            period: p
                .membership
                .as_ref()
                .map(|plan| period_of_iso(&plan.period)),
        };
    }
    let api = to_api(m);
    Size {
        duration_minutes: api
            .appointment
            .as_ref()
            .map(|a| a.duration_minutes)
            .or(api.class.as_ref().map(|c| c.duration_minutes)),
        seats: api.class.as_ref().map(|c| c.seats),
        period: api.membership.as_ref().map(|m| m.period),
    }
}

/// A billing period from an ISO 8601 duration (`P1M`, `P3M`, `P6M`, `P1Y`), monthly when
/// it is none of those.
fn period_of_iso(iso: &str) -> MembershipPeriod {
    match iso.trim().to_ascii_uppercase().as_str() {
        "P3M" => MembershipPeriod::Quarter,
        "P6M" => MembershipPeriod::HalfYear,
        "P1Y" | "P12M" => MembershipPeriod::Year,
        _ => MembershipPeriod::Month,
    }
}

/// The price residents see, in `lang` (`de` or `en`, else the other language): the
/// offer's price text, else a membership's plan price (the portal's or the partner's).
pub fn price_of(m: &offer::Model, lang: &str) -> Option<String> {
    let own = LocalizedText {
        de: m.price_de.clone(),
        en: m.price_en.clone(),
    };
    let own = own.get(lang).trim();
    if !own.is_empty() {
        return Some(own.to_string());
    }
    membership_of(m)
        .map(|p| p.price)
        .or_else(|| partner_offer_of(m)?.membership.map(|p| p.price_text))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
}

/// Whether an appointment is closed on the local `date` for a public holiday of
/// `region`: it follows the holidays and has no dated exception of its own that day.
pub fn holiday_closed(
    a: &AppointmentDetails,
    hours: &OpeningHours,
    region: Option<crate::core::holidays::Region>,
    date: NaiveDate,
) -> bool {
    a.closed_on_holidays
        && !hours.exceptions.iter().any(|e| e.date == date)
        && region.is_some_and(|r| r.holiday_on(date).is_some())
}

/// The appointment availability of a stored offer, parsed.
pub fn hours_of(m: &offer::Model) -> Option<(AppointmentDetails, OpeningHours)> {
    let a = appointment_of(m)?;
    let mut e = Errors::default();
    let h = validate_hours(&mut e, "availability", &a.availability);
    Some((a, h))
}

/// The API views of stored offers, each saying whether it is bookable now (its partner
/// connection switched on, when it has one).
pub async fn to_api_all<C: sea_orm::ConnectionTrait>(
    db: &C,
    ms: &[offer::Model],
) -> Result<Vec<Offer>, BookingError> {
    let ids: Vec<Uuid> = ms.iter().filter_map(|m| m.partner_connection_id).collect();
    let off: Vec<entities::partner_connection::Model> = if ids.is_empty() {
        Vec::new()
    } else {
        entities::partner_connection::Entity::find()
            .filter(entities::partner_connection::Column::Id.is_in(ids))
            .filter(entities::partner_connection::Column::Status.ne("active"))
            .all(db)
            .await?
    };
    Ok(ms
        .iter()
        .map(|m| {
            let mut o = to_api(m);
            if o.bookable {
                if let Some(c) = off.iter().find(|c| Some(c.id) == m.partner_connection_id) {
                    o.bookable = false;
                    o.not_bookable_reason = Some(
                        if c.module_id.is_some() {
                            "module-paused"
                        } else {
                            "connection-disabled"
                        }
                        .into(),
                    );
                }
            }
            o
        })
        .collect())
}

/// The API view of a stored offer, bookable when active (without looking at its
/// partner connection: [`to_api_all`] does).
pub fn to_api(m: &offer::Model) -> Offer {
    let active = m.status == "active";
    Offer {
        bookable: active,
        not_bookable_reason: (!active).then(|| "not-active".to_string()),
        id: m.id,
        listing_id: m.listing_id,
        kind: OfferKind::parse(&m.kind).unwrap_or(OfferKind::Appointment),
        name: LocalizedText {
            de: m.name_de.clone(),
            en: m.name_en.clone(),
        },
        description: LocalizedText {
            de: m.description_de.clone(),
            en: m.description_en.clone(),
        },
        price: LocalizedText {
            de: m.price_de.clone(),
            en: m.price_en.clone(),
        },
        what_to_bring: what_to_bring_of(m),
        status: OfferStatus::parse(&m.status),
        confirmation: if m.confirmation == "approval" {
            Confirmation::Approval
        } else {
            Confirmation::Instant
        },
        provider: m.provider.clone(),
        cancel_deadline_minutes: m.cancel_deadline_minutes.max(0) as u32,
        max_active_per_resident: m.max_active_per_resident.max(0) as u32,
        collect_email: m.collect_email,
        collect_phone: m.collect_phone,
        lead_time_minutes: m.lead_time_minutes.max(0) as u32,
        horizon_days: m.horizon_days.max(0) as u32,
        appointment: appointment_of(m),
        class: parse_detail(&m.details, "class"),
        membership: membership_of(m),
        partner: match (m.partner_connection_id, &m.partner_offer_ref) {
            (Some(connection_id), Some(offer_ref)) => Some(PartnerLink {
                connection_id,
                offer_ref: offer_ref.clone(),
            }),
            _ => None,
        },
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The listing of an offer, if the offer exists in this city.
pub async fn find_with_listing<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    offer_id: Uuid,
) -> Result<Option<(offer::Model, listing::Model)>, BookingError> {
    // One query: the offer joined to its listing in the city.
    let of_listing: sea_orm::RelationDef = offer::Entity::belongs_to(listing::Entity)
        .from(offer::Column::ListingId)
        .to(listing::Column::Id)
        .into();
    let row = offer::Entity::find_by_id(offer_id)
        .join(sea_orm::JoinType::InnerJoin, of_listing)
        .filter(listing::Column::CityId.eq(city_id))
        .select_also(listing::Entity)
        .one(conn)
        .await?;
    Ok(row.and_then(|(o, l)| Some((o, l?))))
}

/// An offer, its listing in the city and whom a booking shares data with (the
/// listing's organization, else the listing itself), in one query for the booking path.
pub async fn find_for_booking<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    offer_id: Uuid,
) -> Result<Option<(offer::Model, listing::Model, String)>, BookingError> {
    use sea_orm::sea_query::{Alias, SimpleExpr};
    use sea_orm::{FromQueryResult, QueryTrait};
    let of_listing: sea_orm::RelationDef = offer::Entity::belongs_to(listing::Entity)
        .from(offer::Column::ListingId)
        .to(listing::Column::Id)
        .into();
    let organization_name = sea_orm::sea_query::Query::select()
        .column((organization::Entity, organization::Column::Name))
        .from(organization::Entity)
        .and_where(
            Expr::col((organization::Entity, organization::Column::Id))
                .equals((listing::Entity, listing::Column::OrganizationId)),
        )
        .to_owned();
    let mut q = offer::Entity::find_by_id(offer_id)
        .join(sea_orm::JoinType::InnerJoin, of_listing)
        .filter(listing::Column::CityId.eq(city_id))
        .select_also(listing::Entity);
    QueryTrait::query(&mut q).expr_as(
        SimpleExpr::SubQuery(None, Box::new(organization_name.into_sub_query_statement())),
        Alias::new("C_organization_name"),
    );
    let Some(row) = conn.query_one(q.build(conn.get_database_backend())).await? else {
        return Ok(None);
    };
    let o = offer::Model::from_query_result(&row, "A_")?;
    let l = listing::Model::from_query_result(&row, "B_")?;
    let organization: Option<String> = row.try_get("", "C_organization_name")?;
    let with = organization.unwrap_or_else(|| super::model::listing_name(&l));
    Ok(Some((o, l, with)))
}

/// Whether residents may see and book this offer now.
pub fn is_public(o: &offer::Model, l: &listing::Model) -> bool {
    o.status == "active" && l.status == "published"
}

/// Stores the class sessions: new times get a slot row, existing ones keep theirs (and
/// their bookings) with the new capacity where it fits, and times no longer offered are
/// cancelled when nobody booked them.
async fn store_sessions<C: ConnectionTrait>(
    conn: &C,
    offer_id: Uuid,
    seats: u32,
    sessions: &[SlotTime],
) -> Result<(), BookingError> {
    let now = Utc::now();
    for chunk in sessions.chunks(100) {
        let rows = chunk.iter().map(|s| offer_slot::ActiveModel {
            id: Set(Uuid::new_v4()),
            offer_id: Set(offer_id),
            starts_at: Set(s.start),
            ends_at: Set(s.end),
            capacity: Set(seats as i32),
            booked: Set(0),
            status: Set("open".into()),
            created_at: Set(now),
        });
        offer_slot::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([offer_slot::Column::OfferId, offer_slot::Column::StartsAt])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(conn)
            .await?;
    }
    let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.start).collect();
    // Existing sessions take the new seat count, never below what is booked.
    offer_slot::Entity::update_many()
        .col_expr(offer_slot::Column::Capacity, Expr::value(seats as i32))
        .col_expr(offer_slot::Column::Status, Expr::value("open"))
        .filter(offer_slot::Column::OfferId.eq(offer_id))
        .filter(offer_slot::Column::Booked.lte(seats as i32))
        .filter(offer_slot::Column::StartsAt.is_in(starts.clone()))
        .exec(conn)
        .await?;
    offer_slot::Entity::update_many()
        .col_expr(offer_slot::Column::Status, Expr::value("cancelled"))
        .filter(offer_slot::Column::OfferId.eq(offer_id))
        .filter(offer_slot::Column::Booked.eq(0))
        .filter(offer_slot::Column::StartsAt.is_not_in(starts))
        .filter(offer_slot::Column::StartsAt.gt(now))
        .exec(conn)
        .await?;
    Ok(())
}

/// What the partner's system says about a linked offer: the portal offer follows it.
pub struct PartnerFacts {
    pub connection_id: Uuid,
    pub offer_ref: String,
    pub confirmation: Confirmation,
    pub collect_email: bool,
    pub collect_phone: bool,
    /// The partner's offer as it answered, kept to show its plan.
    pub offer: serde_json::Value,
    /// The partner's time zone (a membership's start date begins at its midnight).
    pub time_zone: String,
}

/// Checks a partner link against the connection and the partner's offers.
async fn partner_facts(
    db: &sea_orm::DatabaseConnection,
    partners: &crate::partners::Partners,
    city_id: Uuid,
    user: &AuthUser,
    l: &listing::Model,
    kind: OfferKind,
    link: &PartnerLink,
) -> Result<PartnerFacts, BookingError> {
    use partner_contract::model::OfferKind as PKind;
    let conn = crate::partners::connections::usable(db, city_id, user, link.connection_id)
        .await
        .map_err(|_| {
            BookingError::invalid(
                "partner.connection_id",
                msg!("v-booking-partner-connection"),
            )
        })?;
    // A module's connection books exactly the offers its approved manifest names.
    if conn.module_id.is_some() {
        return Err(BookingError::invalid(
            "partner.connection_id",
            msg!("v-booking-partner-connection"),
        ));
    }
    if Some(conn.organization_id) != l.organization_id {
        return Err(BookingError::invalid(
            "partner.connection_id",
            msg!("v-booking-partner-other-organization"),
        ));
    }
    if conn.status != "active" {
        return Err(BookingError::invalid(
            "partner.connection_id",
            msg!("v-booking-partner-disabled"),
        ));
    }
    let c = crate::partners::connections::open(partners, &conn)?;
    let offer_ref = link.offer_ref.trim().to_string();
    let found = crate::partners::connections::partner_offer(partners, &c, &offer_ref)
        .await
        .map_err(|e| {
            tracing::warn!(connection = %conn.id, error = %e, "checking a partner offer failed");
            BookingError::PartnerOfferUnchecked
        })?
        .ok_or_else(|| {
            BookingError::invalid("partner.offer_ref", msg!("v-booking-partner-unknown-offer"))
        })?;
    let (found, time_zone) = found;
    let partner_kind = match found.kind {
        PKind::Appointment => OfferKind::Appointment,
        PKind::Class => OfferKind::Class,
        PKind::Membership => OfferKind::Membership,
    };
    if partner_kind != kind {
        return Err(BookingError::invalid(
            "kind",
            msg!("v-booking-partner-kind", kind = partner_kind.as_str()),
        ));
    }
    Ok(PartnerFacts::of(conn.id, &found, time_zone))
}

impl PartnerFacts {
    /// What a portal offer takes from the partner's offer `found` (of the connection
    /// `connection_id`, whose calendar runs in `time_zone`).
    pub fn of(
        connection_id: Uuid,
        found: &partner_contract::model::Offer,
        time_zone: String,
    ) -> PartnerFacts {
        use partner_contract::model::ResidentField;
        PartnerFacts {
            connection_id,
            offer_ref: found.offer_id.clone(),
            confirmation: match found.confirmation {
                partner_contract::model::Confirmation::Approval => Confirmation::Approval,
                partner_contract::model::Confirmation::Instant => Confirmation::Instant,
            },
            collect_email: found.resident_fields.contains(&ResidentField::Email),
            collect_phone: found.resident_fields.contains(&ResidentField::Phone),
            offer: serde_json::to_value(found).unwrap_or_default(),
            time_zone,
        }
    }
}

/// Makes the offer follow the partner's (or be native again).
pub(crate) fn apply_partner(am: &mut offer::ActiveModel, f: Option<&PartnerFacts>) {
    match f {
        Some(f) => {
            am.provider = Set("partner".into());
            am.partner_connection_id = Set(Some(f.connection_id));
            am.partner_offer_ref = Set(Some(f.offer_ref.clone()));
            am.confirmation = Set(f.confirmation.as_str().into());
            am.collect_email = Set(f.collect_email);
            am.collect_phone = Set(f.collect_phone);
            am.details = Set(serde_json::json!({
                "partner": f.offer,
                "partner_time_zone": f.time_zone,
            }));
        }
        None => {
            am.provider = Set("native".into());
            am.partner_connection_id = Set(None);
            am.partner_offer_ref = Set(None);
        }
    }
}

/// Sets an offer's fields from validated data.
pub(crate) fn apply(am: &mut offer::ActiveModel, d: &OfferData) {
    let i = &d.input;
    am.kind = Set(i.kind.as_str().into());
    am.name_de = Set(d.name.de.clone());
    am.name_en = Set(d.name.en.clone());
    am.description_de = Set(d.description.de.clone());
    am.description_en = Set(d.description.en.clone());
    am.details = Set(details_json(i));
    am.price_de = Set(d.price.de.clone());
    am.price_en = Set(d.price.en.clone());
    am.what_to_bring_de = Set(d.what_to_bring.de.join("\n"));
    am.what_to_bring_en = Set(d.what_to_bring.en.join("\n"));
    am.status = Set(i.status.unwrap_or_default().as_str().into());
    am.confirmation = Set(i.confirmation.unwrap_or_default().as_str().into());
    am.cancel_deadline_minutes = Set(i.cancel_deadline_minutes.unwrap_or(0) as i32);
    am.max_active_per_resident = Set(i.max_active_per_resident.unwrap_or(0) as i32);
    am.collect_email = Set(i.collect_email);
    am.collect_phone = Set(i.collect_phone);
    am.lead_time_minutes = Set(i.lead_time_minutes.unwrap_or(0) as i32);
    am.horizon_days = Set(i.horizon_days.unwrap_or(60) as i32);
}

/// A listing whose offers the user may manage (see [`listings::editable`]).
async fn editable_listing<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    user: &AuthUser,
    listing_id: &str,
) -> Result<listing::Model, BookingError> {
    Ok(listings::editable(conn, city_id, user, listing_id)
        .await?
        .model)
}

/// Creates an offer on a listing the user may edit.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    partners: &crate::partners::Partners,
    city_id: Uuid,
    tz: chrono_tz::Tz,
    user: &AuthUser,
    listing_id: &str,
    input: OfferInput,
) -> Result<offer::Model, BookingError> {
    let data = input.validate(tz)?;
    let facts = match &data.input.partner {
        Some(link) => {
            let l = editable_listing(db, city_id, user, listing_id).await?;
            Some(partner_facts(db, partners, city_id, user, &l, data.input.kind, link).await?)
        }
        None => None,
    };
    let txn = crate::core::db::begin_write(db).await?;
    let l = editable_listing(&txn, city_id, user, listing_id).await?;
    let now = Utc::now();
    let mut am = offer::ActiveModel {
        id: Set(Uuid::new_v4()),
        listing_id: Set(l.id),
        provider: Set("native".into()),
        partner_connection_id: Set(None),
        partner_offer_ref: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &data);
    apply_partner(&mut am, facts.as_ref());
    let m = am.insert(&txn).await?;
    if let Some(c) = &data.input.class {
        store_sessions(&txn, m.id, c.seats, &data.sessions).await?;
    }
    crate::core::outbox::record(
        &txn,
        city_id,
        "listing",
        l.id,
        "offer.created",
        serde_json::json!({ "offer_id": m.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Replaces an offer's fields (its kind stays).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    partners: &crate::partners::Partners,
    city_id: Uuid,
    tz: chrono_tz::Tz,
    user: &AuthUser,
    offer_id: Uuid,
    if_match: Option<&listings::IfMatch>,
    input: OfferInput,
) -> Result<offer::Model, BookingError> {
    let facts = match &input.partner {
        Some(link) => {
            let (_, l) = find_with_listing(db, city_id, offer_id)
                .await?
                .ok_or_else(|| BookingError::not_found("offer"))?;
            let l = editable_listing(db, city_id, user, &l.id.to_string()).await?;
            Some(partner_facts(db, partners, city_id, user, &l, input.kind, link).await?)
        }
        None => None,
    };
    let txn = crate::core::db::begin_write(db).await?;
    let (o, l) = find_with_listing(&txn, city_id, offer_id)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    editable_listing(&txn, city_id, user, &l.id.to_string()).await?;
    if let Some(m) = if_match {
        if !m.matches(o.version) {
            return Err(BookingError::StaleVersion {
                etag: listings::etag(o.version),
            });
        }
    }
    if input.kind.as_str() != o.kind {
        return Err(BookingError::invalid("kind", msg!("v-booking-kind-fixed")));
    }
    // Where bookings are kept cannot change under bookings still running there.
    let link = input
        .partner
        .as_ref()
        .map(|p| (Some(p.connection_id), Some(p.offer_ref.trim().to_string())));
    if link.unwrap_or((None, None)) != (o.partner_connection_id, o.partner_offer_ref.clone()) {
        use sea_orm::PaginatorTrait;
        let active = entities::booking::Entity::find()
            .filter(entities::booking::Column::OfferId.eq(o.id))
            .filter(entities::booking::Column::Status.is_in(super::model::ACTIVE))
            .count(&txn)
            .await?;
        if active > 0 {
            return Err(BookingError::OfferHasBookings { active });
        }
    }
    let data = input.validate(tz)?;
    let mut am: offer::ActiveModel = o.clone().into();
    apply(&mut am, &data);
    apply_partner(&mut am, facts.as_ref());
    am.version = Set(o.version + 1);
    am.updated_at = Set(Utc::now());
    // Only the version read may be replaced (a concurrent update loses, never both).
    let res = offer::Entity::update_many()
        .set(am)
        .filter(offer::Column::Id.eq(o.id))
        .filter(offer::Column::Version.eq(o.version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(BookingError::StaleVersion {
            etag: listings::etag(o.version + 1),
        });
    }
    if let Some(c) = &data.input.class {
        store_sessions(&txn, o.id, c.seats, &data.sessions).await?;
    }
    crate::core::outbox::record(
        &txn,
        city_id,
        "listing",
        l.id,
        "offer.updated",
        serde_json::json!({ "offer_id": o.id }),
    )
    .await?;
    let m = offer::Entity::find_by_id(o.id)
        .one(&txn)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    txn.commit().await?;
    Ok(m)
}

/// The offers of a listing: active ones of a published listing for everyone, all of
/// them for those who may edit it.
pub async fn list_for_listing(
    db: &sea_orm::DatabaseConnection,
    city_id: Uuid,
    user: Option<&AuthUser>,
    listing_id: &str,
) -> Result<Vec<offer::Model>, BookingError> {
    let rec = listings::find(db, city_id, listing_id)
        .await
        .map_err(BookingError::from)?
        .ok_or_else(|| BookingError::not_found("listing"))?;
    let editor = match user {
        Some(u) => listings::can_edit(db, u, &rec.model)
            .await
            .map_err(BookingError::from)?,
        None => false,
    };
    if !editor && rec.model.status != "published" {
        return Err(BookingError::not_found("listing"));
    }
    let mut q = offer::Entity::find().filter(offer::Column::ListingId.eq(rec.model.id));
    if !editor {
        q = q.filter(offer::Column::Status.eq("active"));
    }
    Ok(q.order_by_asc(offer::Column::CreatedAt)
        .order_by_asc(offer::Column::Id)
        .all(db)
        .await?)
}

/// One offer, if the user may see it.
pub async fn get(
    db: &sea_orm::DatabaseConnection,
    city_id: Uuid,
    user: Option<&AuthUser>,
    offer_id: Uuid,
) -> Result<(offer::Model, listing::Model), BookingError> {
    let (o, l) = find_with_listing(db, city_id, offer_id)
        .await?
        .ok_or_else(|| BookingError::not_found("offer"))?;
    if is_public(&o, &l) {
        return Ok((o, l));
    }
    match user {
        Some(u)
            if listings::can_edit(db, u, &l)
                .await
                .map_err(BookingError::from)? =>
        {
            Ok((o, l))
        }
        _ => Err(BookingError::not_found("offer")),
    }
}
