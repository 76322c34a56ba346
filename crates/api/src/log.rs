//! The log as transparency-log clients read it, and the one write path:
//! `GET /v1/log`, `GET /v1/proofs/...`, `POST /v1/entries`,
//! `GET /v1/entries/{index}`.

use provenant_model::{Identity, LeafHash, Receipt};
use provenant_tlog::{Hash, NoteVerifier};
use serde::{Deserialize, Serialize};

/// What a client needs to verify this log: the answer of `GET /v1/log`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogInfo {
    /// The checkpoint origin line.
    pub origin: String,
    /// The C2SP signed-note verifier key.
    pub verifier_key: String,
    /// The log's Ed25519 public key, `ed25519:` + base64.
    pub public_key: String,
    /// The current number of entries.
    pub size: u64,
    /// The keys that may resolve disputes: an auditor replaying the log
    /// needs them to re-validate `dispute.resolve` entries.
    #[serde(default)]
    pub arbiters: Vec<Identity>,
}

impl LogInfo {
    /// The parsed verifier key. Trusting it proves answers consistent with
    /// the log this server signs, not that it is the log you trust: pin
    /// the key where it matters.
    ///
    /// # Errors
    /// When the key text is not a C2SP Ed25519 verifier key.
    pub fn verifier(&self) -> Result<NoteVerifier, provenant_tlog::Error> {
        NoteVerifier::from_text(&self.verifier_key)
    }
}

/// Query of `GET /v1/proofs/inclusion`: exactly one of `index` and
/// `leaf_hash`, and the tree size (the current one when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The entry's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The entry's leaf hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_hash: Option<LeafHash>,
    /// The size of the tree to prove inclusion in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_size: Option<u64>,
}

/// An inclusion proof: the answer of `GET /v1/proofs/inclusion`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InclusionAnswer {
    /// The entry's index.
    pub index: u64,
    /// The size of the tree the proof is in.
    pub tree_size: u64,
    /// The proof, leaf sibling first, hex.
    #[serde(with = "crate::hex::hashes")]
    #[schemars(with = "Vec<provenant_model::schema::NodeHash>")]
    pub inclusion_proof: Vec<Hash>,
}

/// Query of `GET /v1/proofs/consistency`: from `from` entries to `to` (the
/// current size when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older size.
    pub from: u64,
    /// The newer size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u64>,
}

/// A consistency proof: the answer of `GET /v1/proofs/consistency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConsistencyAnswer {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The proof (RFC 9162 section 2.1.4), hex.
    #[serde(with = "crate::hex::hashes")]
    #[schemars(with = "Vec<provenant_model::schema::NodeHash>")]
    pub consistency_proof: Vec<Hash>,
}

/// An entry and where it is: the answer of `GET /v1/entries/{index}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryAnswer {
    /// Its index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: LeafHash,
    /// The entry `{kind, payload, signatures, logged_at}`.
    #[schemars(with = "provenant_model::Entry")]
    pub entry: serde_json::Value,
}

/// The outcome of `POST /v1/entries`: the receipt in the body, and whether
/// the entry is new (`201 Created`) or was already logged (`200 OK`, with
/// the original receipt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// The receipt: the entry, its index, inclusion proof and checkpoint.
    pub receipt: Receipt,
    /// `false` when the envelope was already in the log.
    pub created: bool,
}

/// The status of `POST /v1/entries` for a new entry.
pub const CREATED: u16 = 201;

impl Submitted {
    /// The outcome of a successful write answered with `status`.
    #[must_use]
    pub fn from_status(receipt: Receipt, status: u16) -> Self {
        Self {
            receipt,
            created: status == CREATED,
        }
    }
}
