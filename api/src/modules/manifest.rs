//! A module's manifest: its JSON Schema (`openapi/module-manifest.schema.json`, the
//! published contract, checked here as committed), the vocabulary of resident data and
//! events, parsing raw JSON into a [`Manifest`] with every bad field named, and what an
//! update widens over the manifest in force.
//!
//! Checks that need the database (the operator and the listings exist, the assurance
//! level is one the city login knows, no other module serves a service with the same
//! capability) are in `service::resolve`.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::applications::form::{FormSpec, Kind};
use crate::core::error::{FieldMessage, Invalid};
use crate::core::message::Message;
use crate::core::scope::{Scope, ScopeSet};
use crate::core::validate::has_control_chars;
use crate::msg;

/// The committed JSON Schema of the manifest.
pub const SCHEMA: &str = include_str!("../../../openapi/module-manifest.schema.json");

/// The committed example manifest (`openapi/examples/`), which the docs link to.
pub const EXAMPLE: &str =
    include_str!("../../../openapi/examples/module-manifest.parking-permits.json");

/// The largest manifest accepted, in bytes of JSON.
pub const MAX_BYTES: usize = 256 * 1024;

/// The most Partner Booking API offers one `appointment` service books.
pub const MAX_OFFERS: usize = 20;

/// The only manifest format so far.
pub const MANIFEST_VERSION: u32 = 1;

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the committed schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the committed schema compiles")
});

/// What a service lets residents do through its module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Residents apply through a form; the module decides.
    Application,
    /// Residents report an issue (Open311).
    Report,
    /// Residents book through the Partner Booking API.
    Appointment,
}

impl Capability {
    pub const ALL: [Capability; 3] = [
        Capability::Application,
        Capability::Report,
        Capability::Appointment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Application => "application",
            Capability::Report => "report",
            Capability::Appointment => "appointment",
        }
    }

    pub fn parse(s: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The event family of its cases (`application.*`, ...).
    fn event_family(self) -> &'static str {
        match self {
            Capability::Application => "application",
            Capability::Report => "report",
            Capability::Appointment => "booking",
        }
    }
}

/// A category of resident data a module receives for a service. A module receives
/// exactly the categories its approved manifest names for the service, and nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// First and last name.
    Name,
    /// Email address.
    Email,
    /// Telephone number.
    Phone,
    /// Street, postcode and city.
    PostalAddress,
    /// Date of birth.
    DateOfBirth,
    /// The answers to the service's form.
    FormAnswers,
    /// The files the resident uploads.
    Attachments,
    /// The place a report is about.
    Location,
}

impl DataCategory {
    /// Every category, in the order pages list them.
    pub const ALL: [DataCategory; 8] = [
        DataCategory::Name,
        DataCategory::Email,
        DataCategory::Phone,
        DataCategory::PostalAddress,
        DataCategory::DateOfBirth,
        DataCategory::FormAnswers,
        DataCategory::Attachments,
        DataCategory::Location,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Name => "name",
            DataCategory::Email => "email",
            DataCategory::Phone => "phone",
            DataCategory::PostalAddress => "postal_address",
            DataCategory::DateOfBirth => "date_of_birth",
            DataCategory::FormAnswers => "form_answers",
            DataCategory::Attachments => "attachments",
            DataCategory::Location => "location",
        }
    }

    pub fn parse(s: &str) -> Option<DataCategory> {
        DataCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The message id of its name on pages (`module-data-...` in `modules.ftl`).
    pub fn message_key(self) -> String {
        format!("module-data-{}", self.as_str().replace('_', "-"))
    }
}

/// The events a module may subscribe to; `<family>.*` stands for all of a family.
pub const EVENTS: [&str; 12] = [
    "application.*",
    "application.submitted",
    "application.answered",
    "application.withdrawn",
    "application.erased",
    "report.*",
    "report.submitted",
    "report.commented",
    "booking.*",
    "booking.held",
    "booking.confirmed",
    "booking.cancelled",
];

/// German and English text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub de: String,
    pub en: String,
}

impl Localized {
    /// The text in `locale`.
    pub fn get(&self, locale: crate::core::locale::Locale) -> &str {
        match locale {
            crate::core::locale::Locale::De => &self.de,
            _ => &self.en,
        }
    }
}

/// Whom to contact about the module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One service the module provides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceDecl {
    /// The municipal-service listing's slug.
    pub listing: String,
    /// The FIM/LeiKa Leistungsschlüssel (14 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leika_key: Option<String>,
    pub capability: Capability,
    /// Exactly the resident data the module receives for it.
    pub data: Vec<DataCategory>,
    pub purpose: Localized,
    pub legal_basis: Localized,
    /// The lowest login assurance level (`acr`) a resident needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_acr: Option<String>,
    /// For `application`: the form, a JSON Schema of the documented subset
    /// (`openapi/module-form-subset.md`), checked by [`FormSpec::parse`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Value>,
    /// For `appointment` (required there, and only there): the ids of the module's
    /// Partner Booking API offers (the `offer_id`s of its `GET <base_url>/partner/v1/offers`)
    /// that residents book on the service's listing, 1 to [`MAX_OFFERS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offers: Option<Vec<String>>,
}

impl ServiceDecl {
    /// What identifies the service within a manifest: its listing and capability.
    pub fn key(&self) -> (&str, Capability) {
        (&self.listing, self.capability)
    }
}

/// A module's manifest, checked against the schema and the rules the schema cannot say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub id: String,
    pub name: Localized,
    /// The operating organization's slug.
    pub operator: String,
    pub base_url: String,
    pub contact: Contact,
    pub services: Vec<ServiceDecl>,
    pub scopes: Vec<String>,
    pub events: Vec<String>,
    pub webhook_url: String,
    /// An RSA public key (JWK) to encrypt submissions to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<Value>,
}

impl Manifest {
    /// The scopes it asks for (all known: the schema allows only module scopes).
    pub fn scope_set(&self) -> ScopeSet {
        self.scopes.iter().filter_map(|s| Scope::parse(s)).collect()
    }

    /// The manifest as stored and shown.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a manifest serializes")
    }
}

/// A JSON pointer within a form (`/properties/plate/maxLength`) as the rest of a field
/// path (`.properties.plate.maxLength`; array positions as `[0]`).
fn pointer_path(pointer: &str) -> String {
    pointer
        .split('/')
        .skip(1)
        .map(|seg| {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                format!("[{seg}]")
            } else {
                format!(".{seg}")
            }
        })
        .collect()
}

fn field(path: impl Into<String>, message: Message) -> FieldMessage {
    FieldMessage {
        field: path.into(),
        message,
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

/// The field and message of one schema error.
fn schema_error(e: &jsonschema::ValidationError<'_>) -> FieldMessage {
    use jsonschema::error::ValidationErrorKind as K;
    let at = crate::core::validate::json_path(e.instance_path().iter());
    match e.kind() {
        K::Required { property } => field(
            join(&at, property.as_str().unwrap_or_default()),
            msg!("v-module-required"),
        ),
        K::AdditionalProperties { unexpected } => field(
            join(&at, unexpected.first().map(String::as_str).unwrap_or("")),
            msg!("v-module-unknown-field"),
        ),
        K::Type { .. } => field(at, msg!("v-module-type")),
        K::Enum { options } => field(
            at,
            msg!(
                "v-module-one-of",
                allowed = options
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ),
        ),
        K::Constant { expected_value } => field(
            at,
            msg!("v-module-constant", expected = expected_value.to_string()),
        ),
        K::MinLength { .. } | K::MaxLength { limit: _ } => {
            let (min, max) = length_limits(e);
            field(at, msg!("v-module-length", min = min, max = max))
        }
        K::MinItems { limit } => field(at, msg!("v-module-min-items", min = *limit as i64)),
        K::MaxItems { limit } => field(at, msg!("v-module-max-items", max = *limit as i64)),
        K::UniqueItems => field(at, msg!("v-module-unique")),
        K::Pattern { .. } => {
            let key = pattern_message(&at);
            field(at, Message::new(key))
        }
        K::Format { format } => field(at, msg!("v-module-format", format = format.clone())),
        _ => field(at, msg!("v-module-invalid")),
    }
}

/// The length limits the schema sets for a string (for the message).
fn length_limits(e: &jsonschema::ValidationError<'_>) -> (i64, i64) {
    use jsonschema::error::ValidationErrorKind as K;
    let at = e.instance_path().as_str().to_string();
    match e.kind() {
        K::MinLength { limit } => (*limit as i64, max_length_of(&at)),
        K::MaxLength { limit } => (1, *limit as i64),
        _ => (1, 1),
    }
}

fn max_length_of(pointer: &str) -> i64 {
    let last = pointer.rsplit('/').next().unwrap_or("");
    match last {
        "de" | "en" if pointer.starts_with("/name") => 100,
        "de" | "en" => 2000,
        _ => 100,
    }
}

/// The message of a string that does not have the form its field needs.
fn pattern_message(path: &str) -> &'static str {
    if path.ends_with("leika_key") {
        "v-module-leika-key"
    } else if path.ends_with("url") {
        "v-module-url"
    } else if path.starts_with("encryption_key") {
        "v-module-jwk-base64url"
    } else if path.contains(".offers[") {
        "v-module-offer-id"
    } else {
        "v-module-slug"
    }
}

/// Names every string holding a control character: none anywhere, but line breaks and
/// tabs in the purposes, legal bases and the form.
fn control_characters(v: &Value, path: &str, out: &mut Vec<FieldMessage>) {
    match v {
        Value::String(s) => {
            let multiline = path.contains(".purpose.")
                || path.contains(".legal_basis.")
                || path.contains(".form");
            if has_control_chars(s, multiline) && out.len() < 20 {
                out.push(field(path, msg!("v-module-control-characters")));
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                control_characters(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                if has_control_chars(k, false) && out.len() < 20 {
                    out.push(field(path, msg!("v-module-control-characters")));
                }
                control_characters(x, &join(path, k), out);
            }
        }
        _ => {}
    }
}

/// Whether a module's address (base, webhook, contact page) is one the portal will
/// use: https, or plain http only on this machine's loopback (`localhost`, 127.0.0.0/8,
/// `::1`) for a module developer's own runs; no credentials in it, no fragment. These
/// are addresses the portal calls, not OAuth redirect URIs, so `localhost` is fine.
pub fn url_acceptable(u: &str) -> bool {
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(url) = url::Url::parse(u) else {
        return false;
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    crate::core::validate::https_or_loopback_http(&url)
}

/// What the committed schema finds wrong with `raw`, each naming its field (at most 50;
/// what [`parse`] checks first).
pub fn schema_errors(raw: &Value) -> Vec<FieldMessage> {
    VALIDATOR
        .iter_errors(raw)
        .take(50)
        .map(|e| schema_error(&e))
        .collect()
}

/// Whether `jwk` is an RSA public key of at least 2048 bits with a usable exponent.
fn rsa_public_key(jwk: &Value) -> Result<rsa::RsaPublicKey, &'static str> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
    use base64::Engine;
    use rsa::traits::PublicKeyParts;
    let part = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|s| B64URL.decode(s).ok())
            .ok_or("v-module-jwk-base64url")
    };
    let n = rsa::BigUint::from_bytes_be(&part("n")?);
    let e = rsa::BigUint::from_bytes_be(&part("e")?);
    let key = rsa::RsaPublicKey::new(n, e).map_err(|_| "v-module-jwk-rsa")?;
    if key.n().bits() < 2048 {
        return Err("v-module-jwk-size");
    }
    Ok(key)
}

/// Parses and checks a manifest: its size, control characters, the committed schema,
/// then what the schema cannot say (addresses, the key, duplicates, events that need a
/// service of their capability). Every bad field is named, at most a few dozen.
pub fn parse(raw: &Value) -> Result<Manifest, ManifestError> {
    let size = serde_json::to_vec(raw)
        .map(|b| b.len())
        .unwrap_or(usize::MAX);
    if size > MAX_BYTES {
        return Err(ManifestError::TooLarge);
    }
    let mut errors = Vec::new();
    control_characters(raw, "", &mut errors);
    errors.extend(
        VALIDATOR
            .iter_errors(raw)
            .take(50)
            .map(|e| schema_error(&e)),
    );
    if !errors.is_empty() {
        errors.dedup_by(|a, b| a.field == b.field);
        return Err(ManifestError::Invalid(Invalid(errors)));
    }
    let m: Manifest = serde_json::from_value(raw.clone()).map_err(|_| {
        // The schema admits only what deserializes; this would be a schema bug.
        ManifestError::Invalid(Invalid::field("", msg!("v-module-invalid")))
    })?;
    for (path, u) in [("base_url", &m.base_url), ("webhook_url", &m.webhook_url)]
        .into_iter()
        .chain(m.contact.url.as_ref().map(|u| ("contact.url", u)))
    {
        if !url_acceptable(u) {
            errors.push(field(path, msg!("v-module-url")));
        }
    }
    if let Some(jwk) = &m.encryption_key {
        if let Err(key) = rsa_public_key(jwk) {
            errors.push(field("encryption_key.n", Message::new(key)));
        }
    }
    let mut seen = BTreeSet::new();
    let mut missing_events: Vec<&str> = Vec::new();
    for (i, s) in m.services.iter().enumerate() {
        if !seen.insert(s.key()) {
            errors.push(field(
                format!("services[{i}]"),
                msg!("v-module-service-twice"),
            ));
        }
        // An application asks its form; a report service may ask more than the
        // place and description (its Open311 attributes).
        if s.capability == Capability::Appointment && s.form.is_some() {
            errors.push(field(
                format!("services[{i}].form"),
                msg!("v-module-form-not-application"),
            ));
        }
        // Offers are booked only through an appointment service.
        if s.capability != Capability::Appointment && s.offers.is_some() {
            errors.push(field(
                format!("services[{i}].offers"),
                msg!("v-module-offers-not-appointment"),
            ));
        }
        if let (Capability::Application | Capability::Report, Some(form)) = (s.capability, &s.form)
        {
            match FormSpec::parse(form) {
                Err(problems) => {
                    errors.extend(problems.into_iter().map(|p| {
                        field(
                            format!("services[{i}].form{}", pointer_path(&p.pointer)),
                            p.message,
                        )
                    }));
                }
                // Open311 cannot carry files or addresses: a report service may ask
                // them, but not require them, or apps could never report to it.
                Ok(spec) if s.capability == Capability::Report => {
                    for f in spec.fields() {
                        if f.required && matches!(f.kind, Kind::File { .. } | Kind::Address) {
                            errors.push(field(
                                format!("services[{i}].form.required"),
                                msg!("v-report-form-required-field", field = f.name.clone()),
                            ));
                        }
                    }
                }
                Ok(spec) => {
                    // The public register must say everything the module receives: an
                    // application always sends its answers, and its files if it asks any.
                    let mut needed = vec![DataCategory::FormAnswers];
                    if spec.has_files() {
                        needed.push(DataCategory::Attachments);
                    }
                    for c in needed {
                        if !s.data.contains(&c) {
                            errors.push(field(
                                format!("services[{i}].data"),
                                msg!("v-module-data-undeclared", category = c.as_str()),
                            ));
                        }
                    }
                }
            }
        }
        // A report is always about a place.
        if s.capability == Capability::Report && !s.data.contains(&DataCategory::Location) {
            errors.push(field(
                format!("services[{i}].data"),
                msg!("v-module-data-undeclared", category = "location"),
            ));
        }
        // A service that takes cases must hear of them, or they would wait for ever.
        let first = match s.capability {
            Capability::Application => Some("application.submitted"),
            Capability::Report => Some("report.submitted"),
            Capability::Appointment => None,
        };
        if let Some(event) = first {
            if !subscribes(&m.events, event) && !missing_events.contains(&event) {
                missing_events.push(event);
            }
        }
    }
    for event in missing_events {
        errors.push(field(
            "events",
            msg!("v-module-event-required", event = event),
        ));
    }
    let capabilities: BTreeSet<Capability> = m.services.iter().map(|s| s.capability).collect();
    for (i, e) in m.events.iter().enumerate() {
        let family = e.split('.').next().unwrap_or("");
        if !capabilities.iter().any(|c| c.event_family() == family) {
            errors.push(field(
                format!("events[{i}]"),
                msg!("v-module-event-capability", event = e.clone()),
            ));
        }
    }
    if errors.is_empty() {
        Ok(m)
    } else {
        Err(ManifestError::Invalid(Invalid(errors)))
    }
}

/// Why a manifest is refused before the database is asked.
#[derive(Debug)]
pub enum ManifestError {
    /// Over [`MAX_BYTES`].
    TooLarge,
    Invalid(Invalid),
}

/// Whether `event` is among the subscribed `events` (directly or by its family's `*`).
pub fn subscribes(events: &[String], event: &str) -> bool {
    let family = event.split('.').next().unwrap_or("");
    events
        .iter()
        .any(|e| e == event || *e == format!("{family}.*"))
}

/// What `new` widens over `old`, the manifest in force, as field paths of `new`; empty
/// when the update only narrows or changes texts (names, purposes, legal bases, the
/// contact, the LeiKa key), which then applies at once. Widening is: a service added; a
/// data category added to a service; a scope or an event added; the base or webhook
/// address changed; the encryption key removed or changed; another operator; a lower
/// (or no) assurance level; a changed form; changed appointment offers.
pub fn widens(old: &Manifest, new: &Manifest, acr_levels: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, s) in new.services.iter().enumerate() {
        let Some(before) = old.services.iter().find(|o| o.key() == s.key()) else {
            out.push(format!("services[{i}]"));
            continue;
        };
        for (j, d) in s.data.iter().enumerate() {
            if !before.data.contains(d) {
                out.push(format!("services[{i}].data[{j}]"));
            }
        }
        let rank = |l: &Option<String>| {
            l.as_ref()
                .and_then(|l| acr_levels.iter().position(|x| x == l))
        };
        if before.min_acr.is_some() && rank(&s.min_acr) < rank(&before.min_acr) {
            out.push(format!("services[{i}].min_acr"));
        }
        if s.form != before.form {
            out.push(format!("services[{i}].form"));
        }
        // Other offers are other bookings, with the data their confirmations carry.
        let offers = |o: &Option<Vec<String>>| o.iter().flatten().cloned().collect::<BTreeSet<_>>();
        if offers(&s.offers) != offers(&before.offers) {
            out.push(format!("services[{i}].offers"));
        }
    }
    let old_scopes = old.scope_set();
    for (i, s) in new.scopes.iter().enumerate() {
        if Scope::parse(s).is_some_and(|s| !old_scopes.contains(s)) {
            out.push(format!("scopes[{i}]"));
        }
    }
    for (i, e) in new.events.iter().enumerate() {
        if !subscribes(&old.events, e) {
            out.push(format!("events[{i}]"));
        }
    }
    if new.base_url != old.base_url {
        out.push("base_url".into());
    }
    if new.webhook_url != old.webhook_url {
        out.push("webhook_url".into());
    }
    if old.encryption_key.is_some() && new.encryption_key != old.encryption_key {
        out.push("encryption_key".into());
    }
    if new.operator != old.operator {
        out.push("operator".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> Value {
        serde_json::from_str(EXAMPLE).unwrap()
    }

    fn fields_of(v: &Value) -> Vec<String> {
        match parse(v) {
            Err(ManifestError::Invalid(i)) => i.0.into_iter().map(|f| f.field).collect(),
            Err(ManifestError::TooLarge) => vec!["<too large>".into()],
            Ok(_) => Vec::new(),
        }
    }

    /// The committed schema and the committed example agree, and the example parses.
    #[test]
    fn the_example_manifest_satisfies_the_committed_schema() {
        let v = example();
        let errors: Vec<String> = VALIDATOR
            .iter_errors(&v)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let m = parse(&v).unwrap();
        assert_eq!(m.id, "parking-permits");
        assert_eq!(m.to_json(), v, "nothing is lost in parsing");
    }

    /// The schema's vocabularies are the code's: data categories, capabilities, module
    /// scopes and events.
    #[test]
    fn the_schema_lists_the_vocabularies_of_the_code() {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        let service = &schema["$defs"]["service"]["properties"];
        assert_eq!(
            strings(&service["data"]["items"]["enum"]),
            DataCategory::ALL.map(|d| d.as_str().to_string())
        );
        assert_eq!(
            strings(&service["capability"]["enum"]),
            Capability::ALL.map(|c| c.as_str().to_string())
        );
        let scopes: Vec<String> = Scope::ALL
            .into_iter()
            .filter(|s| s.is_for_modules())
            .map(|s| s.as_str().to_string())
            .collect();
        let mut in_schema = strings(&schema["properties"]["scopes"]["items"]["enum"]);
        in_schema.sort();
        let mut expected = scopes.clone();
        expected.sort();
        assert_eq!(in_schema, expected);
        assert_eq!(
            strings(&schema["properties"]["events"]["items"]["enum"]),
            EVENTS.map(String::from)
        );
    }

    #[test]
    fn bad_fields_are_named_by_their_path() {
        let mut v = example();
        v["services"][0]["leika_key"] = json!("12345");
        v["services"][0]["capability"] = json!("petition");
        v["manifest_version"] = json!("1");
        v["contact"]["email"] = json!("not an address");
        v["unknown"] = json!(true);
        let f = fields_of(&v);
        for expected in [
            "services[0].leika_key",
            "services[0].capability",
            "manifest_version",
            "contact.email",
            "unknown",
        ] {
            assert!(f.contains(&expected.to_string()), "{expected} in {f:?}");
        }
    }

    #[test]
    fn a_missing_field_is_named_where_it_belongs() {
        let mut v = example();
        v["services"][0].as_object_mut().unwrap().remove("form");
        v["services"][0].as_object_mut().unwrap().remove("purpose");
        let f = fields_of(&v);
        assert!(f.contains(&"services[0].form".to_string()), "{f:?}");
        assert!(f.contains(&"services[0].purpose".to_string()), "{f:?}");
    }

    #[test]
    fn a_form_outside_the_documented_subset_is_named_by_its_path() {
        let mut v = example();
        let form = &mut v["services"][0]["form"];
        form["properties"]["plate"]["type"] = json!("array");
        form["properties"]["zone"]["oneOf"] = json!([]);
        let f = fields_of(&v);
        assert!(!f.is_empty());
        assert!(
            f.iter()
                .all(|p| p.starts_with("services[0].form.properties.")),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|p| p.starts_with("services[0].form.properties.plate")),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|p| p.starts_with("services[0].form.properties.zone")),
            "{f:?}"
        );
        assert_eq!(
            pointer_path("/properties/a~1b/enum/2"),
            ".properties.a/b.enum[2]"
        );
    }

    #[test]
    fn plain_http_only_on_loopback() {
        let mut v = example();
        v["base_url"] = json!("http://parking.module.example");
        assert_eq!(fields_of(&v), ["base_url"]);
        v["base_url"] = json!("http://127.0.0.1:9000");
        v["webhook_url"] = json!("http://localhost:9000/hook");
        assert!(fields_of(&v).is_empty());
        v["webhook_url"] = json!("http://[::1]:9000/hook");
        assert!(fields_of(&v).is_empty());
        for bad in [
            "http://10.0.0.1/hook",
            "ftp://parking.module.example/hook",
            "https://user:secret@parking.module.example/hook",
            "https://parking.module.example/hook#x",
        ] {
            v["webhook_url"] = json!(bad);
            assert_eq!(fields_of(&v), ["webhook_url"], "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        let mut v = example();
        v["name"]["de"] = json!("Bewohner\u{0007}parken");
        v["services"][0]["purpose"]["de"] = json!("Zeile eins\nZeile zwei");
        assert_eq!(fields_of(&v), ["name.de"]);
    }

    #[test]
    fn the_key_must_be_an_rsa_public_key_of_2048_bits() {
        let mut v = example();
        v["encryption_key"]["n"] = json!("AQAB");
        assert_eq!(fields_of(&v), ["encryption_key.n"]);
        v["encryption_key"]["d"] = json!("AQAB");
        assert!(fields_of(&v).contains(&"encryption_key.d".to_string()));
    }

    #[test]
    fn services_events_and_forms_must_fit_together() {
        let mut v = example();
        let s = v["services"][0].clone();
        v["services"].as_array_mut().unwrap().push(s);
        v["events"] = json!(["application.*", "report.submitted"]);
        let mut report = v["services"][0].clone();
        report["capability"] = json!("report");
        report["listing"] = json!("report-street-defect");
        v["services"].as_array_mut().unwrap().push(report);
        let mut appointment = v["services"][0].clone();
        appointment["capability"] = json!("appointment");
        appointment["listing"] = json!("register-residence");
        appointment["offers"] = json!(["residence.register"]);
        v["services"].as_array_mut().unwrap().push(appointment);
        assert_eq!(
            fields_of(&v),
            [
                "services[1]",
                "services[2].form.required",
                "services[2].form.required",
                "services[2].data",
                "services[3].form"
            ],
            "events of a capability the manifest serves are fine, and a report service \
             may ask more (its Open311 attributes), but not require a file or an address \
             (the example's form requires one of each)"
        );
    }

    /// An appointment service, as the citizens' office module would declare it.
    fn appointment() -> Value {
        json!({
            "listing": "register-residence",
            "capability": "appointment",
            "data": ["name", "email"],
            "purpose": {"de": "Termin", "en": "Appointment"},
            "legal_basis": {"de": "Art. 6 DSGVO", "en": "Art. 6 GDPR"},
            "offers": ["residence.register", "residence.change"],
        })
    }

    #[test]
    fn an_appointment_service_names_its_offers_and_only_it_does() {
        let mut v = example();
        v["services"].as_array_mut().unwrap().push(appointment());
        v["events"] = json!(["application.*", "booking.confirmed"]);
        let m = parse(&v).unwrap();
        assert_eq!(
            m.services[1].offers.as_deref(),
            Some(
                &[
                    "residence.register".to_string(),
                    "residence.change".to_string()
                ][..]
            )
        );
        assert_eq!(m.to_json(), v, "nothing is lost in parsing");

        v["services"][1].as_object_mut().unwrap().remove("offers");
        assert_eq!(fields_of(&v), ["services[1].offers"], "required there");
        v["services"][1]["offers"] = json!([]);
        assert_eq!(fields_of(&v), ["services[1].offers"], "at least one");
        v["services"][1]["offers"] = json!(["residence register", "ok"]);
        assert_eq!(fields_of(&v), ["services[1].offers[0]"]);
        v["services"][1]["offers"] = json!(["a", "a"]);
        assert_eq!(fields_of(&v), ["services[1].offers"], "each once");
        v["services"][1]["offers"] = json!((0..=MAX_OFFERS)
            .map(|i| format!("o{i}"))
            .collect::<Vec<_>>());
        assert_eq!(
            fields_of(&v),
            ["services[1].offers"],
            "at most {MAX_OFFERS}"
        );
        v["services"][1]["offers"] = json!(["residence.register"]);
        v["services"][0]["offers"] = json!(["residence.register"]);
        assert_eq!(
            fields_of(&v),
            ["services[0].offers"],
            "not on an application"
        );
    }

    #[test]
    fn other_offers_widen() {
        let mut v = example();
        v["services"].as_array_mut().unwrap().push(appointment());
        let old = parse(&v).unwrap();
        v["services"][1]["offers"] = json!(["residence.register"]);
        let fewer = parse(&v).unwrap();
        assert_eq!(widens(&old, &fewer, &[]), ["services[1].offers"]);
        v["services"][1]["offers"] = json!(["residence.change", "residence.register"]);
        let reordered = parse(&v).unwrap();
        assert!(widens(&old, &reordered, &[]).is_empty(), "the same offers");
        v["services"][1]["offers"] = json!(["residence.register", "residence.other"]);
        assert_eq!(
            widens(&old, &parse(&v).unwrap(), &[]),
            ["services[1].offers"]
        );
        v["services"][1]["purpose"]["en"] = json!("An appointment");
        v["services"][1]["offers"] = json!(["residence.register", "residence.change"]);
        assert!(widens(&old, &parse(&v).unwrap(), &[]).is_empty());
    }

    #[test]
    fn what_a_service_always_sends_must_be_declared() {
        let mut v = example();
        v["services"][0]["data"] = json!(["name"]);
        assert_eq!(
            fields_of(&v),
            ["services[0].data", "services[0].data"],
            "an application sends its answers and, with a file field, its files"
        );
        let mut v = example();
        let mut report = v["services"][0].clone();
        report["capability"] = json!("report");
        report["data"] = json!(["name"]);
        report.as_object_mut().unwrap().remove("form");
        v["services"] = json!([report]);
        v["events"] = json!(["report.submitted"]);
        assert_eq!(fields_of(&v), ["services[0].data"], "a report has a place");
    }

    #[test]
    fn a_service_taking_cases_must_hear_of_them() {
        let mut v = example();
        v["events"] = json!(["application.withdrawn"]);
        assert_eq!(fields_of(&v), ["events"]);
        v["events"] = json!(["application.submitted"]);
        assert!(fields_of(&v).is_empty());
        v["events"] = json!([]);
        let mut appointment = v["services"][0].clone();
        appointment["capability"] = json!("appointment");
        appointment["offers"] = json!(["counter-1"]);
        appointment.as_object_mut().unwrap().remove("form");
        v["services"] = json!([appointment]);
        assert!(
            fields_of(&v).is_empty(),
            "appointments are booked through the module's own API"
        );
    }

    #[test]
    fn too_large_is_refused_before_anything_else() {
        let mut v = example();
        v["services"][0]["form"]["x"] = json!("a".repeat(MAX_BYTES));
        assert_eq!(fields_of(&v), ["<too large>"]);
    }

    #[test]
    fn widening_and_narrowing() {
        let old = parse(&example()).unwrap();
        let mut v = example();
        v["name"]["en"] = json!("Parking for residents");
        v["services"][0]["data"] = json!(["name", "email", "form_answers", "attachments"]);
        v["scopes"] = json!(["module:cases:read"]);
        let narrower = parse(&v).unwrap();
        assert!(widens(&old, &narrower, &[]).is_empty());
        v["services"][0]["data"] = json!(["name", "phone", "form_answers", "attachments"]);
        v["scopes"] = json!(["module:cases:read", "module:services:write"]);
        v["webhook_url"] = json!("https://elsewhere.example/hook");
        let wider = parse(&v).unwrap();
        assert_eq!(
            widens(&old, &wider, &[]),
            ["services[0].data[1]", "scopes[1]", "webhook_url"]
        );
    }

    #[test]
    fn a_lower_assurance_level_widens() {
        let levels = ["basic".to_string(), "substantial".to_string()];
        let mut v = example();
        v["services"][0]["min_acr"] = json!("substantial");
        let old = parse(&v).unwrap();
        v["services"][0]["min_acr"] = json!("basic");
        let lower = parse(&v).unwrap();
        assert_eq!(widens(&old, &lower, &levels), ["services[0].min_acr"]);
        assert!(widens(&lower, &old, &levels).is_empty());
    }
}
