//! One attempt to deliver an event to a module's webhook.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub module_id: Uuid,
    /// The outbox event delivered.
    pub event_id: i32,
    /// `webhook-id`: the same on every attempt of one event.
    pub webhook_id: String,
    pub event_type: String,
    pub aggregate_id: Uuid,
    /// 1, 2, ... per event.
    pub attempt: i32,
    /// The module's HTTP status; none when it could not be reached.
    pub status_code: Option<i32>,
    /// Why it failed, or why it was skipped.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// `delivered` | `failed` | `skipped`
    pub outcome: String,
    pub duration_ms: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
