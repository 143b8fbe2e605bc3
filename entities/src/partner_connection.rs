//! A business's own booking system that the portal books through.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    /// base64 of nonce || AES-256-GCM ciphertext of the OAuth2 client secret.
    #[sea_orm(column_type = "Text")]
    pub client_secret_enc: String,
    /// base64 of nonce || AES-256-GCM ciphertext of the Standard Webhooks secret.
    #[sea_orm(column_type = "Text")]
    pub webhook_secret_enc: String,
    /// `active` | `disabled`
    pub status: String,
    /// The module whose appointments the portal books through it (its manifest's
    /// `appointment` services); none for a business's own booking system.
    pub module_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
