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

/// Whether a database error means the database cannot be reached for a moment — a
/// lost or refused connection, a restart or shutdown (`57P01`-`57P03`), a connection
/// failure (`08xxx`), too many connections, a pool that gave up waiting — rather than
/// a fault of the request or the code. Such errors answer 503 with `Retry-After`, never
/// 500; the pool makes new connections by itself once the database is back.
pub fn db_unavailable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx, DbErr, RuntimeErr};
    let err = match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => s,
        _ => return false,
    };
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// The status of a database error: 503 when the database cannot be reached for now
/// ([`db_unavailable`]), else 500.
pub fn db_status(e: &sea_orm::DbErr) -> u16 {
    if db_unavailable(e) {
        503
    } else {
        500
    }
}

/// The code of a database error: `unavailable` for now ([`db_unavailable`]), else
/// `internal`.
pub fn db_code(e: &sea_orm::DbErr) -> &'static str {
    if db_unavailable(e) {
        "unavailable"
    } else {
        "internal"
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
            CommonError::Db(e) => db_code(e),
            CommonError::Internal(_) => "internal",
        }
    }
    fn status(&self) -> u16 {
        match self {
            CommonError::NotFound(_) => 404,
            CommonError::Invalid(i) => i.status(),
            CommonError::Db(_) if self.unique_violation() => 409,
            CommonError::Db(e) => db_status(e),
            CommonError::Internal(_) => 500,
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
                CommonError::Db(sea_orm::DbErr::ConnectionAcquire(
                    sea_orm::ConnAcquireErr::Timeout,
                )),
                503,
            ),
            (
                CommonError::Invalid(Invalid::field("name", crate::msg!("v-not-empty"))),
                422,
            ),
        ]);
    }

    #[test]
    fn a_database_away_is_unavailable_and_a_fault_is_not() {
        use sea_orm::{sqlx, DbErr, RuntimeErr};
        let io = |kind| {
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::Io(
                std::io::Error::from(kind),
            )))
        };
        for away in [
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed),
            DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut)),
            DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::PoolClosed)),
            io(std::io::ErrorKind::ConnectionReset),
            io(std::io::ErrorKind::UnexpectedEof),
        ] {
            assert!(db_unavailable(&away), "{away}");
            let p = crate::core::problem::Problem::from(away);
            assert_eq!((p.status, p.type_.as_str()), (503, "/problems/unavailable"));
        }
        for fault in [
            DbErr::Custom("x".into()),
            DbErr::RecordNotFound("x".into()),
            DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::RowNotFound)),
            DbErr::Query(RuntimeErr::Internal("x".into())),
        ] {
            assert!(!db_unavailable(&fault), "{fault}");
        }
    }
}
