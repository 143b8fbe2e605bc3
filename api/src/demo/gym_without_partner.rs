//! The demo gym in a server built without the `demo-partner` feature (the production
//! image): the sandbox partner it books through is not compiled in, so the gym is left
//! out and the rest of the demo city loads as usual.

use std::net::SocketAddr;

use crate::web::state::AppState;

/// Stands in for the sandbox partner, which this build cannot run.
pub enum NoPartner {}

impl NoPartner {
    /// Nothing to stop.
    pub async fn stop(self) {
        match self {}
    }
}

/// Says once, when the demo data is on, that the demo gym's partner is not built in.
pub async fn start(state: &AppState, _addr: SocketAddr) -> anyhow::Result<Option<NoPartner>> {
    if state.config.city.demo_data {
        tracing::info!(
            "demo gym: its sandbox partner is not built in (feature demo-partner); the demo city has no gym"
        );
    }
    Ok(None)
}
