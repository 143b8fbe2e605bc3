//! Checks of raw input shared by every capability: bounded texts, email addresses,
//! phone numbers and URLs, and the collection of field errors.

use crate::core::error::{FieldMessage, Invalid};
use crate::core::message::Message;
use crate::msg;

/// Collects field errors so one response names all of them.
#[derive(Default)]
pub struct Errors(pub Vec<FieldMessage>);

impl Errors {
    /// `field` is wrong, and `message` says why.
    pub fn add(&mut self, field: impl Into<String>, message: Message) {
        self.0.push(FieldMessage {
            field: field.into(),
            message,
        });
    }
    /// Whether no field is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `value`, or the fields that are wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Invalid(self.0))
        }
    }
}

/// How far back a date given as input may lie: about five years (an offer or opening
/// hours updated with their past dates still in them), never a century.
pub const DATE_PAST_DAYS: i64 = 5 * 366;
/// How far ahead a date given as input may lie: about five years.
pub const DATE_FUTURE_DAYS: i64 = 5 * 366;

/// The first and last date input may name, seen from `today`.
pub fn date_window(today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (
        today - chrono::Duration::days(DATE_PAST_DAYS),
        today + chrono::Duration::days(DATE_FUTURE_DAYS),
    )
}

/// Adds an error at `field` unless `date` lies in the [`date_window`] of `today`.
pub fn date_in_window(
    errors: &mut Errors,
    field: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) {
    let (first, last) = date_window(today);
    if date < first || date > last {
        errors.add(
            field,
            msg!(
                "v-date-window",
                from = first.to_string(),
                to = last.to_string()
            ),
        );
    }
}

/// A JSON pointer's segments as the API names fields: `services[1].leika_key`.
pub fn json_path<'a>(
    segments: impl Iterator<Item = jsonschema::paths::LocationSegment<'a>>,
) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            jsonschema::paths::LocationSegment::Property(p) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&p);
            }
            jsonschema::paths::LocationSegment::Index(i) => {
                out.push_str(&format!("[{i}]"));
            }
        }
    }
    out
}

pub fn has_control_chars(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}

/// A trimmed single-line text of bounded length; `None` when absent or blank.
pub fn text(errors: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let v = v?.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.add(field, msg!("v-max-chars", max = max));
        return None;
    }
    if has_control_chars(v, false) {
        errors.add(field, msg!("v-control-chars"));
        return None;
    }
    Some(v.to_string())
}

pub fn long_text(errors: &mut Errors, field: &str, v: Option<&str>, max: usize) -> String {
    let v = v.unwrap_or("").trim();
    if v.chars().count() > max {
        errors.add(field, msg!("v-max-chars", max = max));
        return String::new();
    }
    if has_control_chars(v, true) {
        errors.add(field, msg!("v-control-chars"));
        return String::new();
    }
    v.to_string()
}

/// An absolute http(s) URL with a host; other schemes (javascript:, data:, ftp:) fail.
/// Whether `url` is https, or plain http to this machine's loopback (`localhost`,
/// 127.0.0.0/8, `::1`, for development): the rule for the addresses the portal calls or
/// sends browsers to (a provider's endpoints, a module's addresses). OAuth redirect URIs
/// have their stricter own (RFC 8252).
pub fn https_or_loopback_http(url: &url::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback,
        _ => false,
    }
}

/// Zero-width characters and bidi controls: Unicode format characters a name could
/// hide behind.
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

pub fn is_http_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => {
            (u.scheme() == "http" || u.scheme() == "https")
                && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

pub fn is_valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    (3..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_the_window_name_their_field() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut e = Errors::default();
        for (field, date) in [
            ("a", today),
            ("b", today - chrono::Duration::days(DATE_PAST_DAYS)),
            ("c", today + chrono::Duration::days(DATE_FUTURE_DAYS)),
            ("old", chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()),
            ("far", chrono::NaiveDate::from_ymd_opt(2999, 1, 1).unwrap()),
            ("edge", today + chrono::Duration::days(DATE_FUTURE_DAYS + 1)),
        ] {
            date_in_window(&mut e, field, date, today);
        }
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["old", "far", "edge"]);
    }
}
