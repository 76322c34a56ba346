//! The log as transparency-log clients read it: C2SP tiles and entry
//! bundles, and proofs (the checkpoint is served with its cosignatures,
//! by [`crate::witnessed`]).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use provenant_api::{
    ConsistencyAnswer, ConsistencyQuery, InclusionAnswer, InclusionQuery, LogInfo,
};
use provenant_ledger::Ledger;
use provenant_ledger::reads::BUNDLE_CHUNK;
use provenant_tlog::tile::Tile;

use crate::Problem;
use crate::path::PathText;

/// Full tiles never change: cache them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The checkpoint and partial tiles change with every batch.
pub(crate) const FRESH: &str = "no-cache";

pub(crate) fn text(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let mut r = Response::new(body.into());
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// `GET /v1/log`.
pub async fn info(State(ledger): State<Ledger>) -> Json<LogInfo> {
    let key = ledger.verifier().key();
    Json(LogInfo {
        origin: ledger.origin().to_owned(),
        verifier_key: ledger.verifier().to_text(),
        public_key: provenant_model::Identity::from_key(key)
            .map(|i| i.to_string())
            .unwrap_or_default(),
        size: ledger.head().size.0,
        arbiters: ledger.arbiters().to_vec(),
    })
}

/// `GET /tile/<L>/<N>[.p/<W>]` and `GET /tile/entries/<N>[.p/<W>]`.
///
/// # Errors
/// `400` for a path that is not a C2SP tile path, `404` for a tile the log
/// does not have.
pub async fn tile(
    State(ledger): State<Ledger>,
    PathText(path): PathText,
) -> Result<Response, Problem> {
    let tile = Tile::parse(&format!("tile/{path}"))
        .map_err(|e| Problem::bad_request("invalid-tile-path", e.to_string()).field("path"))?;
    let cache = if tile.is_full() { IMMUTABLE } else { FRESH };
    if tile.level.is_some() {
        return Ok(text(ledger.tile(&tile)?, "application/octet-stream", cache));
    }
    Ok(text(
        bundle(&ledger, &tile)?,
        "application/octet-stream",
        cache,
    ))
}

/// An entry bundle's body. One that fits one chunk is sent whole, with its
/// length; a longer one is streamed, each chunk read from the store only
/// when the connection has sent the one before, so a client that does not
/// read holds one chunk (about 512 KiB at most) and not the whole bundle
/// (up to 16 MiB).
fn bundle(ledger: &Ledger, tile: &Tile) -> Result<axum::body::Body, Problem> {
    let mut chunks = ledger.entry_bundle(tile)?;
    // The first chunk is read here, so that a store error is a problem
    // answer rather than a torn body.
    let first = chunks.next().transpose()?.unwrap_or_default();
    if u64::from(tile.width) <= BUNDLE_CHUNK {
        return Ok(first.into());
    }
    let chunks = std::iter::once(Ok(first)).chain(chunks);
    Ok(axum::body::Body::from_stream(futures_util::stream::iter(
        chunks.inspect(|chunk| {
            if let Err(e) = chunk {
                tracing::error!(error = %e, "an entry bundle ended early");
            }
        }),
    )))
}

/// `GET /v1/proofs/inclusion?index=|leaf_hash=&tree_size=`.
///
/// # Errors
/// `400` without exactly one of `index` and `leaf_hash`, or for sizes
/// beyond the log; `404` for an unknown leaf hash.
pub async fn inclusion(
    State(ledger): State<Ledger>,
    query: Result<Query<InclusionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<InclusionAnswer>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let index = match (q.index, q.leaf_hash) {
        (Some(i), None) => i,
        (None, Some(h)) => ledger.index_of(&h)?,
        _ => {
            return Err(Problem::bad_request(
                "invalid-query",
                "give exactly one of index and leaf_hash",
            ));
        }
    };
    let (size, proof) = ledger.inclusion_proof(index, q.tree_size)?;
    Ok(Json(InclusionAnswer {
        index,
        tree_size: size.0,
        inclusion_proof: proof,
    }))
}

/// `GET /v1/proofs/consistency?from=&to=`.
///
/// # Errors
/// `400` for sizes out of order, zero, or beyond the log.
pub async fn consistency(
    State(ledger): State<Ledger>,
    query: Result<Query<ConsistencyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ConsistencyAnswer>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let (to, proof) = ledger.consistency_proof(q.from, q.to)?;
    Ok(Json(ConsistencyAnswer {
        from: q.from,
        to: to.0,
        consistency_proof: proof,
    }))
}
