//! The database engine of the search: the same typed query the Meilisearch engine will
//! answer, with folded-text matching (no typo tolerance), filters, facet counts and
//! sorting, on SQLite and PostgreSQL.

use chrono::{Datelike, Timelike, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, Func, Order, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::error::SearchError;
use crate::core::locale::Locale;
use crate::listings::model::{GeoPoint, ListingKind, LocalizedText};
use crate::listings::service::fold_search as fold;
use entities::{listing, listing_category, opening_hours_exception, opening_hours_rule};

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Name matches first, then the rest, each by name.
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

/// The words of a query, folded; at most 8, so a pasted essay stays cheap.
pub fn tokens(q: &str) -> Vec<String> {
    fold(q)
        .split(' ')
        .filter(|t| !t.is_empty())
        .take(8)
        .map(String::from)
        .collect()
}

/// The character ranges of `text` where a query token matches, compared folded (so
/// "burger" marks "Bürger"); overlapping ranges are merged.
pub fn highlight(text: &str, tokens: &[String]) -> Vec<(usize, usize)> {
    if tokens.is_empty() {
        return Vec::new();
    }
    // The folded text, and for each of its bytes the index of the original character.
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<usize> = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let mut buf = [0u8; 4];
        let piece = deunicode::deunicode(c.encode_utf8(&mut buf)).to_lowercase();
        for b in piece.chars().filter(|c| c.is_ascii_alphanumeric()) {
            folded.push(b);
            origin.push(i);
        }
        if !piece.chars().any(|c| c.is_ascii_alphanumeric()) {
            folded.push(' ');
            origin.push(i);
        }
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for t in tokens {
        let mut from = 0;
        while let Some(pos) = folded[from..].find(t.as_str()) {
            let start = from + pos;
            let end = start + t.len();
            ranges.push((origin[start], origin[end - 1] + 1));
            from = end;
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    merged
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

fn open_now_condition(now: chrono::NaiveDateTime) -> Condition {
    let today = now.date();
    let hhmm = format!("{:02}:{:02}", now.hour(), now.minute());
    let weekday = now.weekday().num_days_from_monday() as i16;
    let exc = || {
        Query::select()
            .expr(Expr::val(1))
            .from(opening_hours_exception::Entity)
            .and_where(
                Expr::col((
                    opening_hours_exception::Entity,
                    opening_hours_exception::Column::ListingId,
                ))
                .equals((listing::Entity, listing::Column::Id)),
            )
            .and_where(Expr::col(opening_hours_exception::Column::Date).eq(today))
            .to_owned()
    };
    let open_by_exception = exc()
        .and_where(Expr::col(opening_hours_exception::Column::Closed).eq(false))
        .and_where(Expr::col(opening_hours_exception::Column::Opens).lte(hhmm.clone()))
        .and_where(Expr::col(opening_hours_exception::Column::Closes).gt(hhmm.clone()))
        .to_owned();
    let open_by_rule = Query::select()
        .expr(Expr::val(1))
        .from(opening_hours_rule::Entity)
        .and_where(
            Expr::col((
                opening_hours_rule::Entity,
                opening_hours_rule::Column::ListingId,
            ))
            .equals((listing::Entity, listing::Column::Id)),
        )
        .and_where(Expr::col(opening_hours_rule::Column::Weekday).eq(weekday))
        .and_where(Expr::col(opening_hours_rule::Column::Opens).lte(hhmm.clone()))
        .and_where(Expr::col(opening_hours_rule::Column::Closes).gt(hhmm))
        .to_owned();
    Condition::any().add(Expr::exists(open_by_exception)).add(
        Condition::all()
            .add(Expr::exists(exc()).not())
            .add(Expr::exists(open_by_rule)),
    )
}

/// Words this long and longer are looked up in the trigram index `listings_fts` on
/// SQLite (the trigram tokenizer finds nothing shorter).
pub const FTS_MIN_WORD: usize = 3;

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

/// The WHERE clause of a search: published listings of the city matching every filter.
/// With `fts` (SQLite with `listings_fts`), words of [`FTS_MIN_WORD`] or more
/// characters are matched through the trigram index, which finds the same listings as
/// `LIKE '%word%'` on the folded text: a phrase of trigrams matches exactly where the
/// word occurs as a substring (both sides are folded to lower-case `[a-z0-9 ]`).
pub fn condition(
    city_id: Uuid,
    q: &SearchQuery,
    now_local: chrono::NaiveDateTime,
    fts: bool,
) -> Condition {
    let mut c = Condition::all()
        .add(listing::Column::CityId.eq(city_id))
        .add(listing::Column::Status.eq("published"));
    let (indexed, short): (Vec<String>, Vec<String>) = tokens(&q.q)
        .into_iter()
        .partition(|t| fts && t.len() >= FTS_MIN_WORD);
    if !indexed.is_empty() {
        // Every word as a quoted string, all of them required; tokens are [a-z0-9]
        // only, and the query is a bound value.
        let query: Vec<String> = indexed.iter().map(|t| format!("\"{t}\"")).collect();
        c = c.add(Expr::cust_with_values(
            r#""listings"."rowid" IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)"#,
            [query.join(" ")],
        ));
    }
    for t in short {
        // Tokens are folded to [a-z0-9]: no LIKE wildcards can come from user text.
        c = c.add(listing::Column::SearchText.like(format!("%{t}%")));
    }
    if let Some(kind) = q.kind {
        c = c.add(listing::Column::Kind.eq(kind.as_str()));
    }
    if let Some(district) = &q.district {
        c = c.add(listing::Column::District.eq(district.as_str()));
    }
    if let Some(category) = &q.category {
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
        c = c
            .add(listing::Column::Lat.is_not_null())
            .add(Expr::expr(distance_sq_expr(p)).lte(deg * deg));
    }
    c
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

/// Answers a search from the database.
pub async fn search_db(
    db: &DatabaseConnection,
    city_id: Uuid,
    tz: chrono_tz::Tz,
    q: &SearchQuery,
) -> Result<SearchResult, SearchError> {
    let now = Utc::now().with_timezone(&tz).naive_local();
    let cond = condition(city_id, q, now, sqlite_fts(db).await?);
    // The total and every count over the listings (kind, district, open now,
    // wheelchair) in one pass over the matches: grouped by kind and district, summed
    // up here.
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
    let total: u64 = groups.iter().map(|g| g.2 as u64).sum();

    let name_col = if q.locale == Locale::En {
        listing::Column::NameEn
    } else {
        listing::Column::NameDe
    };
    let mut find = listing::Entity::find().filter(cond.clone());
    match (q.sort, q.near) {
        (Sort::Distance, Some(p)) => {
            find = find
                .order_by(Expr::col(listing::Column::Lat).is_null(), Order::Asc)
                .order_by(distance_sq_expr(p), Order::Asc);
        }
        (Sort::Relevance, _) if !q.q.trim().is_empty() => {
            let phrase = fold(&q.q);
            let rank = Expr::case(listing::Column::SearchName.like(format!("{phrase}%")), 0)
                .case(listing::Column::SearchName.like(format!("% {phrase}%")), 1)
                .case(listing::Column::SearchName.like(format!("%{phrase}%")), 2)
                .finally(3);
            let rank: SimpleExpr = rank.into();
            find = find.order_by(rank, Order::Asc);
        }
        _ => {}
    }
    let models = find
        .order_by_asc(name_col)
        .order_by_asc(listing::Column::Id)
        .offset(q.offset)
        .limit(q.limit)
        .all(db)
        .await?;

    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let cats = if q.hits_only {
        Vec::new()
    } else {
        listing_category::Entity::find()
            .filter(listing_category::Column::ListingId.is_in(ids))
            .all(db)
            .await?
    };
    let l = q.locale.as_str();
    let words = tokens(&q.q);
    let hits = models
        .into_iter()
        .map(|m| {
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
                desc.get(l).chars().take(180).collect()
            };
            let location = m.lat.zip(m.lng);
            let name = name.get(l).to_string();
            Hit {
                name_highlights: highlight(&name, &words),
                snippet_highlights: highlight(&snippet, &words),
                id: m.id,
                kind: if m.kind == "municipal_service" {
                    "municipal_service"
                } else {
                    "business"
                },
                name,
                snippet,
                categories: cats
                    .iter()
                    .filter(|c| c.listing_id == m.id)
                    .map(|c| c.category_key.clone())
                    .collect(),
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

    let category_rows: Vec<(String, i64)> = listing_category::Entity::find()
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
        .limit(40)
        .into_tuple()
        .all(db)
        .await?;
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

    #[test]
    fn tokens_are_folded_and_bounded() {
        assert_eq!(
            tokens("  Bürger-Amt  MITTE "),
            vec!["burger", "amt", "mitte"]
        );
        assert_eq!(tokens(&"a ".repeat(50)).len(), 8);
        assert!(tokens("%_'\"").is_empty());
    }

    #[test]
    fn hostile_text_never_reaches_the_sql() {
        let q = SearchQuery {
            q: "x\" OR status = \"draft' OR '1'='1".into(),
            district: Some("Mitte' OR '1'='1".into()),
            ..Default::default()
        };
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let sql = listing::Entity::find()
            .filter(condition(Uuid::nil(), &q, now, false))
            .build(DbBackend::Sqlite)
            .to_string();
        // The text only appears as folded tokens in LIKE patterns; the district as a
        // quoted, escaped literal.
        assert!(sql.contains("LIKE '%status%'"), "{sql}");
        assert!(!sql.contains("OR status ="), "{sql}");
        assert!(sql.contains("'Mitte'' OR ''1''=''1'"), "{sql}");
    }

    #[test]
    fn highlights_match_folded_words() {
        let t = |q: &str| tokens(q);
        assert_eq!(highlight("Bürgeramt Mitte", &t("burger")), vec![(0, 6)]);
        assert_eq!(highlight("Straße 5", &t("strasse")), vec![(0, 6)]);
        assert_eq!(highlight("Gym and GYM", &t("gym")), vec![(0, 3), (8, 11)]);
        // Overlapping tokens merge; no token, no highlight.
        assert_eq!(
            highlight("Fitnessstudio", &t("fitness studio")),
            vec![(0, 13)]
        );
        assert!(highlight("Anything", &[]).is_empty());
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
    fn words_of_three_or_more_characters_use_the_trigram_index_on_sqlite() {
        let q = SearchQuery {
            q: "Café ab Kamppi".into(),
            ..Default::default()
        };
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let sql = |fts| {
            listing::Entity::find()
                .filter(condition(Uuid::nil(), &q, now, fts))
                .build(DbBackend::Sqlite)
                .to_string()
        };
        let with = sql(true);
        assert!(
            with.contains(r#"MATCH '"cafe" "kamppi"'"#),
            "one index lookup for both long words: {with}"
        );
        assert!(with.contains("LIKE '%ab%'"), "{with}");
        assert!(!with.contains("LIKE '%cafe%'"), "{with}");
        let without = sql(false);
        assert!(!without.contains("MATCH"), "{without}");
        assert!(without.contains("LIKE '%cafe%'"), "{without}");
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
