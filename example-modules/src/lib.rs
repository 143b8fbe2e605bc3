//! Example modules for City Portal: the code a city's developer copies.
//!
//! A *module* is a system the city runs for one or more of its services (a permit
//! workflow, a street-defect tracker, ...). It talks to the portal only through the
//! published contract:
//!
//! - it is described by a **manifest** (`openapi/module-manifest.schema.json`), which a
//!   city admin registers and approves in the portal; approval hands out an OAuth2
//!   client (id and secret) and a Standard Webhooks signing secret (`whsec_…`);
//! - it gets an **access token** by OAuth2 client credentials at the portal's
//!   `/oauth/token` ([`portal::Portal`]);
//! - it **receives events** (`application.submitted`, `report.submitted`, ...) as signed
//!   webhooks, which it verifies and de-duplicates by `webhook-id` ([`webhook::Inbox`]);
//! - when its manifest publishes a public key, what residents send arrives **sealed** as
//!   compact JWE (RSA-OAEP-256 + A256GCM), which it opens with its private key
//!   ([`jwe::PrivateKey`]);
//! - it fetches the files residents attach through the **Module API** at the `href`
//!   each event gives (never inline in a webhook), and moves its cases on with it
//!   (`/api/v1/module/...`);
//! - it writes its messages in the one language each event names (`data.locale`), and
//!   deletes what it holds of a case when the resident's account is erased
//!   (`application.erased`).
//!
//! Three modules are here:
//!
//! - [`parking`]: residents' parking permits (an `application` service). It checks the
//!   number plate by its own rule, asks for the proof of address when none came, and
//!   approves with a permit document (a generated PDF) or refuses with its reasons.
//! - [`defects`]: street defects (a `report` service, reached by Open311 apps too). It
//!   acknowledges each report, schedules and fixes it, posting each step back.
//! - [`citizens_office`]: the citizens' office's appointments (an `appointment`
//!   service). It serves the Partner Booking API the portal books through
//!   ([`citizens_office::AppointmentSystem`]) and takes the `booking.*` events.
//!
//! Each runs standalone (`cargo run -p example-modules -- parking-permits --portal ...`,
//! see the crate's README) or inside the portal's demo city ([`spawn`]).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use example_modules::{Example, Options};
//! let bound = example_modules::bind(([127, 0, 0, 1], 0).into()).await?;
//! // Register `Example::ParkingPermits.manifest(&bound.webhook_url(), None, None)` in the
//! // portal and approve it; the approval answers the three secrets.
//! let running = bound.run(Example::ParkingPermits, Options {
//!     portal: "http://127.0.0.1:8080".into(),
//!     client_id: "...".into(),
//!     client_secret: "...".into(),
//!     webhook_secret: "whsec_...".into(),
//!     delay: std::time::Duration::from_secs(3),
//!     private_key: None,
//! })?;
//! running.stop().await;
//! # Ok(()) }
//! ```

pub mod citizens_office;
pub mod defects;
pub mod jwe;
pub mod parking;
pub mod pdf;
pub mod portal;
mod server;
pub mod webhook;

pub use server::{bind, Bound, Running};

use std::time::Duration;

/// The path the modules receive the portal's webhooks on.
pub const WEBHOOK_PATH: &str = "/webhooks/portal";

/// Which example module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Example {
    /// Residents' parking permits ([`parking`]).
    ParkingPermits,
    /// Street defects ([`defects`]).
    StreetDefects,
    /// The citizens' office's appointments ([`citizens_office`]): besides this webhook
    /// receiver it runs a [`citizens_office::AppointmentSystem`].
    CitizensOffice,
}

impl Example {
    /// Its manifest's `id`.
    pub fn id(self) -> &'static str {
        match self {
            Example::ParkingPermits => parking::ID,
            Example::StreetDefects => defects::ID,
            Example::CitizensOffice => citizens_office::ID,
        }
    }

    /// Its manifest, with the webhook at `webhook_url` and, for the parking permits,
    /// the public half of `key` to seal submissions to (the street defects receive no
    /// personal data to seal). `api` is the citizens' office's appointment system's
    /// address ([`citizens_office::AppointmentSystem::base_url`]); the other modules
    /// serve no API, and their `base_url` is their webhook's origin.
    pub fn manifest(
        self,
        webhook_url: &str,
        api: Option<&str>,
        key: Option<&jwe::PrivateKey>,
    ) -> serde_json::Value {
        match self {
            Example::ParkingPermits => parking::manifest(webhook_url, key),
            Example::StreetDefects => defects::manifest(webhook_url),
            Example::CitizensOffice => {
                let origin = webhook_url
                    .split_once(WEBHOOK_PATH)
                    .map_or(webhook_url, |(b, _)| b);
                citizens_office::manifest(api.unwrap_or(origin), webhook_url)
            }
        }
    }
}

/// How a module runs: where the portal is, the secrets its approval gave, and how long
/// it pretends to work on each step.
#[derive(Clone)]
pub struct Options {
    /// The portal's base URL, e.g. `https://portal.stadt.example`.
    pub portal: String,
    /// The module's OAuth2 client id (from the approval).
    pub client_id: String,
    /// The module's OAuth2 client secret (shown once at the approval).
    pub client_secret: String,
    /// The webhook signing secret, `whsec_…` (shown once at the approval).
    pub webhook_secret: String,
    /// The pause before each step of a case (a clerk's work, in a real office).
    pub delay: Duration,
    /// The private key when the manifest publishes its public half: submissions then
    /// arrive sealed to it.
    pub private_key: Option<jwe::PrivateKey>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secrets.
        f.debug_struct("Options")
            .field("portal", &self.portal)
            .field("client_id", &self.client_id)
            .field("delay", &self.delay)
            .field("sealed", &self.private_key.is_some())
            .finish_non_exhaustive()
    }
}

/// What a module's work on an event needs.
pub struct Context {
    /// The portal's Module API.
    pub portal: portal::Portal,
    /// The pause before each step.
    pub delay: Duration,
    /// The private key, for sealed submissions.
    pub key: Option<jwe::PrivateKey>,
    /// What the module holds of each open case (by the case's id): the answers it
    /// decides on. Deleted when the resident withdraws or their account is erased
    /// (`application.erased`).
    pub cases: std::sync::Mutex<std::collections::HashMap<String, serde_json::Value>>,
}
