//! Applications through a module, end to end: a module is registered and approved, a
//! resident applies on the pages (no JavaScript: plain forms), reviews what goes to
//! whom and submits; a real HTTP receiver gets the Standard Webhooks-signed event
//! (and decrypts it when the module has a key); a module that is down gets it exactly
//! once when it is back; hostile input is refused with nothing stored.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

const EXAMPLE: &str =
    include_str!("../../../openapi/examples/module-manifest.parking-permits.json");
const SEAL_VECTOR: &str = include_str!("../../src/applications/testdata/seal-vector.json");

/// A PDF's first bytes: what the portal sniffs.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// One webhook as the receiver got it.
#[derive(Clone, Debug)]
pub struct Got {
    pub headers: poem::http::HeaderMap,
    pub body: Vec<u8>,
}

/// A module's webhook endpoint: records what it gets; answers 503 while `down`.
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Got>>>,
    /// Every attempt, answered or not.
    pub tried: Arc<Mutex<Vec<Got>>>,
    pub down: Arc<AtomicBool>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        use poem::listener::{Acceptor, Listener};
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let tried: Arc<Mutex<Vec<Got>>> = Arc::default();
        let down = Arc::new(AtomicBool::new(false));
        let (g, t, d) = (got.clone(), tried.clone(), down.clone());
        let ep = poem::endpoint::make(move |req: poem::Request| {
            let (g, t, d) = (g.clone(), t.clone(), d.clone());
            async move {
                let headers = req.headers().clone();
                let body = req.into_body().into_vec().await.unwrap_or_default();
                t.lock().unwrap().push(Got {
                    headers: headers.clone(),
                    body: body.clone(),
                });
                if d.load(Ordering::SeqCst) {
                    return poem::Response::builder()
                        .status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
                        .finish();
                }
                g.lock().unwrap().push(Got { headers, body });
                poem::Response::builder()
                    .status(poem::http::StatusCode::NO_CONTENT)
                    .finish()
            }
        });
        let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(ep));
        Receiver {
            url: format!("http://127.0.0.1:{}/webhooks/portal", addr.port()),
            got,
            tried,
            down,
        }
    }

    pub fn received(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `n` webhooks arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Got> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{n} webhooks expected, got {}", self.received().len());
    }
}

/// The example manifest, delivering to `webhook`; without its key unless `sealed`
/// (then with the public half of the test key).
pub fn manifest(webhook: &str, sealed: bool) -> Value {
    let mut m: Value = serde_json::from_str(EXAMPLE).unwrap();
    m["webhook_url"] = json!(webhook);
    if sealed {
        let v: Value = serde_json::from_str(SEAL_VECTOR).unwrap();
        let p = &v["private"];
        m["encryption_key"] = json!({"kty": "RSA", "use": "enc", "alg": "RSA-OAEP-256", "kid": p["kid"], "n": p["n"], "e": p["e"]});
    } else {
        m.as_object_mut().unwrap().remove("encryption_key");
    }
    m
}

/// A module's credentials.
pub struct Creds {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
}

/// Seeds the city's services, registers and approves `manifest` with a city admin.
pub async fn active_module(app: &TestApp, manifest: Value) -> Creds {
    api::demo::seed::seed_services(&app.state.db, &app.state.city)
        .await
        .unwrap();
    let admin = app.admin().await;
    let id = manifest["id"].as_str().unwrap().to_string();
    let r = admin
        .client
        .post(app.url("/api/v1/admin/modules"))
        .json(&manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let r = admin
        .client
        .post(app.url(&format!("/api/v1/admin/modules/{id}/approve")))
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["module"]["status"], "active", "{v}");
    let webhook_secret = v["webhook_secret"].as_str().unwrap().to_string();
    assert!(webhook_secret.starts_with("whsec_"), "{webhook_secret}");
    Creds {
        client_id: v["module"]["client_id"].as_str().unwrap().to_string(),
        client_secret: v["client_secret"].as_str().unwrap().to_string(),
        webhook_secret,
    }
}

/// A module's access token with `scope` (all its scopes when none).
pub async fn module_token(app: &TestApp, c: &Creds, scope: Option<&str>) -> String {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let r = client()
        .post(app.url("/oauth/token"))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    v["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string()
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

const APPLY: &str = "/services/residents-parking-permit/apply";

/// A day the form accepts as the permit's start.
fn start_day() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string()
}

/// The form as a browser sends it: every field filled in well, `proof` a PDF.
fn filled(csrf: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("plate", "S-AB 1234")
        .text("zone", "mitte")
        .text("address-street", "Königstraße 1")
        .text("address-postcode", "70173")
        .text("address-city", "Stuttgart")
        .part(
            "proof",
            reqwest::multipart::Part::bytes(PDF.to_vec())
                .file_name("Meldebescheinigung.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .text("start", start_day())
        .text("confirm", "true")
        .text("share-name", "1")
}

/// Fills in the form on the pages as `resident` reading `lang`: a draft; returns the
/// review page's path and the form's CSRF token.
async fn fill_in(app: &TestApp, resident: &User, lang: &str) -> (String, String) {
    let page = resident.client.get(app.url(APPLY)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let r = resident
        .client
        .post(app.url(&format!("{APPLY}?lang={lang}")))
        .multipart(filled(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    (r.headers()["location"].to_str().unwrap().to_string(), csrf)
}

/// Applies on the pages as `resident` (form → review → send); returns the case's id.
pub async fn apply(app: &TestApp, resident: &User) -> String {
    apply_in(app, resident, None).await
}

/// Applies on the pages as `resident`, reading `lang` if given (else the language
/// their browser chose); returns the case's id.
pub async fn apply_in(app: &TestApp, resident: &User, lang: Option<&str>) -> String {
    let page = resident.client.get(app.url(APPLY)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let r = resident
        .client
        .post(app.url(&match lang {
            Some(l) => format!("{APPLY}?lang={l}"),
            None => APPLY.to_string(),
        }))
        .multipart(filled(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let review = r.headers()["location"].to_str().unwrap().to_string();
    let id = review
        .trim_start_matches("/account/applications/")
        .trim_end_matches("/review")
        .to_string();
    let html = resident
        .client
        .get(app.url(&format!("{review}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Exactly what goes to whom.
    assert!(
        html.contains("Residents&#x27;") || html.contains("Residents'"),
        "{html}"
    );
    assert!(html.contains("S-AB 1234"), "{html}");
    assert!(html.contains("Königstraße 1, 70173, Stuttgart"), "{html}");
    assert!(html.contains("Meldebescheinigung.pdf"), "{html}");
    assert!(
        html.contains("Art. 6(1)(e) GDPR"),
        "the legal basis: {html}"
    );
    assert!(
        !html.contains(&resident.email),
        "the email was not ticked: {html}"
    );
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{id}/submit")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    id
}

/// The webhook is signed per Standard Webhooks with the module's secret.
fn verified(c: &Creds, got: &Got) -> Value {
    let secret = partner_contract::webhook::Secret::parse(&c.webhook_secret).unwrap();
    partner_contract::webhook::verify_headers(&secret, &got.headers, &got.body)
        .expect("a valid signature");
    // Tampered with, it fails.
    let mut body = got.body.clone();
    body.push(b' ');
    assert!(partner_contract::webhook::verify_headers(&secret, &got.headers, &body).is_err());
    let body = serde_json::from_slice(&got.body).unwrap();
    // What the Module API document publishes, nothing more.
    crate::openapi::assert_module_event(&body);
    body
}

/// What the module does with its private key: RFC 7516 §5.2.
pub fn open_jwe(jwe: &str) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Nonce};
    use rsa::{BigUint, Oaep, RsaPrivateKey};
    let v: Value = serde_json::from_str(SEAL_VECTOR).unwrap();
    let jwk = &v["private"];
    let int = |k: &str| BigUint::from_bytes_be(&B64URL.decode(jwk[k].as_str().unwrap()).unwrap());
    let key =
        RsaPrivateKey::from_components(int("n"), int("e"), int("d"), vec![int("p"), int("q")])
            .unwrap();
    let parts: Vec<&str> = jwe.split('.').collect();
    assert_eq!(parts.len(), 5);
    let cek = key
        .decrypt(
            Oaep::new::<sha2::Sha256>(),
            &B64URL.decode(parts[1]).unwrap(),
        )
        .unwrap();
    let mut ct = B64URL.decode(parts[3]).unwrap();
    ct.extend(B64URL.decode(parts[4]).unwrap());
    Aes256Gcm::new_from_slice(&cek)
        .unwrap()
        .decrypt(
            Nonce::from_slice(&B64URL.decode(parts[2]).unwrap()),
            Payload {
                msg: &ct,
                aad: parts[0].as_bytes(),
            },
        )
        .unwrap()
}

async fn count_applications(app: &TestApp) -> u64 {
    entities::application::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

async fn apply_and_the_module_gets_the_signed_webhook(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    assert!(!module_token(&app, &creds, None).await.is_empty());
    let resident = app.register("Rita").await;

    // The service page offers it, with a real link.
    let html = client()
        .get(app.url("/services/residents-parking-permit?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"{APPLY}\"")), "{html}");
    // Logged out: to the login page, back here afterwards.
    let r = client().get(app.url(APPLY)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    let id = apply(&app, &resident).await;
    let got = rx.wait_for(1).await;
    let body = verified(&creds, &got[0]);
    assert_eq!(body["type"], "application.submitted");
    assert_eq!(
        got[0].headers["webhook-id"],
        format!("msg_{}", {
            // The outbox event's id.
            entities::outbox_event::Entity::find()
                .filter(
                    entities::outbox_event::Column::AggregateId
                        .eq(id.parse::<uuid::Uuid>().unwrap()),
                )
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap()
                .id
        })
    );
    let d = &body["data"];
    assert_eq!(d["application_id"], id);
    assert_eq!(d["answers"]["plate"], "S-AB 1234");
    assert_eq!(d["answers"]["address"]["city"], "Stuttgart");
    // Only what the resident ticked from the profile.
    assert_eq!(d["resident"], json!({"name": "Rita"}));
    // The resident's language, for the module's messages.
    assert_eq!(d["locale"], "de", "{d}");
    // The file by reference, without its bytes: the module fetches it.
    let att = &d["attachments"][0];
    assert_eq!(att["content_type"], "application/pdf");
    assert_eq!(att["file_name"], "Meldebescheinigung.pdf");
    assert_eq!(att["size"], PDF.len());
    assert!(att.get("data").is_none(), "{att}");
    assert!(
        !String::from_utf8_lossy(&got[0].body).contains("JVBERi0"),
        "no base64 PDF"
    );
    assert_eq!(d["answers"]["proof"], att["id"]);
    let href = att["href"].as_str().unwrap().to_string();
    assert_eq!(
        href,
        format!(
            "/api/v1/module/applications/{id}/files/{}",
            att["id"].as_str().unwrap()
        )
    );

    // My applications shows it; the access log names the module.
    let html = resident
        .client
        .get(app.url("/account/applications?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&id), "{html}");
    let mut records = Vec::new();
    for _ in 0..50 {
        records = entities::access_record::Entity::find()
            .filter(entities::access_record::Column::SubjectUserId.eq(resident.id))
            .all(&app.state.db)
            .await
            .unwrap();
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].actor_module.as_deref(), Some("parking-permits"));
    assert!(
        records[0].resource.contains(&id),
        "names the case: {}",
        records[0].resource
    );
    // The module fetches the file at its reference: the bytes, and the fetch in the
    // resident's access log naming the module, the case and the purpose.
    let token = module_token(&app, &creds, None).await;
    let r = client()
        .get(app.url(&href))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let records = access_records(&app, resident.id).await;
    assert_eq!(records.len(), 2);
    let fetch = records.iter().max_by_key(|r| r.created_at).unwrap();
    assert_eq!(fetch.actor_module.as_deref(), Some("parking-permits"));
    assert!(
        fetch.resource.contains("access-application-read"),
        "{}",
        fetch.resource
    );
    assert!(fetch.resource.contains(&id), "{}", fetch.resource);
    assert!(fetch.purpose.contains("parking"), "{}", fetch.purpose);
    let log: Value = resident
        .client
        .get(app.url("/api/v1/accounts/me/access-log"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(text.contains("Residents"), "{text}");
    // The admin's delivery log has the attempt.
    let admin = app.admin().await;
    let log: Value = admin
        .client
        .get(app.url("/api/v1/admin/modules/parking-permits/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["items"][0]["status_code"], 204, "{log}");
    assert_eq!(log["items"][0]["event_type"], "application.submitted");
}
on_both!(apply_and_the_module_gets_the_signed_webhook);

/// "Change my answers" on the review page brings the form back filled with the draft's
/// answers, the ticked data and the attached file kept; sent again with one answer
/// changed and no new file, the new draft has the change and the same file, and
/// replaces the old one. Someone else's draft, or a sent case, is never filled in.
async fn change_my_answers_keeps_them_and_the_file(app: TestApp) {
    let rx = Receiver::start().await;
    active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Chantal").await;
    let page = resident.client.get(app.url(APPLY)).send().await.unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let r = resident
        .client
        .post(app.url(APPLY))
        .multipart(filled(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let review = r.headers()["location"].to_str().unwrap().to_string();
    let old = review
        .trim_start_matches("/account/applications/")
        .trim_end_matches("/review")
        .to_string();
    let html = resident
        .client
        .get(app.url(&format!("{review}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let change = format!("{APPLY}?draft={old}");
    assert!(html.contains(&format!("href=\"{change}\"")), "{html}");

    // The form again, filled in.
    let form = resident
        .client
        .get(app.url(&format!("{change}&lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for value in [
        "S-AB 1234",
        "Königstraße 1",
        "70173",
        "Stuttgart",
        &start_day(),
    ] {
        assert!(
            form.contains(&format!("value=\"{value}\"")),
            "{value}: {form}"
        );
    }
    assert!(form.contains("value=\"mitte\" checked"), "the zone: {form}");
    assert!(
        form.contains("Meldebescheinigung.pdf is attached"),
        "{form}"
    );
    assert!(
        !form.contains("name=\"proof\" type=\"file\" accept=\"application/pdf,.pdf,image/jpeg,.jpg,image/png,.png\" required"),
        "the kept file is not asked for again: {form}"
    );
    assert!(form.contains(&format!("action=\"{change}\"")), "{form}");

    // Another resident's draft is not theirs to see: an empty form.
    let other = app.register("Otto").await;
    let theirs = other
        .client
        .get(app.url(&change))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("value=\"S-AB 1234\""), "{theirs}");
    assert!(
        theirs.contains(&format!("action=\"{APPLY}\"")),
        "a new application: {theirs}"
    );

    // Sent again with another plate and no file chosen: the file is kept.
    let csrf = hidden(&form, "csrf");
    let changed = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("plate", "S-CD 567")
        .text("zone", "mitte")
        .text("address-street", "Königstraße 1")
        .text("address-postcode", "70173")
        .text("address-city", "Stuttgart")
        .part(
            "proof",
            reqwest::multipart::Part::bytes(Vec::new())
                .file_name("")
                .mime_str("application/octet-stream")
                .unwrap(),
        )
        .text("start", start_day())
        .text("confirm", "true")
        .text("share-name", "1");
    let r = resident
        .client
        .post(app.url(&change))
        .multipart(changed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let review = r.headers()["location"].to_str().unwrap().to_string();
    assert!(!review.contains(&old), "a new draft");
    let html = resident
        .client
        .get(app.url(&format!("{review}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("S-CD 567"), "{html}");
    assert!(!html.contains("S-AB 1234"), "{html}");
    assert!(
        html.contains("Meldebescheinigung.pdf"),
        "the file kept: {html}"
    );
    // The old draft is gone; one application, with the file's bytes.
    assert_eq!(count_applications(&app).await, 1);
    let files = entities::application_file::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes, PDF);
    // The old link now fills nothing in.
    let stale = resident
        .client
        .get(app.url(&change))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!stale.contains("value=\"S-AB 1234\""), "{stale}");
}
on_both!(change_my_answers_keeps_them_and_the_file);

async fn a_sealed_submission_leaves_only_ciphertext(app: TestApp) {
    use sha2::Digest;
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, true)).await;
    let resident = app.register("Sam").await;
    let id = apply(&app, &resident).await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    let got = rx.wait_for(1).await;
    let body = verified(&creds, &got[0]);
    let d = &body["data"];
    assert!(d.get("answers").is_none(), "nothing in clear: {d}");
    assert!(d.get("resident").is_none(), "nothing in clear: {d}");
    let inner: Value = serde_json::from_slice(&open_jwe(d["sealed"].as_str().unwrap())).unwrap();
    assert_eq!(inner["answers"]["plate"], "S-AB 1234");
    assert_eq!(inner["resident"]["name"], "Sam");
    assert_eq!(
        inner["attachments"][0]["file_name"],
        "Meldebescheinigung.pdf"
    );
    // The file by reference: sealed, without its name or bytes in the webhook.
    let att = &d["attachments"][0];
    assert_eq!(att["sealed"], true, "{att}");
    assert!(
        att.get("file_name").is_none() && att.get("data").is_none(),
        "{att}"
    );
    assert_eq!(inner["attachments"][0]["id"], att["id"]);
    let token = module_token(&app, &creds, None).await;
    let r = client()
        .get(app.url(att["href"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/jose");
    let jwe = r.bytes().await.unwrap();
    // Its hash and size are those of what is stored and served: the ciphertext.
    assert_eq!(att["sha256"], hex::encode(sha2::Sha256::digest(&jwe)));
    assert_eq!(att["size"], jwe.len());
    assert_eq!(open_jwe(std::str::from_utf8(&jwe).unwrap()), PDF);

    // The Module API answers the sealed form, never clear text.
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/applications/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"]["sealed"], d["sealed"], "{one}");
    assert!(one["data"].get("answers").is_none(), "{one}");
    assert!(!one.to_string().contains("S-AB"), "{one}");

    // A question, and the resident's answer: sealed too, when they answer.
    for b in [
        json!({"status": "received"}),
        json!({"status": "needs_information", "question": "Since when do you live there?"}),
    ] {
        assert_eq!(
            send_status(&app, &token, &id, b).await.status(),
            StatusCode::OK
        );
    }
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let answer = "Registered here since the first of March";
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{id}/answer")))
        .form(&[("csrf", hidden(&page, "csrf").as_str()), ("answer", answer)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = rx.wait_for(2).await;
    let answered = verified(&creds, &got[1]);
    assert_eq!(answered["type"], "application.answered");
    assert!(answered["data"].get("answer").is_none(), "{answered}");
    let opened: Value =
        serde_json::from_slice(&open_jwe(answered["data"]["sealed"].as_str().unwrap())).unwrap();
    assert_eq!(opened["answer"], answer);
    // The resident's page shows no ciphertext for it.
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(answered["data"]["sealed"].as_str().unwrap()),
        "{page}"
    );

    // No table holds anything of the answers, the answer or the file in clear.
    let a = entities::application::Entity::find_by_id(uuid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(a.sealed && a.profile.is_none());
    let pdf_hex = hex::encode(PDF);
    for (table, rows) in crate::erasure::dump(&app.state.db).await {
        // The manifest's own help texts give examples (not the resident's data).
        let rows = rows
            .replace("z. B. S-AB 1234", "")
            .replace("e.g. S-AB 1234", "")
            .replace("Meldebescheinigung oder", "");
        for needle in [
            "S-AB 1234",
            "Königstraße",
            "Meldebescheinigung.pdf",
            answer,
            &pdf_hex,
            &pdf_hex.to_uppercase(),
            &hex::encode(sha2::Sha256::digest(PDF)),
        ] {
            assert!(!rows.contains(needle), "{needle} in {table}");
        }
    }
}
on_both!(a_sealed_submission_leaves_only_ciphertext);

/// A sealed submission to a module that fails first: every attempt carries the same
/// bytes (the same `webhook-id`, the same JWE), sealed once.
async fn a_retry_sends_the_same_sealed_body(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, true)).await;
    rx.down.store(true, Ordering::SeqCst);
    let resident = app.register("Ida").await;
    apply(&app, &resident).await;
    for _ in 0..200 {
        if rx.tried.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    rx.down.store(false, Ordering::SeqCst);
    let got = rx.wait_for(1).await;
    let delivered = verified(&creds, &got[0]);
    assert!(delivered["data"]["sealed"].is_string(), "{delivered}");
    let tried = rx.tried.lock().unwrap().clone();
    assert!(
        tried.len() >= 3,
        "two failures and the delivery: {}",
        tried.len()
    );
    for t in &tried {
        assert_eq!(t.headers["webhook-id"], got[0].headers["webhook-id"]);
        assert_eq!(t.body, got[0].body, "byte-identical on every attempt");
        verified(&creds, t);
    }
}
on_both!(a_retry_sends_the_same_sealed_body);

/// A case stored in clear (submitted before the portal sealed at submission) to a module
/// with a key is sealed before it goes out, and then kept only so.
async fn a_case_stored_in_clear_is_sealed_before_it_goes_out(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, true)).await;
    rx.down.store(true, Ordering::SeqCst);
    let resident = app.register("Otto").await;
    let id = apply(&app, &resident).await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    // As an older portal stored it: the draft's answers in clear.
    let draft = entities::application::Entity::find_by_id(uuid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(draft.sealed);
    entities::application::Entity::update_many()
        .col_expr(
            entities::application::Column::Answers,
            sea_orm::sea_query::Expr::value(r#"{"plate":"S-AB 1234"}"#),
        )
        .col_expr(
            entities::application::Column::Sealed,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(entities::application::Column::Id.eq(uuid))
        .exec(&app.state.db)
        .await
        .unwrap();
    entities::application_file::Entity::delete_many()
        .filter(entities::application_file::Column::ApplicationId.eq(uuid))
        .exec(&app.state.db)
        .await
        .unwrap();
    rx.down.store(false, Ordering::SeqCst);
    let got = rx.wait_for(1).await;
    let body = verified(&creds, &got[0]);
    assert!(body["data"].get("answers").is_none(), "{body}");
    let inner: Value =
        serde_json::from_slice(&open_jwe(body["data"]["sealed"].as_str().unwrap())).unwrap();
    assert_eq!(inner["answers"]["plate"], "S-AB 1234");
    let a = entities::application::Entity::find_by_id(uuid)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(a.sealed && !a.answers.contains("S-AB"), "{}", a.answers);
    assert_eq!(a.answers, body["data"]["sealed"].as_str().unwrap());
}
on_both!(a_case_stored_in_clear_is_sealed_before_it_goes_out);

/// A resident deletes their account: the module gets a signed `application.erased` for
/// each of their cases, with nothing about the resident.
async fn erasing_the_account_tells_the_module(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Ella").await;
    let first = apply_in(&app, &resident, Some("en")).await;
    let second = apply_in(&app, &resident, Some("de")).await;
    let got = rx.wait_for(2).await;
    // Each event names the language the resident reads.
    let locales: Vec<Value> = got
        .iter()
        .map(|g| {
            let b = verified(&creds, g);
            (
                b["data"]["application_id"].clone(),
                b["data"]["locale"].clone(),
            )
        })
        .map(|(id, l)| json!([id, l]))
        .collect();
    assert!(locales.contains(&json!([first, "en"])), "{locales:?}");
    assert!(locales.contains(&json!([second, "de"])), "{locales:?}");
    let r = resident
        .client
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let got = rx.wait_for(4).await;
    let mut erased = Vec::new();
    for g in &got[2..] {
        let body = verified(&creds, g);
        assert_eq!(body["type"], "application.erased", "{body}");
        assert_eq!(body["data"]["service"], "residents-parking-permit");
        let text = String::from_utf8_lossy(&g.body);
        for personal in [resident.email.as_str(), "Ella", "S-AB 1234"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
        erased.push(body["data"]["application_id"].as_str().unwrap().to_string());
    }
    erased.sort();
    let mut ids = vec![first, second];
    ids.sort();
    assert_eq!(erased, ids);
    assert_eq!(count_applications(&app).await, 0);
}
on_both!(erasing_the_account_tells_the_module);

/// A draft nobody sent is purged when it expires, whoever fills in a form next.
async fn expired_drafts_of_anyone_are_purged(app: TestApp) {
    let rx = Receiver::start().await;
    active_module(&app, manifest(&rx.url, true)).await;
    let left = app.register("Lea").await;
    let (review, _) = fill_in(&app, &left, "de").await;
    let draft: uuid::Uuid = review
        .trim_start_matches("/account/applications/")
        .trim_end_matches("/review")
        .parse()
        .unwrap();
    // A day and more later: expired.
    entities::application::Entity::update_many()
        .col_expr(
            entities::application::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(25)),
        )
        .filter(entities::application::Column::Id.eq(draft))
        .exec(&app.state.db)
        .await
        .unwrap();
    // Another resident's draft: Lea's goes, with its file.
    let other = app.register("Ole").await;
    fill_in(&app, &other, "de").await;
    assert!(entities::application::Entity::find_by_id(draft)
        .one(&app.state.db)
        .await
        .unwrap()
        .is_none());
    let files = entities::application_file::Entity::find()
        .filter(entities::application_file::Column::ApplicationId.eq(draft))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(files, 0);
    assert_eq!(count_applications(&app).await, 1);
    // The hourly purge does the same without anyone filling in a form.
    entities::application::Entity::update_many()
        .col_expr(
            entities::application::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(25)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        api::applications::service::purge_drafts(&app.state.db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(count_applications(&app).await, 0);
}
on_both!(expired_drafts_of_anyone_are_purged);

async fn a_module_that_is_down_gets_it_exactly_once(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    rx.down.store(true, Ordering::SeqCst);
    let resident = app.register("Uwe").await;
    let id = apply(&app, &resident).await;
    // It fails at least twice while the module is down.
    let module = entities::module::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    for _ in 0..100 {
        let n = entities::module_delivery::Entity::find()
            .filter(entities::module_delivery::Column::ModuleId.eq(module.id))
            .count(&app.state.db)
            .await
            .unwrap();
        if n >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rx.received().is_empty());
    rx.down.store(false, Ordering::SeqCst);
    let got = rx.wait_for(1).await;
    verified(&creds, &got[0]);
    // Nothing more comes: exactly once.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(rx.received().len(), 1);
    let attempts = entities::module_delivery::Entity::find()
        .filter(entities::module_delivery::Column::ModuleId.eq(module.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(attempts.len() >= 3, "{attempts:?}");
    assert!(attempts
        .iter()
        .all(|a| a.webhook_id == attempts[0].webhook_id));
    assert_eq!(
        attempts
            .iter()
            .filter(|a| a.status_code == Some(204))
            .count(),
        1
    );
    assert!(attempts.iter().all(|a| a.aggregate_id.to_string() == id));
}
on_both!(a_module_that_is_down_gets_it_exactly_once);

/// The delivery log as a city admin reads it, once it has `n` entries (at most 30 s).
async fn delivery_log(app: &TestApp, admin: &User, module: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let v: Value = admin
            .client
            .get(app.url(&format!("/api/v1/admin/modules/{module}/deliveries")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = v["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{n} delivery log entries expected");
}

/// What is not sent is logged with why, never dropped silently: a case withdrawn before
/// it reached the module goes out neither submitted nor withdrawn; a case whose module
/// was removed before it could take it is closed and its resident told.
async fn events_not_sent_are_logged_and_the_resident_told(app: TestApp) {
    let rx = Receiver::start().await;
    active_module(&app, manifest(&rx.url, false)).await;
    let admin = app.admin().await;
    let module = manifest(&rx.url, false)["id"].as_str().unwrap().to_string();
    rx.down.store(true, Ordering::SeqCst);
    let resident = app.register("Vera").await;
    let first = apply(&app, &resident).await;
    delivery_log(&app, &admin, &module, 1).await;
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{first}/withdraw")))
        .send()
        .await
        .unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{first}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    rx.down.store(false, Ordering::SeqCst);
    let skipped = |log: &[Value]| {
        log.iter()
            .filter(|d| d["outcome"] == "skipped")
            .map(|d| {
                (
                    d["event_type"].as_str().unwrap().to_string(),
                    d["error"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut log = Vec::new();
    for _ in 0..300 {
        log = delivery_log(&app, &admin, &module, 1).await;
        if skipped(&log).len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut s = skipped(&log);
    s.sort();
    assert_eq!(
        s,
        [
            (
                "application.submitted".to_string(),
                "withdrawn-before-delivery".to_string()
            ),
            (
                "application.withdrawn".to_string(),
                "withdrawn-before-delivery".to_string()
            ),
        ],
        "{log:?}"
    );
    assert!(log.iter().all(|d| d["outcome"] != "delivered"), "{log:?}");
    assert!(
        rx.received().is_empty(),
        "nothing of a withdrawn case went out"
    );

    // The module goes away while a second case waits for it.
    rx.down.store(true, Ordering::SeqCst);
    let second = apply(&app, &resident).await;
    let before = log.len();
    delivery_log(&app, &admin, &module, before + 1).await;
    let r = admin
        .client
        .delete(app.url(&format!("/api/v1/admin/modules/{module}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    rx.down.store(false, Ordering::SeqCst);
    let mut status = String::new();
    for _ in 0..300 {
        status = entities::application::Entity::find_by_id(second.parse::<uuid::Uuid>().unwrap())
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .status;
        if status == "closed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "closed", "a case nobody can take is closed");
    let html = resident
        .client
        .get(app.url(&format!("/account/applications/{second}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("no longer connected"), "{html}");
    let log = delivery_log(&app, &admin, &module, 1).await;
    assert!(
        log.iter().any(|d| d["outcome"] == "skipped"
            && d["error"] == "module-inactive"
            && d["aggregate_id"] == second.as_str()),
        "{log:?}"
    );
    assert!(rx.received().is_empty());
}
on_both!(events_not_sent_are_logged_and_the_resident_told);

/// Sends `request` as raw bytes and returns the answer's status line and headers.
async fn raw_request(app: &TestApp, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = url::Url::parse(&app.url("/")).unwrap();
    let mut s = tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap()))
        .await
        .unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("an answer in time")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

/// A module posts documents up to the Module API's 10 MiB (base64 in JSON, over the
/// API's general body limit); a larger one is refused with 413 and nothing changes.
async fn a_module_posts_a_document_of_several_megabytes(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Dora").await;
    let id = apply(&app, &resident).await;
    rx.wait_for(1).await;
    let token = module_token(&app, &creds, None).await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let pdf = |size: usize| {
        let mut b = PDF.to_vec();
        b.resize(size, b' ');
        b
    };
    // Larger: refused on its declared length, before the body is read (sent here as
    // headers alone, since the server closes the connection on the unread body).
    let too_big = api::web::edge::MODULE_DOCUMENT_BODY_BYTES + 1;
    let head = raw_request(
        &app,
        &format!(
            "POST /api/v1/module/applications/{id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: {too_big}\r\n\r\n"
        ),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let big = pdf(6 * 1024 * 1024);
    let r = client()
        .post(app.url(&format!("/api/v1/module/applications/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({"message": "Your notice", "document": {"file_name": "notice.pdf", "content_type": "application/pdf", "data": b64(&big)}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let files = entities::application_file::Entity::find()
        .filter(entities::application_file::Column::FileName.eq("notice.pdf"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes.len(), big.len());
}
on_both!(a_module_posts_a_document_of_several_megabytes);

async fn hostile_input_is_refused_and_nothing_stored(app: TestApp) {
    let rx = Receiver::start().await;
    active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Eve").await;
    let page = resident.client.get(app.url(APPLY)).send().await.unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let post = |form: reqwest::multipart::Form| {
        resident
            .client
            .post(app.url(&format!("{APPLY}?lang=en")))
            .multipart(form)
            .send()
    };
    let with_file = |bytes: Vec<u8>, name: &str, mime: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("plate", "S-AB 1234")
            .text("zone", "mitte")
            .text("address-street", "Königstraße 1")
            .text("address-postcode", "70173")
            .text("address-city", "Stuttgart")
            .part(
                "proof",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_string())
                    .mime_str(mime)
                    .unwrap(),
            )
            .text("start", start_day())
            .text("confirm", "true")
    };

    // Wrong types: an unknown zone, a date that is no date, a plate of another form.
    let r = post(
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("plate", "<script>alert(1)</script>")
            .text("zone", "nowhere")
            .text("start", "2026-02-30")
            .text("confirm", "yes"),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for field in ["plate", "zone", "start", "proof", "confirm"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\""))
                || html.contains(&format!("id=\"{field}-0\"")),
            "an error beside {field}: {html}"
        );
    }
    // Input kept, and escaped.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"));

    // A file that is not what it claims.
    let r = post(with_file(
        b"MZ\x90\x00 not a pdf".to_vec(),
        "proof.pdf",
        "application/pdf",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"proof-error\""));
    // A PNG claimed as a PDF.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let r = post(with_file(png, "proof.pdf", "application/pdf"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Over the field's limit (5 MiB).
    let mut big = PDF.to_vec();
    big.resize(5 * 1024 * 1024 + 10, b' ');
    let r = post(with_file(big, "big.pdf", "application/pdf"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"proof-error\""));
    // The wrong content type for a form with a file.
    let r = resident
        .client
        .post(app.url(APPLY))
        .form(&[("csrf", csrf.as_str()), ("plate", "S-AB 1234")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Without the page's token.
    let mut form = filled("x".repeat(43).as_str());
    form = form.text("extra", "1");
    let r = post(form).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Profile data the service does not receive.
    let r = post(filled(&csrf).text("share-phone", "1")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count_applications(&app).await, 0, "nothing stored");

    // Path tricks in a file's name: the name is made safe, no path kept.
    let r = post(with_file(
        PDF.to_vec(),
        "../../etc/passwd\u{202e}fdp.pdf",
        "application/pdf",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let f = entities::application_file::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !f.file_name.contains('/') && !f.file_name.contains(".."),
        "{}",
        f.file_name
    );
    assert!(!f.file_name.contains('\u{202e}'));
    assert!(f.file_name.ends_with(".pdf"));
    // A draft is not sent: the module got nothing.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(rx.received().is_empty());
}
on_both!(hostile_input_is_refused_and_nothing_stored);

/// The portal with the test SMTP server, or `None` when there is none.
async fn spawn_mail(backend: Backend) -> Option<(TestApp, std::path::PathBuf)> {
    let (url, maildir) = crate::mailbox::live_smtp()?;
    let app = spawn_with(
        backend,
        Opts {
            env: vec![
                ("SMTP_URL", url),
                (
                    "SMTP_FROM",
                    "Stadtportal Testhausen <portal@testhausen.example>".into(),
                ),
            ],
            ..Default::default()
        },
    )
    .await?;
    Some((app, maildir))
}

/// The subject and text of the emails about applications sent to `to`.
async fn wait_for_mail(maildir: &std::path::Path, to: &str, n: usize) -> Vec<(String, String)> {
    crate::mailbox::wait_for(maildir, to, n, |m| {
        let subject = m.subject().unwrap_or_default().to_string();
        subject
            .contains("application")
            .then(|| (subject, m.body_text(0).unwrap_or_default().to_string()))
    })
    .await
}

async fn send_status(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/module/applications/{id}/status")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn access_records(app: &TestApp, user: uuid::Uuid) -> Vec<entities::access_record::Model> {
    entities::access_record::Entity::find()
        .filter(entities::access_record::Column::SubjectUserId.eq(user))
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn the_module_moves_the_case_and_the_resident_follows(
    app: TestApp,
    maildir: std::path::PathBuf,
) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Mia").await;
    // The resident reads the portal in English: the emails come in English.
    resident
        .client
        .get(app.url("/?lang=en"))
        .send()
        .await
        .unwrap();
    let id = apply(&app, &resident).await;
    rx.wait_for(1).await;

    // A scope not granted: 403, nothing changed.
    let read_only = module_token(&app, &creds, Some("module:cases:read")).await;
    let r = send_status(&app, &read_only, &id, json!({"status": "received"})).await;
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "/problems/insufficient-scope", "{p}");
    // Without module:resident-data:read, no resident data and no access record.
    let before = access_records(&app, resident.id).await.len();
    let list: Value = client()
        .get(app.url("/api/v1/module/applications"))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["id"], id, "{list}");
    assert!(list["items"][0].get("data").is_none());
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/applications/{id}")))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(one.get("data").is_none(), "{one}");
    assert_eq!(access_records(&app, resident.id).await.len(), before);

    // With it: exactly what the resident agreed to, and the read in their log.
    let token = module_token(&app, &creds, None).await;
    let one: Value = client()
        .get(app.url(&format!("/api/v1/module/applications/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"]["answers"]["plate"], "S-AB 1234", "{one}");
    assert_eq!(one["data"]["resident"], json!({"name": "Mia"}));
    let records = access_records(&app, resident.id).await;
    assert_eq!(records.len(), before + 1);
    let last = records.iter().max_by_key(|r| r.created_at).unwrap();
    assert_eq!(last.actor_module.as_deref(), Some("parking-permits"));
    assert!(
        last.resource.contains(&id),
        "names the case: {}",
        last.resource
    );
    assert!(
        last.purpose.contains("residents' parking permit"),
        "{}",
        last.purpose
    );
    // The attachment, with the same rule.
    let file_id = one["files"][0]["id"].as_str().unwrap().to_string();
    let r = client()
        .get(app.url(&format!("/api/v1/module/applications/{id}/files/{file_id}")))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client()
        .get(app.url(&format!("/api/v1/module/applications/{id}/files/{file_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // Only legal steps.
    let p = problem(
        send_status(&app, &token, &id, json!({"status": "closed"})).await,
        409,
    )
    .await;
    assert_eq!(p["type"], "/problems/application-transition", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("from submitted to closed")
                && d.ends_with("a module can move it to: received.")),
        "it names the steps allowed: {p}"
    );
    let p = problem(
        send_status(&app, &token, &id, json!({"status": "withdrawn"})).await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["status"]);
    for s in ["received", "in_progress"] {
        let r = send_status(&app, &token, &id, json!({"status": s})).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{s}: {}",
            r.text().await.unwrap()
        );
    }
    let p = problem(
        send_status(&app, &token, &id, json!({"status": "needs_information"})).await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["question"]);
    let r = send_status(
        &app,
        &token,
        &id,
        json!({"status": "needs_information", "question": "Is the car registered in Stuttgart?"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The resident sees the question and answers it (a plain form).
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Is the car registered in Stuttgart?"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{id}/answer")))
        .form(&[("csrf", csrf.as_str()), ("answer", "Yes, since 2024.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = rx.wait_for(2).await;
    let answered = verified(&creds, &got[1]);
    assert_eq!(answered["type"], "application.answered");
    assert_eq!(answered["data"]["answer"], "Yes, since 2024.");

    // A document that is not what it claims: 422 naming it.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let p = problem(
        send_status(
            &app,
            &token,
            &id,
            json!({"status": "approved", "document": {"file_name": "permit.pdf", "content_type": "application/pdf", "data": b64(&png)}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["document"]);
    let r = send_status(
        &app,
        &token,
        &id,
        json!({"status": "approved", "message": "Your permit is attached.",
               "document": {"file_name": "../permit.pdf", "content_type": "application/pdf", "data": b64(PDF)}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let case: Value = r.json().await.unwrap();
    assert_eq!(case["status"], "approved");

    // The timeline, the document, and no withdrawing after the decision.
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{id}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [
        "You sent the application",
        "The office received it",
        "The office asked a question",
        "You answered",
        "Approved",
        "Your permit is attached.",
    ] {
        assert!(page.contains(text), "{text} in {page}");
    }
    assert!(!page.contains("/withdraw\""), "no withdrawing once decided");
    let doc = page
        .split("href=\"")
        .find(|s| s.contains("/files/"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = resident.client.get(app.url(&doc)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{id}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = send_status(&app, &token, &id, json!({"status": "closed"})).await;
    assert_eq!(r.status(), StatusCode::OK);

    // An email in the resident's language on each status change.
    let mails = wait_for_mail(&maildir, &resident.email, 5).await;
    let subjects: Vec<&str> = mails.iter().map(|(s, _)| s.as_str()).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.ends_with("Received by the office")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.ends_with("Approved")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.ends_with("Closed")),
        "{subjects:?}"
    );
    let approved = mails.iter().find(|(s, _)| s.ends_with("Approved")).unwrap();
    assert!(approved.1.contains("Your permit is attached."));
    assert!(approved.1.contains(&format!("/account/applications/{id}")));

    // The export holds the case.
    let export =
        api::accounts::service::export(&app.state.db, resident.id, app.state.city.timezone)
            .await
            .unwrap();
    assert_eq!(export["applications"][0]["id"], id);
    assert_eq!(export["applications"][0]["answers"]["plate"], "S-AB 1234");
    assert_eq!(export["applications"][0]["status"], "closed");
}

mod the_module_moves_the_case_and_the_resident_follows {
    use crate::helpers::Backend;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some((app, dir)) = super::spawn_mail(Backend::Sqlite).await {
            super::the_module_moves_the_case_and_the_resident_follows(app, dir).await;
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some((app, dir)) = super::spawn_mail(Backend::Postgres).await {
            super::the_module_moves_the_case_and_the_resident_follows(app, dir).await;
        }
    }
}

async fn the_resident_withdraws_and_the_module_is_told(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Wim").await;
    let id = apply(&app, &resident).await;
    rx.wait_for(1).await;
    // A confirm page without JavaScript, then the withdrawal.
    let page = resident
        .client
        .get(app.url(&format!("/account/applications/{id}/withdraw")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let r = resident
        .client
        .post(app.url(&format!("/account/applications/{id}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = rx.wait_for(2).await;
    let body = verified(&creds, &got[1]);
    assert_eq!(body["type"], "application.withdrawn");
    assert_eq!(body["data"]["status"], "withdrawn");
    // The module cannot move a withdrawn case.
    let token = module_token(&app, &creds, None).await;
    let r = send_status(&app, &token, &id, json!({"status": "received"})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Another resident sees nothing of it.
    let other = app.register("Otto").await;
    let r = other
        .client
        .get(app.url(&format!("/account/applications/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Erasure takes the case with it.
    api::applications::service::erase_user(&app.state.db, resident.id)
        .await
        .unwrap();
    assert_eq!(count_applications(&app).await, 0);
}
on_both!(the_resident_withdraws_and_the_module_is_told);

async fn the_api_takes_an_application_and_names_each_bad_field(app: TestApp) {
    let rx = Receiver::start().await;
    let creds = active_module(&app, manifest(&rx.url, false)).await;
    let resident = app.register("Ada").await;
    let path = "/api/v1/services/residents-parking-permit/applications";
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let good = json!({
        "answers": {
            "plate": "S-AB 1234",
            "zone": "ost",
            "address": {"street": "Königstraße 1", "postcode": "70173", "city": "Stuttgart"},
            "proof": {"file_name": "proof.pdf", "content_type": "application/pdf", "data": b64(PDF)},
            "start": start_day(),
            "confirm": true
        },
        "share": ["email"]
    });
    // Not logged in.
    let r = client()
        .post(app.url(path))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Wrong types, an unknown field, a file that is not what it claims, profile data
    // the service does not receive: each named.
    let mut bad = good.clone();
    bad["answers"]["zone"] = json!(["mitte"]);
    bad["answers"]["start"] = json!("tomorrow");
    bad["answers"]["confirm"] = json!(false);
    bad["answers"]["extra"] = json!("x");
    bad["answers"]["proof"]["data"] = json!(b64(b"GIF89a not a pdf"));
    bad["share"] = json!(["phone"]);
    let r = resident
        .client
        .post(app.url(path))
        .json(&bad)
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let mut f = fields(&p);
    f.sort();
    assert_eq!(
        f,
        ["confirm", "extra", "proof", "share", "start", "zone"],
        "{p}"
    );
    assert_eq!(count_applications(&app).await, 0, "nothing stored");
    // A service without an online application.
    let r = resident
        .client
        .post(app.url("/api/v1/services/identity-card/applications"))
        .json(&good)
        .send()
        .await
        .unwrap();
    let p = problem(r, 404).await;
    assert_eq!(p["type"], "/problems/application-not-offered");
    // The good one: sent and delivered.
    let r = resident
        .client
        .post(app.url(path))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let got = rx.wait_for(1).await;
    let body = verified(&creds, &got[0]);
    assert_eq!(body["data"]["application_id"], v["id"]);
    assert_eq!(body["data"]["resident"], json!({"email": resident.email}));
    assert_eq!(body["data"]["answers"]["zone"], "ost");
}
on_both!(the_api_takes_an_application_and_names_each_bad_field);
