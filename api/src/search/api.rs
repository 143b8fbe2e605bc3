//! `GET /api/v1/search` and `GET /api/v1/search/suggest`: typed, validated parameters
//! in; hits, facet counts and the answering engine out.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::service::{FacetCount, SearchQuery, Sort};
use crate::core::locale::Locale;
use crate::core::problem::ApiError;
use crate::core::validate::Errors;
use crate::listings::model::{GeoPoint, ListingKind};
use crate::listings::taxonomy;
use crate::msg;
use crate::places::{self, PlaceText};
use crate::web::api_tags::ApiTags;
use crate::web::state::AppState;

/// One search result.
#[derive(Object)]
pub struct SearchHit {
    pub id: Uuid,
    pub slug: String,
    pub kind: ListingKind,
    /// The name in the requested language (falling back to the other).
    pub name: String,
    /// A part of the description: the words around the first match (its start when
    /// the match is elsewhere), cut between words, with `…` where text is left out.
    pub snippet: String,
    /// Where `name` and `snippet` matched the query.
    pub highlights: Vec<Highlight>,
    pub categories: Vec<String>,
    pub district: Option<String>,
    pub location: Option<GeoPoint>,
    /// Metres from `near`, when given.
    pub distance_m: Option<f64>,
}

/// A matched part of a text field of a hit: characters `start` (inclusive) to `end`
/// (exclusive), counted in Unicode scalar values. Clients mark it up themselves; the
/// texts never contain markup.
#[derive(Object)]
pub struct Highlight {
    /// `name` or `snippet`.
    pub field: String,
    pub start: u32,
    pub end: u32,
}

impl Highlight {
    fn new(field: &str, (start, end): (usize, usize)) -> Highlight {
        Highlight {
            field: field.to_string(),
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A facet value with its number of results.
#[derive(Object)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Result counts by facet, within the current filters.
#[derive(Object)]
pub struct SearchFacets {
    pub kind: Vec<FacetValue>,
    pub category: Vec<FacetValue>,
    pub district: Vec<FacetValue>,
    /// How many results are open now.
    pub open_now: u64,
    /// How many results are wheelchair accessible.
    pub wheelchair: u64,
}

/// Search results.
#[derive(Object)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    /// Number of results (exact from the database, estimated from Meilisearch).
    pub estimated_total: u64,
    pub page: u32,
    pub per_page: u32,
    pub facets: SearchFacets,
    /// `database` or `meilisearch`.
    pub engine: String,
}

/// A type-ahead suggestion.
#[derive(Object)]
pub struct Suggestion {
    pub name: String,
    pub slug: String,
    pub kind: ListingKind,
}

/// Type-ahead suggestions.
#[derive(Object)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}

fn facet(v: Vec<FacetCount>) -> Vec<FacetValue> {
    v.into_iter()
        .map(|f| FacetValue {
            value: f.value,
            count: f.count,
        })
        .collect()
}

/// The `locale` parameter; `de` and a field error when it is neither `de` nor `en`.
fn parse_locale(errors: &mut Errors, l: &str) -> Locale {
    l.parse::<Locale>().unwrap_or_else(|_| {
        errors.add(
            "locale",
            msg!("v-search-locale", locale = l.trim().to_ascii_lowercase()),
        );
        Locale::De
    })
}

pub struct SearchApi;

#[OpenApi(tag = "ApiTags::Listings")]
impl SearchApi {
    /// Search listings
    ///
    /// Businesses and city services together, with filters, facet counts and sorting.
    /// Filters are built from these typed parameters only; free text is matched as words.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/search", method = "get", operation_id = "search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        /// Words to look for (at most 200 characters).
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        kind: Query<Option<ListingKind>>,
        /// A category key; a group key includes its sub-categories.
        category: Query<Option<String>>,
        district: Query<Option<String>>,
        /// Only listings open now (in the city's time zone).
        open_now: Query<Option<bool>>,
        /// Only wheelchair-accessible listings.
        wheelchair: Query<Option<bool>>,
        /// Where to measure distances from (and `sort=distance`): `latitude,longitude`,
        /// or a place of the city as typed — a street address, a street, a square or a
        /// district, resolved as `GET /places` resolves it (its best match). A place
        /// that matches nothing is a 422 naming `near`.
        near: Query<Option<String>>,
        /// With `near`: only results within this many metres (1-50000).
        #[oai(validator(minimum(value = "1"), maximum(value = "50000")))]
        radius_m: Query<Option<u32>>,
        /// `relevance` (default), `distance` (needs `near`) or `name`.
        #[oai(validator(pattern = r"^(relevance|distance|name)$"))]
        sort: Query<Option<String>>,
        /// `de` or `en`: the language of names and snippets; default: the language
        /// `Accept-Language` prefers, else the city's.
        #[oai(validator(pattern = r"^(de|en)$"))]
        locale: Query<Option<String>>,
        /// Page number, from 1 (at most 500).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        page: Query<Option<u32>>,
        /// Results per page, 1-100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        per_page: Query<Option<u32>>,
    ) -> Result<Json<SearchResponse>, ApiError> {
        let mut errors = Errors::default();
        let q = q.0.unwrap_or_default();
        if q.chars().count() > 200 {
            errors.add("q", msg!("v-search-q-max", max = 200));
        }
        let category = category.0.filter(|c| !c.trim().is_empty());
        if let Some(c) = &category {
            if taxonomy::find(c).is_none() {
                errors.add("category", msg!("v-unknown-category", c = c));
            }
        }
        let near = match near.0.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match super::pages::coordinates(v) {
                Some(Ok(p)) => Some(p),
                Some(Err(())) => {
                    errors.add("near", msg!("v-search-near"));
                    None
                }
                // Not coordinates: a place of the city, found locally.
                None => match PlaceText::parse(v) {
                    Err(m) => {
                        errors.add("near", m);
                        None
                    }
                    Ok(text) => match places::resolve(&state.db, state.city.id, &text).await? {
                        Some(p) => Some(GeoPoint {
                            lat: p.lat,
                            lng: p.lng,
                        }),
                        None => {
                            errors.add("near", msg!("v-place-unknown", place = text.as_str()));
                            None
                        }
                    },
                },
            },
        };
        if let Some(r) = radius_m.0 {
            if !(1..=50_000).contains(&r) {
                errors.add("radius_m", msg!("v-search-between", min = 1, max = 50_000));
            } else if near.is_none() && errors.0.iter().all(|e| e.field != "near") {
                errors.add("radius_m", msg!("v-search-radius-needs-near"));
            }
        }
        let sort = match sort.0.as_deref() {
            None => Sort::Relevance,
            Some(s) => match Sort::parse(s) {
                Some(Sort::Distance)
                    if near.is_none() && errors.0.iter().all(|e| e.field != "near") =>
                {
                    errors.add("sort", msg!("v-search-distance-needs-near"));
                    Sort::Relevance
                }
                Some(s) => s,
                None => {
                    errors.add("sort", msg!("v-search-sort-unknown"));
                    Sort::Relevance
                }
            },
        };
        let locale = match locale.0.as_deref() {
            None => {
                crate::web::pages::accept_language(req).unwrap_or(state.config.city.default_locale)
            }
            Some(l) => parse_locale(&mut errors, l),
        };
        let page = page.0.unwrap_or(1);
        if !(1..=500).contains(&page) {
            errors.add("page", msg!("v-search-between", min = 1, max = 500));
        }
        let per_page = per_page.0.unwrap_or(20);
        if !(1..=100).contains(&per_page) {
            errors.add("per_page", msg!("v-search-between", min = 1, max = 100));
        }
        errors.into_result(())?;
        let query = SearchQuery {
            q,
            kind: kind.0,
            category,
            district: district.0.filter(|d| !d.trim().is_empty()),
            open_now: open_now.0.unwrap_or(false),
            wheelchair: wheelchair.0.unwrap_or(false),
            near,
            radius_m: radius_m.0,
            sort,
            locale,
            offset: (page as u64 - 1) * per_page as u64,
            limit: per_page as u64,
            hits_only: false,
        };
        let r = state.search.search(&state.db, &state.city, &query).await?;
        Ok(Json(SearchResponse {
            hits: r
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    id: h.id,
                    slug: h.slug,
                    kind: ListingKind::parse(h.kind).unwrap_or(ListingKind::Business),
                    highlights: h
                        .name_highlights
                        .iter()
                        .map(|r| Highlight::new("name", *r))
                        .chain(
                            h.snippet_highlights
                                .iter()
                                .map(|r| Highlight::new("snippet", *r)),
                        )
                        .collect(),
                    name: h.name,
                    snippet: h.snippet,
                    categories: h.categories,
                    district: h.district,
                    location: h.location.map(|(lat, lng)| GeoPoint { lat, lng }),
                    distance_m: h.distance_m.map(|d| d.round()),
                })
                .collect(),
            estimated_total: r.total,
            page,
            per_page,
            facets: SearchFacets {
                kind: facet(r.facets.kind),
                category: facet(r.facets.category),
                district: facet(r.facets.district),
                open_now: r.facets.open_now,
                wheelchair: r.facets.wheelchair,
            },
            engine: r.engine.to_string(),
        }))
    }

    /// Suggest while typing
    ///
    /// Up to 8 names matching the words typed so far.
    #[oai(path = "/search/suggest", method = "get", operation_id = "suggest")]
    async fn suggest(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        /// What has been typed (1-100 characters, not only spaces).
        #[oai(validator(
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        ))]
        q: Query<String>,
        /// `de` or `en`; default: the language `Accept-Language` prefers, else the city's.
        #[oai(validator(pattern = r"^(de|en)$"))]
        locale: Query<Option<String>>,
    ) -> Result<Json<Suggestions>, ApiError> {
        let mut errors = Errors::default();
        let len = q.0.trim().chars().count();
        if !(1..=100).contains(&len) {
            errors.add("q", msg!("v-search-suggest-q", min = 1, max = 100));
        }
        let locale = match locale.0.as_deref() {
            None => {
                crate::web::pages::accept_language(req).unwrap_or(state.config.city.default_locale)
            }
            Some(l) => parse_locale(&mut errors, l),
        };
        errors.into_result(())?;
        let query = SearchQuery {
            q: q.0,
            locale,
            limit: 8,
            hits_only: true,
            ..Default::default()
        };
        let r = state.search.search(&state.db, &state.city, &query).await?;
        Ok(Json(Suggestions {
            suggestions: r
                .hits
                .into_iter()
                .map(|h| Suggestion {
                    name: h.name,
                    slug: h.slug,
                    kind: ListingKind::parse(h.kind).unwrap_or(ListingKind::Business),
                })
                .collect(),
        }))
    }
}
