//! Words a resident would use interchangeably: German, English and Finnish (the demo
//! city is Helsinki). One list for both engines: the Meilisearch settings are built from
//! it ([`crate::settings::listing_settings`]) and the database search of the server
//! expands a query's words with it.

use std::collections::HashMap;

/// Groups of words and phrases that mean the same; every entry of a group stands for
/// all the others. Written as people write them (umlauts, apostrophes): each engine
/// normalizes them its own way.
pub const GROUPS: &[&[&str]] = &[
    &[
        "fitnessstudio",
        "gym",
        "fitness",
        "fitnesscenter",
        "kuntosali",
    ],
    &[
        "bürgeramt",
        "bürgerbüro",
        "citizens office",
        "bürgerservice",
    ],
    &["arzt", "ärztin", "doctor", "physician", "praxis", "lääkäri"],
    &["zahnarzt", "zahnärztin", "dentist", "hammaslääkäri"],
    &["apotheke", "pharmacy", "chemist", "apteekki"],
    &["bibliothek", "bücherei", "library", "kirjasto"],
    &[
        "kita",
        "kindertagesstätte",
        "kindergarten",
        "day care",
        "daycare",
        "päiväkoti",
    ],
    &[
        "schwimmbad",
        "hallenbad",
        "swimming pool",
        "pool",
        "uimahalli",
    ],
    &[
        "friseur",
        "frisör",
        "hairdresser",
        "barber",
        "kampaamo",
        "parturi",
    ],
    &["bäckerei", "bakery", "leipomo"],
    &["restaurant", "gaststätte", "ravintola"],
    &["café", "cafe", "kaffee", "coffee", "kahvila"],
    &[
        "supermarkt",
        "supermarket",
        "lebensmittel",
        "grocery",
        "ruokakauppa",
    ],
    &["krankenhaus", "klinik", "hospital", "clinic", "sairaala"],
    &["personalausweis", "ausweis", "id card", "identity card"],
    &["reisepass", "pass", "passport"],
    &["führerschein", "driving licence", "driver's license"],
    &[
        "anmeldung",
        "ummelden",
        "ummeldung",
        "wohnsitz anmelden",
        "wohnsitz",
        "registration",
        "residence",
    ],
    &["verein", "club"],
    &["tierarzt", "vet", "veterinarian", "eläinlääkäri"],
];

/// The synonym map as Meilisearch takes it: every entry of a group maps to all the
/// others.
pub fn map() -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for group in GROUPS {
        for word in *group {
            map.insert(
                word.to_string(),
                group
                    .iter()
                    .filter(|w| *w != word)
                    .map(|w| w.to_string())
                    .collect(),
            );
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_in_one_group_only() {
        let mut seen = std::collections::HashSet::new();
        for group in GROUPS {
            assert!(group.len() >= 2, "{group:?}");
            for w in *group {
                assert_eq!(w.trim(), *w);
                assert_eq!(w.to_lowercase(), *w, "written in lower case: {w}");
                assert!(seen.insert(*w), "{w} is in two groups");
            }
        }
    }

    #[test]
    fn groups_go_both_ways() {
        let m = map();
        assert!(m["ummelden"].contains(&"wohnsitz anmelden".to_string()));
        assert!(m["wohnsitz anmelden"].contains(&"ummelden".to_string()));
        assert!(m["kahvila"].contains(&"café".to_string()));
        assert!(m["café"].contains(&"kahvila".to_string()));
        assert!(m["gym"].contains(&"fitnessstudio".to_string()));
        assert!(!m["gym"].contains(&"gym".to_string()));
    }
}
