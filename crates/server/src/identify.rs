//! `POST /v1/designs/identify`: is this file registered, and by whom?
//!
//! The upload is hashed as it streams in (BLAKE3 and SHA-256 in one pass),
//! never held whole, and bounded by its own limit, apart from the JSON
//! body limit.

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use futures_util::StreamExt as _;
use provenant_api::Identified;
use provenant_ledger::Ledger;
use provenant_model::ContentHasher;

use crate::Problem;

/// The upload limit, given to the handler as a request extension.
#[derive(Clone, Copy, Debug)]
pub struct UploadLimit(pub u64);

/// The handler, for uploads of at most the [`UploadLimit`].
///
/// # Errors
/// `413` past the upload limit, `400` for a broken upload.
pub async fn identify(
    State(ledger): State<Ledger>,
    Extension(UploadLimit(max_bytes)): Extension<UploadLimit>,
    body: Body,
) -> Result<Json<Identified>, Problem> {
    let mut hasher = ContentHasher::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if crate::body::timed_out(&e) {
                crate::body::too_slow()
            } else {
                Problem::bad_request("upload-failed", e.to_string())
            }
        })?;
        hasher
            .update(&chunk)
            .map_err(|e| Problem::bad_request("upload-failed", e.to_string()))?;
        if hasher.size() > max_bytes {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "upload-too-large",
                "Upload too large",
                format!("uploads are at most {max_bytes} bytes"),
            ));
        }
    }
    let content = hasher.finish();
    let (design, absence) = match ledger.identify(&content.blake3)? {
        Ok(d) => (Some(d), None),
        Err(absent) => (None, Some(absent)),
    };
    Ok(Json(Identified {
        blake3: content.blake3,
        sha256: content.sha256,
        size: content.size,
        registered: design.is_some(),
        design,
        absence,
    }))
}
