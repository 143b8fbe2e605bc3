//! Turning an offer's weekly availability into concrete slot times, in the city's time
//! zone and correct across daylight-saving changes: a slot at 09:00 local time is at
//! 09:00 on both sides of a change, a local time that does not exist (the hour skipped
//! in spring) offers no slot, and a local time that occurs twice (the hour repeated in
//! autumn) offers its first occurrence only.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::listings::hours::{HourMinute, OpeningHours};

/// One bookable time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTime {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The instant of a local wall-clock time: `None` in a DST gap, the earlier one when it
/// occurs twice.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn at(date: NaiveDate, t: HourMinute) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::minutes(t.minutes() as i64)
}

/// The opening ranges of one date: its dated exception if there is one, else the weekly
/// rules of its weekday.
fn ranges(hours: &OpeningHours, date: NaiveDate) -> Vec<(HourMinute, HourMinute)> {
    use chrono::Datelike;
    if let Some(e) = hours.exceptions.iter().find(|e| e.date == date) {
        return e.hours.into_iter().collect();
    }
    hours
        .weekly
        .iter()
        .filter(|r| r.weekday == date.weekday())
        .map(|r| (r.opens, r.closes))
        .collect()
}

/// Appointment slots of `duration` minutes, back to back inside each opening range,
/// for the local dates `from..=to`.
pub fn appointment_slots(
    hours: &OpeningHours,
    duration_minutes: u32,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<SlotTime> {
    let mut out = Vec::new();
    if duration_minutes == 0 {
        return out;
    }
    let step = Duration::minutes(duration_minutes as i64);
    let mut date = from;
    while date <= to {
        for (opens, closes) in ranges(hours, date) {
            let close = at(date, closes);
            let mut local = at(date, opens);
            while local + step <= close {
                if let Some(start) = local_to_utc(tz, local) {
                    out.push(SlotTime {
                        start,
                        end: start + step,
                    });
                }
                local += step;
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    out.sort_by_key(|s| s.start);
    out.dedup_by_key(|s| s.start);
    out
}

/// Class sessions from a weekly rule: at local `time` on each of `weekdays`, for the
/// local dates `from..=until`.
pub fn recurring_sessions(
    weekdays: &[chrono::Weekday],
    time: HourMinute,
    duration_minutes: u32,
    tz: Tz,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<SlotTime> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut date = from;
    while date <= until {
        if weekdays.contains(&date.weekday()) {
            if let Some(start) = local_to_utc(tz, at(date, time)) {
                out.push(SlotTime {
                    start,
                    end: start + Duration::minutes(duration_minutes as i64),
                });
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::hours::{DatedException, WeeklyRule};
    use chrono::Weekday;

    fn hm(s: &str) -> HourMinute {
        HourMinute::parse(s).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sunday_night() -> OpeningHours {
        OpeningHours {
            weekly: vec![WeeklyRule {
                weekday: Weekday::Sun,
                opens: hm("01:00"),
                closes: hm("05:00"),
            }],
            exceptions: vec![],
        }
    }

    fn local(tz: Tz, t: DateTime<Utc>) -> String {
        t.with_timezone(&tz).format("%H:%M%:z").to_string()
    }

    #[test]
    fn spring_forward_skips_the_missing_hour() {
        // Helsinki, 2027-03-28: 03:00 EET becomes 04:00 EEST.
        let tz: Tz = "Europe/Helsinki".parse().unwrap();
        let slots = appointment_slots(&sunday_night(), 60, tz, d("2027-03-28"), d("2027-03-28"));
        let labels: Vec<String> = slots.iter().map(|s| local(tz, s.start)).collect();
        assert_eq!(labels, ["01:00+02:00", "02:00+02:00", "04:00+03:00"]);
        // Each lasts an hour of real time.
        assert!(slots.iter().all(|s| s.end - s.start == Duration::hours(1)));
        // The week before and after: four slots each, at the same local times.
        let before = appointment_slots(&sunday_night(), 60, tz, d("2027-03-21"), d("2027-03-21"));
        let after = appointment_slots(&sunday_night(), 60, tz, d("2027-04-04"), d("2027-04-04"));
        assert_eq!(before.len(), 4);
        assert_eq!(after.len(), 4);
        assert_eq!(local(tz, before[0].start), "01:00+02:00");
        assert_eq!(local(tz, after[0].start), "01:00+03:00");
        // Same local time, 7 days minus one hour apart in real time.
        assert_eq!(
            after[0].start - before[0].start,
            Duration::days(14) - Duration::hours(1)
        );
    }

    #[test]
    fn fall_back_offers_the_repeated_hour_once() {
        // Helsinki, 2026-10-25: 04:00 EEST becomes 03:00 EET; 03:00-04:00 happens twice.
        let tz: Tz = "Europe/Helsinki".parse().unwrap();
        let slots = appointment_slots(&sunday_night(), 60, tz, d("2026-10-25"), d("2026-10-25"));
        let labels: Vec<String> = slots.iter().map(|s| local(tz, s.start)).collect();
        assert_eq!(
            labels,
            ["01:00+03:00", "02:00+03:00", "03:00+03:00", "04:00+02:00"]
        );
        // Starts are strictly increasing and distinct.
        assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
    }

    #[test]
    fn berlin_changes_on_its_own_date_and_hour() {
        // Berlin, 2027-03-28: 02:00 CET becomes 03:00 CEST.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let slots = appointment_slots(&sunday_night(), 30, tz, d("2027-03-28"), d("2027-03-28"));
        let labels: Vec<String> = slots.iter().map(|s| local(tz, s.start)).collect();
        assert_eq!(
            labels,
            [
                "01:00+01:00",
                "01:30+01:00",
                "03:00+02:00",
                "03:30+02:00",
                "04:00+02:00",
                "04:30+02:00"
            ]
        );
    }

    #[test]
    fn exceptions_replace_the_weekly_rules_of_their_date() {
        let tz: Tz = "Europe/Helsinki".parse().unwrap();
        let mut hours = sunday_night();
        hours.exceptions.push(DatedException {
            date: d("2026-12-06"),
            hours: None,
            note: None,
        });
        hours.exceptions.push(DatedException {
            date: d("2026-12-13"),
            hours: Some((hm("10:00"), hm("11:00"))),
            note: None,
        });
        assert!(appointment_slots(&hours, 60, tz, d("2026-12-06"), d("2026-12-06")).is_empty());
        let s = appointment_slots(&hours, 30, tz, d("2026-12-13"), d("2026-12-13"));
        let labels: Vec<String> = s.iter().map(|s| local(tz, s.start)).collect();
        assert_eq!(labels, ["10:00+02:00", "10:30+02:00"]);
        // A slot never runs past closing, and a range to 24:00 ends at midnight.
        hours.weekly.push(WeeklyRule {
            weekday: Weekday::Mon,
            opens: hm("22:00"),
            closes: hm("24:00"),
        });
        let s = appointment_slots(&hours, 45, tz, d("2026-12-14"), d("2026-12-14"));
        let labels: Vec<String> = s.iter().map(|s| local(tz, s.start)).collect();
        assert_eq!(labels, ["22:00+02:00", "22:45+02:00"]);
    }

    #[test]
    fn recurring_sessions_keep_their_local_time_across_the_change() {
        let tz: Tz = "Europe/Helsinki".parse().unwrap();
        let s = recurring_sessions(
            &[Weekday::Sat, Weekday::Mon],
            hm("18:00"),
            60,
            tz,
            d("2027-03-27"),
            d("2027-03-29"),
        );
        let labels: Vec<String> = s
            .iter()
            .map(|s| s.start.with_timezone(&tz).format("%a %H:%M%:z").to_string())
            .collect();
        assert_eq!(labels, ["Sat 18:00+02:00", "Mon 18:00+03:00"]);
        // A session in the skipped hour does not exist.
        let gap = recurring_sessions(
            &[Weekday::Sun],
            hm("03:30"),
            30,
            tz,
            d("2027-03-28"),
            d("2027-03-28"),
        );
        assert!(gap.is_empty());
    }
}
