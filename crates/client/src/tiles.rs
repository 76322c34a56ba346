//! Proofs computed from a log's published tiles alone (a bucket, a CDN, a
//! static directory), where no server answers `/v1/proofs/...`.
//!
//! A stored hash at Merkle level `8L + k` is the root of `2^k` adjacent
//! hashes of the level-`L` tile that holds them; [`TileHashes`] fetches
//! that tile (at its width in the tree being read) and folds them. Nothing
//! fetched is trusted: a proof built from altered tiles does not verify
//! against the signed roots.

use std::cell::RefCell;
use std::collections::HashMap;

use provenant_tlog::tile::{TILE_HEIGHT, TILE_WIDTH, Tile};
use provenant_tlog::{
    Checkpoint, Error, HASH_SIZE, Hash, HashReader, StoredIndex, TreeSize, prove_consistency,
    root_of, split_stored_index,
};

use crate::Client;

/// The stored hashes of the tree of `size`, read from the tiles `client`
/// serves at its base URL; each tile fetched once.
pub struct TileHashes<'a> {
    client: &'a Client,
    size: TreeSize,
    tiles: RefCell<HashMap<(u8, u64), Vec<u8>>>,
}

impl<'a> TileHashes<'a> {
    /// A reader of the tree of `size` at `client`'s tiles.
    #[must_use]
    pub fn new(client: &'a Client, size: TreeSize) -> Self {
        Self {
            client,
            size,
            tiles: RefCell::new(HashMap::new()),
        }
    }

    /// The hash at Merkle `level`, position `n`.
    fn hash(&self, level: u8, n: u64) -> Result<Hash, Error> {
        let storage = |what: String| Error::Storage(what.into());
        let tile_level = level / TILE_HEIGHT;
        let below = u32::from(level % TILE_HEIGHT);
        let first = n
            .checked_shl(below)
            .ok_or_else(|| storage(format!("hash {n} at level {level} is beyond any tree")))?;
        let (index, start) = (first / TILE_WIDTH, first % TILE_WIDTH);
        let count = 1u64 << below;
        let width = Tile::width_at(Some(tile_level), index, self.size)
            .filter(|w| u64::from(*w) >= start + count)
            .ok_or_else(|| {
                storage(format!(
                    "hash {n} at level {level} is not in the tree of {}",
                    self.size.0
                ))
            })?;
        let mut tiles = self.tiles.borrow_mut();
        let bytes = match tiles.entry((tile_level, index)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let tile = Tile::hashes(tile_level, index, width)?;
                let bytes = self
                    .client
                    .tile(&tile)
                    .map_err(|e| storage(format!("{}: {e}", tile.path())))?
                    .ok_or_else(|| storage(format!("{} is not served", tile.path())))?;
                if bytes.len() != usize::from(width) * HASH_SIZE {
                    return Err(storage(format!(
                        "{} has {} bytes",
                        tile.path(),
                        bytes.len()
                    )));
                }
                e.insert(bytes)
            }
        };
        // In range: `start + count <= width`, checked above.
        // The 2^k hashes are a complete subtree: their Merkle root is the
        // hash at `level`.
        let hashes: Vec<Hash> = bytes[usize::try_from(start).unwrap_or(usize::MAX) * HASH_SIZE..]
            .chunks(HASH_SIZE)
            .take(usize::try_from(count).unwrap_or(usize::MAX))
            .map(Hash::from_slice)
            .collect::<Result<_, _>>()?;
        Ok(root_of(&hashes))
    }
}

impl HashReader for TileHashes<'_> {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, Error> {
        indexes
            .iter()
            .map(|i| {
                let (level, n) = split_stored_index(*i);
                self.hash(level, n)
            })
            .collect()
    }
}

/// The consistency proof from `old` to `new` computed from `new`'s tiles
/// at `client`; `None` when none is needed (see
/// [`provenant_api::verify::consistency_needed`]).
///
/// # Errors
/// A tile that cannot be fetched or is malformed
/// ([`Error::Storage`]).
pub fn extension_proof(
    client: &Client,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<Option<Vec<Hash>>, Error> {
    if !provenant_api::verify::consistency_needed(old, new) {
        return Ok(None);
    }
    let reader = TileHashes::new(client, new.size);
    prove_consistency(old.size, new.size, &reader).map(Some)
}
