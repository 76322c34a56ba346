//! `usage.record`: a production run under a grant.
//!
//! Signed by the licensee alone. The run must fit the grant at the entry's
//! `logged_at`: not revoked, inside the window, an allowed territory,
//! channel and category (a category granted covers its subcategories),
//! and within the cumulative unit cap (checked add); and neither the
//! design nor an ancestor may be disputed. These are the license check's
//! own predicates ([`crate::coverage`]): a run is refused exactly when a
//! license check of the same use at `logged_at` has a reason other than
//! `action-not-licensed` (a run names no action), and the error is the
//! first of those reasons, in the order of [`crate::Reason`], with the
//! grant's own values.

use super::Context;
use super::common::check_signers;
use super::grant::grant_updated;
use crate::coverage::{GrantUse, blocker, gaps};
use crate::payload::UsageRecord;
use crate::{Changes, RuleError, StateView, Verified};

pub(super) fn record<V: StateView + ?Sized>(
    view: &V,
    ctx: &Context<'_>,
    entry: &Verified,
    p: &UsageRecord,
) -> Result<Changes, RuleError> {
    p.validate()?;
    let mut grant = view
        .grant(&p.grant)?
        .ok_or(RuleError::GrantNotFound { grant: p.grant })?;
    check_signers(entry, [&grant.licensee], &std::collections::BTreeSet::new())?;
    let design = view
        .design(&grant.design)?
        .ok_or(RuleError::DesignNotFound {
            design: grant.design,
        })?;
    if let Some(b) = blocker(view, &design)? {
        return Err(b.error(design.id));
    }
    let run = GrantUse {
        territory: p.territory,
        channel: p.channel,
        category: p.category,
        date: ctx.logged_at,
        quantity: p.quantity,
    };
    if let Some(gap) = gaps(&grant, &run).first() {
        return Err(gap.error(&grant, &run));
    }
    // The counter stays an exact JSON number everywhere (a state record
    // is hashed as JCS, whose numbers are exact below 2^53).
    grant.units_used = grant
        .units_used
        .checked_add(p.quantity)
        .filter(|used| *used <= crate::MAX_SAFE_INTEGER)
        .ok_or(RuleError::AmountOverflow)?;
    grant.last_usage = Some(ctx.entry_ref());
    Ok(grant_updated(ctx, grant))
}
