//! `GET /metrics`: the Prometheus text exposition (version 0.0.4) of
//! requests by route and status, request latencies, the sequencer's batch
//! sizes and queue depth, the tree size, the compute pool's reads, and the
//! standard process metrics ([`crate::process`]), and the witnesses'
//! (`provenant_witnessing::metrics`) when the log has some, and the
//! publisher's (`provenant_publish::metrics`) when it publishes.
//!
//! Request counters and latency histograms are `prometheus-client`'s:
//! atomics per label set, behind a read lock taken once per request to
//! find them (a write lock only the first time a route and status are
//! seen). Everything else is read from its owner at each scrape.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeMetric as _, NoLabelSet,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use provenant_api::routes::ALL;
use provenant_ledger::{BATCH_BUCKETS, Ledger};

use crate::ComputePool;
use crate::process::ProcessCollector;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// The route label of requests no route matched.
const UNMATCHED: &str = "unmatched";

/// A route's requests by status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: &'static str,
    status: u16,
}

/// A route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Request counters shared by the middleware and the `/metrics` route.
/// Labels are the routes' own static patterns (never the raw path, so ids
/// do not explode the label set), so counting a request allocates nothing.
#[derive(Clone)]
pub struct Metrics {
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl Metrics {
    fn record(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteStatus { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabel { route })
            .observe(seconds);
    }
}

/// The static pattern of a matched route.
fn route_of(matched: Option<&MatchedPath>) -> &'static str {
    matched
        .and_then(|m| ALL.iter().find(|r| r.path == m.as_str()))
        .map_or(UNMATCHED, |r| r.path)
}

/// Middleware: counts every request by its route pattern and status.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = route_of(req.extensions().get::<MatchedPath>());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.record(
        route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// The state of the `/metrics` route: every metric, registered once.
#[derive(Clone)]
pub struct MetricsState {
    registry: Arc<Registry>,
}

impl MetricsState {
    /// The registry of `metrics`, the ledger's and the compute pool's
    /// figures, the process's, the witnesses' when the log has some, and
    /// the publisher's when it publishes.
    #[must_use]
    pub fn new(
        metrics: &Metrics,
        ledger: Ledger,
        compute: ComputePool,
        witnessing: Option<&provenant_witnessing::Witnessing>,
        publication: Option<&provenant_publish::metrics::Metrics>,
    ) -> Self {
        let mut registry = Registry::default();
        registry.register(
            "provenant_http_requests",
            "HTTP requests by route and status",
            metrics.requests.clone(),
        );
        registry.register(
            "provenant_http_request_seconds",
            "Request latency by route",
            metrics.latency.clone(),
        );
        registry.register_collector(Box::new(LedgerCollector { ledger }));
        registry.register_collector(Box::new(ComputeCollector { compute }));
        registry.register_collector(Box::new(ProcessCollector::new()));
        if let Some(w) = witnessing {
            w.metrics().register(&mut registry);
        }
        if let Some(p) = publication {
            p.register(&mut registry);
        }
        Self {
            registry: Arc::new(registry),
        }
    }
}

/// `GET /metrics`.
pub async fn render(State(state): State<MetricsState>) -> Response {
    let mut out = String::new();
    if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut out, &state.registry)
    {
        tracing::error!(error = %e, "metrics encoding failed");
    }
    let mut r = out.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
    );
    r
}

/// One unlabelled value read at the scrape.
fn write_one(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    counter: bool,
    value: u64,
) -> Result<(), std::fmt::Error> {
    if counter {
        let c = ConstCounter::new(value);
        c.encode(encoder.encode_descriptor(name, help, None, c.metric_type())?)
    } else {
        let g = ConstGauge::new(value);
        g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)
    }
}

/// The ledger's own metrics: batch sizes, queue, tree, verification,
/// bytes written and memory.
struct LedgerCollector {
    ledger: Ledger,
}

impl std::fmt::Debug for LedgerCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LedgerCollector")
    }
}

/// A part of the ledger's memory.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Part {
    part: &'static str,
}

impl Collector for LedgerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counters = self.ledger.stats();
        #[allow(clippy::cast_precision_loss)] // Bucket bounds, small integers.
        let buckets: Vec<(f64, u64)> = counters
            .batch_sizes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    BATCH_BUCKETS.get(i).map_or(f64::INFINITY, |b| *b as f64),
                    *n,
                )
            })
            .collect();
        #[allow(clippy::cast_precision_loss)] // Entry counts, far below 2^53.
        let sum = counters.appended as f64;
        encoder
            .encode_descriptor(
                "provenant_batch_size",
                "Entries appended per sequencer batch",
                None,
                MetricType::Histogram,
            )?
            .encode_histogram::<NoLabelSet>(sum, counters.batches, &buckets, None)?;
        let plain = [
            (
                "provenant_queue_depth",
                "Envelopes waiting for the sequencer",
                false,
                counters.queued,
            ),
            (
                "provenant_tree_size",
                "Entries in the log",
                false,
                self.ledger.head().size.0,
            ),
            (
                "provenant_signatures_checked",
                "Signature lines handed to Ed25519 verification",
                true,
                counters.signatures_checked,
            ),
            (
                "provenant_bytes_written",
                "Key and value bytes the sequencer wrote",
                true,
                counters.bytes_written,
            ),
        ];
        for (name, help, counter, value) in plain {
            write_one(&mut encoder, name, help, counter, value)?;
        }
        let mut memory = encoder.encode_descriptor(
            "provenant_memory_bytes",
            "What the ledger holds in memory, by part",
            None,
            MetricType::Gauge,
        )?;
        for (part, bytes) in self.ledger.memory() {
            ConstGauge::new(bytes).encode(memory.encode_family(&Part { part })?)?;
        }
        Ok(())
    }
}

/// The compute pool's gauge and counters.
#[derive(Debug)]
struct ComputeCollector {
    compute: ComputePool,
}

impl Collector for ComputeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.compute.stats();
        let lines = [
            (
                "provenant_compute_running",
                "Royalty and license reads computing now",
                false,
                stats.running.load(Relaxed),
            ),
            (
                "provenant_compute_refused",
                "Royalty and license reads refused with 503 compute-busy",
                true,
                stats.refused.load(Relaxed),
            ),
            (
                "provenant_compute_cancelled",
                "Royalty and license reads stopped or skipped because their request timed out or was dropped",
                true,
                stats.cancelled.load(Relaxed),
            ),
            (
                "provenant_compute_steps",
                "Units of work (designs, payees, sales lines) the compute threads did",
                true,
                stats.steps.load(Relaxed),
            ),
        ];
        for (name, help, counter, value) in lines {
            write_one(&mut encoder, name, help, counter, value)?;
        }
        Ok(())
    }
}
