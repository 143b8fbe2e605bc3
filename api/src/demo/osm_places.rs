//! The places of an OpenStreetMap extract a resident may type: street addresses,
//! streets, squares and districts, each with a point, and the districts' areas to tell
//! which district a point lies in. Read in the same pass as the points of interest
//! ([`super::osm::read_pois`]).
//!
//! Data read this way is © OpenStreetMap contributors (ODbL 1.0).

use std::collections::{BTreeMap, HashMap};

/// What a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OsmPlaceKind {
    District,
    Square,
    Street,
    Address,
}

impl OsmPlaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OsmPlaceKind::District => "district",
            OsmPlaceKind::Square => "square",
            OsmPlaceKind::Street => "street",
            OsmPlaceKind::Address => "address",
        }
    }
}

/// One place read from OSM.
#[derive(Debug, Clone, PartialEq)]
pub struct OsmPlace {
    pub kind: OsmPlaceKind,
    /// `Mannerheimintie 5`, `Mannerheimintie`, `Senaatintori`, `Kluuvi`.
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    /// The district the point lies in ([`Districts::at`]); `None` for districts.
    pub district: Option<String>,
}

/// `place=*` values read as districts, coarsest first.
const DISTRICT_PLACES: &[&str] = &["suburb", "quarter", "neighbourhood"];

/// Administrative boundaries read as districts: a city's districts and the levels
/// around them (9: groups of districts, 10: districts, 11: their parts, as Helsinki
/// maps them; German cities map Stadtbezirke at 9 and Ortsteile at 10).
const DISTRICT_LEVELS: std::ops::RangeInclusive<u8> = 9..=11;

/// The finest boundary level a listing's district is taken from; finer ones (parts of
/// districts) are still places to type.
const LISTING_DISTRICT_LEVEL: u8 = 10;

/// How far (metres) a point may be from the nearest district node to be given its name,
/// where no boundary contains it.
const NEAREST_DISTRICT_M: f64 = 3_000.0;

/// `highway=*` values that are not streets one lives or walks on.
const NOT_STREETS: &[&str] = &[
    "platform",
    "corridor",
    "elevator",
    "construction",
    "proposed",
    "bus_stop",
    "raceway",
];

/// A straight piece of a boundary between two points (latitude, longitude).
type Segment = ((f64, f64), (f64, f64));

/// A district area: an administrative boundary whose member ways are all in the file.
#[derive(Debug, Clone)]
struct Area {
    name: String,
    level: u8,
    /// Every segment of its outer and inner rings (even-odd rule: the order of the ways
    /// does not matter).
    segments: Vec<Segment>,
}

impl Area {
    fn contains(&self, lat: f64, lng: f64) -> bool {
        let mut inside = false;
        for &((alat, alng), (blat, blng)) in &self.segments {
            if (alat > lat) != (blat > lat) {
                let cross = alng + (lat - alat) / (blat - alat) * (blng - alng);
                if lng < cross {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

/// The districts of an extract: boundaries where it has them whole, else district
/// nodes (`place=suburb|quarter|neighbourhood`).
#[derive(Debug, Clone, Default)]
pub struct Districts {
    areas: Vec<Area>,
    /// Name, point and rank in [`DISTRICT_PLACES`].
    nodes: Vec<(String, f64, f64, usize)>,
}

impl Districts {
    /// The district of a point: the finest boundary up to level 10 that contains it,
    /// else the nearest district node within 3 km (suburbs before quarters before
    /// neighbourhoods), else none.
    pub fn at(&self, lat: f64, lng: f64) -> Option<String> {
        let area = self
            .areas
            .iter()
            .filter(|a| a.level <= LISTING_DISTRICT_LEVEL && a.contains(lat, lng))
            .max_by_key(|a| a.level);
        if let Some(a) = area {
            return Some(a.name.clone());
        }
        self.nodes
            .iter()
            .map(|(name, nlat, nlng, rank)| (rank, metres(lat, lng, *nlat, *nlng), name))
            .filter(|(_, d, _)| *d <= NEAREST_DISTRICT_M)
            .min_by(|a, b| a.0.cmp(b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, _, name)| name.clone())
    }
}

/// Metres between two points (equirectangular; fine within a city).
pub fn metres(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let x = (lng2 - lng1).to_radians() * ((lat1 + lat2) / 2.0).to_radians().cos();
    let y = (lat2 - lat1).to_radians();
    (x * x + y * y).sqrt() * 6_371_000.0
}

/// The places of an extract and its districts.
#[derive(Debug, Clone, Default)]
pub struct OsmPlaces {
    /// Districts, squares, streets and addresses, each name once per kind.
    pub places: Vec<OsmPlace>,
    pub districts: Districts,
}

/// A relation read as a district or a square.
struct PendingRelation {
    name: String,
    /// `Some(level)` for a boundary, `None` for a square.
    level: Option<u8>,
    outer: Vec<i64>,
    inner: Vec<i64>,
}

/// What the reader keeps while streaming the file; node positions come from the POI
/// reader's table.
#[derive(Default)]
pub(super) struct PlacesCollector {
    /// Address `(street, housenumber)` → point, first one kept.
    addresses: BTreeMap<(String, String), (f64, f64)>,
    /// Addresses on ways, placed at the end.
    address_ways: Vec<(String, String, Vec<i64>)>,
    /// Street name → the nodes of its ways.
    streets: BTreeMap<String, Vec<i64>>,
    /// District nodes: name, point, rank.
    district_nodes: Vec<(String, f64, f64, usize)>,
    /// Squares mapped as nodes.
    square_nodes: Vec<(String, f64, f64)>,
    /// Squares mapped as ways.
    square_ways: Vec<(String, Vec<i64>)>,
    /// Every way's nodes: the members of boundaries and squares (relations come last).
    way_refs: HashMap<i64, Vec<i64>>,
    relations: Vec<PendingRelation>,
}

fn tag<'a>(tags: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

impl PlacesCollector {
    pub(super) fn node(&mut self, lat: f64, lng: f64, tags: &[(&str, &str)]) {
        if let (Some(street), Some(number)) =
            (tag(tags, "addr:street"), tag(tags, "addr:housenumber"))
        {
            self.addresses
                .entry((street.to_string(), number.to_string()))
                .or_insert((lat, lng));
        }
        if let (Some(place), Some(name)) = (tag(tags, "place"), tag(tags, "name")) {
            if let Some(rank) = DISTRICT_PLACES.iter().position(|p| *p == place) {
                self.district_nodes.push((name.to_string(), lat, lng, rank));
            } else if place == "square" {
                self.square_nodes.push((name.to_string(), lat, lng));
            }
        }
    }

    pub(super) fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) {
        self.way_refs.insert(id, refs.to_vec());
        if let (Some(street), Some(number)) =
            (tag(tags, "addr:street"), tag(tags, "addr:housenumber"))
        {
            self.address_ways
                .push((street.to_string(), number.to_string(), refs.to_vec()));
        }
        let Some(name) = tag(tags, "name") else {
            return;
        };
        if tag(tags, "highway").is_some_and(|h| !NOT_STREETS.contains(&h)) {
            self.streets
                .entry(name.to_string())
                .or_default()
                .extend_from_slice(refs);
        }
        if tag(tags, "place") == Some("square") {
            self.square_ways.push((name.to_string(), refs.to_vec()));
        }
    }

    pub(super) fn relation(&mut self, tags: &[(&str, &str)], members: Vec<(i64, bool)>) {
        let Some(name) = tag(tags, "name") else {
            return;
        };
        let level = if tag(tags, "boundary") == Some("administrative") {
            match tag(tags, "admin_level").and_then(|l| l.parse::<u8>().ok()) {
                Some(l) if DISTRICT_LEVELS.contains(&l) => Some(l),
                _ => return,
            }
        } else if tag(tags, "place") == Some("square") {
            None
        } else {
            return;
        };
        let (outer, inner) = members.into_iter().partition::<Vec<_>, _>(|(_, o)| *o);
        self.relations.push(PendingRelation {
            name: name.to_string(),
            level,
            outer: outer.into_iter().map(|(id, _)| id).collect(),
            inner: inner.into_iter().map(|(id, _)| id).collect(),
        });
    }

    /// Places everything once the whole file is read.
    pub(super) fn finish(self, coords: &HashMap<i64, (i32, i32)>) -> OsmPlaces {
        let point = |id: &i64| coords.get(id).map(|c| (deg(c.0), deg(c.1)));
        let mean = |refs: &[i64]| -> Option<(f64, f64)> {
            let mut ids = refs.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let pts: Vec<(f64, f64)> = ids.iter().filter_map(point).collect();
            let n = pts.len() as f64;
            (!pts.is_empty()).then(|| {
                (
                    pts.iter().map(|p| p.0).sum::<f64>() / n,
                    pts.iter().map(|p| p.1).sum::<f64>() / n,
                )
            })
        };

        let mut areas = Vec::new();
        // Name → (point, rank): nodes first, boundaries where no node has the name.
        let mut district_points: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (name, lat, lng, _) in &self.district_nodes {
            district_points.entry(name.clone()).or_insert((*lat, *lng));
        }
        let mut squares: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (name, lat, lng) in &self.square_nodes {
            squares.entry(name.clone()).or_insert((*lat, *lng));
        }
        for (name, refs) in &self.square_ways {
            if let Some(p) = mean(refs) {
                squares.entry(name.clone()).or_insert(p);
            }
        }
        for rel in &self.relations {
            let outer_refs: Vec<i64> = rel
                .outer
                .iter()
                .filter_map(|w| self.way_refs.get(w))
                .flatten()
                .copied()
                .collect();
            let Some(centre) = mean(&outer_refs) else {
                continue;
            };
            let Some(level) = rel.level else {
                squares.entry(rel.name.clone()).or_insert(centre);
                continue;
            };
            district_points.entry(rel.name.clone()).or_insert(centre);
            if let Some(segments) = ring_segments(&rel.outer, &rel.inner, &self.way_refs, &point) {
                areas.push(Area {
                    name: rel.name.clone(),
                    level,
                    segments,
                });
            }
        }
        let districts = Districts {
            areas,
            nodes: self.district_nodes,
        };

        let mut places = Vec::new();
        for (name, (lat, lng)) in district_points {
            places.push(OsmPlace {
                kind: OsmPlaceKind::District,
                name,
                lat,
                lng,
                district: None,
            });
        }
        let mut push = |kind, name: String, (lat, lng): (f64, f64)| {
            places.push(OsmPlace {
                kind,
                name,
                lat,
                lng,
                district: districts.at(lat, lng),
            });
        };
        for (name, p) in squares {
            push(OsmPlaceKind::Square, name, p);
        }
        for (name, refs) in &self.streets {
            // The street's node nearest the mean of its nodes: a point on the street.
            let Some((mlat, mlng)) = mean(refs) else {
                continue;
            };
            let on_street = refs
                .iter()
                .filter_map(point)
                .min_by(|a, b| {
                    metres(mlat, mlng, a.0, a.1).total_cmp(&metres(mlat, mlng, b.0, b.1))
                })
                .unwrap_or((mlat, mlng));
            push(OsmPlaceKind::Street, name.clone(), on_street);
        }
        let mut addresses = self.addresses;
        for (street, number, refs) in self.address_ways {
            if let Some(p) = mean(&refs) {
                addresses.entry((street, number)).or_insert(p);
            }
        }
        for ((street, number), p) in addresses {
            push(OsmPlaceKind::Address, format!("{street} {number}"), p);
        }
        OsmPlaces { places, districts }
    }
}

/// The segments of a boundary's rings, or `None` when a member way or node is missing
/// from the file (a boundary cut by the extract's edge cannot tell inside from out).
fn ring_segments(
    outer: &[i64],
    inner: &[i64],
    way_refs: &HashMap<i64, Vec<i64>>,
    point: &dyn Fn(&i64) -> Option<(f64, f64)>,
) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    // Every ring closes: each way end meets another (or its own other end).
    let mut ends: HashMap<i64, usize> = HashMap::new();
    for w in outer.iter().chain(inner) {
        let refs = way_refs.get(w)?;
        let pts: Vec<(f64, f64)> = refs.iter().map(point).collect::<Option<_>>()?;
        segments.extend(pts.windows(2).map(|p| (p[0], p[1])));
        *ends.entry(*refs.first()?).or_default() += 1;
        *ends.entry(*refs.last()?).or_default() += 1;
    }
    (!segments.is_empty() && ends.values().all(|n| n % 2 == 0)).then_some(segments)
}

fn deg(v: i32) -> f64 {
    f64::from(v) * 1e-7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square_area(name: &str, level: u8, lat: f64, lng: f64, half: f64) -> Area {
        let c = [
            (lat - half, lng - half),
            (lat - half, lng + half),
            (lat + half, lng + half),
            (lat + half, lng - half),
        ];
        Area {
            name: name.into(),
            level,
            segments: (0..4).map(|i| (c[i], c[(i + 1) % 4])).collect(),
        }
    }

    #[test]
    fn the_finest_containing_boundary_names_the_district() {
        let d = Districts {
            areas: vec![
                square_area("Big", 9, 60.0, 25.0, 0.1),
                square_area("Inner", 10, 60.0, 25.0, 0.01),
                square_area("Part", 11, 60.0, 25.0, 0.001),
            ],
            nodes: vec![("Node".into(), 60.05, 25.05, 0)],
        };
        assert_eq!(d.at(60.0, 25.0).as_deref(), Some("Inner"));
        assert_eq!(d.at(60.05, 25.05).as_deref(), Some("Big"));
        // Outside every boundary: the nearest node within 3 km, else none.
        assert_eq!(d.at(60.12, 25.05).as_deref(), None);
        let d = Districts {
            areas: vec![],
            nodes: vec![
                ("Quarter".into(), 60.0, 25.0, 1),
                ("Suburb".into(), 60.01, 25.0, 0),
            ],
        };
        assert_eq!(d.at(60.0, 25.0).as_deref(), Some("Suburb"));
    }

    #[test]
    fn metres_within_a_city() {
        // One hundredth of a degree of latitude is about 1.1 km.
        let m = metres(60.0, 25.0, 60.01, 25.0);
        assert!((1100.0..1130.0).contains(&m), "{m}");
    }
}
