//! `sign` and `license accept`: a signature added to an envelope file,
//! after the signer has seen what it approves.
//!
//! The summary of the shares, threshold, terms or transfer goes to standard
//! error; on a terminal the signer answers `y` to sign. Without a terminal
//! (a script, a pipe) nobody can answer, so `--yes` is required: signing
//! blind has to be asked for.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use clap::Args;
use provenant_client::draft;
use provenant_model::{Envelope, Identity, Payload};
use serde_json::json;

use super::io::{io_error, load_key, pretty, to_sign, write_atomic};
use crate::error::CliError;
use crate::output::Output;

/// Add your signature to an envelope file.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The envelope (JSON), as a draft command wrote it.
    #[arg(value_name = "ENVELOPE")]
    envelope: PathBuf,
    /// Your private key file (PKCS#8 PEM).
    #[arg(long, env = "PROVENANT_KEY", value_name = "FILE")]
    key: PathBuf,
    /// Write the signed envelope here [default: replace ENVELOPE, atomically].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Sign without asking, after printing the summary (required when
    /// standard input is not a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
}

impl SignArgs {
    /// Signs the envelope.
    pub fn run(&self) -> Result<Output, CliError> {
        self.sign_with(draft::sign)
    }

    /// Signs a license grant as its licensee (`license accept`).
    pub fn run_as_licensee(&self) -> Result<Output, CliError> {
        self.sign_with(draft::sign_as_licensee)
    }

    fn sign_with(
        &self,
        sign: fn(&mut Envelope, &ed25519_dalek::SigningKey) -> Result<(), draft::DraftError>,
    ) -> Result<Output, CliError> {
        let bytes = std::fs::read(&self.envelope).map_err(io_error(&self.envelope))?;
        let mut envelope = Envelope::from_json(&bytes).map_err(|e| CliError::BadFile {
            path: self.envelope.clone(),
            detail: e.to_string(),
        })?;
        let (key, signer) = load_key(&self.key)?;
        // Signed first, so that a draft the signer may not sign fails
        // before anyone is asked; written only once confirmed.
        let shown = envelope.clone();
        sign(&mut envelope, &key)?;
        confirm(&shown, &signer, self.yes)?;
        let path = self.out.as_deref().unwrap_or(&self.envelope);
        write_atomic(path, &pretty(&envelope.to_value())?)?;

        let mut lines = vec![format!(
            "signed the {} in {} as {signer}",
            envelope.kind(),
            path.display()
        )];
        if !listed(&envelope, &signer) {
            lines.push(format!(
                "note: {signer} is not among the signers this {} names; the ledger will refuse it",
                envelope.kind()
            ));
        }
        lines.push(to_sign(&envelope));
        let text = lines.join("\n");
        let value = json!({
            "signed_by": signer,
            "kind": envelope.kind().as_str(),
            "file": path.display().to_string(),
            "id": envelope.id(),
            "signatures": envelope.signatures().len(),
            "pending": draft::pending_signers(&envelope),
            "also_required": draft::other_signers(envelope.kind()),
        });
        Ok(Output::new(text, value))
    }
}

/// Shows what signing `envelope` approves on standard error, then asks on a
/// terminal unless `yes`; refuses without a terminal and without `yes`.
fn confirm(envelope: &Envelope, signer: &Identity, yes: bool) -> Result<(), CliError> {
    let mut err = std::io::stderr().lock();
    let shown = write!(
        err,
        "You are about to sign as {signer}:\n{}",
        draft::summary(envelope)
    );
    shown.map_err(terminal("standard error"))?;
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::NotSigned(format!(
            "standard input is not a terminal, so nobody can confirm the {} above; \
             read it and pass --yes to sign",
            envelope.kind()
        )));
    }
    write!(err, "Sign this {}? [y/N] ", envelope.kind())
        .and_then(|()| err.flush())
        .map_err(terminal("standard error"))?;
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(terminal("standard input"))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::NotSigned(format!(
            "the {} was not confirmed",
            envelope.kind()
        )))
    }
}

/// A terminal error naming the stream.
fn terminal(what: &'static str) -> impl FnOnce(std::io::Error) -> CliError {
    move |source| CliError::Terminal { what, source }
}

/// Whether `signer` may sign, as far as the payload tells: always true for
/// kinds whose signers it does not list in full (and for a derivative,
/// whose parents' owners may have to approve it).
fn listed(envelope: &Envelope, signer: &Identity) -> bool {
    let complete = match envelope.payload() {
        Payload::DesignRegister(p) => p.parents.is_empty(),
        _ => draft::other_signers(envelope.kind()).is_none(),
    };
    !complete || draft::expected_signers(envelope).contains(signer)
}
