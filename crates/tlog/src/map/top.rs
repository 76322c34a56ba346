//! The top nodes (depths 0 to 16) held in memory.

use super::{MapWrites, Node, TOP_DEPTH};
use crate::{Error, Hash};

/// The number of top nodes: `2^0 + 2^1 + ... + 2^16`.
const TOP_NODES: usize = (1 << (TOP_DEPTH + 1)) - 1;

/// The map's nodes at depths 0 to 16, `2^17 - 1` of them, in memory.
///
/// The writer keeps these so that an update reads only the buckets it
/// changes; it fills them from the stored rows with [`Top::set`] at start
/// and keeps them current with [`Top::apply`].
#[derive(Clone)]
pub struct Top {
    nodes: Vec<Node>,
}

impl Top {
    /// The top of the empty map: every node empty.
    #[must_use]
    pub fn empty() -> Top {
        Top {
            nodes: vec![Node::Empty; TOP_NODES],
        }
    }

    /// Whether `(depth, index)` names a top node: `depth <= 16` and
    /// `index < 2^depth`.
    #[must_use]
    pub fn contains(depth: u8, index: u32) -> bool {
        depth <= TOP_DEPTH && u64::from(index) < 1u64 << depth
    }

    /// Sets node `(depth, index)`, as when loading a stored row.
    ///
    /// # Panics
    /// When the position is not a top node (see [`Top::contains`]).
    pub fn set(&mut self, depth: u8, index: u32, node: Node) {
        let at = Self::slot(depth, index);
        self.nodes[at] = node;
    }

    /// Sets node `(depth, index)`, refusing a position that is not a top
    /// node: the form for rows read from storage.
    ///
    /// # Errors
    /// [`Error::MapNodePosition`] when `(depth, index)` is not a top node.
    pub fn try_set(&mut self, depth: u8, index: u32, node: Node) -> Result<(), Error> {
        if !Self::contains(depth, index) {
            return Err(Error::MapNodePosition { depth, index });
        }
        self.set(depth, index, node);
        Ok(())
    }

    /// Node `(depth, index)`.
    ///
    /// # Panics
    /// When the position is not a top node (see [`Top::contains`]).
    #[must_use]
    pub fn node(&self, depth: u8, index: u32) -> Node {
        self.nodes[Self::slot(depth, index)]
    }

    /// The map's root.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.node(0, 0).hash()
    }

    /// Applies the node writes of an update (its buckets are not kept here).
    pub fn apply(&mut self, writes: &MapWrites) {
        for &(depth, index, node) in &writes.nodes {
            self.set(depth, index, node);
        }
    }

    fn slot(depth: u8, index: u32) -> usize {
        assert!(
            Self::contains(depth, index),
            "({depth}, {index}) is not a top node"
        );
        // Level d starts after the 2^d - 1 nodes above it.
        (1usize << depth) - 1 + index as usize
    }
}

impl std::fmt::Debug for Top {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Top").field("root", &self.root()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let mut top = Top::empty();
        assert_eq!(top.root(), crate::map::EMPTY_MAP_ROOT);
        assert!(Top::contains(16, 65_535));
        assert!(!Top::contains(16, 65_536));
        assert!(!Top::contains(17, 0));
        assert!(!Top::contains(3, 8));
        let leaf = Node::Leaf(Hash([1; 32]));
        top.set(16, 65_535, leaf);
        assert_eq!(top.node(16, 65_535), leaf);
        assert_eq!(top.node(15, 32_767), Node::Empty);
        assert!(top.try_set(4, 16, leaf).is_err());
        top.try_set(0, 0, leaf).expect("the root is a top node");
        assert_eq!(top.root(), leaf.hash());
    }
}
