//! A limit of requests per client address, in this process's memory (a GCRA bucket per
//! address, by `governor`): the anonymous requests of the site (`web::limits`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The buckets of the client addresses.
pub struct AnonymousLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

/// How often (in checks) the buckets of addresses that are full again are dropped.
const SWEEP_EVERY: u64 = 4096;

impl AnonymousLimit {
    /// `per_minute` requests a minute per address, in bursts of up to a sixth of them;
    /// `None` for 0 (no limit).
    pub fn new(per_minute: u32) -> Option<AnonymousLimit> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new((per_minute / 6).max(1)).expect("at least 1");
        Some(AnonymousLimit {
            limiter: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
            checks: AtomicU64::new(0),
        })
    }

    /// Counts a request of `ip`: `Err(wait)` when the address has no requests left.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_apart() {
        let limit = AnonymousLimit::new(60).expect("a limit");
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        // A sixth of 60 a minute: 10 at once, then one a second.
        for i in 0..10 {
            assert!(limit.check(a).is_ok(), "request {i}");
        }
        let wait = limit.check(a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limit.check(b).is_ok());
        assert!(AnonymousLimit::new(0).is_none());
    }
}
