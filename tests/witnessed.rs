//! A log witnessed by three `provenant witness` processes under a 2-of-3
//! policy, all real processes on loopback (issue 20, tests 1 and 2):
//!
//! - writes get cosigned; with one witness down the quorum holds; with two
//!   down `witnessed` stalls while writes go on; restarted, they catch up,
//!   and a receipt from the stall is lifted to a witnessed checkpoint;
//! - a second log with the same key and origin but another history (a
//!   fork) is refused by every witness, its alarm metric fires, and no
//!   client holding the policy accepts its checkpoints.

mod support;

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use provenant_api::witnessed::{verify_receipt_with_policy, verify_witnessed};
use provenant_api::{Upgrade, VerifyError};
use provenant_model::Receipt;
use provenant_tlog::{Checkpoint, Note, Policy};
use support::*;

/// A `provenant witness` process, killed when dropped.
struct Witness {
    child: Child,
    vkey: String,
}

impl Witness {
    fn start(data: &Path, name: &str, port: u16, log_vkey: &str) -> Witness {
        let mut child = Command::new(env!("CARGO_BIN_EXE_provenant"))
            .args(["witness", "--name", name, "--log", log_vkey])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the provenant binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let listening = lines.next().unwrap().unwrap();
        assert!(listening.starts_with("listening on "), "{listening}");
        let key = lines.next().unwrap().unwrap();
        let vkey = key
            .strip_prefix("witness key ")
            .expect("a key line")
            .to_owned();
        Witness { child, vkey }
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Three witnesses of the log whose key is `log_vkey`, and the 2-of-3
/// policy naming them, written to `dir/policy`.
struct Quorum {
    witnesses: Vec<Option<Witness>>,
    ports: Vec<u16>,
    dirs: Vec<PathBuf>,
    log_vkey: String,
    policy_file: PathBuf,
    policy: Policy,
}

impl Quorum {
    fn start(dir: &Path, log_vkey: &str) -> Quorum {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let dirs: Vec<PathBuf> = (1..=3).map(|i| dir.join(format!("w{i}"))).collect();
        let witnesses: Vec<Option<Witness>> = (0..3)
            .map(|i| Some(Witness::start(&dirs[i], &name(i), ports[i], log_vkey)))
            .collect();
        let mut text = format!("log {log_vkey}\n");
        for (i, w) in witnesses.iter().enumerate() {
            let vkey = &w.as_ref().unwrap().vkey;
            let port = ports[i];
            writeln!(text, "witness w{} {vkey} http://127.0.0.1:{port}", i + 1).unwrap();
        }
        text += "group two-of-three 2 w1 w2 w3\nquorum two-of-three\n";
        let policy_file = dir.join("policy");
        std::fs::write(&policy_file, &text).unwrap();
        Quorum {
            witnesses,
            ports,
            dirs,
            log_vkey: log_vkey.to_owned(),
            policy_file,
            policy: Policy::parse(text.as_bytes()).unwrap(),
        }
    }

    fn kill(&mut self, i: usize) {
        self.witnesses[i] = None;
    }

    fn restart(&mut self, i: usize) {
        let w = Witness::start(&self.dirs[i], &name(i), self.ports[i], &self.log_vkey);
        self.witnesses[i] = Some(w);
    }
}

fn name(i: usize) -> String {
    format!("witness.test/w{}", i + 1)
}

/// The log key a fresh data directory's server gets, read by starting it
/// once.
fn log_vkey_of(data: &Path) -> String {
    let server = Server::start(data, &[]);
    let vkey = server.log_key().1.to_text();
    server.stop();
    vkey
}

fn serve_witnessed(data: &Path, policy: &Path, extra: &[&str]) -> Server {
    let mut args = vec![
        "--witness-policy",
        policy.to_str().unwrap(),
        "--witness-interval",
        "1",
    ];
    args.extend_from_slice(extra);
    Server::start(data, &args)
}

/// `POST /v1/entries?wait=witnessed`: the status and the receipt.
fn write_witnessed(server: &Server, n: u8) -> (u16, Receipt) {
    let env = register(format!("witnessed {n}").as_bytes(), &[(&key(n), 1_000_000)]);
    let r = server
        .client
        .post(server.url("/v1/entries?wait=witnessed"))
        .json(&env)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap())
}

fn size_of(note: &str) -> u64 {
    Checkpoint::parse(Note::parse(note.as_bytes()).unwrap().text())
        .unwrap()
        .size
        .0
}

/// The latest witnessed checkpoint's size, or 0 while there is none.
fn witnessed_size(server: &Server) -> u64 {
    let r = server
        .client
        .get(server.url("/v1/checkpoint/witnessed"))
        .send()
        .unwrap();
    if r.status() == 404 {
        return 0;
    }
    size_of(&r.text().unwrap())
}

/// Polls until the witnessed size reaches `size`, for at most 20 s.
fn wait_witnessed(server: &Server, size: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if witnessed_size(server) >= size {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// `provenant verify --policy` on `receipt`, asking `server` to lift it.
fn cli_verify(dir: &Path, policy: &Path, receipt: &Receipt, server: &Server) -> Output {
    let file = dir.join("receipt.json");
    std::fs::write(&file, serde_json::to_vec(receipt).unwrap()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["--server", &server.base, "verify"])
        .arg(&file)
        .arg("--policy")
        .arg(policy)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_two_of_three_quorum_holds_stalls_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_vkey = log_vkey_of(&data);
    let mut quorum = Quorum::start(dir.path(), &log_vkey);
    let server = serve_witnessed(&data, &quorum.policy_file, &[]);

    // A write that waits comes back proven under a witnessed checkpoint,
    // cosigned by all three, and verifies offline with the policy alone.
    let (status, receipt) = write_witnessed(&server, 1);
    assert_eq!(status, 201);
    let (_, lifted) = verify_receipt_with_policy(&receipt, &quorum.policy, None).unwrap();
    assert!(lifted.size.0 > receipt.index);
    let cosigned = quorum
        .policy
        .cosigned(&Note::parse(receipt.checkpoint.as_bytes()).unwrap())
        .unwrap();
    assert_eq!(cosigned.len(), 3);
    let out = cli_verify(dir.path(), &quorum.policy_file, &receipt, &server);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("witnessed by w1, w2, w3"),
        "{}",
        text(&out)
    );
    // `GET /checkpoint` serves the head with the cosignatures collected.
    let head = server.text("/checkpoint");
    if size_of(&head) == lifted.size.0 {
        verify_witnessed(&head, &quorum.policy).unwrap();
    }

    // One witness down: the quorum holds.
    quorum.kill(2);
    let (status, receipt) = write_witnessed(&server, 2);
    assert_eq!(status, 201);
    verify_receipt_with_policy(&receipt, &quorum.policy, None).unwrap();

    // Two down: writes go on, `witnessed` stalls, and a write that waits
    // gets 202 and the log-signed receipt after its bound (5 s here).
    quorum.kill(1);
    let stalled_at = witnessed_size(&server);
    let stalled = server.write(&register(b"during the stall", &[(&key(9), 1_000_000)]));
    let (status, waited) = write_witnessed(&server, 3);
    assert_eq!(status, 202);
    assert!(matches!(
        verify_receipt_with_policy(&waited, &quorum.policy, None),
        Err(VerifyError::NotWitnessed(_))
    ));
    assert_eq!(witnessed_size(&server), stalled_at);
    let out = cli_verify(dir.path(), &quorum.policy_file, &stalled, &server);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // Restarted on their old state, they catch up; the receipt from the
    // stall is lifted with a consistency proof.
    quorum.restart(1);
    quorum.restart(2);
    assert!(
        wait_witnessed(&server, waited.index + 1),
        "the witnessed checkpoint did not catch up"
    );
    let out = cli_verify(dir.path(), &quorum.policy_file, &stalled, &server);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("lifted to size"), "{}", text(&out));

    // An auditor holding the policy audits the witnessed checkpoint.
    let audit = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["--server", &server.base, "audit", "--quiet", "--full"])
        .arg("--state")
        .arg(dir.path().join("audit"))
        .arg("--policy")
        .arg(&quorum.policy_file)
        .output()
        .unwrap();
    assert!(audit.status.success(), "{}", text(&audit));
    assert!(
        text(&audit).contains("witnessed: cosigned by"),
        "{}",
        text(&audit)
    );

    let metrics = server.text("/metrics");
    assert!(metrics.contains("provenant_witness_cosignatures_total{witness=\"w1\"}"));
    assert!(
        !metrics.contains("provenant_witness_alarms_total{"),
        "{metrics}"
    );

    // The witnesses stop; the log grows; a plain audit records its head.
    // Audited with the policy again, the witnessed checkpoint is behind
    // that record: a prefix of it, not a log that shrank.
    for i in 0..3 {
        quorum.kill(i);
    }
    server.write(&register(b"after the witnesses", &[(&key(8), 1_000_000)]));
    let audit = |policy: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provenant"));
        command
            .args(["--server", &server.base, "audit", "--quiet", "--state"])
            .arg(dir.path().join("audit"));
        if policy {
            command.arg("--policy").arg(&quorum.policy_file);
        }
        command.output().unwrap()
    };
    let plain = audit(false);
    assert!(plain.status.success(), "{}", text(&plain));
    let again = audit(true);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("prefix of the one verified before"),
        "{}",
        text(&again)
    );
}

#[test]
fn a_fork_is_refused_by_every_witness_and_by_every_policy_client() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_vkey = log_vkey_of(&data);
    let quorum = Quorum::start(dir.path(), &log_vkey);
    let honest = serve_witnessed(&data, &quorum.policy_file, &[]);
    let (status, _) = write_witnessed(&honest, 1);
    assert_eq!(status, 201);
    let (status, _) = write_witnessed(&honest, 2);
    assert_eq!(status, 201);

    // The same key and origin, a fresh store: another history.
    let fork_data = dir.path().join("fork");
    std::fs::create_dir_all(&fork_data).unwrap();
    std::fs::copy(data.join("log-key.pem"), fork_data.join("log-key.pem")).unwrap();
    let fork = serve_witnessed(&fork_data, &quorum.policy_file, &[]);
    assert_eq!(fork.log_key().1.to_text(), log_vkey);
    let forked = fork.write(&register(b"another history", &[(&key(7), 1_000_000)]));

    // Every witness refuses it: the alarm fires for each, within a few
    // rounds, and nothing is witnessed.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut metrics = String::new();
    while Instant::now() < deadline {
        metrics = fork.text("/metrics");
        if (1..=3)
            .all(|i| metrics.contains(&format!("provenant_witness_alarms_total{{witness=\"w{i}\"")))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for i in 1..=3 {
        assert!(
            metrics.contains(&format!("provenant_witness_alarms_total{{witness=\"w{i}\"")),
            "w{i}: {metrics}"
        );
    }
    assert_eq!(witnessed_size(&fork), 0);
    assert!(verify_witnessed(&fork.text("/checkpoint"), &quorum.policy).is_err());

    // No client with the policy accepts the fork's receipt: not offline,
    // not lifted by the fork (nothing witnessed), and not by the honest
    // log's witnessed checkpoint (no consistency proof exists).
    assert!(verify_receipt_with_policy(&forked, &quorum.policy, None).is_err());
    let out = cli_verify(dir.path(), &quorum.policy_file, &forked, &fork);
    assert!(!out.status.success(), "{}", text(&out));
    let honest_witnessed = honest.text("/v1/checkpoint/witnessed");
    let size = Checkpoint::parse(Note::parse(forked.checkpoint.as_bytes()).unwrap().text())
        .unwrap()
        .size;
    let (_, proof) = honest.get_json(&format!(
        "/v1/proofs/consistency?from={}&to={}",
        size.0,
        size_of(&honest_witnessed)
    ));
    let lifted = Upgrade {
        witnessed: honest_witnessed,
        consistency: Some(serde_json::from_value(proof).unwrap()),
    };
    assert!(verify_receipt_with_policy(&forked, &quorum.policy, Some(&lifted)).is_err());
    let out = cli_verify(dir.path(), &quorum.policy_file, &forked, &honest);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

/// `license check` with `--witness-policy --max-age`, through `base`, with the
/// memory in `state`: exit code and output.
fn check_fresh(
    base: &str,
    state: &Path,
    policy: &Path,
    max_age: &str,
    design: &str,
    licensee: &str,
) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["--server", base, "license", "check", "--design", design])
        .args([
            "--licensee",
            licensee,
            "--territory",
            "FR",
            "--channel",
            "online",
        ])
        .args([
            "--category",
            "accessories",
            "--date",
            "2026-06-01T00:00:00Z",
        ])
        .args(["--max-age", max_age, "--state"])
        .arg(state)
        .arg("--witness-policy")
        .arg(policy)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), text(&out))
}

#[test]
fn an_answer_older_than_the_witnessed_checkpoint_is_asked_again_or_refused() {
    use support::replay::{Mode, Replayer};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_vkey = log_vkey_of(&data);
    let mut quorum = Quorum::start(dir.path(), &log_vkey);
    let server = serve_witnessed(&data, &quorum.policy_file, &[]);
    let (alice, brand) = (key(1), key(2));
    server.write(&register(b"watch dial", &[(&alice, 1_000_000)]));
    let g = grant(design_of(b"watch dial"), &brand, &[&alice], &[]);
    server.write(&g);
    assert!(wait_witnessed(&server, server.log_info().size));
    let design = design_of(b"watch dial").to_string();
    let licensee = id(&brand).to_string();
    let policy = quorum.policy_file.clone();

    // Fresh: the answer extends a checkpoint the quorum cosigned just now.
    let proxy = Replayer::start(&server.base);
    let (code, out) = check_fresh(
        &proxy.base,
        &dir.path().join("m1"),
        &policy,
        "10m",
        &design,
        &licensee,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cosigned by the quorum"), "{out}");

    // The grant is revoked and witnessed. A client with no memory, sent the
    // old yes every time, asks again once and then refuses it.
    server.write(&provenant_testkit::envelope(
        provenant_model::Kind::LicenseRevoke,
        serde_json::json!({"grant": grant_id(&g), "reason": "unpaid minting fee"}),
        &[&alice],
    ));
    assert!(wait_witnessed(&server, server.log_info().size));
    proxy.set(Mode::Replay);
    let (code, out) = check_fresh(
        &proxy.base,
        &dir.path().join("m2"),
        &policy,
        "10m",
        &design,
        &licensee,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("older than the log's latest witnessed checkpoint"),
        "{out}"
    );
    assert_eq!(proxy.replayed(), 2, "asked twice");

    // Sent the old yes once: asked again, the live answer is the no.
    proxy.set(Mode::ReplayOnce);
    let (code, out) = check_fresh(
        &proxy.base,
        &dir.path().join("m3"),
        &policy,
        "10m",
        &design,
        &licensee,
    );
    assert_eq!(code, 1, "the revocation is seen: {out}");
    assert_eq!(
        proxy.replayed(),
        1,
        "the old yes was sent, then asked again"
    );

    // Witnesses gone quiet: the latest cosignatures age past the maximum.
    for i in 0..3 {
        quorum.kill(i);
    }
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (code, out) = check_fresh(
        &server.base,
        &dir.path().join("m4"),
        &policy,
        "2s",
        &design,
        &licensee,
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not fresh"), "{out}");
}
