//! What the notifications' calendars can fail with.

use crate::core::error::ErrorCode;
use crate::core::message::Arg;

/// An error of the calendar download or the calendar feed.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// 404: no such booking of the caller's (`not-found`).
    #[error("no such booking")]
    BookingNotFound,
    /// 404: an unknown or rotated feed token (`not-found`).
    #[error("no such calendar feed")]
    FeedNotFound,
    /// The database failed (`internal`, 500, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for NotificationError {
    fn code(&self) -> &'static str {
        match self {
            NotificationError::BookingNotFound | NotificationError::FeedNotFound => "not-found",
            NotificationError::Db(e) => crate::core::error::db_code(e),
        }
    }
    fn status(&self) -> u16 {
        match self {
            NotificationError::BookingNotFound | NotificationError::FeedNotFound => 404,
            NotificationError::Db(e) => crate::core::error::db_status(e),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            NotificationError::BookingNotFound => vec![("what", Arg::from("booking"))],
            NotificationError::FeedNotFound => vec![("what", Arg::from("calendar feed"))],
            NotificationError::Db(_) => Vec::new(),
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            NotificationError::Db(e) => Some(e.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::{assert_codes, Problem};

    #[test]
    fn notification_errors_have_codes_statuses_and_texts() {
        assert_codes(&[
            (NotificationError::BookingNotFound, 404),
            (NotificationError::FeedNotFound, 404),
            (
                NotificationError::Db(sea_orm::DbErr::Custom("x".into())),
                500,
            ),
        ]);
    }

    #[test]
    fn the_api_answers_as_before() {
        for (e, what) in [
            (NotificationError::BookingNotFound, "booking"),
            (NotificationError::FeedNotFound, "calendar feed"),
        ] {
            assert_eq!(
                serde_json::to_value(Problem::from(e)).unwrap(),
                serde_json::to_value(Problem::not_found(what)).unwrap()
            );
        }
    }
}
