//! Category taxonomy, listings with their categories and opening hours, and offers.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::{Cities, Organizations};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Categories {
    Table,
    Key,
    ParentKey,
    LabelDe,
    LabelEn,
    Sort,
}

#[derive(DeriveIden)]
pub enum Listings {
    Table,
    Id,
    CityId,
    OrganizationId,
    Kind,
    Slug,
    Status,
    NameDe,
    NameEn,
    DescriptionDe,
    DescriptionEn,
    AddressStreet,
    AddressPostcode,
    AddressCity,
    District,
    Lat,
    Lng,
    Phone,
    Email,
    Website,
    Wheelchair,
    Languages,
    Tags,
    OpeningHoursOsm,
    ServiceDetails,
    Source,
    SuspendedReason,
    Version,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum ListingCategories {
    Table,
    ListingId,
    CategoryKey,
}

#[derive(DeriveIden)]
enum OpeningHoursRules {
    Table,
    Id,
    ListingId,
    Weekday,
    Opens,
    Closes,
}

#[derive(DeriveIden)]
enum OpeningHoursExceptions {
    Table,
    Id,
    ListingId,
    Date,
    Closed,
    Opens,
    Closes,
    Note,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    ListingId,
    Kind,
    NameDe,
    NameEn,
    DescriptionDe,
    DescriptionEn,
    Provider,
    Details,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

fn listing_fk(
    from_table: impl IntoIden + 'static,
    from_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(Listings::Table, Listings::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(string_len(Categories::Key, 64).primary_key())
                    .col(string_len_null(Categories::ParentKey, 64))
                    .col(string_len(Categories::LabelDe, 120))
                    .col(string_len(Categories::LabelEn, 120))
                    .col(integer(Categories::Sort))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Listings::Table)
                    .col(pk_uuid(Listings::Id))
                    .col(uuid(Listings::CityId))
                    .col(uuid_null(Listings::OrganizationId))
                    .col(string_len(Listings::Kind, 24))
                    .col(string_len(Listings::Slug, 160))
                    .col(string_len(Listings::Status, 16))
                    .col(string_len(Listings::NameDe, 200))
                    .col(string_len(Listings::NameEn, 200))
                    .col(text(Listings::DescriptionDe))
                    .col(text(Listings::DescriptionEn))
                    .col(string_len_null(Listings::AddressStreet, 200))
                    .col(string_len_null(Listings::AddressPostcode, 16))
                    .col(string_len_null(Listings::AddressCity, 100))
                    .col(string_len_null(Listings::District, 100))
                    .col(double_null(Listings::Lat))
                    .col(double_null(Listings::Lng))
                    .col(string_len_null(Listings::Phone, 40))
                    .col(string_len_null(Listings::Email, 254))
                    .col(string_len_null(Listings::Website, 500))
                    .col(string_len_null(Listings::Wheelchair, 8))
                    .col(json(Listings::Languages))
                    .col(json(Listings::Tags))
                    .col(text_null(Listings::OpeningHoursOsm))
                    .col(json_null(Listings::ServiceDetails))
                    .col(string_len(Listings::Source, 120))
                    .col(string_len_null(Listings::SuspendedReason, 500))
                    .col(integer(Listings::Version))
                    .col(timestamp_with_time_zone(Listings::CreatedAt))
                    .col(timestamp_with_time_zone(Listings::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Listings::PublishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Listings::Table, Listings::CityId)
                            .to(Cities::Table, Cities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Listings::Table, Listings::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .check(Expr::col(Listings::Kind).is_in(["business", "municipal_service"]))
                    .check(Expr::col(Listings::Status).is_in(["draft", "published", "suspended"]))
                    .check(
                        Expr::col(Listings::Wheelchair)
                            .is_null()
                            .or(Expr::col(Listings::Wheelchair).is_in(["yes", "limited", "no"])),
                    )
                    .check(
                        Expr::col(Listings::Lat)
                            .is_null()
                            .or(Expr::col(Listings::Lat).between(-90.0, 90.0)),
                    )
                    .check(
                        Expr::col(Listings::Lng)
                            .is_null()
                            .or(Expr::col(Listings::Lng).between(-180.0, 180.0)),
                    )
                    .check(Expr::col(Listings::Version).gte(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_listings_city_slug")
                    .table(Listings::Table)
                    .col(Listings::CityId)
                    .col(Listings::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_listings_city_status_kind")
                    .table(Listings::Table)
                    .col(Listings::CityId)
                    .col(Listings::Status)
                    .col(Listings::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_listings_organization")
                    .table(Listings::Table)
                    .col(Listings::OrganizationId)
                    .to_owned(),
            )
            .await?;
        // Imported listings are keyed by their source ("osm:node/123") so a re-import
        // updates instead of duplicating; manual listings all share the source "manual".
        // Partial indexes have the same syntax on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_listings_city_source ON listings (city_id, source) \
                 WHERE source <> 'manual'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ListingCategories::Table)
                    .col(uuid(ListingCategories::ListingId))
                    .col(string_len(ListingCategories::CategoryKey, 64))
                    .primary_key(
                        Index::create()
                            .col(ListingCategories::ListingId)
                            .col(ListingCategories::CategoryKey),
                    )
                    .foreign_key(&mut listing_fk(
                        ListingCategories::Table,
                        ListingCategories::ListingId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ListingCategories::Table, ListingCategories::CategoryKey)
                            .to(Categories::Table, Categories::Key)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_listing_categories_category")
                    .table(ListingCategories::Table)
                    .col(ListingCategories::CategoryKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OpeningHoursRules::Table)
                    .col(pk_auto(OpeningHoursRules::Id))
                    .col(uuid(OpeningHoursRules::ListingId))
                    .col(small_integer(OpeningHoursRules::Weekday))
                    .col(string_len(OpeningHoursRules::Opens, 5))
                    .col(string_len(OpeningHoursRules::Closes, 5))
                    .foreign_key(&mut listing_fk(
                        OpeningHoursRules::Table,
                        OpeningHoursRules::ListingId,
                    ))
                    .check(Expr::col(OpeningHoursRules::Weekday).between(0, 6))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opening_hours_rules_listing")
                    .table(OpeningHoursRules::Table)
                    .col(OpeningHoursRules::ListingId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OpeningHoursExceptions::Table)
                    .col(pk_auto(OpeningHoursExceptions::Id))
                    .col(uuid(OpeningHoursExceptions::ListingId))
                    .col(date(OpeningHoursExceptions::Date))
                    .col(boolean(OpeningHoursExceptions::Closed))
                    .col(string_len_null(OpeningHoursExceptions::Opens, 5))
                    .col(string_len_null(OpeningHoursExceptions::Closes, 5))
                    .col(string_len_null(OpeningHoursExceptions::Note, 200))
                    .foreign_key(&mut listing_fk(
                        OpeningHoursExceptions::Table,
                        OpeningHoursExceptions::ListingId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opening_hours_exceptions_listing")
                    .table(OpeningHoursExceptions::Table)
                    .col(OpeningHoursExceptions::ListingId)
                    .col(OpeningHoursExceptions::Date)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(pk_uuid(Offers::Id))
                    .col(uuid(Offers::ListingId))
                    .col(string_len(Offers::Kind, 16))
                    .col(string_len(Offers::NameDe, 200))
                    .col(string_len(Offers::NameEn, 200))
                    .col(text(Offers::DescriptionDe))
                    .col(text(Offers::DescriptionEn))
                    .col(string_len(Offers::Provider, 16))
                    .col(json(Offers::Details))
                    .col(string_len(Offers::Status, 16))
                    .col(integer(Offers::Version))
                    .col(timestamp_with_time_zone(Offers::CreatedAt))
                    .col(timestamp_with_time_zone(Offers::UpdatedAt))
                    .foreign_key(&mut listing_fk(Offers::Table, Offers::ListingId))
                    .check(Expr::col(Offers::Kind).is_in(["appointment", "class", "membership"]))
                    .check(Expr::col(Offers::Provider).is_in(["native", "partner"]))
                    .check(Expr::col(Offers::Status).is_in(["draft", "active", "archived"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_offers_listing")
                    .table(Offers::Table)
                    .col(Offers::ListingId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Offers::Table.into_iden(),
            OpeningHoursExceptions::Table.into_iden(),
            OpeningHoursRules::Table.into_iden(),
            ListingCategories::Table.into_iden(),
            Listings::Table.into_iden(),
            Categories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
