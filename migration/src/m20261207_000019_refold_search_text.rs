//! The database search's text is folded anew (umlauts both ways, `Buergeramt` =
//! `Bürgeramt`) and kept in sections (names, category labels and tags, the rest), padded
//! with spaces so that whole words and word beginnings can be matched through the
//! trigram indexes. The folding is Rust code (`search_indexer::text::fold_search`), so
//! this migration only empties the search columns: the server fills every listing's
//! anew before it answers (`backfill_search_columns`, also run by `city-portal migrate`),
//! as it did when the columns were added. Down empties them too, so that the older
//! server fills them its way.
//!
//! It also indexes `listings.updated_at`: the database search reads the words of the
//! listings changed since it last looked, for its typo tolerance.

use sea_orm_migration::prelude::*;

use crate::m20261123_000002_create_listings::Listings;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_listings_updated_at";

#[derive(DeriveIden)]
enum SearchColumns {
    SearchName,
    SearchText,
    UpdatedAt,
}

async fn empty_search_columns(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .exec_stmt(
            Query::update()
                .table(Listings::Table)
                .value(SearchColumns::SearchName, Option::<String>::None)
                .value(SearchColumns::SearchText, Option::<String>::None)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        empty_search_columns(manager).await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Listings::Table)
                    .col(SearchColumns::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Listings::Table).to_owned())
            .await?;
        empty_search_columns(manager).await
    }
}
