//! [`Witness`]: the logs it follows, their latest cosigned checkpoints,
//! and the one atomic step that checks a new checkpoint against them,
//! records it durably and cosigns it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use ed25519_dalek::SigningKey;
use provenant_tlog::cosignature::{CosignatureVerifier, Cosigner};
use provenant_tlog::{Hash, NoteVerifier, TreeSize, verify_consistency};

use crate::config::LogConfig;
use crate::refusal::Refusal;
use crate::replay::Replayer;
use crate::request::{self, AddCheckpoint};
use crate::store::{Cosigned, Store, StoreError, origin_hash};

/// How a witness is set up, besides its key and directory.
#[derive(Clone, Debug, Default)]
pub struct WitnessConfig {
    /// The logs it follows (merged: one per origin, see
    /// [`crate::config::merge`]).
    pub logs: Vec<LogConfig>,
    /// Replay every log's entries before cosigning ([`crate::replay`]);
    /// every log then needs a URL.
    pub replay: bool,
}

/// Why a witness could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The state directory.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The cosigner name is not a valid key name.
    #[error("witness name: {0}")]
    Name(#[source] provenant_tlog::Error),
    /// `--replay` with a log that has no URL to read its entries from.
    #[error("--replay needs a URL for every log; {origin:?} has none")]
    NoUrl {
        /// The log.
        origin: String,
    },
    /// Two logs with one origin (merge them first).
    #[error("the log {origin:?} is given twice")]
    DuplicateOrigin {
        /// The origin.
        origin: String,
    },
}

/// A C2SP tlog-witness over a state directory. Cheap to clone; every
/// clone is the same witness.
#[derive(Clone)]
pub struct Witness {
    inner: Arc<Inner>,
}

struct Inner {
    cosigner: Cosigner,
    store: Store,
    replay: bool,
    logs: HashMap<String, Slot>,
    /// Origin hash (the monitoring path's) to origin.
    by_hash: HashMap<String, String>,
}

/// One log: its keys, and its state behind its own lock, so that
/// different logs never wait for each other.
struct Slot {
    config: LogConfig,
    state: Mutex<SlotState>,
    /// The note served to monitors, replaced after each durable write.
    published: RwLock<Option<Arc<str>>>,
}

struct SlotState {
    cosigned: Option<Cosigned>,
    /// `--replay`: the log replayed up to its cosigned size (or less after
    /// a restart: it then starts again from zero).
    replayer: Option<Replayer>,
}

impl Witness {
    /// Opens the state directory `dir` (locking it) and loads the state of
    /// every configured log; `name` and `key` are the witness's cosigner.
    ///
    /// # Errors
    /// [`OpenError`].
    pub fn open(
        dir: &Path,
        name: &str,
        key: SigningKey,
        config: WitnessConfig,
    ) -> Result<Self, OpenError> {
        let cosigner = Cosigner::new(name, key).map_err(OpenError::Name)?;
        let store = Store::open(dir)?;
        let mut logs = HashMap::new();
        let mut by_hash = HashMap::new();
        for log in config.logs {
            if config.replay && log.url.is_none() {
                return Err(OpenError::NoUrl { origin: log.origin });
            }
            let record = store.load(&log.origin)?;
            let published = record.as_ref().map(|c| Arc::from(c.note.as_str()));
            by_hash.insert(origin_hash(&log.origin), log.origin.clone());
            let origin = log.origin.clone();
            let slot = Slot {
                config: log,
                state: Mutex::new(SlotState {
                    cosigned: record,
                    replayer: None,
                }),
                published: RwLock::new(published),
            };
            if logs.insert(origin.clone(), slot).is_some() {
                return Err(OpenError::DuplicateOrigin { origin });
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                cosigner,
                store,
                replay: config.replay,
                logs,
                by_hash,
            }),
        })
    }

    /// The witness's cosignature verifier (its vkey is
    /// `.to_text()`, what clients put in their policy).
    #[must_use]
    pub fn verifier(&self) -> &CosignatureVerifier {
        self.inner.cosigner.verifier()
    }

    /// The origins of the logs it follows.
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.inner.logs.keys().map(String::as_str)
    }

    /// The size of the latest checkpoint cosigned for `origin` (0 when
    /// none), or `None` for a log it does not follow.
    #[must_use]
    pub fn size(&self, origin: &str) -> Option<TreeSize> {
        let slot = self.inner.logs.get(origin)?;
        let state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        Some(
            state
                .cosigned
                .as_ref()
                .map_or(TreeSize(0), |c| c.checkpoint.size),
        )
    }

    /// The latest cosigned checkpoint of the log whose origin hashes to
    /// `origin_hash` (lower-case hex SHA-256), as served to monitors.
    #[must_use]
    pub fn checkpoint(&self, origin_hash: &str) -> Option<Arc<str>> {
        let origin = self.inner.by_hash.get(origin_hash)?;
        let slot = self.inner.logs.get(origin)?;
        slot.published
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Answers an `add-checkpoint` request body at time `now` (POSIX
    /// seconds, not zero): the cosignature line, or why not.
    ///
    /// Blocking: it may sync files (and, with `--replay`, read the log).
    /// The check against the log's latest cosigned checkpoint, the durable
    /// write of the new one and the cosignature happen under the log's
    /// lock, so two requests from one old size cannot both succeed, and a
    /// cosignature is only returned once its checkpoint is on disk.
    ///
    /// # Errors
    /// [`Refusal`], whose status is the spec's.
    pub fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<String, Refusal> {
        let AddCheckpoint {
            old,
            proof,
            note,
            checkpoint,
        } = request::parse(body)?;
        let slot = self
            .inner
            .logs
            .get(&checkpoint.origin)
            .ok_or_else(|| Refusal::UnknownLog {
                origin: checkpoint.origin.clone(),
            })?;
        let verified: Vec<&NoteVerifier> =
            note.verify(&slot.config.keys).map_err(Refusal::Signature)?;
        if old > checkpoint.size {
            return Err(Refusal::OldBeyondSize {
                old,
                size: checkpoint.size,
            });
        }
        if checkpoint.size.0 == 0 && checkpoint.root != Hash::EMPTY {
            return Err(Refusal::EmptyTreeRoot);
        }
        if old.0 == 0 && !proof.is_empty() {
            return Err(Refusal::ProofFromEmpty);
        }

        let mut state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (known, known_root) = state
            .cosigned
            .as_ref()
            .map_or((TreeSize(0), Hash::EMPTY), |c| {
                (c.checkpoint.size, c.checkpoint.root)
            });
        if old != known {
            return Err(Refusal::Conflict { known });
        }
        if old == checkpoint.size {
            if checkpoint.root != known_root {
                return Err(Refusal::OtherRoot);
            }
            if !proof.is_empty() {
                return Err(Refusal::Inconsistent(provenant_tlog::Error::ProofLength {
                    expected: 0,
                    got: proof.len(),
                }));
            }
        } else if old.0 != 0 {
            verify_consistency(old, checkpoint.size, &known_root, &checkpoint.root, &proof)
                .map_err(Refusal::Inconsistent)?;
        }

        // Taken out: put back only when the checkpoint is cosigned, so a
        // replay left halfway is never reused.
        let replayer = if self.inner.replay {
            let mut replayer = match state.replayer.take() {
                Some(r) => r,
                None => Replayer::start(
                    slot.config.url.as_deref().unwrap_or_default(),
                    verified[0].key(),
                )?,
            };
            replayer.advance(&checkpoint)?;
            Some(replayer)
        } else {
            None
        };

        let cosignature = self
            .inner
            .cosigner
            .sign(note.text(), now)
            .map_err(Refusal::Cosign)?;
        // Served to monitors: the log's signatures that verified, then ours.
        let mut served = format!("{}\n", note.text());
        for sig in note.signatures().iter().filter(|s| {
            verified
                .iter()
                .any(|v| v.name() == s.name && v.id() == s.id)
        }) {
            served.push_str(&sig.to_line());
            served.push('\n');
        }
        let line = format!("{}\n", cosignature.to_line());
        served.push_str(&line);
        let cosigned = Cosigned {
            checkpoint,
            note: served,
        };
        self.inner.store.save(&cosigned).map_err(Refusal::Storage)?;
        *slot
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::from(cosigned.note.as_str()));
        state.cosigned = Some(cosigned);
        state.replayer = replayer;
        Ok(line)
    }
}
