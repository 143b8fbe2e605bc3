//! Rebuilding the index with zero downtime: a fresh index is filled from the database
//! while the live one keeps answering, then the two are swapped atomically
//! (Meilisearch index swap) and the old one deleted. Changes made during the rebuild
//! are applied to the new live index afterwards, so none is lost.

use meilisearch_sdk::client::SwapIndexes;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::consumer::{ensure_index, load_sources_of, sync_listings, wait, Target};
use crate::document::ListingDocument;
use entities::{listing, outbox_event};

/// Documents sent per request.
pub const CHUNK: u64 = 1000;

/// What a reindex did.
#[derive(Debug, Clone)]
pub struct ReindexReport {
    pub documents: u64,
    pub caught_up: u64,
}

/// Rebuilds the index; `progress(done, total)` is called after every chunk.
pub async fn reindex(
    db: &DatabaseConnection,
    target: &Target,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<ReindexReport> {
    let client = &target.client;
    let live = target.index_uid.as_str();
    // Changes after this event are re-applied once the new index is live.
    let watermark: i32 = outbox_event::Entity::find()
        .select_only()
        .column_as(outbox_event::Column::Id.max(), "m")
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0);
    let total = listing::Entity::find()
        .filter(listing::Column::Status.eq("published"))
        .count(db)
        .await?;

    let fresh = format!("{live}_rebuild_{}", chrono::Utc::now().timestamp_millis());
    ensure_index(client, &fresh).await?;
    let index = client.index(&fresh);
    let today = target.today();
    let mut after: Option<Uuid> = None;
    let mut done = 0u64;
    let mut tasks = Vec::new();
    loop {
        let mut q = listing::Entity::find()
            .filter(listing::Column::Status.eq("published"))
            .order_by_asc(listing::Column::Id)
            .limit(CHUNK);
        if let Some(a) = after {
            q = q.filter(listing::Column::Id.gt(a));
        }
        let page = q.all(db).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let sources = load_sources_of(db, page).await?;
        let docs: Vec<ListingDocument> = sources
            .iter()
            .map(|s| ListingDocument::build(s, today))
            .collect();
        tasks.push(index.add_or_replace(&docs, Some("id")).await?);
        done += docs.len() as u64;
        progress(done, total.max(done));
    }
    // Tasks of one index run in order: the last one finishing means all did, but
    // check each so a failed chunk is reported.
    for task in tasks {
        wait(client, task).await?;
    }
    // The live index must exist for a swap.
    ensure_index(client, live).await?;
    let swap = SwapIndexes {
        indexes: (live.to_string(), fresh.clone()),
        rename: None,
    };
    wait(client, client.swap_indexes([&swap]).await?).await?;
    // `fresh` now holds the old documents.
    wait(client, client.delete_index(&fresh).await?).await?;

    // Catch up with what changed while the new index was being built.
    let changed: Vec<Uuid> = outbox_event::Entity::find()
        .select_only()
        .column(outbox_event::Column::AggregateId)
        .filter(outbox_event::Column::Id.gt(watermark))
        .filter(outbox_event::Column::AggregateType.eq("listing"))
        .distinct()
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    sync_listings(db, target, live, &changed).await?;
    Ok(ReindexReport {
        documents: done,
        caught_up: changed.len() as u64,
    })
}
