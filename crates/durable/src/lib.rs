//! Files a process holds alone and replaces whole, for the small records
//! that must survive a crash exactly: the log signer's record of what it
//! published (`provenant-ledger`) and a witness's state per log
//! (`provenant-witness`).
//!
//! - [`lock`]: an exclusive lock on a lock file (created when absent, mode
//!   0600), held while the returned file is open; a second process is told
//!   at once, not made to wait.
//! - [`replace`]: the new bytes written to `<path>.tmp` (mode 0600),
//!   synced, renamed over `path`, then the directory synced: after a crash
//!   the file holds either the old bytes or the new, never a mix.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// An I/O failure and the file it happened on.
#[derive(Debug)]
pub struct PathError {
    /// The file or directory.
    pub path: PathBuf,
    /// What failed.
    pub source: std::io::Error,
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> PathError + '_ {
    move |source| PathError {
        path: path.to_owned(),
        source,
    }
}

/// Why [`lock`] failed.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds the lock.
    Held,
    /// The lock file could not be opened or locked.
    Io(PathError),
}

/// Takes the exclusive lock of `path` (created when absent): held until
/// the returned file is dropped.
///
/// # Errors
/// [`LockError::Held`] when another process holds it; I/O errors.
pub fn lock(path: &Path) -> Result<File, LockError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| LockError::Io(at(path)(e)))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Held),
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(at(path)(e))),
    }
}

/// `path` with `suffix` appended to its file name.
#[must_use]
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Replaces the contents of `path` with `bytes`, durably (see the crate
/// doc).
///
/// # Errors
/// I/O errors, naming the file; `path` then still holds its old bytes.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), PathError> {
    let tmp = with_suffix(path, ".tmp");
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(at(&tmp))?;
    file.write_all(bytes).map_err(at(&tmp))?;
    file.sync_all().map_err(at(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(at(path))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(at(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_holds_the_new_bytes_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record");
        replace(&path, b"one").unwrap();
        replace(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!with_suffix(&path, ".tmp").exists());
    }

    #[test]
    fn a_lock_is_held_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = lock(&path).unwrap();
        assert!(matches!(lock(&path), Err(LockError::Held)));
        drop(held);
        assert!(lock(&path).is_ok());
    }
}
