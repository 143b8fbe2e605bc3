//! What a search can fail with.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};

/// A search's error.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// 422: parameters that are not valid (`validation`).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The search engine failed: Meilisearch (if any) and the database behind it
    /// (`unavailable`, 503, logged). The rest of the portal may still answer.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for SearchError {
    fn code(&self) -> &'static str {
        match self {
            SearchError::Invalid(i) => i.code(),
            SearchError::Db(_) => "unavailable",
        }
    }
    fn status(&self) -> u16 {
        match self {
            SearchError::Invalid(i) => i.status(),
            SearchError::Db(_) => 503,
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            SearchError::Invalid(i) => i.fields(),
            SearchError::Db(_) => &[],
        }
    }
    fn message(&self) -> crate::core::message::Message {
        match self {
            SearchError::Invalid(i) => i.message(),
            SearchError::Db(_) => crate::core::message::Message::new("problem-unavailable-search"),
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            SearchError::Db(e) => Some(e.to_string()),
            SearchError::Invalid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::assert_codes;
    use crate::msg;

    #[test]
    fn search_errors_have_codes_statuses_and_texts() {
        assert_codes(&[
            (
                SearchError::Invalid(Invalid::field("sort", msg!("v-search-sort-unknown"))),
                422,
            ),
            (SearchError::Db(sea_orm::DbErr::Custom("x".into())), 503),
        ]);
    }
}

#[cfg(test)]
mod api_wording {
    use crate::core::i18n::I18n;
    use crate::msg;

    /// The API words every field message as it did before they were keys.
    #[test]
    fn field_messages_keep_the_api_english() {
        let i = I18n::embedded();
        for (m, english) in [
            (msg!("v-search-q-max", max = 200), "at most 200 characters"),
            (
                msg!("v-unknown-category", c = "nope"),
                "unknown category 'nope'",
            ),
            (
                msg!("v-search-near"),
                "must be latitude,longitude within -90..90 and -180..180",
            ),
            (
                msg!("v-search-between", min = 1, max = 50_000),
                "must be between 1 and 50000",
            ),
            (msg!("v-search-radius-needs-near"), "needs near"),
            (msg!("v-search-distance-needs-near"), "distance needs near"),
            (
                msg!("v-search-sort-unknown"),
                "must be relevance, distance or name",
            ),
            (
                msg!("v-search-locale", locale = "fr"),
                "unsupported locale 'fr' (use de or en)",
            ),
            (
                msg!("v-search-suggest-q", min = 1, max = 100),
                "must be 1-100 characters",
            ),
        ] {
            assert_eq!(i.api_text(&m), english);
            for l in [
                crate::core::locale::Locale::De,
                crate::core::locale::Locale::En,
            ] {
                assert!(i.has(l, &m.key), "{} {l:?}", m.key);
            }
        }
    }
}
