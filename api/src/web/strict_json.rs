//! Strict JSON types at the edge. poem-openapi reads a number or a boolean sent where the
//! spec says text as that text (`{"name": false}` would name an organization "false"),
//! so every JSON body of the API is first checked against its operation's request
//! schema in the published spec: a value of another type than the schema names is
//! refused with 400 naming the field. Only types are judged here, and `null` stands for
//! an absent value; lengths, required fields and the rest stay with the handlers, which
//! say them in the caller's language.

use poem::http::Method;
use serde_json::Value;

use crate::core::problem::FieldError;

/// The request body schemas of the API's operations.
pub struct BodySchemas {
    operations: Vec<Operation>,
    /// The spec's `components` (what the schemas' references point into).
    components: Value,
    /// One validator for all operations: an object whose property `<n>` is the body
    /// schema of operation `n`, so that the components (and each pattern in them) are
    /// compiled once, not once per operation (that took tens of megabytes).
    validator: Option<jsonschema::Validator>,
}

struct Operation {
    method: Method,
    /// The path's segments; `None` for a parameter (`{id}`).
    segments: Vec<Option<String>>,
    /// The operation's property in the validator's schema.
    key: String,
    /// The body's schema as the spec writes it (for [`BodySchemas::declares`]).
    schema: Value,
}

/// One step into a JSON document: an object's key or an array's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl BodySchemas {
    /// The schemas of the JSON request bodies in `spec` (an OpenAPI 3.0 document whose
    /// schemas refer to `#/components/schemas`).
    pub fn from_spec(spec: &Value) -> BodySchemas {
        let mut components = spec.get("components").cloned().unwrap_or(Value::Null);
        without_null_branches(&mut components);
        without_text_patterns(&mut components);
        // OpenAPI 3.1's schemas are JSON Schema 2020-12; 3.0's are close to draft 4.
        let draft = match spec.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0") => jsonschema::Draft::Draft4,
            _ => jsonschema::Draft::Draft202012,
        };
        let mut operations = Vec::new();
        let mut bodies = serde_json::Map::new();
        for (path, item) in spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                let Some(content) = op
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                let Some(schema) = content
                    .iter()
                    .find(|(kind, _)| kind.starts_with("application/json"))
                    .and_then(|(_, c)| c.get("schema"))
                else {
                    continue;
                };
                let mut schema = schema.clone();
                without_null_branches(&mut schema);
                without_text_patterns(&mut schema);
                let key = operations.len().to_string();
                bodies.insert(key.clone(), schema.clone());
                let segments = path
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                    .collect();
                operations.push(Operation {
                    method,
                    segments,
                    key,
                    schema,
                });
            }
        }
        // The bodies' schemas with the components their references point into.
        let root = serde_json::json!({
            "components": components,
            "type": "object",
            "properties": bodies,
        });
        let validator = match jsonschema::options().with_draft(draft).build(&root) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::error!(error = %e, "the request schemas of the spec do not compile");
                None
            }
        };
        BodySchemas {
            operations,
            components,
            validator,
        }
    }

    /// Whether the operation of `method` on `path` reads the value at `steps` of its
    /// body: a property its schema names, an item of an array it names, anything inside
    /// a map or a free-form object. An unknown field of an object with named properties
    /// is not read (the schemas admit and the handlers ignore such fields); an operation
    /// without a body schema is taken to read everything.
    pub fn declares(&self, method: &Method, path: &str, steps: &[Step]) -> bool {
        match self.find(method, path) {
            Some(op) => self.reads(&op.schema, steps, 0),
            None => true,
        }
    }

    fn reads(&self, schema: &Value, steps: &[Step], depth: usize) -> bool {
        let Some((first, rest)) = steps.split_first() else {
            return true;
        };
        // References (and a cycle of them) followed a bounded number of times.
        if depth > 64 {
            return true;
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            return match target
                .strip_prefix("#/components/")
                .and_then(|p| self.components.pointer(&format!("/{p}")))
            {
                Some(s) => self.reads(s, steps, depth + 1),
                None => true,
            };
        }
        let mut composed = false;
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(members) = schema.get(key).and_then(Value::as_array) {
                composed = true;
                if members.iter().any(|m| self.reads(m, steps, depth + 1)) {
                    return true;
                }
            }
        }
        match first {
            Step::Key(k) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                if let Some(p) = properties.and_then(|p| p.get(k)) {
                    return self.reads(p, rest, depth + 1);
                }
                match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => false,
                    Some(more @ Value::Object(_)) => self.reads(more, rest, depth + 1),
                    _ => properties.is_none() && !composed,
                }
            }
            Step::Index(_) => match schema.get("items") {
                Some(items) => self.reads(items, rest, depth + 1),
                None => !composed,
            },
        }
    }

    /// Whether the operation of `method` on `path` has a JSON body schema in the document
    /// (a partner's signed webhook, for one, has none: its bytes are its signature's).
    pub fn describes(&self, method: &Method, path: &str) -> bool {
        self.find(method, path).is_some()
    }

    /// How many operations have a JSON body schema.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The operation of `method` on `path`: of those whose template matches, the one
    /// with the most literal segments (`/listings/search` before `/listings/{id}`).
    fn find(&self, method: &Method, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|o| o.method == *method && o.segments.len() == parts.len())
            .filter(|o| {
                o.segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
            })
            .max_by_key(|o| o.segments.iter().filter(|s| s.is_some()).count())
    }

    /// The fields of `body` whose value is of another type than the schema of the
    /// operation names (none for an operation without a JSON body schema).
    pub fn type_errors(&self, method: &Method, path: &str, body: &Value) -> Vec<FieldError> {
        self.judge(method, path, &mut body.clone()).0
    }

    /// The type errors of `body` (see [`BodySchemas::type_errors`]) and, apart, the
    /// fields whose value is of the right type but breaks a constraint of the operation's
    /// schema: a length, a pattern, a range, an enumeration, the number of items, a
    /// property the schema does not allow. Required properties and formats are left to
    /// the handler (which reads them), and so is anything the schema cannot say. Each
    /// field once; the schema is run over the body once for both. `body` is left as it
    /// was.
    pub fn judge(
        &self,
        method: &Method,
        path: &str,
        body: &mut Value,
    ) -> (Vec<FieldError>, Vec<FieldError>) {
        use jsonschema::error::ValidationErrorKind as K;
        let (Some(op), Some(validator)) = (self.find(method, path), &self.validator) else {
            return (Vec::new(), Vec::new());
        };
        let mut types: Vec<FieldError> = Vec::new();
        let mut others: Vec<FieldError> = Vec::new();
        // The body goes into the validator's object for the run and comes back after it
        // (moved, not copied: a body can be megabytes).
        let wrapped = Value::Object(serde_json::Map::from_iter([(
            op.key.clone(),
            std::mem::take(body),
        )]));
        for e in validator.iter_errors(&wrapped) {
            if e.instance().is_null() {
                continue;
            }
            // The first step is the operation's property.
            let field = crate::core::validate::json_path(e.instance_path().iter().skip(1));
            let (list, field, message) = match e.kind() {
                K::Type { kind } => {
                    let expected = match kind {
                        jsonschema::error::TypeKind::Single(t) => t.to_string(),
                        jsonschema::error::TypeKind::Multiple(ts) => ts
                            .iter()
                            .map(|t| t.to_string())
                            .filter(|t| t != "null")
                            .collect::<Vec<_>>()
                            .join(" or "),
                    };
                    let message = format!("must be {} {expected}", article(&expected));
                    (&mut types, field, message)
                }
                K::MinLength { limit } => {
                    (&mut others, field, plural(*limit, "at least", "character"))
                }
                K::MaxLength { limit } => {
                    (&mut others, field, plural(*limit, "at most", "character"))
                }
                K::MinItems { limit } => (&mut others, field, plural(*limit, "at least", "item")),
                K::MaxItems { limit } => (&mut others, field, plural(*limit, "at most", "item")),
                K::Minimum { limit } => (&mut others, field, format!("must be at least {limit}")),
                K::Maximum { limit } => (&mut others, field, format!("must be at most {limit}")),
                K::ExclusiveMinimum { limit } => {
                    (&mut others, field, format!("must be more than {limit}"))
                }
                K::ExclusiveMaximum { limit } => {
                    (&mut others, field, format!("must be less than {limit}"))
                }
                K::Pattern { pattern } => (&mut others, field, pattern_meaning(pattern).into()),
                K::Enum { options } => {
                    let names: Vec<String> = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|o| !o.is_null())
                        .map(|o| o.to_string())
                        .collect();
                    (
                        &mut others,
                        field,
                        format!("must be one of {}", names.join(", ")),
                    )
                }
                K::Constant { expected_value } => {
                    (&mut others, field, format!("must be {expected_value}"))
                }
                K::UniqueItems => (&mut others, field, "must not repeat an item".to_string()),
                K::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        let named = if field.is_empty() {
                            key.clone()
                        } else {
                            format!("{field}.{key}")
                        };
                        if !others.iter().any(|f| f.field == named) {
                            others.push(FieldError {
                                field: named,
                                message: "is not a field of this request".into(),
                            });
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if !list.iter().any(|f| f.field == field) {
                list.push(FieldError { field, message });
            }
        }
        if let Value::Object(mut map) = wrapped {
            *body = map.remove(&op.key).unwrap_or_default();
        }
        (types, others)
    }
}

/// What a value breaking `pattern` is told. The document's patterns come in a few
/// kinds: those `web::spec_patterns` adds (text without control characters, dates and
/// date-times), an email address, a line of text whose length is counted without the spaces at
/// either end, and lists of words.
fn pattern_meaning(pattern: &str) -> &'static str {
    if let Some(meaning) = crate::web::spec_patterns::meaning(pattern) {
        meaning
    } else if pattern.contains('@') {
        "must be an email address"
    } else if pattern.contains("{0,") || pattern.contains("{1,") {
        "has too few or too many characters (spaces at either end not counted), or control characters"
    } else if pattern.contains(r"\u0000-") {
        "must not contain control characters"
    } else {
        "must have the form the API document gives (its pattern)"
    }
}

/// `must be at least 10 characters`, `must have at most 1 item`.
fn plural(n: u64, bound: &str, unit: &str) -> String {
    let verb = if unit == "item" { "have" } else { "be" };
    let s = if n == 1 { "" } else { "s" };
    format!("must {verb} {bound} {n} {unit}{s}")
}

/// The schemas without the document's patterns of text without control characters
/// (`web::spec_patterns::is_text_pattern`), also on the keys of maps: the edge's scan
/// of the body refuses those characters in what the operation reads, in the same
/// words, and a compiled pattern at each of the hundreds of places the document puts
/// one took megabytes.
fn without_text_patterns(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map
                .get("pattern")
                .and_then(Value::as_str)
                .is_some_and(crate::web::spec_patterns::is_text_pattern)
            {
                map.remove("pattern");
            }
            if map
                .get("propertyNames")
                .and_then(|p| p.get("pattern"))
                .and_then(Value::as_str)
                .is_some_and(crate::web::spec_patterns::is_text_pattern)
            {
                map.remove("propertyNames");
            }
            map.values_mut().for_each(without_text_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(without_text_patterns),
        _ => {}
    }
}

/// An `anyOf` or `oneOf` of one schema and `{"type": "null"}` (how OpenAPI 3.1 writes
/// an optional reference) as that one schema: `null` is never judged here, and wrong
/// types inside the value are then named instead of failing the whole branch.
fn without_null_branches(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf"] {
                let only = map.get(key).and_then(Value::as_array).and_then(|items| {
                    let rest: Vec<&Value> = items
                        .iter()
                        .filter(|i| i.get("type").and_then(Value::as_str) != Some("null"))
                        .collect();
                    (items.len() == 2 && rest.len() == 1).then(|| rest[0].clone())
                });
                if let Some(Value::Object(one)) = only {
                    map.remove(key);
                    for (k, v) in one {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            map.values_mut().for_each(without_null_branches);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null_branches),
        _ => {}
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> BodySchemas {
        BodySchemas::from_spec(&serde_json::json!({
            "openapi": "3.0.0",
            "paths": {
                "/api/v1/things": {"post": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
                "/api/v1/things/{id}": {"put": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}},
                "/api/v1/things/special": {"put": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"type": "string"}}}}}}}}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "properties": {
                    "name": {"type": "string", "maxLength": 3},
                    "count": {"type": "integer"},
                    "open": {"type": "boolean"},
                    "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}, {"description": "x"}]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "inner": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}], "description": "x"}
                }},
                "Inner": {"type": "object", "properties": {"n": {"type": ["integer", "null"]}}},
                "Kind": {"type": "string", "enum": ["a", "b"]}
            }}
        }))
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        let mut f: Vec<String> = errors.into_iter().map(|e| e.field).collect();
        f.sort();
        f
    }

    #[test]
    fn values_of_another_type_are_named_and_nothing_else() {
        let s = schemas();
        let post = |v: Value| fields(s.type_errors(&Method::POST, "/api/v1/things", &v));
        assert!(post(serde_json::json!({"name": "toolong", "count": 1, "open": true, "kind": "z", "tags": ["x"]})).is_empty());
        assert!(post(serde_json::json!({"name": null, "count": null})).is_empty());
        assert_eq!(post(serde_json::json!({"name": false})), ["name"]);
        assert_eq!(
            post(serde_json::json!({"name": 1, "count": "1"})),
            ["count", "name"]
        );
        assert_eq!(
            post(serde_json::json!({"open": "true", "kind": 1})),
            ["kind", "open"]
        );
        assert_eq!(post(serde_json::json!({"tags": ["a", 2]})), ["tags[1]"]);
        // Inside an optional reference (OpenAPI 3.1's anyOf with null).
        assert_eq!(post(serde_json::json!({"inner": {"n": "1"}})), ["inner.n"]);
        assert!(post(serde_json::json!({"inner": null})).is_empty());
        assert!(post(serde_json::json!({"inner": {"n": null}})).is_empty());
        assert_eq!(post(serde_json::json!([1])), [""]);
        let e = s.type_errors(
            &Method::POST,
            "/api/v1/things",
            &serde_json::json!({"count": "1"}),
        );
        assert_eq!(e[0].message, "must be an integer");
    }

    #[test]
    fn only_the_fields_an_operation_reads_are_declared() {
        let s = schemas();
        let key = |k: &str| Step::Key(k.to_string());
        let reads = |steps: &[Step]| s.declares(&Method::POST, "/api/v1/things", steps);
        assert!(reads(&[]));
        assert!(reads(&[key("name")]));
        assert!(reads(&[key("tags"), Step::Index(3)]));
        assert!(reads(&[key("inner"), key("n")]));
        assert!(reads(&[key("kind")]));
        // Unknown fields, at the top and inside a referenced object.
        assert!(!reads(&[key("nme")]));
        assert!(!reads(&[key("nme"), key("x")]));
        assert!(!reads(&[key("inner"), key("m")]));
        // A map and a free-form object read whatever they hold.
        let maps = BodySchemas::from_spec(&serde_json::json!({
            "openapi": "3.1.0",
            "paths": {"/m": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "names": {"type": "object", "additionalProperties": {"type": "string"}},
                    "answers": {"type": "object"},
                    "strict": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}
                }
            }}}}}}}
        }));
        let m = |steps: &[Step]| maps.declares(&Method::POST, "/m", steps);
        assert!(m(&[key("names"), key("de")]));
        assert!(m(&[key("answers"), key("anything"), Step::Index(0)]));
        assert!(m(&[key("strict"), key("a")]));
        assert!(!m(&[key("strict"), key("b")]));
        // An operation without a body schema reads everything.
        assert!(s.declares(&Method::PATCH, "/api/v1/things", &[key("x")]));
    }

    #[test]
    fn the_operation_is_found_by_method_and_path() {
        let s = schemas();
        assert!(s.describes(&Method::PUT, "/api/v1/things/7"));
        assert!(!s.describes(&Method::POST, "/api/v1/partner-webhooks/7"));
        let n = serde_json::json!({"n": "1"});
        assert_eq!(
            fields(s.type_errors(&Method::PUT, "/api/v1/things/42", &n)),
            ["n"]
        );
        // A literal segment wins over a parameter.
        assert!(s
            .type_errors(&Method::PUT, "/api/v1/things/special", &n)
            .is_empty());
        assert!(s
            .type_errors(&Method::POST, "/api/v1/things/42", &n)
            .is_empty());
        assert!(s
            .type_errors(&Method::PUT, "/api/v1/other/42", &n)
            .is_empty());
    }
}
