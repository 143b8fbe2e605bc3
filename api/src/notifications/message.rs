//! What a notification says: subject, text and `.ics`, in the resident's language
//! (their account's, else the city's default), from the Fluent messages `mail-*`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use fluent_bundle::{FluentArgs, FluentValue};
use lettre::message::Mailbox;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::ics::{self, Method, Party, Status, When};
use crate::core::i18n::{format_date, I18n};
use crate::core::locale::Locale;
use entities::{booking, city, listing, offer, user};

/// What a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Confirmed,
    /// A booking the business still has to approve: "request received".
    Requested,
    Rescheduled,
    Reminder,
    Cancelled,
    Rejected,
    Expired,
    /// A seat freed and is held for the first in line on the waitlist.
    WaitlistOffer,
    /// The resident cancelled while the business's booking system did not answer, and
    /// when it answered again it refused the cancellation: the business may still
    /// count on them.
    PartnerKept,
}

impl Kind {
    /// The message for a booking event, if it has one (`booking.held`, `completed` and
    /// `no_show` have none).
    pub fn for_booking_event(event_type: &str) -> Option<Kind> {
        Some(match event_type.strip_prefix("booking.")? {
            "confirmed" => Kind::Confirmed,
            "requested" => Kind::Requested,
            "rescheduled" => Kind::Rescheduled,
            "cancelled" => Kind::Cancelled,
            "rejected" => Kind::Rejected,
            "expired" => Kind::Expired,
            "partner_kept" => Kind::PartnerKept,
            _ => return None,
        })
    }

    /// The word in message keys and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Confirmed => "confirmed",
            Kind::Requested => "requested",
            Kind::Rescheduled => "rescheduled",
            Kind::Reminder => "reminder",
            Kind::Cancelled => "cancelled",
            Kind::Rejected => "rejected",
            Kind::Expired => "expired",
            Kind::WaitlistOffer => "waitlist",
            Kind::PartnerKept => "partner-kept",
        }
    }

    /// Whether the calendar should drop the event.
    pub fn method(self) -> Method {
        match self {
            Kind::Cancelled | Kind::Rejected | Kind::Expired | Kind::PartnerKept => Method::Cancel,
            _ => Method::Request,
        }
    }

    /// Whether the message still tells the truth about a booking now in `status`. A
    /// message handled late, after the booking changed again, is left out: the later
    /// change has its own.
    pub fn still_true(self, status: &str) -> bool {
        match self {
            Kind::Rescheduled => status == "confirmed" || status == "requested",
            Kind::Reminder => status == "confirmed",
            Kind::WaitlistOffer => status == "held",
            Kind::PartnerKept => status == "cancelled",
            _ => status == self.as_str(),
        }
    }
}

/// A booking with everything a message about it shows.
#[derive(Clone, Debug)]
pub struct BookingFacts {
    pub booking: booking::Model,
    pub offer: offer::Model,
    pub listing: listing::Model,
    pub resident: user::Model,
    pub city: city::Model,
}

/// A booking with its offer and the offer's listing; `None` when any of them is gone.
pub(super) async fn booking_offer_listing<C: ConnectionTrait>(
    conn: &C,
    booking_id: Uuid,
) -> Result<Option<(booking::Model, offer::Model, listing::Model)>, DbErr> {
    let Some(booking) = booking::Entity::find_by_id(booking_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(offer) = offer::Entity::find_by_id(booking.offer_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let listing = listing::Entity::find_by_id(offer.listing_id)
        .one(conn)
        .await?;
    Ok(listing.map(|l| (booking, offer, l)))
}

impl BookingFacts {
    /// Reads a booking and what belongs to it; `None` when it is gone, or its resident's
    /// account was erased (there is nobody to write to).
    pub async fn load<C: ConnectionTrait>(
        conn: &C,
        booking_id: Uuid,
    ) -> Result<Option<BookingFacts>, DbErr> {
        let Some((booking, offer, listing)) = booking_offer_listing(conn, booking_id).await? else {
            return Ok(None);
        };
        let Some(resident) = user::Entity::find_by_id(booking.user_id)
            .one(conn)
            .await?
            .filter(|u| u.deleted_at.is_none())
        else {
            return Ok(None);
        };
        let Some(city) = city::Entity::find_by_id(booking.city_id).one(conn).await? else {
            return Ok(None);
        };
        Ok(Some(BookingFacts {
            booking,
            offer,
            listing,
            resident,
            city,
        }))
    }

    /// [`BookingFacts::load`] for several bookings in five queries, however many there
    /// are (the notification consumer reads a whole batch at once). Bookings that are
    /// gone are left out of the map.
    pub async fn load_many<C: ConnectionTrait>(
        conn: &C,
        booking_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, BookingFacts>, DbErr> {
        if booking_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let bookings = booking::Entity::find()
            .filter(booking::Column::Id.is_in(booking_ids.iter().copied()))
            .all(conn)
            .await?;
        fn ids<T>(rows: &[T], id: impl Fn(&T) -> Uuid) -> Vec<Uuid> {
            let set: HashSet<Uuid> = rows.iter().map(id).collect();
            set.into_iter().collect()
        }
        let offers = by_id::<offer::Entity, _>(
            conn,
            offer::Column::Id,
            ids(&bookings, |b| b.offer_id),
            |o| o.id,
        )
        .await?;
        let offer_rows: Vec<&offer::Model> = offers.values().collect();
        let listings = by_id::<listing::Entity, _>(
            conn,
            listing::Column::Id,
            ids(&offer_rows, |o| o.listing_id),
            |l| l.id,
        )
        .await?;
        let residents =
            by_id::<user::Entity, _>(conn, user::Column::Id, ids(&bookings, |b| b.user_id), |u| {
                u.id
            })
            .await?;
        let cities =
            by_id::<city::Entity, _>(conn, city::Column::Id, ids(&bookings, |b| b.city_id), |c| {
                c.id
            })
            .await?;
        Ok(bookings
            .into_iter()
            .filter_map(|booking| {
                let offer = offers.get(&booking.offer_id)?.clone();
                let listing = listings.get(&offer.listing_id)?.clone();
                let resident = residents
                    .get(&booking.user_id)
                    .filter(|u| u.deleted_at.is_none())?
                    .clone();
                let city = cities.get(&booking.city_id)?.clone();
                Some((
                    booking.id,
                    BookingFacts {
                        booking,
                        offer,
                        listing,
                        resident,
                        city,
                    },
                ))
            })
            .collect())
    }

    /// The resident's language: their account's, else the city's default.
    pub fn locale(&self, fallback: Locale) -> Locale {
        self.resident
            .locale
            .as_deref()
            .and_then(|l| l.parse().ok())
            .or_else(|| self.city.default_locale.parse().ok())
            .unwrap_or(fallback)
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.city
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Europe::Berlin)
    }
}

/// The rows of `E` whose `column` is one of `ids`, by `key`.
async fn by_id<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    ids: Vec<Uuid>,
    key: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>, DbErr> {
    Ok(E::find()
        .filter(column.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (key(&m), m))
        .collect())
}

/// The text in `locale`, else the other language.
pub(super) fn pick(locale: Locale, de: &str, en: &str) -> String {
    let (first, second) = match locale {
        Locale::De => (de, en),
        Locale::En => (en, de),
    };
    if first.trim().is_empty() {
        second
    } else {
        first
    }
    .to_string()
}

/// Where the portal is, for links and the calendar's UIDs.
#[derive(Clone, Debug)]
pub struct Site {
    pub public_url: url::Url,
    pub from: Mailbox,
}

impl Site {
    fn link(&self, path: &str) -> String {
        self.public_url
            .join(path)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| path.to_string())
    }

    /// The UID of a booking's event: the same in every message, download and feed.
    pub fn uid(&self, booking_id: Uuid) -> String {
        let host = self.public_url.host_str().unwrap_or("city-portal");
        format!("booking-{booking_id}@{host}")
    }
}

/// A message ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub kind: Kind,
    pub booking_id: Uuid,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub method: Method,
    pub ics: String,
}

/// "Hauptstraße 1, 10115 Testhausen", or nothing without an address.
fn address(l: &listing::Model) -> Option<String> {
    let town = [l.address_postcode.as_deref(), l.address_city.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [l.address_street.clone().unwrap_or_default(), town]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What the offer costs and what to bring, as lines ("Price: 37,00 €", "What to bring:",
/// "- ID card"); none when the offer says neither.
fn offer_notes(facts: &BookingFacts, i18n: &I18n, locale: Locale) -> Vec<String> {
    let o = &facts.offer;
    let mut out = Vec::new();
    if let Some(p) = crate::booking::offers::price_of(o, locale.as_str()) {
        out.push(format!("{}: {p}", i18n.t(locale, "appt-price-label", None)));
    }
    let list = crate::booking::offers::what_to_bring_of(o);
    let (first, second) = match locale {
        Locale::En => (list.en, list.de),
        Locale::De => (list.de, list.en),
    };
    let items = if first.is_empty() { second } else { first };
    if !items.is_empty() {
        out.push(format!("{}:", i18n.t(locale, "appt-bring-heading", None)));
        out.extend(items.iter().map(|i| format!("- {i}")));
    }
    out
}

/// The booking as one calendar event.
pub fn event(
    facts: &BookingFacts,
    site: &Site,
    i18n: &I18n,
    locale: Locale,
    status: Status,
    parties: Option<(Party, Party)>,
) -> ics::Event {
    let b = &facts.booking;
    let tz = facts.timezone();
    let offer = pick(locale, &facts.offer.name_de, &facts.offer.name_en);
    let place = pick(locale, &facts.listing.name_de, &facts.listing.name_en);
    let when = match b.ends_at {
        Some(end) => When::Times {
            start: b.starts_at,
            end,
        },
        // Memberships start on a day.
        None => When::Day(b.starts_at.with_timezone(&tz).date_naive()),
    };
    let section = if facts.listing.kind == "municipal_service" {
        "services"
    } else {
        "listings"
    };
    let mut args = FluentArgs::new();
    args.set("city", FluentValue::from(facts.city.name.clone()));
    args.set("url", FluentValue::from(site.link("account")));
    let (organizer, attendee) = match parties {
        Some((o, a)) => (Some(o), Some(a)),
        None => (None, None),
    };
    ics::Event {
        uid: site.uid(b.id),
        sequence: b.version,
        when,
        summary: format!("{offer} – {place}"),
        location: address(&facts.listing),
        description: Some(
            std::iter::once(i18n.t(locale, "ics-description", Some(&args)))
                .chain(offer_notes(facts, i18n, locale))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        url: Some(site.link(&format!("{section}/{}", facts.listing.slug))),
        status,
        organizer,
        attendee,
    }
}

/// The status a calendar shows for a booking in `status`.
pub fn calendar_status(status: &str) -> Status {
    match status {
        "confirmed" | "completed" | "no_show" => Status::Confirmed,
        "held" | "requested" => Status::Tentative,
        _ => Status::Cancelled,
    }
}

/// "25.11.2026, 18:00–19:00" in the city's time zone (a day alone for memberships).
pub(super) fn when_text(
    locale: Locale,
    tz: chrono_tz::Tz,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> String {
    let s = start.with_timezone(&tz);
    let day = format_date(locale, s.date_naive());
    match end {
        None => day,
        Some(e) => {
            let e = e.with_timezone(&tz);
            let hours = format!("{}–{}", s.format("%H:%M"), e.format("%H:%M"));
            match locale {
                Locale::De => format!("{day}, {hours} Uhr"),
                Locale::En => format!("{day}, {hours}"),
            }
        }
    }
}

/// Composes the message of `kind` about a booking. `until` is the end of a waitlist
/// offer's claim window.
pub fn compose(
    kind: Kind,
    facts: &BookingFacts,
    site: &Site,
    i18n: &I18n,
    fallback: Locale,
    until: Option<DateTime<Utc>>,
) -> Result<Outgoing, String> {
    let locale = facts.locale(fallback);
    let tz = facts.timezone();
    let b = &facts.booking;
    let offer = pick(locale, &facts.offer.name_de, &facts.offer.name_en);
    let place = pick(locale, &facts.listing.name_de, &facts.listing.name_en);
    let name = if b.contact_name.trim().is_empty() {
        facts.resident.display_name.clone()
    } else {
        b.contact_name.clone()
    };
    let to_address = facts
        .resident
        .email
        .parse()
        .map_err(|_| "the account's email address cannot be used".to_string())?;
    let to = Mailbox::new(Some(name.clone()), to_address);
    let with = b
        .shared
        .get("with")
        .and_then(|v| v.as_str())
        .map(String::from)
        .unwrap_or_else(|| place.clone());
    let when = when_text(locale, tz, b.starts_at, b.ends_at);

    let mut args = FluentArgs::new();
    args.set("name", FluentValue::from(name.clone()));
    args.set("offer", FluentValue::from(offer.clone()));
    args.set("place", FluentValue::from(place.clone()));
    args.set("with", FluentValue::from(with));
    args.set("when", FluentValue::from(when.clone()));
    args.set("city", FluentValue::from(facts.city.name.clone()));
    args.set("url", FluentValue::from(site.link("account")));
    if let Some(u) = until {
        let u = u.with_timezone(&tz);
        let text = format!(
            "{}, {}",
            format_date(locale, u.date_naive()),
            u.format("%H:%M")
        );
        args.set("until", FluentValue::from(text));
    }
    let t = |key: &str| i18n.t(locale, key, Some(&args));
    let k = kind.as_str();

    let mut text = vec![
        t("mail-greeting"),
        String::new(),
        t(&format!("mail-{k}-intro")),
    ];
    text.push(String::new());
    text.push(format!("{}: {offer} ({place})", t("mail-what")));
    text.push(format!("{}: {when}", t("mail-when")));
    if let Some(a) = address(&facts.listing) {
        text.push(format!("{}: {a}", t("mail-where")));
    }
    if kind.method() == Method::Request {
        let notes = offer_notes(facts, i18n, locale);
        if !notes.is_empty() {
            text.push(String::new());
            text.extend(notes);
        }
    }
    text.push(String::new());
    if kind.method() == Method::Request {
        if let Some(deadline) = crate::booking::model::cancellable_until(b, &facts.offer)
            .filter(|d| *d > Utc::now() && kind != Kind::WaitlistOffer)
        {
            let d = deadline.with_timezone(&tz);
            let mut a = FluentArgs::new();
            a.set(
                "until",
                FluentValue::from(format!(
                    "{}, {}",
                    format_date(locale, d.date_naive()),
                    d.format("%H:%M")
                )),
            );
            text.push(i18n.t(locale, "mail-cancel-until", Some(&a)));
        }
    }
    text.push(t("mail-manage"));
    text.push(t("mail-attachment"));
    text.push(String::new());
    text.push(t("mail-signature"));
    let mut body = text.join("\n");
    body.push('\n');

    let status = match kind.method() {
        Method::Cancel => Status::Cancelled,
        _ => calendar_status(&b.status),
    };
    let organizer = Party {
        name: site
            .from
            .name
            .clone()
            .unwrap_or_else(|| facts.city.name.clone()),
        email: site.from.email.to_string(),
    };
    let attendee = Party {
        name,
        email: facts.resident.email.clone(),
    };
    let calendar = ics::Calendar {
        method: kind.method(),
        name: None,
        events: vec![event(
            facts,
            site,
            i18n,
            locale,
            status,
            Some((organizer, attendee)),
        )],
        stamp: Utc::now(),
    };
    Ok(Outgoing {
        kind,
        booking_id: b.id,
        to,
        subject: t(&format!("mail-{k}-subject")),
        text: body,
        method: kind.method(),
        ics: calendar.render(),
    })
}
