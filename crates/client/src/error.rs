//! What can go wrong talking to a ledger, classified so that a caller can
//! tell a refusal (the request is wrong: do not repeat it) from a server
//! that is busy or out of reach (the same request may succeed later).

use std::time::Duration;

pub use provenant_api::Problem;

/// A failed call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server refused the request (a `4xx` with a problem document):
    /// repeating it changes nothing.
    #[error("{} ({}): {}{}", problem.title, problem.code(), problem.detail,
            problem.field.as_ref().map(|f| format!(" [field {f}]")).unwrap_or_default())]
    Refused {
        /// The problem document.
        problem: Box<Problem>,
    },
    /// The server answered `503` (busy, shutting down, storage failing) as
    /// many times as the retry policy allows.
    #[error("the server is unavailable ({}): {}; gave up after {attempts} attempt(s) in {:.1}s",
            problem.code(), problem.detail, elapsed.as_secs_f64())]
    Unavailable {
        /// The last problem document (one made up from the body when the
        /// `503` came from something that does not write problems).
        problem: Box<Problem>,
        /// The last `Retry-After`, when the server sent one.
        retry_after: Option<Duration>,
        /// How many times the request was sent.
        attempts: u32,
        /// From the first attempt to giving up.
        elapsed: Duration,
    },
    /// The server answered another status without a problem document, or
    /// a `5xx` other than `503` (a bug on its side).
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

/// What kind of failure a [`ClientError`] is, for a caller that acts on
/// it (an exit code, a retry, a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server refused the request: change it before sending it again.
    Refused,
    /// The server is busy or out of reach: the same request may succeed
    /// later.
    Unavailable,
    /// Anything else: a bad URL, an answer that is not the API's, a server
    /// bug.
    Other,
}

impl ClientError {
    /// What kind of failure this is.
    #[must_use]
    pub fn failure(&self) -> Failure {
        match self {
            ClientError::Refused { .. } => Failure::Refused,
            ClientError::Unavailable { .. } | ClientError::Transport { .. } => Failure::Unavailable,
            ClientError::Status { .. } | ClientError::Decode { .. } | ClientError::BadUrl(_) => {
                Failure::Other
            }
        }
    }

    /// The problem document the server answered with, if any.
    #[must_use]
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Refused { problem } | ClientError::Unavailable { problem, .. } => {
                Some(problem)
            }
            _ => None,
        }
    }
}
