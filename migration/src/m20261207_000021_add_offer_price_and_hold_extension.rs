//! What an offer costs and what to bring to it, and whether a hold was extended.
//!
//! Up adds to `offers` the price as display text (`price_de`, `price_en`, e.g. "37,00 €")
//! and what a resident brings to the appointment (`what_to_bring_de`, `what_to_bring_en`,
//! one item per line), all empty by default; and to `bookings` `hold_extended_at`, set
//! when the resident extended a hold (once at most). Down drops the columns.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Offers {
    Table,
    PriceDe,
    PriceEn,
    WhatToBringDe,
    WhatToBringEn,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    HoldExtendedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [
            string(Offers::PriceDe).default("").to_owned(),
            string(Offers::PriceEn).default("").to_owned(),
            text(Offers::WhatToBringDe).default("").to_owned(),
            text(Offers::WhatToBringEn).default("").to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(timestamp_with_time_zone_null(Bookings::HoldExtendedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::HoldExtendedAt)
                    .to_owned(),
            )
            .await?;
        for col in [
            Offers::PriceDe,
            Offers::PriceEn,
            Offers::WhatToBringDe,
            Offers::WhatToBringEn,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offers::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
