//! `provenant page`: the verification page as one self-contained HTML file
//! that names no server: its user names the address to ask in the page's
//! settings, a Provenant server or a bucket where a log's tiles are
//! published (docs/PROTOCOL.md sections 16 and 19).

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;
use crate::remote::parse_log_key;

/// Write the verification page as one file that can ask any server or bucket.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Where to write it.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The log key the page trusts until its user pins another
    /// [default: none; the user pastes it].
    #[arg(long)]
    log_key: Option<String>,
}

impl PageArgs {
    pub fn run(&self) -> Result<Output, CliError> {
        if let Some(key) = &self.log_key {
            parse_log_key(key)?;
        }
        let html = provenant_page::standalone(self.log_key.as_deref(), None);
        std::fs::write(&self.out, &html).map_err(CliError::file(&self.out))?;
        Ok(Output::new(
            format!("the verification page written to {}", self.out.display()),
            json!({"out": self.out, "bytes": html.len()}),
        ))
    }
}
