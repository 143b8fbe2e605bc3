//! Searching the listings index with typed parameters.

use std::collections::HashMap;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};

use serde::Deserialize;
use uuid::Uuid;

use crate::document::Geo;
use crate::query::{SearchParams, SortBy};

/// Marks around highlighted words: private-use characters, which never occur in
/// listing text, so they can be turned into ranges safely (no HTML in the index).
const PRE: &str = "\u{E000}";
const POST: &str = "\u{E001}";

/// Text with the character ranges (start inclusive, end exclusive, counted in Unicode
/// scalar values) that matched the query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marked {
    pub text: String,
    pub ranges: Vec<(usize, usize)>,
}

/// Splits Meilisearch's formatted text into plain text and match ranges.
pub fn unmark(formatted: &str) -> Marked {
    let mut out = Marked::default();
    let mut count = 0usize;
    let mut start = None;
    for c in formatted.chars() {
        match c {
            '\u{E000}' => start = Some(count),
            '\u{E001}' => {
                if let Some(s) = start.take() {
                    if count > s {
                        out.ranges.push((s, count));
                    }
                }
            }
            c => {
                out.text.push(c);
                count += 1;
            }
        }
    }
    out
}

/// The attributes of a hit that a search answer shows: Meilisearch returns only these
/// (and formats only these), not the whole document with its hundreds of open-hours
/// numbers.
pub const RETRIEVED: [&str; 10] = [
    "id",
    "kind",
    "slug",
    "name_de",
    "name_en",
    "categories",
    "district",
    "street",
    "wheelchair",
    "_geo",
];

/// What a search reads of a hit's document: [`RETRIEVED`] and the description in the
/// search's language.
#[derive(Clone, Debug, Deserialize)]
pub struct HitDocument {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub name_de: String,
    pub name_en: String,
    #[serde(default)]
    pub description_de: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub categories: Vec<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    #[serde(rename = "_geo", default)]
    pub geo: Option<Geo>,
    pub wheelchair: Option<String>,
}

/// One hit.
#[derive(Clone, Debug)]
pub struct MeiliHit {
    pub doc: HitDocument,
    pub name: Marked,
    pub snippet: Marked,
}

/// Results with facet counts.
#[derive(Clone, Debug, Default)]
pub struct MeiliResults {
    pub hits: Vec<MeiliHit>,
    pub estimated_total: u64,
    pub kind: Vec<(String, u64)>,
    pub categories: Vec<(String, u64)>,
    pub district: Vec<(String, u64)>,
    pub wheelchair: u64,
    pub open_now: u64,
    /// Meilisearch's own processing time of the main query.
    pub processing_ms: u64,
}

fn sorted(m: Option<&HashMap<String, usize>>, limit: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m
        .map(|m| m.iter().map(|(k, n)| (k.clone(), *n as u64)).collect())
        .unwrap_or_default();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(limit);
    v
}

/// Runs a search: the page of hits with facets, and (unless already filtered by it)
/// the number of results open now; with `hits_only`, one query for the hits alone.
pub async fn search(
    client: &Client,
    index_uid: &str,
    p: &SearchParams,
) -> anyhow::Result<MeiliResults> {
    let index = client.index(index_uid);
    let filter = p.filter();
    let sort = p.sort();
    let sort_refs: Vec<&str> = sort.iter().map(String::as_str).collect();
    let name_field = p.name_field();
    let description_field = p.description_field();
    let highlight = [name_field.as_str()];
    let mut retrieve = RETRIEVED.to_vec();
    retrieve.push(description_field.as_str());
    let crop = [(description_field.as_str(), Some(24))];
    let facets = ["kind", "categories", "district", "wheelchair"];
    let locales = [p.meili_locale()];

    let mut main = index.search();
    main.with_query(&p.q)
        .with_offset(p.offset)
        .with_limit(p.limit)
        .with_attributes_to_retrieve(Selectors::Some(&retrieve))
        .with_locales(&locales)
        .with_matching_strategy(if p.sort == SortBy::Relevance {
            MatchingStrategies::LAST
        } else {
            MatchingStrategies::ALL
        });
    if !p.hits_only {
        main.with_facets(Selectors::Some(&facets))
            .with_attributes_to_highlight(Selectors::Some(&highlight))
            .with_attributes_to_crop(Selectors::Some(&crop))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST)
            .with_crop_marker("…");
    }
    if let Some(f) = &filter {
        main.with_filter(f);
    }
    if !sort_refs.is_empty() {
        main.with_sort(&sort_refs);
    }

    let mut open = index.search();
    let open_needed = !p.hits_only && !p.open_now && p.open_slot.is_some();
    let base_filter = p.filter_without_open_now();
    let open_only = match (&base_filter, p.open_slot) {
        (Some(b), Some(s)) => Some(format!("{b} AND open_slots = {s}")),
        (None, Some(s)) => Some(format!("open_slots = {s}")),
        _ => None,
    };
    open.with_query(&p.q)
        .with_limit(0)
        .with_locales(&locales)
        .with_matching_strategy(if p.sort == SortBy::Relevance {
            MatchingStrategies::LAST
        } else {
            MatchingStrategies::ALL
        });
    if let Some(f) = &open_only {
        open.with_filter(f);
    }

    let (main, open) = if open_needed {
        // One request for both (Meilisearch's multi-search): one round trip, one
        // connection, answered together.
        let mut multi = client.multi_search();
        multi.with_search_query(main).with_search_query(open);
        let mut results = multi.execute::<HitDocument>().await?.results;
        if results.len() != 2 {
            anyhow::bail!(
                "multi-search answered {} results for 2 queries",
                results.len()
            );
        }
        let open = results.pop();
        (results.pop().expect("two results"), open)
    } else {
        (main.execute::<HitDocument>().await?, None)
    };
    let fd = main.facet_distribution.as_ref();
    let get = |name: &str| fd.and_then(|m| m.get(name));
    let hits = main
        .hits
        .into_iter()
        .map(|h| {
            let f = h.formatted_result.as_ref();
            let text = |field: &str, fallback: &str| {
                f.and_then(|m| m.get(field))
                    .and_then(|v| v.as_str())
                    .map(unmark)
                    .unwrap_or_else(|| Marked {
                        text: fallback.to_string(),
                        ranges: vec![],
                    })
            };
            let (name_plain, desc_plain) = if p.locale == "en" {
                (h.result.name_en.clone(), h.result.description_en.clone())
            } else {
                (h.result.name_de.clone(), h.result.description_de.clone())
            };
            MeiliHit {
                name: text(&name_field, &name_plain),
                snippet: text(&description_field, &desc_plain),
                doc: h.result,
            }
        })
        .collect();
    Ok(MeiliResults {
        hits,
        estimated_total: main.estimated_total_hits.or(main.total_hits).unwrap_or(0) as u64,
        kind: sorted(get("kind"), 5),
        categories: sorted(get("categories"), 40),
        district: sorted(get("district"), 30),
        wheelchair: get("wheelchair")
            .and_then(|m| m.get("yes"))
            .copied()
            .unwrap_or(0) as u64,
        open_now: match open {
            Some(o) => o.estimated_total_hits.or(o.total_hits).unwrap_or(0) as u64,
            None if p.open_now => main.estimated_total_hits.or(main.total_hits).unwrap_or(0) as u64,
            None => 0,
        },
        processing_ms: main.processing_time_ms as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hit as Meilisearch returns it with [`RETRIEVED`] and the German description
    /// (an absent district and a listing without coordinates included) is read whole.
    #[test]
    fn a_hit_with_the_retrieved_attributes_is_read() {
        let hit: HitDocument = serde_json::from_value(serde_json::json!({
            "id": "01a20b11-996c-759d-b3a2-0fb75f6b0dbf",
            "kind": "business",
            "slug": "kuntosali",
            "name_de": "Kuntosali",
            "name_en": "Kuntosali gym",
            "description_de": "Fitnessstudio",
            "categories": ["sport.gym"],
            "district": null,
            "street": "Mannerheimintie 1",
            "wheelchair": "yes"
        }))
        .unwrap();
        assert_eq!(hit.slug, "kuntosali");
        assert_eq!(hit.description_de, "Fitnessstudio");
        assert_eq!(hit.description_en, "");
        assert_eq!(hit.categories, vec!["sport.gym".to_string()]);
        assert!(hit.geo.is_none() && hit.district.is_none());
        // Every attribute a hit reads (but the descriptions, asked for by language) is
        // one Meilisearch is asked to return.
        let doc = crate::document::ListingDocument {
            id: hit.id,
            kind: hit.kind.clone(),
            slug: hit.slug.clone(),
            name_de: hit.name_de.clone(),
            name_en: hit.name_en.clone(),
            description_de: String::new(),
            description_en: String::new(),
            categories: vec![],
            category_groups: vec![],
            category_labels_de: vec![],
            category_labels_en: vec![],
            tags: vec![],
            district: Some("Kallio".into()),
            street: None,
            postcode: None,
            locality: None,
            phone: None,
            geo: Some(Geo {
                lat: 60.1,
                lng: 24.9,
            }),
            wheelchair: None,
            bookable: false,
            open_slots: vec![1, 2, 3],
            hours_from: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            organization_id: None,
            name_sort_de: String::new(),
            name_sort_en: String::new(),
            updated_at: 0,
            version: 1,
        };
        let full = serde_json::to_value(&doc).unwrap();
        let kept: serde_json::Map<String, serde_json::Value> = full
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| RETRIEVED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            kept.len(),
            RETRIEVED.len(),
            "every retrieved attribute exists"
        );
        let read: HitDocument = serde_json::from_value(kept.into()).unwrap();
        assert_eq!(read.geo, doc.geo);
        assert_eq!(read.district.as_deref(), Some("Kallio"));
    }

    #[test]
    fn highlights_become_ranges_of_plain_text() {
        let m = unmark("Fitness\u{E000}studio\u{E001} Kallio \u{E000}Gym\u{E001}");
        assert_eq!(m.text, "Fitnessstudio Kallio Gym");
        assert_eq!(m.ranges, vec![(7, 13), (21, 24)]);
        // Characters, not bytes.
        let m = unmark("\u{E000}Bürger\u{E001}amt");
        assert_eq!(m.text, "Bürgeramt");
        assert_eq!(m.ranges, vec![(0, 6)]);
        // A stray marker never breaks the text.
        assert_eq!(unmark("a\u{E001}b").text, "ab");
        assert!(unmark("a\u{E001}b").ranges.is_empty());
    }
}
