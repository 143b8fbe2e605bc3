//! Group commit of access records. A request that must record a read hands its record
//! to one writer task and waits until it is committed; the writer stores everything
//! that is waiting in one multi-row INSERT, then releases those requests together. Every
//! read is still recorded before its answer leaves (nothing is lost if the server
//! stops), but a busy server writes one statement per batch instead of one per request:
//! SQLite takes its write lock, and PostgreSQL commits, once for the batch.

use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use entities::access_record;

/// The most records one INSERT carries (ten values each, well below SQLite's and
/// PostgreSQL's limits on bound values).
const MAX_BATCH: usize = 256;
/// Records that may wait for the writer before a request waits to hand in its own.
const QUEUE: usize = 4096;

/// Hands access records to the writer task; cheap to clone.
#[derive(Clone)]
pub struct AccessWriter {
    queue: mpsc::Sender<Pending>,
    db: DatabaseConnection,
}

struct Pending {
    record: access_record::ActiveModel,
    stored: oneshot::Sender<Result<(), String>>,
}

impl AccessWriter {
    /// Starts the writer task on the current runtime; it ends when the last handle is
    /// dropped, after storing what was handed in.
    pub fn start(db: DatabaseConnection) -> AccessWriter {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db.clone(), pending));
        AccessWriter { queue, db }
    }

    /// Stores `record`, returning once it is committed.
    pub async fn record(&self, record: access_record::ActiveModel) -> Result<(), DbErr> {
        let (stored, committed) = oneshot::channel();
        if let Err(mpsc::error::SendError(p)) = self.queue.send(Pending { record, stored }).await {
            // The writer is gone (its runtime is shutting down): store it here.
            return insert(&self.db, vec![p.record]).await;
        }
        match committed.await {
            Ok(result) => result.map_err(DbErr::Custom),
            Err(_) => Err(DbErr::Custom(
                "the access log's writer stopped before storing a record".into(),
            )),
        }
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

async fn write_batches(db: DatabaseConnection, mut pending: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let records = batch.iter().map(|p| p.record.clone()).collect();
        match insert(&db, records).await {
            Ok(()) => {
                for p in batch.drain(..) {
                    let _ = p.stored.send(Ok(()));
                }
            }
            // One bad record (its resident erased meanwhile) must not fail the others:
            // each is stored on its own, and each request learns its own outcome.
            Err(e) => {
                tracing::warn!(error = %e, records = batch.len(), "an access-record batch failed; storing one by one");
                for p in batch.drain(..) {
                    let result = insert(&db, vec![p.record]).await;
                    let _ = p.stored.send(result.map_err(|e| e.to_string()));
                }
            }
        }
    }
}
