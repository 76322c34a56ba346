//! The signature ceiling, measured in the same run as the load: Ed25519
//! verification on every core, one by one as the server does it, and the
//! raw batch verification that the server does not use.
//!
//! The disk's ceiling (RocksDB synced writes of entry-sized records) is the
//! ledger's bench, `cargo bench -p provenant-ledger --bench ceiling`, so
//! that the load tool builds no RocksDB.

use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, VerifyingKey};
use provenant_model::Envelope;

/// How the signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// [`Envelope::verify`], the server's check: the signing input built,
    /// each key decoded and each signature verified with `verify_strict`'s
    /// verdicts.
    OneByOne,
    /// A raw measurement: ed25519-dalek's `verify_batch` over batches of 64
    /// signatures, signing inputs and keys prepared beforehand. The server
    /// does not use it: the batch equation is cofactorless and random, so a
    /// signature whose `R` carries a torsion component (which
    /// `verify_strict` refuses) passes in about half of the batches when
    /// the torsion has order 2, and acceptance would not be deterministic.
    RawBatch,
}

/// Signature verifications per second of `envelopes`' signatures on
/// `threads` threads for `for_how_long`.
#[allow(clippy::cast_precision_loss)] // Rates for people.
pub fn verifications(
    envelopes: &[Envelope],
    threads: usize,
    method: Method,
    for_how_long: Duration,
) -> f64 {
    let raw = RawInputs::of(envelopes);
    let raw = &raw;
    let per_thread: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(move || {
                    let start = Instant::now();
                    let mut done = 0usize;
                    while start.elapsed() < for_how_long {
                        done += match method {
                            Method::OneByOne => envelopes
                                .iter()
                                .filter(|env| env.verify().is_ok())
                                .map(|env| env.signatures().len())
                                .sum::<usize>(),
                            Method::RawBatch => raw.verify_batches(),
                        };
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

/// Every signature line of the envelopes, with its signing input and key.
struct RawInputs {
    messages: Vec<Vec<u8>>,
    /// Index into `messages`, signature, key.
    lines: Vec<(usize, Signature, VerifyingKey)>,
}

impl RawInputs {
    /// Lines whose key does not decode are left out.
    fn of(envelopes: &[Envelope]) -> RawInputs {
        let messages: Vec<Vec<u8>> = envelopes.iter().map(Envelope::signing_input).collect();
        let lines = envelopes
            .iter()
            .enumerate()
            .flat_map(|(i, env)| {
                env.signatures().iter().filter_map(move |line| {
                    let key = line.key.verifying_key().ok()?;
                    Some((i, Signature::from_bytes(&line.sig.0), key))
                })
            })
            .collect();
        RawInputs { messages, lines }
    }

    /// The signatures in batches of 64 that pass.
    fn verify_batches(&self) -> usize {
        let mut passed = 0;
        for chunk in self.lines.chunks(64) {
            let messages: Vec<&[u8]> = chunk.iter().map(|l| &self.messages[l.0][..]).collect();
            let signatures: Vec<Signature> = chunk.iter().map(|l| l.1).collect();
            let keys: Vec<VerifyingKey> = chunk.iter().map(|l| l.2).collect();
            if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
                passed += chunk.len();
            }
        }
        passed
    }
}
