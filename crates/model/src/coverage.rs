//! One predicate for "does this grant cover this use" and one for "is this
//! design blocked", shared by the license check ([`crate::check_license`])
//! and the `usage.record` rule, so that the two can never disagree.
//!
//! Each answer is a typed value that says itself what a license check
//! lists ([`Reason`]) and what a refused entry gets ([`RuleError`]), with
//! the grant's own values (its start, its end, its cap) in the error: no
//! vocabulary is translated into the other.

use std::collections::{BTreeSet, VecDeque};

use crate::payload::MAX_ANCESTORS;
use crate::{
    Category, Channel, CountryCode, DesignId, DesignState, GrantState, Reason, RuleError,
    StateView, Timestamp,
};

/// One use of a grant: a license check's question, or a production run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrantUse {
    pub territory: CountryCode,
    pub channel: Channel,
    pub category: Category,
    pub date: Timestamp,
    pub quantity: u64,
}

/// Why a grant does not cover a use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// Revoked or released.
    Revoked,
    /// The use is dated before the grant's start.
    NotYetValid { starts_at: Timestamp },
    /// The use is dated at or after the grant's end.
    Expired { ends_at: Timestamp },
    /// The territory is not in the grant's list.
    Territory,
    /// The channel is not in the grant's list.
    Channel,
    /// No category of the grant covers the use's.
    Category,
    /// The use would take the units used past the cap.
    UnitsExceeded { used: u64, max: u64 },
}

impl Gap {
    /// What a license check lists.
    pub(crate) fn reason(self) -> Reason {
        match self {
            Gap::Revoked => Reason::Revoked,
            Gap::NotYetValid { .. } => Reason::NotYetValid,
            Gap::Expired { .. } => Reason::Expired,
            Gap::Territory => Reason::Territory,
            Gap::Channel => Reason::Channel,
            Gap::Category => Reason::Category,
            Gap::UnitsExceeded { .. } => Reason::UnitsExceeded,
        }
    }

    /// What an entry making this use of `grant` is refused with.
    pub(crate) fn error(self, grant: &GrantState, use_: &GrantUse) -> RuleError {
        let grant = grant.id;
        match self {
            Gap::Revoked => RuleError::GrantRevoked { grant },
            Gap::NotYetValid { starts_at } => RuleError::GrantNotYetValid { grant, starts_at },
            Gap::Expired { ends_at } => RuleError::GrantExpired { grant, ends_at },
            Gap::Territory => RuleError::TerritoryNotLicensed {
                territory: use_.territory.to_string(),
            },
            Gap::Channel => RuleError::ChannelNotLicensed {
                channel: use_.channel.to_string(),
            },
            Gap::Category => RuleError::CategoryNotLicensed {
                category: use_.category.to_string(),
            },
            Gap::UnitsExceeded { used, max } => RuleError::UnitsExceeded {
                used,
                requested: use_.quantity,
                max,
            },
        }
    }
}

/// Every way `grant` does not cover `use_`, in [`Reason`] order; empty
/// when it covers it. Empty lists in the terms allow any value, and a
/// category granted covers its subcategories.
pub(crate) fn gaps(grant: &GrantState, use_: &GrantUse) -> Vec<Gap> {
    let t = &grant.terms;
    let mut gaps = Vec::new();
    if grant.revoked.is_some() {
        gaps.push(Gap::Revoked);
    }
    if use_.date < t.starts_at {
        gaps.push(Gap::NotYetValid {
            starts_at: t.starts_at,
        });
    }
    if let Some(ends_at) = t.ends_at.filter(|end| use_.date >= *end) {
        gaps.push(Gap::Expired { ends_at });
    }
    if !t.territories.is_empty() && !t.territories.contains(&use_.territory) {
        gaps.push(Gap::Territory);
    }
    if !t.channels.is_empty() && !t.channels.contains(&use_.channel) {
        gaps.push(Gap::Channel);
    }
    if !t.categories.is_empty() && !t.categories.iter().any(|c| c.covers(use_.category)) {
        gaps.push(Gap::Category);
    }
    if let Some(max) = t.max_units {
        let over = grant
            .units_used
            .checked_add(use_.quantity)
            .is_none_or(|total| total > max);
        if over {
            gaps.push(Gap::UnitsExceeded {
                used: grant.units_used,
                max,
            });
        }
    }
    gaps
}

/// Why a design is blocked by a dispute (open or upheld).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocker {
    /// The design itself is disputed.
    Design,
    /// This ancestor is disputed.
    Ancestor(DesignId),
}

impl Blocker {
    /// What a license check lists.
    pub(crate) fn reason(self) -> Reason {
        match self {
            Blocker::Design => Reason::Disputed,
            Blocker::Ancestor(_) => Reason::AncestorDisputed,
        }
    }

    /// What an entry using `design` is refused with.
    pub(crate) fn error(self, design: DesignId) -> RuleError {
        match self {
            Blocker::Design => RuleError::DesignDisputed { design },
            Blocker::Ancestor(ancestor) => RuleError::AncestorDisputed { design, ancestor },
        }
    }

    /// The blocked design: `design` itself or its disputed ancestor.
    pub(crate) fn blocked(self, design: DesignId) -> DesignId {
        match self {
            Blocker::Design => design,
            Blocker::Ancestor(ancestor) => ancestor,
        }
    }
}

/// Whether `design` or one of its ancestors is under dispute (open or
/// upheld). The design itself is reported first; ancestors in
/// breadth-first order.
///
/// # Errors
/// [`RuleError::TooManyAncestors`], [`RuleError::ParentNotFound`], and
/// failures of the state view.
pub(crate) fn blocker<V: StateView + ?Sized>(
    view: &V,
    design: &DesignState,
) -> Result<Option<Blocker>, RuleError> {
    if design.is_disputed() {
        return Ok(Some(Blocker::Design));
    }
    let mut seen: BTreeSet<DesignId> = BTreeSet::from([design.id]);
    let mut queue: VecDeque<DesignId> = design.parents.iter().map(|p| p.design).collect();
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        if seen.len() > MAX_ANCESTORS + 1 {
            return Err(RuleError::TooManyAncestors { max: MAX_ANCESTORS });
        }
        let Some(ancestor) = view.design(&id)? else {
            return Err(RuleError::ParentNotFound { design: id });
        };
        if ancestor.is_disputed() {
            return Ok(Some(Blocker::Ancestor(id)));
        }
        queue.extend(ancestor.parents.iter().map(|p| p.design));
    }
    Ok(None)
}
