//! The Module API as its own OpenAPI document (`openapi/module-api.json`), for the
//! developers of the city's modules: only what a module calls (the operations under
//! `/api/v1/module/`, taken from the portal's document with the schemas they use, and
//! the token endpoint), with the OAuth2 client credentials scheme and the scope each
//! operation needs, and the events the portal sends to the module's webhook (OpenAPI
//! 3.1 `webhooks`, from [`crate::modules::events`]). `city-portal openapi --module`
//! prints it (`web::app::module_spec_json`); a test compares it with the committed file.

use std::collections::BTreeSet;

use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApiService, Webhook};
use serde_json::{json, Value};

use crate::core::scope::Scope;
use crate::modules::events::{
    ApplicationAnsweredEvent, ApplicationErasedEvent, ApplicationSubmittedEvent,
    ApplicationWithdrawnEvent, BookingEvent, ReportCommentedEvent, ReportSubmittedEvent,
};

/// The Module API's version: a minor version only adds (optional fields, operations,
/// events); a major one changes what a module must do.
pub const VERSION: &str = "1.0.0";

/// The paths of the Module API within the portal's document.
pub const PREFIX: &str = "/api/v1/module/";

/// The name of the security scheme in the document.
pub const SCHEME: &str = "ModuleOAuth";

/// The scope each operation of the Module API needs (the handlers answer 403
/// `insufficient-scope` without it); an empty list: any of the module's tokens. A test
/// fails when an operation of the portal's document under [`PREFIX`] is missing here.
pub const OPERATION_SCOPES: &[(&str, &[Scope])] = &[
    ("list_module_applications", &[Scope::ModuleCasesRead]),
    ("get_module_application", &[Scope::ModuleCasesRead]),
    ("get_module_application_file", &[Scope::ModuleCasesRead]),
    ("set_module_application_status", &[Scope::ModuleCasesStatus]),
    (
        "post_module_application_message",
        &[Scope::ModuleCasesMessages],
    ),
    ("list_module_reports", &[Scope::ModuleCasesRead]),
    ("get_module_report", &[Scope::ModuleCasesRead]),
    ("set_module_report_status", &[Scope::ModuleCasesStatus]),
    ("comment_module_report", &[Scope::ModuleCasesMessages]),
    ("update_own_module_manifest", &[]),
];

const DESCRIPTION: &str = r#"What a city's e-government module (a back office, a permit workflow, a street-defect
tracker, an appointment system) uses to serve residents through the City Portal. The
portal owns the resident's side (forms, consent, status, notifications, the access log);
the module owns the back office. `openapi/MODULES.md` explains the contract in prose.

## Manifest

A module is described by its manifest, `module-manifest.schema.json` (published next to
this document): its services and their capability (`application`, `report`,
`appointment`), exactly which resident data it receives for what purpose, the scopes
and events it asks for, its webhook URL and, optionally, an RSA key to seal submissions
to. City admins register and approve it; approval creates its OAuth client (exactly the
approved scopes) and its webhook secret, each shown once. The module publishes its
manifest at `{base_url}/manifest.json`, where `city-portal module check` reads it.

## Authentication

OAuth 2.0 client credentials (RFC 6749 §4.4) at `POST /oauth/token` with the client id
and secret from the approval; tokens live 10 minutes. Each operation names the scope it
needs (`403 insufficient-scope` without it). Paused or removed modules get `401`.

## Cases

An application moves `submitted` → `received` → `in_progress` ⇄ `needs_information` (a
question; the resident's answer puts it back `in_progress`) → `approved` | `refused`
(decided) → `closed`; the resident may withdraw it (`withdrawn`) until it is decided. The
portal refuses any other step (`409 application-transition`).

## Webhooks

The portal POSTs the events the manifest subscribes to (`webhooks` below) to its
`webhook_url`, signed per Standard Webhooks: `webhook-id` (the same on every retry:
process each id once), `webhook-timestamp` (Unix seconds), `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the base64 part of the
module's `whsec_` secret). Verify both and refuse a bad signature or a timestamp more
than 5 minutes off with a `4xx`. Answer `2xx` within 10 seconds; anything else is
retried with backoff, never dropped, in order per case.

## Errors

RFC 9457 `application/problem+json` with a stable `type`; invalid input names every
field in `errors`.

## Appointments

A module with `appointment` services implements the Partner Booking API
(`partner-booking-api.json`); the portal books through it like a business's own system."#;

/// What the module's webhook answers.
#[derive(ApiResponse)]
pub enum WebhookAck {
    /// Received (or a `webhook-id` already processed, ignored). Any `2xx` within 10
    /// seconds counts; any other answer or none is retried with backoff. A wrong
    /// signature or a timestamp more than 5 minutes off must be answered with a `4xx`.
    #[oai(status = 200)]
    Received,
}

/// One webhook of the Module API: a trait of one operation (poem-openapi keeps one
/// operation per method in a trait, so each event has its own).
macro_rules! webhook {
    ($(#[$doc:meta])* $trait:ident, $name:literal, $op:ident, $event:ty) => {
        #[Webhook]
        pub trait $trait {
            $(#[$doc])*
            #[oai(name = $name, method = "post", operation_id = $name)]
            fn $op(
                &self,
                /// Unique per event, the same on every retry: process each id once.
                #[oai(name = "webhook-id")]
                id: Header<String>,
                /// Unix seconds of this attempt; refuse one more than 5 minutes off.
                #[oai(name = "webhook-timestamp")]
                timestamp: Header<i64>,
                /// `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`,
                /// keyed with the base64-decoded part of the module's `whsec_` secret;
                /// several may be space-separated.
                #[oai(name = "webhook-signature")]
                signature: Header<String>,
                event: Json<$event>,
            ) -> WebhookAck;
        }
    };
}

webhook!(
    /// A resident sent an application
    ///
    /// Carries exactly the data the resident agreed to send: in clear, or sealed to the
    /// module's key (sealed at submission; the portal keeps only the ciphertext, and
    /// every retry carries the same bytes). Files come by reference (`href`), fetched
    /// through the Module API. The
    /// resident's access log names the module as its recipient.
    ApplicationSubmitted,
    "application.submitted",
    application_submitted,
    ApplicationSubmittedEvent
);
webhook!(
    /// The resident answered a question
    ///
    /// After the module moved the case to `needs_information` with a question; the case
    /// is `in_progress` again.
    ApplicationAnswered,
    "application.answered",
    application_answered,
    ApplicationAnsweredEvent
);
webhook!(
    /// The resident withdrew an application
    ///
    /// Possible until the case is decided; the case is then `withdrawn` and final.
    ApplicationWithdrawn,
    "application.withdrawn",
    application_withdrawn,
    ApplicationWithdrawnEvent
);
webhook!(
    /// The resident's account was deleted: delete the case
    ///
    /// The portal erased the case with the resident's account; the module deletes its
    /// own copy of the case and everything the resident sent. Only the case's id.
    ApplicationErased,
    "application.erased",
    application_erased,
    ApplicationErasedEvent
);
webhook!(
    /// A report was submitted
    ///
    /// In the portal or by an Open311 app; read it with
    /// `GET /api/v1/module/reports/{id}`.
    ReportSubmitted,
    "report.submitted",
    report_submitted,
    ReportSubmittedEvent
);
webhook!(
    /// The reporter commented on a report
    ///
    /// The comment is among the report's `updates`.
    ReportCommented,
    "report.commented",
    report_commented,
    ReportCommentedEvent
);
webhook!(
    /// A booking was held
    ///
    /// For an appointment service; the booking lives in the module's Partner Booking
    /// API.
    BookingHeld,
    "booking.held",
    booking_held,
    BookingEvent
);
webhook!(
    /// A booking was confirmed
    ///
    /// For an appointment service.
    BookingConfirmed,
    "booking.confirmed",
    booking_confirmed,
    BookingEvent
);
webhook!(
    /// A booking was cancelled
    ///
    /// For an appointment service.
    BookingCancelled,
    "booking.cancelled",
    booking_cancelled,
    BookingEvent
);

/// The events the portal sends to a module's `webhook_url`, each only if its manifest
/// subscribes to it, in the order of `manifest::EVENTS`.
pub struct ModuleWebhooks;

macro_rules! each_webhook {
    ($f:ident) => {{
        $f!(ApplicationSubmitted);
        $f!(ApplicationAnswered);
        $f!(ApplicationWithdrawn);
        $f!(ApplicationErased);
        $f!(ReportSubmitted);
        $f!(ReportCommented);
        $f!(BookingHeld);
        $f!(BookingConfirmed);
        $f!(BookingCancelled);
    }};
}

impl poem_openapi::Webhook for ModuleWebhooks {
    fn meta() -> Vec<poem_openapi::registry::MetaWebhook> {
        let mut all = Vec::new();
        macro_rules! add {
            ($t:ident) => {
                all.extend(<&dyn $t as poem_openapi::Webhook>::meta())
            };
        }
        each_webhook!(add);
        all
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        macro_rules! reg {
            ($t:ident) => {
                <&dyn $t as poem_openapi::Webhook>::register(registry)
            };
        }
        each_webhook!(reg);
    }
}

/// The schema names a part of a document refers to (`#/components/schemas/<name>`).
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.insert(name.to_string());
                }
            }
            o.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The token endpoint as a module uses it (client credentials only).
fn token_path() -> Value {
    let error = json!({
        "description": "RFC 6749 §5.2: `invalid_request`, `invalid_client` (401, with a \
                        Basic challenge), `unauthorized_client`, `invalid_scope` or \
                        `unsupported_grant_type`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}
    });
    json!({
        "post": {
            "tags": ["Authentication"],
            "summary": "Get an access token",
            "description": "Client credentials (RFC 6749 §4.4): the module's client id and \
                secret, by HTTP Basic (`client_secret_basic`) or as form fields \
                (`client_secret_post`). Without `scope` the token carries every scope the \
                module was granted; a scope it was not granted answers `invalid_scope`. \
                The token lives `expires_in` seconds (600); there is no refresh token: \
                ask for a new one.",
            "operationId": "get_token",
            "security": [{"ClientBasic": []}, {}],
            "requestBody": {
                "required": true,
                "content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {
                            "type": "string",
                            "description": "Space-separated module scopes (default: all granted)."
                        },
                        "client_id": {"type": "string", "description": "Without HTTP Basic."},
                        "client_secret": {"type": "string", "description": "Without HTTP Basic."}
                    }
                }}}
            },
            "responses": {
                "200": {
                    "description": "The access token (`Cache-Control: no-store`).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}
                },
                "400": error.clone(),
                "401": error
            }
        }
    })
}

/// The schemas of the token endpoint's answers.
fn token_schemas() -> Value {
    json!({
        "TokenResponse": {
            "type": "object",
            "required": ["access_token", "token_type", "expires_in", "scope"],
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer", "description": "Seconds until it expires."},
                "scope": {"type": "string", "description": "The token's scopes, space-separated."}
            }
        },
        "OAuthError": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string"},
                "error_description": {"type": "string"}
            }
        }
    })
}

/// How the published documents (the portal's and this one) are tidied (see
/// `openapi_tidy`): the server is the one that serves the document, whatever its
/// address.
pub(crate) fn tidy_options() -> openapi_tidy::Tidy {
    openapi_tidy::Tidy {
        servers: serde_json::json!([{
            "url": "/",
            "description": "The portal serving this document (its public address)."
        }]),
        nullable_optionals: true,
    }
}

/// The name of the manifest's schema among the document's schemas.
const MANIFEST: &str = "ModuleManifest";

/// The published manifest schema (`module-manifest.schema.json`) as schemas of this
/// document: generators do not follow a reference to another file. Its `$defs` become
/// schemas named `ModuleManifest` + their name in CamelCase.
fn manifest_schemas() -> serde_json::Map<String, Value> {
    fn name(def: &str) -> String {
        let camel: String = def
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect();
        format!("{MANIFEST}{camel}")
    }
    fn rewrite(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get_mut("$ref") {
                    if let Some(def) = r.strip_prefix("#/$defs/") {
                        *r = format!("#/components/schemas/{}", name(def));
                    }
                }
                o.values_mut().for_each(rewrite);
            }
            Value::Array(a) => a.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    let mut manifest: Value =
        serde_json::from_str(crate::modules::manifest::SCHEMA).expect("the schema is JSON");
    let mut out = serde_json::Map::new();
    let defs = manifest
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$id");
            o.remove("$defs")
        })
        .and_then(|d| d.as_object().cloned())
        .unwrap_or_default();
    for (def, schema) in defs {
        out.insert(name(&def), schema);
    }
    out.insert(MANIFEST.into(), manifest);
    out.values_mut().for_each(rewrite);
    out
}

/// The operations whose body is a manifest.
const MANIFEST_OPERATIONS: &[&str] = &[
    "register_module",
    "update_module_manifest",
    "update_own_module_manifest",
];

/// Says in the portal's document that the operations taking a manifest take one of the
/// published schema (`module-manifest.schema.json`, whose parts become schemas of the
/// document): the handlers read it as JSON and check it against that schema.
pub(super) fn with_manifest_schema(doc: &mut Value) {
    for op in super::spec_patterns::operations_mut(doc) {
        let takes_manifest = op["operationId"]
            .as_str()
            .is_some_and(|id| MANIFEST_OPERATIONS.contains(&id));
        if takes_manifest {
            for content in op["requestBody"]["content"]
                .as_object_mut()
                .into_iter()
                .flat_map(|c| c.values_mut())
            {
                content["schema"] = json!({"$ref": format!("#/components/schemas/{MANIFEST}")});
            }
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(published_manifest_schemas());
    }
}

/// [`manifest_schemas`] with the pattern of a body's text on its free-text strings: the
/// portal refuses control characters in a manifest as in every body.
fn published_manifest_schemas() -> serde_json::Map<String, Value> {
    let mut schemas = manifest_schemas();
    schemas
        .values_mut()
        .for_each(super::spec_patterns::body_text_patterns);
    schemas
}

/// The document, as committed in `openapi/module-api.json`.
pub fn generate(portal_spec: &str) -> String {
    let portal: Value = serde_json::from_str(portal_spec).expect("the portal's document is JSON");
    let service = OpenApiService::new((), "City Portal Module API", VERSION)
        .summary("What a city's e-government module uses to serve residents through the portal")
        .description(DESCRIPTION)
        .webhooks::<ModuleWebhooks>();
    let mut doc: Value = serde_json::from_str(&service.spec()).expect("poem-openapi emits JSON");
    // poem-openapi writes 3.0.0 but emits the 3.1 `webhooks` section.
    doc["openapi"] = "3.1.0".into();
    doc["externalDocs"] = json!({
        "description": "The module manifest's JSON Schema",
        "url": "module-manifest.schema.json"
    });

    let mut paths = serde_json::Map::new();
    paths.insert("/oauth/token".into(), token_path());
    for (path, item) in portal["paths"].as_object().into_iter().flatten() {
        if !path.starts_with(PREFIX) {
            continue;
        }
        let mut item = item.clone();
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            let scopes: Vec<&str> = OPERATION_SCOPES
                .iter()
                .find(|(o, _)| *o == id)
                .map(|(_, s)| s.iter().map(|s| s.as_str()).collect())
                .unwrap_or_default();
            op["security"] = json!([{ SCHEME: scopes }]);
            op["tags"] = json!(["Module API"]);
        }
        paths.insert(path.clone(), item);
    }
    doc["paths"] = Value::Object(paths);

    // The schemas the operations use, and those they use in turn.
    let mut wanted = BTreeSet::new();
    refs(&doc["paths"], &mut wanted);
    let mut schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let portal_schemas = portal["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut todo: Vec<String> = wanted.into_iter().collect();
    while let Some(name) = todo.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        let Some(s) = portal_schemas.get(&name) else {
            continue; // the token endpoint's, added below
        };
        let mut more = BTreeSet::new();
        refs(s, &mut more);
        schemas.insert(name, s.clone());
        todo.extend(more);
    }
    for (k, v) in token_schemas().as_object().into_iter().flatten() {
        schemas.insert(k.clone(), v.clone());
    }
    schemas.extend(manifest_schemas());
    schemas.sort_keys();
    doc["components"]["schemas"] = Value::Object(schemas);

    let module_scopes: serde_json::Map<String, Value> = portal["components"]["securitySchemes"]
        ["OAuth2"]["flows"]["clientCredentials"]["scopes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| Scope::parse(k).is_some_and(|s| s.is_for_modules()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    doc["components"]["securitySchemes"] = json!({
        SCHEME: {
            "type": "oauth2",
            "description": "The module's own access token from the client credentials grant \
                            (`Authorization: Bearer <token>`), with exactly the scopes the \
                            city approved in its manifest.",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": module_scopes}}
        },
        "ClientBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "The module's client id and secret (only at the token endpoint)."
        }
    });
    doc["tags"] = json!([
        {"name": "Authentication", "description": "The module's access token."},
        {"name": "Module API", "description": "The module's cases and its own manifest."}
    ]);
    openapi_tidy::tidy(&mut doc, &tidy_options());
    // The manifest's schema as published (its optional properties do not take `null`).
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(published_manifest_schemas());
    }
    let mut s = serde_json::to_string_pretty(&doc).expect("serializes");
    s.push('\n');
    s
}
