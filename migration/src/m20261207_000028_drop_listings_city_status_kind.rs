//! Drops `ix_listings_city_status_kind` (city, status, kind) of migration 2: the
//! search's covering index of migration 24, `ix_listings_search_facets`, begins with
//! the same three columns, so every lookup that could use the old index uses the new
//! one (checked with the query plans of both databases), and each write to a listing
//! no longer updates both. Down creates it again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The index this migration drops.
pub const OLD: &str = "ix_listings_city_status_kind";

#[derive(DeriveIden)]
enum Listings {
    Table,
    CityId,
    Status,
    Kind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(OLD).table(Listings::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(Listings::Table)
                    .col(Listings::CityId)
                    .col(Listings::Status)
                    .col(Listings::Kind)
                    .to_owned(),
            )
            .await
    }
}
