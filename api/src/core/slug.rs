//! URL slugs: readable, unique per city, never mistaken for an id.

use std::collections::HashSet;
use std::fmt;

use uuid::Uuid;

/// The longest slug made from a name; a uniqueness suffix (`-2`) may follow.
const MAX_FROM_NAME: usize = 80;
/// The longest slug accepted from an address (a name's slug plus its suffix).
const MAX: usize = 100;

/// A URL slug: lower-case ASCII letters and digits joined by single hyphens, never a
/// UUID or digits alone, so an address's last part is either an id or a slug. Made from
/// a name ([`Slug::from_name`]) or checked from an address ([`Slug::parse`]); its text
/// cannot be changed afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// The slug of a name: transliterated to ASCII, lower-case, hyphens between words,
    /// at most 80 characters. A name with no letters gives `listing`.
    pub fn from_name(name: &str) -> Slug {
        let ascii = deunicode::deunicode(name).to_lowercase();
        let mut out = String::with_capacity(ascii.len());
        for c in ascii.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let mut out = out.trim_end_matches('-').to_string();
        if out.len() > MAX_FROM_NAME {
            out.truncate(MAX_FROM_NAME);
            out = out.trim_end_matches('-').to_string();
        }
        if out.is_empty() || looks_like_an_id(&out) {
            out = format!("listing-{out}").trim_end_matches('-').to_string();
        }
        Slug(out)
    }

    /// A slug from an address, if it is one (see the type).
    pub fn parse(s: &str) -> Option<Slug> {
        let well_formed = !s.is_empty()
            && s.len() <= MAX
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        (well_formed && !looks_like_an_id(s)).then(|| Slug(s.to_string()))
    }

    /// The first of this slug, `slug-2`, `slug-3`, ... that is not `taken`; it is added
    /// to `taken`.
    pub fn first_free(&self, taken: &mut HashSet<String>) -> Slug {
        let mut candidate = self.0.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{}-{n}", self.0);
            n += 1;
        }
        taken.insert(candidate.clone());
        Slug(candidate)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Digits alone or a UUID: what an id looks like.
fn looks_like_an_id(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit()) || Uuid::parse_str(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(name: &str) -> String {
        Slug::from_name(name).into_string()
    }

    #[test]
    fn names_become_slugs() {
        assert_eq!(slug("Café Ekberg – since 1852!"), "cafe-ekberg-since-1852");
        assert_eq!(slug("Bürgeramt Mitte"), "burgeramt-mitte");
        assert_eq!(slug("   "), "listing");
        assert_eq!(slug("2024"), "listing-2024");
        assert_eq!(
            slug("67e55044-10b1-426f-9247-bb680e5fe0c8"),
            "listing-67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
        assert!(slug(&"x".repeat(200)).len() <= 80);
        // Every slug made from a name parses back.
        for name in ["Äß ø", "a--b", "-x-", "R-kioski", "2024", &"ab ".repeat(60)] {
            let s = Slug::from_name(name);
            assert_eq!(Slug::parse(s.as_str()), Some(s.clone()), "{name}");
        }
    }

    #[test]
    fn first_free_counts_up() {
        let mut taken = HashSet::new();
        let base = Slug::from_name("R-kioski");
        assert_eq!(base.first_free(&mut taken).as_str(), "r-kioski");
        assert_eq!(base.first_free(&mut taken).as_str(), "r-kioski-2");
        assert_eq!(base.first_free(&mut taken).as_str(), "r-kioski-3");
    }

    #[test]
    fn only_slugs_parse() {
        assert!(Slug::parse("cafe-ekberg").is_some());
        for bad in [
            "",
            "Cafe",
            "cafe ekberg",
            "-cafe",
            "cafe-",
            "ca--fe",
            "café",
            "12345",
            "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "../etc",
            &"a".repeat(101),
        ] {
            assert_eq!(Slug::parse(bad), None, "{bad}");
        }
    }
}
