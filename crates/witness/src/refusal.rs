//! Every way `add-checkpoint` can refuse, with the status the spec gives it.
//!
//! The witness protocol's answers are its own, not RFC 9457 problems: a
//! plain-text reason, except `409`, whose body is the witness's size for
//! the log as `<decimal>\n` with `Content-Type: text/x.tlog.size`. The
//! status comes from one exhaustive match, so a new refusal does not
//! compile until it has one.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provenant_tlog::TreeSize;

use crate::replay::ReplayError;
use crate::request::Malformed;
use crate::store::StoreError;

/// The media type of a `409` answer's body.
pub const SIZE_MEDIA_TYPE: &str = "text/x.tlog.size";

/// Why a checkpoint was not cosigned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The body does not follow the spec's layout.
    #[error("malformed request: {0}")]
    Malformed(#[from] Malformed),
    /// The old size is larger than the checkpoint's.
    #[error("old size {old} is larger than the checkpoint's size {size}")]
    OldBeyondSize {
        /// The old size sent.
        old: TreeSize,
        /// The checkpoint's size.
        size: TreeSize,
    },
    /// The witness follows no log of this origin.
    #[error("unknown log {origin:?}")]
    UnknownLog {
        /// The checkpoint's origin.
        origin: String,
    },
    /// No trusted key of the log signed, or one's signature fails.
    #[error("invalid signature: {0}")]
    Signature(#[source] provenant_tlog::Error),
    /// The old size is not the size the witness last cosigned.
    #[error("old size does not match the witness's size {known}")]
    Conflict {
        /// The size of the witness's latest cosigned checkpoint (0: none).
        known: TreeSize,
    },
    /// A checkpoint of size zero with another root than the empty tree's.
    #[error("a checkpoint of size 0 must have the empty tree's root hash")]
    EmptyTreeRoot,
    /// Proof lines with an old size of zero.
    #[error("a consistency proof from size 0 must be empty")]
    ProofFromEmpty,
    /// The consistency proof does not verify from the witness's checkpoint.
    #[error("bad consistency proof: {0}")]
    Inconsistent(#[source] provenant_tlog::Error),
    /// The same size as the witness's checkpoint, with another root.
    #[error("same size as the cosigned checkpoint with another root hash")]
    OtherRoot,
    /// `--replay`: the log's entries up to the checkpoint do not replay.
    #[error("{0}")]
    Replay(#[from] ReplayError),
    /// The state could not be made durable; nothing was cosigned.
    #[error("the witness could not store its state")]
    Storage(#[source] StoreError),
    /// The cosignature could not be made; nothing was stored.
    #[error("the witness could not cosign")]
    Cosign(#[source] provenant_tlog::Error),
}

impl Refusal {
    /// The HTTP status of the answer.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Malformed(_) | Refusal::OldBeyondSize { .. } => StatusCode::BAD_REQUEST,
            Refusal::UnknownLog { .. } => StatusCode::NOT_FOUND,
            Refusal::Signature(_) => StatusCode::FORBIDDEN,
            Refusal::Conflict { .. } => StatusCode::CONFLICT,
            Refusal::EmptyTreeRoot
            | Refusal::ProofFromEmpty
            | Refusal::Inconsistent(_)
            | Refusal::OtherRoot => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Replay(e) => e.status(),
            Refusal::Storage(_) | Refusal::Cosign(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the refusal is evidence that the log misbehaved: its key
    /// signed a checkpoint that is not an extension of one the witness
    /// cosigned (or, with `--replay`, one over entries that break a rule).
    #[must_use]
    pub fn is_evidence(&self) -> bool {
        self.status() == StatusCode::UNPROCESSABLE_ENTITY
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Refusal::Conflict { known } => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(SIZE_MEDIA_TYPE),
                )],
                format!("{known}\n"),
            )
                .into_response(),
            // The text of an internal error names no file: the cause stays
            // in the witness's log.
            other => (status, format!("{other}\n")).into_response(),
        }
    }
}
