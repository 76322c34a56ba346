//! Validating a sidecar against a file with the SDK's reader, and reading
//! back what it says: the checks a C2PA validator makes, and what a test or
//! a user wants to see of a Provenant manifest.

use std::io::{Read, Seek};

use c2pa::{Context, Reader, Settings, ValidationState};
use provenant_model::Receipt;
use serde_json::Value;

use crate::{CredentialError, RECEIPT_LABEL};

/// How far a manifest checks out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Well-formed, signed, bound to the file, and signed by a certificate
    /// that chains to a trust anchor the reader was given.
    Trusted,
    /// Well-formed, signed and bound to the file; the signer is not known
    /// to be trusted.
    Valid,
    /// Something does not check: the file is not the one signed (a single
    /// changed byte), or the manifest or its signature is broken.
    Invalid,
}

/// What a sidecar says, and how far it checks out against a file.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The verdict.
    pub trust: Trust,
    /// The SDK's failure codes (such as `assertion.dataHash.mismatch`, or
    /// `signingCredential.untrusted` when the signer chains to no anchor
    /// given, which leaves the manifest valid but not trusted).
    pub failures: Vec<String>,
    /// The signer's organisation, from its certificate.
    pub issuer: Option<String>,
    /// The `c2pa.actions` actions, as JSON.
    pub actions: Vec<Value>,
    /// The `stds.schema-org.CreativeWork` assertion.
    pub creative_work: Option<Value>,
    /// The ingredients' instance ids (`urn:provenant:design:<id>`).
    pub ingredients: Vec<String>,
    /// The registration's receipt.
    pub receipt: Option<Receipt>,
}

/// Validates the sidecar `manifest` against the file read from `file`, of
/// media type `media_type`, trusting the signers that chain to the PEM
/// certificates in `anchors`.
///
/// # Errors
/// [`CredentialError::Reading`] when `manifest` is not a manifest store or
/// the anchors are not PEM certificates.
pub fn check(
    manifest: &[u8],
    file: impl Read + Seek + Send,
    media_type: &str,
    anchors: Option<&str>,
) -> Result<Checked, CredentialError> {
    let reading = |e: c2pa::Error| CredentialError::Reading(e.to_string());
    let mut settings = Settings::new();
    if let Some(anchors) = anchors {
        settings = settings
            .with_value("trust.trust_anchors", anchors)
            .map_err(reading)?;
    }
    let context = Context::new().with_settings(settings).map_err(reading)?;
    let reader = Reader::from_context(context)
        .with_manifest_data_and_stream(manifest, media_type, file)
        .map_err(reading)?;
    let trust = match reader.validation_state() {
        ValidationState::Trusted => Trust::Trusted,
        ValidationState::Valid => Trust::Valid,
        ValidationState::Invalid => Trust::Invalid,
    };
    let failures = reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .map(|m| m.failure().iter().map(|s| s.code().to_owned()).collect())
        .unwrap_or_default();
    let Some(active) = reader.active_manifest() else {
        return Err(CredentialError::Reading(
            "the store has no active manifest".into(),
        ));
    };
    let mut actions = Vec::new();
    let mut creative_work = None;
    let mut receipt = None;
    for assertion in active.assertions() {
        let Ok(value) = assertion.value() else {
            continue;
        };
        match assertion.label() {
            "c2pa.actions" | "c2pa.actions.v2" => {
                if let Some(list) = value.get("actions").and_then(Value::as_array) {
                    actions.extend(list.iter().cloned());
                }
            }
            "stds.schema-org.CreativeWork" => creative_work = Some(value.clone()),
            RECEIPT_LABEL => receipt = serde_json::from_value(value.clone()).ok(),
            _ => {}
        }
    }
    Ok(Checked {
        trust,
        failures,
        issuer: active.issuer(),
        actions,
        creative_work,
        ingredients: active
            .ingredients()
            .iter()
            .map(|i| i.instance_id().to_owned())
            .collect(),
        receipt,
    })
}
