//! Configuration from environment variables (and optionally a `.env`-style file named by
//! `CONFIG_FILE`). Invalid values stop start-up with one line naming the variable.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// A supported interface and content language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    De,
    En,
}

impl Locale {
    /// The BCP 47 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::En => "en",
        }
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "de" => Ok(Locale::De),
            "en" => Ok(Locale::En),
            other => Err(format!("unsupported locale '{other}' (use de or en)")),
        }
    }
}

/// The portal's configuration. Secrets are wrapped so that they never print.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind_addr: SocketAddr,
    pub database_url: SecretString,
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so several portals can share one Redis.
    pub redis_key_prefix: String,
    pub meili_url: Option<Url>,
    pub meili_api_key: Option<SecretString>,
    /// The Meilisearch index of the listings.
    pub meili_index: String,
    /// Whether the server runs the search indexer itself (`SEARCH_INDEXER=server`, the
    /// default) or leaves it to a separate `search-indexer` process (`external`).
    pub indexer_in_server: bool,
    /// Whether the server sends the booking notifications itself (`NOTIFIER=server`, the
    /// default) or leaves them to separate `city-portal notifier` processes (`external`).
    pub notifier_in_server: bool,
    pub public_url: Url,
    pub city_name: String,
    pub city_timezone: chrono_tz::Tz,
    pub default_locale: Locale,
    pub demo_data: bool,
    pub max_body_bytes: usize,
    /// How long a published listing may be served from this process's memory before it
    /// is read again; writes through this process clear it at once. Zero turns it off.
    pub listing_cache: Duration,
    /// How long a booking hold keeps its seat unless the resident confirms it.
    pub booking_hold: Duration,
    /// How long the first in line on a waitlist has to confirm the seat held for them.
    pub waitlist_claim: Duration,
    /// The key (32 bytes, base64) that encrypts partner connections' secrets at rest;
    /// without it, a key file is created once beside the SQLite database (`data/`).
    pub partner_secrets_key: Option<SecretString>,
    /// How long one call to a partner's booking system may take.
    pub partner_timeout: Duration,
    /// How often bookings whose partner outcome is unknown are settled.
    pub partner_reconcile: Duration,
    /// Whether partner connections may point at loopback and private network addresses
    /// (development and tests); otherwise only public addresses, against SSRF.
    pub partner_allow_private: bool,
    /// Where notifications are sent: `smtp://host:port` (plain, or with `?tls=required`
    /// for STARTTLS) or `smtps://user:pass@host`; without it they are written to the log.
    pub smtp_url: Option<SecretString>,
    /// The sender of notifications.
    pub smtp_from: lettre::message::Mailbox,
    /// How many hours before a booking starts its reminder is sent.
    pub reminder_hours: u32,
    /// How long handled outbox events are kept (`OUTBOX_RETENTION_DAYS`); `None` keeps
    /// them.
    pub outbox_retention: Option<Duration>,
    pub log: String,
    /// Behind a reverse proxy: take the client address from the last entry of
    /// `X-Forwarded-For` (the one the proxy appended) instead of the socket peer.
    pub trust_forwarded_for: bool,
    /// A folder whose `templates/`, `static/` and `locales/` override the built-in ones.
    pub theme_dir: Option<std::path::PathBuf>,
    /// The city's logo (an http(s) URL or a path on this server).
    pub logo_url: Option<String>,
    /// The city's main colour, `#rrggbb`.
    pub primary_color: String,
    /// Map tiles, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub map_tile_url: String,
}

/// A configuration variable that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// The default database: an SQLite file under `./data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/city-portal.db?mode=rwc";

impl Config {
    /// Reads the process environment, after loading `CONFIG_FILE` if set, else a
    /// `.env` file in the working directory if there is one. Real environment variables
    /// win over both files.
    pub fn from_env() -> Result<Config, ConfigError> {
        let config_file = std::env::var("CONFIG_FILE")
            .ok()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty());
        if let Some(file) = config_file {
            dotenvy::from_filename(&file)
                .map_err(|e| err("CONFIG_FILE", format!("cannot read '{file}': {e}")))?;
        } else if std::path::Path::new(".env").is_file() {
            dotenvy::from_filename(".env")
                .map_err(|e| err("CONFIG_FILE", format!("cannot read '.env': {e}")))?;
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let bind_addr = match var("BIND_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(v) => v.parse().map_err(|_| {
                err(
                    "BIND_ADDR",
                    format!("'{v}' is not an address like 127.0.0.1:8080"),
                )
            })?,
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            // The value may hold a password: name only its scheme.
            let scheme = database_url.split(':').next().unwrap_or("");
            return Err(err(
                "DATABASE_URL",
                format!("unsupported scheme '{scheme}' (use sqlite: or postgres://)"),
            ));
        }
        let redis_url = match var("REDIS_URL") {
            None => None,
            Some(v) => {
                if !(v.starts_with("redis://")
                    || v.starts_with("rediss://")
                    || v.starts_with("unix://"))
                {
                    return Err(err(
                        "REDIS_URL",
                        "must start with redis://, rediss:// or unix://",
                    ));
                }
                Some(SecretString::from(v))
            }
        };
        let redis_key_prefix =
            var("REDIS_KEY_PREFIX").unwrap_or_else(|| "city-portal:".to_string());
        if redis_key_prefix.len() > 64
            || redis_key_prefix
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(err(
                "REDIS_KEY_PREFIX",
                "at most 64 characters without spaces",
            ));
        }
        let meili_url = match var("MEILI_URL") {
            None => None,
            Some(v) => Some(parse_http_url(&v).map_err(|m| err("MEILI_URL", m))?),
        };
        let meili_api_key = var("MEILI_API_KEY").map(SecretString::from);
        let meili_index = var("MEILI_INDEX").unwrap_or_else(|| "listings".to_string());
        if meili_index.len() > 64
            || !meili_index
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(err(
                "MEILI_INDEX",
                format!(
                    "'{meili_index}' is not an index name (letters, digits, - and _, at most 64)"
                ),
            ));
        }
        let in_server = |name: &'static str| match var(name) {
            None => Ok(true),
            Some(v) => match v.as_str() {
                "server" => Ok(true),
                "external" => Ok(false),
                _ => Err(err(name, format!("'{v}' is not server or external"))),
            },
        };
        let indexer_in_server = in_server("SEARCH_INDEXER")?;
        let notifier_in_server = in_server("NOTIFIER")?;
        let public_url = match var("PUBLIC_URL") {
            None => {
                Url::parse(&format!("http://{bind_addr}/")).expect("socket address forms a URL")
            }
            Some(v) => parse_http_url(&v).map_err(|m| err("PUBLIC_URL", m))?,
        };
        let city_name = var("CITY_NAME").unwrap_or_else(|| "Demo City".to_string());
        if city_name.chars().count() > 200 {
            return Err(err("CITY_NAME", "longer than 200 characters"));
        }
        let default_locale = match var("DEFAULT_LOCALE") {
            None => Locale::De,
            Some(v) => v.parse().map_err(|m: String| err("DEFAULT_LOCALE", m))?,
        };
        let demo_data = match var("DEMO_DATA") {
            None => true,
            Some(v) => parse_bool(&v)
                .ok_or_else(|| err("DEMO_DATA", format!("'{v}' is not true or false")))?,
        };
        let city_timezone = match var("CITY_TIMEZONE") {
            // The demo city is built from an extract of Helsinki: its opening hours and
            // the demo gym's classes are Helsinki times.
            None if demo_data => chrono_tz::Europe::Helsinki,
            None => chrono_tz::Europe::Berlin,
            Some(v) => v.parse::<chrono_tz::Tz>().map_err(|_| {
                err(
                    "CITY_TIMEZONE",
                    format!("unknown time zone '{v}' (use an IANA name like Europe/Berlin)"),
                )
            })?,
        };
        let max_body_bytes = match var("MAX_BODY_BYTES") {
            None => 1024 * 1024,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1024..=64 * 1024 * 1024).contains(n))
                .ok_or_else(|| {
                    err(
                        "MAX_BODY_BYTES",
                        format!("'{v}' is not a number of bytes between 1024 and 67108864"),
                    )
                })?,
        };
        let listing_cache = match var("LISTING_CACHE_MS") {
            None => Duration::from_millis(1000),
            Some(v) => duration_in("LISTING_CACHE_MS", &v, 0, 60_000, "milliseconds", 1)?,
        };
        let booking_hold = match var("BOOKING_HOLD_SECONDS") {
            None => Duration::from_secs(300),
            Some(v) => duration_in("BOOKING_HOLD_SECONDS", &v, 1, 3600, "seconds", 1000)?,
        };
        let waitlist_claim = match var("WAITLIST_CLAIM_MINUTES") {
            None => Duration::from_secs(60 * 60),
            Some(v) => duration_in("WAITLIST_CLAIM_MINUTES", &v, 1, 10080, "minutes", 60_000)?,
        };
        let partner_secrets_key = match var("PARTNER_SECRETS_KEY") {
            None => None,
            Some(v) => {
                crate::core::secrets::SecretsKey::parse(&v)
                    .map_err(|_| err("PARTNER_SECRETS_KEY", "not 32 bytes in base64"))?;
                Some(SecretString::from(v))
            }
        };
        // Stored secrets must stay readable after a restart: with PostgreSQL there is no
        // data folder to keep a generated key in.
        if partner_secrets_key.is_none() && !database_url.starts_with("sqlite:") {
            return Err(err(
                "PARTNER_SECRETS_KEY",
                "required with PostgreSQL: 32 random bytes in base64 (e.g. openssl rand -base64 32) that encrypt partner connections' secrets",
            ));
        }
        let partner_timeout = match var("PARTNER_TIMEOUT_MS") {
            None => Duration::from_secs(5),
            Some(v) => duration_in("PARTNER_TIMEOUT_MS", &v, 100, 60000, "milliseconds", 1)?,
        };
        let partner_reconcile = match var("PARTNER_RECONCILE_SECONDS") {
            None => Duration::from_secs(30),
            Some(v) => duration_in("PARTNER_RECONCILE_SECONDS", &v, 1, 3600, "seconds", 1000)?,
        };
        let partner_allow_private = match var("PARTNER_ALLOW_PRIVATE_NETWORK") {
            None => false,
            Some(v) => parse_bool(&v).ok_or_else(|| {
                err(
                    "PARTNER_ALLOW_PRIVATE_NETWORK",
                    format!("'{v}' is not true or false"),
                )
            })?,
        };
        let smtp_url = match var("SMTP_URL") {
            None => None,
            Some(v) => {
                parse_smtp_url(&v).map_err(|m| err("SMTP_URL", m))?;
                Some(SecretString::from(v))
            }
        };
        let smtp_from = {
            let v = var("SMTP_FROM").unwrap_or_else(|| "City Portal <noreply@localhost>".into());
            v.parse::<lettre::message::Mailbox>().map_err(|_| {
                err(
                    "SMTP_FROM",
                    format!("'{v}' is not an address like City Portal <noreply@city.example>"),
                )
            })?
        };
        let reminder_hours = match var("REMINDER_HOURS") {
            None => 24,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=720).contains(n))
                .ok_or_else(|| {
                    err(
                        "REMINDER_HOURS",
                        format!("'{v}' is not a number of hours between 1 and 720"),
                    )
                })?,
        };
        let outbox_retention = match var("OUTBOX_RETENTION_DAYS") {
            None => Some(30),
            Some(v) => match v.parse::<u64>().ok().filter(|n| *n <= 3650) {
                Some(0) => None,
                Some(n) => Some(n),
                None => {
                    return Err(err(
                        "OUTBOX_RETENTION_DAYS",
                        format!("'{v}' is not a number of days between 0 (keep) and 3650"),
                    ))
                }
            },
        }
        .map(|days| Duration::from_secs(days * 86_400));
        let log = var("LOG").unwrap_or_else(|| "info".to_string());
        let trust_forwarded_for = match var("TRUST_FORWARDED_FOR") {
            None => false,
            Some(v) => parse_bool(&v)
                .ok_or_else(|| err("TRUST_FORWARDED_FOR", format!("'{v}' is not true or false")))?,
        };
        let theme_dir = match var("THEME_DIR") {
            None => None,
            Some(v) => {
                let p = std::path::PathBuf::from(&v);
                if !p.is_dir() {
                    return Err(err("THEME_DIR", format!("'{v}' is not a folder")));
                }
                Some(p)
            }
        };
        let logo_url = match var("CITY_LOGO_URL") {
            None => None,
            Some(v) if v.starts_with('/') && !v.starts_with("//") => Some(v),
            Some(v) => Some(
                parse_http_url(&v)
                    .map_err(|m| err("CITY_LOGO_URL", m))?
                    .to_string(),
            ),
        };
        let primary_color = var("CITY_PRIMARY_COLOR").unwrap_or_else(|| "#0b5cad".to_string());
        if !(primary_color.len() == 7
            && primary_color.starts_with('#')
            && primary_color[1..].chars().all(|c| c.is_ascii_hexdigit()))
        {
            return Err(err(
                "CITY_PRIMARY_COLOR",
                format!("'{primary_color}' is not a colour like #0b5cad"),
            ));
        }
        let map_tile_url = var("MAP_TILE_URL")
            .unwrap_or_else(|| "https://tile.openstreetmap.org/{z}/{x}/{y}.png".to_string());
        {
            let probe = map_tile_url
                .replace("{z}", "0")
                .replace("{x}", "0")
                .replace("{y}", "0")
                .replace("{s}", "a");
            let u = parse_http_url(&probe).map_err(|m| err("MAP_TILE_URL", m))?;
            if !map_tile_url.contains("{z}")
                || !map_tile_url.contains("{x}")
                || !map_tile_url.contains("{y}")
                || u.host_str().is_none()
            {
                return Err(err(
                    "MAP_TILE_URL",
                    "must be an http(s) URL with {z}, {x} and {y}",
                ));
            }
        }
        Ok(Config {
            bind_addr,
            database_url: SecretString::from(database_url),
            redis_url,
            redis_key_prefix,
            meili_url,
            meili_api_key,
            meili_index,
            indexer_in_server,
            notifier_in_server,
            public_url,
            city_name,
            city_timezone,
            default_locale,
            demo_data,
            max_body_bytes,
            listing_cache,
            booking_hold,
            waitlist_claim,
            partner_secrets_key,
            partner_timeout,
            partner_reconcile,
            partner_allow_private,
            smtp_url,
            smtp_from,
            reminder_hours,
            outbox_retention,
            log,
            trust_forwarded_for,
            theme_dir,
            logo_url,
            primary_color,
            map_tile_url,
        })
    }

    /// The scheme and host of the map tile server, for the Content-Security-Policy.
    pub fn tile_origin(&self) -> String {
        let probe = self
            .map_tile_url
            .replace("{z}", "0")
            .replace("{x}", "0")
            .replace("{y}", "0")
            .replace("{s}", "a");
        url::Url::parse(&probe)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }

    /// Whether cookies must carry `Secure` (the portal is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

fn parse_http_url(v: &str) -> Result<Url, String> {
    let url = Url::parse(v).map_err(|e| format!("'{v}' is not a URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("'{v}' must be an http or https URL"));
    }
    Ok(url)
}

/// Checks an SMTP URL without ever repeating it (it may hold a password).
fn parse_smtp_url(v: &str) -> Result<(), String> {
    let scheme = v.split(':').next().unwrap_or("");
    let url = Url::parse(v).map_err(|_| {
        format!(
            "not a URL like smtp://127.0.0.1:2525 or smtps://user:pass@host (scheme '{scheme}')"
        )
    })?;
    if url.scheme() != "smtp" && url.scheme() != "smtps" {
        return Err(format!(
            "unsupported scheme '{scheme}' (use smtp:// or smtps://)"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("names no host".into());
    }
    for (k, val) in url.query_pairs() {
        if k == "tls" && url.scheme() == "smtp" && (val == "required" || val == "opportunistic") {
            continue;
        }
        return Err(format!(
            "unknown parameter '{k}' (only tls=required or tls=opportunistic, with smtp://)"
        ));
    }
    Ok(())
}

/// A whole number of `unit`s between `min` and `max`, as a duration (`unit_ms`
/// milliseconds each); otherwise the error naming the variable.
fn duration_in(
    var: &'static str,
    v: &str,
    min: u64,
    max: u64,
    unit: &str,
    unit_ms: u64,
) -> Result<Duration, ConfigError> {
    v.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .map(|n| Duration::from_millis(n * unit_ms))
        .ok_or_else(|| {
            err(
                var,
                format!("'{v}' is not a number of {unit} between {min} and {max}"),
            )
        })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert!(c.redis_url.is_none() && c.meili_url.is_none());
        assert_eq!(c.city_timezone, chrono_tz::Europe::Helsinki);
        assert_eq!(c.default_locale, Locale::De);
        assert!(c.demo_data);
        // Without the demo city, and set explicitly.
        let c = cfg(&[("DEMO_DATA", "false")]).unwrap();
        assert_eq!(c.city_timezone, chrono_tz::Europe::Berlin);
        let c = cfg(&[("CITY_TIMEZONE", "Europe/Lisbon")]).unwrap();
        assert_eq!(c.city_timezone, chrono_tz::Europe::Lisbon);
        assert!(!c.secure_cookies());
        assert!(c.smtp_url.is_none());
        assert_eq!(c.smtp_from.to_string(), "City Portal <noreply@localhost>");
        assert_eq!(c.reminder_hours, 24);
        assert!(c.indexer_in_server && c.notifier_in_server);
        assert_eq!(c.outbox_retention, Some(Duration::from_secs(30 * 86_400)));
        assert_eq!(
            cfg(&[("OUTBOX_RETENTION_DAYS", "0")])
                .unwrap()
                .outbox_retention,
            None
        );
        let c = cfg(&[("NOTIFIER", "external"), ("SEARCH_INDEXER", "server")]).unwrap();
        assert!(c.indexer_in_server && !c.notifier_in_server);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (var, value) in [
            ("BIND_ADDR", "localhost"),
            ("CITY_TIMEZONE", "Mars/Olympus"),
            ("DEFAULT_LOCALE", "fr"),
            ("MEILI_URL", "ftp://x"),
            ("PUBLIC_URL", "not a url"),
            ("REDIS_URL", "http://x"),
            ("DATABASE_URL", "mysql://u:hunter2@h/db"),
            ("DEMO_DATA", "maybe"),
            ("MAX_BODY_BYTES", "12"),
            ("LISTING_CACHE_MS", "soon"),
            ("BOOKING_HOLD_SECONDS", "0"),
            ("WAITLIST_CLAIM_MINUTES", "0"),
            ("MEILI_INDEX", "no spaces please"),
            ("SEARCH_INDEXER", "sometimes"),
            ("NOTIFIER", "elsewhere"),
            ("THEME_DIR", "/no/such/folder"),
            ("CITY_PRIMARY_COLOR", "red; } body { display:none"),
            ("CITY_LOGO_URL", "javascript:alert(1)"),
            ("MAP_TILE_URL", "https://tiles.example/no-placeholders.png"),
            ("SMTP_URL", "http://mail.example"),
            ("SMTP_URL", "smtps://user:hunter2@"),
            ("SMTP_URL", "smtp://mail.example?tls=sometimes"),
            ("SMTP_FROM", "not an address"),
            ("REMINDER_HOURS", "0"),
            ("REMINDER_HOURS", "a day"),
            ("OUTBOX_RETENTION_DAYS", "forever"),
            ("OUTBOX_RETENTION_DAYS", "3651"),
        ] {
            let e = cfg(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var);
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid configuration: {var}:")),
                "{e}"
            );
        }
    }

    #[test]
    fn postgres_needs_the_partner_secrets_key() {
        let e = cfg(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap_err();
        assert_eq!(e.var, "PARTNER_SECRETS_KEY");
        assert!(cfg(&[("DATABASE_URL", "sqlite://data/x.db")]).is_ok());
        let e = cfg(&[("PARTNER_SECRETS_KEY", "c2hvcnQ=")]).unwrap_err();
        assert_eq!(e.var, "PARTNER_SECRETS_KEY");
    }

    #[test]
    fn secrets_do_not_print() {
        let c = cfg(&[
            ("DATABASE_URL", "postgres://u:hunter2@h/db"),
            ("REDIS_URL", "redis://:s3cret@h/"),
            ("MEILI_API_KEY", "masterkey"),
            ("SMTP_URL", "smtps://mailer:m4ilpass@mail.example"),
            (
                "PARTNER_SECRETS_KEY",
                "YS1wYXJ0bmVyLXNlY3JldHMta2V5LTMyLWJ5dGVzISE=",
            ),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        for secret in [
            "hunter2",
            "s3cret",
            "masterkey",
            "m4ilpass",
            "YS1wYXJ0bmVyLXNlY3JldHMta2V5LTMyLWJ5dGVzISE",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        let e = cfg(&[("DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
        for bad in [
            "smtps://user:hunter2@",
            "smtp://u:hunter2@h?x=1",
            "imap://u:hunter2@h",
        ] {
            let e = cfg(&[("SMTP_URL", bad)]).unwrap_err();
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        assert!(cfg(&[("PUBLIC_URL", "https://portal.city.example")])
            .unwrap()
            .secure_cookies());
    }
}
