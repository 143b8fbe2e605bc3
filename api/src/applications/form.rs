//! A module's application form: a strict subset of JSON Schema (draft 2020-12) with the
//! portal's `x-` keywords for labels, help, files, addresses and field order, as
//! documented in `openapi/module-form-subset.md`.
//!
//! [`FormSpec::parse`] refuses anything outside the subset, naming the JSON path of each
//! problem; [`FormSpec::validate`] turns what a resident sent into answers that conform
//! to the module's schema (checked again with the `jsonschema` crate) or one error per
//! field; [`FormView`] is what the `application_form.html` partial renders.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::applications::upload::{self, FileType, Upload};
use crate::core::email::Email;
use crate::core::error::{FieldMessage, Invalid};
use crate::core::i18n::I18n;
use crate::core::locale::Locale;
use crate::core::message::Message;
use crate::core::validate::{has_control_chars, is_http_url, is_valid_phone, Errors};
use crate::msg;

/// The only JSON Schema dialect a form may declare.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// At most this many fields in one form.
pub const MAX_FIELDS: usize = 50;
/// The longest single-line text a form may allow, and its default.
pub const MAX_LINE: u64 = 1000;
const DEFAULT_LINE: u64 = 200;
/// The longest multi-line text a form may allow, and its default.
pub const MAX_MULTILINE: u64 = 10_000;
const DEFAULT_MULTILINE: u64 = 4000;
/// The largest file a form may accept (20 MiB).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The most options of a choice.
pub const MAX_OPTIONS: usize = 100;
/// The longest `pattern`.
const MAX_PATTERN: usize = 500;
/// Up to this many options show as radio buttons; more as a drop-down list.
const MAX_RADIOS: usize = 6;
/// Names a form may not use: the page's own fields.
const RESERVED: &[&str] = &["csrf", "lang", "intent", "action", "next"];
/// Integers are kept within what a JSON number carries exactly everywhere (2^53).
const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// A text in both portal languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Text {
    pub de: String,
    pub en: String,
}

impl Text {
    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::De => &self.de,
            Locale::En => &self.en,
        }
    }
}

/// One field of a form.
#[derive(Clone, Debug)]
pub struct Field {
    /// The property name: the key in the answers and the form field's name.
    pub name: String,
    pub label: Text,
    pub help: Option<Text>,
    pub required: bool,
    pub kind: Kind,
}

/// What a field asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `type: string`, on one line or several (`x-multiline`).
    Text {
        multiline: bool,
        min_length: Option<u64>,
        max_length: u64,
        pattern: Option<String>,
        format: Option<TextFormat>,
    },
    /// `type: integer` or `type: number`.
    Number {
        integer: bool,
        minimum: Option<f64>,
        maximum: Option<f64>,
    },
    /// `type: string` with `enum` and `x-enum-labels`.
    Choice { options: Vec<(String, Text)> },
    /// `type: boolean`; `const: true` when it must be ticked ("I confirm ...").
    Boolean { must_confirm: bool },
    /// `type: string, format: date`, optionally within `x-min-date`/`x-max-date`.
    Date {
        min: Option<DateBound>,
        max: Option<DateBound>,
    },
    /// `type: object, x-address: true`: street, postcode and city.
    Address,
    /// `type: string, x-file: {max_bytes, content_types}`: the answer is the attachment's id.
    File {
        max_bytes: u64,
        content_types: Vec<FileType>,
    },
}

/// The `format` of a one-line text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    Email,
    Tel,
    Uri,
}

/// A bound of a date field: a fixed day, or a number of days from the day of submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateBound {
    Fixed(NaiveDate),
    FromToday(i64),
}

impl DateBound {
    fn parse(s: &str) -> Option<DateBound> {
        if let Some(rest) = s.strip_prefix("today") {
            if rest.is_empty() {
                return Some(DateBound::FromToday(0));
            }
            let (sign, digits) = match (rest.strip_prefix('+'), rest.strip_prefix('-')) {
                (Some(d), _) => (1, d),
                (_, Some(d)) => (-1, d),
                _ => return None,
            };
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let n: i64 = digits.parse().ok()?;
            return Some(DateBound::FromToday(sign * n));
        }
        parse_date(s).map(DateBound::Fixed)
    }

    /// The day this bound names when the form is sent on `today`.
    pub fn on(self, today: NaiveDate) -> NaiveDate {
        match self {
            DateBound::Fixed(d) => d,
            DateBound::FromToday(n) => today
                .checked_add_signed(chrono::Duration::days(n))
                .unwrap_or(today),
        }
    }
}

/// The parts of an address field, in the order they are asked.
pub const ADDRESS_PARTS: [&str; 3] = ["street", "postcode", "city"];

/// What is wrong with a module's form, at a JSON path (JSON Pointer, RFC 6901).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaError {
    /// Where, e.g. `/properties/plate/maxLength`.
    pub pointer: String,
    pub message: Message,
}

/// A parsed form: its fields in order, and the module's schema to check answers against.
#[derive(Debug)]
pub struct FormSpec {
    fields: Vec<Field>,
    schema: Value,
    validator: jsonschema::Validator,
    field_validators: HashMap<String, jsonschema::Validator>,
}

/// A file the resident attached, checked and named safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The id the answers name the file by.
    pub id: uuid::Uuid,
    /// The field it was attached to.
    pub field: String,
    /// A display name without any path, control characters or odd punctuation.
    pub file_name: String,
    /// What its bytes are (sniffed, not what the browser claimed).
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// A resident's answers: JSON that conforms to the module's schema, and the files it names.
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    pub data: Value,
    pub attachments: Vec<Attachment>,
}

/// What a resident sent: texts by form field name, files by field name, and the fields
/// whose value was too large to read.
#[derive(Clone, Debug, Default)]
pub struct Submitted {
    texts: HashMap<String, String>,
    files: HashMap<String, Upload>,
    oversize: HashSet<String>,
    /// Per file field, the name of the draft's file this form keeps unless another is
    /// chosen (when a resident changes their answers).
    kept: HashMap<String, String>,
}

impl Submitted {
    /// The pairs of an urlencoded form (or a prefill); the first value of a name counts.
    pub fn from_pairs<I, K, V>(pairs: I) -> Submitted
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut s = Submitted::default();
        for (k, v) in pairs {
            s.texts.entry(k.into()).or_insert_with(|| v.into());
        }
        s
    }

    /// Sets a text value unless the name already has one.
    pub fn add_text(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.texts
            .entry(name.into())
            .or_insert_with(|| value.into());
    }

    /// Adds a file unless the name already has one.
    pub fn add_file(&mut self, name: impl Into<String>, file: Upload) {
        self.files.entry(name.into()).or_insert(file);
    }

    /// Marks a field whose value was larger than the portal reads.
    pub fn add_oversize(&mut self, name: impl Into<String>) {
        self.oversize.insert(name.into());
    }

    /// The text sent under `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// The file sent under `name`.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.get(name)
    }

    fn is_oversize(&self, name: &str) -> bool {
        self.oversize.contains(name)
    }

    /// Keeps the draft's file `file_name` for the file field `name` unless another is
    /// chosen.
    pub fn keep(&mut self, name: impl Into<String>, file_name: impl Into<String>) {
        self.kept.insert(name.into(), file_name.into());
    }

    /// The draft's `file` for the file field `name`, unless another was chosen.
    pub fn keep_file(&mut self, name: &str, file: Upload) {
        if self.files.get(name).is_some_and(|f| !f.is_empty()) {
            return;
        }
        if let Some(n) = &file.file_name {
            self.kept.insert(name.to_string(), n.clone());
        }
        self.files.insert(name.to_string(), file);
    }

    /// The draft's file kept for the file field `name`.
    pub fn kept(&self, name: &str) -> Option<&str> {
        self.kept.get(name).map(String::as_str)
    }
}

/// Builds [`SchemaError`]s while walking a schema.
struct Problems(Vec<SchemaError>);

impl Problems {
    fn add(&mut self, pointer: &str, message: Message) {
        self.0.push(SchemaError {
            pointer: pointer.to_string(),
            message,
        });
    }
    fn unsupported(&mut self, at: &str, keyword: &str) {
        self.add(
            &join(at, keyword),
            msg!("v-form-schema-unsupported", keyword = keyword),
        );
    }
    fn invalid(&mut self, at: &str, keyword: &str) {
        self.add(
            &join(at, keyword),
            msg!("v-form-schema-invalid", keyword = keyword),
        );
    }
    fn missing(&mut self, at: &str, keyword: &str) {
        self.add(at, msg!("v-form-schema-missing", keyword = keyword));
    }
}

/// `at` + `/` + the escaped `token` (RFC 6901).
fn join(at: &str, token: &str) -> String {
    format!("{at}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Refuses every keyword of `obj` not in `allowed`.
fn only(p: &mut Problems, at: &str, obj: &Map<String, Value>, allowed: &[&str]) {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            p.unsupported(at, k);
        }
    }
}

/// A `{de, en}` object of non-empty one-line texts.
fn text_pair(p: &mut Problems, at: &str, keyword: &str, v: &Value) -> Option<Text> {
    let ok = |s: Option<&Value>| {
        s.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().count() <= 2000 && !has_control_chars(s, true))
            .map(str::to_string)
    };
    let obj = v.as_object();
    let de = ok(obj.and_then(|o| o.get("de")));
    let en = ok(obj.and_then(|o| o.get("en")));
    match (obj, de, en) {
        (Some(o), Some(de), Some(en)) if o.len() == 2 => Some(Text { de, en }),
        _ => {
            p.invalid(at, keyword);
            None
        }
    }
}

fn nonneg_int(v: &Value) -> Option<u64> {
    v.as_u64()
}

fn finite(v: &Value) -> Option<f64> {
    if !v.is_number() {
        return None;
    }
    v.as_f64()
        .filter(|f| f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64)
}

/// A field name: a lower-case letter, then letters, digits or `_`, at most 40; such a
/// name is safe as an HTML id and name, and `-` stays free for an address's parts.
fn is_field_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !RESERVED.contains(&s)
}

impl FormSpec {
    /// Parses a module's form, or says everything outside the subset, by JSON path.
    pub fn parse(schema: &Value) -> Result<FormSpec, Vec<SchemaError>> {
        let mut p = Problems(vec![]);
        let Some(top) = schema.as_object() else {
            p.add("", msg!("v-form-schema-not-object"));
            return Err(p.0);
        };
        only(
            &mut p,
            "",
            top,
            &[
                "$schema",
                "title",
                "description",
                "type",
                "properties",
                "required",
                "additionalProperties",
                "x-order",
            ],
        );
        if let Some(d) = top.get("$schema") {
            if d.as_str() != Some(DIALECT) {
                p.invalid("", "$schema");
            }
        }
        for k in ["title", "description"] {
            if top.get(k).is_some_and(|v| !v.is_string()) {
                p.invalid("", k);
            }
        }
        match top.get("type") {
            Some(t) if t.as_str() == Some("object") => {}
            Some(_) => p.invalid("", "type"),
            None => p.missing("", "type"),
        }
        if top
            .get("additionalProperties")
            .is_some_and(|v| v.as_bool() != Some(false))
        {
            p.invalid("", "additionalProperties");
        }
        let empty = Map::new();
        let props = match top.get("properties") {
            Some(Value::Object(o)) if !o.is_empty() && o.len() <= MAX_FIELDS => o,
            Some(_) => {
                p.invalid("", "properties");
                &empty
            }
            None => {
                p.missing("", "properties");
                &empty
            }
        };
        let mut required: Vec<&str> = vec![];
        match top.get("required") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, r) in a.iter().enumerate() {
                    match r.as_str() {
                        Some(r) if props.contains_key(r) && !required.contains(&r) => {
                            required.push(r)
                        }
                        _ => p.invalid("/required", &i.to_string()),
                    }
                }
            }
            Some(_) => p.invalid("", "required"),
        }
        // JSON objects have no order (RFC 8259), and parsers reorder them: the order
        // of the fields is `x-order`, naming each property once.
        let order: Vec<&str> = match top.get("x-order") {
            Some(Value::Array(a)) => {
                let names: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                let unique: HashSet<&str> = names.iter().copied().collect();
                if names.len() != a.len()
                    || unique.len() != names.len()
                    || names.len() != props.len()
                    || names.iter().any(|n| !props.contains_key(*n))
                {
                    p.invalid("", "x-order");
                    props.keys().map(String::as_str).collect()
                } else {
                    names
                }
            }
            Some(_) => {
                p.invalid("", "x-order");
                props.keys().map(String::as_str).collect()
            }
            None if props.len() > 1 => {
                p.missing("", "x-order");
                props.keys().map(String::as_str).collect()
            }
            None => props.keys().map(String::as_str).collect(),
        };
        let mut fields = vec![];
        for name in order {
            let at = join("/properties", name);
            if !is_field_name(name) {
                p.add(&at, msg!("v-form-schema-field-name"));
                continue;
            }
            if let Some(kind) = field(&mut p, &at, &props[name]) {
                let o = props[name].as_object();
                let label = o
                    .and_then(|o| o.get("x-title"))
                    .and_then(|v| text_pair(&mut p, &at, "x-title", v));
                if o.is_some_and(|o| !o.contains_key("x-title")) {
                    p.missing(&at, "x-title");
                }
                let help = o
                    .and_then(|o| o.get("x-help"))
                    .and_then(|v| text_pair(&mut p, &at, "x-help", v));
                if let Some(label) = label {
                    fields.push(Field {
                        name: name.to_string(),
                        label,
                        help,
                        required: required.contains(&name),
                        kind,
                    });
                }
            }
        }
        if !p.0.is_empty() {
            return Err(p.0);
        }
        let build = |s: &Value| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(s)
        };
        let validator = match build(schema) {
            Ok(v) => v,
            Err(e) => {
                p.add(
                    e.schema_path().as_str(),
                    msg!("v-form-schema-invalid", keyword = "schema"),
                );
                return Err(p.0);
            }
        };
        let mut field_validators = HashMap::new();
        for f in &fields {
            match build(&props[&f.name]) {
                Ok(v) => {
                    field_validators.insert(f.name.clone(), v);
                }
                Err(_) => p.invalid(&join("/properties", &f.name), "pattern"),
            }
        }
        if !p.0.is_empty() {
            return Err(p.0);
        }
        Ok(FormSpec {
            fields,
            schema: schema.clone(),
            validator,
            field_validators,
        })
    }

    /// The fields in the order they are asked.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The module's schema as it was given.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Whether the form asks for a file (and so is sent as `multipart/form-data`).
    pub fn has_files(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f.kind, Kind::File { .. }))
    }

    /// The largest request body a submission of this form needs: every file at its
    /// limit, plus room for the texts and the multipart framing.
    pub fn max_body_bytes(&self) -> u64 {
        let files: u64 = self
            .fields
            .iter()
            .map(|f| match f.kind {
                Kind::File { max_bytes, .. } => max_bytes,
                _ => 0,
            })
            .sum();
        files + upload::MAX_TEXT_BYTES as u64 * 4 + 64 * 1024
    }

    /// Stored answers as the form's fields again, for a resident changing them: what
    /// [`FormSpec::validate`] made of each field, turned back into what the form sends.
    /// Files are not refilled (a browser never fills a file input); the caller keeps
    /// them with [`Submitted::keep`].
    pub fn prefill(&self, answers: &Value) -> Submitted {
        let mut s = Submitted::default();
        for f in &self.fields {
            let Some(v) = answers.get(&f.name) else {
                continue;
            };
            match (&f.kind, v) {
                (Kind::Address, Value::Object(parts)) => {
                    for part in ADDRESS_PARTS {
                        if let Some(Value::String(x)) = parts.get(part) {
                            s.add_text(address_name(&f.name, part), x.clone());
                        }
                    }
                }
                (Kind::Boolean { .. }, Value::Bool(true)) => s.add_text(&f.name, "true"),
                (Kind::Boolean { .. } | Kind::File { .. }, _) => {}
                (_, Value::String(x)) => s.add_text(&f.name, x.clone()),
                (_, Value::Number(n)) => s.add_text(&f.name, typed_number(n)),
                _ => {}
            }
        }
        s
    }

    /// Whether answers conform to the module's schema (the `jsonschema` crate's check).
    pub fn conforms(&self, data: &Value) -> bool {
        self.validator.is_valid(data)
    }

    /// What a resident sent, as answers conforming to the schema, or one error per field
    /// (by field name). `today` is the city's date, for date bounds relative to it.
    pub fn validate(&self, sent: &Submitted, today: NaiveDate) -> Result<Answers, Invalid> {
        let mut errors = Errors::default();
        let mut data = Map::new();
        let mut attachments = vec![];
        for f in &self.fields {
            let before = errors.0.len();
            let value = self.field_value(f, sent, today, &mut errors, &mut attachments);
            if errors.0.len() > before {
                continue;
            }
            if let Some(v) = value {
                // The module's own words for this field (pattern, format) decide too.
                if self
                    .field_validators
                    .get(&f.name)
                    .is_some_and(|c| !c.is_valid(&v))
                {
                    let key = match &f.kind {
                        Kind::Text {
                            pattern: Some(_), ..
                        } => "v-form-pattern",
                        _ => "v-form-invalid",
                    };
                    errors.add(&f.name, Message::new(key));
                    attachments.retain(|a: &Attachment| a.field != f.name);
                    continue;
                }
                data.insert(f.name.clone(), v);
            }
        }
        let data = Value::Object(data);
        if errors.is_empty() {
            // Never store what the schema forbids: whatever the field checks missed is
            // still a field's error, never an answer.
            for e in self.validator.iter_errors(&data) {
                let path = e.instance_path().as_str().to_string();
                let field = path
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let field = if field.is_empty() {
                    self.fields
                        .iter()
                        .find(|f| f.required && data.get(&f.name).is_none())
                        .map(|f| f.name.clone())
                        .unwrap_or_default()
                } else {
                    field
                };
                if !errors.0.iter().any(|m| m.field == field) {
                    errors.add(field, msg!("v-form-invalid"));
                }
            }
        }
        errors.into_result(Answers { data, attachments })
    }

    fn field_value(
        &self,
        f: &Field,
        sent: &Submitted,
        today: NaiveDate,
        errors: &mut Errors,
        attachments: &mut Vec<Attachment>,
    ) -> Option<Value> {
        let name = f.name.as_str();
        if sent.is_oversize(name) {
            errors.add(name, msg!("v-form-too-large"));
            return None;
        }
        let raw = sent.text(name).unwrap_or("");
        let blank = raw.trim().is_empty();
        let missing = |errors: &mut Errors| {
            if f.required {
                errors.add(name, msg!("v-form-required"));
            }
            None
        };
        match &f.kind {
            Kind::Text {
                multiline,
                min_length,
                max_length,
                format,
                ..
            } => {
                if blank {
                    return missing(errors);
                }
                let v = if *multiline {
                    raw.trim().replace("\r\n", "\n")
                } else {
                    raw.trim().to_string()
                };
                let len = v.chars().count() as u64;
                if len > *max_length {
                    errors.add(name, msg!("v-max-chars", max = *max_length));
                    return None;
                }
                if has_control_chars(&v, *multiline) {
                    errors.add(name, msg!("v-control-chars"));
                    return None;
                }
                if let Some(min) = min_length {
                    if len < *min {
                        errors.add(name, msg!("v-form-min-chars", min = *min));
                        return None;
                    }
                }
                let ok = match format {
                    None => true,
                    Some(TextFormat::Email) => Email::parse(&v).is_some(),
                    Some(TextFormat::Tel) => is_valid_phone(&v),
                    Some(TextFormat::Uri) => is_http_url(&v),
                };
                if !ok {
                    let key = match format {
                        Some(TextFormat::Email) => "v-form-email",
                        Some(TextFormat::Tel) => "v-form-tel",
                        _ => "v-form-uri",
                    };
                    errors.add(name, Message::new(key));
                    return None;
                }
                Some(Value::String(v))
            }
            Kind::Number {
                integer,
                minimum,
                maximum,
            } => {
                if blank {
                    return missing(errors);
                }
                let Some(n) = parse_number(raw.trim(), *integer) else {
                    let key = if *integer {
                        "v-form-integer"
                    } else {
                        "v-form-number"
                    };
                    errors.add(name, Message::new(key));
                    return None;
                };
                let x = n.as_f64().unwrap_or(f64::NAN);
                if minimum.is_some_and(|m| x < m) || maximum.is_some_and(|m| x > m) {
                    errors.add(
                        name,
                        msg!(
                            "v-form-range",
                            min = number_text(*minimum),
                            max = number_text(*maximum)
                        ),
                    );
                    return None;
                }
                Some(Value::Number(n))
            }
            Kind::Choice { options } => {
                if blank {
                    return missing(errors);
                }
                match options.iter().find(|(v, _)| v == raw) {
                    Some((v, _)) => Some(Value::String(v.clone())),
                    None => {
                        errors.add(name, msg!("v-form-choice"));
                        None
                    }
                }
            }
            Kind::Boolean { must_confirm } => {
                let checked = match sent.text(name) {
                    None => false,
                    Some("true") => true,
                    Some(_) => {
                        errors.add(name, msg!("v-form-invalid"));
                        return None;
                    }
                };
                if *must_confirm && !checked {
                    errors.add(name, msg!("v-form-confirm"));
                    return None;
                }
                Some(Value::Bool(checked))
            }
            Kind::Date { min, max } => {
                if blank {
                    return missing(errors);
                }
                let Some(d) = parse_date(raw.trim()) else {
                    errors.add(name, msg!("v-form-date"));
                    return None;
                };
                if let Some(m) = min.map(|m| m.on(today)) {
                    if d < m {
                        errors.add(name, msg!("v-form-date-min", date = m.to_string()));
                        return None;
                    }
                }
                if let Some(m) = max.map(|m| m.on(today)) {
                    if d > m {
                        errors.add(name, msg!("v-form-date-max", date = m.to_string()));
                        return None;
                    }
                }
                Some(Value::String(d.format("%Y-%m-%d").to_string()))
            }
            Kind::Address => {
                let mut parts = Map::new();
                let mut any = false;
                for part in ADDRESS_PARTS {
                    let key = address_name(name, part);
                    if sent.is_oversize(&key) {
                        errors.add(name, msg!("v-form-too-large"));
                        return None;
                    }
                    let v = sent.text(&key).unwrap_or("").trim().to_string();
                    any |= !v.is_empty();
                    parts.insert(part.to_string(), Value::String(v));
                }
                if !any {
                    return missing(errors);
                }
                for part in ADDRESS_PARTS {
                    let v = parts[part].as_str().unwrap_or_default();
                    let bad = v.is_empty()
                        || v.chars().count() > 200
                        || has_control_chars(v, false)
                        || (part == "postcode" && !is_postcode(v));
                    if bad {
                        errors.add(name, Message::new(format!("v-form-address-{part}")));
                        return None;
                    }
                }
                Some(Value::Object(parts))
            }
            Kind::File {
                max_bytes,
                content_types,
            } => {
                let Some(file) = sent.file(name).filter(|f| !f.is_empty()) else {
                    return missing(errors);
                };
                if file.bytes.len() as u64 > *max_bytes {
                    errors.add(
                        name,
                        msg!("v-form-file-size", max = upload::mib(*max_bytes)),
                    );
                    return None;
                }
                let Some(kind) = FileType::sniff(&file.bytes) else {
                    errors.add(
                        name,
                        msg!("v-form-file-type", types = type_list(content_types)),
                    );
                    return None;
                };
                if let Some(claimed) = file.claimed_type() {
                    if FileType::from_mime(&claimed) != Some(kind) {
                        errors.add(name, msg!("v-form-file-mismatch"));
                        return None;
                    }
                }
                if !content_types.contains(&kind) {
                    errors.add(
                        name,
                        msg!("v-form-file-type", types = type_list(content_types)),
                    );
                    return None;
                }
                let id = uuid::Uuid::new_v4();
                attachments.push(Attachment {
                    id,
                    field: name.to_string(),
                    file_name: upload::display_name(file.file_name.as_deref(), kind),
                    content_type: kind.mime(),
                    sha256: hex::encode(Sha256::digest(&file.bytes)),
                    bytes: file.bytes.clone(),
                });
                Some(Value::String(id.to_string()))
            }
        }
    }
}

/// The form field name of an address's `part`.
pub fn address_name(field: &str, part: &str) -> String {
    format!("{field}-{part}")
}

/// A postcode: letters, digits, spaces and `-`, 3 to 10 characters.
fn is_postcode(s: &str) -> bool {
    (3..=10).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

fn type_list(types: &[FileType]) -> String {
    types
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stored number as a resident types it, which [`parse_number`] reads back to the same
/// number: never in exponent notation (JSON writes 0.000001 as `1e-6`), and a decimal
/// keeps its point (`2.0`, not `2`, which would read back as an integer).
fn typed_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => {
            let s = f.to_string();
            if s.contains('.') {
                s
            } else {
                format!("{s}.0")
            }
        }
        _ => n.to_string(),
    }
}

fn number_text(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "–".to_string())
}

/// A calendar date written `YYYY-MM-DD` that exists (no 2026-02-30).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A number as residents type it: digits, an optional sign and (unless `integer`) a
/// decimal point or comma; no exponents, `NaN` or infinities, at most 15 digits.
fn parse_number(s: &str, integer: bool) -> Option<serde_json::Number> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = match unsigned.find(['.', ',']) {
        Some(i) if !integer => (&unsigned[..i], Some(&unsigned[i + 1..])),
        Some(_) => return None,
        None => (unsigned, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    if whole.len() + frac.map_or(0, str::len) > 15 {
        return None;
    }
    if integer {
        let n: i64 = s.parse().ok()?;
        return Some(n.into());
    }
    let normal = s.replace(',', ".");
    let f: f64 = normal.parse().ok()?;
    if frac.is_none() {
        let n: i64 = s.parse().ok()?;
        return Some(n.into());
    }
    serde_json::Number::from_f64(f).filter(|_| f.is_finite())
}

/// The kind of the field at `at`, or its problems.
fn field(p: &mut Problems, at: &str, v: &Value) -> Option<Kind> {
    let Some(o) = v.as_object() else {
        p.add(at, msg!("v-form-schema-not-object"));
        return None;
    };
    const COMMON: &[&str] = &["type", "title", "description", "x-title", "x-help"];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        COMMON
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect()
    };
    for k in ["title", "description"] {
        if o.get(k).is_some_and(|v| !v.is_string()) {
            p.invalid(at, k);
        }
    }
    let before = p.0.len();
    let kind = match o.get("type").and_then(Value::as_str) {
        None => {
            if o.contains_key("type") {
                p.invalid(at, "type");
            } else {
                p.missing(at, "type");
            }
            return None;
        }
        Some("string") if o.contains_key("x-file") => {
            only(p, at, o, &with(&["x-file"]));
            file_kind(p, at, &o["x-file"])
        }
        Some("string") if o.contains_key("enum") => {
            only(p, at, o, &with(&["enum", "x-enum-labels"]));
            choice_kind(p, at, o)
        }
        Some("string") if o.get("format").and_then(Value::as_str) == Some("date") => {
            only(p, at, o, &with(&["format", "x-min-date", "x-max-date"]));
            let mut bound = |k: &str| match o.get(k) {
                None => None,
                Some(v) => {
                    let b = v.as_str().and_then(DateBound::parse);
                    if b.is_none() {
                        p.invalid(at, k);
                    }
                    b
                }
            };
            let (min, max) = (bound("x-min-date"), bound("x-max-date"));
            Some(Kind::Date { min, max })
        }
        Some("string") => {
            only(
                p,
                at,
                o,
                &with(&["minLength", "maxLength", "pattern", "format", "x-multiline"]),
            );
            text_kind(p, at, o)
        }
        Some(t @ ("integer" | "number")) => {
            only(p, at, o, &with(&["minimum", "maximum"]));
            let mut bound = |k: &str| match o.get(k) {
                None => None,
                Some(v) => {
                    let b = finite(v).filter(|b| t == "number" || b.fract() == 0.0);
                    if b.is_none() {
                        p.invalid(at, k);
                    }
                    b
                }
            };
            let (minimum, maximum) = (bound("minimum"), bound("maximum"));
            if let (Some(a), Some(b)) = (minimum, maximum) {
                if a > b {
                    p.invalid(at, "maximum");
                }
            }
            Some(Kind::Number {
                integer: t == "integer",
                minimum,
                maximum,
            })
        }
        Some("boolean") => {
            only(p, at, o, &with(&["const"]));
            match o.get("const") {
                None => Some(Kind::Boolean {
                    must_confirm: false,
                }),
                Some(Value::Bool(true)) => Some(Kind::Boolean { must_confirm: true }),
                Some(_) => {
                    p.invalid(at, "const");
                    None
                }
            }
        }
        Some("object") => {
            only(p, at, o, &with(&["x-address"]));
            if o.get("x-address") == Some(&Value::Bool(true)) {
                Some(Kind::Address)
            } else {
                p.missing(at, "x-address");
                None
            }
        }
        Some(_) => {
            p.invalid(at, "type");
            None
        }
    };
    (p.0.len() == before).then_some(kind).flatten()
}

fn text_kind(p: &mut Problems, at: &str, o: &Map<String, Value>) -> Option<Kind> {
    let multiline = match o.get("x-multiline") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.invalid(at, "x-multiline");
            false
        }
    };
    let cap = if multiline { MAX_MULTILINE } else { MAX_LINE };
    let max_length = match o.get("maxLength") {
        None => {
            if multiline {
                DEFAULT_MULTILINE
            } else {
                DEFAULT_LINE
            }
        }
        Some(v) => match nonneg_int(v).filter(|n| (1..=cap).contains(n)) {
            Some(n) => n,
            None => {
                p.invalid(at, "maxLength");
                cap
            }
        },
    };
    let min_length = match o.get("minLength") {
        None => None,
        Some(v) => {
            let n = nonneg_int(v).filter(|n| *n <= max_length);
            if n.is_none() {
                p.invalid(at, "minLength");
            }
            n
        }
    };
    let pattern = match o.get("pattern") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_PATTERN => Some(s.clone()),
        Some(_) => {
            p.invalid(at, "pattern");
            None
        }
    };
    let format = match o.get("format") {
        None => None,
        Some(v) => match v.as_str() {
            Some("email") => Some(TextFormat::Email),
            Some("tel") => Some(TextFormat::Tel),
            Some("uri") => Some(TextFormat::Uri),
            _ => {
                p.invalid(at, "format");
                None
            }
        },
    };
    if multiline && format.is_some() {
        p.invalid(at, "format");
    }
    Some(Kind::Text {
        multiline,
        min_length,
        max_length,
        pattern,
        format,
    })
}

fn choice_kind(p: &mut Problems, at: &str, o: &Map<String, Value>) -> Option<Kind> {
    let values: Vec<&str> = match &o["enum"] {
        Value::Array(a) if !a.is_empty() && a.len() <= MAX_OPTIONS => {
            let v: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            let unique: HashSet<&str> = v.iter().copied().collect();
            let fine = v.len() == a.len()
                && unique.len() == v.len()
                && v.iter().all(|s| {
                    !s.trim().is_empty() && s.chars().count() <= 100 && !has_control_chars(s, false)
                });
            if !fine {
                p.invalid(at, "enum");
                return None;
            }
            v
        }
        _ => {
            p.invalid(at, "enum");
            return None;
        }
    };
    let Some(labels) = o.get("x-enum-labels") else {
        p.missing(at, "x-enum-labels");
        return None;
    };
    let Some(labels) = labels.as_object().filter(|l| l.len() == values.len()) else {
        p.invalid(at, "x-enum-labels");
        return None;
    };
    let at_labels = join(at, "x-enum-labels");
    let mut options = vec![];
    for v in values {
        match labels.get(v) {
            Some(l) => {
                if let Some(t) = text_pair(p, &at_labels, v, l) {
                    options.push((v.to_string(), t));
                }
            }
            None => p.missing(&at_labels, v),
        }
    }
    Some(Kind::Choice { options })
}

fn file_kind(p: &mut Problems, at: &str, v: &Value) -> Option<Kind> {
    let at_file = join(at, "x-file");
    let Some(o) = v.as_object() else {
        p.invalid(at, "x-file");
        return None;
    };
    only(p, &at_file, o, &["max_bytes", "content_types"]);
    let max_bytes = o
        .get("max_bytes")
        .and_then(nonneg_int)
        .filter(|n| (1..=MAX_FILE_BYTES).contains(n));
    if max_bytes.is_none() {
        p.invalid(&at_file, "max_bytes");
    }
    let types: Option<Vec<FileType>> = o
        .get("content_types")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .and_then(|a| {
            a.iter()
                .map(|t| t.as_str().and_then(FileType::from_mime))
                .collect()
        });
    let types = types.filter(|t| {
        let unique: HashSet<_> = t.iter().collect();
        unique.len() == t.len()
    });
    if types.is_none() {
        p.invalid(&at_file, "content_types");
    }
    Some(Kind::File {
        max_bytes: max_bytes?,
        content_types: types?,
    })
}

/// One option of a choice, as the partial shows it.
#[derive(Clone, Debug, Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One part of an address, as the partial shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PartView {
    /// Its form field name and HTML id: `<field>-<part>`.
    pub id: String,
    pub label: String,
    pub value: String,
    pub autocomplete: &'static str,
}

/// One field as the `application_form.html` partial shows it, in one language.
#[derive(Clone, Debug, Serialize)]
pub struct FieldView {
    /// The form field name, and the id of its input (or of its fieldset for a group).
    pub name: String,
    /// `text`, `textarea`, `number`, `radio`, `select`, `checkbox`, `date`, `address`
    /// or `file`.
    pub widget: &'static str,
    /// The input's `type` for `text` widgets: `text`, `email`, `tel` or `url`.
    pub input_type: &'static str,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    /// What was typed (kept when the form comes back with errors).
    pub value: String,
    pub checked: bool,
    /// The translated error beside the field, if any.
    pub error: Option<String>,
    /// A note under a file field, e.g. which types and how large.
    pub note: Option<String>,
    pub options: Vec<OptionView>,
    pub parts: Vec<PartView>,
    /// `accept` of a file input.
    pub accept: String,
    /// For a file field of a draft being changed: the file kept unless another is
    /// chosen (the input is then not required).
    pub kept: Option<String>,
    /// `inputmode`, `min`, `max`, `maxlength` where they apply.
    pub inputmode: Option<&'static str>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub maxlength: Option<u64>,
}

/// A field's error, for the error summary above the form.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorView {
    /// The id to link to.
    pub field: String,
    pub message: String,
}

/// A form ready for the partial: whether it needs `multipart/form-data`, its fields and
/// its errors.
#[derive(Clone, Debug, Serialize)]
pub struct FormView {
    pub multipart: bool,
    pub fields: Vec<FieldView>,
    pub errors: Vec<ErrorView>,
}

impl FormView {
    /// `spec` in `locale`, showing what was `sent` (or prefilled) and the `errors` of a
    /// failed submission beside their fields. `today` fills relative date bounds.
    pub fn new(
        spec: &FormSpec,
        locale: Locale,
        i18n: &I18n,
        sent: &Submitted,
        errors: &[FieldMessage],
        today: NaiveDate,
    ) -> FormView {
        let by_field: BTreeMap<&str, &Message> = errors
            .iter()
            .rev()
            .map(|e| (e.field.as_str(), &e.message))
            .collect();
        let mut fields = vec![];
        let mut summary = vec![];
        for f in spec.fields() {
            let error = by_field
                .get(f.name.as_str())
                .map(|m| i18n.message(locale, m));
            let value = sent.text(&f.name).unwrap_or_default().to_string();
            let mut v = FieldView {
                name: f.name.clone(),
                widget: "text",
                input_type: "text",
                label: f.label.get(locale).to_string(),
                help: f.help.as_ref().map(|h| h.get(locale).to_string()),
                required: f.required,
                value,
                checked: false,
                error: error.clone(),
                note: None,
                options: vec![],
                parts: vec![],
                accept: String::new(),
                kept: None,
                inputmode: None,
                min: None,
                max: None,
                maxlength: None,
            };
            // Where the summary's link goes: the input, or the first of a group.
            let mut target = f.name.clone();
            match &f.kind {
                Kind::Text {
                    multiline,
                    max_length,
                    format,
                    ..
                } => {
                    v.widget = if *multiline { "textarea" } else { "text" };
                    v.input_type = match format {
                        Some(TextFormat::Email) => "email",
                        Some(TextFormat::Tel) => "tel",
                        Some(TextFormat::Uri) => "url",
                        None => "text",
                    };
                    v.maxlength = Some(*max_length);
                }
                Kind::Number {
                    integer,
                    minimum,
                    maximum,
                } => {
                    // A text input with a numeric keyboard: `type=number` drops what
                    // it cannot parse, so the resident's typing would not come back.
                    v.widget = "number";
                    v.inputmode = Some(if *integer { "numeric" } else { "decimal" });
                    v.min = minimum.map(|m| m.to_string());
                    v.max = maximum.map(|m| m.to_string());
                }
                Kind::Choice { options } => {
                    v.widget = if options.len() <= MAX_RADIOS {
                        "radio"
                    } else {
                        "select"
                    };
                    v.options = options
                        .iter()
                        .map(|(value, label)| OptionView {
                            checked: *value == v.value,
                            value: value.clone(),
                            label: label.get(locale).to_string(),
                        })
                        .collect();
                    if v.widget == "radio" {
                        target = format!("{}-0", f.name);
                    }
                }
                Kind::Boolean { .. } => {
                    v.widget = "checkbox";
                    v.checked = v.value == "true";
                }
                Kind::Date { min, max } => {
                    v.widget = "date";
                    v.min = min.map(|m| m.on(today).to_string());
                    v.max = max.map(|m| m.on(today).to_string());
                }
                Kind::Address => {
                    v.widget = "address";
                    v.parts = ADDRESS_PARTS
                        .iter()
                        .map(|part| {
                            let id = address_name(&f.name, part);
                            PartView {
                                value: sent.text(&id).unwrap_or_default().to_string(),
                                id,
                                label: i18n.t(locale, &format!("appform-address-{part}"), None),
                                autocomplete: match *part {
                                    "street" => "street-address",
                                    "postcode" => "postal-code",
                                    _ => "address-level2",
                                },
                            }
                        })
                        .collect();
                    target = address_name(&f.name, ADDRESS_PARTS[0]);
                }
                Kind::File {
                    max_bytes,
                    content_types,
                } => {
                    v.widget = "file";
                    v.value = String::new();
                    v.accept = content_types
                        .iter()
                        .flat_map(|t| [t.mime(), t.extension()])
                        .collect::<Vec<_>>()
                        .join(",");
                    let mut args = fluent_bundle::FluentArgs::new();
                    args.set("types", type_list(content_types));
                    args.set("max", upload::mib(*max_bytes));
                    let mut note = i18n.t(locale, "appform-file-note", Some(&args));
                    // A browser never fills a file input again: say so when the form
                    // comes back and this field was fine.
                    v.kept = sent.kept(&f.name).map(str::to_string);
                    if let Some(kept) = &v.kept {
                        let mut args = fluent_bundle::FluentArgs::new();
                        args.set("name", kept.clone());
                        note = format!(
                            "{note} {}",
                            i18n.t(locale, "appform-file-kept", Some(&args))
                        );
                    } else if !errors.is_empty() && error.is_none() && sent.file(&f.name).is_some()
                    {
                        note = format!("{note} {}", i18n.t(locale, "appform-file-again", None));
                    }
                    v.note = Some(note);
                }
            }
            if let Some(message) = error {
                summary.push(ErrorView {
                    field: target,
                    message,
                });
            }
            fields.push(v);
        }
        FormView {
            multipart: spec.has_files(),
            fields,
            errors: summary,
        }
    }
}
