//! The portal's Module API, as a module calls it: an OAuth2 access token by client
//! credentials at `/oauth/token` (kept until shortly before it expires), then JSON
//! requests to `/api/v1/module/...` with `Authorization: Bearer <token>`.
//!
//! Errors come as RFC 9457 problems (`application/problem+json`); a module reads their
//! `status` (e.g. 409 when a case is already past the step it asks for) and `errors`
//! (one per bad field).

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

/// Why a call to the portal failed.
#[derive(Debug)]
pub enum CallError {
    /// The portal could not be reached or answered something unreadable.
    Unreachable(String),
    /// The portal answered with an error status and (usually) a problem document.
    Refused { status: u16, problem: Value },
}

impl CallError {
    /// The HTTP status the portal answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Refused { status, .. } => Some(*status),
            CallError::Unreachable(_) => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Unreachable(e) => write!(f, "the portal could not be reached: {e}"),
            // The problem's title and detail say what was wrong; they carry no personal
            // data, so they may be logged.
            CallError::Refused { status, problem } => write!(
                f,
                "the portal answered {status}: {} {}",
                problem["title"].as_str().unwrap_or_default(),
                problem["detail"].as_str().unwrap_or_default()
            ),
        }
    }
}

impl std::error::Error for CallError {}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// A module's connection to the portal.
pub struct Portal {
    base: String,
    client_id: String,
    client_secret: String,
    http: reqwest::Client,
    /// The current access token and when to stop using it.
    token: Mutex<Option<(String, Instant)>>,
}

impl Portal {
    /// The portal at `base` (e.g. `https://portal.stadt.example`), as the OAuth2 client
    /// `client_id`.
    pub fn new(base: &str, client_id: &str, client_secret: &str) -> Portal {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client");
        Portal {
            base: base.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            http,
            token: Mutex::new(None),
        }
    }

    /// The portal's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// An access token: the one held while it is good for another 30 seconds, else a
    /// new one (`grant_type=client_credentials`, the client authenticated with HTTP
    /// Basic, as RFC 6749 §2.3.1 recommends). Without `scope` the token carries every
    /// scope the city approved for the module.
    async fn token(&self) -> Result<String, CallError> {
        let mut held = self.token.lock().await;
        if let Some((token, until)) = held.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let r = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| CallError::Unreachable(e.to_string()))?;
        let status = r.status();
        if !status.is_success() {
            let problem = r.json().await.unwrap_or(Value::Null);
            return Err(CallError::Refused {
                status: status.as_u16(),
                problem,
            });
        }
        let t: TokenResponse = r
            .json()
            .await
            .map_err(|e| CallError::Unreachable(e.to_string()))?;
        let lifetime = Duration::from_secs(t.expires_in.unwrap_or(300).saturating_sub(30));
        *held = Some((t.access_token.clone(), Instant::now() + lifetime));
        Ok(t.access_token)
    }

    /// Sends a request to the Module API (`path` from `/api/v1`), once more with a
    /// fresh token if the portal says the held one is no longer good (401).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        for attempt in 0..2 {
            let token = self.token().await?;
            let mut req = self
                .http
                .request(method.clone(), format!("{}/api/v1{path}", self.base))
                .bearer_auth(token);
            if let Some(b) = body {
                req = req.json(b);
            }
            let r = req
                .send()
                .await
                .map_err(|e| CallError::Unreachable(e.to_string()))?;
            let status = r.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                // Revoked or expired early (e.g. the module was paused and resumed).
                *self.token.lock().await = None;
                continue;
            }
            let value: Value = if status == reqwest::StatusCode::NO_CONTENT {
                Value::Null
            } else {
                r.json().await.unwrap_or(Value::Null)
            };
            if !status.is_success() {
                return Err(CallError::Refused {
                    status: status.as_u16(),
                    problem: value,
                });
            }
            return Ok(value);
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// The bytes at `href`, a Module API path from the portal's origin (as the
    /// webhooks' attachments give it), with their content type; once more with a fresh
    /// token on a 401.
    pub async fn fetch(&self, href: &str) -> Result<(String, Vec<u8>), CallError> {
        if !href.starts_with("/api/v1/module/") {
            return Err(CallError::Unreachable(format!(
                "{href} is not a Module API path"
            )));
        }
        for attempt in 0..2 {
            let token = self.token().await?;
            let r = self
                .http
                .get(format!("{}{href}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| CallError::Unreachable(e.to_string()))?;
            let status = r.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                *self.token.lock().await = None;
                continue;
            }
            if !status.is_success() {
                return Err(CallError::Refused {
                    status: status.as_u16(),
                    problem: r.json().await.unwrap_or(Value::Null),
                });
            }
            let ct = r
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let bytes = r
                .bytes()
                .await
                .map_err(|e| CallError::Unreachable(e.to_string()))?;
            return Ok((ct, bytes.to_vec()));
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// `GET /api/v1{path}`.
    pub async fn get(&self, path: &str) -> Result<Value, CallError> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// `POST /api/v1{path}` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, CallError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}
