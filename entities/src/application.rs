//! A resident's application to the city through a module: one case.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    pub user_id: Uuid,
    pub module_id: Uuid,
    /// The municipal-service listing applied for.
    pub listing_id: Uuid,
    /// The module's manifest version the resident agreed to.
    pub manifest_version: i32,
    /// `submitted` | `received` | `in_progress` | `needs_information` | `approved` |
    /// `refused` | `closed` | `withdrawn`
    pub status: String,
    /// JSON array of the data categories sent.
    #[sea_orm(column_type = "Text")]
    pub data_categories: String,
    /// The profile fields sent (JSON object); none once sealed.
    #[sea_orm(column_type = "Text", nullable)]
    pub profile: Option<String>,
    /// The answers (JSON) until delivered; the compact JWE of answers and profile once
    /// delivered to a module with its own key.
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub sealed: bool,
    /// The resident's language for the emails about the case.
    pub locale: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
