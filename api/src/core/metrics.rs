//! Metrics, recorded through the `metrics` facade and rendered as Prometheus text by
//! `/metrics` (`metrics-exporter-prometheus`).
//!
//! What is counted as it happens (requests, refused status steps, outbox deliveries,
//! partner calls, emails) goes to one recorder for the process, installed by
//! [`install`] when the first server of the process starts; code anywhere records
//! with the `metrics` macros and the names below. What is a state (the database pool,
//! the outbox's backlog, the process) is read when `/metrics` is asked, into a recorder
//! of that answer alone ([`Snapshot`]), so that it is the state of the server asked.
//!
//! The portal's own metrics are named `city_portal_*`; the process's are the usual
//! `process_*` of Prometheus clients.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// The upper bounds of the latency histograms' buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// HTTP requests by route (the API operation, or a bounded page label), method and
/// status.
pub const HTTP_REQUESTS: &str = "city_portal_http_requests_total";
/// Time to answer, by route, method and status.
pub const HTTP_DURATION: &str = "city_portal_http_request_duration_seconds";
/// The status steps the Module API refused a module, by module id (no personal data).
pub const REFUSED_STEPS: &str = "city_portal_module_refused_status_steps_total";
/// Outbox deliveries handled, by consumer.
pub const OUTBOX_DELIVERED: &str = "city_portal_outbox_delivered_total";
/// Outbox delivery attempts that failed (each is tried again later), by consumer.
pub const OUTBOX_FAILED: &str = "city_portal_outbox_failed_attempts_total";
/// Outbox deliveries a consumer has not handled yet (read when asked).
pub const OUTBOX_PENDING: &str = "city_portal_outbox_pending_deliveries";
/// Age of the oldest event a consumer has not handled yet (read when asked).
pub const OUTBOX_OLDEST: &str = "city_portal_outbox_oldest_pending_seconds";
/// Calls to partners' booking systems, by connection and outcome.
pub const PARTNER_CALLS: &str = "city_portal_partner_calls_total";
/// Time of a partner call (with its retries), by connection and outcome.
pub const PARTNER_DURATION: &str = "city_portal_partner_call_duration_seconds";
/// Emails handed to the mail server, by kind.
pub const MAIL_SENT: &str = "city_portal_mail_sent_total";
/// Emails the mail server did not take, by kind and whether trying again may help.
pub const MAIL_FAILURES: &str = "city_portal_mail_failures_total";
/// Connections of the database pool, by state (idle, in use; read when asked).
pub const DB_POOL_CONNECTIONS: &str = "city_portal_db_pool_connections";
/// The most connections the database pool opens.
pub const DB_POOL_MAX: &str = "city_portal_db_pool_max_connections";

/// How often histogram samples are folded into their buckets between scrapes (the
/// recorder keeps them until then).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

fn builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets(&BUCKETS)
        .expect("the buckets are not empty")
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (the first call; later calls return the same
/// handle), describes the portal's metrics, and folds histogram samples every few
/// seconds on a thread of its own.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("metrics: another recorder was installed first; /metrics shows only the state read when asked");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "metrics: no upkeep thread; histograms are folded when scraped");
        }
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_histogram, Unit};
    describe_counter!(HTTP_REQUESTS, "HTTP requests by route, method and status.");
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer, by route, method and status."
    );
    describe_counter!(
        REFUSED_STEPS,
        "Status steps outside the case graph the Module API refused, by module."
    );
    describe_counter!(OUTBOX_DELIVERED, "Outbox deliveries handled, by consumer.");
    describe_counter!(
        OUTBOX_FAILED,
        "Outbox delivery attempts that failed and will be tried again, by consumer."
    );
    describe_counter!(
        PARTNER_CALLS,
        "Calls to partners' booking systems, by connection and outcome."
    );
    describe_histogram!(
        PARTNER_DURATION,
        Unit::Seconds,
        "Time of a partner call with its retries, by connection and outcome."
    );
    describe_counter!(MAIL_SENT, "Emails handed to the mail server, by kind.");
    describe_counter!(
        MAIL_FAILURES,
        "Emails the mail server did not take, by kind and reason (temporary, permanent)."
    );
}

/// The label value of an HTTP method, without allocating for the usual ones.
fn method_label(method: &poem::http::Method) -> metrics::SharedString {
    use poem::http::Method;
    let m: &'static str = match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => return method.as_str().to_string().into(),
    };
    m.into()
}

/// One answered request.
pub fn observe_request(
    route: &'static str,
    method: &poem::http::Method,
    status: u16,
    elapsed: Duration,
) {
    let labels = [
        metrics::Label::from_static_parts("route", route),
        metrics::Label::new("method", method_label(method)),
        metrics::Label::new("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, labels.iter()).increment(1);
    metrics::histogram!(HTTP_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

/// A module asked for a status step outside the graph, and was refused.
pub fn refused_step(module: &str) {
    metrics::counter!(REFUSED_STEPS, "module" => module.to_string()).increment(1);
}

/// Deliveries of `consumer` handled, or (`ok` false) attempts that failed.
pub fn outbox_deliveries(consumer: &'static str, ok: bool, n: u64) {
    let name = if ok { OUTBOX_DELIVERED } else { OUTBOX_FAILED };
    metrics::counter!(name, "consumer" => consumer).increment(n);
}

/// A call to a partner's booking system: its connection, its outcome (`ok`,
/// `unavailable`, `refused`, `invalid`, `circuit_open`) and how long it took.
pub fn partner_call(connection: uuid::Uuid, outcome: &'static str, elapsed: Duration) {
    let labels = [
        metrics::Label::new("connection", connection.to_string()),
        metrics::Label::from_static_parts("outcome", outcome),
    ];
    metrics::counter!(PARTNER_CALLS, labels.iter()).increment(1);
    metrics::histogram!(PARTNER_DURATION, labels.iter()).record(elapsed.as_secs_f64());
}

/// An email of `kind` handed to the mail server, or refused by it (`failure`:
/// `temporary` or `permanent`).
pub fn mail(kind: &str, failure: Option<&'static str>) {
    match failure {
        None => metrics::counter!(MAIL_SENT, "kind" => kind.to_string()).increment(1),
        Some(reason) => {
            metrics::counter!(MAIL_FAILURES, "kind" => kind.to_string(), "reason" => reason)
                .increment(1)
        }
    }
}

/// A consumer's backlog: deliveries not handled yet, and the age in seconds of the
/// oldest event among them.
pub struct Backlog {
    pub consumer: &'static str,
    pub pending: u64,
    pub oldest_seconds: f64,
}

/// The pool's connections: open, of which idle, and the most it opens.
pub struct Pool {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// The metrics of one `/metrics` answer that are states read when asked, in a
/// recorder of their own.
pub struct Snapshot {
    recorder: PrometheusRecorder,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            recorder: builder().build_recorder(),
        }
    }
}

impl Snapshot {
    /// The process: CPU time, resident and virtual memory, open and most file
    /// descriptors, threads, start time.
    pub fn process(&self) -> &Self {
        metrics::with_local_recorder(&self.recorder, || {
            let c = metrics_process::Collector::default();
            c.describe();
            c.collect();
        });
        self
    }

    pub fn pool(&self, pool: &Pool) -> &Self {
        use metrics::{describe_gauge, gauge};
        metrics::with_local_recorder(&self.recorder, || {
            describe_gauge!(
                DB_POOL_CONNECTIONS,
                "Connections of the database pool, by state (idle, in_use)."
            );
            describe_gauge!(DB_POOL_MAX, "The most connections the database pool opens.");
            gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(pool.idle);
            gauge!(DB_POOL_CONNECTIONS, "state" => "in_use")
                .set(pool.size.saturating_sub(pool.idle));
            gauge!(DB_POOL_MAX).set(pool.max);
        });
        self
    }

    pub fn backlog(&self, backlog: &[Backlog]) -> &Self {
        use metrics::{describe_gauge, gauge, Unit};
        metrics::with_local_recorder(&self.recorder, || {
            describe_gauge!(
                OUTBOX_PENDING,
                "Outbox deliveries a consumer has not handled yet."
            );
            describe_gauge!(
                OUTBOX_OLDEST,
                Unit::Seconds,
                "Age of the oldest event a consumer has not handled yet (0 when none)."
            );
            for b in backlog {
                gauge!(OUTBOX_PENDING, "consumer" => b.consumer).set(b.pending as f64);
                gauge!(OUTBOX_OLDEST, "consumer" => b.consumer).set(b.oldest_seconds);
            }
        });
        self
    }

    /// The Prometheus text: what the process counted, then these states.
    pub fn render(&self) -> String {
        let mut text = install().render();
        text.push_str(&self.recorder.handle().render());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request metrics as Prometheus renders them: a counter and a histogram with
    /// the buckets, by route, method and status (in a recorder of the test's own).
    #[test]
    fn requests_render_as_counters_and_histograms() {
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            describe();
            let get = poem::http::Method::GET;
            observe_request("get_listing", &get, 200, Duration::from_millis(3));
            observe_request("get_listing", &get, 200, Duration::from_millis(30));
            refused_step("parking-permits");
        });
        let text = handle.render();
        assert!(
            text.contains("# TYPE city_portal_http_requests_total counter"),
            "{text}"
        );
        assert!(
            text.contains(
                "city_portal_http_requests_total{route=\"get_listing\",method=\"GET\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("# TYPE city_portal_http_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 2"), "{text}");
        assert!(
            text.contains(
                "city_portal_module_refused_status_steps_total{module=\"parking-permits\"} 1"
            ),
            "{text}"
        );
    }

    /// What recording one answered request costs (its counter and its histogram
    /// sample, labels built), measured, not asserted against a bound: run
    /// `cargo test --release -p api --lib metrics_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn metrics_cost_per_request() {
        const ROUTES: [&str; 4] = ["get_listing", "list_listings", "healthz", "search"];
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        let n: u32 = 1_000_000;
        let get = poem::http::Method::GET;
        let started = std::time::Instant::now();
        metrics::with_local_recorder(&recorder, || {
            for i in 0..n {
                observe_request(
                    ROUTES[i as usize % ROUTES.len()],
                    &get,
                    200,
                    Duration::from_micros(u64::from(i % 5000)),
                );
            }
        });
        let per = started.elapsed() / n;
        let folded = std::time::Instant::now();
        handle.run_upkeep();
        let text = handle.render();
        println!(
            "one request recorded: {per:?}; folding and rendering {n} samples: {:?}",
            folded.elapsed()
        );
        let each = n / ROUTES.len() as u32;
        assert!(
            text.contains(&format!(
                "city_portal_http_requests_total{{route=\"healthz\",method=\"GET\",status=\"200\"}} {each}"
            )),
            "{text}"
        );
    }

    #[test]
    fn a_snapshot_holds_the_pool_the_backlog_and_the_process() {
        let s = Snapshot::default();
        s.process()
            .pool(&Pool {
                size: 3,
                idle: 2,
                max: 8,
            })
            .backlog(&[Backlog {
                consumer: "search",
                pending: 4,
                oldest_seconds: 1.5,
            }]);
        let text = s.recorder.handle().render();
        assert!(
            text.contains("city_portal_db_pool_connections{state=\"in_use\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("city_portal_db_pool_max_connections 8"),
            "{text}"
        );
        assert!(
            text.contains("city_portal_outbox_pending_deliveries{consumer=\"search\"} 4"),
            "{text}"
        );
        assert!(
            text.contains("city_portal_outbox_oldest_pending_seconds{consumer=\"search\"} 1.5"),
            "{text}"
        );
        assert!(text.contains("process_resident_memory_bytes "), "{text}");
        assert!(text.contains("process_open_fds "), "{text}");
        assert!(text.contains("process_cpu_seconds_total "), "{text}");
    }
}
