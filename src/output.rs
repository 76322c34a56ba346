//! What a command prints: readable text by default, JSON with `--json`,
//! and the exit code that tells the result (0 yes, 1 no; the codes of
//! failures are [`crate::error`]'s).

use serde_json::Value;

use crate::error::{EXIT_NO, EXIT_OK};

/// A command's result.
#[derive(Debug)]
pub struct Output {
    /// For people.
    pub text: String,
    /// For machines (`--json`).
    pub json: Value,
    /// The exit code: 0 for success or "yes", 1 for "no".
    pub exit: u8,
}

impl Output {
    /// A successful result.
    pub fn new(text: impl Into<String>, json: Value) -> Output {
        Output {
            text: text.into(),
            json,
            exit: EXIT_OK,
        }
    }

    /// The same result, answering "no" (exit code 1).
    #[must_use]
    pub fn denied(mut self) -> Output {
        self.exit = EXIT_NO;
        self
    }
}
