//! The `search-indexer` command: the outbox consumer that keeps the Meilisearch index in
//! sync, running as its own process instead of inside `city-portal serve`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use search_indexer::consumer::{self, Target};
use tokio::sync::Notify;

/// Keeps the Meilisearch index of the listings in sync with the database, as its own
/// process.
#[derive(Parser)]
#[command(
    name = "search-indexer",
    version,
    long_about = "Keeps the Meilisearch index of the listings in sync with the database, as \
its own process.

By default `city-portal serve` runs this outbox consumer inside the server. Run \
`search-indexer` instead in deployments that set SEARCH_INDEXER=external on every \
server: it claims the search deliveries of the outbox in order, sends the changed \
listings to Meilisearch, waits for Meilisearch to confirm, and only then marks them \
done; while Meilisearch is unreachable it retries with backoff and drops nothing.

On PostgreSQL several search-indexer processes may run at once (deliveries are claimed \
with FOR UPDATE SKIP LOCKED). On SQLite run only one indexer: this process or the \
server's, not both.

It does not migrate the database: run `city-portal migrate` (or start the server) \
first. It stops on Ctrl-C or SIGTERM; unfinished deliveries stay in the outbox for the \
next start.",
    after_help = "Configuration (environment variables; empty counts as unset):
  DATABASE_URL   required: the server's database, sqlite: or postgres:// / postgresql://
  MEILI_URL      required: Meilisearch base URL (http or https)
  MEILI_API_KEY  Meilisearch master or admin key
  MEILI_INDEX    index name, the same as the servers' [default: listings]
  CITY_TIMEZONE  the city's IANA time zone, the same as the servers' [default: Europe/Berlin]
  LOG            log filter in RUST_LOG syntax [default: info]; logs go to stderr

Invalid configuration exits with code 2 and one line naming the variable."
)]
struct Cli {}

/// What the indexer needs. The database URL and the API key are secrets: they are never
/// printed.
struct Config {
    database_url: String,
    meili_url: url::Url,
    meili_api_key: Option<String>,
    meili_index: String,
    timezone: chrono_tz::Tz,
    log: tracing_subscriber::EnvFilter,
}

/// One unusable variable: `invalid configuration: VAR: message`.
struct ConfigError {
    var: &'static str,
    message: String,
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

impl Config {
    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let database_url = var("DATABASE_URL").ok_or_else(|| {
            err(
                "DATABASE_URL",
                "not set (the server's database: sqlite: or postgres://)",
            )
        })?;
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
        let meili_url = var("MEILI_URL")
            .ok_or_else(|| err("MEILI_URL", "not set (the Meilisearch base URL)"))?;
        let meili_url = match url::Url::parse(&meili_url) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.has_host() => u,
            Ok(u) if u.scheme() != "http" && u.scheme() != "https" => {
                return Err(err(
                    "MEILI_URL",
                    format!("scheme '{}' is not http or https", u.scheme()),
                ))
            }
            _ => return Err(err("MEILI_URL", "not a URL like http://127.0.0.1:7700")),
        };
        let meili_api_key = var("MEILI_API_KEY");
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
        let timezone = match var("CITY_TIMEZONE") {
            None => chrono_tz::Europe::Berlin,
            Some(v) => v.parse::<chrono_tz::Tz>().map_err(|_| {
                err(
                    "CITY_TIMEZONE",
                    format!("unknown time zone '{v}' (use an IANA name like Europe/Berlin)"),
                )
            })?,
        };
        let log = var("LOG").unwrap_or_else(|| "info".to_string());
        let log = tracing_subscriber::EnvFilter::try_new(&log).map_err(|_| {
            err(
                "LOG",
                format!("'{log}' is not a log filter (e.g. info or info,search_indexer=debug)"),
            )
        })?;
        Ok(Config {
            database_url,
            meili_url,
            meili_api_key,
            meili_index,
            timezone,
            log,
        })
    }
}

/// The Meilisearch address for logs: scheme, host and port only (no user info).
fn meili_origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// Removes the database URL and its password from an error message, in case a driver
/// ever echoes them.
fn redact(message: String, database_url: &str) -> String {
    let mut message = message.replace(database_url, "<DATABASE_URL>");
    if let Ok(u) = url::Url::parse(database_url) {
        if let Some(password) = u.password().filter(|p| p.len() >= 3) {
            message = message.replace(password, "***");
        }
    }
    message
}

fn main() -> ExitCode {
    Cli::parse();
    let config = match Config::from_lookup(|name| std::env::var(name).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("invalid configuration: {}: {}", e.var, e.message);
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(config.log.clone())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    // Built before connecting so that a Meilisearch URL the client rejects is reported
    // first; the client does not contact the server yet.
    // `Url` always ends the path with a slash; the client appends `/indexes` etc.
    let target = Target::new(
        config.meili_url.as_str().trim_end_matches('/'),
        config.meili_api_key.as_deref(),
        &config.meili_index,
        config.timezone,
    )
    .map_err(|e| format!("MEILI_URL: {e}"))?;
    let db = connect(&config.database_url).await?;
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        tracing::info!(
            "SQLite: run only one indexer, this one, and set SEARCH_INDEXER=external on the server"
        );
    }
    let shutdown = shutdown_signal();
    tracing::info!(
        database = backend_name(backend),
        meilisearch = %meili_origin(&config.meili_url),
        index = %config.meili_index,
        timezone = %config.timezone.name(),
        "search indexer started"
    );

    let stop = Arc::new(Notify::new());
    let stopped = {
        let stop = stop.clone();
        async move { stop.notified().await }
    };
    let consumer = consumer::run(db.clone(), target, Arc::new(Notify::new()), stopped);
    tokio::pin!(consumer);
    tokio::select! {
        _ = &mut consumer => {}
        _ = shutdown => {
            tracing::info!("shutting down");
            // The consumer stops between batches; a batch may be waiting for
            // Meilisearch, so give it a moment to finish.
            stop.notify_one();
            if tokio::time::timeout(Duration::from_secs(10), &mut consumer).await.is_err() {
                tracing::warn!(
                    "the current batch did not finish within 10 s; its deliveries stay pending"
                );
            }
        }
    }
    let _ = db.close().await;
    Ok(())
}

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        DbBackend::MySql => "mysql",
    }
}

/// Connects and checks that the server has created the outbox tables.
async fn connect(database_url: &str) -> Result<DatabaseConnection, String> {
    let scheme = database_url.split(':').next().unwrap_or("");
    let mut opts = ConnectOptions::new(database_url.to_string());
    opts.connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if scheme == "sqlite" {
        // The server writes to the same file: wait for its write lock instead of failing.
        opts.max_connections(2)
            .map_sqlx_sqlite_opts(|o| o.foreign_keys(true).busy_timeout(Duration::from_secs(10)));
    } else {
        opts.max_connections(4);
    }
    let db = Database::connect(opts).await.map_err(|e| {
        let e = redact(e.to_string(), database_url);
        format!("cannot connect to the database ({scheme}): {e}")
    })?;
    let (sql, backend) = match db.get_database_backend() {
        DbBackend::Sqlite => (
            "SELECT COUNT(*) > 0 AS present FROM sqlite_master \
             WHERE type = 'table' AND name = 'outbox_deliveries'",
            DbBackend::Sqlite,
        ),
        other => (
            "SELECT to_regclass('outbox_deliveries') IS NOT NULL AS present",
            other,
        ),
    };
    let present = db
        .query_one(Statement::from_string(backend, sql))
        .await
        .map_err(|e| {
            let e = redact(e.to_string(), database_url);
            format!("cannot read the database ({scheme}): {e}")
        })?
        .and_then(|row| row.try_get::<bool>("", "present").ok())
        .unwrap_or(false);
    if !present {
        return Err(
            "the database has no table outbox_deliveries: search-indexer does not migrate; \
             run `city-portal migrate` (or start the server) with the same DATABASE_URL first"
                .to_string(),
        );
    }
    Ok(db)
}

/// Ctrl-C, or SIGTERM as sent by container runtimes and systemd. The SIGTERM handler is
/// installed when this is called, not when the future is first polled, so that a
/// signal sent right after the start line is never lost (it would kill the process).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
    }
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
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply() {
        let c = cfg(&[
            ("DATABASE_URL", "sqlite://x.db"),
            ("MEILI_URL", "http://127.0.0.1:7700"),
            ("MEILI_INDEX", " "),
        ])
        .ok()
        .unwrap();
        assert_eq!(c.meili_index, "listings");
        assert_eq!(c.timezone, chrono_tz::Europe::Berlin);
        assert!(c.meili_api_key.is_none());
    }

    #[test]
    fn each_bad_variable_is_named() {
        let ok = [
            ("DATABASE_URL", "postgres://u:p@h/db"),
            ("MEILI_URL", "https://search.example.org"),
        ];
        for (var, value) in [
            ("DATABASE_URL", "mysql://u:p@h/db"),
            ("MEILI_URL", "ftp://h"),
            ("MEILI_URL", "127.0.0.1:7700"),
            ("MEILI_INDEX", "no spaces"),
            ("CITY_TIMEZONE", "Mars/Olympus"),
            ("LOG", "info,=x=y"),
        ] {
            let mut pairs: Vec<(&str, &str)> =
                ok.iter().filter(|(k, _)| *k != var).copied().collect();
            pairs.push((var, value));
            match cfg(&pairs) {
                Err(e) => assert_eq!(e.var, var, "{var}={value}"),
                Ok(_) => panic!("{var}={value} was accepted"),
            }
        }
    }

    #[test]
    fn meili_origin_drops_user_info() {
        let u = url::Url::parse("https://user:pw@search.example.org:7700/x").unwrap();
        assert_eq!(meili_origin(&u), "https://search.example.org:7700");
    }

    #[test]
    fn redact_hides_url_and_password() {
        let url = "postgres://portal:s3cret-pw@db/portal";
        let m = redact(format!("failed for {url}; s3cret-pw"), url);
        assert!(!m.contains("s3cret-pw"), "{m}");
    }
}
