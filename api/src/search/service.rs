//! The database engine of the search: the same typed query the Meilisearch engine will
//! answer, with filters, facet counts and sorting, on SQLite and PostgreSQL. Its words
//! ([`super::plan`]: folded, with synonyms and one typo forgiven in a long word) are
//! found through the trigram indexes and ranked here in Rust, so that both databases
//! give the same results in the same order.

use chrono::{Datelike, Timelike, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, Func, Order, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, TransactionTrait,
};
use uuid::Uuid;

use super::error::SearchError;
use super::plan::{Plan, Score};
use super::text::{highlight, snippet};
use super::vocabulary::Vocabularies;
use crate::core::locale::Locale;
use crate::listings::model::{GeoPoint, ListingKind, LocalizedText};
use crate::listings::service::fold_search;
use entities::{listing, listing_category, opening_hours_exception, opening_hours_rule};

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// The best matches first (see [`Score`]): in the name before the category labels
    /// and tags before the description, whole words before beginnings before the
    /// inside of words, exact words before typo corrections; equal ones by name.
    /// Without words: by name.
    #[default]
    Relevance,
    /// Nearest first; needs `near`.
    Distance,
    /// Alphabetical.
    Name,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "distance" => Some(Sort::Distance),
            "name" => Some(Sort::Name),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Distance => "distance",
            Sort::Name => "name",
        }
    }
}

/// A validated search.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    pub q: String,
    pub kind: Option<ListingKind>,
    pub category: Option<String>,
    pub district: Option<String>,
    pub open_now: bool,
    pub wheelchair: bool,
    pub near: Option<GeoPoint>,
    /// Only with `near`: at most this far, in metres.
    pub radius_m: Option<u32>,
    pub sort: Sort,
    pub locale: Locale,
    pub offset: u64,
    pub limit: u64,
    /// Type-ahead: the hits only, without total, facet counts or snippets.
    pub hits_only: bool,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            q: String::new(),
            kind: None,
            category: None,
            district: None,
            open_now: false,
            wheelchair: false,
            near: None,
            radius_m: None,
            sort: Sort::Relevance,
            locale: Locale::De,
            offset: 0,
            limit: 20,
            hits_only: false,
        }
    }
}

/// One result.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Hit {
    pub id: Uuid,
    pub slug: String,
    pub kind: &'static str,
    pub name: String,
    /// Character ranges of `name` that matched the query.
    pub name_highlights: Vec<(usize, usize)>,
    pub snippet: String,
    pub snippet_highlights: Vec<(usize, usize)>,
    pub categories: Vec<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub wheelchair: Option<String>,
    pub location: Option<(f64, f64)>,
    pub distance_m: Option<f64>,
}

/// A facet value and how many results have it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts of the current results by facet.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub category: Vec<FacetCount>,
    pub district: Vec<FacetCount>,
    pub open_now: u64,
    pub wheelchair: u64,
}

/// Results of a search.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: u64,
    pub facets: Facets,
    /// Which engine answered: `database` or `meilisearch`.
    pub engine: &'static str,
}

const METRES_PER_DEGREE: f64 = 111_320.0;

/// The words of a query, folded as the stored search text is; at most 8, so a pasted
/// essay stays cheap.
pub fn tokens(q: &str) -> Vec<String> {
    super::plan::words(q)
}

/// Squared distance in "metres at this latitude" units, as SQL over the listing's
/// `lat`/`lng`; an equirectangular approximation, accurate to well under 1% within a city.
fn distance_sq_expr(p: GeoPoint) -> SimpleExpr {
    let k = p.lat.to_radians().cos();
    // Built from expression nodes (not custom SQL) so the values stay bound wherever
    // the expression is used, ORDER BY included.
    let dlat = || Expr::col((listing::Entity, listing::Column::Lat)).sub(p.lat);
    let dlng = || {
        Expr::col((listing::Entity, listing::Column::Lng))
            .sub(p.lng)
            .mul(k)
    };
    dlat().mul(dlat()).add(dlng().mul(dlng()))
}

/// Distance in metres between two points (for display, same approximation).
pub fn distance_m(a: GeoPoint, b: (f64, f64)) -> f64 {
    let k = a.lat.to_radians().cos();
    let dlat = b.0 - a.lat;
    let dlng = (b.1 - a.lng) * k;
    (dlat * dlat + dlng * dlng).sqrt() * METRES_PER_DEGREE
}

/// Whether a listing is open at `now` (local time): an exception of that day says it
/// is open at that minute, or, without an exception that day, a rule of that weekday
/// does. Each side is a set of listing ids read once per statement (uncorrelated
/// subqueries: SQLite builds an ephemeral index of each, PostgreSQL a hashed subplan),
/// not two lookups for every listing tested: a search matching 20,000 listings counts
/// the open ones without 40,000 index probes. The rules of a weekday and time are read
/// through `ix_opening_hours_rules_weekday` (migration 24).
fn open_now_condition(now: chrono::NaiveDateTime) -> Condition {
    let today = now.date();
    let hhmm = format!("{:02}:{:02}", now.hour(), now.minute());
    let weekday = now.weekday().num_days_from_monday() as i16;
    let exceptions_today = || {
        Query::select()
            .column(opening_hours_exception::Column::ListingId)
            .from(opening_hours_exception::Entity)
            .and_where(Expr::col(opening_hours_exception::Column::Date).eq(today))
            .to_owned()
    };
    let open_by_exception = exceptions_today()
        .and_where(Expr::col(opening_hours_exception::Column::Closed).eq(false))
        .and_where(Expr::col(opening_hours_exception::Column::Opens).lte(hhmm.clone()))
        .and_where(Expr::col(opening_hours_exception::Column::Closes).gt(hhmm.clone()))
        .to_owned();
    let open_by_rule = Query::select()
        .column(opening_hours_rule::Column::ListingId)
        .from(opening_hours_rule::Entity)
        .and_where(Expr::col(opening_hours_rule::Column::Weekday).eq(weekday))
        .and_where(Expr::col(opening_hours_rule::Column::Opens).lte(hhmm.clone()))
        .and_where(Expr::col(opening_hours_rule::Column::Closes).gt(hhmm))
        .to_owned();
    let id = || Expr::col((listing::Entity, listing::Column::Id));
    Condition::any()
        .add(id().in_subquery(open_by_exception))
        .add(
            Condition::all()
                .add(id().in_subquery(open_by_rule))
                .add(id().not_in_subquery(exceptions_today())),
        )
}

/// Texts this long and longer are looked up in the trigram index `listings_fts` on
/// SQLite (the trigram tokenizer finds nothing shorter), and on PostgreSQL only through
/// its trigram index `ix_listings_search_text_trgm` when ranked.
pub const FTS_MIN_WORD: usize = 3;

/// How the listings with the query's words are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordIndex {
    /// `LIKE`, through whatever index the database chooses (PostgreSQL: the trigram
    /// index or the city's listings).
    Like,
    /// SQLite's trigram index `listings_fts`.
    SqliteFts,
    /// PostgreSQL, the words' ranked matches: through the trigram index alone. The
    /// planner, which counts a `LIKE` as cheap as an equality, reads a city of a few
    /// thousand listings whole and tests every pattern of every word against each
    /// (10 ms for the demo city's 1,453 and a word with its 8 corrections, against
    /// 1 ms through the index); the city and the status are therefore compared in a
    /// form no index serves, and the statement runs with sequential scans off (see
    /// [`trigram_only`]).
    PgTrigram,
}

/// Whether every word of the plan can be found through a trigram index: there are
/// words, and all their texts are [`FTS_MIN_WORD`] or more characters long (a shorter
/// one has no trigram to look up).
pub fn trigram_only(plan: &Plan) -> bool {
    !plan.clauses.is_empty()
        && plan
            .clauses
            .iter()
            .all(|c| c.texts().iter().all(|t| t.len() >= FTS_MIN_WORD))
}

/// Whether the SQLite of this process has FTS5 with the trigram tokenizer, that is,
/// whether the migrations created `listings_fts` (they run before the server answers).
async fn sqlite_fts(db: &DatabaseConnection) -> Result<bool, SearchError> {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(false);
    }
    if let Some(v) = AVAILABLE.get() {
        return Ok(*v);
    }
    let v = migration::sqlite_fts5_trigram(db).await?;
    Ok(*AVAILABLE.get_or_init(|| v))
}

/// SQLite: checks that `listings_fts` still points at the right listings (FTS5's
/// integrity check against its content table, `listings` by rowid) and rebuilds it when
/// it does not, as after a `VACUUM` that renumbered the listings' rows. Returns whether
/// it rebuilt. It reads every listing and, being a write to SQLite, holds the write lock
/// meanwhile: about 2 s for 100,000 listings, during which writes wait (SQLite's busy
/// timeout is 10 s). The server runs it in the background after starting.
pub async fn repair_fts(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    if !migration::sqlite_fts5_trigram(db).await? {
        return Ok(false);
    }
    let check = db
        .execute_unprepared(
            "INSERT INTO listings_fts(listings_fts, rank) VALUES ('integrity-check', 1)",
        )
        .await;
    let Err(e) = check else {
        return Ok(false);
    };
    // Only a mismatch is rebuilt (SQLITE_CORRUPT_VTAB); any other failure, such as a
    // busy database, is reported.
    if !sqlite_code_is(&e, "267") {
        return Err(e);
    }
    tracing::warn!(error = %e, "the full-text index of the listings does not match them; rebuilding it");
    db.execute_unprepared("INSERT INTO listings_fts(listings_fts) VALUES ('rebuild')")
        .await?;
    Ok(true)
}

/// SQLite: merges the segments of `listings_fts` into one, after a bulk load has left
/// many (one per transaction, merged only in part as they come): every word looked up
/// in it reads each segment, so a search after the demo city's import took two to four
/// times as long. Like a rebuild it holds the write lock while it runs (well under a
/// second for the demo city). Nothing on PostgreSQL or where the index is not (yet).
pub async fn optimize_fts(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let exists = db
        .query_one(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'listings_fts'",
        ))
        .await?
        .is_some();
    if exists {
        db.execute_unprepared("INSERT INTO listings_fts(listings_fts) VALUES ('optimize')")
            .await?;
    }
    Ok(())
}

/// Whether a database error carries this (extended) SQLite result code.
fn sqlite_code_is(e: &sea_orm::DbErr, code: &str) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(d)))
        | DbErr::Query(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(d))) => {
            d.code().as_deref() == Some(code)
        }
        _ => false,
    }
}

/// The WHERE clause of a search: published listings of the city matching every clause
/// of the plan (any of its patterns: a stored search text containing it) and every
/// filter. With [`WordIndex::SqliteFts`] (SQLite with `listings_fts`), clauses whose
/// texts are all of [`FTS_MIN_WORD`] or more characters are looked up in the trigram
/// index, which finds the same listings as `LIKE '%text%'`: a phrase of trigrams
/// matches exactly where the text occurs (both sides are folded to lower-case
/// `[a-z0-9 |]`). With [`WordIndex::PgTrigram`] and a plan whose words are all long
/// enough ([`trigram_only`]), the city and the status are compared in a form no index
/// of the city's listings serves (`ix_listings_search_facets` begins with the status),
/// so that the words' trigram index is the only way in.
pub fn condition(
    backend: DbBackend,
    city_id: Uuid,
    q: &SearchQuery,
    plan: &Plan,
    now_local: chrono::NaiveDateTime,
    index: WordIndex,
) -> Condition {
    let fts = index == WordIndex::SqliteFts;
    let mut c = Condition::all();
    let mut indexed: Vec<String> = Vec::new();
    for clause in &plan.clauses {
        let patterns = clause.patterns();
        // Patterns are folded to [a-z0-9 ]: no LIKE wildcards come from user text.
        let like = || {
            patterns.iter().fold(Condition::any(), |any, p| {
                any.add(listing::Column::SearchText.like(format!("%{p}%")))
            })
        };
        let texts = clause.texts();
        if fts && texts.iter().all(|t| t.len() >= FTS_MIN_WORD) {
            // The index finds the listings containing any of the texts, each as a
            // quoted string ([a-z0-9 ] only; the whole query is a bound value); where a
            // form must be a word or a word's beginning, LIKE keeps those of them that
            // have it so.
            let any: Vec<String> = texts.iter().map(|t| format!("\"{t}\"")).collect();
            indexed.push(format!("({})", any.join(" OR ")));
            if patterns != texts {
                c = c.add(like());
            }
        } else {
            c = c.add(like());
        }
    }
    if index == WordIndex::PgTrigram && trigram_only(plan) {
        c = c
            .add(Expr::cust_with_values(
                r#"("listings"."city_id" = $1) IS TRUE"#,
                [city_id],
            ))
            .add(Expr::cust(r#"("listings"."status" = 'published') IS TRUE"#));
    } else if indexed.is_empty() && !(fts && q.category.is_some()) {
        c = c
            .add(listing::Column::CityId.eq(city_id))
            .add(listing::Column::Status.eq("published"));
    } else {
        // The listings the index found are read by rowid; the unary + keeps SQLite
        // from reading every published listing of the city through its index instead
        // and testing each against the index's answer (all 100,000 of them for a word
        // that only a few hundred have). The same for a category without words: its
        // listings are read by their ids (from the categories' index), not by
        // scanning the city's listings for them.
        if !indexed.is_empty() {
            c = c.add(Expr::cust_with_values(
                r#""listings"."rowid" IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)"#,
                [indexed.join(" AND ")],
            ));
        }
        c = c
            .add(Expr::cust_with_values(
                r#"+"listings"."city_id" = ?"#,
                [city_id],
            ))
            .add(Expr::cust(r#"+"listings"."status" = 'published'"#));
    }
    if let Some(kind) = q.kind {
        c = c.add(listing::Column::Kind.eq(kind.as_str()));
    }
    if let Some(district) = &q.district {
        c = c.add(listing::Column::District.eq(district.as_str()));
    }
    if let (Some(category), DbBackend::Postgres) = (&q.category, backend) {
        // The category's listings by their ids: the keys of the category and those
        // below it from the categories (a few dozen; `listing_categories` refers to
        // them), their listings through the index of the keys, then each listing by
        // its primary key. Written as `IN (SELECT ...)` PostgreSQL reads every listing
        // of the city and joins (it prices the open-now sets as built again for every
        // listing it would look up): 150-220 ms for each of a search's three
        // statements at 100,000 listings, against 55-90 ms for a category of a few
        // thousand (the same for the largest, 30,000).
        c = c.add(Expr::cust_with_values(
            r#""listings"."id" = ANY(ARRAY(SELECT "listing_id" FROM "listing_categories" WHERE "category_key" IN (SELECT "key" FROM "categories" WHERE "key" = $1 OR "key" LIKE $2)))"#,
            [category.clone(), format!("{category}.%")],
        ));
    } else if let Some(category) = &q.category {
        let sub = Query::select()
            .column(listing_category::Column::ListingId)
            .from(listing_category::Entity)
            .cond_where(
                Condition::any()
                    .add(Expr::col(listing_category::Column::CategoryKey).eq(category.as_str()))
                    .add(
                        Expr::col(listing_category::Column::CategoryKey)
                            .like(format!("{category}.%")),
                    ),
            )
            .to_owned();
        c = c.add(listing::Column::Id.in_subquery(sub));
    }
    if q.wheelchair {
        c = c.add(listing::Column::Wheelchair.eq("yes"));
    }
    if q.open_now {
        c = c.add(open_now_condition(now_local));
    }
    if let (Some(p), Some(r)) = (q.near, q.radius_m) {
        let deg = r as f64 / METRES_PER_DEGREE;
        // The box around the circle first (plain comparisons of a column), so that
        // only the listings inside it have their distance computed.
        let deg_lng = deg / p.lat.to_radians().cos().max(1e-6);
        c = c
            .add(listing::Column::Lat.between(p.lat - deg, p.lat + deg))
            .add(listing::Column::Lng.between(p.lng - deg_lng, p.lng + deg_lng))
            .add(Expr::expr(distance_sq_expr(p)).lte(deg * deg));
    }
    c
}

/// A match as the ranking reads it, with what the counts by kind, district, open now
/// and wheelchair need.
#[derive(Debug, sea_orm::FromQueryResult)]
struct Match {
    id: Uuid,
    slug: String,
    name_de: String,
    name_en: String,
    search_text: Option<String>,
    kind: String,
    district: Option<String>,
    wheelchair: Option<String>,
    open_now: i32,
    /// Its category keys, separated by spaces.
    categories: Option<String>,
}

/// What [`ranked_matches`] found: the ids of the first matches, best first, and the
/// counts of all.
struct Ranked {
    /// The first `offset + limit`.
    ids: Vec<Uuid>,
    groups: Vec<Group>,
    /// Category keys and how many matches have each, most first (equal counts by key),
    /// at most [`CATEGORY_FACETS`].
    categories: Vec<(String, i64)>,
}

/// The most category values counted.
const CATEGORY_FACETS: u64 = 40;

/// Every match of `cond` (one read of the listings, the trigram index asked once),
/// ranked by how well it matches the plan ([`Plan::score`]); equal scores by the folded
/// name in the language `l`, then by slug (unique in the city), so that SQLite and
/// PostgreSQL (whatever their collations) give the same order. With the counts the
/// facets need (categories unless `hits_only`), as the grouped queries of the other
/// orders give them.
async fn ranked_matches(
    db: &impl ConnectionTrait,
    cond: Condition,
    plan: &Plan,
    l: &str,
    open_now: SimpleExpr,
    hits_only: bool,
    first: usize,
) -> Result<Ranked, SearchError> {
    // Each match's categories, in the same read.
    let categories: SimpleExpr = if hits_only {
        Expr::cust("NULL")
    } else if db.get_database_backend() == DbBackend::Postgres {
        Expr::cust(
            r#"(SELECT string_agg("category_key", ' ') FROM "listing_categories" WHERE "listing_categories"."listing_id" = "listings"."id")"#,
        )
    } else {
        Expr::cust(
            r#"(SELECT group_concat("category_key", ' ') FROM "listing_categories" WHERE "listing_categories"."listing_id" = "listings"."id")"#,
        )
    };
    let rows: Vec<Match> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Slug)
        .column(listing::Column::NameDe)
        .column(listing::Column::NameEn)
        .column(listing::Column::SearchText)
        .column(listing::Column::Kind)
        .column(listing::Column::District)
        .column(listing::Column::Wheelchair)
        .column_as(open_now, "open_now")
        .column_as(categories, "categories")
        .filter(cond)
        .into_model()
        .all(db)
        .await?;
    let mut groups: std::collections::BTreeMap<(String, Option<String>), (i64, i64, i64)> =
        Default::default();
    let mut categories: std::collections::HashMap<String, i64> = Default::default();
    let mut ranked: Vec<(Score, String, String, Uuid)> = Vec::with_capacity(rows.len());
    for m in rows {
        let g = groups.entry((m.kind, m.district)).or_default();
        g.0 += 1;
        g.1 += i64::from(m.open_now != 0);
        g.2 += i64::from(m.wheelchair.as_deref() == Some("yes"));
        for key in m.categories.as_deref().unwrap_or_default().split(' ') {
            if !key.is_empty() {
                *categories.entry(key.to_string()).or_default() += 1;
            }
        }
        let name = LocalizedText {
            de: m.name_de,
            en: m.name_en,
        };
        let name = if name.get(l) == name.en {
            name.en
        } else {
            name.de
        };
        ranked.push((
            plan.score(m.search_text.as_deref().unwrap_or_default()),
            name,
            m.slug,
            m.id,
        ));
    }
    let ids = best_first(ranked, first);
    let mut categories: Vec<(String, i64)> = categories.into_iter().collect();
    categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    categories.truncate(CATEGORY_FACETS as usize);
    Ok(Ranked {
        ids,
        groups: groups
            .into_iter()
            .map(|((kind, district), (n, open, wheelchair))| (kind, district, n, open, wheelchair))
            .collect(),
        categories,
    })
}

/// The ids of the `first` best of these matches (score, name, slug, id), in order: by
/// score, equal scores by the folded name, then by slug. Only the matches that can be
/// among the first are sorted and have their names folded: a word found in 15,000
/// listings orders a page of them, not all.
fn best_first(mut ranked: Vec<(Score, String, String, Uuid)>, first: usize) -> Vec<Uuid> {
    if first == 0 {
        return Vec::new();
    }
    if ranked.len() > first {
        // The score of the first-th best: every match scoring better, and every one
        // scoring the same (their names decide), may be among the first.
        let (_, nth, _) = ranked.select_nth_unstable_by_key(first - 1, |r| r.0);
        let limit = nth.0;
        ranked.retain(|r| r.0 <= limit);
    }
    let mut keyed: Vec<(Score, String, String, Uuid)> = ranked
        .into_iter()
        .map(|(score, name, slug, id)| (score, fold_search(&name), slug, id))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().take(first).map(|r| r.3).collect()
}

/// The listings of these ids, in this order, each with its category keys in the
/// owner's order (none with `hits_only`): one statement.
async fn in_order(
    db: &DatabaseConnection,
    ids: &[Uuid],
    hits_only: bool,
) -> Result<Vec<(listing::Model, Vec<String>)>, SearchError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut find = listing::Entity::find().filter(listing::Column::Id.is_in(ids.to_vec()));
    if !hits_only {
        // Keys hold no spaces (`food.cafe`).
        find = find.column_as(
            Expr::cust(match db.get_database_backend() {
                DbBackend::Postgres => {
                    r#"(SELECT string_agg("category_key", ' ' ORDER BY "position", "category_key") FROM "listing_categories" WHERE "listing_categories"."listing_id" = "listings"."id")"#
                }
                _ => {
                    r#"(SELECT group_concat("category_key", ' ' ORDER BY "position", "category_key") FROM "listing_categories" WHERE "listing_categories"."listing_id" = "listings"."id")"#
                }
            }),
            "categories",
        );
    }
    let rows = db.query_all(find.build(db.get_database_backend())).await?;
    let mut listings = Vec::with_capacity(rows.len());
    for row in rows {
        let model = listing::Model::from_query_result(&row, "")?;
        let categories: Option<String> = if hits_only {
            None
        } else {
            row.try_get("", "categories")?
        };
        let categories = categories
            .unwrap_or_default()
            .split(' ')
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect();
        listings.push((model, categories));
    }
    listings.sort_by_key(|(m, _)| ids.iter().position(|id| *id == m.id));
    Ok(listings)
}

/// One group of the matches by kind and district, with how many of them are open now
/// and wheelchair accessible.
type Group = (String, Option<String>, i64, i64, i64);

/// The counts of one facet from the groups: by count, most first (equal counts by
/// value), at most `limit` values, as `ORDER BY n DESC LIMIT limit` would give them; a
/// missing value takes its place in the order but is not listed.
fn facet<'a>(
    groups: impl Iterator<Item = (Option<&'a str>, i64)>,
    limit: usize,
) -> Vec<FacetCount> {
    let mut by_value: std::collections::BTreeMap<Option<&str>, i64> = Default::default();
    for (value, n) in groups {
        *by_value.entry(value).or_default() += n;
    }
    let mut counts: Vec<(Option<&str>, i64)> = by_value.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .into_iter()
        .take(limit)
        .filter_map(|(v, n)| {
            v.map(|value| FacetCount {
                value: value.to_string(),
                count: n as u64,
            })
        })
        .collect()
}

/// `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`: how many rows of a group meet `cond`.
fn count_where(cond: impl sea_orm::sea_query::IntoCondition) -> SimpleExpr {
    let case: SimpleExpr = Expr::case(cond, 1).finally(0).into();
    Func::sum(case).into()
}

/// Answers a search from the database, with the city's words read anew for this one
/// search (see [`search_db_with`]).
pub async fn search_db(
    db: &DatabaseConnection,
    city_id: Uuid,
    tz: chrono_tz::Tz,
    q: &SearchQuery,
) -> Result<SearchResult, SearchError> {
    search_db_with(db, city_id, tz, q, &Vocabularies::default()).await
}

/// Answers a search from the database; `words` keeps the words of the city's listings
/// for typo corrections between searches.
pub async fn search_db_with(
    db: &DatabaseConnection,
    city_id: Uuid,
    tz: chrono_tz::Tz,
    q: &SearchQuery,
    words: &Vocabularies,
) -> Result<SearchResult, SearchError> {
    let now = Utc::now().with_timezone(&tz).naive_local();
    let plan = if Plan::needs_words(&q.q) {
        let city = words.of(db, city_id).await?;
        let w = city.read();
        Plan::new(&q.q, Some(&w))
    } else {
        Plan::new(&q.q, None)
    };
    let ranks = q.sort == Sort::Relevance && !plan.clauses.is_empty();
    let index = if sqlite_fts(db).await? {
        WordIndex::SqliteFts
    } else if ranks && db.get_database_backend() == DbBackend::Postgres {
        WordIndex::PgTrigram
    } else {
        WordIndex::Like
    };
    let cond = condition(db.get_database_backend(), city_id, q, &plan, now, index);
    let name_col = if q.locale == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let l = q.locale.as_str();
    // Whether each match is open now (every one when filtered by it).
    let open_now: SimpleExpr = if q.open_now || q.hits_only {
        Expr::val(i32::from(q.open_now)).into()
    } else {
        Expr::case(open_now_condition(now), 1).finally(0).into()
    };
    let (models, groups, categories) = if ranks {
        // Words: every match is read once, ranked here and counted.
        let first = (q.offset + q.limit) as usize;
        let ranked = if index == WordIndex::PgTrigram && trigram_only(&plan) {
            let txn = db.begin().await?;
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await?;
            let ranked =
                ranked_matches(&txn, cond.clone(), &plan, l, open_now, q.hits_only, first).await?;
            txn.commit().await?;
            ranked
        } else {
            ranked_matches(db, cond.clone(), &plan, l, open_now, q.hits_only, first).await?
        };
        let page: Vec<Uuid> = ranked
            .ids
            .iter()
            .skip(q.offset as usize)
            .take(q.limit as usize)
            .copied()
            .collect();
        (
            in_order(db, &page, q.hits_only).await?,
            ranked.groups,
            Some(ranked.categories),
        )
    } else {
        // The total and every count over the listings (kind, district, open now,
        // wheelchair) in one pass over the matches: grouped by kind and district,
        // summed up here.
        let groups: Vec<Group> = if q.hits_only {
            Vec::new()
        } else {
            let all = || Expr::col((listing::Entity, listing::Column::Id)).count();
            listing::Entity::find()
                .select_only()
                .column(listing::Column::Kind)
                .column(listing::Column::District)
                .column_as(all(), "n")
                .column_as(
                    // Filtered by it already: every match is open now.
                    if q.open_now {
                        all()
                    } else {
                        count_where(open_now_condition(now))
                    },
                    "open_now",
                )
                .column_as(
                    if q.wheelchair {
                        all()
                    } else {
                        count_where(listing::Column::Wheelchair.eq("yes"))
                    },
                    "wheelchair",
                )
                .filter(cond.clone())
                .group_by(listing::Column::Kind)
                .group_by(listing::Column::District)
                .into_tuple()
                .all(db)
                .await?
        };
        // The page's ids first (ordered by what `ix_listings_search_facets` holds, so
        // that the matches are sorted without reading their whole rows), then the
        // page's listings.
        let mut find = listing::Entity::find()
            .select_only()
            .column(listing::Column::Id)
            .filter(cond.clone());
        if let (Sort::Distance, Some(p)) = (q.sort, q.near) {
            find = find
                .order_by(Expr::col(listing::Column::Lat).is_null(), Order::Asc)
                .order_by(distance_sq_expr(p), Order::Asc);
        }
        let page: Vec<Uuid> = find
            .order_by_asc(name_col)
            .order_by_asc(listing::Column::Slug)
            .offset(q.offset)
            .limit(q.limit)
            .into_tuple()
            .all(db)
            .await?;
        (in_order(db, &page, q.hits_only).await?, groups, None)
    };
    let total: u64 = groups.iter().map(|g| g.2 as u64).sum();

    let hits = models
        .into_iter()
        .map(|(m, categories)| {
            let name = LocalizedText {
                de: m.name_de.clone(),
                en: m.name_en.clone(),
            };
            let desc = LocalizedText {
                de: m.description_de.clone(),
                en: m.description_en.clone(),
            };
            let snippet: String = if q.hits_only {
                String::new()
            } else {
                snippet(desc.get(l), plan.typed(), plan.terms())
            };
            let location = m.lat.zip(m.lng);
            let name = name.get(l).to_string();
            Hit {
                name_highlights: highlight(&name, plan.terms()),
                snippet_highlights: highlight(&snippet, plan.terms()),
                id: m.id,
                kind: if m.kind == "municipal_service" {
                    "municipal_service"
                } else {
                    "business"
                },
                name,
                snippet,
                categories,
                district: m.district,
                street: m.address_street,
                wheelchair: m.wheelchair,
                distance_m: q.near.zip(location).map(|(p, loc)| distance_m(p, loc)),
                location,
                slug: m.slug,
            }
        })
        .collect();
    if q.hits_only {
        return Ok(SearchResult {
            hits,
            total,
            facets: Facets::default(),
            engine: "database",
        });
    }

    let category_rows: Vec<(String, i64)> = match categories {
        // Counted as the matches were read.
        Some(counted) => counted,
        None => {
            listing_category::Entity::find()
                .select_only()
                .column(listing_category::Column::CategoryKey)
                .column_as(Expr::col(listing_category::Column::ListingId).count(), "n")
                .filter(
                    listing_category::Column::ListingId.in_subquery(
                        Query::select()
                            .column(listing::Column::Id)
                            .from(listing::Entity)
                            .cond_where(cond.clone())
                            .to_owned(),
                    ),
                )
                .group_by(listing_category::Column::CategoryKey)
                .order_by(Expr::col(Alias::new("n")), Order::Desc)
                .limit(CATEGORY_FACETS)
                .into_tuple()
                .all(db)
                .await?
        }
    };
    let facets = Facets {
        kind: facet(groups.iter().map(|g| (Some(g.0.as_str()), g.2)), 5),
        district: facet(groups.iter().map(|g| (g.1.as_deref(), g.2)), 30),
        category: category_rows
            .into_iter()
            .map(|(value, n)| FacetCount {
                value,
                count: n as u64,
            })
            .collect(),
        open_now: groups.iter().map(|g| g.3 as u64).sum(),
        wheelchair: groups.iter().map(|g| g.4 as u64).sum(),
    };
    Ok(SearchResult {
        hits,
        total,
        facets,
        engine: "database",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    fn now() -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn sql(q: &SearchQuery, fts: bool) -> String {
        listing::Entity::find()
            .filter(condition(
                DbBackend::Sqlite,
                Uuid::nil(),
                q,
                &Plan::new(&q.q, None),
                now(),
                if fts {
                    WordIndex::SqliteFts
                } else {
                    WordIndex::Like
                },
            ))
            .build(DbBackend::Sqlite)
            .to_string()
    }

    #[test]
    fn tokens_are_folded_and_bounded() {
        assert_eq!(
            tokens("  Bürger-Amt  MITTE "),
            vec!["burger", "amt", "mitte"]
        );
        assert_eq!(tokens("Buergeramt"), tokens("Bürgeramt"));
        assert_eq!(tokens(&"a ".repeat(50)).len(), 8);
        assert!(tokens("%_'\"").is_empty());
    }

    #[test]
    fn hostile_text_never_reaches_the_sql() {
        let q = SearchQuery {
            q: "x\" OR status = \"draft' OR '1'='1 %_".into(),
            district: Some("Mitte' OR '1'='1".into()),
            ..Default::default()
        };
        let sql = sql(&q, false);
        // The text only appears as folded words in LIKE patterns; the district as a
        // quoted, escaped literal.
        assert!(sql.contains("LIKE '%status%'"), "{sql}");
        assert!(sql.contains("LIKE '% x%'"), "{sql}");
        assert!(!sql.contains("OR status ="), "{sql}");
        assert!(!sql.contains("%_"), "{sql}");
        assert!(sql.contains("'Mitte'' OR ''1''=''1'"), "{sql}");
    }

    #[test]
    fn distances() {
        let helsinki = GeoPoint {
            lat: 60.1699,
            lng: 24.9384,
        };
        // About 1 km north.
        let d = distance_m(helsinki, (60.1789, 24.9384));
        assert!((d - 1002.0).abs() < 10.0, "{d}");
        // Longitude degrees shrink with latitude: 0.018° east is about 1 km here.
        let d = distance_m(helsinki, (60.1699, 24.9564));
        assert!((d - 998.0).abs() < 15.0, "{d}");
    }
}

#[cfg(test)]
mod sql_tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn patterns_of_three_or_more_characters_use_the_trigram_index_on_sqlite() {
        let q = SearchQuery {
            q: "Café ab Kamppi a".into(),
            ..Default::default()
        };
        let plan = Plan::new(&q.q, None);
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let sql = |fts| {
            listing::Entity::find()
                .filter(condition(
                    DbBackend::Sqlite,
                    Uuid::nil(),
                    &q,
                    &plan,
                    now,
                    fts,
                ))
                .build(DbBackend::Sqlite)
                .to_string()
        };
        let with = sql(WordIndex::SqliteFts);
        // One index lookup for every clause: "cafe" or its synonyms, "kamppi"; the
        // synonyms must begin a word; "ab" and "a" (word beginnings) are too short for
        // it.
        assert!(
            with.contains(
                r#"MATCH '("cafe" OR "kaffee" OR "coffee" OR "kahvila") AND ("kamppi")'"#
            ),
            "{with}"
        );
        assert!(with.contains("LIKE '% kahvila%'"), "{with}");
        assert!(with.contains("LIKE '% ab%'"), "{with}");
        assert!(with.contains("LIKE '% a%'"), "{with}");
        assert!(!with.contains("LIKE '%kamppi%'"), "{with}");
        // Read by the index's rowids, not through the city's index.
        assert!(
            with.contains(r#"+"listings"."city_id" = '00000000-0000-0000-0000-000000000000'"#),
            "{with}"
        );
        assert!(
            with.contains(r#"+"listings"."status" = 'published'"#),
            "{with}"
        );
        let without = sql(WordIndex::Like);
        assert!(!without.contains("MATCH"), "{without}");
        assert!(without.contains("LIKE '%cafe%'"), "{without}");
        assert!(without.contains("LIKE '% kahvila%'"), "{without}");
        assert!(without.contains("LIKE '% ab%'"), "{without}");
    }

    #[test]
    fn ranked_words_on_postgres_are_found_through_the_trigram_index_alone() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let city = Uuid::from_u128(7);
        let sql = |words: &str| {
            let q = SearchQuery {
                q: words.into(),
                ..Default::default()
            };
            let plan = Plan::new(&q.q, None);
            (
                trigram_only(&plan),
                listing::Entity::find()
                    .filter(condition(
                        DbBackend::Postgres,
                        city,
                        &q,
                        &plan,
                        now,
                        WordIndex::PgTrigram,
                    ))
                    .build(DbBackend::Postgres)
                    .to_string(),
            )
        };
        // Every text has trigrams: the city in a form no index of the city serves.
        let (only, long) = sql("Café Kamppi");
        assert!(only);
        assert!(
            long.contains(&format!(r#"("listings"."city_id" = '{city}') IS TRUE"#)),
            "{long}"
        );
        assert!(
            long.contains(r#"("listings"."status" = 'published') IS TRUE"#),
            "{long}"
        );
        assert!(
            long.contains(r#""listings"."search_text" LIKE '%kamppi%'"#),
            "{long}"
        );
        // A word too short for a trigram: the city as always, the planner chooses.
        for words in ["Café ab", ""] {
            let (only, short) = sql(words);
            assert!(!only, "{words}");
            assert!(!short.contains("IS TRUE"), "{short}");
            assert!(
                short.contains(&format!(r#""listings"."city_id" = '{city}'"#)),
                "{short}"
            );
        }
    }

    #[test]
    fn the_first_matches_are_those_a_full_sort_puts_first() {
        // Scores with many ties, names that fold alike ("Café", "Cafe"), equal names.
        let names = ["Café", "Cafe", "bar", "Äpfel", "apfel", "Zoo", "zoo", "Bar"];
        let matches: Vec<(Score, String, String, Uuid)> = (0..200u32)
            .map(|i| {
                (
                    Score {
                        tier: (i * 7) % 5,
                        breadth: -i64::from((i * 3) % 4),
                    },
                    names[(i as usize * 5) % names.len()].to_string(),
                    format!("slug-{}", (i * 37) % 200),
                    Uuid::from_u128(u128::from(i)),
                )
            })
            .collect();
        let mut full: Vec<(Score, String, String, Uuid)> = matches
            .iter()
            .map(|(s, n, slug, id)| (*s, fold_search(n), slug.clone(), *id))
            .collect();
        full.sort_unstable();
        for first in [0, 1, 7, 20, 40, 199, 200, 500] {
            let want: Vec<Uuid> = full.iter().take(first).map(|r| r.3).collect();
            assert_eq!(best_first(matches.clone(), first), want, "first {first}");
        }
    }

    #[test]
    fn facets_are_ordered_like_order_by_count_desc_limit() {
        let groups = [
            (Some("b"), 2),
            (None, 5),
            (Some("a"), 2),
            (Some("c"), 1),
            (Some("b"), 2),
        ];
        let f = facet(groups.into_iter(), 3);
        let got: Vec<(&str, u64)> = f.iter().map(|c| (c.value.as_str(), c.count)).collect();
        // The missing value takes a place among the first three but is not listed.
        assert_eq!(got, vec![("b", 4), ("a", 2)]);
    }

    #[test]
    fn ranking_and_distance_keep_their_values_bound() {
        let p = GeoPoint {
            lat: 60.17,
            lng: 24.94,
        };
        let s = listing::Entity::find()
            .order_by(distance_sq_expr(p), Order::Asc)
            .build(DbBackend::Sqlite);
        let values = s.values.map(|v| v.0.len()).unwrap_or(0);
        assert!(values >= 4, "distance values bound: {} {values}", s.sql);
    }
}
