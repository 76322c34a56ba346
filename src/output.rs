//! What a command prints: readable text by default, JSON with `--json`,
//! and the exit code that tells the result (0 yes, 1 no; 2 is left for
//! errors and usage).

use serde_json::Value;

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
            exit: 0,
        }
    }

    /// The same result, answering "no" (exit code 1).
    #[must_use]
    pub fn denied(mut self) -> Output {
        self.exit = 1;
        self
    }
}
