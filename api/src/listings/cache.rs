//! A short-lived, in-process cache of published listings for the public reads
//! (`GET /api/v1/listings/{id_or_slug}` and the listing pages).
//!
//! Correctness rules:
//! - Only published listings are cached: they look the same to everybody, so no
//!   permission check is skipped by serving one from memory.
//! - Every state-changing request (anything but GET, HEAD and OPTIONS) clears the cache
//!   after its handler has returned, i.e. after its transaction committed and before
//!   the client sees the answer, so a writer always reads its own write.
//! - A read that raced with a clear does not store its result: entries carry the epoch
//!   they were read in, and [`ListingCache::put`] refuses a stale epoch.
//! - Writes by other processes (a second server, `import-osm`) are seen after at most
//!   the configured lifetime (`LISTING_CACHE_MS`, one second by default).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

use bytes::Bytes;

use super::model::{Listing, ListingStatus};
use super::service::ListingRecord;
use crate::web::json_body::PreJson;

/// The most listings kept; when full, the cache starts over.
const CAPACITY: usize = 20_000;

/// A listing as read from the database, with its API JSON made once on first use.
pub struct CachedListing {
    pub record: ListingRecord,
    json: OnceLock<Bytes>,
}

impl CachedListing {
    pub fn new(record: ListingRecord) -> CachedListing {
        CachedListing {
            record,
            json: OnceLock::new(),
        }
    }

    /// The body of `GET /api/v1/listings/{id}`.
    pub fn api_json(&self) -> PreJson<Listing> {
        let bytes = self
            .json
            .get_or_init(|| PreJson::new(&self.record.to_api()).bytes().clone());
        PreJson::from_bytes(bytes.clone())
    }
}

impl std::ops::Deref for CachedListing {
    type Target = ListingRecord;
    fn deref(&self) -> &ListingRecord {
        &self.record
    }
}

struct Entry {
    record: Arc<CachedListing>,
    loaded: Instant,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<Uuid, Entry>,
    by_slug: HashMap<String, Uuid>,
}

/// See the module documentation.
pub struct ListingCache {
    ttl: Duration,
    epoch: AtomicU64,
    inner: RwLock<Inner>,
}

impl ListingCache {
    /// A cache whose entries live `ttl`; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> ListingCache {
        ListingCache {
            ttl,
            epoch: AtomicU64::new(0),
            inner: RwLock::new(Inner::default()),
        }
    }

    /// The epoch to pass to [`ListingCache::put`]; read it before reading the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A fresh published listing by id or slug.
    pub fn get(&self, id_or_slug: &str) -> Option<Arc<CachedListing>> {
        if self.ttl.is_zero() {
            return None;
        }
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let id = match Uuid::parse_str(id_or_slug) {
            Ok(id) => id,
            Err(_) => *inner.by_slug.get(id_or_slug)?,
        };
        let entry = inner.by_id.get(&id)?;
        (entry.loaded.elapsed() < self.ttl).then(|| entry.record.clone())
    }

    /// Keeps a listing read in `epoch`, unless it is not published or the cache was
    /// cleared since.
    pub fn put(&self, epoch: u64, record: Arc<CachedListing>) {
        if self.ttl.is_zero() || record.model.status != ListingStatus::Published.as_str() {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        // Checked under the write lock: `clear` bumps the epoch while holding it.
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if inner.by_id.len() >= CAPACITY {
            *inner = Inner::default();
        }
        let id = record.model.id;
        if let Some(old) = inner.by_id.get(&id) {
            if old.record.model.slug != record.model.slug {
                let old_slug = old.record.model.slug.clone();
                inner.by_slug.remove(&old_slug);
            }
        }
        inner.by_slug.insert(record.model.slug.clone(), id);
        inner.by_id.insert(
            id,
            Entry {
                record,
                loaded: Instant::now(),
            },
        );
    }

    /// Forgets everything; reads in flight will not store what they read.
    pub fn clear(&self) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if !inner.by_id.is_empty() {
            *inner = Inner::default();
        }
    }

    /// How many listings are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_id
            .len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Like [`super::service::find`], but published listings come from `cache` when they
/// are there, and are put there when read.
pub async fn find_cached(
    cache: &ListingCache,
    db: &sea_orm::DatabaseConnection,
    city_id: Uuid,
    id_or_slug: &str,
) -> Result<Option<Arc<CachedListing>>, super::error::ListingError> {
    if let Some(rec) = cache.get(id_or_slug) {
        return Ok(Some(rec));
    }
    let epoch = cache.epoch();
    let Some(rec) = super::service::find(db, city_id, id_or_slug).await? else {
        return Ok(None);
    };
    let rec = Arc::new(CachedListing::new(rec));
    cache.put(epoch, rec.clone());
    Ok(Some(rec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use entities::listing;

    fn record(slug: &str, status: &str) -> Arc<CachedListing> {
        let now = Utc::now();
        Arc::new(CachedListing::new(ListingRecord {
            model: listing::Model {
                id: Uuid::now_v7(),
                city_id: Uuid::nil(),
                organization_id: None,
                kind: "business".into(),
                slug: slug.into(),
                status: status.into(),
                name_de: "A".into(),
                name_en: "A".into(),
                description_de: String::new(),
                description_en: String::new(),
                address_street: None,
                address_postcode: None,
                address_city: None,
                district: None,
                lat: None,
                lng: None,
                phone: None,
                email: None,
                website: None,
                wheelchair: None,
                languages: serde_json::json!([]),
                tags: serde_json::json!([]),
                opening_hours_osm: None,
                service_details: None,
                source: "manual".into(),
                suspended_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
                published_at: Some(now),
                search_name: None,
                search_text: None,
                review_terms: None,
                review_requested_at: None,
                review_note: None,
                approved_name: None,
            },
            categories: vec![],
            hours: Default::default(),
        }))
    }

    #[test]
    fn serves_published_by_id_and_slug_until_cleared() {
        let c = ListingCache::new(Duration::from_secs(60));
        let r = record("bakery", "published");
        c.put(c.epoch(), r.clone());
        assert_eq!(c.get("bakery").unwrap().model.id, r.model.id);
        assert_eq!(c.get(&r.model.id.to_string()).unwrap().model.slug, "bakery");
        c.clear();
        assert!(c.get("bakery").is_none() && c.is_empty());
    }

    #[test]
    fn never_keeps_drafts_or_suspended_listings() {
        let c = ListingCache::new(Duration::from_secs(60));
        for status in ["draft", "suspended"] {
            c.put(c.epoch(), record(status, status));
            assert!(c.get(status).is_none(), "{status}");
        }
        assert!(c.is_empty());
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_kept() {
        let c = ListingCache::new(Duration::from_secs(60));
        let epoch = c.epoch();
        c.clear(); // a write committed while the read was in flight
        c.put(epoch, record("stale", "published"));
        assert!(c.get("stale").is_none());
    }

    #[test]
    fn entries_expire_and_zero_turns_it_off() {
        let c = ListingCache::new(Duration::from_millis(30));
        c.put(c.epoch(), record("short", "published"));
        assert!(c.get("short").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.get("short").is_none());
        let off = ListingCache::new(Duration::ZERO);
        off.put(off.epoch(), record("off", "published"));
        assert!(off.get("off").is_none() && off.is_empty());
    }

    #[test]
    fn a_renamed_slug_no_longer_resolves() {
        let c = ListingCache::new(Duration::from_secs(60));
        let r = record("old-name", "published");
        c.put(c.epoch(), r.clone());
        let mut renamed = r.record.clone();
        renamed.model.slug = "new-name".into();
        c.put(c.epoch(), Arc::new(CachedListing::new(renamed)));
        assert!(c.get("old-name").is_none());
        assert!(c.get("new-name").is_some());
    }
}
