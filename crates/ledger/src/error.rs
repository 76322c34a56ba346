//! Errors of the ledger, one type per kind of operation.

use provenant_model::RuleError;
use provenant_tlog::TreeSize;

use crate::store::StoreError;

/// Opening the ledger or keeping it consistent failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored log does not check out; the server refuses to start.
    #[error("the stored log is inconsistent: {0}")]
    Corrupt(String),
    /// The log's key file could not be used.
    #[error(transparent)]
    Key(#[from] crate::keyfile::KeyFileError),
    /// Signing would fork the log.
    #[error("refusing to sign a checkpoint of size {asked} after one of size {last}")]
    Fork {
        /// The size of the last checkpoint signed.
        last: TreeSize,
        /// The size asked for.
        asked: TreeSize,
    },
}

/// Why a submitted envelope was not logged. Nothing was written for it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// A rule of the ledger refused it.
    #[error(transparent)]
    Rejected(#[from] RuleError),
    /// The entry would not fit in a C2SP entry bundle.
    #[error("the entry is {size} bytes; the most is {max}")]
    TooLarge {
        /// The entry's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The queue is full; try again shortly.
    #[error("the ledger is busy; retry shortly")]
    Overloaded,
    /// The ledger is shutting down.
    #[error("the ledger is shutting down")]
    ShuttingDown,
    /// Storage failed; nothing of the batch was written.
    #[error("storage is unavailable; nothing was written")]
    Unavailable,
}

/// A read could not be answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The thing asked for does not exist (yet).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is outside the log (a size beyond it, a bad range).
    #[error(transparent)]
    Range(#[from] provenant_tlog::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query was malformed.
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl From<provenant_model::ViewError> for ReadError {
    fn from(e: provenant_model::ViewError) -> Self {
        ReadError::Store(StoreError(e.0))
    }
}
