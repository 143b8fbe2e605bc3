//! The outbox under a backlog: pending deliveries are claimed in event order, one
//! aggregate's after its earlier ones, through the partial indexes of migration 14
//! (a walk in event order that stops at the batch, one probe per candidate for an
//! earlier pending delivery), on SQLite and PostgreSQL.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_with;
use api::notifications::DELIVERIES;

/// The definitions of the outbox's delivery indexes, by name.
async fn delivery_indexes(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.state.db;
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT name AS n, sql AS d FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox_deliveries' AND sql IS NOT NULL ORDER BY name",
        _ => "SELECT indexname AS n, indexdef AS d FROM pg_indexes WHERE tablename = 'outbox_deliveries' AND indexname LIKE 'idx_%' ORDER BY indexname",
    };
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("", "n").unwrap(), r.try_get("", "d").unwrap()))
        .collect()
}

/// The query plan of the claim's search for due deliveries, as one text.
async fn due_plan(app: &TestApp) -> String {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let due = DELIVERIES.due().build(backend);
    let (explain, column) = match backend {
        DbBackend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
        _ => ("EXPLAIN ", "QUERY PLAN"),
    };
    db.query_all(Statement {
        sql: format!("{explain}{}", due.sql),
        ..due
    })
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", column).unwrap())
    .collect::<Vec<_>>()
    .join("\n")
}

async fn a_backlog_is_claimed_through_the_pending_indexes(app: TestApp) {
    let indexes = delivery_indexes(&app).await;
    let names: Vec<&str> = indexes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "idx_outbox_deliveries_due",
            "idx_outbox_deliveries_pending_aggregate"
        ],
        "{indexes:?}"
    );
    for (name, def) in &indexes {
        assert!(
            def.replace('"', "")
                .replace(['(', ')'], "")
                .contains("WHERE done_at IS NULL"),
            "{name} is partial: {def}"
        );
    }

    // A handled history, then a backlog as after an outage of the mail server: 1,500
    // bookings with two changes each.
    let db = &app.state.db;
    let city = app.state.city.id;
    let analyze = match db.get_database_backend() {
        DbBackend::Sqlite => "ANALYZE",
        _ => "ANALYZE outbox_deliveries",
    };
    if db.get_database_backend() == DbBackend::Postgres {
        // The statistics change only when this test says so.
        db.execute_unprepared("ALTER TABLE outbox_deliveries SET (autovacuum_enabled = false)")
            .await
            .unwrap();
    }
    let txn = db.begin().await.unwrap();
    for _ in 0..1000 {
        api::core::outbox::record(
            &txn,
            city,
            "booking",
            Uuid::new_v4(),
            "booking.confirmed",
            json!({}),
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    loop {
        let old = DELIVERIES.claim(db).await.unwrap();
        if old.is_empty() {
            break;
        }
        let ids: Vec<i32> = old.iter().map(|c| c.event.id).collect();
        DELIVERIES.done_many(db, &ids).await.unwrap();
    }
    // Statistics that know the history and not the backlog, as when a backlog grows
    // faster than ANALYZE runs.
    db.execute_unprepared(analyze).await.unwrap();
    let bookings: Vec<Uuid> = (0..1500).map(|_| Uuid::new_v4()).collect();
    let txn = db.begin().await.unwrap();
    for b in &bookings {
        for event in ["booking.confirmed", "booking.cancelled"] {
            api::core::outbox::record(&txn, city, "booking", *b, event, json!({}))
                .await
                .unwrap();
        }
    }
    txn.commit().await.unwrap();
    // The plan is the same whether the statistics know of the backlog or not.
    for stats in ["stale statistics", "fresh statistics"] {
        if stats == "fresh statistics" {
            db.execute_unprepared(analyze).await.unwrap();
        }
        let plan = due_plan(&app).await;
        assert!(
            plan.contains("idx_outbox_deliveries_due"),
            "{stats}: {plan}"
        );
        let probe = plan
            .lines()
            .skip_while(|l| !l.contains("idx_outbox_deliveries_pending_aggregate"))
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            probe.contains("aggregate_id"),
            "{stats}: the earlier-pending check is one probe of the aggregate index per candidate: {plan}"
        );
        assert!(
            !plan.contains("Join Filter") && !plan.contains("Anti Join"),
            "{stats}: no scan of every pending delivery per candidate: {plan}"
        );
        if db.get_database_backend() == DbBackend::Postgres {
            assert!(plan.contains("SubPlan"), "{stats}: {plan}");
        }
        assert!(
            !plan.contains("Seq Scan") && !plan.contains("SCAN outbox_deliveries"),
            "{stats}: no full scan: {plan}"
        );
        assert!(
            !plan.contains("Sort") && !plan.contains("TEMP B-TREE"),
            "{stats}: walked in event order, not sorted: {plan}"
        );
    }

    // Claims: the first change of each booking, in event order, never its second
    // while the first is pending.
    let claimed = DELIVERIES.claim(db).await.unwrap();
    assert_eq!(claimed.len() as u64, DELIVERIES.batch);
    let ids: Vec<i32> = claimed.iter().map(|c| c.event.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in event order");
    let aggregates: HashSet<Uuid> = claimed.iter().map(|c| c.event.aggregate_id).collect();
    assert_eq!(aggregates.len(), claimed.len(), "one per booking: {ids:?}");
    assert!(claimed
        .iter()
        .all(|c| c.event.event_type == "booking.confirmed"));
    assert_eq!(claimed[0].event.aggregate_id, bookings[0]);
    // Handled, the second changes of those bookings become due.
    DELIVERIES.done_many(db, &ids).await.unwrap();
    let mut seen = 0;
    loop {
        let next = DELIVERIES.claim(db).await.unwrap();
        if next.is_empty() {
            break;
        }
        let cancelled: Vec<Uuid> = next
            .iter()
            .filter(|c| c.event.event_type == "booking.cancelled")
            .map(|c| c.event.aggregate_id)
            .collect();
        seen += cancelled.len();
        DELIVERIES
            .done_many(db, &next.iter().map(|c| c.event.id).collect::<Vec<_>>())
            .await
            .unwrap();
        if seen > 0 {
            assert!(
                cancelled.iter().all(|b| aggregates.contains(b)),
                "{cancelled:?}"
            );
            break;
        }
    }
    assert!(seen > 0, "the handled bookings' second changes came next");
}
on_both_with!(
    a_backlog_is_claimed_through_the_pending_indexes,
    vec![("NOTIFIER", "external".into())]
);

/// The outbox events of one aggregate, and their deliveries.
async fn rows_of(app: &TestApp, aggregate: Uuid) -> (u64, u64) {
    use entities::{outbox_delivery, outbox_event};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let db = &app.state.db;
    let events = outbox_event::Entity::find()
        .filter(outbox_event::Column::AggregateId.eq(aggregate))
        .count(db)
        .await
        .unwrap();
    let deliveries = outbox_delivery::Entity::find()
        .filter(outbox_delivery::Column::AggregateId.eq(aggregate))
        .count(db)
        .await
        .unwrap();
    (events, deliveries)
}

/// Moves the times of an aggregate's events `days` into the past.
async fn backdate(app: &TestApp, aggregate: Uuid, days: i64) {
    use entities::outbox_event;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let then = chrono::Utc::now() - chrono::Duration::days(days);
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::CreatedAt, Expr::value(then))
        .filter(outbox_event::Column::AggregateId.eq(aggregate))
        .exec(&app.state.db)
        .await
        .unwrap();
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::ProcessedAt, Expr::value(then))
        .filter(outbox_event::Column::AggregateId.eq(aggregate))
        .filter(outbox_event::Column::ProcessedAt.is_not_null())
        .exec(&app.state.db)
        .await
        .unwrap();
}

/// Handled events older than the retention go with their deliveries; recent ones and
/// pending ones, however old, stay.
async fn handled_events_past_the_retention_are_deleted(app: TestApp) {
    let db = &app.state.db;
    let city = app.state.city.id;
    let (old, recent, pending) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for b in [old, recent, pending] {
        api::core::outbox::record(db, city, "booking", b, "booking.confirmed", json!({}))
            .await
            .unwrap();
    }
    let claimed = DELIVERIES.claim(db).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let handled: Vec<i32> = claimed
        .iter()
        .filter(|c| c.event.aggregate_id != pending)
        .map(|c| c.event.id)
        .collect();
    DELIVERIES.done_many(db, &handled).await.unwrap();
    backdate(&app, old, 40).await;
    backdate(&app, recent, 1).await;
    backdate(&app, pending, 40).await;

    let before = chrono::Utc::now() - chrono::Duration::days(30);
    assert_eq!(
        api::core::outbox::purge_processed(db, before)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        rows_of(&app, old).await,
        (0, 0),
        "the event and its delivery"
    );
    assert_eq!(rows_of(&app, recent).await, (1, 1));
    assert_eq!(rows_of(&app, pending).await, (1, 1), "pending stays");
    // Nothing more to do.
    assert_eq!(
        api::core::outbox::purge_processed(db, before)
            .await
            .unwrap(),
        0
    );

    // A server started with OUTBOX_RETENTION_DAYS=1 on this database purges at start.
    backdate(&app, recent, 2).await;
    let backend = if db.get_database_backend() == DbBackend::Sqlite {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let second = spawn_with(
        backend,
        Opts {
            database_url: Some(app.database_url.clone()),
            env: vec![
                ("NOTIFIER", "external".into()),
                ("OUTBOX_RETENTION_DAYS", "1".into()),
            ],
            ..Default::default()
        },
    )
    .await
    .expect("the first server's database");
    let mut left = rows_of(&app, recent).await;
    for _ in 0..100 {
        if left == (0, 0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = rows_of(&app, recent).await;
    }
    assert_eq!(left, (0, 0), "purged at the start of a server");
    assert_eq!(rows_of(&app, pending).await, (1, 1));
    drop(second);
}
on_both_with!(
    handled_events_past_the_retention_are_deleted,
    vec![
        ("NOTIFIER", "external".into()),
        ("OUTBOX_RETENTION_DAYS", "0".into())
    ]
);
