//! The log's head and the key that signs it.
//!
//! The signer refuses to sign a checkpoint that would fork the log: a size
//! smaller than the last one published, or a different root at the same
//! size. Together with storing each checkpoint in the same atomic write as
//! the entries it covers, no two checkpoints this log publishes are
//! inconsistent. A checkpoint counts as published once its write is
//! durable: one whose write failed was never seen by anyone, so the next
//! batch may take its size with other entries.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use provenant_tlog::{Checkpoint, Hash, NoteSigner, NoteVerifier, TreeSize};

use crate::error::LedgerError;

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
    last: Option<(TreeSize, Hash)>,
}

impl LogSigner {
    /// A signer for the log named `origin` (also the key name).
    ///
    /// # Errors
    /// [`LedgerError::Config`] for an origin that is not a valid key name.
    pub fn new(origin: &str, key: SigningKey) -> Result<Self, LedgerError> {
        let signer = NoteSigner::new(origin, key)
            .map_err(|e| LedgerError::Config(format!("log origin {origin:?}: {e}")))?;
        Ok(Self {
            origin: origin.to_owned(),
            signer,
            last: None,
        })
    }

    /// The verifier of this log's checkpoints.
    #[must_use]
    pub fn verifier(&self) -> &NoteVerifier {
        self.signer.verifier()
    }

    /// The origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Remembers a checkpoint as published: the one found on open, or one
    /// just stored durably.
    pub fn published(&mut self, size: TreeSize, root: Hash) {
        self.last = Some((size, root));
    }

    /// Signs the checkpoint for `size` and `root`; call [`Self::published`]
    /// once it is stored.
    ///
    /// # Errors
    /// [`LedgerError::Fork`] when it would contradict the last published
    /// checkpoint.
    pub fn sign(&self, size: TreeSize, root: Hash) -> Result<Head, LedgerError> {
        if let Some((last_size, last_root)) = self.last
            && (size < last_size || (size == last_size && root != last_root))
        {
            return Err(LedgerError::Fork {
                last: last_size,
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
}
