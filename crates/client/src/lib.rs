//! A typed client for a Provenant ledger, and the offline checks that let
//! its users trust nothing the server says without proof.
//!
//! - [`Client`]: the HTTP calls creators, brands and auditors make.
//! - [`audit`]: follow a log, check each checkpoint's signature and its
//!   consistency with the last one verified; optionally download every entry,
//!   recompute the tree and re-validate every entry through the model.
//! - [`verify_receipt`]: a receipt checked with only the log's public key.
//!
//! Verification uses only the pure crates (`provenant-tlog`,
//! `provenant-model`); HTTP is the only I/O besides the auditor's state
//! directory.

pub mod audit;
pub mod draft;
mod error;
mod http;

pub use error::{ClientError, Problem};
pub use http::{Client, LogInfo, Submitted};

use provenant_model::Receipt;
use provenant_tlog::{Checkpoint, NoteVerifier};

/// Checks a receipt offline: the checkpoint's signature under `log_key`
/// (whose name is the log's origin), then the entry's inclusion under the
/// checkpoint's root.
///
/// # Errors
/// Why the receipt does not verify.
pub fn verify_receipt(
    receipt: &Receipt,
    log_key: &NoteVerifier,
) -> Result<Checkpoint, provenant_model::ReceiptError> {
    receipt.verify(log_key.name(), log_key)
}

/// Why a read answer's proofs do not hold.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The answer has no checkpoint or proofs where the API promises them.
    #[error("the answer lacks {0}")]
    Missing(&'static str),
    /// The checkpoint or a proof does not verify.
    #[error(transparent)]
    Log(#[from] provenant_tlog::Error),
}

/// Checks a read answer (design, grant, license check, royalty split):
/// its checkpoint is signed by `log_key`, and every entry it rests on is
/// included under that checkpoint's root. Returns the checkpoint.
///
/// # Errors
/// The first part that does not verify.
pub fn verify_answer(
    answer: &serde_json::Value,
    log_key: &NoteVerifier,
) -> Result<Checkpoint, AnswerError> {
    use provenant_tlog::{Hash, LeafIndex, Note, verify_inclusion};
    let text = answer["checkpoint"]
        .as_str()
        .ok_or(AnswerError::Missing("a checkpoint"))?;
    let note = Note::parse(text.as_bytes())?;
    let checkpoint = Checkpoint::verify(&note, log_key.name(), std::slice::from_ref(log_key))?;
    let proofs = answer["proofs"]
        .as_array()
        .ok_or(AnswerError::Missing("proofs"))?;
    for proof in proofs {
        let index = proof["index"]
            .as_u64()
            .ok_or(AnswerError::Missing("a proof's index"))?;
        let leaf = Hash::from_hex(proof["leaf_hash"].as_str().unwrap_or_default())?;
        let path = proof["inclusion_proof"]
            .as_array()
            .ok_or(AnswerError::Missing("an inclusion proof"))?
            .iter()
            .map(|h| Hash::from_hex(h.as_str().unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?;
        verify_inclusion(
            LeafIndex(index),
            checkpoint.size,
            &leaf,
            &path,
            &checkpoint.root,
        )?;
    }
    Ok(checkpoint)
}
