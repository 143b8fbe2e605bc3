//! Public holidays of the city's region (`CITY_HOLIDAYS`), computed for any year: the
//! fixed dates and those that follow Easter (Gregorian computus), so no list of dates
//! goes stale. The German federal states' rules (`DE-BE`, `DE-BY`, ...) and the
//! nationwide ones (`DE`) are known.

use chrono::{Datelike, Duration, NaiveDate};

/// A region whose public holidays the city's offices close on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region(Code);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    De,
    Bw,
    By,
    Be,
    Bb,
    Hb,
    Hh,
    He,
    Mv,
    Ni,
    Nw,
    Rp,
    Sl,
    Sn,
    St,
    Sh,
    Th,
}

const CODES: [(&str, Code); 17] = [
    ("DE", Code::De),
    ("DE-BW", Code::Bw),
    ("DE-BY", Code::By),
    ("DE-BE", Code::Be),
    ("DE-BB", Code::Bb),
    ("DE-HB", Code::Hb),
    ("DE-HH", Code::Hh),
    ("DE-HE", Code::He),
    ("DE-MV", Code::Mv),
    ("DE-NI", Code::Ni),
    ("DE-NW", Code::Nw),
    ("DE-RP", Code::Rp),
    ("DE-SL", Code::Sl),
    ("DE-SN", Code::Sn),
    ("DE-ST", Code::St),
    ("DE-SH", Code::Sh),
    ("DE-TH", Code::Th),
];

/// One public holiday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_de: &'static str,
    pub name_en: &'static str,
}

impl Region {
    /// An ISO 3166-2 code such as `DE-BE` (or `DE` for the nationwide holidays only).
    pub fn parse(code: &str) -> Option<Region> {
        let code = code.trim().to_ascii_uppercase();
        CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, r)| Region(*r))
    }

    /// The region's ISO 3166-2 code.
    pub fn code(self) -> &'static str {
        CODES
            .iter()
            .find(|(_, r)| *r == self.0)
            .map(|(c, _)| *c)
            .unwrap_or("DE")
    }

    /// All codes known, for the configuration's error message.
    pub fn known() -> String {
        CODES.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
    }

    /// The public holidays of `year`, in date order.
    pub fn holidays(self, year: i32) -> Vec<Holiday> {
        use Code::*;
        let mut out = Vec::new();
        let Some(easter) = easter_sunday(year) else {
            return out;
        };
        let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
        let mut add = |date: Option<NaiveDate>, name_de, name_en| {
            if let Some(date) = date {
                out.push(Holiday {
                    date,
                    name_de,
                    name_en,
                });
            }
        };
        let r = self.0;
        add(day(1, 1), "Neujahr", "New Year's Day");
        if matches!(r, Bw | By | St) {
            add(day(1, 6), "Heilige Drei Könige", "Epiphany");
        }
        if (r == Be && year >= 2019) || (r == Mv && year >= 2023) {
            add(
                day(3, 8),
                "Internationaler Frauentag",
                "International Women's Day",
            );
        }
        add(
            Some(easter - Duration::days(2)),
            "Karfreitag",
            "Good Friday",
        );
        add(
            Some(easter + Duration::days(1)),
            "Ostermontag",
            "Easter Monday",
        );
        add(day(5, 1), "Tag der Arbeit", "Labour Day");
        add(
            Some(easter + Duration::days(39)),
            "Christi Himmelfahrt",
            "Ascension Day",
        );
        add(
            Some(easter + Duration::days(50)),
            "Pfingstmontag",
            "Whit Monday",
        );
        if matches!(r, Bw | By | He | Nw | Rp | Sl) {
            add(
                Some(easter + Duration::days(60)),
                "Fronleichnam",
                "Corpus Christi",
            );
        }
        if matches!(r, By | Sl) {
            add(day(8, 15), "Mariä Himmelfahrt", "Assumption Day");
        }
        if r == Th && year >= 2019 {
            add(day(9, 20), "Weltkindertag", "World Children's Day");
        }
        add(day(10, 3), "Tag der Deutschen Einheit", "German Unity Day");
        let reformation =
            matches!(r, Bb | Mv | Sn | St | Th) || (matches!(r, Hb | Hh | Ni | Sh) && year >= 2018);
        if reformation || year == 2017 {
            add(day(10, 31), "Reformationstag", "Reformation Day");
        }
        if matches!(r, Bw | By | Nw | Rp | Sl) {
            add(day(11, 1), "Allerheiligen", "All Saints' Day");
        }
        if r == Sn {
            // The Wednesday before 23 November.
            add(
                day(11, 22).map(|d| {
                    let back = (d.weekday().num_days_from_monday() + 7 - 2) % 7;
                    d - Duration::days(back as i64)
                }),
                "Buß- und Bettag",
                "Day of Repentance and Prayer",
            );
        }
        add(day(12, 25), "1. Weihnachtstag", "Christmas Day");
        add(day(12, 26), "2. Weihnachtstag", "Boxing Day");
        out.sort_by_key(|h| h.date);
        out
    }

    /// The holiday on `date`, if it is one.
    pub fn holiday_on(self, date: NaiveDate) -> Option<Holiday> {
        self.holidays(date.year())
            .into_iter()
            .find(|h| h.date == date)
    }

    /// The holidays from `from` to `to` (both included).
    pub fn between(self, from: NaiveDate, to: NaiveDate) -> Vec<Holiday> {
        (from.year()..=to.year())
            .flat_map(|y| self.holidays(y))
            .filter(|h| h.date >= from && h.date <= to)
            .collect()
    }
}

/// Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        for (y, e) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(y), Some(d(e)), "{y}");
        }
    }

    #[test]
    fn berlin_2026() {
        let dates: Vec<String> = Region::parse("de-be")
            .unwrap()
            .holidays(2026)
            .iter()
            .map(|h| h.date.to_string())
            .collect();
        assert_eq!(
            dates,
            [
                "2026-01-01",
                "2026-03-08",
                "2026-04-03",
                "2026-04-06",
                "2026-05-01",
                "2026-05-14",
                "2026-05-25",
                "2026-10-03",
                "2026-12-25",
                "2026-12-26"
            ]
        );
    }

    #[test]
    fn states_differ() {
        let by = Region::parse("DE-BY").unwrap();
        assert_eq!(
            by.holiday_on(d("2027-05-27")).map(|h| h.name_en),
            Some("Corpus Christi")
        );
        assert!(by.holiday_on(d("2027-03-08")).is_none());
        let sn = Region::parse("DE-SN").unwrap();
        // Buß- und Bettag: 18 Nov 2026, 17 Nov 2027, 22 Nov 2028.
        for date in ["2026-11-18", "2027-11-17", "2028-11-22"] {
            assert_eq!(
                sn.holiday_on(d(date)).map(|h| h.name_de),
                Some("Buß- und Bettag"),
                "{date}"
            );
        }
        assert!(Region::parse("DE-XX").is_none());
        assert_eq!(Region::parse("DE-HH").unwrap().code(), "DE-HH");
        let between = Region::parse("DE")
            .unwrap()
            .between(d("2026-12-20"), d("2027-01-02"));
        assert_eq!(between.len(), 3);
    }
}
