//! RFC 9457 problem details: every error a client sees.
//!
//! The body is [`provenant_api::Problem`]: a stable `type` URI naming the
//! rule (`https://provenant.dev/problems/<code>`), the HTTP status, a human
//! `title` and `detail`, and the offending `field` where there is one. The
//! status of each rule and each ledger failure comes from the exhaustive
//! matches of the api and ledger crates. Storage and internal failures are
//! logged for operators and reach clients only as a generic problem:
//! internals never leak.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provenant_api::problem::CONTENT_TYPE;
use provenant_ledger::{ReadError, SubmitError};
use provenant_model::RuleError;

pub use provenant_api::TYPE_BASE;

/// A problem response: the body, and when to retry.
#[derive(Debug, Clone)]
pub struct Problem {
    body: provenant_api::Problem,
    /// Seconds; `u32` keeps the problem small enough to travel in every
    /// `Result` by value (a day is 86,400).
    retry_after: Option<u32>,
}

impl Problem {
    /// A problem with `status`, stable `code` and human text.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        provenant_api::Problem::new(status.as_u16(), code, title, detail).into()
    }

    /// The same problem naming the offending field.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// The same problem carrying the proof that the design it is about is
    /// not registered (the `404` of `GET /v1/designs/{id}`).
    #[must_use]
    pub fn absence(mut self, proof: provenant_api::Proven<provenant_api::NotRegistered>) -> Self {
        self.body.absence = Some(Box::new(proof));
        self
    }

    /// The same problem telling the client when to retry, in seconds.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(u32::try_from(secs).unwrap_or(u32::MAX));
        self
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The body, for an answer that carries problems inside it (a batch's
    /// results).
    #[must_use]
    pub fn into_body(self) -> provenant_api::Problem {
        self.body
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &str {
        self.body.code()
    }

    /// A request that is malformed before any rule applies.
    #[must_use]
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        provenant_api::Problem::bad_request(code, detail).into()
    }

    /// Something that does not exist.
    #[must_use]
    pub fn not_found(what: &str) -> Self {
        provenant_api::Problem::not_found(what).into()
    }

    /// The problem of a failure `e`: a `5xx` is logged with the failure's
    /// text, which the client never sees; a `503` tells the client to
    /// retry after a second.
    fn of<E: std::fmt::Display>(body: provenant_api::Problem, e: &E, what: &str) -> Self {
        if body.status >= 500 {
            tracing::error!(error = %e, "{what} failed");
        }
        let retry_after = body.is_retryable().then_some(1);
        Self { body, retry_after }
    }
}

impl From<provenant_api::Problem> for Problem {
    fn from(body: provenant_api::Problem) -> Self {
        Self {
            body,
            retry_after: None,
        }
    }
}

impl From<RuleError> for Problem {
    fn from(e: RuleError) -> Self {
        Self::of((&e).into(), &e, "rule evaluation")
    }
}

impl From<SubmitError> for Problem {
    fn from(e: SubmitError) -> Self {
        Self::of((&e).into(), &e, "write")
    }
}

impl From<ReadError> for Problem {
    fn from(e: ReadError) -> Self {
        Self::of((&e).into(), &e, "read")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let json = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut response = (self.status(), json).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The stable code of an error status the router answers by itself.
fn status_code_name(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::REQUEST_TIMEOUT => "request-timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::TOO_MANY_REQUESTS => "rate-limited",
        s if s.is_server_error() => "internal",
        _ => "bad-request",
    }
}

/// The longest plain-text error body kept as a problem's detail.
const MAX_DETAIL: usize = 4096;

/// Middleware: an error response that is not yet a problem (from the
/// router itself, an extractor, or a timeout layer) becomes one, with the
/// same status and its text as the detail, so every error a client sees is
/// RFC 9457.
pub async fn ensure_problem(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(CONTENT_TYPE.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(response.into_body(), MAX_DETAIL)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let detail = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text.trim().to_owned()
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let mut response =
        Problem::new(status, status_code_name(status), title, detail).into_response();
    if let Some(v) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}
