//! The seeded category taxonomy of the city directory (businesses, clubs,
//! doctors, city services) and the mapping of OpenStreetMap tags onto it.
//!
//! Keys are stable identifiers (they end up in URLs and in the database), so
//! they are never renamed; labels may change freely. Top-level groups have a
//! single-segment key ("health"), their children use "group.slug"
//! ("health.doctor").

/// One entry of the category taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryDef {
    /// Stable identifier, e.g. `"health.doctor"`.
    pub key: &'static str,
    /// Key of the parent group, `None` for top-level groups.
    pub parent: Option<&'static str>,
    /// German display label.
    pub label_de: &'static str,
    /// English display label.
    pub label_en: &'static str,
}

const fn group(key: &'static str, label_de: &'static str, label_en: &'static str) -> CategoryDef {
    CategoryDef {
        key,
        parent: None,
        label_de,
        label_en,
    }
}

const fn child(
    parent: &'static str,
    key: &'static str,
    label_de: &'static str,
    label_en: &'static str,
) -> CategoryDef {
    CategoryDef {
        key,
        parent: Some(parent),
        label_de,
        label_en,
    }
}

/// Generic fallback category for anything the mapping does not recognise.
pub const FALLBACK: &str = "other";

/// All categories, groups first within their block, in display order.
// Kept as a table; rustfmt would spread every entry over several lines.
#[rustfmt::skip]
pub const CATEGORIES: &[CategoryDef] = &[
    group("food", "Essen & Trinken", "Food & Drink"),
    child("food", "food.restaurant", "Restaurants", "Restaurants"),
    child("food", "food.cafe", "Cafés & Eisdielen", "Cafés & ice cream"),
    child("food", "food.fast-food", "Imbiss & Schnellrestaurants", "Fast food & takeaway"),
    child("food", "food.bar", "Bars, Kneipen & Clubs", "Bars, pubs & nightclubs"),
    child("food", "food.bakery", "Bäckereien & Konditoreien", "Bakeries & patisseries"),
    group("shopping", "Einkaufen", "Shopping"),
    child("shopping", "shopping.supermarket",
          "Supermärkte & Lebensmittel", "Supermarkets & groceries"),
    child("shopping", "shopping.fashion", "Mode, Schuhe & Schmuck", "Fashion, shoes & jewellery"),
    child("shopping", "shopping.home", "Wohnen, Haus & Garten", "Home, DIY & garden"),
    child("shopping", "shopping.electronics", "Elektronik & Telefon", "Electronics & phones"),
    child("shopping", "shopping.hobby", "Bücher, Hobby & Geschenke", "Books, hobbies & gifts"),
    child("shopping", "shopping.drugstore", "Drogerie & Kosmetik", "Drugstores & cosmetics"),
    child("shopping", "shopping.other",
          "Kaufhäuser & weitere Geschäfte", "Department stores & other shops"),
    group("health", "Gesundheit", "Health"),
    child("health", "health.doctor", "Arztpraxen", "Doctors"),
    child("health", "health.dentist", "Zahnarztpraxen", "Dentists"),
    child("health", "health.pharmacy", "Apotheken", "Pharmacies"),
    child("health", "health.hospital", "Krankenhäuser & Kliniken", "Hospitals & clinics"),
    child("health", "health.therapy", "Therapie & Gesundheitsdienste", "Therapy & health services"),
    child("health", "health.optician", "Optik & Hörakustik", "Opticians & hearing aids"),
    child("health", "health.veterinary", "Tierarztpraxen", "Veterinarians"),
    group("sport", "Sport & Freizeit", "Sport & Leisure"),
    child("sport", "sport.gym", "Fitnessstudios", "Gyms & fitness"),
    child("sport", "sport.facility", "Sport- & Freizeitanlagen", "Sports & leisure facilities"),
    child("sport", "sport.swimming", "Schwimmbäder", "Swimming pools"),
    child("sport", "sport.club", "Sportvereine", "Sports clubs"),
    child("sport", "sport.park", "Parks & Spielplätze", "Parks & playgrounds"),
    group("culture", "Kultur & Tourismus", "Culture & Tourism"),
    child("culture", "culture.museum", "Museen & Galerien", "Museums & galleries"),
    child("culture", "culture.theatre", "Theater & Konzerte", "Theatres & concert venues"),
    child("culture", "culture.cinema", "Kinos", "Cinemas"),
    child("culture", "culture.sight",
          "Sehenswürdigkeiten & Touristinfo", "Sights & tourist information"),
    child("culture", "culture.hotel", "Hotels & Unterkünfte", "Hotels & accommodation"),
    group("education", "Bildung", "Education"),
    child("education", "education.kindergarten",
          "Kindergärten & Kitas", "Kindergartens & day care"),
    child("education", "education.school", "Schulen", "Schools"),
    child("education", "education.university",
          "Hochschulen & Forschung", "Universities & research"),
    child("education", "education.courses", "Kurse & Weiterbildung", "Courses & adult education"),
    group("community", "Vereine & Gemeinschaft", "Clubs & Community"),
    child("community", "community.club", "Vereine & Initiativen", "Clubs & associations"),
    child("community", "community.religion",
          "Kirchen & Glaubensgemeinschaften", "Places of worship"),
    child("community", "community.centre", "Bürgerhäuser & Treffpunkte", "Community centres"),
    child("community", "community.social", "Soziale Einrichtungen", "Social facilities"),
    group("services", "Dienstleistungen", "Services"),
    child("services", "services.beauty", "Friseur & Kosmetikstudios", "Hair & beauty"),
    child("services", "services.finance", "Banken & Geldautomaten", "Banks & ATMs"),
    child("services", "services.post", "Post & Pakete", "Post & parcels"),
    child("services", "services.craft", "Handwerk & Reparatur", "Crafts, trades & repair"),
    child("services", "services.professional",
          "Büros, Beratung & Recht", "Offices, consulting & legal"),
    child("services", "services.other", "Weitere Dienstleistungen", "Other services"),
    group("admin", "Öffentliche Verwaltung", "Public Administration"),
    child("admin", "admin.citizens-office", "Bürgeramt", "Citizens' office"),
    child("admin", "admin.registry-office", "Standesamt", "Registry office"),
    child("admin", "admin.library", "Bibliotheken", "Libraries"),
    child("admin", "admin.permits", "Bauamt & Genehmigungen", "Building & permits"),
    child("admin", "admin.social", "Soziales & Jobcenter", "Social services"),
    child("admin", "admin.childcare", "Jugend & Kinderbetreuung", "Youth & childcare services"),
    child("admin", "admin.public-works", "Bauhof, Grün & Abfall", "Public works & waste"),
    child("admin", "admin.immigration", "Ausländerbehörde", "Immigration office"),
    child("admin", "admin.transport", "Straßenverkehrsamt", "Vehicle & driving licence office"),
    child("admin", "admin.authorities", "Rathaus & Behörden", "Town hall & authorities"),
    child("admin", "admin.safety", "Polizei, Feuerwehr & Rettung", "Police, fire & rescue"),
    group("transport", "Verkehr & Mobilität", "Transport & Mobility"),
    child("transport", "transport.public", "Bus, Bahn & Fähre", "Public transport"),
    child("transport", "transport.car", "Auto, Parken & Tanken", "Cars, parking & fuel"),
    child("transport", "transport.bicycle", "Fahrrad", "Bicycles"),
    group("other", "Sonstiges", "Other"),
];

/// Looks up a category by its key.
pub fn find(key: &str) -> Option<&'static CategoryDef> {
    CATEGORIES.iter().find(|c| c.key == key)
}

/// Maps OSM tags of a point of interest to a category key in [`CATEGORIES`].
///
/// `get` returns the value of a tag (`get("amenity")`). The keys amenity,
/// healthcare, shop, tourism, leisure and office are tried in this order and
/// the first recognised value wins (a few secondary tags such as `government`
/// or `sport` refine it). Otherwise any `craft` means a trade, and an
/// unrecognised value of a key still gives that key's group catch-all.
/// Always returns a valid key, [`FALLBACK`] when nothing fits.
pub fn category_for_osm_tags(get: &dyn Fn(&str) -> Option<String>) -> &'static str {
    // OSM allows several values separated by ';'; the first one is the main one.
    let first = |key: &str| -> Option<String> {
        let value = get(key)?;
        let value = value.split(';').next().unwrap_or("").trim().to_lowercase();
        (!value.is_empty()).then_some(value)
    };

    let found = OSM_TABLES.iter().find_map(|(key, table, _)| {
        let value = first(key)?;
        refine(key, &value, &first).or_else(|| lookup(table, &value))
    });
    if let Some(category) = found {
        return category;
    }
    if first("craft").is_some() {
        return "services.craft";
    }
    // amenity has no useful catch-all, so e.g. amenity=bandstand + leisure=bandstand
    // should not end in "other" because amenity comes first.
    OSM_TABLES
        .iter()
        .find(|(key, _, catch_all)| *catch_all != FALLBACK && first(key).is_some())
        .map_or(FALLBACK, |(_, _, catch_all)| *catch_all)
}

/// `(category, OSM values)` pairs for one OSM key.
type ValueTable = &'static [(&'static str, &'static [&'static str])];

/// `(OSM key, its values, catch-all for other values)` in priority order.
const OSM_TABLES: &[(&str, ValueTable, &str)] = &[
    ("amenity", AMENITY, FALLBACK),
    ("healthcare", HEALTHCARE, "health.therapy"),
    ("shop", SHOP, "shopping.other"),
    ("tourism", TOURISM, "culture.sight"),
    ("leisure", LEISURE, "sport.facility"),
    ("office", OFFICE, "services.professional"),
];

fn lookup(table: ValueTable, value: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(_, values)| values.contains(&value))
        .map(|(category, _)| *category)
}

/// Cases where a secondary tag decides the category.
fn refine(key: &str, value: &str, first: &dyn Fn(&str) -> Option<String>) -> Option<&'static str> {
    match (key, value) {
        ("amenity", "townhall") => match first("townhall:type").as_deref() {
            Some("registry_office" | "register_office") => Some("admin.registry-office"),
            _ => None,
        },
        ("amenity", "vending_machine") => match first("vending").as_deref() {
            Some("parcel_pickup" | "parcel_mail_in") => Some("services.post"),
            _ => None,
        },
        ("leisure", "sports_centre") if first("sport").as_deref() == Some("swimming") => {
            Some("sport.swimming")
        }
        ("office", "government" | "administrative" | "quango") => {
            match first("government").as_deref()? {
                "register_office" | "registry_office" => Some("admin.registry-office"),
                "social_services" | "social_security" | "social_welfare" => Some("admin.social"),
                "youth_welfare" | "childcare" => Some("admin.childcare"),
                "building" | "building_authority" | "planning" => Some("admin.permits"),
                "immigration" => Some("admin.immigration"),
                "transportation" => Some("admin.transport"),
                _ => None,
            }
        }
        // Associations with a sport are the sports clubs of the city.
        ("office", "association" | "ngo" | "foundation" | "charity" | "club")
            if first("sport").is_some() || first("club").as_deref() == Some("sport") =>
        {
            Some("sport.club")
        }
        _ => None,
    }
}

#[rustfmt::skip]
const AMENITY: ValueTable = &[
    ("food.restaurant", &["restaurant", "food_court"]),
    ("food.cafe", &["cafe", "ice_cream"]),
    ("food.fast-food", &["fast_food"]),
    ("food.bar", &["bar", "pub", "biergarten", "nightclub"]),
    ("shopping.supermarket", &["marketplace"]),
    ("health.doctor", &["doctors"]),
    ("health.dentist", &["dentist"]),
    ("health.pharmacy", &["pharmacy"]),
    ("health.hospital", &["hospital", "clinic"]),
    ("health.veterinary", &["veterinary"]),
    ("sport.gym", &["fitness_centre", "gym"]),
    ("sport.swimming", &["public_bath"]),
    ("culture.theatre", &["theatre", "concert_hall", "music_venue", "bandstand"]),
    ("culture.cinema", &["cinema"]),
    ("culture.museum", &["arts_centre", "gallery"]),
    ("culture.sight", &["artwork", "fountain", "casino", "planetarium"]),
    ("education.kindergarten", &["kindergarten", "childcare"]),
    ("education.school", &["school"]),
    ("education.university", &["university", "college", "research_institute"]),
    (
        "education.courses",
        &[
            "language_school", "music_school", "driving_school", "dancing_school", "prep_school",
            "training",
        ],
    ),
    ("community.religion", &["place_of_worship", "monastery"]),
    (
        "community.centre",
        &[
            "community_centre", "social_centre", "youth_centre", "events_venue",
            "conference_centre", "studio",
        ],
    ),
    ("community.social", &["social_facility", "nursing_home"]),
    ("services.finance", &["bank", "atm", "bureau_de_change", "money_transfer"]),
    ("services.post", &["post_office", "parcel_locker"]),
    ("services.professional", &["coworking_space"]),
    ("services.other", &["internet_cafe", "animal_boarding", "animal_shelter", "funeral_hall"]),
    ("admin.library", &["library"]),
    ("admin.authorities", &["townhall", "courthouse", "embassy", "public_building"]),
    ("admin.safety", &["police", "fire_station", "ambulance_station", "rescue_station"]),
    ("admin.public-works", &["recycling", "waste_transfer_station"]),
    ("transport.public", &["bus_station", "ferry_terminal", "taxi"]),
    (
        "transport.car",
        &[
            "parking", "fuel", "car_wash", "car_rental", "car_sharing", "charging_station",
            "motorcycle_parking",
        ],
    ),
    ("transport.bicycle", &["bicycle_rental", "bicycle_parking", "bicycle_repair_station"]),
];

// Other healthcare values (physiotherapist, alternative, midwife, ...) take the
// "health.therapy" catch-all.
#[rustfmt::skip]
const HEALTHCARE: ValueTable = &[
    ("health.doctor", &["doctor"]),
    ("health.dentist", &["dentist"]),
    ("health.pharmacy", &["pharmacy"]),
    ("health.hospital", &["hospital", "clinic", "centre"]),
    ("health.optician", &["optometrist", "audiologist"]),
    ("health.veterinary", &["veterinary"]),
];

#[rustfmt::skip]
const SHOP: ValueTable = &[
    (
        "shopping.supermarket",
        &[
            "supermarket", "convenience", "grocery", "greengrocer", "butcher", "deli", "kiosk",
            "alcohol", "beverages", "wine", "seafood", "cheese", "chocolate", "coffee", "tea",
            "health_food", "farm", "frozen_food", "organic", "spices", "pasta", "dairy", "food",
            "water",
        ],
    ),
    ("food.bakery", &["bakery", "pastry", "confectionery"]),
    (
        "shopping.fashion",
        &[
            "clothes", "shoes", "boutique", "fashion", "fashion_accessories", "jewelry",
            "jewellery", "gold", "bag", "handbags", "leather", "watches", "hat", "hats", "fabric",
            "baby_goods",
        ],
    ),
    (
        "shopping.home",
        &[
            "furniture", "doityourself", "hardware", "garden_centre", "florist",
            "interior_decoration", "houseware", "cookware", "kitchen", "bed", "lighting", "paint",
            "curtain", "carpet", "tiles", "bathroom_furnishing", "flooring", "electrical",
            "appliance", "trade", "antiques", "candles",
        ],
    ),
    (
        "shopping.electronics",
        &[
            "electronics", "computer", "mobile_phone", "hifi", "camera", "video_games",
            "telecommunication",
        ],
    ),
    (
        "shopping.hobby",
        &[
            "books", "stationery", "gift", "newsagent", "toys", "art", "music", "records",
            "musical_instrument", "craft", "handicraft", "handicrafts", "games", "hobby", "model",
            "sports", "outdoor", "fishing", "anime", "collector", "frame", "party", "photo",
            "ticket", "pet",
        ],
    ),
    ("shopping.drugstore", &["chemist", "cosmetics", "perfumery", "herbalist"]),
    ("health.optician", &["optician", "hearing_aids", "medical_supply"]),
    (
        "services.beauty",
        &["hairdresser", "beauty", "beauty_salon", "massage", "tattoo", "nails", "nailstudio"],
    ),
    ("services.craft", &["tailor", "shoe_repair", "locksmith", "locks", "key_cutter", "repair"]),
    (
        "services.other",
        &[
            "travel_agency", "laundry", "dry_cleaning", "funeral_directors", "copyshop",
            "pet_grooming", "rental", "storage_rental",
        ],
    ),
    ("transport.car", &["car", "car_repair", "car_parts", "tyres", "motorcycle", "fuel"]),
    ("transport.bicycle", &["bicycle"]),
];

#[rustfmt::skip]
const TOURISM: ValueTable = &[
    ("culture.museum", &["museum", "gallery"]),
    (
        "culture.hotel",
        &[
            "hotel", "hostel", "guest_house", "motel", "apartment", "camp_site", "caravan_site",
            "chalet", "alpine_hut",
        ],
    ),
];

#[rustfmt::skip]
const LEISURE: ValueTable = &[
    ("sport.gym", &["fitness_centre", "fitness_station"]),
    ("sport.swimming", &["swimming_pool", "water_park"]),
    ("sport.club", &["sports_club"]),
    ("sport.park", &["park", "playground", "garden", "dog_park", "nature_reserve", "common"]),
    ("culture.theatre", &["bandstand"]),
];

// Companies, lawyers, insurers, IT, ... take the "services.professional" catch-all.
#[rustfmt::skip]
const OFFICE: ValueTable = &[
    ("admin.authorities", &["government", "administrative", "quango"]),
    (
        "community.club",
        &["association", "ngo", "foundation", "charity", "club", "political_party"],
    ),
    ("community.religion", &["religion"]),
    ("admin.social", &["employment_agency"]),
    ("services.other", &["travel_agent"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn map(tags: &[(&str, &str)]) -> &'static str {
        let tags: HashMap<String, String> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        category_for_osm_tags(&|k| tags.get(k).cloned())
    }

    #[test]
    fn keys_are_unique() {
        let mut seen = HashSet::new();
        for c in CATEGORIES {
            assert!(seen.insert(c.key), "duplicate key {}", c.key);
        }
    }

    #[test]
    fn every_parent_exists_and_is_a_group() {
        for c in CATEGORIES {
            if let Some(parent) = c.parent {
                let p = find(parent).unwrap_or_else(|| panic!("{}: no parent {parent}", c.key));
                assert!(
                    p.parent.is_none(),
                    "{}: parent {parent} is not top-level",
                    c.key
                );
                assert!(c.key.starts_with(&format!("{parent}.")), "{}", c.key);
            } else {
                assert!(!c.key.contains('.'), "top-level {} has a dot", c.key);
            }
        }
    }

    #[test]
    fn labels_are_present_and_size_is_sane() {
        for c in CATEGORIES {
            assert!(!c.label_de.trim().is_empty() && !c.label_en.trim().is_empty());
            assert!(c
                .key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '.' || ch == '-'));
        }
        assert!(find(FALLBACK).is_some());
        let groups = CATEGORIES.iter().filter(|c| c.parent.is_none()).count();
        assert!((8..=12).contains(&groups), "{groups} groups");
        assert!((40..=70).contains(&CATEGORIES.len()));
    }

    #[test]
    fn required_keys_exist() {
        for key in [
            "health.doctor",
            "health.pharmacy",
            "sport.gym",
            "food.restaurant",
            "food.cafe",
            "shopping.supermarket",
            "admin.citizens-office",
            "admin.registry-office",
            "admin.library",
            "admin.permits",
            "admin.social",
            "admin.childcare",
            "admin.public-works",
            "admin.immigration",
            "admin.transport",
        ] {
            assert!(find(key).is_some(), "{key} missing");
        }
    }

    #[test]
    fn mapping_examples() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("amenity", "fitness_centre")], "sport.gym"),
            (&[("leisure", "fitness_centre")], "sport.gym"),
            (&[("amenity", "doctors")], "health.doctor"),
            (&[("amenity", "clinic")], "health.hospital"),
            (&[("amenity", "dentist")], "health.dentist"),
            (&[("healthcare", "physiotherapist")], "health.therapy"),
            (&[("healthcare", "doctor")], "health.doctor"),
            (&[("shop", "supermarket")], "shopping.supermarket"),
            (&[("shop", "Deli; kitchen")], "shopping.supermarket"),
            (&[("shop", "yes")], "shopping.other"),
            (&[("shop", "bakery")], "food.bakery"),
            (&[("tourism", "museum")], "culture.museum"),
            (&[("tourism", "hotel")], "culture.hotel"),
            (&[("tourism", "artwork")], "culture.sight"),
            (&[("office", "government")], "admin.authorities"),
            (
                &[("office", "government"), ("government", "register_office")],
                "admin.registry-office",
            ),
            (&[("office", "company")], "services.professional"),
            (&[("office", "association")], "community.club"),
            (
                &[("office", "association"), ("sport", "soccer")],
                "sport.club",
            ),
            (&[("craft", "shoemaker")], "services.craft"),
            (&[("amenity", "library")], "admin.library"),
            (&[("amenity", "nightclub;restaurant")], "food.bar"),
            (&[("amenity", "vending_machine")], "other"),
            (
                &[("amenity", "vending_machine"), ("shop", "books")],
                "shopping.hobby",
            ),
            (
                &[("leisure", "sports_centre"), ("sport", "swimming")],
                "sport.swimming",
            ),
            (&[("leisure", "miniature_golf")], "sport.facility"),
            (
                &[("amenity", "bandstand"), ("leisure", "bandstand")],
                "culture.theatre",
            ),
            (
                &[("amenity", "something"), ("leisure", "dance")],
                "sport.facility",
            ),
            (
                &[("amenity", "vending_machine"), ("vending", "parcel_pickup")],
                "services.post",
            ),
            (&[], "other"),
        ];
        for (tags, expected) in cases {
            assert_eq!(map(tags), *expected, "{tags:?}");
        }
    }

    #[test]
    fn every_table_entry_maps_to_its_category() {
        for (key, table, catch_all) in OSM_TABLES {
            assert!(find(catch_all).is_some(), "{key}: catch-all {catch_all}");
            let mut seen = HashSet::new();
            for (category, values) in *table {
                assert!(find(category).is_some(), "{key}: unknown {category}");
                for value in *values {
                    assert!(seen.insert(value), "{key}={value} listed twice");
                    assert_eq!(map(&[(key, value)]), *category, "{key}={value}");
                }
            }
        }
    }

    #[test]
    fn every_mapping_result_exists() {
        let extras: [&[(&str, &str)]; 5] = [
            &[],
            &[("sport", "swimming")],
            &[("government", "social_services")],
            &[("government", "register_office")],
            &[("townhall:type", "registry_office")],
        ];
        let mut values: Vec<&str> = vec!["yes", "something_unknown", "", " ; "];
        for (_, table, _) in OSM_TABLES {
            values.extend(table.iter().flat_map(|(_, v)| v.iter().copied()));
        }
        for key in [
            "amenity",
            "shop",
            "office",
            "leisure",
            "craft",
            "healthcare",
            "tourism",
        ] {
            for value in &values {
                for extra in extras {
                    let mut tags = vec![(key, *value)];
                    tags.extend_from_slice(extra);
                    let result = map(&tags);
                    assert!(find(result).is_some(), "{tags:?} -> {result}");
                }
            }
        }
    }
}
