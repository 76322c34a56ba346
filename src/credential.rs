//! `design c2pa` (a design's Content Credential, checked against its file
//! when given one) and `c2pa test-ca` (a test CA and signing certificate
//! for a local server).

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use clap::Args;
use provenant_c2pa::{Checked, Trust};
use provenant_model::DesignId;
use serde_json::{Value, json};

use crate::draft::hash_file;
use crate::draft::io::io_error;
use crate::error::CliError;
use crate::output::Output;
use crate::remote::ServerArg;

/// Fetch a design's C2PA Content Credential (a `.c2pa` sidecar manifest
/// store); given the design's file, validate it against the file too.
#[derive(Debug, Args)]
pub struct DesignC2paArgs {
    /// The design's id (BLAKE3 hex), or its file: then the credential is
    /// also validated against the file's bytes.
    design: String,
    /// Validate the credential against this file [default: the design's
    /// file, when given one]: a file that is not the design's bytes is
    /// reported invalid (exit 1).
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,
    /// Where to write the sidecar [default: FILE.c2pa beside the design's
    /// file, or ID.c2pa].
    #[arg(long, value_name = "FILE.c2pa")]
    out: Option<PathBuf>,
    /// A CA certificate (PEM) to trust, such as the one `c2pa test-ca`
    /// wrote: a credential it vouches for is reported trusted.
    #[arg(long, value_name = "CA.pem")]
    trust: Option<PathBuf>,
    /// The design file's media type, for the validation [default: from its
    /// extension].
    #[arg(long, value_name = "TYPE/SUBTYPE")]
    media_type: Option<String>,
}

impl DesignC2paArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let file = Path::new(&self.design);
        let (id, file): (DesignId, Option<&Path>) = if file.is_file() {
            (hash_file(file)?.blake3, Some(file))
        } else {
            (self.design.parse()?, None)
        };
        let sidecar = server.client()?.credential(&id)?;
        let out = self.out.clone().unwrap_or_else(|| match file {
            Some(file) => {
                let mut name = file.as_os_str().to_owned();
                name.push(".c2pa");
                PathBuf::from(name)
            }
            None => PathBuf::from(format!("{id}.c2pa")),
        });
        std::fs::write(&out, &sidecar).map_err(io_error(&out))?;
        let mut text = format!(
            "wrote {} ({} bytes): the Content Credential of design {id}",
            out.display(),
            sidecar.len()
        );
        let mut value = json!({"design": id, "out": out, "bytes": sidecar.len()});
        let Some(file) = self.check.as_deref().or(file) else {
            return Ok(Output::new(text, value));
        };
        let anchors = self
            .trust
            .as_ref()
            .map(|path| std::fs::read_to_string(path).map_err(io_error(path)))
            .transpose()?;
        let media_type = self
            .media_type
            .clone()
            .unwrap_or_else(|| provenant_client::draft::media_type_for(file).to_owned());
        let bytes = File::open(file).map_err(io_error(file))?;
        let checked = provenant_c2pa::check(&sidecar, bytes, &media_type, anchors.as_deref())
            .map_err(|e| CliError::BadFile {
                path: out.clone(),
                detail: e.to_string(),
            })?;
        text.push('\n');
        text.push_str(&describe(&checked));
        value["check"] = checked_json(&checked);
        let out = Output::new(text, value);
        Ok(if checked.trust == Trust::Invalid {
            out.denied()
        } else {
            out
        })
    }
}

/// A verdict in words, then what the manifest says.
fn describe(checked: &Checked) -> String {
    let verdict = match checked.trust {
        Trust::Trusted => "trusted: valid, signed by a certificate the given CA vouches for",
        Trust::Valid => {
            "valid: bound to this file and signed (pass --trust CA.pem to check the signer)"
        }
        Trust::Invalid => "INVALID: the credential does not match this file or is broken",
    };
    let mut lines = vec![format!("check    {verdict}")];
    if !checked.failures.is_empty() {
        lines.push(format!("failures {}", checked.failures.join(", ")));
    }
    if let Some(issuer) = &checked.issuer {
        lines.push(format!("signer   {issuer}"));
    }
    for action in &checked.actions {
        let name = action.get("action").and_then(Value::as_str).unwrap_or("?");
        let source = action
            .get("digitalSourceType")
            .and_then(Value::as_str)
            .map(|s| format!(" ({})", s.rsplit('/').next().unwrap_or(s)))
            .unwrap_or_default();
        lines.push(format!("action   {name}{source}"));
    }
    if let Some(receipt) = &checked.receipt {
        lines.push(format!(
            "ledger   entry {} (leaf {}), with its inclusion proof and checkpoint",
            receipt.index, receipt.leaf_hash
        ));
    }
    lines.join("\n")
}

fn checked_json(checked: &Checked) -> Value {
    json!({
        "trust": match checked.trust {
            Trust::Trusted => "trusted",
            Trust::Valid => "valid",
            Trust::Invalid => "invalid",
        },
        "failures": checked.failures,
        "issuer": checked.issuer,
        "actions": checked.actions,
        "creative_work": checked.creative_work,
        "ingredients": checked.ingredients,
        "receipt": checked.receipt,
    })
}

/// Write a test CA and a C2PA signing certificate it issued, for a local
/// server (`serve --c2pa-chain DIR/chain.pem --c2pa-key DIR/key.pem`; a
/// server given none makes its own in `DATA_DIR/c2pa`). Readers trust its
/// credentials only if given `DIR/ca.pem` as an anchor.
#[derive(Debug, Args)]
pub struct TestCaArgs {
    /// The directory to write `ca.pem`, `chain.pem` and `key.pem` (0600)
    /// into; none of them may exist.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The organisation the certificates name (readers show it as the
    /// signer).
    #[arg(long, default_value = "Provenant test")]
    organisation: String,
    /// How many days the certificates are valid.
    #[arg(long, default_value_t = 365)]
    days: i64,
}

impl TestCaArgs {
    pub fn run(&self) -> Result<Output, CliError> {
        write_test_ca(&self.out, &self.organisation, self.days)?;
        let dir = self.out.display();
        Ok(Output::new(
            format!(
                "wrote {dir}/ca.pem (the test CA: give it to readers as a trust anchor), \
                 {dir}/chain.pem and {dir}/key.pem (the signing certificate and key: \
                 serve --c2pa-chain {dir}/chain.pem --c2pa-key {dir}/key.pem)"
            ),
            json!({"ca": self.out.join("ca.pem"), "chain": self.out.join("chain.pem"), "key": self.out.join("key.pem")}),
        ))
    }
}

/// Writes a new test CA into `dir` (created if missing): `ca.pem`,
/// `chain.pem` and `key.pem` (0600), none of which may exist.
///
/// # Errors
/// A file that exists, I/O errors.
pub fn write_test_ca(dir: &Path, organisation: &str, days: i64) -> Result<(), CliError> {
    let ca = provenant_c2pa::test_ca(organisation, days)
        .map_err(|e| CliError::Arguments(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let files = [
        ("ca.pem", ca.ca_pem.as_str(), 0o644),
        ("chain.pem", ca.chain_pem.as_str(), 0o644),
        ("key.pem", ca.key_pem.as_str(), 0o600),
    ];
    for (name, _, _) in files {
        let path = dir.join(name);
        if path.exists() {
            return Err(CliError::BadFile {
                path,
                detail: "exists: choose another directory".into(),
            });
        }
    }
    for (name, text, mode) in files {
        let path = dir.join(name);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
            .map_err(io_error(&path))?;
        file.write_all(text.as_bytes()).map_err(io_error(&path))?;
        file.sync_all().map_err(io_error(&path))?;
    }
    Ok(())
}

/// The issuer of a server given no C2PA chain: the local test CA in
/// `dir`, made on the first start (like the log's key). Its credentials
/// are valid everywhere and trusted only where `dir/ca.pem` is an anchor.
///
/// # Errors
/// A test CA that cannot be written or read, or that the SDK refuses.
pub fn local_issuer(dir: &Path) -> Result<provenant_c2pa::Issuer, String> {
    if !dir.join("key.pem").exists() {
        write_test_ca(dir, LOCAL_ORGANISATION, LOCAL_DAYS).map_err(|e| e.to_string())?;
    }
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    provenant_c2pa::Issuer::new(read("chain.pem")?, read("key.pem")?)
        .map_err(|e| format!("the local test CA in {}: {e}", dir.display()))
}

/// The organisation a server's local test CA names.
const LOCAL_ORGANISATION: &str = "Provenant local test";
/// How long a server's local test CA is valid, in days (ten years).
const LOCAL_DAYS: i64 = 3653;
