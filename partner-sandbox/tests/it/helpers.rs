//! A spawned sandbox with typed helpers, and a webhook receiver.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use partner_sandbox::{spawn, Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub const CLIENT_ID: &str = "city-portal";
pub const CLIENT_SECRET: &str = "sandbox-secret";
pub const CONTROL_TOKEN: &str = "control-for-tests";

pub struct App {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

/// A response read to the end.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "{} is not problem+json: {}",
            self.content_type(),
            self.text
        );
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert!(self.body["title"].is_string(), "{}", self.text);
        assert_eq!(
            self.body["type"],
            format!("/problems/{code}"),
            "{}",
            self.text
        );
    }
}

pub async fn read(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

pub fn test_config() -> SandboxConfig {
    SandboxConfig {
        control_token: Some(CONTROL_TOKEN.into()),
        webhook_backoff: Duration::from_millis(50),
        ..SandboxConfig::with_client(CLIENT_ID, CLIENT_SECRET)
    }
}

pub async fn spawn_app() -> App {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(f: impl FnOnce(&mut SandboxConfig)) -> App {
    let mut config = test_config();
    f(&mut config);
    let sandbox = spawn(config).await.expect("sandbox starts");
    App {
        sandbox,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
    }
}

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl App {
    pub fn api(&self, path: &str) -> String {
        self.sandbox.url(&format!("/partner/v1{path}"))
    }

    /// A fresh access token.
    pub async fn token(&self) -> String {
        let a = read(
            self.http
                .post(self.sandbox.token_url())
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        read(
            self.http
                .get(self.api(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(
        &self,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self.http.post(self.api(path)).bearer_auth(token);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.unwrap()).await
    }

    /// The slots of one offer in the next `days` days.
    pub async fn slots(&self, token: &str, offer_id: &str, days: i64) -> Vec<Value> {
        let now = Utc::now();
        let a = self
            .post(
                "/availability",
                token,
                None,
                Some(&json!({
                    "offer_ids": [offer_id],
                    "from": now.to_rfc3339(),
                    "to": (now + chrono::Duration::days(days)).to_rfc3339(),
                })),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["offers"][0]["slots"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The start of the `n`th slot of an offer in the coming weeks.
    pub async fn slot(&self, token: &str, offer_id: &str, n: usize) -> String {
        let slots = self.slots(token, offer_id, 28).await;
        slots[n]["start"].as_str().unwrap().to_string()
    }

    pub async fn hold(&self, token: &str, key: &str, body: &Value) -> Answer {
        self.post("/holds", token, Some(key), Some(body)).await
    }

    /// Confirms booking `id` with `body` (e.g. [`yoga_confirm`]).
    pub async fn confirm(&self, token: &str, id: &str, key: &str, body: &Value) -> Answer {
        self.post(
            &format!("/bookings/{id}/confirm"),
            token,
            Some(key),
            Some(body),
        )
        .await
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self
            .http
            .request(method, self.sandbox.url(&format!("/sandbox{path}")))
            .bearer_auth(CONTROL_TOKEN);
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.unwrap()).await
    }
}

/// A hold body for a yoga class. Holds carry no resident data: that comes with the
/// confirmation ([`yoga_confirm`]).
pub fn yoga_hold(start: &str, seats: u32) -> Value {
    json!({
        "offer_id": "sandbox-gym.yoga",
        "start": start,
        "seats": seats,
        "client_token": format!("ct-{}", key()),
    })
}

/// A hold body for the one-place trainer intro.
pub fn intro_hold(start: &str) -> Value {
    json!({
        "offer_id": "sandbox-gym.intro",
        "start": start,
        "client_token": format!("ct-{}", key()),
    })
}

/// A hold body for the monthly membership.
pub fn membership_hold(start: &str) -> Value {
    json!({
        "offer_id": "sandbox-gym.monthly",
        "start": start,
        "client_token": format!("ct-{}", key()),
    })
}

/// The confirmation of a yoga class: it asks for the name only.
pub fn yoga_confirm() -> Value {
    json!({"resident": {"name": "Aino Virtanen"}})
}

/// The confirmation of the trainer intro: name and phone.
pub fn intro_confirm() -> Value {
    json!({"resident": {"name": "Aino Virtanen", "phone": "+358401234567"}})
}

/// The confirmation of the monthly membership: name, email and phone.
pub fn membership_confirm() -> Value {
    json!({"resident": {"name": "Aino Virtanen", "email": "aino@example.org", "phone": "+358401234567"}})
}

/// A webhook as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: poem::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A small HTTP server that records webhooks; it answers 500 to the first `fail_first`.
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        use poem::listener::{Acceptor, Listener, TcpListener};
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let store = received.clone();
        let ep = poem::endpoint::make(move |req: poem::Request| {
            let store = store.clone();
            let calls = calls.clone();
            async move {
                let headers = req.headers().clone();
                let body = req.into_body().into_vec().await.unwrap_or_default();
                store.lock().unwrap().push(Received { headers, body });
                if calls.fetch_add(1, Ordering::SeqCst) < fail_first {
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    poem::http::StatusCode::NO_CONTENT
                }
            }
        });
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let server = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(ep).await;
        });
        Receiver {
            url: format!("http://{addr}/api/v1/partner-webhooks/sandbox"),
            received,
            _server: server,
        }
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (or 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let all = self.all();
        panic!("expected {n} webhooks, got {}", all.len());
    }
}
