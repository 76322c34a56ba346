//! Applying a batch of changes: the rows it rewrites and the new root.

use std::collections::BTreeMap;

use super::{Bucket, MapKey, Node, TOP_DEPTH, Top, bucket_of};
use crate::{Error, Hash};

/// What a proof or an update reads: a snapshot of the stored map.
pub trait MapRead {
    /// The reader's error; the map's own errors convert into it.
    type Error: From<Error>;

    /// Top node `(depth, index)`, `depth <= 16` ([`Node::Empty`] when it has
    /// no row).
    ///
    /// # Errors
    /// When the storage fails or holds a malformed node.
    fn node(&self, depth: u8, index: u32) -> Result<Node, Self::Error>;

    /// The bucket of the keys starting with `prefix` (empty when it has no
    /// row).
    ///
    /// # Errors
    /// When the storage fails or holds a malformed bucket.
    fn bucket(&self, prefix: u16) -> Result<Bucket, Self::Error>;
}

/// The rows one update changes: the top nodes whose value changed
/// ([`Node::Empty`] = delete the row) and the buckets that changed (an empty
/// bucket = delete its row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapWrites {
    /// `(depth, index, node)` for every top node that changed, deepest first.
    pub nodes: Vec<(u8, u32, Node)>,
    /// Every bucket that changed, in prefix order.
    pub buckets: Vec<Bucket>,
}

/// Applies `changes` (key to `Some(new value hash)`, or `None` to remove;
/// removing an absent key is a no-op) to the map whose top is `top` and
/// whose buckets `read` holds. Returns the writes and the new root; `top` is
/// not changed (apply the writes with [`Top::apply`] once they are stored).
///
/// Reads one bucket per distinct 16-bit prefix among the changed keys, and
/// no top node from `read`.
///
/// # Errors
/// When `read` fails to return a bucket.
pub fn update<R: MapRead>(
    top: &Top,
    read: &R,
    changes: &BTreeMap<MapKey, Option<Hash>>,
) -> Result<(MapWrites, Hash), R::Error> {
    let mut writes = MapWrites::default();
    // The changed nodes of the level being folded, by index, ascending.
    let mut level: Vec<(u32, Node)> = Vec::new();

    // Keys are sorted, so each bucket's changes are contiguous.
    let mut iter = changes.iter().peekable();
    while let Some((first, _)) = iter.peek() {
        let prefix = bucket_of(first);
        let old = read.bucket(prefix)?;
        let mut new = old.clone();
        while let Some((key, value)) = iter.next_if(|(k, _)| bucket_of(k) == prefix) {
            new.set(key, *value);
        }
        if new != old {
            let node = new.node();
            if node != top.node(TOP_DEPTH, u32::from(prefix)) {
                level.push((u32::from(prefix), node));
            }
            writes.buckets.push(new);
        }
    }

    for depth in (0..TOP_DEPTH).rev() {
        // `level` holds changed nodes at depth + 1; fold them into depth.
        let mut above = Vec::new();
        let mut i = 0;
        while i < level.len() {
            let (index, node) = level[i];
            writes.nodes.push((depth + 1, index, node));
            let parent = index >> 1;
            let (left, right) = if index & 1 == 0 {
                // Its right sibling may have changed too: it comes next.
                let right = match level.get(i + 1) {
                    Some(&(next, node)) if next == index + 1 => {
                        i += 1;
                        writes.nodes.push((depth + 1, next, node));
                        node
                    }
                    _ => top.node(depth + 1, index + 1),
                };
                (node, right)
            } else {
                (top.node(depth + 1, index - 1), node)
            };
            i += 1;
            let node = Node::combine(left, right);
            if node != top.node(depth, parent) {
                above.push((parent, node));
            }
        }
        level = above;
    }
    let root = match level.first() {
        Some(&(_, node)) => {
            writes.nodes.push((0, 0, node));
            node.hash()
        }
        None => top.root(),
    };
    Ok((writes, root))
}
