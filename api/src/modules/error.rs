//! What registering, reviewing and running modules can fail with.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};
use crate::core::message::Arg;
use crate::oauth::error::OAuthError;

/// An error of the module register.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    /// 422: fields of the manifest are invalid (named by their path).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// 413: the manifest is larger than allowed.
    #[error("manifest too large")]
    TooLarge,
    /// 404: no such module here.
    #[error("no such module")]
    NotFound,
    /// 409: a module with this id is registered already (the id of a removed one stays
    /// taken, with its history).
    #[error("module id taken")]
    Exists,
    /// 409: the module is not in a state that allows this (`status` is its state).
    #[error("module is {0}")]
    State(&'static str),
    /// 409: the version decided on is not the one waiting for review (a newer manifest
    /// came in meanwhile).
    #[error("stale version")]
    StaleVersion,
    /// 409: another module took one of the services with the same capability meanwhile.
    #[error("service taken")]
    ServiceTaken,
    /// 503: the module's Partner Booking API could not be asked for its offers (an
    /// approval of a manifest with appointment services waits for it).
    #[error("module booking API unreachable")]
    BookingUnreachable,
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The database failed (500, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl From<super::manifest::ManifestError> for ModuleError {
    fn from(e: super::manifest::ManifestError) -> ModuleError {
        match e {
            super::manifest::ManifestError::TooLarge => ModuleError::TooLarge,
            super::manifest::ManifestError::Invalid(i) => ModuleError::Invalid(i),
        }
    }
}

impl ErrorCode for ModuleError {
    fn code(&self) -> &'static str {
        match self {
            ModuleError::Invalid(i) => i.code(),
            ModuleError::TooLarge => "module-manifest-too-large",
            ModuleError::NotFound => "not-found",
            ModuleError::Exists => "module-exists",
            ModuleError::State(_) => "module-state",
            ModuleError::StaleVersion => "module-version-stale",
            ModuleError::ServiceTaken => "module-service-taken",
            ModuleError::BookingUnreachable => "module-booking-unreachable",
            ModuleError::OAuth(e) => e.code(),
            ModuleError::Db(e) => crate::core::error::db_code(e),
        }
    }
    fn status(&self) -> u16 {
        match self {
            ModuleError::Invalid(i) => i.status(),
            ModuleError::TooLarge => 413,
            ModuleError::NotFound => 404,
            ModuleError::Exists
            | ModuleError::State(_)
            | ModuleError::StaleVersion
            | ModuleError::ServiceTaken => 409,
            ModuleError::BookingUnreachable => 503,
            ModuleError::OAuth(e) => e.status(),
            ModuleError::Db(e) => crate::core::error::db_status(e),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ModuleError::NotFound => vec![("what", "module".into())],
            ModuleError::State(s) => vec![("status", (*s).into())],
            ModuleError::TooLarge => vec![("max", (super::manifest::MAX_BYTES as i64).into())],
            ModuleError::OAuth(e) => e.args(),
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            ModuleError::Invalid(i) => i.fields(),
            ModuleError::OAuth(e) => e.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            ModuleError::Db(e) => Some(e.to_string()),
            ModuleError::OAuth(e) => e.internal(),
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
    fn every_module_error_has_a_code_a_status_and_texts() {
        assert_codes(&[
            (ModuleError::TooLarge, 413),
            (ModuleError::NotFound, 404),
            (ModuleError::Exists, 409),
            (ModuleError::State("paused"), 409),
            (ModuleError::StaleVersion, 409),
            (ModuleError::ServiceTaken, 409),
            (ModuleError::BookingUnreachable, 503),
            (ModuleError::Db(sea_orm::DbErr::Custom("x".into())), 500),
        ]);
        let every_field_message = [
            msg!("v-module-required"),
            msg!("v-module-unknown-field"),
            msg!("v-module-type"),
            msg!("v-module-one-of", allowed = "a, b"),
            msg!("v-module-constant", expected = "1"),
            msg!("v-module-length", min = 1, max = 100),
            msg!("v-module-min-items", min = 1),
            msg!("v-module-max-items", max = 50),
            msg!("v-module-unique"),
            msg!("v-module-leika-key"),
            msg!("v-module-url"),
            msg!("v-module-slug"),
            msg!("v-module-jwk-base64url"),
            msg!("v-module-jwk-rsa"),
            msg!("v-module-jwk-size"),
            msg!("v-module-format", format = "email"),
            msg!("v-module-invalid"),
            msg!("v-module-control-characters"),
            msg!("v-module-service-twice"),
            msg!("v-module-form-not-application"),
            msg!("v-module-event-capability", event = "report.*"),
            msg!("v-module-operator"),
            msg!("v-module-listing"),
            msg!("v-module-listing-kind"),
            msg!("v-module-acr", levels = "basic"),
            msg!("v-module-service-taken", module = "x"),
            msg!("v-module-reason"),
            msg!("v-module-id-changed"),
            msg!("v-module-offers-not-appointment"),
            msg!("v-module-offer-id"),
            msg!("v-module-booking-required"),
            msg!("v-module-booking-client-id"),
            msg!("v-module-booking-client-secret"),
            msg!("v-module-booking-refused"),
            msg!("v-module-offer-unknown", offer = "x"),
            msg!("v-module-offer-data", offer = "x", data = "phone"),
        ];
        assert_codes(
            &every_field_message
                .into_iter()
                .map(|m| (ModuleError::Invalid(Invalid::field("x", m)), 422))
                .collect::<Vec<_>>(),
        );
    }
}
