//! Answers that carry their proof: the checkpoint an answer was computed
//! at, and the inclusion proofs of the entries it rests on; and pages of
//! lists with their cursors.

use provenant_model::LeafHash;
use provenant_tlog::Hash;
use serde::{Deserialize, Serialize};

/// An entry's inclusion proof at an answer's checkpoint (RFC 9162 section
/// 2.1.3), under that checkpoint's root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryProof {
    /// The entry's index.
    pub index: u64,
    /// Its leaf hash, `SHA-256(0x00 || JCS(entry))`.
    pub leaf_hash: LeafHash,
    /// The proof, leaf sibling first, hex.
    #[serde(with = "crate::hex::hashes")]
    #[schemars(with = "Vec<provenant_model::schema::NodeHash>")]
    pub inclusion_proof: Vec<Hash>,
}

/// An answer, the checkpoint it was computed at, and the proofs of the
/// entries it rests on. On the wire the answer's members come first, then
/// `tree_size`, `checkpoint` and `proofs`.
///
/// What the server computed is its word; [`Proven::verify`] checks that
/// every entry the answer names is in the log the checkpoint commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Proven{T}")]
pub struct Proven<T> {
    /// The answer.
    #[serde(flatten)]
    pub answer: T,
    /// The log size the answer was computed at.
    pub tree_size: u64,
    /// The signed checkpoint of that size (C2SP signed-note text).
    pub checkpoint: String,
    /// Inclusion proofs of the entries the answer rests on, by index.
    pub proofs: Vec<EntryProof>,
    /// The state records the answer was computed from, proven under the
    /// log's latest commitment (answers computed from the state; absent
    /// while the log has no commitment yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<crate::state::StateProof>,
}

/// A page of results and the cursor for the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Page{T}")]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `after` for the next page; `None` at the end.
    pub next: Option<String>,
}

/// The most items in one page of a list.
pub const MAX_PAGE: usize = 1000;

/// The items in a page of a list when the request names no `limit`.
pub const DEFAULT_PAGE: usize = 100;
