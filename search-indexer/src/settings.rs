//! The index settings of the listings index, applied idempotently on every start and
//! to every fresh index built by a reindex.

use std::collections::HashMap;

use meilisearch_sdk::settings::{
    FacetingSettings, LocalizedAttributes, PaginationSetting, Settings, TypoToleranceSettings,
};

/// Searchable attributes, most important first: a name match beats a category match
/// beats a tag, the description and the address.
pub const SEARCHABLE: &[&str] = &[
    "name_de",
    "name_en",
    "category_labels_de",
    "category_labels_en",
    "tags",
    "description_de",
    "description_en",
    "district",
    "street",
    "locality",
    "postcode",
    "phone",
];

pub const FILTERABLE: &[&str] = &[
    "kind",
    "categories",
    "category_groups",
    "district",
    "tags",
    "wheelchair",
    "bookable",
    "open_slots",
    "organization_id",
    "_geo",
];

pub const SORTABLE: &[&str] = &["_geo", "name_sort_de", "name_sort_en", "updated_at"];

/// Ranking for a local directory. `sort` comes first: when a resident asks for
/// "nearest" or "by name" the order must be exactly that (the API then asks for all
/// words to match, so relevance still decides what is in the list). Without a sort
/// parameter the rule does nothing and the usual relevance rules apply.
pub const RANKING_RULES: &[&str] = &[
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
];

/// Numbers and codes are matched exactly: a typo in a postcode is another place.
pub const NO_TYPOS_ON: &[&str] = &["postcode", "phone"];

/// Words a resident would use interchangeably (the list both engines use).
pub use crate::synonyms::GROUPS as SYNONYMS;

/// The synonym map: every word of a group maps to all the others.
pub fn synonyms() -> HashMap<String, Vec<String>> {
    crate::synonyms::map()
}

/// The most results a search can page through (500 pages of 100).
pub const MAX_TOTAL_HITS: usize = 50_000;

/// All settings of the listings index.
pub fn listing_settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(SEARCHABLE)
        .with_filterable_attributes(FILTERABLE)
        .with_sortable_attributes(SORTABLE)
        .with_ranking_rules(RANKING_RULES)
        .with_synonyms(synonyms())
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(NO_TYPOS_ON.iter().map(|s| s.to_string()).collect()),
            disable_on_words: Some(vec![]),
            min_word_size_for_typos: None,
            disable_on_numbers: Some(true),
        })
        .with_localized_attributes([
            LocalizedAttributes {
                locales: vec!["deu".into()],
                attribute_patterns: vec!["*_de".into()],
            },
            LocalizedAttributes {
                locales: vec!["eng".into()],
                attribute_patterns: vec!["*_en".into()],
            },
        ])
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: 100,
            sort_facet_values_by: None,
        })
        // Word proximity by attribute, not by word distance: listing names and
        // descriptions are short, so "both words in the name" ranks nearly as well, and
        // an update no longer rebuilds the word-pair proximity data of its document,
        // by far the dearest part of indexing (the freshness benchmark measured
        // Meilisearch's own task at 1.7 s p50 per change on 100,000 listings).
        .with_proximity_precision(PROXIMITY_PRECISION)
}

/// See [`listing_settings`].
pub const PROXIMITY_PRECISION: &str = "byAttribute";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_cover_every_document_field_they_name() {
        let s = serde_json::to_value(listing_settings()).unwrap();
        let doc_fields: Vec<String> = {
            let src = crate::document::tests_support::source();
            let doc =
                crate::document::ListingDocument::build(&src, chrono::Utc::now().date_naive());
            serde_json::to_value(doc)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        for key in ["searchableAttributes", "sortableAttributes"] {
            for f in s[key].as_array().unwrap() {
                assert!(
                    doc_fields.contains(&f.as_str().unwrap().to_string()),
                    "{key}: {f}"
                );
            }
        }
        for f in s["filterableAttributes"].as_array().unwrap() {
            assert!(doc_fields.contains(&f.as_str().unwrap().to_string()), "{f}");
        }
        assert_eq!(s["rankingRules"][0], "sort");
        assert_eq!(
            s["typoTolerance"]["disableOnAttributes"],
            serde_json::json!(["postcode", "phone"])
        );
        assert_eq!(
            s["localizedAttributes"][0]["locales"],
            serde_json::json!(["deu"])
        );
        assert_eq!(s["pagination"]["maxTotalHits"], MAX_TOTAL_HITS);
        assert_eq!(s["proximityPrecision"], "byAttribute");
    }

    #[test]
    fn synonyms_go_both_ways() {
        let s = synonyms();
        assert!(s["fitnessstudio"].contains(&"gym".to_string()));
        assert!(s["gym"].contains(&"fitnessstudio".to_string()));
        assert!(s["citizens office"].contains(&"bürgeramt".to_string()));
        assert!(s["arzt"].contains(&"doctor".to_string()));
        assert!(!s["arzt"].contains(&"arzt".to_string()));
    }

    #[test]
    fn the_index_gets_the_shared_synonym_list() {
        let s = serde_json::to_value(listing_settings()).unwrap();
        let synonyms = s["synonyms"].as_object().unwrap();
        let entries: usize = crate::synonyms::GROUPS.iter().map(|g| g.len()).sum();
        assert_eq!(synonyms.len(), entries, "one key per entry of every group");
        for group in crate::synonyms::GROUPS {
            for word in *group {
                let others: Vec<&str> = synonyms[*word]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(others.len(), group.len() - 1, "{word}");
                assert!(group
                    .iter()
                    .filter(|w| *w != word)
                    .all(|w| others.contains(w)));
            }
        }
        assert!(synonyms["ummelden"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("wohnsitz anmelden")));
        assert!(synonyms["kahvila"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("café")));
    }
}
