//! Checking a read answer (design, grant, license check, royalty split)
//! against the log: what the server computed is its word, but every entry
//! the answer names must be proven to be in the log at the checkpoint the
//! answer names, and that checkpoint must be signed by the log's key.

use std::collections::BTreeSet;

use provenant_tlog::{Checkpoint, Hash, LeafIndex, Note, NoteVerifier, verify_inclusion};
use serde_json::Value;

/// Why a read answer does not verify.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The answer lacks a part the API promises.
    #[error("the answer lacks {0}")]
    Missing(&'static str),
    /// The answer's size is not its checkpoint's.
    #[error("the answer says size {said}, its checkpoint {signed}")]
    SizeMismatch {
        /// The size the answer states.
        said: u64,
        /// The signed checkpoint's size.
        signed: u64,
    },
    /// The answer rests on an entry it gives no proof for.
    #[error("the answer names entry {index} without proving it")]
    Unproven {
        /// The entry's index.
        index: u64,
    },
    /// The checkpoint or a proof does not verify.
    #[error(transparent)]
    Log(#[from] provenant_tlog::Error),
}

/// Checks `answer`: its checkpoint is signed by `log_key`; its size is the
/// checkpoint's; every proof verifies under the checkpoint's root; and every
/// entry the answer names (any `{index, leaf_hash}` in it) has a proof.
/// Returns the checkpoint.
///
/// # Errors
/// The first part that does not verify.
pub fn verify_answer(answer: &Value, log_key: &NoteVerifier) -> Result<Checkpoint, AnswerError> {
    let text = answer["checkpoint"]
        .as_str()
        .ok_or(AnswerError::Missing("a checkpoint"))?;
    let note = Note::parse(text.as_bytes())?;
    let checkpoint = Checkpoint::verify(&note, log_key.name(), std::slice::from_ref(log_key))?;
    let said = answer["tree_size"]
        .as_u64()
        .ok_or(AnswerError::Missing("a tree size"))?;
    if said != checkpoint.size.0 {
        return Err(AnswerError::SizeMismatch {
            said,
            signed: checkpoint.size.0,
        });
    }
    let mut proven = BTreeSet::new();
    for proof in answer["proofs"]
        .as_array()
        .ok_or(AnswerError::Missing("proofs"))?
    {
        let (index, leaf) =
            entry_ref(proof).ok_or(AnswerError::Missing("a proof's index and leaf hash"))?;
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
        proven.insert((index, leaf.0));
    }
    let mut named = Vec::new();
    for (key, value) in answer.as_object().into_iter().flatten() {
        if key != "proofs" {
            entry_refs(value, &mut named);
        }
    }
    if named.is_empty() && proven.is_empty() {
        return Err(AnswerError::Missing("proofs"));
    }
    match named.into_iter().find(|r| !proven.contains(&(r.0, r.1.0))) {
        Some((index, _)) => Err(AnswerError::Unproven { index }),
        None => Ok(checkpoint),
    }
}

/// An `{index, leaf_hash}` object's parts.
fn entry_ref(v: &Value) -> Option<(u64, Hash)> {
    let index = v.get("index")?.as_u64()?;
    let leaf = Hash::from_hex(v.get("leaf_hash")?.as_str()?).ok()?;
    Some((index, leaf))
}

/// Every `{index, leaf_hash}` object in `v`.
fn entry_refs(v: &Value, out: &mut Vec<(u64, Hash)>) {
    match v {
        Value::Object(map) => {
            if let Some(r) = entry_ref(v) {
                out.push(r);
            }
            for child in map.values() {
                entry_refs(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| entry_refs(i, out)),
        _ => {}
    }
}
