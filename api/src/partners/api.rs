//! `/api/v1/organizations/{id}/partner-connections` and `/api/v1/partner-connections/...`:
//! organization owners connect their own booking system.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::connections::{self, Connection, ConnectionInput};
use super::error::PartnerConnectionError;
use crate::core::problem::ApiError;
use crate::core::scope::Scope;
use crate::web::api_tags::ApiTags;
use crate::web::auth::AppAuth;
use crate::web::state::AppState;

/// An organization's partner connections.
#[derive(Object)]
pub struct ConnectionList {
    pub items: Vec<Connection>,
}

/// An offer of the partner's system, to link a portal offer to.
#[derive(Object)]
pub struct PartnerOfferSummary {
    /// The partner's id of the offer (the portal offer's `partner.offer_ref`).
    pub offer_ref: String,
    pub name: String,
    /// `appointment`, `class` or `membership`.
    pub kind: String,
    /// `instant` or `approval`.
    pub confirmation: String,
    /// The resident data a booking of it shares.
    pub resident_fields: Vec<String>,
}

/// What the partner's system offers.
#[derive(Object)]
pub struct PartnerOfferList {
    pub items: Vec<PartnerOfferSummary>,
    /// The partner's time zone.
    pub time_zone: String,
}

#[derive(ApiResponse)]
pub enum ConnectionCreated {
    /// Created. Its secrets are stored encrypted and never shown again.
    #[oai(status = 201)]
    Created(Json<Connection>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Removed.
    #[oai(status = 204)]
    NoContent,
}

/// An enum of the Partner Booking API as its name on the wire (`class`, `approval`, ...).
fn wire_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_id(id: &str, what: &'static str) -> Result<Uuid, PartnerConnectionError> {
    Uuid::parse_str(id).map_err(|_| PartnerConnectionError::not_found(what))
}

pub struct PartnerConnectionsApi;

#[OpenApi(tag = "ApiTags::Partners")]
impl PartnerConnectionsApi {
    /// List an organization's partner connections
    ///
    /// For its members. Secrets are never returned.
    #[oai(
        path = "/organizations/:id/partner-connections",
        method = "get",
        operation_id = "list_partner_connections"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<ConnectionList>, ApiError> {
        let org = parse_id(&id.0, "organization")?;
        let items = connections::list(
            &state.db,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            org,
        )
        .await?;
        Ok(Json(ConnectionList {
            items: items
                .iter()
                .map(|m| connections::to_api(m, &state.config.server.public_url))
                .collect(),
        }))
    }

    /// Connect the organization's own booking system
    ///
    /// For owners. The portal books the offers linked to it through the Partner Booking
    /// API at `base_url`, authenticating with OAuth2 client credentials, and accepts the
    /// partner's webhooks at `webhook_url` signed with `webhook_secret`. Both secrets are
    /// encrypted at rest and never shown again.
    #[oai(
        path = "/organizations/:id/partner-connections",
        method = "post",
        operation_id = "create_partner_connection"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
        body: Json<ConnectionInput>,
    ) -> Result<ConnectionCreated, ApiError> {
        let org = parse_id(&id.0, "organization")?;
        let m = connections::create(
            &state.db,
            &state.partners,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            org,
            &body.0,
        )
        .await?;
        Ok(ConnectionCreated::Created(
            Json(connections::to_api(&m, &state.config.server.public_url)),
            format!("/api/v1/partner-connections/{}", m.id),
        ))
    }

    /// Get a partner connection
    #[oai(
        path = "/partner-connections/:id",
        method = "get",
        operation_id = "get_partner_connection"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<Connection>, ApiError> {
        let id = parse_id(&id.0, "partner connection")?;
        let m = connections::usable(
            &state.db,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            id,
        )
        .await?;
        Ok(Json(connections::to_api(
            &m,
            &state.config.server.public_url,
        )))
    }

    /// Change a partner connection
    ///
    /// For owners. Leave out a secret to keep the stored one. A module's connection is
    /// managed by the module register (409 `partner-connection-of-module`).
    #[oai(
        path = "/partner-connections/:id",
        method = "put",
        operation_id = "update_partner_connection"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
        body: Json<ConnectionInput>,
    ) -> Result<Json<Connection>, ApiError> {
        let id = parse_id(&id.0, "partner connection")?;
        let m = connections::update(
            &state.db,
            &state.partners,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            id,
            &body.0,
        )
        .await?;
        Ok(Json(connections::to_api(
            &m,
            &state.config.server.public_url,
        )))
    }

    /// Remove a partner connection
    ///
    /// For owners; refused (409) while offers book through it, and for a module's
    /// connection (`partner-connection-of-module`).
    #[oai(
        path = "/partner-connections/:id",
        method = "delete",
        operation_id = "delete_partner_connection"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Deleted, ApiError> {
        let id = parse_id(&id.0, "partner connection")?;
        connections::delete(
            &state.db,
            &state.partners,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            id,
        )
        .await?;
        Ok(Deleted::NoContent)
    }

    /// The partner's offers
    ///
    /// Asks the partner's system which offers it has (a live call: 503 when it does not
    /// answer), to link portal offers to them.
    #[oai(
        path = "/partner-connections/:id/offers",
        method = "get",
        operation_id = "list_partner_offers"
    )]
    async fn offers(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OrganizationsManage")] auth: AppAuth,
        id: Path<String>,
    ) -> Result<Json<PartnerOfferList>, ApiError> {
        let id = parse_id(&id.0, "partner connection")?;
        let m = connections::usable(
            &state.db,
            state.city.id,
            auth.user(Scope::OrganizationsManage)?,
            id,
        )
        .await?;
        let c = connections::open(&state.partners, &m)?;
        let list = connections::partner_offers(&state.partners, &c)
            .await
            .map_err(|e| {
                tracing::warn!(connection = %m.id, error = %e, "listing partner offers failed");
                PartnerConnectionError::OffersUnusable
            })?;
        Ok(Json(PartnerOfferList {
            time_zone: list.time_zone,
            items: list
                .offers
                .into_iter()
                .map(|o| PartnerOfferSummary {
                    offer_ref: o.offer_id,
                    name: o.name,
                    kind: wire_name(&o.kind),
                    confirmation: wire_name(&o.confirmation),
                    resident_fields: o.resident_fields.iter().map(wire_name).collect(),
                })
                .collect(),
        }))
    }
}
