//! The witness's HTTP interface (C2SP tlog-witness), with the submission
//! and monitoring prefixes both at the router's root:
//!
//! | route | answer |
//! |---|---|
//! | `POST /add-checkpoint` | `200` the cosignature line; or a [`Refusal`] status |
//! | `GET /<origin hash>/checkpoint` | `200` the latest cosigned checkpoint with the log's signatures and the witness's cosignature; `404` when none |
//!
//! The origin hash is the lower-case hex SHA-256 of the log's origin. To
//! serve under another prefix, nest the router
//! (`Router::new().nest("/prefix", app(witness))`).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::{Refusal, Witness};

/// The largest `add-checkpoint` body: 63 proof lines and a checkpoint with
/// 64 signature lines fit in far less.
pub const MAX_BODY_BYTES: usize = 64 << 10;

/// The witness's router.
pub fn app(witness: Witness) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/{origin_hash}/checkpoint", get(checkpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(witness)
}

async fn add_checkpoint(State(witness): State<Witness>, body: Bytes) -> Response {
    // The system clock, never 0: a cosignature must carry its time.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_secs().max(1));
    let worker = witness.clone();
    let request = body.clone();
    let answer = tokio::task::spawn_blocking(move || worker.add_checkpoint(&request, now)).await;
    match answer {
        Ok(Ok(cosignature)) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            cosignature,
        )
            .into_response(),
        Ok(Err(refusal)) => {
            log(&refusal, &body);
            refusal.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "add-checkpoint task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A refusal over a validly signed checkpoint is kept in the log as
/// evidence (the spec allows it): the log's key signed something that does
/// not extend what the witness cosigned.
fn log(refusal: &Refusal, body: &[u8]) {
    if refusal.is_evidence() {
        tracing::warn!(
            reason = %refusal,
            request = %String::from_utf8_lossy(body),
            "refused a checkpoint its log signed"
        );
    } else if refusal.status().is_server_error() {
        tracing::error!(error = ?refusal, "add-checkpoint failed");
    } else {
        tracing::debug!(status = %refusal.status(), reason = %refusal, "add-checkpoint refused");
    }
}

async fn checkpoint(State(witness): State<Witness>, Path(origin_hash): Path<String>) -> Response {
    match witness.checkpoint(&origin_hash) {
        Some(note) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            note.to_string(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "no cosigned checkpoint for this log\n",
        )
            .into_response(),
    }
}
