//! The patterns the published documents give strings, saying what the edge
//! (`web::edge`, `web::strict_json`) refuses: control characters in text and in the keys
//! of maps, and the form of a date-time (tools take `format` as a mere annotation).

/// A string of a JSON body: no control characters but tab and line breaks (`web::edge`).
const BODY_TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// An RFC 3339 full date (`format: date` says the same, but tools take formats as
/// annotations and would send an empty string).
const DATE: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// An RFC 3339 date-time (seconds 00-59; the server also takes a leap second).
const DATE_TIME: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
/// A local date-time without an offset (`2026-12-01T18:00:00`; poem's format
/// `naive-date-time`, which no tool knows).
const LOCAL_DATE_TIME: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$";
/// A UUID as the API writes it (`format: uuid` is an annotation to tools; the server
/// also reads the other forms the `uuid` crate knows).
const UUID: &str = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";
/// A query parameter: no control characters at all (`web::edge`).
const PARAMETER_TEXT: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// Whether `pattern` is the document's pattern of text without control characters
/// ([`BODY_TEXT`], [`PARAMETER_TEXT`]): what the edge's own scan of a body refuses.
pub fn is_text_pattern(pattern: &str) -> bool {
    pattern == BODY_TEXT || pattern == PARAMETER_TEXT
}

/// What a value breaking one of these patterns is told, or `None` for a pattern of
/// an operation's own.
pub fn meaning(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        BODY_TEXT | PARAMETER_TEXT => "must not contain control characters",
        DATE => "must be a date as RFC 3339 writes it, e.g. 2026-12-24",
        UUID => "must be a UUID, e.g. 0192f1c4-7a3e-7b12-9c55-3f0d2e8a4b61",
        DATE_TIME => "must be a date-time as RFC 3339 writes it, e.g. 2026-12-24T09:00:00Z",
        LOCAL_DATE_TIME => "must be a local date-time, e.g. 2026-12-24T09:00:00",
        _ => return None,
    })
}

/// A string without an enumeration or a pattern of its own, and without a format that
/// fixes its characters (a date, a UUID; a URL or an email address can hold anything).
fn free_text(schema: &serde_json::Value) -> bool {
    let open_format = schema
        .get("format")
        .and_then(serde_json::Value::as_str)
        .is_none_or(|f| matches!(f, "uri" | "url" | "email" | "hostname" | "idn-email"));
    schema["type"] == "string"
        && open_format
        && schema.get("enum").is_none()
        && schema.get("pattern").is_none()
}

/// An object that takes keys it does not name (a map, a free-form object).
fn takes_any_keys(o: &serde_json::Map<String, serde_json::Value>) -> bool {
    o.get("type").and_then(serde_json::Value::as_str) == Some("object")
        && o.get("additionalProperties") != Some(&serde_json::Value::Bool(false))
        && (o.get("properties").is_none() || o.get("additionalProperties").is_some())
        && o.get("propertyNames").is_none()
}

/// Gives every free-text string of the schemas in `v` the pattern of a JSON body's text
/// ([`BODY_TEXT`]), and the keys of every map the pattern of a line ([`PARAMETER_TEXT`]):
/// the edge refuses control characters in what an operation reads. Dates, date-times
/// and UUIDs get the pattern of their form.
pub fn body_text_patterns(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            if free_text(&serde_json::Value::Object(o.clone())) {
                o.insert("pattern".into(), BODY_TEXT.into());
            }
            let is_string = o.get("type").is_some_and(|t| {
                t == "string" || t.as_array().is_some_and(|a| a.contains(&"string".into()))
            });
            let form = match o.get("format").and_then(serde_json::Value::as_str) {
                // poem's name for a `chrono::NaiveDate`, before `openapi-tidy` says `date`.
                Some("date" | "naive-date") => Some(DATE),
                Some("date-time") => Some(DATE_TIME),
                Some("naive-date-time") => Some(LOCAL_DATE_TIME),
                Some("uuid") => Some(UUID),
                _ => None,
            };
            if let Some(form) = form.filter(|_| is_string && o.get("pattern").is_none()) {
                o.insert("pattern".into(), form.into());
            }
            if takes_any_keys(o) {
                o.insert(
                    "propertyNames".into(),
                    serde_json::json!({ "pattern": PARAMETER_TEXT }),
                );
            }
            o.values_mut().for_each(body_text_patterns);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(body_text_patterns),
        _ => {}
    }
}

/// Says in the document what the server refuses: control characters in the strings of
/// JSON bodies and in query parameters (`web::edge`), and dates, date-times and UUIDs of
/// another form, in bodies and parameters. Strings with an enumeration or a pattern of
/// their own are left as they are.
pub fn string_patterns(doc: &mut serde_json::Value) {
    body_text_patterns(&mut doc["components"]["schemas"]);
    for op in operations_mut(doc) {
        if let Some(body) = op.get_mut("requestBody") {
            body_text_patterns(body);
        }
        for p in op
            .get_mut("parameters")
            .and_then(|p| p.as_array_mut())
            .into_iter()
            .flatten()
        {
            if p["in"] == "query" && free_text(&p["schema"]) {
                p["schema"]["pattern"] = PARAMETER_TEXT.into();
            }
            if p["schema"]["format"] == "uuid" && p["schema"].get("pattern").is_none() {
                p["schema"]["pattern"] = UUID.into();
            }
        }
    }
}

/// Every operation of a document's `paths` (and the path items' other entries, such as
/// `parameters`, which have no `operationId` or `requestBody`).
pub fn operations_mut(doc: &mut serde_json::Value) -> impl Iterator<Item = &mut serde_json::Value> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|o| o.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|o| o.values_mut())
}
