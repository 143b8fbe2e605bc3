//! Partner connections: a business's own booking system that the portal books through
//! (the Partner Booking API in `openapi/partner-booking-api.json`).
//!
//! - [`connections`]: owners' connections, secrets encrypted at rest
//!   ([`crate::core::secrets`]).
//! - [`pages`]: the dashboard pages where owners connect and change them.
//! - [`client`]: OAuth2 client credentials, token cache, timeouts, retries, circuit.
//!
//! Booking through a partner (and its webhooks and reconciliation) is booking's:
//! `crate::booking::partner`. Partners never call back into booking.

pub mod api;
pub mod client;
pub mod connections;
pub mod error;
pub mod pages;

pub use client::{CallPolicy, PartnerError, Partners};
pub use error::PartnerConnectionError;

use std::sync::Arc;

/// The partner side of a server, from its configuration: one per server, shared by its
/// requests and background tasks, and dropped with the last of them.
pub fn from_config(config: &crate::core::config::PartnersConfig) -> anyhow::Result<Arc<Partners>> {
    // Only a key file can fail to load: a given key was parsed with the configuration.
    let key = config
        .secrets_key
        .load()
        .map_err(|e| anyhow::anyhow!("PARTNER_SECRETS_KEY: unset, and {e}"))?;
    Ok(Arc::new(
        Partners::new(key, CallPolicy::with_timeout(config.timeout))
            .allowing_private_networks(config.allow_private_network)
            .reaching_modules(client::Reach::public_and(&config.module_networks)),
    ))
}
