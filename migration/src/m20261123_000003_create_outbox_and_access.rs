//! The transactional outbox and the access records shown to residents.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::{Cities, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum OutboxEvents {
    Table,
    Id,
    CityId,
    AggregateType,
    AggregateId,
    EventType,
    Payload,
    CreatedAt,
    ProcessedAt,
    Attempts,
    LastError,
}

#[derive(DeriveIden)]
enum AccessRecords {
    Table,
    Id,
    CityId,
    SubjectUserId,
    ActorUserId,
    ActorOrganizationId,
    ActorModule,
    Resource,
    Purpose,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvents::Table)
                    .col(pk_auto(OutboxEvents::Id))
                    .col(uuid(OutboxEvents::CityId))
                    .col(string_len(OutboxEvents::AggregateType, 32))
                    .col(uuid(OutboxEvents::AggregateId))
                    .col(string_len(OutboxEvents::EventType, 64))
                    .col(json(OutboxEvents::Payload))
                    .col(timestamp_with_time_zone(OutboxEvents::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxEvents::ProcessedAt))
                    .col(integer(OutboxEvents::Attempts).default(0))
                    .col(text_null(OutboxEvents::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxEvents::Table, OutboxEvents::CityId)
                            .to(Cities::Table, Cities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Consumers scan for unprocessed events in id order.
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_events_pending")
                    .table(OutboxEvents::Table)
                    .col(OutboxEvents::ProcessedAt)
                    .col(OutboxEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_events_aggregate")
                    .table(OutboxEvents::Table)
                    .col(OutboxEvents::AggregateId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessRecords::Table)
                    .col(pk_uuid(AccessRecords::Id))
                    .col(uuid(AccessRecords::CityId))
                    .col(uuid(AccessRecords::SubjectUserId))
                    .col(uuid_null(AccessRecords::ActorUserId))
                    .col(uuid_null(AccessRecords::ActorOrganizationId))
                    .col(string_len_null(AccessRecords::ActorModule, 64))
                    .col(string_len(AccessRecords::Resource, 200))
                    .col(string_len(AccessRecords::Purpose, 200))
                    .col(timestamp_with_time_zone(AccessRecords::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessRecords::Table, AccessRecords::CityId)
                            .to(Cities::Table, Cities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessRecords::Table, AccessRecords::SubjectUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_records_subject")
                    .table(AccessRecords::Table)
                    .col(AccessRecords::SubjectUserId)
                    .col(AccessRecords::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessRecords::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OutboxEvents::Table).to_owned())
            .await?;
        Ok(())
    }
}
