//! The demo city's example modules in a server built without the `demo-modules`
//! feature (the production image): they are not compiled in, so the demo city's
//! parking permit, street-defect and certified-copy services have no module and the rest loads as usual.

use std::net::SocketAddr;

use crate::web::state::AppState;

/// Stands in for the example modules, which this build cannot run.
pub enum NoExamples {}

impl NoExamples {
    /// Nothing to stop.
    pub async fn stop(self) {
        match self {}
    }
}

/// Says once, when the demo data is on, that the example modules are not built in.
pub async fn start(state: &AppState, _addr: SocketAddr) -> anyhow::Result<Option<NoExamples>> {
    if state.config.city.demo_data && state.config.city.demo_modules {
        tracing::info!(
            "demo city: the example modules are not built in (feature demo-modules); its parking permits, street defects and certified-copy appointments have no module"
        );
    }
    Ok(None)
}
