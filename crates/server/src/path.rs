//! A path segment as text, or a problem: axum's own rejection (bad
//! percent-encoding, bytes that are not UTF-8) is plain text.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::Problem;

/// The route's one path parameter, percent-decoded.
pub struct PathText(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(text)| PathText(text))
            .map_err(|e| Problem::bad_request("invalid-path", e.body_text()).field("path"))
    }
}
