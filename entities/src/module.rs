//! An e-government module the city registered from its manifest.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "modules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    /// The manifest's `id`.
    pub slug: String,
    /// `pending` | `refused` | `active` | `paused` | `removed`
    pub status: String,
    /// Its OAuth client (client credentials), from its first approval on.
    pub client_id: Option<Uuid>,
    /// The manifest version in force.
    pub approved_version: Option<i32>,
    /// The manifest version waiting for the city's review.
    pub pending_version: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub paused_at: Option<DateTimeUtc>,
    pub removed_at: Option<DateTimeUtc>,
    /// The webhook signing secret (`whsec_…`), encrypted with the portal's secrets key;
    /// made at the first approval.
    #[sea_orm(column_type = "Text", nullable)]
    pub webhook_secret_enc: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
