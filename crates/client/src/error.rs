//! What can go wrong talking to a ledger.

use serde::Deserialize;

/// An RFC 9457 problem the server answered with.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Problem {
    /// The stable type URI naming the rule, `https://provenant.dev/problems/<code>`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// A short human title.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What went wrong, for a human.
    #[serde(default)]
    pub detail: String,
    /// The offending field, where there is one.
    #[serde(default)]
    pub field: Option<String>,
}

impl Problem {
    /// The rule's stable code: the last segment of the type URI.
    #[must_use]
    pub fn code(&self) -> &str {
        self.kind.rsplit('/').next().unwrap_or_default()
    }
}

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
