//! What residents find: a business or a municipal service.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city_id: Uuid,
    pub organization_id: Option<Uuid>,
    /// `business` | `municipal_service`
    pub kind: String,
    pub slug: String,
    /// `draft` | `published` | `suspended`; a draft whose owner asked to publish a
    /// reserved name (`review_requested_at`) is shown as `pending_review`.
    pub status: String,
    pub name_de: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text")]
    pub description_de: String,
    #[sea_orm(column_type = "Text")]
    pub description_en: String,
    pub address_street: Option<String>,
    pub address_postcode: Option<String>,
    pub address_city: Option<String>,
    pub district: Option<String>,
    #[sea_orm(column_type = "Double", nullable)]
    pub lat: Option<f64>,
    #[sea_orm(column_type = "Double", nullable)]
    pub lng: Option<f64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// `yes` | `limited` | `no`
    pub wheelchair: Option<String>,
    /// JSON array of language codes.
    pub languages: Json,
    /// JSON array of tags.
    pub tags: Json,
    /// The raw OpenStreetMap `opening_hours` text, when imported.
    #[sea_orm(column_type = "Text", nullable)]
    pub opening_hours_osm: Option<String>,
    /// Municipal services only: what to bring, fees, processing time, channels.
    pub service_details: Option<Json>,
    /// `manual`, `osm:node/123`, `module:<id>`
    pub source: String,
    pub suspended_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// Lowercase, ASCII-folded names for the database search.
    #[sea_orm(column_type = "Text", nullable)]
    pub search_name: Option<String>,
    /// Lowercase, ASCII-folded names, descriptions, tags, categories and place.
    #[sea_orm(column_type = "Text", nullable)]
    pub search_text: Option<String>,
    /// The city's reserved terms the name holds, comma-separated, unless staff approved
    /// this name.
    pub review_terms: Option<String>,
    /// When the owner asked to publish a name that waits for staff's review.
    pub review_requested_at: Option<DateTimeUtc>,
    /// Why city staff refused the name (the owner sees it).
    pub review_note: Option<String>,
    /// The folded names city staff approved.
    #[sea_orm(column_type = "Text", nullable)]
    pub approved_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
