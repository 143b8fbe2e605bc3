//! A status change or comment a module posted about a report.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_updates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub city_id: Uuid,
    pub module_id: Option<Uuid>,
    /// `status` | `comment`
    pub kind: String,
    /// The report's status (`open` | `closed`) after the update.
    pub status: String,
    /// The report's detailed state after the update.
    pub state: String,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
