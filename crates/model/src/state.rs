//! The state derived from the log, the read-only view the rules consult,
//! and the changes that applying an entry makes.
//!
//! Every record is a whole value that the ledger stores under its id; an
//! applied entry yields [`Changes`]: whole-record upserts plus index
//! additions and removals, which the ledger writes in the same atomic batch
//! as the entry.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::payload::{Outcome, ParentLink};
use crate::{
    DesignId, DisputeId, EntryId, EvidenceHash, GrantId, Identity, ImageCode, LeafHash,
    LicenseTerms, Ppm, Timestamp, ViewError,
};

/// Where an entry sits in the log: what a proof is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryRef {
    /// The entry's index in the log.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: LeafHash,
    /// When it was logged.
    pub logged_at: Timestamp,
}

/// An owner and its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Owner {
    /// The owner's key.
    pub key: Identity,
    /// Its share, positive.
    pub share_ppm: Ppm,
}

/// A registered design as it stands now: what the rules consult and what
/// later entries change.
///
/// The registration's descriptive fields (content descriptor, title,
/// description, creators as registered, AI disclosure) never change, so
/// they are not state: they stay in the registration entry, which
/// [`DesignState::registered`] points to and readers fetch with its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DesignState {
    /// The design id (BLAKE3 of the content).
    pub id: DesignId,
    /// The parent links.
    pub parents: Vec<ParentLink>,
    /// Ownership needed to sign for the design.
    pub license_threshold_ppm: Ppm,
    /// Current owners, sorted by key, shares summing to `1_000_000`.
    pub owners: Vec<Owner>,
    /// The registration entry.
    pub registered: EntryRef,
    /// The latest entry that changed ownership (a transfer's `prev`).
    pub ownership: EntryRef,
    /// Disputes that block the design: open ones and upheld ones.
    pub blocking_disputes: BTreeSet<DisputeId>,
}

impl DesignState {
    /// The share `key` holds, zero if none.
    #[must_use]
    pub fn share_of(&self, key: &Identity) -> Ppm {
        self.owners
            .iter()
            .find(|o| o.key == *key)
            .map_or(Ppm::ZERO, |o| o.share_ppm)
    }

    /// Whether a dispute blocks the design itself.
    #[must_use]
    pub fn is_disputed(&self) -> bool {
        !self.blocking_disputes.is_empty()
    }
}

/// Who ended a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum RevokedBy {
    /// Owners at the license threshold revoked it.
    Owners,
    /// The licensee released it.
    Licensee,
}

/// The end of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Who.
    pub by: RevokedBy,
    /// Why.
    pub reason: String,
    /// The revoking entry.
    pub entry: EntryRef,
}

/// A license grant as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantState {
    /// The grant id (its envelope's id).
    pub id: GrantId,
    /// The licensed design.
    pub design: DesignId,
    /// The current licensee (follows key rotation).
    pub licensee: Identity,
    /// The terms.
    pub terms: LicenseTerms,
    /// The grant entry.
    pub granted: EntryRef,
    /// Units recorded so far.
    pub units_used: u64,
    /// The latest usage record on the grant, if any: what a proven
    /// `units_used` can be checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_usage: Option<EntryRef>,
    /// Set once revoked or released.
    pub revoked: Option<Revocation>,
}

impl GrantState {
    /// Units left under the cap, `None` when unlimited.
    #[must_use]
    pub fn units_remaining(&self) -> Option<u64> {
        self.terms
            .max_units
            .map(|max| max.saturating_sub(self.units_used))
    }
}

/// An arbiter's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// The outcome.
    pub outcome: Outcome,
    /// The arbiter's note.
    pub note: String,
    /// The arbiters who signed.
    pub arbiters: Vec<Identity>,
    /// The resolving entry.
    pub entry: EntryRef,
}

/// A dispute as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeState {
    /// The dispute id (its envelope's id).
    pub id: DisputeId,
    /// The disputed design.
    pub design: DesignId,
    /// The claim.
    pub claim: String,
    /// SHA-256 of the evidence.
    pub evidence: EvidenceHash,
    /// Who raised it.
    pub raised_by: Vec<Identity>,
    /// The raising entry.
    pub raised: EntryRef,
    /// Set once resolved.
    pub resolution: Option<Resolution>,
}

/// A member of one of the state's secondary indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// `key` owns a share of `design`.
    OwnedBy {
        /// The owner.
        key: Identity,
        /// The design.
        design: DesignId,
    },
    /// `key` holds `grant`.
    HeldBy {
        /// The licensee.
        key: Identity,
        /// The grant.
        grant: GrantId,
    },
    /// `grant` licenses `design`.
    GrantOf {
        /// The design.
        design: DesignId,
        /// The grant.
        grant: GrantId,
    },
    /// `grant` on `design` is exclusive and not revoked: what a new
    /// non-exclusive grant must not overlap.
    ExclusiveOf {
        /// The design.
        design: DesignId,
        /// The grant.
        grant: GrantId,
    },
    /// `child` derives from `parent`.
    ChildOf {
        /// The parent.
        parent: DesignId,
        /// The child.
        child: DesignId,
    },
    /// The entry at `index`, after its registration, concerns `design`.
    /// A design's history is its registration entry
    /// ([`DesignState::registered`]) followed by these, so the most common
    /// entry, a registration, needs no link of its own.
    History {
        /// The design.
        design: DesignId,
        /// The entry's index.
        index: u64,
    },
    /// `design`, registered with image code `code`, has `bits` as the
    /// code's band number `band`: the near-duplicate index
    /// ([`crate::iscc::ImageCode::bands`]).
    ImageBand {
        /// The band's number, 0 to 3.
        band: u8,
        /// The band's 16 bits.
        bits: u16,
        /// The whole code, so that a search checks a candidate's distance
        /// without reading its registration.
        code: ImageCode,
        /// The design.
        design: DesignId,
    },
}

/// One change to the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Insert or replace a design record.
    Design(Box<DesignState>),
    /// Insert or replace a grant record.
    Grant(Box<GrantState>),
    /// Insert or replace a dispute record.
    Dispute(Box<DisputeState>),
    /// `old` is retired; `new` succeeds it.
    Succession {
        /// The retired key.
        old: Identity,
        /// Its successor.
        new: Identity,
    },
    /// The envelope `id` is logged at `index` (the idempotency index).
    Logged {
        /// The envelope id.
        id: EntryId,
        /// Its index.
        index: u64,
    },
    /// Add an index member.
    Link(Link),
    /// Remove an index member.
    Unlink(Link),
}

/// Everything one entry changes, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes(pub Vec<Change>);

impl Changes {
    pub(crate) fn push(&mut self, change: Change) {
        self.0.push(change);
    }

    pub(crate) fn link(&mut self, link: Link) {
        self.0.push(Change::Link(link));
    }

    pub(crate) fn unlink(&mut self, link: Link) {
        self.0.push(Change::Unlink(link));
    }
}

/// The read-only view of the current state that the rules consult.
///
/// The ledger implements it over its store (plus the pending batch); the
/// model ships [`crate::MemoryState`]. Lists come back sorted.
pub trait StateView {
    /// A design by id (the BLAKE3 of its content).
    ///
    /// # Errors
    /// The store's failure.
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError>;
    /// A grant by id.
    ///
    /// # Errors
    /// The store's failure.
    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError>;
    /// A dispute by id.
    ///
    /// # Errors
    /// The store's failure.
    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError>;
    /// The key that succeeded `key`, if `key` was rotated away.
    ///
    /// # Errors
    /// The store's failure.
    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError>;
    /// The index of the entry holding envelope `id`, if logged.
    ///
    /// # Errors
    /// The store's failure.
    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError>;
    /// The designs `key` owns a share of.
    ///
    /// # Errors
    /// The store's failure.
    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError>;
    /// The grants `key` holds.
    ///
    /// # Errors
    /// The store's failure.
    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError>;
    /// The grants on `design`.
    ///
    /// # Errors
    /// The store's failure.
    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError>;
    /// The exclusive, unrevoked grants on `design`.
    ///
    /// # Errors
    /// The store's failure.
    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError>;

    /// The grants on `design` whose licensee is `licensee` (revoked ones
    /// too), sorted: the one list a license check reads, and a record of
    /// the state map. The default reads the design's grants, or, for a
    /// design with many, intersects them with the licensee's first.
    ///
    /// # Errors
    /// The store's failure.
    fn licensee_grants(
        &self,
        design: &DesignId,
        licensee: &Identity,
    ) -> Result<Vec<GrantId>, ViewError> {
        let on_design = self.grants_of(design)?;
        let candidates = if on_design.len() <= FEW_GRANTS {
            on_design
        } else {
            let on_design: BTreeSet<GrantId> = on_design.into_iter().collect();
            self.grants_held_by(licensee)?
                .into_iter()
                .filter(|id| on_design.contains(id))
                .collect()
        };
        let mut mine = Vec::new();
        for id in candidates {
            if self.grant(&id)?.is_some_and(|g| g.licensee == *licensee) {
                mine.push(id);
            }
        }
        mine.sort();
        Ok(mine)
    }
}

/// A design with at most this many grants has each one read; past it, the
/// design's and the licensee's grant ids are intersected first.
const FEW_GRANTS: usize = 64;

/// Owners as a map, for arithmetic.
pub(crate) fn owner_map(owners: &[Owner]) -> BTreeMap<Identity, u32> {
    owners.iter().map(|o| (o.key, o.share_ppm.get())).collect()
}
