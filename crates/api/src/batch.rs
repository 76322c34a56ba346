//! `POST /v1/entries/batch`: many signed envelopes in one request, each
//! answered on its own.
//!
//! A platform registering its customers' designs, or a brand recording a
//! day's production runs, sends up to [`MAX_BATCH_ENVELOPES`] envelopes at
//! once. Each one is checked, queued and logged exactly as if it had been
//! sent to `POST /v1/entries` alone: its own receipt, or its own problem,
//! in the order sent. One bad envelope never fails the others, and the same
//! envelope sent again gets its original receipt.

use provenant_model::{Envelope, Receipt};
use serde::{Deserialize, Serialize};

use crate::Problem;

/// The most envelopes in one batch.
pub const MAX_BATCH_ENVELOPES: usize = 1024;

/// The most bytes in one batch's body: 1,024 envelopes of 8 KiB each.
/// Each envelope also keeps the limit of a single entry.
pub const MAX_BATCH_BYTES: usize = 8 << 20;

/// The body of `POST /v1/entries/batch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBatch {
    /// The envelopes, at most [`MAX_BATCH_ENVELOPES`]. The server reads each
    /// one on its own: one that is not an envelope gets its own `400`.
    pub envelopes: Vec<Envelope>,
}

/// The answer of `POST /v1/entries/batch` (`200 OK` whenever the batch
/// itself was readable): one result per envelope, in the order sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchAnswer {
    /// The results, one per envelope sent.
    pub results: Vec<BatchResult>,
}

/// What became of one envelope of a batch: the status `POST /v1/entries`
/// would have answered it with, and its receipt or its problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchResult {
    /// `201` for a new entry, `200` for one already logged, else the
    /// problem's status.
    pub status: u16,
    /// The receipt, for `201` and `200`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    /// The problem, for any other status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

impl BatchResult {
    /// A logged envelope: `201` when new, `200` when already logged.
    #[must_use]
    pub fn logged(receipt: Receipt, created: bool) -> Self {
        Self {
            status: if created { crate::log::CREATED } else { 200 },
            receipt: Some(receipt),
            problem: None,
        }
    }

    /// A refused envelope.
    #[must_use]
    pub fn refused(problem: Problem) -> Self {
        Self {
            status: problem.status,
            receipt: None,
            problem: Some(problem),
        }
    }

    /// The receipt and whether it is new, or the problem.
    ///
    /// # Errors
    /// The envelope's problem; a result with neither is a `500` problem.
    pub fn outcome(self) -> Result<crate::Submitted, Problem> {
        match (self.receipt, self.problem) {
            (Some(receipt), None) => Ok(crate::Submitted::from_status(receipt, self.status)),
            (_, Some(problem)) => Err(problem),
            (None, None) => Err(Problem::new(
                crate::problem::status::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal Server Error",
                "a batch result with neither a receipt nor a problem",
            )),
        }
    }
}
