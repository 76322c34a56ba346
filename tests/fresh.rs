//! Fresh answers (issue 23), with the real binary and a replaying proxy on
//! loopback: a client that has seen the log grow refuses an answer
//! recorded before a usage record, a transfer, a revocation or a dispute
//! (license check, design show, royalty split) unless it allows stale
//! answers; a fork shown to one client is
//! reported with both checkpoints; concurrent processes sharing one memory
//! never corrupt it.

mod support;

use std::path::Path;
use std::process::Command;

use provenant_model::Kind;
use serde_json::json;
use support::replay::{Mode, Replayer};
use support::*;

const DATE: &str = "2026-06-01T00:00:00Z";

/// Runs the CLI against `base` with the memory in `state`: exit code and
/// everything it printed.
fn cli(base: &str, state: &Path, args: &[&str]) -> (i32, String) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--server".as_ref(), base.as_ref()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    all.extend(["--state".as_ref(), state.as_os_str()]);
    run_provenant(&all)
}

#[test]
fn a_replayed_answer_from_before_a_change_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let state = dir.path().join("memory");
    let (alice, brand, carol, claimant) = (key(1), key(2), key(3), key(4));
    let reg = register(b"shoe charm", &[(&alice, 1_000_000)]);
    let registered = server.write(&reg).leaf_hash;
    let charm = design_of(b"shoe charm");
    let design = charm.to_string();
    let g = grant(charm, &brand, &[&alice], &[]);
    server.write(&g);
    let brand_id = id(&brand).to_string();
    let check: Vec<&str> = vec![
        "license",
        "check",
        "--design",
        &design,
        "--licensee",
        &brand_id,
        "--territory",
        "FR",
        "--channel",
        "online",
        "--category",
        "accessories",
        "--date",
        DATE,
    ];
    let show = ["design", "show", design.as_str()];
    let split = [
        "royalty",
        "split",
        "--design",
        design.as_str(),
        "--amount",
        "1000",
    ];
    let questions = [&check[..], &show[..], &split[..]];

    // Each change in turn: a usage record, a transfer, a revocation, a
    // dispute. Before it, the proxy records the three answers; after it,
    // the client sees the log grow (straight from the server), and the
    // replayed answers are refused as stale.
    let changes = [
        provenant_testkit::envelope(
            Kind::UsageRecord,
            json!({"grant": grant_id(&g), "quantity": 10, "territory": "FR", "channel": "online",
                   "category": "accessories", "batch_ref": "run-1"}),
            &[&brand],
        ),
        provenant_testkit::envelope(
            Kind::OwnershipTransfer,
            json!({"design": charm, "from": [{"key": id(&alice).to_string(), "share_ppm": 100_000}],
                   "to": id(&carol).to_string(), "prev": registered}),
            &[&alice, &carol],
        ),
        provenant_testkit::envelope(
            Kind::LicenseRevoke,
            json!({"grant": grant_id(&g), "reason": "unpaid minting fee"}),
            &[&alice, &carol],
        ),
        provenant_testkit::envelope(
            Kind::DisputeRaise,
            json!({"design": charm, "claim": "copied from my sketchbook", "evidence": "ab".repeat(32)}),
            &[&claimant],
        ),
    ];
    let proxy = Replayer::start(&server.base);
    for change in &changes {
        proxy.set(Mode::Record);
        for args in questions {
            let (code, out) = cli(&proxy.base, &state, args);
            assert!(code == 0 || code == 1, "{args:?}: {out}");
        }
        server.write(change);
        let (code, out) = cli(&server.base, &state, &show);
        assert_eq!(code, 0, "the client sees the log grow: {out}");
        proxy.set(Mode::Replay);
        for args in questions {
            let (code, out) = cli(&proxy.base, &state, args);
            assert_eq!(
                code,
                2,
                "{} replayed after a {}: {out}",
                args[0],
                change.kind()
            );
            assert!(out.contains("stale"), "{args:?}: {out}");
        }
        assert_eq!(proxy.replayed(), 3);
    }

    // Allowed, an old answer is shown as stale, and still checked against
    // the memory (it is a prefix of the log verified since).
    let mut allowed = check.clone();
    allowed.push("--allow-stale");
    let (code, out) = cli(&proxy.base, &state, &allowed);
    assert!(code == 0 || code == 1, "{out}");
    assert!(out.contains("STALE (allowed)"), "{out}");

    // A client with no memory of the log has nothing to hold the replay to:
    // that is what a witness policy with a maximum age is for
    // (`tests/witnessed.rs`).
    let (code, out) = cli(&proxy.base, &dir.path().join("new memory"), &check);
    assert!(code == 0 || code == 1, "{out}");
    assert!(!out.contains("stale"), "{out}");
}

#[test]
fn a_fork_shown_to_one_client_is_reported_with_both_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let honest = Server::start(&data, &[]);
    let fork_data = dir.path().join("fork");
    std::fs::create_dir_all(&fork_data).unwrap();
    std::fs::copy(data.join("log-key.pem"), fork_data.join("log-key.pem")).unwrap();
    let fork = Server::start(&fork_data, &[]);
    assert_eq!(honest.log_key().1, fork.log_key().1);

    let alice = key(1);
    honest.write(&register(b"dial", &[(&alice, 1_000_000)]));
    fork.write(&register(b"another dial", &[(&alice, 1_000_000)]));
    let state = dir.path().join("memory");
    let key_text = honest.log_key().1.to_text();
    let dial = design_of(b"dial").to_string();
    let other = design_of(b"another dial").to_string();
    let (code, out) = cli(
        &honest.base,
        &state,
        &["design", "show", &dial, "--log-key", &key_text],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(
        &fork.base,
        &state,
        &["design", "show", &other, "--log-key", &key_text],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("fork:"), "{out}");
    let honest_note = honest.text("/checkpoint");
    let fork_note = fork.text("/checkpoint");
    assert!(out.contains(honest_note.trim_end()), "{out}");
    assert!(out.contains(fork_note.trim_end()), "{out}");

    // The fork grows past the remembered size: no consistency proof
    // exists, and that is a fork too.
    fork.write(&register(b"a third dial", &[(&alice, 1_000_000)]));
    let (code, out) = cli(
        &fork.base,
        &state,
        &["design", "show", &other, "--log-key", &key_text],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("fork:"), "{out}");
}

#[test]
fn concurrent_processes_share_one_memory_without_corrupting_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let state = dir.path().join("memory");
    let alice = key(1);
    server.write(&register(b"first", &[(&alice, 1_000_000)]));
    let design = design_of(b"first").to_string();
    let show = |state: &Path| {
        Command::new(env!("CARGO_BIN_EXE_provenant"))
            .args([
                "--server",
                &server.base,
                "design",
                "show",
                &design,
                "--state",
            ])
            .arg(state)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Sixteen processes at once on one memory while the log grows.
    let mut running = Vec::new();
    for i in 0..16u8 {
        running.push(show(&state));
        if i % 4 == 0 {
            server.write(&register(&[b'x', i], &[(&alice, 1_000_000)]));
        }
    }
    for child in running {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let last = show(&state).wait_with_output().unwrap();
    assert!(last.status.success());
    let files: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "checkpoint"))
        .collect();
    assert_eq!(files.len(), 1);
    let remembered = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(
        remembered,
        server.text("/checkpoint"),
        "the memory holds the log's latest"
    );
}
