//! When a booking's contact details were shared with the business: the moment the
//! resident confirmed (a hold shares nothing), or the moment of booking when no hold came
//! first. Until then the business sees only that a time is held.
//!
//! Up adds `bookings.shared_at` and fills it for the bookings written before: those that
//! are or were awaiting the business, confirmed, rejected, completed or missed were
//! shared when they were made (`created_at` is the bound known), and so was a cancelled
//! booking that was never a hold. A cancelled hold cannot be told from a hold cancelled
//! after confirming, so it counts as not shared: the business no longer sees its contact.
//! Down drops the column.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bookings {
    Table,
    SharedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(timestamp_with_time_zone_null(Bookings::SharedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE bookings SET shared_at = created_at \
                 WHERE status IN ('requested', 'confirmed', 'rejected', 'completed', 'no_show') \
                    OR (status = 'cancelled' AND hold_expires_at IS NULL)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::SharedAt)
                    .to_owned(),
            )
            .await
    }
}
