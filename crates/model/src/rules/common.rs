//! Rules shared by several kinds: who may sign, license thresholds, and
//! refusing a design that is blocked by a dispute ([`crate::coverage`]).

use std::collections::BTreeSet;

use crate::coverage::blocker;
use crate::{DesignState, Identity, Ppm, RuleError, StateView, Verified};

/// Checks the signer set: every `required` key signed, and every signer is
/// either required or `allowed`.
pub(super) fn check_signers<'a>(
    entry: &Verified,
    required: impl IntoIterator<Item = &'a Identity>,
    allowed: &BTreeSet<Identity>,
) -> Result<(), RuleError> {
    let signers = entry.signers();
    let mut roles = allowed.clone();
    for key in required {
        if !signers.contains(key) {
            return Err(RuleError::MissingSignature { key: *key });
        }
        roles.insert(*key);
    }
    if let Some(key) = signers.iter().find(|k| !roles.contains(k)) {
        return Err(RuleError::UnexpectedSigner { key: *key });
    }
    Ok(())
}

/// The total share of `design` held by the signers, in ppm.
pub(super) fn signing_weight(design: &DesignState, signers: &BTreeSet<Identity>) -> u32 {
    design
        .owners
        .iter()
        .filter(|o| signers.contains(&o.key))
        .fold(0u32, |acc, o| acc.saturating_add(o.share_ppm.get()))
}

/// Checks that the signing owners reach the design's license threshold.
pub(super) fn check_threshold(
    design: &DesignState,
    signers: &BTreeSet<Identity>,
) -> Result<(), RuleError> {
    let have = signing_weight(design, signers);
    let need = design.license_threshold_ppm.get();
    if have < need {
        return Err(RuleError::ThresholdNotMet {
            design: design.id,
            have_ppm: have,
            need_ppm: need,
        });
    }
    Ok(())
}

/// The owners of a design as a set.
pub(super) fn owner_keys(design: &DesignState) -> BTreeSet<Identity> {
    design.owners.iter().map(|o| o.key).collect()
}

/// Refuses a design blocked by a dispute.
pub(super) fn require_clear<V: StateView + ?Sized>(
    view: &V,
    design: &DesignState,
) -> Result<(), RuleError> {
    match blocker(view, design)? {
        Some(b) => Err(b.error(design.id)),
        None => Ok(()),
    }
}

/// Adds two shares, refusing overflow past 100%.
pub(super) fn add_shares(a: u32, b: u32) -> Result<Ppm, RuleError> {
    a.checked_add(b)
        .and_then(Ppm::new)
        .ok_or(RuleError::Invariant {
            detail: "shares exceed 1000000",
        })
}
