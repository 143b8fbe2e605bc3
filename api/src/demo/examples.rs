//! The demo city's example modules (crate `example-modules`), run inside the server on
//! free loopback ports while the demo data is on (and `DEMO_MODULES` is): residents'
//! parking permits for the "Residents' parking permit" service, and street defects for
//! "Report a street defect" (Open311).
//!
//! They are registered from their manifests and approved as a city admin would do it,
//! through the module register (no one's account: the server itself). Their port
//! changes with every start, and so does their manifest's `webhook_url`: the new
//! manifest is approved again, the client gets a new secret and the module a new
//! webhook secret, handed to the module in this process and nowhere else. A module a
//! city admin paused or removed is left so.

use std::net::SocketAddr;
use std::time::Duration;

use example_modules::{Example, Options, Running};

use crate::modules::api::{client_name, ctx};
use crate::modules::error::ModuleError;
use crate::modules::service::{self, ModuleStatus};
use crate::web::state::AppState;

/// The pause before each step of a case in the demo: long enough to watch a case move
/// on, short enough not to wait for it.
pub const DELAY: Duration = Duration::from_secs(2);

/// The example modules running.
pub struct Examples(Vec<Running>);

impl Examples {
    /// How many run.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stops them.
    pub async fn stop(self) {
        for r in self.0 {
            r.stop().await;
        }
    }
}

/// Starts the example modules when the demo data and `DEMO_MODULES` are on. `addr` is
/// where this server listens: the modules call the portal there.
pub async fn start(state: &AppState, addr: SocketAddr) -> anyhow::Result<Option<Examples>> {
    if !state.config.city.demo_data || !state.config.city.demo_modules {
        return Ok(None);
    }
    start_examples(state, addr, DELAY).await.map(Some)
}

/// Registers (or brings up to date), approves and starts both example modules, each
/// pausing `delay` before every step. Needs the demo city's services.
pub async fn start_examples(
    state: &AppState,
    addr: SocketAddr,
    delay: Duration,
) -> anyhow::Result<Examples> {
    let host = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    let mut running = Vec::new();
    for example in [Example::ParkingPermits, Example::StreetDefects] {
        let bound = example_modules::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let manifest = example.manifest(&bound.webhook_url(), None);
        let Some((client_id, client_secret, webhook_secret)) =
            approved(state, example.id(), &manifest).await?
        else {
            continue;
        };
        running.push(bound.run(
            example,
            Options {
                portal: format!("http://{host}"),
                client_id,
                client_secret,
                webhook_secret,
                delay,
                private_key: None,
            },
        )?);
        tracing::info!(module = example.id(), "demo city: example module running");
    }
    Ok(Examples(running))
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The module `slug` registered with `manifest` and approved; its client id, a new
/// client secret and a new webhook secret. `None` when a city admin paused or removed
/// it.
async fn approved(
    state: &AppState,
    slug: &str,
    manifest: &serde_json::Value,
) -> anyhow::Result<Option<(String, String, String)>> {
    let ctx = ctx(state);
    let module = match service::get(ctx, slug).await {
        Ok(m) if matches!(m.status, ModuleStatus::Paused | ModuleStatus::Removed) => {
            tracing::info!(
                module = slug,
                "demo city: the example module was paused or removed by an admin; not started"
            );
            return Ok(None);
        }
        Ok(_) => {
            service::update(ctx, slug, manifest, None)
                .await
                .map_err(err)?
                .0
        }
        Err(ModuleError::NotFound) => service::register_by(ctx, manifest, None)
            .await
            .map_err(err)?,
        Err(e) => return Err(err(e)),
    };
    let (module, first_secret) = match &module.pending {
        Some(v) => {
            let name = client_name(state);
            let a = service::approve(
                ctx,
                &state.partners,
                slug,
                service::Approval {
                    version: v.version,
                    by: None,
                    client_name: &name,
                    booking: None,
                },
            )
            .await
            .map_err(err)?;
            (a.module, a.client_secret)
        }
        None => (module, None),
    };
    let client_id = module
        .client_id
        .ok_or_else(|| anyhow::anyhow!("the approved module {slug} has no client"))?;
    let client_secret = match first_secret {
        Some(s) => s,
        // Only its hash is stored: a new one, the old ones ending now.
        None => {
            crate::oauth::service::rotate_secret(
                &state.db,
                state.city.id,
                client_id,
                chrono::Duration::zero(),
            )
            .await
            .map_err(err)?
            .0
        }
    };
    // Only its ciphertext is kept: a new one at every start, handed to the module.
    let webhook_secret = service::rotate_webhook_secret(ctx, state.partners.key(), slug)
        .await
        .map_err(err)?;
    Ok(Some((client_id.to_string(), client_secret, webhook_secret)))
}
