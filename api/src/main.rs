//! The `city-portal` command.

use std::path::PathBuf;

use api::core::config::Config;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

/// mimalloc instead of glibc's malloc: every password check (Argon2) takes and frees
/// 19 MiB, and glibc kept such freed blocks, so a server's memory grew by megabytes
/// with every login or registration (to several GB after 500 registrations); mimalloc
/// gives them back to the system. It is also quicker on the many small allocations of
/// a request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// City Portal: one place for residents to find and book everything local.
///
/// Configuration comes from environment variables (see README.md and .env.sample).
#[derive(Parser)]
#[command(name = "city-portal", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default): migrates the database, loads the demo city on
    /// first start, and listens on BIND_ADDR.
    Serve {
        /// Do not migrate: for deployments that run `city-portal migrate` in a job of
        /// their own before the servers start. A database that lacks migrations stops
        /// the server with an error.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import points of interest from an OpenStreetMap PBF file as published business
    /// listings; a re-import updates them by OSM id and never duplicates.
    ImportOsm {
        /// The .osm.pbf file to read.
        file: PathBuf,
    },
    /// Rebuild the search index from the database with zero downtime: a fresh
    /// Meilisearch index is filled, then swapped in atomically; searches keep answering
    /// throughout. Needs MEILI_URL.
    Reindex,
    /// Fill the database with COUNT generated published business listings, for
    /// benchmarks: derived from the demo city's OpenStreetMap businesses (names varied,
    /// coordinates moved a little, their categories and opening hours, districts of
    /// central Helsinki), the same for the same seed. They bypass the outbox: run
    /// `reindex` afterwards to put them into Meilisearch.
    GenerateListings {
        /// How many listings to add.
        #[arg(long)]
        count: u64,
        /// The seed of the variations.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Send the booking notifications (confirmations, reminders, cancellations, waitlist
    /// offers) from the outbox until stopped by Ctrl-C or SIGTERM: for deployments that
    /// set NOTIFIER=external on every server. With PostgreSQL several may run at once,
    /// each message going out once; with SQLite run one. It does not migrate the
    /// database: run `migrate` or start a server first.
    Notifier,
    /// Print the OpenAPI document of the API (as committed in openapi/openapi.json).
    Openapi {
        /// Print the Module API instead: what a city's module calls and the webhooks it
        /// receives (as committed in openapi/module-api.json).
        #[arg(long)]
        module: bool,
    },
    /// Tools for a business's booking system (a partner).
    Partner {
        #[command(subcommand)]
        command: PartnerCommand,
    },
    /// Tools for the developers of the city's e-government modules.
    Module {
        #[command(subcommand)]
        command: ModuleCommand,
    },
    /// Open311 GeoReport v2 (`/open311/v2`): API keys for third-party apps.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Make an existing account a city admin, or create it with a password read from
    /// the environment variable ADMIN_PASSWORD (never from the command line).
    CreateAdmin {
        /// The admin's email address.
        email: String,
    },
}

#[derive(Subcommand)]
enum PartnerCommand {
    /// Check a Partner Booking API implementation at URL against the contract
    /// (openapi/partner-booking-api.json) and print what it gets wrong, one line per
    /// check; exits 1 when a check fails. The client secret is read from the environment
    /// variable PARTNER_CLIENT_SECRET (never from the command line). It makes and cancels
    /// real holds: point it at a test system.
    Check {
        /// The partner's base URL (the API lives under URL/partner/v1).
        url: String,
        /// The OAuth2 token endpoint (default: URL/oauth/token).
        #[arg(long, env = "PARTNER_TOKEN_URL")]
        token_url: Option<String>,
        /// The OAuth2 client id.
        #[arg(long, env = "PARTNER_CLIENT_ID")]
        client_id: String,
    },
}

#[derive(Subcommand)]
enum ModuleCommand {
    /// Check a module at URL against the Module API contract (openapi/module-api.json,
    /// openapi/MODULES.md) and print what it gets wrong, one line per check; exits 1
    /// when a check fails. It reads the manifest at URL/manifest.json (or --manifest),
    /// validates it, and sends the module's webhook signed synthetic events (invented
    /// data) and forged ones it must refuse. With DATABASE_URL set (on the portal) and
    /// the module registered there, it also checks its cases' recorded status steps.
    Check {
        /// The module's URL; its manifest is published at URL/manifest.json.
        url: String,
        /// Read the manifest from this file instead of URL/manifest.json.
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// The module's webhook secret (whsec_...), shown when the city approved it.
        #[arg(long, env = "MODULE_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: Option<String>,
        /// For appointment services: the OAuth2 client id of the module's Partner
        /// Booking API (the secret from MODULE_CLIENT_SECRET or --client-secret).
        #[arg(long, env = "MODULE_CLIENT_ID")]
        client_id: Option<String>,
        /// The client secret of the module's Partner Booking API.
        #[arg(long, env = "MODULE_CLIENT_SECRET", hide_env_values = true)]
        client_secret: Option<String>,
        /// The token endpoint of the module's Partner Booking API (default:
        /// BASE_URL/oauth/token).
        #[arg(long)]
        token_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum Open311Command {
    /// Issue an API key to the app APP_NAME and print it (only its hash is stored; it is
    /// shown this once). City admins see and revoke keys at /admin/open311-keys.
    Key {
        /// The app's name, as admins will see it.
        app_name: String,
    },
}

/// `city-portal partner check`: needs no database and no portal configuration.
async fn partner_check(url: String, token_url: Option<String>, client_id: String) -> i32 {
    let Ok(secret) = std::env::var("PARTNER_CLIENT_SECRET") else {
        eprintln!("PARTNER_CLIENT_SECRET: set the partner's OAuth2 client secret");
        return 2;
    };
    let token_url =
        token_url.unwrap_or_else(|| format!("{}/oauth/token", url.trim_end_matches('/')));
    let report = partner_contract::check(&url, &token_url, &client_id, &secret).await;
    print!("{}", report.render());
    if report.passed() {
        0
    } else {
        1
    }
}

/// `city-portal module check`: needs no database; with DATABASE_URL it also reads the
/// registered module's cases.
async fn module_check(command: ModuleCommand) -> i32 {
    let ModuleCommand::Check {
        url,
        manifest,
        webhook_secret,
        client_id,
        client_secret,
        token_url,
    } = command;
    let mut options = api::modules::check::Options::new(&url);
    if let Some(file) = manifest {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cannot read {}: {e}", file.display());
                return 2;
            }
        };
        match serde_json::from_str(&text) {
            Ok(v) => options.manifest = Some(v),
            Err(e) => {
                eprintln!("{} is not JSON: {e}", file.display());
                return 2;
            }
        }
    }
    options.webhook_secret = webhook_secret;
    options.partner_token_url = token_url;
    options.partner_client = match (client_id, client_secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (Some(_), None) => {
            eprintln!(
                "MODULE_CLIENT_SECRET: set the client secret of the module's Partner Booking API"
            );
            return 2;
        }
        _ => None,
    };
    let mut report = api::modules::check::check(options).await;
    if std::env::var_os("DATABASE_URL").is_some() {
        match Config::from_env() {
            Ok(config) => {
                let finding =
                    match api::core::db::connect(config.database.url.expose_secret()).await {
                        Ok(db) => api::modules::check::status_history(&db, &report).await,
                        Err(e) => api::modules::check::Finding {
                            check: "status-history".into(),
                            outcome: api::modules::check::Outcome::Skip,
                            message: format!("the portal's database cannot be opened: {e}"),
                        },
                    };
                report.findings.push(finding);
                if let Some(module) = report.module_id.clone() {
                    let metrics = match config.server.admin_bind_addr {
                        // The admin address is local to the portal's machine.
                        Some(a) if a.ip().is_unspecified() => {
                            format!("http://127.0.0.1:{}/metrics", a.port())
                        }
                        Some(a) => format!("http://{a}/metrics"),
                        None => format!(
                            "{}/metrics",
                            config.server.public_url.as_str().trim_end_matches('/')
                        ),
                    };
                    report
                        .findings
                        .push(api::modules::check::refused_steps(&metrics, &module).await);
                }
            }
            Err(e) => eprintln!("status-history not checked: {e}"),
        }
    }
    print!("{}", report.render());
    if report.passed() {
        0
    } else {
        1
    }
}

/// Logs to standard error: text (coloured only on a terminal, so a container's log
/// holds no escape codes) or one JSON object per line (`LOG_FORMAT=json`). A request's
/// lines carry its id (the `request` span, see `web::edge::request_id`).
fn init_logging(filter: &str, format: api::core::config::LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        api::core::config::LogFormat::Json => builder.json().init(),
        api::core::config::LogFormat::Text => {
            builder.with_ansi(std::io::stderr().is_terminal()).init()
        }
    }
}

fn config_or_exit() -> Config {
    match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { no_migrate: false });
    if let Command::Openapi { module } = command {
        if module {
            print!("{}", api::web::app::module_spec_json());
        } else {
            print!("{}", api::web::app::spec_json());
        }
        return;
    }
    if let Command::Partner {
        command:
            PartnerCommand::Check {
                url,
                token_url,
                client_id,
            },
    } = command
    {
        std::process::exit(partner_check(url, token_url, client_id).await);
    }
    if let Command::Module { command } = command {
        std::process::exit(module_check(command).await);
    }
    let config = config_or_exit();
    init_logging(&config.log, config.log_format);
    let result = match command {
        Command::Serve { no_migrate } => {
            let mut config = config;
            config.server.migrate_on_start = !no_migrate;
            serve(config).await
        }
        Command::Migrate => migrate(config).await,
        Command::ImportOsm { file } => import_osm(config, file).await,
        Command::CreateAdmin { email } => create_admin(config, email).await,
        Command::Reindex => reindex(config).await,
        Command::Notifier => notifier(config).await,
        Command::GenerateListings { count, seed } => generate_listings(config, count, seed).await,
        Command::Open311 {
            command: Open311Command::Key { app_name },
        } => open311_key(config, app_name).await,
        Command::Openapi { .. } | Command::Partner { .. } | Command::Module { .. } => {
            unreachable!("handled above")
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bound = api::web::app::bind(config).await?;
    tracing::info!(addr = %bound.addr, "City Portal listening on http://{}", bound.addr);
    if let Some(admin) = bound.admin_addr {
        tracing::info!(%admin, "/metrics and the detailed /readyz on http://{admin}");
    }
    bound.run(shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM as sent by container runtimes and systemd.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// Like `search-indexer`, it does not migrate or seed the database: the servers do.
async fn notifier(config: Config) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    let pending = api::core::db::pending_migrations(&db).await?;
    if pending > 0 {
        anyhow::bail!(
            "the database lacks {pending} migration(s): run `city-portal migrate` or start a server first"
        );
    }
    let notifier = api::notifications::Notifier::standalone(db.clone(), &config)?;
    if sea_orm::ConnectionTrait::get_database_backend(&db) == sea_orm::DbBackend::Sqlite {
        tracing::info!(
            "SQLite: run only one notifier, this one, and set NOTIFIER=external on the server"
        );
    }
    // Listening for the signals from the start (a spawned task is polled at once): a
    // SIGTERM during a backlog stops it between batches, not by the default action.
    let signalled = tokio::spawn(shutdown_signal());
    tracing::info!("notifier running: sending booking notifications from the outbox");
    notifier
        .run(async {
            let _ = signalled.await;
        })
        .await;
    Ok(())
}

/// Migrates the database and fills the search columns a migration emptied (their text
/// is folded by Rust code), as a starting server does before it answers.
async fn migrate_db(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    api::core::db::migrate(db).await?;
    api::listings::service::backfill_search_columns(db)
        .await
        .map_err(|e| anyhow::anyhow!("filling search columns: {e}"))?;
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    println!("migrations applied");
    Ok(())
}

async fn import_osm(config: Config, file: PathBuf) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    let city = api::demo::seed::ensure_city(&db, &config.city).await?;
    api::demo::seed::seed_taxonomy(&db).await?;
    let summary = api::demo::seed::import_osm(&db, city.id, bytes, true).await?;
    println!("{summary}");
    Ok(())
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    let city = api::demo::seed::ensure_city(&db, &config.city).await?;
    let engine = api::search::engine::SearchEngine::from_config(&config.search, city.timezone)?;
    let target = engine
        .meili
        .ok_or_else(|| anyhow::anyhow!("MEILI_URL is not set: there is no index to rebuild"))?;
    let bar = api::demo::seed::progress_bar(Some(0), true, "reindex");
    let started = std::time::Instant::now();
    let report = search_indexer::reindex::reindex(&db, &target, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "reindexed {} listings into '{}' in {:.1}s; {} changed meanwhile and were applied after the swap",
        report.documents,
        target.index_uid,
        started.elapsed().as_secs_f64(),
        report.caught_up
    );
    Ok(())
}

async fn generate_listings(config: Config, count: u64, seed: u64) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    let city = api::demo::seed::ensure_city(&db, &config.city).await?;
    api::demo::seed::seed_taxonomy(&db).await?;
    let started = std::time::Instant::now();
    let summary = api::demo::generate::generate(&db, city.id, count, seed, true).await?;
    println!(
        "generated {} published business listings from {} demo businesses (seed {seed}) in {:.1}s; run `city-portal reindex` to put them into Meilisearch",
        summary.created,
        summary.templates,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn open311_key(config: Config, app_name: String) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    let city = api::demo::seed::ensure_city(&db, &config.city).await?;
    let ctx = api::reports::service::Ctx {
        db: &db,
        city_id: city.id,
    };
    let issued = api::reports::service::issue_key(ctx, &app_name, None)
        .await
        .map_err(|e| match e {
            api::reports::error::ReportError::Invalid(_) => {
                anyhow::anyhow!(
                    "the app's name must be 1 to 100 characters without control characters"
                )
            }
            other => anyhow::anyhow!("{other}"),
        })?;
    // The key alone on standard output, so that a script can take it.
    println!("{}", issued.secret);
    eprintln!(
        "issued an Open311 API key to \"{}\" (shown this once; revoke it at /admin/open311-keys)",
        issued.key.app_name
    );
    Ok(())
}

async fn create_admin(config: Config, email: String) -> anyhow::Result<()> {
    let db = api::core::db::connect(config.database.url.expose_secret()).await?;
    migrate_db(&db).await?;
    let city = api::demo::seed::ensure_city(&db, &config.city).await?;
    let password = std::env::var("ADMIN_PASSWORD")
        .ok()
        .map(secrecy::SecretString::from);
    let outcome = api::accounts::create_admin(
        &db,
        city.id,
        &email,
        password.as_ref().map(|p| p.expose_secret()),
    )
    .await?;
    println!("{outcome}");
    Ok(())
}
