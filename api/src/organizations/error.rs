//! What can go wrong with organizations and their members, as codes.

use crate::core::error::{CommonError, ErrorCode, FieldMessage, Invalid};
use crate::core::message::{Arg, Message};

/// An organization's failure.
#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    /// 403: only owners add members.
    #[error("only owners add members")]
    OwnersAddMembers,
    /// 403: only owners remove other members.
    #[error("only owners remove other members")]
    OwnersRemoveMembers,
    /// 403: departments and module operators are created by city admins.
    #[error("only city admins create departments and module operators")]
    AdminsCreateDepartments,
    /// 409: the account is a member already.
    #[error("already a member")]
    AlreadyMember,
    /// 409: removing the member would leave no owner.
    #[error("the last owner")]
    LastOwner,
    /// Not found, invalid fields, a database error.
    #[error(transparent)]
    Common(#[from] CommonError),
}

impl OrganizationError {
    /// 404 for the organization or member named `what`.
    pub fn not_found(what: &'static str) -> OrganizationError {
        CommonError::NotFound(what).into()
    }
}

impl From<sea_orm::DbErr> for OrganizationError {
    fn from(e: sea_orm::DbErr) -> OrganizationError {
        CommonError::Db(e).into()
    }
}

impl From<Invalid> for OrganizationError {
    fn from(e: Invalid) -> OrganizationError {
        CommonError::Invalid(e).into()
    }
}

impl ErrorCode for OrganizationError {
    fn code(&self) -> &'static str {
        match self {
            OrganizationError::OwnersAddMembers
            | OrganizationError::OwnersRemoveMembers
            | OrganizationError::AdminsCreateDepartments => "forbidden",
            OrganizationError::AlreadyMember => "already-member",
            OrganizationError::LastOwner => "last-owner",
            OrganizationError::Common(e) => e.code(),
        }
    }
    fn status(&self) -> u16 {
        match self {
            OrganizationError::OwnersAddMembers
            | OrganizationError::OwnersRemoveMembers
            | OrganizationError::AdminsCreateDepartments => 403,
            OrganizationError::AlreadyMember | OrganizationError::LastOwner => 409,
            OrganizationError::Common(e) => e.status(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            OrganizationError::Common(e) => e.args(),
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            OrganizationError::Common(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            OrganizationError::Common(e) => e.internal(),
            _ => None,
        }
    }
    fn message(&self) -> Message {
        match self {
            OrganizationError::OwnersAddMembers => {
                Message::new("problem-forbidden-owners-add-members")
            }
            OrganizationError::OwnersRemoveMembers => {
                Message::new("problem-forbidden-owners-remove-members")
            }
            OrganizationError::AdminsCreateDepartments => {
                Message::new("problem-forbidden-admins-create-departments")
            }
            OrganizationError::AlreadyMember => Message::new("problem-already-member"),
            OrganizationError::LastOwner => Message::new("problem-last-owner"),
            OrganizationError::Common(e) => e.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::problem::assert_codes;

    #[test]
    fn every_organization_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (OrganizationError::OwnersAddMembers, 403),
            (OrganizationError::OwnersRemoveMembers, 403),
            (OrganizationError::AdminsCreateDepartments, 403),
            (OrganizationError::AlreadyMember, 409),
            (OrganizationError::LastOwner, 409),
            (OrganizationError::not_found("organization"), 404),
            (
                Invalid::field("name", crate::msg!("v-organization-name")).into(),
                422,
            ),
            (
                Invalid::field("email", crate::msg!("v-member-unknown")).into(),
                422,
            ),
            (
                OrganizationError::from(sea_orm::DbErr::Custom("x".into())),
                500,
            ),
        ]);
    }
}
