//! Faults against the real server process: SIGKILL under write load, again
//! and again, each restart followed by a full audit; and a disk that fills
//! up during writes and then frees.
//!
//! The full-disk test mounts a small tmpfs, so it needs root (CI runs as
//! root). Elsewhere it says why it skipped, unless
//! `PROVENANT_REQUIRE_FAULTS=1`, which makes a skip a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use provenant_api::{ConsistencyQuery, Problem};
use provenant_model::{Kind, LeafHash, Receipt};
use provenant_tlog::{Checkpoint, NoteVerifier, TreeSize};
use support::*;

/// What a writer was told: the receipt's index, leaf hash and checkpoint.
#[derive(Clone, Debug)]
struct Acked {
    index: u64,
    leaf_hash: LeafHash,
    checkpoint: String,
}

/// Submits registrations from `threads` writers until the server stops
/// answering, or (with `until_503`) refuses one, or `limit` each; returns
/// every receipt acknowledged.
fn write_until_gone(
    server: &Server,
    tag: &str,
    threads: u8,
    limit: u32,
    until_503: bool,
) -> Vec<Acked> {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let refused = AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..threads {
            let acked = Arc::clone(&acked);
            let refused = &refused;
            let url = server.url(SubmitEntry::ROUTE.path);
            s.spawn(move || {
                let client = reqwest::blocking::Client::new();
                for n in 0..limit {
                    if until_503 && refused.load(Ordering::Relaxed) {
                        return;
                    }
                    let content = format!("{tag}-{t}-{n}");
                    let env = register(content.as_bytes(), &[(&key(t + 1), 1_000_000)]);
                    let Ok(r) = client.post(&url).json(&env).send() else {
                        return;
                    };
                    let status = r.status().as_u16();
                    // A body cut short by the kill is no answer.
                    let Ok(body) = r.bytes() else { return };
                    let text = String::from_utf8_lossy(&body);
                    assert!(status == 201 || status == 503, "{status} {text}");
                    if status == 503 {
                        let Ok(p) = serde_json::from_slice::<Problem>(&body) else {
                            return;
                        };
                        assert_eq!(p.kind, problem("unavailable"), "{p:?}");
                        refused.store(true, Ordering::Relaxed);
                    } else {
                        let Ok(receipt) = serde_json::from_slice::<Receipt>(&body) else {
                            return;
                        };
                        acked.lock().unwrap().push(Acked {
                            index: receipt.index,
                            leaf_hash: receipt.leaf_hash,
                            checkpoint: receipt.checkpoint,
                        });
                    }
                }
            });
        }
    });
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

/// Every acknowledged receipt is in the log at its index, and the current
/// checkpoint is consistent with every checkpoint handed out.
fn check_nothing_lost(server: &Server, acked: &[Acked], origin: &str, verifier: &NoteVerifier) {
    let now = server.checkpoint(origin, verifier);
    for a in acked {
        let entry = server
            .try_get::<GetEntry>(&entry_path(a.index))
            .unwrap_or_else(|p| panic!("acknowledged entry {} is gone: {p:?}", a.index));
        assert_eq!(entry.index, a.index);
        assert_eq!(entry.leaf_hash, a.leaf_hash, "entry {}", a.index);
    }
    let mut seen: Vec<Checkpoint> = acked
        .iter()
        .map(|a| verified_checkpoint(&a.checkpoint, origin, verifier))
        .collect();
    seen.sort_by_key(|c| c.size);
    seen.dedup_by_key(|c| c.size);
    for old in seen {
        let proof = server.post::<ProveConsistency>(&ConsistencyQuery {
            from: old.size.0,
            to: Some(now.size.0),
        });
        proof
            .verify(&old, &now)
            .unwrap_or_else(|e| panic!("checkpoint {} is not extended: {e}", old.size.0));
    }
}

fn audit_full(server: &Server, state: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args([
            "audit",
            "--quiet",
            "--full",
            "--server",
            &server.base,
            "--state",
        ])
        .arg(state)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "audit --full: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn twenty_sigkills_under_load_lose_nothing_and_audit_clean() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut acked: Vec<Acked> = Vec::new();
    let mut restarts = Vec::new();
    let mut key_seen = None;
    for cycle in 0..20u64 {
        let started = Instant::now();
        let server = Server::start(data.path(), &[]);
        restarts.push(started.elapsed());
        let (origin, verifier) = server.log_key();
        assert_eq!(
            *key_seen.get_or_insert_with(|| verifier.to_text()),
            verifier.to_text()
        );
        check_nothing_lost(&server, &acked, &origin, &verifier);
        // Each batch was stored with its commitment, or not at all: a log
        // ends with one.
        if let Some(last) = kinds(&server).last() {
            assert_eq!(*last, Kind::StateCommit);
        }
        audit_full(&server, state.path());

        // Kill at a moment that varies from cycle to cycle.
        let pid = server.pid();
        let delay = Duration::from_millis(150 + (cycle * 7919) % 400);
        let killer = std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        });
        acked.extend(write_until_gone(
            &server,
            &format!("cycle{cycle}"),
            4,
            100_000,
            false,
        ));
        killer.join().unwrap();
        server.kill();
    }
    let server = Server::start(data.path(), &[]);
    let (origin, verifier) = server.log_key();
    check_nothing_lost(&server, &acked, &origin, &verifier);
    audit_full(&server, state.path());
    restarts.sort();
    eprintln!(
        "20 SIGKILL cycles: {} acknowledged entries, all present; log size {}; restart median {:?}, max {:?}",
        acked.len(),
        server.checkpoint(&origin, &verifier).size.0,
        restarts[restarts.len() / 2],
        restarts[restarts.len() - 1]
    );
    assert!(
        acked.len() > 100,
        "the writers got {} receipts",
        acked.len()
    );
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Mounted(PathBuf);

impl Mounted {
    fn tmpfs(at: &Path, size: &str) -> Option<Mounted> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mounted(at.to_owned()))
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Writes zeros to `path` until the filesystem is full (at most 1 GiB).
fn fill(path: &Path) {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 << 10];
    for _ in 0..(1 << 14) {
        if f.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = f.sync_all();
}

#[test]
fn a_full_disk_answers_503_keeps_reads_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mounted::tmpfs(dir.path(), "160m") else {
        assert!(
            std::env::var_os("PROVENANT_REQUIRE_FAULTS").is_none(),
            "cannot mount a tmpfs (not root?) and PROVENANT_REQUIRE_FAULTS is set"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let data = mount.0.join("data");
    let filler = mount.0.join("filler");
    {
        let server = Server::start(&data, &[]);
        let (origin, verifier) = server.log_key();
        let first = register(b"before the disk fills", &[(&key(1), 1_000_000)]);
        server.write(&first);
        fill(&filler);

        // Write until the disk refuses (RocksDB's WAL, preallocated at
        // 1.1 times the write buffer, takes tens of thousands first).
        let acked = write_until_gone(&server, "full", 8, 100_000, true);
        let refused = register(b"refused", &[(&key(3), 1_000_000)]);
        let p = server.refuse(&refused);
        assert_eq!(p.status, 503, "{p:?}");
        // The log holds the first entry and every acknowledged one, each
        // batch sealed by the log's commitment, and nothing else.
        let size = server.checkpoint(&origin, &verifier).size;
        let logged = kinds(&server);
        let commitments = logged.iter().filter(|k| **k == Kind::StateCommit).count();
        assert_eq!(logged.len() - commitments, 1 + acked.len());
        assert_eq!(
            logged.last(),
            Some(&Kind::StateCommit),
            "the last batch sealed"
        );
        assert_eq!(size, TreeSize(logged.len() as u64));

        // While full: more writes are refused, reads are served, and the
        // refused envelopes are nowhere in the log.
        for n in 0..20u32 {
            let env = register(
                format!("still full {n}").as_bytes(),
                &[(&key(3), 1_000_000)],
            );
            let r = server.submit(&env);
            assert_eq!(r.status().as_u16(), 503);
            assert!(r.headers().contains_key("retry-after"));
        }
        check_nothing_lost(&server, &acked, &origin, &verifier);
        assert_eq!(server.checkpoint(&origin, &verifier).size, size);
        server.get::<GetDesign>(&design_path(&design_of(b"before the disk fills")));
        let first_bundle = provenant_tlog::tile::Tile::entries(0, 1).unwrap();
        let r = server
            .client
            .get(server.url(&tile_path(&first_bundle)))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);

        // Space returns: RocksDB clears its error by itself once enough is
        // free, and the refused envelope is then logged after the last
        // acknowledged entry. Not always right after it: RocksDB's WAL is
        // preallocated, so the batch that first found the disk full may
        // have been stored while the signer's record (a new file) could
        // not be written. That batch was answered 503 and never published;
        // it is published before the next one (`docs/LEDGER.md`,
        // "Rollbacks"), so its envelopes, sent again, get their receipts.
        std::fs::remove_file(&filler).unwrap();
        let deadline = Instant::now() + Duration::from_mins(1);
        let receipt = loop {
            match server.try_write(&refused) {
                Ok(written) if written.created => break written.receipt,
                Ok(written) => panic!("already logged at {}", written.receipt.index),
                Err(p) => assert_eq!(p.status, 503, "{p:?}"),
            }
            assert!(
                Instant::now() < deadline,
                "writes did not resume within 60 s"
            );
            std::thread::sleep(Duration::from_millis(500));
        };
        let index = receipt.index;
        assert!(index >= size.0, "{index} < {}", size.0);
        assert!(
            index <= size.0 + 1025,
            "at most one batch (1,024 entries and its commitment) stored unpublished, not {}",
            index - size.0
        );
        check_nothing_lost(&server, &acked, &origin, &verifier);
        server.stop();
    }
    // And the store reopens whole.
    let server = Server::start(&data, &[]);
    let (origin, verifier) = server.log_key();
    let cp = server.checkpoint(&origin, &verifier);
    eprintln!("full disk: refused with 503, resumed at size {}", cp.size.0);
    server.stop();
}
