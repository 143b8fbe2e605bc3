//! What can go wrong with listings, as codes.

use crate::core::error::{CommonError, ErrorCode, FieldMessage, Invalid};
use crate::core::message::{Arg, Message};

/// A listing's failure.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// 400: an `If-Match` header that holds no quoted ETags.
    #[error("malformed If-Match")]
    BadIfMatch,
    /// 428: a write without `If-Match`.
    #[error("If-Match is required")]
    IfMatchRequired,
    /// 412: `If-Match` names another version than the current one.
    #[error("stale version, current {current_etag}")]
    StaleVersion { current_etag: String },
    /// 403: a business listing for an organization the caller is not a member of.
    #[error("not a member of the organization")]
    NotMember,
    /// 403: only city staff create municipal services.
    #[error("only city staff create municipal services")]
    StaffCreateServices,
    /// 403: only city staff suspend listings.
    #[error("only city staff suspend listings")]
    StaffSuspend,
    /// 403: only city staff restore listings.
    #[error("only city staff restore listings")]
    StaffRestore,
    /// 403: only city staff review the names of listings.
    #[error("only city staff review listings")]
    StaffReview,
    /// 409: only a listing waiting for review is approved or refused.
    #[error("the listing is not waiting for review")]
    NotPendingReview,
    /// 403: the caller may not change this listing.
    #[error("may not change the listing")]
    MayNotChange,
    /// 403: the caller may not delete this listing.
    #[error("may not delete the listing")]
    MayNotDelete,
    /// 409: a suspended listing is only restored by city staff.
    #[error("the listing is suspended")]
    Suspended,
    /// 409: only a suspended listing can be restored.
    #[error("the listing is not suspended")]
    NotSuspended,
    /// 409: residents' applications or reports were filed to the listing; deleting it
    /// would take their cases with it (it is unpublished instead).
    #[error("the listing has residents' cases")]
    HasCases,
    /// 409: a module serves the listing; the module's manifest is changed (or the module
    /// removed) first.
    #[error("a module serves the listing")]
    ServedByModule,
    /// Not found, invalid fields, a database error.
    #[error(transparent)]
    Common(#[from] CommonError),
}

impl ListingError {
    /// 404 for the listing (or organization) named `what`.
    pub fn not_found(what: &'static str) -> ListingError {
        CommonError::NotFound(what).into()
    }

    /// 412 with the current version's ETag.
    pub fn stale(current_etag: String) -> ListingError {
        ListingError::StaleVersion { current_etag }
    }
}

impl From<sea_orm::DbErr> for ListingError {
    fn from(e: sea_orm::DbErr) -> ListingError {
        CommonError::Db(e).into()
    }
}

impl From<Invalid> for ListingError {
    fn from(e: Invalid) -> ListingError {
        CommonError::Invalid(e).into()
    }
}

impl ErrorCode for ListingError {
    fn code(&self) -> &'static str {
        match self {
            ListingError::BadIfMatch => "bad-request",
            ListingError::IfMatchRequired => "if-match-required",
            ListingError::StaleVersion { .. } => "stale-version",
            ListingError::NotMember
            | ListingError::StaffCreateServices
            | ListingError::StaffSuspend
            | ListingError::StaffRestore
            | ListingError::StaffReview
            | ListingError::MayNotChange
            | ListingError::MayNotDelete => "forbidden",
            ListingError::NotPendingReview => "not-pending-review",
            ListingError::Suspended => "suspended",
            ListingError::NotSuspended => "not-suspended",
            ListingError::HasCases => "listing-has-cases",
            ListingError::ServedByModule => "listing-served-by-module",
            ListingError::Common(e) => e.code(),
        }
    }
    fn status(&self) -> u16 {
        match self {
            ListingError::BadIfMatch => 400,
            ListingError::IfMatchRequired => 428,
            ListingError::StaleVersion { .. } => 412,
            ListingError::NotMember
            | ListingError::StaffCreateServices
            | ListingError::StaffSuspend
            | ListingError::StaffRestore
            | ListingError::StaffReview
            | ListingError::MayNotChange
            | ListingError::MayNotDelete => 403,
            ListingError::Suspended
            | ListingError::NotSuspended
            | ListingError::NotPendingReview
            | ListingError::HasCases
            | ListingError::ServedByModule => 409,
            ListingError::Common(e) => e.status(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ListingError::StaleVersion { current_etag } => {
                vec![("etag", Arg::from(current_etag))]
            }
            ListingError::Common(e) => e.args(),
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            ListingError::Common(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            ListingError::Common(e) => e.internal(),
            _ => None,
        }
    }
    fn message(&self) -> Message {
        let key = match self {
            ListingError::BadIfMatch => "problem-bad-request-if-match",
            ListingError::IfMatchRequired => "problem-if-match-required",
            ListingError::StaleVersion { .. } => "problem-stale-version",
            ListingError::NotMember => "problem-forbidden-not-member",
            ListingError::StaffCreateServices => "problem-forbidden-staff-create-services",
            ListingError::StaffSuspend => "problem-forbidden-staff-suspend",
            ListingError::StaffRestore => "problem-forbidden-staff-restore",
            ListingError::StaffReview => "problem-forbidden-staff-review",
            ListingError::NotPendingReview => "problem-not-pending-review",
            ListingError::MayNotChange => "problem-forbidden-may-not-change",
            ListingError::MayNotDelete => "problem-forbidden-may-not-delete",
            ListingError::Suspended => "problem-suspended",
            ListingError::NotSuspended => "problem-not-suspended",
            ListingError::HasCases => "problem-listing-has-cases",
            ListingError::ServedByModule => "problem-listing-served-by-module",
            ListingError::Common(e) => return e.message(),
        };
        let mut m = Message::new(key);
        for (name, value) in self.args() {
            m = m.arg(name, value);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::{assert_codes, Problem};
    use crate::msg;

    #[test]
    fn every_listing_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (ListingError::BadIfMatch, 400),
            (ListingError::IfMatchRequired, 428),
            (ListingError::stale("\"3\"".into()), 412),
            (ListingError::NotMember, 403),
            (ListingError::StaffCreateServices, 403),
            (ListingError::StaffSuspend, 403),
            (ListingError::StaffRestore, 403),
            (ListingError::StaffReview, 403),
            (ListingError::NotPendingReview, 409),
            (ListingError::MayNotChange, 403),
            (ListingError::MayNotDelete, 403),
            (ListingError::Suspended, 409),
            (ListingError::NotSuspended, 409),
            (ListingError::HasCases, 409),
            (ListingError::ServedByModule, 409),
            (ListingError::not_found("listing"), 404),
            (
                Invalid::field("categories[0]", msg!("v-unknown-category", c = "x")).into(),
                422,
            ),
            (Invalid::field("limit", msg!("v-limit")).into(), 422),
            (Invalid::field("cursor", msg!("v-cursor")).into(), 422),
            (
                Invalid::field("reason", msg!("v-suspend-reason")).into(),
                422,
            ),
            (
                Invalid::field("categories[0]", msg!("v-category-city-only")).into(),
                422,
            ),
            (
                Invalid::field("reason", msg!("v-review-reason")).into(),
                422,
            ),
            (ListingError::from(sea_orm::DbErr::Custom("x".into())), 500),
        ]);
    }

    #[test]
    fn the_api_words_them_as_before() {
        let p = Problem::from(ListingError::stale("\"3\"".into()));
        assert_eq!(p.title, "The resource has changed");
        assert_eq!(
            p.detail.as_deref(),
            Some("If-Match does not match the current version \"3\"; fetch it again and retry.")
        );
        let p = Problem::from(ListingError::IfMatchRequired);
        assert_eq!(p.title, "If-Match is required");
        let p = Problem::from(ListingError::BadIfMatch);
        assert_eq!(
            p.detail.as_deref(),
            Some("If-Match must hold ETags such as \"3\".")
        );
        let p = Problem::from(ListingError::from(Invalid::field(
            "categories[0]",
            msg!("v-unknown-category", c = "food.x"),
        )));
        assert_eq!(p.errors[0].message, "unknown category 'food.x'");
    }
}
