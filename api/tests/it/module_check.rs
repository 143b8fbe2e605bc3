//! `city-portal module check` against real modules over HTTP: small poem servers that
//! publish a manifest at `/manifest.json` and take webhooks — a good one that verifies
//! every signature (and opens the sealed application with its private key), and broken
//! ones: one that accepts anything, one that answers 500, one with an invalid
//! manifest. On the portal's database, the recorded status steps of a module's cases.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use serde_json::{json, Value};

use crate::applications::{active_module, apply, manifest, module_token, open_jwe, Receiver};
use crate::helpers::*;
use crate::on_both;
use api::modules::check::{self, Options, Outcome, Report};

/// How a test module answers its webhooks.
#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// Verifies signatures and timestamps, takes each webhook-id once, opens what is
    /// sealed to it.
    Good,
    /// Answers 204 to anything.
    AcceptsAnything,
    /// Answers 500 to everything.
    Fails,
    /// Verifies, but answers 409 to a webhook-id it saw.
    RefusesRepeats,
}

struct Module {
    url: String,
    secret: String,
    /// The event types it accepted, in order.
    accepted: Arc<Mutex<Vec<String>>>,
}

/// Starts a module publishing `manifest(url)` (the example's, delivering to its own
/// `/webhook`, unless the function changes it).
async fn start(behaviour: Behaviour, sealed: bool, edit: fn(&mut Value)) -> Module {
    use poem::listener::{Acceptor, Listener};
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut m = manifest(&format!("{url}/webhook"), sealed);
    m["base_url"] = json!(url);
    edit(&mut m);
    let secret = partner_contract::webhook::Secret::generate();
    let whsec = secret.to_whsec();
    let accepted: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
    let (acc, m2) = (accepted.clone(), m.clone());
    let ep = poem::endpoint::make(move |req: poem::Request| {
        let (acc, seen, secret, m) = (acc.clone(), seen.clone(), secret.clone(), m2.clone());
        async move {
            let status = |s: StatusCode| poem::Response::builder().status(s).finish();
            if req.uri().path() == "/manifest.json" {
                return poem::Response::builder()
                    .content_type("application/json")
                    .body(m.to_string());
            }
            let headers = req.headers().clone();
            let body = req.into_body().into_vec().await.unwrap_or_default();
            match behaviour {
                Behaviour::AcceptsAnything => return status(StatusCode::NO_CONTENT),
                Behaviour::Fails => return status(StatusCode::INTERNAL_SERVER_ERROR),
                _ => {}
            }
            if partner_contract::webhook::verify_headers(&secret, &headers, &body).is_err() {
                return status(StatusCode::UNAUTHORIZED);
            }
            let id = headers["webhook-id"].to_str().unwrap().to_string();
            if !seen.lock().unwrap().insert(id) {
                return if behaviour == Behaviour::RefusesRepeats {
                    status(StatusCode::CONFLICT)
                } else {
                    status(StatusCode::OK)
                };
            }
            let event: Value = serde_json::from_slice(&body).unwrap();
            let kind = event["type"].as_str().unwrap().to_string();
            if kind == "application.submitted" {
                // What the module's back office does: open what is sealed to it.
                let d = &event["data"];
                let answers = match d["sealed"].as_str() {
                    Some(jwe) => {
                        let inner: Value = serde_json::from_slice(&open_jwe(jwe)).unwrap();
                        // Files by reference only, never their bytes.
                        for a in d["attachments"].as_array().unwrap() {
                            assert_eq!(a["sealed"], true, "{a}");
                            assert!(a["href"].is_string() && a.get("data").is_none(), "{a}");
                        }
                        inner["answers"].clone()
                    }
                    None => d["answers"].clone(),
                };
                if !answers["plate"].is_string() || !answers["confirm"].is_boolean() {
                    return status(StatusCode::UNPROCESSABLE_ENTITY);
                }
            }
            acc.lock().unwrap().push(kind);
            status(StatusCode::NO_CONTENT)
        }
    });
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(ep));
    Module {
        url,
        secret: whsec,
        accepted,
    }
}

async fn run(module: &Module, secret: bool) -> Report {
    let mut o = Options::new(&module.url);
    if secret {
        o.webhook_secret = Some(module.secret.clone());
    }
    check::check(o).await
}

fn outcome(r: &Report, check: &str) -> Outcome {
    r.finding(check)
        .unwrap_or_else(|| panic!("no finding {check} in\n{}", r.render()))
        .outcome
}

const EVENTS: [&str; 4] = [
    "application.submitted",
    "application.answered",
    "application.withdrawn",
    "application.erased",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_module_passes_every_check() {
    for sealed in [false, true] {
        let module = start(Behaviour::Good, sealed, |_| {}).await;
        let r = run(&module, true).await;
        assert!(r.passed(), "{}", r.render());
        for c in [
            "manifest-fetch",
            "manifest-schema",
            "manifest-rules",
            "urls",
            "webhook-replay",
            "webhook-bad-signature",
            "webhook-unsigned",
            "webhook-stale-timestamp",
        ] {
            assert_eq!(outcome(&r, c), Outcome::Pass, "{c}\n{}", r.render());
        }
        for e in EVENTS {
            assert_eq!(outcome(&r, &format!("webhook {e}")), Outcome::Pass);
        }
        // It got each event once (the repeat changed nothing), and it opened the sealed
        // ones with its private key.
        assert_eq!(*module.accepted.lock().unwrap(), EVENTS);
        let sealed_check = outcome(&r, "sealed");
        assert_eq!(
            sealed_check,
            if sealed { Outcome::Pass } else { Outcome::Skip }
        );
        assert_eq!(outcome(&r, "partner-booking-api"), Outcome::Skip);
        let text = r.render();
        assert!(
            text.contains("PASS  webhook application.submitted"),
            "{text}"
        );
        assert!(text.contains(" failed, "), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_secret_the_signed_checks_are_skipped_not_passed() {
    let module = start(Behaviour::Good, false, |_| {}).await;
    let r = run(&module, false).await;
    assert!(r.passed(), "{}", r.render());
    for c in [
        "webhook application.submitted",
        "webhook-replay",
        "webhook-stale-timestamp",
    ] {
        assert_eq!(outcome(&r, c), Outcome::Skip, "{c}");
    }
    // A forged signature needs no secret to be refused.
    assert_eq!(outcome(&r, "webhook-bad-signature"), Outcome::Pass);
    assert!(module.accepted.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_that_accepts_bad_signatures_fails() {
    let module = start(Behaviour::AcceptsAnything, false, |_| {}).await;
    let r = run(&module, true).await;
    assert!(!r.passed());
    for c in [
        "webhook-bad-signature",
        "webhook-unsigned",
        "webhook-stale-timestamp",
    ] {
        let f = r.finding(c).unwrap();
        assert_eq!(f.outcome, Outcome::Fail, "{c}");
        assert!(f.message.contains("was accepted (204)"), "{}", f.message);
    }
    assert!(r
        .finding("webhook-bad-signature")
        .unwrap()
        .message
        .contains("verify webhook-signature"));
    // What it should accept, it does.
    assert_eq!(outcome(&r, "webhook application.submitted"), Outcome::Pass);
    assert_eq!(outcome(&r, "manifest-schema"), Outcome::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_that_answers_500_fails_every_webhook_check() {
    let module = start(Behaviour::Fails, false, |_| {}).await;
    let r = run(&module, true).await;
    for e in EVENTS {
        let f = r.finding(&format!("webhook {e}")).unwrap();
        assert_eq!(f.outcome, Outcome::Fail);
        assert!(
            f.message.contains("answered 500") && f.message.contains("retry"),
            "{}",
            f.message
        );
    }
    let f = r.finding("webhook-bad-signature").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.message.contains("answered 500, not 4xx"), "{}", f.message);
    assert_eq!(outcome(&r, "webhook-replay"), Outcome::Skip);
    assert_eq!(
        r.failed(),
        [
            "webhook application.submitted",
            "webhook application.answered",
            "webhook application.withdrawn",
            "webhook application.erased",
            "webhook-bad-signature",
            "webhook-unsigned",
            "webhook-stale-timestamp",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_that_refuses_a_repeated_webhook_id_fails_the_replay() {
    let module = start(Behaviour::RefusesRepeats, false, |_| {}).await;
    let r = run(&module, true).await;
    assert_eq!(r.failed(), ["webhook-replay"], "{}", r.render());
    assert!(r
        .finding("webhook-replay")
        .unwrap()
        .message
        .contains("answered 409"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_manifest_is_named_field_by_field() {
    let module = start(Behaviour::Good, false, |m| {
        m["services"][0]["leika_key"] = json!("12345");
        m["contact"]["url"] = json!("http://parking.module.example/kontakt");
    })
    .await;
    let r = run(&module, true).await;
    let f = r.finding("manifest-schema").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.message.contains("services[0].leika_key"), "{}", f.message);
    assert_eq!(outcome(&r, "manifest-rules"), Outcome::Skip);
    let f = r.finding("urls").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(
        f.message
            .contains("contact.url http://parking.module.example/kontakt"),
        "{}",
        f.message
    );

    // Rules the schema cannot say: an event of a capability it does not serve.
    let module = start(Behaviour::Good, false, |m| {
        m["events"] = json!(["application.*", "report.submitted"]);
    })
    .await;
    let r = run(&module, true).await;
    assert_eq!(outcome(&r, "manifest-schema"), Outcome::Pass);
    let f = r.finding("manifest-rules").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(f.message.starts_with("events[1]: "), "{}", f.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_manifest_at_the_url_is_a_failure_naming_where_it_looked() {
    let module = start(Behaviour::Good, false, |_| {}).await;
    let r = check::check(Options::new(&format!("{}/elsewhere", module.url))).await;
    let f = r.finding("manifest-fetch").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(
        f.message.contains("/elsewhere/manifest.json"),
        "{}",
        f.message
    );
    assert!(!r.passed());
}

/// The command itself: its report on standard output, exit 0 or 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_exits_non_zero_on_a_failure() {
    let good = start(Behaviour::Good, false, |_| {}).await;
    let broken = start(Behaviour::AcceptsAnything, false, |_| {}).await;
    for (module, code) in [(&good, 0), (&broken, 1)] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_city-portal"))
            .args(["module", "check", &module.url])
            .env("MODULE_WEBHOOK_SECRET", &module.secret)
            .env_remove("DATABASE_URL")
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{stdout}");
        assert!(stdout.starts_with("Module API conformance of "), "{stdout}");
        assert!(
            !stdout.contains(&module.secret),
            "the secret is never printed"
        );
    }
}

/// On the portal: the recorded steps of a registered module's cases follow the graph;
/// a step that came in by another way is named by its case.
async fn the_status_history_of_a_registered_module(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Mia").await;
    let id = apply(&app, &resident).await;
    rx.wait_for(1).await;
    let token = module_token(&app, &creds, None).await;
    for s in ["received", "in_progress"] {
        let r = client()
            .post(app.url(&format!("/api/v1/module/applications/{id}/status")))
            .bearer_auth(&token)
            .json(&json!({"status": s}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
    // What the process counted before (its counters are shared by the tests' servers).
    let refused = "city_portal_module_refused_status_steps_total{module=\"parking-permits\"}";
    let before = metric_of(&app.scrape().await, refused).unwrap_or(0.0);
    // An illegal step is refused and not recorded.
    let r = client()
        .post(app.url(&format!("/api/v1/module/applications/{id}/status")))
        .bearer_auth(&token)
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 409).await;
    assert_eq!(p["type"], "/problems/application-transition", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.ends_with("to: needs_information, approved, refused.")),
        "{p}"
    );

    // The refused step is counted by module, and the checker reads the count.
    let f = check::refused_steps(&app.url("/metrics"), "parking-permits").await;
    let after = metric_of(&app.scrape().await, refused).unwrap();
    assert!(after >= before + 1.0, "{before} then {after}");
    assert_eq!(f.outcome, Outcome::Warn, "{}", f.message);
    assert!(
        f.message.contains("status step(s) outside the graph"),
        "{}",
        f.message
    );
    // A module never refused passes.
    let f = check::refused_steps(&app.url("/metrics"), "never-refused-module").await;
    assert_eq!(f.outcome, Outcome::Pass, "{}", f.message);

    let report = Report {
        url: "http://127.0.0.1".into(),
        module_id: Some("parking-permits".into()),
        findings: Vec::new(),
    };
    let f = check::status_history(&app.state.db, &report).await;
    assert_eq!(f.outcome, Outcome::Pass, "{}", f.message);
    assert!(
        f.message.starts_with("3 recorded steps of 1 cases"),
        "{}",
        f.message
    );

    // A step written past the Module API: closed straight from in progress.
    use sea_orm::{ActiveModelTrait, Set};
    let case: uuid::Uuid = id.parse().unwrap();
    entities::application_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        application_id: Set(case),
        kind: Set("closed".into()),
        actor: Set("module".into()),
        decision: Set(None),
        message: Set(None),
        file_id: Set(None),
        created_at: Set(chrono::Utc::now() + chrono::Duration::seconds(1)),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let f = check::status_history(&app.state.db, &report).await;
    assert_eq!(f.outcome, Outcome::Fail);
    assert!(
        f.message
            .contains(&format!("case {id}: in_progress → closed by the module")),
        "{}",
        f.message
    );

    let other = Report {
        module_id: Some("no-such-module".into()),
        ..report
    };
    assert_eq!(
        check::status_history(&app.state.db, &other).await.outcome,
        Outcome::Skip
    );
}

on_both!(the_status_history_of_a_registered_module);

/// A module with appointment services implements the Partner Booking API: with its
/// client, the checker runs `partner check`'s checks against the module's `base_url`
/// (here the partner sandbox) and its webhook gets the booking events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_module_gets_the_partner_booking_api_checks() {
    const SECRET: &str = "module-check-partner-secret";
    let sandbox = partner_sandbox::spawn(partner_sandbox::SandboxConfig::with_client(
        "city-portal",
        SECRET,
    ))
    .await
    .expect("sandbox starts");
    let module = start(Behaviour::Good, false, |m| {
        let s = &mut m["services"][0];
        s["capability"] = json!("appointment");
        s["listing"] = json!("register-residence");
        s["data"] = json!(["name", "email"]);
        s.as_object_mut().unwrap().remove("form");
        m["events"] = json!(["booking.*"]);
    })
    .await;
    // The module's own API is the sandbox: its manifest says so.
    let mut o = Options::new(&module.url);
    o.webhook_secret = Some(module.secret.clone());
    let mut manifest: Value = client()
        .get(format!("{}/manifest.json", module.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    manifest["base_url"] = json!(sandbox.base_url());
    o.manifest = Some(manifest);

    let skipped = check::check(o.clone()).await;
    let f = skipped.finding("partner-booking-api").unwrap();
    assert_eq!(f.outcome, Outcome::Skip);
    assert!(f.message.contains("--client-id"), "{}", f.message);

    o.partner_client = Some(("city-portal".into(), SECRET.into()));
    let r = check::check(o).await;
    let partner: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.check.starts_with("partner:"))
        .collect();
    assert!(partner.len() > 5, "{}", r.render());
    assert!(
        partner.iter().all(|f| f.outcome != Outcome::Fail),
        "{}",
        r.render()
    );
    assert_eq!(outcome(&r, "manifest-fetch"), Outcome::Skip);
    for e in ["booking.held", "booking.confirmed", "booking.cancelled"] {
        assert_eq!(outcome(&r, &format!("webhook {e}")), Outcome::Pass);
    }
    // Both runs sent each booking event once.
    assert_eq!(
        *module.accepted.lock().unwrap(),
        ["booking.held", "booking.confirmed", "booking.cancelled"].repeat(2)
    );
}

/// A real report's event, as the portal delivers it to the module, is signed and is
/// what the Module API document publishes (as the applications' tests check for theirs).
async fn a_delivered_report_event_matches_the_document(app: TestApp) {
    let rx = Receiver::start().await;
    let mut m = crate::reports::street_defects();
    m["webhook_url"] = json!(rx.url);
    let creds = active_module(&app, m).await;
    let key = crate::reports::api_key(&app, "Mängelmelder").await;
    let r = crate::reports::post_request(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "report-street-defect"),
            ("lat", "60.1699"),
            ("long", "24.9384"),
            ("description", "A deep pothole"),
            ("attribute[kind]", "pothole"),
        ],
    )
    .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let got = rx.wait_for(1).await;
    let secret = partner_contract::webhook::Secret::parse(&creds.webhook_secret).unwrap();
    partner_contract::webhook::verify_headers(&secret, &got[0].headers, &got[0].body)
        .expect("signed with the module's secret");
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["type"], "report.submitted");
    assert_eq!(body["data"]["service_code"], "report-street-defect");
    // The app said no language: the city's.
    assert_eq!(body["data"]["locale"], "de", "{body}");
    crate::openapi::assert_module_event(&body);
}

on_both!(a_delivered_report_event_matches_the_document);
