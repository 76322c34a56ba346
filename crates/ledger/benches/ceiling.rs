//! The disk's ceiling: records per second that RocksDB, opened as the
//! ledger opens it, writes with the WAL synced, in batches of 64 and 1,024
//! records of 1 KiB, for 3 s each on a fresh store.
//!
//! The load tool's signed writes are measured against this figure (its
//! `write --ceiling` measures the Ed25519 ceiling in the same run); it lives
//! here so the load tool builds no RocksDB.
//!
//! Run: `cargo bench -p provenant-ledger --bench ceiling`
//! (`PROVENANT_BENCH_QUICK=1` for 1 s per batch size.)

use std::time::{Duration, Instant};

use provenant_ledger::keys::be;
use provenant_ledger::store::{Batch, Store as _, Table};
use provenant_ledger::{RocksOptions, RocksStore};

/// Batch sizes measured, in records per synced write.
const BATCHES: [usize; 2] = [64, 1024];
/// Bytes per record: about one entry with its hashes and indexes.
const RECORD_BYTES: usize = 1024;

/// Records per second written to a fresh store in synced batches of
/// `batch` records of `bytes` bytes each, for `for_how_long`.
#[allow(clippy::cast_precision_loss)] // Rates for people.
fn rocksdb_synced(batch: usize, bytes: usize, for_how_long: Duration) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let value = vec![0x5a_u8; bytes];
    let start = Instant::now();
    let mut written = 0u64;
    while start.elapsed() < for_how_long {
        let mut b = Batch::default();
        for _ in 0..batch {
            b.put(Table::Entries, be(written), value.clone());
            written += 1;
        }
        store.write(b).expect("write");
    }
    written as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness-less benches.
    }
    let quick = std::env::var_os("PROVENANT_BENCH_QUICK").is_some();
    let each = Duration::from_secs(if quick { 1 } else { 3 });
    for batch in BATCHES {
        let rate = rocksdb_synced(batch, RECORD_BYTES, each);
        println!("ceiling: RocksDB synced batches of {batch} x 1 KiB: {rate:.0} records/s");
    }
}
