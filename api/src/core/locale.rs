//! The languages of the portal: parsed once at the edge (configuration, `Accept-Language`,
//! `?lang=`, a stored preference), then passed as a [`Locale`].

use std::str::FromStr;

/// A supported interface and content language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    De,
    En,
}

impl Locale {
    /// Every language of the portal.
    pub const ALL: [Locale; 2] = [Locale::De, Locale::En];

    /// The BCP 47 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::En => "en",
        }
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "de" => Ok(Locale::De),
            "en" => Ok(Locale::En),
            other => Err(format!("unsupported locale '{other}' (use de or en)")),
        }
    }
}

/// The portal language an `Accept-Language` value prefers most (RFC 9110 §12.5.4: the
/// highest `q`; the first of equal ones), if it names one; `q=0` excludes a language.
pub fn preferred(accept_language: &str) -> Option<Locale> {
    let mut best: Option<(f32, Locale)> = None;
    for part in accept_language.split(',') {
        let mut it = part.trim().split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        if let Ok(l) = primary.parse::<Locale>() {
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, l));
            }
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_most_wanted_portal_language() {
        assert_eq!(preferred("de-DE,de;q=0.9,en;q=0.8"), Some(Locale::De));
        assert_eq!(preferred("fi-FI, en-GB;q=0.7, de;q=0.5"), Some(Locale::En));
        assert_eq!(preferred("en;q=0.2, de;q=0.9"), Some(Locale::De));
        assert_eq!(preferred("de;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(preferred("fi, sv"), None);
        assert_eq!(preferred(""), None);
    }

    #[test]
    fn codes_parse_and_print() {
        for l in [Locale::De, Locale::En] {
            assert_eq!(l.as_str().parse::<Locale>(), Ok(l));
        }
        assert_eq!(" EN ".parse::<Locale>(), Ok(Locale::En));
        assert!("fi".parse::<Locale>().unwrap_err().contains("'fi'"));
    }
}
