//! The signature ceiling, measured in the same run as the load: Ed25519
//! verification on every core, one by one and in batches.
//!
//! The disk's ceiling (RocksDB synced writes of entry-sized records) is the
//! ledger's bench, `cargo bench -p provenant-ledger --bench ceiling`, so
//! that the load tool builds no RocksDB.

use std::time::{Duration, Instant};

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
