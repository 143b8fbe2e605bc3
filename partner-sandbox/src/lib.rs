//! The Partner Booking API: the contract a business's booking system implements, a
//! sandbox partner that implements it (for tests and the demo city), Standard Webhooks
//! signing and verification, and a conformance checker.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sandbox = partner_sandbox::spawn(partner_sandbox::SandboxConfig::default()).await?;
//! let report = partner_sandbox::check(
//!     &sandbox.base_url(),
//!     &sandbox.token_url(),
//!     "city-portal",
//!     "sandbox-secret",
//! )
//! .await;
//! assert!(report.passed(), "{}", report.render());
//! # Ok(()) }
//! ```

mod api;
pub mod catalogue;
pub mod check;
mod config;
mod control;
mod delivery;
mod faults;
pub mod model;
mod oauth;
pub mod problem;
mod server;
mod spec;
mod store;
pub mod webhook;

pub use check::{check, check_with, CheckOptions, CheckReport, Finding, Outcome};
pub use config::{parse_clients, ClientCredentials, Mode, SandboxConfig};
pub use delivery::WebhookRecord;
pub use oauth::{AccessToken, TokenError, TokenErrorCode, SCOPE};
pub use server::{spawn, Sandbox};
pub use spec::{spec_json, OPERATION_ERRORS, VERSION};
