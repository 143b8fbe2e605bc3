//! Reads points of interest (shops, restaurants, doctors, offices, ...) from an
//! OpenStreetMap PBF extract, for the demo city and for real imports.
//!
//! Data read this way is © OpenStreetMap contributors (ODbL 1.0); whoever
//! stores it must keep the attribution.

use std::collections::HashMap;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::Context as _;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use opening_hours::{OpeningHours, RuleKind};
use osmpbf::{Element, ElementReader};

use super::osm_places::{OsmPlaces, PlacesCollector};
use crate::listings::taxonomy;

/// Tags of which at least one makes a named element a point of interest.
pub const POI_KEYS: &[&str] = &[
    "amenity",
    "shop",
    "office",
    "leisure",
    "craft",
    "healthcare",
    "tourism",
];

/// How often (in elements) `on_progress` is called while reading.
const PROGRESS_EVERY: u64 = 10_000;

/// One point of interest read from OSM.
#[derive(Debug, Clone, PartialEq)]
pub struct OsmPoi {
    /// `"osm:node/123"` or `"osm:way/456"`; unique per file.
    pub source: String,
    /// Trimmed, non-empty `name`.
    pub name: String,
    /// Key in [`taxonomy::CATEGORIES`].
    pub category: &'static str,
    /// Latitude (WGS 84). For ways the mean over its distinct nodes present
    /// in the file (the closing node of a closed way counted once), not the
    /// bounding-box centre.
    pub lat: f64,
    /// Longitude (WGS 84), computed like `lat`.
    pub lng: f64,
    /// `"addr:street addr:housenumber"`, or just the street; `None` without a street.
    pub street: Option<String>,
    /// `addr:postcode`.
    pub postcode: Option<String>,
    /// `addr:city`.
    pub city: Option<String>,
    /// First of `addr:suburb`, `addr:district`, `addr:quarter`; else the district its
    /// point lies in ([`super::osm_places::Districts::at`]).
    pub district: Option<String>,
    /// First http(s) URL of `website` or `contact:website` (normalised); other schemes are dropped.
    pub website: Option<String>,
    /// First value of `phone` or `contact:phone`.
    pub phone: Option<String>,
    /// First value of `email` or `contact:email`.
    pub email: Option<String>,
    /// `"yes"`, `"limited"` or `"no"`; any other value becomes `None`.
    pub wheelchair: Option<String>,
    /// The `opening_hours` value as found.
    pub opening_hours_raw: Option<String>,
    /// Weekly rules derived from `opening_hours_raw`.
    pub opening_hours: OsmHours,
    /// Lowercase keywords: the values of the POI keys, `cuisine` and `sport`
    /// (split on ';'), plus `vegetarian` / `vegan` from the `diet:*` tags.
    pub tags: Vec<String>,
}

/// Weekly opening hours derived from an OSM `opening_hours` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OsmHours {
    /// No `opening_hours` tag.
    Absent,
    /// `(weekday, opens, closes)` in minutes of the day, `0 <= opens < closes <= 1440`,
    /// sorted Monday first then by `opens`, non-overlapping and non-adjacent per
    /// weekday. An empty list means closed all week (e.g. `"off"`).
    Parsed(Vec<(Weekday, u16, u16)>),
    /// The value does not parse, or yields no usable weekly rules.
    Unparseable,
}

/// Result of [`read_pois`].
#[derive(Debug, Clone, Default)]
pub struct OsmReadSummary {
    /// Qualifying nodes first (file order), then qualifying ways (file order).
    pub pois: Vec<OsmPoi>,
    /// All nodes in the file, dense or not.
    pub nodes_seen: u64,
    /// All ways in the file.
    pub ways_seen: u64,
    /// Qualifying ways dropped because none of their nodes is in the file.
    pub ways_skipped: u64,
    /// POIs whose opening hours came out as [`OsmHours::Unparseable`].
    pub hours_unparseable: usize,
    /// Addresses, streets, squares and districts, and the districts' areas.
    pub places: OsmPlaces,
}

/// Whether an element with these tags is a point of interest: it has a
/// non-empty `name` and at least one of [`POI_KEYS`].
pub fn is_qualifying(tags: &dyn Fn(&str) -> Option<String>) -> bool {
    let named = tags("name").is_some_and(|n| !n.trim().is_empty());
    named && POI_KEYS.iter().any(|k| tags(k).is_some())
}

/// Reads all qualifying nodes and ways of an OSM PBF stream, and the places a resident
/// may type ([`OsmPlaces`]; relations are read for district boundaries and squares).
///
/// Pass a buffered reader (`Cursor`, `BufReader`). Node coordinates of the whole
/// file are kept in memory to place ways, which suits city-sized extracts, not
/// whole countries. `on_progress` receives the running count of elements read,
/// every few thousand elements and once at the end.
pub fn read_pois<R: Read + Send>(
    reader: R,
    on_progress: &dyn Fn(u64),
) -> anyhow::Result<OsmReadSummary> {
    let mut state = ReadState::default();
    let mut elements = 0_u64;

    ElementReader::new(reader)
        .for_each(|element| {
            elements += 1;
            if elements.is_multiple_of(PROGRESS_EVERY) {
                on_progress(elements);
            }
            match element {
                Element::DenseNode(n) => {
                    let tags: Vec<(&str, &str)> = n.tags().collect();
                    state.node(n.id(), n.decimicro_lat(), n.decimicro_lon(), &tags);
                }
                Element::Node(n) => {
                    let tags: Vec<(&str, &str)> = n.tags().collect();
                    state.node(n.id(), n.decimicro_lat(), n.decimicro_lon(), &tags);
                }
                Element::Way(w) => {
                    state.summary.ways_seen += 1;
                    let tags: Vec<(&str, &str)> = w.tags().collect();
                    let refs: Vec<i64> = w.refs().collect();
                    state.places.way(w.id(), &refs, &tags);
                    if is_qualifying(&getter(&tags)) {
                        let owned = tags
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect();
                        state.pending_ways.push(PendingWay {
                            id: w.id(),
                            tags: owned,
                            refs,
                        });
                    }
                }
                Element::Relation(r) => {
                    let tags: Vec<(&str, &str)> = r.tags().collect();
                    let members = r
                        .members()
                        .filter(|m| m.member_type == osmpbf::RelMemberType::Way)
                        .map(|m| (m.member_id, m.role().map(|r| r != "inner").unwrap_or(true)))
                        .collect();
                    state.places.relation(&tags, members);
                }
            }
        })
        .context("reading OSM PBF data")?;

    let mut summary = state.finish();
    summary.hours_unparseable = summary
        .pois
        .iter()
        .filter(|p| p.opening_hours == OsmHours::Unparseable)
        .count();
    on_progress(elements);
    Ok(summary)
}

/// What [`read_pois`] accumulates while streaming the file.
#[derive(Default)]
struct ReadState {
    summary: OsmReadSummary,
    /// Every node's position in decimicro degrees (as stored in the file,
    /// half the memory of f64 pairs), to place ways.
    coords: HashMap<i64, (i32, i32)>,
    /// Qualifying ways, resolved after the whole file is read so the result
    /// does not depend on nodes preceding ways (the usual, but not guaranteed,
    /// order).
    pending_ways: Vec<PendingWay>,
    places: PlacesCollector,
}

/// A qualifying way whose position is not known yet.
struct PendingWay {
    id: i64,
    tags: Vec<(String, String)>,
    refs: Vec<i64>,
}

impl ReadState {
    fn node(&mut self, id: i64, lat: i32, lng: i32, tags: &[(&str, &str)]) {
        self.summary.nodes_seen += 1;
        self.coords.insert(id, (lat, lng));
        if tags.is_empty() {
            return;
        }
        self.places.node(decimicro(lat), decimicro(lng), tags);
        let get = getter(tags);
        if is_qualifying(&get) {
            let (lat, lng) = (decimicro(lat), decimicro(lng));
            let poi = build_poi(format!("osm:node/{id}"), lat, lng, &get);
            self.summary.pois.push(poi);
        }
    }

    /// Places the pending ways and returns the summary (without `hours_unparseable`).
    fn finish(self) -> OsmReadSummary {
        let mut summary = self.summary;
        summary.places = self.places.finish(&self.coords);
        for mut way in self.pending_ways {
            // A closed way repeats its first node; count it once in the mean.
            if way.refs.len() > 1 && way.refs.first() == way.refs.last() {
                way.refs.pop();
            }
            let known: Vec<(i32, i32)> = way
                .refs
                .iter()
                .filter_map(|r| self.coords.get(r).copied())
                .collect();
            if known.is_empty() {
                summary.ways_skipped += 1;
                continue;
            }
            let n = known.len() as f64;
            let lat = known.iter().map(|c| decimicro(c.0)).sum::<f64>() / n;
            let lng = known.iter().map(|c| decimicro(c.1)).sum::<f64>() / n;
            let tags: Vec<(&str, &str)> = way
                .tags
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let source = format!("osm:way/{}", way.id);
            summary
                .pois
                .push(build_poi(source, lat, lng, &getter(&tags)));
        }
        for poi in summary.pois.iter_mut().filter(|p| p.district.is_none()) {
            poi.district = summary.places.districts.at(poi.lat, poi.lng);
        }
        summary
    }
}

/// Parses an OSM `opening_hours` value into weekly rules.
///
/// The expression is evaluated on each day of the fixed reference week Monday
/// 2024-01-08 to Sunday 2024-01-14 (naive local time, no public or school
/// holidays loaded, sun events at the crate's defaults: dawn 06:00, sunrise
/// 07:00, sunset 19:00, dusk 20:00), and the "open" periods are collected per
/// weekday. Seasonal rules therefore give their January hours. Periods crossing
/// midnight are split at 24:00; the part of Sunday night that spills past
/// midnight appears on Monday from 00:00. A comment-only rule counts as
/// "unknown", not open. [`OsmHours::Unparseable`] is returned when the value
/// does not parse, when the week holds "unknown" periods but no open ones
/// (e.g. `"by appointment"`), or when evaluation panics. Evaluation is seven
/// bounded per-day computations, so it needs no time limit.
///
/// Day lists written with a space (`"Sa, Su 10:00-16:00"`) are read as
/// `"Sa,Su 10:00-16:00"`, as mappers mean and opening_hours.js reads them;
/// the crate would otherwise take `"Sa"` as a separate all-day rule.
pub fn parse_opening_hours(raw: &str) -> OsmHours {
    let Ok(oh) = join_day_lists(raw.trim()).parse::<OpeningHours>() else {
        return OsmHours::Unparseable;
    };
    // The evaluator asserts internally; a panic on odd input must not abort an import.
    match catch_unwind(AssertUnwindSafe(|| reference_week(&oh))) {
        Ok(Some(rules)) => OsmHours::Parsed(rules),
        _ => OsmHours::Unparseable,
    }
}

/// Removes the blanks after a comma between two day tokens (`Mo`..`Su`, `PH`, `SH`).
fn join_day_lists(raw: &str) -> String {
    const DAYS: &[&str] = &["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH", "SH"];
    let is_day_at = |s: &str, at: usize| {
        // `get` also guarantees both ends are char boundaries for the slicing below.
        let Some(word) = s.get(at..at + 2) else {
            return false;
        };
        let before_ok = s[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = s[at + 2..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        DAYS.contains(&word) && before_ok && after_ok
    };
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(comma) = rest.find(',') {
        let (head, tail) = rest.split_at(comma);
        let after = &tail[1..];
        let trimmed = after.trim_start();
        out.push_str(head);
        out.push(',');
        let head_day = head.len() >= 2 && is_day_at(head, head.len() - 2);
        rest = if head_day && is_day_at(trimmed, 0) {
            trimmed
        } else {
            after
        };
    }
    out.push_str(rest);
    out
}

/// Evaluates `oh` day by day over the reference week; `None` when it yields
/// no usable rules.
fn reference_week(oh: &OpeningHours) -> Option<Vec<(Weekday, u16, u16)>> {
    let monday = NaiveDate::from_ymd_opt(2024, 1, 8)?;
    // The crate evaluates a comment-only rule (`"by appointment"`) as open
    // around the clock; the OSM specification and opening_hours.js read it
    // as "unknown", which is what a directory must show.
    let expr = oh.get_expression();
    let unknown_comments: Vec<&str> = expr
        .rules
        .iter()
        .filter(|r| r.is_constant() && r.kind == RuleKind::Open && !r.comment.is_empty())
        .map(|r| &*r.comment)
        .collect();

    let mut rules = Vec::new();
    let mut saw_unknown = false;
    for offset in 0..7 {
        let date = monday + Days::new(offset);
        // `schedule_at` covers 00:00-24:00 of one day, including what spills
        // over from the previous evening, so midnight splitting comes for free.
        // (The crate's multi-day `iter_range` skips days after some fallback
        // rules, e.g. "Mo-Fr 09:00-17:00 || \"call us\"" only yields Monday.)
        let mut open: Vec<(u16, u16)> = Vec::new();
        for range in oh.schedule_at(date) {
            let kind = match range.kind {
                RuleKind::Open if unknown_comments.contains(&&*range.comment) => RuleKind::Unknown,
                kind => kind,
            };
            match kind {
                RuleKind::Open => {
                    let from = range.range.start.mins_from_midnight().min(1440);
                    let to = range.range.end.mins_from_midnight().min(1440);
                    if from < to {
                        open.push((from, to));
                    }
                }
                RuleKind::Unknown => saw_unknown = true,
                RuleKind::Closed => {}
            }
        }
        open.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::new();
        for (from, to) in open {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        let weekday = date.weekday();
        rules.extend(merged.into_iter().map(|(from, to)| (weekday, from, to)));
    }
    if saw_unknown && rules.is_empty() {
        return None;
    }
    Some(rules)
}

fn decimicro(v: i32) -> f64 {
    f64::from(v) * 1e-7
}

/// A tag lookup over borrowed `(key, value)` pairs.
fn getter<'a>(tags: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |key| {
        tags.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    }
}

/// The trimmed value of the first of `keys` that is present and non-empty.
fn text(get: &dyn Fn(&str) -> Option<String>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        let v = get(k)?;
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// Like [`text`], but only the first of several ';'-separated values.
fn first_value(get: &dyn Fn(&str) -> Option<String>, keys: &[&str]) -> Option<String> {
    let v = text(get, keys)?;
    let v = v.split(';').next().unwrap_or("").trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn website(get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let raw = text(get, &["website", "contact:website"])?;
    raw.split(';').find_map(|part| {
        let url = url::Url::parse(part.trim()).ok()?;
        let web = matches!(url.scheme(), "http" | "https") && url.host().is_some();
        web.then(|| url.to_string())
    })
}

fn keywords(get: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |value: &str| {
        let value = value.trim().to_lowercase();
        // "yes" (as in shop=yes) says nothing a user would search for.
        if !value.is_empty() && value != "yes" && !out.contains(&value) {
            out.push(value);
        }
    };
    for key in POI_KEYS.iter().chain(&["cuisine", "sport"]) {
        if let Some(v) = get(key) {
            v.split(';').for_each(&mut push);
        }
    }
    for diet in ["vegetarian", "vegan"] {
        if matches!(
            get(&format!("diet:{diet}")).as_deref(),
            Some("yes" | "only")
        ) {
            push(diet);
        }
    }
    out
}

fn build_poi(source: String, lat: f64, lng: f64, get: &dyn Fn(&str) -> Option<String>) -> OsmPoi {
    let street = text(get, &["addr:street"]).map(|s| match text(get, &["addr:housenumber"]) {
        Some(n) => format!("{s} {n}"),
        None => s,
    });
    let wheelchair = text(get, &["wheelchair"])
        .map(|w| w.to_lowercase())
        .filter(|w| matches!(w.as_str(), "yes" | "limited" | "no"));
    let opening_hours_raw = text(get, &["opening_hours"]);
    let opening_hours = match &opening_hours_raw {
        Some(raw) => parse_opening_hours(raw),
        None => OsmHours::Absent,
    };
    OsmPoi {
        source,
        name: text(get, &["name"]).unwrap_or_default(),
        category: taxonomy::category_for_osm_tags(get),
        lat,
        lng,
        street,
        postcode: text(get, &["addr:postcode"]),
        city: text(get, &["addr:city"]),
        district: text(get, &["addr:suburb", "addr:district", "addr:quarter"]),
        website: website(get),
        phone: first_value(get, &["phone", "contact:phone"]),
        email: first_value(get, &["email", "contact:email"]),
        wheelchair,
        opening_hours_raw,
        opening_hours,
        tags: keywords(get),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday::*;
    use std::collections::HashSet;

    const PBF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/helsinki.osm.pbf");

    fn read_helsinki() -> OsmReadSummary {
        let bytes = std::fs::read(PBF).expect("demo/helsinki.osm.pbf is missing");
        read_pois(std::io::Cursor::new(bytes), &|_| {}).expect("PBF reads")
    }

    #[test]
    fn reads_the_helsinki_extract() {
        let s = read_helsinki();
        let nodes = s
            .pois
            .iter()
            .filter(|p| p.source.starts_with("osm:node/"))
            .count();
        let ways = s
            .pois
            .iter()
            .filter(|p| p.source.starts_with("osm:way/"))
            .count();
        // The dataset README counts 1,377 named POI nodes (libosmium).
        assert_eq!(nodes, 1377);
        assert!(ways > 0);
        assert_eq!(nodes + ways, s.pois.len());
        assert!(s.nodes_seen > 1377 && s.ways_seen > 0);

        let sources: HashSet<&str> = s.pois.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(sources.len(), s.pois.len(), "sources are unique");

        for p in &s.pois {
            assert!(
                (60.0..60.4).contains(&p.lat) && (24.6..25.3).contains(&p.lng),
                "{} at {},{}",
                p.source,
                p.lat,
                p.lng
            );
            assert!(!p.name.is_empty());
            assert!(taxonomy::find(p.category).is_some());
            if let Some(w) = &p.website {
                assert!(w.starts_with("http://") || w.starts_with("https://"), "{w}");
            }
            if let OsmHours::Parsed(rules) = &p.opening_hours {
                assert_well_formed(rules);
            }
            assert_eq!(
                p.opening_hours == OsmHours::Absent,
                p.opening_hours_raw.is_none()
            );
        }

        let with_hours = s
            .pois
            .iter()
            .filter(|p| p.source.starts_with("osm:node/") && p.opening_hours_raw.is_some())
            .count();
        assert_eq!(with_hours, 534, "README: 534 nodes carry opening_hours");
        let unparseable = s
            .pois
            .iter()
            .filter(|p| p.opening_hours == OsmHours::Unparseable)
            .count();
        assert_eq!(unparseable, s.hours_unparseable);
    }

    #[test]
    fn reads_the_places_and_districts_of_the_extract() {
        use crate::demo::osm_places::OsmPlaceKind::*;
        let s = read_helsinki();
        let find = |kind, name: &str| {
            s.places
                .places
                .iter()
                .find(|p| p.kind == kind && p.name == name)
                .unwrap_or_else(|| panic!("{name} is missing"))
        };
        // Boundaries (level 10) and district nodes.
        for d in ["Kluuvi", "Kamppi", "Punavuori", "Kallio", "Hakaniemi"] {
            find(District, d);
        }
        find(Square, "Senaatintori");
        let street = find(Street, "Mannerheimintie");
        assert!(street.district.is_some());
        let addresses = s.places.places.iter().filter(|p| p.kind == Address).count();
        assert!(addresses > 500, "{addresses} addresses");
        // Within Kluuvi's boundary (Helsinki central station).
        assert_eq!(
            s.places.districts.at(60.1710, 24.9414).as_deref(),
            Some("Kluuvi")
        );
        // Nearly every point of interest gets a district (the extract's edges aside).
        let without = s.pois.iter().filter(|p| p.district.is_none()).count();
        assert!(
            without * 20 < s.pois.len(),
            "{without} of {} without",
            s.pois.len()
        );
    }

    #[test]
    fn reports_progress() {
        let bytes = std::fs::read(PBF).expect("demo/helsinki.osm.pbf is missing");
        let last = std::cell::Cell::new(0);
        let calls = std::cell::Cell::new(0);
        let s = read_pois(std::io::Cursor::new(bytes), &|n| {
            assert!(n >= last.get());
            last.set(n);
            calls.set(calls.get() + 1);
        })
        .unwrap();
        assert!(calls.get() > 1);
        assert!(last.get() >= s.nodes_seen + s.ways_seen);
    }

    #[test]
    fn rejects_garbage_input() {
        assert!(read_pois(
            std::io::Cursor::new(b"not a pbf file at all".to_vec()),
            &|_| {}
        )
        .is_err());
    }

    fn assert_well_formed(rules: &[(Weekday, u16, u16)]) {
        for w in rules.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (da, db) = (a.0.num_days_from_monday(), b.0.num_days_from_monday());
            assert!(da < db || (da == db && a.2 < b.1), "{rules:?}");
        }
        for r in rules {
            assert!(r.1 < r.2 && r.2 <= 1440, "{rules:?}");
        }
    }

    fn parsed(raw: &str) -> Vec<(Weekday, u16, u16)> {
        match parse_opening_hours(raw) {
            OsmHours::Parsed(rules) => {
                assert_well_formed(&rules);
                rules
            }
            other => panic!("{raw:?} gave {other:?}"),
        }
    }

    #[test]
    fn weekday_and_saturday_hours() {
        let mut expected: Vec<_> = [Mon, Tue, Wed, Thu, Fri]
            .into_iter()
            .map(|d| (d, 9 * 60, 17 * 60))
            .collect();
        expected.push((Sat, 10 * 60, 14 * 60));
        assert_eq!(parsed("Mo-Fr 09:00-17:00; Sa 10:00-14:00"), expected);
    }

    #[test]
    fn always_open() {
        let all: Vec<_> = [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
            .into_iter()
            .map(|d| (d, 0, 1440))
            .collect();
        assert_eq!(parsed("24/7"), all);
        assert_eq!(parsed("Mo-Su 00:00-24:00"), all);
    }

    #[test]
    fn splits_over_midnight() {
        let mut expected = vec![(Mon, 22 * 60, 1440)];
        for d in [Tue, Wed, Thu, Fri] {
            expected.push((d, 0, 120));
            expected.push((d, 22 * 60, 1440));
        }
        expected.push((Sat, 0, 120));
        assert_eq!(parsed("Mo-Fr 22:00-02:00"), expected);
        // Sunday night spills into Monday morning of the same reference week.
        assert_eq!(
            parsed("Su 20:00-03:00"),
            vec![(Mon, 0, 180), (Sun, 20 * 60, 1440)]
        );
    }

    #[test]
    fn merges_and_handles_special_rules() {
        assert_eq!(parsed("Mo 08:00-12:00,12:00-14:00"), vec![(Mon, 480, 840)]);
        assert_eq!(
            parsed("Mo 08:00-12:00,13:00-17:00"),
            vec![(Mon, 480, 720), (Mon, 780, 1020)]
        );
        // No holiday calendar is loaded, so "PH off" changes nothing.
        assert_eq!(parsed("Mo 10:00-12:00; PH off").len(), 1);
        // Sun events use fixed defaults (sunrise 07:00, sunset 19:00).
        assert_eq!(parsed("Mo sunrise-sunset"), vec![(Mon, 420, 1140)]);
        assert_eq!(parsed("off"), vec![]);
        assert!(!parsed("Mo-Fr 10:00-18:00; Dec 24 off").is_empty());
        assert_eq!(
            parsed("Sa, Su 09:00-16:00"),
            vec![(Sat, 540, 960), (Sun, 540, 960)]
        );
        assert_eq!(parsed("Mo 08:00-10:00, 12:00-14:00").len(), 2);
        // January reference week: summer-only hours are closed.
        assert_eq!(parsed("May-Sep Mo-Su 10:00-20:00"), vec![]);
    }

    #[test]
    fn comments_and_unknown_states() {
        assert_eq!(parsed("Mo-Fr 08:00-12:00 \"by appointment\"").len(), 5);
        let weekdays: Vec<_> = [Mon, Tue, Wed, Thu, Fri]
            .into_iter()
            .map(|d| (d, 540, 1020))
            .collect();
        assert_eq!(parsed("Mo-Fr 09:00-17:00 || \"call us\""), weekdays);
        assert_eq!(parsed("Mo-Fr 09:00-17:00; Sa unknown").len(), 5);
        for raw in ["\"by appointment\"", "Mo-Fr unknown"] {
            assert_eq!(parse_opening_hours(raw), OsmHours::Unparseable, "{raw}");
        }
    }

    #[test]
    fn joins_day_lists_only() {
        assert_eq!(
            join_day_lists("Tu, Th,  Fr 12:00-17:00"),
            "Tu,Th,Fr 12:00-17:00"
        );
        assert_eq!(join_day_lists("Sa, Su, PH off"), "Sa,Su,PH off");
        let untouched = [
            "Mo 10:00-12:00, Tu 14:00-16:00",
            "Mo-Fr 10:00-18:00, Sa 10:00-14:00",
            "Mo, Sunday",
            "Mo, Sä",
            "Mo,",
            ", Mo",
            "Ämo, Tu",
        ];
        for raw in untouched {
            assert_eq!(join_day_lists(raw), raw);
        }
    }

    #[test]
    fn garbage_is_unparseable() {
        assert_eq!(
            parse_opening_hours("whenever we feel like it"),
            OsmHours::Unparseable
        );
        assert_eq!(parse_opening_hours("Mo-Fr 25:99-xx"), OsmHours::Unparseable);
    }

    #[test]
    fn qualifying_rules() {
        let tags = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(kk, _)| *kk == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(is_qualifying(&tags(&[
            ("name", "Kahvila"),
            ("amenity", "cafe")
        ])));
        assert!(is_qualifying(&tags(&[
            ("name", "X"),
            ("healthcare", "doctor")
        ])));
        assert!(!is_qualifying(&tags(&[("amenity", "cafe")])));
        assert!(!is_qualifying(&tags(&[
            ("name", "  "),
            ("amenity", "cafe")
        ])));
        assert!(!is_qualifying(&tags(&[
            ("name", "Street"),
            ("highway", "residential")
        ])));
    }

    #[test]
    fn builds_fields_from_tags() {
        let pairs: &[(&str, &str)] = &[
            ("name", " Café Example "),
            ("amenity", "cafe"),
            ("cuisine", "coffee_shop;Regional"),
            ("diet:vegan", "yes"),
            ("addr:street", "Mannerheimintie"),
            ("addr:housenumber", "5"),
            ("addr:postcode", "00100"),
            ("addr:city", "Helsinki"),
            ("addr:district", "Kluuvi"),
            (
                "contact:website",
                "ftp://example.fi;https://example.fi/cafe",
            ),
            ("phone", "+358 9 123; +358 40 456"),
            ("wheelchair", "designated"),
            ("opening_hours", "Mo-Fr 08:00-16:00"),
        ];
        let poi = build_poi("osm:node/1".into(), 60.17, 24.94, &getter(pairs));
        assert_eq!(poi.name, "Café Example");
        assert_eq!(poi.category, "food.cafe");
        assert_eq!(poi.street.as_deref(), Some("Mannerheimintie 5"));
        assert_eq!(poi.postcode.as_deref(), Some("00100"));
        assert_eq!(poi.city.as_deref(), Some("Helsinki"));
        assert_eq!(poi.district.as_deref(), Some("Kluuvi"));
        assert_eq!(poi.website.as_deref(), Some("https://example.fi/cafe"));
        assert_eq!(poi.phone.as_deref(), Some("+358 9 123"));
        assert_eq!(poi.email, None);
        assert_eq!(poi.wheelchair, None);
        assert_eq!(poi.tags, ["cafe", "coffee_shop", "regional", "vegan"]);
        assert!(matches!(poi.opening_hours, OsmHours::Parsed(ref r) if r.len() == 5));

        let only_ftp: &[(&str, &str)] = &[("website", "ftp://example.fi"), ("wheelchair", "Yes")];
        let poi = build_poi("osm:node/2".into(), 0.0, 0.0, &getter(only_ftp));
        assert_eq!(poi.website, None);
        assert_eq!(poi.wheelchair.as_deref(), Some("yes"));
        assert_eq!(poi.opening_hours, OsmHours::Absent);
    }
}
