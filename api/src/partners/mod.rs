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

use secrecy::ExposeSecret;

/// The partner side of a server, from its configuration. It lives as long as the
/// process (one per server), so that the booking context can stay a plain copyable
/// value.
pub fn from_config(config: &crate::core::config::Config) -> anyhow::Result<&'static Partners> {
    let key = match &config.partner_secrets_key {
        Some(k) => crate::core::secrets::SecretsKey::parse(k.expose_secret())
            .map_err(|e| anyhow::anyhow!("PARTNER_SECRETS_KEY: {e}"))?,
        None => match sqlite_dir(config.database_url.expose_secret()) {
            Some(dir) => {
                crate::core::secrets::SecretsKey::load_or_create(&dir.join("partner-secrets.key"))
                    .map_err(|e| anyhow::anyhow!("PARTNER_SECRETS_KEY: unset, and {e}"))?
            }
            // An in-memory SQLite database (PostgreSQL needs the key; see config).
            None => crate::core::secrets::SecretsKey::generate(),
        },
    };
    Ok(Box::leak(Box::new(
        Partners::new(key, CallPolicy::with_timeout(config.partner_timeout))
            .allowing_private_networks(config.partner_allow_private),
    )))
}

/// The folder of an SQLite database file, where the embedded setup keeps its key.
fn sqlite_dir(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    let p = std::path::Path::new(path);
    Some(
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .to_path_buf(),
    )
}

#[cfg(test)]
mod tests {
    use super::sqlite_dir;

    #[test]
    fn the_key_lives_beside_the_sqlite_file() {
        assert_eq!(
            sqlite_dir("sqlite://data/city-portal.db?mode=rwc").unwrap(),
            std::path::PathBuf::from("data")
        );
        assert_eq!(
            sqlite_dir("sqlite:///tmp/x/db.sqlite").unwrap(),
            std::path::PathBuf::from("/tmp/x")
        );
        assert!(sqlite_dir("sqlite::memory:").is_none());
        assert!(sqlite_dir("postgres://u@h/db").is_none());
    }
}
