//! Request bodies as problems: what a client gets when its body is too
//! large, too slow or not the JSON it should be.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::Problem;

/// The whole body, read within the body limit and the body timeout.
pub struct RawBody(pub Bytes);

/// The body parsed as JSON into `T`; unknown fields and wrong types are
/// `400 malformed`. The content type is not checked.
pub struct JsonBody<T>(pub T);

/// The problem for a body that could not be read.
#[must_use]
pub fn unreadable(e: &BytesRejection) -> Problem {
    match e {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => too_large(),
        BytesRejection::FailedToBufferBody(FailedToBufferBody::UnknownBodyError(u))
            if timed_out(u) =>
        {
            too_slow()
        }
        other => Problem::bad_request("unreadable-body", other.body_text()),
    }
}

/// `413 body-too-large`.
#[must_use]
pub fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        "Body too large",
        "the request body is over the server's limit",
    )
}

/// `408 body-timeout`: the client stopped sending its body.
#[must_use]
pub fn too_slow() -> Problem {
    Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        "body-timeout",
        "Request body too slow",
        "the client stopped sending the request body for longer than the server waits",
    )
}

/// Whether `e`, or an error it wraps, is a body read timeout.
pub fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut at = Some(e);
    while let Some(e) = at {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        at = e.source();
    }
    false
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| unreadable(&e))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| Problem::bad_request("malformed", e.to_string()))
    }
}
