//! The one error type of this crate.

use crate::policy::PolicyProblem;
use crate::{LeafIndex, TreeSize};

/// Everything that can go wrong while hashing, proving, verifying or parsing.
///
/// Variants are structured so that callers (and the HTTP layer above) can
/// name the exact rule that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hash was given with the wrong number of bytes.
    #[error("a hash is 32 bytes, got {len}")]
    HashLength {
        /// The number of bytes given.
        len: usize,
    },
    /// A hash's text form is not canonical hex or base64 of 32 bytes.
    #[error("a hash must be 64 lower-case hex digits or padded base64 of 32 bytes")]
    HashText,
    /// A leaf index is not inside the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf asked for.
        index: LeafIndex,
        /// The size of the tree.
        size: TreeSize,
    },
    /// A tree size larger than the stored tree was asked for.
    #[error("tree size {size} is beyond the current size {current}")]
    SizeBeyondTree {
        /// The size asked for.
        size: TreeSize,
        /// The size of the stored tree.
        current: TreeSize,
    },
    /// A consistency proof was asked between sizes in the wrong order.
    #[error("consistency needs old size {old} <= new size {new}")]
    SizesOutOfOrder {
        /// The older (smaller) size.
        old: TreeSize,
        /// The newer size.
        new: TreeSize,
    },
    /// A consistency proof from the empty tree was asked for: RFC 9162
    /// section 2.1.4 defines none (everything is consistent with it).
    #[error("no consistency proof exists from the empty tree")]
    ConsistencyFromEmpty,
    /// A proof has the wrong number of hashes for its index and size.
    #[error("proof has {got} hashes, expected {expected}")]
    ProofLength {
        /// The number of hashes the index and size call for.
        expected: usize,
        /// The number of hashes given.
        got: usize,
    },
    /// A proof does not lead to the expected root.
    #[error("proof does not verify against the expected root")]
    RootMismatch,
    /// The hash storage could not supply a hash it should have.
    #[error("hash storage failed: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The hash storage returned a different number of hashes than asked.
    #[error("hash storage returned {got} hashes for {asked} indexes")]
    StorageCount {
        /// How many hashes were asked for.
        asked: usize,
        /// How many came back.
        got: usize,
    },
    /// A signed-note key name is empty or holds a space or `+`.
    #[error("invalid signed-note key name")]
    KeyName,
    /// A verifier or signer key text is malformed.
    #[error("invalid signed-note key: {reason}")]
    KeyText {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signed note is malformed.
    #[error("malformed signed note: {reason}")]
    NoteMalformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A note carries a signature from a known key that does not verify.
    #[error("signature by {name} (key id {id:08x}) does not verify")]
    NoteSignature {
        /// The key name on the signature line.
        name: String,
        /// The key id on the signature line.
        id: u32,
    },
    /// No known key signed the note.
    #[error("no known key signed the note")]
    NoteUnverified,
    /// A checkpoint body is malformed.
    #[error("malformed checkpoint: {reason}")]
    CheckpointMalformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A checkpoint is for a different log than expected.
    #[error("checkpoint origin {got:?} is not {expected:?}")]
    CheckpointOrigin {
        /// The origin expected.
        expected: String,
        /// The origin found.
        got: String,
    },
    /// A line of a known cosigner does not verify: not 72 bytes after the
    /// key id, a timestamp above `2^63 - 1`, or a bad signature.
    #[error("cosignature by {name} (key id {id:08x}) does not verify")]
    CosignatureInvalid {
        /// The key name on the signature line.
        name: String,
        /// The key id on the signature line.
        id: u32,
    },
    /// A cosigner was asked to sign with a timestamp of 0 or above `2^63 - 1`.
    #[error("a cosignature timestamp must be between 1 and 2^63 - 1, got {timestamp}")]
    CosignatureTime {
        /// The timestamp asked for.
        timestamp: u64,
    },
    /// A policy file (C2SP tlog-policy) breaks a rule on one line.
    #[error("policy line {line}: {problem}")]
    Policy {
        /// The line, counted from 1.
        line: usize,
        /// The rule it breaks.
        problem: PolicyProblem,
    },
    /// A policy file has no `quorum` line.
    #[error("policy has no quorum line")]
    PolicyNoQuorum,
    /// A checkpoint's log signature is not from a log of the policy.
    #[error("no log of the policy signed the checkpoint for origin {origin:?}")]
    PolicyLog {
        /// The checkpoint's origin.
        origin: String,
    },
    /// A checkpoint's verified cosignatures do not meet the policy's quorum.
    #[error("cosignatures from {cosigned} witnesses do not meet the policy's quorum")]
    QuorumNotMet {
        /// How many of the policy's witnesses cosigned.
        cosigned: usize,
    },
    /// A tile path does not follow C2SP tlog-tiles.
    #[error("invalid tile path: {reason}")]
    TilePath {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry bundle is malformed.
    #[error("malformed entry bundle: {reason}")]
    EntryBundle {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A proof bundle (C2SP tlog-proof) is malformed.
    #[error("malformed proof bundle: {reason}")]
    ProofBundle {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A state-map proof's bytes are malformed.
    #[error("malformed map proof: {reason}")]
    MapProofMalformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A state-map proof ends in a terminal that cannot prove the claim
    /// (presence shown as absence, an empty slot where a leaf is expected,
    /// another key off the path, a non-canonical path).
    #[error("map proof does not prove the claim: {reason}")]
    MapProofWrongTerminal {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A state-map proof does not lead to the expected map root.
    #[error("map proof does not verify against the expected map root")]
    MapProofRootMismatch,
    /// A stored map node's bytes are malformed.
    #[error("malformed map node: {reason}")]
    MapNode {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A top-node position is outside levels 0..=16 or its level's width.
    #[error("map top node ({depth}, {index}) does not exist")]
    MapNodePosition {
        /// The depth asked for.
        depth: u8,
        /// The index asked for.
        index: u32,
    },
    /// A stored map bucket's bytes are malformed.
    #[error("malformed map bucket {prefix:04x}: {reason}")]
    MapBucket {
        /// The bucket's 16-bit prefix.
        prefix: u16,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The stored map contradicts itself (a top node says a leaf lies below
    /// where the buckets hold none).
    #[error("stored map is inconsistent: {reason}")]
    MapInconsistent {
        /// What is wrong with it.
        reason: &'static str,
    },
}
