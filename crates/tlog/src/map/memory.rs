//! A whole map in memory: the auditor's replay and the tests.

use std::collections::{BTreeMap, HashMap};

use super::{Bucket, MapKey, MapProof, MapRead, Node, Top, bucket_of, prove, update};
use crate::{Error, Hash};

const IN_MEMORY: &str = "an in-memory map reads without failing and stays consistent";

/// A whole map in memory: its top nodes and its non-empty buckets.
///
/// Updates go through the same [`update`] and [`Top::apply`] as the stored
/// map's, so replaying the same changes gives the same roots.
#[derive(Clone, Debug)]
pub struct MemoryMap {
    top: Top,
    buckets: HashMap<u16, Bucket>,
    len: usize,
}

impl Default for MemoryMap {
    fn default() -> Self {
        MemoryMap {
            top: Top::empty(),
            buckets: HashMap::new(),
            len: 0,
        }
    }
}

impl MemoryMap {
    /// The empty map.
    #[must_use]
    pub fn new() -> MemoryMap {
        MemoryMap::default()
    }

    /// Applies `changes` (`None` removes) and returns the new root.
    ///
    /// # Panics
    /// Never: reading memory does not fail.
    pub fn apply(&mut self, changes: &BTreeMap<MapKey, Option<Hash>>) -> Hash {
        let (writes, root) = update(&self.top, self, changes).expect(IN_MEMORY);
        self.top.apply(&writes);
        for bucket in writes.buckets {
            self.len += bucket.len();
            let old = if bucket.is_empty() {
                self.buckets.remove(&bucket.prefix())
            } else {
                self.buckets.insert(bucket.prefix(), bucket)
            };
            self.len -= old.map_or(0, |b| b.len());
        }
        root
    }

    /// The map's root.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.top.root()
    }

    /// The top nodes.
    #[must_use]
    pub fn top(&self) -> &Top {
        &self.top
    }

    /// The value hash stored under `key`, if any.
    #[must_use]
    pub fn get(&self, key: &MapKey) -> Option<Hash> {
        self.buckets.get(&bucket_of(key)).and_then(|b| b.get(key))
    }

    /// A proof for `key`, and its value hash when present.
    ///
    /// # Panics
    /// Never: the top and the buckets are kept consistent by [`MemoryMap::apply`].
    #[must_use]
    pub fn prove(&self, key: &MapKey) -> (MapProof, Option<Hash>) {
        prove(self, key).expect(IN_MEMORY)
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the map holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl MapRead for MemoryMap {
    type Error = Error;

    fn node(&self, depth: u8, index: u32) -> Result<Node, Error> {
        if !Top::contains(depth, index) {
            return Err(Error::MapNodePosition { depth, index });
        }
        Ok(self.top.node(depth, index))
    }

    fn bucket(&self, prefix: u16) -> Result<Bucket, Error> {
        Ok(self
            .buckets
            .get(&prefix)
            .cloned()
            .unwrap_or_else(|| Bucket::new(prefix)))
    }
}
