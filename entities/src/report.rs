//! An issue report (an Open311 service request) about a place, for a municipal service
//! served by a module.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    pub listing_id: Uuid,
    pub module_id: Option<Uuid>,
    /// The Open311 `service_code` (the service listing's slug).
    pub service_code: String,
    /// `open` | `closed`
    pub status: String,
    /// The detailed state (FixMyStreet's extension): `open`, `investigating`, ...
    pub state: String,
    pub status_notes: Option<String>,
    pub description: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    /// The answers to the service's attributes, a JSON object.
    pub attributes: String,
    pub media_url: Option<String>,
    pub reporter_user_id: Option<Uuid>,
    pub reporter_email: Option<String>,
    pub reporter_first_name: Option<String>,
    pub reporter_last_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub key_id: Option<Uuid>,
    pub service_notice: Option<String>,
    pub expected_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
