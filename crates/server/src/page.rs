//! The verification page ([`provenant_page`]): `GET /`, `/verify/` and
//! `/verify/design/{id}` (one page; its script reads the path) and its
//! files under `/assets/`, each under the page's Content-Security-Policy.
//!
//! The page checks the service's answers against a log key the user
//! pinned, or the one the deployment put in it (`--page-log-key`); it
//! never takes the key from the answers it checks.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Problem;

/// What the page is served with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageConfig {
    /// The verifier key the page trusts when its user has pinned none
    /// (`<origin>+<key id>+<base64>`), already checked to be one.
    pub log_key: Option<String>,
}

/// The page's routes.
pub fn routes(config: &PageConfig) -> Router {
    let html: Arc<str> = provenant_page::index(config.log_key.as_deref()).into();
    Router::new()
        .route("/", get(index))
        .route("/verify", get(index))
        .route("/verify/", get(index))
        .route("/verify/design/{id}", get(index))
        .route("/assets/{*path}", get(asset))
        .with_state(html)
}

async fn index(State(html): State<Arc<str>>) -> Response {
    served("text/html; charset=utf-8", Body::from(html.to_string()))
}

async fn asset(Path(path): Path<String>) -> Result<Response, Problem> {
    let asset = provenant_page::asset(&path).ok_or_else(|| Problem::not_found("page file"))?;
    Ok(served(asset.content_type(), Body::from(asset.bytes)))
}

/// `body` as `content_type`, under the page's policy. Not cached without
/// asking: the files change with the binary and carry no version.
fn served(content_type: &'static str, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_SECURITY_POLICY,
            provenant_page::CONTENT_SECURITY_POLICY,
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-cache"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
