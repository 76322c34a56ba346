//! Fresh answers: the rules a client applies so that a replayed or forked
//! answer is refused, not only a forged one.
//!
//! A proven answer proves the state *at its checkpoint*. An operator (or a
//! proxy) that replays an answer recorded before a revocation, a dispute or
//! a usage record shows a properly signed "yes". Two rules close that:
//!
//! 1. **Memory.** The client remembers, per log, the largest checkpoint it
//!    verified ([`against`]). A larger one is accepted once a consistency
//!    proof from the remembered one verifies, and then remembered; a
//!    smaller one is stale and refused unless the user allows it; two
//!    checkpoints of one size with different roots are a fork, reported
//!    with both notes as evidence.
//! 2. **Age** (with a witness policy and a maximum age). Witnesses are sent
//!    the log's latest checkpoint within seconds of it growing, and again
//!    every minute while it does not, so a checkpoint its
//!    quorum cosigned at time `t` was the log's head at `t`
//!    ([`quorum_time`]). An answer is fresh when its checkpoint extends (or
//!    is) a checkpoint the quorum cosigned within the maximum age: the
//!    state it was computed from is at least as new as the log's head was
//!    then. An answer older than the latest witnessed checkpoint is
//!    superseded: asked again, the log answers at a newer state.

use provenant_tlog::{Checkpoint, Note, Policy};

use crate::verify::VerifyError;

/// Where an answer's checkpoint stands against the one remembered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Nothing remembered yet for this log.
    First,
    /// The checkpoint remembered.
    Same,
    /// Larger: accept once a consistency proof from the remembered one
    /// verifies, then remember it.
    Newer,
    /// Smaller: stale.
    Older,
}

/// Where `answer` stands against `remembered` (both already verified
/// under the log's key).
///
/// # Errors
/// [`VerifyError::Fork`] with both notes when the sizes are equal and the
/// roots are not.
pub fn against(
    remembered: Option<(&Checkpoint, &str)>,
    answer: (&Checkpoint, &str),
) -> Result<Standing, VerifyError> {
    let Some((old, old_note)) = remembered else {
        return Ok(Standing::First);
    };
    let (new, new_note) = answer;
    Ok(match new.size.cmp(&old.size) {
        std::cmp::Ordering::Greater => Standing::Newer,
        std::cmp::Ordering::Less => Standing::Older,
        std::cmp::Ordering::Equal if new.root == old.root => Standing::Same,
        std::cmp::Ordering::Equal => {
            return Err(VerifyError::Fork {
                why: format!("the log signed two different trees of size {}", new.size.0),
                remembered: old_note.to_owned(),
                answer: new_note.to_owned(),
            });
        }
    })
}

/// When the policy's quorum had cosigned `note`: the latest time at which
/// the witnesses whose cosignatures verify, taken newest first, meet the
/// quorum (POSIX seconds). `None` when they never do (or no witness
/// cosigned at all: a time needs a cosignature).
///
/// # Errors
/// As [`Policy::cosigned`]: a line of a policy witness that does not
/// verify rejects the note.
pub fn quorum_time(policy: &Policy, note: &Note) -> Result<Option<u64>, VerifyError> {
    let mut cosigned = policy.cosigned(note).map_err(VerifyError::NotWitnessed)?;
    cosigned.sort_by_key(|(_, t)| std::cmp::Reverse(*t));
    for n in 1..=cosigned.len() {
        if policy.quorum_met(cosigned[..n].iter().map(|(w, _)| w.name.as_str())) {
            return Ok(Some(cosigned[n - 1].1));
        }
    }
    Ok(None)
}

/// Checks that a quorum time `at` is within `max_age` seconds of `now`.
///
/// # Errors
/// [`VerifyError::NotFresh`] naming the age.
pub fn within(at: u64, now: u64, max_age: u64) -> Result<(), VerifyError> {
    let age = now.saturating_sub(at);
    if age > max_age {
        return Err(VerifyError::NotFresh { age, max_age });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
