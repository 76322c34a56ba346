//! Which objects a step of the log from one size to another adds, and
//! which partial tiles it makes obsolete. Pure arithmetic on tile widths.

use provenant_tlog::TreeSize;
use provenant_tlog::tile::{MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH, Tile};

/// The levels a tree of `size` has tiles at: entry bundles (`None`), then
/// hash tile levels from 0 up to the highest with a hash.
fn levels(size: TreeSize) -> impl Iterator<Item = Option<u8>> {
    std::iter::once(None).chain(
        (0..=MAX_TILE_LEVEL)
            .take_while(move |l| size.0 >> (u32::from(*l) * u32::from(TILE_HEIGHT)) > 0)
            .map(Some),
    )
}

/// The index of the first tile at `level` that may differ between `old`
/// and a larger tree: the one holding the first position `old` lacks.
fn first_changed(level: Option<u8>, old: TreeSize) -> u64 {
    let shift = u32::from(level.unwrap_or(0)) * u32::from(TILE_HEIGHT);
    (old.0 >> shift) / TILE_WIDTH
}

/// Every tile and entry bundle of the tree of `new` that the tree of `old`
/// (a prefix of it) lacks or has narrower: full tiles and the partial ones
/// at the right edge.
#[must_use]
pub fn to_write(old: TreeSize, new: TreeSize) -> Vec<Tile> {
    let mut out = Vec::new();
    if new <= old {
        return out;
    }
    for level in levels(new) {
        let mut index = first_changed(level, old);
        while let Some(width) = Tile::width_at(level, index, new) {
            if Tile::width_at(level, index, old) != Some(width) {
                let tile = match level {
                    Some(l) => Tile::hashes(l, index, width),
                    None => Tile::entries(index, width),
                };
                // Widths come from `width_at`, always 1..=256.
                if let Ok(tile) = tile {
                    out.push(tile);
                }
            }
            index += 1;
        }
    }
    out
}

/// The full tiles of the tree of `new` that were partial (or absent) in
/// the tree of `old`: their partial versions are obsolete once these are
/// written.
#[must_use]
pub fn completed(old: TreeSize, new: TreeSize) -> Vec<Tile> {
    to_write(old, new)
        .into_iter()
        .filter(Tile::is_full)
        .collect()
}

/// The key prefix under which `full`'s partial versions live
/// (`tile/0/x001/234.p` holds `tile/0/x001/234.p/17`, ...).
#[must_use]
pub fn partials_prefix(full: &Tile) -> String {
    format!("{}.p", full.path())
}

/// The key prefix of every tile at `level` (`None`: entry bundles).
#[must_use]
pub fn level_prefix(level: Option<u8>) -> String {
    match level {
        Some(l) => format!("tile/{l}"),
        None => "tile/entries".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(tiles: &[Tile]) -> Vec<String> {
        tiles.iter().map(Tile::path).collect()
    }

    #[test]
    fn a_first_step_writes_every_tile_of_the_tree() {
        assert_eq!(
            paths(&to_write(TreeSize(0), TreeSize(300))),
            [
                "tile/entries/000",
                "tile/entries/001.p/44",
                "tile/0/000",
                "tile/0/001.p/44",
                "tile/1/000.p/1",
            ]
        );
    }

    #[test]
    fn a_step_writes_only_what_grew() {
        // 300 -> 301: the right-edge bundle and level-0 tile grow; the
        // level-1 tile (one hash until 512) does not.
        assert_eq!(
            paths(&to_write(TreeSize(300), TreeSize(301))),
            ["tile/entries/001.p/45", "tile/0/001.p/45"]
        );
        assert!(to_write(TreeSize(301), TreeSize(301)).is_empty());
        assert!(to_write(TreeSize(301), TreeSize(300)).is_empty());
    }

    #[test]
    fn completing_a_tile_makes_its_partials_obsolete() {
        let done = completed(TreeSize(300), TreeSize(512));
        assert_eq!(paths(&done), ["tile/entries/001", "tile/0/001"]);
        assert_eq!(partials_prefix(&done[1]), "tile/0/001.p");
        // Nothing completes within a tile.
        assert!(completed(TreeSize(300), TreeSize(400)).is_empty());
    }

    #[test]
    fn every_step_covers_every_tile_the_new_tree_has() {
        // Any split of the log's growth into steps writes, in total, each
        // tile of the final tree at its final width exactly once.
        let sizes = [
            0u64, 1, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000,
        ];
        for pair in sizes.windows(2) {
            let (old, new) = (TreeSize(pair[0]), TreeSize(pair[1]));
            for tile in to_write(old, new) {
                assert_eq!(
                    Tile::width_at(tile.level, tile.index, new),
                    Some(tile.width)
                );
                assert_ne!(
                    Tile::width_at(tile.level, tile.index, old),
                    Some(tile.width)
                );
            }
        }
        let all = to_write(TreeSize(0), TreeSize(65_537));
        assert!(paths(&all).contains(&"tile/2/000.p/1".to_owned()));
        assert!(paths(&all).contains(&"tile/1/000".to_owned()));
    }
}
