//! A business's listing whose name holds one of the city's reserved terms waits for city
//! staff before it is public: the terms found, when the owner asked to publish, the
//! names staff approved and why they refused. A listing's categories keep the order the
//! owner chose.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Listings {
    Table,
    ReviewTerms,
    ReviewRequestedAt,
    ReviewNote,
    ApprovedName,
}

#[derive(DeriveIden)]
enum ListingCategories {
    Table,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let listing_columns = [
            string_len_null(Listings::ReviewTerms, 500),
            timestamp_with_time_zone_null(Listings::ReviewRequestedAt),
            string_len_null(Listings::ReviewNote, 500),
            text_null(Listings::ApprovedName),
        ];
        for mut column in listing_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Listings::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ListingCategories::Table)
                    .add_column(integer(ListingCategories::Position).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ListingCategories::Table)
                    .drop_column(ListingCategories::Position)
                    .to_owned(),
            )
            .await?;
        for column in [
            Listings::ApprovedName,
            Listings::ReviewNote,
            Listings::ReviewRequestedAt,
            Listings::ReviewTerms,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Listings::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
