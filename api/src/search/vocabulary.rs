//! The words of a city's published listings, for the typo corrections of the database
//! search: a word of five or more letters that is one typo away from one of them (or
//! from the beginning of one) is searched as that word too.
//!
//! Each server process keeps them in memory, one set per city. The first search that
//! needs them reads the search text of every listing of the city; a later one reads
//! only the listings changed since (by `updated_at`, indexed), and only when the words
//! are older than their lifetime (the listing cache's, `LISTING_CACHE_MS`) or this
//! process has handled a write request since they were read ([`Vocabularies::changed`],
//! called where the listing cache is cleared): a listing saved through this server is
//! corrected towards at the next search, one saved by another process within the
//! lifetime. Changes are read again for [`LOOKBACK`] before the previous read, for a
//! transaction that commits a little after another, later one, or a server whose clock
//! is a little behind. Words of listings that are deleted or no longer published stay
//! until the process restarts: a correction towards them finds nothing more than the
//! word itself would.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use search_indexer::text::{typo_prefix, within_one_edit};

use entities::listing;

/// Words shorter than this are not kept: a typed word of five letters with one typo is
/// at least four.
const MIN_LEN: usize = 4;

/// How long before the previous read a change is read again.
pub const LOOKBACK: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// A set of words with the number of texts each was added from.
#[derive(Clone, Debug, Default)]
pub struct Words {
    counts: HashMap<String, u32>,
}

/// A word one typo away from a typed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    pub text: String,
    /// Whether it is a whole word (else the beginning of longer words).
    pub whole: bool,
    /// How many texts have it (the words it begins, summed).
    pub count: u32,
}

impl Words {
    /// Adds one folded word (ignored when short or not a word).
    pub fn add(&mut self, word: &str) {
        if word.len() >= MIN_LEN && word.bytes().all(|b| b.is_ascii_alphanumeric()) {
            *self.counts.entry(word.to_string()).or_default() += 1;
        }
    }

    /// Adds the words of a stored search text, each once.
    pub fn add_text(&mut self, search_text: &str) {
        let mut seen: Vec<&str> = search_text.split(' ').collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            self.add(w);
        }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The words one typo away from `typed`, and the beginnings of longer words one typo
    /// away from it; none that contains `typed` itself (the word as typed finds those).
    pub fn corrections(&self, typed: &str) -> Vec<Correction> {
        let mut found: HashMap<(&str, bool), u32> = HashMap::new();
        let n = typed.len();
        for (w, &count) in &self.counts {
            if w.len() + 1 < n {
                continue;
            }
            let fix = if within_one_edit(typed, w) {
                (w.as_str(), true)
            } else if let Some(p) = typo_prefix(typed, w) {
                (p, false)
            } else {
                continue;
            };
            if !w.contains(typed) {
                *found.entry(fix).or_default() += count;
            }
        }
        found
            .into_iter()
            .map(|((text, whole), count)| Correction {
                text: text.to_string(),
                whole,
                count,
            })
            .collect()
    }
}

/// The words of each city, kept up to date.
pub struct Vocabularies {
    cities: std::sync::Mutex<HashMap<Uuid, Arc<CityWords>>>,
    /// How long words read stay current without a write request of this process.
    lifetime: Duration,
    /// How many write requests this process has handled.
    writes: AtomicU64,
}

impl Default for Vocabularies {
    /// Words read anew for every search that needs them.
    fn default() -> Self {
        Vocabularies::new(Duration::ZERO)
    }
}

/// The words of one city.
#[derive(Default)]
pub struct CityWords {
    words: RwLock<Words>,
    seen: tokio::sync::Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// Whether every listing has been read once.
    built: bool,
    /// The newest `updated_at` read.
    newest: Option<DateTime<Utc>>,
    /// When the last read began (this process's clocks), and the number of write
    /// requests handled before it.
    last_read: Option<(Instant, DateTime<Utc>, u64)>,
}

impl CityWords {
    /// The words as they are now.
    pub fn read(&self) -> RwLockReadGuard<'_, Words> {
        self.words.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Vocabularies {
    /// Words that stay current for `lifetime` unless this process handles a write
    /// request ([`Vocabularies::changed`]); zero reads the changes for every search.
    pub fn new(lifetime: Duration) -> Vocabularies {
        Vocabularies {
            cities: Default::default(),
            lifetime,
            writes: AtomicU64::new(0),
        }
    }

    /// Says that this process has handled a request that may have changed listings
    /// (after its transaction committed): the next search reads the changes.
    pub fn changed(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// The words of a city, after reading the listings changed since the last read
    /// when the words are older than their lifetime or this process wrote since.
    pub async fn of(
        &self,
        db: &DatabaseConnection,
        city_id: Uuid,
    ) -> Result<Arc<CityWords>, DbErr> {
        let city = self
            .cities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(city_id)
            .or_default()
            .clone();
        // Read before the database is: a write request that ends meanwhile makes the
        // next search read again.
        let writes = self.writes.load(Ordering::Acquire);
        // One reader at a time per city; the others wait for its words.
        let mut seen = city.seen.lock().await;
        let current = seen.last_read.is_some_and(|(at, _, before)| {
            seen.built && before == writes && at.elapsed() < self.lifetime
        });
        if current {
            drop(seen);
            return Ok(city);
        }
        let started = (Instant::now(), Utc::now());
        let mut find = listing::Entity::find()
            .select_only()
            .column(listing::Column::Status)
            .column(listing::Column::UpdatedAt)
            .column(listing::Column::SearchText);
        if let (true, Some(newest), Some((_, previous, _))) =
            (seen.built, seen.newest, seen.last_read)
        {
            find = find.filter(listing::Column::UpdatedAt.gt(newest.min(previous - LOOKBACK)));
            // The changed listings through `ix_listings_updated_at`: on SQLite the
            // unary + keeps the planner off the indexes that begin with the city
            // (through which it would read every listing of the city, one city being
            // all of them, when it has no statistics of them).
            find = if db.get_database_backend() == DbBackend::Sqlite {
                find.filter(Expr::cust_with_values(
                    r#"+"listings"."city_id" = ?"#,
                    [city_id],
                ))
            } else {
                find.filter(listing::Column::CityId.eq(city_id))
            };
        } else {
            find = find.filter(listing::Column::CityId.eq(city_id));
        }
        let rows: Vec<(String, DateTime<Utc>, Option<String>)> = find.into_tuple().all(db).await?;
        if !rows.is_empty() {
            let mut words = city.words.write().unwrap_or_else(|e| e.into_inner());
            for (status, updated, text) in &rows {
                if status == "published" {
                    if let Some(t) = text {
                        words.add_text(t);
                    }
                }
                seen.newest = seen.newest.max(Some(*updated));
            }
        }
        seen.built = true;
        seen.last_read = Some((started.0, started.1, writes));
        drop(seen);
        Ok(city)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_once_per_text() {
        let mut w = Words::default();
        w.add_text(" fitness fitness studio | gym | x ab 1234 ");
        w.add_text(" fitness | | ");
        assert_eq!(w.counts["fitness"], 2);
        assert_eq!(w.counts["studio"], 1);
        assert_eq!(w.counts["1234"], 1);
        assert!(
            !w.counts.contains_key("gym"),
            "too short to correct towards"
        );
        assert!(!w.counts.contains_key("|"));
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn corrections_are_one_typo_away() {
        let mut w = Words::default();
        for t in [
            " fitness fitnessstudio kahvila kahvilan ",
            " fitness burgeramt ",
            " fitnessx fitnes ",
        ] {
            w.add_text(t);
        }
        let mut c = w.corrections("fitnss");
        c.sort_by_key(|x| (x.text.clone(), x.whole));
        assert_eq!(
            c,
            vec![
                Correction {
                    text: "fitnes".into(),
                    whole: true,
                    count: 1
                },
                // The beginning of "fitnessstudio" and "fitnessx".
                Correction {
                    text: "fitness".into(),
                    whole: false,
                    count: 2
                },
                Correction {
                    text: "fitness".into(),
                    whole: true,
                    count: 2
                },
            ]
        );
        let c = w.corrections("kahvilla");
        assert!(c.contains(&Correction {
            text: "kahvila".into(),
            whole: true,
            count: 1
        }));
        // Words containing the typed one are no corrections: it finds them itself.
        assert!(w
            .corrections("fitness")
            .iter()
            .all(|c| !c.text.contains("fitness")));
        assert!(w.corrections("zzzzzz").is_empty());
    }
}
