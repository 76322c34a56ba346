//! The license check: "may this licensee do this with this design, here,
//! through this channel, as this category, on this date, for this many
//! units?"
//!
//! The answer lists every reason that applies, not just the first. Design
//! reasons (`disputed`, `ancestor-disputed`) come from the design; the other
//! reasons come from the best of the licensee's grants on the design: an
//! allowing grant if there is one, else the grant with the fewest reasons
//! (ties: the earliest). With no grant at all the reason is `no-grant`.
//!
//! A blocked design is proven with one dispute, not all of them: the
//! answer cites the first dispute (in id order) blocking the design or the
//! blocked ancestor, rests on its raising entry, and counts the others
//! ([`Blocked`]). Every dispute that blocks a design blocks it alike, so
//! one suffices, and the answer stays the same size however many there are.

use serde::{Deserialize, Serialize};

use crate::coverage::{Gap, GrantUse, blocker, gaps};
use crate::state::EntryRef;
use crate::{
    Category, Channel, CountryCode, DesignId, DesignState, DisputeId, GrantId, GrantState,
    Identity, LicenseTerms, RuleError, StateView, Timestamp,
};

/// One dispute that blocks a design, and how many do: what an answer says
/// about a blocked design, whatever the number of disputes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Blocked {
    /// The blocked design: the one asked about, or its blocked ancestor.
    pub design: DesignId,
    /// The first dispute (in id order) that blocks it.
    pub dispute: DisputeId,
    /// The entry that raised that dispute; the answer carries its proof.
    pub raised: EntryRef,
    /// How many disputes block the design (open and upheld).
    pub disputes: usize,
}

/// What blocks `design` itself: its first blocking dispute and their
/// number, `None` when no dispute blocks it.
///
/// # Errors
/// A failure of the state view, or a blocking dispute that does not exist.
pub fn blocked_by<V: StateView + ?Sized>(
    view: &V,
    design: &DesignState,
) -> Result<Option<Blocked>, RuleError> {
    let Some(first) = design.blocking_disputes.first() else {
        return Ok(None);
    };
    let dispute = view.dispute(first)?.ok_or(RuleError::Invariant {
        detail: "a design names a dispute that does not exist",
    })?;
    Ok(Some(Blocked {
        design: design.id,
        dispute: dispute.id,
        raised: dispute.raised,
        disputes: design.blocking_disputes.len(),
    }))
}

/// What the licensee wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Make and sell (needs `commercial_use`).
    Commercial,
    /// Use without selling (any grant).
    NonCommercial,
    /// Make a derivative design (needs `derivatives_allowed`).
    Derivative,
    /// Train an AI model on the design (needs `ai_training`).
    AiTraining,
}

/// Why a check is denied. Reasons are listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The design is not registered.
    UnknownDesign,
    /// The design is under dispute (open or upheld).
    Disputed,
    /// An ancestor of the design is under dispute.
    AncestorDisputed,
    /// The licensee holds no grant on the design.
    NoGrant,
    /// The grant was revoked or released.
    Revoked,
    /// The date is before the grant's start.
    NotYetValid,
    /// The date is at or after the grant's end.
    Expired,
    /// The territory is not allowed.
    Territory,
    /// The channel is not allowed.
    Channel,
    /// The category is not allowed.
    Category,
    /// The quantity would exceed the cumulative unit cap.
    UnitsExceeded,
    /// The terms do not license the action.
    ActionNotLicensed,
}

impl Reason {
    /// The reason's stable kebab-case name.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Reason::UnknownDesign => "unknown-design",
            Reason::Disputed => "disputed",
            Reason::AncestorDisputed => "ancestor-disputed",
            Reason::NoGrant => "no-grant",
            Reason::Revoked => "revoked",
            Reason::NotYetValid => "not-yet-valid",
            Reason::Expired => "expired",
            Reason::Territory => "territory",
            Reason::Channel => "channel",
            Reason::Category => "category",
            Reason::UnitsExceeded => "units-exceeded",
            Reason::ActionNotLicensed => "action-not-licensed",
        }
    }
}

/// The brand's question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LicenseQuery {
    /// The design.
    pub design: DesignId,
    /// Who asks.
    pub licensee: Identity,
    /// What for.
    pub action: Action,
    /// Where the units are sold.
    pub territory: CountryCode,
    /// Through which channel.
    pub channel: Channel,
    /// As which product category.
    pub category: Category,
    /// When.
    pub date: Timestamp,
    /// How many units (0 for a use that makes none).
    pub quantity: u64,
}

impl LicenseQuery {
    /// Parses a query, naming an unknown channel or category and the
    /// allowed values ([`crate::scope`]) rather than only failing to parse.
    ///
    /// # Errors
    /// [`RuleError::UnknownLabel`], or [`RuleError::Malformed`] for any
    /// other shape.
    pub fn from_value(value: &serde_json::Value) -> Result<LicenseQuery, RuleError> {
        crate::scope::check_use(value)?;
        LicenseQuery::deserialize(value).map_err(|e| RuleError::Malformed {
            field: "query".to_owned(),
            detail: e.to_string(),
        })
    }
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LicenseAnswer {
    /// Whether every rule allows it.
    pub allowed: bool,
    /// Every reason against, in [`Reason`] order; empty when allowed.
    pub reasons: Vec<Reason>,
    /// The grant the answer rests on (the best candidate when denied).
    pub grant: Option<GrantId>,
    /// Units left on that grant before this quantity; `None` = unlimited
    /// or no grant. The grant's counter: no usage entry is named for it.
    pub units_remaining: Option<u64>,
    /// With `disputed` or `ancestor-disputed`: the dispute that proves it.
    pub blocked_by: Option<Blocked>,
    /// The entries the answer rests on, for inclusion proofs.
    pub rests_on: Vec<EntryRef>,
}

impl Action {
    /// Whether `terms` license the action. The one part of a license
    /// check that a usage record (a run, which names no action) does not
    /// share.
    #[must_use]
    pub fn licensed_by(self, terms: &LicenseTerms) -> bool {
        match self {
            Action::NonCommercial => true,
            Action::Commercial => terms.commercial_use,
            Action::Derivative => terms.derivatives_allowed,
            Action::AiTraining => terms.ai_training,
        }
    }
}

/// Every reason the grant does not license the question, in [`Reason`]
/// order: the gaps between the grant and the use ([`crate::coverage`]),
/// and the action.
fn grant_reasons(grant: &GrantState, q: &LicenseQuery) -> Vec<Reason> {
    let use_ = GrantUse {
        territory: q.territory,
        channel: q.channel,
        category: q.category,
        date: q.date,
        quantity: q.quantity,
    };
    let mut reasons: Vec<Reason> = gaps(grant, &use_).into_iter().map(Gap::reason).collect();
    if !q.action.licensed_by(&grant.terms) {
        reasons.push(Reason::ActionNotLicensed);
    }
    reasons
}

/// Answers a license check against the current state.
///
/// # Errors
/// Only failures of the state view.
pub fn check_license<V: StateView + ?Sized>(
    view: &V,
    q: &LicenseQuery,
) -> Result<LicenseAnswer, RuleError> {
    let Some(design) = view.design(&q.design)? else {
        return Ok(LicenseAnswer {
            allowed: false,
            reasons: vec![Reason::UnknownDesign],
            grant: None,
            units_remaining: None,
            blocked_by: None,
            rests_on: Vec::new(),
        });
    };
    let mut reasons = Vec::new();
    let mut rests_on = vec![design.registered];
    let blocked = match blocker(view, &design)? {
        Some(b) => {
            reasons.push(b.reason());
            let id = b.blocked(design.id);
            if id == design.id {
                blocked_by(view, &design)?
            } else {
                let ancestor = view
                    .design(&id)?
                    .ok_or(RuleError::ParentNotFound { design: id })?;
                blocked_by(view, &ancestor)?
            }
        }
        None => None,
    };
    rests_on.extend(blocked.as_ref().map(|b| b.raised));
    let mut best: Option<(Vec<Reason>, GrantState)> = None;
    for id in view.licensee_grants(&q.design, &q.licensee)? {
        let Some(grant) = view.grant(&id)? else {
            continue;
        };
        let r = grant_reasons(&grant, q);
        let better = best
            .as_ref()
            .is_none_or(|(br, bg)| (r.len(), grant.granted.index) < (br.len(), bg.granted.index));
        if better {
            best = Some((r, grant));
        }
    }
    let (grant, units_remaining) = if let Some((r, g)) = best {
        reasons.extend(r);
        rests_on.push(g.granted);
        if let Some(rev) = &g.revoked {
            rests_on.push(rev.entry);
        }
        (Some(g.id), g.units_remaining())
    } else {
        reasons.push(Reason::NoGrant);
        (None, None)
    };
    reasons.sort();
    Ok(LicenseAnswer {
        allowed: reasons.is_empty(),
        reasons,
        grant,
        units_remaining,
        blocked_by: blocked,
        rests_on,
    })
}
