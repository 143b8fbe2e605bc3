//! The city's places, read from the same OpenStreetMap extract as its listings: street
//! addresses, streets, squares and districts, each with a point and a folded name, so
//! that a place typed on the search page or in the listing editor is found locally (no
//! outside geocoder).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::Cities;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Places {
    Table,
    Id,
    CityId,
    Kind,
    Name,
    Folded,
    District,
    Lat,
    Lng,
}

const INDEX: &str = "ix_places_city_folded";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Places::Table)
                    .col(pk_uuid(Places::Id))
                    .col(uuid(Places::CityId))
                    // `address`, `street`, `square` or `district`.
                    .col(string_len(Places::Kind, 16))
                    .col(string_len(Places::Name, 200))
                    // search_indexer::text::fold_search of the name: what is matched.
                    .col(string_len(Places::Folded, 200))
                    .col(string_len_null(Places::District, 100))
                    .col(double(Places::Lat))
                    .col(double(Places::Lng))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Places::Table, Places::CityId)
                            .to(Cities::Table, Cities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Places::Table)
                    .col(Places::CityId)
                    .col(Places::Folded)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Places::Table).to_owned())
            .await
    }
}
