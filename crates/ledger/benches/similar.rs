//! Near-duplicate searches at scale: the latency of
//! `Ledger::near_duplicates` over 1M registered image codes in RocksDB
//! (the image band links a registration with a code writes), at the
//! default distance and at the widest, for codes near a registered one
//! and for codes near none.
//!
//! The 1M codes are uniform random 64-bit codes written straight into the
//! index, then compacted as a long-running store's files are (their
//! designs are not registered; a search reads the state of the designs it
//! finds, so 1,000 of them, near chosen codes, are registered through the
//! sequencer).
//!
//! Run: `cargo bench --workspace --bench similar`
//! (`PROVENANT_BENCH_CODES=100000` for a shorter run.)

#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

use std::time::Instant;

use ed25519_dalek::SigningKey;
use provenant_ledger::keys::link_key;
use provenant_ledger::store::{Batch, Store as _, Table};
use provenant_ledger::{Ledger, LedgerConfig, RocksOptions, RocksStore};
use provenant_model::iscc::{DEFAULT_DISTANCE, MAX_DISTANCE};
use provenant_model::state::Link;
use provenant_model::{DesignId, Envelope, ImageCode, Kind, hash_content, identity_of};
use provenant_testkit::designs::Draw;
use serde_json::json;

/// Registered designs the searches find.
const PLANTED: usize = 1000;
/// Searches per case.
const QUERIES: usize = 2000;

/// `code` with `bits` distinct bits flipped, at random.
fn near(draw: &mut Draw, code: u64, bits: u32) -> u64 {
    let mut out = code;
    while (out ^ code).count_ones() < bits {
        out ^= 1 << (draw.next() % 64);
    }
    out
}

/// A registration of design `i` with image code `code`.
fn registration(i: usize, code: ImageCode, creator: &SigningKey) -> Envelope {
    let h = hash_content(format!("planted design {i}").as_bytes()).expect("hash");
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size,
                    "media_type": "image/png", "iscc": code.to_string()},
        "title": format!("Planted {i}"),
        "creators": [{"key": identity_of(creator).expect("key").to_string(), "share_ppm": 1_000_000, "role": "designer"}],
        "parents": [],
    });
    let mut env =
        Envelope::from_parts(Kind::DesignRegister, payload, Vec::new()).expect("envelope");
    env.sign(creator).expect("sign");
    env
}

/// Milliseconds: median, 99th percentile, largest.
fn summary(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: usize| ms[(ms.len() - 1) * p / 100];
    (at(50), at(99), ms[ms.len() - 1])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness-less benches.
    }
    let codes: usize = std::env::var("PROVENANT_BENCH_CODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let mut draw = Draw(2026);
    let started = Instant::now();
    let mut random = Vec::with_capacity(codes);
    for chunk in 0..codes.div_ceil(10_000) {
        let mut batch = Batch::default();
        for i in chunk * 10_000..((chunk + 1) * 10_000).min(codes) {
            let code = ImageCode::from_digest(draw.next());
            let mut design = [0u8; 32];
            design[..8].copy_from_slice(&(i as u64).to_be_bytes());
            design[8..16].copy_from_slice(&draw.next().to_be_bytes());
            for (band, bits) in (0u8..).zip(code.bands()) {
                let link = Link::ImageBand {
                    band,
                    bits,
                    code,
                    design: DesignId(design),
                };
                batch.put(Table::Links, link_key(&link), Vec::new());
            }
            random.push(code);
        }
        store.write(batch).expect("write");
    }
    println!(
        "similar: indexed {codes} random codes ({} band links) in {:.1} s",
        codes * 4,
        started.elapsed().as_secs_f64()
    );
    // Settled as a long-running store's files are: a bulk load leaves the
    // rows in many overlapping files until compactions catch up.
    store.compact().expect("compact");
    let ledger = Ledger::open(
        store,
        SigningKey::from_bytes(&[99; 32]),
        LedgerConfig {
            origin: "bench.provenant.example/log".into(),
            arbiters: Vec::new(),
            batch: provenant_ledger::BatchConfig::default(),
        },
    )
    .expect("ledger");

    // Registered designs near some of the indexed codes: what searches find.
    let creator = SigningKey::from_bytes(&[7; 32]);
    let mut planted = Vec::with_capacity(PLANTED);
    for i in 0..PLANTED {
        let target = random[(draw.next() % codes as u64) as usize];
        let code = ImageCode::from_digest(near(&mut draw, target.digest(), (i % 5) as u32));
        ledger
            .submit_blocking(registration(i, code, &creator))
            .expect("registered");
        planted.push(code);
    }

    let cases: [(&str, u32, bool); 4] = [
        ("near a registered design", DEFAULT_DISTANCE, true),
        ("near none", DEFAULT_DISTANCE, false),
        ("near a registered design", MAX_DISTANCE, true),
        ("near none", MAX_DISTANCE, false),
    ];
    for (name, distance, near_one) in cases {
        let mut ms = Vec::with_capacity(QUERIES);
        let mut found = 0usize;
        for q in 0..QUERIES {
            let code = if near_one {
                let code = planted[q % PLANTED];
                ImageCode::from_digest(near(&mut draw, code.digest(), (q % 4) as u32))
            } else {
                ImageCode::from_digest(draw.next())
            };
            let start = Instant::now();
            let matches = ledger
                .near_duplicates(code, distance, None, None)
                .expect("search");
            ms.push(start.elapsed().as_secs_f64() * 1e3);
            found += matches.designs.len();
        }
        let (p50, p99, max) = summary(ms);
        println!(
            "similar: {codes} codes, distance {distance:>2}, {name:<24}: p50 {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms ({:.2} found a search)",
            found as f64 / QUERIES as f64
        );
    }
    ledger.close();
}
