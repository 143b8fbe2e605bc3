//! Running the sandbox: shared state, routes, and the handle tests hold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{EndpointExt, IntoEndpoint, Route, Server};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Mode, SandboxConfig};
use crate::delivery::{self, Outgoing, WebhookRecord};
use crate::model::{Booking, BookingStatus, Resident};
use crate::oauth::{self, Grant};
use crate::store::Store;
use crate::webhook::Secret;
use crate::{control, errors, faults, spec};

/// State shared by the handlers, the background tasks and the [`Sandbox`] handle.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    mode: Mutex<Mode>,
    tokens: Mutex<HashMap<String, Grant>>,
    tokens_issued: AtomicU64,
    store: Mutex<Store>,
    webhook_target: Mutex<Option<String>>,
    /// The secret webhooks are signed with (from the configuration, until changed).
    webhook_secret: Mutex<Secret>,
    webhooks: Mutex<Vec<WebhookRecord>>,
    /// Every request to the token endpoint and the Partner Booking API, as
    /// `METHOD /path`, oldest first.
    requests: Mutex<Vec<String>>,
    /// Cancellations of bookings starting sooner than this are refused (409
    /// `cancellation-deadline-passed`); `None`: every cancellation is accepted.
    cancel_deadline: Mutex<Option<Duration>>,
    outgoing: UnboundedSender<Outgoing>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves plain data behind; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// The secret webhooks are signed with now.
    pub(crate) fn webhook_secret(&self) -> Secret {
        lock(&self.webhook_secret).clone()
    }

    pub(crate) fn cancel_deadline(&self) -> Option<Duration> {
        *lock(&self.cancel_deadline)
    }

    pub(crate) fn mode(&self) -> Mode {
        *lock(&self.mode)
    }

    pub(crate) fn set_mode(&self, mode: Mode) {
        tracing::info!(mode = mode.name(), "sandbox mode");
        *lock(&self.mode) = mode;
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub(crate) fn issue_token(&self, client_id: &str, ttl: Duration) -> String {
        let token = oauth::new_token();
        let mut tokens = lock(&self.tokens);
        let now = Instant::now();
        tokens.retain(|_, g| g.expires > now);
        tokens.insert(token.clone(), oauth::grant(client_id, ttl));
        self.tokens_issued.fetch_add(1, Ordering::SeqCst);
        token
    }

    /// The client a valid token belongs to.
    pub(crate) fn token_client(&self, token: &str) -> Option<String> {
        lock(&self.tokens)
            .get(token)
            .filter(|g| g.expires > Instant::now())
            .map(|g| g.client_id.clone())
    }

    pub(crate) fn tokens_issued(&self) -> u64 {
        self.tokens_issued.load(Ordering::SeqCst)
    }

    pub(crate) fn revoke_tokens(&self) {
        lock(&self.tokens).clear();
    }

    pub(crate) fn webhook_target(&self) -> Option<String> {
        lock(&self.webhook_target).clone()
    }

    pub(crate) fn push_webhook(&self, rec: WebhookRecord) -> usize {
        let mut all = lock(&self.webhooks);
        all.push(rec);
        all.len() - 1
    }

    pub(crate) fn webhook(&self, index: usize) -> Option<WebhookRecord> {
        lock(&self.webhooks).get(index).cloned()
    }

    pub(crate) fn update_webhook(&self, index: usize, f: impl FnOnce(&mut WebhookRecord)) {
        if let Some(r) = lock(&self.webhooks).get_mut(index) {
            f(r);
        }
    }

    pub(crate) fn webhooks(&self) -> Vec<WebhookRecord> {
        lock(&self.webhooks).clone()
    }

    pub(crate) fn record_request(&self, method: &str, path: &str) {
        lock(&self.requests).push(format!("{method} {path}"));
    }

    /// Queues a re-send of the newest webhook that is not itself a replay.
    pub(crate) fn replay_last_webhook(&self, bad_signature: bool) -> Option<String> {
        let all = lock(&self.webhooks);
        let (index, rec) = all.iter().enumerate().rev().find(|(_, r)| !r.replay)?;
        let id = rec.id.clone();
        let _ = self.outgoing.send(Outgoing::Replay {
            index,
            bad_signature,
        });
        Some(id)
    }

    pub(crate) fn decide(
        &self,
        id: &str,
        status: BookingStatus,
        reason: Option<String>,
    ) -> Result<Booking, String> {
        self.store()
            .decide(&self.config, id, status, reason, Utc::now())
    }

    pub(crate) fn bookings(&self) -> Vec<Booking> {
        let mut store = self.store();
        store.sweep(&self.config.catalogue, Utc::now());
        store.all()
    }

    pub(crate) fn bookings_with_residents(&self) -> Vec<(Booking, Option<Resident>)> {
        let mut store = self.store();
        store.sweep(&self.config.catalogue, Utc::now());
        store.all_with_residents()
    }
}

/// All routes with their middleware.
pub(crate) fn routes(shared: Arc<Shared>) -> impl poem::Endpoint {
    let api = spec::service();
    Route::new()
        .nest("/sandbox", control::routes())
        .at("/openapi.json", poem::get(spec_endpoint))
        .nest(
            "/",
            api.around(faults::token_errors)
                .catch_all_error(errors::catch_all)
                .around(faults::apply),
        )
        .data(shared)
        .into_endpoint()
}

#[poem::handler]
fn spec_endpoint() -> poem::Response {
    poem::Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(spec::generated_spec_json())
}

/// A running sandbox partner. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Binds `config.bind` (port 0 picks a free port) and serves in the background.
pub async fn spawn(config: SandboxConfig) -> anyhow::Result<Sandbox> {
    let bind = config.bind;
    let acceptor = TcpListener::bind(bind)
        .into_acceptor()
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no local address"))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        mode: Mutex::new(config.mode),
        tokens: Mutex::new(HashMap::new()),
        tokens_issued: AtomicU64::new(0),
        store: Mutex::new(Store::new(tx.clone())),
        webhook_target: Mutex::new(config.webhook_url.clone()),
        webhook_secret: Mutex::new(config.webhook_secret.clone()),
        webhooks: Mutex::new(Vec::new()),
        requests: Mutex::new(Vec::new()),
        cancel_deadline: Mutex::new(None),
        outgoing: tx,
        config,
    });
    let deliverer = tokio::spawn(delivery::run(shared.clone(), rx));
    let sweeper = {
        let shared = shared.clone();
        let every =
            (shared.config.hold_ttl / 4).clamp(Duration::from_millis(20), Duration::from_secs(1));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let mut store = shared.store();
                store.sweep(&shared.config.catalogue, Utc::now());
            }
        })
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = routes(shared.clone());
    let server = tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async move {
                    let _ = stop_rx.await;
                },
                Some(Duration::from_secs(5)),
            )
            .await
    });
    Ok(Sandbox {
        addr,
        shared,
        stop: Some(stop_tx),
        server: Some(server),
        tasks: vec![deliverer, sweeper],
    })
}

impl Sandbox {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The partner's base URL, `http://127.0.0.1:<port>`: the API is under
    /// `{base_url}/partner/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token URL, `{base_url}/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.base_url())
    }

    /// `base_url` joined with `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The webhook signing secret, `whsec_<base64>`.
    pub fn webhook_secret(&self) -> String {
        self.shared.webhook_secret().to_whsec()
    }

    /// Signs future webhooks with `secret` (as a partner whose secret the portal made:
    /// a module signs with its own webhook secret).
    pub fn set_webhook_secret(&self, secret: Secret) {
        *lock(&self.shared.webhook_secret) = secret;
    }

    /// The current behaviour.
    pub fn mode(&self) -> Mode {
        self.shared.mode()
    }

    /// From now on, refuses to cancel bookings that start sooner than `deadline` (409
    /// `cancellation-deadline-passed`), as a business's system may; `None` accepts every
    /// cancellation again (the default).
    pub fn set_cancel_deadline(&self, deadline: Option<Duration>) {
        *lock(&self.shared.cancel_deadline) = deadline;
    }

    /// Changes the behaviour at once.
    pub fn set_mode(&self, mode: Mode) {
        self.shared.set_mode(mode);
    }

    /// How many access tokens the token endpoint issued.
    pub fn tokens_issued(&self) -> u64 {
        self.shared.tokens_issued()
    }

    /// Invalidates every access token issued so far (the next call answers 401).
    pub fn revoke_tokens(&self) {
        self.shared.revoke_tokens();
    }

    /// Sends future webhooks to `url` (`None`: record them only).
    pub fn set_webhook_target(&self, url: Option<String>) {
        *lock(&self.shared.webhook_target) = url;
    }

    /// Every webhook so far, oldest first, with its delivery state.
    pub fn webhooks(&self) -> Vec<WebhookRecord> {
        self.shared.webhooks()
    }

    /// Sends the newest webhook again with the same `webhook-id` (a duplicate the
    /// receiver must ignore), freshly timestamped; `bad_signature` signs it with a wrong
    /// secret. Returns its id, or `None` when nothing was sent yet.
    pub fn replay_last_webhook(&self, bad_signature: bool) -> Option<String> {
        self.shared.replay_last_webhook(bad_signature)
    }

    /// Waits until `n` webhooks were recorded and none is still being tried, or
    /// `timeout` passes; returns them.
    pub async fn wait_for_webhooks(&self, n: usize, timeout: Duration) -> Vec<WebhookRecord> {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.webhooks();
            let settled = all.iter().all(|r| {
                r.delivered
                    || r.attempts >= self.shared.config.webhook_attempts.max(1)
                    || (r.attempts == 0 && r.last_error.is_some())
            });
            if (all.len() >= n && settled) || Instant::now() >= deadline {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every request received by the token endpoint and the Partner Booking API (in
    /// every mode), as `METHOD /path` (e.g. `POST /partner/v1/bookings/b-1/confirm`),
    /// oldest first.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.requests).clone()
    }

    /// Every booking, oldest first.
    pub fn bookings(&self) -> Vec<Booking> {
        self.shared.bookings()
    }

    /// One booking.
    pub fn booking(&self, id: &str) -> Option<Booking> {
        self.bookings().into_iter().find(|b| b.booking_id == id)
    }

    /// The resident data the sandbox stores for a booking, as the business would see it:
    /// `None` for an unknown booking and for one that was never confirmed (a hold carries
    /// no personal data); after the confirmation, exactly the offer's `resident_fields`.
    pub fn resident(&self, booking_id: &str) -> Option<Resident> {
        self.shared
            .bookings_with_residents()
            .into_iter()
            .find(|(b, _)| b.booking_id == booking_id)
            .and_then(|(_, r)| r)
    }

    /// The business approves a `pending` booking: it becomes `confirmed` (webhook sent).
    pub fn approve(&self, booking_id: &str) -> Result<Booking, String> {
        self.shared
            .decide(booking_id, BookingStatus::Confirmed, None)
    }

    /// The business rejects a `pending` or `held` booking (webhook sent).
    pub fn reject(&self, booking_id: &str, reason: Option<String>) -> Result<Booking, String> {
        self.shared
            .decide(booking_id, BookingStatus::Rejected, reason)
    }

    /// The business cancels a booking on its side (webhook sent).
    pub fn cancel_by_business(
        &self,
        booking_id: &str,
        reason: Option<String>,
    ) -> Result<Booking, String> {
        self.shared
            .decide(booking_id, BookingStatus::Cancelled, reason)
    }

    /// Lets a hold lapse now instead of at `hold_expires_at` (webhook sent).
    pub fn expire_hold(&self, booking_id: &str) -> Result<Booking, String> {
        self.shared.decide(booking_id, BookingStatus::Expired, None)
    }

    /// Stops serving and waits for open requests (at most five seconds).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}
