//! The limit of anonymous requests per client address (`ANONYMOUS_REQUESTS_PER_MINUTE`).
//!
//! Every request counts against its address (a GCRA bucket, in this process's memory).
//! Once an address has used its share, only requests that carry a valid session, personal
//! token or OAuth access token go on: residents logged in behind the same router as a
//! scraper are not locked out, and a made-up cookie or token buys nothing. Health checks,
//! `/metrics`, static files and partners' signed webhooks are not counted.

use std::net::IpAddr;
use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::core::problem::Problem;
use crate::web::state::AppState;

/// Requests that are never counted: probes, metrics, static files, signed webhooks.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/robots.txt")
        || path.starts_with("/static/")
        || path.starts_with("/api/v1/partner-webhooks/")
}

/// Middleware: the anonymous limit. Over it, 429 problem+json with `Retry-After`
/// (rounded up to whole seconds).
pub async fn anonymous<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let Some(state) = req.data::<AppState>() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let Some(limit) = state.anonymous_limit.as_deref() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    if exempt(req.uri().path()) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let Ok(ip) = crate::web::auth::client_ip(&req).parse::<IpAddr>() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    if let Err(wait) = limit.check(ip) {
        if !crate::web::auth::carries_credentials(state, &req).await {
            return Ok(refuse(state, &req, wait).await);
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// 429 with `Retry-After`: problem+json for the API, a page in the visitor's language
/// for a page.
async fn refuse(state: &AppState, req: &Request, wait: Duration) -> Response {
    let path = req.uri().path();
    let page = !(path.starts_with("/api/") || path.starts_with("/oauth/") || path == "/docs");
    if !page {
        return Problem::too_many_requests(
            wait,
            "Too many requests from this address. Wait before trying again, or log in.",
        )
        .to_response();
    }
    let pc = crate::web::pages::PageCtx::new(state, req).await;
    let title = pc.t(state, "problem-title-rate-limited");
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("minutes", wait.as_secs().div_ceil(60).max(1));
    let text = state
        .i18n
        .t(pc.locale, "error-too-many-requests", Some(&args));
    let mut resp = crate::web::pages::render(
        state,
        &pc,
        req,
        "message.html",
        StatusCode::TOO_MANY_REQUESTS,
        minijinja::context! { title, text },
    );
    resp.headers_mut().insert(
        poem::http::header::RETRY_AFTER,
        crate::core::problem::retry_after_secs(wait).into(),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_static_files_and_webhooks_are_not_counted() {
        assert!(exempt("/healthz") && exempt("/static/site.css"));
        assert!(exempt("/api/v1/partner-webhooks/abc"));
        assert!(!exempt("/api/v1/search") && !exempt("/") && !exempt("/login"));
    }
}
