//! Open311 GeoReport v2 at `/open311/v2` (wiki.open311.org/GeoReport_v2), with
//! FixMyStreet's `servicerequestupdates` extension: service discovery, the service list
//! and definitions, posting a service request with an API key, reading requests and
//! their updates, each as `.json` or `.xml`. Errors are the specification's `errors`
//! list (a `code` and a `description` each) with the HTTP status of the first.
//!
//! `jurisdiction_id` is optional (the portal serves one city); when sent it must be the
//! city's slug or the host of the portal's public address. Nothing a request shows names or identifies who reported it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::ReportError;
use super::service::{self, Ctx, Filter, NewReport, ReportService, Reporter, State};
use crate::applications::form::{Kind, Submitted};
use crate::core::email::Email;
use crate::core::error::{ErrorCode, Invalid};
use crate::core::locale::Locale;
use crate::core::validate::{has_control_chars, is_http_url, is_valid_phone, Errors};
use crate::msg;
use crate::web::state::AppState;
use entities::report;

/// The specification this endpoint implements (as discovery names it).
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this endpoint's interface last changed (discovery's `changeset`).
pub const CHANGESET: &str = "2026-12-07T00:00:00Z";
pub use super::error::MAX_POST_BYTES;

/// How many requests one API key may post in a minute.
pub const POSTS_PER_MINUTE: u64 = 30;

/// The representation asked for by the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `requests.json` into `requests` and its format.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let f = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((name, f))
    }
}

/// A document in the shape both formats share: JSON drops the element names of lists
/// (a list is an array), XML writes them.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A text, or nothing (JSON `null`, an empty XML element).
    Text(Option<String>),
    Num(f64),
    Int(i64),
    Bool(bool),
    /// Named fields in order.
    Obj(Vec<(&'static str, Node)>),
    /// Items, each an XML element named by the tag.
    List(&'static str, Vec<Node>),
}

impl Node {
    fn text(s: impl Into<String>) -> Node {
        Node::Text(Some(s.into()))
    }

    fn opt(s: Option<impl Into<String>>) -> Node {
        Node::Text(s.map(Into::into))
    }

    /// The JSON value.
    pub fn to_json(&self) -> Value {
        match self {
            Node::Text(t) => t.clone().map(Value::String).unwrap_or(Value::Null),
            Node::Num(n) => serde_json::Number::from_f64(*n)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Node::Int(n) => Value::from(*n),
            Node::Bool(b) => Value::Bool(*b),
            Node::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    fn write_xml(&self, tag: &str, out: &mut String) {
        match self {
            Node::Text(None) => {
                out.push('<');
                out.push_str(tag);
                out.push_str("/>");
            }
            Node::Text(Some(t)) => element(out, tag, &escape(t)),
            Node::Num(n) => element(out, tag, &n.to_string()),
            Node::Int(n) => element(out, tag, &n.to_string()),
            Node::Bool(b) => element(out, tag, if *b { "true" } else { "false" }),
            Node::Obj(fields) => {
                let mut inner = String::new();
                for (k, v) in fields {
                    v.write_xml(k, &mut inner);
                }
                element(out, tag, &inner);
            }
            Node::List(item, items) => {
                let mut inner = String::new();
                for v in items {
                    v.write_xml(item, &mut inner);
                }
                element(out, tag, &inner);
            }
        }
    }

    /// The XML document with `root` as its element, declared UTF-8.
    pub fn to_xml(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        self.write_xml(root, &mut out);
        out.push('\n');
        out
    }
}

fn element(out: &mut String, tag: &str, inner: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(inner);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// XML character data: the special characters escaped (as the pages escape HTML), and
/// the characters XML 1.0 cannot carry at all (controls but tab and line breaks, U+FFFE,
/// U+FFFF) left out.
pub fn escape(s: &str) -> String {
    let carried: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
        })
        .collect();
    crate::web::pages::escape_html(&carried)
}

/// An answer in the format asked for.
fn answer(status: StatusCode, format: Format, root: &str, node: &Node) -> Response {
    let (body, ty) = match format {
        Format::Json => (
            serde_json::to_string(&node.to_json()).expect("JSON serializes"),
            "application/json; charset=utf-8",
        ),
        Format::Xml => (node.to_xml(root), "text/xml; charset=utf-8"),
    };
    Response::builder()
        .status(status)
        .content_type(ty)
        .header("Access-Control-Allow-Origin", "*")
        // Names and descriptions follow the client's language.
        .header("Vary", "Accept-Language")
        .body(body)
}

/// One Open311 error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct O311Error {
    pub code: u16,
    pub description: String,
}

/// The errors of `e` as Open311 words them: one per bad field (`field: why`), else one.
pub fn errors_of(state: &AppState, e: &ReportError) -> Vec<O311Error> {
    let i18n = &state.i18n;
    match e {
        ReportError::Invalid(Invalid(fields)) => fields
            .iter()
            .map(|f| O311Error {
                code: 400,
                description: format!("{}: {}", f.field, i18n.api_text(&f.message)),
            })
            .collect(),
        ReportError::Db(d) => {
            tracing::error!(error = %d, "open311: the database failed");
            vec![O311Error {
                code: 500,
                description: "internal error".into(),
            }]
        }
        other => vec![O311Error {
            code: other.status(),
            description: i18n.api_text(&other.message()),
        }],
    }
}

fn error_response(state: &AppState, format: Format, e: &ReportError) -> Response {
    let errors = errors_of(state, e);
    let status = StatusCode::from_u16(errors.first().map(|e| e.code).unwrap_or(400))
        .unwrap_or(StatusCode::BAD_REQUEST);
    let node = Node::List(
        "error",
        errors
            .into_iter()
            .map(|e| {
                Node::Obj(vec![
                    ("code", Node::Int(e.code as i64)),
                    ("description", Node::text(e.description)),
                ])
            })
            .collect(),
    );
    let mut resp = answer(status, format, "errors", &node);
    if matches!(e, ReportError::RateLimited) {
        // The key's minute started at most this long ago (RFC 9110 §10.2.3).
        resp.headers_mut().insert(
            poem::http::header::RETRY_AFTER,
            poem::http::HeaderValue::from(60u32),
        );
    }
    resp
}

/// The most values a list parameter (`service_request_id`, `service_code`, `status`)
/// may carry.
pub const MAX_LIST: usize = 1000;

/// The parameters of a request: the query's, and for a POST the form body's. The first
/// value of a name counts, but a list parameter gathers every value of its name, each
/// comma-separated.
#[derive(Default)]
struct Params {
    first: BTreeMap<String, String>,
    all: BTreeMap<String, Vec<String>>,
}

impl Params {
    /// Adds the pairs of `raw`; a name or value with a control character (but tab and
    /// line breaks in a value) is refused, naming it: the database cannot carry NUL and
    /// nothing here needs the others.
    fn parse(raw: &[u8], into: &mut Params) -> Result<(), Invalid> {
        for (k, v) in url::form_urlencoded::parse(raw) {
            if has_control_chars(&k, false) || has_control_chars(&v, true) {
                let name: String = k.chars().filter(|c| !c.is_control()).collect();
                return Err(Invalid::field(name, msg!("v-control-chars")));
            }
            into.first
                .entry(k.to_string())
                .or_insert_with(|| v.to_string());
            into.all
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        Ok(())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.first
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name` (and of `name[]`), split at commas; at most [`MAX_LIST`].
    fn list(&self, name: &str) -> Result<Vec<String>, Invalid> {
        let mut out = Vec::new();
        for key in [name.to_string(), format!("{name}[]")] {
            for v in self.all.get(&key).into_iter().flatten() {
                for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if out.len() == MAX_LIST {
                        return Err(Invalid::field(
                            name,
                            msg!("v-report-list-too-long", max = MAX_LIST),
                        ));
                    }
                    out.push(s.to_string());
                }
            }
        }
        Ok(out)
    }
}

/// The query's parameters, or the error answer.
fn query_params(state: &AppState, req: &Request, format: Format) -> Result<Params, Box<Response>> {
    let mut p = Params::default();
    Params::parse(req.uri().query().unwrap_or("").as_bytes(), &mut p)
        .map_err(|e| Box::new(error_response(state, format, &e.into())))?;
    Ok(p)
}

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
    }
}

/// The language of names and descriptions: the client's `Accept-Language` if the
/// portal speaks it, else the city's.
fn language(state: &AppState, req: &Request) -> Locale {
    crate::web::pages::accept_language(req).unwrap_or(state.config.city.default_locale)
}

fn tz(state: &AppState) -> chrono_tz::Tz {
    state.city.timezone
}

/// A W3C datetime in the city's time, with its offset: `2026-12-07T09:30:00+01:00`.
fn w3c(state: &AppState, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz(state))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A date sent in W3C format (`2026-12-07T09:30:00Z`, with an offset, or a day, read as
/// the city's midnight).
fn parse_w3c(state: &AppState, raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Some(t) = parse_datetime(raw) {
        return Some(t);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    tz(state)
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A W3C date and time (`2026-12-07T09:30:00Z`, `2026-12-07T09:30+01:00`): seconds and
/// their fraction optional; an offset's `+` that arrived as a space (an unencoded query)
/// counts as `+`.
fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let fixed;
    let raw = match raw.rsplit_once(' ') {
        Some((a, b)) if a.contains('T') && b.len() == 5 && b.as_bytes()[2] == b':' => {
            fixed = format!("{a}+{b}");
            fixed.as_str()
        }
        _ => raw,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%MZ"] {
        if let Ok(t) = DateTime::parse_from_str(raw, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let raw = raw.strip_suffix('Z')?;
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| t.and_utc())
}

/// From when until when a query looks (either open).
type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The date range of a query: at most 90 days; the latest 90 days when none is sent.
fn range(state: &AppState, p: &Params) -> Result<Range, Invalid> {
    let mut errors = Errors::default();
    let mut date = |name: &str| {
        let raw = p.get(name)?;
        let parsed = parse_w3c(state, raw);
        if parsed.is_none() {
            errors.add(name, msg!("v-report-date"));
        }
        parsed
    };
    let from = date("start_date");
    let to = date("end_date");
    let span = chrono::Duration::days(service::MAX_RANGE_DAYS);
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => {
            if t < f || t - f > span {
                errors.add("end_date", msg!("v-report-date-range"));
            }
            (Some(f), Some(t))
        }
        (Some(f), None) => (Some(f), Some(f + span)),
        (None, Some(t)) => (Some(t - span), Some(t)),
        (None, None) => (Some(Utc::now() - span), None),
    };
    errors.into_result((from, to))
}

/// `jurisdiction_id`, when sent, must be the city's: its slug or the host of the
/// portal's public address (as other Open311 servers name theirs).
fn check_jurisdiction(state: &AppState, p: &Params) -> Result<(), ReportError> {
    let Some(j) = p.get("jurisdiction_id").map(str::trim) else {
        return Ok(());
    };
    let host = state.config.server.public_url.host_str();
    if j == state.city.slug || host.is_some_and(|h| j.eq_ignore_ascii_case(h)) {
        Ok(())
    } else {
        Err(ReportError::Jurisdiction)
    }
}

/// `/open311/v2/<name>.<format>`: discovery, services, requests (GET and POST) and
/// servicerequestupdates.
#[poem::handler]
pub async fn resource(
    state: Data<&AppState>,
    Path(file): Path<String>,
    req: &Request,
    body: Body,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return not_found(&state);
    };
    let mut p = match query_params(&state, req, format) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let post = req.method() == poem::http::Method::POST;
    if post {
        let form = req
            .content_type()
            .and_then(|t| t.split(';').next())
            .map(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if form != Some(true) {
            return error_response(&state, format, &ReportError::ContentType);
        }
        let parsed = match read_body(body).await {
            Some(bytes) => Params::parse(&bytes, &mut p),
            None => return error_response(&state, format, &ReportError::TooLarge),
        };
        if let Err(e) = parsed {
            return error_response(&state, format, &e.into());
        }
    }
    if let Err(e) = check_jurisdiction(&state, &p) {
        return error_response(&state, format, &e);
    }
    let result = match (name, post) {
        ("discovery", false) => Ok(discovery(&state, format)),
        ("services", false) => services(&state, req, format).await,
        ("requests", false) => requests(&state, req, format, &p).await,
        ("requests", true) => create(&state, req, format, &p).await,
        ("servicerequestupdates", false) => updates(&state, format, &p).await,
        _ => return error_response(&state, format, &ReportError::NotFound),
    };
    match result {
        Ok(r) => r,
        Err(e) => error_response(&state, format, &e),
    }
}

fn not_found(state: &AppState) -> Response {
    error_response(state, Format::Json, &ReportError::NotFound)
}

/// Reads a form body of at most [`MAX_POST_BYTES`]; `None` when it is larger.
async fn read_body(body: Body) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    body.into_async_read()
        .take(MAX_POST_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .ok()?;
    (bytes.len() <= MAX_POST_BYTES).then_some(bytes)
}

/// `/open311/v2/services/<code>.<format>`: a service's definition.
#[poem::handler]
pub async fn definition(
    state: Data<&AppState>,
    Path(file): Path<String>,
    req: &Request,
) -> Response {
    let Some((code, format)) = Format::split(&file) else {
        return not_found(&state);
    };
    let p = match query_params(&state, req, format) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let result = async {
        check_jurisdiction(&state, &p)?;
        let svc = service::service(ctx(&state), code).await?;
        let locale = language(&state, req);
        Ok::<_, ReportError>(answer(
            StatusCode::OK,
            format,
            "service_definition",
            &Node::Obj(vec![
                ("service_code", Node::text(svc.code.clone())),
                ("attributes", attributes(&state, &svc, locale)),
            ]),
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_response(&state, format, &e))
}

/// `/open311/v2/requests/<id>.<format>`: one request.
#[poem::handler]
pub async fn one(state: Data<&AppState>, Path(file): Path<String>, req: &Request) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return not_found(&state);
    };
    let p = match query_params(&state, req, format) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let result = async {
        check_jurisdiction(&state, &p)?;
        let id = Uuid::parse_str(id).map_err(|_| ReportError::NotFound)?;
        let r = service::get(ctx(&state), id).await?;
        let node = request_list(&state, req, vec![r]).await?;
        Ok::<_, ReportError>(answer(StatusCode::OK, format, "service_requests", &node))
    }
    .await;
    result.unwrap_or_else(|e| error_response(&state, format, &e))
}

fn discovery(state: &AppState, format: Format) -> Response {
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    let changeset = CHANGESET.to_string();
    let node = Node::Obj(vec![
        ("changeset", Node::text(changeset.clone())),
        (
            "contact",
            Node::text(format!("{}: {base}/impressum", state.city.name)),
        ),
        (
            "key_service",
            Node::text(format!(
                "API keys for posting requests are issued by the admins of {} ({base}/impressum)",
                state.city.name
            )),
        ),
        (
            "endpoints",
            Node::List(
                "endpoint",
                vec![Node::Obj(vec![
                    ("specification", Node::text(SPECIFICATION)),
                    ("url", Node::text(format!("{base}/open311/v2"))),
                    ("changeset", Node::text(changeset)),
                    ("type", Node::text("production")),
                    (
                        "formats",
                        Node::List(
                            "format",
                            vec![Node::text("text/xml"), Node::text("application/json")],
                        ),
                    ),
                ])],
            ),
        ),
    ]);
    answer(StatusCode::OK, format, "discovery", &node)
}

/// One attribute per form field Open311 can carry (files and addresses cannot).
fn attributes(state: &AppState, svc: &ReportService, locale: Locale) -> Node {
    let Some(form) = &svc.form else {
        return Node::List("attribute", Vec::new());
    };
    let mut items = Vec::new();
    for (order, f) in form.fields().iter().enumerate() {
        let (datatype, values) = match &f.kind {
            Kind::Text { multiline, .. } => (if *multiline { "text" } else { "string" }, vec![]),
            Kind::Number { .. } => ("number", vec![]),
            Kind::Date { .. } => ("datetime", vec![]),
            Kind::Choice { options } => (
                "singlevaluelist",
                options
                    .iter()
                    .map(|(k, label)| (k.clone(), label.get(locale).to_string()))
                    .collect(),
            ),
            Kind::Boolean { .. } => (
                "singlevaluelist",
                vec![
                    (
                        "true".to_string(),
                        state.i18n.t(locale, "report-attribute-yes", None),
                    ),
                    (
                        "false".to_string(),
                        state.i18n.t(locale, "report-attribute-no", None),
                    ),
                ],
            ),
            Kind::Address | Kind::File { .. } => continue,
        };
        let description = match &f.help {
            Some(h) => format!("{} ({})", f.label.get(locale), h.get(locale)),
            None => f.label.get(locale).to_string(),
        };
        items.push(Node::Obj(vec![
            ("variable", Node::Bool(true)),
            ("code", Node::text(f.name.clone())),
            ("datatype", Node::text(datatype)),
            ("required", Node::Bool(f.required)),
            ("datatype_description", Node::Text(None)),
            ("order", Node::Int(order as i64 + 1)),
            ("description", Node::text(description)),
            (
                "values",
                Node::List(
                    "value",
                    values
                        .into_iter()
                        .map(|(k, n)| {
                            Node::Obj(vec![("key", Node::text(k)), ("name", Node::text(n))])
                        })
                        .collect(),
                ),
            ),
        ]));
    }
    Node::List("attribute", items)
}

async fn services(
    state: &AppState,
    req: &Request,
    format: Format,
) -> Result<Response, ReportError> {
    let locale = language(state, req);
    let list = service::services(ctx(state)).await?;
    let node = Node::List(
        "service",
        list.iter()
            .map(|s| {
                let has_attributes =
                    matches!(attributes(state, s, locale), Node::List(_, ref a) if !a.is_empty());
                Node::Obj(vec![
                    ("service_code", Node::text(s.code.clone())),
                    ("service_name", Node::text(s.name.get(locale))),
                    (
                        "description",
                        Node::text(crate::web::pages::excerpt(s.description.get(locale), 300)),
                    ),
                    ("metadata", Node::Bool(has_attributes)),
                    ("type", Node::text("realtime")),
                    ("keywords", Node::text("")),
                    ("group", Node::text(s.module_name.get(locale))),
                ])
            })
            .collect(),
    );
    Ok(answer(StatusCode::OK, format, "services", &node))
}

/// Requests as `GET requests` shows them: nothing about who sent them.
async fn request_list(
    state: &AppState,
    req: &Request,
    rows: Vec<report::Model>,
) -> Result<Node, ReportError> {
    let locale = language(state, req);
    let base = state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/');
    let listings = service::listings_of(ctx(state), &rows).await?;
    let services = service::services(ctx(state)).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let photos = service::with_photo(ctx(state), &ids).await?;
    Ok(Node::List(
        "request",
        rows.into_iter()
            .map(|r| {
                let name = listings
                    .iter()
                    .find(|l| l.id == r.listing_id)
                    .map(|l| match locale {
                        Locale::De => l.name_de.clone(),
                        _ => l.name_en.clone(),
                    });
                let agency = services
                    .iter()
                    .find(|s| Some(s.module_id) == r.module_id)
                    .map(|s| s.module_name.get(locale).to_string());
                let media = r.media_url.clone().or_else(|| {
                    photos
                        .contains(&r.id)
                        .then(|| format!("{base}/reports/{}/photo", r.id))
                });
                Node::Obj(vec![
                    ("service_request_id", Node::text(r.id.to_string())),
                    ("status", Node::text(r.status.clone())),
                    ("status_notes", Node::opt(r.status_notes.clone())),
                    ("service_name", Node::opt(name)),
                    ("service_code", Node::text(r.service_code.clone())),
                    ("description", Node::text(r.description.clone())),
                    ("agency_responsible", Node::opt(agency)),
                    ("service_notice", Node::opt(r.service_notice.clone())),
                    ("requested_datetime", Node::text(w3c(state, r.created_at))),
                    ("updated_datetime", Node::text(w3c(state, r.updated_at))),
                    (
                        "expected_datetime",
                        Node::opt(r.expected_at.map(|t| w3c(state, t))),
                    ),
                    ("address", Node::opt(r.address_string.clone())),
                    ("address_id", Node::opt(r.address_id.clone())),
                    ("zipcode", Node::Text(None)),
                    ("lat", r.lat.map(Node::Num).unwrap_or(Node::Text(None))),
                    ("long", r.lng.map(Node::Num).unwrap_or(Node::Text(None))),
                    ("media_url", Node::opt(media)),
                ])
            })
            .collect(),
    ))
}

async fn requests(
    state: &AppState,
    req: &Request,
    format: Format,
    p: &Params,
) -> Result<Response, ReportError> {
    let mut f = Filter {
        limit: service::MAX_RESULTS,
        ..Default::default()
    };
    let ids = p.list("service_request_id")?;
    if !ids.is_empty() {
        for id in &ids {
            match Uuid::parse_str(id) {
                Ok(u) => f.ids.push(u),
                Err(_) => {
                    return Err(Invalid::field("service_request_id", msg!("v-report-id")).into())
                }
            }
        }
    } else {
        let codes = p.list("service_code")?;
        if !codes.is_empty() {
            // Only codes of real services reach the database; none of them, no request.
            let known = service::services(ctx(state)).await?;
            f.codes = codes
                .into_iter()
                .filter(|c| known.iter().any(|s| &s.code == c))
                .collect();
            if f.codes.is_empty() {
                let node = Node::List("request", Vec::new());
                return Ok(answer(StatusCode::OK, format, "service_requests", &node));
            }
        }
        for s in p.list("status")? {
            match s.to_ascii_lowercase().as_str() {
                "open" => f.statuses.push("open"),
                "closed" => f.statuses.push("closed"),
                _ => return Err(Invalid::field("status", msg!("v-report-status-filter")).into()),
            }
        }
        let (from, to) = range(state, p)?;
        f.from = from;
        f.to = to;
    }
    let rows = service::find(ctx(state), &f).await?;
    let node = request_list(state, req, rows).await?;
    Ok(answer(StatusCode::OK, format, "service_requests", &node))
}

/// A bounded optional text field of a POST.
fn field(errors: &mut Errors, p: &Params, name: &str, max: usize) -> Option<String> {
    crate::core::validate::text(errors, name, p.get(name), max)
}

/// `attribute[code]=value` (and `attribute[code][]=value` for lists) of a POST.
fn attribute_pairs(p: &Params) -> Vec<(String, String)> {
    p.all
        .iter()
        .filter_map(|(k, vs)| {
            let code = k.strip_prefix("attribute[")?;
            let code = code.strip_suffix("[]").unwrap_or(code).strip_suffix(']')?;
            Some(vs.iter().map(move |v| (code.to_string(), v.clone())))
        })
        .flatten()
        .collect()
}

/// Checks what an app posted and resolves its place; the service is known.
async fn parse_post(
    state: &AppState,
    svc: &ReportService,
    key_id: Uuid,
    p: &Params,
) -> Result<NewReport, ReportError> {
    let mut errors = Errors::default();
    let description = crate::core::validate::long_text(
        &mut errors,
        "description",
        p.get("description"),
        service::MAX_DESCRIPTION,
    );
    let (mut lat, mut lng) = (None, None);
    match (p.get("lat"), p.get("long")) {
        (Some(a), Some(o)) => {
            lat = service::parse_lat(a);
            lng = service::parse_long(o);
            if lat.is_none() {
                errors.add("lat", msg!("v-report-lat"));
            }
            if lng.is_none() {
                errors.add("long", msg!("v-report-long"));
            }
        }
        (Some(_), None) => errors.add("long", msg!("v-report-lat-long-pair")),
        (None, Some(_)) => errors.add("lat", msg!("v-report-lat-long-pair")),
        (None, None) => {}
    }
    let mut address_string = field(&mut errors, p, "address_string", 200);
    let address_id = field(&mut errors, p, "address_id", 100);
    if lat.is_none() && address_string.is_none() && address_id.is_none() && errors.is_empty() {
        errors.add("lat", msg!("v-report-location"));
    }
    if lat.is_none() {
        if let Some(a) = &address_string {
            if let Ok(text) = crate::places::service::PlaceText::parse(a) {
                if let Ok(Some(place)) =
                    crate::places::service::resolve(&state.db, state.city.id, &text).await
                {
                    lat = Some(place.lat);
                    lng = Some(place.lng);
                    address_string = Some(place.label());
                }
            }
        }
    }
    let email = match p.get("email") {
        Some(e) => match Email::parse(e) {
            Some(e) => Some(e.into_string()),
            None => {
                errors.add("email", msg!("v-report-email"));
                None
            }
        },
        None => None,
    };
    let phone = field(&mut errors, p, "phone", 40);
    if phone.as_deref().is_some_and(|ph| !is_valid_phone(ph)) {
        errors.add("phone", msg!("v-report-phone"));
    }
    let first_name = field(&mut errors, p, "first_name", 100);
    let last_name = field(&mut errors, p, "last_name", 100);
    // Checked, not kept: no data category of a manifest covers them, so no module may
    // have them (account_id is only echoed back, as the specification has it).
    let _device_id = field(&mut errors, p, "device_id", 100);
    let _account_id = field(&mut errors, p, "account_id", 100);
    let media_url = field(&mut errors, p, "media_url", 2000);
    if media_url.as_deref().is_some_and(|u| !is_http_url(u)) {
        errors.add("media_url", msg!("v-report-media-url"));
    }
    let attributes = attribute_answers(svc, tz(state), attribute_pairs(p), &mut errors);
    errors.into_result(())?;
    Ok(NewReport {
        description,
        lat,
        lng,
        address_string,
        address_id,
        attributes,
        media_url,
        reporter: Reporter::App {
            key_id,
            email,
            first_name,
            last_name,
            phone,
        },
        photo: None,
        locale: state.config.city.default_locale,
    })
}

/// The answers to a service's attributes, checked against its form; every error is
/// named `attribute[code]`.
pub fn attribute_answers(
    svc: &ReportService,
    tz: chrono_tz::Tz,
    pairs: Vec<(String, String)>,
    errors: &mut Errors,
) -> Value {
    let Some(form) = &svc.form else {
        return Value::Object(Map::new());
    };
    // Codes the service does not ask are ignored (an app may send what another city's
    // service asked); `false` is a boolean's no; a datetime counts by its day in the city.
    let mut kept = Vec::new();
    for (code, value) in pairs {
        let Some(f) = form.fields().iter().find(|f| f.name == code) else {
            continue;
        };
        match &f.kind {
            Kind::Boolean { .. } if value.trim().eq_ignore_ascii_case("false") => continue,
            Kind::Boolean { .. } if value.trim().eq_ignore_ascii_case("true") => {
                kept.push((code, "true".to_string()))
            }
            Kind::Date { .. } => {
                let day = parse_datetime(value.trim())
                    .map(|t| t.with_timezone(&tz).date_naive().to_string())
                    .unwrap_or(value);
                kept.push((code, day));
            }
            _ => kept.push((code, value)),
        }
    }
    let sent = Submitted::from_pairs(kept);
    match form.validate(&sent, Utc::now().date_naive()) {
        Ok(answers) => answers.data,
        Err(Invalid(fields)) => {
            for f in fields {
                let code = f.field.split('.').next().unwrap_or(&f.field).to_string();
                errors.add(format!("attribute[{code}]"), f.message);
            }
            Value::Object(Map::new())
        }
    }
}

async fn create(
    state: &AppState,
    req: &Request,
    format: Format,
    p: &Params,
) -> Result<Response, ReportError> {
    let key = service::check_key(ctx(state), p.get("api_key").unwrap_or("")).await?;
    let code = p
        .get("service_code")
        .ok_or_else(|| Invalid::field("service_code", msg!("v-report-required")))?;
    let svc = service::service(ctx(state), code.trim()).await?;
    let new = NewReport {
        // The app's language, as its request says, else the city's.
        locale: language(state, req),
        ..parse_post(state, &svc, key.id, p).await?
    };
    let account_id = p.get("account_id").map(|a| a.trim().to_string());
    // Each key creates at most POSTS_PER_MINUTE reports a minute.
    let window = std::time::Duration::from_secs(60);
    match state
        .store
        .incr_window(&format!("open311-post:{}", key.id), window)
        .await
    {
        Ok(n) if n > POSTS_PER_MINUTE => return Err(ReportError::RateLimited),
        Ok(_) => {}
        // The store is down: the key is valid, the post goes through.
        Err(e) => tracing::warn!(error = %e, "open311: the rate limit's store failed"),
    }
    let r = service::submit(ctx(state), &svc, new).await?;
    let _ = req;
    let node = Node::List(
        "request",
        vec![Node::Obj(vec![
            ("service_request_id", Node::text(r.id.to_string())),
            ("service_notice", Node::opt(r.service_notice.clone())),
            ("account_id", Node::opt(account_id)),
        ])],
    );
    Ok(answer(
        StatusCode::CREATED,
        format,
        "service_requests",
        &node,
    ))
}

async fn updates(state: &AppState, format: Format, p: &Params) -> Result<Response, ReportError> {
    // Without dates: the newest updates.
    let (from, to) = if p.get("start_date").is_none() && p.get("end_date").is_none() {
        (None, None)
    } else {
        range(state, p)?
    };
    let mut ids: Vec<Uuid> = Vec::new();
    for s in p.list("service_request_id")? {
        match Uuid::parse_str(&s) {
            Ok(u) => ids.push(u),
            Err(_) => return Err(Invalid::field("service_request_id", msg!("v-report-id")).into()),
        }
    }
    let rows = service::updates(
        ctx(state),
        (!ids.is_empty()).then_some(ids.as_slice()),
        from,
        to,
        true,
    )
    .await?;
    let node = Node::List(
        "request_update",
        rows.into_iter()
            .map(|u| {
                let st = State::parse(&u.state).unwrap_or(State::Open);
                Node::Obj(vec![
                    ("update_id", Node::text(u.id.to_string())),
                    ("service_request_id", Node::text(u.report_id.to_string())),
                    ("status", Node::text(st.fms())),
                    ("updated_datetime", Node::text(w3c(state, u.created_at))),
                    ("description", Node::text(u.description.unwrap_or_default())),
                    ("media_url", Node::Text(None)),
                ])
            })
            .collect(),
    );
    Ok(answer(
        StatusCode::OK,
        format,
        "service_request_updates",
        &node,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("a<b>&\"c' \u{0}\u{1b}x\ty\u{FFFF}"),
            "a&lt;b&gt;&amp;&quot;c&#x27; x\ty"
        );
        let n = Node::List(
            "request",
            vec![Node::Obj(vec![
                ("id", Node::text("1")),
                ("n", Node::Text(None)),
                ("lat", Node::Num(60.5)),
            ])],
        );
        assert_eq!(
            n.to_xml("service_requests"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><id>1</id><n/><lat>60.5</lat></request></service_requests>\n"
        );
        assert_eq!(
            n.to_json(),
            serde_json::json!([{"id": "1", "n": null, "lat": 60.5}])
        );
    }

    #[test]
    fn w3c_datetimes_with_or_without_seconds() {
        let t = |s: &str| parse_datetime(s).map(|t| t.to_rfc3339());
        let want = Some("2026-12-07T08:30:00+00:00".to_string());
        assert_eq!(t("2026-12-07T09:30:00+01:00"), want);
        assert_eq!(t("2026-12-07T09:30+01:00"), want);
        assert_eq!(t("2026-12-07T09:30 01:00"), want);
        assert_eq!(t("2026-12-07T08:30Z"), want);
        assert_eq!(t("2026-12-07T08:30:00.000Z"), want);
        assert_eq!(t("2026-12-07"), None);
        assert_eq!(t("yesterday"), None);
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(
            Format::split("requests.json"),
            Some(("requests", Format::Json))
        );
        assert_eq!(Format::split("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(Format::split("requests.html"), None);
        assert_eq!(Format::split("requests"), None);
    }
}
