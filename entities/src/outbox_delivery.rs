//! One consumer's delivery of one outbox event: pending until `done_at` is set.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i32,
    /// `search` (the search indexer); more consumers subscribe later.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    pub aggregate_id: Uuid,
    pub attempts: i32,
    /// Not claimed before this time (backoff after a failure).
    pub next_attempt_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
