//! `ownership.transfer`.
//!
//! Every giver and the receiver signed, and no one else (checked first,
//! before any state is read). The design exists and is not disputed (nor its ancestors: a design under
//! dispute is frozen, except for revocations, resolutions and rotations);
//! `prev` is the leaf hash of the latest entry that changed its ownership
//! (registration, transfer or a rotation touching it), which stops replays
//! and races; every giver holds at least what it moves. Givers left with
//! nothing stop being owners; the receiver's shares merge with any it
//! already held, so the shares still sum to exactly `1_000_000`; a design
//! never has more than [`crate::MAX_OWNERS`] owners
//! ([`RuleError::TooManyOwners`]).

use std::collections::BTreeSet;

use super::Context;
use super::common::{add_shares, check_signers, require_clear};
use crate::payload::OwnershipTransfer;
use crate::state::{Change, Link, Owner, owner_map};
use crate::{Changes, Identity, MAX_OWNERS, Ppm, RuleError, StateView, Verified};

pub(super) fn transfer<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &OwnershipTransfer,
) -> Result<Changes, RuleError> {
    p.validate()?;
    let mut required: BTreeSet<Identity> = p.from.iter().map(|m| m.key).collect();
    required.insert(p.to);
    check_signers(entry, &required, &BTreeSet::new())?;
    let mut design = view
        .design(&p.design)?
        .ok_or(RuleError::DesignNotFound { design: p.design })?;
    require_clear(view, &design)?;
    if p.prev != design.ownership.leaf_hash {
        return Err(RuleError::StalePrev {
            current: design.ownership.leaf_hash,
        });
    }

    let mut shares = owner_map(&design.owners);
    let mut moved: u32 = 0;
    let mut changes = Changes::default();
    for m in &p.from {
        let held = shares.get(&m.key).copied().unwrap_or(0);
        let left = held
            .checked_sub(m.share_ppm.get())
            .ok_or(RuleError::InsufficientShares {
                key: m.key,
                held_ppm: held,
                moving_ppm: m.share_ppm.get(),
            })?;
        moved = add_shares(moved, m.share_ppm.get())?.get();
        if left == 0 {
            shares.remove(&m.key);
            changes.unlink(Link::OwnedBy {
                key: m.key,
                design: design.id,
            });
        } else {
            shares.insert(m.key, left);
        }
    }
    let receiver = shares.get(&p.to).copied().unwrap_or(0);
    shares.insert(p.to, add_shares(receiver, moved)?.get());
    if shares.len() > MAX_OWNERS {
        return Err(RuleError::TooManyOwners {
            design: design.id,
            max: MAX_OWNERS,
        });
    }
    if receiver == 0 {
        changes.link(Link::OwnedBy {
            key: p.to,
            design: design.id,
        });
    }
    design.owners = owners_from(&shares)?;
    design.ownership = ctx.entry_ref();
    changes.link(Link::History {
        design: design.id,
        index: ctx.index,
    });
    changes.push(Change::Design(Box::new(design)));
    Ok(changes)
}

/// Owners from a share map, checking that they sum to exactly `1_000_000`.
pub(super) fn owners_from(
    shares: &std::collections::BTreeMap<Identity, u32>,
) -> Result<Vec<Owner>, RuleError> {
    let mut total: u32 = 0;
    let mut owners = Vec::with_capacity(shares.len());
    for (key, share) in shares {
        total = add_shares(total, *share)?.get();
        owners.push(Owner {
            key: *key,
            share_ppm: Ppm::new(*share).ok_or(RuleError::Invariant {
                detail: "share above 1000000",
            })?,
        });
    }
    if total == Ppm::SCALE {
        Ok(owners)
    } else {
        Err(RuleError::Invariant {
            detail: "owner shares do not sum to 1000000",
        })
    }
}
