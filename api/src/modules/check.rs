//! `city-portal module check <url>`: what a module gets wrong against the Module API
//! contract (`openapi/module-api.json`, `openapi/MODULES.md`), like `partner check`.
//!
//! Discovery: a module publishes its manifest at `{url}/manifest.json` (or the
//! developer passes the file). The checker then
//!
//! * validates the manifest against the committed JSON Schema and the rules
//!   [`manifest::parse`] adds (what the portal checks without its database);
//! * checks that the addresses the portal calls are https, or http on loopback;
//! * sends the module's webhook a correctly signed synthetic event of each type it
//!   subscribes to (2xx within the portal's 10 s), the same `webhook-id` again
//!   (idempotent: 2xx), a wrong signature, no signature and a stale timestamp (each a
//!   4xx, neither 2xx nor 5xx); for a module with a key, the synthetic application is
//!   sealed to it as the portal seals;
//! * for `appointment` services, runs the Partner Booking API checks
//!   ([`partner_contract::check_with`]) against the module's `base_url`;
//! * on the portal with its database, [`status_history`] reads the recorded timelines
//!   of a registered module's cases and names every step outside the legal graph.
//!
//! The synthetic events carry invented data only, never a resident's.

use std::time::{Duration, Instant};

use chrono::Utc;
use partner_contract::webhook::{self, Secret, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use poem_openapi::types::ToJSON;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use partner_contract::{Finding, Outcome};

use super::events::{self, Attachment};
use super::manifest::{self, ManifestError};
use crate::applications::form::{FormSpec, Kind, TextFormat};
use crate::applications::seal::ModuleKey;
use crate::applications::service::Status;
use crate::core::i18n::I18n;

/// Where a module publishes its manifest, relative to the URL checked.
pub const MANIFEST_PATH: &str = "/manifest.json";

/// Answers slower than this are reported as a warning (the portal gives up at 10 s).
pub const SLOW: Duration = Duration::from_secs(2);

/// What to check.
#[derive(Clone, Debug)]
pub struct Options {
    /// The module's URL: its manifest is at `{url}/manifest.json`.
    pub url: String,
    /// The manifest, when the developer passes it instead (`--manifest FILE`).
    pub manifest: Option<Value>,
    /// The module's webhook secret (`whsec_...`): without it the correctly signed
    /// events cannot be made and those checks are skipped.
    pub webhook_secret: Option<String>,
    /// The OAuth client of the module's Partner Booking API (id, secret), for its
    /// `appointment` services.
    pub partner_client: Option<(String, String)>,
    /// Its token URL (default: `{base_url}/oauth/token`).
    pub partner_token_url: Option<String>,
    /// How long the module may take to answer a webhook: the portal's timeout.
    pub timeout: Duration,
}

impl Options {
    /// Options for `url` with the portal's 10 s webhook timeout and nothing else.
    pub fn new(url: &str) -> Options {
        Options {
            url: url.trim_end_matches('/').to_string(),
            manifest: None,
            webhook_secret: None,
            partner_client: None,
            partner_token_url: None,
            timeout: super::delivery::TIMEOUT,
        }
    }
}

/// Everything the checker found.
#[derive(Clone, Debug)]
pub struct Report {
    /// The URL checked.
    pub url: String,
    /// The manifest's `id`, when it names one.
    pub module_id: Option<String>,
    /// The findings in the order the checks ran.
    pub findings: Vec<Finding>,
}

fn label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "WARN",
        Outcome::Skip => "SKIP",
    }
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(|f| f.outcome == Outcome::Fail)
    }

    /// The finding of one check.
    pub fn finding(&self, check: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.check == check)
    }

    /// The failed checks' names.
    pub fn failed(&self) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail)
            .map(|f| f.check.as_str())
            .collect()
    }

    /// A plain-text report, one line per check and a summary.
    pub fn render(&self) -> String {
        let mut out = format!("Module API conformance of {}\n\n", self.url);
        let width = self
            .findings
            .iter()
            .map(|f| f.check.len())
            .max()
            .unwrap_or(0);
        for f in &self.findings {
            out.push_str(&format!(
                "{}  {:width$}  {}\n",
                label(f.outcome),
                f.check,
                f.message
            ));
        }
        let count = |o: Outcome| self.findings.iter().filter(|f| f.outcome == o).count();
        out.push_str(&format!(
            "\n{} passed, {} failed, {} warnings, {} skipped\n",
            count(Outcome::Pass),
            count(Outcome::Fail),
            count(Outcome::Warn),
            count(Outcome::Skip)
        ));
        out
    }
}

struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn add(&mut self, check: &str, outcome: Outcome, message: impl Into<String>) {
        self.findings.push(Finding {
            check: check.to_string(),
            outcome,
            message: message.into(),
        });
    }
}

/// A field's complaint in English, as the API words it.
fn worded(f: &crate::core::error::FieldMessage) -> String {
    let text = I18n::embedded().api_text(&f.message);
    if f.field.is_empty() {
        text
    } else {
        format!("{}: {text}", f.field)
    }
}

/// At most `n` complaints, then how many more.
fn listed(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > n {
        s.push_str(&format!("; and {} more", items.len() - n));
    }
    s
}

/// Runs every check against the module at `options.url`.
pub async fn check(options: Options) -> Report {
    let mut c = Checker {
        findings: Vec::new(),
    };
    let http = reqwest::Client::builder()
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");

    // 1. The manifest.
    let raw = match &options.manifest {
        Some(m) => {
            c.add(
                "manifest-fetch",
                Outcome::Skip,
                "the manifest was given as a file",
            );
            Some(m.clone())
        }
        None => fetch_manifest(&mut c, &http, &options.url).await,
    };
    let Some(raw) = raw else {
        for check in ["manifest-schema", "manifest-rules", "urls", "webhook"] {
            c.add(check, Outcome::Skip, "no manifest to check");
        }
        return Report {
            url: options.url,
            module_id: None,
            findings: c.findings,
        };
    };
    let schema: Vec<String> = manifest::schema_errors(&raw).iter().map(worded).collect();
    if schema.is_empty() {
        c.add(
            "manifest-schema",
            Outcome::Pass,
            "the manifest satisfies module-manifest.schema.json",
        );
        match manifest::parse(&raw) {
            Ok(_) => c.add(
                "manifest-rules",
                Outcome::Pass,
                "services, events, forms and key fit together",
            ),
            Err(ManifestError::TooLarge) => c.add(
                "manifest-rules",
                Outcome::Fail,
                format!("the manifest is over {} KiB", manifest::MAX_BYTES / 1024),
            ),
            Err(ManifestError::Invalid(i)) => {
                let items: Vec<String> = i.0.iter().map(worded).collect();
                c.add("manifest-rules", Outcome::Fail, listed(&items, 10));
            }
        }
    } else {
        c.add(
            "manifest-schema",
            Outcome::Fail,
            format!(
                "module-manifest.schema.json is not satisfied: {}",
                listed(&schema, 10)
            ),
        );
        c.add(
            "manifest-rules",
            Outcome::Skip,
            "the manifest must satisfy the schema first",
        );
    }

    // 2. The addresses the portal calls.
    let mut bad = Vec::new();
    let mut seen = 0;
    for (path, u) in [
        ("base_url", raw["base_url"].as_str()),
        ("webhook_url", raw["webhook_url"].as_str()),
        ("contact.url", raw["contact"]["url"].as_str()),
    ] {
        if let Some(u) = u {
            seen += 1;
            if !manifest::url_acceptable(u) {
                bad.push(format!("{path} {u}"));
            }
        }
    }
    if seen == 0 {
        c.add("urls", Outcome::Skip, "the manifest names no address");
    } else if bad.is_empty() {
        c.add(
            "urls",
            Outcome::Pass,
            "every address is https (or http on this machine's loopback)",
        );
    } else {
        c.add(
            "urls",
            Outcome::Fail,
            format!(
                "{}: the portal calls only https addresses (http only on loopback), without \
                 credentials or fragment",
                bad.join(", ")
            ),
        );
    }

    // 3. The webhook.
    webhooks(&mut c, &http, &raw, options.webhook_secret.as_deref()).await;

    // 4. The Partner Booking API of appointment services.
    let appointments = raw["services"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["capability"] == "appointment");
    let base_url = raw["base_url"].as_str().unwrap_or(&options.url).to_string();
    match (&options.partner_client, appointments) {
        (_, false) => c.add(
            "partner-booking-api",
            Outcome::Skip,
            "no appointment service in the manifest",
        ),
        (None, true) => c.add(
            "partner-booking-api",
            Outcome::Skip,
            "appointment services are booked through the module's Partner Booking API: \
             pass --client-id (and MODULE_CLIENT_SECRET) to check it",
        ),
        (Some((id, secret)), true) => {
            let token_url = options
                .partner_token_url
                .clone()
                .unwrap_or_else(|| format!("{}/oauth/token", base_url.trim_end_matches('/')));
            let report = partner_contract::check_with(partner_contract::CheckOptions::new(
                &base_url, &token_url, id, secret,
            ))
            .await;
            for f in report.findings {
                c.add(&format!("partner:{}", f.check), f.outcome, f.message);
            }
        }
    }
    Report {
        url: options.url,
        module_id: raw["id"].as_str().map(String::from),
        findings: c.findings,
    }
}

async fn fetch_manifest(c: &mut Checker, http: &reqwest::Client, url: &str) -> Option<Value> {
    let at = format!("{url}{MANIFEST_PATH}");
    let r = match http.get(&at).send().await {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                "did not answer in time".to_string()
            } else {
                "could not be reached".to_string()
            };
            c.add(
                "manifest-fetch",
                Outcome::Fail,
                format!(
                    "{at} {why}: a module publishes its manifest there (or pass --manifest FILE)"
                ),
            );
            return None;
        }
    };
    let status = r.status().as_u16();
    if status != 200 {
        c.add(
            "manifest-fetch",
            Outcome::Fail,
            format!("{at} answered {status}, not 200 with the manifest (or pass --manifest FILE)"),
        );
        return None;
    }
    let bytes = r.bytes().await.unwrap_or_default();
    if bytes.len() > manifest::MAX_BYTES {
        c.add(
            "manifest-fetch",
            Outcome::Fail,
            format!("{at} is over {} KiB", manifest::MAX_BYTES / 1024),
        );
        return None;
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => {
            c.add("manifest-fetch", Outcome::Pass, format!("read {at}"));
            Some(v)
        }
        Err(e) => {
            c.add(
                "manifest-fetch",
                Outcome::Fail,
                format!("{at} is not JSON: {e}"),
            );
            None
        }
    }
}

/// An invented value for a form field.
fn sample(kind: &Kind) -> Value {
    match kind {
        Kind::Text { format, .. } => match format {
            Some(TextFormat::Email) => json!("resident@example.org"),
            Some(TextFormat::Tel) => json!("+49 711 0000000"),
            Some(TextFormat::Uri) => json!("https://example.org"),
            None => json!("Example"),
        },
        Kind::Number {
            integer, minimum, ..
        } => {
            let n = minimum.unwrap_or(1.0);
            if *integer {
                json!(n.ceil() as i64)
            } else {
                json!(n)
            }
        }
        Kind::Choice { options } => json!(options.first().map(|o| o.0.clone())),
        Kind::Boolean { .. } => json!(true),
        Kind::Date { .. } => json!(Utc::now().date_naive().to_string()),
        Kind::Address => {
            json!({"street": "Musterstraße 1", "postcode": "70173", "city": "Stuttgart"})
        }
        Kind::File { .. } => Value::Null,
    }
}

/// The bytes of the invented attachment: a minimal PDF.
const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n% synthetic attachment of city-portal module check\n%%EOF\n";

/// The service of `capability` the synthetic events are about.
fn service_of<'a>(raw: &'a Value, capability: &str) -> Option<&'a Value> {
    raw["services"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["capability"] == capability)
}

/// The synthetic body of one event type (invented data, sealed to `key` when given).
pub fn synthetic_event(
    raw: &Value,
    event_type: &str,
    key: Option<&ModuleKey>,
) -> Result<Value, String> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let family = event_type.split('.').next().unwrap_or_default();
    let capability = match family {
        "booking" => "appointment",
        f => f,
    };
    let service = service_of(raw, capability);
    let listing = service
        .and_then(|s| s["listing"].as_str())
        .unwrap_or("example-service")
        .to_string();
    let seal = |v: Value| -> Result<String, String> {
        key.expect("sealing only with a key")
            .seal(v.to_string().as_bytes(), "application/json")
            .map_err(|e| format!("cannot seal to the manifest's key: {e}"))
    };
    let v = match event_type {
        "application.submitted" => {
            let categories: Vec<String> = service
                .and_then(|s| s["data"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(String::from))
                .collect();
            let mut resident = serde_json::Map::new();
            if categories.iter().any(|c| c == "name") {
                resident.insert("name".into(), json!("Erika Mustermann"));
            }
            if categories.iter().any(|c| c == "email") {
                resident.insert("email".into(), json!("erika@example.org"));
            }
            let spec = service.and_then(|s| FormSpec::parse(&s["form"]).ok());
            let mut answers = serde_json::Map::new();
            let mut attachments = Vec::new();
            let mut names = Vec::new();
            for f in spec.as_ref().map(|s| s.fields()).unwrap_or(&[]) {
                if let Kind::File { .. } = f.kind {
                    let file_id = Uuid::now_v7();
                    answers.insert(f.name.clone(), json!(file_id));
                    names.push(json!({"id": file_id, "file_name": "proof.pdf"}));
                    attachments.push(Attachment {
                        id: file_id,
                        field: Some(f.name.clone()),
                        role: "attachment".into(),
                        content_type: "application/pdf".into(),
                        size: SAMPLE_PDF.len() as i64,
                        sha256: hex::encode(Sha256::digest(SAMPLE_PDF)),
                        sealed: false,
                        file_name: None,
                        href: format!("/api/v1/module/applications/{id}/files/{file_id}"),
                    });
                } else {
                    answers.insert(f.name.clone(), sample(&f.kind));
                }
            }
            let (resident, answers, sealed) = match key {
                Some(k) => {
                    for a in &mut attachments {
                        let jwe = k
                            .seal(SAMPLE_PDF, "application/pdf")
                            .map_err(|e| format!("cannot seal to the manifest's key: {e}"))?;
                        a.sealed = true;
                        a.size = jwe.len() as i64;
                        a.sha256 = hex::encode(Sha256::digest(jwe.as_bytes()));
                    }
                    let inner =
                        json!({"resident": resident, "answers": answers, "attachments": names});
                    (None, None, Some(seal(inner)?))
                }
                None => {
                    for a in &mut attachments {
                        a.file_name = Some("proof.pdf".into());
                    }
                    (
                        Some(Value::Object(resident)),
                        Some(Value::Object(answers)),
                        None,
                    )
                }
            };
            events::ApplicationSubmittedEvent {
                kind: event_type.into(),
                timestamp: now,
                data: events::ApplicationSubmittedData {
                    application_id: id,
                    status: "submitted".into(),
                    service: listing,
                    submitted_at: now,
                    locale: "de".into(),
                    data_categories: categories,
                    resident,
                    answers,
                    sealed,
                    attachments,
                },
            }
            .to_json()
        }
        "application.answered" => {
            let answer = "The synthetic answer of city-portal module check.";
            let (answer, sealed) = match key {
                Some(_) => (None, Some(seal(json!({ "answer": answer }))?)),
                None => (Some(answer.to_string()), None),
            };
            events::ApplicationAnsweredEvent {
                kind: event_type.into(),
                timestamp: now,
                data: events::ApplicationAnsweredData {
                    application_id: id,
                    status: "in_progress".into(),
                    service: listing,
                    submitted_at: now,
                    locale: "de".into(),
                    answer,
                    sealed,
                },
            }
            .to_json()
        }
        "application.withdrawn" => events::ApplicationWithdrawnEvent {
            kind: event_type.into(),
            timestamp: now,
            data: events::ApplicationWithdrawnData {
                application_id: id,
                status: "withdrawn".into(),
                service: listing,
                submitted_at: now,
                locale: "de".into(),
            },
        }
        .to_json(),
        "application.erased" => events::ApplicationErasedEvent {
            kind: event_type.into(),
            timestamp: now,
            data: events::ApplicationErasedData {
                application_id: id,
                service: listing,
            },
        }
        .to_json(),
        "report.submitted" => events::ReportSubmittedEvent {
            kind: event_type.into(),
            timestamp: now,
            data: events::ReportSubmittedData {
                report_id: id,
                service_code: listing,
                module: raw["id"].as_str().unwrap_or_default().to_string(),
                status: "open".into(),
                requested_datetime: now,
                locale: "de".into(),
            },
        }
        .to_json(),
        "report.commented" => events::ReportCommentedEvent {
            kind: event_type.into(),
            timestamp: now,
            data: events::ReportCommentedData {
                report_id: id,
                update_id: Uuid::now_v7(),
                service_code: listing,
                commented_datetime: now,
                locale: "de".into(),
            },
        }
        .to_json(),
        t if t.starts_with("booking.") => {
            let status = t.trim_start_matches("booking.").to_string();
            events::BookingEvent {
                kind: event_type.into(),
                timestamp: now,
                data: events::BookingEventData {
                    booking_id: id,
                    offer_id: Uuid::now_v7(),
                    from: (status != "held").then(|| "held".to_string()),
                    status,
                },
            }
            .to_json()
        }
        other => return Err(format!("{other} is not an event of the Module API")),
    };
    v.ok_or_else(|| "the event does not serialize".to_string())
}

/// One webhook as sent, and what the module answered.
struct Sent {
    status: Option<u16>,
    error: Option<String>,
    took: Duration,
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &str,
    id: &str,
    timestamp: i64,
    signature: Option<&str>,
) -> Sent {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .header(HEADER_ID, id)
        .header(HEADER_TIMESTAMP, timestamp.to_string())
        .body(body.to_string());
    if let Some(s) = signature {
        req = req.header(HEADER_SIGNATURE, s);
    }
    let started = Instant::now();
    let r = req.send().await;
    let took = started.elapsed();
    match r {
        Ok(r) => Sent {
            status: Some(r.status().as_u16()),
            error: None,
            took,
        },
        Err(e) if e.is_timeout() => Sent {
            status: None,
            error: Some("did not answer within the portal's 10 s timeout".into()),
            took,
        },
        Err(_) => Sent {
            status: None,
            error: Some("could not be reached".into()),
            took,
        },
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// The webhook checks.
async fn webhooks(c: &mut Checker, http: &reqwest::Client, raw: &Value, secret: Option<&str>) {
    let Some(url) = raw["webhook_url"].as_str() else {
        c.add(
            "webhook",
            Outcome::Skip,
            "the manifest names no webhook_url",
        );
        return;
    };
    let subscribed: Vec<String> = raw["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(String::from))
        .collect();
    let types = events::concrete(&subscribed);
    if types.is_empty() {
        c.add(
            "webhook",
            Outcome::Skip,
            "the manifest subscribes to no event: the portal sends it nothing",
        );
        return;
    }
    let key = match raw.get("encryption_key") {
        Some(jwk) => match ModuleKey::from_jwk(jwk) {
            Ok(k) => Some(k),
            Err(e) => {
                c.add(
                    "sealed",
                    Outcome::Fail,
                    format!("encryption_key cannot be used to seal: {e}"),
                );
                return;
            }
        },
        None => None,
    };
    let secret = match secret.map(Secret::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            c.add("webhook", Outcome::Fail, format!("--webhook-secret: {e}"));
            return;
        }
        None => None,
    };
    let now = || Utc::now().timestamp();
    let mut first: Option<(String, String)> = None;
    match &secret {
        None => {
            for t in &types {
                c.add(
                    &format!("webhook {t}"),
                    Outcome::Skip,
                    "no webhook secret: pass the module's whsec_ secret (--webhook-secret or \
                     MODULE_WEBHOOK_SECRET) to send correctly signed events",
                );
            }
        }
        Some(s) => {
            for t in &types {
                let name = format!("webhook {t}");
                let body = match synthetic_event(raw, t, key.as_ref()) {
                    Ok(b) => b.to_string(),
                    Err(e) => {
                        c.add(&name, Outcome::Fail, e);
                        continue;
                    }
                };
                let id = format!("msg_check_{}", Uuid::new_v4().simple());
                let ts = now();
                let sig = webhook::sign(s, &id, ts, body.as_bytes());
                let sent = post(http, url, &body, &id, ts, Some(&sig)).await;
                match (sent.status, sent.error) {
                    (_, Some(e)) => c.add(&name, Outcome::Fail, format!("{url} {e}")),
                    (Some(st), None) if (200..300).contains(&st) => {
                        if first.is_none() {
                            first = Some((id, body));
                        }
                        if sent.took > SLOW {
                            c.add(
                                &name,
                                Outcome::Warn,
                                format!(
                                    "accepted ({st}) but took {}: the portal waits 10 s at most",
                                    ms(sent.took)
                                ),
                            );
                        } else {
                            c.add(
                                &name,
                                Outcome::Pass,
                                format!("a signed event was accepted ({st}, {})", ms(sent.took)),
                            );
                        }
                    }
                    (Some(st), None) => c.add(
                        &name,
                        Outcome::Fail,
                        format!(
                            "a correctly signed event was answered {st}: the portal would retry it \
                             with backoff until it gets a 2xx{}",
                            if (300..400).contains(&st) {
                                " (it follows no redirects)"
                            } else {
                                ""
                            }
                        ),
                    ),
                    (None, None) => {}
                }
            }
        }
    }

    // The same webhook-id again: the portal retries after a lost answer.
    match (&secret, &first) {
        (Some(s), Some((id, body))) => {
            let ts = now();
            let sig = webhook::sign(s, id, ts, body.as_bytes());
            let sent = post(http, url, body, id, ts, Some(&sig)).await;
            match (sent.status, sent.error) {
                (Some(st), None) if (200..300).contains(&st) => c.add(
                    "webhook-replay",
                    Outcome::Pass,
                    format!("the same webhook-id again was accepted ({st})"),
                ),
                (Some(st), None) => c.add(
                    "webhook-replay",
                    Outcome::Fail,
                    format!(
                        "the same webhook-id again was answered {st}: the portal resends an event \
                         whose answer it lost; process each webhook-id once and answer 2xx again"
                    ),
                ),
                (_, e) => c.add(
                    "webhook-replay",
                    Outcome::Fail,
                    format!("{url} {}", e.unwrap_or_default()),
                ),
            }
        }
        (None, _) => c.add("webhook-replay", Outcome::Skip, "no webhook secret"),
        (Some(_), None) => c.add(
            "webhook-replay",
            Outcome::Skip,
            "no signed event was accepted to repeat",
        ),
    }

    // What must be refused.
    let t = types[0];
    let body = match synthetic_event(raw, t, key.as_ref()) {
        Ok(b) => b.to_string(),
        Err(_) => return,
    };
    let forged = Secret::generate();
    let id = format!("msg_check_{}", Uuid::new_v4().simple());
    let ts = now();
    let sig = webhook::sign(&forged, &id, ts, body.as_bytes());
    let sent = post(http, url, &body, &id, ts, Some(&sig)).await;
    refused(
        c,
        "webhook-bad-signature",
        url,
        sent,
        "an event signed with another secret",
        "verify webhook-signature with the module's secret",
    );
    let id = format!("msg_check_{}", Uuid::new_v4().simple());
    let sent = post(http, url, &body, &id, now(), None).await;
    refused(
        c,
        "webhook-unsigned",
        url,
        sent,
        "an event without webhook-signature",
        "verify webhook-signature with the module's secret",
    );
    match &secret {
        Some(s) => {
            let id = format!("msg_check_{}", Uuid::new_v4().simple());
            let stale = now() - 2 * webhook::TOLERANCE_SECS;
            let sig = webhook::sign(s, &id, stale, body.as_bytes());
            let sent = post(http, url, &body, &id, stale, Some(&sig)).await;
            refused(
                c,
                "webhook-stale-timestamp",
                url,
                sent,
                "a correctly signed event 10 minutes old",
                "refuse a webhook-timestamp more than 5 minutes from your clock (a replayed \
                 capture)",
            );
        }
        None => c.add(
            "webhook-stale-timestamp",
            Outcome::Skip,
            "no webhook secret",
        ),
    }
    match (&key, &secret, &first) {
        (None, _, _) => c.add(
            "sealed",
            Outcome::Skip,
            "the manifest has no encryption_key: the portal sends and keeps submissions in clear",
        ),
        (Some(_), Some(_), Some(_)) => c.add(
            "sealed",
            Outcome::Pass,
            "the synthetic events were sealed to the manifest's key (JWE RSA-OAEP-256, A256GCM) \
             and accepted",
        ),
        (Some(_), _, _) => c.add(
            "sealed",
            Outcome::Skip,
            "the key can be sealed to, but no sealed event was accepted",
        ),
    }
}

/// A request the module must refuse with a 4xx.
fn refused(c: &mut Checker, check: &str, url: &str, sent: Sent, what: &str, fix: &str) {
    match (sent.status, sent.error) {
        (Some(st), None) if (400..500).contains(&st) => {
            c.add(check, Outcome::Pass, format!("{what} was refused ({st})"))
        }
        (Some(st), None) if (200..300).contains(&st) => c.add(
            check,
            Outcome::Fail,
            format!("{what} was accepted ({st}): {fix} and answer 4xx"),
        ),
        (Some(st), None) => c.add(
            check,
            Outcome::Fail,
            format!("{what} was answered {st}, not 4xx: {fix} and answer 400 or 401"),
        ),
        (_, e) => c.add(
            check,
            Outcome::Fail,
            format!("{url} {}", e.unwrap_or_default()),
        ),
    }
}

/// The step a timeline entry records: the state it leads to, from the resident or the
/// module; `None` for what moves nothing (a message).
fn step_of(e: &entities::application_event::Model) -> Option<Status> {
    Some(match (e.kind.as_str(), e.decision.as_deref()) {
        ("submitted", _) => Status::Submitted,
        ("received", _) => Status::Received,
        ("in_progress", _) | ("answered", _) => Status::InProgress,
        ("needs_information", _) => Status::NeedsInformation,
        ("decided", Some("approved")) => Status::Approved,
        ("decided", _) => Status::Refused,
        ("closed", _) => Status::Closed,
        ("withdrawn", _) => Status::Withdrawn,
        _ => return None,
    })
}

/// Whether the timeline may go from `from` to `to` by `actor`'s hand: the module's steps
/// of the graph ([`Status::module_may_go_to`]), the resident's submission, answer and
/// withdrawal.
fn legal(from: Option<Status>, to: Status, actor: &str) -> bool {
    match (from, actor) {
        (None, "resident") => to == Status::Submitted,
        (Some(from), "module") => from.module_may_go_to(to),
        (Some(from), "resident") => match to {
            Status::InProgress => from == Status::NeedsInformation,
            Status::Withdrawn => !from.is_decided(),
            _ => false,
        },
        _ => false,
    }
}

/// On the portal: the recorded timelines of the module's cases (applications), every
/// step checked against the legal graph. The portal refuses an illegal step at the
/// Module API (409 `application-transition`) and records only legal ones, so a failure
/// here means a step came in by another way. Names cases by id only.
pub async fn status_history(db: &sea_orm::DatabaseConnection, report: &Report) -> Finding {
    use entities::{application, application_event, module};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let finding = |outcome, message: String| Finding {
        check: "status-history".into(),
        outcome,
        message,
    };
    let Some(slug) = report.module_id.as_deref() else {
        return finding(Outcome::Skip, "the manifest names no module id".into());
    };
    let run = async {
        let Some(m) = module::Entity::find()
            .filter(module::Column::Slug.eq(slug))
            .one(db)
            .await?
        else {
            return Ok::<_, sea_orm::DbErr>(None);
        };
        let cases: Vec<Uuid> = application::Entity::find()
            .filter(application::Column::ModuleId.eq(m.id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let mut illegal = Vec::new();
        let mut steps = 0usize;
        for chunk in cases.chunks(500) {
            let events = application_event::Entity::find()
                .filter(application_event::Column::ApplicationId.is_in(chunk.to_vec()))
                .order_by_asc(application_event::Column::ApplicationId)
                .order_by_asc(application_event::Column::CreatedAt)
                .order_by_asc(application_event::Column::Id)
                .all(db)
                .await?;
            let mut current: Option<(Uuid, Option<Status>)> = None;
            for e in events {
                let state = match current {
                    Some((case, s)) if case == e.application_id => s,
                    _ => None,
                };
                let Some(to) = step_of(&e) else {
                    current = Some((e.application_id, state));
                    continue;
                };
                steps += 1;
                if !legal(state, to, &e.actor) {
                    illegal.push(format!(
                        "case {}: {} → {} by the {}",
                        e.application_id,
                        state.map(Status::as_str).unwrap_or("nothing"),
                        to.as_str(),
                        e.actor
                    ));
                }
                current = Some((e.application_id, Some(to)));
            }
        }
        Ok(Some((cases.len(), steps, illegal)))
    };
    match run.await {
        Err(e) => finding(
            Outcome::Skip,
            format!("the portal's database could not be read: {e}"),
        ),
        Ok(None) => finding(
            Outcome::Skip,
            format!("no module {slug} is registered on this portal"),
        ),
        Ok(Some((cases, steps, illegal))) if illegal.is_empty() => finding(
            Outcome::Pass,
            format!(
                "{steps} recorded steps of {cases} cases follow the legal graph (the portal \
                 refuses any other step with 409 application-transition)"
            ),
        ),
        Ok(Some((cases, steps, illegal))) => finding(
            Outcome::Fail,
            format!(
                "{} of {steps} recorded steps of {cases} cases are outside the legal graph: {}",
                illegal.len(),
                listed(&illegal, 5)
            ),
        ),
    }
}

/// On the portal: how many status steps outside the graph its Module API refused the
/// module since the server started (its `/metrics` at `metrics_url`, counted by module
/// id, nothing about the cases). The portal changed nothing for them, but each is a
/// step the module's back office believes it took.
pub async fn refused_steps(metrics_url: &str, module: &str) -> Finding {
    let finding = |outcome, message: String| Finding {
        check: "refused-status-steps".into(),
        outcome,
        message,
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    let text = match http.get(metrics_url).send().await {
        Ok(r) if r.status().is_success() => r.text().await.unwrap_or_default(),
        Ok(r) => {
            return finding(
                Outcome::Skip,
                format!("{metrics_url} answered {}", r.status().as_u16()),
            )
        }
        Err(_) => {
            return finding(
                Outcome::Skip,
                format!("the portal's {metrics_url} could not be read"),
            )
        }
    };
    let prefix = format!(
        "{}{{module=\"{module}\"}} ",
        crate::core::metrics::REFUSED_STEPS
    );
    let n: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    if n == 0 {
        finding(
            Outcome::Pass,
            "the portal refused no status step of this module since it started".into(),
        )
    } else {
        finding(
            Outcome::Warn,
            format!(
                "the portal refused {n} status step(s) outside the graph since it started \
                 (409 application-transition, naming the steps allowed): move a case only \
                 along the graph of MODULES.md"
            ),
        )
    }
}
