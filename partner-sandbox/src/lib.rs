//! A sandbox partner implementing the Partner Booking API, for tests and the demo city:
//! its own OAuth2 token endpoint, the booking API, signed webhooks, and slow, down and
//! wrong modes.
//!
//! The contract itself (the published document, the wire model, problems, webhook signing
//! and the conformance checker) is the `partner-contract` crate; what the sandbox used to
//! hold of it is re-exported here.
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
mod config;
mod control;
mod delivery;
mod errors;
mod faults;
mod oauth;
mod server;
mod spec;
mod store;

pub use partner_contract::{
    check, check_with, model, problem, spec_json, webhook, CheckOptions, CheckReport, Finding,
    Outcome, OPERATION_ERRORS, SCOPE, VERSION,
};

pub use config::{parse_clients, ClientCredentials, Mode, SandboxConfig};
pub use delivery::WebhookRecord;
pub use oauth::{AccessToken, TokenError, TokenErrorCode};
pub use server::{spawn, Sandbox};
pub use spec::generated_spec_json;
