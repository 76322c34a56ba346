//! An in-memory backend: the reference the conformance suite is written
//! against, and a store for tests. Not durable, and each write copies the
//! maps (snapshots are shared, immutable versions): for small stores only.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use super::{Batch, Op, Read, Rows, Store, StoreError, Table};

type Tables = BTreeMap<Table, BTreeMap<Vec<u8>, Vec<u8>>>;

/// Ordered maps behind a lock; snapshots share the maps copy-on-write.
#[derive(Default)]
pub struct MemoryStore {
    tables: RwLock<Arc<Tables>>,
}

/// A frozen copy of the maps.
pub struct MemorySnapshot(Arc<Tables>);

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn current(&self) -> Arc<Tables> {
        Arc::clone(&self.tables.read().unwrap_or_else(PoisonError::into_inner))
    }
}

fn get(tables: &Tables, table: Table, key: &[u8]) -> Option<Vec<u8>> {
    tables.get(&table).and_then(|t| t.get(key)).cloned()
}

fn scan(tables: &Tables, table: Table, prefix: &[u8], after: Option<&[u8]>, limit: usize) -> Rows {
    let Some(t) = tables.get(&table) else {
        return Vec::new();
    };
    t.range(prefix.to_vec()..)
        .skip_while(|(k, _)| after.is_some_and(|a| k.as_slice() <= a))
        .take_while(|(k, _)| k.starts_with(prefix))
        .take(limit)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Reads of the latest state are reads of a snapshot taken for them: an
/// `Arc` clone.
impl Read for MemoryStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.snapshot().get(table, key)
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        self.snapshot().scan(table, prefix, after, limit)
    }
}

impl Read for MemorySnapshot {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(get(&self.0, table, key))
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        Ok(scan(&self.0, table, prefix, after, limit))
    }
}

impl Store for MemoryStore {
    type Snapshot<'a> = MemorySnapshot;

    fn snapshot(&self) -> MemorySnapshot {
        MemorySnapshot(self.current())
    }

    fn write(&self, batch: Batch) -> Result<(), StoreError> {
        let mut guard = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        // Build the next version aside, then swap: all or nothing.
        let mut next: Tables = (**guard).clone();
        for op in batch.ops {
            match op {
                Op::Put(t, k, v) => {
                    next.entry(t).or_default().insert(k, v);
                }
                Op::Delete(t, k) => {
                    if let Some(map) = next.get_mut(&t) {
                        map.remove(&k);
                    }
                }
            }
        }
        *guard = Arc::new(next);
        Ok(())
    }
}
