//! A restored backup, a wiped store and a second server on one key file,
//! against the real binary: each refuses to start rather than let the
//! log's key sign a fork; `--accept-rollback` serves what is left and
//! signs nothing.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// Runs `provenant serve` expecting it to refuse to start: its exit code
/// and standard error. Fails if it is still running after a minute.
fn refused(data: &Path, extra: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_mins(1);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status.code().unwrap_or(-1), err)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn one(content: &str) -> provenant_model::Envelope {
    register(content.as_bytes(), &[(&key(1), 1_000_000)])
}

#[test]
fn a_restored_data_directory_cannot_make_the_log_sign_a_fork() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let backup = root.path().join("backup");
    let key_file = root.path().join("keys").join("log-key.pem");
    std::fs::create_dir_all(key_file.parent().unwrap()).unwrap();
    let key_arg = ["--key-file", key_file.to_str().unwrap()];

    // Entry 1, then a copy of the data directory, then entry 2 (each
    // sealed by the log's commitment to the state after it).
    let server = Server::start(&data, &key_arg);
    server.write(&one("entry 1"));
    server.stop();
    copy_dir(&data, &backup);
    let server = Server::start(&data, &key_arg);
    let (origin, verifier) = server.log_key();
    let second = server.write(&one("entry 2"));
    let published = verified_checkpoint(&second.checkpoint, &origin, &verifier);
    let (backed_up, published_size) = (size_after(1), size_after(2));
    assert_eq!(published.size.0, published_size);
    server.stop();

    // The copy restored: the server refuses, naming both heads and the flag.
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::rename(&backup, &data).unwrap();
    let (code, err) = refused(&data, &key_arg);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("size {backed_up}")), "{err}");
    assert!(err.contains(&format!("size {published_size}")), "{err}");
    assert!(err.contains(&published.root.to_base64()), "{err}");
    let accept = backed_up.to_string();
    assert!(
        err.contains(&format!("--accept-rollback {accept}")),
        "{err}"
    );

    // Accepted: the store is served as it is, and no other entry 2 is
    // signed.
    let other_args = [key_arg[0], key_arg[1], "--accept-rollback", &accept];
    let (code, err) = refused(
        &data,
        &[
            key_arg[0],
            key_arg[1],
            "--accept-rollback",
            &published_size.to_string(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    let server = Server::start(&data, &other_args);
    assert_eq!(server.checkpoint(&origin, &verifier).size.0, backed_up);
    assert_eq!(server.get::<GetEntry>(&entry_path(0)).index, 0);
    let p = server.refuse(&one("another entry 2"));
    assert_eq!(p.status, 503, "{p:?}");
    assert_eq!(server.checkpoint(&origin, &verifier).size.0, backed_up);
    server.stop();
}

#[test]
fn a_wiped_store_with_the_key_kept_refuses_to_start() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let server = Server::start(&data, &[]);
    server.write(&one("kept"));
    server.stop();
    std::fs::remove_dir_all(data.join("rocksdb")).unwrap();
    let (code, err) = refused(&data, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("store (size 0"), "{err}");
    assert!(err.contains("--accept-rollback 0"), "{err}");
}

#[test]
fn a_second_server_on_one_key_file_refuses_to_start() {
    let root = tempfile::tempdir().unwrap();
    let key_file = root.path().join("log-key.pem");
    let key_arg = ["--key-file", key_file.to_str().unwrap()];
    let first = Server::start(&root.path().join("one"), &key_arg);
    first.write(&one("first server"));
    let (code, err) = refused(&root.path().join("two"), &key_arg);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("locked by another process"), "{err}");
    // The first one goes on.
    first.write(&one("still first"));
    first.stop();
}
