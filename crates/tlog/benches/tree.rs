//! Tree benchmarks at 1M leaves, each against `tlog_tiles` doing the same
//! work in the same run: appending leaves (stored hashes included), and
//! building and verifying inclusion and consistency proofs.
//!
//! Run: `cargo bench -p provenant-tlog --bench tree`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use provenant_tlog::{
    Hash, HashReader, LeafIndex, StoredIndex, TreeSize, append, hash_leaf, prove_consistency,
    prove_inclusion, tree_hash, verify_consistency, verify_inclusion,
};

const N: u64 = 1_000_000;
const QUERIES: usize = 1024;

struct Store(Vec<Hash>);

impl HashReader for Store {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        self.0.read_hashes(indexes)
    }
}

impl tlog_tiles::HashReader for Store {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.0.get(i))
                    .map(|h| tlog_tiles::Hash(h.0))
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn entry(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

fn build(n: u64) -> Store {
    let leaves: Vec<Hash> = (0..n).map(|i| hash_leaf(&entry(i))).collect();
    Store(append(TreeSize(0), &leaves, &Vec::new()).expect("in-memory append"))
}

/// Deterministic pseudo-random pairs `(a, b)` with `1 <= a <= b <= N`.
fn pairs() -> Vec<(u64, u64)> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..QUERIES)
        .map(|_| {
            let b = N - next() % 1000;
            (1 + next() % b, b)
        })
        .collect()
}

fn bench_append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append_1M");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N));
    g.bench_function("provenant/one_by_one", |b| {
        b.iter_batched(
            || Store(Vec::with_capacity(2 * usize::try_from(N).unwrap_or(0))),
            |mut store| {
                for i in 0..N {
                    let new = append(TreeSize(i), &[hash_leaf(&entry(i))], &store).expect("append");
                    store.0.extend_from_slice(&new);
                }
                store
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("provenant/batches_of_1024", |b| {
        b.iter_batched(
            || Store(Vec::with_capacity(2 * usize::try_from(N).unwrap_or(0))),
            |mut store| {
                let mut leaves = Vec::with_capacity(1024);
                let mut i = 0;
                while i < N {
                    leaves.clear();
                    let end = (i + 1024).min(N);
                    leaves.extend((i..end).map(|j| hash_leaf(&entry(j))));
                    let new = append(TreeSize(i), &leaves, &store).expect("append");
                    store.0.extend_from_slice(&new);
                    i = end;
                }
                store
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("tlog_tiles/one_by_one", |b| {
        b.iter_batched(
            || Store(Vec::with_capacity(2 * usize::try_from(N).unwrap_or(0))),
            |mut store| {
                for i in 0..N {
                    let new = tlog_tiles::stored_hashes(i, &entry(i), &store).expect("append");
                    store.0.extend(new.iter().map(|h| Hash(h.0)));
                }
                store
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

fn bench_proofs(c: &mut Criterion) {
    let store = build(N);
    let queries = pairs();
    let roots: Vec<(Hash, Hash)> = queries
        .iter()
        .map(|&(a, b)| {
            (
                tree_hash(TreeSize(a), &store).expect("root"),
                tree_hash(TreeSize(b), &store).expect("root"),
            )
        })
        .collect();
    let leaf = |a: u64| hash_leaf(&entry(a - 1));

    let mut g = c.benchmark_group("proofs_at_1M");
    g.throughput(Throughput::Elements(QUERIES as u64));

    g.bench_function("inclusion_build/provenant", |b| {
        b.iter(|| {
            for &(a, n) in &queries {
                black_box(prove_inclusion(LeafIndex(a - 1), TreeSize(n), &store).expect("proof"));
            }
        });
    });
    g.bench_function("inclusion_build/tlog_tiles", |b| {
        b.iter(|| {
            for &(a, n) in &queries {
                black_box(tlog_tiles::prove_record(n, a - 1, &store).expect("proof"));
            }
        });
    });

    let inclusion: Vec<Vec<Hash>> = queries
        .iter()
        .map(|&(a, n)| prove_inclusion(LeafIndex(a - 1), TreeSize(n), &store).expect("proof"))
        .collect();
    let inclusion_theirs: Vec<Vec<tlog_tiles::Hash>> = inclusion
        .iter()
        .map(|p| p.iter().map(|h| tlog_tiles::Hash(h.0)).collect())
        .collect();
    g.bench_function("inclusion_verify/provenant", |b| {
        b.iter(|| {
            for ((&(a, n), p), (_, root)) in queries.iter().zip(&inclusion).zip(&roots) {
                verify_inclusion(LeafIndex(a - 1), TreeSize(n), &leaf(a), p, root)
                    .expect("verifies");
            }
        });
    });
    g.bench_function("inclusion_verify/tlog_tiles", |b| {
        b.iter(|| {
            for ((&(a, n), p), (_, root)) in queries.iter().zip(&inclusion_theirs).zip(&roots) {
                tlog_tiles::check_record(
                    p,
                    n,
                    tlog_tiles::Hash(root.0),
                    a - 1,
                    tlog_tiles::Hash(leaf(a).0),
                )
                .expect("verifies");
            }
        });
    });

    g.bench_function("consistency_build/provenant", |b| {
        b.iter(|| {
            for &(m, n) in &queries {
                black_box(prove_consistency(TreeSize(m), TreeSize(n), &store).expect("proof"));
            }
        });
    });
    g.bench_function("consistency_build/tlog_tiles", |b| {
        b.iter(|| {
            for &(m, n) in &queries {
                black_box(tlog_tiles::prove_tree(n, m, &store).expect("proof"));
            }
        });
    });

    let consistency: Vec<Vec<Hash>> = queries
        .iter()
        .map(|&(m, n)| prove_consistency(TreeSize(m), TreeSize(n), &store).expect("proof"))
        .collect();
    let consistency_theirs: Vec<Vec<tlog_tiles::Hash>> = consistency
        .iter()
        .map(|p| p.iter().map(|h| tlog_tiles::Hash(h.0)).collect())
        .collect();
    g.bench_function("consistency_verify/provenant", |b| {
        b.iter(|| {
            for ((&(m, n), p), (old, new)) in queries.iter().zip(&consistency).zip(&roots) {
                verify_consistency(TreeSize(m), TreeSize(n), old, new, p).expect("verifies");
            }
        });
    });
    g.bench_function("consistency_verify/tlog_tiles", |b| {
        b.iter(|| {
            for ((&(m, n), p), (old, new)) in queries.iter().zip(&consistency_theirs).zip(&roots) {
                tlog_tiles::check_tree(p, n, tlog_tiles::Hash(new.0), m, tlog_tiles::Hash(old.0))
                    .expect("verifies");
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench_append, bench_proofs);
criterion_main!(benches);
