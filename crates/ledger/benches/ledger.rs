//! Ledger benchmark: durable signed appends through the sequencer at batch
//! sizes 1, 64 and 1024, each against raw RocksDB `WriteBatch` + sync
//! writing the same bytes in the same batches; inclusion proofs per second
//! at 1M entries; store bytes per entry beyond the entry itself.
//!
//! Run: `cargo bench -p provenant-ledger --bench ledger`
//! (`PROVENANT_BENCH_QUICK=1` for a short run, `-- --proofs` for the
//! proofs alone.)

// Rates and averages are reported as floats; counts here are far below
// 2^52 and the machine is 64-bit.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use provenant_ledger::hashes::{HashCache, StoredHashes};
use provenant_ledger::store::{Batch, Store, Table};
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, RocksOptions, RocksStore};
use provenant_model::Envelope;
use provenant_tlog::{LeafIndex, TreeSize, append, hash_leaf, prove_inclusion};

fn envelopes(n: usize, tag: &str) -> Vec<Envelope> {
    let creators = support::creators();
    (0..n)
        .map(|i| support::registration(i, tag, &creators))
        .collect()
}

fn dir_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |rd| {
        rd.filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len())
            .sum()
    })
}

/// What one sequencer run measured.
struct Run {
    rate: f64,
    entry_bytes: u64,
    written: u64,
    store_bytes: u64,
    /// Each table's bytes on disk after compaction.
    tables: Vec<(Table, u64)>,
}

/// Appends `envs` through the sequencer with batches of `batch`.
fn sequencer_run(envs: Vec<Envelope>, batch: usize) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let config = LedgerConfig {
        origin: "bench.provenant.example/log".into(),
        arbiters: Vec::new(),
        batch: BatchConfig {
            max_batch: batch,
            batch_budget: Duration::from_millis(2),
            queue_capacity: envs.len() + 1,
            ..BatchConfig::default()
        },
    };
    let ledger = Ledger::open(store, SigningKey::from_bytes(&[99; 32]), config).expect("ledger");
    let n = envs.len();
    let start = Instant::now();
    let pending: Vec<_> = envs
        .into_iter()
        .map(|e| ledger.enqueue(e).expect("queued"))
        .collect();
    for p in pending {
        p.blocking_recv().expect("answer").expect("appended");
    }
    let secs = start.elapsed().as_secs_f64();
    let entry_bytes = support::client_entry_bytes(&ledger);
    let written = ledger.bytes_written();
    ledger.close();
    let store = ledger.store().as_rocks().expect("a RocksDB ledger");
    store.compact().expect("compact");
    let tables = Table::ALL
        .iter()
        .map(|t| (*t, store.table_bytes(*t).expect("table size")))
        .collect();
    Run {
        rate: n as f64 / secs,
        entry_bytes,
        written,
        store_bytes: dir_bytes(dir.path()),
        tables,
    }
}

/// Writes `n` values of `size` bytes with raw RocksDB, `batch` per synced
/// write; returns writes/s.
fn raw_run(n: usize, size: usize, batch: usize) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let entry = vec![b'x'; size];
    let start = Instant::now();
    let mut i = 0u64;
    while (i as usize) < n {
        let mut b = Batch::default();
        for _ in 0..batch.min(n - i as usize) {
            b.put(Table::Entries, i.to_be_bytes().to_vec(), entry.clone());
            i += 1;
        }
        store.write(b).expect("write");
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Inclusion proofs per second at `n` entries.
struct ProofRates {
    /// One thread, straight from RocksDB.
    raw: f64,
    /// One thread, through the ledger's hash cache.
    cached: f64,
    /// `threads` threads at once, straight from RocksDB.
    raw_all: f64,
    /// `threads` threads at once, through the hash cache.
    cached_all: f64,
}

/// Inclusion proofs per second at `n` entries, `queries` random ones per
/// measurement: on one thread and on `threads` threads at once, straight
/// from RocksDB and through the ledger's hash cache (a first pass warms it).
fn proofs_at(n: u64, queries: usize, threads: usize) -> ProofRates {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let mut size = 0u64;
    while size < n {
        let leaves: Vec<_> = (size..(size + 65_536).min(n))
            .map(|i| hash_leaf(&i.to_be_bytes()))
            .collect();
        let start_slot = provenant_tlog::stored_count(TreeSize(size));
        let new = append(TreeSize(size), &leaves, &StoredHashes(&store)).expect("append");
        let mut b = Batch::default();
        for (j, h) in new.iter().enumerate() {
            b.put(
                Table::Hashes,
                (start_slot + j as u64).to_be_bytes().to_vec(),
                h.0.to_vec(),
            );
        }
        store.write(b).expect("write");
        size += leaves.len() as u64;
    }
    // Steady state: the hashes in table files and the block cache, not in
    // the memtables the writes just filled.
    store.compact().expect("compact");
    // `threads` threads share `queries` random proofs; proofs per second.
    let run = |threads: usize, reader: &(dyn Fn(u64) -> Vec<provenant_tlog::Hash> + Sync)| {
        let each = queries / threads;
        let start = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..threads {
                scope.spawn(move || {
                    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ (t as u64).wrapping_mul(0x2545_f491);
                    for _ in 0..each {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        std::hint::black_box(reader(x % n));
                    }
                });
            }
        });
        (each * threads) as f64 / start.elapsed().as_secs_f64()
    };
    let raw = |i| prove_inclusion(LeafIndex(i), TreeSize(n), &StoredHashes(&store)).expect("proof");
    let cache = HashCache::default();
    cache.fit(TreeSize(n));
    let cached = |i| {
        prove_inclusion(LeafIndex(i), TreeSize(n), &cache.over(StoredHashes(&store)))
            .expect("proof")
    };
    run(1, &cached);
    ProofRates {
        raw: run(1, &raw),
        cached: run(1, &cached),
        raw_all: run(threads, &raw),
        cached_all: run(threads, &cached),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness-less benches.
    }
    let quick = std::env::var_os("PROVENANT_BENCH_QUICK").is_some();
    let proofs_only = std::env::args().any(|a| a == "--proofs");
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("ledger benchmark, {cores} cores");
    if !proofs_only {
        appends(quick);
    }
    let n = if quick { 100_000 } else { 1_000_000 };
    let threads = cores.max(1);
    let rates = proofs_at(n, 500_000, threads);
    println!(
        "\ninclusion proofs at {n} entries, per second:\n| threads | from RocksDB | through the ledger's hash cache |\n|---|---|---|\n| 1 | {:.0} | {:.0} |\n| {threads} | {:.0} | {:.0} |",
        rates.raw, rates.cached, rates.raw_all, rates.cached_all
    );
}

fn appends(quick: bool) {
    println!(
        "| batch | entries | sequencer appends/s | raw RocksDB synced writes/s (same bytes per entry, same batches) | ratio | store bytes/entry beyond the entry |"
    );
    println!("|---|---|---|---|---|---|");
    let mut last = None;
    for (batch, n) in [
        (1usize, if quick { 200 } else { 2_000 }),
        (64, if quick { 5_000 } else { 50_000 }),
        (1024, if quick { 10_000 } else { 200_000 }),
    ] {
        let envs = envelopes(n, &format!("b{batch}"));
        let run = sequencer_run(envs, batch);
        // The baseline writes as many bytes per entry as the sequencer did
        // (entry, hashes, indexes, state), minus its 8-byte key.
        let size = (run.written / n as u64).saturating_sub(8) as usize;
        let raw = raw_run(n, size, batch);
        let overhead = (run.store_bytes as f64 - run.entry_bytes as f64) / n as f64;
        println!(
            "| {batch} | {n} | {:.0} | {raw:.0} | {:.2} | {overhead:.0} |",
            run.rate,
            run.rate / raw
        );
        last = Some((n, run));
    }
    if let Some((n, run)) = last {
        println!("\nstore bytes per entry by table, {n} registrations, after compaction:");
        println!("| table | bytes/entry |\n|---|---|");
        for (table, bytes) in &run.tables {
            println!("| {} | {:.1} |", table.name(), *bytes as f64 / n as f64);
        }
        println!(
            "| (entry bytes themselves) | {:.1} |",
            run.entry_bytes as f64 / n as f64
        );
    }
}
