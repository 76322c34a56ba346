//! The verification page ([`provenant_page`]): `GET /`, `/verify/` and
//! `/verify/design/{id}` (one page; its script reads the path) and its
//! files under `/assets/`, each under the page's Content-Security-Policy;
//! `GET /verify/page.html`, the same page as one file to save and open from
//! disk, which asks this server (by the request's `Host`) from there.
//!
//! The page checks the service's answers against a log key the user
//! pinned, or the one the deployment put in it (`--page-log-key`); it
//! never takes the key from the answers it checks.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use provenant_page::{ApiOrigin, Standalone};

use crate::Problem;

/// The name a browser saves the standalone page under.
const SAVED_AS: &str = "attachment; filename=\"provenant-verifier.html\"";

/// What the page is served with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageConfig {
    /// The verifier key the page trusts when its user has pinned none
    /// (`<origin>+<key id>+<base64>`), already checked to be one.
    pub log_key: Option<String>,
}

/// The page and its saved form, built once at start-up.
#[derive(Clone)]
struct Pages {
    index: Arc<str>,
    standalone: Arc<Standalone>,
}

/// The page's routes.
pub fn routes(config: &PageConfig) -> Router {
    let log_key = config.log_key.as_deref();
    let pages = Pages {
        index: provenant_page::index(log_key).into(),
        standalone: Arc::new(Standalone::new(log_key)),
    };
    Router::new()
        .route("/", get(index))
        .route("/verify", get(index))
        .route("/verify/", get(index))
        .route("/verify/design/{id}", get(index))
        .route("/verify/page.html", get(standalone))
        .route("/assets/{*path}", get(asset))
        .with_state(pages)
}

async fn index(State(pages): State<Pages>) -> Response {
    served(
        "text/html; charset=utf-8",
        Body::from(pages.index.to_string()),
    )
}

/// The page as one file, to save: it asks this server, as the request
/// named it (`http://{Host}`).
async fn standalone(
    State(pages): State<Pages>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let api = ApiOrigin::http(&host).map_err(|_| {
        Problem::bad_request(
            "invalid-host",
            "the Host header must be host[:port] alone: the saved page asks http://{Host}",
        )
        .field("host")
    })?;
    let html = pages.standalone.html(Some(&api));
    let mut response = served("text/html; charset=utf-8", Body::from(html));
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(SAVED_AS),
    );
    Ok(response)
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
