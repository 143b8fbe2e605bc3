//! Writing access records without making every read wait for its own commit.
//!
//! **Group commit.** A request that must record a read hands its record to one writer
//! task and waits until it is committed; the writer stores everything that is waiting
//! in one multi-row INSERT, then releases those requests together. A busy server writes
//! one statement per batch instead of one per request: SQLite takes its write lock, and
//! PostgreSQL commits, once for the batch.
//!
//! **Repeated reads counted.** The same reader reading the same thing of the same
//! resident for the same reason again within the same quarter of an hour (UTC; every
//! time zone's offset is a multiple of 15 minutes, so the quarter lies within one day of
//! the city, the access log's unit) is added to the first read's record: its `reads`
//! grows and its `last_read_at` moves on. The first read is committed before its answer
//! leaves, so the log always has who read what, and when, before anything is sent; the
//! repeats are counted in memory and written together about once a second (a crash
//! loses at most that second's count, never an entry). An app polling a resident's
//! bookings thus costs the database one write a second, not one per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use entities::access_record;

/// The most records one INSERT carries (twelve values each, well below SQLite's and
/// PostgreSQL's limits on bound values).
const MAX_BATCH: usize = 256;
/// Records that may wait for the writer before a request waits to hand in its own.
const QUEUE: usize = 4096;
/// How long repeated reads are added to the first one's record (seconds).
const WINDOW_SECS: i64 = 15 * 60;
/// How often the counted repeats are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// The most first reads remembered for counting repeats (about 300 bytes each); past
/// it a read gets a record of its own, as before counting.
const MAX_REMEMBERED: usize = 100_000;

/// Hands access records to the writer task; cheap to clone.
#[derive(Clone)]
pub struct AccessWriter {
    queue: mpsc::Sender<Job>,
    db: DatabaseConnection,
    counts: Arc<Mutex<Counts>>,
}

enum Job {
    Store(Box<Pending>),
    /// Write the counted repeats now, then answer.
    Flush(oneshot::Sender<Result<(), String>>),
}

struct Pending {
    record: access_record::ActiveModel,
    key: Option<Key>,
    stored: oneshot::Sender<Result<(), String>>,
}

/// What makes two reads the same read.
#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    city: Uuid,
    subject: Uuid,
    user: Option<Uuid>,
    organization: Option<Uuid>,
    module: Option<String>,
    role: Option<String>,
    resource: String,
    purpose: String,
    /// The quarter of an hour since the epoch.
    window: i64,
}

impl Key {
    fn of(r: &access_record::ActiveModel) -> Option<Key> {
        fn v<T: Clone + Into<sea_orm::Value>>(a: &ActiveValue<T>) -> Option<T> {
            match a {
                ActiveValue::Set(x) | ActiveValue::Unchanged(x) => Some(x.clone()),
                ActiveValue::NotSet => None,
            }
        }
        Some(Key {
            city: v(&r.city_id)?,
            subject: v(&r.subject_user_id)?,
            user: v(&r.actor_user_id)?,
            organization: v(&r.actor_organization_id)?,
            module: v(&r.actor_module)?,
            role: v(&r.actor_role)?,
            resource: v(&r.resource)?,
            purpose: v(&r.purpose)?,
            window: v(&r.created_at)?.timestamp().div_euclid(WINDOW_SECS),
        })
    }
}

/// The first reads stored in the current quarters, and the repeats not yet written.
#[derive(Default)]
struct Counts {
    /// A first read's record, by what it read.
    first: HashMap<Key, Uuid>,
    /// Repeats to add to a record: how many, and the latest.
    repeats: HashMap<Uuid, (i32, DateTime<Utc>)>,
    /// The quarter `first` was last pruned in.
    pruned: i64,
}

impl AccessWriter {
    /// Starts the writer task on the current runtime; it ends when the last handle is
    /// dropped, after storing what was handed in and writing the counted repeats.
    pub fn start(db: DatabaseConnection) -> AccessWriter {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let counts = Arc::new(Mutex::new(Counts::default()));
        tokio::spawn(write_batches(db.clone(), jobs, counts.clone()));
        AccessWriter { queue, db, counts }
    }

    /// Records a read: a first read returns once its record is committed; a repeat
    /// within its quarter of an hour is counted on the first one's record (written
    /// within a second, see the module's documentation).
    pub async fn record(&self, record: access_record::ActiveModel) -> Result<(), DbErr> {
        let key = Key::of(&record);
        if let Some(k) = &key {
            let mut counts = self.counts.lock().expect("not poisoned");
            if let Some(id) = counts.first.get(k).copied() {
                let at = match &record.created_at {
                    ActiveValue::Set(t) | ActiveValue::Unchanged(t) => *t,
                    ActiveValue::NotSet => Utc::now(),
                };
                let entry = counts.repeats.entry(id).or_insert((0, at));
                entry.0 += 1;
                entry.1 = entry.1.max(at);
                return Ok(());
            }
        }
        let (stored, committed) = oneshot::channel();
        let job = Job::Store(Box::new(Pending {
            record,
            key,
            stored,
        }));
        if let Err(mpsc::error::SendError(job)) = self.queue.send(job).await {
            // The writer is gone (its runtime is shutting down): store it here.
            let Job::Store(p) = job else { unreachable!() };
            return insert(&self.db, vec![p.record]).await;
        }
        match committed.await {
            Ok(result) => result.map_err(DbErr::Custom),
            Err(_) => Err(DbErr::Custom(
                "the access log's writer stopped before storing a record".into(),
            )),
        }
    }

    /// Writes the counted repeats now (the writer does so about once a second anyway);
    /// for tests and an orderly shutdown.
    pub async fn flush(&self) -> Result<(), DbErr> {
        let (done, flushed) = oneshot::channel();
        if self.queue.send(Job::Flush(done)).await.is_err() {
            return write_repeats(&self.db, &self.counts).await;
        }
        flushed
            .await
            .map_err(|_| DbErr::Custom("the access log's writer stopped".into()))?
            .map_err(DbErr::Custom)
    }
}

async fn insert(
    db: &DatabaseConnection,
    records: Vec<access_record::ActiveModel>,
) -> Result<(), DbErr> {
    access_record::Entity::insert_many(records)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Remembers the first reads just committed, so their repeats are counted on them;
/// forgets those of past quarters.
fn remember(counts: &Mutex<Counts>, stored: &[(Key, Uuid)]) {
    let now = Utc::now().timestamp().div_euclid(WINDOW_SECS);
    let mut counts = counts.lock().expect("not poisoned");
    // Forgotten once per quarter, not on every batch (the map may hold many).
    if counts.pruned < now {
        counts.first.retain(|k, _| k.window >= now);
        counts.pruned = now;
    }
    for (key, id) in stored {
        if key.window >= now && counts.first.len() < MAX_REMEMBERED {
            // Two first reads at once: the later one's record takes the repeats.
            counts.first.insert(key.clone(), *id);
        }
    }
}

/// Adds the counted repeats to their records, in one transaction. What fails to be
/// written is counted again for the next attempt.
async fn write_repeats(db: &DatabaseConnection, counts: &Mutex<Counts>) -> Result<(), DbErr> {
    let repeats = std::mem::take(&mut counts.lock().expect("not poisoned").repeats);
    if repeats.is_empty() {
        return Ok(());
    }
    let result = async {
        let txn = db.begin().await?;
        for (id, (n, latest)) in &repeats {
            access_record::Entity::update_many()
                .col_expr(
                    access_record::Column::Reads,
                    Expr::col(access_record::Column::Reads).add(*n),
                )
                .col_expr(access_record::Column::LastReadAt, Expr::value(*latest))
                .filter(access_record::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await
    }
    .await;
    if let Err(e) = &result {
        tracing::warn!(error = %e, records = repeats.len(), "writing counted access reads failed; will retry");
        let mut counts = counts.lock().expect("not poisoned");
        for (id, (n, latest)) in repeats {
            let entry = counts.repeats.entry(id).or_insert((0, latest));
            entry.0 += n;
            entry.1 = entry.1.max(latest);
        }
    }
    result
}

async fn store_batch(db: &DatabaseConnection, counts: &Mutex<Counts>, batch: &mut Vec<Pending>) {
    let records = batch.iter().map(|p| p.record.clone()).collect();
    let ids = |p: &Pending| match (&p.key, &p.record.id) {
        (Some(k), ActiveValue::Set(id) | ActiveValue::Unchanged(id)) => Some((k.clone(), *id)),
        _ => None,
    };
    match insert(db, records).await {
        Ok(()) => {
            let stored: Vec<(Key, Uuid)> = batch.iter().filter_map(ids).collect();
            remember(counts, &stored);
            for p in batch.drain(..) {
                let _ = p.stored.send(Ok(()));
            }
        }
        // One bad record (its resident erased meanwhile) must not fail the others:
        // each is stored on its own, and each request learns its own outcome.
        Err(e) => {
            tracing::warn!(error = %e, records = batch.len(), "an access-record batch failed; storing one by one");
            for p in batch.drain(..) {
                let result = insert(db, vec![p.record.clone()]).await;
                if result.is_ok() {
                    remember(counts, &ids(&p).into_iter().collect::<Vec<_>>());
                }
                let _ = p.stored.send(result.map_err(|e| e.to_string()));
            }
        }
    }
}

async fn write_batches(
    db: DatabaseConnection,
    mut jobs: mpsc::Receiver<Job>,
    counts: Arc<Mutex<Counts>>,
) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut received = Vec::with_capacity(MAX_BATCH);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            n = jobs.recv_many(&mut received, MAX_BATCH) => {
                if n == 0 {
                    break;
                }
                let mut flushes = Vec::new();
                for job in received.drain(..) {
                    match job {
                        Job::Store(p) => batch.push(*p),
                        Job::Flush(done) => flushes.push(done),
                    }
                }
                if !batch.is_empty() {
                    store_batch(&db, &counts, &mut batch).await;
                }
                if !flushes.is_empty() {
                    let result = write_repeats(&db, &counts).await.map_err(|e| e.to_string());
                    for done in flushes {
                        let _ = done.send(result.clone());
                    }
                }
            }
            _ = tick.tick() => {
                let _ = write_repeats(&db, &counts).await;
            }
        }
    }
    let _ = write_repeats(&db, &counts).await;
}
