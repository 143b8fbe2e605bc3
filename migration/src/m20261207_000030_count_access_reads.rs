//! Repeated reads as one access record with a count.
//!
//! Up adds to `access_records` `reads` (how many reads the record stands for, 1 by
//! default, so every record written before stands for one) and `last_read_at` (the
//! latest of them; none when the record stands for one read, whose time is
//! `created_at`). The access-log writer adds repeated reads of the same thing by the
//! same reader within a quarter of an hour to the first one's record. Down drops both.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum AccessRecords {
    Table,
    Reads,
    LastReadAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [
            integer(AccessRecords::Reads).default(1).to_owned(),
            timestamp_with_time_zone_null(AccessRecords::LastReadAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessRecords::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [AccessRecords::LastReadAt, AccessRecords::Reads] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessRecords::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
