//! One manifest a module sent, and what the city decided about it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub module_id: Uuid,
    /// 1, 2, ... per module.
    pub version: i32,
    /// The manifest (JSON), as checked.
    #[sea_orm(column_type = "Text")]
    pub manifest: String,
    /// `pending` | `approved` | `refused` | `superseded`
    pub state: String,
    /// JSON array of the field paths in which it widened the version in force.
    #[sea_orm(column_type = "Text")]
    pub widens: String,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    /// Why it was refused.
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// In force from here ...
    pub applied_at: Option<DateTimeUtc>,
    /// ... until here.
    pub replaced_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
