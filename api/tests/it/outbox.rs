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
        api::outbox::record(
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
            api::outbox::record(&txn, city, "booking", *b, event, json!({}))
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
