//! The language of the API's localized texts: the `locale` query parameter, else the
//! language `Accept-Language` prefers among the portal's, else English (what the API
//! answered before it honoured the header).

use poem::Request;

use crate::core::locale::Locale;

/// A language of the portal, as an API parameter.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ApiLocale {
    De,
    En,
}

impl From<ApiLocale> for Locale {
    fn from(l: ApiLocale) -> Locale {
        match l {
            ApiLocale::De => Locale::De,
            ApiLocale::En => Locale::En,
        }
    }
}

/// The language of a request's localized texts.
pub fn resolve(explicit: Option<ApiLocale>, req: &Request) -> Locale {
    explicit
        .map(Locale::from)
        .or_else(|| crate::web::pages::accept_language(req))
        .unwrap_or(Locale::En)
}
