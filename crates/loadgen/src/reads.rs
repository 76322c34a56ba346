//! The read mix: what brands and auditors ask, spread over a filled log.
//! Choices come from a hash of the request number, so no generator state
//! is shared between tasks.

use std::sync::Arc;

use bytes::Bytes;
use hyper::Method;
use provenant_tlog::tile::Tile;

use crate::drive::Call;
use crate::prepare;

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
    let ids: Vec<String> = (0..POOL.min(designs))
        .map(|k| prepare::design_id(tag, mix(k) % designs))
        .collect();
    let checks: Vec<Bytes> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let brand = prepare::brand(tag, k as u64 % 8);
            let licensee = provenant_model::identity_of(&brand)
                .map(|i| i.to_string())
                .unwrap_or_default();
            Bytes::from(
                serde_json::json!({"design": id, "licensee": licensee, "action": "commercial",
                    "territory": "FR", "channel": "retail", "category": "accessories",
                    "date": "2026-06-01T00:00:00Z", "quantity": 1})
                .to_string(),
            )
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
            Kind::Checks => Call {
                method: Method::POST,
                path: "/v1/licenses/check".to_owned(),
                body: Some(checks[pick].clone()),
            },
            Kind::Designs => get(format!("/v1/designs/{}", ids[pick])),
            Kind::Proofs => get(format!(
                "/v1/proofs/inclusion?index={}&tree_size={size}",
                (r >> 8) % size.max(1)
            )),
            Kind::Health => get("/healthz".to_owned()),
            Kind::Tiles | Kind::Mix => {
                let path = Tile::hashes(0, (r >> 8) % full_tiles, 256)
                    .map(|t| t.path())
                    .unwrap_or_default();
                get(format!("/{path}"))
            }
        })
    })
}

fn get(path: String) -> Call {
    Call {
        method: Method::GET,
        path,
        body: None,
    }
}
