//! A listing with residents' cases is not deleted with them: the foreign keys of
//! `applications`, `reports` and `module_services` to `listings` become
//! `ON DELETE RESTRICT` (they were `CASCADE`, so deleting a municipal service's listing
//! silently deleted the applications and reports filed to it, and their timelines).
//!
//! PostgreSQL changes the constraints in place. SQLite cannot alter a foreign key: each
//! table is rebuilt as SQLite's documentation describes (foreign keys off on one
//! connection, a new table from the stored definition with only the clause changed, the
//! rows copied, the old table dropped, the new one renamed, its indexes made again, the
//! foreign keys checked, all in one transaction). Down puts `CASCADE` back the same way.

use sea_orm_migration::sea_orm::sqlx::{self, Row};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, SchemaManagerConnection};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose `listing_id` references `listings`.
const TABLES: [&str; 3] = ["applications", "reports", "module_services"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        change(manager, "CASCADE", "RESTRICT").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        change(manager, "RESTRICT", "CASCADE").await
    }
}

async fn change(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            for table in TABLES {
                postgres(conn, table, to).await?;
            }
            Ok(())
        }
        DbBackend::Sqlite => match conn {
            SchemaManagerConnection::Connection(db) => {
                sqlite(db.get_sqlite_connection_pool(), from, to).await
            }
            _ => Err(DbErr::Migration(
                "SQLite rebuilds its tables outside a transaction".into(),
            )),
        },
        _ => Err(DbErr::Migration("SQLite and PostgreSQL only".into())),
    }
}

async fn postgres(
    conn: &SchemaManagerConnection<'_>,
    table: &str,
    action: &str,
) -> Result<(), DbErr> {
    let row = conn
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' \
                 AND conrelid = '{table}'::regclass AND confrelid = 'listings'::regclass"
            ),
        ))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("{table}: no foreign key to listings")))?;
    let name: String = row.try_get("", "conname")?;
    conn.execute_unprepared(&format!(
        "ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\", \
         ADD CONSTRAINT \"{name}\" FOREIGN KEY (\"listing_id\") \
         REFERENCES \"listings\" (\"id\") ON DELETE {action}"
    ))
    .await?;
    Ok(())
}

fn db_err(e: sqlx::Error) -> DbErr {
    DbErr::Migration(e.to_string())
}

async fn sqlite(pool: &sqlx::SqlitePool, from: &str, to: &str) -> Result<(), DbErr> {
    // `PRAGMA foreign_keys` holds per connection and not inside a transaction: one
    // connection does all of it, and gets its foreign keys back before it returns to
    // the pool, whatever happened.
    let mut c = pool.acquire().await.map_err(db_err)?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    let done = rebuild_all(&mut c, from, to).await;
    if done.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
    }
    let on = sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *c)
        .await
        .map_err(db_err);
    done.and(on.map(|_| ()))
}

async fn rebuild_all(c: &mut sqlx::SqliteConnection, from: &str, to: &str) -> Result<(), DbErr> {
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    for table in TABLES {
        rebuild(c, table, from, to).await?;
    }
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?;
    if !broken.is_empty() {
        return Err(DbErr::Migration(format!(
            "{} rows break a foreign key",
            broken.len()
        )));
    }
    sqlx::query("COMMIT")
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn rebuild(
    c: &mut sqlx::SqliteConnection,
    table: &str,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    let rows = sqlx::query(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
    )
    .bind(table)
    .fetch_all(&mut *c)
    .await
    .map_err(db_err)?;
    let mut create = None;
    let mut others = Vec::new();
    for r in rows {
        let kind: String = r.try_get("type").map_err(db_err)?;
        let sql: String = r.try_get("sql").map_err(db_err)?;
        if kind == "table" {
            create = Some(sql);
        } else {
            others.push(sql);
        }
    }
    let create = create.ok_or_else(|| DbErr::Migration(format!("no table {table}")))?;
    let clause = |action: &str| {
        format!("FOREIGN KEY (\"listing_id\") REFERENCES \"listings\" (\"id\") ON DELETE {action}")
    };
    let head = format!("CREATE TABLE \"{table}\"");
    if !create.starts_with(&head) || create.matches(&clause(from)).count() != 1 {
        return Err(DbErr::Migration(format!(
            "{table}: not the definition expected: {create}"
        )));
    }
    let new = format!("{table}_new");
    let create = create
        .replacen(&head, &format!("CREATE TABLE \"{new}\""), 1)
        .replacen(&clause(from), &clause(to), 1);
    for sql in [
        create,
        format!("INSERT INTO \"{new}\" SELECT * FROM \"{table}\""),
        format!("DROP TABLE \"{table}\""),
        format!("ALTER TABLE \"{new}\" RENAME TO \"{table}\""),
    ]
    .into_iter()
    .chain(others)
    {
        sqlx::query(&sql).execute(&mut *c).await.map_err(db_err)?;
    }
    Ok(())
}
