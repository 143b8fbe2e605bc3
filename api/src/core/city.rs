//! The city a server serves (the tenant).

use uuid::Uuid;

/// The city this server serves (the tenant).
#[derive(Clone, Debug)]
pub struct CityCtx {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub timezone: chrono_tz::Tz,
}
