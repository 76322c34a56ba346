//! The signer's own record of the last checkpoint it published, kept apart
//! from the store.
//!
//! The store alone is no record of what the log signed: a restored backup,
//! a wiped store with a kept key, or a second server on the same key all
//! hold less than was published, and a signer that trusted its store would
//! sign a second tree at a size it had signed before: a fork. So the signer
//! keeps a small file of its own, by default beside its key file
//! (`<key file>.signed`: the record belongs to the key, not to the data),
//! and an exclusive lock beside that (`<record>.lock`) while a ledger has
//! it open, so that two servers cannot sign with one key file at once.
//!
//! # Byte layout (version 1)
//!
//! UTF-8 text, four lines, each ended by `\n`, nothing after:
//!
//! | line | content |
//! |---|---|
//! | 1 | `provenant-signer-state v1` |
//! | 2 | the log's origin (as in its checkpoints) |
//! | 3 | tree size: decimal, no sign, no leading zeros |
//! | 4 | root hash: standard padded base64 of 32 bytes |
//!
//! Lines 2 to 4 are the body of the checkpoint the record stands for
//! (C2SP tlog-checkpoint), without the signature: the key is beside it.
//! Any other first line is an unknown version and refused.
//!
//! # When it is written
//!
//! After the batch holding a checkpoint is durably in the store, and before
//! that checkpoint is published (served, or sent in any receipt): written
//! as `<record>.tmp`, synced, renamed over the record, and the directory
//! synced. So the record never falls behind anything published, and the
//! store is never behind the record unless it lost data (see
//! [`Standing`]).

use std::fs::File;
use std::path::{Path, PathBuf};

use provenant_durable::{LockError, with_suffix};

use provenant_tlog::{Hash, TreeSize};

/// The first line of a version 1 record.
pub const VERSION_LINE: &str = "provenant-signer-state v1";

/// Why the signer's record could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Another process holds the record's lock.
    #[error(
        "{path} is locked by another process: another server is signing with this key \
         (one key file, one running server)"
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// Reading, writing or locking failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a record this version understands.
    #[error("{path} is not a signer record: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// What a record says: the last checkpoint published under the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerState {
    /// The log's origin line.
    pub origin: String,
    /// The tree size.
    pub size: TreeSize,
    /// The root at that size.
    pub root: Hash,
}

impl SignerState {
    /// The record's bytes (see the module's byte layout).
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{VERSION_LINE}\n{}\n{}\n{}\n",
            self.origin,
            self.size.0,
            self.root.to_base64()
        )
    }

    /// Parses a record, refusing anything but the exact layout.
    ///
    /// # Errors
    /// The reason, for [`RecordError::Format`].
    pub fn parse(bytes: &[u8]) -> Result<Self, &'static str> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8")?;
        let body = text.strip_suffix('\n').ok_or("not ended by a newline")?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [version, origin, size, root] = lines[..] else {
            return Err("not four lines");
        };
        if version != VERSION_LINE {
            return Err("unknown version");
        }
        if origin.is_empty() || origin.chars().any(char::is_whitespace) {
            return Err("bad origin");
        }
        let size_text = size;
        let size: u64 = size_text.parse().map_err(|_| "bad size")?;
        if size.to_string() != size_text {
            return Err("size not in canonical decimal");
        }
        let root = Hash::from_base64(root).map_err(|_| "bad root")?;
        Ok(Self {
            origin: origin.to_owned(),
            size: TreeSize(size),
            root,
        })
    }
}

/// Where the store stands against the record, at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// The store's head is the recorded checkpoint.
    Even,
    /// The store holds more, and its tree at the recorded size has the
    /// recorded root: a crash came after a batch was stored and before it
    /// was recorded (that batch was never published), or the record is
    /// stale. The record moves up to the store's head.
    Ahead,
    /// The store is behind the record (smaller, or as large with another
    /// root), or ahead of it on another tree. Checkpoints were published
    /// that this store does not extend: signing on it would fork the log.
    Behind,
}

impl Standing {
    /// Compares the store's head (`size`, `root`) with the record;
    /// `root_at` gives the store's root at a smaller size.
    ///
    /// # Errors
    /// Whatever `root_at` fails with.
    pub fn of<E>(
        record: &SignerState,
        size: TreeSize,
        root: Hash,
        root_at: impl FnOnce(TreeSize) -> Result<Hash, E>,
    ) -> Result<Self, E> {
        Ok(if record.size == size && record.root == root {
            Standing::Even
        } else if record.size < size && root_at(record.size)? == record.root {
            Standing::Ahead
        } else {
            Standing::Behind
        })
    }
}

/// The record file, locked for as long as this value lives.
#[derive(Debug)]
pub struct SignerRecord {
    path: PathBuf,
    state: Option<SignerState>,
    /// Held open for its exclusive lock, released when dropped.
    _lock: File,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |source| RecordError::Io {
        path: path.to_owned(),
        source,
    }
}

impl SignerRecord {
    /// The default record of the key at `key_file`: `<key file>.signed`.
    #[must_use]
    pub fn beside(key_file: &Path) -> PathBuf {
        with_suffix(key_file, ".signed")
    }

    /// Locks the record at `path` (through `<path>.lock`, created when
    /// absent) and reads it, if it exists.
    ///
    /// # Errors
    /// [`RecordError::Locked`] when another process holds the lock;
    /// [`RecordError::Format`] for a file that is not a record; I/O errors.
    pub fn open(path: &Path) -> Result<Self, RecordError> {
        let lock_path = with_suffix(path, ".lock");
        let lock = provenant_durable::lock(&lock_path).map_err(|e| match e {
            LockError::Held => RecordError::Locked { path: lock_path },
            LockError::Io(e) => io(&e.path)(e.source),
        })?;
        let state = match std::fs::read(path) {
            Ok(bytes) => {
                Some(
                    SignerState::parse(&bytes).map_err(|reason| RecordError::Format {
                        path: path.to_owned(),
                        reason,
                    })?,
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(path)(e)),
        };
        Ok(Self {
            path: path.to_owned(),
            state,
            _lock: lock,
        })
    }

    /// The record's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the record says, if it exists.
    #[must_use]
    pub fn state(&self) -> Option<&SignerState> {
        self.state.as_ref()
    }

    /// Replaces the record durably: a temporary file, synced, renamed over
    /// the record, then the directory synced. Either the old record or the
    /// new one survives a crash, never a mix.
    ///
    /// # Errors
    /// I/O errors; the record then still says what it said before.
    pub fn write(&mut self, state: SignerState) -> Result<(), RecordError> {
        provenant_durable::replace(&self.path, state.to_text().as_bytes())
            .map_err(|e| io(&e.path)(e.source))?;
        self.state = Some(state);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(size: u64) -> SignerState {
        SignerState {
            origin: "example.com/log".into(),
            size: TreeSize(size),
            root: provenant_tlog::hash_leaf(&size.to_be_bytes()),
        }
    }

    #[test]
    fn round_trip_and_strict_parsing() {
        let s = state(42);
        let text = s.to_text();
        assert!(text.starts_with("provenant-signer-state v1\nexample.com/log\n42\n"));
        assert_eq!(SignerState::parse(text.as_bytes()).unwrap(), s);
        // Every truncation is refused.
        for n in 0..text.len() {
            assert!(SignerState::parse(&text.as_bytes()[..n]).is_err(), "{n}");
        }
        for bad in [
            text.replace("v1", "v2"),
            text.replace("\n42\n", "\n042\n"),
            text.replace("\n42\n", "\n+42\n"),
            text.replace("example.com/log", "example.com log"),
            format!("{text}extra\n"),
            text.replace('=', ""),
        ] {
            assert!(SignerState::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn standing_against_the_store() {
        let never = |_| -> Result<Hash, ()> { panic!("not needed") };
        let rec = state(5);
        assert_eq!(
            Standing::of(&rec, rec.size, rec.root, never),
            Ok(Standing::Even)
        );
        let other = state(9).root;
        // Behind: smaller, or the same size with another root.
        assert_eq!(
            Standing::of(&rec, TreeSize(4), other, never),
            Ok(Standing::Behind)
        );
        assert_eq!(
            Standing::of(&rec, rec.size, other, never),
            Ok(Standing::Behind)
        );
        // Larger: ahead only if it extends the recorded tree.
        let extends = |s: TreeSize| -> Result<Hash, ()> { Ok(state(s.0).root) };
        assert_eq!(
            Standing::of(&rec, TreeSize(7), other, extends),
            Ok(Standing::Ahead)
        );
        let forks = |_| -> Result<Hash, ()> { Ok(Hash::EMPTY) };
        assert_eq!(
            Standing::of(&rec, TreeSize(7), other, forks),
            Ok(Standing::Behind)
        );
    }

    #[test]
    fn written_durably_and_locked_while_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = SignerRecord::beside(&dir.path().join("k.pem"));
        assert!(path.ends_with("k.pem.signed"));
        let mut record = SignerRecord::open(&path).unwrap();
        assert_eq!(record.state(), None);
        assert!(matches!(
            SignerRecord::open(&path),
            Err(RecordError::Locked { .. })
        ));
        record.write(state(1)).unwrap();
        record.write(state(2)).unwrap();
        drop(record);
        let again = SignerRecord::open(&path).unwrap();
        assert_eq!(again.state(), Some(&state(2)));
        drop(again);
        std::fs::write(&path, "junk").unwrap();
        assert!(matches!(
            SignerRecord::open(&path),
            Err(RecordError::Format { .. })
        ));
    }
}
