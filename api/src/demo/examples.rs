//! The demo city's example modules (crate `example-modules`), run inside the server on
//! free loopback ports while the demo data is on (and `DEMO_MODULES` is): residents'
//! parking permits for the "Residents' parking permit" service, street defects for
//! "Report a street defect" (Open311), and the citizens' office's appointment system
//! for "Certified copies" (its Partner Booking API; the office's other services keep
//! the appointments the portal manages itself, seeded with the demo data).
//!
//! They are registered from their manifests and approved as a city admin would do it,
//! through the module register (no one's account: the server itself). Their port
//! changes with every start, and so does their manifest's `webhook_url`: the new
//! manifest is approved again, the client gets a new secret and the module a new
//! webhook secret, handed to the module in this process and nowhere else. The
//! citizens' office's appointment system keeps the booking credentials it issued the
//! portal (read back from the module's connection), so only its address changes. A
//! module a city admin paused or removed is left so.

use std::net::SocketAddr;
use std::time::Duration;

use example_modules::citizens_office::{self, AppointmentSystem};
use example_modules::{Example, Options, Running};
use secrecy::ExposeSecret;

use crate::modules::api::{client_name, ctx};
use crate::modules::appointments::BookingCredentials;
use crate::modules::error::ModuleError;
use crate::modules::service::{self, ModuleStatus};
use crate::web::state::AppState;

/// The pause before each step of a case in the demo: long enough to watch a case move
/// on, short enough not to wait for it.
pub const DELAY: Duration = Duration::from_secs(2);

/// The example modules running.
pub struct Examples {
    running: Vec<Running>,
    /// The citizens' office's appointment system, when its module runs.
    office: Option<AppointmentSystem>,
}

impl Examples {
    /// How many run.
    pub fn len(&self) -> usize {
        self.running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// The citizens' office's appointment system, when its module runs.
    pub fn office(&self) -> Option<&AppointmentSystem> {
        self.office.as_ref()
    }

    /// Stops them.
    pub async fn stop(self) {
        for r in self.running {
            r.stop().await;
        }
        if let Some(o) = self.office {
            o.stop().await;
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

/// Registers (or brings up to date), approves and starts the example modules, each
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
    let portal = format!("http://{host}");
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut running = Vec::new();
    let mut office = None;
    for example in [
        Example::ParkingPermits,
        Example::StreetDefects,
        Example::CitizensOffice,
    ] {
        let bound = example_modules::bind(loopback).await?;
        let (system, booking) = if example == Example::CitizensOffice {
            let booking = office_credentials(state).await?;
            let system = AppointmentSystem::start(
                loopback,
                state.city.timezone,
                &booking.client_id,
                &booking.client_secret,
            )
            .await?;
            (Some(system), Some(booking))
        } else {
            (None, None)
        };
        let api = system.as_ref().map(AppointmentSystem::base_url);
        let manifest = example.manifest(&bound.webhook_url(), api.as_deref(), None);
        let Some(a) = approved(state, example.id(), &manifest, booking).await? else {
            if let Some(s) = system {
                s.stop().await;
            }
            continue;
        };
        if let Some(system) = system {
            let connection = a.booking_connection.ok_or_else(|| {
                anyhow::anyhow!("the citizens' office module has no booking connection")
            })?;
            let base = url::Url::parse(&portal)?;
            system.connect(
                &a.webhook_secret,
                &crate::partners::connections::webhook_url(&base, connection),
            )?;
            office = Some(system);
        }
        running.push(bound.run(
            example,
            Options {
                portal: portal.clone(),
                client_id: a.client_id,
                client_secret: a.client_secret,
                webhook_secret: a.webhook_secret,
                delay,
                private_key: None,
            },
        )?);
        tracing::info!(module = example.id(), "demo city: example module running");
    }
    Ok(Examples { running, office })
}

/// The booking credentials the citizens' office's appointment system issues the portal:
/// the ones its connection holds from an earlier start, else new ones.
async fn office_credentials(state: &AppState) -> anyhow::Result<BookingCredentials> {
    if let Ok(m) = service::get(ctx(state), citizens_office::ID).await {
        if let Some(c) = crate::modules::appointments::connection_of(&state.db, m.id).await? {
            if let Ok(open) = crate::partners::connections::open(&state.partners, &c) {
                return Ok(BookingCredentials {
                    client_id: open.client_id,
                    client_secret: open.client_secret.expose_secret().to_string(),
                });
            }
        }
    }
    Ok(BookingCredentials {
        client_id: "city-portal".into(),
        client_secret: crate::core::secrets::random_secret(),
    })
}

/// What a module's approval hands the module.
struct Granted {
    client_id: String,
    client_secret: String,
    webhook_secret: String,
    /// Its booking connection, for a module with appointment services.
    booking_connection: Option<uuid::Uuid>,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The module `slug` registered with `manifest` and approved (with `booking`
/// credentials for appointment services); its client id, a new client secret and a new
/// webhook secret. `None` when a city admin paused or removed it.
async fn approved(
    state: &AppState,
    slug: &str,
    manifest: &serde_json::Value,
    booking: Option<BookingCredentials>,
) -> anyhow::Result<Option<Granted>> {
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
                    booking,
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
    Ok(Some(Granted {
        client_id: client_id.to_string(),
        client_secret,
        webhook_secret,
        booking_connection: module.booking_connection,
    }))
}
