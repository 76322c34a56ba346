//! `provenant submit`: send signed envelopes, verify and save their
//! receipts. One file goes to `POST /v1/entries`; several go in batches
//! to `POST /v1/entries/batch`, each envelope answered on its own.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use provenant_api::verify::verify_receipt;
use provenant_api::{MAX_BATCH_BYTES, MAX_BATCH_ENVELOPES, Problem, Submitted};
use provenant_model::{Entry, Envelope};
use provenant_tlog::NoteVerifier;
use serde_json::{Value, json};

use crate::draft::io::{pretty, write_atomic};
use crate::error::{CliError, EXIT_REFUSED};
use crate::output::Output;
use crate::remote::{ServerArg, json_of, log_key};

/// Send signed envelopes to the ledger and save their receipts.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The signed envelopes (JSON), one per file. Several are sent in
    /// batches; each is logged or refused on its own.
    #[arg(required = true, num_args = 1..)]
    envelopes: Vec<PathBuf>,
    /// Where to save the receipt, for one envelope [default: the
    /// envelope's name with `.receipt.json`].
    #[arg(long, value_name = "FILE")]
    receipt: Option<PathBuf>,
    /// The log's verifier key (text or file) to check receipts with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

/// One file's envelope, read and parsed.
struct Sent {
    path: PathBuf,
    envelope: Envelope,
    bytes: usize,
}

impl SubmitArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        if self.receipt.is_some() && self.envelopes.len() > 1 {
            return Err(CliError::Arguments(
                "--receipt names the receipt of one envelope; with several, each is saved beside its file"
                    .into(),
            ));
        }
        let mut sent = Vec::with_capacity(self.envelopes.len());
        for path in &self.envelopes {
            let bytes = std::fs::read(path).map_err(CliError::file(path))?;
            let envelope = match Envelope::from_json(&bytes) {
                Ok(envelope) => envelope,
                // With several files, the one that is not an envelope is named.
                Err(e) if self.envelopes.len() > 1 => {
                    return Err(CliError::BadFile {
                        path: path.clone(),
                        detail: e.to_string(),
                    });
                }
                Err(e) => return Err(e.into()),
            };
            sent.push(Sent {
                path: path.clone(),
                envelope,
                bytes: bytes.len(),
            });
        }
        let client = server.client()?;
        let key = log_key(&client, self.log_key.as_deref())?;
        if let [one] = sent.as_slice() {
            let submitted = client.submit(&one.envelope)?;
            let path = self
                .receipt
                .clone()
                .unwrap_or_else(|| one.path.with_extension("receipt.json"));
            let (text, json) = save(one, &submitted, &key, &path)?;
            return Ok(Output::new(text, json));
        }
        let mut text = String::new();
        let mut results = Vec::with_capacity(sent.len());
        let mut refused = 0usize;
        for chunk in batches(&sent) {
            let envelopes: Vec<Envelope> = chunk.iter().map(|s| s.envelope.clone()).collect();
            let outcomes = client.submit_batch(&envelopes)?;
            for (one, outcome) in chunk.iter().zip(outcomes) {
                let (line, json) = match outcome {
                    Ok(submitted) => save(
                        one,
                        &submitted,
                        &key,
                        &one.path.with_extension("receipt.json"),
                    )?,
                    Err(problem) => {
                        refused += 1;
                        refusal(one, &problem)
                    }
                };
                let _ = writeln!(text, "{line}");
                results.push(json);
            }
        }
        let _ = write!(
            text,
            "{} of {} envelopes logged or already in the log, {refused} refused",
            sent.len() - refused,
            sent.len()
        );
        let output = Output::new(text, json!({"results": results, "refused": refused}));
        Ok(if refused > 0 {
            Output {
                exit: EXIT_REFUSED,
                ..output
            }
        } else {
            output
        })
    }
}

/// The envelopes in batches the server takes: at most
/// [`MAX_BATCH_ENVELOPES`] and, with room for the JSON around them, at most
/// [`MAX_BATCH_BYTES`] each (an envelope over that alone goes by itself,
/// for the server to refuse on its own).
fn batches(sent: &[Sent]) -> Vec<&[Sent]> {
    let budget = MAX_BATCH_BYTES - 1024;
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0usize;
    for (i, s) in sent.iter().enumerate() {
        let full = i - start == MAX_BATCH_ENVELOPES || bytes + s.bytes + 1 > budget;
        if full && i > start {
            out.push(&sent[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += s.bytes + 1;
    }
    if start < sent.len() {
        out.push(&sent[start..]);
    }
    out
}

/// Verifies `submitted`'s receipt as the receipt of `sent`'s envelope and
/// saves it to `path`: the line to print and the JSON result.
fn save(
    sent: &Sent,
    submitted: &Submitted,
    key: &NoteVerifier,
    path: &Path,
) -> Result<(String, Value), CliError> {
    verify_receipt(&submitted.receipt, key).map_err(|source| CliError::Unverified {
        what: "receipt",
        source,
    })?;
    // The receipt must be for this envelope, not any entry of the log.
    let logged = submitted
        .receipt
        .leaf_bytes()
        .ok()
        .and_then(|bytes| Entry::from_leaf_bytes(&bytes).ok())
        .map(|entry| entry.envelope.id());
    if logged != Some(sent.envelope.id()) {
        return Err(CliError::WrongReceipt);
    }
    let receipt = json_of(&submitted.receipt)?;
    write_atomic(path, &pretty(&receipt)?)?;
    let what = if submitted.created {
        "logged"
    } else {
        "already in the log"
    };
    // The envelope's id is the grant's or the dispute's id.
    let id = sent.envelope.id().to_string();
    let mut line = format!(
        "{} {what} at index {} (id {id}); receipt verified and saved to {}",
        sent.envelope.kind().as_str(),
        submitted.receipt.index,
        path.display()
    );
    let near = &submitted.receipt.near_duplicates;
    if !near.is_empty() {
        let _ = write!(
            line,
            "\nlooks like {} design(s) registered before it (a flag, not a refusal):",
            near.len()
        );
        for flag in near {
            let _ = write!(line, "\n  {}", crate::similar::flag(flag));
        }
    }
    Ok((
        line,
        json!({"file": sent.path, "id": id, "created": submitted.created, "receipt_file": path,
               "receipt": receipt}),
    ))
}

/// The line and JSON result of a refused envelope.
fn refusal(sent: &Sent, problem: &Problem) -> (String, Value) {
    (
        format!(
            "{}: refused ({} {}): {}",
            sent.path.display(),
            problem.status,
            problem.code(),
            problem.detail
        ),
        json!({"file": sent.path, "id": sent.envelope.id().to_string(), "problem": problem}),
    )
}
