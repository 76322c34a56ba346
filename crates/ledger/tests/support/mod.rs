//! Test helpers: the ledger's configuration, over the model's testkit.
#![allow(dead_code, unused_imports)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ed25519_dalek::SigningKey;
use provenant_ledger::store::{Batch, Read, Rows, StoreError, Table};
use provenant_ledger::{AnyStore, BatchConfig, Ledger, LedgerConfig, MemoryStore, Store};
use provenant_model::DesignId;
pub use provenant_testkit::{design_of, envelope, grant_id, id, key, register};
use serde_json::json;

pub const ORIGIN: &str = "test.provenant.example/log";

pub fn log_key() -> SigningKey {
    key(200)
}

pub fn config(batch: BatchConfig) -> LedgerConfig {
    LedgerConfig {
        origin: ORIGIN.to_owned(),
        arbiters: vec![id(&key(250))],
        batch,
    }
}

pub fn memory_ledger() -> Ledger {
    Ledger::open(
        MemoryStore::new(),
        log_key(),
        config(BatchConfig::default()),
    )
    .unwrap()
}

pub fn open(store: impl Into<AnyStore>) -> Ledger {
    Ledger::open(store, log_key(), config(BatchConfig::default())).unwrap()
}

/// A grant of `design` to `licensee`, signed by `owners` and the licensee,
/// capped at `max_units` when given.
pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    max_units: Option<u64>,
) -> provenant_model::Envelope {
    let mut terms = provenant_testkit::terms();
    if let Some(m) = max_units {
        terms["max_units"] = json!(m);
    }
    provenant_testkit::grant(design, licensee, owners, &terms)
}

/// A store on a "disk" that can be copied (a backup) and whose writes fail
/// while `full` is set.
#[derive(Clone, Default)]
pub struct Disk {
    pub store: Arc<MemoryStore>,
    pub full: Arc<AtomicBool>,
}

impl Disk {
    /// A copy of everything stored, as a backup of the data directory.
    pub fn backup(&self) -> Disk {
        let mut all = Batch::default();
        for table in Table::ALL {
            for (k, v) in self.store.scan(table, &[], None, usize::MAX).unwrap() {
                all.put(table, k, v);
            }
        }
        let copy = Disk::default();
        copy.store.write(all).unwrap();
        copy
    }

    pub fn is_empty(&self) -> bool {
        Table::ALL
            .iter()
            .all(|t| self.store.scan(*t, &[], None, 1).unwrap().is_empty())
    }
}

impl Read for Disk {
    fn get(&self, t: Table, k: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get(t, k)
    }
    fn scan(&self, t: Table, p: &[u8], a: Option<&[u8]>, l: usize) -> Result<Rows, StoreError> {
        self.store.scan(t, p, a, l)
    }
}

impl Store for Disk {
    type Snapshot<'a> = <MemoryStore as Store>::Snapshot<'a>;
    fn snapshot(&self) -> Self::Snapshot<'_> {
        self.store.snapshot()
    }
    fn write(&self, b: Batch) -> Result<(), StoreError> {
        if self.full.load(Ordering::SeqCst) {
            Err(StoreError::backend("disk full"))
        } else {
            self.store.write(b)
        }
    }
}

impl From<Disk> for AnyStore {
    fn from(disk: Disk) -> Self {
        AnyStore::boxed(disk)
    }
}
