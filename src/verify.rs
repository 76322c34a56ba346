//! `provenant verify`: a receipt checked offline, with only the log's key.

use std::path::PathBuf;

use clap::Args;
use provenant_api::verify::verify_receipt;
use provenant_model::Receipt;
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;
use crate::remote::parse_log_key;

/// Verify a receipt offline: no network. Exit code 0 when it verifies, 1
/// when it does not.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The receipt (JSON, as `submit` saves it).
    receipt: PathBuf,
    /// The log's C2SP verifier key (`origin+keyid+base64`), as text or a file.
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: String,
}

impl VerifyArgs {
    pub fn run(&self) -> Result<Output, CliError> {
        let key = parse_log_key(&self.log_key)?;
        let bytes = std::fs::read(&self.receipt).map_err(CliError::file(&self.receipt))?;
        let receipt: Receipt = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => return Ok(fails(&format!("not a receipt: {e}"))),
        };
        Ok(match verify_receipt(&receipt, &key) {
            Ok(checkpoint) => Output::new(
                format!(
                    "valid: entry {} ({}) is in {} at size {}",
                    receipt.index, receipt.leaf_hash, checkpoint.origin, checkpoint.size.0
                ),
                json!({"valid": true, "index": receipt.index, "leaf_hash": receipt.leaf_hash,
                       "tree_size": checkpoint.size.0, "root": checkpoint.root.to_hex()}),
            ),
            Err(e) => fails(&e.to_string()),
        })
    }
}

fn fails(why: &str) -> Output {
    Output::new(
        format!("INVALID: {why}"),
        json!({"valid": false, "reason": why}),
    )
    .denied()
}
