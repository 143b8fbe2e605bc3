//! A small key-value store with expiry for sessions and rate limits: Redis when
//! `REDIS_URL` is set (shared by every replica), process memory otherwise.
//!
//! Redis going away costs seconds, not minutes: every command has [`COMMAND_TIMEOUT`];
//! a lost connection is made again on the next command, once, without waiting between
//! attempts; and while Redis does not answer, commands fail at once (the callers answer
//! 503 with `Retry-After`) but for one every [`PROBE_EVERY`], which tries Redis again,
//! so that everything works again within a fraction of a second of its return.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

/// The longest a Redis command (with making its connection) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// While Redis is away, how often a command still tries it.
pub const PROBE_EVERY: Duration = Duration::from_millis(200);

/// Where sessions and counters live.
#[derive(Clone)]
pub enum Store {
    Memory(Arc<Mutex<MemoryInner>>),
    Redis(Arc<RedisStore>),
}

/// A Redis connection, the prefix of every key (several portals may share one Redis),
/// and whether Redis answered lately.
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Box<str>,
    /// Set when a command failed for want of Redis, cleared by the next that succeeds.
    down: AtomicBool,
    /// When a command last tried Redis while it was away (ms since `started`).
    last_probe_ms: AtomicU64,
    started: Instant,
}

impl RedisStore {
    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs one command: at once [`StoreError::Unavailable`] while Redis is away (but
    /// for a probe now and then), else within [`COMMAND_TIMEOUT`].
    async fn run<T>(
        &self,
        command: impl Future<Output = redis::RedisResult<T>>,
        probe: bool,
    ) -> Result<T, StoreError> {
        if self.down.load(Ordering::Acquire) && !probe && !self.claim_probe() {
            return Err(StoreError::Unavailable);
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
            Ok(Ok(v)) => {
                self.down.store(false, Ordering::Release);
                Ok(v)
            }
            Ok(Err(e)) => {
                if e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                {
                    self.went_away();
                }
                Err(StoreError::Redis(e))
            }
            Err(_) => {
                self.went_away();
                Err(StoreError::Timeout)
            }
        }
    }

    /// Notes that Redis did not answer: the next probe comes [`PROBE_EVERY`] after this
    /// failure (not after the failed command's start, which would make every command
    /// after a timeout a probe).
    fn went_away(&self) {
        self.last_probe_ms
            .store(self.started.elapsed().as_millis() as u64, Ordering::Release);
        self.down.store(true, Ordering::Release);
    }

    /// Whether this command may try Redis while it is away: one every [`PROBE_EVERY`].
    fn claim_probe(&self) -> bool {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_probe_ms.load(Ordering::Acquire);
        now.saturating_sub(last) >= PROBE_EVERY.as_millis() as u64
            && self
                .last_probe_ms
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }
}

#[derive(Default)]
pub struct MemoryInner {
    values: HashMap<String, (String, Instant)>,
    writes: u64,
}

impl MemoryInner {
    fn get_live(&mut self, key: &str, now: Instant) -> Option<&mut (String, Instant)> {
        let expired = matches!(self.values.get(key), Some((_, exp)) if *exp <= now);
        if expired {
            self.values.remove(key);
        }
        self.values.get_mut(key)
    }

    fn note_write(&mut self, now: Instant) {
        // Sweep expired entries now and then so memory stays bounded.
        self.writes += 1;
        if self.writes.is_multiple_of(1024) {
            self.values.retain(|_, (_, exp)| *exp > now);
        }
    }
}

/// A store error: Redis could not be reached or answered wrongly.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session store: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("session store: no answer within {} ms", COMMAND_TIMEOUT.as_millis())]
    Timeout,
    #[error("session store: Redis did not answer lately; not tried again yet")]
    Unavailable,
}

impl Store {
    pub fn memory() -> Store {
        Store::Memory(Arc::new(Mutex::new(MemoryInner::default())))
    }

    /// Connects to Redis; fails when it does not answer.
    pub async fn redis(url: &str, prefix: &str) -> Result<Store, StoreError> {
        let client = redis::Client::open(url)?;
        // A lost connection is made again by the next command, once (no retries with
        // waits in between: the manager's default backoff waits up to a minute, and
        // every command would wait with it).
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(COMMAND_TIMEOUT)
            .set_response_timeout(COMMAND_TIMEOUT)
            .set_number_of_retries(0);
        let manager = ConnectionManager::new_with_config(client, config).await?;
        let store = Store::Redis(Arc::new(RedisStore {
            conn: manager,
            prefix: prefix.into(),
            down: AtomicBool::new(false),
            last_probe_ms: AtomicU64::new(0),
            started: Instant::now(),
        }));
        store.ping().await?;
        Ok(store)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Memory(_) => "memory",
            Store::Redis(..) => "redis",
        }
    }

    /// Asks Redis whether it is there, also while it was away lately (a readiness
    /// check is a probe), within [`COMMAND_TIMEOUT`].
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Memory(_) => Ok(()),
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                let _: String = r
                    .run(redis::cmd("PING").query_async(&mut conn), true)
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Store::Memory(inner) => {
                let mut inner = inner.lock().expect("store lock");
                Ok(inner.get_live(key, Instant::now()).map(|(v, _)| v.clone()))
            }
            Store::Redis(r) => r.run(r.conn.clone().get(r.key(key)), false).await,
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StoreError> {
        match self {
            Store::Memory(inner) => {
                let now = Instant::now();
                let mut inner = inner.lock().expect("store lock");
                inner
                    .values
                    .insert(key.to_string(), (value.to_string(), now + ttl));
                inner.note_write(now);
                Ok(())
            }
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                r.run(conn.set_ex(r.key(key), value, ttl.as_secs().max(1)), false)
                    .await
            }
        }
    }

    /// Reads and deletes a value in one step (Redis `GETDEL`): of two takers at once,
    /// one gets it.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Store::Memory(inner) => {
                let mut inner = inner.lock().expect("store lock");
                let live = inner.get_live(key, Instant::now()).is_some();
                Ok(inner.values.remove(key).filter(|_| live).map(|(v, _)| v))
            }
            Store::Redis(r) => r.run(r.conn.clone().get_del(r.key(key)), false).await,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Store::Memory(inner) => {
                inner.lock().expect("store lock").values.remove(key);
                Ok(())
            }
            Store::Redis(r) => r.run(r.conn.clone().del(r.key(key)), false).await,
        }
    }

    /// The counter's value and its remaining lifetime (0 when absent).
    pub async fn counter(&self, key: &str) -> Result<(u64, Duration), StoreError> {
        match self {
            Store::Memory(inner) => {
                let now = Instant::now();
                let mut inner = inner.lock().expect("store lock");
                Ok(match inner.get_live(key, now) {
                    Some((v, exp)) => (v.parse().unwrap_or(0), *exp - now),
                    None => (0, Duration::ZERO),
                })
            }
            Store::Redis(r) => {
                let key = r.key(key);
                let mut conn = r.conn.clone();
                let (value, ttl): (Option<u64>, i64) = r
                    .run(
                        redis::pipe().get(&key).ttl(&key).query_async(&mut conn),
                        false,
                    )
                    .await?;
                Ok((value.unwrap_or(0), Duration::from_secs(ttl.max(0) as u64)))
            }
        }
    }

    /// Increments a counter in a fixed window that starts at its first increment.
    /// Atomic on Redis (one MULTI/EXEC), so replicas share the count.
    pub async fn incr_window(&self, key: &str, window: Duration) -> Result<u64, StoreError> {
        match self {
            Store::Memory(inner) => {
                let now = Instant::now();
                let mut inner = inner.lock().expect("store lock");
                let next = match inner.get_live(key, now) {
                    Some((v, _)) => {
                        let n = v.parse::<u64>().unwrap_or(0) + 1;
                        *v = n.to_string();
                        n
                    }
                    None => {
                        inner
                            .values
                            .insert(key.to_string(), ("1".to_string(), now + window));
                        1
                    }
                };
                inner.note_write(now);
                Ok(next)
            }
            Store::Redis(r) => {
                let key = r.key(key);
                let mut conn = r.conn.clone();
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .incr(&key, 1)
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(window.as_secs().max(1))
                    .arg("NX")
                    .ignore();
                let (n,): (u64,) = r.run(pipe.query_async(&mut conn), false).await?;
                Ok(n)
            }
        }
    }
}
