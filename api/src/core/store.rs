//! A small key-value store with expiry for sessions and rate limits: Redis when
//! `REDIS_URL` is set (shared by every replica), process memory otherwise.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

/// Where sessions and counters live.
#[derive(Clone)]
pub enum Store {
    Memory(Arc<Mutex<MemoryInner>>),
    /// A connection and the prefix of every key (several portals may share one Redis).
    Redis(ConnectionManager, Arc<str>),
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
#[error("session store: {0}")]
pub struct StoreError(#[from] redis::RedisError);

impl Store {
    pub fn memory() -> Store {
        Store::Memory(Arc::new(Mutex::new(MemoryInner::default())))
    }

    /// Connects to Redis; fails when it does not answer.
    pub async fn redis(url: &str, prefix: &str) -> Result<Store, StoreError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(2);
        let manager = ConnectionManager::new_with_config(client, config).await?;
        let store = Store::Redis(manager, Arc::from(prefix));
        store.ping().await?;
        Ok(store)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Memory(_) => "memory",
            Store::Redis(..) => "redis",
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Memory(_) => Ok(()),
            Store::Redis(conn, _) => {
                let mut conn = conn.clone();
                let _: String = redis::cmd("PING").query_async(&mut conn).await?;
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
            Store::Redis(conn, p) => Ok(conn.clone().get(format!("{p}{key}")).await?),
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
            Store::Redis(conn, p) => {
                let _: () = conn
                    .clone()
                    .set_ex(format!("{p}{key}"), value, ttl.as_secs().max(1))
                    .await?;
                Ok(())
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
            Store::Redis(conn, p) => Ok(conn.clone().get_del(format!("{p}{key}")).await?),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Store::Memory(inner) => {
                inner.lock().expect("store lock").values.remove(key);
                Ok(())
            }
            Store::Redis(conn, p) => {
                let _: () = conn.clone().del(format!("{p}{key}")).await?;
                Ok(())
            }
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
            Store::Redis(conn, p) => {
                let key = format!("{p}{key}");
                let mut conn = conn.clone();
                let (value, ttl): (Option<u64>, i64) = redis::pipe()
                    .get(&key)
                    .ttl(&key)
                    .query_async(&mut conn)
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
            Store::Redis(conn, p) => {
                let key = format!("{p}{key}");
                let mut conn = conn.clone();
                let (n,): (u64,) = redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(window.as_secs().max(1))
                    .arg("NX")
                    .ignore()
                    .query_async(&mut conn)
                    .await?;
                Ok(n)
            }
        }
    }
}
