//! `usage.record`: a production run under a grant.
//!
//! Signed by the licensee alone. The run must fit the grant at the entry's
//! `logged_at`: not revoked, inside the window, an allowed territory,
//! channel and category (a category granted covers its subcategories),
//! and within the cumulative unit cap (checked add); and neither the design nor an ancestor may be disputed. The first reason
//! in the order of [`crate::Reason`] is the error.

use super::Context;
use super::common::check_signers;
use super::grant::grant_updated;
use crate::check::{GrantUse, grant_reasons};
use crate::payload::UsageRecord;
use crate::{Action, Changes, Reason, RuleError, StateView, Verified, blocker};

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
        return Err(b.into_error(design.id));
    }
    let query = GrantUse {
        action: None::<Action>,
        territory: p.territory,
        channel: p.channel,
        category: p.category,
        date: ctx.logged_at,
        quantity: p.quantity,
    };
    if let Some(reason) = grant_reasons(&grant, &query).first() {
        let terms = &grant.terms;
        return Err(match reason {
            Reason::Revoked => RuleError::GrantRevoked { grant: grant.id },
            Reason::NotYetValid => RuleError::GrantNotYetValid {
                grant: grant.id,
                starts_at: terms.starts_at,
            },
            Reason::Expired => RuleError::GrantExpired {
                grant: grant.id,
                ends_at: terms.ends_at.unwrap_or(terms.starts_at),
            },
            Reason::Territory => RuleError::TerritoryNotLicensed {
                territory: p.territory.to_string(),
            },
            Reason::Channel => RuleError::ChannelNotLicensed {
                channel: p.channel.to_string(),
            },
            Reason::Category => RuleError::CategoryNotLicensed {
                category: p.category.to_string(),
            },
            Reason::UnitsExceeded => RuleError::UnitsExceeded {
                used: grant.units_used,
                requested: p.quantity,
                max: terms.max_units.unwrap_or(0),
            },
            _ => RuleError::Invariant {
                detail: "unexpected reason for a usage record",
            },
        });
    }
    grant.units_used = grant
        .units_used
        .checked_add(p.quantity)
        .ok_or(RuleError::AmountOverflow)?;
    Ok(grant_updated(ctx, grant))
}
