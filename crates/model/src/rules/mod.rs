//! Validation and application of entries: one function, [`apply`], shared
//! by the ledger's sequencer and an auditor's replay.
//!
//! `apply` reads the state through a [`StateView`] and never writes it: it
//! returns the [`Changes`] that the entry makes, or the first rule the entry
//! breaks. The caller persists the changes atomically with the entry.

mod commit;
mod common;
mod design;
mod dispute;
mod grant;
mod keys;
mod transfer;
mod usage;

use crate::state::{Change, EntryRef};
use crate::{Changes, Identity, LeafHash, Payload, RuleError, StateView, Timestamp, Verified};

pub use dispute::MAX_OPEN_DISPUTES;

/// What the log knows about an entry being applied.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The entry's index in the log.
    pub index: u64,
    /// The entry's leaf hash.
    pub leaf_hash: LeafHash,
    /// The server's clock when it logged the entry.
    pub logged_at: Timestamp,
    /// The arbiter keys of the server's configuration.
    pub arbiters: &'a [Identity],
    /// The log's own key, the only signer of a `state.commit` entry; `None`
    /// refuses every `state.commit`.
    pub log_key: Option<&'a Identity>,
}

impl Context<'_> {
    /// The entry's reference, as recorded in the state.
    #[must_use]
    pub fn entry_ref(&self) -> EntryRef {
        EntryRef {
            index: self.index,
            leaf_hash: self.leaf_hash,
            logged_at: self.logged_at,
        }
    }
}

/// Validates `entry` against the state seen through `view` and returns what
/// it changes.
///
/// Common to every kind, before the kind's own rules:
/// - an envelope already logged is refused with
///   [`RuleError::DuplicateEntry`], naming the original entry (the ledger
///   answers with the original receipt);
/// - no signer may be a retired key ([`RuleError::KeyRetired`]).
///
/// # Errors
/// The first rule the entry breaks. The state is untouched either way.
pub fn apply<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
) -> Result<Changes, RuleError> {
    let id = entry.id();
    if let Some(index) = view.logged(&id)? {
        return Err(RuleError::DuplicateEntry { id, index });
    }
    for signer in entry.signers() {
        if view.successor(signer)?.is_some() {
            return Err(RuleError::KeyRetired { key: *signer });
        }
    }
    let mut changes = match entry.envelope().payload() {
        Payload::DesignRegister(p) => design::register(view, ctx, entry, p)?,
        Payload::LicenseGrant(p) => grant::grant(view, ctx, entry, p)?,
        Payload::UsageRecord(p) => usage::record(view, ctx, entry, p)?,
        Payload::OwnershipTransfer(p) => transfer::transfer(view, ctx, entry, p)?,
        Payload::LicenseRevoke(p) => grant::revoke(view, ctx, entry, p)?,
        Payload::DisputeRaise(p) => dispute::raise(view, ctx, entry, p)?,
        Payload::DisputeResolve(p) => dispute::resolve(view, ctx, entry, p)?,
        Payload::KeyRotate(p) => keys::rotate(view, ctx, entry, p)?,
        Payload::StateCommit(p) => commit::commit(ctx, entry, p)?,
    };
    changes.push(Change::Logged {
        id,
        index: ctx.index,
    });
    Ok(changes)
}
