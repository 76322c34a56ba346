//! The client's memory of each log: the largest checkpoint it verified,
//! one small file per log key (`<hex SHA-256 of the verifier key>.checkpoint`,
//! the signed note), in the user's cache directory or one given.
//!
//! Several CLI processes may share one directory: a write takes the file's
//! lock (waiting a little for another process), reads the memory again
//! under it, never moves it backwards, and replaces the file whole
//! (`provenant_durable::replace`): a crash or a concurrent process leaves
//! the old note or the new, never a mix.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use provenant_api::fresh::{Standing, against};
use provenant_api::verify::{VerifyError, verify_checkpoint};
use provenant_tlog::{Checkpoint, NoteVerifier};
use sha2::{Digest as _, Sha256};

/// How long a write waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Why the memory could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// A file of the memory could not be read or written.
    #[error("the client's memory {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The remembered note does not verify under the log's key.
    #[error("the client's memory {} does not hold a checkpoint of this log: {source}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why it does not verify.
        source: VerifyError,
    },
    /// Another process held the lock for too long.
    #[error("the client's memory {} stayed locked by another process", path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
    },
    /// The checkpoint to remember forks from the remembered one.
    #[error(transparent)]
    Fork(VerifyError),
    /// Another process remembered a newer checkpoint meanwhile.
    #[error("the client's memory moved while this answer was checked")]
    Moved,
}

/// A directory of remembered checkpoints.
#[derive(Clone, Debug)]
pub struct Memory {
    dir: PathBuf,
}

impl Memory {
    /// The memory in `dir`, created when absent.
    ///
    /// # Errors
    /// [`MemoryError::Io`] when the directory cannot be created.
    pub fn open(dir: &Path) -> Result<Self, MemoryError> {
        std::fs::create_dir_all(dir).map_err(|source| MemoryError::Io {
            path: dir.to_owned(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// The default directory: `$XDG_CACHE_HOME/provenant/logs`, else
    /// `$HOME/.cache/provenant/logs`; `None` without either variable.
    #[must_use]
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let cache = var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(cache.join("provenant").join("logs"))
    }

    fn file(&self, key: &NoteVerifier) -> PathBuf {
        let digest = Sha256::digest(key.to_text().as_bytes());
        let name = provenant_tlog::Hash::from_slice(&digest)
            .map_or_else(|_| String::new(), |h| h.to_hex());
        self.dir.join(format!("{name}.checkpoint"))
    }

    /// The checkpoint remembered for the log of `key`, and its note.
    ///
    /// # Errors
    /// [`MemoryError::Io`], or [`MemoryError::Corrupt`] for a file that
    /// does not verify under `key`.
    pub fn load(&self, key: &NoteVerifier) -> Result<Option<(Checkpoint, String)>, MemoryError> {
        Ok(self.load_dated(key)?.map(|(c, n, _)| (c, n)))
    }

    /// As [`Memory::load`], with when the checkpoint was remembered.
    ///
    /// # Errors
    /// As [`Memory::load`].
    pub fn load_dated(
        &self,
        key: &NoteVerifier,
    ) -> Result<Option<(Checkpoint, String, SystemTime)>, MemoryError> {
        let path = self.file(key);
        let io = |source| MemoryError::Io {
            path: path.clone(),
            source,
        };
        let note = match std::fs::read_to_string(&path) {
            Ok(note) => note,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(io(source)),
        };
        let at = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(io)?;
        let checkpoint = verify_checkpoint(&note, key)
            .map_err(|source| MemoryError::Corrupt { path, source })?;
        Ok(Some((checkpoint, note, at)))
    }

    /// Remembers `checkpoint` (its signed `note`, already verified under
    /// `key` and proven to extend `proven_from`, what [`Memory::load`]
    /// gave) unless the memory already holds a larger one.
    ///
    /// # Errors
    /// [`MemoryError::Moved`] when another process remembered a checkpoint
    /// in between that is smaller than `checkpoint`: prove from it and try
    /// again; [`MemoryError::Fork`] when the memory now holds another tree
    /// of the same size; I/O and lock errors.
    pub fn remember(
        &self,
        key: &NoteVerifier,
        checkpoint: &Checkpoint,
        note: &str,
        proven_from: Option<&Checkpoint>,
    ) -> Result<(), MemoryError> {
        let path = self.file(key);
        let lock_path = provenant_durable::with_suffix(&path, ".lock");
        let _lock = lock(&lock_path)?;
        let current = self.load(key)?;
        let moved = current.as_ref().map(|(c, _)| (c.size, c.root))
            != proven_from.map(|c| (c.size, c.root));
        if moved
            && current
                .as_ref()
                .is_some_and(|(c, _)| c.size < checkpoint.size)
        {
            return Err(MemoryError::Moved);
        }
        let standing = against(
            current.as_ref().map(|(c, n)| (c, n.as_str())),
            (checkpoint, note),
        )
        .map_err(MemoryError::Fork)?;
        if matches!(standing, Standing::First | Standing::Newer) {
            provenant_durable::replace(&path, note.as_bytes()).map_err(|e| MemoryError::Io {
                path: e.path,
                source: e.source,
            })?;
        }
        Ok(())
    }
}

/// Takes the lock at `path`, waiting up to [`LOCK_WAIT`] for another
/// process.
fn lock(path: &Path) -> Result<std::fs::File, MemoryError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match provenant_durable::lock(path) {
            Ok(file) => return Ok(file),
            Err(provenant_durable::LockError::Held) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(provenant_durable::LockError::Held) => {
                return Err(MemoryError::Busy {
                    path: path.to_owned(),
                });
            }
            Err(provenant_durable::LockError::Io(e)) => {
                return Err(MemoryError::Io {
                    path: e.path,
                    source: e.source,
                });
            }
        }
    }
}
