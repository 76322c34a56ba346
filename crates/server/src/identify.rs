//! `POST /v1/designs/identify`: is this file registered, and by whom?
//!
//! The upload is hashed as it streams in (BLAKE3 and SHA-256 in one pass),
//! and bounded by its own limit, apart from the JSON body limit. An upload
//! that begins like an image (PNG, JPEG, WebP, GIF) of at most
//! [`FINGERPRINT_BYTES`] is also kept whole, to compute its ISCC
//! Image-Code on the compute pool and flag registered near-duplicates; at
//! most [`KEPT_AT_ONCE`] uploads are kept at a time (the others are
//! identified by their hashes alone), and nothing else is held.

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use futures_util::StreamExt as _;
use provenant_api::Identified;
use provenant_ledger::Ledger;
use provenant_model::{ContentHasher, ImageCode};
use tokio::sync::Semaphore;

use crate::similar::NearDistance;
use crate::{ComputePool, Problem};

/// The largest upload whose image code is computed, in bytes: larger
/// uploads are identified by their hashes alone.
pub const FINGERPRINT_BYTES: u64 = 64 << 20;

/// Uploads kept whole at once for their image codes, all clients together:
/// what identify may hold is bounded (4 x 64 MiB), however many clients
/// send images at the same time.
pub const KEPT_AT_ONCE: usize = 4;

static KEEPING: Semaphore = Semaphore::const_new(KEPT_AT_ONCE);

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
    Extension(near): Extension<NearDistance>,
    Extension(pool): Extension<ComputePool>,
    body: Body,
) -> Result<Json<Identified>, Problem> {
    let mut hasher = ContentHasher::new();
    // The upload while it may be an image worth coding: `None` once it is
    // not (its first bytes say otherwise) or grows past the bound, or from
    // the start when [`KEPT_AT_ONCE`] others are being kept.
    let keeping = KEEPING.try_acquire().ok();
    let mut kept: Option<Vec<u8>> = keeping.as_ref().map(|_| Vec::new());
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
        kept = kept
            .take()
            .filter(|_| hasher.size() <= FINGERPRINT_BYTES)
            .and_then(|mut bytes| {
                bytes.extend_from_slice(&chunk);
                // Sixteen bytes tell every format apart.
                (bytes.len() < 16 || provenant_similar::looks_like_image(&bytes)).then_some(bytes)
            });
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
    let iscc = match kept.filter(|bytes| provenant_similar::looks_like_image(bytes)) {
        Some(bytes) => image_code(&pool, bytes).await?,
        None => None,
    };
    drop(keeping);
    let (design, absence) = match ledger.identify(&content.blake3)? {
        Ok(d) => (Some(d), None),
        Err(absent) => (None, Some(absent)),
    };
    let near_duplicates = match iscc {
        Some(code) => crate::similar::near(&ledger, near, code, &content.blake3, None)?,
        None => Vec::new(),
    };
    Ok(Json(Identified {
        blake3: content.blake3,
        sha256: content.sha256,
        size: content.size,
        iscc,
        near_duplicates,
        registered: design.is_some(),
        design,
        absence,
    }))
}

/// The image code of an upload, computed on the compute pool; `None` for
/// an image that does not decode or is too large (it is still identified
/// by its hashes).
async fn image_code(pool: &ComputePool, bytes: Vec<u8>) -> Result<Option<ImageCode>, Problem> {
    let coded = pool
        .run(move |_| provenant_similar::image_code(&bytes))
        .await?;
    Ok(coded
        .inspect_err(|e| tracing::debug!(error = %e, "an upload has no image code"))
        .ok())
}
