//! The transactional outbox: every change writes its event in the same transaction, so
//! consumers (search indexing, notifications, module webhooks) never miss one. Each
//! consumer that subscribes to an event gets its own delivery row, written with it.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionTrait,
};
use uuid::Uuid;

use entities::{outbox_delivery, outbox_event};

/// The search indexer's consumer name (the `search-indexer` crate uses the same).
pub const SEARCH: &str = search_indexer::consumer::CONSUMER;
/// The booking notifications' consumer name.
pub const NOTIFICATIONS: &str = "notifications";
/// The consumer that delivers events to the city's modules (their webhooks).
pub const MODULES: &str = "modules";

/// Every consumer of the outbox (those [`consumers_for`] names).
pub const CONSUMERS: [&str; 3] = [SEARCH, NOTIFICATIONS, MODULES];

/// The consumers that receive events about an aggregate type.
pub fn consumers_for(aggregate_type: &str) -> &'static [&'static str] {
    match aggregate_type {
        "listing" => &[SEARCH],
        "booking" | "waitlist" => &[NOTIFICATIONS],
        // Residents are emailed about their applications' changes.
        "application" => &[MODULES, NOTIFICATIONS],
        "report" => &[MODULES],
        _ => &[],
    }
}

/// The consumers of one event: those of its aggregate type, and the modules' webhooks
/// for a booking about a module's offer (one whose payload names its `module_id`).
pub fn consumers_of(aggregate_type: &str, payload: &serde_json::Value) -> Vec<&'static str> {
    let mut out = consumers_for(aggregate_type).to_vec();
    if aggregate_type == "booking" && payload.get("module_id").is_some() {
        out.push(MODULES);
    }
    out
}

/// Appends an event; call it inside the transaction of the change it describes.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    city_id: Uuid,
    aggregate_type: &str,
    aggregate_id: Uuid,
    event_type: &str,
    payload: serde_json::Value,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let consumers = consumers_of(aggregate_type, &payload);
    if conn.get_database_backend() == DbBackend::Postgres && !consumers.is_empty() {
        // One statement on PostgreSQL: the event and its deliveries.
        let mut values: Vec<sea_orm::Value> = vec![
            city_id.into(),
            aggregate_type.into(),
            aggregate_id.into(),
            event_type.into(),
            payload.into(),
            now.into(),
        ];
        let mut rows = Vec::with_capacity(consumers.len());
        for consumer in &consumers {
            values.push((*consumer).into());
            rows.push(format!("(${})", values.len()));
        }
        let sql = format!(
            r#"WITH e AS (INSERT INTO "outbox_events" ("city_id", "aggregate_type", "aggregate_id", "event_type", "payload", "created_at", "processed_at", "attempts", "last_error") VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, NULL) RETURNING "id") INSERT INTO "outbox_deliveries" ("event_id", "consumer", "aggregate_id", "attempts", "next_attempt_at", "last_error", "done_at") SELECT e."id", c."consumer", $3, 0, $6, NULL, NULL FROM e CROSS JOIN (VALUES {}) AS c ("consumer")"#,
            rows.join(", ")
        );
        let done = conn
            .execute(sea_orm::Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await?;
        if done.rows_affected() != consumers.len() as u64 {
            return Err(DbErr::Custom(format!(
                "outbox: {} of {} deliveries written",
                done.rows_affected(),
                consumers.len()
            )));
        }
        return Ok(());
    }
    let event = outbox_event::ActiveModel {
        city_id: Set(city_id),
        aggregate_type: Set(aggregate_type.to_string()),
        aggregate_id: Set(aggregate_id),
        event_type: Set(event_type.to_string()),
        payload: Set(payload),
        created_at: Set(now),
        // An event nobody subscribes to is done at once.
        processed_at: Set(consumers.is_empty().then_some(now)),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for consumer in &consumers {
        outbox_delivery::ActiveModel {
            event_id: Set(event.id),
            consumer: Set(consumer.to_string()),
            aggregate_id: Set(aggregate_id),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            done_at: Set(None),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Events deleted per statement by [`purge_processed`].
const PURGE_BATCH: u64 = 1000;

/// Deletes the events every consumer had handled before `before`, with their deliveries
/// (`ON DELETE CASCADE`), [`PURGE_BATCH`] at a time so that no statement holds the table
/// long. Events still pending for any consumer stay, however old. Returns how many went.
pub async fn purge_processed(
    db: &DatabaseConnection,
    before: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let batch = Query::select()
            .column(outbox_event::Column::Id)
            .from(outbox_event::Entity)
            .and_where(outbox_event::Column::ProcessedAt.lt(before))
            // The order of `ix_outbox_events_pending` (processed_at, id): no sort.
            .order_by(outbox_event::Column::ProcessedAt, sea_orm::Order::Asc)
            .order_by(outbox_event::Column::Id, sea_orm::Order::Asc)
            .limit(PURGE_BATCH)
            .to_owned();
        let gone = outbox_event::Entity::delete_many()
            .filter(outbox_event::Column::Id.in_subquery(batch))
            .exec(db)
            .await?
            .rows_affected;
        total += gone;
        if gone < PURGE_BATCH {
            return Ok(total);
        }
    }
}

/// How often the handled events are looked for.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Keeps the outbox to `keep` of history (`OUTBOX_RETENTION_DAYS`): purges at start and
/// then hourly. Several servers may run it at once.
pub async fn run_retention(db: DatabaseConnection, keep: Duration) {
    let Ok(keep) = chrono::Duration::from_std(keep) else {
        return; // longer than chrono can count: nothing is ever that old
    };
    loop {
        match purge_processed(&db, Utc::now() - keep).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                events = n,
                "outbox: handled events past OUTBOX_RETENTION_DAYS deleted"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "outbox: deleting handled events failed; will retry")
            }
        }
        tokio::time::sleep(PURGE_INTERVAL).await;
    }
}

/// One consumer's pending deliveries, handled one at a time and in order per aggregate.
///
/// A claim leases deliveries instead of holding a transaction open while they are
/// handled: in one short transaction (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
/// several servers never claim the same rows) the due deliveries get their next attempt
/// moved `lease` ahead, and only the rows whose lease this claim set are handed out. A
/// server that dies while handling one leaves it to be claimed again when the lease
/// runs out. On SQLite, where one server runs, due deliveries are read without a lease:
/// every write there can make another connection's transaction that read first fail
/// (`SQLITE_BUSY_SNAPSHOT`), so the consumer writes only what it must. A delivery is
/// not due while an earlier one of the same aggregate is still pending, so a booking's messages go out in the order its changes happened, even
/// while one of them waits for a retry. Failures are retried with the search indexer's
/// backoff; nothing is ever dropped.
#[derive(Clone, Copy, Debug)]
pub struct Deliveries {
    pub consumer: &'static str,
    /// Deliveries claimed at once.
    pub batch: u64,
    /// How long a claimed delivery is left to its claimer.
    pub lease: Duration,
}

/// A claimed delivery with its event.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub delivery: outbox_delivery::Model,
    pub event: outbox_event::Model,
}

impl Deliveries {
    /// The due deliveries a claim looks for (public for the tests that look at its
    /// query plan).
    pub fn due(&self) -> sea_orm::Select<outbox_delivery::Entity> {
        use outbox_delivery::Column as D;
        let earlier = Alias::new("earlier");
        let earlier_pending = Query::select()
            .expr(Expr::val(1))
            .from_as(outbox_delivery::Entity, earlier.clone())
            .and_where(
                Expr::col((earlier.clone(), D::Consumer))
                    .equals((outbox_delivery::Entity, D::Consumer)),
            )
            .and_where(
                Expr::col((earlier.clone(), D::AggregateId))
                    .equals((outbox_delivery::Entity, D::AggregateId)),
            )
            .and_where(
                Expr::col((earlier.clone(), D::EventId))
                    .lt(Expr::col((outbox_delivery::Entity, D::EventId))),
            )
            .and_where(Expr::col((earlier, D::DoneAt)).is_null())
            // `OFFSET` keeps PostgreSQL from turning the check into an anti-join, which
            // it plans from the table's statistics: stale ones (a table that grew since
            // the last ANALYZE, as in a backlog) made it scan every pending delivery of
            // the consumer for each candidate. As a subplan it is always one probe of
            // `idx_outbox_deliveries_pending_aggregate` per candidate. SQLite runs it as
            // such a correlated subquery anyway.
            .limit(1)
            .offset(0)
            .to_owned();
        outbox_delivery::Entity::find()
            .filter(D::Consumer.eq(self.consumer))
            .filter(D::DoneAt.is_null())
            .filter(D::NextAttemptAt.lte(Utc::now()))
            .filter(Expr::exists(earlier_pending).not())
            .order_by_asc(D::EventId)
            .limit(self.batch)
    }

    /// Leases the due deliveries to the caller (see [`Deliveries`]), in event order.
    pub async fn claim(&self, db: &DatabaseConnection) -> Result<Vec<Claimed>, DbErr> {
        if db.get_database_backend() == DbBackend::Sqlite {
            let due = self.due().all(db).await?;
            return with_events(db, due).await;
        }
        // One statement: the due rows are locked (skipping rows another claimer has
        // locked) and get their lease; only rows this statement updated come back.
        let mut due = self
            .due()
            .select_only()
            .column(outbox_delivery::Column::EventId);
        QuerySelect::query(&mut due).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        let until = Utc::now() + self.lease;
        let mut mine = outbox_delivery::Entity::update_many()
            .col_expr(outbox_delivery::Column::NextAttemptAt, Expr::value(until))
            .filter(outbox_delivery::Column::Consumer.eq(self.consumer))
            .filter(outbox_delivery::Column::EventId.in_subquery(due.into_query()))
            .exec_with_returning(db)
            .await?;
        mine.sort_by_key(|d| d.event_id);
        with_events(db, mine).await
    }

    /// Marks deliveries handled, and their events processed once no consumer's delivery
    /// of them is pending (one transaction).
    pub async fn done_many(&self, db: &DatabaseConnection, event_ids: &[i32]) -> Result<(), DbErr> {
        if event_ids.is_empty() {
            return Ok(());
        }
        let txn = db.begin().await?;
        let conn = &txn;
        let now = Utc::now();
        outbox_delivery::Entity::update_many()
            .col_expr(outbox_delivery::Column::DoneAt, Expr::value(now))
            .filter(outbox_delivery::Column::Consumer.eq(self.consumer))
            .filter(outbox_delivery::Column::EventId.is_in(event_ids.iter().copied()))
            .exec(conn)
            .await?;
        let others_pending = Query::select()
            .expr(Expr::val(1))
            .from(outbox_delivery::Entity)
            .and_where(
                Expr::col((outbox_delivery::Entity, outbox_delivery::Column::EventId))
                    .equals((outbox_event::Entity, outbox_event::Column::Id)),
            )
            .and_where(outbox_delivery::Column::DoneAt.is_null())
            .to_owned();
        outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::ProcessedAt, Expr::value(now))
            .filter(outbox_event::Column::Id.is_in(event_ids.iter().copied()))
            .filter(Expr::exists(others_pending).not())
            .exec(conn)
            .await?;
        txn.commit().await?;
        crate::core::metrics::outbox_deliveries(self.consumer, true, event_ids.len() as u64);
        Ok(())
    }

    /// Gives claimed deliveries back, due at once (the unsent rest of a batch).
    pub async fn release(&self, db: &DatabaseConnection, event_ids: &[i32]) -> Result<(), DbErr> {
        // On SQLite a claim sets no lease (see above), so there is nothing to give back.
        if event_ids.is_empty() || db.get_database_backend() == DbBackend::Sqlite {
            return Ok(());
        }
        outbox_delivery::Entity::update_many()
            .col_expr(
                outbox_delivery::Column::NextAttemptAt,
                Expr::value(Utc::now()),
            )
            .filter(outbox_delivery::Column::Consumer.eq(self.consumer))
            .filter(outbox_delivery::Column::EventId.is_in(event_ids.iter().copied()))
            .filter(outbox_delivery::Column::DoneAt.is_null())
            .exec(db)
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the delivery is due again after a growing delay.
    pub async fn failed(
        &self,
        db: &DatabaseConnection,
        claimed: &Claimed,
        error: &str,
    ) -> Result<(), DbErr> {
        let error: String = error.chars().take(2000).collect();
        let attempts = claimed.delivery.attempts + 1;
        let next = Utc::now() + search_indexer::consumer::backoff(attempts);
        let txn = db.begin().await?;
        outbox_delivery::Entity::update_many()
            .col_expr(outbox_delivery::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(
                outbox_delivery::Column::LastError,
                Expr::value(error.clone()),
            )
            .filter(outbox_delivery::Column::Consumer.eq(self.consumer))
            .filter(outbox_delivery::Column::EventId.eq(claimed.event.id))
            .exec(&txn)
            .await?;
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::Attempts,
                Expr::col(outbox_event::Column::Attempts).add(1),
            )
            .col_expr(outbox_event::Column::LastError, Expr::value(error))
            .filter(outbox_event::Column::Id.eq(claimed.event.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        crate::core::metrics::outbox_deliveries(self.consumer, false, 1);
        Ok(())
    }
}

/// The deliveries with their events.
async fn with_events<C: ConnectionTrait>(
    conn: &C,
    deliveries: Vec<outbox_delivery::Model>,
) -> Result<Vec<Claimed>, DbErr> {
    let events = outbox_event::Entity::find()
        .filter(outbox_event::Column::Id.is_in(deliveries.iter().map(|d| d.event_id)))
        .all(conn)
        .await?;
    Ok(deliveries
        .into_iter()
        .filter_map(|d| {
            let event = events.iter().find(|e| e.id == d.event_id)?.clone();
            Some(Claimed { delivery: d, event })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_about_a_module_goes_to_the_modules_too() {
        let plain = serde_json::json!({"offer_id": "o", "status": "confirmed"});
        assert_eq!(consumers_of("booking", &plain), [NOTIFICATIONS]);
        let module = serde_json::json!({"offer_id": "o", "module_id": "m"});
        assert_eq!(consumers_of("booking", &module), [NOTIFICATIONS, MODULES]);
        // Only bookings: another aggregate's consumers are its own.
        assert_eq!(consumers_of("listing", &module), [SEARCH]);
    }
}
