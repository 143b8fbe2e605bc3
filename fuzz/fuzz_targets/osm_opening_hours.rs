//! OSM `opening_hours` values as the OpenStreetMap import reads them
//! (`demo::osm::parse_opening_hours`): never a panic that escapes it, and parsed hours
//! keep their documented shape (within a day, sorted, neither overlapping nor touching
//! on a weekday).

#![no_main]

use api::demo::osm::{parse_opening_hours, OsmHours};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The parser catches the evaluator's panics on odd input by design; libFuzzer's
        // hook would abort on them first. A panic that escapes the parser still fails
        // the run (libfuzzer-sys aborts on it, and keeps the input); only panics in
        // other crates go unprinted.
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info.location().is_some_and(|l| {
                l.file().contains("api/src") || l.file().contains("fuzz_targets")
            });
            if ours {
                default(info);
            }
        }));
    },
    |data: &[u8]| {
        let Ok(raw) = std::str::from_utf8(data) else {
            return;
        };
        if raw.len() > 512 {
            return;
        }
        match parse_opening_hours(raw) {
            OsmHours::Parsed(rules) => {
                for (day, opens, closes) in &rules {
                    assert!(opens < closes && *closes <= 1440, "{raw:?}: {day} {opens}-{closes}");
                }
                for w in rules.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    let (da, db) = (a.0.num_days_from_monday(), b.0.num_days_from_monday());
                    assert!(da <= db, "{raw:?}: not sorted by weekday: {rules:?}");
                    if da == db {
                        assert!(a.2 < b.1, "{raw:?}: overlapping or touching: {rules:?}");
                    }
                }
            }
            OsmHours::Unparseable => {}
            OsmHours::Absent => panic!("{raw:?}: a value is never absent"),
        }
    }
);
