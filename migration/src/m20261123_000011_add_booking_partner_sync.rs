//! A booking made through a partner's system remembers a partner call whose outcome is
//! not known yet (the partner did not answer in time), so that the reconciliation job
//! can settle it: `partner_pending` names the call (`hold`, `confirm`, `cancel`,
//! `reschedule`), `partner_pending_since` when it was first tried.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bookings {
    Table,
    PartnerPending,
    PartnerPendingSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(string_len_null(Bookings::PartnerPending, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(timestamp_with_time_zone_null(Bookings::PartnerPendingSince))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bookings_partner_pending")
                    .table(Bookings::Table)
                    .col(Bookings::PartnerPending)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_bookings_partner_pending")
                    .table(Bookings::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::PartnerPendingSince)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::PartnerPending)
                    .to_owned(),
            )
            .await
    }
}
