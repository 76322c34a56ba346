//! The tree as an append-only sequence of stored hashes, and the reads that
//! compute roots from it.
//!
//! Every hash of every complete subtree is stored exactly once, in the order
//! it becomes known: appending leaf `n` stores the leaf hash, then the hash of
//! each subtree that leaf completes, bottom up. This is the layout of Go's
//! `golang.org/x/mod/sumdb/tlog` (and of the `tlog_tiles` crate), so the hash
//! at level `L` and position `k` (the root of leaves `k*2^L .. (k+1)*2^L`)
//! lives at a slot computed by [`stored_index`], and a tree of `n` leaves
//! holds exactly `2n - popcount(n)` hashes ([`stored_count`]).
//!
//! Any root, and any proof, for any size up to the stored one is a fold of
//! at most `2*log2(n)` stored hashes, read in one call to [`HashReader`].

use crate::Error;
use crate::hash::{Hash, hash_node};
use crate::index::{StoredIndex, TreeSize};

/// The largest tree this crate handles: `2^62` leaves, so that every stored
/// index fits in a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Read access to stored hashes: the one thing the tree math needs from
/// storage (in the spirit of Go's `tlog.HashReader`).
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order.
    ///
    /// # Errors
    /// Any storage failure; a hash that should exist but does not is an
    /// error too, never a made-up value.
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, Error>;
}

/// A plain in-memory store, for tests, tools and the auditor's replay.
impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, Error> {
        indexes
            .iter()
            .map(|i| {
                usize::try_from(i.0)
                    .ok()
                    .and_then(|i| self.get(i).copied())
                    .ok_or_else(|| Error::Storage(format!("no stored hash at {i}").into()))
            })
            .collect()
    }
}

/// The slot of the hash at `level`, position `n` (the root of leaves
/// `n*2^level .. (n+1)*2^level`).
///
/// Leaf `m`'s hash is the `m`-th level-0 hash; it is preceded by the `m`
/// earlier leaves and by the `m - popcount(m)` interior hashes they
/// completed. A level-`L` hash is written right after the last leaf of its
/// subtree and the `L` hashes below it on the right edge.
#[must_use]
pub fn stored_index(level: u8, n: u64) -> StoredIndex {
    debug_assert!(level < 63 && (n + 1) << level <= MAX_TREE_SIZE);
    let last_leaf = ((n + 1) << level) - 1;
    StoredIndex(2 * last_leaf - u64::from(last_leaf.count_ones()) + u64::from(level))
}

/// The level of the hash in slot `index`, and its position at that level:
/// the inverse of [`stored_index`].
#[must_use]
pub fn split_stored_index(index: StoredIndex) -> (u8, u64) {
    // Leaf `n` is stored at `2n - popcount(n)`. The hash was stored with
    // the last leaf stored at or before `index`, which is at least
    // `index / 2` (stored at or before `index`) and at most
    // `index / 2 + 32` (`popcount <= 64`): start at `index / 2` and walk up,
    // each leaf adding itself and the hashes it completes.
    let mut n = index.0 / 2;
    let mut at = stored_index(0, n).0;
    loop {
        let next = at + 1 + u64::from((n + 1).trailing_zeros());
        if next > index.0 {
            break;
        }
        n += 1;
        at = next;
    }
    let level = u8::try_from(index.0 - at).unwrap_or(u8::MAX);
    (level, n >> level)
}

/// The number of hashes stored for a tree of `size` leaves.
#[must_use]
pub fn stored_count(size: TreeSize) -> u64 {
    2 * size.0 - u64::from(size.0.count_ones())
}

/// The hashes to store when appending `leaves` (leaf hashes) to a tree of
/// `size` leaves, in storage order: they belong at slots
/// `stored_count(size)..`.
///
/// Reads only the roots of the existing complete subtrees that the new
/// leaves complete (at most 62, often none), in one call.
///
/// # Errors
/// [`Error::SizeBeyondTree`] past [`MAX_TREE_SIZE`]; storage errors.
pub fn append<R: HashReader + ?Sized>(
    size: TreeSize,
    leaves: &[Hash],
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    let n = size.0;
    let k = leaves.len() as u64;
    let end =
        n.checked_add(k)
            .filter(|end| *end <= MAX_TREE_SIZE)
            .ok_or(Error::SizeBeyondTree {
                size: TreeSize(n.saturating_add(k)),
                current: TreeSize(MAX_TREE_SIZE),
            })?;

    // The existing complete subtrees, left to right, that the new leaves
    // will merge with: those whose right sibling completes by `end`.
    // They are the lowest set bits of `n`, so walk up from bit 0 and stop
    // at the first that does not merge; then order them left to right.
    let mut levels = [0u8; 64];
    let mut slots = [StoredIndex(0); 64];
    let mut count = 0;
    let mut bits = n;
    while bits != 0 {
        let level = lowest_bit(bits);
        bits &= bits - 1;
        if end < ((n >> level) + 1) << level {
            break;
        }
        levels[count] = level;
        slots[count] = stored_index(level, (n >> level) - 1);
        count += 1;
    }
    levels[..count].reverse();
    slots[..count].reverse();
    // The pending subtree roots, as in `root_of`: hashes, and their levels
    // in `levels[..stack.len()]`.
    let mut stack = read_exact(reader, &slots[..count])?;
    // A batch of k leaves leaves at most log2(k) + 1 new pending roots; the
    // last leaf's own root is never pushed.
    stack.reserve((u64::BITS - k.saturating_sub(1).leading_zeros()) as usize);

    let mut out = Vec::with_capacity(leaves.len() * 2);
    for (i, leaf) in leaves.iter().enumerate() {
        let mut node = *leaf;
        let mut level = 0u8;
        out.push(node);
        while let Some(left) = stack.last() {
            if levels[stack.len() - 1] != level {
                break;
            }
            node = hash_node(left, &node);
            stack.pop();
            level += 1;
            out.push(node);
        }
        if i + 1 < leaves.len() {
            levels[stack.len()] = level;
            stack.push(node);
        }
    }
    Ok(out)
}

/// The position of the lowest set bit of a non-zero `bits`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the trailing zeros of a u64 number at most 64"
)]
fn lowest_bit(bits: u64) -> u8 {
    bits.trailing_zeros() as u8
}

/// The root of the first `size` leaves of the stored tree (RFC 6962
/// section 2.1 `MTH`), from at most `log2(size)` stored hashes.
///
/// # Errors
/// Storage errors, including hashes missing because `size` is beyond the
/// stored tree.
pub fn tree_hash<R: HashReader + ?Sized>(size: TreeSize, reader: &R) -> Result<Hash, Error> {
    if size.0 > MAX_TREE_SIZE {
        return Err(Error::SizeBeyondTree {
            size,
            current: TreeSize(MAX_TREE_SIZE),
        });
    }
    let mut plan = Plan::default();
    plan.range(0, size.0);
    let hashes = plan.read(reader)?;
    Ok(hashes.first().copied().unwrap_or(Hash::EMPTY))
}

/// Reads `indexes` and checks the reader returned one hash for each.
pub(crate) fn read_exact<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[StoredIndex],
) -> Result<Vec<Hash>, Error> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() == indexes.len() {
        Ok(hashes)
    } else {
        Err(Error::StorageCount {
            asked: indexes.len(),
            got: hashes.len(),
        })
    }
}

/// A list of subtree hashes `MTH(D[lo:hi])` to compute from one batched
/// read. Every range must start at a multiple of the largest power of two
/// not above its length, as all ranges in RFC 6962 proofs do; its hash is
/// then the right fold of its complete subtrees, largest first.
#[derive(Default)]
pub(crate) struct Plan {
    /// For each range, how many stored hashes it folds.
    ranges: Vec<usize>,
    slots: Vec<StoredIndex>,
}

impl Plan {
    /// Adds `MTH(D[lo:hi])` to the plan. An empty range is skipped.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) {
        let before = self.slots.len();
        let mut at = lo;
        let len = hi - lo;
        for level in (0..64u8).rev() {
            if len >> level & 1 == 1 {
                debug_assert_eq!(at % (1 << level), 0, "unaligned range {lo}..{hi}");
                self.slots.push(stored_index(level, at >> level));
                at += 1 << level;
            }
        }
        if self.slots.len() > before {
            self.ranges.push(self.slots.len() - before);
        }
    }

    /// Reads every slot at once and folds each range into its hash.
    pub(crate) fn read<R: HashReader + ?Sized>(self, reader: &R) -> Result<Vec<Hash>, Error> {
        let stored = read_exact(reader, &self.slots)?;
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut rest = stored.as_slice();
        for count in self.ranges {
            let (chunk, tail) = rest.split_at(count);
            rest = tail;
            let mut acc = chunk[count - 1];
            for left in chunk[..count - 1].iter().rev() {
                acc = hash_node(left, &acc);
            }
            out.push(acc);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn split_stored_index_inverts_stored_index() {
        for size in 1..=2_000u64 {
            let level_max = size.ilog2();
            for level in 0..=u8::try_from(level_max).unwrap() {
                let n = (size >> level) - 1;
                if ((n + 1) << level) > size {
                    continue;
                }
                assert_eq!(
                    split_stored_index(stored_index(level, n)),
                    (level, n),
                    "level {level}, n {n}"
                );
            }
        }
        let far = stored_index(20, (1 << 30) + 7);
        assert_eq!(split_stored_index(far), (20, (1 << 30) + 7));
        // Large positions, many bits set, at every level that fits.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let level = u8::try_from(x % 40).unwrap();
            let n = (x >> 8) & ((1u64 << (50 - u32::from(level))) - 1);
            assert_eq!(split_stored_index(stored_index(level, n)), (level, n));
        }
    }

    use super::*;
    use crate::hash::{hash_leaf, root_of};

    fn build(n: u64) -> (Vec<Hash>, Vec<Hash>) {
        let mut store = Vec::new();
        let mut leaves = Vec::new();
        for i in 0..n {
            let leaf = hash_leaf(&i.to_be_bytes());
            let new = append(TreeSize(i), &[leaf], &store).unwrap();
            store.extend(new);
            leaves.push(leaf);
        }
        (store, leaves)
    }

    #[test]
    fn stored_layout_matches_count() {
        let (store, _) = build(300);
        assert_eq!(store.len() as u64, stored_count(TreeSize(300)));
        for n in 1..300u64 {
            // The leaf hash of leaf n is stored right after the tree of n leaves.
            assert_eq!(stored_index(0, n).0, stored_count(TreeSize(n)));
        }
    }

    #[test]
    fn roots_match_in_memory_fold() {
        let (store, leaves) = build(130);
        for n in 0..=130usize {
            assert_eq!(
                tree_hash(TreeSize(n as u64), &store).unwrap(),
                root_of(&leaves[..n]),
                "size {n}"
            );
        }
    }

    #[test]
    fn batch_append_equals_one_by_one() {
        let (one_by_one, leaves) = build(200);
        for split in [0usize, 1, 3, 64, 127, 128, 199, 200] {
            let mut store = Vec::new();
            store.extend(append(TreeSize(0), &leaves[..split], &store).unwrap());
            let more = append(TreeSize(split as u64), &leaves[split..], &store).unwrap();
            store.extend(more);
            assert_eq!(store, one_by_one, "split at {split}");
        }
    }

    #[test]
    fn missing_hashes_are_errors() {
        let (store, _) = build(10);
        assert!(tree_hash(TreeSize(11), &store).is_err());
    }
}
