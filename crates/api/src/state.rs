//! The state an answer rests on, proven: the log's latest `state.commit`
//! entry with its inclusion proof, and each record the answer was computed
//! from with its proof in the state map under the committed root.
//!
//! [`StateProof::verify`] checks it all against a checkpoint already
//! verified and hands back a [`ProvenState`]: the records proven present
//! and the keys proven absent, which the model's own functions then read
//! to recompute the answer ([`crate::verify`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use provenant_model::payload::StateCommit;
use provenant_model::statemap::{StateKey, StateRecord};
use provenant_model::{Identity, Payload, ProvenState};
use provenant_tlog::map::MapProof;
use provenant_tlog::{Checkpoint, Hash, LeafIndex, NoteVerifier, hash_leaf, verify_inclusion};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::verify::VerifyError;

/// The log's commitment to its state at an answer's checkpoint: the last
/// entry of that tree, a `state.commit` signed by the log's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitProof {
    /// The entry `{kind: "state.commit", payload: {root, size}, signatures,
    /// logged_at}`.
    #[schemars(with = "provenant_model::Entry")]
    pub entry: Value,
    /// Its index: the checkpoint's size minus one.
    pub index: u64,
    /// Its inclusion proof under the checkpoint's root, leaf sibling first.
    #[serde(with = "crate::hex::hashes")]
    #[schemars(with = "Vec<provenant_model::schema::NodeHash>")]
    pub inclusion_proof: Vec<Hash>,
}

/// One record of the state map with its proof: present with `record`, or
/// absent (`record` null).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenRecord {
    /// What the record is about.
    pub key: StateKey,
    /// The record (its JSON form, hashed with JCS), or null when the map
    /// holds nothing under the key.
    pub record: Option<Value>,
    /// The map proof (base64 of its binary form) under the committed root.
    pub proof: String,
}

impl ProvenRecord {
    /// The record under `key` (`None`: absent) with its map proof.
    #[must_use]
    pub fn new(key: StateKey, record: Option<Value>, proof: &MapProof) -> ProvenRecord {
        ProvenRecord {
            key,
            record,
            proof: STANDARD.encode(proof.to_bytes()),
        }
    }
}

/// The records an answer rests on, under the log's latest commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateProof {
    /// The commitment.
    pub commit: CommitProof,
    /// The records, in key order.
    pub records: Vec<ProvenRecord>,
}

fn state_err(reason: impl Into<String>) -> VerifyError {
    VerifyError::State {
        reason: reason.into(),
    }
}

impl StateProof {
    /// Checks the commitment against `checkpoint` (already verified under
    /// `log_key`) and every record's proof under its root, and returns the
    /// proven records.
    ///
    /// # Errors
    /// [`VerifyError::State`] naming the first check that fails.
    pub fn verify(
        &self,
        checkpoint: &Checkpoint,
        log_key: &NoteVerifier,
    ) -> Result<ProvenState, VerifyError> {
        let commit = self.commit(checkpoint, log_key)?;
        let root = Hash::from(commit.root);
        let mut proven = ProvenState::new();
        for r in &self.records {
            let bytes = STANDARD
                .decode(&r.proof)
                .map_err(|_| state_err(format!("the proof of {} is not base64", r.key)))?;
            let proof = MapProof::from_bytes(&bytes)
                .map_err(|e| state_err(format!("the proof of {}: {e}", r.key)))?;
            let record = r
                .record
                .as_ref()
                .map(|v| StateRecord::from_value(&r.key, v))
                .transpose()
                .map_err(|e| state_err(format!("the record of {}: {e}", r.key)))?;
            let value_hash = record
                .as_ref()
                .map(StateRecord::value_hash)
                .transpose()
                .map_err(|e| state_err(format!("the record of {}: {e}", r.key)))?;
            proof
                .verify(&root, &r.key.map_key(), value_hash.as_ref())
                .map_err(|e| {
                    let what = if record.is_some() {
                        "record"
                    } else {
                        "absence"
                    };
                    state_err(format!(
                        "the {what} of {} does not verify under the committed state root: {e}",
                        r.key
                    ))
                })?;
            proven.insert(r.key, record);
        }
        Ok(proven)
    }

    /// The commitment, checked: a `state.commit` signed by the log's key
    /// alone, committing to every entry before it, and the last entry of
    /// the checkpoint's tree, so that no later entry is left out.
    fn commit(
        &self,
        checkpoint: &Checkpoint,
        log_key: &NoteVerifier,
    ) -> Result<StateCommit, VerifyError> {
        let c = &self.commit;
        if c.index.checked_add(1) != Some(checkpoint.size.0) {
            return Err(state_err(format!(
                "the commitment is entry {}, not the last entry of the tree of size {}",
                c.index, checkpoint.size.0
            )));
        }
        let bytes = provenant_model::jcs::to_vec(&c.entry)
            .map_err(|e| state_err(format!("the commitment entry: {e}")))?;
        let entry = provenant_model::Entry::from_leaf_bytes(&bytes)
            .map_err(|e| state_err(format!("the commitment entry: {e}")))?;
        verify_inclusion(
            LeafIndex(c.index),
            checkpoint.size,
            &hash_leaf(&bytes),
            &c.inclusion_proof,
            &checkpoint.root,
        )
        .map_err(|source| VerifyError::Proof {
            index: c.index,
            source,
        })?;
        let Payload::StateCommit(commit) = entry.envelope.payload() else {
            return Err(state_err(format!(
                "entry {} is a {}, not a state.commit",
                c.index,
                entry.envelope.kind()
            )));
        };
        let log = Identity::from_key(log_key.key())
            .map_err(|e| state_err(format!("the log key: {e}")))?;
        let verified = entry
            .envelope
            .verify()
            .map_err(|e| state_err(format!("the commitment's signature: {e}")))?;
        if verified.signers().len() != 1 || !verified.signers().contains(&log) {
            return Err(state_err(
                "the commitment is not signed by the log's key alone",
            ));
        }
        if commit.size != c.index {
            return Err(state_err(format!(
                "the commitment at index {} commits to {} entries",
                c.index, commit.size
            )));
        }
        Ok(*commit)
    }
}
