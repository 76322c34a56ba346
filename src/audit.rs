//! `provenant audit`: follow a log and verify it, trusting nothing the
//! server says without proof.

use std::path::PathBuf;

use std::fmt::Write as _;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use provenant_client::audit::{self, Options, StateDir};
use provenant_model::Identity;
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;
use crate::remote::{ServerArg, parse_log_key, read_policy};

/// Verify that the log is append-only and every entry valid. Exit code 0
/// when it is, 1 when something is wrong (the report names it).
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Where the auditor keeps what it trusts and what it verified.
    #[arg(long, value_name = "DIR", env = "PROVENANT_AUDIT_STATE")]
    state: PathBuf,
    /// Download every entry, recompute the tree, and re-validate every entry.
    #[arg(long)]
    full: bool,
    /// The log key to trust [default: recorded in DIR; on a first run, the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
    /// Dispute arbiters to replay with [default: recorded in DIR; on a first run, the server's].
    #[arg(long = "arbiter", value_delimiter = ',')]
    arbiters: Vec<Identity>,
    /// A witness policy (C2SP tlog-policy): audit the latest checkpoint its
    /// quorum cosigned, and fail without one; its log line is the key to
    /// trust when no `--log-key` is given.
    #[arg(long, value_name = "FILE", env = "PROVENANT_POLICY")]
    policy: Option<PathBuf>,
    /// Follow the log where its tiles are published (a bucket's HTTP
    /// endpoint, a CDN, a static directory: the URL under which
    /// `checkpoint` and `tile/...` are), not a server; needs `--log-key`
    /// on a first run.
    #[arg(long, value_name = "URL", conflicts_with = "policy")]
    tiles: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

impl AuditArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let client = match &self.tiles {
            Some(url) => provenant_client::Client::new(url)?,
            None => server.client()?,
        };
        let dir = StateDir::open(&self.state).map_err(CliError::file(&self.state))?;
        let log_key = self.log_key.as_deref().map(parse_log_key).transpose()?;
        let policy = self.policy.as_deref().map(read_policy).transpose()?;
        let options = Options {
            full: self.full,
            log_key,
            arbiters: (!self.arbiters.is_empty()).then(|| self.arbiters.clone()),
            policy,
            tiles: self.tiles.is_some(),
        };
        let bar = if self.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} entries {per_sec} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            )
        };
        let mut progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let result = audit::run(&client, &dir, &options, &mut progress);
        bar.finish_and_clear();
        match result {
            Ok(r) => {
                let rate = per_second(r.entries_checked, r.seconds);
                let mut text = format!(
                    "OK: {} at size {}, root {}",
                    r.origin,
                    r.size.0,
                    r.root.to_hex()
                );
                if !r.witnessed_by.is_empty() {
                    let _ = write!(
                        text,
                        "\n  witnessed: cosigned by {} as the policy requires",
                        r.witnessed_by.join(", ")
                    );
                }
                if r.trusted_now {
                    text += "\n  the log key is now trusted: later audits hold the log to it";
                }
                match r.previous {
                    Some(p) if r.behind => {
                        let _ = write!(
                            text,
                            "\n  the witnessed checkpoint is a prefix of the one verified before at size {}, which stays recorded",
                            p.0
                        );
                    }
                    Some(p) => {
                        let _ = write!(
                            text,
                            "\n  extends the checkpoint verified before at size {}",
                            p.0
                        );
                    }
                    None => text += "\n  first audit of this log",
                }
                if self.full {
                    let _ = write!(
                        text,
                        "\n  {} entries re-validated and {} hash tiles compared in {:.2}s ({rate})",
                        r.entries_checked, r.tiles_checked, r.seconds
                    );
                }
                Ok(Output::new(
                    text,
                    json!({"ok": true, "origin": r.origin, "size": r.size.0, "root": r.root.to_hex(),
                           "previous": r.previous.map(|p| p.0), "behind": r.behind, "entries_checked": r.entries_checked,
                           "tiles_checked": r.tiles_checked, "seconds": r.seconds,
                           "witnessed_by": r.witnessed_by}),
                ))
            }
            Err(audit::Finding::Client(e)) => Err(e.into()),
            Err(audit::Finding::State(e)) => Err(CliError::file(&self.state)(e)),
            Err(finding) => Ok(Output::new(
                format!("FAILED: {finding}"),
                json!({"ok": false, "finding": finding.to_string()}),
            )
            .denied()),
        }
    }
}

/// A display rate: `entries` over `seconds`.
#[allow(clippy::cast_precision_loss)] // A figure for people, not arithmetic.
fn per_second(entries: u64, seconds: f64) -> String {
    if seconds > 0.0 {
        format!("{:.0} entries/s", entries as f64 / seconds)
    } else {
        String::new()
    }
}
