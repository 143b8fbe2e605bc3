//! Generated listings for benchmarks: `city-portal generate-listings --count N`.
//!
//! Each generated listing is a published business derived from one of the demo city's
//! real OpenStreetMap businesses: its category, tags, opening hours, wheelchair access
//! and street are kept; the coordinates are moved by up to [`JITTER_M`] metres (kept
//! inside the bounding box of the businesses); the district is the business's own or,
//! as the demo extract has hardly any, the nearest of central Helsinki's districts
//! ([`DISTRICTS`]); the name is varied (often with the district or a neighbourhood
//! word, as branches are named); a short description is written from the category; the
//! real business's contact details are left out.
//! The same seed gives the same listings (ids and slugs aside, which depend on what the
//! database already holds).
//!
//! Listings are inserted in batches of [`BATCH`], one transaction each, with the search
//! columns the database search uses. They are not written to the outbox (indexing a
//! hundred thousand events one batch at a time is what `city-portal reindex` is for):
//! run `city-portal reindex` to put them into Meilisearch. At the end the database's
//! planner statistics are refreshed ([`analyze`]), so that the database search's plans
//! see the new rows and use the indexes.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::osm::{self, OsmPoi};
use super::seed::{poi_data, progress_bar, HELSINKI_PBF};
use crate::core::slug::Slug;
use crate::listings::hours;
use crate::listings::model::LocalizedText;
use crate::listings::model::{Contact, GeoPoint, ListingData, ListingKind, ListingStatus};
use crate::listings::service::apply_data;
use crate::listings::taxonomy;
use entities::{listing, listing_category, opening_hours_rule};

/// Listings per transaction.
pub const BATCH: usize = 500;

/// The farthest a generated listing is placed from the business it is derived from.
pub const JITTER_M: f64 = 400.0;

/// Child rows per insert statement (well below SQLite's and PostgreSQL's bind limits).
const ROWS_PER_INSERT: usize = 1000;

const METRES_PER_DEGREE: f64 = 111_320.0;

/// Districts of central Helsinki with their approximate centres (latitude, longitude),
/// for listings whose business has none: a listing gets the nearest.
pub const DISTRICTS: &[(&str, f64, f64)] = &[
    ("Kluuvi", 60.1712, 24.9450),
    ("Kaartinkaupunki", 60.1660, 24.9490),
    ("Kruununhaka", 60.1720, 24.9560),
    ("Katajanokka", 60.1680, 24.9640),
    ("Kamppi", 60.1690, 24.9330),
    ("Punavuori", 60.1620, 24.9390),
    ("Ullanlinna", 60.1600, 24.9490),
    ("Etu-Töölö", 60.1745, 24.9300),
    ("Hakaniemi", 60.1790, 24.9510),
    ("Kallio", 60.1840, 24.9500),
];

/// The nearest district of [`DISTRICTS`].
pub fn nearest_district(p: GeoPoint) -> &'static str {
    let mut best = (f64::MAX, DISTRICTS[0].0);
    for (name, lat, lng) in DISTRICTS {
        let d = crate::search::distance_m(p, (*lat, *lng));
        if d < best.0 {
            best = (d, name);
        }
    }
    best.1
}

/// Words a branch of a business might carry instead of its district.
const QUALIFIERS: &[&str] = &[
    "Keskusta",
    "Asema",
    "Satama",
    "Tori",
    "Kulma",
    "Puisto",
    "Ranta",
    "Itä",
    "Länsi",
    "Pohjoinen",
    "Etelä",
    "City",
    "Center",
    "Express",
    "Plus",
    "Nord",
    "Süd",
    "Mitte",
    "2",
    "II",
];

/// A small deterministic random number generator (SplitMix64): stable across platforms
/// and dependency updates, so a seed always means the same listings.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One generated listing.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub data: ListingData,
    /// The raw OSM `opening_hours` of the business it is derived from.
    pub opening_hours_osm: Option<String>,
}

/// An endless, deterministic stream of generated listings.
pub struct Generator<'a> {
    templates: &'a [OsmPoi],
    rng: Rng,
    lat: (f64, f64),
    lng: (f64, f64),
}

impl<'a> Generator<'a> {
    /// Listings derived from `templates` (the demo city's businesses, see
    /// [`demo_templates`]); `templates` must not be empty.
    pub fn new(templates: &'a [OsmPoi], seed: u64) -> Generator<'a> {
        assert!(
            !templates.is_empty(),
            "no businesses to derive listings from"
        );
        let (mut lat, mut lng) = ((f64::MAX, f64::MIN), (f64::MAX, f64::MIN));
        for p in templates {
            lat = (lat.0.min(p.lat), lat.1.max(p.lat));
            lng = (lng.0.min(p.lng), lng.1.max(p.lng));
        }
        Generator {
            templates,
            rng: Rng::new(seed),
            lat,
            lng,
        }
    }

    fn name(&mut self, t: &OsmPoi, district: &str) -> String {
        let base = t.name.trim();
        let roll = self.rng.below(100);
        let suffix = match (roll, Some(district)) {
            // Chains and common names repeat as they are.
            (0..35, _) => None,
            (35..75, Some(d)) if !base.contains(d) => Some(d.to_string()),
            _ => Some(QUALIFIERS[self.rng.below(QUALIFIERS.len())].to_string()),
        };
        let name = match suffix {
            Some(s) => format!("{base} {s}"),
            None => base.to_string(),
        };
        name.chars()
            .take(200)
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn location(&mut self, t: &OsmPoi) -> GeoPoint {
        // Uniform within a disc of JITTER_M around the business.
        let r = JITTER_M * self.rng.unit().sqrt();
        let angle = self.rng.unit() * std::f64::consts::TAU;
        let dlat = r * angle.cos() / METRES_PER_DEGREE;
        let dlng = r * angle.sin() / (METRES_PER_DEGREE * t.lat.to_radians().cos());
        GeoPoint {
            lat: reflect(t.lat + dlat, self.lat),
            lng: reflect(t.lng + dlng, self.lng),
        }
    }

    fn description(&mut self, data: &ListingData) -> LocalizedText {
        let category = data.categories.first().and_then(|k| taxonomy::find(k));
        let (label_de, label_en) =
            category.map_or(("Geschäft", "Business"), |c| (c.label_de, c.label_en));
        let place = data
            .district
            .clone()
            .or_else(|| data.address.city.clone())
            .unwrap_or_else(|| "Helsinki".to_string());
        let since = 1950 + self.rng.below(75);
        let tags = data
            .tags
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        match self.rng.below(3) {
            0 => LocalizedText {
                de: format!("{label_de} in {place}. Seit {since} für die Nachbarschaft da."),
                en: format!("{label_en} in {place}. Serving the neighbourhood since {since}."),
            },
            1 if !tags.is_empty() => LocalizedText {
                de: format!("{label_de} in {place}: {tags}."),
                en: format!("{label_en} in {place}: {tags}."),
            },
            _ => LocalizedText {
                de: format!("{label_de} mitten in {place}, gut erreichbar mit Bus und Bahn."),
                en: format!(
                    "{label_en} in the heart of {place}, easy to reach by public transport."
                ),
            },
        }
    }
}

/// A coordinate beyond the bounds mirrored back inside (so listings do not pile up on
/// the edge), clamped for bounds narrower than the jitter.
fn reflect(v: f64, (min, max): (f64, f64)) -> f64 {
    let v = if v > max {
        2.0 * max - v
    } else if v < min {
        2.0 * min - v
    } else {
        v
    };
    v.clamp(min, max)
}

impl Iterator for Generator<'_> {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        let templates = self.templates;
        let t = &templates[self.rng.below(templates.len())];
        let mut data = poi_data(t);
        let location = self.location(t);
        let district = data
            .district
            .clone()
            .unwrap_or_else(|| nearest_district(location).to_string());
        let name = self.name(t, &district);
        data.name = LocalizedText {
            de: name.clone(),
            en: name,
        };
        data.location = Some(location);
        data.district = Some(district);
        data.description = self.description(&data);
        // The real business's phone, email and website stay with it.
        data.contact = Contact::default();
        Some(Generated {
            data,
            opening_hours_osm: t.opening_hours_raw.clone(),
        })
    }
}

/// The demo city's businesses (from its OpenStreetMap extract), the templates of the
/// generated listings. Takes a second or two: the extract is parsed.
pub fn demo_templates() -> anyhow::Result<Vec<OsmPoi>> {
    let summary = osm::read_pois(std::io::Cursor::new(HELSINKI_PBF), &|_| {})?;
    Ok(summary.pois)
}

/// What [`generate`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateSummary {
    pub created: u64,
    /// How many real businesses the listings were derived from.
    pub templates: usize,
}

/// Free slugs for many listings at once: `base`, `base-2`, `base-3`, ... remembering
/// where each base got to, so a thousand branches of one chain stay cheap.
struct Slugs {
    taken: HashSet<String>,
    next: HashMap<String, u32>,
}

impl Slugs {
    fn pick(&mut self, base: &str) -> String {
        let n = self.next.entry(base.to_string()).or_insert(1);
        loop {
            let candidate = if *n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            };
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Inserts `count` generated published business listings into the city, derived from
/// the demo city's businesses with `seed`. See the module documentation.
pub async fn generate(
    db: &DatabaseConnection,
    city_id: Uuid,
    count: u64,
    seed: u64,
    show_progress: bool,
) -> anyhow::Result<GenerateSummary> {
    let templates = tokio::task::spawn_blocking(demo_templates).await??;
    anyhow::ensure!(
        !templates.is_empty(),
        "the demo extract has no businesses to derive listings from"
    );
    let mut slugs = Slugs {
        taken: listing::Entity::find()
            .select_only()
            .column(listing::Column::Slug)
            .filter(listing::Column::CityId.eq(city_id))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
        next: HashMap::new(),
    };
    let mut generator = Generator::new(&templates, seed);
    let bar = progress_bar(Some(count), show_progress, "generating");
    let mut created = 0u64;
    while created < count {
        let n = (count - created).min(BATCH as u64) as usize;
        let now = Utc::now();
        let mut listings = Vec::with_capacity(n);
        let mut categories = Vec::new();
        let mut rules = Vec::new();
        for g in generator.by_ref().take(n) {
            let id = Uuid::now_v7();
            let mut am = listing::ActiveModel {
                id: Set(id),
                city_id: Set(city_id),
                organization_id: Set(None),
                kind: Set(ListingKind::Business.as_str().to_string()),
                slug: Set(slugs.pick(Slug::from_name(&g.data.name.de).as_str())),
                status: Set(ListingStatus::Published.as_str().to_string()),
                opening_hours_osm: Set(g.opening_hours_osm.clone()),
                // Unique per city like every non-manual source.
                source: Set(format!("generated:{seed}:{id}")),
                suspended_reason: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                published_at: Set(Some(now)),
                ..Default::default()
            };
            // The content columns and the search columns of the database search.
            apply_data(&mut am, &g.data);
            listings.push(am);
            categories.extend(
                g.data
                    .categories
                    .iter()
                    // The position keeps its default: generated listings have no
                    // owner's order, and the generator also fills databases migrated
                    // only part of the way (the migration tests).
                    .map(|c| listing_category::ActiveModel {
                        listing_id: Set(id),
                        category_key: Set(c.clone()),
                        ..Default::default()
                    }),
            );
            rules.extend(
                g.data
                    .hours
                    .weekly
                    .iter()
                    .map(|r| opening_hours_rule::ActiveModel {
                        listing_id: Set(id),
                        weekday: Set(hours::weekday_index(r.weekday)),
                        opens: Set(r.opens.to_string()),
                        closes: Set(r.closes.to_string()),
                        ..Default::default()
                    }),
            );
        }
        let txn = db.begin().await?;
        listing::Entity::insert_many(listings)
            .exec_without_returning(&txn)
            .await?;
        while !categories.is_empty() {
            let rest = categories.split_off(categories.len().min(ROWS_PER_INSERT));
            listing_category::Entity::insert_many(std::mem::replace(&mut categories, rest))
                .exec_without_returning(&txn)
                .await?;
        }
        while !rules.is_empty() {
            let rest = rules.split_off(rules.len().min(ROWS_PER_INSERT));
            opening_hours_rule::Entity::insert_many(std::mem::replace(&mut rules, rest))
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        created += n as u64;
        bar.set_position(created);
    }
    bar.finish_and_clear();
    super::seed::analyze(db).await?;
    Ok(GenerateSummary {
        created,
        templates: templates.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::osm::OsmHours;

    fn poi(name: &str, district: Option<&str>, lat: f64, lng: f64) -> OsmPoi {
        OsmPoi {
            source: format!("osm:node/{}", name.len()),
            name: name.into(),
            category: "food.cafe",
            lat,
            lng,
            street: Some("Aleksanterinkatu 1".into()),
            postcode: Some("00100".into()),
            city: Some("Helsinki".into()),
            district: district.map(String::from),
            website: Some("https://example.org".into()),
            phone: Some("+358 9 123 456".into()),
            email: None,
            wheelchair: Some("yes".into()),
            opening_hours_raw: Some("Mo-Fr 08:00-18:00".into()),
            opening_hours: OsmHours::Parsed(vec![(chrono::Weekday::Mon, 480, 1080)]),
            tags: vec!["cafe".into()],
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_listings() {
        let t = vec![
            poi("Kahvila Mokka", Some("Kallio"), 60.18, 24.95),
            poi("Café Ekberg", None, 60.16, 24.94),
            poi("Alepa", Some("Töölö"), 60.19, 24.92),
        ];
        let a: Vec<Generated> = Generator::new(&t, 7).take(200).collect();
        let b: Vec<Generated> = Generator::new(&t, 7).take(200).collect();
        let c: Vec<Generated> = Generator::new(&t, 8).take(200).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        for g in &a {
            let d = &g.data;
            let p = d.location.unwrap();
            // Inside the templates' bounding box, within the jitter of one of them.
            assert!((60.16..=60.19).contains(&p.lat) && (24.92..=24.95).contains(&p.lng));
            let near = t
                .iter()
                .any(|t| crate::search::distance_m(p, (t.lat, t.lng)) <= JITTER_M + 1.0);
            assert!(near, "{p:?}");
            assert!(["Kahvila", "Café", "Alepa"]
                .iter()
                .any(|w| d.name.de.starts_with(w)));
            assert_eq!(d.categories, vec!["food.cafe"]);
            assert_eq!(d.hours.weekly.len(), 1);
            assert_eq!(d.contact, Contact::default());
            assert!(d.description.de.starts_with("Café"), "{}", d.description.de);
        }
        // Names vary: both plain and with a district or neighbourhood word.
        let names: HashSet<&str> = a.iter().map(|g| g.data.name.de.as_str()).collect();
        assert!(
            names.contains("Alepa") && names.contains("Alepa Töölö"),
            "{names:?}"
        );
        assert!(names.len() > 10, "{names:?}");
    }

    #[test]
    fn slugs_stay_unique_and_cheap() {
        let mut s = Slugs {
            taken: ["alepa".to_string(), "alepa-3".to_string()].into(),
            next: HashMap::new(),
        };
        assert_eq!(s.pick("alepa"), "alepa-2");
        assert_eq!(s.pick("alepa"), "alepa-4");
        assert_eq!(s.pick("mokka"), "mokka");
        assert_eq!(s.pick("mokka"), "mokka-2");
    }
}
