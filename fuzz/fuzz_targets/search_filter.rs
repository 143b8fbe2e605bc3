//! The Meilisearch filter built from a search's parameters
//! (`search_indexer::query::SearchParams::filter`): whatever text a resident sends as a
//! category or district, the filter reads as exactly the conditions the parameters ask
//! for, and each literal decodes (as Meilisearch's filter parser decodes double-quoted
//! values) to the text that was sent.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use search_indexer::query::{quote, SearchParams, SortBy};

#[derive(Arbitrary, Debug)]
struct Input {
    kind: Option<bool>,
    category: Option<String>,
    district: Option<String>,
    open_now: bool,
    open_slot: Option<u16>,
    wheelchair: bool,
    near: Option<(i32, i32)>,
    radius_m: Option<u32>,
    by_distance: bool,
    english: bool,
    single: String,
}

/// Splits a filter as Meilisearch's parser reads double-quoted values: the text outside
/// literals (each literal replaced by `$`), and the decoded literals. A literal ends at
/// the first `"` not preceded by a `\` that escapes it; its content has each `\"` made
/// `"` (when it held one), then `\\` made `\` (the `unescaper` step). `None` when a
/// literal is not closed or holds another escape (which would change or refuse it).
fn read(filter: &str) -> Option<(String, Vec<String>)> {
    let mut outside = String::new();
    let mut literals = Vec::new();
    let mut chars = filter.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            outside.push(c);
            continue;
        }
        let mut raw = String::new();
        let mut escaped_quote = false;
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    closed = true;
                    break;
                }
                '\\' => {
                    let next = chars.next()?;
                    escaped_quote |= next == '"';
                    raw.push('\\');
                    raw.push(next);
                }
                c => raw.push(c),
            }
        }
        if !closed {
            return None;
        }
        if escaped_quote {
            raw = raw.replace("\\\"", "\"");
        }
        let mut value = String::new();
        let mut it = raw.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next()? {
                    '\\' => value.push('\\'),
                    _ => return None,
                }
            } else {
                value.push(c);
            }
        }
        outside.push('$');
        literals.push(value);
    }
    Some((outside, literals))
}

fuzz_target!(|input: Input| {
    // One literal on its own.
    let q = quote(&input.single);
    let (outside, literals) = read(&q).expect("a quoted value reads back");
    assert_eq!(outside, "$", "{q}");
    assert_eq!(literals, vec![input.single.clone()], "{q}");

    // Coordinates and radius as the API admits them: finite, on the globe.
    let near = input.near.map(|(a, b)| {
        (
            f64::from(a) / f64::from(i32::MAX) * 90.0,
            f64::from(b) / f64::from(i32::MAX) * 180.0,
        )
    });
    let p = SearchParams {
        q: String::new(),
        kind: input
            .kind
            .map(|b| if b { "business" } else { "municipal_service" }),
        category: input.category.clone(),
        district: input.district.clone(),
        open_now: input.open_now,
        open_slot: input.open_slot,
        wheelchair: input.wheelchair,
        near,
        radius_m: input.radius_m,
        sort: if input.by_distance {
            SortBy::Distance
        } else {
            SortBy::Relevance
        },
        locale: if input.english { "en" } else { "de" },
        offset: 0,
        limit: 20,
        hits_only: false,
    };
    for with_open_now in [true, false] {
        let filter = if with_open_now {
            p.filter()
        } else {
            p.filter_without_open_now()
        };
        // What the filter must say, literals as `$`, and the literals in order.
        let mut parts = Vec::new();
        let mut want = Vec::new();
        if let Some(k) = p.kind {
            parts.push("kind = $".to_string());
            want.push(k.to_string());
        }
        if let Some(c) = &p.category {
            parts.push("(categories = $ OR category_groups = $)".to_string());
            want.push(c.clone());
            want.push(c.clone());
        }
        if let Some(d) = &p.district {
            parts.push("district = $".to_string());
            want.push(d.clone());
        }
        if p.wheelchair {
            parts.push("wheelchair = $".to_string());
            want.push("yes".to_string());
        }
        if with_open_now && p.open_now {
            if let Some(slot) = p.open_slot {
                parts.push(format!("open_slots = {slot}"));
            }
        }
        if let (Some((lat, lng)), Some(r)) = (p.near, p.radius_m) {
            parts.push(format!("_geoRadius({lat:.7}, {lng:.7}, {r})"));
        }
        let Some(filter) = filter else {
            assert!(parts.is_empty(), "no filter, but {parts:?}");
            continue;
        };
        let (outside, literals) =
            read(&filter).unwrap_or_else(|| panic!("the filter reads: {filter}"));
        assert_eq!(outside, parts.join(" AND "), "{filter}");
        assert_eq!(literals, want, "{filter}");
        // Coordinates in fixed notation: plain decimals Meilisearch reads as numbers.
        if let Some(i) = outside.find("_geoRadius(") {
            let args = &outside[i + "_geoRadius(".len()..outside.len() - 1];
            for a in args.split(", ") {
                assert!(
                    !a.is_empty()
                        && a.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.'),
                    "{filter}"
                );
                assert!(a.parse::<f64>().is_ok_and(f64::is_finite), "{filter}");
            }
        }
    }
    for s in p.sort() {
        assert!(!s.contains('"'), "{s}");
    }
});
