//! The city's reserved terms: a business whose listing name holds one ("Bürgeramt",
//! "Rathaus", "city hall" ...) waits for city staff to review the name before the
//! listing is public, so that no business passes itself off as the city.

use search_indexer::text::fold_search;

use super::taxonomy;

/// The group of categories only the city's own services take.
pub const CITY_GROUP: &str = "admin";

/// Whether a category belongs to the city administration (`admin` and its children),
/// which business listings may not take.
pub fn is_city_category(key: &str) -> bool {
    let group = taxonomy::find(key)
        .and_then(|c| c.parent)
        .unwrap_or(key.split('.').next().unwrap_or(key));
    group == CITY_GROUP
}

/// The reserved terms, as configured and folded.
#[derive(Clone, Debug, Default)]
pub struct ReservedNames {
    terms: Vec<(String, String)>,
}

impl ReservedNames {
    /// The terms as written in the configuration; blank ones are left out.
    pub fn new<S: AsRef<str>>(terms: &[S]) -> ReservedNames {
        ReservedNames {
            terms: terms
                .iter()
                .map(|t| t.as_ref().trim())
                .filter(|t| !t.is_empty())
                .map(|t| (t.to_string(), fold_search(t)))
                .filter(|(_, folded)| !folded.is_empty())
                .collect(),
        }
    }

    /// The terms (as configured) that `names` hold, each matched after folding at the
    /// start of a word, so that `BÜRGERAMT`, `Buergeramt` and `Bürgeramtsservice` count.
    pub fn found_in(&self, names: &[&str]) -> Vec<String> {
        let text = format!(" {} ", fold_search(&names.join(" ")));
        self.terms
            .iter()
            .filter(|(_, folded)| text.contains(&format!(" {folded}")))
            .map(|(term, _)| term.clone())
            .collect()
    }

    /// The folded form of names, as staff approve them.
    pub fn folded(names: &[&str]) -> String {
        fold_search(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_terms_match_after_folding_at_a_word_start() {
        let r = ReservedNames::new(crate::core::config::DEMO_RESERVED_NAMES);
        assert_eq!(
            r.found_in(&["Bürgeramt Schnelltermin-Service – gegen Gebühr", ""]),
            vec!["Bürgeramt"]
        );
        assert_eq!(r.found_in(&["BUERGERAMT express"]), vec!["Bürgeramt"]);
        assert_eq!(r.found_in(&["Bürgeramtsservice"]), vec!["Bürgeramt"]);
        assert_eq!(
            r.found_in(&["", "Fast lane at City Hall"]),
            vec!["city hall"]
        );
        assert_eq!(
            r.found_in(&["Citizens’ Office help"]),
            vec!["citizens' office"]
        );
        assert!(r.found_in(&["Bäckerei am Markt", "Bakery"]).is_empty());
        // Inside a word is not the term: "Altrathaus" is a place, not the town hall.
        assert!(r.found_in(&["Café Altrathaus"]).is_empty());
        assert!(ReservedNames::new(&["", " "]).found_in(&["x"]).is_empty());
    }

    #[test]
    fn city_categories_are_the_administration_group() {
        assert!(is_city_category("admin.citizens-office"));
        assert!(is_city_category("admin"));
        assert!(!is_city_category("food.cafe"));
        assert!(!is_city_category("administration-like"));
    }
}
