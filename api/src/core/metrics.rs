//! The metrics registry: request counters and latency histograms, rendered as
//! Prometheus text by `/metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request counters and latency histograms.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    /// Per module id: the status steps the Module API refused (no personal data).
    refused_steps: Mutex<BTreeMap<String, u64>>,
}

/// The metric of the status steps the Module API refused a module.
pub const REFUSED_STEPS: &str = "module_refused_status_steps_total";

impl Metrics {
    /// A module asked for a status step outside the graph, and was refused.
    pub fn refused_step(&self, module: &str) {
        *self
            .refused_steps
            .lock()
            .expect("metrics lock")
            .entry(module.to_string())
            .or_default() += 1;
    }

    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.series.lock().expect("metrics lock");
        let s = map
            .entry((route.to_string(), method.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let map = self.series.lock().expect("metrics lock");
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests by route, method and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for ((route, method, status), s) in map.iter() {
            out.push_str(&format!(
                "http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}\n",
                s.count
            ));
        }
        out.push_str(
            "# HELP http_request_duration_seconds Time to answer, by route, method and status.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((route, method, status), s) in map.iter() {
            let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{status}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "http_request_duration_seconds_sum{{{labels}}} {}\n",
                s.sum
            ));
            out.push_str(&format!(
                "http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        drop(map);
        let refused = self.refused_steps.lock().expect("metrics lock");
        out.push_str(&format!(
            "# HELP {REFUSED_STEPS} Status steps outside the case graph the Module API refused, by module.\n"
        ));
        out.push_str(&format!("# TYPE {REFUSED_STEPS} counter\n"));
        for (module, n) in refused.iter() {
            out.push_str(&format!("{REFUSED_STEPS}{{module=\"{module}\"}} {n}\n"));
        }
        out
    }
}
