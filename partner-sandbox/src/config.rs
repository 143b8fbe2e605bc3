//! The sandbox's configuration, in process or from the environment.

use std::net::SocketAddr;
use std::time::Duration;

use crate::catalogue::Catalogue;
use crate::webhook::Secret;

/// A client (the portal) that may fetch tokens.
#[derive(Clone)]
pub struct ClientCredentials {
    /// The OAuth2 `client_id`.
    pub client_id: String,
    /// The OAuth2 `client_secret`.
    pub client_secret: String,
}

impl ClientCredentials {
    /// A client id with its secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"..")
            .finish()
    }
}

/// How the sandbox behaves, for tests and demos.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Follows the contract.
    #[default]
    Normal,
    /// Follows the contract, but every answer of the token endpoint and the Partner
    /// Booking API waits this long first.
    Slow(Duration),
    /// The token endpoint and the Partner Booking API answer 503 problems.
    Down,
    /// The Partner Booking API breaks the contract: wrong types, missing fields, wrong
    /// statuses, 200 with an error, errors that are not problem+json, any token accepted,
    /// replays with another booking id. The token endpoint stays correct.
    Wrong,
}

impl Mode {
    /// The default delay of `slow` when none is given.
    pub const DEFAULT_SLOW: Duration = Duration::from_millis(2000);

    /// `normal`, `slow`, `down` or `wrong`.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Slow(_) => "slow",
            Mode::Down => "down",
            Mode::Wrong => "wrong",
        }
    }

    /// Parses a mode name; `delay` applies to `slow`.
    pub fn parse(name: &str, delay: Option<Duration>) -> Option<Mode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "normal" => Some(Mode::Normal),
            "slow" => Some(Mode::Slow(delay.unwrap_or(Mode::DEFAULT_SLOW))),
            "down" => Some(Mode::Down),
            "wrong" => Some(Mode::Wrong),
            _ => None,
        }
    }
}

/// Everything the sandbox needs to run.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The clients that may fetch tokens.
    pub clients: Vec<ClientCredentials>,
    /// Where status-change webhooks go (the portal's
    /// `/api/v1/partner-webhooks/{connection}`); `None` records them without sending.
    pub webhook_url: Option<String>,
    /// The Standard Webhooks signing secret (`whsec_<base64>`).
    pub webhook_secret: Secret,
    /// The offers.
    pub catalogue: Catalogue,
    /// How long an access token is valid.
    pub token_ttl: Duration,
    /// How long a hold lasts unless confirmed.
    pub hold_ttl: Duration,
    /// After how long the sandbox approves a pending booking (a membership) by itself;
    /// `None`: only through the control API or [`crate::Sandbox::approve`].
    pub approval_delay: Option<Duration>,
    /// The bearer token of the control API (`/sandbox/...`); `None` disables it.
    pub control_token: Option<String>,
    /// The behaviour at start.
    pub mode: Mode,
    /// How often a webhook is tried before it is given up.
    pub webhook_attempts: u32,
    /// The wait before the first retry; it doubles with each further retry.
    pub webhook_backoff: Duration,
    /// How long one webhook attempt may take.
    pub webhook_timeout: Duration,
}

impl Default for SandboxConfig {
    /// Loopback with a free port, one client `city-portal` / `sandbox-secret`, no webhook
    /// target, a random webhook secret, the Sandbox Gym, tokens for an hour, holds for
    /// ten minutes, approval after five seconds, no control API.
    fn default() -> Self {
        SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            clients: vec![ClientCredentials::new("city-portal", "sandbox-secret")],
            webhook_url: None,
            webhook_secret: Secret::generate(),
            catalogue: Catalogue::sandbox_gym(),
            token_ttl: Duration::from_secs(3600),
            hold_ttl: Duration::from_secs(600),
            approval_delay: Some(Duration::from_secs(5)),
            control_token: None,
            mode: Mode::Normal,
            webhook_attempts: 5,
            webhook_backoff: Duration::from_millis(500),
            webhook_timeout: Duration::from_secs(5),
        }
    }
}

impl SandboxConfig {
    /// The defaults with one client.
    pub fn with_client(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        SandboxConfig {
            clients: vec![ClientCredentials::new(client_id, client_secret)],
            ..SandboxConfig::default()
        }
    }
}

/// Parses `id:secret,id2:secret2`.
pub fn parse_clients(s: &str) -> Result<Vec<ClientCredentials>, String> {
    let mut out = Vec::new();
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (id, secret) = pair
            .split_once(':')
            .ok_or_else(|| format!("`{pair}` is not client_id:client_secret"))?;
        if id.is_empty() || secret.is_empty() {
            return Err(format!("`{id}:…` needs both a client id and a secret"));
        }
        out.push(ClientCredentials::new(id, secret));
    }
    if out.is_empty() {
        return Err("no clients given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_parse() {
        let c = parse_clients("a:hush-hush, c:d:e").unwrap();
        assert_eq!(c[0].client_id, "a");
        assert_eq!(c[1].client_secret, "d:e");
        assert!(parse_clients("a").is_err());
        assert!(parse_clients(":x").is_err());
        assert!(parse_clients("").is_err());
        assert!(!format!("{:?}", c[0]).contains("hush"));
    }

    #[test]
    fn modes_parse() {
        assert_eq!(
            Mode::parse("SLOW", None),
            Some(Mode::Slow(Mode::DEFAULT_SLOW))
        );
        assert_eq!(
            Mode::parse("slow", Some(Duration::from_millis(5))),
            Some(Mode::Slow(Duration::from_millis(5)))
        );
        assert_eq!(Mode::parse("down", None), Some(Mode::Down));
        assert_eq!(Mode::parse("sideways", None), None);
    }
}
