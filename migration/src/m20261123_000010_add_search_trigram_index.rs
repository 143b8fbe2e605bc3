//! PostgreSQL: a trigram index on the listings' search text, so that the database
//! search (the fallback when Meilisearch is not configured or not answering) finds
//! words inside the text (`LIKE '%word%'`) through an index instead of reading every
//! listing. Uses the `pg_trgm` extension (in PostgreSQL's contrib, trusted since
//! PostgreSQL 13, so the database owner may create it); where it is not available the
//! index is left out and the search still works, only slower. SQLite: nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let available = db
            .query_one(Statement::from_string(
                DbBackend::Postgres,
                "SELECT 1 AS ok FROM pg_available_extensions WHERE name = 'pg_trgm'",
            ))
            .await?
            .is_some();
        if !available {
            return Ok(());
        }
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS ix_listings_search_text_trgm \
             ON listings USING gin (search_text gin_trgm_ops)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            // The extension stays: other objects may use it.
            db.execute_unprepared("DROP INDEX IF EXISTS ix_listings_search_text_trgm")
                .await?;
        }
        Ok(())
    }
}
