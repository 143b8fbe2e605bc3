//! A resident's account, shared across cities.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub locale: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the account was erased: the row keeps no personal data and cannot log in.
    pub deleted_at: Option<DateTimeUtc>,
    /// When the address in `email` was verified (a link sent to it was followed).
    pub email_verified_at: Option<DateTimeUtc>,
    /// When the password last changed: sessions begun before it are ended.
    pub credentials_changed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
