//! Configuration from environment variables (and optionally a `.env`-style file named by
//! `CONFIG_FILE`). Invalid values stop start-up with one line naming the variable.
//!
//! [`Config`] is made of one part per concern, each read by its own small function.
//! Every variable is read the same way (`Vars::parse`): trimmed, empty counts as
//! unset, and a value that cannot be used becomes a [`ConfigError`] naming the
//! variable (never repeating a secret value). Secrets are parsed once, into the types
//! that use them, and never print.

use std::fmt::Display;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::core::email::Email;
use crate::core::identity::StaffRole;
use crate::core::locale::Locale;
use crate::core::secrets::{SecretsKey, SecretsKeySource};

/// The portal's configuration, one part per concern. Secrets are wrapped so that they
/// never print.
#[derive(Clone, Debug)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub store: StoreConfig,
    pub search: SearchConfig,
    pub city: CityConfig,
    pub theme: ThemeConfig,
    pub listings: ListingsConfig,
    pub booking: BookingConfig,
    pub partners: PartnersConfig,
    pub notifications: NotificationsConfig,
    pub outbox: OutboxConfig,
    pub operator: OperatorConfig,
    /// The city login through the city's OpenID Provider; `None` when off.
    pub oidc: Option<OidcConfig>,
    /// The log filter in `RUST_LOG` syntax (`LOG`).
    pub log: String,
    /// How log lines are written (`LOG_FORMAT`): `text` (the default) or `json`, one
    /// JSON object per line, for a log collector.
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines; coloured only when written to a terminal.
    Text,
    /// One JSON object per line (`timestamp`, `level`, `fields`, `target`, `span` …).
    Json,
}

fn log_format(v: &str) -> Result<LogFormat, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("must be `text` or `json`".into()),
    }
}

/// Listening and answering HTTP.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// `BIND_ADDR`.
    pub bind_addr: SocketAddr,
    /// Whether a starting server applies pending migrations (the default). Not from
    /// the environment: `serve --no-migrate` turns it off for deployments that migrate
    /// in a job of their own (`city-portal migrate`); the server then refuses to start
    /// on a database that lacks migrations.
    pub migrate_on_start: bool,
    /// `ADMIN_BIND_ADDR`: where `/metrics` and the detailed `/readyz` are served, off
    /// the public port (which then has no `/metrics`). Unset: `/metrics` is on the
    /// public port.
    pub admin_bind_addr: Option<SocketAddr>,
    /// The base URL users reach the portal at (`PUBLIC_URL`).
    pub public_url: Url,
    /// The largest request body `/api/v1` accepts (`MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// The largest body of a page's form, not multipart (`FORM_MAX_BYTES`, 64 KiB by
    /// default).
    pub form_max_bytes: usize,
    /// Behind a reverse proxy: take the client address from the last entry of
    /// `X-Forwarded-For` (the one the proxy appended) instead of the socket peer
    /// (`TRUST_FORWARDED_FOR`).
    pub trust_forwarded_for: bool,
    /// Accounts registered from one client address within an hour
    /// (`REGISTRATIONS_PER_HOUR`, 20 by default).
    pub registrations_per_hour: u64,
    /// Requests one client address may make a minute without being logged in
    /// (`ANONYMOUS_REQUESTS_PER_MINUTE`, 600 by default; `0` turns the limit off).
    /// Logged-in residents and apps are not limited by it.
    pub anonymous_per_minute: u32,
}

/// The database.
#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    /// `DATABASE_URL`: `sqlite:` or `postgres://`.
    pub url: SecretString,
}

/// Where sessions and rate limits are kept.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// `REDIS_URL`; without it, in this process's memory.
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so several portals can share one Redis
    /// (`REDIS_KEY_PREFIX`).
    pub key_prefix: String,
}

/// Search and its index.
#[derive(Clone, Debug)]
pub struct SearchConfig {
    /// `MEILI_URL`; without it, search uses the database.
    pub meili_url: Option<Url>,
    /// `MEILI_API_KEY`.
    pub meili_api_key: Option<SecretString>,
    /// The Meilisearch index of the listings (`MEILI_INDEX`).
    pub meili_index: String,
    /// Whether the server runs the search indexer itself (`SEARCH_INDEXER=server`, the
    /// default) or leaves it to a separate `search-indexer` process (`external`).
    pub indexer_in_server: bool,
}

/// The city the portal serves.
#[derive(Clone, Debug)]
pub struct CityConfig {
    /// `CITY_NAME`.
    pub name: String,
    /// `CITY_TIMEZONE`.
    pub timezone: chrono_tz::Tz,
    /// `DEFAULT_LOCALE`.
    pub default_locale: Locale,
    /// Whether the demo city is loaded on a start with no listings (`DEMO_DATA`).
    pub demo_data: bool,
    /// Whether the demo city's example modules (parking permits, street defects) run
    /// inside the server with the demo data (`DEMO_MODULES`, default on).
    pub demo_modules: bool,
    /// The region whose public holidays close appointment offers that follow them
    /// (`CITY_HOLIDAYS`, e.g. `DE-BE`; `none` for none).
    pub holidays: Option<crate::core::holidays::Region>,
}

/// How the portal looks.
#[derive(Clone, Debug)]
pub struct ThemeConfig {
    /// A folder whose `templates/`, `static/` and `locales/` override the built-in ones
    /// (`THEME_DIR`).
    pub dir: Option<PathBuf>,
    /// The city's logo, an http(s) URL or a path on this server (`CITY_LOGO_URL`).
    pub logo_url: Option<String>,
    /// The city's main colour, `#rrggbb` (`CITY_PRIMARY_COLOR`).
    pub primary_color: String,
    /// Map tiles, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`
    /// (`MAP_TILE_URL`).
    pub map_tile_url: String,
}

/// Reading listings.
#[derive(Clone, Debug)]
pub struct ListingsConfig {
    /// How long a published listing may be served from this process's memory before it
    /// is read again; writes through this process clear it at once. Zero turns it off
    /// (`LISTING_CACHE_MS`).
    pub cache: Duration,
    /// Terms a business's listing name may only carry after city staff reviewed it
    /// (`RESERVED_NAMES`, comma-separated).
    pub reserved_names: Vec<String>,
}

/// The reserved terms of the demo city, used when `RESERVED_NAMES` is not set.
pub const DEMO_RESERVED_NAMES: &[&str] = &[
    "Bürgeramt",
    "Bürgerbüro",
    "Bürgerservice",
    "Rathaus",
    "Stadtverwaltung",
    "Standesamt",
    "Ordnungsamt",
    "Ausländerbehörde",
    "citizens' office",
    "city hall",
    "town hall",
    "city administration",
];

/// Booking.
#[derive(Clone, Debug)]
pub struct BookingConfig {
    /// How long a booking hold keeps its seat unless the resident confirms it
    /// (`BOOKING_HOLD_SECONDS`).
    pub hold: Duration,
    /// How long the first in line on a waitlist has to confirm the seat held for them
    /// (`WAITLIST_CLAIM_MINUTES`).
    pub waitlist_claim: Duration,
}

/// Businesses' own booking systems (partner connections).
#[derive(Clone, Debug)]
pub struct PartnersConfig {
    /// The key that encrypts partner connections' secrets at rest: given
    /// (`PARTNER_SECRETS_KEY`), or a key file beside the SQLite database.
    pub secrets_key: SecretsKeySource,
    /// How long one call to a partner's booking system may take (`PARTNER_TIMEOUT_MS`).
    pub timeout: Duration,
    /// How often bookings whose partner outcome is unknown are settled
    /// (`PARTNER_RECONCILE_SECONDS`).
    pub reconcile_every: Duration,
    /// Whether partner connections may point at loopback and private network addresses
    /// (development and tests); otherwise only public addresses, against SSRF
    /// (`PARTNER_ALLOW_PRIVATE_NETWORK`).
    pub allow_private_network: bool,
    /// The networks besides public addresses where the city's modules may be called
    /// (`MODULE_NETWORKS`: comma-separated CIDR blocks or addresses, e.g. the city's
    /// own `10.20.0.0/16`). Unset: loopback while the demo runs its example modules,
    /// else none (public addresses only).
    pub module_networks: Vec<ipnet::IpNet>,
}

/// Booking notifications.
#[derive(Clone, Debug)]
pub struct NotificationsConfig {
    /// Whether the server sends the booking notifications itself (`NOTIFIER=server`, the
    /// default) or leaves them to separate `city-portal notifier` processes (`external`).
    pub in_server: bool,
    /// Where notifications are sent: `smtp://host:port` (plain, or with `?tls=required`
    /// for STARTTLS) or `smtps://user:pass@host`; without it they are written to the log
    /// (`SMTP_URL`).
    pub smtp_url: Option<SecretString>,
    /// The sender of notifications (`SMTP_FROM`).
    pub smtp_from: lettre::message::Mailbox,
    /// How many hours before a booking starts its reminder is sent (`REMINDER_HOURS`).
    pub reminder_hours: u32,
}

/// The transactional outbox.
#[derive(Clone, Debug)]
pub struct OutboxConfig {
    /// How long handled outbox events are kept (`OUTBOX_RETENTION_DAYS`); `None` keeps
    /// them.
    pub retention: Option<Duration>,
}

/// Who operates the portal, as the imprint (§ 5 DDG), the privacy page and the
/// accessibility statement name them. Without `OPERATOR_NAME` every field holds demo
/// values that say they are demo data, and `is_demo` is true.
#[derive(Clone, Debug)]
pub struct OperatorConfig {
    /// The body that operates the portal (`OPERATOR_NAME`).
    pub name: String,
    /// Its postal address; a line break or `;` starts a new line (`OPERATOR_ADDRESS`).
    pub address: Vec<String>,
    /// Its contact email (`OPERATOR_EMAIL`).
    pub email: Email,
    /// Its phone number (`OPERATOR_PHONE`).
    pub phone: Option<String>,
    /// Who represents it, e.g. the mayor (`OPERATOR_REPRESENTATIVE`).
    pub representative: Option<String>,
    /// Its VAT identification number, if it has one (`OPERATOR_VAT_ID`).
    pub vat_id: Option<String>,
    /// Where feedback on accessibility goes (`ACCESSIBILITY_CONTACT_EMAIL`; default
    /// the operator's email).
    pub accessibility_email: Email,
    /// Whether these are the demo values (`OPERATOR_NAME` unset).
    pub is_demo: bool,
}

/// The city login: residents log in with the city's account at its OpenID Provider
/// (OpenID Connect, authorization code flow with PKCE). Off unless `OIDC_ISSUER_URL`
/// is set.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// The provider's issuer identifier; its discovery document is read from
    /// `<issuer>/.well-known/openid-configuration` (`OIDC_ISSUER_URL`). https, or http
    /// on a loopback address for development.
    pub issuer: Url,
    /// The issuer identifier exactly as configured: discovery and the ID token's `iss`
    /// must match it character for character (a trailing slash included), which the
    /// parsed URL cannot tell.
    pub issuer_id: String,
    /// The portal's client id at the provider (`OIDC_CLIENT_ID`).
    pub client_id: String,
    /// Its client secret (`OIDC_CLIENT_SECRET`); without one the portal is a public
    /// client (PKCE only).
    pub client_secret: Option<SecretString>,
    /// The scopes asked for (`OIDC_SCOPES`, default `openid email profile`; `openid`
    /// is always included).
    pub scopes: Vec<String>,
    /// What the login button calls the provider (`OIDC_DISPLAY_NAME`, default "city
    /// account").
    pub display_name: String,
    /// The provider's assurance levels (`acr` values), lowest first
    /// (`OIDC_ACR_LEVELS`, e.g. `basic substantial high`).
    pub acr_levels: Vec<String>,
    /// Actions that need at least a level, as `action=level` pairs (`OIDC_STEP_UP`,
    /// e.g. `account-export=substantial account-delete=substantial`). Actions:
    /// [`STEP_UP_ACTIONS`].
    pub step_up: Vec<(String, String)>,
    /// How long after the login at the provider its level counts for those actions
    /// (`OIDC_STEP_UP_SECONDS`, default 15 minutes); then they ask for a new login.
    pub step_up_max_age: Duration,
    /// A claim holding the resident's groups whose values map to city staff roles
    /// (`OIDC_ROLES_CLAIM`, e.g. `groups`); off by default.
    pub roles_claim: Option<String>,
    /// Which group gives which role, as `group=role` pairs (`OIDC_ROLE_MAP`, e.g.
    /// `city-admins=admin city-editors=editor`).
    pub role_map: Vec<(String, StaffRole)>,
}

/// The actions `OIDC_STEP_UP` can ask a higher assurance level for.
pub const STEP_UP_ACTIONS: [&str; 3] = ["account-export", "account-delete", "admin"];

impl OidcConfig {
    fn read(vars: &Vars) -> Result<Option<OidcConfig>, ConfigError> {
        let issuer = vars.parse("OIDC_ISSUER_URL", |v| {
            let url = http_url(v)?;
            if !crate::core::validate::https_or_loopback_http(&url) {
                return Err(format!(
                    "'{v}' must be an https URL (http only on loopback)"
                ));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err(format!("'{v}' must have no query or fragment"));
            }
            Ok((url, v.to_string()))
        })?;
        let client_id = vars.parse("OIDC_CLIENT_ID", line(255))?;
        let client_secret = vars.parse("OIDC_CLIENT_SECRET", |v| Ok(SecretString::from(v)))?;
        let scopes = vars.parse("OIDC_SCOPES", |v| {
            let scopes: Vec<String> = v.split_whitespace().map(String::from).collect();
            if scopes.iter().any(|s| {
                s.chars()
                    .any(|c| !c.is_ascii_graphic() || c == '"' || c == '\\')
            }) {
                return Err(format!("'{v}' is not a space-separated list of scopes"));
            }
            Ok(scopes)
        })?;
        let display_name = vars.parse("OIDC_DISPLAY_NAME", line(60))?;
        let acr_levels = vars.parse("OIDC_ACR_LEVELS", |v| {
            Ok(v.split_whitespace().map(String::from).collect::<Vec<_>>())
        })?;
        let step_up = vars.parse("OIDC_STEP_UP", |v| {
            v.split_whitespace()
                .map(|pair| match pair.split_once('=') {
                    Some((action, level))
                        if STEP_UP_ACTIONS.contains(&action) && !level.is_empty() =>
                    {
                        Ok((action.to_string(), level.to_string()))
                    }
                    _ => Err(format!(
                        "'{pair}' is not action=level with an action of {}",
                        STEP_UP_ACTIONS.join(", ")
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let step_up_max_age = vars
            .parse(
                "OIDC_STEP_UP_SECONDS",
                duration_in(1, 86_400, Unit::Seconds),
            )?
            .unwrap_or(Duration::from_secs(15 * 60));
        let roles_claim = vars.parse("OIDC_ROLES_CLAIM", line(100))?;
        let role_map = vars.parse("OIDC_ROLE_MAP", |v| {
            v.split_whitespace()
                .map(|pair| {
                    pair.split_once('=')
                        .and_then(|(group, role)| {
                            StaffRole::parse(role).map(|r| (group.to_string(), r))
                        })
                        .filter(|(group, _)| !group.is_empty())
                        .ok_or_else(|| format!("'{pair}' is not group=editor or group=admin"))
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let Some((issuer, issuer_id)) = issuer else {
            if client_id.is_some() {
                return Err(err("OIDC_ISSUER_URL", "missing: OIDC_CLIENT_ID is set"));
            }
            return Ok(None);
        };
        let client_id =
            client_id.ok_or_else(|| err("OIDC_CLIENT_ID", "missing: OIDC_ISSUER_URL is set"))?;
        let acr_levels = acr_levels.unwrap_or_default();
        let step_up = step_up.unwrap_or_default();
        if let Some((_, level)) = step_up.iter().find(|(_, l)| !acr_levels.contains(l)) {
            return Err(err(
                "OIDC_STEP_UP",
                format!("'{level}' is not one of OIDC_ACR_LEVELS"),
            ));
        }
        let role_map = role_map.unwrap_or_default();
        if roles_claim.is_some() == role_map.is_empty() {
            return Err(err(
                "OIDC_ROLE_MAP",
                "OIDC_ROLES_CLAIM and OIDC_ROLE_MAP are set together or not at all",
            ));
        }
        let mut scopes = scopes.unwrap_or_else(|| vec!["email".into(), "profile".into()]);
        scopes.retain(|s| s != "openid");
        Ok(Some(OidcConfig {
            issuer,
            issuer_id,
            client_id,
            client_secret,
            scopes,
            display_name: display_name.unwrap_or_else(|| "city account".into()),
            acr_levels,
            step_up,
            step_up_max_age,
            roles_claim,
            role_map,
        }))
    }

    /// The level an action needs, if any.
    pub fn level_for(&self, action: &str) -> Option<&str> {
        self.step_up
            .iter()
            .find(|(a, _)| a == action)
            .map(|(_, l)| l.as_str())
    }

    /// Whether a login at the level `got`, authenticated at the provider at `at`, may
    /// do an action that needs `needed` now: the level is high enough and the login
    /// not older than [`OidcConfig::step_up_max_age`] (so a raised level does not last
    /// the whole session). A login the provider gave no time for counts for nothing.
    pub fn reached(
        &self,
        got: Option<&str>,
        at: Option<chrono::DateTime<chrono::Utc>>,
        needed: &str,
    ) -> bool {
        let now = chrono::Utc::now();
        let max_age =
            chrono::Duration::from_std(self.step_up_max_age).unwrap_or(chrono::Duration::MAX);
        // A minute's leeway for the provider's clock running ahead.
        let recent =
            at.is_some_and(|at| at <= now + chrono::Duration::minutes(1) && now - at <= max_age);
        recent && self.satisfies(got, needed)
    }

    /// Whether the level `got` is at least `needed` (by `OIDC_ACR_LEVELS`' order; an
    /// unknown level satisfies nothing).
    pub fn satisfies(&self, got: Option<&str>, needed: &str) -> bool {
        let rank = |l: &str| self.acr_levels.iter().position(|x| x == l);
        match (got.and_then(rank), rank(needed)) {
            (Some(g), Some(n)) => g >= n,
            _ => false,
        }
    }
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

/// The file beside an SQLite database that keeps the generated partner secrets key.
pub const SECRETS_KEY_FILE: &str = "partner-secrets.key";

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
        let vars = Vars(&get);
        let server = ServerConfig::read(&vars)?;
        let database = DatabaseConfig::read(&vars)?;
        let city = CityConfig::read(&vars)?;
        Ok(Config {
            store: StoreConfig::read(&vars)?,
            search: SearchConfig::read(&vars)?,
            partners: PartnersConfig::read(&vars, &database, &city)?,
            city,
            theme: ThemeConfig::read(&vars)?,
            listings: ListingsConfig::read(&vars)?,
            booking: BookingConfig::read(&vars)?,
            notifications: NotificationsConfig::read(&vars)?,
            outbox: OutboxConfig::read(&vars)?,
            operator: OperatorConfig::read(&vars)?,
            oidc: OidcConfig::read(&vars)?,
            log: vars.parse("LOG", text)?.unwrap_or_else(|| "info".into()),
            log_format: vars
                .parse("LOG_FORMAT", log_format)?
                .unwrap_or(LogFormat::Text),
            server,
            database,
        })
    }
}

/// The variables to read the configuration from.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    /// The one way a variable is read: unset, empty or blank is `None`; otherwise the
    /// trimmed value goes through `parse`, whose message (which must not repeat a
    /// secret) becomes an error naming the variable.
    fn parse<T>(
        &self,
        var: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        match (self.0)(var).as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => parse(v).map(Some).map_err(|m| err(var, m)),
        }
    }
}

impl ServerConfig {
    fn read(vars: &Vars) -> Result<ServerConfig, ConfigError> {
        let bind_addr = vars
            .parse("BIND_ADDR", |v| {
                v.parse()
                    .map_err(|_| format!("'{v}' is not an address like 127.0.0.1:8080"))
            })?
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)));
        let admin_bind_addr = vars.parse("ADMIN_BIND_ADDR", |v| {
            let a: SocketAddr = v
                .parse()
                .map_err(|_| format!("'{v}' is not an address like 127.0.0.1:9090"))?;
            if a == bind_addr && a.port() != 0 {
                return Err(format!("'{v}' is BIND_ADDR too: give it a port of its own"));
            }
            Ok(a)
        })?;
        Ok(ServerConfig {
            bind_addr,
            admin_bind_addr,
            migrate_on_start: true,
            public_url: vars.parse("PUBLIC_URL", http_url)?.unwrap_or_else(|| {
                Url::parse(&format!("http://{bind_addr}/")).expect("socket address forms a URL")
            }),
            max_body_bytes: vars
                .parse("MAX_BODY_BYTES", number_in(1024, 64 * 1024 * 1024, "bytes"))?
                .unwrap_or(1024 * 1024),
            form_max_bytes: vars
                .parse("FORM_MAX_BYTES", number_in(1024, 16 * 1024 * 1024, "bytes"))?
                .unwrap_or(64 * 1024),
            trust_forwarded_for: vars.parse("TRUST_FORWARDED_FOR", boolean)?.unwrap_or(false),
            registrations_per_hour: vars
                .parse(
                    "REGISTRATIONS_PER_HOUR",
                    number_in(1, 1_000_000, "accounts"),
                )?
                .unwrap_or(20),
            anonymous_per_minute: vars
                .parse(
                    "ANONYMOUS_REQUESTS_PER_MINUTE",
                    number_in(0, 1_000_000, "requests"),
                )?
                .unwrap_or(600),
        })
    }

    /// Whether cookies must carry `Secure` (the portal is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

impl DatabaseConfig {
    fn read(vars: &Vars) -> Result<DatabaseConfig, ConfigError> {
        let url = vars.parse("DATABASE_URL", |v| {
            if v.starts_with("sqlite:")
                || v.starts_with("postgres://")
                || v.starts_with("postgresql://")
            {
                Ok(SecretString::from(v))
            } else {
                // The value may hold a password: name only its scheme.
                let scheme = v.split(':').next().unwrap_or("");
                Err(format!(
                    "unsupported scheme '{scheme}' (use sqlite: or postgres://)"
                ))
            }
        })?;
        Ok(DatabaseConfig {
            url: url.unwrap_or_else(|| SecretString::from(DEFAULT_DATABASE_URL)),
        })
    }

    /// Whether the database is SQLite (a file or in memory).
    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }

    /// The folder of an SQLite database file; `None` for PostgreSQL and an in-memory
    /// SQLite database.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        sqlite_dir(self.url.expose_secret())
    }
}

/// The folder of an SQLite database file, where the embedded setup keeps its key.
fn sqlite_dir(url: &str) -> Option<PathBuf> {
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

impl StoreConfig {
    fn read(vars: &Vars) -> Result<StoreConfig, ConfigError> {
        let redis_url = vars.parse("REDIS_URL", |v| {
            if v.starts_with("redis://") || v.starts_with("rediss://") || v.starts_with("unix://") {
                Ok(SecretString::from(v))
            } else {
                Err("must start with redis://, rediss:// or unix://".into())
            }
        })?;
        let key_prefix = vars.parse("REDIS_KEY_PREFIX", |v| {
            if v.len() > 64 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                Err("at most 64 characters without spaces".into())
            } else {
                Ok(v.to_string())
            }
        })?;
        Ok(StoreConfig {
            redis_url,
            key_prefix: key_prefix.unwrap_or_else(|| "city-portal:".into()),
        })
    }
}

impl SearchConfig {
    fn read(vars: &Vars) -> Result<SearchConfig, ConfigError> {
        let meili_index = vars.parse("MEILI_INDEX", |v| {
            if v.len() > 64
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                Err(format!(
                    "'{v}' is not an index name (letters, digits, - and _, at most 64)"
                ))
            } else {
                Ok(v.to_string())
            }
        })?;
        Ok(SearchConfig {
            meili_url: vars.parse("MEILI_URL", http_url)?,
            meili_api_key: vars.parse("MEILI_API_KEY", |v| Ok(SecretString::from(v)))?,
            meili_index: meili_index.unwrap_or_else(|| "listings".into()),
            indexer_in_server: vars
                .parse("SEARCH_INDEXER", server_or_external)?
                .unwrap_or(true),
        })
    }
}

impl CityConfig {
    fn read(vars: &Vars) -> Result<CityConfig, ConfigError> {
        let name = vars.parse("CITY_NAME", |v| {
            if v.chars().count() > 200 {
                Err("longer than 200 characters".into())
            } else {
                Ok(v.to_string())
            }
        })?;
        let demo_data = vars.parse("DEMO_DATA", boolean)?.unwrap_or(true);
        let demo_modules = vars.parse("DEMO_MODULES", boolean)?.unwrap_or(true);
        let timezone = vars.parse("CITY_TIMEZONE", |v| {
            v.parse::<chrono_tz::Tz>().map_err(|_| {
                format!("unknown time zone '{v}' (use an IANA name like Europe/Berlin)")
            })
        })?;
        let holidays = vars.parse("CITY_HOLIDAYS", |v| {
            if v.eq_ignore_ascii_case("none") {
                return Ok(None);
            }
            crate::core::holidays::Region::parse(v)
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "unknown region '{v}' (use none or one of {})",
                        crate::core::holidays::Region::known()
                    )
                })
        })?;
        Ok(CityConfig {
            name: name.unwrap_or_else(|| "Demo City".into()),
            // The demo city's offices are German municipal offices (Berlin's rules).
            holidays: holidays.unwrap_or_else(|| {
                demo_data
                    .then(|| crate::core::holidays::Region::parse("DE-BE"))
                    .flatten()
            }),
            // The demo city is built from an extract of Helsinki: its opening hours and
            // the demo gym's classes are Helsinki times.
            timezone: timezone.unwrap_or(if demo_data {
                chrono_tz::Europe::Helsinki
            } else {
                chrono_tz::Europe::Berlin
            }),
            default_locale: vars
                .parse("DEFAULT_LOCALE", str::parse)?
                .unwrap_or(Locale::De),
            demo_data,
            demo_modules,
        })
    }
}

impl ThemeConfig {
    fn read(vars: &Vars) -> Result<ThemeConfig, ConfigError> {
        let dir = vars.parse("THEME_DIR", |v| {
            let p = PathBuf::from(v);
            if p.is_dir() {
                Ok(p)
            } else {
                Err(format!("'{v}' is not a folder"))
            }
        })?;
        let logo_url = vars.parse("CITY_LOGO_URL", |v| {
            if v.starts_with('/') && !v.starts_with("//") {
                Ok(v.to_string())
            } else {
                http_url(v).map(String::from)
            }
        })?;
        let primary_color = vars.parse("CITY_PRIMARY_COLOR", |v| {
            if v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit()) {
                Ok(v.to_string())
            } else {
                Err(format!("'{v}' is not a colour like #0b5cad"))
            }
        })?;
        let map_tile_url = vars.parse("MAP_TILE_URL", |v| {
            let u = http_url(&tile_probe(v))?;
            if !v.contains("{z}")
                || !v.contains("{x}")
                || !v.contains("{y}")
                || u.host_str().is_none()
            {
                return Err("must be an http(s) URL with {z}, {x} and {y}".into());
            }
            Ok(v.to_string())
        })?;
        Ok(ThemeConfig {
            dir,
            logo_url,
            primary_color: primary_color.unwrap_or_else(|| "#0b5cad".into()),
            map_tile_url: map_tile_url
                .unwrap_or_else(|| "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into()),
        })
    }

    /// The scheme and host of the map tile server, for the Content-Security-Policy.
    pub fn tile_origin(&self) -> String {
        Url::parse(&tile_probe(&self.map_tile_url))
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// A tile URL template with its placeholders filled in, to check it as a URL.
fn tile_probe(template: &str) -> String {
    template
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{y}", "0")
        .replace("{s}", "a")
}

impl ListingsConfig {
    fn read(vars: &Vars) -> Result<ListingsConfig, ConfigError> {
        Ok(ListingsConfig {
            cache: vars
                .parse(
                    "LISTING_CACHE_MS",
                    duration_in(0, 60_000, Unit::Milliseconds),
                )?
                .unwrap_or(Duration::from_millis(1000)),
            reserved_names: vars
                .parse("RESERVED_NAMES", |v| {
                    let terms: Vec<String> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect();
                    if terms.iter().any(|t| t.chars().count() > 100) {
                        return Err("each term must be at most 100 characters".to_string());
                    }
                    Ok(terms)
                })?
                .unwrap_or_else(|| DEMO_RESERVED_NAMES.iter().map(|t| t.to_string()).collect()),
        })
    }
}

impl BookingConfig {
    fn read(vars: &Vars) -> Result<BookingConfig, ConfigError> {
        Ok(BookingConfig {
            hold: vars
                .parse("BOOKING_HOLD_SECONDS", duration_in(1, 3600, Unit::Seconds))?
                .unwrap_or(Duration::from_secs(300)),
            waitlist_claim: vars
                .parse(
                    "WAITLIST_CLAIM_MINUTES",
                    duration_in(1, 10080, Unit::Minutes),
                )?
                .unwrap_or(Duration::from_secs(60 * 60)),
        })
    }
}

impl PartnersConfig {
    fn read(
        vars: &Vars,
        database: &DatabaseConfig,
        city: &CityConfig,
    ) -> Result<PartnersConfig, ConfigError> {
        let given = vars.parse("PARTNER_SECRETS_KEY", |v| {
            SecretsKey::parse(v).map_err(|_| "not 32 bytes in base64".to_string())
        })?;
        let secrets_key = match given {
            Some(key) => SecretsKeySource::Given(key),
            // Stored secrets must stay readable after a restart: with PostgreSQL there
            // is no data folder to keep a generated key in.
            None if !database.is_sqlite() => {
                return Err(err(
                    "PARTNER_SECRETS_KEY",
                    "required with PostgreSQL: 32 random bytes in base64 (e.g. openssl rand -base64 32) that encrypt partner connections' secrets",
                ))
            }
            None => match database.sqlite_dir() {
                Some(dir) => SecretsKeySource::File(dir.join(SECRETS_KEY_FILE)),
                // An in-memory database: nothing stored outlives the process.
                None => SecretsKeySource::Ephemeral,
            },
        };
        Ok(PartnersConfig {
            secrets_key,
            timeout: vars
                .parse(
                    "PARTNER_TIMEOUT_MS",
                    duration_in(100, 60000, Unit::Milliseconds),
                )?
                .unwrap_or(Duration::from_secs(5)),
            reconcile_every: vars
                .parse(
                    "PARTNER_RECONCILE_SECONDS",
                    duration_in(1, 3600, Unit::Seconds),
                )?
                .unwrap_or(Duration::from_secs(30)),
            allow_private_network: vars
                .parse("PARTNER_ALLOW_PRIVATE_NETWORK", boolean)?
                .unwrap_or(false),
            module_networks: match vars.parse("MODULE_NETWORKS", networks)? {
                Some(given) => given,
                // The demo's example modules run inside the server, on loopback.
                None if city.demo_data && city.demo_modules => vec![
                    "127.0.0.0/8".parse().expect("a network"),
                    "::1/128".parse().expect("a network"),
                ],
                None => Vec::new(),
            },
        })
    }
}

impl NotificationsConfig {
    fn read(vars: &Vars) -> Result<NotificationsConfig, ConfigError> {
        let smtp_url = vars.parse("SMTP_URL", |v| {
            check_smtp_url(v)?;
            Ok(SecretString::from(v))
        })?;
        let smtp_from = vars.parse("SMTP_FROM", |v| {
            v.parse::<lettre::message::Mailbox>().map_err(|_| {
                format!("'{v}' is not an address like City Portal <noreply@city.example>")
            })
        })?;
        Ok(NotificationsConfig {
            in_server: vars.parse("NOTIFIER", server_or_external)?.unwrap_or(true),
            smtp_url,
            smtp_from: smtp_from.unwrap_or_else(|| {
                "City Portal <noreply@localhost>"
                    .parse()
                    .expect("the default sender is an address")
            }),
            reminder_hours: vars
                .parse("REMINDER_HOURS", number_in(1, 720, "hours"))?
                .unwrap_or(24),
        })
    }
}

impl OutboxConfig {
    fn read(vars: &Vars) -> Result<OutboxConfig, ConfigError> {
        let days = vars.parse("OUTBOX_RETENTION_DAYS", |v| {
            number_in(0, 3650, "days")(v)
                .map_err(|_| format!("'{v}' is not a number of days between 0 (keep) and 3650"))
        })?;
        Ok(OutboxConfig {
            retention: match days.unwrap_or(30) {
                0 => None,
                days => Some(Duration::from_secs(days * 86_400)),
            },
        })
    }
}

impl OperatorConfig {
    fn read(vars: &Vars) -> Result<OperatorConfig, ConfigError> {
        let name = vars.parse("OPERATOR_NAME", line(200))?;
        let is_demo = name.is_none();
        let demo = |v: &str| if is_demo { Some(v.to_string()) } else { None };
        let address = vars
            .parse("OPERATOR_ADDRESS", |v| {
                let lines: Vec<String> = v
                    .split(['\n', ';'])
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect();
                if lines.len() > 8 || lines.iter().any(|l| line(200)(l).is_err()) {
                    Err("at most 8 lines (separated by ;) of at most 200 characters".into())
                } else {
                    Ok(lines)
                }
            })?
            .unwrap_or_else(|| {
                ["Demo Street 1 (demo data)", "00000 Demo City"]
                    .map(String::from)
                    .to_vec()
            });
        let email = vars
            .parse("OPERATOR_EMAIL", email_address)?
            .unwrap_or_else(|| Email::parse("operator@demo.invalid").expect("a valid address"));
        Ok(OperatorConfig {
            name: name.unwrap_or_else(|| "Demo City (demo data, not a real operator)".into()),
            address,
            phone: vars
                .parse("OPERATOR_PHONE", |v| {
                    if v.chars().count() <= 40
                        && v.chars()
                            .all(|c| c.is_ascii_digit() || " +-()/".contains(c))
                    {
                        Ok(v.to_string())
                    } else {
                        Err(format!("'{v}' is not a phone number like +49 30 1234567"))
                    }
                })?
                .or_else(|| demo("+49 000 0000000")),
            representative: vars
                .parse("OPERATOR_REPRESENTATIVE", line(200))?
                .or_else(|| demo("Erika Mustermann, Mayor (demo data)")),
            vat_id: vars.parse("OPERATOR_VAT_ID", |v| {
                if (4..=20).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric()) {
                    Ok(v.to_string())
                } else {
                    Err(format!("'{v}' is not a VAT number like DE123456789"))
                }
            })?,
            accessibility_email: vars
                .parse("ACCESSIBILITY_CONTACT_EMAIL", email_address)?
                .unwrap_or_else(|| email.clone()),
            email,
            is_demo,
        })
    }
}

// ---------------------------------------------------------------------------
// Parsers of single values, for `Vars::parse`. Their messages may repeat the value,
// except where it can hold a secret.

/// Any text.
fn text(v: &str) -> Result<String, String> {
    Ok(v.to_string())
}

/// One line of at most `max` characters, without control characters.
fn line(max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |v| {
        if v.chars().count() > max || v.chars().any(char::is_control) {
            Err(format!("one line of at most {max} characters"))
        } else {
            Ok(v.to_string())
        }
    }
}

/// An email address.
fn email_address(v: &str) -> Result<Email, String> {
    Email::parse(v).ok_or_else(|| format!("'{v}' is not an email address"))
}

fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("'{v}' is not true or false")),
    }
}

/// `server` (true) or `external` (false): who runs a background worker.
fn server_or_external(v: &str) -> Result<bool, String> {
    match v {
        "server" => Ok(true),
        "external" => Ok(false),
        _ => Err(format!("'{v}' is not server or external")),
    }
}

/// A whole number of `unit`s between `min` and `max`.
fn number_in<N>(min: N, max: N, unit: &'static str) -> impl Fn(&str) -> Result<N, String>
where
    N: FromStr + PartialOrd + Display + Copy,
{
    move |v| {
        v.parse::<N>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("'{v}' is not a number of {unit} between {min} and {max}"))
    }
}

/// Comma-separated CIDR blocks, or single addresses (a block of one).
fn networks(v: &str) -> Result<Vec<ipnet::IpNet>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| format!("'{p}' is not a network like 10.20.0.0/16 or an address"))
        })
        .collect()
}

/// The unit a duration is given in.
#[derive(Clone, Copy)]
enum Unit {
    Milliseconds,
    Seconds,
    Minutes,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Milliseconds => "milliseconds",
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
        }
    }

    fn millis(self) -> u64 {
        match self {
            Unit::Milliseconds => 1,
            Unit::Seconds => 1000,
            Unit::Minutes => 60_000,
        }
    }
}

/// A whole number of `unit`s between `min` and `max`, as a duration.
fn duration_in(min: u64, max: u64, unit: Unit) -> impl Fn(&str) -> Result<Duration, String> {
    let number = number_in(min, max, unit.name());
    move |v| number(v).map(|n| Duration::from_millis(n * unit.millis()))
}

fn http_url(v: &str) -> Result<Url, String> {
    let url = Url::parse(v).map_err(|e| format!("'{v}' is not a URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("'{v}' must be an http or https URL"));
    }
    Ok(url)
}

/// Checks an SMTP URL without ever repeating it (it may hold a password).
fn check_smtp_url(v: &str) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    /// Every variable the configuration reads, in the order it reads them.
    fn variables() -> Vec<String> {
        let asked = std::cell::RefCell::new(Vec::new());
        Config::from_lookup(|k| {
            asked.borrow_mut().push(k.to_string());
            None
        })
        .unwrap();
        asked.into_inner()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.server.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.server.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.server.admin_bind_addr, None);
        assert_eq!(c.server.max_body_bytes, 1024 * 1024);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.server.form_max_bytes, 64 * 1024);
        assert!(!c.server.trust_forwarded_for);
        assert_eq!(c.database.url.expose_secret(), DEFAULT_DATABASE_URL);
        assert!(c.store.redis_url.is_none() && c.search.meili_url.is_none());
        assert_eq!(c.store.key_prefix, "city-portal:");
        assert_eq!(c.search.meili_index, "listings");
        assert_eq!(c.city.name, "Demo City");
        assert_eq!(c.city.timezone, chrono_tz::Europe::Helsinki);
        assert_eq!(c.city.default_locale, Locale::De);
        assert!(c.city.demo_data);
        assert!(c.city.demo_modules);
        assert_eq!(c.theme.primary_color, "#0b5cad");
        assert_eq!(c.theme.tile_origin(), "https://tile.openstreetmap.org");
        assert_eq!(c.listings.cache, Duration::from_millis(1000));
        assert_eq!(c.listings.reserved_names, DEMO_RESERVED_NAMES);
        assert_eq!(c.booking.hold, Duration::from_secs(300));
        assert_eq!(c.booking.waitlist_claim, Duration::from_secs(3600));
        assert_eq!(c.partners.timeout, Duration::from_secs(5));
        assert_eq!(c.partners.reconcile_every, Duration::from_secs(30));
        assert!(!c.partners.allow_private_network);
        // Loopback for the demo's example modules only.
        assert_eq!(c.partners.module_networks.len(), 2);
        let c = cfg(&[("DEMO_DATA", "false")]).unwrap();
        assert!(c.partners.module_networks.is_empty());
        assert_eq!(c.log, "info");
        // Without the demo city, and set explicitly.
        let c = cfg(&[("DEMO_DATA", "false")]).unwrap();
        assert_eq!(c.city.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(c.city.holidays, None);
        // The demo city's offices follow Berlin's public holidays unless told otherwise.
        assert_eq!(
            cfg(&[]).unwrap().city.holidays.map(|r| r.code()),
            Some("DE-BE")
        );
        let c = cfg(&[("CITY_HOLIDAYS", "de-by")]).unwrap();
        assert_eq!(c.city.holidays.map(|r| r.code()), Some("DE-BY"));
        assert_eq!(
            cfg(&[("CITY_HOLIDAYS", "none")]).unwrap().city.holidays,
            None
        );
        let c = cfg(&[("CITY_TIMEZONE", "Europe/Lisbon")]).unwrap();
        assert_eq!(c.city.timezone, chrono_tz::Europe::Lisbon);
        assert!(!c.server.secure_cookies());
        assert_eq!(c.server.registrations_per_hour, 20);
        assert_eq!(c.server.anonymous_per_minute, 600);
        assert!(c.notifications.smtp_url.is_none());
        assert_eq!(
            c.notifications.smtp_from.to_string(),
            "City Portal <noreply@localhost>"
        );
        assert_eq!(c.notifications.reminder_hours, 24);
        assert!(c.search.indexer_in_server && c.notifications.in_server);
        assert_eq!(c.outbox.retention, Some(Duration::from_secs(30 * 86_400)));
        assert_eq!(
            cfg(&[("OUTBOX_RETENTION_DAYS", "0")])
                .unwrap()
                .outbox
                .retention,
            None
        );
        let c = cfg(&[("NOTIFIER", "external"), ("SEARCH_INDEXER", "server")]).unwrap();
        assert!(c.search.indexer_in_server && !c.notifications.in_server);
    }

    #[test]
    fn set_values_are_used() {
        let c = cfg(&[
            ("BIND_ADDR", "0.0.0.0:9000"),
            ("ADMIN_BIND_ADDR", "127.0.0.1:9090"),
            ("MAX_BODY_BYTES", "2048"),
            ("FORM_MAX_BYTES", "4096"),
            ("LISTING_CACHE_MS", "0"),
            ("RESERVED_NAMES", " Rathaus, , Stadtwerke "),
            ("BOOKING_HOLD_SECONDS", "60"),
            ("WAITLIST_CLAIM_MINUTES", "2"),
            ("PARTNER_TIMEOUT_MS", "250"),
            ("PARTNER_RECONCILE_SECONDS", "7"),
            ("PARTNER_ALLOW_PRIVATE_NETWORK", "yes"),
            ("MODULE_NETWORKS", "10.20.3.4/16, 192.0.2.7,fd00::/8"),
            ("TRUST_FORWARDED_FOR", "on"),
            ("REGISTRATIONS_PER_HOUR", "5"),
            ("ANONYMOUS_REQUESTS_PER_MINUTE", "0"),
            ("REMINDER_HOURS", "3"),
            ("OUTBOX_RETENTION_DAYS", "2"),
            ("CITY_LOGO_URL", "/static/logo.svg"),
            ("MAP_TILE_URL", "https://{s}.tiles.example/{z}/{x}/{y}.png"),
            ("LOG", " warn,api=debug "),
            ("LOG_FORMAT", "JSON"),
        ])
        .unwrap();
        assert_eq!(c.server.bind_addr.to_string(), "0.0.0.0:9000");
        assert_eq!(c.server.public_url.as_str(), "http://0.0.0.0:9000/");
        assert_eq!(
            c.server.admin_bind_addr.map(|a| a.to_string()).as_deref(),
            Some("127.0.0.1:9090")
        );
        assert_eq!(c.server.max_body_bytes, 2048);
        assert_eq!(c.server.form_max_bytes, 4096);
        assert!(c.server.trust_forwarded_for);
        assert_eq!(c.server.registrations_per_hour, 5);
        assert_eq!(c.server.anonymous_per_minute, 0);
        assert_eq!(c.listings.cache, Duration::ZERO);
        assert_eq!(c.listings.reserved_names, ["Rathaus", "Stadtwerke"]);
        assert_eq!(c.booking.hold, Duration::from_secs(60));
        assert_eq!(c.booking.waitlist_claim, Duration::from_secs(120));
        assert_eq!(c.partners.timeout, Duration::from_millis(250));
        assert_eq!(c.partners.reconcile_every, Duration::from_secs(7));
        assert!(c.partners.allow_private_network);
        assert_eq!(
            c.partners
                .module_networks
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
            ["10.20.0.0/16", "192.0.2.7/32", "fd00::/8"]
        );
        assert_eq!(c.notifications.reminder_hours, 3);
        assert_eq!(c.outbox.retention, Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(c.theme.logo_url.as_deref(), Some("/static/logo.svg"));
        assert_eq!(c.theme.tile_origin(), "https://a.tiles.example");
        assert_eq!(c.log, "warn,api=debug");
        assert_eq!(c.log_format, LogFormat::Json);
        let e = cfg(&[("LOG_FORMAT", "xml")]).unwrap_err();
        assert!(e.to_string().contains("LOG_FORMAT"), "{e}");
    }

    /// Every variable is read the same way: empty or blank counts as unset.
    #[test]
    fn blank_values_count_as_unset() {
        let names = variables();
        assert_eq!(names.len(), 58, "{names:?}");
        let defaults = format!("{:?}", cfg(&[]).unwrap());
        for name in &names {
            for blank in ["", "  "] {
                let c = cfg(&[(name, blank)]).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(format!("{c:?}"), defaults, "{name}={blank:?}");
            }
        }
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let long_name = "x".repeat(201);
        for (var, value) in [
            ("BIND_ADDR", "localhost"),
            ("ADMIN_BIND_ADDR", "localhost:9090"),
            ("CITY_TIMEZONE", "Mars/Olympus"),
            ("CITY_HOLIDAYS", "DE-XX"),
            ("CITY_NAME", long_name.as_str()),
            ("DEFAULT_LOCALE", "fr"),
            ("MEILI_URL", "ftp://x"),
            ("PUBLIC_URL", "not a url"),
            ("REDIS_URL", "http://x"),
            ("REDIS_KEY_PREFIX", "with space"),
            ("DATABASE_URL", "mysql://u:hunter2@h/db"),
            ("DEMO_DATA", "maybe"),
            ("DEMO_MODULES", "sometimes"),
            ("TRUST_FORWARDED_FOR", "perhaps"),
            ("PARTNER_ALLOW_PRIVATE_NETWORK", "2"),
            ("MODULE_NETWORKS", "10.0.0.0/33"),
            ("MODULE_NETWORKS", "intranet"),
            ("REGISTRATIONS_PER_HOUR", "0"),
            ("ANONYMOUS_REQUESTS_PER_MINUTE", "-1"),
            ("MAX_BODY_BYTES", "12"),
            ("LISTING_CACHE_MS", "soon"),
            ("BOOKING_HOLD_SECONDS", "0"),
            ("WAITLIST_CLAIM_MINUTES", "0"),
            ("PARTNER_TIMEOUT_MS", "99"),
            ("PARTNER_RECONCILE_SECONDS", "3601"),
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
            ("OPERATOR_NAME", "two\u{7}lines"),
            ("OPERATOR_ADDRESS", "1;2;3;4;5;6;7;8;9"),
            ("OPERATOR_EMAIL", "not an address"),
            ("OPERATOR_PHONE", "call me maybe"),
            ("OPERATOR_VAT_ID", "DE 123"),
            ("ACCESSIBILITY_CONTACT_EMAIL", "nobody"),
        ] {
            let e = cfg(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var);
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid configuration: {var}:")),
                "{e}"
            );
        }
        // The messages say what is wanted.
        let e = cfg(&[("BOOKING_HOLD_SECONDS", "0")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: BOOKING_HOLD_SECONDS: '0' is not a number of seconds between 1 and 3600"
        );
        let e = cfg(&[("OUTBOX_RETENTION_DAYS", "3651")]).unwrap_err();
        assert_eq!(
            e.message,
            "'3651' is not a number of days between 0 (keep) and 3650"
        );
        let e = cfg(&[("ADMIN_BIND_ADDR", "127.0.0.1:8080")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: ADMIN_BIND_ADDR: '127.0.0.1:8080' is BIND_ADDR too: give it a port of its own"
        );
        let e = cfg(&[("MAX_BODY_BYTES", "12")]).unwrap_err();
        assert_eq!(
            e.message,
            "'12' is not a number of bytes between 1024 and 67108864"
        );
    }

    #[test]
    fn postgres_needs_the_partner_secrets_key() {
        let e = cfg(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap_err();
        assert_eq!(e.var, "PARTNER_SECRETS_KEY");
        assert!(cfg(&[("DATABASE_URL", "sqlite://data/x.db")]).is_ok());
        let e = cfg(&[("PARTNER_SECRETS_KEY", "c2hvcnQ=")]).unwrap_err();
        assert_eq!(e.var, "PARTNER_SECRETS_KEY");
        assert!(!e.to_string().contains("c2hvcnQ"), "{e}");
    }

    /// The key is parsed once, here; without it, where it will be kept.
    #[test]
    fn the_partner_secrets_key_is_parsed_into_its_source() {
        let given = cfg(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            (
                "PARTNER_SECRETS_KEY",
                "YS1wYXJ0bmVyLXNlY3JldHMta2V5LTMyLWJ5dGVzISE=",
            ),
        ])
        .unwrap();
        let SecretsKeySource::Given(key) = &given.partners.secrets_key else {
            panic!("{:?}", given.partners.secrets_key);
        };
        let expected = SecretsKey::parse("YS1wYXJ0bmVyLXNlY3JldHMta2V5LTMyLWJ5dGVzISE=").unwrap();
        let stored = expected.encrypt(&SecretString::from("x"));
        assert_eq!(key.decrypt(&stored).unwrap().expose_secret(), "x");

        let file = cfg(&[]).unwrap().partners.secrets_key;
        assert!(
            matches!(&file, SecretsKeySource::File(p) if p == std::path::Path::new("data/partner-secrets.key")),
            "{file:?}"
        );
        let memory = cfg(&[("DATABASE_URL", "sqlite::memory:")])
            .unwrap()
            .partners
            .secrets_key;
        assert!(matches!(memory, SecretsKeySource::Ephemeral), "{memory:?}");
    }

    #[test]
    fn the_key_lives_beside_the_sqlite_file() {
        assert_eq!(
            sqlite_dir("sqlite://data/city-portal.db?mode=rwc").unwrap(),
            PathBuf::from("data")
        );
        assert_eq!(
            sqlite_dir("sqlite:///tmp/x/db.sqlite").unwrap(),
            PathBuf::from("/tmp/x")
        );
        assert_eq!(sqlite_dir("sqlite:portal.db").unwrap(), PathBuf::from("."));
        assert!(sqlite_dir("sqlite::memory:").is_none());
        assert!(sqlite_dir("postgres://u@h/db").is_none());
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
        let e = cfg(&[("REDIS_URL", "http://:hunter2@h/")]).unwrap_err();
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
    fn the_operator_is_demo_data_until_named() {
        let demo = cfg(&[]).unwrap().operator;
        assert!(demo.is_demo);
        assert!(demo.name.contains("demo data"), "{}", demo.name);
        assert!(demo.address.iter().any(|l| l.contains("demo data")));
        assert_eq!(demo.accessibility_email, demo.email);
        assert!(demo.email.as_str().ends_with(".invalid"));
        let c = cfg(&[
            ("OPERATOR_NAME", "Stadt Musterstadt"),
            ("OPERATOR_ADDRESS", "Rathausplatz 1; 12345 Musterstadt"),
            ("OPERATOR_EMAIL", "Poststelle@Musterstadt.example"),
            ("OPERATOR_VAT_ID", "DE123456789"),
            (
                "ACCESSIBILITY_CONTACT_EMAIL",
                "barrierefrei@musterstadt.example",
            ),
        ])
        .unwrap()
        .operator;
        assert!(!c.is_demo);
        assert_eq!(c.name, "Stadt Musterstadt");
        assert_eq!(c.address, ["Rathausplatz 1", "12345 Musterstadt"]);
        assert_eq!(c.email.as_str(), "poststelle@musterstadt.example");
        assert_eq!(c.phone, None);
        assert_eq!(c.representative, None);
        assert_eq!(c.vat_id.as_deref(), Some("DE123456789"));
        assert_eq!(
            c.accessibility_email.as_str(),
            "barrierefrei@musterstadt.example"
        );
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        assert!(cfg(&[("PUBLIC_URL", "https://portal.city.example")])
            .unwrap()
            .server
            .secure_cookies());
    }

    #[test]
    fn the_city_login_keeps_the_issuer_as_written_and_limits_a_level_in_time() {
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = vec![
                ("OIDC_ISSUER_URL", "https://login.city.example/"),
                ("OIDC_CLIENT_ID", "portal"),
                ("OIDC_ACR_LEVELS", "basic substantial"),
            ];
            pairs.extend_from_slice(extra);
            cfg(&pairs).unwrap().oidc.unwrap()
        };
        // OpenID Connect Discovery 4.3: the issuer matches exactly, a trailing slash too.
        let o = with(&[]);
        assert_eq!(o.issuer_id, "https://login.city.example/");
        let o = cfg(&[
            ("OIDC_ISSUER_URL", "https://login.city.example"),
            ("OIDC_CLIENT_ID", "portal"),
        ])
        .unwrap()
        .oidc
        .unwrap();
        assert_eq!(o.issuer_id, "https://login.city.example");
        assert_eq!(o.step_up_max_age, Duration::from_secs(900));
        let o = with(&[("OIDC_STEP_UP_SECONDS", "60")]);
        assert_eq!(o.step_up_max_age, Duration::from_secs(60));
        assert_eq!(
            cfg(&[
                ("OIDC_ISSUER_URL", "https://login.city.example"),
                ("OIDC_CLIENT_ID", "portal"),
                ("OIDC_STEP_UP_SECONDS", "0"),
            ])
            .unwrap_err()
            .var,
            "OIDC_STEP_UP_SECONDS"
        );
        let now = chrono::Utc::now();
        let ago = |s: i64| Some(now - chrono::Duration::seconds(s));
        assert!(o.reached(Some("substantial"), ago(10), "substantial"));
        assert!(o.reached(Some("substantial"), ago(10), "basic"));
        assert!(!o.reached(Some("basic"), ago(10), "substantial"));
        assert!(!o.reached(Some("substantial"), ago(61), "substantial"));
        assert!(!o.reached(Some("substantial"), None, "substantial"));
        assert!(!o.reached(Some("substantial"), ago(-3600), "substantial"));
    }
}
