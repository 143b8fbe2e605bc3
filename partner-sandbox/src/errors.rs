//! The sandbox's error answers: the contract's RFC 9457 problems
//! ([`partner_contract::problem`]) as poem responses, every documented error response
//! ([`ApiError`]), and the handler for errors that escape the handlers.

use poem::http::StatusCode;
use poem::Response;
use poem_openapi::payload::Json;
use poem_openapi::ApiResponse;

use crate::problem::{FieldError, Problem};

/// The sandbox's problems on top of the contract's [`Problem`]: its usual constructors and
/// the plain poem response.
pub(crate) trait SandboxProblem {
    /// `bad-request` (400): the request could not be read.
    fn bad_request(detail: impl Into<String>) -> Problem;
    /// `unauthorized` (401): no valid access token.
    fn unauthorized(detail: impl Into<String>) -> Problem;
    /// `not-found` (404): no such `what`.
    fn not_found(what: &str) -> Problem;
    /// A 409 with its own code.
    fn conflict(code: &str, title: &str, detail: impl Into<String>) -> Problem;
    /// `validation` (422) naming one field.
    fn invalid(field: &str, message: impl Into<String>) -> Problem;
    /// `unavailable` (503).
    fn unavailable(detail: impl Into<String>) -> Problem;
    /// The plain HTTP response, for errors raised outside handlers.
    fn to_response(&self) -> Response;
    /// As a poem error, for extractors and middleware.
    fn into_error(self) -> poem::Error;
}

impl SandboxProblem for Problem {
    fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request could not be read",
        )
        .detail(detail)
    }

    fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid access token is required",
        )
        .detail(detail)
    }

    fn not_found(what: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found")
            .detail(format!("No such {what}."))
    }

    fn conflict(code: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, code, title).detail(detail)
    }

    fn invalid(field: &str, message: impl Into<String>) -> Problem {
        Problem::validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    fn unavailable(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
        )
        .detail(detail)
    }

    fn to_response(&self) -> Response {
        let body = serde_json::to_vec(self).unwrap_or_default();
        let mut resp = Response::builder()
            .status(self.status_code())
            .content_type("application/problem+json")
            .body(body);
        if self.status == 401 {
            resp.headers_mut().insert(
                poem::http::header::WWW_AUTHENTICATE,
                poem::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        if self.status == 503 {
            resp.headers_mut().insert(
                poem::http::header::RETRY_AFTER,
                poem::http::HeaderValue::from_static("30"),
            );
        }
        resp
    }

    fn into_error(self) -> poem::Error {
        poem::Error::from(ProblemError(self))
    }
}

/// Every error response of the Partner Booking API; each operation documents the ones it
/// can answer with.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request could not be read: not JSON, a wrong type, a missing field, a value
    /// outside the documented range, or a missing `Idempotency-Key`
    /// (`bad-request`, `idempotency-key-missing`).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No access token, or an unknown or expired one (`unauthorized`). Fetch a new token
    /// from the token URL and retry once.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// No such booking, or it belongs to another client (`not-found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Conflicts with the current state: the slot has not enough seats left
    /// (`slot-full`), the booking's status does not allow this (`invalid-transition`),
    /// the hold has expired (`hold-expired`), the `client_token` already has a booking
    /// (`duplicate-client-token`), or a request with the same `Idempotency-Key` is still
    /// being processed (`idempotency-key-in-flight`).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// Well-formed, but refers to something that does not exist or does not fit
    /// (`validation`, with `errors` naming each field), or the `Idempotency-Key` was
    /// already used with a different request (`idempotency-key-reused`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// An unexpected error on the partner's side (`internal`). Safe to retry idempotent
    /// calls with the same `Idempotency-Key`.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The booking system is temporarily unavailable (`unavailable`); `Retry-After` may
    /// say when to try again.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        match p.status {
            400 => ApiError::BadRequest(Json(p)),
            401 => ApiError::Unauthorized(Json(p)),
            404 => ApiError::NotFound(Json(p)),
            409 => ApiError::Conflict(Json(p)),
            422 => ApiError::Unprocessable(Json(p)),
            503 => ApiError::Unavailable(Json(p)),
            _ => ApiError::Internal(Json(p)),
        }
    }
}

/// A [`Problem`] as a poem error, for extractors and middleware.
#[derive(Debug)]
pub(crate) struct ProblemError(pub Problem);

impl std::fmt::Display for ProblemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.title)
    }
}

impl std::error::Error for ProblemError {}

impl poem::error::ResponseError for ProblemError {
    fn status(&self) -> StatusCode {
        self.0.status_code()
    }
    fn as_response(&self) -> Response {
        self.0.to_response()
    }
}

/// Turns errors that escaped the handlers (a body that does not parse, a missing header,
/// an unknown route) into problem+json.
pub(crate) async fn catch_all(err: poem::Error) -> Response {
    if err.is_from_response() || err.is::<ProblemError>() {
        return err.into_response();
    }
    let status = err.status();
    let problem = if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        if param.name.eq_ignore_ascii_case("Idempotency-Key") {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency-key-missing",
                "Idempotency-Key is required",
            )
            .detail(format!(
                "Send a unique Idempotency-Key header (at most 255 characters) with every \
                 write: {}",
                param.reason
            ))
        } else {
            Problem::bad_request(err.to_string())
        }
    } else if err.is::<poem_openapi::error::ParseRequestPayloadError>()
        || err.is::<poem_openapi::error::ContentTypeError>()
    {
        Problem::bad_request(err.to_string())
    } else {
        match status {
            StatusCode::NOT_FOUND => Problem::not_found("resource"),
            StatusCode::METHOD_NOT_ALLOWED => {
                Problem::new(status, "method-not-allowed", "Method not allowed")
                    .detail(err.to_string())
            }
            StatusCode::UNAUTHORIZED => {
                Problem::unauthorized("Send `Authorization: Bearer <access token>`.")
            }
            s if s.is_client_error() => {
                Problem::new(s, "bad-request", "The request could not be handled")
                    .detail(err.to_string())
            }
            _ => {
                tracing::error!(error = %err, "unhandled error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side",
                )
            }
        }
    };
    problem.to_response()
}
