//! What every request passes before a handler sees it: its body bounded, and its text
//! free of control characters.
//!
//! - **Bodies** (see [`bounded_bodies`]): the API's (`MAX_BODY_BYTES`) and the pages'
//!   forms (`FORM_MAX_BYTES`, much smaller) are refused with 413 when larger, whether
//!   announced by `Content-Length` (before a byte is read) or streamed in chunks (read
//!   no further than the limit). Multipart bodies (a module form's uploads) are bounded
//!   by their own form's limit where they are read.
//! - **Text** (see [`plain_text`]): a control character (NUL, escape, DEL and the like;
//!   in bodies tab and line breaks are allowed) in a path segment answers 404 (no such
//!   thing can exist), in a query parameter or a field of a JSON or API form body 422
//!   naming it; NUL in a page's form a 422 page naming the field (other control
//!   characters there are for the page's handler to show beside the field); a JSON
//!   object with the same key twice answers 400. PostgreSQL refuses NUL in
//!   text, so before this such input was a 500 there; now it never reaches a handler.
//!   The OAuth protocol's endpoints and Open311 answer in their own error formats and
//!   check their input themselves.

use std::cell::RefCell;
use std::collections::HashSet;

use poem::http::{header, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use tokio::io::AsyncReadExt;

use crate::core::problem::{FieldError, Problem};
use crate::core::validate::has_control_chars;
use crate::web::strict_json::Step;

/// The largest body a page's form may have by default (`FORM_MAX_BYTES`).
pub const DEFAULT_FORM_MAX_BYTES: usize = 64 * 1024;

/// 413, closing the connection: the rest of the body is not read, so the connection
/// cannot carry another request (the header tells the client not to try).
fn too_large(max: usize) -> Response {
    let mut resp = Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "The request body is too large",
    )
    .detail(format!("The request body may be at most {max} bytes."))
    .to_response();
    resp.headers_mut().insert(
        header::CONNECTION,
        poem::http::HeaderValue::from_static("close"),
    );
    resp
}

fn content_type(req: &Request) -> &str {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn is_multipart(req: &Request) -> bool {
    content_type(req)
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
}

/// Refuses bodies over `max` bytes with 413 (see the module's documentation). Reads a
/// chunked body (at most `max` + 1 bytes) and hands it on.
pub async fn limit_body<E: Endpoint>(
    next: &E,
    mut req: Request,
    max: usize,
) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => return Ok(too_large(max)),
        Some(_) => {}
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let mut buf = Vec::new();
            req.take_body()
                .into_async_read()
                .take(max as u64 + 1)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| Problem::bad_request(format!("could not read the body: {e}")))?;
            if buf.len() > max {
                return Ok(too_large(max));
            }
            req.set_body(buf);
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// The OAuth protocol's endpoints, which read their forms themselves (at most 64 KiB)
/// and must answer every error in OAuth's own format (RFC 6749 5.2), not as problems.
fn speaks_oauth(path: &str) -> bool {
    matches!(path, "/oauth/token" | "/oauth/revoke" | "/oauth/introspect")
}

/// Open311 GeoReport v2 answers errors in its own format (a list of `code` and
/// `description`, JSON or XML); its handlers bound their bodies and check their text
/// themselves.
fn speaks_open311(path: &str) -> bool {
    path.starts_with("/open311/")
}

/// A module's application form, which reads its body within its own form's limit
/// (`FormSpec::max_body_bytes`, larger for long answers than the pages' forms).
fn bounded_by_its_form(path: &str) -> bool {
    path.starts_with("/services/") && path.ends_with("/apply")
}

/// Middleware of the whole site: the API's bodies bounded by `api_max`, every other
/// body but a multipart one, an OAuth endpoint's, Open311's or an application form's
/// by `form_max`.
pub async fn bounded_bodies<E: Endpoint>(
    next: E,
    req: Request,
    api_max: usize,
    form_max: usize,
) -> poem::Result<Response> {
    if carries_module_document(req.uri().path()) {
        limit_body(&next, req, api_max.max(MODULE_DOCUMENT_BODY_BYTES)).await
    } else if req.uri().path().starts_with("/api/") {
        limit_body(&next, req, api_max).await
    } else if is_multipart(&req)
        || speaks_oauth(req.uri().path())
        || speaks_open311(req.uri().path())
        || bounded_by_its_form(req.uri().path())
    {
        next.call(req).await.map(IntoResponse::into_response)
    } else {
        limit_body(&next, req, form_max).await
    }
}

/// The body a module may send with a document (at most
/// `applications::service::MAX_DOCUMENT_BYTES`, base64 in JSON: four bytes for three,
/// and room for the message beside it).
pub const MODULE_DOCUMENT_BODY_BYTES: usize =
    crate::applications::service::MAX_DOCUMENT_BYTES.div_ceil(3) * 4 + 64 * 1024;

/// The Module API's operations that carry a document: a case's status and its messages.
fn carries_module_document(path: &str) -> bool {
    path.strip_prefix("/api/v1/module/applications/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(id, op)| !id.is_empty() && matches!(op, "status" | "messages"))
}

/// What is wrong with a request's text, if anything.
#[derive(Debug, PartialEq)]
pub enum Finding {
    /// A path segment has a control character.
    Path,
    /// This field (query parameter, form field or JSON path) has one.
    Control(String),
    /// A JSON object has this key twice (the JSON path of the second).
    Duplicate(String),
}

/// A control character where text must be one line (paths, query parameters, keys).
fn control_in_line(s: &str) -> bool {
    has_control_chars(s, false)
}

/// A control character other than tab and line breaks (bodies' values).
fn control_in_text(s: &str) -> bool {
    has_control_chars(s, true)
}

/// The first problem of the path and the query.
pub fn check_uri(path: &str, query: Option<&str>) -> Option<Finding> {
    // Decoded as a form would be (a `+` becomes a space, which is no control character;
    // `&` and `=` split the path, whose parts are all looked at).
    if url::form_urlencoded::parse(path.as_bytes())
        .any(|(k, v)| control_in_line(&k) || control_in_line(&v))
    {
        return Some(Finding::Path);
    }
    let query = query?;
    url::form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| {
        (control_in_line(&k) || control_in_line(&v)).then(|| Finding::Control(printable(&k)))
    })
}

/// The first problem of a form body (`application/x-www-form-urlencoded`). A page's
/// form is checked for NUL alone (no text may hold it, and PostgreSQL cannot store it):
/// the pages' handlers check their fields for other control characters themselves and
/// say so beside the field, keeping what was typed.
pub fn check_form(body: &[u8], nul_only: bool) -> Option<Finding> {
    url::form_urlencoded::parse(body).find_map(|(k, v)| {
        let bad = if nul_only {
            k.contains('\0') || v.contains('\0')
        } else {
            control_in_line(&k) || control_in_text(&v)
        };
        bad.then(|| Finding::Control(printable(&k)))
    })
}

/// The first problem of a JSON body; none for a body that is not JSON at all (the
/// handler says what is wrong with it).
pub fn check_json(body: &[u8]) -> Option<Finding> {
    check_json_read(body, &|_| true)
}

/// [`check_json`] judging control characters only in what the operation reads
/// (`reads`, given the steps to a value or key): an unknown field is ignored by the
/// handler, and its schema admits it, so its text is no concern. A key twice is refused
/// anywhere.
pub fn check_json_read(body: &[u8], reads: &dyn Fn(&[Step]) -> bool) -> Option<Finding> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = Scan {
        path: String::new(),
        steps: Vec::new(),
        reads,
        found: &found,
    }
    .deserialize(&mut de);
    found.into_inner()
}

/// A field's name fit to be named in an answer: control characters shown as `?`, at
/// most 100 characters.
fn printable(name: &str) -> String {
    name.chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Walks a JSON document without building it, noting the first control character in a
/// string the operation reads and the first key seen twice in one object (a parser that
/// keeps the last of two keys and one that keeps the first would read different
/// requests).
struct Scan<'a> {
    path: String,
    steps: Vec<Step>,
    reads: &'a dyn Fn(&[Step]) -> bool,
    found: &'a RefCell<Option<Finding>>,
}

impl Scan<'_> {
    fn at(&self, path: String, step: Step) -> Self {
        let mut steps = self.steps.clone();
        steps.push(step);
        Scan {
            path,
            steps,
            reads: self.reads,
            found: self.found,
        }
    }

    fn stop<T, E: serde::de::Error>(&self, finding: Finding) -> Result<T, E> {
        *self.found.borrow_mut() = Some(finding);
        Err(E::custom("refused"))
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if control_in_text(v) && (self.reads)(&self.steps) {
            let field = if self.path.is_empty() {
                "body".to_string()
            } else {
                self.path.clone()
            };
            return self.stop(Finding::Control(field));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(self.at(format!("{}[{i}]", self.path), Step::Index(i)))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let path = if self.path.is_empty() {
                printable(&key)
            } else {
                format!("{}.{}", self.path, printable(&key))
            };
            let inner = self.at(path.clone(), Step::Key(key.to_string()));
            if control_in_line(&key) && (self.reads)(&inner.steps) {
                return self.stop(Finding::Control(path));
            }
            if !seen.insert(key.into_owned()) {
                return self.stop(Finding::Duplicate(path));
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

/// The answer to a finding.
fn refusal(finding: Finding) -> Problem {
    match finding {
        Finding::Path => Problem::not_found("resource"),
        Finding::Control(field) => Problem::validation(vec![FieldError {
            field,
            message: "must not contain control characters".into(),
        }]),
        Finding::Duplicate(field) => Problem::bad_request(format!(
            "The JSON body has the key `{field}` more than once."
        )),
    }
}

/// Middleware of the whole site (inside [`bounded_bodies`], so a body it reads is
/// bounded): refuses control characters in paths, query parameters and the fields of
/// JSON and form bodies, and JSON objects with a key twice (see the module's
/// documentation).
pub async fn plain_text<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let path = req.uri().path();
    if speaks_oauth(path) || speaks_open311(path) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    if let Some(finding) = check_uri(req.uri().path(), req.uri().query()) {
        return Err(refusal(finding).into());
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let kind = content_type(&req).to_ascii_lowercase();
    let json = kind.starts_with("application/json")
        || (kind.starts_with("application/")
            && kind.split(';').next().unwrap_or("").ends_with("+json"));
    let form = kind.starts_with("application/x-www-form-urlencoded");
    if !json && !form {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let body = req
        .take_body()
        .into_bytes()
        .await
        .map_err(|e| Problem::bad_request(format!("could not read the body: {e}")))?;
    let page = !req.uri().path().starts_with("/api/");
    let finding = if json && !page {
        match req.data::<crate::web::state::AppState>() {
            Some(state) => {
                let (method, path) = (req.method(), req.uri().path());
                check_json_read(&body, &|steps| {
                    state.body_schemas.declares(method, path, steps)
                })
            }
            None => check_json(&body),
        }
    } else if json {
        check_json(&body)
    } else {
        check_form(&body, page)
    };
    match finding {
        Some(Finding::Control(field)) if page && form => {
            return Ok(refused_form(&req, &field).await);
        }
        Some(finding) => return Err(refusal(finding).into()),
        None => {}
    }
    let mut body = body;
    if json && !page {
        if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(problem) = against_the_schema(&req, &mut value) {
                return Err(problem.into());
            }
            // Only a body the document describes is rewritten: a signed body (a
            // partner's webhook) must reach its handler byte for byte.
            let described = req
                .data::<crate::web::state::AppState>()
                .is_some_and(|s| s.body_schemas.describes(req.method(), req.uri().path()));
            if described && integral_numbers_as_integers(&mut value) {
                if let Ok(rewritten) = serde_json::to_vec(&value) {
                    body = rewritten.into();
                }
            }
        }
    }
    req.set_body(body);
    next.call(req).await.map(IntoResponse::into_response)
}

/// Writes a number with a zero fraction (`5.0`, `-3.2e1`) as the integer it is, so that
/// an integer field reads it: JSON Schema, and so the published document, counts it as
/// an integer, while the server's parser takes only integer notation for an integer
/// field (a float field reads both alike). Numbers beyond 2^53, where a float is no
/// longer exact, are left as they are. Says whether anything changed.
fn integral_numbers_as_integers(v: &mut serde_json::Value) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                // In range and integral: the cast is exact.
                *v = serde_json::Value::from(f as i64);
                true
            }
            _ => false,
        },
        serde_json::Value::Array(items) => {
            let mut changed = false;
            for x in items {
                changed |= integral_numbers_as_integers(x);
            }
            changed
        }
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for x in map.values_mut() {
                changed |= integral_numbers_as_integers(x);
            }
            changed
        }
        _ => false,
    }
}

/// What the operation's schema in the published document says is wrong with an API
/// body (see `web::strict_json`): values of another type are 400, values breaking a
/// constraint the document states (length, pattern, range, enumeration, a field it does
/// not allow) 422, each naming the fields; `None` when the body fits.
fn against_the_schema(req: &Request, value: &mut serde_json::Value) -> Option<Problem> {
    let state = req.data::<crate::web::state::AppState>()?;
    let (method, path) = (req.method(), req.uri().path());
    let (errors, violations) = state.body_schemas.judge(method, path, value);
    if let Some(first) = errors.first() {
        let detail = match first.field.as_str() {
            "" => format!("The JSON body {}.", first.message),
            field => format!("`{field}` {}.", first.message),
        };
        let mut p = Problem::bad_request(detail);
        p.errors = errors;
        return Some(p);
    }
    (!violations.is_empty()).then(|| Problem::validation(violations))
}

/// A page's form with NUL in a field: a page in the visitor's language naming the
/// field (the browser's Back keeps what was typed).
async fn refused_form(req: &Request, field: &str) -> Response {
    let Some(state) = req.data::<crate::web::state::AppState>() else {
        return refusal(Finding::Control(field.to_string())).to_response();
    };
    let pc = crate::web::pages::PageCtx::new(state, req).await;
    let title = pc.t(state, "problem-title-validation");
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("field", field.to_string());
    let text = state.i18n.t(pc.locale, "error-form-nul", Some(&args));
    crate::web::pages::render(
        state,
        &pc,
        req,
        "message.html",
        StatusCode::UNPROCESSABLE_ENTITY,
        minijinja::context! { title, text },
    )
}

/// A request's id: the caller's `X-Request-Id` when it is a plain token (1 to 64 of
/// `A-Z a-z 0-9 - _ .`), else a new one.
pub fn request_id_of(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

/// A request's id, as `health::track` chose it for its log lines.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware of the whole site (inside the compression, so that it can read a
/// problem's body): every request's id ([`request_id_of`], as `health::track` chose it
/// for the request's log lines) is answered as `X-Request-Id` and put into the body of
/// a problem (`request_id`).
pub async fn request_id<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let id = match req.data::<RequestId>() {
        Some(RequestId(id)) => id.clone(),
        None => request_id_of(&req),
    };
    let mut resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if problem {
        let body = resp.take_body().into_bytes().await.unwrap_or_default();
        let with_id = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(mut o)) => {
                o.insert("request_id".into(), serde_json::Value::String(id.clone()));
                serde_json::to_vec(&o).unwrap_or_else(|_| body.to_vec())
            }
            _ => body.to_vec(),
        };
        resp.headers_mut().remove(header::CONTENT_LENGTH);
        resp.set_body(with_id);
    }
    if let Ok(v) = poem::http::HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_control_characters_are_named_by_their_path() {
        assert_eq!(check_json(br#"{"name": "Caf\u00e9", "n": 1}"#), None);
        assert_eq!(
            check_json(br#"{"description": "two\nlines\tand a tab\r\n"}"#),
            None
        );
        assert_eq!(
            check_json(br#"{"email": "a\u0000@b.de"}"#),
            Some(Finding::Control("email".into()))
        );
        assert_eq!(
            check_json(br#"{"name": {"de": "ok", "en": "esc\u001b[31m"}}"#),
            Some(Finding::Control("name.en".into()))
        );
        assert_eq!(
            check_json(br#"{"weekly": [{"opens": "09:00"}, {"opens": "1\u007f0"}]}"#),
            Some(Finding::Control("weekly[1].opens".into()))
        );
        assert_eq!(
            check_json(br#"["x", "\u0000"]"#),
            Some(Finding::Control("[1]".into()))
        );
        assert_eq!(
            check_json(br#""\u0000""#),
            Some(Finding::Control("body".into()))
        );
        // A key: shown with its control character replaced.
        assert_eq!(
            check_json(br#"{"a\u0000b": 1}"#),
            Some(Finding::Control("a?b".into()))
        );
    }

    #[test]
    fn json_control_characters_count_only_where_the_operation_reads() {
        let reads = |steps: &[Step]| !matches!(steps.first(), Some(Step::Key(k)) if k == "extra");
        let check = |body: &[u8]| check_json_read(body, &reads);
        assert_eq!(check(br#"{"extra": "\u0000", "name": "ok"}"#), None);
        assert_eq!(check(br#"{"extra": {"a\u0007": ["\u0000"]}}"#), None);
        assert_eq!(
            check(br#"{"extr\u0000a": 1}"#),
            Some(Finding::Control("extr?a".into()))
        );
        assert_eq!(
            check(br#"{"extra": "\u0000", "name": "\u0000"}"#),
            Some(Finding::Control("name".into()))
        );
        // A key twice is refused even where nothing is read.
        assert_eq!(
            check(br#"{"extra": {"k": 1, "k": 2}}"#),
            Some(Finding::Duplicate("extra.k".into()))
        );
    }

    #[test]
    fn json_keys_twice_are_found_at_any_depth() {
        assert_eq!(
            check_json(br#"{"name": "a", "name": "b"}"#),
            Some(Finding::Duplicate("name".into()))
        );
        assert_eq!(
            check_json(br#"{"x": [{"k": 1, "k": 2}]}"#),
            Some(Finding::Duplicate("x[0].k".into()))
        );
        // The same key in two objects is no duplicate.
        assert_eq!(check_json(br#"[{"k": 1}, {"k": 2}]"#), None);
        // Escaped forms of the same key are the same key.
        assert_eq!(
            check_json(br#"{"ab": 1, "a\u0062": 2}"#),
            Some(Finding::Duplicate("ab".into()))
        );
    }

    #[test]
    fn integral_numbers_become_integers_and_nothing_else_changes() {
        let mut v = serde_json::json!({"a": 5.0, "b": [-3.2e1, 1.5, 7], "c": "5.0", "d": 1e300});
        assert!(integral_numbers_as_integers(&mut v));
        assert_eq!(
            v,
            serde_json::json!({"a": 5, "b": [-32, 1.5, 7], "c": "5.0", "d": 1e300})
        );
        assert!(v["a"].is_i64());
        let mut same = serde_json::json!({"a": 1, "b": [0.25], "c": null});
        assert!(!integral_numbers_as_integers(&mut same));
    }

    #[test]
    fn what_is_not_json_is_left_to_the_handler() {
        assert_eq!(check_json(b"{not json"), None);
        assert_eq!(check_json(b""), None);
        // Nesting past the parser's limit is not a finding either.
        let deep = "[".repeat(10_000);
        assert_eq!(check_json(deep.as_bytes()), None);
    }

    #[test]
    fn paths_queries_and_forms() {
        assert_eq!(check_uri("/listings/caf%C3%A9", Some("q=Caf%C3%A9")), None);
        assert_eq!(
            check_uri("/api/v1/listings/a%00b", None),
            Some(Finding::Path)
        );
        assert_eq!(check_uri("/listings/a%1Bb", None), Some(Finding::Path));
        assert_eq!(
            check_uri("/api/v1/search", Some("q=x&district=%00")),
            Some(Finding::Control("district".into()))
        );
        // A line break where a query's text must be one line.
        assert_eq!(
            check_uri("/search", Some("q=a%0Ab")),
            Some(Finding::Control("q".into()))
        );
        assert_eq!(check_form(b"name=Anna&note=two%0D%0Alines", false), None);
        assert_eq!(
            check_form(b"email=a%00%40b.de&password=x", false),
            Some(Finding::Control("email".into()))
        );
        assert_eq!(
            check_form(b"email=a%07%40b.de&password=x", false),
            Some(Finding::Control("email".into()))
        );
        // A page's form: NUL alone (its handler checks the rest beside the field).
        assert_eq!(check_form(b"email=a%07%40b.de&password=x", true), None);
        assert_eq!(
            check_form(b"email=a%00%40b.de&password=x", true),
            Some(Finding::Control("email".into()))
        );
    }
}
