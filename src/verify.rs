//! `provenant verify`: a receipt checked with only the log's key, offline;
//! or held to a witness policy, lifted to a witnessed checkpoint when its
//! own checkpoint does not carry the quorum.

use std::path::PathBuf;

use clap::Args;
use provenant_api::verify::{VerifyError, verify_receipt};
use provenant_api::witnessed::verify_receipt_with_policy;
use provenant_client::Client;
use provenant_model::Receipt;
use provenant_tlog::{Checkpoint, Note, Policy};
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;
use crate::remote::{ServerArg, parse_log_key, read_policy};

/// Verify a receipt. Exit code 0 when it verifies, 1 when it does not.
///
/// With `--log-key` alone it is offline: the checkpoint is the log's and
/// the entry is in it. With `--policy` the checkpoint must also be
/// cosigned by the policy's witness quorum: a receipt written with
/// `?wait=witnessed` carries the cosignatures and verifies offline; any
/// other is lifted to the log's latest witnessed checkpoint with a
/// consistency proof, fetched from the policy's log URL (else `--server`)
/// and verified here.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The receipt (JSON, as `submit` saves it).
    receipt: PathBuf,
    /// The log's C2SP verifier key (`origin+keyid+base64`), as text or a file.
    #[arg(long, env = "PROVENANT_LOG_KEY", required_unless_present = "policy")]
    log_key: Option<String>,
    /// A witness policy (C2SP tlog-policy) the receipt must meet: its log
    /// line is the log's key, its quorum the witnesses that must have
    /// cosigned. A `--log-key` given beside it must be the policy's log.
    #[arg(long, value_name = "FILE", env = "PROVENANT_POLICY")]
    policy: Option<PathBuf>,
}

impl VerifyArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let bytes = std::fs::read(&self.receipt).map_err(CliError::file(&self.receipt))?;
        let receipt: Receipt = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => return Ok(fails(&format!("not a receipt: {e}"))),
        };
        if let Some(path) = &self.policy {
            let policy = read_policy(path)?;
            // A log key given beside the policy must be the policy's, and
            // the receipt must be that log's.
            if let Some(given) = self.log_key.as_deref().map(parse_log_key).transpose()? {
                if !policy.logs().iter().any(|l| l.verifier == given) {
                    return Err(CliError::Arguments(format!(
                        "the log key {} is not one of the policy's logs",
                        given.to_text()
                    )));
                }
                if let Err(e) = verify_receipt(&receipt, &given) {
                    return Ok(fails(&e.to_string()));
                }
            }
            return witnessed(&receipt, &policy, server);
        }
        let key = parse_log_key(self.log_key.as_deref().unwrap_or_default())?;
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

/// The receipt held to `policy`: offline when it carries the quorum, else
/// lifted with an upgrade from the log.
fn witnessed(receipt: &Receipt, policy: &Policy, server: &ServerArg) -> Result<Output, CliError> {
    let result = match verify_receipt_with_policy(receipt, policy, None) {
        Err(VerifyError::NotWitnessed(_)) => {
            let Ok(proven) = checkpoint_of(&receipt.checkpoint) else {
                return Ok(fails("the receipt's checkpoint does not parse"));
            };
            let client = log_client(policy, &proven.origin, server)?;
            let upgrade = client.upgrade(proven.size)?;
            verify_receipt_with_policy(receipt, policy, Some(&upgrade))
                .map(|(p, w)| (p, w, upgrade.witnessed))
        }
        other => other.map(|(p, w)| (p, w, receipt.checkpoint.clone())),
    };
    let (proven, lifted, note) = match result {
        Ok(found) => found,
        Err(e) => return Ok(fails(&e.to_string())),
    };
    let names = cosigners(policy, &note);
    let lifted_text = if lifted.size == proven.size {
        String::new()
    } else {
        format!(", lifted to size {} by a consistency proof", lifted.size.0)
    };
    Ok(Output::new(
        format!(
            "valid: entry {} ({}) is in {} at size {}, witnessed by {}{lifted_text}",
            receipt.index,
            receipt.leaf_hash,
            proven.origin,
            proven.size.0,
            names.join(", ")
        ),
        json!({"valid": true, "index": receipt.index, "leaf_hash": receipt.leaf_hash,
               "tree_size": proven.size.0, "root": proven.root.to_hex(),
               "witnessed_size": lifted.size.0, "witnessed_by": names}),
    ))
}

/// The client of the log named `origin`: its URL in the policy, else the
/// `--server` given.
fn log_client(policy: &Policy, origin: &str, server: &ServerArg) -> Result<Client, CliError> {
    let url = policy
        .logs()
        .iter()
        .find(|l| l.verifier.name() == origin)
        .and_then(|l| l.url.clone());
    Ok(Client::new(url.as_deref().unwrap_or(&server.server))?)
}

fn checkpoint_of(text: &str) -> Result<Checkpoint, provenant_tlog::Error> {
    Checkpoint::parse(Note::parse(text.as_bytes())?.text())
}

/// The policy names of the witnesses whose cosignatures on `note` verify.
fn cosigners(policy: &Policy, note: &str) -> Vec<String> {
    Note::parse(note.as_bytes())
        .ok()
        .and_then(|n| policy.cosigned(&n).ok())
        .map(|ws| ws.into_iter().map(|(w, _)| w.name.clone()).collect())
        .unwrap_or_default()
}

fn fails(why: &str) -> Output {
    Output::new(
        format!("INVALID: {why}"),
        json!({"valid": false, "reason": why}),
    )
    .denied()
}
