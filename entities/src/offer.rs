//! A bookable thing on a listing: appointment, class or membership.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub listing_id: Uuid,
    /// `appointment` | `class` | `membership`
    pub kind: String,
    pub name_de: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text")]
    pub description_de: String,
    #[sea_orm(column_type = "Text")]
    pub description_en: String,
    /// `native` | `partner`
    pub provider: String,
    /// Kind-specific settings (duration, capacity, sessions, plan ...).
    pub details: Json,
    /// `draft` | `active` | `archived`
    pub status: String,
    /// `instant` | `approval`
    pub confirmation: String,
    /// Cancellation is possible until this many minutes before the start.
    pub cancel_deadline_minutes: i32,
    /// Active bookings one resident may hold on this offer; 0 = no limit.
    pub max_active_per_resident: i32,
    /// Whether a booking shares the resident's email / phone (the name always).
    pub collect_email: bool,
    pub collect_phone: bool,
    /// Bookable from this many minutes ahead of the start...
    pub lead_time_minutes: i32,
    /// ...up to this many days ahead.
    pub horizon_days: i32,
    pub partner_connection_id: Option<Uuid>,
    /// The price as display text ("37,00 €"); empty when none is shown.
    pub price_de: String,
    pub price_en: String,
    /// What to bring to the appointment, one item per line; empty when nothing.
    #[sea_orm(column_type = "Text")]
    pub what_to_bring_de: String,
    #[sea_orm(column_type = "Text")]
    pub what_to_bring_en: String,
    pub partner_offer_ref: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
