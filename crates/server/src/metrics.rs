//! `GET /metrics`: Prometheus text exposition of requests by route and
//! status, request latencies, the sequencer's batch sizes and queue depth,
//! the tree size, and the compute pool's reads (running, refused,
//! cancelled, work done).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use provenant_ledger::{BATCH_BUCKETS, Ledger};

use crate::ComputePool;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
struct Route {
    /// Responses by status.
    statuses: BTreeMap<u16, u64>,
    /// Latency counts per bucket of [`LATENCY_BUCKETS`], then the overflow.
    counts: [u64; LATENCY_BUCKETS.len() + 1],
    sum: f64,
}

/// Request counters shared by the middleware and the `/metrics` route,
/// keyed by route pattern. A route's key is allocated once, the first time
/// it is seen; every later request only looks it up.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<BTreeMap<String, Route>>>);

impl Metrics {
    fn record(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let r = match routes.get_mut(route) {
            Some(r) => r,
            None => routes.entry(route.to_owned()).or_default(),
        };
        *r.statuses.entry(status).or_default() += 1;
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(LATENCY_BUCKETS.len());
        r.counts[bucket] += 1;
        r.sum += seconds;
    }
}

/// Middleware: counts every request by its route pattern (never the raw
/// path, so ids do not explode the label set) and status.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.record(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// The state of the `/metrics` route.
#[derive(Clone)]
pub struct MetricsState {
    /// The request counters.
    pub metrics: Metrics,
    /// The ledger.
    pub ledger: Ledger,
    /// The pool computing royalty and license reads.
    pub compute: ComputePool,
}

/// `GET /metrics`.
pub async fn render(State(state): State<MetricsState>) -> Response {
    let mut out = String::new();
    {
        let routes = state
            .metrics
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        out.push_str("# HELP provenant_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE provenant_http_requests_total counter\n");
        for (route, r) in routes.iter() {
            for (status, n) in &r.statuses {
                let _ = writeln!(
                    out,
                    "provenant_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP provenant_http_request_seconds Request latency by route.\n");
        out.push_str("# TYPE provenant_http_request_seconds histogram\n");
        for (route, h) in routes.iter() {
            let mut cumulative = 0;
            for (i, count) in h.counts.iter().enumerate() {
                cumulative += count;
                let le = LATENCY_BUCKETS
                    .get(i)
                    .map_or_else(|| "+Inf".to_owned(), f64::to_string);
                let _ = writeln!(
                    out,
                    "provenant_http_request_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "provenant_http_request_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "provenant_http_request_seconds_count{{route=\"{route}\"}} {cumulative}"
            );
        }
    }
    ledger_metrics(&mut out, &state.ledger);
    write_compute(&mut out, state.compute.stats());
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

/// The ledger's own metrics: batch sizes, queue, tree, verification,
/// bytes written and memory.
fn ledger_metrics(out: &mut String, ledger: &Ledger) {
    let counters = ledger.stats();
    out.push_str("# HELP provenant_batch_size Entries appended per sequencer batch.\n");
    out.push_str("# TYPE provenant_batch_size histogram\n");
    let mut cumulative = 0;
    for (i, count) in counters.batch_sizes.iter().enumerate() {
        cumulative += count;
        let le = BATCH_BUCKETS
            .get(i)
            .map_or_else(|| "+Inf".to_owned(), u64::to_string);
        let _ = writeln!(
            out,
            "provenant_batch_size_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(out, "provenant_batch_size_sum {}", counters.appended);
    let _ = writeln!(out, "provenant_batch_size_count {}", counters.batches);
    let gauges = [
        (
            "provenant_queue_depth",
            "gauge",
            "Envelopes waiting for the sequencer.",
            counters.queued,
        ),
        (
            "provenant_tree_size",
            "gauge",
            "Entries in the log.",
            ledger.head().size.0,
        ),
        (
            "provenant_signatures_checked_total",
            "counter",
            "Signature lines handed to Ed25519 verification.",
            counters.signatures_checked,
        ),
        (
            "provenant_bytes_written_total",
            "counter",
            "Key and value bytes the sequencer wrote.",
            counters.bytes_written,
        ),
    ];
    write_plain(out, &gauges);
    out.push_str("# HELP provenant_memory_bytes What the ledger holds in memory, by part.\n");
    out.push_str("# TYPE provenant_memory_bytes gauge\n");
    for (part, bytes) in ledger.memory() {
        let _ = writeln!(out, "provenant_memory_bytes{{part=\"{part}\"}} {bytes}");
    }
}

/// Metrics without labels, each with its help and type:
/// `(name, type, help, value)`.
fn write_plain(out: &mut String, metrics: &[(&str, &str, &str, u64)]) {
    for (name, kind, help, value) in metrics {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
}

/// The compute pool's gauge and counters.
fn write_compute(out: &mut String, compute: &crate::compute::ComputeStats) {
    let lines = [
        (
            "provenant_compute_running",
            "gauge",
            "Royalty and license reads computing now.",
            compute.running.load(Relaxed),
        ),
        (
            "provenant_compute_refused_total",
            "counter",
            "Royalty and license reads refused with 503 compute-busy.",
            compute.refused.load(Relaxed),
        ),
        (
            "provenant_compute_cancelled_total",
            "counter",
            "Royalty and license reads stopped or skipped because their request timed out or was dropped.",
            compute.cancelled.load(Relaxed),
        ),
        (
            "provenant_compute_steps_total",
            "counter",
            "Units of work (designs, payees, sales lines) the compute threads did.",
            compute.steps.load(Relaxed),
        ),
    ];
    write_plain(out, &lines);
}
