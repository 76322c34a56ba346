//! `dispute.raise` and `dispute.resolve`.
//!
//! Any identity (at least one signature) may raise a dispute against a
//! registered design; the dispute's id is the envelope's id. A submission
//! carries exactly one raiser ([`crate::Envelope::precheck`]); the rule
//! itself, as an auditor replays it, accepts any number. From then on
//! the design and every descendant fail license checks, usage records,
//! grants, transfers and registrations under them.
//!
//! Only the server's arbiter keys may resolve an open dispute (every signer
//! must be an arbiter):
//! - `upheld`: the claim holds; the dispute keeps blocking the design for
//!   good (it is treated as infringing), and so its descendants;
//! - `dismissed`: the claim fails; this dispute stops blocking the design,
//!   which is clear again unless another dispute blocks it.

use super::Context;
use crate::codec::check_text;
use crate::payload::{DisputeRaise, DisputeResolve, MAX_TEXT, Outcome};
use crate::state::{Change, Link, Resolution};
use crate::{Changes, DisputeState, RuleError, StateView, Verified};

pub(super) fn raise<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &DisputeRaise,
) -> Result<Changes, RuleError> {
    check_text("claim", &p.claim, 1, MAX_TEXT)?;
    if entry.signers().is_empty() {
        return Err(RuleError::NoSignatures);
    }
    let mut design = view
        .design(&p.design)?
        .ok_or(RuleError::DesignNotFound { design: p.design })?;
    let id = entry.id().into();
    design.blocking_disputes.insert(id);
    let mut changes = Changes::default();
    changes.link(Link::History {
        design: design.id,
        index: ctx.index,
    });
    changes.push(Change::Design(Box::new(design)));
    changes.push(Change::Dispute(Box::new(DisputeState {
        id,
        design: p.design,
        claim: p.claim.clone(),
        evidence: p.evidence,
        raised_by: entry.signers().iter().copied().collect(),
        raised: ctx.entry_ref(),
        resolution: None,
    })));
    Ok(changes)
}

pub(super) fn resolve<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &DisputeResolve,
) -> Result<Changes, RuleError> {
    check_text("note", &p.note, 0, MAX_TEXT)?;
    if entry.signers().is_empty() {
        return Err(RuleError::NoSignatures);
    }
    if let Some(key) = entry.signers().iter().find(|k| !ctx.arbiters.contains(k)) {
        return Err(RuleError::NotArbiter { key: *key });
    }
    let mut dispute = view
        .dispute(&p.dispute)?
        .ok_or(RuleError::DisputeNotFound { dispute: p.dispute })?;
    if dispute.resolution.is_some() {
        return Err(RuleError::DisputeResolved {
            dispute: dispute.id,
        });
    }
    let mut design = view
        .design(&dispute.design)?
        .ok_or(RuleError::DesignNotFound {
            design: dispute.design,
        })?;
    if p.outcome == Outcome::Dismissed {
        design.blocking_disputes.remove(&dispute.id);
    }
    dispute.resolution = Some(Resolution {
        outcome: p.outcome,
        note: p.note.clone(),
        arbiters: entry.signers().iter().copied().collect(),
        entry: ctx.entry_ref(),
    });
    let mut changes = Changes::default();
    changes.link(Link::History {
        design: design.id,
        index: ctx.index,
    });
    changes.push(Change::Design(Box::new(design)));
    changes.push(Change::Dispute(Box::new(dispute)));
    Ok(changes)
}
