//! Database connection and migration for SQLite (embedded default) and PostgreSQL.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// Connects, creating the SQLite file's folder when needed.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(url) {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    anyhow::anyhow!("cannot create database folder {}: {e}", dir.display())
                })?;
            }
        }
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's model; a small pool avoids lock contention.
        // Every pooled connection gets the same settings: WAL (readers never wait for
        // the writer), foreign keys, a generous busy timeout and NORMAL sync (safe in
        // WAL mode, a committed transaction survives a crash of the process).
        opts.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    // Reads through a memory map of the file (shared by the
                    // connections, the page cache of the system) instead of a read
                    // call per page into each connection's own 2 MB cache: a search
                    // over many listings spent a third of its time in those calls.
                    .pragma("mmap_size", MMAP_SIZE.to_string())
            });
        // A file has no connection to lose: no test before each use.
        opts.test_before_acquire(false);
    } else {
        return Ok(connect_postgres(url).await?.0);
    }
    Ok(Database::connect(opts).await?)
}

/// SQLite's memory map of the database file, in bytes (at most; a smaller file is
/// mapped whole).
pub const MMAP_SIZE: u64 = 256 * 1024 * 1024;

/// How long a pooled PostgreSQL connection may sit unused before it is tested (a
/// round trip) when next taken from the pool.
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The PostgreSQL pool. sqlx tests every connection taken from the pool with a round
/// trip by default, which costs a busy server one round trip per statement run outside
/// a transaction (six per booking). Here only a connection that sat unused for
/// [`PING_AFTER_IDLE`] is tested, which catches connections the database closed while
/// the portal was quiet (a restart, an idle timeout); a connection that fails its test
/// is dropped and another one taken. Also returns the number of tests made so far.
pub async fn connect_postgres(url: &str) -> anyhow::Result<(DatabaseConnection, Arc<AtomicU64>)> {
    use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    let options: PgConnectOptions = url.parse::<PgConnectOptions>()?.disable_statement_logging();
    let tests = Arc::new(AtomicU64::new(0));
    let counter = tests.clone();
    let pool = PgPoolOptions::new()
        .max_connections(32)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            let counter = counter.clone();
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    counter.fetch_add(1, Ordering::Relaxed);
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await?;
    Ok((
        sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
        tests,
    ))
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (as
/// `BEGIN IMMEDIATE` would; a write statement that changes nothing is enough), waiting
/// up to the busy timeout for another writer, so that it never reads first and then
/// fails to upgrade its lock because someone else wrote meanwhile, which SQLite reports
/// at once instead of waiting. On PostgreSQL it is a plain transaction.
pub async fn begin_write<C: sea_orm::TransactionTrait>(
    db: &C,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    let txn = db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("UPDATE cities SET id = id WHERE 0")
            .await?;
    }
    Ok(txn)
}

/// The key of the PostgreSQL advisory lock that serializes migrations (any constant
/// of the portal's own: "city-portal migrate").
pub const MIGRATION_LOCK: i64 = 0x6369_7479_2d6d_6967;

/// Applies all pending migrations. On PostgreSQL several servers starting at once take
/// turns: the migrations run in one transaction that first takes an advisory lock
/// (held by that transaction's connection until it ends), so the next one waits, then
/// finds nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        Migrator::up(db, None).await?;
        return Ok(());
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(())
}

/// How many migrations the database still lacks (for processes that do not migrate).
pub async fn pending_migrations(db: &DatabaseConnection) -> anyhow::Result<usize> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

    /// A write transaction holds SQLite's write lock from its start: a second one waits
    /// for the first to finish instead of failing after reading.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_transaction_holds_the_sqlite_write_lock_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let db = super::connect(&url).await.unwrap();
        db.execute_unprepared("CREATE TABLE cities (id INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();
        db.execute_unprepared("INSERT INTO t VALUES (0)")
            .await
            .unwrap();
        // Each of 8 tasks reads n and writes n + 1 in one write transaction; with a plain
        // BEGIN they would read the same n, and all but one would fail to upgrade.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let txn = super::begin_write(&db).await?;
                let row = txn
                    .query_one(Statement::from_string(
                        sea_orm::DbBackend::Sqlite,
                        "SELECT n FROM t",
                    ))
                    .await?
                    .expect("one row");
                let n: i64 = row.try_get("", "n")?;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                txn.execute_unprepared(&format!("UPDATE t SET n = {}", n + 1))
                    .await?;
                txn.commit().await
            }));
        }
        for t in tasks {
            t.await.unwrap().expect("no transaction fails");
        }
        let row = db
            .query_one(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT n FROM t",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 8);
    }

    #[tokio::test]
    async fn every_pooled_sqlite_connection_gets_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let db = super::connect(&url).await.unwrap();
        // Three open transactions hold three different connections of the pool.
        let txns = [
            db.begin().await.unwrap(),
            db.begin().await.unwrap(),
            db.begin().await.unwrap(),
        ];
        for txn in &txns {
            for (pragma, want) in [
                ("journal_mode", "wal"),
                ("foreign_keys", "1"),
                ("busy_timeout", "10000"),
                ("synchronous", "1"),
                ("mmap_size", &super::MMAP_SIZE.to_string()),
            ] {
                let row = txn
                    .query_one(Statement::from_string(
                        txn.get_database_backend(),
                        format!("PRAGMA {pragma}"),
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let got = row
                    .try_get_by_index::<String>(0)
                    .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                    .unwrap();
                assert_eq!(got, want, "PRAGMA {pragma}");
            }
        }
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            super::sqlite_path("sqlite://data/x.db?mode=rwc").as_deref(),
            Some("data/x.db")
        );
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
        assert_eq!(super::sqlite_path("postgres://h/db"), None);
    }
}
