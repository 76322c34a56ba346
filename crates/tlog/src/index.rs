//! Newtypes that keep leaf positions, tree sizes and storage slots apart.

use std::fmt;

/// The zero-based position of a leaf in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LeafIndex(pub u64);

/// The number of leaves in a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TreeSize(pub u64);

/// The position of a hash in the append-only sequence of stored hashes
/// (see [`crate::tree`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StoredIndex(pub u64);

impl LeafIndex {
    /// The raw number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl TreeSize {
    /// The raw number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }

    /// Whether `index` names a leaf of a tree of this size.
    #[must_use]
    pub fn contains(self, index: LeafIndex) -> bool {
        index.0 < self.0
    }
}

impl StoredIndex {
    /// The raw number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for TreeSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for StoredIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
