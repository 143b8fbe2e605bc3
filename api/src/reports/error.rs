//! What reporting an issue, reading reports and posting updates can fail with.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};
use crate::core::message::Arg;

/// The largest Open311 `POST requests` body read (form-encoded; photos come by
/// `media_url`).
pub const MAX_POST_BYTES: usize = 64 * 1024;

/// An error of the reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// 422 (400 over Open311): fields are invalid.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// 404: no report service with this code (or no such report).
    #[error("no such report service")]
    NoService,
    /// 404: no such report (for this module).
    #[error("no such report")]
    NotFound,
    /// 403: the Open311 API key is missing, unknown or revoked.
    #[error("bad api key")]
    BadKey,
    /// 404: the jurisdiction is not this city's.
    #[error("unknown jurisdiction")]
    Jurisdiction,
    /// 413 (Open311): a `POST requests` body over its limit.
    #[error("body too large")]
    TooLarge,
    /// 415 (Open311): a `POST requests` body that is not form-encoded.
    #[error("unsupported content type")]
    ContentType,
    /// 429 (Open311): an API key posted too many requests in a minute.
    #[error("rate limited")]
    RateLimited,
    /// The database failed (500, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for ReportError {
    fn code(&self) -> &'static str {
        match self {
            ReportError::Invalid(i) => i.code(),
            ReportError::NoService => "report-service-unknown",
            ReportError::NotFound => "not-found",
            ReportError::BadKey => "open311-api-key",
            ReportError::Jurisdiction => "open311-jurisdiction",
            ReportError::TooLarge => "open311-body-too-large",
            ReportError::ContentType => "open311-content-type",
            ReportError::RateLimited => "open311-rate-limited",
            ReportError::Db(e) => crate::core::error::db_code(e),
        }
    }
    fn status(&self) -> u16 {
        match self {
            ReportError::Invalid(i) => i.status(),
            ReportError::NoService | ReportError::NotFound | ReportError::Jurisdiction => 404,
            ReportError::BadKey => 403,
            ReportError::TooLarge => 413,
            ReportError::ContentType => 415,
            ReportError::RateLimited => 429,
            ReportError::Db(e) => crate::core::error::db_status(e),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ReportError::NotFound => vec![("what", "report".into())],
            ReportError::TooLarge => vec![("max", (MAX_POST_BYTES / 1024).into())],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            ReportError::Invalid(i) => i.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            ReportError::Db(e) => Some(e.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::assert_codes;
    use crate::msg;

    #[test]
    fn every_report_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (ReportError::NoService, 404),
            (ReportError::NotFound, 404),
            (ReportError::BadKey, 403),
            (ReportError::Jurisdiction, 404),
            (ReportError::TooLarge, 413),
            (ReportError::ContentType, 415),
            (ReportError::RateLimited, 429),
            (ReportError::Db(sea_orm::DbErr::Custom("x".into())), 500),
        ]);
        let every_field_message = [
            msg!("v-report-required"),
            msg!("v-report-lat"),
            msg!("v-report-long"),
            msg!("v-report-lat-long-pair"),
            msg!("v-report-location"),
            msg!("v-report-place-unknown"),
            msg!("v-report-email"),
            msg!("v-report-phone"),
            msg!("v-report-media-url"),
            msg!("v-report-photo-type"),
            msg!("v-report-photo-size", max = "5"),
            msg!("v-report-state"),
            msg!("v-report-update-empty"),
            msg!("v-report-date"),
            msg!("v-report-date-range"),
            msg!("v-report-status-filter"),
            msg!("v-report-id"),
            msg!("v-report-app-name"),
            msg!("v-report-list-too-long", max = 1000),
        ];
        assert_codes(
            &every_field_message
                .into_iter()
                .map(|m| (ReportError::Invalid(Invalid::field("x", m)), 422))
                .collect::<Vec<_>>(),
        );
    }
}
