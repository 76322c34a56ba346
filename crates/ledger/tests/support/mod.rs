//! Test helpers: the ledger's configuration, over the model's testkit.
#![allow(dead_code, unused_imports)]

use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore, Store};
use provenant_model::DesignId;
pub use provenant_model::testkit::{design_of, envelope, grant_id, id, key, register};
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

pub fn memory_ledger() -> Ledger<MemoryStore> {
    Ledger::open(
        MemoryStore::new(),
        log_key(),
        config(BatchConfig::default()),
    )
    .unwrap()
}

pub fn open<S: Store>(store: S) -> Ledger<S> {
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
    let mut terms = provenant_model::testkit::terms();
    if let Some(m) = max_units {
        terms["max_units"] = json!(m);
    }
    provenant_model::testkit::grant(design, licensee, owners, &terms)
}
