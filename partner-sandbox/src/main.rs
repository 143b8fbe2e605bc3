//! The `partner-sandbox` command: a sandbox partner booking system for tests and demos.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use partner_sandbox::webhook::Secret;
use partner_sandbox::{parse_clients, Mode, SandboxConfig};

/// A sandbox partner implementing the Partner Booking API (token endpoint, booking API,
/// signed webhooks) with the Sandbox Gym's classes and memberships; it can act slow, down
/// or wrong on request. Secrets come from the environment only: SANDBOX_WEBHOOK_SECRET
/// (whsec_<base64>; random and logged when unset), SANDBOX_CONTROL_TOKEN (enables the
/// control API under /sandbox) and, for `check`, PARTNER_CLIENT_SECRET. See
/// partner-sandbox/README.md.
#[derive(Parser)]
#[command(name = "partner-sandbox", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sandbox (the default) until Ctrl-C or SIGTERM.
    Serve,
    /// Print the Partner Booking API document generated from the sandbox (the committed
    /// openapi/partner-booking-api.json must equal it).
    Openapi,
    /// Check a partner implementation against the contract and print what it gets wrong;
    /// exits 1 when a check fails. It creates and cancels real holds: use a test system.
    Check {
        /// The partner's base URL (the API is under <base-url>/partner/v1).
        base_url: String,
        /// The token URL [default: <base-url>/oauth/token].
        #[arg(long, env = "PARTNER_TOKEN_URL")]
        token_url: Option<String>,
        /// The OAuth2 client id.
        #[arg(long, env = "PARTNER_CLIENT_ID")]
        client_id: String,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_BIND", default_value = "127.0.0.1:8090")]
    bind: SocketAddr,
    /// Accepted OAuth2 clients, `id:secret[,id:secret...]`.
    #[arg(
        long,
        env = "SANDBOX_CLIENTS",
        default_value = "city-portal:sandbox-secret",
        hide_default_value = true
    )]
    clients: String,
    /// Where webhooks go, e.g. http://127.0.0.1:8080/api/v1/partner-webhooks/<connection>.
    #[arg(long, env = "SANDBOX_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// Access token lifetime in seconds.
    #[arg(long, env = "SANDBOX_TOKEN_TTL_SECS", default_value_t = 3600)]
    token_ttl_secs: u64,
    /// Hold lifetime in seconds.
    #[arg(long, env = "SANDBOX_HOLD_TTL_SECS", default_value_t = 600)]
    hold_ttl_secs: u64,
    /// Seconds until a pending membership is approved by itself; 0 = only through the
    /// control API.
    #[arg(long, env = "SANDBOX_APPROVAL_DELAY_SECS", default_value_t = 5)]
    approval_delay_secs: u64,
    /// Behaviour at start: normal, slow, down or wrong.
    #[arg(long, env = "SANDBOX_MODE", default_value = "normal")]
    mode: String,
    /// Delay of the slow mode in milliseconds.
    #[arg(long, env = "SANDBOX_SLOW_MS", default_value_t = 2000)]
    slow_ms: u64,
    /// Weeks ahead for which the Sandbox Gym has sessions.
    #[arg(long, env = "SANDBOX_WEEKS", default_value_t = 6)]
    weeks: u32,
    /// Log filter (tracing-subscriber syntax).
    #[arg(long, env = "LOG", default_value = "info")]
    log: String,
}

fn exit_with(message: impl std::fmt::Display) -> ! {
    eprintln!("partner-sandbox: {message}");
    std::process::exit(2);
}

fn config(args: &ServeArgs) -> SandboxConfig {
    let clients =
        parse_clients(&args.clients).unwrap_or_else(|e| exit_with(format!("SANDBOX_CLIENTS: {e}")));
    // Secrets come from the environment only, never from the command line.
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let webhook_secret = match env("SANDBOX_WEBHOOK_SECRET") {
        Some(s) => {
            Secret::parse(&s).unwrap_or_else(|e| exit_with(format!("SANDBOX_WEBHOOK_SECRET: {e}")))
        }
        None => {
            let s = Secret::generate();
            // A throwaway secret of a sandbox: the developer needs it for the portal side.
            tracing::info!(
                webhook_secret = %s.to_whsec(),
                "generated a webhook secret (set SANDBOX_WEBHOOK_SECRET to fix one)"
            );
            s
        }
    };
    let mode = Mode::parse(&args.mode, Some(Duration::from_millis(args.slow_ms)))
        .unwrap_or_else(|| exit_with("SANDBOX_MODE: must be normal, slow, down or wrong"));
    if let Some(url) = &args.webhook_url {
        if url::Url::parse(url).is_err() {
            exit_with("SANDBOX_WEBHOOK_URL: not a URL");
        }
    }
    let mut catalogue = partner_sandbox::catalogue::Catalogue::sandbox_gym();
    catalogue.weeks_ahead = args.weeks.max(1);
    SandboxConfig {
        bind: args.bind,
        clients,
        webhook_url: args.webhook_url.clone(),
        webhook_secret,
        catalogue,
        token_ttl: Duration::from_secs(args.token_ttl_secs.max(1)),
        hold_ttl: Duration::from_secs(args.hold_ttl_secs.max(1)),
        approval_delay: (args.approval_delay_secs > 0)
            .then(|| Duration::from_secs(args.approval_delay_secs)),
        control_token: env("SANDBOX_CONTROL_TOKEN"),
        mode,
        ..SandboxConfig::default()
    }
}

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
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.serve.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => print!("{}", partner_sandbox::generated_spec_json()),
        Command::Check {
            base_url,
            token_url,
            client_id,
        } => {
            let client_secret = std::env::var("PARTNER_CLIENT_SECRET")
                .unwrap_or_else(|_| exit_with("PARTNER_CLIENT_SECRET: set the client secret"));
            let token_url = token_url
                .unwrap_or_else(|| format!("{}/oauth/token", base_url.trim_end_matches('/')));
            let report =
                partner_sandbox::check(&base_url, &token_url, &client_id, &client_secret).await;
            print!("{}", report.render());
            if !report.passed() {
                std::process::exit(1);
            }
        }
        Command::Serve => {
            let config = config(&cli.serve);
            let control = config.control_token.is_some();
            let sandbox = partner_sandbox::spawn(config)
                .await
                .unwrap_or_else(|e| exit_with(format!("SANDBOX_BIND: {e}")));
            tracing::info!(
                base_url = %sandbox.base_url(),
                token_url = %sandbox.token_url(),
                control_api = control,
                "partner sandbox listening; API under /partner/v1"
            );
            shutdown_signal().await;
            tracing::info!("stopping");
            sandbox.stop().await;
        }
    }
}
