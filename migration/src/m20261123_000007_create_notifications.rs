//! Notifications: the residents' personal calendar feeds and the once-only messages
//! (reminders) already sent.
//!
//! A feed is found by the SHA-256 of its secret token; the token itself is shown once
//! and never stored, so rotating it (a new hash) makes the old URL unknown at once.
//! `notifications_sent` has one row per booking and kind: inserting it is how a server
//! claims a reminder, so two servers never send the same one.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::Users;
use crate::m20261123_000006_create_bookings::Bookings;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    UserId,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationsSent {
    Table,
    BookingId,
    Kind,
    ClaimedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(pk_uuid(CalendarFeeds::UserId))
                    .col(string_len_uniq(CalendarFeeds::TokenHash, 64))
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CalendarFeeds::Table, CalendarFeeds::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationsSent::Table)
                    .col(uuid(NotificationsSent::BookingId))
                    // `reminder` (more kinds may follow).
                    .col(string_len(NotificationsSent::Kind, 32))
                    .col(timestamp_with_time_zone(NotificationsSent::ClaimedAt))
                    // Empty while a server is sending it.
                    .col(timestamp_with_time_zone_null(NotificationsSent::SentAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationsSent::BookingId)
                            .col(NotificationsSent::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationsSent::Table, NotificationsSent::BookingId)
                            .to(Bookings::Table, Bookings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            NotificationsSent::Table.into_iden(),
            CalendarFeeds::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
