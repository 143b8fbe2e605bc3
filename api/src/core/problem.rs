//! RFC 9457 problem details: every error of the API and of the pages' JSON endpoints.
//!
//! Handlers return [`ApiError`], a documented response per status. Errors raised outside
//! handlers (a body that does not parse, an unknown route, a body over the limit, a failed
//! authentication) are turned into the same shape by [`catch_all`].

use poem::http::StatusCode;
use poem::Response;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::core::error::ErrorCode;
use crate::core::i18n::I18n;
use crate::core::locale::Locale;

/// A field that failed validation and why.
#[derive(Object, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// JSON path of the field, e.g. `name.de` or `opening_hours.weekly[2].closes`.
    pub field: String,
    /// What is wrong with it, in English.
    pub message: String,
}

/// An RFC 9457 problem details object. Its body also carries `request_id`, the
/// request's `X-Request-Id` (set by the site's middleware, `web::edge::request_id`, so
/// not a field here), which every log line of the request names: what to quote when
/// asking the operator about an error.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// A stable URI reference identifying the problem type, e.g. `/problems/validation`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// An explanation specific to this occurrence.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// For validation problems: every offending field.
    #[oai(skip_serializing_if_is_empty, default)]
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// For a 429: seconds until the limit that was hit lets requests through again; for
    /// a 503: when to try again. Sent as `Retry-After` (not part of the body).
    #[oai(skip)]
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// For a 403 of an OAuth token without the scope needed: the RFC 6750 challenge,
    /// sent as `WWW-Authenticate` (not part of the body).
    #[oai(skip)]
    #[serde(skip)]
    pub challenge: Option<Challenge>,
}

/// The `WWW-Authenticate` challenge of a 403 (small, so that every `Problem` stays small).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// RFC 6750 3.1 `insufficient_scope`, with the scope needed if one would do.
    InsufficientScope(Option<crate::core::scope::Scope>),
}

impl Challenge {
    /// The header's value.
    pub fn header(self) -> String {
        match self {
            Challenge::InsufficientScope(Some(s)) => format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\"",
                s.as_str()
            ),
            Challenge::InsufficientScope(None) => "Bearer error=\"insufficient_scope\"".to_string(),
        }
    }
}

impl Problem {
    /// A problem of the given type code (`validation`, `not-found`, ...).
    pub fn new(status: StatusCode, code: &str, title: &str) -> Problem {
        Problem {
            type_: format!("/problems/{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            retry_after: None,
            challenge: None,
        }
    }

    /// Adds the explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    /// The stable code at the end of `type`.
    pub fn code(&self) -> &str {
        self.type_.rsplit('/').next().unwrap_or("")
    }

    /// 422 with the offending fields.
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

    /// 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Problem {
        Problem::validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request could not be read",
        )
        .detail(detail)
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication is required",
        )
        .detail("Log in, or send a valid API token as `Authorization: Bearer <token>`.")
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You are not allowed to do this",
        )
        .detail(detail)
    }

    /// 403 for an OAuth access token that lacks `scope` (RFC 6750 3.1), or that is a
    /// module's own token where a resident is needed (no scope given then).
    pub fn insufficient_scope(scope: Option<crate::core::scope::Scope>) -> Problem {
        let detail = match scope {
            Some(s) => format!(
                "This needs an access token with the scope `{}`.",
                s.as_str()
            ),
            None => "This needs an access token an app holds for a resident.".to_string(),
        };
        Problem {
            challenge: Some(Challenge::InsufficientScope(scope)),
            ..Problem::new(
                StatusCode::FORBIDDEN,
                "insufficient-scope",
                "The access token does not allow this",
            )
            .detail(detail)
        }
    }

    pub fn not_found(what: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found")
            .detail(format!("No such {what}."))
    }

    pub fn conflict(code: &str, detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::CONFLICT,
            code,
            "Conflict with the current state",
        )
        .detail(detail)
    }

    pub fn precondition_failed(current_etag: &str) -> Problem {
        Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            "The resource has changed",
        )
        .detail(format!(
            "If-Match does not match the current version {current_etag}; fetch it again and retry."
        ))
    }

    pub fn precondition_required() -> Problem {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match is required",
        )
        .detail("Send the ETag you last read in an If-Match header.")
    }

    /// 429 of a limit that lets requests through again after `retry_after`.
    pub fn too_many_requests(
        retry_after: std::time::Duration,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            retry_after: Some(retry_after_secs(retry_after)),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
            )
            .detail(detail)
        }
    }

    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side",
        )
        .detail("The error was logged. Please try again later.")
    }

    /// 503: a dependency is away for a moment; `Retry-After: 1`.
    pub fn unavailable(detail: impl Into<String>) -> Problem {
        Problem {
            retry_after: Some(1),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Temporarily unavailable",
            )
            .detail(detail)
        }
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The plain HTTP response (outside poem-openapi handlers).
    pub fn to_response(&self) -> Response {
        let body = serde_json::to_vec(self).unwrap_or_default();
        let mut resp = Response::builder()
            .status(self.status_code())
            .content_type("application/problem+json")
            .body(body);
        if let (429 | 503, Some(secs)) = (self.status, self.retry_after) {
            resp.headers_mut().insert(
                poem::http::header::RETRY_AFTER,
                poem::http::HeaderValue::from(secs),
            );
        }
        if self.status == 401 {
            resp.headers_mut().insert(
                poem::http::header::WWW_AUTHENTICATE,
                poem::http::HeaderValue::from_static(CHALLENGE),
            );
        }
        if let Some(v) = self
            .challenge
            .and_then(|c| poem::http::HeaderValue::from_str(&c.header()).ok())
        {
            resp.headers_mut()
                .insert(poem::http::header::WWW_AUTHENTICATE, v);
        }
        resp
    }
}

/// The English title of a problem with this status (the API's `title`), unless the
/// code's message has a `.title` of its own.
pub fn status_title(status: u16) -> &'static str {
    match status {
        400 => "The request could not be read",
        401 => "Authentication is required",
        403 => "You are not allowed to do this",
        404 => "Not found",
        409 => "Conflict with the current state",
        412 => "The resource has changed",
        413 => "The request body is too large",
        422 => "The request has invalid fields",
        428 => "If-Match is required",
        429 => "Too many requests",
        503 => "Temporarily unavailable",
        _ => "Something went wrong on our side",
    }
}

impl Problem {
    /// The problem of a capability's error, worded in English from the Fluent files.
    /// A 500 shows nothing of the error; what it says is logged.
    pub fn from_code<E: ErrorCode + ?Sized>(e: &E) -> Problem {
        let status = e.status();
        if status >= 500 && status != 503 {
            tracing::error!(code = e.code(), error = ?e.internal(), "internal error");
            return Problem::internal();
        }
        if let Some(cause) = e.internal() {
            tracing::warn!(code = e.code(), error = %cause, "dependency unavailable");
        }
        let i18n = I18n::embedded();
        let fields: Vec<FieldError> = e
            .fields()
            .iter()
            .map(|f| FieldError {
                field: f.field.clone(),
                message: i18n.api_text(&f.message),
            })
            .collect();
        if !fields.is_empty() {
            return Problem::validation(fields);
        }
        let message = e.message();
        let title = i18n
            .api_title(&message.key)
            .unwrap_or_else(|| status_title(status).to_string());
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut p = Problem::new(code, e.code(), &title);
        if status == 503 {
            // Something is away for a moment: say when to try again.
            p.retry_after = Some(1);
        }
        if i18n.has(Locale::En, &message.key) {
            p.detail(i18n.api_text(&message))
        } else {
            p
        }
    }
}

impl<E: ErrorCode> From<E> for Problem {
    fn from(e: E) -> Problem {
        Problem::from_code(&e)
    }
}

impl<E: ErrorCode> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        Problem::from_code(&e).into()
    }
}

/// The `WWW-Authenticate` challenge of every 401: an API token as a bearer token (a
/// browser's session cookie works too, but is no HTTP authentication scheme).
pub const CHALLENGE: &str = "Bearer";

/// The `WWW-Authenticate` challenge of a 401 to a request whose bearer token was not
/// accepted (RFC 6750 3.1).
pub const INVALID_TOKEN_CHALLENGE: &str = "Bearer error=\"invalid_token\"";

/// The `Retry-After` of a wait: whole seconds, rounded up (a limit that opens in 0.2 s
/// says 1, never 0).
pub fn retry_after_secs(d: std::time::Duration) -> u64 {
    d.as_secs_f64().ceil().max(1.0) as u64
}

/// Every error response of the API. Each status is documented in the spec.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request could not be read (malformed JSON, a wrong type, a missing header).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Authentication is required or failed; `WWW-Authenticate` names the scheme, and
    /// says `error="invalid_token"` when the bearer token sent is expired, revoked or
    /// unknown (RFC 6750 3.1).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>, #[oai(header = "WWW-Authenticate")] String),
    /// Authenticated, but not allowed; for an OAuth access token without the scope
    /// needed, `WWW-Authenticate` says `error="insufficient_scope"` and the scope.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(
        Json<Problem>,
        #[oai(header = "WWW-Authenticate")] Option<String>,
    ),
    /// No such resource (or it is not visible to you).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Conflicts with the current state (e.g. a duplicate).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// `If-Match` does not match the current version.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// The request body is larger than allowed.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// Some fields are invalid; `errors` names each.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// `If-Match` is required for this write.
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// Too many attempts; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] String),
    /// An unexpected error; details are logged, never shown.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency is unavailable for a moment; retry after the given number of
    /// seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] String),
}

impl ApiError {
    /// A 429 of a limit that lets requests through again after `retry_after`.
    pub fn rate_limited(retry_after: std::time::Duration, detail: impl Into<String>) -> ApiError {
        Problem::too_many_requests(retry_after, detail).into()
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        match p.status {
            400 => ApiError::BadRequest(Json(p)),
            401 => ApiError::Unauthorized(Json(p), CHALLENGE.to_string()),
            403 => {
                let challenge = p.challenge.map(Challenge::header);
                ApiError::Forbidden(Json(p), challenge)
            }
            404 => ApiError::NotFound(Json(p)),
            409 => ApiError::Conflict(Json(p)),
            412 => ApiError::PreconditionFailed(Json(p)),
            413 => ApiError::PayloadTooLarge(Json(p)),
            422 => ApiError::Unprocessable(Json(p)),
            428 => ApiError::PreconditionRequired(Json(p)),
            429 => {
                // Every 429 of this API comes from `too_many_requests` with its limit's
                // time; one made otherwise can only say "soon".
                let secs = p.retry_after.unwrap_or(1);
                ApiError::TooManyRequests(Json(p), secs.to_string())
            }
            503 => {
                let secs = p.retry_after.unwrap_or(1);
                ApiError::Unavailable(Json(p), secs.to_string())
            }
            _ => ApiError::Internal(Json(Problem::internal())),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> ApiError {
        Problem::from(e).into()
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(e: sea_orm::DbErr) -> Problem {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Problem::conflict(
                "duplicate",
                "A resource with the same unique value already exists.",
            ),
            _ if crate::core::error::db_unavailable(&e) => {
                tracing::warn!(error = %e, "database unavailable");
                Problem::from_code(&crate::core::error::CommonError::Db(e))
            }
            _ => {
                tracing::error!(error = %e, "database error");
                Problem::internal()
            }
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        tracing::error!(error = %format!("{e:#}"), "internal error");
        Problem::internal().into()
    }
}

/// A [`Problem`] as a poem error, for extractors and middleware.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.title)]
pub struct ProblemError(pub Problem);

impl poem::error::ResponseError for ProblemError {
    fn status(&self) -> StatusCode {
        self.0.status_code()
    }
    fn as_response(&self) -> Response {
        self.0.to_response()
    }
}

impl From<Problem> for poem::Error {
    fn from(p: Problem) -> poem::Error {
        poem::Error::from(ProblemError(p))
    }
}

/// Marks the 404 of an address no route serves, so that [`crate::web::pages::with_csp`]
/// can show browsers the HTML 404 page instead (this handler does not see the request).
#[derive(Clone, Copy, Debug)]
pub struct UnknownRoute;

/// Turns any error that escaped a handler into problem+json, keeping responses that
/// already are one (handler errors, [`ProblemError`]s) as they are. The 404 of an unknown
/// address is marked [`UnknownRoute`].
pub async fn catch_all(err: poem::Error) -> Response {
    if err.is_from_response() || err.is::<ProblemError>() {
        return err.into_response();
    }
    let status = err.status();
    let problem = if err.is::<poem_openapi::error::ParseRequestPayloadError>()
        || err.is::<poem_openapi::error::ContentTypeError>()
    {
        Problem::bad_request(err.to_string())
    } else if err.is::<poem_openapi::error::ParseParamError>() {
        // A query or path parameter of the wrong type names itself in the message.
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "The request has invalid fields",
        )
        .detail(err.to_string());
        if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
            p.errors.push(FieldError {
                field: param.name.to_string(),
                message: param.reason.clone(),
            });
        }
        p
    } else {
        match status {
            StatusCode::NOT_FOUND => {
                let mut resp = Problem::not_found("resource").to_response();
                resp.set_data(UnknownRoute);
                return resp;
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                Problem::new(status, "method-not-allowed", "Method not allowed")
                    .detail(err.to_string())
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                Problem::new(status, "payload-too-large", "The request body is too large")
                    .detail("The request body is larger than the server accepts.")
            }
            StatusCode::UNAUTHORIZED => Problem::unauthorized(),
            s if s.is_client_error() => {
                Problem::new(s, "bad-request", "The request could not be handled")
                    .detail(err.to_string())
            }
            _ => {
                tracing::error!(error = %err, "unhandled error");
                Problem::internal()
            }
        }
    };
    problem.to_response()
}

/// For a capability's tests: each error maps to the status given beside it and has its
/// texts in German and English (the failure names the code and what is missing).
#[cfg(test)]
pub fn assert_codes<E: ErrorCode>(cases: &[(E, u16)]) {
    let i18n = crate::core::i18n::I18n::embedded();
    let mut missing = Vec::new();
    for (e, status) in cases {
        assert_eq!(e.status(), *status, "{}: status", e.code());
        let p = Problem::from_code(e);
        assert_eq!(p.status, *status, "{}: problem status", e.code());
        assert_eq!(p.code(), e.code(), "{}: problem type", e.code());
        for m in std::iter::once(e.message()).chain(e.fields().iter().map(|f| f.message.clone())) {
            if e.code() == "validation" && m.key == "problem-validation" {
                continue;
            }
            for locale in [
                crate::core::locale::Locale::De,
                crate::core::locale::Locale::En,
            ] {
                if !i18n.has(locale, &m.key) {
                    missing.push(format!(
                        "{}: {} has no {} text",
                        e.code(),
                        m.key,
                        locale.as_str()
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing translations:\n{}",
        missing.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_names_fields() {
        let p = Problem::invalid("contact.website", "must be an http or https URL");
        assert_eq!(p.status, 422);
        assert_eq!(p.code(), "validation");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "/problems/validation");
        assert_eq!(v["errors"][0]["field"], "contact.website");
    }

    #[test]
    fn a_429_says_when_its_limit_lets_requests_through_again() {
        for (wait, header) in [
            (std::time::Duration::from_secs(17), "17"),
            (std::time::Duration::from_millis(899_400), "900"),
            (std::time::Duration::from_millis(200), "1"),
            (std::time::Duration::ZERO, "1"),
        ] {
            let p = Problem::too_many_requests(wait, "wait");
            assert_eq!(p.status, 429);
            let resp = p.to_response();
            assert_eq!(resp.headers()["retry-after"], header, "{wait:?}");
            match ApiError::from(p) {
                ApiError::TooManyRequests(_, h) => assert_eq!(h, header, "{wait:?}"),
                other => panic!("not a 429: {other:?}"),
            }
        }
        // Not part of the body.
        let body = serde_json::to_value(Problem::too_many_requests(
            std::time::Duration::from_secs(5),
            "wait",
        ))
        .unwrap();
        assert!(body.get("retry_after").is_none(), "{body}");
    }

    // A real unique violation of SQLite and PostgreSQL: tests/it/problems.rs.
    #[test]
    fn other_database_errors_are_a_500_without_details() {
        let p: Problem = sea_orm::DbErr::Custom("x".into()).into();
        assert_eq!(p.status, 500);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["detail"],
            "The error was logged. Please try again later."
        );
    }
}
