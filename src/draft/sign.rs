//! `sign` and `license accept`: a signature added to an envelope file.

use std::path::PathBuf;

use clap::Args;
use provenant_client::draft;
use provenant_model::{Envelope, Identity, Payload};
use serde_json::json;

use super::io::{io_error, load_key, pretty, to_sign, write_atomic};
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
}

impl SignArgs {
    /// Signs the envelope.
    pub fn run(&self) -> Result<Output, String> {
        self.sign_with(draft::sign)
    }

    /// Signs a license grant as its licensee (`license accept`).
    pub fn run_as_licensee(&self) -> Result<Output, String> {
        self.sign_with(draft::sign_as_licensee)
    }

    fn sign_with(
        &self,
        sign: fn(&mut Envelope, &ed25519_dalek::SigningKey) -> Result<(), draft::DraftError>,
    ) -> Result<Output, String> {
        let bytes = std::fs::read(&self.envelope).map_err(io_error(&self.envelope))?;
        let mut envelope =
            Envelope::from_json(&bytes).map_err(|e| format!("{}: {e}", self.envelope.display()))?;
        let (key, signer) = load_key(&self.key)?;
        sign(&mut envelope, &key).map_err(|e| e.to_string())?;
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
