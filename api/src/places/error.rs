//! What finding a place can fail with.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};
use crate::core::message::Message;

/// A place lookup's error.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// 422: the text is not a place text, or no place matches it (`validation`).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The database failed (`unavailable`, 503, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for PlaceError {
    fn code(&self) -> &'static str {
        match self {
            PlaceError::Invalid(i) => i.code(),
            PlaceError::Db(_) => "unavailable",
        }
    }
    fn status(&self) -> u16 {
        match self {
            PlaceError::Invalid(i) => i.status(),
            PlaceError::Db(_) => 503,
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            PlaceError::Invalid(i) => i.fields(),
            PlaceError::Db(_) => &[],
        }
    }
    fn message(&self) -> Message {
        match self {
            PlaceError::Invalid(i) => i.message(),
            PlaceError::Db(_) => Message::new("problem-unavailable-places"),
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            PlaceError::Db(e) => Some(e.to_string()),
            PlaceError::Invalid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::assert_codes;
    use crate::msg;

    #[test]
    fn place_errors_have_codes_statuses_and_texts() {
        assert_codes(&[
            (
                PlaceError::Invalid(Invalid::field("q", msg!("v-place-text", max = 200))),
                422,
            ),
            (
                PlaceError::Invalid(Invalid::field("near", msg!("v-place-unknown", place = "x"))),
                422,
            ),
            (PlaceError::Db(sea_orm::DbErr::Custom("x".into())), 503),
        ]);
    }
}
