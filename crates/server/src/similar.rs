//! Near-duplicates: `GET /v1/designs/{id}/similar`, and the flags a
//! registration's receipt, an identify answer and a design's report carry.
//!
//! Every list here is advisory: the ledger's index of image codes finds the
//! designs, no proof covers the list, and a near-duplicate never blocks a
//! registration.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use provenant_api::{Similar, SimilarQuery};
use provenant_ledger::Ledger;
use provenant_model::iscc::MAX_DISTANCE;
use provenant_model::{DesignId, Envelope, ImageCode, NearDuplicate, Payload, Receipt};

use crate::Problem;
use crate::path::PathText;

/// The near-duplicate distance unless the operator chose another.
pub const DEFAULT_NEAR_DISTANCE: u32 = provenant_model::iscc::DEFAULT_DISTANCE;

/// The server's near-duplicate distance, given to handlers as a request
/// extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NearDistance(pub u32);

impl Default for NearDistance {
    fn default() -> Self {
        NearDistance(DEFAULT_NEAR_DISTANCE)
    }
}

/// The image code and design id of a registration that has one.
#[must_use]
pub fn registered_code(envelope: &Envelope) -> Option<(ImageCode, DesignId)> {
    match envelope.payload() {
        Payload::DesignRegister(p) => p.content.iscc.map(|code| (code, p.content.blake3)),
        _ => None,
    }
}

/// Flags on `receipt` the designs registered before it that look like
/// the registration it proves. The entry is logged whatever happens here:
/// a search that fails leaves the flag out (and is logged), it never turns
/// an acknowledged write into an error.
pub fn flag_receipt(
    ledger: &Ledger,
    NearDistance(distance): NearDistance,
    (code, design): (ImageCode, DesignId),
    receipt: &mut Receipt,
) {
    match ledger.near_duplicates(code, distance, Some(&design), Some(receipt.index)) {
        Ok(found) => receipt.near_duplicates = found.designs,
        Err(e) => tracing::warn!(error = %e, "a near-duplicate search after a registration"),
    }
}

/// Designs other than `design` whose code is near `code`, only those
/// registered before entry `before` when given.
///
/// # Errors
/// Store errors.
pub fn near(
    ledger: &Ledger,
    NearDistance(distance): NearDistance,
    code: ImageCode,
    design: &DesignId,
    before: Option<u64>,
) -> Result<Vec<NearDuplicate>, Problem> {
    Ok(ledger
        .near_duplicates(code, distance, Some(design), before)?
        .designs)
}

/// `GET /v1/designs/{id}/similar?distance=N`: every registered design
/// (before or after this one) whose image code is within `N` bits of this
/// design's (the server's distance by default, at most 12).
///
/// # Errors
/// `400` for a malformed id or query, `404` for an unknown design, `422
/// no-image-code` for a design registered without an image code.
pub async fn similar(
    State(ledger): State<Ledger>,
    Extension(NearDistance(default)): Extension<NearDistance>,
    PathText(text): PathText,
    query: Result<Query<SimilarQuery>, QueryRejection>,
) -> Result<Json<Similar>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let distance = q.distance.unwrap_or(default);
    if distance > MAX_DISTANCE {
        return Err(Problem::bad_request(
            "distance-too-large",
            format!("a near-duplicate search reaches at most {MAX_DISTANCE} bits, not {distance}"),
        )
        .field("distance"));
    }
    let design: DesignId = crate::queries::id(&text, "design")?;
    let report = crate::queries::registered(&ledger, &design)?;
    let Some(iscc) = report.answer.details.content.iscc else {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-image-code",
            "No image code",
            format!(
                "design {design} was registered without an ISCC image code (it is not an \
                 image, or its registration predates codes): it has no near-duplicates to find"
            ),
        ));
    };
    let found = ledger.near_duplicates(iscc, distance, Some(&design), None)?;
    Ok(Json(Similar {
        design,
        iscc,
        distance,
        near_duplicates: found.designs,
        partial: found.partial,
    }))
}
