//! What the draft commands share: keys and identities read from the command
//! line, and a draft written atomically with a word on who signs next. The
//! commands that ask a server use its file writing and clock too.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::SigningKey;
use provenant_client::draft;
use provenant_keyfile as keyfile;
use provenant_model::ids::IDENTITY_PREFIX;
use provenant_model::{Envelope, Identity, Payload, Timestamp, identity_of};
use serde_json::Value;

use crate::error::CliError;
use crate::output::Output;

/// Names `path` in an I/O error.
pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CliError {
    CliError::file(path)
}

/// An identity given as `ed25519:...` or as a key file (its public half).
pub(super) fn identity(text: &str) -> Result<Identity, CliError> {
    if text.starts_with(IDENTITY_PREFIX) {
        return Ok(draft::parse_identity(text)?);
    }
    let path = Path::new(text);
    if path.is_file() {
        return load_key(path).map(|(_, identity)| identity);
    }
    Err(CliError::Arguments(format!(
        "{text:?} is neither an ed25519: identity nor a key file"
    )))
}

/// A private key file (PKCS#8 PEM) and its public identity.
pub(super) fn load_key(path: &Path) -> Result<(SigningKey, Identity), CliError> {
    let key = keyfile::load(path)?;
    let identity = identity_of(&key)?;
    Ok((key, identity))
}

/// Writes `text` and a newline to `path` atomically: a temporary file in the
/// same directory, synced, then renamed over `path`.
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), CliError> {
    let name = path.file_name().ok_or_else(|| CliError::BadFile {
        path: path.to_owned(),
        detail: "not a file name".to_owned(),
    })?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        // Best effort: the temporary file may not even exist.
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(io_error(path))
}

/// Now, to the second, in UTC.
pub(crate) fn now() -> Result<Timestamp, CliError> {
    Timestamp::from_unix(time::OffsetDateTime::now_utc().unix_timestamp()).ok_or(CliError::Clock)
}

/// A JSON value as pretty text.
pub(crate) fn pretty(value: &Value) -> Result<String, CliError> {
    Ok(serde_json::to_string_pretty(value)?)
}

/// What the envelope creates, when it has a name worth printing.
fn subject(envelope: &Envelope) -> Option<String> {
    match envelope.payload() {
        Payload::DesignRegister(p) => Some(format!("design {}", p.content.blake3)),
        Payload::LicenseGrant(_) => Some(format!("grant id {}", envelope.id())),
        Payload::DisputeRaise(_) => Some(format!("dispute id {}", envelope.id())),
        _ => None,
    }
}

fn join(keys: &[Identity]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who still has to sign, as far as the payload tells, and who else the
/// ledger requires.
pub(super) fn to_sign(envelope: &Envelope) -> String {
    let pending = draft::pending_signers(envelope);
    let mut lines = Vec::new();
    if !pending.is_empty() {
        lines.push(format!("still to sign: {}", join(&pending)));
    }
    if let Some(others) = draft::other_signers(envelope.kind()) {
        lines.push(format!("the ledger checks for signatures by: {others}"));
    }
    if lines.is_empty() {
        lines.push("every signer has signed: submit it".to_owned());
    }
    lines.join("\n")
}

/// Prints the draft, or writes it to `out` and says what to do next.
pub(super) fn emit(envelope: &Envelope, out: Option<&Path>) -> Result<Output, CliError> {
    let value = envelope.to_value();
    let json = pretty(&value)?;
    let Some(path) = out else {
        return Ok(Output::new(json, value));
    };
    write_atomic(path, &json)?;
    let mut lines = vec![format!(
        "wrote the {} draft to {}",
        envelope.kind(),
        path.display()
    )];
    lines.extend(subject(envelope));
    lines.push(to_sign(envelope));
    let text = lines.join("\n");
    Ok(Output::new(text, value))
}

/// A draft, or why it could not be built.
pub(super) fn built(result: Result<Envelope, draft::DraftError>) -> Result<Envelope, CliError> {
    Ok(result?)
}
