//! Errors as codes. Each capability's error enum implements [`ErrorCode`]: a stable
//! code (the problem `type` is `/problems/<code>`), an HTTP status and the arguments of
//! its texts. The texts live in the Fluent files under `problem-<code>`, in German and
//! English: the value is what a page shows a resident, the English `.detail` attribute
//! (when the API words it differently) is the problem's `detail`, and an optional
//! `problem-title-<code>` titles the page. The web layer turns any [`ErrorCode`] into a
//! problem (`core::problem`) or a page message in one place.

use crate::core::message::{Arg, Message};

/// An error with a stable code.
pub trait ErrorCode: std::fmt::Debug {
    /// The stable code, e.g. `full`.
    fn code(&self) -> &'static str;
    /// The HTTP status it answers with.
    fn status(&self) -> u16;
    /// The values of its texts' `{ $name }`s.
    fn args(&self) -> Vec<(&'static str, Arg)> {
        Vec::new()
    }
    /// For a validation error: each field and what is wrong with it.
    fn fields(&self) -> &[FieldMessage] {
        &[]
    }
    /// What to log for a 500 (never shown).
    fn internal(&self) -> Option<String> {
        None
    }
    /// The message holding its texts: `problem-<code>` with [`ErrorCode::args`].
    fn message(&self) -> Message {
        let mut m = Message::new(format!("problem-{}", self.code()));
        for (name, value) in self.args() {
            m = m.arg(name, value);
        }
        m
    }
}

/// A field that failed a check, and the message saying why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    /// JSON path of the field, e.g. `name.de`.
    pub field: String,
    pub message: Message,
}

/// 422: some fields are invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid fields")]
pub struct Invalid(pub Vec<FieldMessage>);

impl Invalid {
    /// One invalid field.
    pub fn field(field: impl Into<String>, message: Message) -> Invalid {
        Invalid(vec![FieldMessage {
            field: field.into(),
            message,
        }])
    }
}

impl ErrorCode for Invalid {
    fn code(&self) -> &'static str {
        "validation"
    }
    fn status(&self) -> u16 {
        422
    }
    fn fields(&self) -> &[FieldMessage] {
        &self.0
    }
}

/// Errors every capability can answer with.
#[derive(Debug, thiserror::Error)]
pub enum CommonError {
    /// 404: the thing does not exist or the caller may not see it; `what` names it in
    /// English for the API's detail (`No such booking.`).
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A database error: a unique violation is a 409 `duplicate`, anything else a 500.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Anything else that should not happen: a 500, logged.
    #[error("{0}")]
    Internal(String),
}

impl CommonError {
    fn unique_violation(&self) -> bool {
        matches!(
            self,
            CommonError::Db(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
        )
    }
}

impl ErrorCode for CommonError {
    fn code(&self) -> &'static str {
        match self {
            CommonError::NotFound(_) => "not-found",
            CommonError::Invalid(i) => i.code(),
            CommonError::Db(_) if self.unique_violation() => "duplicate",
            CommonError::Db(_) | CommonError::Internal(_) => "internal",
        }
    }
    fn status(&self) -> u16 {
        match self {
            CommonError::NotFound(_) => 404,
            CommonError::Invalid(i) => i.status(),
            CommonError::Db(_) if self.unique_violation() => 409,
            CommonError::Db(_) | CommonError::Internal(_) => 500,
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            CommonError::NotFound(what) => vec![("what", Arg::from(*what))],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            CommonError::Invalid(i) => i.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            CommonError::Db(e) if !self.unique_violation() => Some(e.to_string()),
            CommonError::Internal(m) => Some(m.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::assert_codes;

    #[test]
    fn common_errors_have_codes_statuses_and_texts() {
        assert_codes(&[
            (CommonError::NotFound("booking"), 404),
            (CommonError::Internal("boom".into()), 500),
            (CommonError::Db(sea_orm::DbErr::Custom("x".into())), 500),
            (
                CommonError::Invalid(Invalid::field("name", crate::msg!("v-not-empty"))),
                422,
            ),
        ]);
    }
}
