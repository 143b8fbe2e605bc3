//! Normalized text columns for the database search (the fallback when Meilisearch is not
//! configured or down): lowercase ASCII-folded name and full text, so `LIKE` matches the
//! same way on SQLite and PostgreSQL, umlauts included.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_listings::Listings;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchColumns {
    SearchName,
    SearchText,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(text_null(SearchColumns::SearchName))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(text_null(SearchColumns::SearchText))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .drop_column(SearchColumns::SearchText)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .drop_column(SearchColumns::SearchName)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
