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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_print() {
        for l in [Locale::De, Locale::En] {
            assert_eq!(l.as_str().parse::<Locale>(), Ok(l));
        }
        assert_eq!(" EN ".parse::<Locale>(), Ok(Locale::En));
        assert!("fi".parse::<Locale>().unwrap_err().contains("'fi'"));
    }
}
