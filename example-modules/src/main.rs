//! `example-module`: runs one of the example modules against a portal, prints a
//! manifest to register, or makes a key pair for sealed submissions. See the README.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use example_modules::{jwe::PrivateKey, Example, Options};

#[derive(Parser)]
#[command(
    name = "example-module",
    about = "City Portal's example modules",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the residents' parking permit module.
    ParkingPermits(RunArgs),
    /// Run the street-defect module.
    StreetDefects(RunArgs),
    /// Run the citizens' office's appointment module: its Partner Booking API, and,
    /// once approved, its webhook.
    CitizensOffice(OfficeArgs),
    /// Print a module's manifest, to register it in the portal.
    Manifest {
        #[arg(value_enum)]
        module: Which,
        /// Where the portal sends the webhooks (the module listens on it).
        #[arg(long)]
        webhook_url: String,
        /// The citizens' office's appointment system's address (its `--api-listen`),
        /// e.g. `http://127.0.0.1:9200`.
        #[arg(long)]
        api_url: Option<String>,
        /// Publish this key's public half: submissions are then sealed to it.
        #[arg(long)]
        private_key: Option<PathBuf>,
    },
    /// Make an RSA key (a private JWK, printed: keep it secret) for sealed submissions.
    Keygen {
        /// The key's id (`kid`).
        #[arg(long, default_value = "parking-permits-1")]
        kid: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    ParkingPermits,
    StreetDefects,
    CitizensOffice,
}

impl From<Which> for Example {
    fn from(w: Which) -> Example {
        match w {
            Which::ParkingPermits => Example::ParkingPermits,
            Which::StreetDefects => Example::StreetDefects,
            Which::CitizensOffice => Example::CitizensOffice,
        }
    }
}

#[derive(Args)]
struct RunArgs {
    /// The portal's base URL.
    #[arg(long, env = "PORTAL_URL")]
    portal: String,
    /// The module's OAuth2 client id, from its approval.
    #[arg(long, env = "MODULE_CLIENT_ID")]
    client_id: String,
    /// The module's OAuth2 client secret, from its approval (better in the environment
    /// than on the command line, where other users of the machine can see it).
    #[arg(long, env = "MODULE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// The webhook signing secret (`whsec_…`), from its approval.
    #[arg(long, env = "MODULE_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: String,
    /// Where to listen for the portal's webhooks (the manifest's `webhook_url` must
    /// point here).
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    /// The pause before each step of a case, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    delay_ms: u64,
    /// The private key (JWK file) whose public half the manifest publishes.
    #[arg(long, env = "MODULE_PRIVATE_KEY")]
    private_key: Option<PathBuf>,
}

#[derive(Args)]
struct OfficeArgs {
    /// Where the appointment system (the Partner Booking API and its token endpoint)
    /// listens: the manifest's `base_url`.
    #[arg(long, default_value = "127.0.0.1:9200")]
    api_listen: SocketAddr,
    /// The city's time zone (the counter hours are local times).
    #[arg(long, default_value = "Europe/Berlin")]
    time_zone: chrono_tz::Tz,
    /// The client id the module issues the portal for its Partner Booking API (the
    /// admin enters it when approving).
    #[arg(long, env = "MODULE_BOOKING_CLIENT_ID", default_value = "city-portal")]
    booking_client_id: String,
    /// Its secret (the admin enters it when approving).
    #[arg(long, env = "MODULE_BOOKING_CLIENT_SECRET", hide_env_values = true)]
    booking_client_secret: String,
    /// Where the module receives the portal's webhooks (the manifest's `webhook_url`).
    #[arg(long, default_value = "127.0.0.1:9101")]
    listen: SocketAddr,
    /// The portal's base URL.
    #[arg(long, env = "PORTAL_URL")]
    portal: Option<String>,
    /// From the approval: the module's OAuth2 client id.
    #[arg(long, env = "MODULE_CLIENT_ID")]
    client_id: Option<String>,
    /// From the approval: its client secret.
    #[arg(long, env = "MODULE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// From the approval: the webhook signing secret (`whsec_…`).
    #[arg(long, env = "MODULE_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// From the admin's module page: where the appointment system sends its booking
    /// webhooks (`{portal}/api/v1/partner-webhooks/{connection}`).
    #[arg(long, env = "MODULE_BOOKING_WEBHOOK_URL")]
    booking_webhook_url: Option<String>,
}

/// The citizens' office: the appointment system at once (the approval asks it for its
/// offers), the webhook once the approval's secrets are given.
async fn run_office(a: OfficeArgs) -> anyhow::Result<()> {
    use example_modules::citizens_office::AppointmentSystem;
    let system = AppointmentSystem::start(
        a.api_listen,
        a.time_zone,
        &a.booking_client_id,
        &a.booking_client_secret,
    )
    .await?;
    let bound = example_modules::bind(a.listen).await?;
    println!(
        "{} appointment system at {} (manifest base_url); webhook_url: {}",
        Example::CitizensOffice.id(),
        system.base_url(),
        bound.webhook_url()
    );
    let running = match (
        a.portal,
        a.client_id,
        a.client_secret,
        a.webhook_secret,
        a.booking_webhook_url,
    ) {
        (Some(portal), Some(client_id), Some(client_secret), Some(webhook_secret), Some(hook)) => {
            system.connect(&webhook_secret, &hook)?;
            Some(bound.run(
                Example::CitizensOffice,
                Options {
                    portal,
                    client_id,
                    client_secret,
                    webhook_secret,
                    delay: Duration::ZERO,
                    private_key: None,
                },
            )?)
        }
        _ => {
            println!(
                "not approved yet: register and approve the manifest (with the booking client id and secret), then start again with PORTAL_URL, MODULE_CLIENT_ID, MODULE_CLIENT_SECRET, MODULE_WEBHOOK_SECRET and MODULE_BOOKING_WEBHOOK_URL"
            );
            None
        }
    };
    tokio::signal::ctrl_c().await?;
    if let Some(r) = running {
        r.stop().await;
    }
    system.stop().await;
    Ok(())
}

fn load_key(path: &std::path::Path) -> anyhow::Result<PrivateKey> {
    let jwk: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    PrivateKey::from_jwk(&jwk)
}

async fn run(example: Example, a: RunArgs) -> anyhow::Result<()> {
    let bound = example_modules::bind(a.listen).await?;
    println!(
        "{} listening; its manifest's webhook_url: {}",
        example.id(),
        bound.webhook_url()
    );
    let running = bound.run(
        example,
        Options {
            portal: a.portal,
            client_id: a.client_id,
            client_secret: a.client_secret,
            webhook_secret: a.webhook_secret,
            delay: Duration::from_millis(a.delay_ms),
            private_key: a.private_key.as_deref().map(load_key).transpose()?,
        },
    )?;
    tokio::signal::ctrl_c().await?;
    running.stop().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::ParkingPermits(a) => run(Example::ParkingPermits, a).await,
        Command::StreetDefects(a) => run(Example::StreetDefects, a).await,
        Command::CitizensOffice(a) => run_office(a).await,
        Command::Manifest {
            module,
            webhook_url,
            api_url,
            private_key,
        } => {
            let key = private_key.as_deref().map(load_key).transpose()?;
            let m = Example::from(module).manifest(&webhook_url, api_url.as_deref(), key.as_ref());
            println!("{}", serde_json::to_string_pretty(&m)?);
            Ok(())
        }
        Command::Keygen { kid } => {
            let key = PrivateKey::generate(&kid)?;
            println!("{}", serde_json::to_string_pretty(&key.to_jwk())?);
            Ok(())
        }
    }
}
