//! Proofs of presence and absence, their bytes and their verification.

use super::{
    EMPTY_MAP_ROOT, MapKey, MapRead, Node, TOP_DEPTH, bit, map_leaf_hash, map_parent_hash, split,
    subtree, top_index,
};
use crate::{Error, Hash};

/// The longest path: a leaf is unique at depth 256 at the latest.
pub(super) const MAX_DEPTH: usize = 256;

/// Where a key's path ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terminal {
    /// An empty slot: the key is absent.
    Empty,
    /// The key's own leaf: the key is present (its value hash is the claim).
    Found,
    /// Another key's leaf, which shares the path: the key is absent.
    Other {
        /// The other key.
        key: MapKey,
        /// The other key's value hash.
        value_hash: Hash,
    },
}

/// A proof that a key is present with a value hash, or absent.
///
/// Bytes ([`MapProof::to_bytes`]): `depth (u16 BE) || tag (0 empty, 1 found,
/// 2 other) || [other: key (32) || value_hash (32)] || bitmap (ceil(depth /
/// 8)) || the non-empty siblings (32 each)`; bit `i` of the bitmap, most
/// significant first, says whether `siblings[i]` is given (it is not the
/// empty hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapProof {
    /// The siblings along the key's path: `siblings[i]` is the sibling of the
    /// path's node at depth `i + 1`, [`EMPTY_MAP_ROOT`] for an empty one. Its
    /// length is the terminal's depth.
    pub siblings: Vec<Hash>,
    /// What the path ends in.
    pub terminal: Terminal,
}

impl MapProof {
    /// Checks the proof against `root` for `key`: with `Some(v)`, that `key`
    /// is present with value hash `v` (the terminal must be `Found`); with
    /// `None`, that `key` is absent (the terminal is `Empty`, or `Other`
    /// with a different key sharing the path's `depth` bits).
    ///
    /// Refuses a non-canonical path too: below the root the last sibling is
    /// never empty (a leaf or an empty slot beside an empty sibling would sit
    /// one level up).
    ///
    /// # Errors
    /// [`Error::MapProofMalformed`] for a path over 256 levels,
    /// [`Error::MapProofWrongTerminal`] when the terminal does not prove the
    /// claim, [`Error::MapProofRootMismatch`] when the path does not lead to
    /// `root`.
    pub fn verify(
        &self,
        root: &Hash,
        key: &MapKey,
        value_hash: Option<&Hash>,
    ) -> Result<(), Error> {
        let wrong = |reason| Error::MapProofWrongTerminal { reason };
        let depth = self.siblings.len();
        if depth > MAX_DEPTH {
            return Err(Error::MapProofMalformed {
                reason: "depth over 256",
            });
        }
        if self.siblings.last() == Some(&EMPTY_MAP_ROOT) {
            return Err(wrong(
                "the last sibling is empty: the path is not canonical",
            ));
        }
        let mut hash = match (&self.terminal, value_hash) {
            (Terminal::Found, Some(v)) => map_leaf_hash(key, v),
            (Terminal::Empty, None) => EMPTY_MAP_ROOT,
            (
                Terminal::Other {
                    key: other,
                    value_hash,
                },
                None,
            ) => {
                if other == key {
                    return Err(wrong("the other leaf is the key itself"));
                }
                if (0..depth).any(|i| bit(other, i) != bit(key, i)) {
                    return Err(wrong("the other leaf is not on the key's path"));
                }
                map_leaf_hash(other, value_hash)
            }
            (Terminal::Found, None) => return Err(wrong("the key is present")),
            (Terminal::Empty | Terminal::Other { .. }, Some(_)) => {
                return Err(wrong("the key is absent"));
            }
        };
        // Fold from the terminal up to the root.
        for (i, sibling) in self.siblings.iter().enumerate().rev() {
            hash = if bit(key, i) == 0 {
                map_parent_hash(&hash, sibling)
            } else {
                map_parent_hash(sibling, &hash)
            };
        }
        if hash == *root {
            Ok(())
        } else {
            Err(Error::MapProofRootMismatch)
        }
    }
}

/// A proof for `key` against the map `read` holds, and the key's value hash
/// when it is present.
///
/// Reads the top nodes along the key's path and at most one bucket.
///
/// # Errors
/// When `read` fails, or [`Error::MapInconsistent`] when a top node says a
/// leaf lies below where the buckets hold none.
pub fn prove<R: MapRead>(read: &R, key: &MapKey) -> Result<(MapProof, Option<Hash>), R::Error> {
    let mut siblings = Vec::new();
    for depth in 0..TOP_DEPTH {
        let index = top_index(key, depth);
        match read.node(depth, index)? {
            Node::Empty => return Ok(ended(siblings, key, None)),
            Node::Leaf(hash) => {
                let leaf = lone_leaf(read, depth, index, &hash)?;
                return Ok(ended(siblings, key, Some(leaf)));
            }
            Node::Parent(_) => {
                let child = top_index(key, depth + 1);
                siblings.push(read.node(depth + 1, child ^ 1)?.hash());
            }
        }
    }
    // Below the top: the path continues inside the key's bucket.
    let bucket = read.bucket(super::bucket_of(key))?;
    let mut leaves = bucket.leaves();
    let mut depth = usize::from(TOP_DEPTH);
    loop {
        match leaves {
            [] => return Ok(ended(siblings, key, None)),
            [leaf] => return Ok(ended(siblings, key, Some(*leaf))),
            _ => {
                let (left, right) = split(leaves, depth);
                let (same, other) = if bit(key, depth) == 0 {
                    (left, right)
                } else {
                    (right, left)
                };
                siblings.push(subtree(other, depth + 1).hash());
                leaves = same;
                depth += 1;
            }
        }
    }
}

/// The proof and answer for a path that ends in an empty slot (`None`) or
/// at a leaf.
fn ended(
    siblings: Vec<Hash>,
    key: &MapKey,
    leaf: Option<(MapKey, Hash)>,
) -> (MapProof, Option<Hash>) {
    let (terminal, value) = match leaf {
        None => (Terminal::Empty, None),
        Some((k, v)) if k == *key => (Terminal::Found, Some(v)),
        Some((k, v)) => (
            Terminal::Other {
                key: k,
                value_hash: v,
            },
            None,
        ),
    };
    (MapProof { siblings, terminal }, value)
}

/// The one leaf below top node `(depth, index)`, a `Leaf(hash)`: follows the
/// non-empty child down to its bucket.
fn lone_leaf<R: MapRead>(
    read: &R,
    depth: u8,
    index: u32,
    hash: &Hash,
) -> Result<(MapKey, Hash), R::Error> {
    let inconsistent = |reason| Error::MapInconsistent { reason };
    let mut index = index;
    for d in depth..TOP_DEPTH {
        index = if read.node(d + 1, 2 * index)? == Node::Empty {
            2 * index + 1
        } else {
            2 * index
        };
    }
    let prefix = u16::try_from(index).map_err(|_| inconsistent("bucket index over 16 bits"))?;
    let bucket = read.bucket(prefix)?;
    match bucket.leaves() {
        [(k, v)] if map_leaf_hash(k, v) == *hash => Ok((*k, *v)),
        _ => Err(inconsistent("a leaf top node does not match its bucket").into()),
    }
}
