//! What can go wrong with accounts, as codes.

use crate::core::error::{CommonError, ErrorCode, FieldMessage, Invalid};
use crate::core::message::{Arg, Message};

/// An account's failure.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// 401: the account behind the session or token is gone.
    #[error("not authenticated")]
    Unauthorized,
    /// 403: API tokens are for members of an organization and city staff.
    #[error("tokens are for members and staff")]
    TokensForMembers,
    /// 409: the account is the last owner of an organization.
    #[error("the last owner of an organization")]
    LastOwner,
    /// Giving up the account's bookings before erasing it failed (e.g. a partner's
    /// booking system was busy with the same booking): the booking's own error.
    #[error(transparent)]
    Bookings(#[from] crate::booking::BookingError),
    /// Not found, invalid fields, a database error, anything else.
    #[error(transparent)]
    Common(#[from] CommonError),
}

impl From<sea_orm::DbErr> for AccountError {
    fn from(e: sea_orm::DbErr) -> AccountError {
        CommonError::Db(e).into()
    }
}

impl From<Invalid> for AccountError {
    fn from(e: Invalid) -> AccountError {
        CommonError::Invalid(e).into()
    }
}

impl ErrorCode for AccountError {
    fn code(&self) -> &'static str {
        match self {
            AccountError::Unauthorized => "unauthorized",
            AccountError::TokensForMembers => "forbidden",
            AccountError::LastOwner => "last-owner",
            AccountError::Bookings(e) => e.code(),
            AccountError::Common(e) => e.code(),
        }
    }
    fn status(&self) -> u16 {
        match self {
            AccountError::Unauthorized => 401,
            AccountError::LastOwner => 409,
            AccountError::TokensForMembers => 403,
            AccountError::Bookings(e) => e.status(),
            AccountError::Common(e) => e.status(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            AccountError::Bookings(e) => e.args(),
            AccountError::Common(e) => e.args(),
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            AccountError::Bookings(e) => e.fields(),
            AccountError::Common(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            AccountError::Bookings(e) => e.internal(),
            AccountError::Common(e) => e.internal(),
            _ => None,
        }
    }
    fn message(&self) -> Message {
        Message::new(match self {
            AccountError::Unauthorized => "problem-unauthorized-account",
            AccountError::TokensForMembers => "problem-forbidden-tokens",
            AccountError::LastOwner => "problem-last-owner-account",
            AccountError::Bookings(e) => return e.message(),
            AccountError::Common(e) => return e.message(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::{assert_codes, Problem};
    use crate::msg;

    #[test]
    fn every_account_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (AccountError::Unauthorized, 401),
            (
                Invalid::field("token", msg!("error-link-invalid")).into(),
                422,
            ),
            (
                Invalid::field("email", msg!("error-email-same")).into(),
                422,
            ),
            (AccountError::TokensForMembers, 403),
            (AccountError::LastOwner, 409),
            (crate::booking::BookingError::Changed.into(), 409),
            (CommonError::NotFound("token").into(), 404),
            (CommonError::Internal("join".into()).into(), 500),
            (
                Invalid::field("email", msg!("error-email-invalid")).into(),
                422,
            ),
            (
                Invalid::field("password", msg!("error-password-length")).into(),
                422,
            ),
            (
                Invalid::field("password", msg!("v-password-max")).into(),
                422,
            ),
            (
                Invalid::field("display_name", msg!("error-display-name")).into(),
                422,
            ),
            (
                Invalid::field("password", msg!("error-password-wrong")).into(),
                422,
            ),
            (Invalid::field("name", msg!("v-token-name")).into(), 422),
            (
                Invalid::field("expires_in_days", msg!("v-token-days")).into(),
                422,
            ),
            (AccountError::from(sea_orm::DbErr::Custom("x".into())), 500),
        ]);
    }

    #[test]
    fn the_api_words_them_as_before() {
        let p = Problem::from(AccountError::Unauthorized);
        assert_eq!(p.title, "Authentication is required");
        assert_eq!(
            p.detail.as_deref(),
            Some("Log in, or send a valid API token as `Authorization: Bearer <token>`.")
        );
        let p = Problem::from(AccountError::LastOwner);
        assert_eq!(
            p.detail.as_deref(),
            Some("You are the last owner of an organization: make another member its owner first.")
        );
    }
}
