//! Makes the OpenAPI documents poem-openapi generates plain OpenAPI 3.1 that linters
//! (Redocly's recommended rules), client generators (openapi-python-client) and
//! property-based testers (schemathesis) read as the server means them.
//!
//! poem-openapi cannot say some things, so the published documents pass through
//! [`tidy`]:
//!
//! * a `$ref` with a description is written `{"allOf": [{"$ref"}, {"description"}]}`,
//!   which generators take for a composition (and fail on for enums); OpenAPI 3.1
//!   allows `description` beside `$ref`, so the wrapper goes;
//! * an optional property (an `Option` or a field with a default) is answered as
//!   `null` when absent and accepts `null`, which the document should say;
//! * a public operation has no `security` at all (or `null`), where the rules want an
//!   explicit empty list;
//! * `servers` is empty and `info.license` missing;
//! * a `chrono::NaiveDate` has the format `naive-date`, which no tool knows; it is
//!   JSON Schema's `date` (RFC 3339 `full-date`, `2026-12-24`), which is what it reads
//!   and writes;
//! * an integer's format names its Rust type (`uint32`) but not its range, so a tool
//!   sends `-1`; the range is added as `minimum` and `maximum`, and poem's own bounds
//!   on integers (`1.0`) are written as integers.

use serde_json::{json, Map, Value};

/// What [`tidy`] fills in besides the fixes every document gets.
pub struct Tidy {
    /// The document's `servers`.
    pub servers: Value,
    /// Mark every optional property of every object schema as nullable: right where
    /// the server (poem-openapi) writes `null` for an absent value and reads `null` as
    /// absent.
    pub nullable_optionals: bool,
}

/// The license of the published documents: the project's.
pub const LICENSE: &str = "AGPL-3.0-or-later";

/// Tidies `doc` in place (see the crate's documentation). Applying it twice changes
/// nothing more.
pub fn tidy(doc: &mut Value, options: &Tidy) {
    doc["openapi"] = "3.1.0".into();
    doc["servers"] = options.servers.clone();
    if doc["info"].get("license").is_none() {
        doc["info"]["license"] = json!({ "name": LICENSE, "identifier": LICENSE });
    }
    for section in ["paths", "webhooks"] {
        for item in doc
            .get_mut(section)
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            for (method, op) in item.as_object_mut().into_iter().flatten() {
                if !is_method(method) {
                    continue;
                }
                if op.get("security").is_none_or(Value::is_null) {
                    op["security"] = json!([]);
                }
            }
        }
    }
    schemas(doc, options.nullable_optionals);
}

/// The range of a Rust integer type, by the format poem-openapi gives it.
fn format_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// An integer whose format is a Rust type says the type's range, unless it has a
/// narrower one: the server cannot read a number outside it (`-1` as a `u32`), which
/// formats alone do not tell tools.
fn integer_bounds(o: &mut Map<String, Value>) {
    // poem-openapi writes a validator's bound as a float (`1.0`): an integer's bound is
    // an integer.
    let is_integer = o.get("type").is_some_and(|t| {
        t == "integer" || t.as_array().is_some_and(|a| a.contains(&"integer".into()))
    });
    for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(f) = o
            .get(key)
            .and_then(Value::as_f64)
            .filter(|f| f.fract() == 0.0)
        {
            if is_integer && o[key].is_f64() && f.abs() < 9.0e15 {
                o.insert(key.into(), (f as i64).into());
            }
        }
    }
    let Some((min, max)) = o
        .get("format")
        .and_then(Value::as_str)
        .and_then(format_range)
    else {
        return;
    };
    for (key, bound) in [("minimum", min), ("maximum", max)] {
        if o.get(key).is_none() {
            let n = i64::try_from(bound)
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(bound as u64));
            o.insert(key.into(), n);
        }
    }
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// Walks the whole document, children first, so that a property's schema is tidy
/// before its object looks at it.
fn schemas(v: &mut Value, nullable: bool) {
    match v {
        Value::Object(o) => {
            for child in o.values_mut() {
                schemas(child, nullable);
            }
            unwrap_all_of(o);
            if o.get("format").and_then(Value::as_str) == Some("naive-date") {
                o.insert("format".into(), "date".into());
            }
            integer_bounds(o);
            if nullable && is_object_schema(o) {
                let required: Vec<String> = o
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                if let Some(Value::Object(props)) = o.get_mut("properties") {
                    for (name, schema) in props.iter_mut() {
                        if !required.contains(name) {
                            make_nullable(schema);
                        }
                    }
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| schemas(x, nullable)),
        _ => {}
    }
}

fn is_object_schema(o: &Map<String, Value>) -> bool {
    o.get("type").and_then(Value::as_str) == Some("object")
        && o.get("properties").is_some_and(Value::is_object)
}

/// Keys that only annotate a schema and may stand beside a `$ref` in OpenAPI 3.1.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "default",
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
];

/// `{"allOf": [{"$ref": X}, {"description": D}], ...}` becomes `{"$ref": X,
/// "description": D, ...}` when the other parts only annotate.
fn unwrap_all_of(o: &mut Map<String, Value>) {
    let Some(Value::Array(parts)) = o.get("allOf") else {
        return;
    };
    let refs: Vec<&Value> = parts.iter().filter(|p| p.get("$ref").is_some()).collect();
    if refs.len() != 1 || refs[0].as_object().is_some_and(|r| r.len() != 1) {
        return;
    }
    let only_annotations = parts.iter().filter(|p| p.get("$ref").is_none()).all(|p| {
        p.as_object()
            .is_some_and(|p| p.keys().all(|k| ANNOTATIONS.contains(&k.as_str())))
    });
    if !only_annotations {
        return;
    }
    let Some(Value::Array(parts)) = o.remove("allOf") else {
        return;
    };
    for part in parts {
        for (k, v) in part.as_object().cloned().unwrap_or_default() {
            o.entry(k).or_insert(v);
        }
    }
}

/// Lets `schema` be `null` as well.
fn make_nullable(schema: &mut Value) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    let null_type = json!({"type": "null"});
    if let Some(r) = o.remove("$ref") {
        o.insert("anyOf".into(), json!([{ "$ref": r }, null_type]));
        // An object written out as the default of a union is more than generators take
        // (openapi-python-client drops the whole schema); absent means the server's
        // default all the same.
        if o.get("default")
            .is_some_and(|d| d.is_object() || d.is_array())
        {
            o.remove("default");
        }
        return;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = o.get_mut(key) {
            if !parts.contains(&null_type) {
                parts.push(null_type);
            }
            return;
        }
    }
    match o.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            o.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push("null".into());
            }
        }
        // Any value (`{}`) already takes `null`.
        _ => return,
    }
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Tidy {
        Tidy {
            servers: json!([{"url": "/"}]),
            nullable_optionals: true,
        }
    }

    #[test]
    fn integers_say_the_range_of_their_type() {
        let mut doc = json!({"components": {"schemas": {"X": {"type": "object", "properties": {
            "seats": {"type": "integer", "format": "uint32"},
            "days": {"type": "integer", "format": "uint32", "minimum": 1.0, "maximum": 365.0},
            "share": {"type": "number", "format": "double", "maximum": 1.0},
            "offset": {"type": "integer", "format": "int32"},
            "size": {"type": "integer", "format": "uint64"},
            "lat": {"type": "number", "format": "double"},
        }, "required": ["seats", "days", "offset", "size", "lat"]}}}});
        tidy(&mut doc, &options());
        let p = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(p["seats"]["minimum"], 0);
        assert_eq!(p["seats"]["maximum"], 4_294_967_295_u64);
        assert!(p["days"]["minimum"].is_i64() && p["days"]["maximum"].is_i64());
        assert_eq!(p["days"]["minimum"], 1);
        assert_eq!(p["days"]["maximum"], 365);
        assert!(p["share"]["maximum"].is_f64());
        assert_eq!(p["offset"]["minimum"], i32::MIN);
        assert_eq!(p["offset"]["maximum"], i32::MAX);
        assert_eq!(p["size"]["maximum"], u64::MAX);
        assert!(p["lat"].get("minimum").is_none());
    }

    #[test]
    fn a_described_ref_loses_its_all_of_and_optionals_take_null() {
        let mut doc = json!({
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {
                "parameters": [],
                "get": {"responses": {}, "security": null},
                "post": {"responses": {}, "security": [{"X": []}]}
            }},
            "components": {"schemas": {"A": {
                "type": "object",
                "required": ["kind"],
                "properties": {
                    "kind": {"allOf": [{"$ref": "#/components/schemas/K"},
                                       {"description": "The kind."}],
                             "description": "The kind."},
                    "parent": {"allOf": [{"$ref": "#/components/schemas/K"},
                                         {"description": "Its parent."}],
                               "description": "Its parent."},
                    "name": {"type": "string", "maxLength": 5},
                    "day": {"type": "string", "format": "naive-date"},
                    "colour": {"type": "string", "enum": ["red"]},
                    "both": {"allOf": [{"$ref": "#/components/schemas/K"},
                                       {"$ref": "#/components/schemas/L"}]}
                }
            }}}
        });
        tidy(&mut doc, &options());
        let once = doc.clone();
        tidy(&mut doc, &options());
        assert_eq!(doc, once, "tidying twice changes nothing more");
        let props = &doc["components"]["schemas"]["A"]["properties"];
        assert_eq!(
            props["kind"],
            json!({"$ref": "#/components/schemas/K", "description": "The kind."})
        );
        assert_eq!(
            props["parent"],
            json!({"anyOf": [{"$ref": "#/components/schemas/K"}, {"type": "null"}],
                   "description": "Its parent."})
        );
        assert_eq!(
            props["name"],
            json!({"type": ["string", "null"], "maxLength": 5})
        );
        assert_eq!(props["colour"]["enum"], json!(["red", null]));
        assert_eq!(props["day"]["format"], "date");
        // A real composition stays one.
        assert_eq!(props["both"]["allOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([]));
        assert_eq!(doc["paths"]["/a"]["post"]["security"], json!([{"X": []}]));
        assert_eq!(doc["paths"]["/a"]["parameters"], json!([]));
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["license"]["identifier"], LICENSE);
        assert_eq!(doc["servers"], json!([{"url": "/"}]));
        assert!(doc.get("webhooks").is_none());
    }
}
