//! State map benchmarks at 1M keys: computing the writes and root of a
//! batch of 1,024 changes (what the sequencer adds per batch), the part of
//! it spent rehashing the touched buckets, one parent hash, and building
//! and verifying a proof. Prints the proof sizes at 1M keys.
//!
//! Run: `cargo bench -p provenant-tlog --bench map`

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use provenant_tlog::Hash;
use provenant_tlog::map::{MapKey, MapRead as _, MemoryMap, bucket_of, map_parent_hash, update};
use sha2::{Digest as _, Sha256};

const N: u64 = 1_000_000;
const BATCH: u64 = 1024;

fn key(i: u64) -> MapKey {
    Sha256::digest(i.to_be_bytes()).into()
}

fn value(i: u64) -> Hash {
    Hash(Sha256::digest((!i).to_be_bytes()).into())
}

fn build() -> MemoryMap {
    let mut map = MemoryMap::new();
    let all: BTreeMap<MapKey, Option<Hash>> = (0..N).map(|i| (key(i), Some(value(i)))).collect();
    map.apply(&all);
    assert_eq!(map.len(), usize::try_from(N).expect("fits"));
    map
}

/// Batch number `round`: `BATCH` new keys, or new values for existing keys.
fn batch(round: u64, new_keys: bool) -> BTreeMap<MapKey, Option<Hash>> {
    (0..BATCH)
        .map(|j| {
            let spread = (round * BATCH + j).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let i = if new_keys { N + spread } else { spread % N };
            (key(i), Some(value(spread)))
        })
        .collect()
}

/// Proof sizes over every present key and as many absent ones, and the
/// deepest path (what a full list of siblings, 32 bytes per level, would
/// cost).
fn proof_sizes(map: &MemoryMap) {
    for (name, offset) in [("presence", 0), ("absence", N)] {
        let mut sizes = Vec::new();
        let mut deepest = 0;
        for i in 0..N {
            let proof = map.prove(&key(offset + i)).0;
            sizes.push(proof.to_bytes().len());
            deepest = deepest.max(proof.siblings.len());
        }
        sizes.sort_unstable();
        let at = |q: usize| sizes[(sizes.len() - 1) * q / 100];
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        let over = sizes.iter().filter(|&&s| s > 1000).count();
        println!(
            "map proof of {name} at {N} keys: mean {mean} B, median {} B, p99 {} B, max {} B, {over} over 1 KB (1,000 B); deepest path {deepest} levels",
            at(50),
            at(99),
            at(100)
        );
    }
}

fn benches(c: &mut Criterion) {
    let map = build();
    proof_sizes(&map);

    let mut group = c.benchmark_group("map_update_1M");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(30);
    for (name, new_keys) in [("insert_1024", true), ("change_1024", false)] {
        let mut round = 0;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    round += 1;
                    batch(round, new_keys)
                },
                |changes| update(map.top(), &map, &changes).expect("memory reads"),
                BatchSize::SmallInput,
            );
        });
    }
    // The share of an update spent rehashing its buckets: the same buckets
    // as a batch of 1,024 changes, read and hashed, nothing written.
    let mut round = 0;
    group.bench_function("bucket_nodes_1024", |b| {
        b.iter_batched(
            || {
                round += 1;
                let mut prefixes: Vec<u16> = batch(round, false).keys().map(bucket_of).collect();
                prefixes.dedup();
                prefixes
            },
            |prefixes| {
                for prefix in prefixes {
                    black_box(map.bucket(prefix).expect("memory reads").node());
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();

    let mut group = c.benchmark_group("map_hash");
    let (left, right) = (Hash([1; 32]), Hash([2; 32]));
    group.bench_function("parent", |b| {
        b.iter(|| map_parent_hash(black_box(&left), black_box(&right)));
    });
    group.finish();

    let mut group = c.benchmark_group("map_proof_1M");
    let root = map.root();
    let mut i = 0u64;
    group.bench_function("prove_present", |b| {
        b.iter(|| {
            i = (i + 7919) % N;
            black_box(map.prove(&key(i)))
        });
    });
    let proofs: Vec<(MapKey, _)> = (0..1024u64)
        .map(|i| {
            let k = key(i * 31 % N);
            (k, map.prove(&k))
        })
        .collect();
    let mut at = 0;
    group.bench_function("verify_present", |b| {
        b.iter(|| {
            at = (at + 1) % proofs.len();
            let (k, (proof, value)) = &proofs[at];
            proof.verify(&root, k, value.as_ref()).expect("verifies");
        });
    });
    let absent: Vec<(MapKey, _)> = (0..1024u64)
        .map(|i| {
            let k = key(N + i);
            (k, map.prove(&k))
        })
        .collect();
    group.bench_function("verify_absent", |b| {
        b.iter(|| {
            at = (at + 1) % absent.len();
            let (k, (proof, _)) = &absent[at];
            proof.verify(&root, k, None).expect("verifies");
        });
    });
    group.finish();
}

criterion_group!(map, benches);
criterion_main!(map);
