//! A plain directory as the bucket, for any static web server. Creates are
//! a hard link of a fully written temporary file (the link fails when the
//! name exists, so a create never replaces); the checkpoint is replaced by
//! rename under a lock, after comparing the bytes there with the version
//! expected (the SHA-256 of the bytes this publisher last wrote).

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::bucket::{BucketError, Created, Swapped, Version};

/// A directory at a path.
#[derive(Debug, Clone)]
pub struct DirBucket {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BucketError + '_ {
    move |source| BucketError::Dir {
        path: path.display().to_string(),
        source,
    }
}

fn version_of(bytes: &[u8]) -> Version {
    let digest = Sha256::digest(bytes);
    Version {
        etag: Some(crate::hex(&digest)),
        version: None,
    }
}

/// Runs blocking file work off the runtime's threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BucketError> + Send + 'static,
) -> Result<T, BucketError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BucketError::Dir {
            path: String::new(),
            source: std::io::Error::other(e),
        })?
}

impl DirBucket {
    pub(crate) fn open(root: &Path) -> Result<Self, BucketError> {
        fs::create_dir_all(root).map_err(io(root))?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BucketError> {
        if key.is_empty()
            || key
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.starts_with(".tmp-"))
        {
            return Err(BucketError::Key(key.to_owned()));
        }
        Ok(self.root.join(key))
    }

    /// `bytes` written and synced to a fresh temporary file beside `path`.
    fn staged(path: &Path, bytes: &[u8]) -> Result<PathBuf, BucketError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io(dir))?;
        let name = crate::random_name().map_err(|e| BucketError::Dir {
            path: dir.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let tmp = dir.join(format!(".tmp-{name}"));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        Ok(tmp)
    }

    fn sync_dir(path: &Path) -> Result<(), BucketError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
    }

    pub(crate) async fn create(&self, key: &str, bytes: Bytes) -> Result<Created, BucketError> {
        let path = self.path(key)?;
        blocking(move || {
            let tmp = Self::staged(&path, &bytes)?;
            let linked = fs::hard_link(&tmp, &path);
            let _ = fs::remove_file(&tmp);
            match linked {
                Ok(()) => {
                    Self::sync_dir(&path)?;
                    Ok(Created::New)
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(Created::Existed),
                Err(e) => Err(io(&path)(e)),
            }
        })
        .await
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<(Bytes, Version)>, BucketError> {
        let path = self.path(key)?;
        blocking(move || match fs::read(&path) {
            Ok(bytes) => {
                let version = version_of(&bytes);
                Ok(Some((Bytes::from(bytes), version)))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        })
        .await
    }

    pub(crate) async fn swap(
        &self,
        key: &str,
        bytes: Bytes,
        expected: Option<&Version>,
    ) -> Result<Swapped, BucketError> {
        let path = self.path(key)?;
        let lock = self.root.join(format!(".{}.lock", key.replace('/', "_")));
        let expected = expected.cloned();
        blocking(move || {
            let guard = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock)
                .map_err(io(&lock))?;
            guard.lock().map_err(io(&lock))?;
            let current = match fs::read(&path) {
                Ok(bytes) => Some(version_of(&bytes)),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => return Err(io(&path)(e)),
            };
            if current != expected {
                return Ok(Swapped::Lost);
            }
            let tmp = Self::staged(&path, &bytes)?;
            fs::rename(&tmp, &path).map_err(io(&path))?;
            Self::sync_dir(&path)?;
            Ok(Swapped::Done(version_of(&bytes)))
        })
        .await
    }

    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, BucketError> {
        let start = self.path(prefix)?;
        let root = self.root.clone();
        blocking(move || {
            let mut out = Vec::new();
            let mut stack = vec![start];
            while let Some(dir) = stack.pop() {
                let entries = match fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == ErrorKind::NotFound => continue,
                    Err(e) => return Err(io(&dir)(e)),
                };
                for entry in entries {
                    let entry = entry.map_err(io(&dir))?;
                    let path = entry.path();
                    if entry.file_type().map_err(io(&path))?.is_dir() {
                        stack.push(path);
                    } else if let Ok(rel) = path.strip_prefix(&root)
                        && let Some(key) = rel.to_str()
                        && !key.rsplit('/').next().is_some_and(|n| n.starts_with('.'))
                    {
                        out.push(key.to_owned());
                    }
                }
            }
            out.sort();
            Ok(out)
        })
        .await
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), BucketError> {
        let path = self.path(key)?;
        blocking(move || match fs::remove_file(&path) {
            Ok(()) => Self::sync_dir(&path),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&path)(e)),
        })
        .await
    }
}
