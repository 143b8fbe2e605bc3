//! The PostgreSQL pool: connections the database closed while the portal was quiet are
//! replaced without an error; busy connections are not tested before every use.

use std::sync::atomic::Ordering;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::*;

async fn backends(db: &sea_orm::DatabaseConnection) -> i64 {
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_by_the_database_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(Backend::Postgres, dir.path()).await else {
        return;
    };
    let (db, tests) = api::core::db::connect_postgres(&test_db.url).await.unwrap();
    // The database ends every session of the portal's pool, as a restart would.
    let other = sea_orm::Database::connect(&test_db.url).await.unwrap();
    let ended = other
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(ended, 1);
    other.close().await.unwrap();
    // After the quiet spell the pooled connection is tested, found closed and replaced:
    // the next statements succeed.
    tokio::time::sleep(api::core::db::PING_AFTER_IDLE + std::time::Duration::from_millis(200))
        .await;
    for _ in 0..3 {
        assert!(backends(&db).await >= 1, "a fresh connection answers");
    }
    assert!(
        tests.load(Ordering::Relaxed) >= 1,
        "the closed one was tested"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_connection_is_not_tested_before_every_statement() {
    let dir = tempfile::tempdir().unwrap();
    let Some(test_db) = fresh_database(Backend::Postgres, dir.path()).await else {
        return;
    };
    let (db, tests) = api::core::db::connect_postgres(&test_db.url).await.unwrap();
    let q = || Statement::from_string(DbBackend::Postgres, "SELECT 1 AS n");
    for _ in 0..50 {
        db.query_one(q()).await.unwrap().unwrap();
    }
    assert_eq!(
        tests.load(Ordering::Relaxed),
        0,
        "statements back to back: no tests"
    );
    // After a quiet spell each pooled connection is tested once when next used, and
    // then not again while it stays busy.
    tokio::time::sleep(api::core::db::PING_AFTER_IDLE + std::time::Duration::from_millis(200))
        .await;
    for _ in 0..50 {
        db.query_one(q()).await.unwrap().unwrap();
    }
    let pool = db.get_postgres_connection_pool().size();
    let tested = tests.load(Ordering::Relaxed);
    assert!(
        (1..=u64::from(pool)).contains(&tested),
        "{tested} tests for {pool} pooled connections"
    );
}
