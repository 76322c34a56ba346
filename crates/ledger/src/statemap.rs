//! The state map in the store: the rows of [`Table::Map`], read through
//! any snapshot, and the writes of one update.
//!
//! | row key | value |
//! |---|---|
//! | `"n" \|\| depth (u8) \|\| index (u32 BE)` | a top node: tag (1 leaf, 2 parent) and hash; absent = empty |
//! | `"b" \|\| prefix (u16 BE)` | a bucket: per leaf, key bytes 2..32 and the value hash; absent = empty |
//!
//! The sequencer keeps the top nodes in memory too ([`Top`]), loaded here
//! at start (at most 2^17 - 1 small rows), so that an update reads only the
//! buckets it changes; readers take every row from their snapshot, so a
//! proof always matches the checkpoint and the records of that snapshot.

use provenant_tlog::map::{Bucket, MapRead, MapWrites, Node, TOP_DEPTH, Top};

use crate::store::{Batch, Read, StoreError, Table};

const NODE: u8 = b'n';
const BUCKET: u8 = b'b';

fn node_key(depth: u8, index: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(6);
    k.push(NODE);
    k.push(depth);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

fn bucket_key(prefix: u16) -> Vec<u8> {
    let mut k = Vec::with_capacity(3);
    k.push(BUCKET);
    k.extend_from_slice(&prefix.to_be_bytes());
    k
}

fn corrupt(e: provenant_tlog::Error) -> StoreError {
    StoreError::corrupt("the state map", e)
}

/// The map as a snapshot (or the store) holds it.
pub(crate) struct StoredMap<'a, R: Read>(pub &'a R);

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
        match self.0.get(Table::Map, &node_key(depth, index))? {
            Some(bytes) => Ok(Node::from_bytes(&bytes)?),
            None => Ok(Node::Empty),
        }
    }

    fn bucket(&self, prefix: u16) -> Result<Bucket, MapReadError> {
        match self.0.get(Table::Map, &bucket_key(prefix))? {
            Some(bytes) => Ok(Bucket::decode(prefix, &bytes)?),
            None => Ok(Bucket::new(prefix)),
        }
    }
}

/// The top nodes the store holds.
///
/// # Errors
/// Store errors; a row that does not decode.
pub(crate) fn load_top(read: &impl Read) -> Result<Top, StoreError> {
    const PAGE: usize = 4096;
    let mut top = Top::empty();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let rows = read.scan(Table::Map, &[NODE], after.as_deref(), PAGE)?;
        for (key, value) in &rows {
            let (depth, index) = match key.as_slice() {
                [NODE, depth, a, b, c, d] if *depth <= TOP_DEPTH => {
                    (*depth, u32::from_be_bytes([*a, *b, *c, *d]))
                }
                _ => {
                    return Err(StoreError::corrupt(
                        "the state map",
                        format!("a top-node row key of {} bytes", key.len()),
                    ));
                }
            };
            if u64::from(index) >> depth != 0 {
                return Err(StoreError::corrupt(
                    "the state map",
                    format!("top node {index} at depth {depth}"),
                ));
            }
            top.try_set(depth, index, Node::from_bytes(value).map_err(corrupt)?)
                .map_err(corrupt)?;
        }
        match rows.last() {
            Some((key, _)) if rows.len() == PAGE => after = Some(key.clone()),
            _ => return Ok(top),
        }
    }
}

/// Adds the rows of `writes` to `batch`.
pub(crate) fn put_writes(writes: &MapWrites, batch: &mut Batch) {
    for (depth, index, node) in &writes.nodes {
        let key = node_key(*depth, *index);
        match node.to_bytes() {
            Some(bytes) => batch.put(Table::Map, key, bytes.to_vec()),
            None => batch.delete(Table::Map, key),
        }
    }
    for bucket in &writes.buckets {
        let key = bucket_key(bucket.prefix());
        if bucket.is_empty() {
            batch.delete(Table::Map, key);
        } else {
            batch.put(Table::Map, key, bucket.encode());
        }
    }
}
