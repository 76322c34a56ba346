//! `key.rotate`: succession from an old key to a new one.
//!
//! Both keys sign, and no other. The keys differ; the old key is not
//! already retired (checked for every signer by [`super::apply`]); the new
//! key is fresh: never retired and holding no share and no grant, so that a
//! succession never merges two histories. The new key takes over every
//! share and every grant of the old key; each design touched records the
//! rotation as its latest ownership entry (a transfer's `prev`). From then
//! on the old key's signatures count for nothing: any entry it signs is
//! refused with [`crate::RuleError::KeyRetired`].

use std::collections::BTreeSet;

use super::Context;
use super::common::check_signers;
use super::transfer::owners_from;
use crate::payload::KeyRotate;
use crate::state::{Change, Link, owner_map};
use crate::{Changes, RuleError, StateView, Verified};

pub(super) fn rotate<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &KeyRotate,
) -> Result<Changes, RuleError> {
    if p.old == p.new {
        return Err(RuleError::RotationSameKey { key: p.old });
    }
    check_signers(entry, [&p.old, &p.new], &BTreeSet::new())?;
    if view.successor(&p.old)?.is_some() {
        return Err(RuleError::KeyRetired { key: p.old });
    }
    if view.successor(&p.new)?.is_some()
        || !view.designs_owned_by(&p.new)?.is_empty()
        || !view.grants_held_by(&p.new)?.is_empty()
    {
        return Err(RuleError::RotationTargetInUse { key: p.new });
    }

    let mut changes = Changes::default();
    changes.push(Change::Succession {
        old: p.old,
        new: p.new,
    });
    for design_id in view.designs_owned_by(&p.old)? {
        let mut design = view
            .design(&design_id)?
            .ok_or(RuleError::DesignNotFound { design: design_id })?;
        let mut shares = owner_map(&design.owners);
        let share = shares.remove(&p.old).unwrap_or(0);
        shares.insert(p.new, share);
        design.owners = owners_from(&shares)?;
        design.ownership = ctx.entry_ref();
        changes.unlink(Link::OwnedBy {
            key: p.old,
            design: design_id,
        });
        changes.link(Link::OwnedBy {
            key: p.new,
            design: design_id,
        });
        changes.link(Link::History {
            design: design_id,
            index: ctx.index,
        });
        changes.push(Change::Design(Box::new(design)));
    }
    for grant_id in view.grants_held_by(&p.old)? {
        let mut grant = view
            .grant(&grant_id)?
            .ok_or(RuleError::GrantNotFound { grant: grant_id })?;
        grant.licensee = p.new;
        changes.unlink(Link::HeldBy {
            key: p.old,
            grant: grant_id,
        });
        changes.link(Link::HeldBy {
            key: p.new,
            grant: grant_id,
        });
        changes.push(Change::Grant(Box::new(grant)));
    }
    Ok(changes)
}
