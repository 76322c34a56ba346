//! What the state map costs, with and without it in the same run:
//!
//! 1. the sequencer's time per batch of 1,024 registrations around 1M
//!    designs (RocksDB, synced), the map off and on;
//! 2. the size of a state proof at 1M keys, and of a license-check answer
//!    with its proofs for a design with 2 ancestors;
//! 3. the client's time to verify that answer (and recompute it);
//! 4. store bytes per entry beyond the entry, after compaction.
//!
//! Run: `cargo bench -p provenant-ledger --bench state_map`
//! (`PROVENANT_BENCH_DESIGNS=200000` for a shorter run.)

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use provenant_api::Proven;
use provenant_ledger::store::Table;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, RocksOptions, RocksStore};
use provenant_model::{Action, Envelope, Kind, LicenseAnswer, LicenseQuery};
use provenant_testkit::{design_of, envelope, grant_id, id, register, terms};
use provenant_tlog::NoteVerifier;
use serde_json::json;

const BATCH: usize = 1024;
/// Batches at the end of the run whose times are reported.
const TAIL: usize = 128;
const ORIGIN: &str = "bench.provenant.example/log";

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[99; 32])
}

/// `n` signed registrations, signed on every core.
fn registrations(n: usize) -> Vec<Envelope> {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let creators = support::creators();
                    (t * per..((t + 1) * per).min(n))
                        .map(|i| support::registration(i, "map", &creators))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("signer"))
            .collect()
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One configuration's run.
struct Run {
    /// Milliseconds per batch, the last [`TAIL`] batches.
    tail_ms: Vec<f64>,
    appends_per_s: f64,
    /// Store bytes per registration beyond the registration: the tables'
    /// files after compaction.
    overhead: f64,
    /// The same counting every file of the store's directory (files left
    /// by the last compaction included).
    directory: f64,
    map_bytes: f64,
    /// Each table's bytes per registration after compaction.
    tables: Vec<(&'static str, f64)>,
    /// The license-check answer's bytes, proof sizes, verify time.
    answer: Option<Answer>,
}

struct Answer {
    bytes: usize,
    records: usize,
    proof_max: usize,
    proof_b64_max: usize,
    verify_us: f64,
    parse_verify_us: f64,
}

fn submit_all(ledger: &Ledger, envs: &[Envelope]) {
    for e in envs {
        ledger
            .submit_blocking(e.clone())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Parent, child and grandchild, each derived under a grant, then a
/// brand's capped grant on the grandchild and a production run: the
/// question of 10 more units, answered and verified.
fn chain_answer(ledger: &Ledger) -> Answer {
    let (alice, bob, carol, brand) = (
        SigningKey::from_bytes(&[201; 32]),
        SigningKey::from_bytes(&[202; 32]),
        SigningKey::from_bytes(&[203; 32]),
        SigningKey::from_bytes(&[204; 32]),
    );
    let mut design = design_of(b"chain 0");
    submit_all(ledger, &[register(b"chain 0", &[(&alice, 1_000_000)])]);
    let mut owner = alice;
    for (level, next) in [(1u8, bob), (2, carol)] {
        let g = provenant_testkit::grant(design, &next, &[&owner], &terms());
        let content = format!("chain {level}");
        let mut env = register(content.as_bytes(), &[(&next, 1_000_000)]).to_value();
        env["payload"]["parents"] = json!([{"design": design, "grant": grant_id(&g)}]);
        let reg = envelope(Kind::DesignRegister, env["payload"].clone(), &[&next]);
        submit_all(ledger, &[g, reg]);
        design = design_of(content.as_bytes());
        owner = next;
    }
    let mut t = terms();
    t["max_units"] = json!(10_000);
    let g = provenant_testkit::grant(design, &brand, &[&owner], &t);
    let run = envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 500, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "r1"}),
        &[&brand],
    );
    submit_all(ledger, &[g, run]);
    let q = LicenseQuery {
        design,
        licensee: id(&brand),
        action: Action::Commercial,
        territory: "FR".parse().expect("country"),
        channel: "retail".parse().expect("channel"),
        category: "accessories".parse().expect("category"),
        date: "2026-03-01T00:00:00Z".parse().expect("date"),
        quantity: 10,
    };
    let answer = ledger.license_check(&q).expect("answer");
    assert!(answer.answer.allowed, "{:?}", answer.answer.reasons);
    let text = serde_json::to_string(&answer).expect("json");
    let state = answer.state.as_ref().expect("a proven state");
    let b64 = base64::engine::general_purpose::STANDARD;
    let proof_b64_max = state
        .records
        .iter()
        .map(|r| r.proof.len())
        .max()
        .unwrap_or(0);
    let proof_max = state
        .records
        .iter()
        .map(|r| b64.decode(&r.proof).expect("base64").len())
        .max()
        .unwrap_or(0);
    let log = NoteVerifier::new(ORIGIN, log_key().verifying_key()).expect("verifier");
    let times = |f: &dyn Fn()| {
        (0..1000)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect::<Vec<_>>()
    };
    let verify_us = median(times(&|| {
        answer.verify_state(&log, &q).expect("verifies");
    }));
    let parse_verify_us = median(times(&|| {
        let parsed: Proven<LicenseAnswer> = serde_json::from_str(&text).expect("parse");
        parsed.verify_state(&log, &q).expect("verifies");
    }));
    Answer {
        bytes: text.len(),
        records: state.records.len(),
        proof_max,
        proof_b64_max,
        verify_us,
        parse_verify_us,
    }
}

fn run(envs: &[Envelope], commit_state: bool) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = RocksStore::open(dir.path(), &RocksOptions::default()).expect("open");
    let config = LedgerConfig {
        origin: ORIGIN.into(),
        arbiters: Vec::new(),
        batch: BatchConfig {
            max_batch: BATCH,
            // Long enough that every batch fills to 1,024.
            batch_budget: Duration::from_millis(200),
            queue_capacity: 4 * BATCH,
            commit_state,
            ..BatchConfig::default()
        },
    };
    let ledger = Ledger::open(store, log_key(), config).expect("ledger");
    let mut times = Vec::new();
    let start = Instant::now();
    for chunk in envs.chunks(BATCH) {
        let t = Instant::now();
        let pending: Vec<_> = chunk
            .iter()
            .map(|e| ledger.enqueue(e.clone()).expect("queued"))
            .collect();
        for p in pending {
            p.blocking_recv().expect("answer").expect("appended");
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let appends_per_s = envs.len() as f64 / start.elapsed().as_secs_f64();
    let answer = commit_state.then(|| chain_answer(&ledger));
    let entry_bytes = support::client_entry_bytes(&ledger);
    let clients = envs.len() as f64;
    ledger.close();
    let rocks = ledger.store().as_rocks().expect("RocksDB");
    rocks.compact().expect("compact");
    let store_bytes: u64 = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .sum();
    let map_bytes = rocks.table_bytes(Table::Map).expect("map size") as f64 / clients;
    let tables: Vec<(&'static str, f64)> = Table::ALL
        .iter()
        .map(|t| {
            (
                t.name(),
                rocks.table_bytes(*t).expect("table size") as f64 / clients,
            )
        })
        .collect();
    let in_tables: f64 = tables.iter().map(|(_, b)| b).sum();
    Run {
        tail_ms: times[times.len().saturating_sub(TAIL)..].to_vec(),
        appends_per_s,
        overhead: in_tables - entry_bytes as f64 / clients,
        directory: (store_bytes as f64 - entry_bytes as f64) / clients,
        map_bytes,
        tables,
        answer,
    }
}

fn report_one(r: &Run) {
    println!(
        "median ms per batch (last {TAIL}): {:.1}; appends/s {:.0}; bytes/entry beyond the entry {:.0}",
        median(r.tail_ms.clone()),
        r.appends_per_s,
        r.overhead
    );
    for (table, bytes) in &r.tables {
        println!("  {table}: {bytes:.1} bytes/entry");
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("PROVENANT_BENCH_DESIGNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("state map benchmark, {cores} cores, {n} registrations in batches of {BATCH}");
    let envs = registrations(n);
    // `PROVENANT_BENCH_ONLY=on` (or `off`): one configuration, to profile.
    match std::env::var("PROVENANT_BENCH_ONLY").as_deref() {
        Ok("on") => return report_one(&run(&envs, true)),
        Ok("off") => return report_one(&run(&envs, false)),
        _ => {}
    }
    let off = run(&envs, false);
    let on = run(&envs, true);
    let (m_off, m_on) = (median(off.tail_ms.clone()), median(on.tail_ms.clone()));
    println!(
        "\n| | map off | map on | on / off |\n|---|---|---|---|\n\
         | median ms per batch of {BATCH}, last {TAIL} batches | {m_off:.1} | {m_on:.1} | {:.2} |\n\
         | appends/s over the run | {:.0} | {:.0} | {:.2} |\n\
         | store bytes per entry beyond the entry (tables) | {:.0} | {:.0} | |\n\
         | the same, every file of the directory | {:.0} | {:.0} | |\n\
         | of which the map's table | {:.1} | {:.1} | |",
        m_on / m_off,
        off.appends_per_s,
        on.appends_per_s,
        on.appends_per_s / off.appends_per_s,
        off.overhead,
        on.overhead,
        off.directory,
        on.directory,
        off.map_bytes,
        on.map_bytes,
    );
    println!("\n| table, bytes per entry | map off | map on |\n|---|---|---|");
    for ((name, off_bytes), (_, on_bytes)) in off.tables.iter().zip(&on.tables) {
        println!("| `{name}` | {off_bytes:.1} | {on_bytes:.1} |");
    }
    if let Some(a) = on.answer {
        println!(
            "\nlicense check on a design with 2 ancestors, at {n} designs:\n\
             | answer with every proof (JSON bytes) | {} |\n|---|---|\n\
             | state records proven | {} |\n\
             | largest map proof, bytes (base64 characters) | {} ({}) |\n\
             | median client verify + recompute, µs | {:.0} |\n\
             | median JSON parse + verify + recompute, µs | {:.0} |",
            a.bytes, a.records, a.proof_max, a.proof_b64_max, a.verify_us, a.parse_verify_us
        );
    }
}
