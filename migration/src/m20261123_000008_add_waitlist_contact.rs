//! The contact details a resident shares when joining a waitlist, so that the booking
//! held for them when a seat frees shares exactly what they agreed to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WaitlistEntries {
    Table,
    Contact,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WaitlistEntries::Table)
                    .add_column(json_null(WaitlistEntries::Contact))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WaitlistEntries::Table)
                    .drop_column(WaitlistEntries::Contact)
                    .to_owned(),
            )
            .await
    }
}
