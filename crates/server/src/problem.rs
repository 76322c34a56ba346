//! RFC 9457 problem details: every error a client sees.
//!
//! Each problem has a stable `type` URI naming the rule
//! (`https://provenant.dev/problems/<code>`), the HTTP status, a human
//! `title` and `detail`, and the offending `field` where there is one.
//! Storage and internal failures are logged for operators and reach clients
//! only as a generic problem: internals never leak.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use provenant_ledger::{ReadError, SubmitError};
use provenant_model::RuleError;
use serde::Serialize;

/// The base of every problem type URI.
pub const TYPE_BASE: &str = "https://provenant.dev/problems/";

/// A problem response.
#[derive(Debug, Clone)]
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    title: String,
    detail: String,
    field: Option<String>,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl Problem {
    /// A problem with `status`, stable `code` and human text.
    #[must_use]
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title: title.to_owned(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// The same problem naming the offending field.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same problem telling the client when to retry, in seconds.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// A request that is malformed before any rule applies.
    #[must_use]
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad request", detail)
    }

    /// Something that does not exist.
    #[must_use]
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no such {what}"),
        )
    }

    fn unavailable(detail: &str) -> Self {
        Self::unavailable_as("unavailable", detail)
    }

    /// A `503` with `Retry-After`; `code` tells a full queue
    /// (`overloaded`) from a ledger that cannot write (`unavailable`).
    fn unavailable_as(code: &'static str, detail: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            "Service unavailable",
            detail,
        )
        .retry_after(1)
    }
}

/// The HTTP status for a rule's code.
fn rule_status(code: &str) -> StatusCode {
    match code {
        "malformed"
        | "unknown-label"
        | "number-out-of-range"
        | "text-length"
        | "too-many-items"
        | "empty-list"
        | "duplicate-item"
        | "non-canonical-entry"
        | "terms-inconsistent" => StatusCode::BAD_REQUEST,
        "signature-invalid"
        | "duplicate-signature"
        | "missing-signature"
        | "no-signatures"
        | "unexpected-signer"
        | "threshold-not-met"
        | "key-retired"
        | "not-arbiter"
        | "no-arbiters" => StatusCode::FORBIDDEN,
        "duplicate-content"
        | "exclusive-conflict"
        | "stale-prev"
        | "dispute-resolved"
        | "too-many-disputes"
        | "dispute-already-open" => StatusCode::CONFLICT,
        "entry-too-large" => StatusCode::PAYLOAD_TOO_LARGE,
        "state-unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        "request-timeout" => StatusCode::REQUEST_TIMEOUT,
        "internal" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<RuleError> for Problem {
    fn from(e: RuleError) -> Self {
        let code = e.code();
        let status = rule_status(code);
        if status.is_server_error() {
            tracing::error!(error = %e, "rule evaluation failed");
            return Self::unavailable("the ledger could not evaluate the request; retry shortly");
        }
        let field = e.field().map(str::to_owned);
        let title = status.canonical_reason().unwrap_or("Refused");
        let mut p = Self::new(status, code, title, e.to_string());
        p.field = field;
        p
    }
}

impl From<SubmitError> for Problem {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Rejected(rule) => rule.into(),
            SubmitError::TooLarge { .. } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "entry-too-large",
                "Entry too large",
                e.to_string(),
            ),
            SubmitError::Overloaded => {
                Self::unavailable_as("overloaded", "the write queue is full; retry shortly")
            }
            SubmitError::ShuttingDown => Self::unavailable("the ledger is shutting down"),
            other => {
                tracing::error!(error = %other, "write failed");
                Self::unavailable("storage is unavailable; nothing was written")
            }
        }
    }
}

impl From<ReadError> for Problem {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::NotFound(what) => Self::not_found(what),
            ReadError::Range(range) => Self::new(
                StatusCode::BAD_REQUEST,
                "out-of-range",
                "Outside the log",
                range.to_string(),
            ),
            ReadError::Rule(rule) => rule.into(),
            // A damaged store answers the same way every time: no retry.
            ReadError::Store(e) if !e.is_transient() => {
                tracing::error!(error = %e, "read failed: the store is damaged");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "the ledger could not read its store",
                )
            }
            other => {
                tracing::error!(error = %other, "read failed");
                Self::unavailable("storage is unavailable; retry shortly")
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = Body {
            kind: format!("{TYPE_BASE}{}", self.code),
            title: &self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            field: self.field.as_deref(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
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
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
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
