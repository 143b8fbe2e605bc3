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
    /// A module's booking system (called within `MODULE_NETWORKS`), not a business's.
    pub module: bool,
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
    /// How many times in a row the circuit opened (each opening lasts twice the one
    /// before, from [`CallPolicy::first_open`] up to [`CallPolicy::open_for`]).
    openings: u32,
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
    /// How long an open circuit refuses calls before one trial call may pass, at
    /// first; each time a trial call fails too, twice as long as the time before...
    pub first_open: Duration,
    /// ...up to this.
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
            first_open: Duration::from_secs(1),
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
    /// Where modules' booking systems may be called, and the client that keeps to it.
    module_reach: Reach,
    module_http: reqwest::Client,
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

/// Which addresses the portal's outbound calls may reach: public addresses, and the
/// networks given (a city's own networks, where its modules run), or anywhere
/// (development and tests). Host names are resolved by [`Reach`] itself, so a name that
/// pointed at a public address when it was checked cannot later lead the portal into
/// the city's own network (DNS rebinding); addresses given as literals never reach a
/// resolver and are checked with [`Reach::admits_url`] before each call.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    anywhere: bool,
    networks: std::sync::Arc<[ipnet::IpNet]>,
}

impl Reach {
    /// Public addresses only.
    pub fn public_only() -> Reach {
        Reach::default()
    }

    /// Any address (development and tests).
    pub fn anywhere() -> Reach {
        Reach {
            anywhere: true,
            networks: std::sync::Arc::new([]),
        }
    }

    /// Public addresses and `networks`.
    pub fn public_and(networks: &[ipnet::IpNet]) -> Reach {
        Reach {
            anywhere: false,
            networks: networks.into(),
        }
    }

    /// Whether `ip` may be called.
    pub fn admits(&self, ip: std::net::IpAddr) -> bool {
        self.anywhere || is_public(ip) || self.networks.iter().any(|n| n.contains(&ip))
    }

    /// Whether the host of `url` may be called as far as can be told without resolving
    /// it: an address literal must be admitted; a name is checked when it is resolved.
    pub fn admits_url(&self, url: &str) -> bool {
        match url::Url::parse(url)
            .ok()
            .and_then(|u| u.host().map(|h| h.to_owned()))
        {
            Some(url::Host::Ipv4(a)) => self.admits(a.into()),
            Some(url::Host::Ipv6(a)) => self.admits(a.into()),
            Some(url::Host::Domain(_)) => true,
            None => false,
        }
    }

    /// An HTTP client that connects only where this admits: no redirects, `timeout`
    /// per call.
    pub fn client(&self, timeout: Duration) -> reqwest::Client {
        let mut b = reqwest::Client::builder()
            // Following redirects would let the other side point the portal elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .timeout(timeout);
        if !self.anywhere {
            b = b.dns_resolver(std::sync::Arc::new(self.clone()));
        }
        b.build().expect("a reqwest client with rustls builds")
    }
}

impl reqwest::dns::Resolve for Reach {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let reach = self.clone();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| reach.admits(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no address the portal may call").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

impl Partners {
    pub fn new(key: SecretsKey, policy: CallPolicy) -> Partners {
        Partners {
            key,
            allow_private: false,
            http: Reach::public_only().client(policy.timeout),
            module_reach: Reach::public_only(),
            module_http: Reach::public_only().client(policy.timeout),
            policy,
            tokens: Mutex::new(HashMap::new()),
            breakers: Mutex::new(HashMap::new()),
            offer_lists: Mutex::new(HashMap::new()),
        }
    }

    /// Lets connections point at loopback and private addresses (development, tests).
    pub fn allowing_private_networks(mut self, allow: bool) -> Partners {
        self.allow_private = allow;
        let reach = if allow {
            Reach::anywhere()
        } else {
            Reach::public_only()
        };
        self.http = reach.client(self.policy.timeout);
        self
    }

    /// Where modules' booking systems may be called (`MODULE_NETWORKS`).
    pub fn reaching_modules(mut self, reach: Reach) -> Partners {
        self.module_http = reach.client(self.policy.timeout);
        self.module_reach = reach;
        self
    }

    /// Where modules may be called.
    pub fn module_reach(&self) -> &Reach {
        &self.module_reach
    }

    /// The client of a connection, and the reach its address literals are checked
    /// against before each call: a module's (its URLs come from its manifest), or none
    /// for a business's (checked when the connection is saved; the demo's own sandbox is
    /// the server's, on loopback).
    fn http_of(&self, c: &Conn) -> (&reqwest::Client, Option<&Reach>) {
        if c.module {
            (&self.module_http, Some(&self.module_reach))
        } else {
            (&self.http, None)
        }
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
                    let open = self
                        .policy
                        .first_open
                        .saturating_mul(1 << b.openings.min(16))
                        .min(self.policy.open_for);
                    b.openings += 1;
                    b.open_until = Some(Instant::now() + open);
                    tracing::warn!(connection = %id, open_ms = open.as_millis() as u64, "partner circuit open");
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
        let (http, reach) = self.http_of(c);
        if reach.is_some_and(|r| !r.admits_url(&c.token_url)) {
            return Err(PartnerError::Invalid(
                "the token URL's address is not one the portal may call".into(),
            ));
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
            .request_async(http)
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
        let started = std::time::Instant::now();
        if let Err(e) = self.admit(c.id) {
            crate::core::metrics::partner_call(c.id, "circuit_open", started.elapsed());
            return Err(e);
        }
        let result = self
            .call_inner(c, method, path, body, idempotency_key)
            .await;
        self.settle(c.id, &result.as_ref().map(|_| ()));
        let outcome = match &result {
            Ok(_) => "ok",
            Err(PartnerError::Unavailable(_)) => "unavailable",
            Err(PartnerError::Refused { .. }) => "refused",
            Err(PartnerError::Invalid(_)) => "invalid",
        };
        crate::core::metrics::partner_call(c.id, outcome, started.elapsed());
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
        let (http, reach) = self.http_of(c);
        if reach.is_some_and(|r| !r.admits_url(url)) {
            return Attempt::Done(Err(PartnerError::Invalid(
                "the partner's address is not one the portal may call".into(),
            )));
        }
        let mut req = http
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
/// network to whoever configures a connection (SSRF): a globally reachable unicast
/// address, by the IANA special-purpose address registries for IPv4 (RFC 6890 and
/// its updates) and IPv6 — every block not globally reachable is refused whole, as are
/// multicast and the reserved 240.0.0.0/4. IPv6 forms that carry an IPv4 address
/// (IPv4-mapped, the deprecated IPv4-compatible, NAT64's 64:ff9b::/96, 6to4's
/// 2002::/16) are judged by that IPv4 address.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(a) => is_public_v4(a),
        std::net::IpAddr::V6(a) => is_public_v6(a),
    }
}

fn is_public_v4(a: std::net::Ipv4Addr) -> bool {
    let v = u32::from(a);
    // (network, prefix length) of the blocks that are not globally reachable.
    const NOT_GLOBAL: &[(u32, u32)] = &[
        (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
        (0x0a00_0000, 8),  // 10.0.0.0/8 private
        (0x6440_0000, 10), // 100.64.0.0/10 shared address space (carrier-grade NAT)
        (0x7f00_0000, 8),  // 127.0.0.0/8 loopback
        (0xa9fe_0000, 16), // 169.254.0.0/16 link local
        (0xac10_0000, 12), // 172.16.0.0/12 private
        (0xc000_0000, 24), // 192.0.0.0/24 IETF protocol assignments
        (0xc000_0200, 24), // 192.0.2.0/24 documentation
        (0xc058_6300, 24), // 192.88.99.0/24 deprecated 6to4 relay anycast
        (0xc0a8_0000, 16), // 192.168.0.0/16 private
        (0xc612_0000, 15), // 198.18.0.0/15 benchmarking
        (0xc633_6400, 24), // 198.51.100.0/24 documentation
        (0xcb00_7100, 24), // 203.0.113.0/24 documentation
        (0xe000_0000, 4),  // 224.0.0.0/4 multicast
        (0xf000_0000, 4),  // 240.0.0.0/4 reserved, and 255.255.255.255 broadcast
    ];
    !NOT_GLOBAL
        .iter()
        .any(|(net, len)| v >> (32 - len) == net >> (32 - len))
}

fn is_public_v6(a: std::net::Ipv6Addr) -> bool {
    let v = u128::from(a);
    let within = |net: u128, len: u32| v >> (128 - len) == net >> (128 - len);
    let v4 = |bits: u128| std::net::Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    // Forms carrying an IPv4 address: judged by it.
    if within(0xffff_0000_0000, 96) || within(0x64_ff9b << 96, 96) {
        return is_public_v4(v4(v));
    }
    if within(0x2002 << 112, 16) {
        return is_public_v4(v4(v >> 80));
    }
    const NOT_GLOBAL: &[(u128, u32)] = &[
        (0, 96),                    // ::/96: unspecified, loopback, IPv4-compatible (deprecated)
        (0x64_ff9b_0001 << 80, 48), // 64:ff9b:1::/48 local-use IPv4/IPv6 translation
        (0x0100 << 112, 64),        // 100::/64 discard-only
        (0x2001 << 112, 23),        // 2001::/23 IETF protocol assignments (Teredo, ORCHIDv2 ...)
        (0x2001_0db8 << 96, 32),    // 2001:db8::/32 documentation
        (0x3fff << 112, 20),        // 3fff::/20 documentation
        (0x5f00 << 112, 16),        // 5f00::/16 segment routing (SRv6) SIDs
        (0xfc00 << 112, 7),         // fc00::/7 unique local
        (0xfe80 << 112, 10),        // fe80::/10 link local
        (0xfec0 << 112, 10),        // fec0::/10 site local (deprecated)
        (0xff00 << 112, 8),         // ff00::/8 multicast
    ];
    !NOT_GLOBAL.iter().any(|(net, len)| within(*net, *len))
}

#[cfg(test)]
mod tests {
    use super::is_public;

    /// Each failed trial keeps the circuit open twice as long as the time before, from
    /// `first_open` up to `open_for`; an answer closes it and starts again from the
    /// first.
    #[test]
    fn the_circuit_opens_for_longer_after_each_failed_trial() {
        use super::{CallPolicy, PartnerError, Partners};
        use std::time::{Duration, Instant};
        let policy = CallPolicy {
            first_open: Duration::from_secs(1),
            open_for: Duration::from_secs(5),
            ..CallPolicy::with_timeout(Duration::from_secs(1))
        };
        let p = Partners::new(crate::core::secrets::SecretsKey::generate(), policy);
        let id = uuid::Uuid::new_v4();
        let down = PartnerError::Unavailable("refused".into());
        let open_for = |p: &Partners| {
            let b = p.breakers.lock().unwrap();
            let until = b[&id].open_until.unwrap();
            until
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
        };
        for _ in 0..policy.trip_after {
            assert!(!p.circuit_open(id));
            p.settle(id, &Err(&down));
        }
        assert!(p.circuit_open(id));
        let mut seen = vec![open_for(&p)];
        for _ in 0..4 {
            // The trial call (let through once the time is up) fails again.
            p.settle(id, &Err(&down));
            seen.push(open_for(&p));
        }
        let rounded: Vec<u64> = seen.iter().map(|s| s.round() as u64).collect();
        assert_eq!(rounded, [1, 2, 4, 5, 5], "{seen:?}");
        p.settle(id, &Ok(()));
        assert!(!p.circuit_open(id));
        for _ in 0..policy.trip_after {
            p.settle(id, &Err(&down));
        }
        assert_eq!(open_for(&p).round() as u64, 1);
    }

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
            // The IANA special-purpose registries, and IPv6 forms carrying IPv4.
            "::7f00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "fec0::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
            "ff02::1",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.0.1",
            "192.0.2.1",
            "192.88.99.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "::",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            // A public IPv4 address through NAT64 or 6to4 stays public.
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
            "::ffff:93.184.216.34",
            "198.20.0.1",
            "100.128.0.1",
            "172.32.0.1",
            "2001:200::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
