//! The log's head and the key that signs it.
//!
//! The signer refuses to sign a checkpoint that would fork the log: it
//! signs only a tree built on the last checkpoint it published (a larger
//! one, or the same one again). Together with storing each checkpoint in
//! the same atomic write as the entries it covers, no two checkpoints this
//! log publishes are inconsistent. A checkpoint counts as published once
//! its write is durable and, when the signer keeps a record
//! ([`crate::signed`]), once the record says so: one whose write failed was
//! never seen by anyone, so the next batch may take its size with other
//! entries.
//!
//! Without a record the guard lives in memory only and starts from the
//! store's head, which is only as trustworthy as the store: the server
//! always keeps a record; tests and embedded uses may not.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use provenant_model::{Envelope, Identity, identity_of};
use provenant_tlog::{Checkpoint, Hash, NoteSigner, NoteVerifier, TreeSize};

use crate::error::LedgerError;
use crate::hashes::StoredHashes;
use crate::signed::{SignerRecord, SignerState, Standing};
use crate::store::Store;

/// What the log has committed to: its size, root and signed checkpoint.
#[derive(Clone, Debug)]
pub struct Head {
    /// The number of entries.
    pub size: TreeSize,
    /// The root at that size.
    pub root: Hash,
    /// The signed checkpoint note, as served.
    pub checkpoint: Arc<str>,
}

/// The log's signing key, guarded against forks.
pub struct LogSigner {
    origin: String,
    signer: NoteSigner,
    /// The same key, for the log's own entries (`state.commit`).
    key: SigningKey,
    last: Option<(TreeSize, Hash)>,
    record: Option<SignerRecord>,
}

impl LogSigner {
    /// A signer for the log named `origin` (also the key name), recording
    /// what it publishes in `record` when given.
    ///
    /// # Errors
    /// [`LedgerError::Config`] for an origin that is not a valid key name.
    pub fn new(
        origin: &str,
        key: SigningKey,
        record: Option<SignerRecord>,
    ) -> Result<Self, LedgerError> {
        let signer = NoteSigner::new(origin, key.clone())
            .map_err(|e| LedgerError::Config(format!("log origin {origin:?}: {e}")))?;
        Ok(Self {
            origin: origin.to_owned(),
            signer,
            key,
            last: None,
            record,
        })
    }

    /// The verifier of this log's checkpoints.
    #[must_use]
    pub fn verifier(&self) -> &NoteVerifier {
        self.signer.verifier()
    }

    /// The log's key as an identity: the signer of its `state.commit`
    /// entries.
    ///
    /// # Errors
    /// [`LedgerError::Config`] for a key that is not a valid identity.
    pub fn identity(&self) -> Result<Identity, LedgerError> {
        identity_of(&self.key)
            .map_err(|e| LedgerError::Config(format!("the log key as an identity: {e}")))
    }

    /// Signs one of the log's own envelopes.
    ///
    /// # Errors
    /// [`LedgerError::Config`] when the envelope cannot be signed.
    pub fn sign_envelope(&self, envelope: &mut Envelope) -> Result<(), LedgerError> {
        envelope
            .sign(&self.key)
            .map_err(|e| LedgerError::Config(format!("signing a log entry: {e}")))
    }

    /// The origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Takes `size` and `root` as the last published checkpoint without
    /// writing the record: what the record or the store says at start-up.
    pub fn resume(&mut self, size: TreeSize, root: Hash) {
        self.last = Some((size, root));
    }

    /// Publishes a checkpoint that is durably stored: records it (synced)
    /// first, when the signer keeps a record. Only after this returns may
    /// the checkpoint be served or handed out.
    ///
    /// # Errors
    /// [`LedgerError::Record`] when the record cannot be written; the
    /// checkpoint must then not be published.
    pub fn publish(&mut self, size: TreeSize, root: Hash) -> Result<(), LedgerError> {
        if let Some(record) = &mut self.record {
            record.write(SignerState {
                origin: self.origin.clone(),
                size,
                root,
            })?;
        }
        self.last = Some((size, root));
        Ok(())
    }

    /// Signs the checkpoint for `size` and `root`, a tree built on `from`
    /// (the head the batch extends); call [`Self::publish`] once it is
    /// stored. The empty tree may always be signed: every tree extends it.
    ///
    /// # Errors
    /// [`LedgerError::Fork`] unless `from` is the last published checkpoint
    /// and `size` does not shrink it.
    pub fn sign(
        &self,
        from: (TreeSize, Hash),
        size: TreeSize,
        root: Hash,
    ) -> Result<Head, LedgerError> {
        let empty = size == TreeSize(0) && root == Hash::EMPTY;
        if let Some(last) = self.last
            && !empty
            && (from != last || size < last.0 || (size == last.0 && root != last.1))
        {
            return Err(LedgerError::Fork {
                last: last.0,
                from: from.0,
                asked: size,
            });
        }
        let note = Checkpoint::new(&self.origin, size, root)
            .sign(&self.signer)
            .map_err(|e| LedgerError::Config(format!("signing a checkpoint: {e}")))?;
        Ok(Head {
            size,
            root,
            checkpoint: note.to_text().into(),
        })
    }

    /// Compares the store's head (`size`, `root`, checked) with the signer's
    /// record, refuses a store that does not extend it (unless the operator
    /// accepted that rollback at exactly this size), and takes what was last
    /// published ([`crate::signed::Standing`], `docs/LEDGER.md`).
    pub(crate) fn settle<S: Store>(
        &mut self,
        store: &S,
        size: TreeSize,
        root: Hash,
        accept_rollback: Option<TreeSize>,
    ) -> Result<(), LedgerError> {
        let Some(record) = self.record.as_ref() else {
            if let Some(accepted) = accept_rollback {
                return Err(LedgerError::AcceptRollback {
                    accepted,
                    reason: "this ledger keeps no signer record".into(),
                });
            }
            self.resume(size, root);
            return Ok(());
        };
        let path = record.path().to_owned();
        let Some(recorded) = record.state().cloned() else {
            if let Some(accepted) = accept_rollback {
                return Err(LedgerError::AcceptRollback {
                    accepted,
                    reason: format!("there is no signer record {} yet", path.display()),
                });
            }
            // A first start, or a store from before records: start from it.
            return self.publish(size, root);
        };
        if recorded.origin != self.origin() {
            return Err(LedgerError::Config(format!(
                "the signer record {} is for the log {:?}, not {:?}",
                path.display(),
                recorded.origin,
                self.origin()
            )));
        }
        let standing = Standing::of(&recorded, size, root, |at| {
            provenant_tlog::tree_hash(at, &StoredHashes(store))
        })
        .map_err(|e| LedgerError::Corrupt(format!("the store's root at the recorded size: {e}")))?;
        match (standing, accept_rollback) {
            (Standing::Behind, Some(accepted)) if accepted == size => {
                // Served as it is; nothing is signed until a tree extends the
                // record, which a store behind it cannot build.
                self.resume(recorded.size, recorded.root);
                Ok(())
            }
            (Standing::Behind, Some(accepted)) => Err(LedgerError::AcceptRollback {
                accepted,
                reason: format!("the store is at size {size}"),
            }),
            (Standing::Behind, None) => Err(LedgerError::Rollback {
                record: path,
                record_size: recorded.size,
                record_root: recorded.root,
                store_size: size,
                store_root: root,
            }),
            (Standing::Even | Standing::Ahead, Some(accepted)) => {
                Err(LedgerError::AcceptRollback {
                    accepted,
                    reason: format!(
                        "the store (size {size}) is not behind the signer record {}; \
                     nothing to accept",
                        path.display()
                    ),
                })
            }
            (Standing::Even, None) => {
                self.resume(size, root);
                Ok(())
            }
            (Standing::Ahead, None) => self.publish(size, root),
        }
    }
}
