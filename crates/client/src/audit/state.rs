//! The auditor's directory: what it trusts and what it has verified.
//!
//! | file | contents |
//! |---|---|
//! | `log-key` | the log's C2SP verifier key, trusted from the first audit on (or given) |
//! | `arbiters` | the dispute arbiters' keys, one per line, trusted likewise |
//! | `checkpoint` | the last checkpoint verified, as the signed note's text |
//! | `entries/<N>` | full entry bundles of a full audit under way |
//!
//! Every file is written whole to a temporary name and renamed, so a killed
//! audit leaves the last verified state, never half of one. Bundles are
//! kept only while a full audit is under way, so that one interrupted
//! resumes without downloading again; they are not trusted (the tree is
//! recomputed over all of them) and are dropped when the audit completes,
//! so the next full audit reads the log afresh and sees any entry altered
//! since.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use provenant_model::Identity;
use provenant_tlog::NoteVerifier;

/// The auditor's directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

/// A state file that does not parse.
fn corrupt(path: &Path, detail: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {detail}", path.display()),
    )
}

impl StateDir {
    /// The directory at `root`, created when absent.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn open(root: &Path) -> io::Result<StateDir> {
        fs::create_dir_all(root.join("entries"))?;
        Ok(StateDir {
            root: root.to_owned(),
        })
    }

    fn read(&self, name: &str) -> io::Result<Option<String>> {
        match fs::read_to_string(self.root.join(name)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.root.join(name);
        let tmp = self.root.join(format!("{name}.tmp"));
        fs::write(&tmp, bytes)?;
        fs::File::open(&tmp)?.sync_all()?;
        fs::rename(tmp, path)
    }

    /// The trusted log key, if one was recorded.
    ///
    /// # Errors
    /// I/O errors, or a file that is not a verifier key.
    pub fn log_key(&self) -> io::Result<Option<NoteVerifier>> {
        self.read("log-key")?
            .map(|text| {
                NoteVerifier::from_text(text.trim())
                    .map_err(|e| corrupt(&self.root.join("log-key"), e))
            })
            .transpose()
    }

    /// Records the log key to trust from now on.
    ///
    /// # Errors
    /// I/O errors.
    pub fn set_log_key(&self, key: &NoteVerifier) -> io::Result<()> {
        self.write("log-key", format!("{}\n", key.to_text()).as_bytes())
    }

    /// The trusted arbiter keys, if recorded.
    ///
    /// # Errors
    /// I/O errors, or a line that is not an identity.
    pub fn arbiters(&self) -> io::Result<Option<Vec<Identity>>> {
        self.read("arbiters")?
            .map(|text| {
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| {
                        l.trim()
                            .parse()
                            .map_err(|e| corrupt(&self.root.join("arbiters"), e))
                    })
                    .collect()
            })
            .transpose()
    }

    /// Records the arbiter keys.
    ///
    /// # Errors
    /// I/O errors.
    pub fn set_arbiters(&self, arbiters: &[Identity]) -> io::Result<()> {
        let lines: Vec<String> = arbiters.iter().map(ToString::to_string).collect();
        self.write("arbiters", format!("{}\n", lines.join("\n")).as_bytes())
    }

    /// The last verified checkpoint's text.
    ///
    /// # Errors
    /// I/O errors.
    pub fn checkpoint(&self) -> io::Result<Option<String>> {
        self.read("checkpoint")
    }

    /// Records a verified checkpoint.
    ///
    /// # Errors
    /// I/O errors.
    pub fn set_checkpoint(&self, text: &str) -> io::Result<()> {
        self.write("checkpoint", text.as_bytes())
    }

    /// A cached full entry bundle.
    ///
    /// # Errors
    /// I/O errors.
    pub fn bundle(&self, index: u64) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.root.join("entries").join(index.to_string())) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Caches a full entry bundle.
    ///
    /// # Errors
    /// I/O errors.
    pub fn set_bundle(&self, index: u64, bytes: &[u8]) -> io::Result<()> {
        self.write(&format!("entries/{index}"), bytes)
    }

    /// Drops every cached bundle: the full audit that needed them is done,
    /// or found the log bad.
    ///
    /// # Errors
    /// I/O errors.
    pub fn clear_bundles(&self) -> io::Result<()> {
        let entries = self.root.join("entries");
        fs::remove_dir_all(&entries)?;
        fs::create_dir_all(entries)
    }
}
