//! The portal as an OAuth 2.0 authorization server: the apps and modules the city
//! registered (clients) with their hashed secrets, the residents' grants to apps, the
//! short-lived authorization codes, and the access and refresh tokens (hashed; a refresh
//! token and the tokens it led to share a family, revoked together when one is reused).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::{Cities, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OauthClients {
    Table,
    Id,
    CityId,
    Name,
    Kind,
    Scopes,
    RedirectUris,
    CreatedAt,
    DisabledAt,
}

#[derive(DeriveIden)]
enum OauthClientSecrets {
    Table,
    Id,
    ClientId,
    SecretHash,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OauthGrants {
    Table,
    Id,
    ClientId,
    UserId,
    Scopes,
    CreatedAt,
    UpdatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum OauthCodes {
    Table,
    Id,
    CodeHash,
    ClientId,
    GrantId,
    UserId,
    RedirectUri,
    Scopes,
    CodeChallenge,
    FamilyId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OauthTokens {
    Table,
    Id,
    TokenHash,
    Kind,
    ClientId,
    GrantId,
    UserId,
    FamilyId,
    Scopes,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OauthClients::Table)
                    .col(pk_uuid(OauthClients::Id))
                    .col(uuid(OauthClients::CityId))
                    .col(string_len(OauthClients::Name, 100))
                    // `confidential` (has secrets) or `public` (code flow with PKCE only).
                    .col(string_len(OauthClients::Kind, 16))
                    // The scopes the client may ask for, space-separated.
                    .col(string_len(OauthClients::Scopes, 500))
                    // Exact redirect URIs, one a line.
                    .col(text(OauthClients::RedirectUris))
                    .col(timestamp_with_time_zone(OauthClients::CreatedAt))
                    .col(timestamp_with_time_zone_null(OauthClients::DisabledAt))
                    .foreign_key(&mut fk(
                        (OauthClients::Table, OauthClients::CityId),
                        (Cities::Table, Cities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthClientSecrets::Table)
                    .col(pk_uuid(OauthClientSecrets::Id))
                    .col(uuid(OauthClientSecrets::ClientId))
                    .col(string_len_uniq(OauthClientSecrets::SecretHash, 64))
                    .col(timestamp_with_time_zone(OauthClientSecrets::CreatedAt))
                    // Set when a newer secret replaces it: the overlap's end.
                    .col(timestamp_with_time_zone_null(OauthClientSecrets::ExpiresAt))
                    .foreign_key(&mut fk(
                        (OauthClientSecrets::Table, OauthClientSecrets::ClientId),
                        (OauthClients::Table, OauthClients::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthGrants::Table)
                    .col(pk_uuid(OauthGrants::Id))
                    .col(uuid(OauthGrants::ClientId))
                    .col(uuid(OauthGrants::UserId))
                    .col(string_len(OauthGrants::Scopes, 500))
                    .col(timestamp_with_time_zone(OauthGrants::CreatedAt))
                    .col(timestamp_with_time_zone(OauthGrants::UpdatedAt))
                    .col(timestamp_with_time_zone_null(OauthGrants::LastUsedAt))
                    .foreign_key(&mut fk(
                        (OauthGrants::Table, OauthGrants::ClientId),
                        (OauthClients::Table, OauthClients::Id),
                    ))
                    .foreign_key(&mut fk(
                        (OauthGrants::Table, OauthGrants::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .index(
                        Index::create()
                            .name("ux_oauth_grants_client_user")
                            .col(OauthGrants::ClientId)
                            .col(OauthGrants::UserId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthCodes::Table)
                    .col(pk_uuid(OauthCodes::Id))
                    .col(string_len_uniq(OauthCodes::CodeHash, 64))
                    .col(uuid(OauthCodes::ClientId))
                    .col(uuid(OauthCodes::GrantId))
                    .col(uuid(OauthCodes::UserId))
                    .col(text(OauthCodes::RedirectUri))
                    .col(string_len(OauthCodes::Scopes, 500))
                    .col(string_len(OauthCodes::CodeChallenge, 128))
                    // The family of the tokens issued for the code: revoked if it is reused.
                    .col(uuid(OauthCodes::FamilyId))
                    .col(timestamp_with_time_zone(OauthCodes::CreatedAt))
                    .col(timestamp_with_time_zone(OauthCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OauthCodes::UsedAt))
                    .foreign_key(&mut fk(
                        (OauthCodes::Table, OauthCodes::GrantId),
                        (OauthGrants::Table, OauthGrants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthTokens::Table)
                    .col(pk_uuid(OauthTokens::Id))
                    .col(string_len_uniq(OauthTokens::TokenHash, 64))
                    // `access` or `refresh`.
                    .col(string_len(OauthTokens::Kind, 16))
                    .col(uuid(OauthTokens::ClientId))
                    // None for a machine client's own token (client credentials).
                    .col(uuid_null(OauthTokens::GrantId))
                    .col(uuid_null(OauthTokens::UserId))
                    .col(uuid_null(OauthTokens::FamilyId))
                    .col(string_len(OauthTokens::Scopes, 500))
                    .col(timestamp_with_time_zone(OauthTokens::CreatedAt))
                    .col(timestamp_with_time_zone(OauthTokens::ExpiresAt))
                    // A refresh token is used once; its reuse revokes the family.
                    .col(timestamp_with_time_zone_null(OauthTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(OauthTokens::RevokedAt))
                    .foreign_key(&mut fk(
                        (OauthTokens::Table, OauthTokens::ClientId),
                        (OauthClients::Table, OauthClients::Id),
                    ))
                    .foreign_key(&mut fk(
                        (OauthTokens::Table, OauthTokens::GrantId),
                        (OauthGrants::Table, OauthGrants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_oauth_tokens_family")
                    .table(OauthTokens::Table)
                    .col(OauthTokens::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_oauth_tokens_grant")
                    .table(OauthTokens::Table)
                    .col(OauthTokens::GrantId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OauthTokens::Table.into_iden(),
            OauthCodes::Table.into_iden(),
            OauthGrants::Table.into_iden(),
            OauthClientSecrets::Table.into_iden(),
            OauthClients::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
