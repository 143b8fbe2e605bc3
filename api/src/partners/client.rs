//! Calls to a partner's booking system (the Partner Booking API): OAuth2 client
//! credentials with the `oauth2` crate, tokens cached until shortly before they expire,
//! a timeout on every call, retries with backoff (every call is safe to repeat: reads
//! are reads, and writes carry an `Idempotency-Key`), and a circuit breaker per
//! connection so that a partner that is down answers at once instead of after the
//! timeouts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::core::secrets::SecretsKey;

/// A connection ready to call: where, and with which (decrypted) credentials.
#[derive(Clone)]
pub struct Conn {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Why a partner call did not give an answer the portal can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerError {
    /// The partner did not answer in time, answered 5xx or 429, could not be reached,
    /// or its circuit is open. For a write, whether it happened is unknown.
    Unavailable(String),
    /// The partner refused the request with a 4xx problem: its status, the stable code
    /// at the end of the problem's `type`, and its detail.
    Refused {
        status: u16,
        code: String,
        detail: String,
    },
    /// The partner answered something the contract does not allow, or refused the
    /// portal's credentials.
    Invalid(String),
}

impl std::fmt::Display for PartnerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartnerError::Unavailable(m) => write!(f, "unavailable: {m}"),
            PartnerError::Refused {
                status,
                code,
                detail,
            } => write!(f, "refused ({status} {code}): {detail}"),
            PartnerError::Invalid(m) => write!(f, "broke the contract: {m}"),
        }
    }
}

/// The circuit of one connection.
#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
    /// While half-open: until when the one trial call may still be under way (a call
    /// dropped before it settles cannot block the circuit for longer).
    trial_until: Option<Instant>,
}

/// How partner calls behave.
#[derive(Clone, Copy, Debug)]
pub struct CallPolicy {
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts of one call (1 = no retry).
    pub attempts: u32,
    /// Wait before the first retry; doubles with each further one.
    pub backoff: Duration,
    /// Consecutive failed calls that open the circuit.
    pub trip_after: u32,
    /// How long an open circuit refuses calls before one trial call may pass.
    pub open_for: Duration,
}

impl CallPolicy {
    /// The policy for a per-attempt timeout.
    pub fn with_timeout(timeout: Duration) -> CallPolicy {
        CallPolicy {
            timeout,
            attempts: 3,
            backoff: Duration::from_millis(200),
            trip_after: 5,
            open_for: Duration::from_secs(30),
        }
    }
}

struct CachedToken {
    token: SecretString,
    /// When to fetch a new one (a little before it expires).
    renew_at: Instant,
}

/// The partner side of the server: the secrets key, the HTTP client, and per
/// connection the cached token and the circuit.
pub struct Partners {
    key: SecretsKey,
    /// Whether connections may point at loopback and private addresses.
    allow_private: bool,
    http: reqwest::Client,
    policy: CallPolicy,
    tokens: Mutex<HashMap<Uuid, CachedToken>>,
    breakers: Mutex<HashMap<Uuid, Breaker>>,
    /// The partners' offer lists as the dashboard's editors last fetched them.
    offer_lists: Mutex<HashMap<Uuid, (Instant, partner_contract::model::OfferList)>>,
}

impl std::fmt::Debug for Partners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partners")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// What a request sends.
pub enum Body<'a> {
    None,
    Json(&'a serde_json::Value),
}

/// Resolves partner host names to public addresses only, so that a name that pointed
/// at a public address when the connection was saved cannot later lead the portal into
/// the city's own network (DNS rebinding). Addresses given as literals are checked when
/// the connection is saved.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

fn http_client(policy: CallPolicy, allow_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        // Following redirects would let a partner point the portal elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(policy.timeout.min(Duration::from_secs(3)))
        .timeout(policy.timeout);
    if !allow_private {
        b = b.dns_resolver(std::sync::Arc::new(PublicOnly));
    }
    b.build().expect("a reqwest client with rustls builds")
}

impl Partners {
    pub fn new(key: SecretsKey, policy: CallPolicy) -> Partners {
        Partners {
            key,
            allow_private: false,
            http: http_client(policy, false),
            policy,
            tokens: Mutex::new(HashMap::new()),
            breakers: Mutex::new(HashMap::new()),
            offer_lists: Mutex::new(HashMap::new()),
        }
    }

    /// Lets connections point at loopback and private addresses (development, tests).
    pub fn allowing_private_networks(mut self, allow: bool) -> Partners {
        self.allow_private = allow;
        self.http = http_client(self.policy, allow);
        self
    }

    /// Whether connections may point at loopback and private addresses.
    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// The key that encrypts connection secrets at rest.
    pub fn key(&self) -> &SecretsKey {
        &self.key
    }

    pub fn policy(&self) -> CallPolicy {
        self.policy
    }

    /// Forgets a connection's cached token and circuit (after its settings changed).
    pub fn forget(&self, id: Uuid) {
        self.tokens.lock().expect("tokens lock").remove(&id);
        self.breakers.lock().expect("breakers lock").remove(&id);
        self.offer_lists
            .lock()
            .expect("offer lists lock")
            .remove(&id);
    }

    /// A connection's offer list fetched less than `max_age` ago.
    pub fn recent_offer_list(
        &self,
        id: Uuid,
        max_age: Duration,
    ) -> Option<partner_contract::model::OfferList> {
        let lists = self.offer_lists.lock().expect("offer lists lock");
        lists
            .get(&id)
            .filter(|(at, _)| at.elapsed() < max_age)
            .map(|(_, list)| list.clone())
    }

    /// Keeps a connection's offer list for [`Partners::recent_offer_list`].
    pub fn remember_offer_list(&self, id: Uuid, list: &partner_contract::model::OfferList) {
        let mut lists = self.offer_lists.lock().expect("offer lists lock");
        lists.insert(id, (Instant::now(), list.clone()));
    }

    /// Whether the circuit of a connection is open now (calls are refused at once).
    pub fn circuit_open(&self, id: Uuid) -> bool {
        let breakers = self.breakers.lock().expect("breakers lock");
        breakers
            .get(&id)
            .and_then(|b| b.open_until)
            .is_some_and(|t| Instant::now() < t)
    }

    /// Lets a call pass the circuit, or refuses it.
    fn admit(&self, id: Uuid) -> Result<(), PartnerError> {
        let mut breakers = self.breakers.lock().expect("breakers lock");
        let b = breakers.entry(id).or_default();
        match b.open_until {
            Some(t) if Instant::now() < t => Err(PartnerError::Unavailable(
                "the circuit is open after repeated failures".into(),
            )),
            Some(_) if b.trial_until.is_some_and(|t| Instant::now() < t) => {
                Err(PartnerError::Unavailable(
                    "the circuit is half-open and a trial call is under way".into(),
                ))
            }
            Some(_) => {
                let p = self.policy;
                b.trial_until =
                    Some(Instant::now() + p.timeout * (2 * p.attempts + 1) + p.backoff * 8);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a call's outcome: an unavailable partner counts towards opening the
    /// circuit; any answer closes it.
    fn settle(&self, id: Uuid, result: &Result<(), &PartnerError>) {
        let mut breakers = self.breakers.lock().expect("breakers lock");
        let b = breakers.entry(id).or_default();
        b.trial_until = None;
        match result {
            Err(PartnerError::Unavailable(_)) => {
                b.failures += 1;
                if b.failures >= self.policy.trip_after || b.open_until.is_some() {
                    b.open_until = Some(Instant::now() + self.policy.open_for);
                    tracing::warn!(connection = %id, "partner circuit open");
                }
            }
            _ => {
                if b.open_until.is_some() {
                    tracing::info!(connection = %id, "partner circuit closed");
                }
                *b = Breaker::default();
            }
        }
    }

    /// An access token of the connection: cached, or fetched with the client
    /// credentials grant.
    async fn token(&self, c: &Conn) -> Result<SecretString, PartnerError> {
        if let Some(t) = self.tokens.lock().expect("tokens lock").get(&c.id) {
            if Instant::now() < t.renew_at {
                return Ok(t.token.clone());
            }
        }
        let token_url = TokenUrl::new(c.token_url.clone())
            .map_err(|_| PartnerError::Invalid("the token URL is not a URL".into()))?;
        let client = BasicClient::new(ClientId::new(c.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                c.client_secret.expose_secret().to_string(),
            ))
            .set_token_uri(token_url);
        let answer = client
            .exchange_client_credentials()
            .add_scope(Scope::new(partner_contract::SCOPE.to_string()))
            .request_async(&self.http)
            .await;
        let t = match answer {
            Ok(t) => t,
            Err(oauth2::RequestTokenError::ServerResponse(e)) => {
                return Err(PartnerError::Invalid(format!(
                    "the token endpoint refused the client credentials: {}",
                    e.error()
                )))
            }
            Err(oauth2::RequestTokenError::Request(e)) => {
                return Err(PartnerError::Unavailable(format!(
                    "the token endpoint did not answer: {e}"
                )))
            }
            // A 5xx page or a proxy's error is not a token: the endpoint is not usable now.
            Err(oauth2::RequestTokenError::Parse(_, _)) => {
                return Err(PartnerError::Unavailable(
                    "the token endpoint did not answer with a token".into(),
                ))
            }
            Err(oauth2::RequestTokenError::Other(m)) => {
                return Err(PartnerError::Unavailable(format!(
                    "the token endpoint: {m}"
                )))
            }
        };
        let lifetime = t.expires_in().unwrap_or(Duration::from_secs(300));
        // Renew a little early so a token never expires on the way.
        let renew_at =
            Instant::now() + lifetime.saturating_sub(Duration::from_secs(30).min(lifetime / 2));
        let token = SecretString::from(t.access_token().secret().clone());
        self.tokens.lock().expect("tokens lock").insert(
            c.id,
            CachedToken {
                token: token.clone(),
                renew_at,
            },
        );
        Ok(token)
    }

    /// One call with retries, token renewal and the circuit. `idempotency_key` is sent
    /// on writes; it makes a repeated write answer like the first.
    pub async fn call<T: DeserializeOwned>(
        &self,
        c: &Conn,
        method: reqwest::Method,
        path: &str,
        body: Body<'_>,
        idempotency_key: Option<&str>,
    ) -> Result<T, PartnerError> {
        self.admit(c.id)?;
        let result = self
            .call_inner(c, method, path, body, idempotency_key)
            .await;
        self.settle(c.id, &result.as_ref().map(|_| ()));
        result
    }

    async fn call_inner<T: DeserializeOwned>(
        &self,
        c: &Conn,
        method: reqwest::Method,
        path: &str,
        body: Body<'_>,
        idempotency_key: Option<&str>,
    ) -> Result<T, PartnerError> {
        let url = format!("{}/partner/v1{path}", c.base_url.trim_end_matches('/'));
        let mut wait = self.policy.backoff;
        let mut renewed = false;
        let mut attempt = 1;
        // Whether an earlier attempt of this write may have reached the partner.
        let mut ambiguous = false;
        loop {
            let outcome = self
                .attempt(c, method.clone(), &url, &body, idempotency_key)
                .await;
            match outcome {
                // A refusal after an attempt with no answer may be about that attempt's
                // effect (the key replays the first outcome only once it is stored): its
                // outcome stays unknown, and the caller settles it by asking.
                Attempt::Done(Err(PartnerError::Refused { status, code, .. }))
                    if ambiguous && idempotency_key.is_some() =>
                {
                    return Err(PartnerError::Unavailable(format!(
                        "refused ({status} {code}) after an attempt without an answer"
                    )))
                }
                Attempt::Done(r) => return r,
                Attempt::Unauthorized if !renewed => {
                    // The token was revoked or expired early: fetch a new one once.
                    self.tokens.lock().expect("tokens lock").remove(&c.id);
                    renewed = true;
                    continue;
                }
                Attempt::Unauthorized => {
                    return Err(PartnerError::Invalid(
                        "the partner refused a fresh access token (401)".into(),
                    ))
                }
                Attempt::Retry(e) if attempt < self.policy.attempts => {
                    ambiguous = true;
                    tracing::debug!(connection = %c.id, attempt, error = %e, "partner call, retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    attempt += 1;
                }
                Attempt::Retry(e) => return Err(e),
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        c: &Conn,
        method: reqwest::Method,
        url: &str,
        body: &Body<'_>,
        idempotency_key: Option<&str>,
    ) -> Attempt<T> {
        let token = match self.token(c).await {
            Ok(t) => t,
            Err(e @ PartnerError::Unavailable(_)) => return Attempt::Retry(e),
            Err(e) => return Attempt::Done(Err(e)),
        };
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        if let Body::Json(v) = body {
            req = req.json(v);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Attempt::Retry(PartnerError::Unavailable(
                    "the partner did not answer in time".into(),
                ))
            }
            Err(e) => {
                return Attempt::Retry(PartnerError::Unavailable(format!(
                    "the partner could not be reached: {}",
                    without_url(&e)
                )))
            }
        };
        let status = resp.status();
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(_) => {
                return Attempt::Retry(PartnerError::Unavailable(
                    "the partner's answer broke off".into(),
                ))
            }
        };
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Attempt::Unauthorized;
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Retry(PartnerError::Unavailable(format!(
                "the partner answered {}",
                status.as_u16()
            )));
        }
        if status.is_client_error() {
            let problem: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
            let field = |k: &str| {
                problem
                    .as_ref()
                    .and_then(|p| p.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let Some(type_) = field("type") else {
                return Attempt::Done(Err(PartnerError::Invalid(format!(
                    "a {} answer that is not a problem",
                    status.as_u16()
                ))));
            };
            let code = type_.rsplit('/').next().unwrap_or("").to_string();
            // The same key still running, or a request timeout: try again.
            if code == "idempotency-key-in-flight" || status == reqwest::StatusCode::REQUEST_TIMEOUT
            {
                return Attempt::Retry(PartnerError::Unavailable(format!(
                    "the partner answered {} {code}",
                    status.as_u16()
                )));
            }
            // The portal's own request was wrong: not the resident's doing.
            if status == reqwest::StatusCode::BAD_REQUEST || code.starts_with("idempotency-key") {
                return Attempt::Done(Err(PartnerError::Invalid(format!(
                    "the partner refused the portal's request: {} {code}",
                    status.as_u16()
                ))));
            }
            return Attempt::Done(Err(PartnerError::Refused {
                status: status.as_u16(),
                code,
                detail: field("detail")
                    .or_else(|| field("title"))
                    .unwrap_or_default(),
            }));
        }
        if !status.is_success() {
            return Attempt::Done(Err(PartnerError::Invalid(format!(
                "an unexpected status {}",
                status.as_u16()
            ))));
        }
        Attempt::Done(serde_json::from_slice(&bytes).map_err(|e| {
            PartnerError::Invalid(format!("an answer that does not fit the contract: {e}"))
        }))
    }
}

enum Attempt<T> {
    Done(Result<T, PartnerError>),
    Retry(PartnerError),
    Unauthorized,
}

/// A reqwest error's message without the URL (it may carry query strings).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<partner>");
    }
    s
}

/// Whether an address is one the portal may call without opening the city's own
/// network to whoever configures a connection (SSRF).
pub fn is_public(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(a) => {
            let o = a.octets();
            !(a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || a.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        std::net::IpAddr::V6(a) => {
            let s = a.segments();
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public(std::net::IpAddr::V4(v4));
            }
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
