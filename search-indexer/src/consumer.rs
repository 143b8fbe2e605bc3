//! Keeps the Meilisearch index in sync with the database through the outbox.
//!
//! Every listing change writes an outbox event and a pending delivery for the consumer
//! [`CONSUMER`] in the same transaction. The consumer claims pending deliveries in event
//! order, rebuilds the documents of the listings they name from the database as it is
//! now (so applying a delivery twice, or late, is harmless), sends them to Meilisearch,
//! waits until Meilisearch reports the task succeeded, and only then marks the
//! deliveries done. A failure leaves them pending with a growing delay; nothing is
//! dropped.
//!
//! On PostgreSQL several indexer processes may run: deliveries are claimed with
//! `FOR UPDATE SKIP LOCKED` inside a transaction that lasts until the index confirmed
//! the batch, and a transaction-scoped advisory lock per listing keeps two processes
//! from indexing the same listing at once (so an older state can never overwrite a
//! newer one). On SQLite one indexer runs, inside the server.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use meilisearch_sdk::client::Client;
use meilisearch_sdk::tasks::Task;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::document::{is_indexed, ListingDocument, ListingSource};
use crate::settings::listing_settings;
use entities::{
    listing, listing_category, offer, opening_hours_exception, opening_hours_rule, outbox_delivery,
    outbox_event,
};

/// The consumer name of the search indexer in `outbox_deliveries`.
pub const CONSUMER: &str = "search";

/// Deliveries handled per batch.
pub const BATCH: u64 = 200;

/// How long to wait for Meilisearch to finish one task.
pub const TASK_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the index lives and what "today" is for the open-hours slots.
#[derive(Clone)]
pub struct Target {
    pub client: Client,
    pub index_uid: String,
    pub timezone: chrono_tz::Tz,
}

impl Target {
    pub fn new(
        url: &str,
        api_key: Option<&str>,
        index_uid: &str,
        timezone: chrono_tz::Tz,
    ) -> anyhow::Result<Target> {
        Ok(Target {
            client: Client::new(url, api_key)?,
            index_uid: index_uid.to_string(),
            timezone,
        })
    }

    /// The city's local date now.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.timezone).date_naive()
    }
}

/// Waits for a Meilisearch task and turns a failed task into an error.
pub async fn wait(client: &Client, task: impl AsRef<u32>) -> anyhow::Result<()> {
    match client
        .wait_for_task(task, Some(Duration::from_millis(20)), Some(TASK_TIMEOUT))
        .await?
    {
        Task::Succeeded { .. } => Ok(()),
        Task::Failed { content } => Err(anyhow::anyhow!(
            "Meilisearch task failed: {}",
            content.error
        )),
        other => Err(anyhow::anyhow!("Meilisearch task not finished: {other:?}")),
    }
}

/// Creates the index if it does not exist and applies the settings (idempotent: a
/// settings update that changes nothing is a no-op task in Meilisearch).
pub async fn ensure_index(client: &Client, uid: &str) -> anyhow::Result<()> {
    if client.get_index(uid).await.is_err() {
        let task = client.create_index(uid, Some("id")).await?;
        // Another process may have created it meanwhile: fine.
        let _ = client
            .wait_for_task(task, Some(Duration::from_millis(20)), Some(TASK_TIMEOUT))
            .await;
        client.get_index(uid).await?;
    }
    let task = client.index(uid).set_settings(&listing_settings()).await?;
    wait(client, task).await
}

/// Reads everything the documents of these listings are built from (four queries).
pub async fn load_sources<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<Vec<ListingSource>, sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let listings = listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    load_sources_of(conn, listings).await
}

/// Like [`load_sources`], for listings already read.
pub async fn load_sources_of<C: ConnectionTrait>(
    conn: &C,
    listings: Vec<listing::Model>,
) -> Result<Vec<ListingSource>, sea_orm::DbErr> {
    let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
    let mut cats: HashMap<Uuid, Vec<String>> = HashMap::new();
    for c in listing_category::Entity::find()
        .filter(listing_category::Column::ListingId.is_in(ids.clone()))
        .order_by_asc(listing_category::Column::Position)
        .order_by_asc(listing_category::Column::CategoryKey)
        .all(conn)
        .await?
    {
        cats.entry(c.listing_id).or_default().push(c.category_key);
    }
    let mut rules: HashMap<Uuid, Vec<opening_hours_rule::Model>> = HashMap::new();
    for r in opening_hours_rule::Entity::find()
        .filter(opening_hours_rule::Column::ListingId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        rules.entry(r.listing_id).or_default().push(r);
    }
    let mut exceptions: HashMap<Uuid, Vec<opening_hours_exception::Model>> = HashMap::new();
    for e in opening_hours_exception::Entity::find()
        .filter(opening_hours_exception::Column::ListingId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        exceptions.entry(e.listing_id).or_default().push(e);
    }
    let bookable: BTreeSet<Uuid> = offer::Entity::find()
        .select_only()
        .column(offer::Column::ListingId)
        .filter(offer::Column::ListingId.is_in(ids))
        .filter(offer::Column::Status.eq("active"))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(listings
        .into_iter()
        .map(|l| ListingSource {
            categories: cats.remove(&l.id).unwrap_or_default(),
            rules: rules.remove(&l.id).unwrap_or_default(),
            exceptions: exceptions.remove(&l.id).unwrap_or_default(),
            bookable: bookable.contains(&l.id),
            listing: l,
        })
        .collect())
}

/// Brings these listings in the index up to the database: published ones are added or
/// replaced, all others (drafts, suspended, deleted) removed. Returns when Meilisearch
/// has applied both.
pub async fn sync_listings<C: ConnectionTrait>(
    conn: &C,
    target: &Target,
    index_uid: &str,
    ids: &[Uuid],
) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let today = target.today();
    let sources = load_sources(conn, ids).await?;
    let docs: Vec<ListingDocument> = sources
        .iter()
        .filter(|s| is_indexed(&s.listing))
        .map(|s| ListingDocument::build(s, today))
        .collect();
    let keep: BTreeSet<Uuid> = docs.iter().map(|d| d.id).collect();
    let remove: Vec<String> = ids
        .iter()
        .filter(|id| !keep.contains(id))
        .map(Uuid::to_string)
        .collect();
    let index = target.client.index(index_uid);
    if !docs.is_empty() {
        let task = index.add_or_replace(&docs, Some("id")).await?;
        wait(&target.client, task).await?;
    }
    if !remove.is_empty() {
        let task = index.delete_documents(&remove).await?;
        wait(&target.client, task).await?;
    }
    Ok(())
}

/// The delay before the next attempt after `attempts` failures: 1 s doubling to 5 min.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs((1u64 << exp.min(9)).min(300))
}

/// Handles one batch of pending deliveries. Returns how many were marked done.
pub async fn process_batch(db: &DatabaseConnection, target: &Target) -> anyhow::Result<usize> {
    match db.get_database_backend() {
        DbBackend::Postgres => process_batch_postgres(db, target).await,
        _ => process_batch_simple(db, target).await,
    }
}

fn pending() -> sea_orm::Select<outbox_delivery::Entity> {
    outbox_delivery::Entity::find()
        .filter(outbox_delivery::Column::Consumer.eq(CONSUMER))
        .filter(outbox_delivery::Column::DoneAt.is_null())
        .filter(outbox_delivery::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_asc(outbox_delivery::Column::EventId)
        .limit(BATCH)
}

/// Deliveries one PostgreSQL indexer claimed, inside the transaction `claim_postgres`
/// was given: their rows stay locked (`FOR UPDATE`) and their listings advisory-locked
/// until that transaction ends.
#[derive(Debug, Default)]
pub struct Claim {
    pub deliveries: Vec<outbox_delivery::Model>,
    pub listings: Vec<Uuid>,
}

/// Claims pending deliveries on PostgreSQL: rows locked by another indexer are skipped
/// (`FOR UPDATE SKIP LOCKED`), and so are deliveries of a listing another indexer is
/// indexing right now (a transaction-scoped advisory lock per listing); those stay
/// pending for a later round.
pub async fn claim_postgres(txn: &DatabaseTransaction) -> Result<Claim, sea_orm::DbErr> {
    let mut claim = pending();
    QuerySelect::query(&mut claim).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    let claimed = claim.all(txn).await?;
    let mut locked: BTreeSet<Uuid> = BTreeSet::new();
    let mut busy: BTreeSet<Uuid> = BTreeSet::new();
    for d in &claimed {
        if locked.contains(&d.aggregate_id) || busy.contains(&d.aggregate_id) {
            continue;
        }
        let row = txn
            .query_one(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok",
                [format!("search:{}", d.aggregate_id).into()],
            ))
            .await?
            .ok_or_else(|| sea_orm::DbErr::Custom("advisory lock returned no row".into()))?;
        if row.try_get::<bool>("", "ok")? {
            locked.insert(d.aggregate_id);
        } else {
            busy.insert(d.aggregate_id);
        }
    }
    Ok(Claim {
        deliveries: claimed
            .into_iter()
            .filter(|d| locked.contains(&d.aggregate_id))
            .collect(),
        listings: locked.into_iter().collect(),
    })
}

async fn process_batch_postgres(db: &DatabaseConnection, target: &Target) -> anyhow::Result<usize> {
    let txn = db.begin().await?;
    let claim = claim_postgres(&txn).await?;
    if claim.deliveries.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let mine: Vec<&outbox_delivery::Model> = claim.deliveries.iter().collect();
    let ids = claim.listings;
    let uid = target.index_uid.clone();
    match sync_listings(&txn, target, &uid, &ids).await {
        Ok(()) => {
            mark_done(&txn, &mine).await?;
            txn.commit().await?;
            counted(true, mine.len());
            Ok(mine.len())
        }
        Err(e) => {
            // Roll back the claim, then record the failure in its own transaction.
            txn.rollback().await?;
            mark_failed(db, &mine, &e.to_string()).await?;
            Err(e)
        }
    }
}

async fn process_batch_simple(db: &DatabaseConnection, target: &Target) -> anyhow::Result<usize> {
    let claimed = pending().all(db).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = claimed
        .iter()
        .map(|d| d.aggregate_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mine: Vec<&outbox_delivery::Model> = claimed.iter().collect();
    let uid = target.index_uid.clone();
    match sync_listings(db, target, &uid, &ids).await {
        Ok(()) => {
            let txn = db.begin().await?;
            mark_done(&txn, &mine).await?;
            txn.commit().await?;
            counted(true, mine.len());
            Ok(mine.len())
        }
        Err(e) => {
            mark_failed(db, &mine, &e.to_string()).await?;
            Err(e)
        }
    }
}

async fn mark_done<C: ConnectionTrait>(
    conn: &C,
    deliveries: &[&outbox_delivery::Model],
) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    let event_ids: Vec<i32> = deliveries.iter().map(|d| d.event_id).collect();
    outbox_delivery::Entity::update_many()
        .col_expr(outbox_delivery::Column::DoneAt, Expr::value(now))
        .filter(outbox_delivery::Column::Consumer.eq(CONSUMER))
        .filter(outbox_delivery::Column::EventId.is_in(event_ids.clone()))
        .exec(conn)
        .await?;
    // An event is processed when no consumer's delivery of it is pending any more.
    let still_pending: BTreeSet<i32> = outbox_delivery::Entity::find()
        .select_only()
        .column(outbox_delivery::Column::EventId)
        .filter(outbox_delivery::Column::EventId.is_in(event_ids.clone()))
        .filter(outbox_delivery::Column::DoneAt.is_null())
        .into_tuple::<i32>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let finished: Vec<i32> = event_ids
        .into_iter()
        .filter(|id| !still_pending.contains(id))
        .collect();
    if !finished.is_empty() {
        outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::ProcessedAt, Expr::value(now))
            .filter(outbox_event::Column::Id.is_in(finished))
            .exec(conn)
            .await?;
    }
    Ok(())
}

async fn mark_failed(
    db: &DatabaseConnection,
    deliveries: &[&outbox_delivery::Model],
    error: &str,
) -> Result<(), sea_orm::DbErr> {
    let error: String = error.chars().take(2000).collect();
    let txn = db.begin().await?;
    for d in deliveries {
        let attempts = d.attempts + 1;
        let next = Utc::now() + backoff(attempts);
        outbox_delivery::Entity::update_many()
            .col_expr(outbox_delivery::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(
                outbox_delivery::Column::LastError,
                Expr::value(error.clone()),
            )
            .filter(outbox_delivery::Column::Consumer.eq(CONSUMER))
            .filter(outbox_delivery::Column::EventId.eq(d.event_id))
            .exec(&txn)
            .await?;
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::Attempts,
                Expr::col(outbox_event::Column::Attempts).add(1),
            )
            .col_expr(outbox_event::Column::LastError, Expr::value(error.clone()))
            .filter(outbox_event::Column::Id.eq(d.event_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    counted(false, deliveries.len());
    Ok(())
}

/// Counts deliveries handled, or attempts that failed, in the portal's metrics (the
/// names of `api::core::metrics`, where `/metrics` describes them).
fn counted(ok: bool, n: usize) {
    let name = if ok {
        "city_portal_outbox_delivered_total"
    } else {
        "city_portal_outbox_failed_attempts_total"
    };
    metrics::counter!(name, "consumer" => CONSUMER).increment(n as u64);
}

/// Listings whose open-hours slots depend on the date: those with a dated exception
/// within a week of `today`. Their documents are rebuilt once a day.
pub async fn listings_with_dated_hours(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let ids: BTreeSet<Uuid> = opening_hours_exception::Entity::find()
        .select_only()
        .column(opening_hours_exception::Column::ListingId)
        .filter(opening_hours_exception::Column::Date.between(
            today - chrono::Duration::days(8),
            today + chrono::Duration::days(7),
        ))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(ids.into_iter().collect())
}

/// Runs the consumer until `stop` resolves: applies the index settings, then handles
/// deliveries as they come (woken by `wake`, else polling every 250 ms), retrying with
/// backoff while Meilisearch is unreachable, and once a day rebuilds the listings whose
/// hours depend on the date.
pub async fn run(
    db: DatabaseConnection,
    target: Target,
    wake: Arc<Notify>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut ready = false;
    let mut failures: i32 = 0;
    let mut refreshed: Option<NaiveDate> = None;
    loop {
        let result: anyhow::Result<usize> = async {
            if !ready {
                ensure_index(&target.client, &target.index_uid).await?;
                ready = true;
                tracing::info!(index = %target.index_uid, "search index ready");
            }
            let today = target.today();
            if refreshed != Some(today) {
                let ids = listings_with_dated_hours(&db, today).await?;
                sync_listings(&db, &target, &target.index_uid, &ids).await?;
                refreshed = Some(today);
            }
            process_batch(&db, &target).await
        }
        .await;
        let pause = match result {
            Ok(n) if n > 0 => {
                failures = 0;
                continue;
            }
            Ok(_) => {
                failures = 0;
                Duration::from_millis(250)
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "search indexing failed; will retry");
                backoff(failures).min(Duration::from_secs(30))
            }
        };
        tokio::select! {
            _ = &mut stop => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(5), Duration::from_secs(16));
        assert_eq!(backoff(30), Duration::from_secs(300));
        assert_eq!(backoff(0), Duration::from_secs(1));
    }
}
