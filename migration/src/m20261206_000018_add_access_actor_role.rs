//! The access log names the reader with the role they read in (an organization's
//! `owner` or `staff`, the city's `admin` or `editor`), as it was at the time of reading.
//! Entries written before have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessRecords {
    Table,
    ActorRole,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccessRecords::Table)
                    .add_column(string_len_null(AccessRecords::ActorRole, 20))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccessRecords::Table)
                    .drop_column(AccessRecords::ActorRole)
                    .to_owned(),
            )
            .await
    }
}
