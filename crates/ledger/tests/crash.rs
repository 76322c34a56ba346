//! Crash safety, proven: a child process appends under load to a RocksDB
//! store and is killed with SIGKILL at random moments, 20 times on one
//! store. After each kill the store must open, hold every entry the child
//! had a receipt for (same index, same leaf hash), sign a head consistent
//! with every checkpoint handed out before, and hold exactly the state a
//! fresh replay of its entries through `provenant_model` produces, with its
//! state map at the root of the log's last `state.commit` (every earlier
//! commitment checked by the replay too).
#![cfg(feature = "rocks")]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use provenant_ledger::records::decode_design;
use provenant_ledger::store::{Read, Table};
use provenant_ledger::{BatchConfig, Ledger, RocksOptions, RocksStore};
use provenant_model::{DesignId, DesignState, Entry, GrantState, Payload, Replay};
use provenant_tlog::{Hash, TreeSize, hash_leaf, verify_consistency};
use support::*;

const DIR_VAR: &str = "PROVENANT_CRASH_DIR";
const SEED_VAR: &str = "PROVENANT_CRASH_SEED";
const CYCLES: u64 = 20;

/// Not a test on its own: the child process of the crash loop. Appends
/// until killed (or for 60 seconds at most), printing one line per receipt:
/// `ack <index> <leaf hash> <tree size> <root>`.
#[test]
fn child_appender() {
    let (Ok(dir), Ok(seed)) = (std::env::var(DIR_VAR), std::env::var(SEED_VAR)) else {
        return;
    };
    let store = RocksStore::open(dir.as_ref(), &RocksOptions::default()).unwrap();
    let batch = BatchConfig {
        batch_budget: Duration::from_millis(1),
        ..BatchConfig::default()
    };
    let ledger = Ledger::open(store, log_key(), config(batch)).unwrap();
    let (creator, brand) = (key(1), key(3));
    let stop = Instant::now() + Duration::from_mins(1);
    let mut out = std::io::stdout().lock();
    let mut round = 0u64;
    while Instant::now() < stop {
        // A burst of registrations, then a grant on one of them.
        let contents: Vec<Vec<u8>> = (0..16)
            .map(|i| format!("seed {seed} round {round} item {i}").into_bytes())
            .collect();
        let pending: Vec<_> = contents
            .iter()
            .map(|c| {
                ledger
                    .enqueue(register(c, &[(&creator, 1_000_000)]))
                    .unwrap()
            })
            .collect();
        for p in pending {
            let (r, _) = p.blocking_recv().unwrap().unwrap();
            ack(&mut out, &r);
        }
        let g = grant(design_of(&contents[0]), &brand, &[&creator], Some(1000));
        let (r, _) = ledger.submit_blocking(g).unwrap();
        ack(&mut out, &r);
        round += 1;
    }
}

fn ack(out: &mut impl std::io::Write, r: &provenant_model::Receipt) {
    let cp = provenant_tlog::Checkpoint::parse(
        provenant_tlog::Note::parse(r.checkpoint.as_bytes())
            .unwrap()
            .text(),
    )
    .unwrap();
    writeln!(
        out,
        "ack {} {} {} {}",
        r.index,
        r.leaf_hash,
        cp.size.0,
        cp.root.to_hex()
    )
    .unwrap();
    out.flush().unwrap();
}

struct Ack {
    index: u64,
    leaf: Hash,
    size: u64,
    root: Hash,
}

fn parse_ack(line: &str) -> Option<Ack> {
    let mut p = line.strip_prefix("ack ")?.split(' ');
    Some(Ack {
        index: p.next()?.parse().ok()?,
        leaf: Hash::from_hex(p.next()?).ok()?,
        size: p.next()?.parse().ok()?,
        root: Hash::from_hex(p.next()?).ok()?,
    })
}

/// Runs one child and kills it after `after`; returns what it acknowledged.
fn run_child(dir: &std::path::Path, seed: u64, after: Duration) -> Vec<Ack> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_appender",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DIR_VAR, dir)
        .env(SEED_VAR, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| parse_ack(&l))
            .collect::<Vec<Ack>>()
    });
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap()
}

fn records<T: serde::de::DeserializeOwned>(store: &impl Read, table: Table) -> Vec<T> {
    store
        .scan(table, &[], None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).unwrap())
        .collect()
}

#[test]
fn sigkill_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<Ack> = Vec::new();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for cycle in 0..CYCLES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Kill at 150..650 ms: after start-up, somewhere under load.
        let after = Duration::from_millis(150 + x % 500);
        acked.extend(run_child(dir.path(), cycle, after));

        let started = Instant::now();
        let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
        let ledger = Ledger::open(store, log_key(), config(BatchConfig::default()))
            .unwrap_or_else(|e| panic!("cycle {cycle}: the store does not reopen: {e}"));
        let restart = started.elapsed();
        let head = ledger.head();

        // Every acknowledged entry is there, at its index.
        for a in &acked {
            let bytes = ledger.entry_bytes(a.index).unwrap();
            assert_eq!(
                hash_leaf(&bytes),
                a.leaf,
                "cycle {cycle}: entry {}",
                a.index
            );
        }
        // Every checkpoint handed out is consistent with the new head.
        for a in &acked {
            let (_, proof) = ledger.consistency_proof(a.size, None).unwrap();
            verify_consistency(TreeSize(a.size), head.size, &a.root, &head.root, &proof)
                .unwrap_or_else(|e| panic!("cycle {cycle}: checkpoint {} vs head: {e}", a.size));
        }
        // The state is exactly a replay of the entries.
        let leaves: Vec<Vec<u8>> = (0..head.size.0)
            .map(|i| ledger.entry_bytes(i).unwrap())
            .collect();
        // Replaying checks every state commitment against the map it
        // rebuilds; the stored map must be at the last one.
        let mut replay = Replay::new(vec![id(&key(250))], id(&log_key()));
        for (i, bytes) in leaves.iter().enumerate() {
            let entry = Entry::from_leaf_bytes(bytes).unwrap();
            replay
                .apply(&entry)
                .unwrap_or_else(|e| panic!("cycle {cycle}: entry {i} does not replay: {e}"));
        }
        let last = Entry::from_leaf_bytes(leaves.last().unwrap()).unwrap();
        let Payload::StateCommit(commit) = last.envelope.payload() else {
            panic!("cycle {cycle}: the log does not end with a state commitment");
        };
        assert_eq!(commit.size + 1, head.size.0, "cycle {cycle}");
        assert_eq!(
            ledger.state_root().unwrap(),
            commit.root,
            "cycle {cycle}: the stored map is at the last commitment"
        );
        assert_eq!(replay.root().unwrap(), commit.root, "cycle {cycle}");
        let replay = replay.state();
        let mut designs: Vec<DesignState> = ledger
            .store()
            .scan(Table::Designs, &[], None, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(k, v)| decode_design(DesignId(k.try_into().unwrap()), &v).unwrap())
            .collect();
        let mut expected: Vec<DesignState> = replay.designs().cloned().collect();
        designs.sort_by_key(|d| d.id);
        expected.sort_by_key(|d| d.id);
        assert_eq!(designs, expected, "cycle {cycle}: designs");
        let mut grants: Vec<GrantState> = records(ledger.store(), Table::Grants);
        let mut expected: Vec<GrantState> = replay.grants().cloned().collect();
        grants.sort_by_key(|g| g.id);
        expected.sort_by_key(|g| g.id);
        assert_eq!(grants, expected, "cycle {cycle}: grants");

        eprintln!(
            "cycle {cycle}: {} acknowledged so far, log size {}, reopened in {restart:?}",
            acked.len(),
            head.size
        );
        ledger.close();
    }
    assert!(
        acked.len() > 100,
        "the children appended too little to prove anything"
    );
}
