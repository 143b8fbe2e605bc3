//! Every migration runs up and down on SQLite and PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::*;

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY name",
        _ => "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations' ORDER BY table_name",
    };
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect()
}

async fn up_down_up(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_database(backend, dir.path()).await else {
        return;
    };
    let db = api::db::connect(&url).await.unwrap();
    let all = Migrator::migrations().len();
    Migrator::up(&db, None).await.unwrap();
    let full = tables(&db).await;
    for t in [
        "cities",
        "users",
        "listings",
        "offers",
        "outbox_events",
        "outbox_deliveries",
        "access_records",
        "api_tokens",
        "memberships",
        "offer_slots",
        "bookings",
        "idempotency_keys",
        "waitlist_entries",
        "partner_connections",
        "partner_webhook_events",
        "calendar_feeds",
        "notifications_sent",
    ] {
        assert!(
            full.contains(&t.to_string()),
            "{t} missing after up: {full:?}"
        );
    }
    // Step down one migration at a time, then all the way, then up again.
    for step in 1..=all {
        Migrator::down(&db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("down step {step}: {e}"));
    }
    assert!(tables(&db).await.is_empty(), "down leaves no tables");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, full);
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        0
    );
}

#[tokio::test]
async fn migrations_up_and_down_on_sqlite() {
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrations_up_and_down_on_postgres() {
    up_down_up(Backend::Postgres).await;
}

/// On PostgreSQL the database search's word matching has a trigram index.
#[tokio::test]
async fn postgres_search_text_has_a_trigram_index() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_database(Backend::Postgres, dir.path()).await else {
        return;
    };
    let db = api::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_listings_search_text_trgm'",
        ))
        .await
        .unwrap()
        .expect("the trigram index exists");
    let def: String = row.try_get("", "indexdef").unwrap();
    assert!(def.contains("gin_trgm_ops"), "{def}");
}
