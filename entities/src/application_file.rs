//! A file of an application: the resident's upload or the module's document.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    /// `attachment` (the resident's) | `document` (the module's)
    pub role: String,
    /// The form field of an attachment.
    pub field: Option<String>,
    /// Sanitized: no path, no control characters.
    pub file_name: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The bytes, or the compact JWE of them once sealed.
    #[sea_orm(column_type = "Blob")]
    pub bytes: Vec<u8>,
    pub sealed: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
