//! Opening hours as a listing or an offer sends them (`listings::model::validate_hours`
//! over `HH:MM` texts, `listings::hours`): never a panic; a time that parses prints as
//! it was written; hours without errors are exactly the rules sent, none overlapping;
//! every error names a field under the given prefix; and "open now / opens at" agrees
//! with the intervals of the day it names.

#![no_main]

use api::core::validate::Errors;
use api::listings::hours::{HourMinute, OpenState};
use api::listings::model::{
    validate_hours, OpeningException, OpeningHoursInput, OpeningRule, Weekday,
};
use arbitrary::{Arbitrary, Unstructured};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use libfuzzer_sys::fuzz_target;

/// A time as a form or client may write it: mostly `HH:MM`, near the edges, sometimes
/// anything.
#[derive(Debug)]
struct Time(String);

impl<'a> Arbitrary<'a> for Time {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Time(match u.int_in_range(0..=7u8)? {
            0 => String::arbitrary(u)?,
            1 => format!(
                " {:02}:{:02} ",
                u.int_in_range(0..=25u8)?,
                u.int_in_range(0..=61u8)?
            ),
            2 => format!(
                "{}:{}",
                u.int_in_range(0..=240u8)?,
                u.int_in_range(0..=99u8)?
            ),
            _ => format!(
                "{:02}:{:02}",
                u.int_in_range(0..=24u8)?,
                u.int_in_range(0..=59u8)?
            ),
        }))
    }
}

#[derive(Arbitrary, Debug)]
struct Rule {
    weekday: u8,
    opens: Time,
    closes: Time,
}

#[derive(Arbitrary, Debug)]
struct Exception {
    /// Days after 2026-01-01.
    day: u16,
    closed: bool,
    opens: Option<Time>,
    closes: Option<Time>,
    note: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    weekly: Vec<Rule>,
    exceptions: Vec<Exception>,
    /// Minutes after 2026-01-01 00:00.
    now: u32,
    raw: String,
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mo,
    Weekday::Tu,
    Weekday::We,
    Weekday::Th,
    Weekday::Fr,
    Weekday::Sa,
    Weekday::Su,
];

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fuzz_target!(|input: Input| {
    // One time on its own: parsed means printed the same, within a day.
    if let Some(t) = HourMinute::parse(&input.raw) {
        assert_eq!(t.to_string(), input.raw);
        assert!(t.minutes() <= 1440);
        assert_eq!(HourMinute::from_minutes(t.minutes()), Some(t));
    }

    let sent = OpeningHoursInput {
        weekly: input
            .weekly
            .iter()
            .map(|r| OpeningRule {
                weekday: WEEKDAYS[usize::from(r.weekday % 7)],
                opens: r.opens.0.clone(),
                closes: r.closes.0.clone(),
            })
            .collect(),
        exceptions: input
            .exceptions
            .iter()
            .map(|e| OpeningException {
                date: base() + Duration::days(i64::from(e.day % 1500)),
                closed: e.closed,
                opens: e.opens.as_ref().map(|t| t.0.clone()),
                closes: e.closes.as_ref().map(|t| t.0.clone()),
                note: e.note.clone(),
            })
            .collect(),
    };
    let mut errors = Errors::default();
    let hours = validate_hours(&mut errors, "opening_hours", &sent);
    for e in &errors.0 {
        assert!(e.field.starts_with("opening_hours."), "{}", e.field);
    }
    for r in &hours.weekly {
        assert!(r.opens < r.closes, "{r:?}");
    }
    for e in &hours.exceptions {
        if let Some((o, c)) = e.hours {
            assert!(o < c, "{e:?}");
        }
    }
    if errors.0.is_empty() {
        // Exactly the rules sent (sorted), none overlapping another.
        let mut want: Vec<(u32, String, String)> = sent
            .weekly
            .iter()
            .map(|r| {
                (
                    r.weekday.to_chrono().num_days_from_monday(),
                    r.opens.trim().to_string(),
                    r.closes.trim().to_string(),
                )
            })
            .collect();
        let mut got: Vec<(u32, String, String)> = hours
            .weekly
            .iter()
            .map(|r| {
                (
                    r.weekday.num_days_from_monday(),
                    r.opens.to_string(),
                    r.closes.to_string(),
                )
            })
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        assert_eq!(api::listings::hours::first_overlap(&hours.weekly), None);
        for (i, a) in hours.weekly.iter().enumerate() {
            for b in &hours.weekly[i + 1..] {
                assert!(
                    a.weekday != b.weekday || a.closes <= b.opens || b.closes <= a.opens,
                    "{a:?} overlaps {b:?}"
                );
            }
        }
        assert_eq!(hours.exceptions.len(), sent.exceptions.len());
    }

    // Open now, or when next: consistent with the intervals of the day it names.
    let now: NaiveDateTime = base().and_time(NaiveTime::MIN)
        + Duration::minutes(i64::from(input.now % (1500 * 24 * 60)));
    let today = now.date();
    let minute = (now.time() - NaiveTime::MIN).num_minutes() as u16;
    let covering = hours
        .intervals_on(today)
        .into_iter()
        .find(|(o, c)| o.minutes() <= minute && minute < c.minutes());
    match hours.state_at(now) {
        OpenState::Unknown => assert!(hours.is_empty()),
        OpenState::OpenUntil(c) => {
            let (_, closes) = covering.expect("open means an interval covers now");
            assert_eq!(closes, c);
        }
        OpenState::OpensAt(date, t) => {
            assert!(covering.is_none(), "closed, but {covering:?} covers {now}");
            assert!(date >= today && date <= today + Duration::days(7), "{date}");
            assert!(hours.intervals_on(date).iter().any(|(o, _)| *o == t));
            if date == today {
                assert!(t.minutes() > minute);
            }
            // Nothing opens earlier in between.
            for k in 0..(date - today).num_days() {
                let d = today + Duration::days(k);
                assert!(
                    hours
                        .intervals_on(d)
                        .iter()
                        .all(|(o, _)| k > 0 || o.minutes() <= minute),
                    "an earlier opening on {d}"
                );
                if k > 0 {
                    assert!(
                        hours.intervals_on(d).is_empty(),
                        "an earlier opening on {d}"
                    );
                }
            }
        }
        OpenState::Closed => {
            assert!(covering.is_none());
            for k in 0..8 {
                let d = today + Duration::days(k);
                assert!(hours
                    .intervals_on(d)
                    .iter()
                    .all(|(o, _)| k == 0 && o.minutes() <= minute));
            }
        }
    }
});
