//! `provenant witness` as a user runs it, beside a real `provenant serve`
//! on loopback: it cosigns the log's checkpoints as it grows (its
//! cosignatures verify under the key it prints), with `--replay`
//! re-validating the entries, and refuses an `old` size it did not
//! cosign with `409` and its own size.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use provenant_tlog::{CosignatureVerifier, Note, NoteSignature};
use support::*;

/// A `provenant witness` process, killed when dropped.
struct Witness {
    child: Child,
    base: String,
    key: CosignatureVerifier,
}

impl Witness {
    fn start(data: &std::path::Path, log: &str) -> Witness {
        let mut child = Command::new(env!("CARGO_BIN_EXE_provenant"))
            .args([
                "witness",
                "--listen",
                "127.0.0.1:0",
                "--name",
                "witness.test/w1",
            ])
            .arg("--data-dir")
            .arg(data)
            .args(["--log", log, "--replay"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the provenant binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut next = || lines.next().expect("a line").expect("text");
        let base = next()
            .strip_prefix("listening on ")
            .expect("an address line")
            .to_owned();
        let key = next();
        let key = key.strip_prefix("witness key ").expect("a key line");
        Witness {
            child,
            base,
            key: CosignatureVerifier::from_text(key).expect("a cosigner vkey"),
        }
    }

    /// `POST /add-checkpoint` from `old` with `proof` (hex hashes): status
    /// and body.
    fn add(&self, old: u64, proof: &[String], checkpoint: &str) -> (u16, String) {
        use base64::Engine as _;
        let mut body = format!("old {old}\n");
        for hash in proof {
            let bytes: Vec<u8> = (0..hash.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hash[i..i + 2], 16).unwrap())
                .collect();
            body.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(checkpoint);
        let r = reqwest::blocking::Client::new()
            .post(format!("{}/add-checkpoint", self.base))
            .body(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }

    /// Checks that `body` holds a cosignature of `checkpoint` by this witness.
    fn cosigned(&self, checkpoint: &str, body: &str) {
        let text = Note::parse(checkpoint.as_bytes())
            .unwrap()
            .text()
            .to_owned();
        let line = body.lines().next().expect("a cosignature line");
        let sig = NoteSignature::from_line(line).expect("a signature line");
        self.key
            .verify_signature(&text, &sig)
            .expect("the cosignature verifies under the printed key");
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_witness_cosigns_the_log_as_it_grows_and_refuses_a_stale_size() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.write(&register(b"fox charm", &[(&key(1), 1_000_000)]));
    let log_key = server.log_key().1.to_text();
    let witness = Witness::start(
        &dir.path().join("witness"),
        &format!("{log_key} {}", server.base),
    );

    let first = server.text("/checkpoint");
    let size = Note::parse(first.as_bytes())
        .unwrap()
        .text()
        .lines()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let (status, body) = witness.add(0, &[], &first);
    assert_eq!(status, 200, "{body}");
    witness.cosigned(&first, &body);

    server.write(&register(b"dial", &[(&key(2), 1_000_000)]));
    let second = server.text("/checkpoint");
    // Not from the size it cosigned: 409 and that size.
    let (status, body) = witness.add(0, &[], &second);
    assert_eq!((status, body.as_str()), (409, format!("{size}\n").as_str()));
    let (_, proof) = server.get_json(&format!("/v1/proofs/consistency?from={size}"));
    let proof: Vec<String> = proof["consistency_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    let (status, body) = witness.add(size, &proof, &second);
    assert_eq!(status, 200, "{body}");
    witness.cosigned(&second, &body);
}
