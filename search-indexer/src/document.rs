//! The search document of a listing: what Meilisearch stores and filters on.
//!
//! Built only for published listings; drafts, suspended and deleted listings are
//! removed from the index instead (see [`crate::consumer`]).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use entities::{listing, opening_hours_exception, opening_hours_rule, taxonomy};

/// The length of one "open hours" slot, in minutes.
pub const SLOT_MINUTES: u32 = 15;
/// Slots per day and per week.
pub const SLOTS_PER_DAY: u32 = 24 * 60 / SLOT_MINUTES;
pub const SLOTS_PER_WEEK: u32 = 7 * SLOTS_PER_DAY;

/// A point for Meilisearch's `_geo`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geo {
    pub lat: f64,
    pub lng: f64,
}

/// One listing in the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListingDocument {
    pub id: Uuid,
    /// `business` | `municipal_service`
    pub kind: String,
    pub slug: String,
    pub name_de: String,
    pub name_en: String,
    pub description_de: String,
    pub description_en: String,
    /// Category keys of the listing (`health.doctor`).
    pub categories: Vec<String>,
    /// Their groups (`health`), so that filtering by a group finds its members.
    pub category_groups: Vec<String>,
    pub category_labels_de: Vec<String>,
    pub category_labels_en: Vec<String>,
    pub tags: Vec<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub locality: Option<String>,
    pub phone: Option<String>,
    #[serde(rename = "_geo", skip_serializing_if = "Option::is_none", default)]
    pub geo: Option<Geo>,
    /// `yes` | `limited` | `no`, or absent when unknown.
    pub wheelchair: Option<String>,
    /// Whether the listing has an offer residents can book.
    pub bookable: bool,
    /// The quarter hours of the week (0 = Monday 00:00-00:15, see [`slot_of`]) in which
    /// the listing is open, for the seven days from the day the document was built,
    /// dated exceptions included. "Open now" is the filter `open_slots = <slot of now>`.
    pub open_slots: Vec<u16>,
    /// The date `open_slots` was computed from (local date of the city).
    pub hours_from: NaiveDate,
    pub organization_id: Option<Uuid>,
    /// Folded names for sorting by name.
    pub name_sort_de: String,
    pub name_sort_en: String,
    /// Seconds since the epoch (sortable).
    pub updated_at: i64,
    pub version: i32,
}

/// Everything a document is built from, as read from the database.
#[derive(Clone, Debug)]
pub struct ListingSource {
    pub listing: listing::Model,
    pub categories: Vec<String>,
    pub rules: Vec<opening_hours_rule::Model>,
    pub exceptions: Vec<opening_hours_exception::Model>,
    pub bookable: bool,
}

/// The slot of a local date and time.
pub fn slot_of(local: chrono::NaiveDateTime) -> u16 {
    use chrono::Timelike;
    let day = local.weekday().num_days_from_monday();
    let minute = local.hour() * 60 + local.minute();
    (day * SLOTS_PER_DAY + minute / SLOT_MINUTES) as u16
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

/// The open slots for the seven days from `today`: a dated exception replaces the
/// weekly rules of its day. A slot counts as open when the listing is open at its first
/// minute, so times off the quarter hour are rounded to it.
pub fn open_slots(
    rules: &[opening_hours_rule::Model],
    exceptions: &[opening_hours_exception::Model],
    today: NaiveDate,
) -> Vec<u16> {
    let mut slots = Vec::new();
    for offset in 0..7 {
        let date = today + chrono::Duration::days(offset);
        let day = date.weekday().num_days_from_monday();
        let intervals: Vec<(u32, u32)> = match exceptions.iter().find(|e| e.date == date) {
            Some(e) if e.closed => vec![],
            Some(e) => e
                .opens
                .as_deref()
                .and_then(minutes)
                .zip(e.closes.as_deref().and_then(minutes))
                .into_iter()
                .collect(),
            None => rules
                .iter()
                .filter(|r| r.weekday as u32 == day)
                .filter_map(|r| minutes(&r.opens).zip(minutes(&r.closes)))
                .collect(),
        };
        for (opens, closes) in intervals {
            let first = opens.div_ceil(SLOT_MINUTES);
            let end = closes.div_ceil(SLOT_MINUTES).min(SLOTS_PER_DAY);
            for q in first..end {
                slots.push((day * SLOTS_PER_DAY + q) as u16);
            }
        }
    }
    slots.sort_unstable();
    slots.dedup();
    slots
}

/// Lowercase ASCII words separated by single spaces (ü → u, ß → ss): the folded
/// form of text used for sorting here and for the database search in the server.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !word.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn json_strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn or_other(a: &str, b: &str) -> String {
    if a.trim().is_empty() {
        b.to_string()
    } else {
        a.to_string()
    }
}

impl ListingDocument {
    /// The document of a listing, with open hours for the seven days from `today`.
    pub fn build(src: &ListingSource, today: NaiveDate) -> ListingDocument {
        let m = &src.listing;
        let mut categories = src.categories.clone();
        categories.sort();
        categories.dedup();
        let mut groups: Vec<String> = categories
            .iter()
            .filter_map(|k| taxonomy::find(k))
            .map(|c| c.parent.unwrap_or(c.key).to_string())
            .collect();
        groups.sort();
        groups.dedup();
        let defs: Vec<_> = categories
            .iter()
            .filter_map(|k| taxonomy::find(k))
            .collect();
        let name_de = or_other(&m.name_de, &m.name_en);
        let name_en = or_other(&m.name_en, &m.name_de);
        ListingDocument {
            id: m.id,
            kind: m.kind.clone(),
            slug: m.slug.clone(),
            name_sort_de: fold(&name_de),
            name_sort_en: fold(&name_en),
            name_de,
            name_en,
            description_de: or_other(&m.description_de, &m.description_en),
            description_en: or_other(&m.description_en, &m.description_de),
            category_labels_de: defs.iter().map(|c| c.label_de.to_string()).collect(),
            category_labels_en: defs.iter().map(|c| c.label_en.to_string()).collect(),
            categories,
            category_groups: groups,
            tags: json_strings(&m.tags),
            district: m.district.clone(),
            street: m.address_street.clone(),
            postcode: m.address_postcode.clone(),
            locality: m.address_city.clone(),
            phone: m.phone.clone(),
            geo: m.lat.zip(m.lng).map(|(lat, lng)| Geo { lat, lng }),
            wheelchair: m.wheelchair.clone(),
            bookable: src.bookable,
            open_slots: open_slots(&src.rules, &src.exceptions, today),
            hours_from: today,
            organization_id: m.organization_id,
            updated_at: m.updated_at.timestamp(),
            version: m.version,
        }
    }
}

/// Whether a listing in this state belongs in the index.
pub fn is_indexed(m: &listing::Model) -> bool {
    m.status == "published"
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use chrono::Utc;

    pub fn listing(name_de: &str, name_en: &str) -> listing::Model {
        let now = Utc::now();
        listing::Model {
            id: Uuid::now_v7(),
            city_id: Uuid::nil(),
            organization_id: Some(Uuid::nil()),
            kind: "business".into(),
            slug: "cafe-mondschein".into(),
            status: "published".into(),
            name_de: name_de.into(),
            name_en: name_en.into(),
            description_de: "Kaffee und Kuchen".into(),
            description_en: String::new(),
            address_street: Some("Mannerheimintie 1".into()),
            address_postcode: Some("00100".into()),
            address_city: Some("Helsinki".into()),
            district: Some("Kluuvi".into()),
            lat: Some(60.17),
            lng: Some(24.94),
            phone: Some("+358 9 123".into()),
            email: None,
            website: None,
            wheelchair: Some("yes".into()),
            languages: serde_json::json!(["de"]),
            tags: serde_json::json!(["wifi", "vegan"]),
            opening_hours_osm: None,
            service_details: None,
            source: "manual".into(),
            suspended_reason: None,
            version: 4,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
            search_name: None,
            search_text: None,
            review_terms: None,
            review_requested_at: None,
            review_note: None,
            approved_name: None,
        }
    }

    /// A published café with a category and Monday morning hours.
    pub fn source() -> ListingSource {
        ListingSource {
            listing: listing("Café Mondschein", ""),
            categories: vec!["food.cafe".into()],
            rules: vec![],
            exceptions: vec![],
            bookable: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::listing;
    use super::*;
    use chrono::NaiveTime;

    fn rule(weekday: i16, opens: &str, closes: &str) -> opening_hours_rule::Model {
        opening_hours_rule::Model {
            id: 0,
            listing_id: Uuid::nil(),
            weekday,
            opens: opens.into(),
            closes: closes.into(),
        }
    }

    fn exception(date: NaiveDate, span: Option<(&str, &str)>) -> opening_hours_exception::Model {
        opening_hours_exception::Model {
            id: 0,
            listing_id: Uuid::nil(),
            date,
            closed: span.is_none(),
            opens: span.map(|s| s.0.to_string()),
            closes: span.map(|s| s.1.to_string()),
            note: None,
        }
    }

    // 2026-11-23 is a Monday.
    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn slots_follow_rules_and_exceptions() {
        let rules = [rule(0, "09:00", "12:30"), rule(2, "22:00", "24:00")];
        let slots = open_slots(&rules, &[], monday());
        // Monday 09:00 is slot 36, 12:15 is 49; 12:30 is closed.
        assert_eq!(slots.first(), Some(&36));
        assert!(slots.contains(&49) && !slots.contains(&50));
        // Wednesday 22:00-24:00: the last slot of that day is 2*96+95.
        assert!(slots.contains(&(2 * 96 + 88)) && slots.contains(&(2 * 96 + 95)));
        assert_eq!(slots.len(), 14 + 8);

        // Closed on Monday by exception, special hours on Wednesday.
        let exceptions = [
            exception(monday(), None),
            exception(
                monday() + chrono::Duration::days(2),
                Some(("10:00", "11:00")),
            ),
        ];
        let slots = open_slots(&rules, &exceptions, monday());
        assert_eq!(
            slots,
            vec![2 * 96 + 40, 2 * 96 + 41, 2 * 96 + 42, 2 * 96 + 43]
        );
        // An exception a week later does not apply to this week.
        let later = [exception(monday() + chrono::Duration::days(7), None)];
        assert_eq!(open_slots(&rules, &later, monday()).len(), 22);
    }

    #[test]
    fn off_quarter_times_round_to_the_quarter() {
        let slots = open_slots(&[rule(0, "09:05", "09:50")], &[], monday());
        // Open at 09:15 and 09:30 (first minutes of their slots), not at 09:00 or 09:45.
        assert_eq!(slots, vec![37, 38, 39]);
    }

    #[test]
    fn the_slot_of_now_matches_the_document() {
        let at = |d: NaiveDate, h, m| d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap());
        let slots = open_slots(&[rule(6, "10:00", "18:00")], &[], monday());
        let sunday = monday() + chrono::Duration::days(6);
        assert!(slots.contains(&slot_of(at(sunday, 10, 0))));
        assert!(slots.contains(&slot_of(at(sunday, 17, 59))));
        assert!(!slots.contains(&slot_of(at(sunday, 18, 0))));
        assert!(!slots.contains(&slot_of(at(sunday, 9, 59))));
        assert_eq!(slot_of(at(sunday, 23, 59)) as u32, SLOTS_PER_WEEK - 1);
    }

    #[test]
    fn a_document_carries_what_search_needs() {
        let src = ListingSource {
            listing: listing("Café Mondschein", ""),
            categories: vec!["food.cafe".into(), "food.cafe".into()],
            rules: vec![rule(0, "08:00", "10:00")],
            exceptions: vec![],
            bookable: true,
        };
        let doc = ListingDocument::build(&src, monday());
        assert_eq!(
            doc.name_en, "Café Mondschein",
            "falls back to the other language"
        );
        assert_eq!(doc.description_en, "Kaffee und Kuchen");
        assert_eq!(doc.categories, vec!["food.cafe"]);
        assert_eq!(doc.category_groups, vec!["food"]);
        assert_eq!(doc.category_labels_en.len(), 1);
        assert_eq!(doc.name_sort_de, "cafe mondschein");
        assert_eq!(doc.tags, vec!["wifi", "vegan"]);
        assert_eq!(doc.open_slots.len(), 8);
        assert!(doc.bookable);
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            json["_geo"],
            serde_json::json!({"lat": 60.17, "lng": 24.94})
        );
        assert_eq!(json["id"], serde_json::json!(src.listing.id.to_string()));
        assert_eq!(json["version"], 4);
        // Without coordinates there is no _geo at all (Meilisearch rejects null).
        let mut no_geo = src.clone();
        no_geo.listing.lat = None;
        let json = serde_json::to_value(ListingDocument::build(&no_geo, monday())).unwrap();
        assert!(json.get("_geo").is_none());
    }
}
