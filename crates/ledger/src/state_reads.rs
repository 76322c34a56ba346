//! The proven state of an answer: the log's latest `state.commit` at a
//! snapshot, and the records an answer was computed from, each with its
//! proof in the state map, all read from that one snapshot.

use std::collections::BTreeSet;

use provenant_api::{CommitProof, ProvenRecord, StateProof};
use provenant_model::statemap::{StateKey, StateRecord, record_of};
use provenant_tlog::map::{Top, prove};
use provenant_tlog::{HashReader, LeafIndex, TreeSize, prove_inclusion};

use crate::error::ReadError;
use crate::keys::be;
use crate::statemap::StoredMap;
use crate::store::{Read, StoreError, Table};
use crate::view::View;

/// How a `state.commit` entry's leaf bytes begin.
const COMMIT_PREFIX: &[u8] = b"{\"kind\":\"state.commit\",";

/// The state proof for `keys` in `snap`, whose tree has `size` entries,
/// whose map's top is `top` and whose hashes `hashes` reads; `None` when the tree's last entry is
/// not a `state.commit` (an empty log, or a log written before the map
/// existed and not written to since).
///
/// # Errors
/// Store errors; a map that does not hold what the state tables hold
/// (a corrupt store).
pub(crate) fn state_proof<R: Read>(
    snap: &R,
    top: &Top,
    hashes: &impl HashReader,
    size: TreeSize,
    keys: &BTreeSet<StateKey>,
) -> Result<Option<StateProof>, ReadError> {
    let Some(index) = size.0.checked_sub(1) else {
        return Ok(None);
    };
    let bytes = snap
        .get(Table::Entries, &be(index))?
        .ok_or_else(|| StoreError::missing(format!("entry {index}")))?;
    // Leaf bytes are canonical (RFC 8785): `kind` is their first member.
    // The sequencer wrote them after its own checks, and the client checks
    // the entry again, so it is only read as JSON here, not re-validated.
    if !bytes.starts_with(COMMIT_PREFIX) {
        return Ok(None);
    }
    let entry: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::corrupt(format!("entry {index}"), e))?;
    let inclusion_proof = prove_inclusion(LeafIndex(index), size, hashes)
        .map_err(|e| StoreError::corrupt("the tree's hashes", e))?;
    let view = View::new(snap);
    let map = StoredMap { read: snap, top };
    let mut records = Vec::with_capacity(keys.len());
    for key in keys {
        let record = record_of(&view, key)?;
        let (proof, value_hash) = prove(&map, &key.map_key()).map_err(|e| e.0)?;
        let expected = record.as_ref().map(StateRecord::value_hash).transpose()?;
        if expected != value_hash {
            return Err(StoreError::corrupt(
                "the state map",
                format!("the map does not hold the record of {key}"),
            )
            .into());
        }
        let value = record.as_ref().map(StateRecord::to_value).transpose()?;
        records.push(ProvenRecord::new(*key, value, &proof));
    }
    Ok(Some(StateProof {
        commit: CommitProof {
            entry,
            index,
            inclusion_proof,
        },
        records,
    }))
}
