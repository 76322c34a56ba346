//! `design.register`.
//!
//! In order: the payload's own limits and shares; the content is new (else
//! [`RuleError::DuplicateContent`] naming the first entry); who signed:
//! every creator, and, for each parent grant with `derivatives_approval`,
//! that parent's owners at its license threshold, and no other key (this
//! reads each parent and its grant but no further ancestor, so a
//! registration nobody can accept never costs the ancestry walk); every parent
//! exists, is not disputed (nor are its ancestors), and is linked through a
//! grant on it that one of the creators holds, that is in force at
//! `logged_at`, not revoked, and allows derivatives; reciprocal parent
//! grants agree on their terms (the derivative must be licensed on exactly
//! those terms, so two different ones could never both hold); the ancestry
//! has at most 1024 designs and no cycle; the LAP royalty stack is at most
//! 100% (which bounds LRP too).

use std::collections::BTreeSet;

use super::Context;
use super::common::{check_signers, check_threshold, owner_keys};
use crate::coverage::{Blocker, blocker};
use crate::payload::{DesignRegister, ParentLink};
use crate::royalty::load_graph;
use crate::state::{Change, Link, Owner};
use crate::{
    Changes, DesignId, DesignState, GrantId, GrantState, Identity, LicenseTerms, Ppm, RuleError,
    StateView, Verified,
};

pub(super) fn register<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &DesignRegister,
) -> Result<Changes, RuleError> {
    p.validate()?;
    let id = p.content.blake3;
    if let Some(first) = view.design(&id)? {
        return Err(RuleError::DuplicateContent {
            design: id,
            index: first.registered.index,
        });
    }
    let creators: BTreeSet<Identity> = p.creators.iter().map(|c| c.key).collect();
    // Each parent and its grant, read once; their ancestors only once the
    // signers check out.
    let mut links = Vec::with_capacity(p.parents.len());
    for link in &p.parents {
        links.push((link, view.design(&link.design)?, view.grant(&link.grant)?));
    }
    check_signatories(entry, &creators, &links)?;
    let mut reciprocal: Option<(GrantId, LicenseTerms)> = None;
    for (link, parent, grant) in links {
        let grant = check_parent(view, ctx, id, &creators, link, parent, grant)?;
        let terms = &grant.terms;
        if terms.derivatives_reciprocal {
            match &reciprocal {
                Some((_, first)) if first != terms => {
                    return Err(RuleError::ReciprocalTerms { grant: grant.id });
                }
                Some(_) => {}
                None => reciprocal = Some((grant.id, terms.clone())),
            }
        }
    }

    let owners: Vec<(Identity, Ppm)> = p.creators.iter().map(|c| (c.key, c.share_ppm)).collect();
    let graph = load_graph(view, id, Some((owners, &p.parents)))?;
    graph.royalty_stack(&id)?;

    let here = ctx.entry_ref();
    let mut owners: Vec<Owner> = p
        .creators
        .iter()
        .map(|c| Owner {
            key: c.key,
            share_ppm: c.share_ppm,
        })
        .collect();
    owners.sort_by_key(|o| o.key);
    let mut changes = Changes::default();
    for owner in &owners {
        changes.link(Link::OwnedBy {
            key: owner.key,
            design: id,
        });
    }
    for link in &p.parents {
        changes.link(Link::ChildOf {
            parent: link.design,
            child: id,
        });
    }
    if let Some(code) = p.content.iscc {
        for (band, bits) in (0u8..).zip(code.bands()) {
            changes.link(Link::ImageBand {
                band,
                bits,
                code,
                design: id,
            });
        }
    }
    changes.push(Change::Design(Box::new(DesignState {
        id,
        parents: p.parents.clone(),
        license_threshold_ppm: p.license_threshold_ppm,
        owners,
        registered: here,
        ownership: here,
        blocking_disputes: BTreeSet::new(),
    })));
    Ok(changes)
}

/// Who signed, checked before any ancestor is read: every creator, and
/// besides them only owners of a parent whose grant asks for approval,
/// reaching that parent's threshold.
fn check_signatories(
    entry: &Verified,
    creators: &BTreeSet<Identity>,
    links: &[Loaded<'_>],
) -> Result<(), RuleError> {
    let mut approvers = BTreeSet::new();
    let mut approving = Vec::new();
    for (link, parent, grant) in links {
        // A link that does not hold is refused with its rule by `check_parent`.
        if let (Some(parent), Some(grant)) = (parent, grant)
            && grant.design == link.design
            && grant.terms.derivatives_approval
        {
            approvers.extend(owner_keys(parent));
            approving.push(parent);
        }
    }
    check_signers(entry, creators, &approvers)?;
    for parent in approving {
        check_threshold(parent, entry.signers())?;
    }
    Ok(())
}

/// A parent link with its parent design and grant as read.
type Loaded<'a> = (&'a ParentLink, Option<DesignState>, Option<GrantState>);

/// One parent link: the parent exists and is clear of disputes, and the
/// grant is on it, held by a creator, in force and allows derivatives.
fn check_parent<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    id: DesignId,
    creators: &BTreeSet<Identity>,
    link: &ParentLink,
    parent: Option<DesignState>,
    grant: Option<GrantState>,
) -> Result<GrantState, RuleError> {
    if link.design == id {
        return Err(RuleError::Cycle { design: id });
    }
    let parent = parent.ok_or(RuleError::ParentNotFound {
        design: link.design,
    })?;
    match blocker(view, &parent)? {
        Some(Blocker::Design) => {
            return Err(RuleError::ParentDisputed { design: parent.id });
        }
        Some(b @ Blocker::Ancestor(_)) => return Err(b.error(parent.id)),
        None => {}
    }
    let grant = grant.ok_or(RuleError::GrantNotFound { grant: link.grant })?;
    if grant.design != link.design {
        return Err(RuleError::GrantDesignMismatch {
            grant: grant.id,
            design: link.design,
        });
    }
    if !creators.contains(&grant.licensee) {
        return Err(RuleError::GrantNotHeld { grant: grant.id });
    }
    if grant.revoked.is_some() {
        return Err(RuleError::GrantRevoked { grant: grant.id });
    }
    let terms = &grant.terms;
    if ctx.logged_at < terms.starts_at {
        return Err(RuleError::GrantNotYetValid {
            grant: grant.id,
            starts_at: terms.starts_at,
        });
    }
    if let Some(ends_at) = terms.ends_at.filter(|end| ctx.logged_at >= *end) {
        return Err(RuleError::GrantExpired {
            grant: grant.id,
            ends_at,
        });
    }
    if !terms.derivatives_allowed {
        return Err(RuleError::DerivativesNotAllowed { grant: grant.id });
    }
    Ok(grant)
}
