//! RFC 9457 problem details, as the Partner Booking API answers every error.

use http::StatusCode;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

/// A field that is wrong and why.
#[derive(Object, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON path of the field, e.g. `start` or `resident.name`.
    pub field: String,
    /// What is wrong with it, in English.
    pub message: String,
}

/// An RFC 9457 problem details object (`application/problem+json`).
///
/// `type` is a URI reference whose last path segment is a stable machine code
/// (`/problems/slot-full`); the portal acts on that code, never on `title` or `detail`.
#[derive(Object, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI reference whose last segment is the stable code, e.g. `/problems/slot-full`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code of the response.
    pub status: u16,
    /// An explanation of this occurrence, for people.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For `validation` problems: each offending field.
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem with the stable `code` (the last segment of `type`).
    pub fn new(status: StatusCode, code: &str, title: &str) -> Problem {
        Problem {
            type_: format!("/problems/{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
        }
    }

    /// A `validation` problem (422) naming each offending field.
    pub fn validation(errors: Vec<FieldError>) -> Problem {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Problem {
            errors,
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The request has invalid fields",
            )
        }
        .detail(detail)
    }

    /// Adds the explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    /// The stable code: the last path segment of `type`.
    pub fn code(&self) -> &str {
        self.type_.rsplit('/').next().unwrap_or("")
    }

    /// `status` as an HTTP status code (500 when it is not one).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_rfc_9457_and_names_its_code() {
        let p = Problem::new(StatusCode::CONFLICT, "slot-full", "The slot is full");
        assert_eq!(p.code(), "slot-full");
        assert_eq!(p.status_code(), StatusCode::CONFLICT);
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"type": "/problems/slot-full", "title": "The slot is full", "status": 409})
        );
        let p = p.detail("Only 2 seats left.");
        let back: Problem = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.detail.as_deref(), Some("Only 2 seats left."));
    }

    #[test]
    fn validation_problems_name_each_field() {
        let p = Problem::validation(vec![
            FieldError {
                field: "resident.email".into(),
                message: "is required".into(),
            },
            FieldError {
                field: "resident.phone".into(),
                message: "is not asked for".into(),
            },
        ]);
        assert_eq!(p.status, 422);
        assert_eq!(p.code(), "validation");
        assert_eq!(p.errors.len(), 2);
        assert_eq!(
            p.detail.as_deref(),
            Some("resident.email: is required; resident.phone: is not asked for")
        );
    }

    #[test]
    fn reads_problems_of_other_servers() {
        let p: Problem = serde_json::from_str(
            r#"{"type": "https://booking.example.com/errors/validation", "title": "Invalid", "status": 422,
                "errors": [{"field": "start", "message": "not a slot"}], "instance": "/x"}"#,
        )
        .unwrap();
        assert_eq!(p.code(), "validation");
        assert_eq!(p.errors[0].field, "start");
        assert_eq!(
            Problem { status: 99, ..p }.status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
