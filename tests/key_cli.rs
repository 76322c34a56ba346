//! `provenant key` driven as a user would, through the real binary.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

fn provenant(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(args)
        .output()
        .expect("the provenant binary runs")
}

#[test]
fn generate_prints_identity_and_show_repeats_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.pem");
    let path = path.to_str().unwrap();

    let out = provenant(&["key", "generate", "--out", path]);
    assert!(out.status.success(), "{out:?}");
    let identity = String::from_utf8(out.stdout).unwrap();
    let identity = identity.trim();
    assert!(identity.starts_with("ed25519:"), "{identity}");
    assert_eq!(identity.len(), "ed25519:".len() + 44);

    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let pem = std::fs::read_to_string(path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));

    let shown = provenant(&["key", "show", path]);
    assert!(shown.status.success());
    assert_eq!(String::from_utf8(shown.stdout).unwrap().trim(), identity);
}

#[test]
fn generate_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pem");
    let path = path.to_str().unwrap();
    assert!(
        provenant(&["key", "generate", "--out", path])
            .status
            .success()
    );
    let before = std::fs::read(path).unwrap();

    let again = provenant(&["key", "generate", "--out", path]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
    assert_eq!(std::fs::read(path).unwrap(), before);
}

#[test]
fn show_reports_a_missing_or_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.pem");
    let out = provenant(&["key", "show", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!out.stderr.is_empty());
}
