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
    /// Print a module's manifest, to register it in the portal.
    Manifest {
        #[arg(value_enum)]
        module: Which,
        /// Where the portal sends the webhooks (the module listens on it).
        #[arg(long)]
        webhook_url: String,
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
}

impl From<Which> for Example {
    fn from(w: Which) -> Example {
        match w {
            Which::ParkingPermits => Example::ParkingPermits,
            Which::StreetDefects => Example::StreetDefects,
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
        Command::Manifest {
            module,
            webhook_url,
            private_key,
        } => {
            let key = private_key.as_deref().map(load_key).transpose()?;
            let m = Example::from(module).manifest(&webhook_url, key.as_ref());
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
