//! The conformance checker: exercises a partner's implementation of the Partner Booking
//! API over HTTP and lists what it gets wrong, each with a clear message.
//!
//! It validates every answer against the published document ([`crate::spec_json`]),
//! status and schema, and walks the lifecycle: token, health, offers, availability, hold
//! (without resident data), idempotent replay, confirmations refused for a missing or an
//! unasked-for resident field, confirm (with the resident data the offer asks for),
//! status, cancel, reschedule, a full slot. It creates real holds and cancels every one
//! it made: run it against a test system.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The implementation does what the contract says.
    Pass,
    /// It breaks the contract.
    Fail,
    /// Allowed, but likely to cause trouble.
    Warn,
    /// Not run (an earlier step failed, or nothing to test it with).
    Skip,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Warn => "WARN",
            Outcome::Skip => "SKIP",
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The check's stable name, e.g. `hold` or `idempotent-replay`.
    pub check: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What was found, for the partner's developer.
    pub message: String,
}

/// Everything the checker found.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// The base URL checked.
    pub base_url: String,
    /// The findings in the order the checks ran.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(|f| f.outcome == Outcome::Fail)
    }

    /// The failed checks.
    pub fn failures(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail)
            .collect()
    }

    /// The finding of one check.
    pub fn finding(&self, check: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.check == check)
    }

    /// Whether the partner answered at all and was not unavailable.
    pub fn reachable(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.outcome == Outcome::Fail && f.message.contains(UNREACHABLE))
    }

    /// A plain-text report, one line per check and a summary.
    pub fn render(&self) -> String {
        let mut out = format!("Partner Booking API conformance of {}\n\n", self.base_url);
        let width = self
            .findings
            .iter()
            .map(|f| f.check.len())
            .max()
            .unwrap_or(0);
        for f in &self.findings {
            out.push_str(&format!(
                "{}  {:width$}  {}\n",
                f.outcome.label(),
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
        if !self.reachable() {
            out.push_str("The partner is unreachable or unhealthy; fix that first.\n");
        }
        out
    }
}

/// What to check and how patiently.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The partner's base URL (the API is under `{base_url}/partner/v1`).
    pub base_url: String,
    /// The token URL.
    pub token_url: String,
    /// The OAuth2 client id.
    pub client_id: String,
    /// The OAuth2 client secret.
    pub client_secret: String,
    /// How long one request may take.
    pub timeout: Duration,
    /// Answers slower than this are reported as a warning.
    pub slow_warning: Duration,
}

impl CheckOptions {
    /// Options with a 10 s timeout and a warning above 2 s.
    pub fn new(base_url: &str, token_url: &str, client_id: &str, client_secret: &str) -> Self {
        CheckOptions {
            base_url: base_url.to_string(),
            token_url: token_url.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            timeout: Duration::from_secs(10),
            slow_warning: Duration::from_secs(2),
        }
    }
}

/// Checks the partner at `base_url` (the API under `{base_url}/partner/v1`; a trailing
/// `/partner/v1` is accepted too) with a token from `token_url`.
pub async fn check(
    base_url: &str,
    token_url: &str,
    client_id: &str,
    client_secret: &str,
) -> CheckReport {
    check_with(CheckOptions::new(
        base_url,
        token_url,
        client_id,
        client_secret,
    ))
    .await
}

/// [`check`] with options.
pub async fn check_with(options: CheckOptions) -> CheckReport {
    let base = options.base_url.trim_end_matches('/');
    let base = base.strip_suffix("/partner/v1").unwrap_or(base).to_string();
    let mut c = Checker {
        http: reqwest::Client::builder()
            .timeout(options.timeout)
            .build()
            .expect("HTTP client"),
        api: format!("{base}/partner/v1"),
        spec: serde_json::from_str(crate::spec_json()).expect("the spec is JSON"),
        options,
        findings: Vec::new(),
        created: Vec::new(),
        slowest: (Duration::ZERO, String::new()),
        run: uuid::Uuid::new_v4().simple().to_string()[..12].to_string(),
        keys: 0,
    };
    c.run_all().await;
    CheckReport {
        base_url: base,
        findings: c.findings,
    }
}

const UNREACHABLE: &str = "the partner is unreachable or unhealthy";

/// An answer as received.
struct Answer {
    status: u16,
    media_type: String,
    headers: reqwest::header::HeaderMap,
    text: String,
    json: Option<Value>,
}

struct Checker {
    http: reqwest::Client,
    api: String,
    spec: Value,
    options: CheckOptions,
    findings: Vec<Finding>,
    /// Bookings this run created, to cancel at the end.
    created: Vec<String>,
    slowest: (Duration, String),
    run: String,
    keys: u32,
}

/// A slot the checker may book.
#[derive(Clone, Debug)]
struct Candidate {
    offer_id: String,
    start: String,
    remaining: u64,
    approval: bool,
    /// The offer's `resident_fields`.
    fields: Vec<String>,
    /// The resident data its confirmation carries.
    resident: Value,
}

impl Checker {
    fn record(&mut self, check: &str, outcome: Outcome, message: impl Into<String>) {
        self.findings.push(Finding {
            check: check.to_string(),
            outcome,
            message: message.into(),
        });
    }

    fn pass(&mut self, check: &str, message: impl Into<String>) {
        self.record(check, Outcome::Pass, message);
    }

    fn fail(&mut self, check: &str, message: impl Into<String>) {
        self.record(check, Outcome::Fail, message);
    }

    fn skip(&mut self, check: &str, message: impl Into<String>) {
        self.record(check, Outcome::Skip, message);
    }

    fn key(&mut self) -> String {
        self.keys += 1;
        format!("conformance-{}-{}", self.run, self.keys)
    }

    fn client_token(&mut self) -> String {
        self.keys += 1;
        format!("conformance-{}-ct{}", self.run, self.keys)
    }

    async fn send(&mut self, req: reqwest::RequestBuilder, what: &str) -> Result<Answer, String> {
        let started = Instant::now();
        let result = req.send().await;
        let took = started.elapsed();
        if took > self.slowest.0 {
            self.slowest = (took, what.to_string());
        }
        let resp = result.map_err(|e| {
            if e.is_timeout() {
                format!(
                    "{what}: no answer within {} s: {UNREACHABLE} (or too slow)",
                    self.options.timeout.as_secs()
                )
            } else if e.is_connect() {
                format!("{what}: cannot connect ({}): {UNREACHABLE}", root_cause(&e))
            } else {
                format!(
                    "{what}: the request failed ({}): {UNREACHABLE}",
                    root_cause(&e)
                )
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let media_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let text = resp
            .text()
            .await
            .map_err(|e| format!("{what}: the answer could not be read ({e})"))?;
        let json = serde_json::from_str(&text).ok();
        Ok(Answer {
            status,
            media_type,
            headers,
            text,
            json,
        })
    }

    async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let what = format!("{method} /partner/v1{path}");
        let mut req = self.http.request(method, format!("{}{path}", self.api));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.send(req, &what).await
    }

    /// Contract violations of an answer: undocumented status, wrong media type, body not
    /// matching the schema.
    fn violations(&self, op_id: &str, a: &Answer) -> Vec<String> {
        let Some(op) = find_operation(&self.spec, op_id) else {
            return vec![format!("the checker does not know operation {op_id}")];
        };
        let Some(resp) = op["responses"].get(a.status.to_string()) else {
            let documented: Vec<&String> = op["responses"]
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            return vec![format!(
                "status {} is not one the contract allows here ({})",
                a.status,
                documented
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
        };
        let Some(content) = resp["content"].as_object() else {
            return Vec::new();
        };
        let Some((media, body)) = content.iter().next() else {
            return Vec::new();
        };
        let expected = media.split(';').next().unwrap_or("").trim();
        let mut errs = Vec::new();
        if a.media_type != expected {
            errs.push(format!(
                "Content-Type is `{}`, expected `{expected}`",
                if a.media_type.is_empty() {
                    "(none)"
                } else {
                    &a.media_type
                }
            ));
        }
        match &a.json {
            None => errs.push(format!("the body is not JSON: {}", snippet(&a.text))),
            Some(v) => validate(&self.spec, &body["schema"], v, "$", &mut errs),
        }
        if expected == "application/problem+json" {
            if let Some(s) = a.json.as_ref().and_then(|v| v["status"].as_u64()) {
                if s != u64::from(a.status) {
                    errs.push(format!(
                        "the problem's `status` is {s} but the HTTP status is {}",
                        a.status
                    ));
                }
            }
        }
        errs
    }

    /// Records the outcome of an answer expected with `want` status; `Ok(json)` when it
    /// matched (the finding is left to the caller), `Err(())` after recording a failure.
    fn expect(&mut self, check: &str, op_id: &str, a: &Answer, want: u16) -> Result<Value, ()> {
        let mut problems = Vec::new();
        if a.status != want {
            let mut m = format!("answered {}, the contract says {want}", a.status);
            if a.status < 300 && a.json.as_ref().is_some_and(|v| v.get("error").is_some()) {
                m.push_str(" (a 2xx with an error in the body)");
            } else if a.status >= 400 {
                m.push_str(&format!(": {}", snippet(&a.text)));
            }
            problems.push(m);
        } else {
            problems.extend(self.violations(op_id, a));
        }
        if problems.is_empty() {
            Ok(a.json.clone().unwrap_or(Value::Null))
        } else {
            self.fail(check, problems.join("; "));
            Err(())
        }
    }

    /// Expects a problem+json error with `want` status and, if given, `code`.
    fn expect_problem(
        &mut self,
        check: &str,
        op_id: &str,
        a: &Answer,
        want: u16,
        code: &str,
        pass: &str,
    ) {
        if self.expect(check, op_id, a, want).is_err() {
            return;
        }
        let got = a
            .json
            .as_ref()
            .and_then(|v| v["type"].as_str())
            .map(|t| t.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default();
        if !code.is_empty() && got != code {
            self.record(
                check,
                Outcome::Warn,
                format!("{pass}, but the problem type ends in `{got}`, expected `{code}`"),
            );
        } else {
            self.pass(check, pass);
        }
    }

    async fn run_all(&mut self) {
        let token = self.token().await;
        self.health(token.as_deref()).await;
        let Some(token) = token else {
            for c in [
                "offers",
                "availability",
                "hold",
                "idempotent-replay",
                "confirm-resident-missing",
                "confirm-extra-field",
                "confirm",
                "status",
                "cancel",
                "full-slot",
            ] {
                self.skip(c, "needs an access token");
            }
            return;
        };
        self.auth().await;
        let candidates = self.offers_and_availability(&token).await;
        if candidates.is_empty() {
            for c in [
                "hold",
                "idempotent-replay",
                "confirm-resident-missing",
                "confirm-extra-field",
                "confirm",
                "status",
                "cancel",
                "full-slot",
            ] {
                self.skip(c, "no bookable slot was found in the next 14 days");
            }
        } else {
            self.lifecycle(&token, &candidates).await;
            self.full_slot(&token, &candidates).await;
            self.reschedule(&token, &candidates).await;
        }
        self.not_found(&token).await;
        self.cleanup(&token).await;
        if self.slowest.0 > self.options.slow_warning {
            let (took, what) = self.slowest.clone();
            self.record(
                "latency",
                Outcome::Warn,
                format!(
                    "the slowest answer took {} ms ({what}); the portal times out calls, keep \
                     answers well under {} s",
                    took.as_millis(),
                    self.options.slow_warning.as_secs()
                ),
            );
        }
    }

    async fn token_request(&mut self, secret: &str) -> Result<Answer, String> {
        let creds = format!(
            "{}:{}",
            form_encode(&self.options.client_id),
            form_encode(secret)
        );
        let req = self
            .http
            .post(&self.options.token_url)
            .header("Authorization", format!("Basic {}", B64.encode(creds)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&scope={}",
                crate::SCOPE
            ));
        self.send(req, "POST token URL").await
    }

    async fn token(&mut self) -> Option<String> {
        const CHECK: &str = "token";
        let secret = self.options.client_secret.clone();
        let a = match self.token_request(&secret).await {
            Ok(a) => a,
            Err(e) => {
                self.fail(CHECK, e);
                return None;
            }
        };
        if a.status == 503 || a.status >= 500 {
            self.fail(
                CHECK,
                format!("the token URL answered {}: {UNREACHABLE}", a.status),
            );
            return None;
        }
        let mut a = a;
        // RFC 6749 compares the token type case-insensitively.
        let mut lowercase_type = false;
        if let Some(v) = a.json.as_mut() {
            if let Some(t) = v["token_type"].as_str() {
                if t != "Bearer" && t.eq_ignore_ascii_case("bearer") {
                    lowercase_type = true;
                    v["token_type"] = json!("Bearer");
                }
            }
        }
        let Ok(v) = self.expect(CHECK, "get_token", &a, 200) else {
            if a.status == 400 || a.status == 401 {
                if let Some(f) = self.findings.last_mut() {
                    f.message
                        .push_str(" (check the client id, the secret and the token URL)");
                }
            }
            return None;
        };
        let token = v["access_token"].as_str().unwrap_or_default().to_string();
        let mut notes = Vec::new();
        if lowercase_type {
            notes.push("token_type should be `Bearer`");
        }
        let no_store = a
            .headers
            .get("cache-control")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h.contains("no-store"));
        if !no_store {
            notes.push("the answer lacks `Cache-Control: no-store` (RFC 6749 §5.1)");
        }
        if v["expires_in"].as_u64().is_some_and(|e| e < 60) {
            notes.push("expires_in is under a minute; the portal would fetch tokens very often");
        }
        let msg = format!(
            "client credentials grant answered a Bearer token for {} s",
            v["expires_in"]
        );
        if notes.is_empty() {
            self.pass(CHECK, msg);
        } else {
            self.record(
                CHECK,
                Outcome::Warn,
                format!("{msg}, but {}", notes.join("; ")),
            );
        }
        // A wrong secret must be refused.
        let wrong = format!("{secret}-wrong");
        match self.token_request(&wrong).await {
            Ok(b) if b.status == 401 || b.status == 400 => {
                let code = b
                    .json
                    .as_ref()
                    .and_then(|v| v["error"].as_str())
                    .unwrap_or("");
                if code == "invalid_client" {
                    self.pass(
                        "token-rejects-bad-secret",
                        format!("a wrong secret answered {} invalid_client", b.status),
                    );
                } else {
                    self.fail(
                        "token-rejects-bad-secret",
                        format!(
                            "a wrong secret answered {} without the RFC 6749 error `invalid_client`: {}",
                            b.status,
                            snippet(&b.text)
                        ),
                    );
                }
            }
            Ok(b) => self.fail(
                "token-rejects-bad-secret",
                format!(
                    "a wrong client secret answered {}, expected 401 invalid_client",
                    b.status
                ),
            ),
            Err(e) => self.fail("token-rejects-bad-secret", e),
        }
        (!token.is_empty()).then_some(token)
    }

    async fn health(&mut self, token: Option<&str>) {
        const CHECK: &str = "health";
        let a = match self
            .call(reqwest::Method::GET, "/health", token, None, None)
            .await
        {
            Ok(a) => a,
            Err(e) => return self.fail(CHECK, e),
        };
        if token.is_none() {
            // Without a token only reachability can be told.
            match a.status {
                401 => self.skip(
                    CHECK,
                    "the API answers (401 without a token); no token to check more",
                ),
                s if s >= 500 => self.fail(CHECK, format!("answered {s}: {UNREACHABLE}")),
                s => self.fail(
                    CHECK,
                    format!("answered {s} to a call without a token; expected 401"),
                ),
            }
            return;
        }
        if a.status >= 500 {
            return self.fail(CHECK, format!("answered {}: {UNREACHABLE}", a.status));
        }
        if let Ok(v) = self.expect(CHECK, "get_health", &a, 200) {
            let mut msg = format!("status {}", v["status"]);
            if let Some(t) = v["time"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            {
                let skew = (t.with_timezone(&Utc) - Utc::now()).num_seconds().abs();
                if skew > 60 {
                    self.record(
                        CHECK,
                        Outcome::Warn,
                        format!("the partner's clock is {skew} s off; hold expiry and webhook timestamps will be wrong"),
                    );
                    return;
                }
                msg.push_str(", clock in sync");
            }
            self.pass(CHECK, msg);
        }
    }

    async fn auth(&mut self) {
        match self
            .call(reqwest::Method::GET, "/health", None, None, None)
            .await
        {
            Ok(a) => self.expect_problem(
                "auth-missing",
                "get_health",
                &a,
                401,
                "",
                "a call without a token answered a 401 problem",
            ),
            Err(e) => self.fail("auth-missing", e),
        }
        let bogus = format!("not-a-token-{}", self.run);
        match self
            .call(reqwest::Method::GET, "/health", Some(&bogus), None, None)
            .await
        {
            Ok(a) if a.status < 300 => self.fail(
                "auth-invalid",
                format!(
                    "a made-up access token was accepted ({}); every call must check the token",
                    a.status
                ),
            ),
            Ok(a) => self.expect_problem(
                "auth-invalid",
                "get_health",
                &a,
                401,
                "",
                "an invalid token answered a 401 problem",
            ),
            Err(e) => self.fail("auth-invalid", e),
        }
    }

    /// Lists offers, looks up availability and returns bookable slots, best first.
    async fn offers_and_availability(&mut self, token: &str) -> Vec<Candidate> {
        let a = match self
            .call(reqwest::Method::GET, "/offers", Some(token), None, None)
            .await
        {
            Ok(a) => a,
            Err(e) => {
                self.fail("offers", e);
                return Vec::new();
            }
        };
        let offers = match self.expect("offers", "list_offers", &a, 200) {
            Ok(v) => v["offers"].as_array().cloned().unwrap_or_default(),
            // Keep going with what could be read.
            Err(()) => a
                .json
                .as_ref()
                .and_then(|v| v["offers"].as_array().cloned())
                .unwrap_or_default(),
        };
        let ids: Vec<String> = offers
            .iter()
            .filter_map(|o| o["offer_id"].as_str().map(str::to_string))
            .collect();
        if self.finding("offers").is_none() {
            if ids.is_empty() {
                self.fail("offers", "no offers: the portal would have nothing to book");
            } else {
                self.pass("offers", format!("{} offer(s)", ids.len()));
            }
        }
        if ids.is_empty() {
            self.skip("availability", "no offers to look up");
            return Vec::new();
        }
        // An inverted window is a 422 validation problem.
        let now = Utc::now();
        let bad = json!({
            "offer_ids": [ids[0]],
            "from": (now + chrono::Duration::days(2)).to_rfc3339(),
            "to": now.to_rfc3339(),
        });
        match self
            .call(
                reqwest::Method::POST,
                "/availability",
                Some(token),
                None,
                Some(&bad),
            )
            .await
        {
            Ok(a) => self.expect_problem(
                "availability-invalid",
                "lookup_availability",
                &a,
                422,
                "validation",
                "a window ending before it starts answered a 422 validation problem",
            ),
            Err(e) => self.fail("availability-invalid", e),
        }
        let unknown = format!("conformance-unknown-{}", self.run);
        let mut requested = ids.clone();
        requested.truncate(49);
        requested.push(unknown.clone());
        let body = json!({
            "offer_ids": requested,
            "from": now.to_rfc3339(),
            "to": (now + chrono::Duration::days(14)).to_rfc3339(),
        });
        let a = match self
            .call(
                reqwest::Method::POST,
                "/availability",
                Some(token),
                None,
                Some(&body),
            )
            .await
        {
            Ok(a) => a,
            Err(e) => {
                self.fail("availability", e);
                return Vec::new();
            }
        };
        let ok = self.expect("availability", "lookup_availability", &a, 200);
        let v = a.json.clone().unwrap_or(Value::Null);
        let mut issues = Vec::new();
        if ok.is_ok() {
            if !v["unknown_offer_ids"]
                .as_array()
                .is_some_and(|u| u.iter().any(|x| x == &json!(unknown)))
            {
                issues.push(format!(
                    "the unknown offer id `{unknown}` is missing from unknown_offer_ids"
                ));
            }
            for id in requested.iter().filter(|i| **i != unknown) {
                if !v["offers"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(|x| x["offer_id"] == json!(id)))
                {
                    issues.push(format!("offer `{id}` from GET /offers is missing"));
                }
            }
        }
        let mut candidates = Vec::new();
        let mut slots_total = 0;
        for o in v["offers"].as_array().into_iter().flatten() {
            let offer_id = o["offer_id"].as_str().unwrap_or_default().to_string();
            let meta = offers.iter().find(|x| x["offer_id"] == json!(offer_id));
            let approval = meta.is_some_and(|m| m["confirmation"] == json!("approval"));
            let fields = resident_fields(meta);
            let resident = resident_for(&fields);
            let mut last: Option<DateTime<FixedOffset>> = None;
            for s in o["slots"].as_array().into_iter().flatten() {
                slots_total += 1;
                let start = s["start"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                let end = s["end"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                let capacity = lenient_u64(&s["capacity"]);
                let remaining = lenient_u64(&s["remaining"]);
                if let (Some(st), Some(en)) = (start, end) {
                    if en <= st {
                        issues.push(format!("`{offer_id}` slot {st} ends before it starts"));
                    }
                    if st.with_timezone(&Utc) < now - chrono::Duration::minutes(1) {
                        issues.push(format!(
                            "`{offer_id}` lists slot {st}, which is in the past"
                        ));
                    }
                    if last.is_some_and(|l| l > st) {
                        issues.push(format!(
                            "`{offer_id}` slots are not in ascending start order"
                        ));
                    }
                    last = Some(st);
                }
                if let (Some(c), Some(r)) = (capacity, remaining) {
                    if r > c {
                        issues.push(format!(
                            "`{offer_id}` has a slot with remaining {r} > capacity {c}"
                        ));
                    }
                }
                if let (Some(start), Some(r)) = (s["start"].as_str(), remaining) {
                    if r >= 1 {
                        candidates.push(Candidate {
                            offer_id: offer_id.clone(),
                            start: start.to_string(),
                            remaining: r,
                            approval,
                            fields: fields.clone(),
                            resident: resident.clone(),
                        });
                    }
                }
            }
        }
        issues.dedup();
        if ok.is_ok() {
            if issues.is_empty() {
                self.pass(
                    "availability",
                    format!("{slots_total} slot(s) in 14 days, {} with free seats; the unknown offer id was reported", candidates.len()),
                );
            } else {
                self.fail("availability", issues.join("; "));
            }
        }
        // Instant offers first (their confirm must answer `confirmed`), roomier slots first.
        candidates.sort_by_key(|c| (c.approval, std::cmp::Reverse(c.remaining.min(2))));
        candidates
    }

    fn finding(&self, check: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.check == check)
    }

    /// A hold: no resident data, which only the confirmation carries.
    fn hold_body(&mut self, c: &Candidate, seats: u64) -> Value {
        json!({
            "offer_id": c.offer_id,
            "start": c.start,
            "seats": seats,
            "client_token": self.client_token(),
        })
    }

    /// POST /holds; on 2xx remembers the booking for clean-up.
    async fn post_hold(&mut self, token: &str, key: &str, body: &Value) -> Result<Answer, String> {
        let a = self
            .call(
                reqwest::Method::POST,
                "/holds",
                Some(token),
                Some(key),
                Some(body),
            )
            .await?;
        if a.status < 300 {
            if let Some(id) = a.json.as_ref().and_then(|v| v["booking_id"].as_str()) {
                if !self.created.iter().any(|c| c == id) {
                    self.created.push(id.to_string());
                }
            }
        }
        Ok(a)
    }

    async fn lifecycle(&mut self, token: &str, candidates: &[Candidate]) {
        let c = candidates[0].clone();
        let body = self.hold_body(&c, 1);
        // A write without Idempotency-Key is refused.
        let no_key = self
            .call(
                reqwest::Method::POST,
                "/holds",
                Some(token),
                None,
                Some(&body),
            )
            .await;
        match no_key {
            Ok(a) => {
                if a.status < 300 {
                    if let Some(id) = a.json.as_ref().and_then(|v| v["booking_id"].as_str()) {
                        self.created.push(id.to_string());
                    }
                }
                self.expect_problem(
                    "idempotency-key-missing",
                    "create_hold",
                    &a,
                    400,
                    "idempotency-key-missing",
                    "a hold without Idempotency-Key answered a 400 problem",
                );
            }
            Err(e) => self.fail("idempotency-key-missing", e),
        }
        // The hold itself.
        let body = self.hold_body(&c, 1);
        let key = self.key();
        let first = match self.post_hold(token, &key, &body).await {
            Ok(a) => a,
            Err(e) => {
                self.fail("hold", e);
                for ch in [
                    "idempotent-replay",
                    "confirm-resident-missing",
                    "confirm-extra-field",
                    "confirm",
                    "status",
                    "cancel",
                ] {
                    self.skip(ch, "needs a hold");
                }
                return;
            }
        };
        let booking_id = first
            .json
            .as_ref()
            .and_then(|v| v["booking_id"].as_str())
            .map(str::to_string);
        if let Ok(v) = self.expect("hold", "create_hold", &first, 201) {
            let mut issues = Vec::new();
            if v["status"] != json!("held") {
                issues.push(format!("status is {}, expected \"held\"", v["status"]));
            }
            if v["client_token"] != body["client_token"] {
                issues.push("client_token is not the one sent".to_string());
            }
            if v["offer_id"] != body["offer_id"] {
                issues.push("offer_id is not the one sent".to_string());
            }
            if !same_instant(&v["start"], &body["start"]) {
                issues.push(format!(
                    "start {} is not the slot's start {}",
                    v["start"], body["start"]
                ));
            }
            match v["hold_expires_at"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            {
                Some(t) if t.with_timezone(&Utc) > Utc::now() => {}
                Some(t) => issues.push(format!("hold_expires_at {t} is not in the future")),
                None => issues.push("a held booking needs hold_expires_at".to_string()),
            }
            if issues.is_empty() {
                self.pass(
                    "hold",
                    format!("201 with booking {} (held)", v["booking_id"]),
                );
            } else {
                self.fail("hold", issues.join("; "));
            }
        }
        // The same key and body again: the same answer, no second booking.
        match self.post_hold(token, &key, &body).await {
            Ok(again) => {
                let same_status = again.status == first.status;
                let same_body = again.json.is_some() && again.json == first.json;
                let again_id = again
                    .json
                    .as_ref()
                    .and_then(|v| v["booking_id"].as_str())
                    .map(str::to_string);
                if same_status && same_body {
                    self.pass(
                        "idempotent-replay",
                        "the same Idempotency-Key and body answered the first response again",
                    );
                } else if again_id.is_some() && again_id != booking_id {
                    self.fail(
                        "idempotent-replay",
                        format!(
                            "the same Idempotency-Key and body created another booking ({} instead of {}); a retried hold would book twice",
                            again_id.unwrap_or_default(),
                            booking_id.clone().unwrap_or_default()
                        ),
                    );
                } else {
                    self.fail(
                        "idempotent-replay",
                        format!(
                            "the same Idempotency-Key and body answered {} {} instead of the first response {} {}",
                            again.status,
                            snippet(&again.text),
                            first.status,
                            snippet(&first.text)
                        ),
                    );
                }
            }
            Err(e) => self.fail("idempotent-replay", e),
        }
        // The same key with another body: 422.
        let mut other = body.clone();
        other["client_token"] = json!(self.client_token());
        match self.post_hold(token, &key, &other).await {
            Ok(a) => self.expect_problem(
                "idempotency-key-reused",
                "create_hold",
                &a,
                422,
                "idempotency-key-reused",
                "the same Idempotency-Key with another body answered a 422 problem",
            ),
            Err(e) => self.fail("idempotency-key-reused", e),
        }
        let Some(id) = booking_id else {
            for ch in [
                "confirm-resident-missing",
                "confirm-extra-field",
                "confirm",
                "status",
                "cancel",
            ] {
                self.skip(ch, "the hold answered no booking_id");
            }
            return;
        };
        // Confirmations whose resident data does not fit the offer are refused.
        let (body, field) = without_a_field(&c);
        self.refused_confirm(
            token,
            &id,
            "confirm-resident-missing",
            &body,
            &field,
            &format!(
                "a confirmation without `{field}` answered a 422 validation problem naming it"
            ),
        )
        .await;
        match with_an_extra_field(&c) {
            Some((body, field)) => {
                self.refused_confirm(
                    token,
                    &id,
                    "confirm-extra-field",
                    &body,
                    &field,
                    &format!(
                        "a confirmation with `{field}`, which the offer does not ask for, \
                         answered a 422 validation problem naming it"
                    ),
                )
                .await
            }
            None => self.skip(
                "confirm-extra-field",
                format!("`{}` asks for every resident field", c.offer_id),
            ),
        }
        // Confirm, with the resident data the offer asks for.
        let expected = if c.approval { "pending" } else { "confirmed" };
        let key = self.key();
        let path = format!("/bookings/{id}/confirm");
        let body = json!({ "resident": c.resident });
        match self
            .call(
                reqwest::Method::POST,
                &path,
                Some(token),
                Some(&key),
                Some(&body),
            )
            .await
        {
            Ok(a) => {
                if let Ok(v) = self.expect("confirm", "confirm_booking", &a, 200) {
                    if v["status"] == json!(expected) {
                        self.pass("confirm", format!("the hold became {expected}"));
                    } else {
                        self.fail(
                            "confirm",
                            format!(
                                "status is {} after confirm, expected \"{expected}\"",
                                v["status"]
                            ),
                        );
                    }
                }
            }
            Err(e) => self.fail("confirm", e),
        }
        // Status.
        self.expect_status(token, &id, "status", expected).await;
        // Cancel.
        let key = self.key();
        let path = format!("/bookings/{id}/cancel");
        match self
            .call(reqwest::Method::POST, &path, Some(token), Some(&key), None)
            .await
        {
            Ok(a) => {
                if let Ok(v) = self.expect("cancel", "cancel_booking", &a, 200) {
                    if v["status"] == json!("cancelled") {
                        self.created.retain(|c| *c != id);
                        self.pass("cancel", "the booking became cancelled");
                    } else {
                        self.fail(
                            "cancel",
                            format!(
                                "status is {} after cancel, expected \"cancelled\"",
                                v["status"]
                            ),
                        );
                    }
                }
            }
            Err(e) => self.fail("cancel", e),
        }
        self.expect_status(token, &id, "status-after-cancel", "cancelled")
            .await;
    }

    /// Sends a confirmation whose resident data does not fit the offer: it must answer
    /// a 422 `validation` problem naming `field` and leave the booking `held`.
    async fn refused_confirm(
        &mut self,
        token: &str,
        id: &str,
        check: &str,
        body: &Value,
        field: &str,
        pass: &str,
    ) {
        let key = self.key();
        let path = format!("/bookings/{id}/confirm");
        let a = match self
            .call(
                reqwest::Method::POST,
                &path,
                Some(token),
                Some(&key),
                Some(body),
            )
            .await
        {
            Ok(a) => a,
            Err(e) => return self.fail(check, e),
        };
        if self.expect(check, "confirm_booking", &a, 422).is_err() {
            if a.status < 300 {
                if let Some(f) = self.findings.last_mut() {
                    f.message.push_str(&format!(
                        " (it took a confirmation of {}; resident data must be exactly the \
                         offer's `resident_fields`)",
                        body
                    ));
                }
            }
            return;
        }
        let v = a.json.clone().unwrap_or(Value::Null);
        // A refused confirmation changes nothing.
        let after = match self
            .call(
                reqwest::Method::GET,
                &format!("/bookings/{id}"),
                Some(token),
                None,
                None,
            )
            .await
        {
            Ok(g) => g
                .json
                .and_then(|g| g["status"].as_str().map(str::to_string)),
            Err(_) => None,
        };
        if let Some(status) = after.filter(|s| s != "held") {
            return self.fail(
                check,
                format!(
                    "the refused confirmation changed the booking: it is {status}, expected held"
                ),
            );
        }
        let code = v["type"]
            .as_str()
            .map(|t| t.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let named = v["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["field"] == json!(field)));
        if code != "validation" {
            self.record(
                check,
                Outcome::Warn,
                format!("{pass}, but the problem type ends in `{code}`, expected `validation`"),
            );
        } else if !named {
            self.record(
                check,
                Outcome::Warn,
                format!(
                    "answered a 422 validation problem, but its `errors` do not name `{field}`"
                ),
            );
        } else {
            self.pass(check, pass);
        }
    }

    async fn expect_status(&mut self, token: &str, id: &str, check: &str, expected: &str) {
        let path = format!("/bookings/{id}");
        match self
            .call(reqwest::Method::GET, &path, Some(token), None, None)
            .await
        {
            Ok(a) => {
                if let Ok(v) = self.expect(check, "get_booking", &a, 200) {
                    if v["status"] == json!(expected) {
                        self.pass(check, format!("GET answered status {expected}"));
                    } else {
                        self.fail(
                            check,
                            format!(
                                "GET answered status {}, expected \"{expected}\"",
                                v["status"]
                            ),
                        );
                    }
                }
            }
            Err(e) => self.fail(check, e),
        }
    }

    async fn full_slot(&mut self, token: &str, candidates: &[Candidate]) {
        const CHECK: &str = "full-slot";
        // The smallest slot of at most 10 free seats (one hold can take them all).
        let Some(c) = candidates
            .iter()
            .filter(|c| c.remaining <= 10)
            .min_by_key(|c| (c.remaining, c.approval))
            .cloned()
        else {
            return self.skip(CHECK, "no slot with 10 or fewer free seats to fill");
        };
        let body = self.hold_body(&c, c.remaining);
        let key = self.key();
        match self.post_hold(token, &key, &body).await {
            Ok(a) if a.status == 201 || a.status == 200 => {}
            Ok(a) => {
                return self.skip(
                    CHECK,
                    format!(
                        "holding the {} free seat(s) of a `{}` slot answered {}: {}",
                        c.remaining,
                        c.offer_id,
                        a.status,
                        snippet(&a.text)
                    ),
                )
            }
            Err(e) => return self.fail(CHECK, e),
        }
        let body = self.hold_body(&c, 1);
        let key = self.key();
        match self.post_hold(token, &key, &body).await {
            Ok(a) => self.expect_problem(
                CHECK,
                "create_hold",
                &a,
                409,
                "slot-full",
                "one seat more than a slot has answered a 409 slot-full problem",
            ),
            Err(e) => self.fail(CHECK, e),
        }
    }

    async fn reschedule(&mut self, token: &str, candidates: &[Candidate]) {
        const CHECK: &str = "reschedule";
        let Some((a, b)) = candidates.iter().enumerate().find_map(|(i, a)| {
            candidates[i + 1..]
                .iter()
                .find(|b| {
                    b.offer_id == a.offer_id && !same_instant(&json!(b.start), &json!(a.start))
                })
                .map(|b| (a.clone(), b.clone()))
        }) else {
            return self.skip(CHECK, "no offer with two free slots");
        };
        let body = self.hold_body(&a, 1);
        let key = self.key();
        let id = match self.post_hold(token, &key, &body).await {
            Ok(ans) if ans.status < 300 => ans
                .json
                .as_ref()
                .and_then(|v| v["booking_id"].as_str())
                .map(str::to_string),
            Ok(ans) => {
                return self.skip(
                    CHECK,
                    format!("the hold to reschedule answered {}", ans.status),
                )
            }
            Err(e) => return self.fail(CHECK, e),
        };
        let Some(id) = id else {
            return self.skip(CHECK, "the hold answered no booking_id");
        };
        let key = self.key();
        let path = format!("/bookings/{id}/reschedule");
        let req = json!({"start": b.start});
        match self
            .call(
                reqwest::Method::POST,
                &path,
                Some(token),
                Some(&key),
                Some(&req),
            )
            .await
        {
            Ok(ans) => {
                if let Ok(v) = self.expect(CHECK, "reschedule_booking", &ans, 200) {
                    if same_instant(&v["start"], &json!(b.start)) && v["booking_id"] == json!(id) {
                        self.pass(CHECK, "the booking moved to the new slot and kept its id");
                    } else {
                        self.fail(
                            CHECK,
                            format!(
                                "after reschedule start is {} (expected {}) and booking_id {}",
                                v["start"], b.start, v["booking_id"]
                            ),
                        );
                    }
                }
            }
            Err(e) => self.fail(CHECK, e),
        }
    }

    async fn not_found(&mut self, token: &str) {
        let path = format!("/bookings/conformance-missing-{}", self.run);
        match self
            .call(reqwest::Method::GET, &path, Some(token), None, None)
            .await
        {
            Ok(a) => self.expect_problem(
                "not-found",
                "get_booking",
                &a,
                404,
                "not-found",
                "an unknown booking answered a 404 problem",
            ),
            Err(e) => self.fail("not-found", e),
        }
    }

    /// Cancels every booking this run created.
    async fn cleanup(&mut self, token: &str) {
        let ids = std::mem::take(&mut self.created);
        let mut left = Vec::new();
        for id in ids {
            let key = self.key();
            let path = format!("/bookings/{id}/cancel");
            let ok = matches!(
                self.call(reqwest::Method::POST, &path, Some(token), Some(&key), None).await,
                Ok(a) if a.status < 300
            );
            if !ok {
                left.push(id);
            }
        }
        if !left.is_empty() {
            self.record(
                "cleanup",
                Outcome::Warn,
                format!(
                    "could not cancel the check's bookings {}; cancel them by hand",
                    left.join(", ")
                ),
            );
        }
    }
}

/// An offer's `resident_fields`.
fn resident_fields(offer: Option<&Value>) -> Vec<String> {
    offer
        .and_then(|o| o["resident_fields"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A made-up value of a resident field.
fn sample(field: &str) -> Value {
    match field {
        "email" => json!("conformance-check@example.org"),
        "phone" => json!("+358401234567"),
        _ => json!("Conformance Check"),
    }
}

/// The resident data an offer asks for, nothing more.
fn resident_for(fields: &[String]) -> Value {
    let mut r = json!({"name": sample("name")});
    for f in ["email", "phone"] {
        if fields.iter().any(|x| x == f) {
            r[f] = sample(f);
        }
    }
    r
}

/// A confirmation body lacking one field the offer asks for (its phone or email, or
/// else the name), and that field's path.
fn without_a_field(c: &Candidate) -> (Value, String) {
    let mut resident = c.resident.clone();
    let field = ["phone", "email"]
        .into_iter()
        .find(|f| resident.get(*f).is_some())
        .unwrap_or("name");
    if let Some(r) = resident.as_object_mut() {
        r.remove(field);
    }
    (json!({ "resident": resident }), format!("resident.{field}"))
}

/// A confirmation body with a field the offer does not ask for, and that field's path;
/// `None` when it asks for all of them.
fn with_an_extra_field(c: &Candidate) -> Option<(Value, String)> {
    let field = ["email", "phone"]
        .into_iter()
        .find(|f| !c.fields.iter().any(|x| x == f))?;
    let mut resident = c.resident.clone();
    resident[field] = sample(field);
    Some((json!({ "resident": resident }), format!("resident.{field}")))
}

fn lenient_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim_matches('"').parse().ok()))
}

fn same_instant(a: &Value, b: &Value) -> bool {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn snippet(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        return "(empty body)".into();
    }
    let cut: String = s.chars().take(160).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

fn find_operation<'a>(spec: &'a Value, op_id: &str) -> Option<&'a Value> {
    spec["paths"]
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == json!(op_id))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Validates `v` against the subset of JSON Schema the document uses (`$ref`, `allOf`,
/// `type`, `enum`, `required`, `properties`, `items`, `format: date-time`, `minimum`),
/// appending one message per violation with its JSON path. Optional properties may be
/// `null`.
fn validate(spec: &Value, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return validate(spec, &spec["components"]["schemas"][name], v, path, errs);
    }
    for s in schema["allOf"].as_array().into_iter().flatten() {
        validate(spec, s, v, path, errs);
    }
    let ty = schema["type"].as_str().unwrap_or("");
    let ok = match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    };
    if !ok {
        let want = match ty {
            "object" => "an object",
            "array" => "an array",
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            _ => "a boolean",
        };
        if v.is_null() {
            errs.push(format!("{path}: expected {want}, got null"));
        } else {
            errs.push(format!(
                "{path}: expected {want}, got {} {}",
                kind_of(v),
                short(v)
            ));
        }
        return;
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(v) {
            let names: Vec<String> = options
                .iter()
                .map(|o| o.as_str().unwrap_or("?").to_string())
                .collect();
            errs.push(format!("{path}: {v} is not one of {}", names.join(", ")));
            return;
        }
    }
    match ty {
        "object" => {
            let obj = v.as_object().expect("checked");
            for r in schema["required"].as_array().into_iter().flatten() {
                let name = r.as_str().unwrap_or_default();
                if !obj.contains_key(name) {
                    errs.push(format!("{path}.{name} is missing"));
                }
            }
            if let Some(props) = schema["properties"].as_object() {
                let required: Vec<&Value> = schema["required"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                for (name, s) in props {
                    match obj.get(name) {
                        Some(Value::Null) if !required.contains(&&json!(name)) => {}
                        Some(x) => validate(spec, s, x, &format!("{path}.{name}"), errs),
                        None => {}
                    }
                }
            }
        }
        "array" => {
            for (i, x) in v.as_array().expect("checked").iter().enumerate() {
                validate(spec, &schema["items"], x, &format!("{path}[{i}]"), errs);
            }
        }
        "string"
            if schema["format"] == json!("date-time")
                && DateTime::parse_from_rfc3339(v.as_str().expect("checked")).is_err() =>
        {
            errs.push(format!(
                "{path}: {v} is not an RFC 3339 date-time with offset"
            ));
        }
        "integer" | "number" => {
            let unsigned = schema["format"]
                .as_str()
                .is_some_and(|f| f.starts_with("uint"));
            let min = schema["minimum"].as_f64().or(unsigned.then_some(0.0));
            if let (Some(min), Some(x)) = (min, v.as_f64()) {
                if x < min {
                    errs.push(format!("{path}: {v} is below the minimum {min}"));
                }
            }
        }
        _ => {}
    }
}

fn short(v: &Value) -> String {
    snippet(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(schema: &str, v: Value) -> Vec<String> {
        let spec: Value = serde_json::from_str(crate::spec_json()).unwrap();
        let mut errs = Vec::new();
        validate(
            &spec,
            &json!({"$ref": format!("#/components/schemas/{schema}")}),
            &v,
            "$",
            &mut errs,
        );
        errs
    }

    #[test]
    fn schema_errors_name_the_path() {
        let slot = json!({"start": "2025-01-01T10:00:00+02:00", "end": "2025-01-01T11:00:00+02:00", "capacity": 3, "remaining": "2"});
        assert_eq!(
            errors("Slot", slot),
            ["$.remaining: expected an integer, got a string \"2\""]
        );
        let health = json!({"status": "fine"});
        assert_eq!(
            errors("Health", health),
            [
                "$.time is missing",
                "$.status: \"fine\" is not one of ok, degraded"
            ]
        );
        let ok = json!({"status": "ok", "time": "2025-01-01T10:00:00Z"});
        assert!(errors("Health", ok).is_empty());
        let bad_time = json!({"status": "ok", "time": "yesterday"});
        assert_eq!(
            errors("Health", bad_time),
            ["$.time: \"yesterday\" is not an RFC 3339 date-time with offset"]
        );
        let nested = json!({"offers": [{"offer_id": "a", "kind": "class", "time_zone": "UTC", "slots": [{"start": "x"}]}], "unknown_offer_ids": []});
        let e = errors("AvailabilityResponse", nested);
        assert!(
            e.contains(&"$.offers[0].slots[0].end is missing".to_string()),
            "{e:?}"
        );
        assert!(e.contains(
            &"$.offers[0].slots[0].start: \"x\" is not an RFC 3339 date-time with offset"
                .to_string()
        ));
        let negative = json!({"start": "2025-01-01T10:00:00Z", "end": "2025-01-01T11:00:00Z", "capacity": 3, "remaining": -1});
        assert_eq!(
            errors("Slot", negative),
            ["$.remaining: -1 is below the minimum 0"]
        );
    }

    #[test]
    fn optional_fields_may_be_null_required_ones_not() {
        let b = json!({
            "booking_id": "b", "client_token": "c", "offer_id": "o", "status": "held",
            "start": "2025-01-01T10:00:00Z", "end": "2025-01-01T11:00:00Z", "seats": 1,
            "hold_expires_at": null, "created_at": "2025-01-01T09:00:00Z", "updated_at": "2025-01-01T09:00:00Z"
        });
        assert!(errors("Booking", b.clone()).is_empty());
        let mut b2 = b;
        b2["seats"] = Value::Null;
        assert_eq!(
            errors("Booking", b2),
            ["$.seats: expected an integer, got null"]
        );
    }

    #[test]
    fn confirmations_leave_out_or_add_one_resident_field() {
        let candidate = |fields: &[&str]| {
            let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            Candidate {
                offer_id: "o".into(),
                start: "2025-01-01T10:00:00Z".into(),
                remaining: 1,
                approval: false,
                resident: resident_for(&fields),
                fields,
            }
        };
        let all = candidate(&["name", "email", "phone"]);
        assert_eq!(
            all.resident,
            json!({"name": "Conformance Check", "email": "conformance-check@example.org", "phone": "+358401234567"})
        );
        let (body, field) = without_a_field(&all);
        assert_eq!(field, "resident.phone");
        assert!(body["resident"].get("phone").is_none());
        assert!(body["resident"]["email"].is_string());
        assert!(with_an_extra_field(&all).is_none());

        let name_only = candidate(&["name"]);
        assert_eq!(name_only.resident, json!({"name": "Conformance Check"}));
        let (body, field) = without_a_field(&name_only);
        assert_eq!(
            (body, field.as_str()),
            (json!({"resident": {}}), "resident.name")
        );
        let (body, field) = with_an_extra_field(&name_only).unwrap();
        assert_eq!(field, "resident.email");
        assert_eq!(body["resident"]["email"], "conformance-check@example.org");

        let email = candidate(&["name", "email"]);
        assert_eq!(without_a_field(&email).1, "resident.email");
        assert_eq!(with_an_extra_field(&email).unwrap().1, "resident.phone");
    }

    #[test]
    fn report_renders_and_counts() {
        let r = CheckReport {
            base_url: "http://x".into(),
            findings: vec![
                Finding {
                    check: "token".into(),
                    outcome: Outcome::Pass,
                    message: "ok".into(),
                },
                Finding {
                    check: "health".into(),
                    outcome: Outcome::Fail,
                    message: format!("answered 503: {UNREACHABLE}"),
                },
            ],
        };
        assert!(!r.passed());
        assert!(!r.reachable());
        let text = r.render();
        assert!(text.contains("FAIL  health"), "{text}");
        assert!(text.contains("1 passed, 1 failed"), "{text}");
    }
}
