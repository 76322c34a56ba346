//! `state.commit`: the log's commitment to its state.
//!
//! Only the log writes these (a submitted one is refused before any rule,
//! by [`crate::Envelope::precheck`]); the rules here are what an auditor's
//! replay checks: one signature, by the log's key, and `size` equal to the
//! entry's own index, so that the root covers exactly the entries before
//! it. Whether the root is the state's root is checked where the map is
//! kept ([`crate::MemoryState`], the ledger's sequencer). The entry changes
//! no state.

use super::Context;
use crate::payload::StateCommit;
use crate::{Changes, RuleError, Verified};

pub(super) fn commit(
    ctx: &Context<'_>,
    entry: &Verified,
    p: &StateCommit,
) -> Result<Changes, RuleError> {
    let invalid = |detail: String| Err(RuleError::StateCommitInvalid { detail });
    let Some(log_key) = ctx.log_key else {
        return invalid("no log key is known to check its signature against".to_owned());
    };
    let signers = entry.signers();
    if signers.len() != 1 || !signers.contains(log_key) {
        return invalid(format!(
            "it must be signed by the log's key {log_key} alone"
        ));
    }
    if p.size != ctx.index {
        return invalid(format!(
            "it commits to {} entries but sits at index {}",
            p.size, ctx.index
        ));
    }
    Ok(Changes::default())
}
