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
    /// Named values: tree size, latest checkpoint.
    Meta,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 11] = [
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
            Table::Meta => "meta",
        }
    }
}

/// A storage failure. Its text is for operators' logs, never for clients.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

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
