//! The citizens' office appointment system: an `appointment` service, booked through the
//! **Partner Booking API** (`openapi/partner-booking-api.json`) that the module serves
//! itself, exactly as a business's own booking system does.
//!
//! The module has two sides:
//!
//! - its **appointment system** ([`AppointmentSystem`]): the Partner Booking API at
//!   `<base_url>/partner/v1` with its OAuth 2.0 token endpoint at `<base_url>/oauth/token`,
//!   for the client credentials the module issues the portal (the city admin enters them
//!   when approving the module). It keeps the office's calendar: weekly counter hours,
//!   parallel counters, holds that lapse, confirmations carrying exactly the resident
//!   data an offer asks for, and signed webhooks back to the portal when the office
//!   cancels. This example uses the workspace's reference implementation of that API
//!   (the `partner-sandbox` crate) with the office's catalogue: a real office puts its
//!   existing appointment software behind the same API.
//! - its **webhook** (`POST /webhooks/portal`, like every module): `booking.held`,
//!   `booking.confirmed` and `booking.cancelled` as hints, without resident data (the
//!   booking itself is the one in the appointment system).
//!
//! Both directions share the module's one `whsec_` secret: the portal signs its events
//! with it, and the appointment system signs its booking webhooks to the portal with it
//! ([`AppointmentSystem::connect`]).
//!
//! In the demo city it serves "Certified copies" (the citizens' office's other services
//! keep the counters the portal itself manages): a small thing to book, as residents do
//! most often.

use std::net::SocketAddr;

use chrono::{NaiveTime, Weekday};
use partner_contract::model::{Confirmation, OfferKind};
use partner_contract::webhook::Secret;
use partner_sandbox::catalogue::{Catalogue, CatalogueOffer, Schedule};
use partner_sandbox::{ClientCredentials, Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::webhook::Event;
use crate::Context;

/// The manifest's `id`.
pub const ID: &str = "citizens-office-appointments";
/// The municipal-service listing the module serves (the demo city has it).
pub const LISTING: &str = "certified-copy";
/// The offer for a few copies.
pub const OFFER_FEW: &str = "copy.certify";
/// The offer for many copies.
pub const OFFER_MANY: &str = "copy.many";

/// The office's counter hours: mornings on weekdays, and a long Thursday afternoon for
/// those who work.
fn counter_hours() -> Vec<(Weekday, u32, u32)> {
    vec![
        (Weekday::Mon, 8, 12),
        (Weekday::Tue, 8, 12),
        (Weekday::Wed, 8, 12),
        (Weekday::Thu, 14, 18),
        (Weekday::Fri, 8, 12),
    ]
}

/// Weekly start times every `minutes` within the counter hours.
fn starts(minutes: u32) -> Vec<(Weekday, NaiveTime)> {
    counter_hours()
        .into_iter()
        .flat_map(|(day, from, to)| {
            (from * 60..to * 60)
                .step_by(minutes as usize)
                .filter_map(move |m| NaiveTime::from_hms_opt(m / 60, m % 60, 0).map(|t| (day, t)))
        })
        .collect()
}

/// The office's appointments, in the city's time zone, three weeks ahead: certifying up
/// to five copies (10 minutes, three counters), or more (20 minutes, one counter). Each
/// confirmation carries the resident's name and email address (to send a reminder and
/// reach them if a counter closes), nothing else.
pub fn catalogue(time_zone: chrono_tz::Tz) -> Catalogue {
    let offer =
        |id: &str, name: &str, description: &str, minutes: u32, counters: u32| CatalogueOffer {
            id: id.into(),
            name: name.into(),
            description: Some(description.into()),
            needs_email: true,
            needs_phone: false,
            schedule: Schedule::Sessions {
                kind: OfferKind::Appointment,
                weekly: starts(minutes),
                duration_minutes: minutes,
                capacity: counters,
                confirmation: Confirmation::Instant,
            },
        };
    Catalogue {
        time_zone,
        weeks_ahead: 3,
        offers: vec![
            offer(
                OFFER_FEW,
                "Certify up to five copies",
                "Bring the originals and the copies; each certified page costs a fee, paid at the counter.",
                10,
                3,
            ),
            offer(
                OFFER_MANY,
                "Certify more than five copies",
                "A longer appointment for many documents; bring the originals and the copies.",
                20,
                1,
            ),
        ],
    }
}

/// The module's manifest: one appointment service booking both offers, the resident's
/// name and email address as the only data it receives, and the `booking.*` events.
/// `base_url` is where the appointment system is ([`AppointmentSystem::base_url`]).
pub fn manifest(base_url: &str, webhook_url: &str) -> Value {
    json!({
        "manifest_version": 1,
        "id": ID,
        "name": {"de": "Bürgeramt: Terminvergabe (Beispielmodul)", "en": "Citizens' office: appointments (example module)"},
        "operator": "citizens-office",
        "base_url": base_url,
        "contact": {"email": "buergeramt@stadt.example"},
        "services": [{
            "listing": LISTING,
            "capability": "appointment",
            // Who comes, and where to send a reminder or a cancellation. Nothing else.
            "data": ["name", "email"],
            "purpose": {
                "de": "Den Termin am Schalter vorbereiten und Sie bei Änderungen erreichen.",
                "en": "To prepare your appointment at the counter and reach you if it changes."
            },
            "legal_basis": {
                "de": "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 33 VwVfG (Beglaubigung von Abschriften).",
                "en": "Art. 6(1)(e) GDPR in conjunction with § 33 VwVfG (certification of copies)."
            },
            "offers": [OFFER_FEW, OFFER_MANY],
        }],
        "scopes": [],
        "events": ["booking.held", "booking.confirmed", "booking.cancelled"],
        "webhook_url": webhook_url,
    })
}

/// The module's appointment system: the Partner Booking API, running.
pub struct AppointmentSystem {
    sandbox: Sandbox,
}

impl AppointmentSystem {
    /// Starts the Partner Booking API on `addr` (port 0: any free port) with the office's
    /// [`catalogue`] in `time_zone`, for the portal's `client_id` and `client_secret`
    /// (which the module issues, and the city admin enters when approving the module).
    pub async fn start(
        addr: SocketAddr,
        time_zone: chrono_tz::Tz,
        client_id: &str,
        client_secret: &str,
    ) -> anyhow::Result<AppointmentSystem> {
        let sandbox = partner_sandbox::spawn(SandboxConfig {
            bind: addr,
            clients: vec![ClientCredentials::new(client_id, client_secret)],
            catalogue: catalogue(time_zone),
            // Bookings are confirmed at once; nothing waits for a clerk's approval.
            approval_delay: None,
            // Until `connect`, webhooks are kept, not sent.
            webhook_url: None,
            ..SandboxConfig::default()
        })
        .await?;
        Ok(AppointmentSystem { sandbox })
    }

    /// The manifest's `base_url`: the API is at `{base_url}/partner/v1`, the token
    /// endpoint at `{base_url}/oauth/token`.
    pub fn base_url(&self) -> String {
        self.sandbox.base_url()
    }

    /// After the approval: sign booking webhooks with the module's `whsec_` secret and
    /// send them to the portal's `booking_webhook_url` (the admin page shows it; it is
    /// `{portal}/api/v1/partner-webhooks/{connection}`).
    pub fn connect(&self, webhook_secret: &str, booking_webhook_url: &str) -> anyhow::Result<()> {
        let secret = Secret::parse(webhook_secret)
            .map_err(|e| anyhow::anyhow!("the webhook secret: {e}"))?;
        self.sandbox.set_webhook_secret(secret);
        self.sandbox
            .set_webhook_target(Some(booking_webhook_url.to_string()));
        Ok(())
    }

    /// The office's bookings, as its clerks see them.
    pub fn bookings(&self) -> Vec<partner_contract::model::Booking> {
        self.sandbox.bookings()
    }

    /// The office cancels a booking (a counter closes): the portal hears of it through
    /// a signed webhook and tells the resident.
    pub fn cancel(&self, booking_id: &str, reason: &str) -> Result<(), String> {
        self.sandbox
            .cancel_by_business(booking_id, Some(reason.to_string()))
            .map(|_| ())
    }

    /// Stops the API.
    pub async fn stop(self) {
        self.sandbox.stop().await;
    }
}

/// A `booking.*` event: a hint that a booking in the appointment system changed. The
/// event carries no resident data; the office's list is the appointment system's.
pub async fn handle(_cx: &Context, event: &Event) -> anyhow::Result<()> {
    let booking = event.data["booking_id"].as_str().unwrap_or("?");
    let status = event.data["status"].as_str().unwrap_or("?");
    tracing::info!(module = ID, kind = %event.kind, booking, status, "booking changed");
    Ok(())
}
