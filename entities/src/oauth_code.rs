//! An authorization code (hashed): single-use, valid for a minute.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code_hash: String,
    pub client_id: Uuid,
    pub grant_id: Uuid,
    pub user_id: Uuid,
    pub redirect_uri: String,
    pub scopes: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The family of the tokens issued for it.
    pub family_id: Uuid,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
