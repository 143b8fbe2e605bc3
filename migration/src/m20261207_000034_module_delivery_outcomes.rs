//! What became of each delivery to a module.
//!
//! Up adds `outcome` to `module_deliveries`: `delivered` (the module answered 2xx),
//! `failed` (it did not; retried) or `skipped` (the portal did not send the event, e.g.
//! the module does not subscribe to it, was removed, or the case was withdrawn before
//! it went out; `error` says why). Rows written before are `failed` when they name an
//! error, `delivered` otherwise. Down drops the column.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum ModuleDeliveries {
    Table,
    Outcome,
    Error,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ModuleDeliveries::Table)
                    .add_column(string_len(ModuleDeliveries::Outcome, 16).default("delivered"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(ModuleDeliveries::Table)
                    .value(ModuleDeliveries::Outcome, "failed")
                    .and_where(Expr::col(ModuleDeliveries::Error).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ModuleDeliveries::Table)
                    .drop_column(ModuleDeliveries::Outcome)
                    .to_owned(),
            )
            .await
    }
}
