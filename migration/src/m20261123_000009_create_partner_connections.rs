//! Partner connections: a business's own booking system that the portal books through
//! (OAuth2 client credentials, secrets encrypted at rest), and the webhook ids already
//! received from each, so that a replayed webhook is recognised and ignored.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerConnections {
    Table,
    Id,
    OrganizationId,
    Name,
    BaseUrl,
    TokenUrl,
    ClientId,
    ClientSecretEnc,
    WebhookSecretEnc,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnerWebhookEvents {
    Table,
    ConnectionId,
    WebhookId,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartnerConnections::Table)
                    .col(pk_uuid(PartnerConnections::Id))
                    .col(uuid(PartnerConnections::OrganizationId))
                    .col(string_len(PartnerConnections::Name, 200))
                    .col(string_len(PartnerConnections::BaseUrl, 500))
                    .col(string_len(PartnerConnections::TokenUrl, 500))
                    .col(string_len(PartnerConnections::ClientId, 200))
                    // base64 of nonce || AES-256-GCM ciphertext; never the plain secret.
                    .col(text(PartnerConnections::ClientSecretEnc))
                    .col(text(PartnerConnections::WebhookSecretEnc))
                    // `active` | `disabled`
                    .col(string_len(PartnerConnections::Status, 16).default("active"))
                    .col(timestamp_with_time_zone(PartnerConnections::CreatedAt))
                    .col(timestamp_with_time_zone(PartnerConnections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PartnerConnections::Table,
                                PartnerConnections::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_partner_connections_organization")
                    .table(PartnerConnections::Table)
                    .col(PartnerConnections::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerWebhookEvents::Table)
                    .col(uuid(PartnerWebhookEvents::ConnectionId))
                    .col(string_len(PartnerWebhookEvents::WebhookId, 255))
                    .col(timestamp_with_time_zone(PartnerWebhookEvents::ReceivedAt))
                    // The unique key that makes a replayed webhook id a no-op.
                    .primary_key(
                        Index::create()
                            .col(PartnerWebhookEvents::ConnectionId)
                            .col(PartnerWebhookEvents::WebhookId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PartnerWebhookEvents::Table,
                                PartnerWebhookEvents::ConnectionId,
                            )
                            .to(PartnerConnections::Table, PartnerConnections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PartnerWebhookEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PartnerConnections::Table).to_owned())
            .await
    }
}
