//! The Partner Booking API contract: what a business's own booking system implements so
//! that residents can book it on the City Portal, and what both sides need to speak it.
//!
//! * [`spec_json`]: the published OpenAPI 3.1 document
//!   (`openapi/partner-booking-api.json`), the contract itself;
//! * [`model`]: the request, response and webhook bodies;
//! * [`problem`]: RFC 9457 problem details, as every error is answered;
//! * [`webhook`]: Standard Webhooks signing (the partner's side) and verification (the
//!   portal's side);
//! * [`check()`]: the conformance checker, run against a partner's implementation.
//!
//! The portal (`api`) uses this crate as a client; `partner-sandbox` implements the
//! contract and generates the document from its implementation.
//!
//! ```no_run
//! # async fn demo() {
//! let report = partner_contract::check(
//!     "https://booking.example.com",
//!     "https://booking.example.com/oauth/token",
//!     "city-portal",
//!     "client-secret",
//! )
//! .await;
//! print!("{}", report.render());
//! # }
//! ```

pub mod check;
pub mod model;
pub mod problem;
pub mod webhook;

pub use check::{check, check_with, CheckOptions, CheckReport, Finding, Outcome};

/// The contract's version.
pub const VERSION: &str = "2.0.0";

/// The one OAuth2 scope of the Partner Booking API.
pub const SCOPE: &str = "bookings";

/// The error statuses each operation can answer with. One error type serves every
/// handler of the sandbox, so the document it generates lists all of them everywhere;
/// the published document keeps only these.
pub const OPERATION_ERRORS: &[(&str, &[u16])] = &[
    ("get_token", &[400, 401, 503]),
    ("get_health", &[401, 500, 503]),
    ("list_offers", &[401, 500, 503]),
    ("lookup_availability", &[400, 401, 422, 500, 503]),
    ("create_hold", &[400, 401, 409, 422, 500, 503]),
    ("get_booking", &[401, 404, 500, 503]),
    ("confirm_booking", &[400, 401, 404, 409, 422, 500, 503]),
    ("cancel_booking", &[400, 401, 404, 409, 422, 500, 503]),
    ("reschedule_booking", &[400, 401, 404, 409, 422, 500, 503]),
];

/// The published OpenAPI document (3.1, because of its `webhooks`), as committed in
/// `openapi/partner-booking-api.json`.
pub fn spec_json() -> &'static str {
    include_str!("../../openapi/partner-booking-api.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn spec() -> Value {
        serde_json::from_str(spec_json()).expect("the committed document is JSON")
    }

    #[test]
    fn the_document_is_openapi_3_1_of_this_version() {
        let spec = spec();
        assert_eq!(spec["openapi"], "3.1.0");
        assert_eq!(spec["info"]["version"], VERSION);
    }

    #[test]
    fn the_scope_is_the_documented_one() {
        let scopes = &spec()["components"]["securitySchemes"]["PartnerOAuth"]["flows"]
            ["clientCredentials"]["scopes"];
        assert!(scopes[SCOPE].is_string(), "{scopes}");
        assert_eq!(scopes.as_object().map(|s| s.len()), Some(1));
    }

    #[test]
    fn operation_errors_are_what_the_document_lists() {
        let spec = spec();
        let mut seen = 0;
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                let (_, allowed) = OPERATION_ERRORS
                    .iter()
                    .find(|(op_id, _)| *op_id == id)
                    .unwrap_or_else(|| panic!("{id} is not in OPERATION_ERRORS"));
                let mut errors: Vec<u16> = op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter(|code| !code.starts_with('2'))
                    .map(|code| code.parse().unwrap())
                    .collect();
                errors.sort_unstable();
                assert_eq!(errors, *allowed, "{id}");
                seen += 1;
            }
        }
        assert_eq!(seen, OPERATION_ERRORS.len());
    }
}
