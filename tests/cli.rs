//! The command line end to end: the demo story against a fresh server, and
//! offline verification of receipts.

mod support;

use std::process::Command;

use provenant_api::verify_receipt;
use provenant_model::Receipt;
use provenant_testkit::designs;
use provenant_tlog::NoteVerifier;
use support::*;

fn provenant() -> Command {
    Command::new(env!("CARGO_BIN_EXE_provenant"))
}

#[test]
fn the_demo_story_runs_against_a_fresh_server() {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.sh"))
        .env("PROVENANT_BIN", env!("CARGO_BIN_EXE_provenant"))
        .env_remove("PROVENANT_SERVER")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("valid: entry 0"), "{stdout}");
    assert!(stdout.contains("denied: territory"), "{stdout}");
    assert!(stdout.contains("OK: "), "{stdout}");
}

#[test]
fn a_receipt_altered_in_any_byte_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (_, verifier) = server.log_key();
    let receipt = server.write(&register(b"dial", &[(&key(1), 1_000_000)]));
    let text = serde_json::to_string_pretty(&receipt).unwrap();
    let path = dir.path().join("receipt.json");
    std::fs::write(&path, &text).unwrap();

    let verify = |file: &std::path::Path| {
        provenant()
            .arg("verify")
            .arg(file)
            .args(["--log-key", &verifier.to_text()])
            .output()
            .unwrap()
    };
    let ok = verify(&path);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");

    // Every byte changed, checked through the library; a sample of them
    // through the binary too.
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut altered = bytes.to_vec();
        altered[i] ^= 0x01;
        let outcome = serde_json::from_slice::<Receipt>(&altered)
            .ok()
            .map(|r| verify_receipt(&r, &verifier));
        assert!(
            !matches!(outcome, Some(Ok(_))),
            "byte {i} ({:?}) altered and still valid",
            bytes[i] as char
        );
        if i % 97 == 0 {
            let file = dir.path().join("altered.json");
            std::fs::write(&file, &altered).unwrap();
            assert_eq!(verify(&file).status.code(), Some(1), "byte {i}");
        }
    }

    // Another log's key does not verify it either.
    let other = NoteVerifier::from_text(&verifier.to_text().replacen('A', "B", 1));
    if let Ok(other) = other {
        assert!(verify_receipt(&receipt, &other).is_err());
    }
}

#[test]
fn a_receipt_with_a_repeated_payload_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (_, verifier) = server.log_key();
    let receipt = server.write(&register(b"dial", &[(&key(1), 1_000_000)]));
    // A fake payload first, the real one second: a reader that keeps the
    // last member checks the real entry, a reader that keeps the first
    // shows the fake one.
    let text = serde_json::to_string(&receipt).unwrap();
    let fake = r#"{"title":"made by someone else"}"#;
    let forged = text.replacen(
        "\"payload\":",
        &format!("\"payload\":{fake},\"payload\":"),
        1,
    );
    assert_ne!(forged, text);
    let path = dir.path().join("forged.json");
    std::fs::write(&path, &forged).unwrap();
    let out = provenant()
        .arg("verify")
        .arg(&path)
        .args(["--log-key", &verifier.to_text()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("INVALID: not a receipt: the member \"payload\" appears twice"),
        "{stdout}"
    );
}

#[test]
fn an_exported_proof_bundle_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (origin, verifier) = server.log_key();
    let mut receipts = Vec::new();
    for i in 0..5u8 {
        receipts.push(server.write(&register(&[i], &[(&key(1), 1_000_000)])));
    }
    // The third write's entry, wherever the log's commitments put it.
    let index = receipts[2].index.to_string();
    let path = dir.path().join("proof.txt");
    let out = provenant()
        .args(["export-proof", &index, "--server", &server.base, "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bundle =
        provenant_tlog::bundle::ProofBundle::parse(&std::fs::read_to_string(&path).unwrap())
            .unwrap();
    let entry = receipts[2].leaf_bytes().unwrap();
    let checkpoint = bundle.verify(&entry, &origin, &verifier).unwrap();
    // Proven at the head: the five writes and their commitments.
    assert_eq!(checkpoint.size.0, size_after(5));
    // Another entry's bytes do not verify under it.
    let other = receipts[3].leaf_bytes().unwrap();
    assert!(bundle.verify(&other, &origin, &verifier).is_err());
}

/// Runs the binary against `server`: its exit code and standard output.
fn cli(server: &Server, args: &[&str]) -> (i32, String) {
    let out = provenant()
        .args(args)
        .args(["--server", &server.base])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() != Some(2), "{args:?}: {stdout}{stderr}");
    (out.status.code().unwrap_or(-1), stdout)
}

/// A key file for `key`, mode 0600 as the CLI demands.
fn key_file(dir: &std::path::Path, name: &str, key: &ed25519_dalek::SigningKey) -> String {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    std::fs::write(&path, pem.as_bytes()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn transfers_disputes_and_rotations_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let d = dir.path();
    let (alice, bob, rival, arbiter, heir) = (key(1), key(2), key(3), key(250), key(11));
    let files: Vec<String> = [
        ("alice.pem", &alice),
        ("bob.pem", &bob),
        ("rival.pem", &rival),
        ("arbiter.pem", &arbiter),
        ("heir.pem", &heir),
    ]
    .iter()
    .map(|(name, k)| key_file(d, name, k))
    .collect();
    let [alice_f, bob_f, rival_f, arbiter_f, heir_f] = &files[..] else {
        unreachable!()
    };
    let receipt = server.write(&register(b"dial", &[(&alice, 1_000_000)]));
    let design = design_of(b"dial").to_string();
    let draft = |name: &str| d.join(name).to_string_lossy().into_owned();
    let submit = |file: &str, signers: &[&String]| {
        for key in signers {
            assert_eq!(cli(&server, &["sign", file, "--key", key, "--yes"]).0, 0);
        }
        cli(&server, &["submit", file, "--json"])
    };

    // Alice gives Bob 40%, naming the registration as the latest
    // ownership entry.
    let t = draft("transfer.json");
    let prev = &receipt.leaf_hash.to_string();
    let from = format!("{}=40%", id(&alice));
    let to = id(&bob).to_string();
    let (code, out) = cli(
        &server,
        &[
            "transfer", "--design", &design, "--from", &from, "--to", &to, "--prev", prev, "--out",
            &t,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(submit(&t, &[alice_f, bob_f]).0, 0);
    let (_, shown) = cli(&server, &["design", "show", &design]);
    assert!(shown.contains(&format!("{} 40%", id(&bob))), "{shown}");

    dispute_and_dismiss(&server, d, &design, rival_f, arbiter_f);

    // Alice retires her key; her heir holds her 60%.
    let rotate = draft("rotate.json");
    let (code, out) = cli(
        &server,
        &[
            "key", "rotate", "--old", alice_f, "--new", heir_f, "--out", &rotate,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(submit(&rotate, &[alice_f, heir_f]).0, 0);
    let (_, shown) = cli(&server, &["design", "show", &design]);
    assert!(shown.contains(&format!("{} 60%", id(&heir))), "{shown}");
}

/// A rival disputes `design` and the arbiter dismisses the dispute, all
/// through the binary; a resolution signed by the rival is refused.
fn dispute_and_dismiss(
    server: &Server,
    d: &std::path::Path,
    design: &str,
    rival_f: &str,
    arbiter_f: &str,
) {
    let draft = |name: &str| d.join(name).to_string_lossy().into_owned();
    let submit = |file: &str, key: &str| {
        assert_eq!(cli(server, &["sign", file, "--key", key, "--yes"]).0, 0);
        cli(server, &["submit", file, "--json"])
    };
    // A rival disputes it: checks are denied; the arbiter dismisses it.
    let evidence = draft("evidence.txt");
    std::fs::write(&evidence, "my 2019 sketch").unwrap();
    let raise = draft("raise.json");
    let claim = [
        "dispute",
        "raise",
        "--design",
        design,
        "--claim",
        "copied",
        "--evidence",
    ];
    assert_eq!(
        cli(
            server,
            &[&claim[..], &[&evidence, "--out", &raise]].concat()
        )
        .0,
        0
    );
    let (_, raised) = submit(&raise, rival_f);
    let dispute_id = raised
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"id\": \""))
        .unwrap()
        .trim_end_matches(['"', ','])
        .to_owned();
    let (_, shown) = cli(server, &["design", "show", design]);
    assert!(shown.contains("disputes  1 blocking"), "{shown}");
    let resolve = draft("resolve.json");
    let resolution = [
        "dispute",
        "resolve",
        "--dispute",
        &dispute_id,
        "--outcome",
        "dismissed",
    ];
    assert_eq!(
        cli(server, &[&resolution[..], &["--out", &resolve]].concat()).0,
        0
    );
    // Signed by the rival instead of an arbiter: refused, naming the rule.
    let forged = draft("forged.json");
    std::fs::copy(&resolve, &forged).unwrap();
    assert_eq!(
        cli(server, &["sign", &forged, "--key", rival_f, "--yes"]).0,
        0
    );
    let refused = provenant()
        .args(["submit", &forged, "--server", &server.base])
        .output()
        .unwrap();
    // Exit 3: refused by the server, with the problem's type and title.
    assert_eq!(refused.status.code(), Some(3));
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        why.contains("refused: the server refused the request (403 Forbidden)")
            && why.contains("type:   https://provenant.dev/problems/not-arbiter"),
        "{why}"
    );
    assert_eq!(submit(&resolve, arbiter_f).0, 0);
    let (_, shown) = cli(server, &["design", "show", design]);
    assert!(shown.contains("disputes  0 blocking"), "{shown}");
}

/// A licensed design shown, checked, and checked again once an ancestor is
/// disputed: every answer the CLI gets proves each entry it names (the
/// grants of `design show`, the ancestor's dispute of `license check`), or
/// the CLI would refuse it.
#[test]
fn a_licensed_design_and_its_disputed_ancestor_through_the_command_line() {
    use provenant_model::Kind;
    use provenant_testkit::{envelope, terms};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let (alice, bob, brand, rival) = (key(1), key(2), key(3), key(4));
    // Alice's sketch; Bob derives a charm from it under Alice's grant, and
    // licenses the charm to a brand.
    server.write(&register(b"sketch", &[(&alice, 1_000_000)]));
    let sketch = design_of(b"sketch");
    let to_bob = provenant_testkit::grant(sketch, &bob, &[&alice], &terms());
    server.write(&to_bob);
    let mut charm = register(b"charm", &[(&bob, 1_000_000)])
        .payload_json()
        .clone();
    charm["parents"] = serde_json::json!([{"design": sketch, "grant": grant_id(&to_bob)}]);
    server.write(&envelope(Kind::DesignRegister, charm, &[&bob]));
    let charm = design_of(b"charm").to_string();
    let to_brand = provenant_testkit::grant(design_of(b"charm"), &brand, &[&bob], &terms());
    server.write(&to_brand);

    let (code, shown) = cli(&server, &["design", "show", &charm]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("grants    1"), "{shown}");
    assert!(shown.contains("disputes  0 blocking"), "{shown}");
    let brand_id = id(&brand).to_string();
    let check = [
        "license",
        "check",
        "--design",
        &charm,
        "--licensee",
        &brand_id,
        "--territory",
        "FR",
        "--channel",
        "online",
        "--category",
        "footwear",
        "--date",
        "2025-07-01T00:00:00Z",
    ];
    let (code, allowed) = cli(&server, &check);
    assert_eq!(code, 0, "{allowed}");
    assert!(allowed.starts_with("allowed under grant"), "{allowed}");

    // A rival disputes Alice's sketch: the charm's check is denied, and the
    // answer names (and proves) the sketch's dispute.
    let raise = envelope(
        Kind::DisputeRaise,
        serde_json::json!({"design": sketch, "claim": "copied", "evidence": "ab".repeat(32)}),
        &[&rival],
    );
    server.write(&raise);
    let (code, denied) = cli(&server, &check);
    assert_eq!(code, 1, "{denied}");
    let cited = format!("dispute {} on design {sketch}, 1 blocking it", raise.id());
    assert!(denied.starts_with("denied: ancestor-disputed"), "{denied}");
    assert!(denied.contains(&cited), "{denied}");
    let (code, shown) = cli(&server, &["design", "show", &sketch.to_string()]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("disputes  1 blocking"), "{shown}");
}

/// `sign` shows what it approves and does not sign blind: with no terminal
/// to answer on and no `--yes` it refuses and leaves the file as it was.
#[test]
fn sign_shows_the_shares_and_refuses_without_a_terminal_or_yes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (alice, bob) = (key(1), key(2));
    let alice_f = key_file(d, "alice.pem", &alice);
    let art = d.join("charm.png");
    std::fs::write(
        &art,
        designs::file(&designs::design(1), designs::Edit::Original),
    )
    .unwrap();
    let draft = d.join("charm.json");
    let made = provenant()
        .args(["design", "draft"])
        .arg(&art)
        .args(["--title", "Shoe charm", "--creator"])
        .arg(format!("{}=60%", id(&alice)))
        .arg("--creator")
        .arg(format!("{}=40%", id(&bob)))
        .arg("--out")
        .arg(&draft)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let unsigned = std::fs::read(&draft).unwrap();
    let sign = |extra: &[&str]| {
        provenant()
            .arg("sign")
            .arg(&draft)
            .args(["--key", &alice_f])
            .args(extra)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };

    let refused = sign(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not signed: standard input is not a terminal") && stderr.contains("--yes"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&draft).unwrap(),
        unsigned,
        "the draft changed"
    );

    let signed = sign(&["--yes"]);
    let stderr = String::from_utf8_lossy(&signed.stderr);
    assert_eq!(signed.status.code(), Some(0), "{stderr}");
    for part in [
        format!("You are about to sign as {}", id(&alice)),
        "design.register".to_owned(),
        "title         Shoe charm".to_owned(),
        format!("creator       {} 60% (", id(&alice)),
        format!("creator       {} 40% (", id(&bob)),
        "threshold     100% of the ownership".to_owned(),
    ] {
        assert!(stderr.contains(&part), "{part:?} in\n{stderr}");
    }
    let env = provenant_model::Envelope::from_json(&std::fs::read(&draft).unwrap()).unwrap();
    assert_eq!(env.signatures().len(), 1);
    assert_eq!(env.signatures()[0].key, id(&alice));
}

/// A ledger that refuses an envelope: the binary exits 3 and prints the
/// problem's type, title, detail and field; nothing is retried.
#[test]
fn a_refused_submit_exits_3_and_prints_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    // Shares that sum to 60%: the ledger's rule refuses it.
    let bad = register(b"half", &[(&key(1), 600_000)]);
    let file = dir.path().join("bad.json");
    std::fs::write(&file, serde_json::to_string(&bad.to_value()).unwrap()).unwrap();
    let out = provenant()
        .args(["submit", "--server", &server.base])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    // With --json, the problem document on standard output too.
    let json = provenant()
        .args(["submit", "--json", "--server", &server.base])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(3));
    let failure: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(failure["error"], "refused");
    assert_eq!(
        failure["problem"]["type"],
        "https://provenant.dev/problems/shares-sum"
    );
    for part in [
        "refused: the server refused the request (422 Unprocessable Entity)",
        "type:   https://provenant.dev/problems/shares-sum",
        "title:  ",
        "detail: ",
        "field:  ",
        "creators",
    ] {
        assert!(stderr.contains(part), "{part:?} in {stderr}");
    }
}

/// A server that stays busy: the binary asks again (5 times in all, as
/// Retry-After: 0 allows at once), then exits 4 saying the server is busy
/// and that it retried.
#[test]
fn a_server_that_stays_busy_is_retried_then_exits_4() {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = std::thread::spawn(move || {
        let mut served = 0;
        // One more than the CLI's cap: the CLI must stop by itself.
        for _ in 0..5 {
            let Ok((stream, _)) = listener.accept() else {
                break;
            };
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            served += 1;
            let body = r#"{"type":"https://provenant.dev/problems/overloaded","title":"Service unavailable","status":503,"detail":"the write queue is full"}"#;
            let _ = write!(
                &stream,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        served
    });
    let out = provenant()
        .args(["log", "--server", &base])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("unavailable: the server is busy")
            && stderr.contains("overloaded")
            && stderr.contains("sent 5 time(s)"),
        "{stderr}"
    );
    assert_eq!(served.join().unwrap(), 5);
}

/// Nothing listens at the address: exit 4, not a refusal.
#[test]
fn a_server_out_of_reach_exits_4() {
    let base = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let out = provenant()
        .args(["log", "--server", &base])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
}

/// `royalty split` and `royalty statement` take no policy: each link pays
/// under its own grant's, here a mixed chain A <-(LRP 5%) B <-(LAP 10%) C,
/// where C's 1000 pay B 100 (from C) and A 5 (from B's 100).
#[test]
fn royalties_through_the_command_line_follow_each_grants_policy() {
    use provenant_model::Kind;
    use provenant_testkit::{envelope, terms};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let (alice, bob, carol) = (key(1), key(2), key(3));
    let derive = |parent: &[u8], owner: &ed25519_dalek::SigningKey, child: &[u8], policy| {
        let mut t = terms();
        t["royalty"] = serde_json::json!({"policy": policy, "rev_share_ppm": if policy == "LRP" { 50_000 } else { 100_000 }});
        let parent_owner = if parent == b"A" { &alice } else { &bob };
        let g = provenant_testkit::grant(design_of(parent), owner, &[parent_owner], &t);
        server.write(&g);
        let mut p = register(child, &[(owner, 1_000_000)])
            .payload_json()
            .clone();
        p["parents"] = serde_json::json!([{"design": design_of(parent), "grant": grant_id(&g)}]);
        server.write(&envelope(Kind::DesignRegister, p, &[owner]));
    };
    server.write(&register(b"A", &[(&alice, 1_000_000)]));
    derive(b"A", &bob, b"B", "LRP");
    derive(b"B", &carol, b"C", "LAP");
    let c = design_of(b"C").to_string();

    let (code, split) = cli(
        &server,
        &["royalty", "split", "--design", &c, "--amount", "1000"],
    );
    assert_eq!(code, 0, "{split}");
    for (who, amount) in [(&alice, 5), (&bob, 95), (&carol, 900)] {
        let line = format!("  {} {amount}", id(who));
        assert!(split.contains(&line), "{line} in {split}");
    }
    let sales = dir.path().join("sales.csv");
    std::fs::write(
        &sales,
        format!("design,amount_minor,currency\n{c},1000,EUR\n{c},2000,EUR\n"),
    )
    .unwrap();
    let (code, statement) = cli(&server, &["royalty", "statement", &sales.to_string_lossy()]);
    assert_eq!(code, 0, "{statement}");
    assert!(
        statement.contains(&format!("{}, EUR, 15", id(&alice))),
        "{statement}"
    );
    assert!(
        statement.contains(&format!("{}, EUR, 2700", id(&carol))),
        "{statement}"
    );

    // The policy is no longer a choice: the flag is gone.
    let out = provenant()
        .args([
            "royalty", "split", "--design", &c, "--amount", "1000", "--policy", "LAP",
        ])
        .args(["--server", &server.base])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--policy"));
}

/// Several files go in one batch: each is logged or refused on its own,
/// every receipt is verified and saved beside its file, and one refusal
/// makes the command exit 3 without losing the others.
#[test]
fn submit_sends_many_files_in_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let mut files = Vec::new();
    for i in 0..5u32 {
        // The third one's shares sum to 60%: refused.
        let share = if i == 2 { 600_000 } else { 1_000_000 };
        let env = register(format!("charm {i}").as_bytes(), &[(&key(1), share)]);
        let file = dir.path().join(format!("charm-{i}.json"));
        std::fs::write(&file, serde_json::to_string(&env.to_value()).unwrap()).unwrap();
        files.push(file);
    }
    let out = provenant()
        .args(["submit", "--json", "--server", &server.base])
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["refused"], 1, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(
        results[2]["problem"]["type"],
        "https://provenant.dev/problems/shares-sum"
    );
    let (_, verifier) = server.log_key();
    for (i, file) in files.iter().enumerate() {
        let saved = file.with_extension("receipt.json");
        assert_eq!(saved.exists(), i != 2, "{}", saved.display());
        if i != 2 {
            let receipt: Receipt = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
            verify_receipt(&receipt, &verifier).unwrap();
        }
    }
    // Again: all four already in the log, nothing new.
    let size = server.log_info().size;
    let again = provenant()
        .args(["submit", "--server", &server.base])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&again.stdout);
    let again_lines = text
        .lines()
        .filter(|l| l.starts_with("design.register already in the log"));
    assert_eq!(again_lines.count(), 4, "{text}");
    assert_eq!(server.log_info().size, size);
}

/// `design show` of a design nobody registered answers "no" (exit 1) only
/// with the log's proof that no design has the id (on a fresh log too); of
/// a registered one, it
/// checks the title and creators against the registration entry.
#[test]
fn design_show_proves_a_design_unregistered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let unknown = design_of(b"nobody registered this").to_string();
    // A log with no entry yet: its checkpoint of size 0 is the proof.
    let (code, shown) = cli(&server, &["design", "show", &unknown]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("verified down to the log key at size 0"),
        "{shown}"
    );
    server.write(&register(b"dial", &[(&key(1), 1_000_000)]));
    let (code, shown) = cli(
        &server,
        &["design", "show", &design_of(b"dial").to_string()],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("title     A shoe charm"), "{shown}");
    let (code, shown) = cli(&server, &["design", "show", &unknown]);
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.starts_with(&format!("design {unknown} is not registered")),
        "{shown}"
    );
    assert!(shown.contains("verified down to the log key"), "{shown}");
}
