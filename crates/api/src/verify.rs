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
//! An answer computed from the state (a design, a grant, a license check,
//! a split, an identified upload) also carries its proven state
//! ([`crate::StateProof`]), and [`Proven::verify_state`] goes on:
//!
//! 5. the log's latest `state.commit` is the last entry of the
//!    checkpoint's tree, signed by the log's key;
//! 6. every record's map proof verifies under its root (present, or
//!    proven absent);
//! 7. the model's own function, run over the proven records alone
//!    ([`ProvenState`]), gives the answer ([`Recompute`]).
//!
//! Then the answer is the log's, not the server's word. Without a proven
//! state, what the server computed from the entries is its word: the
//! verifier proves that the entries are in the log the key signs, at that
//! size.
//! A design's details (content, title, creators, AI disclosure) are not
//! state: [`verify_registration`] checks them against its registration
//! entry, fetched apart.
//! Receipts verify through [`verify_receipt`], proof bundles through
//! [`verify_bundle`], and the log's own proofs through
//! [`InclusionAnswer::verify`] and [`ConsistencyAnswer::verify`].

use std::collections::BTreeSet;

use provenant_model::state::EntryRef;
use provenant_model::{
    Cancel, GrantState, LicenseAnswer, LicenseQuery, ProvenState, Receipt, ReceiptError,
    RoyaltySplit, RuleError, StateView as _, Statement, ViewError, blocked_by, check_license,
    royalty_split,
};
use provenant_tlog::bundle::ProofBundle;
use provenant_tlog::{
    Checkpoint, Hash, LeafIndex, Note, NoteVerifier, TreeSize, verify_consistency, verify_inclusion,
};

use crate::design::{DesignDetails, DesignReport, DesignSummary, Identified, NotRegistered};
use crate::log::{ConsistencyAnswer, EntryAnswer, InclusionAnswer};
use crate::proven::Proven;
use crate::royalty::{DetailQuery, SplitRequest};

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
    /// The answer carries no proven state, so only the entries it names
    /// are proven, not the answer itself.
    #[error("the answer carries no proof of the state it was computed from")]
    NoState,
    /// The proven state does not check out: the commitment, a record or a
    /// map proof, or a record the answer needed and did not prove.
    #[error("the proven state does not verify: {reason}")]
    State {
        /// What failed.
        reason: String,
    },
    /// The answer is not what the model computes from the proven records.
    #[error("the answer is not what the proven state gives: {what}")]
    Differs {
        /// What differs.
        what: String,
    },
    /// The checkpoint is the log's but not cosigned by the policy's
    /// quorum of witnesses (see [`crate::witnessed`]).
    #[error("the checkpoint is not witnessed as the policy requires: {0}")]
    NotWitnessed(provenant_tlog::Error),
    /// The witnessed checkpoint offered is older than the answer.
    #[error(
        "the witnessed checkpoint (size {witnessed}) does not cover the answer (size {answer})"
    )]
    UpgradeBehind {
        /// The answer's size.
        answer: u64,
        /// The witnessed checkpoint's size.
        witnessed: u64,
    },
    /// The answer's checkpoint is smaller than one this client verified
    /// before: a replayed or stale answer.
    #[error(
        "stale: the answer is at size {answer}, and this client already verified the log at size {remembered}"
    )]
    Stale {
        /// The size remembered.
        remembered: u64,
        /// The answer's size.
        answer: u64,
    },
    /// Two checkpoints signed by the log's key that cannot both be its
    /// history (one size with two roots, or a larger tree that does not
    /// extend the smaller): the evidence of a fork, both notes given.
    #[error("fork: {why}\n--- verified before:\n{remembered}--- in this answer:\n{answer}")]
    Fork {
        /// What does not hold: two roots for one size, or no consistency
        /// between the two trees.
        why: String,
        /// The note remembered.
        remembered: String,
        /// The answer's note.
        answer: String,
    },
    /// No checkpoint the witness quorum cosigned within the maximum age
    /// covers the answer.
    #[error(
        "not fresh: the witnesses' latest cosigned checkpoint is {age} s old, more than the {max_age} s allowed"
    )]
    NotFresh {
        /// Its age, in seconds.
        age: u64,
        /// The maximum age, in seconds.
        max_age: u64,
    },
    /// A witnessed checkpoint larger than the answer came without the
    /// consistency proof that ties the two.
    #[error(
        "no consistency proof from the answer (size {answer}) to the witnessed checkpoint (size {witnessed})"
    )]
    UpgradeUnproven {
        /// The answer's size.
        answer: u64,
        /// The witnessed checkpoint's size.
        witnessed: u64,
    },
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

/// A page of entries is proven entry by entry.
impl RestsOn for crate::Page<EntryRef> {
    fn rests_on(&self) -> Vec<EntryRef> {
        self.items.clone()
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
        self.verify_entries(log_key, true)
    }

    /// Steps 1 to 4 of the module doc; with `need_proofs`, an answer that
    /// names no entry and carries no proof is refused (without a proven
    /// state, nothing would tie it to the log).
    fn verify_entries(
        &self,
        log_key: &NoteVerifier,
        need_proofs: bool,
    ) -> Result<Checkpoint, VerifyError> {
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
        if need_proofs && named.is_empty() && proven.is_empty() {
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

/// An answer a client recomputes from the state records it was proven
/// with, using the model's own functions.
pub trait Recompute {
    /// What the client asked that the answer does not repeat.
    type Question: ?Sized;

    /// Recomputes the answer to `question` from `state` and compares.
    ///
    /// # Errors
    /// [`VerifyError::State`] when the computation needs a record the
    /// answer did not prove; [`VerifyError::Differs`] when the result is
    /// not the answer.
    fn recompute(&self, state: &ProvenState, question: &Self::Question) -> Result<(), VerifyError>;
}

/// A rule error met while recomputing: a record the answer did not prove,
/// or the model refusing what the proven records say.
fn recomputing(e: RuleError) -> VerifyError {
    match e {
        RuleError::View(ViewError::Unproven(what)) => VerifyError::State {
            reason: format!("the answer does not prove {what}"),
        },
        other => VerifyError::Differs {
            what: format!("recomputing it fails: {other}"),
        },
    }
}

fn differs(what: impl Into<String>) -> VerifyError {
    VerifyError::Differs { what: what.into() }
}

impl Recompute for LicenseAnswer {
    type Question = LicenseQuery;

    fn recompute(&self, state: &ProvenState, q: &LicenseQuery) -> Result<(), VerifyError> {
        let again = check_license(state, q).map_err(recomputing)?;
        if again == *self {
            Ok(())
        } else {
            Err(differs(format!(
                "the proven records give allowed={} reasons={:?} grant={:?} units_remaining={:?}",
                again.allowed,
                again.reasons.iter().map(|r| r.code()).collect::<Vec<_>>(),
                again.grant,
                again.units_remaining
            )))
        }
    }
}

impl Recompute for GrantState {
    type Question = ();

    fn recompute(&self, state: &ProvenState, (): &()) -> Result<(), VerifyError> {
        match state.grant(&self.id).map_err(|e| recomputing(e.into()))? {
            Some(g) if g == *self => Ok(()),
            Some(_) => Err(differs(format!("grant {} is not as proven", self.id))),
            None => Err(differs(format!("grant {} is proven absent", self.id))),
        }
    }
}

impl Recompute for DesignReport {
    type Question = ();

    fn recompute(&self, state: &ProvenState, (): &()) -> Result<(), VerifyError> {
        let s = &self.state;
        let Some(d) = state.design(&s.id).map_err(|e| recomputing(e.into()))? else {
            return Err(differs(format!("design {} is proven absent", s.id)));
        };
        let blocked = blocked_by(state, &d).map_err(recomputing)?;
        if DesignSummary::new(d, blocked) != *s {
            return Err(differs(format!("design {} is not as proven", s.id)));
        }
        for g in &self.grants {
            g.recompute(state, &())?;
            if g.design != s.id {
                return Err(differs(format!("grant {} is not on design {}", g.id, s.id)));
            }
        }
        Ok(())
    }
}

impl Recompute for RoyaltySplit {
    type Question = SplitRequest;

    fn recompute(&self, state: &ProvenState, q: &SplitRequest) -> Result<(), VerifyError> {
        let detail = q
            .detail
            .as_ref()
            .map(DetailQuery::page)
            .transpose()
            .map_err(|p| differs(format!("the request's detail: {}", p.detail)))?;
        let again = royalty_split(state, q.design, q.revenue, detail, &Cancel::default())
            .map_err(recomputing)?;
        // Compared as on the wire: what the split pays is not sent.
        let wire = |s: &RoyaltySplit| serde_json::to_value(s).ok();
        if wire(&again).is_some() && wire(&again) == wire(self) {
            Ok(())
        } else {
            Err(differs("the split of the proven royalty chain"))
        }
    }
}

impl<T: RestsOn + Recompute> Proven<T> {
    /// Checks the answer as [`Proven::verify`] does, then its proven state
    /// ([`crate::StateProof::verify`]), then recomputes the answer to
    /// `question` from the proven records with the model's functions. The
    /// answer is then the log's, not the server's word.
    ///
    /// # Errors
    /// The first check that fails; [`VerifyError::NoState`] for an answer
    /// without a proven state (but for one at size 0: a log with no entry
    /// has the empty state, every record absent).
    pub fn verify_state(
        &self,
        log_key: &NoteVerifier,
        question: &T::Question,
    ) -> Result<(Checkpoint, ProvenState), VerifyError> {
        let checkpoint = self.verify_entries(log_key, false)?;
        let state = match &self.state {
            Some(proof) => proof.verify(&checkpoint, log_key)?,
            // A log with no entry has logged no commitment, and needs none:
            // its signed checkpoint of size 0 proves the state empty.
            None if checkpoint.size.0 == 0 => ProvenState::of_empty_log(),
            None => return Err(VerifyError::NoState),
        };
        self.answer.recompute(&state, question)?;
        Ok((checkpoint, state))
    }
}

/// The answer for a file that is not registered: the design id it would
/// have, proven absent from the state.
impl Recompute for NotRegistered {
    type Question = ();

    fn recompute(&self, state: &ProvenState, (): &()) -> Result<(), VerifyError> {
        match state
            .design(&self.design)
            .map_err(|e| recomputing(e.into()))?
        {
            None => Ok(()),
            Some(_) => Err(differs(format!("design {} is registered", self.design))),
        }
    }
}

impl RestsOn for NotRegistered {
    fn rests_on(&self) -> Vec<EntryRef> {
        Vec::new()
    }
}

impl Identified {
    /// Checks the answer: the design with its proven state when the file
    /// is registered, or the proof that no design has its id when it is
    /// not. Returns the checkpoint and the proven state.
    ///
    /// # Errors
    /// As [`Proven::verify_state`]; [`VerifyError::Differs`] when the
    /// answer is about another design than the file's.
    pub fn verify(&self, log_key: &NoteVerifier) -> Result<(Checkpoint, ProvenState), VerifyError> {
        match (&self.design, &self.absence) {
            (Some(d), _) if d.answer.state.id == self.blake3 && self.registered => {
                d.verify_state(log_key, &())
            }
            (None, Some(a)) if a.answer.design == self.blake3 && !self.registered => {
                a.verify_state(log_key, &())
            }
            _ => Err(differs(
                "the answer neither proves the file's design nor its absence",
            )),
        }
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

/// Whether a consistency proof is needed to show that the tree of `new`
/// extends the tree of `old`: when `new` is larger and `old` is not the
/// empty tree (everything extends it).
#[must_use]
pub fn consistency_needed(old: &Checkpoint, new: &Checkpoint) -> bool {
    old.size.0 > 0 && new.size > old.size
}

/// Checks that the tree of `new` extends the tree of `old` (two verified
/// checkpoints of one log): at one size the roots are equal; from the
/// empty tree there is nothing to prove; otherwise `proof`, the
/// consistency proof between their sizes, verifies (a missing one is an
/// empty one, which does not).
///
/// # Errors
/// [`VerifyError::Inconsistent`] for a smaller `new`, another root at one
/// size, or a proof that does not hold; as [`ConsistencyAnswer::verify`].
pub fn verify_extends(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: Option<&ConsistencyAnswer>,
) -> Result<(), VerifyError> {
    let inconsistent = |source| VerifyError::Inconsistent {
        old: old.size.0,
        new: new.size.0,
        source,
    };
    if new.size < old.size {
        return Err(inconsistent(provenant_tlog::Error::SizesOutOfOrder {
            old: old.size,
            new: new.size,
        }));
    }
    if !consistency_needed(old, new) {
        return if new.size == old.size && new.root != old.root {
            Err(inconsistent(provenant_tlog::Error::RootMismatch))
        } else {
            Ok(())
        };
    }
    let none = ConsistencyAnswer {
        from: old.size.0,
        to: new.size.0,
        consistency_proof: Vec::new(),
    };
    proof.unwrap_or(&none).verify(old, new)
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

/// Checks that `entry` (the answer of `GET /v1/entries/{index}`) is the
/// registration `report` proves (same index and leaf hash, the hash
/// recomputed from the entry), and that the details `report` shows (content,
/// title, description, creators, AI disclosure) are what it registered.
/// With [`Proven::verify_state`] on the report, every member of a design
/// answer but `children`, `history` and the completeness of `grants` is
/// then the log's.
///
/// # Errors
/// [`VerifyError::Differs`] naming the first thing that differs.
pub fn verify_registration(report: &DesignReport, entry: &EntryAnswer) -> Result<(), VerifyError> {
    let registered = report.state.registered;
    if entry.index != registered.index || entry.leaf_hash != registered.leaf_hash {
        return Err(differs(format!(
            "entry {} is not the registration the answer proves (entry {})",
            entry.index, registered.index
        )));
    }
    let bytes = provenant_model::jcs::to_vec(&entry.entry)
        .map_err(|e| differs(format!("the registration entry: {e}")))?;
    if provenant_model::LeafHash::from(provenant_tlog::hash_leaf(&bytes)) != registered.leaf_hash {
        return Err(differs(
            "the registration entry does not hash to its leaf hash",
        ));
    }
    let parsed = provenant_model::Entry::from_leaf_bytes(&bytes)
        .map_err(|e| differs(format!("the registration entry: {e}")))?;
    let provenant_model::Payload::DesignRegister(payload) = parsed.envelope.payload() else {
        return Err(differs(format!(
            "entry {} is a {}, not a design.register",
            entry.index,
            parsed.envelope.kind()
        )));
    };
    if payload.content.blake3 != report.state.id {
        return Err(differs(format!(
            "entry {} registers another design",
            entry.index
        )));
    }
    if DesignDetails::registered(payload.clone()) != report.details {
        return Err(differs(
            "the content, title, description, creators or AI disclosure shown are not what the design registered",
        ));
    }
    Ok(())
}
