//! SQLite: a full-text index of the listings' search text (FTS5 with the `trigram`
//! tokenizer), so that the database search (the fallback when Meilisearch is not
//! configured or not answering) finds words of three or more characters inside the
//! text through an index instead of reading every listing, as PostgreSQL does with its
//! trigram index (migration 10).
//!
//! `listings_fts` is an external-content table: it holds only the index and reads the
//! text from `listings` (by rowid). Triggers keep it in step with every insert, update
//! and delete of a listing; the rows already there are indexed when it is created.
//! Should the rowids of `listings` ever change (a `VACUUM` may renumber the rows of a
//! table without an integer primary key), the index no longer matches: the server
//! checks it at every start and rebuilds it then (`api::search::repair_fts`).
//!
//! Left out where the SQLite the server is linked with lacks FTS5 or the trigram
//! tokenizer (before SQLite 3.34); the search then keeps matching with `LIKE`.
//! PostgreSQL: nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether `db` is SQLite with FTS5 and its `trigram` tokenizer (SQLite 3.34 or newer),
/// that is, whether this migration creates `listings_fts` there. The same for every
/// connection of a process (it depends on the linked SQLite only).
pub async fn sqlite_fts5_trigram<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(false);
    }
    let Some(row) = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sqlite_version() AS v, sqlite_compileoption_used('ENABLE_FTS5') AS fts5",
        ))
        .await?
    else {
        return Ok(false);
    };
    let version: String = row.try_get("", "v")?;
    let fts5: i64 = row.try_get("", "fts5")?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    Ok(fts5 == 1 && (major, minor) >= (3, 34))
}

const UP: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS listings_fts USING fts5(\
       search_text, content='listings', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS listings_fts_insert AFTER INSERT ON listings BEGIN \
       INSERT INTO listings_fts(rowid, search_text) VALUES (new.rowid, new.search_text); \
     END",
    "CREATE TRIGGER IF NOT EXISTS listings_fts_delete AFTER DELETE ON listings BEGIN \
       INSERT INTO listings_fts(listings_fts, rowid, search_text) \
         VALUES ('delete', old.rowid, old.search_text); \
     END",
    "CREATE TRIGGER IF NOT EXISTS listings_fts_update AFTER UPDATE OF search_text ON listings BEGIN \
       INSERT INTO listings_fts(listings_fts, rowid, search_text) \
         VALUES ('delete', old.rowid, old.search_text); \
       INSERT INTO listings_fts(rowid, search_text) VALUES (new.rowid, new.search_text); \
     END",
    // Index the listings already there.
    "INSERT INTO listings_fts(listings_fts) VALUES ('rebuild')",
];

const DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS listings_fts_update",
    "DROP TRIGGER IF EXISTS listings_fts_delete",
    "DROP TRIGGER IF EXISTS listings_fts_insert",
    "DROP TABLE IF EXISTS listings_fts",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if !sqlite_fts5_trigram(db).await? {
            return Ok(());
        }
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            for sql in DOWN {
                db.execute_unprepared(sql).await?;
            }
        }
        Ok(())
    }
}
