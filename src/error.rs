//! Why a command failed, and the exit code that tells a script which kind
//! of failure it was:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success, or "yes" |
//! | 1 | "no": a denied license check, a receipt or log that does not verify |
//! | 2 | an error here: arguments, files, keys, a draft, or an answer from the server that does not verify or is not the API's |
//! | 3 | refused: the server answered `4xx` with a problem (shown with its `type`, title, detail and field); sending the same request again will not help |
//! | 4 | unavailable: the server could not be reached, or stayed busy (`503`) through every retry; the same request may succeed later |

use std::fmt::Write as _;
use std::path::PathBuf;

use provenant_api::verify::VerifyError;
use provenant_client::draft::DraftError;
use provenant_client::{ClientError, Failure};
use provenant_keyfile::KeyFileError;
use provenant_model::RuleError;

/// Exit code of a success or a "yes".
pub const EXIT_OK: u8 = 0;
/// Exit code of a "no".
pub const EXIT_NO: u8 = 1;
/// Exit code of an error on this side.
pub const EXIT_ERROR: u8 = 2;
/// Exit code of a request the server refused.
pub const EXIT_REFUSED: u8 = 3;
/// Exit code of a server out of reach or busy.
pub const EXIT_UNAVAILABLE: u8 = 4;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server refused the request, was unavailable, or answered
    /// something that is not the API's.
    #[error(transparent)]
    Server(#[from] ClientError),
    /// An answer or receipt from the server does not verify.
    #[error("the server's {what} does not verify: {source}")]
    Unverified {
        /// What was checked.
        what: &'static str,
        /// The check that failed.
        source: VerifyError,
    },
    /// The server's receipt is for another entry than the one sent.
    #[error("the server's receipt is for another entry than the one sent")]
    WrongReceipt,
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file does not hold what the command expects.
    #[error("{}: {detail}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A log key that is not a C2SP Ed25519 verifier key.
    #[error("the log key: {0}")]
    LogKey(provenant_tlog::Error),
    /// A draft cannot be built or signed.
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// A key file cannot be written or read.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A value breaks one of the model's rules.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// Arguments the command refuses together.
    #[error("{0}")]
    Arguments(String),
    /// An envelope left unsigned: not confirmed, or nobody could confirm.
    #[error("not signed: {0}")]
    NotSigned(String),
    /// The terminal could not be written or read.
    #[error("{what}: {source}")]
    Terminal {
        /// Standard input or standard error.
        what: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The system clock is outside the years a timestamp can hold.
    #[error("the system clock is out of range")]
    Clock,
    /// An answer that verifies but is not fresh: stale, forked, not
    /// witnessed, too old; or its freshness could not be checked.
    #[error("the server's answer: {0}")]
    Fresh(#[from] provenant_client::fresh::FreshError),
    /// JSON could not be written.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The server (`provenant serve`) could not start or stopped on an
    /// error: its settings, key, store or socket.
    #[error("{0}")]
    Serve(String),
}

impl CliError {
    /// A file error naming `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.into();
        move |source| CliError::File { path, source }
    }

    /// The exit code (see the module doc).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Server(e)
            | CliError::Fresh(provenant_client::fresh::FreshError::Client(e)) => {
                match e.failure() {
                    Failure::Refused => EXIT_REFUSED,
                    Failure::Unavailable => EXIT_UNAVAILABLE,
                    Failure::Other => EXIT_ERROR,
                }
            }
            _ => EXIT_ERROR,
        }
    }

    /// The failure for `--json`: its kind (`refused`, `unavailable` or
    /// `error`), the exit code, the message, and the server's problem
    /// document when there is one.
    pub fn to_json(&self) -> serde_json::Value {
        let kind = match self.exit_code() {
            EXIT_REFUSED => "refused",
            EXIT_UNAVAILABLE => "unavailable",
            _ => "error",
        };
        let problem = match self {
            CliError::Server(e) => e.problem(),
            _ => None,
        };
        serde_json::json!({
            "error": kind,
            "exit": self.exit_code(),
            "message": self.to_string(),
            "problem": problem,
        })
    }

    /// What to tell the user: a refusal with the problem's every part, a
    /// busy server with what was retried.
    pub fn report(&self) -> String {
        let CliError::Server(e) = self else {
            return format!("error: {self}");
        };
        match e {
            ClientError::Refused { problem } => {
                let mut text = format!(
                    "refused: the server refused the request ({} {})\n  type:   {}\n  title:  {}\n  detail: {}",
                    problem.status,
                    provenant_api::problem::status::reason(problem.status),
                    problem.kind,
                    problem.title,
                    problem.detail
                );
                if let Some(field) = &problem.field {
                    let _ = write!(text, "\n  field:  {field}");
                }
                text
            }
            ClientError::Unavailable {
                problem,
                retry_after,
                attempts,
                elapsed,
            } => {
                let advice = match retry_after {
                    Some(wait) => format!("it asks to retry after {}s", wait.as_secs()),
                    None => "it did not say when to retry".to_owned(),
                };
                format!(
                    "unavailable: the server is busy or cannot serve now ({} {})\n  type:   {}\n  detail: {}\n  sent {attempts} time(s) over {:.1}s, retrying each 503 with back-off; {advice}: try again later",
                    problem.status,
                    problem.title,
                    problem.kind,
                    problem.detail,
                    elapsed.as_secs_f64()
                )
            }
            ClientError::Transport { .. } => {
                format!("unavailable: {e}\n  is the server running at that address?")
            }
            _ => format!("error: {e}"),
        }
    }
}
