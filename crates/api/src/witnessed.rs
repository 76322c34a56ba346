//! Witnessed answers: checkpoints cosigned by a quorum of witnesses (C2SP
//! tlog-cosignature, counted by a C2SP tlog-policy), so that an answer is
//! not only the log's word but the history every witness saw.
//!
//! An answer, a receipt or a proof bundle is proven at one checkpoint.
//! With a policy it is accepted when that checkpoint is signed by the
//! policy's log and either
//!
//! 1. carries the quorum's cosignatures itself (a receipt written with
//!    `?wait=witnessed`), or
//! 2. is lifted ([`Upgrade`]) to a witnessed checkpoint of at least its
//!    size: that checkpoint verifies under the policy (the log's signature
//!    and the quorum), and a consistency proof leads from the answer's
//!    tree to it (RFC 9162 section 2.1.4.2). Every witness of the quorum
//!    then vouches that the answer's tree is a prefix of the one it saw.
//!
//! A client fetches the upgrade from `GET /v1/checkpoint/witnessed` and
//! `GET /v1/proofs/consistency?from=<answer size>&to=<witnessed size>`.

use provenant_tlog::{Checkpoint, Note, NoteVerifier, Policy};
use serde::{Deserialize, Serialize};

use provenant_model::Receipt;

use crate::log::ConsistencyAnswer;
use crate::proven::Proven;
use crate::verify::{
    RestsOn, VerifyError, consistency_needed, verify_checkpoint, verify_extends, verify_receipt,
};

/// The query string of the two write routes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct WriteQuery {
    /// `witnessed`: answer once a checkpoint covering the entry is
    /// cosigned by the server's witness quorum, with the receipt proven
    /// under that checkpoint (cosignatures included); `202` with the
    /// log-signed receipt when none came within the server's bound. Only
    /// on a server that has witnesses (else `400 witnessing-off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
}

/// What a write waits for besides its durable append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Wait {
    /// A checkpoint covering the entry, cosigned by the witness quorum.
    Witnessed,
}

/// What lifts an answer proven at one size to a witnessed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// The witnessed checkpoint: the log's signed note with the
    /// witnesses' cosignature lines.
    pub witnessed: String,
    /// The consistency proof from the answer's size to the witnessed
    /// checkpoint's (not needed, and ignored, when the sizes are equal).
    pub consistency: Option<ConsistencyAnswer>,
}

/// The policy's key of the log whose origin `checkpoint_text` names.
///
/// # Errors
/// [`VerifyError::Checkpoint`] when the text is not a checkpoint, or no
/// log of the policy has its origin.
pub fn policy_log_key(policy: &Policy, checkpoint_text: &str) -> Result<NoteVerifier, VerifyError> {
    let note = Note::parse(checkpoint_text.as_bytes()).map_err(VerifyError::Checkpoint)?;
    let checkpoint = Checkpoint::parse(note.text()).map_err(VerifyError::Checkpoint)?;
    policy
        .logs()
        .iter()
        .find(|l| l.verifier.name() == checkpoint.origin)
        .map(|l| l.verifier.clone())
        .ok_or(VerifyError::Checkpoint(provenant_tlog::Error::PolicyLog {
            origin: checkpoint.origin,
        }))
}

/// A checkpoint note verified under `policy`: signed by its log, cosigned
/// by the quorum.
///
/// # Errors
/// [`VerifyError::Checkpoint`] for a note the log did not sign;
/// [`VerifyError::NotWitnessed`] when the quorum did not cosign it.
pub fn verify_witnessed(text: &str, policy: &Policy) -> Result<Checkpoint, VerifyError> {
    let key = policy_log_key(policy, text)?;
    verify_checkpoint(text, &key)?;
    let note = Note::parse(text.as_bytes()).map_err(VerifyError::Checkpoint)?;
    policy
        .verify_checkpoint(&note)
        .map_err(VerifyError::NotWitnessed)
}

/// Checks that the checkpoint an answer is proven under (`proven`, its
/// note `text`, already verified under the policy's log key) is witnessed
/// as the module doc says, and returns the witnessed checkpoint.
///
/// # Errors
/// [`VerifyError::NotWitnessed`] when neither the answer's checkpoint nor
/// the upgrade meets the quorum; [`VerifyError::UpgradeBehind`],
/// [`VerifyError::Inconsistent`] or [`VerifyError::ProofSize`] for an
/// upgrade that does not cover the answer.
pub fn witnessed(
    proven: &Checkpoint,
    text: &str,
    policy: &Policy,
    upgrade: Option<&Upgrade>,
) -> Result<Checkpoint, VerifyError> {
    let own = verify_witnessed(text, policy);
    let (Err(VerifyError::NotWitnessed(_)), Some(upgrade)) = (&own, upgrade) else {
        return own;
    };
    let lifted = verify_witnessed(&upgrade.witnessed, policy)?;
    if lifted.origin != proven.origin {
        return Err(VerifyError::Checkpoint(provenant_tlog::Error::PolicyLog {
            origin: lifted.origin,
        }));
    }
    if lifted.size < proven.size {
        return Err(VerifyError::UpgradeBehind {
            answer: proven.size.0,
            witnessed: lifted.size.0,
        });
    }
    if consistency_needed(proven, &lifted) && upgrade.consistency.is_none() {
        return Err(VerifyError::UpgradeUnproven {
            answer: proven.size.0,
            witnessed: lifted.size.0,
        });
    }
    verify_extends(proven, &lifted, upgrade.consistency.as_ref())?;
    Ok(lifted)
}

impl<T: RestsOn> Proven<T> {
    /// Checks the answer as [`Proven::verify`] does under the policy's
    /// key of its log, then that its checkpoint is witnessed (see the
    /// module doc). Returns the answer's checkpoint and the witnessed one.
    /// An answer computed from the state is checked further with
    /// [`Proven::verify_state`] under [`policy_log_key`].
    ///
    /// # Errors
    /// As [`Proven::verify`] and [`witnessed`].
    pub fn verify_with_policy(
        &self,
        policy: &Policy,
        upgrade: Option<&Upgrade>,
    ) -> Result<(Checkpoint, Checkpoint), VerifyError> {
        let key = policy_log_key(policy, &self.checkpoint)?;
        let proven = self.verify(&key)?;
        let lifted = witnessed(&proven, &self.checkpoint, policy, upgrade)?;
        Ok((proven, lifted))
    }
}

/// Checks a receipt as [`crate::verify_receipt`] does under the policy's
/// key of its log, then that its checkpoint is witnessed (see the module
/// doc). Returns the receipt's checkpoint and the witnessed one.
///
/// # Errors
/// As [`crate::verify_receipt`] and [`witnessed`].
pub fn verify_receipt_with_policy(
    receipt: &Receipt,
    policy: &Policy,
    upgrade: Option<&Upgrade>,
) -> Result<(Checkpoint, Checkpoint), VerifyError> {
    let key = policy_log_key(policy, &receipt.checkpoint)?;
    let proven = verify_receipt(receipt, &key)?;
    let lifted = witnessed(&proven, &receipt.checkpoint, policy, upgrade)?;
    Ok((proven, lifted))
}

#[cfg(test)]
mod tests;
