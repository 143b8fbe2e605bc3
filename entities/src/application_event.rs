//! One step of an application's timeline.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    /// `submitted` | `received` | `in_progress` | `needs_information` | `answered` |
    /// `decided` | `closed` | `withdrawn` | `message`
    pub kind: String,
    /// `resident` | `module`
    pub actor: String,
    /// For `decided`: `approved` | `refused`.
    pub decision: Option<String>,
    /// The question, the answer, the decision's message, a message.
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
    /// A document posted with it.
    pub file_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
