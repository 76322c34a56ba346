//! A bucket: the leaves whose keys share their first 16 bits.

use super::{MapKey, Node, TOP_DEPTH, bucket_of, subtree};
use crate::{Error, HASH_SIZE, Hash};

/// Stored bytes per leaf: `key[2..32]` (30) and `value_hash` (32).
pub const BUCKET_LEAF_SIZE: usize = 30 + HASH_SIZE;

/// The present leaves whose keys start with the same 16 bits, sorted by key.
///
/// Its stored form is, per leaf in key order, `key[2..32] || value_hash`;
/// the first two bytes of every key are the bucket's prefix and are not
/// repeated. An empty bucket has no row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    prefix: u16,
    leaves: Vec<(MapKey, Hash)>,
}

impl Bucket {
    /// An empty bucket for the keys starting with `prefix`.
    #[must_use]
    pub fn new(prefix: u16) -> Bucket {
        Bucket {
            prefix,
            leaves: Vec::new(),
        }
    }

    /// The first 16 bits of every key in the bucket.
    #[must_use]
    pub fn prefix(&self) -> u16 {
        self.prefix
    }

    /// Reads a stored bucket.
    ///
    /// # Errors
    /// [`Error::MapBucket`] when the length is not a multiple of 62 or the
    /// keys are not strictly increasing.
    pub fn decode(prefix: u16, bytes: &[u8]) -> Result<Bucket, Error> {
        let bad = |reason| Error::MapBucket { prefix, reason };
        if !bytes.len().is_multiple_of(BUCKET_LEAF_SIZE) {
            return Err(bad("length is not a multiple of 62"));
        }
        let mut leaves: Vec<(MapKey, Hash)> = Vec::with_capacity(bytes.len() / BUCKET_LEAF_SIZE);
        for chunk in bytes.chunks_exact(BUCKET_LEAF_SIZE) {
            let mut key = [0u8; 32];
            key[..2].copy_from_slice(&prefix.to_be_bytes());
            key[2..].copy_from_slice(&chunk[..30]);
            let value = Hash::from_slice(&chunk[30..]).map_err(|_| bad("short value hash"))?;
            if leaves.last().is_some_and(|(last, _)| *last >= key) {
                return Err(bad("keys are not sorted and distinct"));
            }
            leaves.push((key, value));
        }
        Ok(Bucket { prefix, leaves })
    }

    /// The stored bytes (empty for an empty bucket).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.leaves.len() * BUCKET_LEAF_SIZE);
        for (key, value) in &self.leaves {
            out.extend_from_slice(&key[2..]);
            out.extend_from_slice(&value.0);
        }
        out
    }

    /// The value hash stored under `key`, if any.
    #[must_use]
    pub fn get(&self, key: &MapKey) -> Option<Hash> {
        self.position(key).ok().map(|i| self.leaves[i].1)
    }

    /// Stores `value_hash` under `key`, or removes `key` when `None`.
    ///
    /// # Panics
    /// When `key` does not start with the bucket's prefix: a caller's bug.
    pub fn set(&mut self, key: &MapKey, value_hash: Option<Hash>) {
        assert_eq!(bucket_of(key), self.prefix, "key outside the bucket");
        match (self.position(key), value_hash) {
            (Ok(i), Some(v)) => self.leaves[i].1 = v,
            (Ok(i), None) => {
                self.leaves.remove(i);
            }
            (Err(i), Some(v)) => self.leaves.insert(i, (*key, v)),
            (Err(_), None) => {}
        }
    }

    /// Whether the bucket holds no leaf.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// The number of leaves.
    #[must_use]
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// The leaves, sorted by key.
    #[must_use]
    pub fn leaves(&self) -> &[(MapKey, Hash)] {
        &self.leaves
    }

    /// The bucket's subtree, the node at depth 16 with index `prefix`.
    #[must_use]
    pub fn node(&self) -> Node {
        subtree(&self.leaves, usize::from(TOP_DEPTH))
    }

    fn position(&self, key: &MapKey) -> Result<usize, usize> {
        self.leaves.binary_search_by(|(k, _)| k.cmp(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(prefix: u16, last: u8) -> MapKey {
        let mut k = [0u8; 32];
        k[..2].copy_from_slice(&prefix.to_be_bytes());
        k[31] = last;
        k
    }

    #[test]
    fn set_get_and_round_trip() {
        let mut b = Bucket::new(0xab01);
        assert!(b.is_empty());
        assert!(b.encode().is_empty());
        b.set(&key(0xab01, 9), Some(Hash([9; 32])));
        b.set(&key(0xab01, 1), Some(Hash([1; 32])));
        b.set(&key(0xab01, 5), Some(Hash([5; 32])));
        b.set(&key(0xab01, 5), Some(Hash([6; 32])));
        b.set(&key(0xab01, 7), None);
        assert_eq!(b.len(), 3);
        assert_eq!(b.get(&key(0xab01, 5)), Some(Hash([6; 32])));
        assert_eq!(b.get(&key(0xab01, 7)), None);
        let bytes = b.encode();
        assert_eq!(bytes.len(), 3 * BUCKET_LEAF_SIZE);
        assert_eq!(Bucket::decode(0xab01, &bytes).expect("round trip"), b);
        // Another prefix reads other keys.
        assert_ne!(Bucket::decode(0xab02, &bytes).expect("decodes"), b);
        b.set(&key(0xab01, 1), None);
        b.set(&key(0xab01, 5), None);
        b.set(&key(0xab01, 9), None);
        assert!(b.is_empty());
        assert_eq!(b.node(), Node::Empty);
    }

    #[test]
    fn decode_refuses_bad_bytes() {
        let mut b = Bucket::new(7);
        b.set(&key(7, 1), Some(Hash([1; 32])));
        b.set(&key(7, 2), Some(Hash([2; 32])));
        let bytes = b.encode();
        for len in 1..bytes.len() {
            if !len.is_multiple_of(BUCKET_LEAF_SIZE) {
                assert!(Bucket::decode(7, &bytes[..len]).is_err(), "length {len}");
            }
        }
        let mut swapped = bytes[BUCKET_LEAF_SIZE..].to_vec();
        swapped.extend_from_slice(&bytes[..BUCKET_LEAF_SIZE]);
        assert!(Bucket::decode(7, &swapped).is_err());
        let mut twice = bytes[..BUCKET_LEAF_SIZE].to_vec();
        twice.extend_from_slice(&bytes[..BUCKET_LEAF_SIZE]);
        assert!(Bucket::decode(7, &twice).is_err());
    }

    /// The nodes of `keys` (sharing `depth` bits) that hold two keys or
    /// more: the parents, chains included, straight from the definition.
    fn parents(keys: &[MapKey], depth: usize) -> usize {
        if keys.len() < 2 {
            return 0;
        }
        let (left, right): (Vec<MapKey>, Vec<MapKey>) =
            keys.iter().partition(|k| crate::map::bit(k, depth) == 0);
        1 + parents(&left, depth + 1) + parents(&right, depth + 1)
    }

    /// A bucket's node hashes each leaf once and each parent once: the cost
    /// of an update is its buckets' leaves and parents, nothing repeated.
    #[test]
    fn node_hashes_each_node_once() {
        use sha2::{Digest as _, Sha256};
        for n in [0u8, 1, 2, 3, 15, 16, 40] {
            let mut b = Bucket::new(0x1234);
            for i in 0..n {
                let mut k: MapKey = Sha256::digest([i]).into();
                k[..2].copy_from_slice(&[0x12, 0x34]);
                b.set(&k, Some(Hash([i; 32])));
            }
            // Two keys sharing 250 bits: a long chain of parents.
            let mut chain = key(0x1234, 0x80);
            b.set(&chain, Some(Hash([1; 32])));
            chain[31] = 0x81;
            b.set(&chain, Some(Hash([2; 32])));
            let keys: Vec<MapKey> = b.leaves().iter().map(|(k, _)| *k).collect();
            crate::map::HASHES.with(|c| c.set((0, 0)));
            let node = b.node();
            let counted = crate::map::HASHES.with(std::cell::Cell::get);
            assert_eq!(counted, (b.len(), parents(&keys, 16)), "{n} keys");
            assert!(counted.1 > 200, "the chain is hashed");
            assert!(matches!(node, Node::Parent(_)));
        }
    }

    #[test]
    #[should_panic(expected = "key outside the bucket")]
    fn set_refuses_a_key_of_another_bucket() {
        Bucket::new(1).set(&key(2, 0), None);
    }
}
