//! `dispute.raise` and `dispute.resolve`.
//!
//! Any identity (at least one signature) may raise a dispute against a
//! registered design; the dispute's id is the envelope's id. A submission
//! carries exactly one raiser ([`crate::Envelope::precheck`]); the rule
//! itself, as an auditor replays it, accepts any number. From then on
//! the design and every descendant fail license checks, usage records,
//! grants, transfers and registrations under them.
//!
//! A raise is refused:
//! - on a ledger without arbiters ([`RuleError::NoArbiters`]): nobody could
//!   ever resolve the dispute, so one stranger's signature would freeze a
//!   design and its descendants for good;
//! - when a signer already has an open dispute against the design
//!   ([`RuleError::DisputeAlreadyOpen`]): one open claim per key and design;
//! - when the design already has [`MAX_OPEN_DISPUTES`] open disputes
//!   ([`RuleError::TooManyDisputes`]). Keys cost nothing, so the per-key
//!   bound alone does not stop a flood of throwaway keys; this one does, and
//!   it keeps the design's record and every answer about it small.
//!
//! The trade-off of the overall bound: a flood of bogus disputes can fill
//! the design's slots and keep a legitimate claimant from recording a claim
//! until an arbiter resolves one. The claimant loses less than it seems:
//! the design is already frozen (one open dispute blocks it, and every one
//! of the flood does), so nobody can license, make, transfer or derive
//! from it meanwhile; the arbiters see the flood, dismiss it one entry per
//! dispute, and each dismissal frees a slot. Without the bound the same
//! flood costs every reader of the design instead, for good.
//!
//! Only the server's arbiter keys may resolve an open dispute (every signer
//! must be an arbiter):
//! - `upheld`: the claim holds; the dispute keeps blocking the design for
//!   good (it is treated as infringing), and so its descendants;
//! - `dismissed`: the claim fails; this dispute stops blocking the design,
//!   which is clear again unless another dispute blocks it.

use std::collections::BTreeSet;

use super::Context;
use crate::codec::check_text;
use crate::payload::{DisputeRaise, DisputeResolve, MAX_TEXT, Outcome};
use crate::state::{Change, Link, Resolution};
use crate::{Changes, DesignState, DisputeState, Identity, RuleError, StateView, Verified};

/// The most open (unresolved) disputes one design may have at a time.
///
/// One open dispute already blocks the design, so more add no protection;
/// they only make the design's record and its answers bigger. Sixteen
/// leaves room for several independent claimants at once.
pub const MAX_OPEN_DISPUTES: usize = 16;

/// Refuses a raise by `signers` that would break the per-key or the
/// per-design bound on open disputes against `design`.
fn check_open_disputes<V: StateView + ?Sized>(
    view: &V,
    design: &DesignState,
    signers: &BTreeSet<Identity>,
) -> Result<(), RuleError> {
    let mut open = 0;
    for id in &design.blocking_disputes {
        let Some(dispute) = view.dispute(id)? else {
            return Err(RuleError::Invariant {
                detail: "a design names a dispute that does not exist",
            });
        };
        if dispute.resolution.is_some() {
            continue;
        }
        open += 1;
        if let Some(key) = dispute.raised_by.iter().find(|k| signers.contains(k)) {
            return Err(RuleError::DisputeAlreadyOpen {
                key: *key,
                dispute: dispute.id,
            });
        }
    }
    if open >= MAX_OPEN_DISPUTES {
        return Err(RuleError::TooManyDisputes {
            design: design.id,
            max: MAX_OPEN_DISPUTES,
        });
    }
    Ok(())
}

pub(super) fn raise<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &DisputeRaise,
) -> Result<Changes, RuleError> {
    if ctx.arbiters.is_empty() {
        return Err(RuleError::NoArbiters);
    }
    check_text("claim", &p.claim, 1, MAX_TEXT)?;
    if entry.signers().is_empty() {
        return Err(RuleError::NoSignatures);
    }
    let mut design = view
        .design(&p.design)?
        .ok_or(RuleError::DesignNotFound { design: p.design })?;
    check_open_disputes(view, &design, entry.signers())?;
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
