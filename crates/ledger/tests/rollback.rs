//! The signer's record against a store that lost what was published: a
//! restored backup, a wiped store, another server on the same key file, a
//! crash between the store write and the record, and an accepted rollback.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use provenant_ledger::signed::SignerState;
use provenant_ledger::store::{Read, Table};
use provenant_ledger::{
    BatchConfig, Ledger, LedgerError, Outcome, RecordError, SignerRecord, SubmitError,
};
use provenant_tlog::{TreeSize, verify_consistency};
use support::*;

fn record_path(dir: &Path) -> PathBuf {
    SignerRecord::beside(&dir.join("log-key.pem"))
}

fn open_recorded(store: &Disk, record: &Path, accept: Option<u64>) -> Result<Ledger, LedgerError> {
    Ledger::open_with_record(
        store.clone(),
        log_key(),
        config(BatchConfig::default()),
        SignerRecord::open(record)?,
        accept.map(TreeSize),
    )
}

fn recorded(path: &Path) -> SignerState {
    SignerState::parse(&std::fs::read(path).unwrap()).unwrap()
}

fn write(ledger: &Ledger, content: &[u8]) -> provenant_model::Receipt {
    ledger
        .submit_blocking(register(content, &[(&key(1), 1_000_000)]))
        .unwrap()
        .0
}

/// Entry 1, a backup, entry 2; then the backup restored. Each write is
/// followed by its batch's state commitment: the backup holds 2 entries,
/// the published log 4.
fn restored_after_two(dir: &Path) -> (Disk, provenant_ledger::Head) {
    let store = Disk::default();
    let ledger = open_recorded(&store, &record_path(dir), None).unwrap();
    write(&ledger, b"one");
    let backup = store.backup();
    write(&ledger, b"two");
    let published = ledger.head();
    ledger.close();
    drop(ledger);
    (backup, published)
}

#[test]
fn a_restored_backup_refuses_to_sign_a_fork() {
    let dir = tempfile::tempdir().unwrap();
    let (backup, published) = restored_after_two(dir.path());
    assert_eq!(recorded(&record_path(dir.path())).size, TreeSize(4));

    let err = open_recorded(&backup, &record_path(dir.path()), None)
        .err()
        .expect("a restored store is refused");
    match &err {
        LedgerError::Rollback {
            record_size,
            record_root,
            store_size,
            ..
        } => {
            assert_eq!((*record_size, *store_size), (TreeSize(4), TreeSize(2)));
            assert_eq!(*record_root, published.root);
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("size 2") && text.contains("size 4"), "{text}");

    // Without the record this is the attack: the same key signs another
    // size-4 checkpoint, with another root.
    let blind = open(backup);
    let fork = write(&blind, b"other two");
    assert_eq!(blind.head().size, published.size);
    assert_ne!(blind.head().root, published.root);
    assert_ne!(fork.checkpoint, published.checkpoint.to_string());
}

#[test]
fn a_wiped_store_with_a_kept_key_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    restored_after_two(dir.path());
    let wiped = Disk::default();
    let err = open_recorded(&wiped, &record_path(dir.path()), None)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            LedgerError::Rollback {
                store_size: TreeSize(0),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(wiped.is_empty(), "not even an empty checkpoint is stored");
}

#[test]
fn a_store_ahead_on_another_tree_is_refused() {
    // Another server's store, signed with the same key: larger than the
    // record, but not an extension of it.
    let dir = tempfile::tempdir().unwrap();
    let ours = Disk::default();
    let ledger = open_recorded(&ours, &record_path(dir.path()), None).unwrap();
    write(&ledger, b"ours");
    ledger.close();
    drop(ledger);
    let theirs = Disk::default();
    let other = open(theirs.clone());
    write(&other, b"theirs 1");
    write(&other, b"theirs 2");
    other.close();
    let err = open_recorded(&theirs, &record_path(dir.path()), None)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            LedgerError::Rollback {
                record_size: TreeSize(2),
                store_size: TreeSize(4),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn one_key_file_one_signer() {
    let dir = tempfile::tempdir().unwrap();
    let first = open_recorded(&Disk::default(), &record_path(dir.path()), None).unwrap();
    let err = open_recorded(&Disk::default(), &record_path(dir.path()), None)
        .err()
        .unwrap();
    assert!(
        matches!(err, LedgerError::Record(RecordError::Locked { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("another server"), "{err}");
    first.close();
    drop(first);
    open_recorded(&Disk::default(), &record_path(dir.path()), None)
        .expect("the lock is released with the ledger");
}

#[test]
fn a_record_is_created_for_an_existing_store_and_follows_every_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Disk::default();
    let old = open(store.clone());
    write(&old, b"from before records");
    old.close();
    drop(old);
    let ledger = open_recorded(&store, &record_path(dir.path()), None).unwrap();
    let head = ledger.head();
    let rec = recorded(&record_path(dir.path()));
    assert_eq!((rec.size, rec.root), (head.size, head.root));
    assert_eq!(rec.origin, ORIGIN);
    write(&ledger, b"next");
    let rec = recorded(&record_path(dir.path()));
    assert_eq!(
        (rec.size, rec.root),
        (ledger.head().size, ledger.head().root)
    );
}

#[test]
fn a_failed_store_write_leaves_the_record_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Disk::default();
    let ledger = open_recorded(&store, &record_path(dir.path()), None).unwrap();
    write(&ledger, b"kept");
    store.full.store(true, Ordering::SeqCst);
    let err = ledger
        .submit_blocking(register(b"lost", &[(&key(1), 1_000_000)]))
        .unwrap_err();
    assert!(matches!(err, SubmitError::Unavailable), "{err:?}");
    // The kept entry and its batch's state commitment.
    assert_eq!(recorded(&record_path(dir.path())).size, TreeSize(2));
    ledger.close();
    drop(ledger);
    store.full.store(false, Ordering::SeqCst);
    let again = open_recorded(&store, &record_path(dir.path()), None).unwrap();
    assert_eq!(write(&again, b"other").index, 2);
}

/// Makes the record's next write fail: its temporary file's name taken by
/// a directory (which fails even for root).
fn block_record(dir: &Path) -> PathBuf {
    let mut tmp = record_path(dir).into_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::create_dir(&tmp).unwrap();
    tmp
}

#[test]
fn a_crash_between_the_store_write_and_the_record_recovers_without_a_fork() {
    let dir = tempfile::tempdir().unwrap();
    let store = Disk::default();
    let ledger = open_recorded(&store, &record_path(dir.path()), None).unwrap();
    write(&ledger, b"first");
    let before = ledger.head();
    let obstacle = block_record(dir.path());
    let unrecorded = register(b"stored, never answered", &[(&key(1), 1_000_000)]);
    let err = ledger.submit_blocking(unrecorded.clone()).unwrap_err();
    assert!(matches!(err, SubmitError::Unavailable), "{err:?}");
    // Stored (the entry and its commitment), but not published: the head
    // and the record stay at the first batch's 2.
    assert_eq!(ledger.head().size, TreeSize(2));
    assert_eq!(recorded(&record_path(dir.path())).size, TreeSize(2));
    assert!(
        store
            .get(Table::Entries, &3u64.to_be_bytes())
            .unwrap()
            .is_some()
    );
    // The crash: the process ends here.
    ledger.close();
    drop(ledger);

    std::fs::remove_dir(&obstacle).unwrap();
    let again = open_recorded(&store, &record_path(dir.path()), None)
        .expect("a store ahead of the record on the same tree opens");
    assert_eq!(again.head().size, TreeSize(4));
    assert_eq!(recorded(&record_path(dir.path())).size, TreeSize(4));
    let (receipt, outcome) = again.submit_blocking(unrecorded).unwrap();
    assert_eq!((receipt.index, outcome), (2, Outcome::Existing));
    write(&again, b"third");
    let now = again.head();
    let (_, proof) = again.consistency_proof(before.size.0, None).unwrap();
    verify_consistency(before.size, now.size, &before.root, &now.root, &proof).unwrap();
}

#[test]
fn a_record_that_fails_is_caught_up_before_the_next_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Disk::default();
    let ledger = open_recorded(&store, &record_path(dir.path()), None).unwrap();
    write(&ledger, b"first");
    let before = ledger.head();
    let obstacle = block_record(dir.path());
    let unrecorded = register(b"stored late", &[(&key(1), 1_000_000)]);
    assert!(ledger.submit_blocking(unrecorded.clone()).is_err());
    // While the record cannot be written, nothing more is taken.
    assert!(
        ledger
            .submit_blocking(register(b"waits", &[(&key(2), 1_000_000)]))
            .is_err()
    );
    // The first entry and its batch's state commitment.
    assert_eq!(ledger.head().size, TreeSize(2));

    std::fs::remove_dir(&obstacle).unwrap();
    let next = write(&ledger, b"after");
    assert_eq!(
        next.index, 4,
        "the stored batch (entry and commitment) is published first, then extended"
    );
    assert_eq!(recorded(&record_path(dir.path())).size, TreeSize(6));
    let (receipt, outcome) = ledger.submit_blocking(unrecorded).unwrap();
    assert_eq!((receipt.index, outcome), (2, Outcome::Existing));
    let now = ledger.head();
    let (_, proof) = ledger.consistency_proof(before.size.0, None).unwrap();
    verify_consistency(before.size, now.size, &before.root, &now.root, &proof).unwrap();
}

#[test]
fn an_accepted_rollback_serves_the_store_and_signs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (backup, published) = restored_after_two(dir.path());
    let path = record_path(dir.path());

    // Only the store's own size is accepted.
    for wrong in [0, 1, 4] {
        let err = open_recorded(&backup, &path, Some(wrong)).err().unwrap();
        assert!(matches!(err, LedgerError::AcceptRollback { .. }), "{err:?}");
    }
    let frozen = Ledger::open_with_record(
        backup.clone(),
        log_key(),
        config(BatchConfig {
            batch_budget: Duration::from_millis(200),
            ..BatchConfig::default()
        }),
        SignerRecord::open(&path).unwrap(),
        Some(TreeSize(2)),
    )
    .unwrap();
    assert_eq!(frozen.head().size, TreeSize(2));
    assert!(frozen.entry_bytes(0).is_ok(), "reads are served");
    // Neither a batch to size 4 (an entry and its commitment) nor one that
    // jumps past the record (three entries and a commitment, to size 6) is
    // signed.
    let err = frozen
        .submit_blocking(register(b"two again", &[(&key(1), 1_000_000)]))
        .unwrap_err();
    assert!(matches!(err, SubmitError::Unavailable), "{err:?}");
    let pending: Vec<_> = (0..3u8)
        .map(|i| {
            frozen
                .enqueue(register(&[b'j', i], &[(&key(1), 1_000_000)]))
                .unwrap()
        })
        .collect();
    for p in pending {
        assert!(p.blocking_recv().unwrap().is_err());
    }
    assert_eq!(frozen.head().size, TreeSize(2));
    let rec = recorded(&path);
    assert_eq!((rec.size, rec.root), (published.size, published.root));
    frozen.close();
    drop(frozen);

    // The flag left on when the store is not behind is refused too.
    let fresh = tempfile::tempdir().unwrap();
    let store = Disk::default();
    let ledger = open_recorded(&store, &record_path(fresh.path()), None).unwrap();
    write(&ledger, b"x");
    ledger.close();
    drop(ledger);
    let err = open_recorded(&store, &record_path(fresh.path()), Some(2))
        .err()
        .unwrap();
    assert!(matches!(err, LedgerError::AcceptRollback { .. }), "{err:?}");
}

#[test]
fn a_record_for_another_log_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = record_path(dir.path());
    let mut record = SignerRecord::open(&path).unwrap();
    record
        .write(SignerState {
            origin: "elsewhere.example/log".into(),
            size: TreeSize(0),
            root: provenant_tlog::Hash::EMPTY,
        })
        .unwrap();
    drop(record);
    let err = open_recorded(&Disk::default(), &path, None).err().unwrap();
    assert!(err.to_string().contains("elsewhere.example/log"), "{err}");
}
