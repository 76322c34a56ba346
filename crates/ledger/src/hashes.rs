//! The Merkle tree's stored hashes, read from the store for `provenant_tlog`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{PoisonError, RwLock};

use provenant_tlog::{Hash, HashReader, StoredIndex, TreeSize, split_stored_index};

use crate::keys::be;
use crate::store::{Read, StoreError, Table};

/// The stored hashes of a store (or snapshot).
pub struct StoredHashes<'a, R: Read + ?Sized>(pub &'a R);

fn missing(i: StoredIndex) -> provenant_tlog::Error {
    provenant_tlog::Error::Storage(Box::new(StoreError::missing(format!("stored hash {i}"))))
}

/// A stored hash that is not 32 bytes: the store is damaged, whatever
/// the question was.
fn hash(i: StoredIndex, bytes: &[u8]) -> Result<Hash, provenant_tlog::Error> {
    Hash::from_slice(bytes).map_err(|e| {
        provenant_tlog::Error::Storage(Box::new(StoreError::corrupt(format!("stored hash {i}"), e)))
    })
}

/// At least this many hashes, lying in a run of slots at most
/// [`SCAN_SPAN`] times their number, are read with one range scan instead
/// of a point lookup each: a level-0 tile's 256 hashes lie among 511
/// consecutive slots, and a scan reads them block by block.
const SCAN_MIN: usize = 32;

/// See [`SCAN_MIN`].
const SCAN_SPAN: u64 = 4;

impl<R: Read + ?Sized> HashReader for StoredHashes<'_, R> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        if let Some(hashes) = self.scan_run(indexes)? {
            return Ok(hashes);
        }
        let keys: Vec<Vec<u8>> = indexes.iter().map(|i| be(i.0).to_vec()).collect();
        let values = self
            .0
            .multi_get(Table::Hashes, &keys)
            .map_err(|e| provenant_tlog::Error::Storage(Box::new(e)))?;
        indexes
            .iter()
            .zip(values)
            .map(|(i, v)| hash(*i, &v.ok_or_else(|| missing(*i))?))
            .collect()
    }
}

impl<R: Read + ?Sized> StoredHashes<'_, R> {
    /// `indexes` read with one range scan, when they are many, ascending
    /// and close together; `None` otherwise.
    fn scan_run(
        &self,
        indexes: &[StoredIndex],
    ) -> Result<Option<Vec<Hash>>, provenant_tlog::Error> {
        let (Some(first), Some(last)) = (indexes.first(), indexes.last()) else {
            return Ok(None);
        };
        let span = last.0.saturating_sub(first.0).saturating_add(1);
        if indexes.len() < SCAN_MIN
            || span > SCAN_SPAN.saturating_mul(indexes.len() as u64)
            || !indexes.windows(2).all(|w| w[0].0 < w[1].0)
        {
            return Ok(None);
        }
        let after = first.0.checked_sub(1).map(be);
        let limit = usize::try_from(span).unwrap_or(usize::MAX);
        let rows = self
            .0
            .scan(
                Table::Hashes,
                &[],
                after.as_ref().map(<[u8; 8]>::as_slice),
                limit,
            )
            .map_err(|e| provenant_tlog::Error::Storage(Box::new(e)))?;
        let mut rows = rows.into_iter();
        let mut out = Vec::with_capacity(indexes.len());
        for i in indexes {
            let want = be(i.0);
            let value = loop {
                match rows.next() {
                    Some((k, v)) if k.as_slice() == want.as_slice() => break v,
                    Some((k, _)) if k.as_slice() < want.as_slice() => {}
                    _ => return Err(missing(*i)),
                }
            };
            out.push(hash(*i, &value)?);
        }
        Ok(Some(out))
    }
}

/// Stored hashes plus those of a batch not yet written, which occupy the
/// slots from `start` on.
pub struct WithPending<'a, H: HashReader> {
    /// The committed hashes.
    pub stored: H,
    /// The first pending slot.
    pub start: u64,
    /// The pending hashes.
    pub pending: &'a [Hash],
}

impl<H: HashReader> HashReader for WithPending<'_, H> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        let old: Vec<StoredIndex> = indexes
            .iter()
            .copied()
            .filter(|i| i.0 < self.start)
            .collect();
        let mut old = self.stored.read_hashes(&old)?.into_iter();
        indexes
            .iter()
            .map(|i| {
                if i.0 < self.start {
                    old.next().ok_or_else(|| missing(*i))
                } else {
                    usize::try_from(i.0 - self.start)
                        .ok()
                        .and_then(|j| self.pending.get(j).copied())
                        .ok_or_else(|| missing(*i))
                }
            })
            .collect()
    }
}

/// Remembers every hash it has read: stored hashes never change, and the
/// receipts of one batch share most of their proof's upper hashes.
pub struct Memo<R: HashReader> {
    inner: R,
    seen: RefCell<HashMap<StoredIndex, Hash>>,
}

impl<R: HashReader> Memo<R> {
    /// A memo over `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            seen: RefCell::default(),
        }
    }
}

impl<R: HashReader> HashReader for Memo<R> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        let unseen: Vec<StoredIndex> = {
            let seen = self.seen.borrow();
            indexes
                .iter()
                .copied()
                .filter(|i| !seen.contains_key(i))
                .collect()
        };
        if !unseen.is_empty() {
            let found = self.inner.read_hashes(&unseen)?;
            self.seen.borrow_mut().extend(unseen.into_iter().zip(found));
        }
        let seen = self.seen.borrow();
        indexes
            .iter()
            .map(|i| seen.get(i).copied().ok_or_else(|| missing(*i)))
            .collect()
    }
}

/// The most hashes [`HashCache`] keeps: 32 MiB of hashes, at most twice
/// that with the vectors' spare capacity. A bound, so the server's memory
/// stays flat as the log grows.
const CACHE_HASHES: u64 = 1 << 20;

/// Stored hashes kept in memory, shared by every reader of the ledger.
///
/// A stored hash never changes once written, so any one read from the
/// store may be kept. A proof needs one hash per level, and the hashes of
/// large subtrees are in many proofs (the top ones in every proof), so the
/// cache keeps every level from the lowest one whose hashes, with all the
/// levels above, fit in [`CACHE_HASHES`]: all levels but the leaves up to
/// 1M entries, then one level fewer each time the log doubles. Lower
/// levels would only churn it. Each kept level is a vector indexed by
/// position, filled as hashes are read: a lookup is an index, not a hash.
#[derive(Default)]
pub struct HashCache {
    /// `levels[l][n]`: the hash at level `l`, position `n`, once read.
    levels: RwLock<Vec<Vec<Option<Hash>>>>,
    lowest: AtomicU8,
}

impl HashCache {
    /// A reader of `inner` through this cache.
    pub fn over<H: HashReader>(&self, inner: H) -> Cached<'_, H> {
        Cached { inner, cache: self }
    }

    /// Sizes the kept levels for a log of `size` entries, dropping the
    /// levels no longer kept.
    pub fn fit(&self, size: TreeSize) {
        let lowest = lowest_level(size.0, CACHE_HASHES);
        if self.lowest.swap(lowest, Ordering::Relaxed) < lowest {
            let mut levels = self.levels.write().unwrap_or_else(PoisonError::into_inner);
            for level in levels.iter_mut().take(usize::from(lowest)) {
                *level = Vec::new();
            }
        }
    }

    /// The bytes its vectors hold, spare capacity included.
    pub fn bytes(&self) -> u64 {
        let levels = self.levels.read().unwrap_or_else(PoisonError::into_inner);
        let slots: usize = levels.iter().map(Vec::capacity).sum();
        (slots * std::mem::size_of::<Option<Hash>>()) as u64
    }

    /// The level and position of slot `i` when it is one this cache keeps.
    fn kept(&self, i: StoredIndex) -> Option<(usize, usize)> {
        let (level, n) = split_stored_index(i);
        if level < self.lowest.load(Ordering::Relaxed).max(1) {
            return None;
        }
        Some((usize::from(level), usize::try_from(n).ok()?))
    }
}

/// The lowest level `L` such that a tree of `n` leaves has at most `cap`
/// stored hashes at levels `L` and up (about `2n / 2^L` of them), and at
/// least 1: leaf hashes are each in few proofs.
fn lowest_level(n: u64, cap: u64) -> u8 {
    let mut level = 1u8;
    while level < 63 && n.saturating_mul(2) >> level > cap {
        level += 1;
    }
    level
}

/// A [`HashReader`] that asks its [`HashCache`] first.
pub struct Cached<'a, H: HashReader> {
    inner: H,
    cache: &'a HashCache,
}

impl<H: HashReader> HashReader for Cached<'_, H> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        let places: Vec<Option<(usize, usize)>> =
            indexes.iter().map(|i| self.cache.kept(*i)).collect();
        let mut out: Vec<Option<Hash>> = {
            let levels = self
                .cache
                .levels
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            places
                .iter()
                .map(|place| {
                    let (level, n) = (*place)?;
                    *levels.get(level)?.get(n)?
                })
                .collect()
        };
        let unseen: Vec<StoredIndex> = indexes
            .iter()
            .zip(&out)
            .filter(|(_, h)| h.is_none())
            .map(|(i, _)| *i)
            .collect();
        if unseen.is_empty() {
            return Ok(out.into_iter().flatten().collect());
        }
        let mut found = self.inner.read_hashes(&unseen)?.into_iter();
        let mut keep = Vec::new();
        for ((slot, i), place) in out.iter_mut().zip(indexes).zip(&places) {
            if slot.is_none() {
                let h = found.next().ok_or_else(|| missing(*i))?;
                if let Some(place) = place {
                    keep.push((*place, h));
                }
                *slot = Some(h);
            }
        }
        // Only a miss of a kept level takes the write lock.
        if !keep.is_empty() {
            let mut levels = self
                .cache
                .levels
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let lowest = usize::from(self.cache.lowest.load(Ordering::Relaxed));
            for ((level, n), h) in keep {
                // `fit` may have dropped the level since the lookup.
                if level < lowest {
                    continue;
                }
                if levels.len() <= level {
                    levels.resize_with(level + 1, Vec::new);
                }
                let row = &mut levels[level];
                if row.len() <= n {
                    row.resize(n + 1, None);
                }
                row[n] = Some(h);
            }
        }
        indexes
            .iter()
            .zip(out)
            .map(|(i, h)| h.ok_or_else(|| missing(*i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use provenant_tlog::{LeafIndex, append, hash_leaf, prove_inclusion};

    use super::*;
    use crate::store::{Batch, MemoryStore, Store as _};

    #[test]
    fn proofs_through_the_cache_equal_proofs_from_the_store() {
        let store = MemoryStore::new();
        let n = 1_000u64;
        let leaves: Vec<Hash> = (0..n).map(|i| hash_leaf(&i.to_be_bytes())).collect();
        let hashes = append(TreeSize(0), &leaves, &StoredHashes(&store)).unwrap();
        let mut batch = Batch::default();
        for (i, h) in hashes.iter().enumerate() {
            batch.put(Table::Hashes, be(i as u64).to_vec(), h.as_bytes().to_vec());
        }
        store.write(batch).unwrap();

        let cache = HashCache::default();
        cache.fit(TreeSize(n));
        let check = |cache: &HashCache| {
            for i in (0..n).step_by(7) {
                for size in [i + 1, n / 2 + i / 2 + 1, n] {
                    let direct =
                        prove_inclusion(LeafIndex(i), TreeSize(size), &StoredHashes(&store));
                    let cached = prove_inclusion(
                        LeafIndex(i),
                        TreeSize(size),
                        &cache.over(StoredHashes(&store)),
                    );
                    assert_eq!(cached.unwrap(), direct.unwrap(), "leaf {i} at {size}");
                }
            }
        };
        check(&cache); // filling
        check(&cache); // from memory
        let levels = cache.levels.read().unwrap();
        assert!(
            levels.first().is_none_or(Vec::is_empty),
            "leaves are not kept"
        );
        assert!(levels.iter().skip(1).any(|l| l.iter().any(Option::is_some)));
        drop(levels);

        // A log so large that only the upper levels are kept.
        cache.fit(TreeSize(1 << 26));
        let lowest = usize::from(lowest_level(1 << 26, CACHE_HASHES));
        let dropped = || {
            let levels = cache.levels.read().unwrap();
            levels.iter().take(lowest).all(Vec::is_empty)
        };
        assert!(dropped());
        check(&cache);
        assert!(
            dropped(),
            "levels below the lowest kept are not filled again"
        );
    }

    #[test]
    fn kept_levels_fit_the_cache() {
        let cap = 1 << 20;
        assert_eq!(lowest_level(0, cap), 1);
        assert_eq!(lowest_level(1_000_000, cap), 1);
        assert_eq!(lowest_level(2_000_000, cap), 2);
        assert_eq!(lowest_level(10_000_000, cap), 5);
        assert_eq!(lowest_level(u64::MAX, cap), 44);
        for n in [1u64, 999, 1 << 20, 3 << 20, 1 << 30, 1 << 40] {
            let l = lowest_level(n, cap);
            // At most `cap` hashes at levels l and up: n/2^l + n/2^(l+1) + ...
            assert!((n >> l).saturating_mul(2) <= cap, "{n}: level {l}");
        }
    }
}
