//! `GET /metrics`: Prometheus text exposition of requests by route and
//! status, request latencies, the sequencer's batch sizes and queue depth,
//! and the tree size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use provenant_ledger::{BATCH_BUCKETS, Ledger, Store};

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; LATENCY_BUCKETS.len() + 1],
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// Request counters shared by the middleware and the `/metrics` route.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Inner>>);

impl Metrics {
    fn record(&self, route: String, status: u16, seconds: f64) {
        let mut inner = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *inner.requests.entry((route.clone(), status)).or_default() += 1;
        let h = inner.latency.entry(route).or_default();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(LATENCY_BUCKETS.len());
        h.counts[bucket] += 1;
        h.sum += seconds;
    }
}

/// Middleware: counts every request by its route pattern (never the raw
/// path, so ids do not explode the label set) and status.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.record(
        route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// The state of the `/metrics` route.
pub struct MetricsState<S: Store> {
    /// The request counters.
    pub metrics: Metrics,
    /// The ledger.
    pub ledger: Ledger<S>,
}

impl<S: Store> Clone for MetricsState<S> {
    fn clone(&self) -> Self {
        Self {
            metrics: self.metrics.clone(),
            ledger: self.ledger.clone(),
        }
    }
}

/// `GET /metrics`.
pub async fn render<S: Store>(State(state): State<MetricsState<S>>) -> Response {
    let mut out = String::new();
    {
        let inner = state
            .metrics
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        out.push_str("# HELP provenant_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE provenant_http_requests_total counter\n");
        for ((route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "provenant_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP provenant_http_request_seconds Request latency by route.\n");
        out.push_str("# TYPE provenant_http_request_seconds histogram\n");
        for (route, h) in &inner.latency {
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
    let counters = state.ledger.stats();
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
            state.ledger.head().size.0,
        ),
        (
            "provenant_bytes_written_total",
            "counter",
            "Key and value bytes the sequencer wrote.",
            counters.bytes_written,
        ),
    ];
    for (name, kind, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}
