//! The witness's state on disk: for each log, the latest checkpoint it
//! cosigned, in a directory that one process holds at a time.
//!
//! # Layout
//!
//! | path | content |
//! |---|---|
//! | `<dir>/witness.lock` | empty; exclusively locked while a witness has the directory open |
//! | `<dir>/logs/<hex SHA-256(origin)>` | one log's record (below) |
//! | `<dir>/logs/<hex SHA-256(origin)>.tmp` | a record being written |
//!
//! The file name is the origin hash of the spec's monitoring path, so any
//! origin (spaces, slashes) makes a safe name.
//!
//! # Byte layout of a record (version 1)
//!
//! UTF-8 text: the line `provenant-witness-log v1\n`, then the signed note
//! served at `GET <origin hash>/checkpoint`: the checkpoint text, an empty
//! line, the signature lines of the log's keys that verified, and the
//! witness's cosignature line. The checkpoint's size and root are the
//! state; any other first line is an unknown version and refused.
//!
//! # Writes
//!
//! Written as the `.tmp` file, synced, renamed over the record, and the
//! directory synced: after a crash the record is the old one or the new
//! one, never a mix, and a cosignature is only ever answered after its
//! record is durable.

use std::fs::File;
use std::path::{Path, PathBuf};

use provenant_durable::LockError;

use provenant_tlog::{Checkpoint, Hash, Note};
use sha2::{Digest as _, Sha256};

/// The first line of a version 1 record.
pub const VERSION_LINE: &str = "provenant-witness-log v1";

/// Why the state directory could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process holds the directory's lock.
    #[error("{path} is locked by another process: another witness uses this data directory")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// Reading, writing, syncing or locking failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A record is not one this version understands, or not for its log.
    #[error("{path} is not a witness record: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The lower-case hex SHA-256 of an origin: the spec's origin hash.
#[must_use]
pub fn origin_hash(origin: &str) -> String {
    Hash(Sha256::digest(origin.as_bytes()).into()).to_hex()
}

/// A log's latest cosigned checkpoint, as stored and served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    /// The checkpoint: the state is its size and root.
    pub checkpoint: Checkpoint,
    /// The note served to monitors: the checkpoint with the log's verified
    /// signatures and the witness's cosignature.
    pub note: String,
}

impl Cosigned {
    /// Parses a note text into the record it stands for.
    ///
    /// # Errors
    /// The reason, when the text is not a signed checkpoint note.
    pub fn from_note(note: String) -> Result<Self, &'static str> {
        let parsed = Note::parse(note.as_bytes()).map_err(|_| "not a signed note")?;
        let checkpoint = Checkpoint::parse(parsed.text()).map_err(|_| "not a checkpoint")?;
        Ok(Self { checkpoint, note })
    }
}

/// The state directory, locked for this process.
#[derive(Debug)]
pub struct Store {
    logs: PathBuf,
    _lock: File,
}

impl Store {
    /// Creates `dir` and `dir/logs` when absent and locks `dir/witness.lock`.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process holds the lock; I/O
    /// errors.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).map_err(io(&logs))?;
        let lock_path = dir.join("witness.lock");
        let lock = provenant_durable::lock(&lock_path).map_err(|e| match e {
            LockError::Held => StoreError::Locked { path: lock_path },
            LockError::Io(e) => io(&e.path)(e.source),
        })?;
        Ok(Self { logs, _lock: lock })
    }

    fn path(&self, origin: &str) -> PathBuf {
        self.logs.join(origin_hash(origin))
    }

    /// The record of `origin`, if the witness ever cosigned for it.
    ///
    /// # Errors
    /// [`StoreError::Format`] for a record of another version, of another
    /// origin, or not a checkpoint; I/O errors.
    pub fn load(&self, origin: &str) -> Result<Option<Cosigned>, StoreError> {
        let path = self.path(origin);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path)(e)),
        };
        let format = |reason| StoreError::Format {
            path: path.clone(),
            reason,
        };
        let text = String::from_utf8(bytes).map_err(|_| format("not UTF-8"))?;
        let note = text
            .strip_prefix(VERSION_LINE)
            .and_then(|rest| rest.strip_prefix('\n'))
            .ok_or_else(|| format("unknown version"))?;
        let cosigned = Cosigned::from_note(note.to_owned()).map_err(format)?;
        if cosigned.checkpoint.origin != origin {
            return Err(format("the record is for another origin"));
        }
        Ok(Some(cosigned))
    }

    /// Replaces the record of the checkpoint's origin durably.
    ///
    /// # Errors
    /// I/O errors; the record on disk is then the old one or the new one.
    pub fn save(&self, cosigned: &Cosigned) -> Result<(), StoreError> {
        let path = self.path(&cosigned.checkpoint.origin);
        let bytes = format!("{VERSION_LINE}\n{}", cosigned.note);
        provenant_durable::replace(&path, bytes.as_bytes()).map_err(|e| io(&e.path)(e.source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use provenant_tlog::{NoteSigner, TreeSize, hash_leaf};

    fn cosigned(origin: &str, size: u64) -> Cosigned {
        let signer = NoteSigner::new("k", SigningKey::from_bytes(&[1; 32])).unwrap();
        let note = Checkpoint::new(origin, TreeSize(size), hash_leaf(&size.to_be_bytes()))
            .sign(&signer)
            .unwrap()
            .to_text();
        Cosigned::from_note(note).unwrap()
    }

    #[test]
    fn the_origin_hash_is_lower_case_hex_sha256() {
        assert_eq!(
            origin_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn records_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.load("go.sum database tree").unwrap(), None);
        let a = cosigned("go.sum database tree", 7);
        store.save(&a).unwrap();
        store.save(&cosigned("example.com/log", 1)).unwrap();
        let b = cosigned("go.sum database tree", 9);
        store.save(&b).unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.load("go.sum database tree").unwrap(), Some(b));
        assert_eq!(
            store
                .load("example.com/log")
                .unwrap()
                .unwrap()
                .checkpoint
                .size,
            TreeSize(1)
        );
    }

    #[test]
    fn one_process_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::Locked { .. })
        ));
        drop(store);
        Store::open(dir.path()).unwrap();
    }

    #[test]
    fn foreign_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let record = cosigned("a", 3);
        store.save(&record).unwrap();
        let path = dir.path().join("logs").join(origin_hash("a"));
        let good = std::fs::read_to_string(&path).unwrap();
        // A record moved to another origin's name.
        std::fs::copy(&path, dir.path().join("logs").join(origin_hash("b"))).unwrap();
        assert!(matches!(store.load("b"), Err(StoreError::Format { .. })));
        for bad in [
            good.replacen("v1", "v2", 1),
            good.replacen(VERSION_LINE, "", 1),
            good.replacen("\n3\n", "\nthree\n", 1),
            good[..good.len() - 1].to_owned(),
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(store.load("a"), Err(StoreError::Format { .. })),
                "{:?}",
                store.load("a")
            );
        }
    }
}
