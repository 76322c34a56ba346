//! One store type for every backend, so that [`crate::Ledger`], and the
//! HTTP service above it, are not generic over the store (redb keeps its
//! backend behind one box the same way).
//!
//! The backends the service runs on (RocksDB, and memory for tests and
//! tools) are variants, dispatched by a `match` rather than a virtual call
//! and snapshotted without an allocation. Any other [`Store`], such as a
//! test's store whose disk fills up, goes behind a box with
//! [`AnyStore::boxed`]. Every form passes the same [`super::conformance`]
//! suite.

use super::memory::MemorySnapshot;
#[cfg(feature = "rocks")]
use super::rocks::{RocksSnapshot, RocksStore};
use super::{Batch, MemoryStore, Read, Rows, Store, StoreError, Table};

/// A store of any backend.
pub struct AnyStore(Backend);

enum Backend {
    Memory(MemoryStore),
    #[cfg(feature = "rocks")]
    Rocks(RocksStore),
    Boxed(Box<dyn Erased>),
}

/// A snapshot of an [`AnyStore`].
pub struct AnySnapshot<'a>(SnapshotOf<'a>);

enum SnapshotOf<'a> {
    Memory(MemorySnapshot),
    #[cfg(feature = "rocks")]
    Rocks(RocksSnapshot<'a>),
    Boxed(Box<dyn Read + 'a>),
}

/// [`Store`] without its generic snapshot type, so it can be boxed.
trait Erased: Read + Send + Sync {
    fn erased_snapshot(&self) -> Box<dyn Read + '_>;
    fn erased_write(&self, batch: Batch) -> Result<(), StoreError>;
    fn erased_memory(&self) -> Vec<(&'static str, u64)>;
}

impl<S: Store> Erased for S {
    fn erased_snapshot(&self) -> Box<dyn Read + '_> {
        Box::new(self.snapshot())
    }

    fn erased_write(&self, batch: Batch) -> Result<(), StoreError> {
        self.write(batch)
    }

    fn erased_memory(&self) -> Vec<(&'static str, u64)> {
        self.memory()
    }
}

impl AnyStore {
    /// Any other backend, behind a box: each call is a virtual call, each
    /// snapshot an allocation.
    pub fn boxed(store: impl Store) -> Self {
        Self(Backend::Boxed(Box::new(store)))
    }

    /// The RocksDB store, when that is the backend (for its maintenance
    /// calls: compaction, table sizes).
    #[cfg(feature = "rocks")]
    #[must_use]
    pub fn as_rocks(&self) -> Option<&RocksStore> {
        match &self.0 {
            Backend::Rocks(store) => Some(store),
            _ => None,
        }
    }
}

impl From<MemoryStore> for AnyStore {
    fn from(store: MemoryStore) -> Self {
        Self(Backend::Memory(store))
    }
}

#[cfg(feature = "rocks")]
impl From<RocksStore> for AnyStore {
    fn from(store: RocksStore) -> Self {
        Self(Backend::Rocks(store))
    }
}

/// Calls `$call` on the backend inside `$on`, bound to `$s`.
macro_rules! each {
    ($kind:ident, $on:expr, $s:ident => $call:expr) => {
        match $on {
            $kind::Memory($s) => $call,
            #[cfg(feature = "rocks")]
            $kind::Rocks($s) => $call,
            $kind::Boxed($s) => $call,
        }
    };
}

impl Read for AnyStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        each!(Backend, &self.0, s => s.get(table, key))
    }

    fn multi_get(
        &self,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        each!(Backend, &self.0, s => s.multi_get(table, keys))
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        each!(Backend, &self.0, s => s.scan(table, prefix, after, limit))
    }

    fn scan_many(
        &self,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        each!(Backend, &self.0, s => s.scan_many(table, prefixes, limit))
    }
}

impl Read for AnySnapshot<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        each!(SnapshotOf, &self.0, s => s.get(table, key))
    }

    fn multi_get(
        &self,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        each!(SnapshotOf, &self.0, s => s.multi_get(table, keys))
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        each!(SnapshotOf, &self.0, s => s.scan(table, prefix, after, limit))
    }

    fn scan_many(
        &self,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        each!(SnapshotOf, &self.0, s => s.scan_many(table, prefixes, limit))
    }
}

impl Store for AnyStore {
    type Snapshot<'a> = AnySnapshot<'a>;

    fn snapshot(&self) -> AnySnapshot<'_> {
        AnySnapshot(match &self.0 {
            Backend::Memory(s) => SnapshotOf::Memory(s.snapshot()),
            #[cfg(feature = "rocks")]
            Backend::Rocks(s) => SnapshotOf::Rocks(s.snapshot()),
            Backend::Boxed(s) => SnapshotOf::Boxed(s.erased_snapshot()),
        })
    }

    fn write(&self, batch: Batch) -> Result<(), StoreError> {
        match &self.0 {
            Backend::Memory(s) => s.write(batch),
            #[cfg(feature = "rocks")]
            Backend::Rocks(s) => s.write(batch),
            Backend::Boxed(s) => s.erased_write(batch),
        }
    }

    fn memory(&self) -> Vec<(&'static str, u64)> {
        match &self.0 {
            Backend::Memory(s) => s.memory(),
            #[cfg(feature = "rocks")]
            Backend::Rocks(s) => s.memory(),
            Backend::Boxed(s) => s.erased_memory(),
        }
    }
}
