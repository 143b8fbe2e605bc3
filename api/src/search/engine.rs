//! Which engine answers a search: Meilisearch when configured and healthy, else the
//! database. A circuit breaker keeps a failing Meilisearch from slowing every search:
//! after an error or a slow answer, searches go to the database for a while, then
//! Meilisearch is tried again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::Notify;

use search_indexer::consumer::Target;
use search_indexer::document::slot_of;
use search_indexer::query::{SearchParams, SortBy};

use super::error::SearchError;
use super::service::{
    distance_m, search_db_with, FacetCount, Facets, Hit, SearchQuery, SearchResult, Sort,
};
use super::vocabulary::Vocabularies;
use crate::core::config::SearchConfig;
use crate::listings::model::ListingKind;
use sea_orm::DatabaseConnection;

use crate::core::city::CityCtx;

/// The longest a search waits for Meilisearch before the database answers instead.
pub const MEILI_TIMEOUT: Duration = Duration::from_millis(800);
/// How long searches skip Meilisearch after it failed.
pub const OPEN_FOR: Duration = Duration::from_secs(5);

/// The search side of the application state.
pub struct SearchEngine {
    /// The Meilisearch index, when `MEILI_URL` is set.
    pub meili: Option<Target>,
    /// Wakes the in-server indexer after a write.
    pub wake: Arc<Notify>,
    /// The words of the cities' listings, for the database search's typo corrections.
    pub words: Vocabularies,
    open_until: Mutex<Option<Instant>>,
    last_error: Mutex<Option<String>>,
}

impl SearchEngine {
    pub fn from_config(
        config: &SearchConfig,
        timezone: chrono_tz::Tz,
    ) -> anyhow::Result<SearchEngine> {
        use secrecy::ExposeSecret;
        let meili = match &config.meili_url {
            Some(url) => Some(Target::new(
                url.as_str().trim_end_matches('/'),
                config.meili_api_key.as_ref().map(|k| k.expose_secret()),
                &config.meili_index,
                timezone,
            )?),
            None => None,
        };
        Ok(SearchEngine {
            meili,
            wake: Arc::new(Notify::new()),
            words: Vocabularies::default(),
            open_until: Mutex::new(None),
            last_error: Mutex::new(None),
        })
    }

    /// Whether searches currently skip Meilisearch, and why.
    pub fn breaker(&self) -> Option<String> {
        let open = self
            .open_until
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| Instant::now() < t);
        open.then(|| {
            self.last_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .unwrap_or_default()
        })
    }

    fn trip(&self, error: String) {
        tracing::warn!(%error, "Meilisearch failed; searching the database for a while");
        *self.open_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + OPEN_FOR);
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    fn reset(&self) {
        *self.open_until.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Answers a search from Meilisearch, or from the database when it is not
    /// configured, failing, or too slow.
    pub async fn search(
        &self,
        db: &DatabaseConnection,
        city: &CityCtx,
        q: &SearchQuery,
    ) -> Result<SearchResult, SearchError> {
        if let Some(target) = &self.meili {
            if self.breaker().is_none() {
                let params = params(city.timezone, q);
                let answer = tokio::time::timeout(
                    MEILI_TIMEOUT,
                    search_indexer::search::search(&target.client, &target.index_uid, &params),
                )
                .await;
                match answer {
                    Ok(Ok(r)) => {
                        self.reset();
                        return Ok(from_meili(q, r));
                    }
                    Ok(Err(e)) => self.trip(e.to_string()),
                    Err(_) => {
                        self.trip(format!("no answer within {} ms", MEILI_TIMEOUT.as_millis()))
                    }
                }
            }
        }
        search_db_with(db, city.id, city.timezone, q, &self.words).await
    }
}

fn params(tz: chrono_tz::Tz, q: &SearchQuery) -> SearchParams {
    let now = Utc::now().with_timezone(&tz).naive_local();
    SearchParams {
        hits_only: q.hits_only,
        q: q.q.clone(),
        kind: q.kind.map(ListingKind::as_str),
        category: q.category.clone(),
        district: q.district.clone(),
        open_now: q.open_now,
        open_slot: Some(slot_of(now)),
        wheelchair: q.wheelchair,
        near: q.near.map(|p| (p.lat, p.lng)),
        radius_m: q.radius_m,
        sort: match q.sort {
            Sort::Relevance => SortBy::Relevance,
            Sort::Distance => SortBy::Distance,
            Sort::Name => SortBy::Name,
        },
        locale: q.locale.as_str(),
        offset: q.offset as usize,
        limit: q.limit as usize,
    }
}

fn counts(v: Vec<(String, u64)>) -> Vec<FacetCount> {
    v.into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}

fn from_meili(q: &SearchQuery, r: search_indexer::search::MeiliResults) -> SearchResult {
    let hits = r
        .hits
        .into_iter()
        .map(|h| {
            let d = h.doc;
            let location = d.geo.map(|g| (g.lat, g.lng));
            Hit {
                id: d.id,
                slug: d.slug,
                kind: if d.kind == "municipal_service" {
                    "municipal_service"
                } else {
                    "business"
                },
                name: h.name.text,
                name_highlights: h.name.ranges,
                snippet: h.snippet.text,
                snippet_highlights: h.snippet.ranges,
                categories: d.categories,
                district: d.district,
                street: d.street,
                wheelchair: d.wheelchair,
                distance_m: q.near.zip(location).map(|(p, loc)| distance_m(p, loc)),
                location,
            }
        })
        .collect();
    SearchResult {
        hits,
        total: r.estimated_total,
        facets: Facets {
            kind: counts(r.kind),
            category: counts(r.categories),
            district: counts(r.district),
            open_now: r.open_now,
            wheelchair: r.wheelchair,
        },
        engine: "meilisearch",
    }
}
