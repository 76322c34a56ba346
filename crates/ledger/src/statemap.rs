//! The state map in the store: the rows of [`Table::Map`], and the map's
//! top levels in memory.
//!
//! | row key | value |
//! |---|---|
//! | `"l" \|\| map key (32)` | the key's value hash (32) |
//! | `"n" \|\| index (u16 BE)` | the node at depth 16 over the keys starting with those 16 bits: tag (1 leaf, 2 parent) and hash; absent = empty |
//!
//! A batch writes one row per changed key and one per changed 16-bit
//! prefix, nothing for the 65,535 nodes above them: those are recomputed
//! in memory when the ledger opens (from at most 65,536 rows) and kept
//! there ([`Top`]). A proof reads the top from memory and, below it, the
//! keys under one prefix (a short scan). Readers take the top published
//! with the checkpoint of their snapshot ([`crate::shared::Shared::top_at`]),
//! so a proof always matches that checkpoint's records.

use std::collections::BTreeMap;

use provenant_tlog::Hash;
use provenant_tlog::map::{Bucket, MapKey, MapRead, MapWrites, Node, TOP_DEPTH, Top, bucket_of};

use crate::store::{Batch, Read, StoreError, Table};

const LEAF: u8 = b'l';
const NODE: u8 = b'n';

fn leaf_key(key: &MapKey) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.push(LEAF);
    k.extend_from_slice(key);
    k
}

fn node_key(prefix: u16) -> Vec<u8> {
    let mut k = Vec::with_capacity(3);
    k.push(NODE);
    k.extend_from_slice(&prefix.to_be_bytes());
    k
}

fn corrupt(e: impl Into<crate::store::BoxError>) -> StoreError {
    StoreError::corrupt("the state map", e)
}

/// The map as a snapshot holds it, with the top published for that
/// snapshot's checkpoint.
pub(crate) struct StoredMap<'a, R: Read> {
    pub read: &'a R,
    pub top: &'a Top,
}

/// The map's rows hand up store errors; a row that does not decode is a
/// corrupt store.
#[derive(Debug)]
pub(crate) struct MapReadError(pub StoreError);

impl From<provenant_tlog::Error> for MapReadError {
    fn from(e: provenant_tlog::Error) -> Self {
        MapReadError(corrupt(e))
    }
}

impl From<StoreError> for MapReadError {
    fn from(e: StoreError) -> Self {
        MapReadError(e)
    }
}

impl<R: Read> MapRead for StoredMap<'_, R> {
    type Error = MapReadError;

    fn node(&self, depth: u8, index: u32) -> Result<Node, MapReadError> {
        if !Top::contains(depth, index) {
            return Err(provenant_tlog::Error::MapNodePosition { depth, index }.into());
        }
        Ok(self.top.node(depth, index))
    }

    fn bucket(&self, prefix: u16) -> Result<Bucket, MapReadError> {
        let mut scan = vec![LEAF];
        scan.extend_from_slice(&prefix.to_be_bytes());
        let rows = self.read.scan(Table::Map, &scan, None, usize::MAX)?;
        let mut bucket = Bucket::new(prefix);
        for (key, value) in rows {
            let key: MapKey = key
                .get(1..)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| corrupt(format!("a leaf row key of {} bytes", key.len())))?;
            let value = Hash::from_slice(&value).map_err(corrupt)?;
            bucket.set(&key, Some(value));
        }
        Ok(bucket)
    }
}

/// The top the store's rows give: the depth-16 nodes read, the levels
/// above them recomputed.
///
/// # Errors
/// Store errors; a row that does not decode.
pub(crate) fn load_top(read: &impl Read) -> Result<Top, StoreError> {
    let mut top = Top::empty();
    for (key, value) in read.scan(Table::Map, &[NODE], None, usize::MAX)? {
        let index = match key.as_slice() {
            [NODE, a, b] => u16::from_be_bytes([*a, *b]),
            _ => return Err(corrupt(format!("a node row key of {} bytes", key.len()))),
        };
        top.set(
            TOP_DEPTH,
            u32::from(index),
            Node::from_bytes(&value).map_err(corrupt)?,
        );
    }
    for depth in (0..TOP_DEPTH).rev() {
        for index in 0..1u32 << depth {
            let node = Node::combine(
                top.node(depth + 1, 2 * index),
                top.node(depth + 1, 2 * index + 1),
            );
            top.set(depth, index, node);
        }
    }
    Ok(top)
}

/// Adds to `batch` the rows of an update: `values` (each changed key's new
/// value hash, `None` removed) for the buckets `writes` changed, and the
/// changed depth-16 nodes.
pub(crate) fn put_writes(
    values: &BTreeMap<MapKey, Option<Hash>>,
    writes: &MapWrites,
    batch: &mut Batch,
) {
    let changed: std::collections::BTreeSet<u16> =
        writes.buckets.iter().map(Bucket::prefix).collect();
    for (key, value) in values {
        if !changed.contains(&bucket_of(key)) {
            continue;
        }
        match value {
            Some(hash) => batch.put(Table::Map, leaf_key(key), hash.as_bytes().to_vec()),
            None => batch.delete(Table::Map, leaf_key(key)),
        }
    }
    for (depth, index, node) in &writes.nodes {
        if *depth != TOP_DEPTH {
            continue;
        }
        let Ok(prefix) = u16::try_from(*index) else {
            continue;
        };
        match node.to_bytes() {
            Some(bytes) => batch.put(Table::Map, node_key(prefix), bytes.to_vec()),
            None => batch.delete(Table::Map, node_key(prefix)),
        }
    }
}

/// The most leaves [`BucketCache`] holds (about 64 bytes each): past it,
/// it starts again empty.
const MAX_CACHED_LEAVES: usize = 2_000_000;

/// The buckets the sequencer wrote, as the store holds them after the
/// last batch written (the sequencer is the map's only writer), so that an
/// update reads the buckets it changes from memory rather than scanning
/// the store. Bounded by [`MAX_CACHED_LEAVES`]; up to about 2M keys the
/// whole map fits.
#[derive(Default)]
pub(crate) struct BucketCache {
    buckets: std::collections::HashMap<u16, Bucket>,
    leaves: usize,
}

impl BucketCache {
    /// Takes the buckets of a batch that was written.
    pub(crate) fn written(&mut self, buckets: Vec<Bucket>) {
        for bucket in buckets {
            self.leaves += bucket.len();
            if let Some(old) = self.buckets.insert(bucket.prefix(), bucket) {
                self.leaves -= old.len();
            }
        }
        if self.leaves > MAX_CACHED_LEAVES {
            self.buckets.clear();
            self.leaves = 0;
        }
    }

    /// Forgets everything (the map was rebuilt).
    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
        self.leaves = 0;
    }
}

/// The map as the sequencer reads it: the buckets it wrote from memory,
/// the others from its snapshot.
pub(crate) struct CachedMap<'a, R: Read> {
    pub stored: StoredMap<'a, R>,
    pub cache: &'a BucketCache,
}

impl<R: Read> MapRead for CachedMap<'_, R> {
    type Error = MapReadError;

    fn node(&self, depth: u8, index: u32) -> Result<Node, MapReadError> {
        self.stored.node(depth, index)
    }

    fn bucket(&self, prefix: u16) -> Result<Bucket, MapReadError> {
        match self.cache.buckets.get(&prefix) {
            Some(bucket) => Ok(bucket.clone()),
            None => self.stored.bucket(prefix),
        }
    }
}
