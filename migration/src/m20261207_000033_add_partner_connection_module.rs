//! Appointments through a module: the partner connection the portal books a module's
//! appointments through belongs to that module (`partner_connections.module_id`); a
//! business's own connection has none. The module register creates, updates, disables
//! and enables it with the module's approvals, pauses and removal, and the access log
//! names the module for what the portal sends through it.
//!
//! Up adds the nullable column and a unique index on it (one connection per module;
//! the connections of businesses, all NULL, are not constrained). Modules are never
//! deleted (a removed module keeps its row), so there is no foreign key to keep up on
//! both databases. Down drops the index and the column; the connections stay.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerConnections {
    Table,
    ModuleId,
}

const INDEX: &str = "ux_partner_connections_module";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerConnections::Table)
                    .add_column(uuid_null(PartnerConnections::ModuleId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(PartnerConnections::Table)
                    .col(PartnerConnections::ModuleId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(PartnerConnections::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerConnections::Table)
                    .drop_column(PartnerConnections::ModuleId)
                    .to_owned(),
            )
            .await
    }
}
