//! The errors of partner connections, as codes (see [`crate::core::error`]). The HTTP
//! client's [`crate::partners::PartnerError`] stays the transport error; booking turns
//! it into its own problems.

use crate::core::error::{CommonError, ErrorCode, FieldMessage, Invalid};
use crate::core::message::{Arg, Message};

#[derive(Debug, thiserror::Error)]
pub enum PartnerConnectionError {
    #[error(transparent)]
    Common(#[from] CommonError),
    #[error(transparent)]
    Organization(#[from] crate::organizations::error::OrganizationError),
    /// 403: only owners add connections.
    #[error("only owners add partner connections")]
    OwnersAdd,
    /// 403: only owners manage connections.
    #[error("only owners manage partner connections")]
    OwnersManage,
    /// 409: offers still book through the connection.
    #[error("{offers} offers book through this connection")]
    InUse { offers: u64 },
    /// 409: the connection is a module's: the city's module register manages it.
    #[error("the connection belongs to a module")]
    ModuleManaged,
    /// 503: the connection's secrets cannot be opened.
    #[error("the partner's secrets cannot be opened")]
    Unreachable,
    /// 503: the partner's offer list did not come.
    #[error("the partner's offers did not come")]
    OffersUnusable,
}

impl PartnerConnectionError {
    /// 404 for a thing named in English (`organization`, `partner connection`).
    pub fn not_found(what: &'static str) -> PartnerConnectionError {
        CommonError::NotFound(what).into()
    }

    /// Whether it is a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            PartnerConnectionError::Common(CommonError::NotFound(_))
        )
    }
}

impl From<sea_orm::DbErr> for PartnerConnectionError {
    fn from(e: sea_orm::DbErr) -> Self {
        CommonError::Db(e).into()
    }
}

impl From<Invalid> for PartnerConnectionError {
    fn from(e: Invalid) -> Self {
        CommonError::Invalid(e).into()
    }
}

impl ErrorCode for PartnerConnectionError {
    fn code(&self) -> &'static str {
        match self {
            Self::Common(e) => e.code(),
            Self::Organization(e) => e.code(),
            Self::OwnersAdd | Self::OwnersManage => "forbidden",
            Self::InUse { .. } => "in-use",
            Self::ModuleManaged => "partner-connection-of-module",
            Self::Unreachable | Self::OffersUnusable => "unavailable",
        }
    }
    fn status(&self) -> u16 {
        match self {
            Self::Common(e) => e.status(),
            Self::Organization(e) => e.status(),
            Self::OwnersAdd | Self::OwnersManage => 403,
            Self::InUse { .. } | Self::ModuleManaged => 409,
            Self::Unreachable | Self::OffersUnusable => 503,
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Self::Common(e) => e.args(),
            Self::Organization(e) => e.args(),
            Self::InUse { offers } => vec![("n", Arg::from(*offers))],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            Self::Common(e) => e.fields(),
            Self::Organization(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            Self::Common(e) => e.internal(),
            Self::Organization(e) => e.internal(),
            _ => None,
        }
    }
    fn message(&self) -> Message {
        let key = match self {
            Self::Common(e) => return e.message(),
            Self::Organization(e) => return e.message(),
            Self::OwnersAdd => "problem-forbidden-partner-owners-add",
            Self::OwnersManage => "problem-forbidden-partner-owners-manage",
            Self::InUse { .. } => "problem-in-use",
            Self::ModuleManaged => "problem-partner-connection-of-module",
            Self::Unreachable => "problem-unavailable-partner-connection",
            Self::OffersUnusable => "problem-unavailable-partner-offers",
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
    use crate::core::problem::assert_codes;
    use crate::msg;

    #[test]
    fn every_error_has_a_code_a_status_and_texts() {
        let fields = |key: &str| -> PartnerConnectionError {
            Invalid::field("base_url", msg!(key.to_string())).into()
        };
        let mut cases = vec![
            (PartnerConnectionError::not_found("partner connection"), 404),
            (PartnerConnectionError::OwnersAdd, 403),
            (PartnerConnectionError::OwnersManage, 403),
            (PartnerConnectionError::InUse { offers: 2 }, 409),
            (PartnerConnectionError::ModuleManaged, 409),
            (PartnerConnectionError::Unreachable, 503),
            (PartnerConnectionError::OffersUnusable, 503),
            (sea_orm::DbErr::Custom("x".into()).into(), 500),
        ];
        for key in [
            "v-partners-required",
            "v-partners-max-500",
            "v-partners-absolute-url",
            "v-partners-use-https",
            "v-partners-https-url",
            "v-partners-no-credentials",
            "v-partners-no-query",
            "v-partners-public",
            "v-partners-resolve",
            "v-partners-secret-length",
            "v-partners-whsec",
        ] {
            cases.push((fields(key), 422));
        }
        assert_codes(&cases);
    }

    #[test]
    fn the_api_words_stay_as_they_were() {
        let p =
            crate::core::problem::Problem::from_code(&PartnerConnectionError::InUse { offers: 3 });
        assert_eq!(p.detail.as_deref(), Some("3 offer(s) book through this connection; archive or change them first, or disable the connection."));
        assert_eq!(p.title, "Conflict with the current state");
    }
}
