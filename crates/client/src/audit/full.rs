//! The full audit: every entry downloaded, the tree recomputed, every hash
//! tile compared, every entry re-applied through the model, and the state
//! map rebuilt alongside, so that every `state.commit` is checked against
//! the root the replay computes (a mismatch names the commit entry).

use provenant_model::{Entry, Identity, Replay, RuleError, Timestamp};
use provenant_tlog::tile::{TILE_HEIGHT, TILE_WIDTH, Tile, parse_bundle};
use provenant_tlog::{Checkpoint, HASH_SIZE, Hash, TreeSize, append, hash_leaf, tree_hash};

use provenant_api::routes::tile_path;

use super::{Finding, Progress, StateDir};
use crate::Client;

/// What a full audit checked.
pub(super) struct Checked {
    pub entries: u64,
    pub tiles: u64,
}

fn malformed(what: impl std::fmt::Display) -> Finding {
    Finding::Malformed(what.to_string())
}

/// Checks every entry of the log at `checkpoint`.
pub(super) fn check(
    client: &Client,
    dir: &StateDir,
    checkpoint: &Checkpoint,
    arbiters: &[Identity],
    log_key: Identity,
    progress: Progress<'_>,
) -> Result<Checked, Finding> {
    let size = checkpoint.size;
    let mut tree: Vec<Hash> = Vec::new();
    let mut state = Replay::new(arbiters.to_vec(), log_key);
    // The first rule broken; reported after the tree, which says whether
    // the entry itself was altered.
    let mut broken: Option<Finding> = None;
    let mut last_time: Option<Timestamp> = None;
    let mut leaves = 0u64;
    let mut bundle_index = 0u64;
    while leaves < size.0 {
        let width = Tile::width_at(None, bundle_index, size)
            .ok_or_else(|| malformed("entry bundle arithmetic"))?;
        let bytes = bundle(client, dir, bundle_index, width)?;
        // A bundle that does not parse is a finding: the run's cached
        // bundles are dropped with it (see `super::run`).
        let entries = parse_bundle(&bytes, width)
            .map_err(|e| malformed(format!("entry bundle {bundle_index}: {e}")))?;
        let hashes: Vec<Hash> = entries.iter().map(|e| hash_leaf(e)).collect();
        let stored = append(TreeSize(leaves), &hashes, &tree).map_err(malformed)?;
        tree.extend(stored);
        for entry in entries {
            if broken.is_none() {
                broken = replay(entry, leaves, &mut state, &mut last_time);
            }
            leaves += 1;
        }
        progress(leaves, size.0);
        bundle_index += 1;
    }

    let computed = tree_hash(size, &tree).map_err(malformed)?;
    let compared = compare_tiles(client, &tree, size)?;
    if computed != checkpoint.root {
        // The signed tree holds other leaves than these entries: the first
        // leaf the server's tiles hold that differs is the altered entry.
        return Err(match compared {
            Err(Mismatch {
                level: 0, first, ..
            }) => Finding::EntryAltered { index: first },
            _ => Finding::RootMismatch {
                computed,
                claimed: checkpoint.root,
            },
        });
    }
    // The entries are the signed ones; a tile that differs was altered.
    let tiles = compared.map_err(|m| Finding::TileAltered { path: m.path })?;
    if let Some(finding) = broken {
        return Err(finding);
    }
    dir.clear_bundles()?;
    Ok(Checked {
        entries: leaves,
        tiles,
    })
}

/// The first served hash tile that differs from the recomputed tree.
struct Mismatch {
    level: u8,
    path: String,
    /// The position of the first differing hash at that level.
    first: u64,
}

/// Re-applies entry `index` to `state`: what it breaks, if anything. The
/// log's clock must not go backwards either, since the rules compare
/// `logged_at` with grants' windows.
fn replay(
    bytes: &[u8],
    index: u64,
    state: &mut Replay,
    last_time: &mut Option<Timestamp>,
) -> Option<Finding> {
    let rule = |e: RuleError| Finding::Rule {
        index,
        code: e.code(),
        detail: e.to_string(),
    };
    let entry = match Entry::from_leaf_bytes(bytes) {
        Ok(entry) => entry,
        Err(e) => return Some(rule(e)),
    };
    if let Some(last) = *last_time
        && entry.logged_at < last
    {
        return Some(Finding::Rule {
            index,
            code: "time-goes-backwards",
            detail: format!(
                "logged at {}, before the previous entry ({last})",
                entry.logged_at
            ),
        });
    }
    *last_time = Some(entry.logged_at);
    state.apply(&entry).err().map(rule)
}

/// Entry bundle `index` of `width` entries: from the cache when full and
/// cached, else downloaded (and cached when full).
fn bundle(client: &Client, dir: &StateDir, index: u64, width: u16) -> Result<Vec<u8>, Finding> {
    let full = u64::from(width) == TILE_WIDTH;
    if full && let Some(bytes) = dir.bundle(index)? {
        return Ok(bytes);
    }
    let tile = Tile::entries(index, width).map_err(malformed)?;
    let bytes = client
        .tile(&tile)?
        .ok_or_else(|| malformed(format!("the log does not serve {}", tile.path())))?;
    if full {
        dir.set_bundle(index, &bytes)?;
    }
    Ok(bytes)
}

/// Compares every hash tile the server serves for `size` with the tree
/// recomputed from the entries: the number compared, or the first that
/// differs.
fn compare_tiles(
    client: &Client,
    tree: &Vec<Hash>,
    size: TreeSize,
) -> Result<Result<u64, Mismatch>, Finding> {
    let mut compared = 0;
    for level in 0..=provenant_tlog::tile::MAX_TILE_LEVEL {
        if size.0 >> (u32::from(level) * u32::from(TILE_HEIGHT)) == 0 {
            break;
        }
        let mut index = 0;
        while let Some(width) = Tile::width_at(Some(level), index, size) {
            let tile = Tile::hashes(level, index, width).map_err(malformed)?;
            let ours = tile.read(tree).map_err(malformed)?;
            let theirs = client.tile(&tile)?.unwrap_or_default();
            if theirs != ours {
                let within = ours
                    .chunks(HASH_SIZE)
                    .zip(theirs.chunks(HASH_SIZE))
                    .position(|(a, b)| a != b)
                    .unwrap_or(ours.len().min(theirs.len()) / HASH_SIZE);
                return Ok(Err(Mismatch {
                    level,
                    path: tile_path(&tile),
                    first: index * TILE_WIDTH + within as u64,
                }));
            }
            compared += 1;
            index += 1;
        }
    }
    Ok(Ok(compared))
}
