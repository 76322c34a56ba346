//! Witnessing's metrics, registered in the server's `GET /metrics`:
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `provenant_witness_size` | `witness` | the latest size the witness cosigned, as the log knows it |
//! | `provenant_witness_cosignatures_total` | `witness` | cosignatures verified and kept |
//! | `provenant_witness_conflicts_total` | `witness` | `409` answers (the log resent from the witness's size) |
//! | `provenant_witness_failures_total` | `witness` | exchanges that failed without evidence (unreachable, `5xx`, `404`) |
//! | `provenant_witness_alarms_total` | `witness`, `status` | evidence: `403`, `422`, a cosignature that does not verify (`200`), a `409` beyond the log's size |
//! | `provenant_witnessed_size` | | the size of the latest checkpoint meeting the quorum |
//!
//! An alarm is never a transient failure: alert on any increase.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// A witness.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WitnessLabel {
    /// Its policy name.
    pub witness: String,
}

/// A witness and the status of its answer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AlarmLabel {
    /// Its policy name.
    pub witness: String,
    /// The HTTP status of the answer that raised the alarm.
    pub status: u16,
}

/// The metrics; clones share them.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub(crate) size: Family<WitnessLabel, Gauge>,
    pub(crate) cosignatures: Family<WitnessLabel, Counter>,
    pub(crate) conflicts: Family<WitnessLabel, Counter>,
    pub(crate) failures: Family<WitnessLabel, Counter>,
    pub(crate) alarms: Family<AlarmLabel, Counter>,
    pub(crate) witnessed: Gauge,
}

pub(crate) fn label(name: &str) -> WitnessLabel {
    WitnessLabel {
        witness: name.to_owned(),
    }
}

impl Metrics {
    /// Registers every metric in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "provenant_witness_size",
            "The latest size each witness cosigned",
            self.size.clone(),
        );
        registry.register(
            "provenant_witness_cosignatures",
            "Cosignatures verified and kept",
            self.cosignatures.clone(),
        );
        registry.register(
            "provenant_witness_conflicts",
            "409 answers: the log resent from the witness's size",
            self.conflicts.clone(),
        );
        registry.register(
            "provenant_witness_failures",
            "Exchanges with a witness that failed without evidence",
            self.failures.clone(),
        );
        registry.register(
            "provenant_witness_alarms",
            "Evidence of a fork or a broken log or witness: alert on any increase",
            self.alarms.clone(),
        );
        registry.register(
            "provenant_witnessed_size",
            "The size of the latest checkpoint cosigned by the quorum",
            self.witnessed.clone(),
        );
    }
}
