//! Errors of the ledger, one type per kind of operation.

use provenant_model::RuleError;
use provenant_tlog::{Hash, TreeSize};

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
    /// Signing would fork the log.
    #[error(
        "refusing to sign a checkpoint of size {asked} built on size {from}: \
         the last checkpoint published is of size {last}"
    )]
    Fork {
        /// The size of the last checkpoint published.
        last: TreeSize,
        /// The size of the tree the new one was built on.
        from: TreeSize,
        /// The size asked for.
        asked: TreeSize,
    },
    /// The signer's record could not be locked, read or written.
    #[error(transparent)]
    Record(#[from] crate::signed::RecordError),
    /// The store is behind what the key last published: signing on it
    /// would fork the log.
    #[error(
        "the store (size {store_size}, root {store_b64}) does not extend the last checkpoint \
         this key published (size {record_size}, root {record_b64}, recorded in {path}): \
         a restored backup, a wiped store or another server's store; refusing to sign a fork",
        store_b64 = .store_root.to_base64(),
        record_b64 = .record_root.to_base64(),
        path = .record.display()
    )]
    Rollback {
        /// The record's file.
        record: std::path::PathBuf,
        /// The recorded size.
        record_size: TreeSize,
        /// The recorded root.
        record_root: Hash,
        /// The store's size.
        store_size: TreeSize,
        /// The store's root.
        store_root: Hash,
    },
    /// A rollback was accepted for a size the store is not at, or when the
    /// store is not behind.
    #[error("accepting a rollback to size {accepted}: {reason}")]
    AcceptRollback {
        /// The size the operator accepted.
        accepted: TreeSize,
        /// Why it does not apply.
        reason: String,
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
    Rule(RuleError),
}

/// A rule evaluation the store stopped is a storage failure, not a rule
/// the query broke: it answers 500 or 503, never 4xx.
impl From<RuleError> for ReadError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::View(view) => ReadError::Store(view.into()),
            rule => ReadError::Rule(rule),
        }
    }
}

impl From<provenant_model::ViewError> for ReadError {
    fn from(e: provenant_model::ViewError) -> Self {
        ReadError::Store(e.into())
    }
}
