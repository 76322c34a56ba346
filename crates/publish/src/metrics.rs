//! Publication's metrics, registered in the server's `GET /metrics`:
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `provenant_publish_size` | | the size of the checkpoint published last |
//! | `provenant_publish_behind` | | entries the log holds that the bucket's checkpoint does not cover yet |
//! | `provenant_publish_lag_seconds` | | from the publisher seeing a new head to its checkpoint published |
//! | `provenant_publish_entries_total` | | entries published |
//! | `provenant_publish_requests_total` | `op` | requests to the bucket: `create`, `get`, `swap`, `list`, `delete` |
//! | `provenant_publish_objects_total` | `outcome` | tiles and bundles `created`, or `existed` with the same bytes |
//! | `provenant_publish_failures_total` | | rounds that failed and will be tried again |
//! | `provenant_publish_alarms_total` | `reason` | publication stopped: `differs`, `lost-swap`, `ahead`, `fork`, `foreign` |
//!
//! An alarm stops publication until an operator looks: alert on any
//! increase.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// A request kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabel {
    /// `create`, `get`, `swap`, `list` or `delete`.
    pub op: &'static str,
}

/// What a create found.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// `created` or `existed`.
    pub outcome: &'static str,
}

/// Why publication stopped.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// The alarm's code.
    pub reason: &'static str,
}

fn lag_histogram() -> Histogram {
    Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0])
}

/// The metrics; clones share them.
#[derive(Clone, Debug)]
pub struct Metrics {
    pub(crate) size: Gauge,
    pub(crate) behind: Gauge,
    pub(crate) lag: Histogram,
    pub(crate) entries: Counter,
    pub(crate) requests: Family<OpLabel, Counter>,
    pub(crate) objects: Family<OutcomeLabel, Counter>,
    pub(crate) failures: Counter,
    pub(crate) alarms: Family<ReasonLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            size: Gauge::default(),
            behind: Gauge::default(),
            lag: lag_histogram(),
            entries: Counter::default(),
            requests: Family::default(),
            objects: Family::default(),
            failures: Counter::default(),
            alarms: Family::default(),
        }
    }
}

impl Metrics {
    pub(crate) fn request(&self, op: &'static str) {
        self.requests.get_or_create(&OpLabel { op }).inc();
    }

    pub(crate) fn object(&self, outcome: &'static str) {
        self.objects.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// The size of the checkpoint published last.
    #[must_use]
    pub fn published(&self) -> u64 {
        u64::try_from(self.size.get()).unwrap_or(0)
    }

    /// The requests sent so far, all kinds together.
    #[must_use]
    pub fn requests_sent(&self) -> u64 {
        ["create", "get", "swap", "list", "delete"]
            .iter()
            .map(|op| self.requests.get_or_create(&OpLabel { op }).get())
            .sum()
    }

    /// Registers every metric in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "provenant_publish_size",
            "The size of the checkpoint published last",
            self.size.clone(),
        );
        registry.register(
            "provenant_publish_behind",
            "Entries the published checkpoint does not cover yet",
            self.behind.clone(),
        );
        registry.register(
            "provenant_publish_lag_seconds",
            "From a new head seen to its checkpoint published",
            self.lag.clone(),
        );
        registry.register(
            "provenant_publish_entries",
            "Entries published",
            self.entries.clone(),
        );
        registry.register(
            "provenant_publish_requests",
            "Requests to the bucket by kind",
            self.requests.clone(),
        );
        registry.register(
            "provenant_publish_objects",
            "Tiles and bundles created, or found with the same bytes",
            self.objects.clone(),
        );
        registry.register(
            "provenant_publish_failures",
            "Publication rounds that failed and will be tried again",
            self.failures.clone(),
        );
        registry.register(
            "provenant_publish_alarms",
            "Publication stopped on evidence: alert on any increase",
            self.alarms.clone(),
        );
    }
}
