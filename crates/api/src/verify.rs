//! One verifier for everything the service answers, so that the CLI, the
//! tests, an auditor and a browser page check answers the same way.
//!
//! A proven answer ([`Proven`]) verifies when:
//!
//! 1. its checkpoint is a C2SP signed note signed by the log's key, whose
//!    name is the log's origin;
//! 2. its `tree_size` is the checkpoint's size;
//! 3. every proof in it verifies (RFC 9162 section 2.1.3.2) under the
//!    checkpoint's root, for the leaf hash and index it names;
//! 4. every entry the answer rests on ([`RestsOn`]) has one of those
//!    proofs, same index and same leaf hash.
//!
//! What the server computed from those entries is its word: the verifier
//! proves that the entries are in the log the key signs, at that size.
//! Receipts verify through [`verify_receipt`], proof bundles through
//! [`verify_bundle`], and the log's own proofs through
//! [`InclusionAnswer::verify`] and [`ConsistencyAnswer::verify`].

use std::collections::BTreeSet;

use provenant_model::state::EntryRef;
use provenant_model::{GrantState, LicenseAnswer, Receipt, ReceiptError, RoyaltySplit, Statement};
use provenant_tlog::bundle::ProofBundle;
use provenant_tlog::{
    Checkpoint, Hash, LeafIndex, Note, NoteVerifier, TreeSize, verify_consistency, verify_inclusion,
};

use crate::design::{DesignReport, Identified};
use crate::log::{ConsistencyAnswer, InclusionAnswer};
use crate::proven::Proven;

/// Why an answer does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The checkpoint is not a signed note, or not signed by the log's key
    /// under the log's origin.
    #[error("the answer's checkpoint is not signed by the log's key: {0}")]
    Checkpoint(provenant_tlog::Error),
    /// The answer's size is not its checkpoint's.
    #[error("the answer says size {said}, its checkpoint {signed}")]
    SizeMismatch {
        /// The size the answer states.
        said: u64,
        /// The signed checkpoint's size.
        signed: u64,
    },
    /// An inclusion proof does not lead to the checkpoint's root.
    #[error("the proof of entry {index} does not verify under the checkpoint's root: {source}")]
    Proof {
        /// The entry the proof is for.
        index: u64,
        /// What the proof check said.
        source: provenant_tlog::Error,
    },
    /// The answer rests on an entry it gives no proof for.
    #[error("the answer names entry {index} without proving it")]
    Unproven {
        /// The entry's index.
        index: u64,
    },
    /// The answer names no entry and carries no proof: nothing in it is
    /// tied to the log.
    #[error("the answer carries no proof")]
    NoProofs,
    /// A consistency proof does not lead from the older root to the newer.
    #[error("the log at size {new} does not extend the log at size {old}: {source}")]
    Inconsistent {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
        /// What the proof check said.
        source: provenant_tlog::Error,
    },
    /// A proof answer is for another size than the checkpoint it is checked
    /// against.
    #[error("the proof is for size {said}, the checkpoint is of size {signed}")]
    ProofSize {
        /// The size the proof answer states.
        said: u64,
        /// The checkpoint's size.
        signed: u64,
    },
    /// A receipt does not verify (the receipt's own message).
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    /// A proof bundle does not verify.
    #[error("the proof bundle does not verify: {0}")]
    Bundle(provenant_tlog::Error),
}

/// The entries an answer rests on: each must be proven in the answer.
pub trait RestsOn {
    /// Every entry the answer names.
    fn rests_on(&self) -> Vec<EntryRef>;
}

impl RestsOn for DesignReport {
    fn rests_on(&self) -> Vec<EntryRef> {
        let s = &self.state;
        let mut refs = vec![s.registered, s.ownership];
        refs.extend(s.blocked_by.as_ref().map(|b| b.raised));
        for g in &self.grants {
            refs.extend(g.rests_on());
        }
        refs
    }
}

impl RestsOn for GrantState {
    fn rests_on(&self) -> Vec<EntryRef> {
        let mut refs = vec![self.granted];
        refs.extend(self.revoked.as_ref().map(|r| r.entry));
        refs
    }
}

impl RestsOn for LicenseAnswer {
    fn rests_on(&self) -> Vec<EntryRef> {
        let mut refs = self.rests_on.clone();
        refs.extend(self.blocked_by.as_ref().map(|b| b.raised));
        refs
    }
}

/// A split names no entry: its proofs cover the registrations, ownership
/// and grants of the designs it pays, which the answer does not list.
impl RestsOn for RoyaltySplit {
    fn rests_on(&self) -> Vec<EntryRef> {
        Vec::new()
    }
}

/// A statement names no entry: its proofs cover the registrations and
/// ownership of the designs sold.
impl RestsOn for Statement {
    fn rests_on(&self) -> Vec<EntryRef> {
        Vec::new()
    }
}

/// The signed checkpoint in `text`, verified under `log_key`, whose name
/// is the log's origin.
///
/// # Errors
/// [`VerifyError::Checkpoint`] when it is not a note, or not signed by
/// that key under that origin.
pub fn verify_checkpoint(text: &str, log_key: &NoteVerifier) -> Result<Checkpoint, VerifyError> {
    let note = Note::parse(text.as_bytes()).map_err(VerifyError::Checkpoint)?;
    Checkpoint::verify(&note, log_key.name(), std::slice::from_ref(log_key))
        .map_err(VerifyError::Checkpoint)
}

impl<T: RestsOn> Proven<T> {
    /// Checks the answer against the log whose key is `log_key` (see the
    /// module doc) and returns the checkpoint it is proven under.
    ///
    /// # Errors
    /// The first check that fails.
    pub fn verify(&self, log_key: &NoteVerifier) -> Result<Checkpoint, VerifyError> {
        let checkpoint = verify_checkpoint(&self.checkpoint, log_key)?;
        if self.tree_size != checkpoint.size.0 {
            return Err(VerifyError::SizeMismatch {
                said: self.tree_size,
                signed: checkpoint.size.0,
            });
        }
        let mut proven = BTreeSet::new();
        for p in &self.proofs {
            let leaf = Hash::from(p.leaf_hash);
            verify_inclusion(
                LeafIndex(p.index),
                checkpoint.size,
                &leaf,
                &p.inclusion_proof,
                &checkpoint.root,
            )
            .map_err(|source| VerifyError::Proof {
                index: p.index,
                source,
            })?;
            proven.insert((p.index, p.leaf_hash));
        }
        let named = self.answer.rests_on();
        if named.is_empty() && proven.is_empty() {
            return Err(VerifyError::NoProofs);
        }
        match named
            .iter()
            .find(|r| !proven.contains(&(r.index, r.leaf_hash)))
        {
            Some(r) => Err(VerifyError::Unproven { index: r.index }),
            None => Ok(checkpoint),
        }
    }
}

impl Identified {
    /// Checks the design in the answer, when the file is registered; `None`
    /// when it is not (the answer then rests on nothing in the log).
    ///
    /// # Errors
    /// As [`Proven::verify`].
    pub fn verify(&self, log_key: &NoteVerifier) -> Result<Option<Checkpoint>, VerifyError> {
        self.design.as_ref().map(|d| d.verify(log_key)).transpose()
    }
}

impl InclusionAnswer {
    /// Checks that this proof puts `leaf` at its index in the tree of
    /// `checkpoint` (one already verified, of the answer's size).
    ///
    /// # Errors
    /// [`VerifyError::ProofSize`] for a proof of another size,
    /// [`VerifyError::Proof`] for one that does not lead to the root.
    pub fn verify(&self, leaf: &Hash, checkpoint: &Checkpoint) -> Result<(), VerifyError> {
        if self.tree_size != checkpoint.size.0 {
            return Err(VerifyError::ProofSize {
                said: self.tree_size,
                signed: checkpoint.size.0,
            });
        }
        verify_inclusion(
            LeafIndex(self.index),
            checkpoint.size,
            leaf,
            &self.inclusion_proof,
            &checkpoint.root,
        )
        .map_err(|source| VerifyError::Proof {
            index: self.index,
            source,
        })
    }
}

impl ConsistencyAnswer {
    /// Checks that the tree of `new` extends the tree of `old` (two
    /// checkpoints already verified, of the answer's sizes).
    ///
    /// # Errors
    /// [`VerifyError::ProofSize`] when the sizes are not the answer's,
    /// [`VerifyError::Inconsistent`] when the proof does not hold.
    pub fn verify(&self, old: &Checkpoint, new: &Checkpoint) -> Result<(), VerifyError> {
        for (said, cp) in [(self.from, old), (self.to, new)] {
            if said != cp.size.0 {
                return Err(VerifyError::ProofSize {
                    said,
                    signed: cp.size.0,
                });
            }
        }
        verify_consistency(
            TreeSize(self.from),
            TreeSize(self.to),
            &old.root,
            &new.root,
            &self.consistency_proof,
        )
        .map_err(|source| VerifyError::Inconsistent {
            old: self.from,
            new: self.to,
            source,
        })
    }
}

/// Checks a receipt offline: the entry is canonical and its leaf hash is
/// the receipt's, the checkpoint is signed by `log_key` (whose name is the
/// log's origin), and the inclusion proof leads to the checkpoint's root.
///
/// # Errors
/// [`VerifyError::Receipt`] with the first check that fails.
pub fn verify_receipt(
    receipt: &Receipt,
    log_key: &NoteVerifier,
) -> Result<Checkpoint, VerifyError> {
    Ok(receipt.verify(log_key.name(), log_key)?)
}

/// Checks a C2SP tlog-proof bundle for `entry` (its leaf bytes) offline,
/// against `log_key` (whose name is the log's origin).
///
/// # Errors
/// [`VerifyError::Bundle`] with the first check that fails.
pub fn verify_bundle(
    bundle: &ProofBundle,
    entry: &[u8],
    log_key: &NoteVerifier,
) -> Result<Checkpoint, VerifyError> {
    bundle
        .verify(entry, log_key.name(), log_key)
        .map_err(VerifyError::Bundle)
}
