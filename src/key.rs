//! `provenant key`: create and inspect the Ed25519 keys that sign entries.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Subcommand};
use ed25519_dalek::VerifyingKey;

use provenant_keyfile as keyfile;
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;

/// Create and inspect signing keys.
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Write a new Ed25519 private key (PKCS#8 PEM, mode 0600) and print its
    /// public identity. Never overwrites an existing file.
    Generate {
        /// Where to write the key.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the public identity of a key file.
    Show {
        /// The key file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Draft a key rotation (unsigned): the old key and the new key both
    /// sign it, and the new key inherits the old key's shares and grants.
    Rotate(crate::draft::RotateArgs),
}

/// The public identity of a key: `ed25519:` and the standard base64 of its
/// 32 bytes, as it appears in every entry.
fn identity(key: &VerifyingKey) -> String {
    format!("ed25519:{}", STANDARD.encode(key.as_bytes()))
}

/// Runs the command and returns what to print.
///
/// # Errors
/// The key file's errors.
pub fn run(args: &KeyArgs) -> Result<Output, CliError> {
    let key = match &args.command {
        KeyCommand::Generate { out } => keyfile::generate(out),
        KeyCommand::Show { file } => keyfile::load(file),
        KeyCommand::Rotate(rotate) => return rotate.run(),
    }?;
    let id = identity(&key.verifying_key());
    Ok(Output::new(id.clone(), json!({"identity": id})))
}
