//! Opening hours: weekly rules plus dated exceptions, validated at the edge, evaluated
//! in the city's time zone for "open now" and "opens at ...".

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};

/// Minutes since midnight, 0..=1440 (1440 is "24:00", a closing time only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HourMinute(u16);

impl HourMinute {
    pub fn from_minutes(m: u16) -> Option<HourMinute> {
        (m <= 1440).then_some(HourMinute(m))
    }

    /// Parses "HH:MM" (24-hour clock, "24:00" allowed).
    pub fn parse(s: &str) -> Option<HourMinute> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(HourMinute(h * 60 + m))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for HourMinute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One weekly opening interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyRule {
    pub weekday: Weekday,
    pub opens: HourMinute,
    pub closes: HourMinute,
}

/// A dated exception: closed all day, or open at other times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedException {
    pub date: NaiveDate,
    /// `None` means closed all day.
    pub hours: Option<(HourMinute, HourMinute)>,
    pub note: Option<String>,
}

/// Weekly rules and exceptions, already validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpeningHours {
    pub weekly: Vec<WeeklyRule>,
    pub exceptions: Vec<DatedException>,
}

/// Where a listing stands at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenState {
    /// No hours are known.
    Unknown,
    /// Open now, until this local time (today).
    OpenUntil(HourMinute),
    /// Closed now; opens next at this local date and time (within the coming week).
    OpensAt(NaiveDate, HourMinute),
    /// Closed and no opening in the coming week.
    Closed,
}

pub fn weekday_index(d: Weekday) -> i16 {
    d.num_days_from_monday() as i16
}

pub fn weekday_from_index(i: i16) -> Option<Weekday> {
    match i {
        0 => Some(Weekday::Mon),
        1 => Some(Weekday::Tue),
        2 => Some(Weekday::Wed),
        3 => Some(Weekday::Thu),
        4 => Some(Weekday::Fri),
        5 => Some(Weekday::Sat),
        6 => Some(Weekday::Sun),
        _ => None,
    }
}

impl OpeningHours {
    pub fn is_empty(&self) -> bool {
        self.weekly.is_empty() && self.exceptions.is_empty()
    }

    /// The opening intervals of one local date, exceptions first.
    pub fn intervals_on(&self, date: NaiveDate) -> Vec<(HourMinute, HourMinute)> {
        if let Some(ex) = self.exceptions.iter().find(|e| e.date == date) {
            return ex.hours.into_iter().collect();
        }
        let mut v: Vec<_> = self
            .weekly
            .iter()
            .filter(|r| r.weekday == date.weekday())
            .map(|r| (r.opens, r.closes))
            .collect();
        v.sort();
        v
    }

    /// Open or closed at a local time, and when that changes.
    pub fn state_at(&self, local: NaiveDateTime) -> OpenState {
        if self.is_empty() {
            return OpenState::Unknown;
        }
        let today = local.date();
        let minute = (local.time().hour_minute_of_day()) as u16;
        for (opens, closes) in self.intervals_on(today) {
            if opens.minutes() <= minute && minute < closes.minutes() {
                return OpenState::OpenUntil(closes);
            }
        }
        for offset in 0..8 {
            let date = today + chrono::Duration::days(offset);
            for (opens, _) in self.intervals_on(date) {
                if offset > 0 || opens.minutes() > minute {
                    return OpenState::OpensAt(date, opens);
                }
            }
        }
        OpenState::Closed
    }
}

trait MinuteOfDay {
    fn hour_minute_of_day(&self) -> u32;
}

impl MinuteOfDay for chrono::NaiveTime {
    fn hour_minute_of_day(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute()
    }
}

/// Checks that a day's intervals are ordered and do not overlap; returns the index of
/// the first rule that overlaps an earlier one.
pub fn first_overlap(rules: &[WeeklyRule]) -> Option<usize> {
    for (i, r) in rules.iter().enumerate() {
        for earlier in &rules[..i] {
            if earlier.weekday == r.weekday && r.opens < earlier.closes && earlier.opens < r.closes
            {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(s: &str) -> HourMinute {
        HourMinute::parse(s).unwrap()
    }

    #[test]
    fn parses_times() {
        assert_eq!(hm("09:30").minutes(), 570);
        assert_eq!(hm("24:00").minutes(), 1440);
        for bad in ["9:30", "24:01", "12:60", "ab:cd", "", "12-00", "123:00"] {
            assert!(HourMinute::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(hm("07:05").to_string(), "07:05");
    }

    #[test]
    fn open_now_and_next_opening() {
        let hours = OpeningHours {
            weekly: vec![
                WeeklyRule {
                    weekday: Weekday::Mon,
                    opens: hm("09:00"),
                    closes: hm("17:00"),
                },
                WeeklyRule {
                    weekday: Weekday::Wed,
                    opens: hm("10:00"),
                    closes: hm("12:00"),
                },
            ],
            exceptions: vec![DatedException {
                date: NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
                hours: None,
                note: Some("Holiday".into()),
            }],
        };
        // 2026-11-23 is a Monday.
        let at = |d: &str| NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            hours.state_at(at("2026-11-23 10:00")),
            OpenState::OpenUntil(hm("17:00"))
        );
        assert_eq!(
            hours.state_at(at("2026-11-23 08:00")),
            OpenState::OpensAt(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), hm("09:00"))
        );
        assert_eq!(
            hours.state_at(at("2026-11-23 17:00")),
            OpenState::OpensAt(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), hm("10:00"))
        );
        // The Monday holiday closes the day.
        assert_eq!(
            hours.state_at(at("2026-12-28 10:00")),
            OpenState::OpensAt(NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(), hm("10:00"))
        );
        assert_eq!(
            OpeningHours::default().state_at(at("2026-11-23 10:00")),
            OpenState::Unknown
        );
    }

    #[test]
    fn finds_overlaps() {
        let r = |d, o, c| WeeklyRule {
            weekday: d,
            opens: hm(o),
            closes: hm(c),
        };
        assert_eq!(
            first_overlap(&[
                r(Weekday::Mon, "09:00", "12:00"),
                r(Weekday::Mon, "13:00", "17:00")
            ]),
            None
        );
        assert_eq!(
            first_overlap(&[
                r(Weekday::Mon, "09:00", "12:00"),
                r(Weekday::Tue, "09:00", "12:00")
            ]),
            None
        );
        assert_eq!(
            first_overlap(&[
                r(Weekday::Mon, "09:00", "12:00"),
                r(Weekday::Mon, "11:00", "17:00")
            ]),
            Some(1)
        );
    }
}
