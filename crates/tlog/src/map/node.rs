//! A node of the map and its stored bytes.

use super::{EMPTY_MAP_ROOT, map_parent_hash};
use crate::{Error, HASH_SIZE, Hash};

/// Size of a stored node: a tag byte and a hash.
pub const NODE_BYTES: usize = 1 + HASH_SIZE;

const TAG_LEAF: u8 = 1;
const TAG_PARENT: u8 = 2;

/// A subtree of the map, as its parent sees it.
///
/// Whether a node is a leaf matters beyond its hash: a leaf beside an empty
/// sibling moves up, a parent does not ([`Node::combine`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// No key below: hashes to 32 zero bytes.
    Empty,
    /// Exactly one key below: its leaf hash.
    Leaf(Hash),
    /// Two or more keys below: `SHA-256(0x03 || left || right)`.
    Parent(Hash),
}

impl Node {
    /// The hash a parent combines: 32 zeros for an empty node.
    #[must_use]
    pub fn hash(&self) -> Hash {
        match self {
            Node::Empty => EMPTY_MAP_ROOT,
            Node::Leaf(h) | Node::Parent(h) => *h,
        }
    }

    /// The node over two children: empty over two empties, the leaf itself
    /// over a leaf and an empty (it moves up), a parent otherwise.
    #[must_use]
    pub fn combine(left: Node, right: Node) -> Node {
        match (left, right) {
            (Node::Empty, Node::Empty) => Node::Empty,
            (leaf @ Node::Leaf(_), Node::Empty) | (Node::Empty, leaf @ Node::Leaf(_)) => leaf,
            _ => Node::Parent(map_parent_hash(&left.hash(), &right.hash())),
        }
    }

    /// The stored bytes: `0x01 || hash` for a leaf, `0x02 || hash` for a
    /// parent, and none for an empty node (it has no row).
    #[must_use]
    pub fn to_bytes(&self) -> Option<[u8; NODE_BYTES]> {
        let (tag, hash) = match self {
            Node::Empty => return None,
            Node::Leaf(h) => (TAG_LEAF, h),
            Node::Parent(h) => (TAG_PARENT, h),
        };
        let mut out = [0u8; NODE_BYTES];
        out[0] = tag;
        out[1..].copy_from_slice(&hash.0);
        Some(out)
    }

    /// Reads a stored node (never empty: an empty node has no row).
    ///
    /// # Errors
    /// [`Error::MapNode`] unless `bytes` is 33 bytes with tag 1 or 2.
    pub fn from_bytes(bytes: &[u8]) -> Result<Node, Error> {
        let [tag, hash @ ..] = bytes else {
            return Err(Error::MapNode { reason: "no bytes" });
        };
        let hash = Hash::from_slice(hash).map_err(|_| Error::MapNode {
            reason: "not 33 bytes",
        })?;
        match *tag {
            TAG_LEAF => Ok(Node::Leaf(hash)),
            TAG_PARENT => Ok(Node::Parent(hash)),
            _ => Err(Error::MapNode {
                reason: "unknown tag",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combine_moves_leaves_up_and_keeps_chains() {
        let l = Node::Leaf(Hash([1; 32]));
        let p = Node::Parent(Hash([2; 32]));
        assert_eq!(Node::combine(Node::Empty, Node::Empty), Node::Empty);
        assert_eq!(Node::combine(l, Node::Empty), l);
        assert_eq!(Node::combine(Node::Empty, l), l);
        assert_eq!(
            Node::combine(p, Node::Empty),
            Node::Parent(map_parent_hash(&p.hash(), &EMPTY_MAP_ROOT))
        );
        assert_eq!(
            Node::combine(l, l),
            Node::Parent(map_parent_hash(&l.hash(), &l.hash()))
        );
    }

    #[test]
    fn bytes_round_trip_and_strictness() {
        assert_eq!(Node::Empty.to_bytes(), None);
        for node in [Node::Leaf(Hash([3; 32])), Node::Parent(Hash([4; 32]))] {
            let bytes = node.to_bytes().expect("not empty");
            assert_eq!(Node::from_bytes(&bytes).expect("round trip"), node);
            for len in 0..bytes.len() {
                assert!(Node::from_bytes(&bytes[..len]).is_err());
            }
            let mut long = bytes.to_vec();
            long.push(0);
            assert!(Node::from_bytes(&long).is_err());
            for tag in [0u8, 3, 0xff] {
                let mut bad = bytes;
                bad[0] = tag;
                assert!(Node::from_bytes(&bad).is_err());
            }
        }
    }
}
