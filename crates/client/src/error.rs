//! What can go wrong talking to a ledger.

use provenant_api::Problem;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server refused the request and said why.
    #[error("{} ({}): {}{}", problem.title, problem.code(), problem.detail,
            problem.field.as_ref().map(|f| format!(" [field {f}]")).unwrap_or_default())]
    Refused {
        /// The problem document.
        problem: Problem,
    },
    /// The server answered with a status and no problem document.
    #[error("the server answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The server could not be reached or the connection failed.
    #[error("cannot reach {url}: {source}")]
    Transport {
        /// The URL called.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The answer is not what the API promises.
    #[error("unexpected answer from {url}: {detail}")]
    Decode {
        /// The URL called.
        url: String,
        /// What did not parse.
        detail: String,
    },
    /// The base URL is not usable.
    #[error("bad server URL {0:?}: give http://HOST:PORT")]
    BadUrl(String),
}
