//! The state map: a sparse Merkle prefix tree over 256-bit keys.
//!
//! The map commits to a set of `(key, value_hash)` pairs with one 32-byte
//! root, and proves for any key either its value hash (presence) or that no
//! value is stored under it (absence).
//!
//! # Construction
//!
//! Hashing follows the IETF Key Transparency draft
//! (draft-ietf-keytrans-protocol, the prefix tree):
//!
//! ```text
//! leaf   = SHA-256(0x02 || key (32) || value_hash (32))
//! parent = SHA-256(0x03 || left (32) || right (32))
//! empty  = 32 zero bytes                 (an empty subtree, and the empty map's root)
//! ```
//!
//! Bit `i` of a key (`0 <= i < 256`) is `(key[i / 8] >> (7 - i % 8)) & 1`;
//! a 0 bit goes left. Each leaf sits at the shallowest depth at which its
//! key is unique among the present keys. Equivalently, the node of the set
//! `S` of present keys that share a prefix of `d` bits is:
//!
//! - `Empty` (hash: 32 zero bytes) when `S` is empty;
//! - `Leaf(leaf hash)` when `S` holds one key, whatever `d` is (a lone leaf
//!   moves up to where its key becomes unique);
//! - otherwise `Parent(SHA-256(0x03 || node(S_0).hash || node(S_1).hash))`,
//!   where `S_0` and `S_1` split `S` on bit `d`.
//!
//! The root is the hash of the node of all keys at depth 0. A parent with
//! one empty child and one parent child exists (a chain of shared bits); a
//! parent with one empty child and one leaf child never does (it is that
//! leaf). [`Node::combine`] is this rule for two children.
//!
//! # Storage: top nodes and buckets
//!
//! The map is stored in two parts, so that a key costs 62 bytes and a proof
//! one bucket read below the top:
//!
//! - **Top nodes**: the nodes at depths 0 to 16 ([`TOP_DEPTH`]), `2^17 - 1`
//!   of them. Node `(d, j)` is the one whose prefix is the first `d` bits of
//!   a key read as an integer `j`; its children are `(d+1, 2j)` and
//!   `(d+1, 2j+1)`. A node is stored as [`Node::to_bytes`] (tag `0x01` leaf
//!   or `0x02` parent, then its hash); an empty node has no row. The writer
//!   keeps all of them in memory ([`Top`], about 4 MiB), so an update reads
//!   only the buckets it changes.
//! - **Buckets**: the present leaves whose keys share their first 16 bits
//!   ([`bucket_of`]), sorted by key. A bucket stores per leaf `key[2..32]`
//!   (30 bytes) and `value_hash` (32 bytes); the nodes below depth 16 are
//!   recomputed from it. The depth-16 top node `(16, p)` is bucket `p`'s
//!   [`Bucket::node`].
//!
//! [`update`] computes the rows one batch of changes rewrites
//! ([`MapWrites`]) and the new root, from the top and a [`MapRead`] view of
//! the stored buckets. [`root_of`] rebuilds a root from scratch, directly
//! from the definition above, to check the incremental code against.
//! [`MemoryMap`] holds a whole map in memory through the same [`update`]
//! (the auditor's replay, the tests).
//!
//! # Proofs
//!
//! A [`MapProof`] lists the siblings along the key's path from depth 1 down
//! to the depth where the path ends, and what it ends in ([`Terminal`]): an
//! empty slot, the key's own leaf, or another key's leaf that shares the
//! path. Its bytes ([`MapProof::to_bytes`]) leave out the empty siblings and
//! mark the others in a bitmap:
//!
//! ```text
//! depth (u16, big-endian) || tag (u8: 0 empty, 1 found, 2 other)
//!     || [tag 2: other key (32) || other value_hash (32)]
//!     || bitmap (ceil(depth / 8) bytes; bit i, most significant bit first,
//!        is 1 when siblings[i] is not 32 zero bytes)
//!     || the non-empty siblings (32 each), from depth 1 down
//! ```
//!
//! Decoding is strict (exact length, known tag, depth at most 256, unused
//! bitmap bits zero, no explicit all-zero sibling), so every proof has one
//! encoding. A proof is `3 + ceil(depth / 8) + 32 x (non-empty siblings)`
//! bytes, 64 more for another key's leaf. At 1M random keys the top 20 or
//! so levels are dense and deeper paths are chains of mostly empty
//! siblings, so every proof is under 1 KB: over 1M present and 1M absent
//! keys the medians are 646 B and 678 B and the largest proof is 839 B,
//! where a full list of siblings reached 1,251 B (`cargo bench -p
//! provenant-tlog --bench map` prints these).
//! [`MapProof::verify`] is the whole of what a verifier needs. Golden
//! vectors for other implementations are in `fixtures/state/`.

mod bucket;
mod memory;
mod node;
mod proof;
mod proof_bytes;
mod top;
mod update;

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use crate::{HASH_SIZE, Hash};

pub use bucket::{BUCKET_LEAF_SIZE, Bucket};
pub use memory::MemoryMap;
pub use node::{NODE_BYTES, Node};
pub use proof::{MapProof, Terminal, prove};
pub use top::Top;
pub use update::{MapRead, MapWrites, update};

/// A key of the map: 256 bits, a SHA-256 output in practice.
pub type MapKey = [u8; 32];

/// A present key and its value hash.
pub(crate) type Leaf = (MapKey, Hash);

/// The depth of the deepest top node; buckets hold everything below it.
pub const TOP_DEPTH: u8 = 16;

/// The root of the empty map, and the hash of any empty subtree: 32 zeros.
pub const EMPTY_MAP_ROOT: Hash = Hash([0; HASH_SIZE]);

#[cfg(test)]
thread_local! {
    /// The leaf and parent hashes computed on this thread, so that tests can
    /// check that a subtree hashes each of its nodes exactly once.
    pub(crate) static HASHES: std::cell::Cell<(usize, usize)> =
        const { std::cell::Cell::new((0, 0)) };
}

/// `SHA-256(0x02 || key || value_hash)`: the hash of a leaf.
#[must_use]
pub fn map_leaf_hash(key: &MapKey, value_hash: &Hash) -> Hash {
    #[cfg(test)]
    HASHES.with(|c| c.set((c.get().0 + 1, c.get().1)));
    let mut input = [0u8; 1 + 32 + HASH_SIZE];
    input[0] = 0x02;
    input[1..33].copy_from_slice(key);
    input[33..].copy_from_slice(&value_hash.0);
    Hash(Sha256::digest(input).into())
}

/// `SHA-256(0x03 || left || right)`: the hash of a parent node.
#[must_use]
pub fn map_parent_hash(left: &Hash, right: &Hash) -> Hash {
    #[cfg(test)]
    HASHES.with(|c| c.set((c.get().0, c.get().1 + 1)));
    let mut input = [0u8; 1 + 2 * HASH_SIZE];
    input[0] = 0x03;
    input[1..=HASH_SIZE].copy_from_slice(&left.0);
    input[1 + HASH_SIZE..].copy_from_slice(&right.0);
    Hash(Sha256::digest(input).into())
}

/// The bucket a key belongs to: its first 16 bits, big-endian.
#[must_use]
pub fn bucket_of(key: &MapKey) -> u16 {
    u16::from_be_bytes([key[0], key[1]])
}

/// Bit `i` of `key` (0 = left), most significant bit first.
pub(crate) fn bit(key: &MapKey, i: usize) -> u8 {
    (key[i / 8] >> (7 - i % 8)) & 1
}

/// The index of `key`'s top node at `depth` (`<= 16`): its first `depth` bits.
pub(crate) fn top_index(key: &MapKey, depth: u8) -> u32 {
    u32::from(bucket_of(key)) >> (TOP_DEPTH - depth)
}

/// The root of the map holding `leaves`, rebuilt from scratch straight from
/// the definition (see the module documentation). This is the reference the
/// incremental [`update`] is tested against; it shares no code with it.
#[must_use]
pub fn root_of(leaves: &BTreeMap<MapKey, Hash>) -> Hash {
    let sorted: Vec<(&MapKey, &Hash)> = leaves.iter().collect();
    reference(&sorted, 0)
}

fn reference(leaves: &[(&MapKey, &Hash)], depth: usize) -> Hash {
    match leaves {
        [] => EMPTY_MAP_ROOT,
        [(key, value)] => map_leaf_hash(key, value),
        _ => {
            let left: Vec<_> = leaves
                .iter()
                .filter(|(k, _)| bit(k, depth) == 0)
                .copied()
                .collect();
            let right: Vec<_> = leaves
                .iter()
                .filter(|(k, _)| bit(k, depth) == 1)
                .copied()
                .collect();
            map_parent_hash(&reference(&left, depth + 1), &reference(&right, depth + 1))
        }
    }
}

/// The node of `leaves` (sorted by key, all sharing their first `depth`
/// bits) at `depth`.
pub(crate) fn subtree(leaves: &[(MapKey, Hash)], depth: usize) -> Node {
    match leaves {
        [] => Node::Empty,
        [(key, value)] => Node::Leaf(map_leaf_hash(key, value)),
        _ => {
            let (left, right) = split(leaves, depth);
            Node::combine(subtree(left, depth + 1), subtree(right, depth + 1))
        }
    }
}

/// Splits sorted `leaves` sharing `depth` bits on bit `depth`.
pub(crate) fn split(leaves: &[(MapKey, Hash)], depth: usize) -> (&[Leaf], &[Leaf]) {
    leaves.split_at(leaves.partition_point(|(k, _)| bit(k, depth) == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_indexes() {
        let mut key = [0u8; 32];
        key[0] = 0b1000_0001;
        key[1] = 0b0100_0000;
        key[31] = 1;
        assert_eq!(bit(&key, 0), 1);
        assert_eq!(bit(&key, 1), 0);
        assert_eq!(bit(&key, 7), 1);
        assert_eq!(bit(&key, 9), 1);
        assert_eq!(bit(&key, 255), 1);
        assert_eq!(bucket_of(&key), 0x8140);
        assert_eq!(top_index(&key, 0), 0);
        assert_eq!(top_index(&key, 1), 1);
        assert_eq!(top_index(&key, 8), 0x81);
        assert_eq!(top_index(&key, 16), 0x8140);
    }

    #[test]
    fn small_roots_by_hand() {
        let a = [0u8; 32];
        let mut b = [0u8; 32];
        b[0] = 0x80;
        let v = Hash([7; 32]);
        let mut map = BTreeMap::new();
        assert_eq!(root_of(&map), EMPTY_MAP_ROOT);
        map.insert(a, v);
        assert_eq!(root_of(&map), map_leaf_hash(&a, &v));
        map.insert(b, v);
        assert_eq!(
            root_of(&map),
            map_parent_hash(&map_leaf_hash(&a, &v), &map_leaf_hash(&b, &v))
        );
        // Two keys sharing their first bit: a chain of one parent with an
        // empty right child above them.
        let mut c = [0u8; 32];
        c[0] = 0x40;
        map.remove(&b);
        map.insert(c, v);
        let pair = map_parent_hash(&map_leaf_hash(&a, &v), &map_leaf_hash(&c, &v));
        assert_eq!(root_of(&map), map_parent_hash(&pair, &EMPTY_MAP_ROOT));
    }
}
