//! The machine's ceilings, measured in the same run as the load: Ed25519
//! signature verification on every core (one by one and in batches), and
//! RocksDB synced writes of entry-sized records.

use std::time::{Duration, Instant};

use provenant_ledger::store::{Batch, Store as _, Table};
use provenant_ledger::{RocksOptions, RocksStore, keys::be};
use provenant_model::{Envelope, verify_batch};

/// Verifications per second of `envelopes`' signatures on `threads`
/// threads for `for_how_long`, one by one or in batches of 64.
#[allow(clippy::cast_precision_loss)] // Rates for people.
pub fn verifications(
    envelopes: &[Envelope],
    threads: usize,
    batched: bool,
    for_how_long: Duration,
) -> f64 {
    let per_thread: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(move || {
                    let start = Instant::now();
                    let mut done = 0u64;
                    while start.elapsed() < for_how_long {
                        if batched {
                            for chunk in envelopes.chunks(64) {
                                done +=
                                    verify_batch(chunk).iter().filter(|r| r.is_ok()).count() as u64;
                            }
                        } else {
                            for env in envelopes {
                                done += u64::from(env.verify().is_ok());
                            }
                        }
                    }
                    done as f64 / start.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(0.0))
            .collect()
    });
    per_thread.iter().sum()
}

/// Records per second written to a fresh RocksDB store in synced batches
/// of `batch` records of `bytes` bytes each, for `for_how_long`.
///
/// # Errors
/// Storage errors.
#[allow(clippy::cast_precision_loss)] // Rates for people.
pub fn rocksdb_synced(batch: usize, bytes: usize, for_how_long: Duration) -> Result<f64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store =
        RocksStore::open(dir.path(), &RocksOptions::default()).map_err(|e| e.to_string())?;
    let value = vec![0x5a_u8; bytes];
    let start = Instant::now();
    let mut written = 0u64;
    while start.elapsed() < for_how_long {
        let mut b = Batch::default();
        for _ in 0..batch {
            b.put(Table::Entries, be(written), value.clone());
            written += 1;
        }
        store.write(b).map_err(|e| e.to_string())?;
    }
    Ok(written as f64 / start.elapsed().as_secs_f64())
}
