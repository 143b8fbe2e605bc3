//! The `/search` page: the search form, results, facets with counts, sorting and
//! pagination, all as plain links and forms (no script needed).

use std::collections::BTreeMap;

use minijinja::context;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, Request, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::service::{SearchQuery, Sort};
use crate::core::i18n;
use crate::core::locale::Locale;
use crate::listings::model::{GeoPoint, ListingKind};
use crate::listings::taxonomy;
use crate::places::{self, PlaceText};
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;
use entities::listing;

/// Results per page.
pub const PER_PAGE: u64 = 20;

/// The page's query parameters, as given (unknown values dropped).
#[derive(Clone, Debug, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn from_request(req: &Request) -> Params {
        let mut map = BTreeMap::new();
        if let Some(q) = req.uri().query() {
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                let v = v.trim().to_string();
                if !v.is_empty()
                    && [
                        "q",
                        "kind",
                        "category",
                        "district",
                        "open_now",
                        "wheelchair",
                        "sort",
                        "near",
                        "page",
                    ]
                    .contains(&k.as_ref())
                {
                    map.insert(k.into_owned(), v.chars().take(200).collect());
                }
            }
        }
        Params(map)
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// The search URL with `k` set (or removed when `None`), back on page 1.
    pub fn url_with(&self, k: &str, v: Option<&str>) -> String {
        let mut m = self.0.clone();
        m.remove("page");
        match v {
            Some(v) => m.insert(k.to_string(), v.to_string()),
            None => m.remove(k),
        };
        Self::url(&m)
    }

    fn url_page(&self, page: u64) -> String {
        let mut m = self.0.clone();
        if page <= 1 {
            m.remove("page");
        } else {
            m.insert("page".into(), page.to_string());
        }
        Self::url(&m)
    }

    fn url(m: &BTreeMap<String, String>) -> String {
        if m.is_empty() {
            return "/search".to_string();
        }
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in m {
            ser.append_pair(k, v);
        }
        format!("/search?{}", ser.finish())
    }

    /// The typed search; values that do not parse are ignored.
    pub fn to_query(&self, locale: Locale) -> SearchQuery {
        let near = self.get("near").and_then(coordinates).and_then(Result::ok);
        let page = self
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 500);
        SearchQuery {
            q: self.get("q").unwrap_or("").to_string(),
            kind: self.get("kind").and_then(ListingKind::parse),
            category: self
                .get("category")
                .filter(|c| taxonomy::find(c).is_some())
                .map(String::from),
            district: self.get("district").map(String::from),
            open_now: self.get("open_now") == Some("1"),
            wheelchair: self.get("wheelchair") == Some("1"),
            near,
            radius_m: None,
            sort: self.get("sort").and_then(Sort::parse).unwrap_or_default(),
            locale,
            offset: (page - 1) * PER_PAGE,
            limit: PER_PAGE,
            hits_only: false,
        }
    }
}

/// `latitude,longitude`: `None` when the text is not two numbers with a comma (a place
/// name, then), `Err` when they are out of range.
pub fn coordinates(v: &str) -> Option<Result<GeoPoint, ()>> {
    let (lat, lng) = v.split_once(',')?;
    let p = GeoPoint {
        lat: lat.trim().parse().ok()?,
        lng: lng.trim().parse().ok()?,
    };
    let valid = (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lng);
    Some(if valid { Ok(p) } else { Err(()) })
}

fn category_label(key: &str, l: Locale) -> String {
    taxonomy::find(key)
        .map(|c| {
            if l == Locale::En {
                c.label_en
            } else {
                c.label_de
            }
            .to_string()
        })
        .unwrap_or_else(|| key.to_string())
}

#[handler]
pub async fn search_page(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let l = pc.locale;
    let params = Params::from_request(req);
    let mut query = params.to_query(l);
    // A typed place (not coordinates): found among the city's places, here on the
    // server, so that the field works without script.
    let mut near_label = None;
    let mut near_unknown = None;
    let mut near_is_location = false;
    if let Some(text) = params.get("near") {
        match coordinates(text) {
            Some(Ok(_)) => near_is_location = true,
            Some(Err(())) => near_unknown = Some(text.to_string()),
            None => match PlaceText::parse(text) {
                Ok(t) => match places::resolve(&state.db, state.city.id, &t).await {
                    Ok(Some(p)) => {
                        query.near = Some(GeoPoint {
                            lat: p.lat,
                            lng: p.lng,
                        });
                        near_label = Some(p.label());
                    }
                    Ok(None) => near_unknown = Some(text.to_string()),
                    Err(e) => tracing::error!(error = ?e, "place lookup failed"),
                },
                Err(_) => near_unknown = Some(text.to_string()),
            },
        }
    }
    let result = match state.search.search(&state.db, &state.city, &query).await {
        Ok(r) => r,
        Err(e) => {
            // The engine failed (Meilisearch and the database, or the database alone):
            // the page is there, its answer is not, for now.
            tracing::error!(error = ?e, "search failed");
            return render(
                &state,
                &pc,
                req,
                "message.html",
                StatusCode::SERVICE_UNAVAILABLE,
                context! {
                    title => pc.t(&state, "search-unavailable-title"),
                    text => pc.t(&state, "search-unavailable-text"),
                },
            );
        }
    };
    let t = |k: &str| state.i18n.t(l, k, None);

    let hits: Vec<_> = result
        .hits
        .iter()
        .map(|h| {
            let prefix = if h.kind == "municipal_service" {
                "services"
            } else {
                "listings"
            };
            context! {
                url => format!("/{prefix}/{}", h.slug),
                name => h.name.clone(),
                name_parts => parts(&h.name, &h.name_highlights),
                snippet_parts => parts(&h.snippet, &h.snippet_highlights),
                kind => h.kind,
                category => h.categories.first().map(|c| category_label(c, l)),
                district => h.district.clone(),
                street => h.street.clone(),
                snippet => h.snippet.clone(),
                wheelchair => h.wheelchair.as_deref() == Some("yes"),
                distance => h.distance_m.map(|d| i18n::format_distance(l, d)),
            }
        })
        .collect();

    let toggle = |k: &str, v: &str| {
        let active = params.get(k) == Some(v);
        (
            params.url_with(k, if active { None } else { Some(v) }),
            active,
        )
    };
    let facet_items = |k: &str,
                       counts: &[super::service::FacetCount],
                       label: &dyn Fn(&str) -> String| {
        counts
            .iter()
            .map(|f| {
                let (url, active) = toggle(k, &f.value);
                context! { url, active, label => label(&f.value), count => i18n::format_count(l, f.count) }
            })
            .collect::<Vec<_>>()
    };
    let kind_label = |v: &str| t(&format!("kind-{v}"));
    let cat_label = |v: &str| category_label(v, l);
    let same = |v: &str| v.to_string();
    let mut flags = Vec::new();
    for (k, count, label) in [
        ("open_now", result.facets.open_now, t("filter-open-now")),
        (
            "wheelchair",
            result.facets.wheelchair,
            t("filter-wheelchair"),
        ),
    ] {
        let (url, active) = toggle(k, "1");
        if count > 0 || active {
            flags.push(context! { url, active, label, count => i18n::format_count(l, count) });
        }
    }
    let facet_groups = vec![
        context! { title => t("filter-kind"), items => facet_items("kind", &result.facets.kind, &kind_label) },
        context! { title => t("filter-category"), items => facet_items("category", &result.facets.category, &cat_label) },
        context! { title => t("filter-district"), items => facet_items("district", &result.facets.district, &same) },
        context! { title => t("accessibility"), items => flags },
    ];

    let mut active_filters = Vec::new();
    if let Some(k) = query.kind {
        active_filters.push(context! { url => params.url_with("kind", None), label => t(&format!("kind-{}", k.as_str())) });
    }
    if let Some(c) = &query.category {
        active_filters.push(
            context! { url => params.url_with("category", None), label => category_label(c, l) },
        );
    }
    if let Some(d) = &query.district {
        active_filters
            .push(context! { url => params.url_with("district", None), label => d.clone() });
    }
    if query.open_now {
        active_filters.push(
            context! { url => params.url_with("open_now", None), label => t("filter-open-now") },
        );
    }
    if query.wheelchair {
        active_filters.push(context! { url => params.url_with("wheelchair", None), label => t("filter-wheelchair") });
    }

    let page = query.offset / PER_PAGE + 1;
    let last = result.total.div_ceil(PER_PAGE).max(1);
    let mut pages = Vec::new();
    let mut prev_shown = 0;
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(page) <= 2 {
            if n > prev_shown + 1 {
                pages.push(context! { gap => true });
            }
            pages.push(context! { n, url => params.url_page(n), current => n == page });
            prev_shown = n;
        }
    }

    let suggestions: Vec<_> = if result.hits.is_empty() {
        let name_col = if l == Locale::En {
            listing::Column::NameEn
        } else {
            listing::Column::NameDe
        };
        listing::Entity::find()
            .filter(listing::Column::CityId.eq(state.city.id))
            .filter(listing::Column::Status.eq("published"))
            .filter(listing::Column::Kind.eq("municipal_service"))
            .order_by_asc(name_col)
            .limit(8)
            .all(&state.db)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let name = if l == Locale::En && !m.name_en.is_empty() {
                    m.name_en
                } else {
                    m.name_de
                };
                context! { url => format!("/services/{}", m.slug), name }
            })
            .collect()
    } else {
        Vec::new()
    };

    render(
        &state,
        &pc,
        req,
        "search.html",
        StatusCode::OK,
        context! {
            q => query.q.clone(),
            kind => query.kind.map(|k| k.as_str()),
            category => query.category.clone(),
            district => query.district.clone(),
            open_now => query.open_now,
            wheelchair => query.wheelchair,
            sort => query.sort.as_str(),
            near => params.get("near"),
            near_label,
            near_unknown,
            near_is_location,
            total => result.total,
            hits,
            first_rank => query.offset + 1,
            facet_groups,
            active_filters,
            pages,
            prev_url => (page > 1).then(|| params.url_page(page - 1)),
            next_url => (page < last).then(|| params.url_page(page + 1)),
            suggestions,
            engine => result.engine,
            tile_url => state.config.theme.map_tile_url.clone(),
            tile_host => crate::web::trust::tile_host(&state.config.theme.map_tile_url),
            map_points => {
                let pts: Vec<serde_json::Value> = result.hits.iter().filter_map(|h| h.location.map(|(lat, lng)| serde_json::json!({
                    "lat": lat, "lng": lng, "name": h.name,
                    "url": format!("/{}/{}", if h.kind == "municipal_service" { "services" } else { "listings" }, h.slug),
                }))).collect();
                (!pts.is_empty()).then(|| serde_json::Value::Array(pts).to_string())
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_other_parameters_and_reset_the_page() {
        let req = Request::builder()
            .uri(
                "/search?q=b%C3%A4ckerei&kind=business&page=3&evil=1"
                    .parse()
                    .unwrap(),
            )
            .finish();
        let p = Params::from_request(&req);
        assert_eq!(p.get("evil"), None);
        assert_eq!(p.url_with("kind", None), "/search?q=b%C3%A4ckerei");
        assert_eq!(
            p.url_with("open_now", Some("1")),
            "/search?kind=business&open_now=1&q=b%C3%A4ckerei"
        );
        assert_eq!(
            p.url_page(4),
            "/search?kind=business&page=4&q=b%C3%A4ckerei"
        );
        let q = p.to_query(Locale::En);
        assert_eq!(q.offset, 40);
        assert_eq!(q.kind, Some(ListingKind::Business));
    }

    #[test]
    fn invalid_values_are_ignored() {
        let req = Request::builder()
            .uri(
                "/search?kind=castle&category=nope&near=95,10&sort=random&page=-1"
                    .parse()
                    .unwrap(),
            )
            .finish();
        let q = Params::from_request(&req).to_query(Locale::De);
        assert_eq!(
            (q.kind, q.category, q.near.is_none(), q.sort, q.offset),
            (None, None, true, Sort::Relevance, 0)
        );
    }
}

/// Text cut into (text, highlighted) parts at the highlight ranges (in characters).
fn parts(text: &str, ranges: &[(usize, usize)]) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    for &(start, end) in ranges {
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < at || start >= end {
            continue;
        }
        if start > at {
            out.push((chars[at..start].iter().collect(), false));
        }
        out.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    if at < chars.len() {
        out.push((chars[at..].iter().collect(), false));
    }
    out
}

#[cfg(test)]
mod parts_tests {
    #[test]
    fn text_is_cut_at_the_highlights() {
        assert_eq!(
            super::parts("Bürgeramt Mitte", &[(0, 6), (10, 15)]),
            vec![
                ("Bürger".to_string(), true),
                ("amt ".to_string(), false),
                ("Mitte".to_string(), true)
            ]
        );
        // Out-of-range or overlapping ranges never panic or repeat text.
        assert_eq!(
            super::parts("abc", &[(1, 9), (0, 2)]),
            vec![("a".to_string(), false), ("bc".to_string(), true)]
        );
        assert_eq!(super::parts("", &[(0, 1)]), vec![]);
    }
}
