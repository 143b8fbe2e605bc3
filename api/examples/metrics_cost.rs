//! The per-request cost of the portal's request metrics (`bench/foundation.sh` runs it
//! in release): the recorder installed as the server installs it, then
//! `core::metrics::observe_request` (a counter and a histogram, labelled by route,
//! method and status) called as one answered request calls it, from 2 threads at once
//! (the server's workers), a few routes and statuses mixed. Prints one line:
//! `metrics_cost: <ns> ns per request (<n> requests, <threads> threads)`.

use std::time::{Duration, Instant};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let threads = 2;
    api::core::metrics::install();
    let routes = [
        "/api/v1/listings/:id",
        "/api/v1/search",
        "/healthz",
        "/listings/:slug",
    ];
    let methods = [poem::http::Method::GET, poem::http::Method::POST];
    let started = Instant::now();
    let methods = &methods;
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for i in 0..n / threads {
                    let k = (i as usize).wrapping_add(t as usize);
                    api::core::metrics::observe_request(
                        routes[k % routes.len()],
                        &methods[k % 7 / 6],
                        if k.is_multiple_of(50) { 404 } else { 200 },
                        Duration::from_micros(200 + (k % 300) as u64),
                    );
                }
            });
        }
    });
    let elapsed = started.elapsed();
    // Wall time per request with both threads busy: what a request costs a 2-core
    // server in throughput.
    let per = elapsed.as_nanos() as f64 / n as f64;
    let cpu_per = per * threads as f64;
    println!(
        "metrics_cost: {per:.0} ns per request of wall time, {cpu_per:.0} ns of CPU ({n} requests, {threads} threads)"
    );
}
