//! iCalendar (RFC 5545) objects for bookings: what the emails attach, what
//! `GET /api/v1/bookings/{id}.ics` answers and what a personal feed lists.
//!
//! Written by hand because the format's sharp edges are few and each is tested here:
//! lines end in CRLF; a content line longer than 75 octets is folded onto continuation
//! lines that start with a space, never inside a UTF-8 character; and `\`, `;`, `,`
//! and line breaks in text values are escaped. Times are written in UTC (`...Z`), so no
//! VTIMEZONE is needed; membership starts are whole days (`VALUE=DATE`).

use chrono::{DateTime, NaiveDate, Utc};

/// What a calendar object asks of the calendar that receives it (iTIP, RFC 5546).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A file to import or a feed to subscribe to.
    Publish,
    /// Put this event in the calendar, or update it (a higher `SEQUENCE`).
    Request,
    /// Remove this event.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// When an event takes place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// From one instant to another.
    Times {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// A whole local day (a membership's start date).
    Day(NaiveDate),
}

/// `STATUS` of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Tentative,
    Confirmed,
    Cancelled,
}

/// A calendar user: `mailto:` address and display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub email: String,
}

/// One event.
#[derive(Clone, Debug)]
pub struct Event {
    /// Stable for the booking, so updates and cancellations find it.
    pub uid: String,
    /// Grows with every change of the booking.
    pub sequence: i32,
    pub when: When,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub status: Status,
    pub organizer: Option<Party>,
    pub attendee: Option<Party>,
}

/// A VCALENDAR with its events.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub method: Method,
    /// `X-WR-CALNAME`, the name calendar apps show for a feed.
    pub name: Option<String>,
    pub events: Vec<Event>,
    /// `DTSTAMP` of every event: when this object was written.
    pub stamp: DateTime<Utc>,
}

/// `PRODID` of everything the portal writes.
pub const PRODID: &str = "-//City Portal//Bookings//EN";

/// Escapes a TEXT value (RFC 5545, 3.3.11).
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                // CRLF and a lone CR are one line break.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a `CN`): quoted, without the characters it may not hold.
fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
}

/// Appends one content line, folded at 75 octets, with CRLF.
pub fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            // The continuation line's leading space counts towards its 75 octets.
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

impl Calendar {
    /// The calendar as RFC 5545 text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |l: String| push_line(&mut out, &l);
        line("BEGIN:VCALENDAR".into());
        line("VERSION:2.0".into());
        line(format!("PRODID:{PRODID}"));
        line("CALSCALE:GREGORIAN".into());
        line(format!("METHOD:{}", self.method.as_str()));
        if let Some(name) = &self.name {
            line(format!("X-WR-CALNAME:{}", escape_text(name)));
        }
        for e in &self.events {
            line("BEGIN:VEVENT".into());
            line(format!("UID:{}", escape_text(&e.uid)));
            line(format!("SEQUENCE:{}", e.sequence.max(0)));
            line(format!("DTSTAMP:{}", utc(self.stamp)));
            match &e.when {
                When::Times { start, end } => {
                    line(format!("DTSTART:{}", utc(*start)));
                    line(format!("DTEND:{}", utc(*end)));
                }
                When::Day(d) => {
                    line(format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")));
                    let next = d.succ_opt().unwrap_or(*d);
                    line(format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
                }
            }
            line(format!("SUMMARY:{}", escape_text(&e.summary)));
            if let Some(l) = &e.location {
                line(format!("LOCATION:{}", escape_text(l)));
            }
            if let Some(d) = &e.description {
                line(format!("DESCRIPTION:{}", escape_text(d)));
            }
            if let Some(u) = &e.url {
                line(format!("URL:{u}"));
            }
            line(format!(
                "STATUS:{}",
                match e.status {
                    Status::Tentative => "TENTATIVE",
                    Status::Confirmed => "CONFIRMED",
                    Status::Cancelled => "CANCELLED",
                }
            ));
            if let Some(o) = &e.organizer {
                line(format!(
                    "ORGANIZER;CN={}:mailto:{}",
                    param_value(&o.name),
                    o.email
                ));
            }
            if let Some(a) = &e.attendee {
                let partstat = if e.status == Status::Confirmed {
                    "ACCEPTED"
                } else {
                    "TENTATIVE"
                };
                line(format!(
                    "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}:mailto:{}",
                    param_value(&a.name),
                    a.email
                ));
            }
            line("TRANSP:OPAQUE".into());
            line("END:VEVENT".into());
        }
        line("END:VCALENDAR".into());
        out
    }
}

/// The content lines of an iCalendar text, unfolded, as (name with parameters, value).
/// Enough to read back what [`Calendar::render`] wrote (the tests use it).
pub fn content_lines(text: &str) -> Vec<(String, String)> {
    text.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Reverses [`escape_text`].
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') | Some('N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event() -> Event {
        Event {
            uid: "booking-1@portal.example".into(),
            sequence: 2,
            when: When::Times {
                start: Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
                end: Utc.with_ymd_and_hms(2026, 3, 29, 2, 30, 0).unwrap(),
            },
            summary: "Yoga, am Abend; mit \\ Matte".into(),
            location: Some("Hauptstraße 1\n10115 Testhausen".into()),
            description: None,
            url: Some("https://portal.example/listings/yoga".into()),
            status: Status::Confirmed,
            organizer: Some(Party {
                name: "Demo \"City\"".into(),
                email: "noreply@portal.example".into(),
            }),
            attendee: Some(Party {
                name: "Rosa".into(),
                email: "rosa@example.org".into(),
            }),
        }
    }

    fn calendar(method: Method, events: Vec<Event>) -> Calendar {
        Calendar {
            method,
            name: None,
            events,
            stamp: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        }
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(
            escape_text("one\r\ntwo\nthree\rfour"),
            "one\\ntwo\\nthree\\nfour"
        );
        assert_eq!(escape_text("bell\u{7}"), "bell");
        for s in ["a,b;c\\d\nnext", "\\n literally", "plain"] {
            assert_eq!(unescape_text(&escape_text(s)), s);
        }
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let long = format!("SUMMARY:{}", "ä".repeat(100));
        let mut out = String::new();
        push_line(&mut out, &long);
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2, "{lines:?}");
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            assert_eq!(
                i > 0,
                l.starts_with(' '),
                "continuation lines start with a space"
            );
        }
        // Unfolding gives the line back exactly.
        assert_eq!(out.replace("\r\n ", "").trim_end(), long);
        // A line of exactly 75 octets stays whole.
        let mut out = String::new();
        push_line(&mut out, &"x".repeat(75));
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));
    }

    #[test]
    fn renders_a_request_with_crlf_and_the_required_properties() {
        let text = calendar(Method::Request, vec![event()]).render();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "bare LF in {text:?}"
        );
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let lines = content_lines(&text);
        let get = |name: &str| {
            lines
                .iter()
                .find(|(n, _)| n == name || n.starts_with(&format!("{name};")))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name} missing in {text}"))
        };
        assert_eq!(get("METHOD"), "REQUEST");
        assert_eq!(get("UID"), "booking-1@portal.example");
        assert_eq!(get("SEQUENCE"), "2");
        assert_eq!(get("DTSTAMP"), "20260301T120000Z");
        assert_eq!(get("DTSTART"), "20260329T013000Z");
        assert_eq!(get("DTEND"), "20260329T023000Z");
        assert_eq!(
            unescape_text(&get("SUMMARY")),
            "Yoga, am Abend; mit \\ Matte"
        );
        assert_eq!(
            unescape_text(&get("LOCATION")),
            "Hauptstraße 1\n10115 Testhausen"
        );
        assert_eq!(get("STATUS"), "CONFIRMED");
        assert!(lines.iter().any(
            |(n, v)| n == "ORGANIZER;CN=\"Demo City\"" && v == "mailto:noreply@portal.example"
        ));
        assert!(lines
            .iter()
            .any(|(n, _)| n.starts_with("ATTENDEE;") && n.contains("PARTSTAT=ACCEPTED")));
        let begins = lines.iter().filter(|(n, _)| n == "BEGIN").count();
        assert_eq!(begins, 2);
    }

    #[test]
    fn renders_whole_days_and_cancellations() {
        let mut e = event();
        e.when = When::Day(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        e.status = Status::Cancelled;
        e.sequence = 3;
        let text = calendar(Method::Cancel, vec![e]).render();
        assert!(text.contains("METHOD:CANCEL\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20270101\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        assert!(text.contains("SEQUENCE:3\r\n"));
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let mut c = calendar(Method::Publish, vec![]);
        c.name = Some("Meine Buchungen – Testhausen".into());
        let text = c.render();
        assert!(text.contains("METHOD:PUBLISH\r\n"));
        assert!(text.contains("X-WR-CALNAME:Meine Buchungen – Testhausen\r\n"));
        assert!(!text.contains("BEGIN:VEVENT"));
    }
}
