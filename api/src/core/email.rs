//! Email addresses: the one place that says what an address is and how two compare.

use std::fmt;

/// An email address as the portal stores and compares it: trimmed, lower-case and
/// plausible (see [`is_plausible`]). Only [`Email::parse`] makes one, so a function
/// that takes an `Email` never checks it again.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// The address typed or sent, if it is one.
    pub fn parse(raw: &str) -> Option<Email> {
        let e = normalize(raw);
        is_plausible(&e).then_some(Email(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// How an address is compared: trimmed and lower-case (also for text that is no
/// address, such as a mistyped login, whose failures are still counted under it).
pub fn normalize(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A plausible email address: one `@`, a dotted domain, no spaces, at most 254
/// characters. Business contact addresses are checked with it and kept as typed.
pub fn is_plausible(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_case() {
        let e = Email::parse("  Anna.Virtanen@Hel.Example ").unwrap();
        assert_eq!(e.as_str(), "anna.virtanen@hel.example");
        assert_eq!(Email::parse("anna.virtanen@hel.example"), Some(e));
    }

    #[test]
    fn only_plausible_addresses_parse() {
        assert!(Email::parse("a.b@city.example").is_some());
        for bad in [
            "",
            "plain",
            "@city.example",
            "a@b",
            "a@.example",
            "a@example.",
            "a@exa..mple",
            "a@b@c.example",
            "a b@city.example",
            "a@ci ty.example",
            "a\u{7}@city.example",
            &format!("{}@city.example", "x".repeat(65)),
            &format!("a@{}.example", "x".repeat(250)),
        ] {
            assert_eq!(Email::parse(bad), None, "{bad:?}");
        }
    }
}
