//! Ed25519 private keys on disk: PKCS#8 PEM, readable by its owner only.
//!
//! PKCS#8 is what `openssl genpkey -algorithm ed25519` writes, so keys move
//! between Provenant and standard tools. A key file is created with mode
//! 0600 and never overwritten; a key file that others can read is refused,
//! as ssh refuses one.
//!
//! A crate of its own so that whatever reads or writes keys (the server,
//! the CLI's key and draft commands) does so without building the ledger's
//! storage. In scope: generating, writing and reading one key file. Out of
//! scope: what the key signs (`provenant-model`, `provenant-tlog`).

use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey as _, EncodePrivateKey as _, spki::der::pem::LineEnding,
};

/// Why a key file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists already; keys are never overwritten.
    #[error("{path} already exists; refusing to overwrite a key")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file's permissions let others read it.
    #[error("{path} is accessible by other users (mode {mode:o}); run chmod 600 on it")]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a PKCS#8 PEM Ed25519 private key.
    #[error("{path} is not a PKCS#8 PEM Ed25519 private key")]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// The operating system's random number generator failed.
    #[error("no randomness available: {0}")]
    Random(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Generates a new key and writes it to `path` (mode 0600), which must not
/// exist.
///
/// # Errors
/// [`KeyFileError::Exists`] when `path` exists; I/O and randomness errors.
pub fn generate(path: &Path) -> Result<SigningKey, KeyFileError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyFileError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| KeyFileError::Format {
            path: path.to_owned(),
        })?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::Exists {
                    path: path.to_owned(),
                }
            } else {
                io(path)(e)
            }
        })?;
    file.write_all(pem.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok(key)
}

/// Reads the key at `path`, refusing a file others can access.
///
/// # Errors
/// [`KeyFileError::TooOpen`], [`KeyFileError::Format`] and I/O errors.
pub fn load(path: &Path) -> Result<SigningKey, KeyFileError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|_| KeyFileError::Format {
        path: path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        let key = generate(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(load(&path).unwrap().to_bytes(), key.to_bytes());
        assert!(matches!(generate(&path), Err(KeyFileError::Exists { .. })));
        assert_eq!(load(&path).unwrap().to_bytes(), key.to_bytes());
    }

    #[test]
    fn refuses_open_or_malformed_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        generate(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(load(&path), Err(KeyFileError::TooOpen { .. })));
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a key").unwrap();
        std::fs::set_permissions(&junk, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(load(&junk), Err(KeyFileError::Format { .. })));
    }
}
