//! `license.grant` and `license.revoke`.
//!
//! A grant: the terms are consistent on their own; the design exists; the
//! licensee signed and the signing owners reach the design's license
//! threshold (no other key signs), checked before the design's ancestors
//! are walked; the design is not disputed (nor its ancestors); if the
//! design derives under a reciprocal grant, the terms equal that grant's
//! terms; and when either grant is exclusive, the new grant overlaps no
//! unrevoked grant on the design in territory x channel x category x time.
//!
//! A revocation: the grant exists and is not already revoked; either the
//! signing owners reach the threshold (a revocation) or the licensee signed
//! (a release). Disputes do not stop a revocation.

use std::collections::BTreeSet;

use super::Context;
use super::common::{check_signers, check_threshold, owner_keys, require_clear};
use crate::payload::{LicenseGrant, LicenseRevoke, MAX_TEXT};
use crate::state::{Change, Link, Revocation, RevokedBy};
use crate::{Changes, GrantState, RuleError, StateView, Verified, codec::check_text};

pub(super) fn grant<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &LicenseGrant,
) -> Result<Changes, RuleError> {
    p.terms.validate()?;
    let design = view
        .design(&p.design)?
        .ok_or(RuleError::DesignNotFound { design: p.design })?;
    check_signers(entry, [&p.licensee], &owner_keys(&design))?;
    check_threshold(&design, entry.signers())?;
    require_clear(view, &design)?;
    for link in &design.parents {
        let parent_grant = view
            .grant(&link.grant)?
            .ok_or(RuleError::GrantNotFound { grant: link.grant })?;
        if parent_grant.terms.derivatives_reciprocal && parent_grant.terms != p.terms {
            return Err(RuleError::ReciprocalTerms {
                grant: parent_grant.id,
            });
        }
    }
    // A non-exclusive grant can only conflict with an exclusive one, so it
    // reads only those, not every grant of a popular design.
    let others = if p.terms.exclusive {
        view.grants_of(&p.design)?
    } else {
        view.exclusive_grants_of(&p.design)?
    };
    for other_id in others {
        let Some(other) = view.grant(&other_id)? else {
            return Err(RuleError::GrantNotFound { grant: other_id });
        };
        if other.revoked.is_none()
            && (other.terms.exclusive || p.terms.exclusive)
            && other.terms.overlaps(&p.terms)
        {
            return Err(RuleError::ExclusiveConflict { grant: other.id });
        }
    }

    let id = entry.id().into();
    let mut changes = Changes::default();
    changes.link(Link::GrantOf {
        design: p.design,
        grant: id,
    });
    changes.link(Link::HeldBy {
        key: p.licensee,
        grant: id,
    });
    if p.terms.exclusive {
        changes.link(Link::ExclusiveOf {
            design: p.design,
            grant: id,
        });
    }
    changes.link(Link::History {
        design: p.design,
        index: ctx.index,
    });
    changes.push(Change::Grant(Box::new(GrantState {
        id,
        design: p.design,
        licensee: p.licensee,
        terms: p.terms.clone(),
        granted: ctx.entry_ref(),
        units_used: 0,
        last_usage: None,
        revoked: None,
    })));
    Ok(changes)
}

pub(super) fn revoke<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &LicenseRevoke,
) -> Result<Changes, RuleError> {
    check_text("reason", &p.reason, 1, MAX_TEXT)?;
    let mut grant = view
        .grant(&p.grant)?
        .ok_or(RuleError::GrantNotFound { grant: p.grant })?;
    if grant.revoked.is_some() {
        return Err(RuleError::GrantRevoked { grant: grant.id });
    }
    let design = view
        .design(&grant.design)?
        .ok_or(RuleError::DesignNotFound {
            design: grant.design,
        })?;
    let mut allowed = owner_keys(&design);
    allowed.insert(grant.licensee);
    check_signers(entry, &BTreeSet::new(), &allowed)?;
    // The licensee's signature makes it a release, even with owners co-signing.
    let by = if entry.signers().contains(&grant.licensee) {
        RevokedBy::Licensee
    } else if entry.signers().is_empty() {
        return Err(RuleError::NoSignatures);
    } else {
        check_threshold(&design, entry.signers())?;
        RevokedBy::Owners
    };
    grant.revoked = Some(Revocation {
        by,
        reason: p.reason.clone(),
        entry: ctx.entry_ref(),
    });
    let mut changes = Changes::default();
    if grant.terms.exclusive {
        changes.unlink(Link::ExclusiveOf {
            design: grant.design,
            grant: grant.id,
        });
    }
    changes.0.extend(grant_updated(ctx, grant).0);
    Ok(changes)
}

/// The changes of an entry that updates an existing grant: the grant
/// record, and the entry in its design's history.
pub(super) fn grant_updated(ctx: &Context<'_>, grant: GrantState) -> Changes {
    let mut changes = Changes::default();
    changes.link(Link::History {
        design: grant.design,
        index: ctx.index,
    });
    changes.push(Change::Grant(Box::new(grant)));
    changes
}
