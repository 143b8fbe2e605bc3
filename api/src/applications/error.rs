//! What applying, following and handling a case can fail with.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};
use crate::core::message::Arg;

/// An error of applications.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// 422: fields are invalid (named: a form field, `status`, `question`, ...).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// 404: no such application (or not the caller's).
    #[error("no such application")]
    NotFound,
    /// 404: the service takes no applications online.
    #[error("no online application")]
    NotOffered,
    /// 409: the case cannot go from `from` to `to`; `allowed` are the steps a module
    /// may take from `from` (none: the case is over for the module).
    #[error("no transition from {from} to {to}")]
    Transition {
        from: String,
        to: String,
        allowed: Vec<String>,
    },
    /// 409: the case is `status`, which does not allow this.
    #[error("application is {0}")]
    State(String),
    /// 413: the request body is larger than the form allows.
    #[error("too large")]
    TooLarge,
    /// 400: the body is not well-formed.
    #[error("malformed: {0}")]
    Malformed(String),
    /// 500: the answers could not be sealed to the module's key (logged).
    #[error("sealing: {0}")]
    Seal(String),
    /// The database failed (500, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl From<super::multipart::ReadError> for ApplicationError {
    fn from(e: super::multipart::ReadError) -> ApplicationError {
        match e {
            super::multipart::ReadError::TooLarge => ApplicationError::TooLarge,
            super::multipart::ReadError::Malformed(m) => ApplicationError::Malformed(m),
        }
    }
}

impl ErrorCode for ApplicationError {
    fn code(&self) -> &'static str {
        match self {
            ApplicationError::Invalid(i) => i.code(),
            ApplicationError::NotFound => "not-found",
            ApplicationError::NotOffered => "application-not-offered",
            ApplicationError::Transition { .. } => "application-transition",
            ApplicationError::State(_) => "application-state",
            ApplicationError::TooLarge => "application-too-large",
            ApplicationError::Malformed(_) => "application-malformed",
            ApplicationError::Seal(_) => "internal",
            ApplicationError::Db(e) => crate::core::error::db_code(e),
        }
    }
    fn status(&self) -> u16 {
        match self {
            ApplicationError::Invalid(i) => i.status(),
            ApplicationError::NotFound | ApplicationError::NotOffered => 404,
            ApplicationError::Transition { .. } | ApplicationError::State(_) => 409,
            ApplicationError::TooLarge => 413,
            ApplicationError::Malformed(_) => 400,
            ApplicationError::Seal(_) => 500,
            ApplicationError::Db(e) => crate::core::error::db_status(e),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ApplicationError::NotFound => vec![("what", "application".into())],
            ApplicationError::Transition { from, to, allowed } => {
                vec![
                    ("from", from.clone().into()),
                    ("to", to.clone().into()),
                    (
                        "allowed",
                        if allowed.is_empty() {
                            "none".into()
                        } else {
                            allowed.join(", ").into()
                        },
                    ),
                ]
            }
            ApplicationError::State(s) => vec![("status", s.clone().into())],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            ApplicationError::Invalid(i) => i.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            ApplicationError::Db(e) => Some(e.to_string()),
            ApplicationError::Seal(e) => Some(e.clone()),
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
    fn every_application_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (ApplicationError::NotFound, 404),
            (ApplicationError::NotOffered, 404),
            (
                ApplicationError::Transition {
                    from: "submitted".into(),
                    to: "closed".into(),
                    allowed: vec!["received".into()],
                },
                409,
            ),
            (ApplicationError::State("approved".into()), 409),
            (ApplicationError::TooLarge, 413),
            (ApplicationError::Malformed("x".into()), 400),
            (ApplicationError::Seal("x".into()), 500),
        ]);
        let every_field_message = [
            msg!("v-application-status"),
            msg!("v-application-text"),
            msg!("v-application-document"),
            msg!("v-application-share"),
        ];
        assert_codes(
            &every_field_message
                .into_iter()
                .map(|m| (ApplicationError::Invalid(Invalid::field("x", m)), 422))
                .collect::<Vec<_>>(),
        );
    }

    #[test]
    fn a_state_is_named_in_words_never_as_its_code() {
        use crate::core::error::ErrorCode;
        use crate::core::i18n::I18n;
        use crate::core::locale::Locale;
        let i18n = I18n::embedded();
        for (code, en, de) in [
            ("in_progress", "In progress", "In Bearbeitung"),
            (
                "needs_information",
                "The office needs information from you",
                "",
            ),
            ("approved", "Approved", ""),
        ] {
            let e = ApplicationError::State(code.into());
            let text = i18n.message(Locale::En, &e.message());
            assert!(text.contains(en), "{text}");
            assert!(!text.contains(code), "{text}");
            let text = i18n.message(Locale::De, &e.message());
            assert!(text.contains(de) && !text.contains(code), "{text}");
        }
        let changed = i18n.message(
            Locale::En,
            &ApplicationError::State("changed".into()).message(),
        );
        assert!(changed.contains("fill in the form again"), "{changed}");
    }
}
