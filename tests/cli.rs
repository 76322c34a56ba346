//! The command line end to end: the demo story against a fresh server, and
//! offline verification of receipts.

mod support;

use std::process::Command;

use provenant_model::Receipt;
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
            .map(|r| provenant_client::verify_receipt(&r, &verifier));
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
        let r: Receipt = serde_json::from_value(receipt).unwrap();
        assert!(provenant_client::verify_receipt(&r, &other).is_err());
    }
}
