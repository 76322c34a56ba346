//! Storage behind a trait: a few ordered key-value tables, one atomic
//! durable write, consistent snapshots.
//!
//! The ledger (and only the ledger) knows what the tables hold; a backend
//! only has to keep bytes in order and write a [`Batch`] all or nothing.
//! Keys are big-endian so that byte order is numeric order. Every backend
//! must pass [`conformance`]. [`AnyStore`] holds any backend, so that the
//! ledger above it is not generic over the store.

mod any;
pub mod conformance;
mod memory;
#[cfg(feature = "rocks")]
mod rocks;

pub use any::{AnySnapshot, AnyStore};
pub use memory::MemoryStore;
#[cfg(feature = "rocks")]
pub use rocks::{RocksOptions, RocksStore};

/// The length of a [`Table::Links`] family prefix: a tag and a 32-byte id.
pub const LINK_PREFIX_LEN: usize = 33;

/// The tables (RocksDB column families) of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// Leaf index (u64 BE) -> the entry's leaf bytes.
    Entries,
    /// Stored-hash index (u64 BE) -> 32-byte hash (see `provenant_tlog::tree`).
    Hashes,
    /// Leaf hash (32 bytes) -> leaf index (u64 BE).
    Leaves,
    /// Envelope id (32 bytes) -> leaf index (u64 BE): idempotency.
    Logged,
    /// Design id (32 bytes) -> design state (the binary layout of
    /// `crate::records`).
    Designs,
    /// Grant id (32 bytes) -> grant state (JSON).
    Grants,
    /// Dispute id (32 bytes) -> dispute state (JSON).
    Disputes,
    /// Retired key (32 bytes) -> successor key (32 bytes).
    Successors,
    /// Secondary index members (see `crate::keys`), values empty.
    Links,
    /// Signer key (32 bytes) || leaf index (u64 BE), values empty.
    Signers,
    /// The state map (see `crate::statemap`): its top nodes and buckets.
    Map,
    /// Named values: tree size, latest checkpoint.
    Meta,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 12] = [
        Table::Entries,
        Table::Hashes,
        Table::Leaves,
        Table::Logged,
        Table::Designs,
        Table::Grants,
        Table::Disputes,
        Table::Successors,
        Table::Links,
        Table::Signers,
        Table::Map,
        Table::Meta,
    ];

    /// The length of the prefix that this table's scans share, when they
    /// share one: every [`Table::Links`] family is a tag byte and a 32-byte
    /// id. A backend may index that prefix so that a scan of an empty
    /// family skips files without reading them.
    #[must_use]
    pub fn scan_prefix_len(self) -> Option<usize> {
        match self {
            Table::Links => Some(LINK_PREFIX_LEN),
            _ => None,
        }
    }

    /// The column family name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Table::Entries => "entries",
            Table::Hashes => "hashes",
            Table::Leaves => "leaves",
            Table::Logged => "logged",
            Table::Designs => "designs",
            Table::Grants => "grants",
            Table::Disputes => "disputes",
            Table::Successors => "successors",
            Table::Links => "links",
            Table::Signers => "signers",
            Table::Map => "map",
            Table::Meta => "meta",
        }
    }
}

/// The error a backend or a decoder hands up, kept as the source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A storage failure, by what failed, so that a caller can tell "retry"
/// from "stop" ([`Self::is_transient`]). Its text, and its source (the
/// backend's own error), are for operators' logs, never for clients.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend could not read or write (I/O, a full disk, a closed
    /// handle): the same operation may succeed later.
    #[error("the storage backend failed: {0}")]
    Backend(#[source] BoxError),
    /// A stored key or value does not decode: the store is damaged.
    #[error("corrupt {what}: {source}")]
    Corrupt {
        /// What was read.
        what: String,
        /// Why it does not decode.
        source: BoxError,
    },
    /// A record that must exist (an entry below the tree size, a stored
    /// hash of the tree, a column family) is not there: the store is
    /// damaged.
    #[error("{what} is missing from the store")]
    Missing {
        /// What was looked for.
        what: String,
    },
    /// A record cannot be written in the store's format (a count beyond
    /// its layout's limit): nothing was written.
    #[error("cannot store {what}: {detail}")]
    Unstorable {
        /// The record.
        what: &'static str,
        /// Why.
        detail: String,
    },
}

impl StoreError {
    /// The backend failed, with its error.
    pub fn backend(source: impl Into<BoxError>) -> Self {
        Self::Backend(source.into())
    }

    /// `what` does not decode, for the reason `source`.
    pub fn corrupt(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Corrupt {
            what: what.into(),
            source: source.into(),
        }
    }

    /// `what` must exist and does not.
    pub fn missing(what: impl Into<String>) -> Self {
        Self::Missing { what: what.into() }
    }

    /// Whether the failure may pass (the backend's), rather than a damaged
    /// store that answers the same way every time.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Backend(_))
    }
}

/// The view's classification of a store failure ([`provenant_model`] is
/// pure and knows no store): the backend's text is kept.
impl From<StoreError> for provenant_model::ViewError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Corrupt(e.to_string())
        }
    }
}

/// Back from the view: a rule evaluation stopped by the store.
impl From<provenant_model::ViewError> for StoreError {
    fn from(e: provenant_model::ViewError) -> Self {
        match e {
            provenant_model::ViewError::Unavailable(text) => Self::Backend(text.into()),
            other => Self::corrupt("state", other),
        }
    }
}

/// Key-value pairs from a scan, in key order.
pub type Rows = Vec<(Vec<u8>, Vec<u8>)>;

/// Puts and deletes applied all together or not at all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// In order; a later operation on the same key wins.
    pub ops: Vec<Op>,
}

/// One write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set `key` to `value`.
    Put(Table, Vec<u8>, Vec<u8>),
    /// Remove `key`.
    Delete(Table, Vec<u8>),
}

impl Batch {
    /// Adds a put.
    pub fn put(&mut self, table: Table, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(Op::Put(table, key.into(), value.into()));
    }

    /// Adds a delete.
    pub fn delete(&mut self, table: Table, key: impl Into<Vec<u8>>) {
        self.ops.push(Op::Delete(table, key.into()));
    }

    /// The total bytes of keys and values, for metrics.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.ops
            .iter()
            .map(|op| match op {
                Op::Put(_, k, v) => k.len() + v.len(),
                Op::Delete(_, k) => k.len(),
            })
            .sum()
    }
}

/// Reads from one consistent state of the store.
pub trait Read {
    /// The value at `key`.
    ///
    /// # Errors
    /// The backend's failure.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The values at `keys`, in order.
    ///
    /// # Errors
    /// The backend's failure.
    fn multi_get(
        &self,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        keys.iter().map(|k| self.get(table, k)).collect()
    }

    /// Up to `limit` pairs whose key starts with `prefix`, in key order,
    /// starting after `after` when given.
    ///
    /// # Errors
    /// The backend's failure.
    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError>;

    /// For each of `prefixes`, up to `limit` pairs whose key starts with
    /// it, in key order: many small scans at once (a near-duplicate search
    /// reads hundreds), which a backend may answer with one iterator.
    ///
    /// # Errors
    /// The backend's failure.
    fn scan_many(
        &self,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        prefixes
            .iter()
            .map(|p| self.scan(table, p, None, limit))
            .collect()
    }
}

/// A store: reads of the latest state, snapshots, and atomic durable writes.
pub trait Store: Read + Send + Sync + 'static {
    /// A point-in-time view.
    type Snapshot<'a>: Read
    where
        Self: 'a;

    /// A consistent view of the store as it is now; later writes are not
    /// seen through it.
    fn snapshot(&self) -> Self::Snapshot<'_>;

    /// Applies every operation of `batch` atomically, durably (synced)
    /// before returning.
    ///
    /// # Errors
    /// The backend's failure; then nothing of the batch is applied.
    fn write(&self, batch: Batch) -> Result<(), StoreError>;

    /// What the backend holds in memory, by part, in bytes: for operators
    /// watching the server's resident size. Empty when it does not say.
    fn memory(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
}
