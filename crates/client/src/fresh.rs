//! The freshness rules of [`provenant_api::fresh`] applied to a live log:
//! the consistency proofs and the witnessed checkpoint they need are
//! fetched here, verified, and the memory advanced.

use provenant_api::fresh::{Standing, against, quorum_time, within};
use provenant_api::verify::{VerifyError, verify_extends};
use provenant_api::witnessed::{policy_log_key, verify_witnessed};
use std::time::SystemTime;

use provenant_tlog::{Checkpoint, Note, NoteVerifier, Policy};

use crate::memory::{Memory, MemoryError};
use crate::{Client, ClientError};

/// How many times a check starts again when another process moved the
/// memory meanwhile.
const MOVES: usize = 3;

/// What a client holds answers to.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// The memory of the largest checkpoint verified per log; none: every
    /// answer is judged alone.
    pub memory: Option<Memory>,
    /// Accept an answer older than the one remembered (still consistent
    /// with it).
    pub allow_stale: bool,
    /// When the question was asked: a checkpoint another process sharing
    /// the memory remembered since then is newer than the answer only
    /// because it was asked later, not because the answer is replayed (it
    /// must still be a prefix of it, and is not remembered).
    pub asked_at: Option<SystemTime>,
    /// A witness policy the answer's log must be witnessed under.
    pub policy: Option<Policy>,
    /// With the policy: the oldest the quorum's latest cosignature may be,
    /// in seconds.
    pub max_age: Option<u64>,
}

/// What the rules established of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// Against the memory (`First` without one).
    pub standing: Standing,
    /// The size remembered before, if any.
    pub remembered: Option<u64>,
    /// An older answer accepted because another process remembered the
    /// larger checkpoint after the question was asked.
    pub overtaken: bool,
    /// With a policy: the witnessed checkpoint's size.
    pub witnessed: Option<u64>,
    /// With a maximum age: the quorum's age, in seconds.
    pub age: Option<u64>,
}

/// Why an answer is not fresh enough, or could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FreshError {
    /// A rule refused it (stale, fork, not witnessed, too old, a proof
    /// that does not verify).
    #[error(transparent)]
    Refused(#[from] VerifyError),
    /// The answer is older than the latest witnessed checkpoint: asked
    /// again, the log answers at a newer state.
    #[error(
        "the answer (size {answer}) is older than the log's latest witnessed checkpoint (size {witnessed})"
    )]
    Superseded {
        /// The answer's size.
        answer: u64,
        /// The witnessed size.
        witnessed: u64,
    },
    /// The memory failed.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// The log could not be asked for a proof or its witnessed checkpoint.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl Rules {
    /// Checks the answer whose checkpoint is `checkpoint` (its signed
    /// `note`, already verified under `key`) at `now` (POSIX seconds), then
    /// remembers it.
    ///
    /// # Errors
    /// [`FreshError`] naming the rule that refused it.
    pub fn check(
        &self,
        client: &Client,
        key: &NoteVerifier,
        note: &str,
        checkpoint: &Checkpoint,
        now: u64,
    ) -> Result<Freshness, FreshError> {
        // Another process may remember a newer checkpoint while this one is
        // checked: then check again from it.
        for _ in 0..MOVES {
            match self.check_once(client, key, note, checkpoint, now) {
                Err(FreshError::Memory(MemoryError::Moved)) => {}
                other => return other,
            }
        }
        self.check_once(client, key, note, checkpoint, now)
    }

    fn check_once(
        &self,
        client: &Client,
        key: &NoteVerifier,
        note: &str,
        checkpoint: &Checkpoint,
        now: u64,
    ) -> Result<Freshness, FreshError> {
        let (remembered, remembered_at) = match &self.memory {
            Some(m) => match m.load_dated(key)? {
                Some((c, n, at)) => (Some((c, n)), Some(at)),
                None => (None, None),
            },
            None => (None, None),
        };
        let overtaken =
            matches!((self.asked_at, remembered_at), (Some(asked), Some(at)) if at >= asked);
        let standing = against(
            remembered.as_ref().map(|(c, n)| (c, n.as_str())),
            (checkpoint, note),
        )?;
        match (&remembered, standing) {
            (Some((old, old_note)), Standing::Newer) => {
                consistent(client, old, checkpoint).map_err(|e| evidence(e, old_note, note))?;
            }
            (Some((old, old_note)), Standing::Older) => {
                if !self.allow_stale && !overtaken {
                    return Err(VerifyError::Stale {
                        remembered: old.size.0,
                        answer: checkpoint.size.0,
                    }
                    .into());
                }
                consistent(client, checkpoint, old).map_err(|e| evidence(e, old_note, note))?;
            }
            _ => {}
        }
        let mut fresh = Freshness {
            standing,
            remembered: remembered.as_ref().map(|(c, _)| c.size.0),
            overtaken: overtaken && standing == Standing::Older,
            witnessed: None,
            age: None,
        };
        if let Some(policy) = &self.policy {
            let text = client.witnessed_checkpoint()?;
            let witnessed = verify_witnessed(&text, policy)?;
            // Another log of the policy cannot stand in for this one.
            if witnessed.origin != checkpoint.origin || policy_log_key(policy, &text)? != *key {
                return Err(VerifyError::NotWitnessed(provenant_tlog::Error::PolicyLog {
                    origin: witnessed.origin,
                })
                .into());
            }
            fresh.witnessed = Some(witnessed.size.0);
            if let Some(max_age) = self.max_age {
                let note = Note::parse(text.as_bytes()).map_err(VerifyError::Checkpoint)?;
                let at = quorum_time(policy, &note)?.ok_or(VerifyError::NotFresh {
                    age: u64::MAX,
                    max_age,
                })?;
                within(at, now, max_age)?;
                fresh.age = Some(now.saturating_sub(at));
            }
            if witnessed.size > checkpoint.size {
                if self.max_age.is_some() {
                    return Err(FreshError::Superseded {
                        answer: checkpoint.size.0,
                        witnessed: witnessed.size.0,
                    });
                }
                consistent(client, checkpoint, &witnessed)?;
            } else {
                consistent(client, &witnessed, checkpoint)?;
            }
        }
        if let Some(m) = &self.memory {
            m.remember(key, checkpoint, note, remembered.as_ref().map(|(c, _)| c))?;
        }
        Ok(fresh)
    }
}

/// A consistency failure between the remembered checkpoint and the
/// answer's, as a fork with both notes for evidence.
fn evidence(e: FreshError, remembered: &str, answer: &str) -> FreshError {
    match e {
        FreshError::Refused(e @ VerifyError::Inconsistent { .. }) => VerifyError::Fork {
            why: e.to_string(),
            remembered: remembered.to_owned(),
            answer: answer.to_owned(),
        }
        .into(),
        other => other,
    }
}

/// Checks with a proof fetched from the log (when one is needed) that
/// `new` extends `old`.
fn consistent(client: &Client, old: &Checkpoint, new: &Checkpoint) -> Result<(), FreshError> {
    let proof = client.extension_proof(old, new)?;
    Ok(verify_extends(old, new, proof.as_ref())?)
}
