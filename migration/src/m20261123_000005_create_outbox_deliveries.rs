//! Per-consumer delivery state of outbox events. Each event gets one row per consumer
//! that subscribes to it (the search indexer for listing events; notifications later),
//! written in the same transaction as the event. A consumer claims its pending rows in
//! event order, retries failures with backoff and marks them done; it never deletes
//! them, so nothing is dropped.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000003_create_outbox_and_access::OutboxEvents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum OutboxDeliveries {
    Table,
    EventId,
    Consumer,
    AggregateId,
    Attempts,
    NextAttemptAt,
    LastError,
    DoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxDeliveries::Table)
                    .col(integer(OutboxDeliveries::EventId))
                    .col(string_len(OutboxDeliveries::Consumer, 32))
                    .col(uuid(OutboxDeliveries::AggregateId))
                    .col(integer(OutboxDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxDeliveries::NextAttemptAt))
                    .col(text_null(OutboxDeliveries::LastError))
                    .col(timestamp_with_time_zone_null(OutboxDeliveries::DoneAt))
                    .primary_key(
                        Index::create()
                            .col(OutboxDeliveries::EventId)
                            .col(OutboxDeliveries::Consumer),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxDeliveries::Table, OutboxDeliveries::EventId)
                            .to(OutboxEvents::Table, OutboxEvents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_deliveries_pending")
                    .table(OutboxDeliveries::Table)
                    .col(OutboxDeliveries::Consumer)
                    .col(OutboxDeliveries::DoneAt)
                    .col(OutboxDeliveries::EventId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxDeliveries::Table).to_owned())
            .await
    }
}
