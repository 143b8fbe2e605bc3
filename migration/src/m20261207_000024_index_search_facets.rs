//! Indexes for the database search's counts and filters over many matches (100,000
//! listings, a search without words or near a busy place matching a quarter of them):
//!
//! - `ix_listings_search_facets`: the city's published listings with what the counts
//!   by kind, district and wheelchair access, the `near` box and the order by name or
//!   distance read (kind, district, wheelchair, lat, lng, id, names, slug), so that a
//!   search without words reads this index instead of the whole rows (their texts and
//!   descriptions) and fetches only the page's listings;
//! - `ix_opening_hours_rules_weekday`: the rules of a weekday by their times, so that
//!   "open now" reads the rules open at this minute once per search instead of each
//!   listing's rules.
//!
//! The same on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const FACETS: &str = "ix_listings_search_facets";
pub const RULES: &str = "ix_opening_hours_rules_weekday";

#[derive(DeriveIden)]
enum Listings {
    Table,
    Id,
    CityId,
    Status,
    Kind,
    District,
    Wheelchair,
    Lat,
    Lng,
    NameDe,
    NameEn,
    Slug,
}

#[derive(DeriveIden)]
enum OpeningHoursRules {
    Table,
    ListingId,
    Weekday,
    Opens,
    Closes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(FACETS)
                    .table(Listings::Table)
                    .col(Listings::CityId)
                    .col(Listings::Status)
                    .col(Listings::Kind)
                    .col(Listings::District)
                    .col(Listings::Wheelchair)
                    .col(Listings::Lat)
                    .col(Listings::Lng)
                    .col(Listings::Id)
                    .col(Listings::NameDe)
                    .col(Listings::NameEn)
                    .col(Listings::Slug)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(RULES)
                    .table(OpeningHoursRules::Table)
                    .col(OpeningHoursRules::Weekday)
                    .col(OpeningHoursRules::Opens)
                    .col(OpeningHoursRules::Closes)
                    .col(OpeningHoursRules::ListingId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(RULES)
                    .table(OpeningHoursRules::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(FACETS).table(Listings::Table).to_owned())
            .await
    }
}
