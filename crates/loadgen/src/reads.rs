//! The read mix: what brands and auditors ask, spread over a filled log.
//! Choices come from a hash of the request number, so no generator state
//! is shared between tasks.

use std::sync::Arc;

use bytes::Bytes;
use provenant_api::routes::{
    CheckLicense, GetDesign, GetTile, Health, ProveInclusion, design_path, tile_path,
};
use provenant_api::{Endpoint as _, InclusionQuery};
use provenant_model::{Action, LicenseQuery};
use provenant_tlog::tile::Tile;

use crate::drive::Call;
use crate::prepare::{self, parsed};

/// What to ask.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// `POST /v1/licenses/check` for a random design and brand.
    Checks,
    /// `GET /v1/designs/{id}` for a random design.
    Designs,
    /// `GET /v1/proofs/inclusion` for a random entry at the current size.
    Proofs,
    /// `GET /tile/0/<N>` for a random full tile.
    Tiles,
    /// 40% checks, 30% designs, 20% proofs, 10% tiles.
    Mix,
    /// `GET /healthz`: the HTTP stack alone, the ceiling of any read here.
    Health,
}

/// `SplitMix64`: a well-spread hash of the request number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A pool of prepared bodies or paths, so preparing them is not measured.
const POOL: u64 = 4096;

/// `count` calls of `kind` against `designs` designs of `tag` in a log of
/// `size` entries.
pub fn calls(
    kind: Kind,
    tag: &str,
    designs: u64,
    size: u64,
    count: u64,
) -> Arc<dyn Fn(u64) -> Option<Call> + Send + Sync> {
    let designs = designs.max(1);
    let ids: Vec<_> = (0..POOL.min(designs))
        .map(|k| prepare::design_id(tag, mix(k) % designs))
        .collect();
    let paths: Vec<String> = ids.iter().map(design_path).collect();
    let checks: Vec<Bytes> = ids
        .iter()
        .enumerate()
        .map(|(k, design)| {
            let query = LicenseQuery {
                design: *design,
                licensee: prepare::id(&prepare::brand(tag, k as u64 % 8)),
                action: Action::Commercial,
                territory: parsed("FR"),
                channel: parsed("retail"),
                category: parsed("accessories"),
                date: parsed("2026-06-01T00:00:00Z"),
                quantity: 1,
            };
            Bytes::from(serde_json::to_vec(&query).unwrap_or_default())
        })
        .collect();
    let full_tiles = (size / 256).max(1);
    Arc::new(move |i| {
        if i >= count {
            return None;
        }
        let r = mix(i ^ 0x5eed);
        let which = match kind {
            Kind::Mix => match r % 10 {
                0..4 => Kind::Checks,
                4..7 => Kind::Designs,
                7..9 => Kind::Proofs,
                _ => Kind::Tiles,
            },
            other => other,
        };
        let pick = usize::try_from((r >> 8) % ids.len() as u64).unwrap_or(0);
        Some(match which {
            Kind::Checks => Call::to::<CheckLicense>(
                CheckLicense::ROUTE.path.to_owned(),
                Some(checks[pick].clone()),
            ),
            Kind::Designs => Call::to::<GetDesign>(paths[pick].clone(), None),
            Kind::Proofs => Call::query::<ProveInclusion>(&InclusionQuery {
                index: Some((r >> 8) % size.max(1)),
                leaf_hash: None,
                tree_size: Some(size),
            }),
            Kind::Health => Call::to::<Health>(Health::ROUTE.path.to_owned(), None),
            Kind::Tiles | Kind::Mix => {
                let path = Tile::hashes(0, (r >> 8) % full_tiles, 256)
                    .map(|t| tile_path(&t))
                    .unwrap_or_default();
                Call::to::<GetTile>(path, None)
            }
        })
    })
}
