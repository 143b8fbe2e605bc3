//! What every request can reach: database, store, configuration, the city, templates.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::core::city::CityCtx;
use crate::core::config::Config;
use crate::core::store::Store;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub store: Store,
    pub config: Arc<Config>,
    pub city: Arc<CityCtx>,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub i18n: Arc<crate::core::i18n::I18n>,
    pub assets: Arc<crate::web::assets::Assets>,
    /// Published listings read recently (see `listings::cache`).
    pub listing_cache: Arc<crate::listings::cache::ListingCache>,
    /// Meilisearch (when configured) and the database fallback.
    pub search: Arc<crate::search::engine::SearchEngine>,
    /// The Content-Security-Policy of HTML pages.
    pub csp: String,
    /// Partner connections' key, tokens and circuits.
    pub partners: Arc<crate::partners::Partners>,
    /// Sends the account's emails (verification, password reset).
    pub postman: Arc<crate::accounts::mail::Postman>,
    /// The city login (OpenID Connect), when configured.
    pub city_login: Option<Arc<crate::accounts::oidc::CityLogin>>,
    /// Stores the access records of apps' requests, grouped (see `privacy::writer`).
    pub access_log: crate::privacy::writer::AccessWriter,
    /// Wakes the module deliveries after a write (it may have queued events for a
    /// module), so they go out at once rather than at the next poll.
    pub module_wake: Arc<tokio::sync::Notify>,
    /// Signs the pages' form tokens (see `core::secrets::FormKey`).
    pub form_key: Arc<crate::core::secrets::FormKey>,
    /// The request body schemas of the API, for strict JSON types at the edge.
    pub body_schemas: Arc<crate::web::strict_json::BodySchemas>,
    /// The limit of anonymous requests per client address (none when turned off).
    pub anonymous_limit: Option<Arc<crate::core::rate::AnonymousLimit>>,
}

impl AppState {
    /// The booking context of this server: the city, its time zone, the booking
    /// settings and the partner connections.
    /// The organization services' context of this server.
    pub fn organizations_ctx(&self) -> crate::organizations::service::Ctx<'_> {
        crate::organizations::service::Ctx {
            db: &self.db,
            city_id: self.city.id,
        }
    }

    /// The city's reserved terms that business listing names wait for review with.
    pub fn reserved_names(&self) -> crate::listings::review::ReservedNames {
        crate::listings::review::ReservedNames::new(&self.config.listings.reserved_names)
    }

    /// The booking services' context of this server.
    pub fn booking_ctx(&self) -> crate::booking::model::Ctx {
        crate::booking::model::Ctx {
            city_id: self.city.id,
            tz: self.city.timezone,
            hold: self.config.booking.hold,
            holidays: self.config.city.holidays,
            claim: self.config.booking.waitlist_claim,
            partners: self.partners.clone(),
        }
    }
}
