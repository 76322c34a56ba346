//! The auditor catches what it must: a server whose RocksDB files were
//! altered offline is caught by `provenant audit`, or refuses to start.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use provenant_ledger::keys::{META_CHECKPOINT, be};
use provenant_ledger::store::{Batch, Read as _, Store as _, Table};
use provenant_ledger::{RocksOptions, RocksStore};
use provenant_tlog::{Checkpoint, Note, NoteSigner, stored_index};
use support::*;

const ENTRIES: u16 = 300;

fn audit(server: &Server, state: &Path, full: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_provenant"));
    cmd.args(["audit", "--quiet", "--server", &server.base, "--state"])
        .arg(state);
    if full {
        cmd.arg("--full");
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A log of [`ENTRIES`] registrations, each sealed by the log's
/// `state.commit`, audited in full once: the auditor now trusts its key and
/// its checkpoint. The index of each registration, in order.
fn audited_log(data: &Path, state: &Path) -> Vec<u64> {
    let server = Server::start(data, &[]);
    let indexes = (0..ENTRIES)
        .map(|i| {
            server
                .write(&register(&i.to_be_bytes(), &[(&key(1), 1_000_000)]))
                .index
        })
        .collect();
    let out = audit(&server, state, true);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let size = size_after(ENTRIES.into());
    assert!(
        stdout(&out).contains(&format!("{size} entries re-validated")),
        "{}",
        stdout(&out)
    );
    assert!(server.stop().success());
    indexes
}

fn alter(data: &Path, change: impl FnOnce(&RocksStore, &mut Batch)) {
    let store = RocksStore::open(&data.join("rocksdb"), &RocksOptions::default()).unwrap();
    let mut batch = Batch::default();
    change(&store, &mut batch);
    store.write(batch).unwrap();
}

#[test]
fn an_altered_entry_is_named_by_index() {
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let altered_at = audited_log(data.path(), state.path())[123];
    alter(data.path(), |store, batch| {
        let entry = store.get(Table::Entries, &be(altered_at)).unwrap().unwrap();
        let text = String::from_utf8(entry).unwrap();
        let altered = text.replace("A shoe charm", "A shoe charn");
        assert_ne!(altered, text, "entry {altered_at} is a registration");
        batch.put(Table::Entries, be(altered_at), altered.into_bytes());
    });
    let server = Server::start(data.path(), &[]);
    // The checkpoints still extend each other: only a full audit looks.
    assert_eq!(audit(&server, state.path(), false).status.code(), Some(0));
    let out = audit(&server, state.path(), true);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!("entry {altered_at}:")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_altered_stored_hash_is_caught() {
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    audited_log(data.path(), state.path());
    alter(data.path(), |_, batch| {
        batch.put(Table::Hashes, be(stored_index(0, 7).0), vec![0x5a; 32]);
    });
    let server = Server::start(data.path(), &[]);
    let out = audit(&server, state.path(), true);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("hash tile /tile/0/000 differs"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_checkpoint_signed_with_another_key_is_refused() {
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    audited_log(data.path(), state.path());
    let resign = |forger: ed25519_dalek::SigningKey| {
        move |store: &RocksStore, batch: &mut Batch| {
            let text = store.get(Table::Meta, META_CHECKPOINT).unwrap().unwrap();
            let note = Note::parse(&text).unwrap();
            let cp = Checkpoint::parse(note.text()).unwrap();
            let signer = NoteSigner::new(&cp.origin, forger).unwrap();
            let forged = cp.sign(&signer).unwrap().to_text();
            batch.put(Table::Meta, META_CHECKPOINT.to_vec(), forged.into_bytes());
        }
    };

    // The server itself refuses a checkpoint its key did not sign.
    alter(
        data.path(),
        resign(ed25519_dalek::SigningKey::from_bytes(&[66; 32])),
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("checkpoint"), "{why}");

    // With its key file replaced too, it starts: the auditor, which trusts
    // the original key, catches it.
    std::fs::remove_file(data.path().join("log-key.pem")).unwrap();
    let forger = provenant_keyfile::generate(&data.path().join("log-key.pem")).unwrap();
    alter(data.path(), resign(forger));
    let server = Server::start(data.path(), &[]);
    let out = audit(&server, state.path(), false);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("does not verify with the trusted log key"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_log_truncated_and_regrown_is_caught() {
    let (data, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    audited_log(data.path(), state.path());
    // The operator starts over with the same key and grows a longer log
    // with other entries.
    let regrown = tempfile::tempdir().unwrap();
    std::fs::copy(
        data.path().join("log-key.pem"),
        regrown.path().join("log-key.pem"),
    )
    .unwrap();
    let server = Server::start(regrown.path(), &[]);
    for i in 0..ENTRIES + 5 {
        server.write(&register(
            &(i + 1000).to_be_bytes(),
            &[(&key(2), 1_000_000)],
        ));
    }
    let out = audit(&server, state.path(), false);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let verified = size_after(ENTRIES.into());
    assert!(
        stdout(&out).contains(&format!("does not extend the verified one at {verified}")),
        "{}",
        stdout(&out)
    );
}
