//! The manifest of a registered design, and the issuer that signs it.
//!
//! | registration | manifest |
//! |---|---|
//! | `content.sha256` | `c2pa.hash.data`: the hash of the whole file (a sidecar's hard binding) |
//! | `title`, `content.media_type` | the claim's title and format |
//! | `creators` | `stds.schema-org.CreativeWork` authors: each creator's key, role and share |
//! | `ai.digital_source_type` | `c2pa.actions`: `c2pa.created` with that IPTC `digitalSourceType` (`digitalCreation` when no AI was disclosed), the software agent and the human contribution |
//! | `parents` | one `componentOf` ingredient per parent, named `urn:provenant:design:<id>`, each with a `c2pa.placed` action |
//! | the registration entry | `org.provenant.receipt`: its receipt (entry, index, leaf hash, inclusion proof, signed checkpoint) |
//!
//! Parents are `componentOf`, never `parentOf`: C2PA allows one parent
//! ingredient, and a design may derive from up to 16.

use std::io::Cursor;

use c2pa::assertions::DataHash;
use c2pa::{Builder, Context, Settings, SigningAlg, create_signer};
use provenant_api::DesignDetails;
use provenant_model::{DesignId, MediaType, Receipt};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::{CredentialError, Trust};

/// The media type of a sidecar manifest store.
pub const MEDIA_TYPE: &str = "application/c2pa";
/// The label of the assertion carrying the registration's receipt.
pub const RECEIPT_LABEL: &str = "org.provenant.receipt";
/// The IPTC digital source type of a design registered without an AI
/// disclosure: made with digital tools, by people.
const DIGITAL_CREATION: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation";

/// A design's parent, as an ingredient.
#[derive(Clone, Debug)]
pub struct Parent {
    /// The parent design.
    pub design: DesignId,
    /// Its registered title.
    pub title: String,
    /// Its media type.
    pub media_type: MediaType,
}

/// What the manifest of a registered design says.
#[derive(Clone, Debug)]
pub struct Credential<'a> {
    /// What the registration said.
    pub details: &'a DesignDetails,
    /// The design's parents, in registration order.
    pub parents: Vec<Parent>,
    /// The registration's receipt, proven under the log's latest
    /// checkpoint.
    pub receipt: &'a Receipt,
}

/// The `urn:provenant:design:<id>` naming a design in manifests.
#[must_use]
pub fn design_urn(design: &DesignId) -> String {
    format!("urn:provenant:design:{design}")
}

/// A signing certificate chain (the signer's certificate first, PEM) and
/// its Ed25519 private key (PKCS#8 PEM): what signs every manifest.
#[derive(Clone)]
pub struct Issuer {
    chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer").finish_non_exhaustive()
    }
}

impl Issuer {
    /// The issuer of this chain and key, once a manifest signed with them
    /// is accepted by the SDK (which checks the signer's certificate
    /// against the C2PA certificate profile) and validates when read back
    /// (the key is the certificate's).
    ///
    /// # Errors
    /// [`CredentialError::Credentials`] naming what is wrong.
    pub fn new(chain_pem: Vec<u8>, key_pem: Vec<u8>) -> Result<Self, CredentialError> {
        const PROBE: &[u8] = b"provenant: a probe of the signing credentials";
        let issuer = Issuer { chain_pem, key_pem };
        let unusable = |e: CredentialError| match e {
            CredentialError::Signing(why) | CredentialError::Reading(why) => {
                CredentialError::Credentials(why)
            }
            other => other,
        };
        let sha256: [u8; 32] = Sha256::digest(PROBE).into();
        let probe = issuer
            .sign_with(&json!({"title": "probe", "format": "image/png"}), &sha256, |builder| {
                builder
                    .add_action(json!({"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}))
                    .map(|_| ())
                    .map_err(signing)
            })
            .map_err(unusable)?;
        let read = crate::check(&probe, Cursor::new(PROBE), "image/png", None).map_err(unusable)?;
        if read.trust == Trust::Invalid {
            return Err(CredentialError::Credentials(format!(
                "a manifest signed with them does not validate ({}): is the key the signing \
                 certificate's?",
                read.failures.join(", ")
            )));
        }
        Ok(issuer)
    }

    /// The sidecar manifest store of `credential`: the bytes of a `.c2pa`
    /// file that sits beside the design's file.
    ///
    /// # Errors
    /// [`CredentialError::Signing`] when the SDK refuses the manifest.
    pub fn sign(&self, credential: &Credential<'_>) -> Result<Vec<u8>, CredentialError> {
        let details = credential.details;
        let ingredients: Vec<Value> = credential
            .parents
            .iter()
            .enumerate()
            .map(|(i, parent)| {
                json!({
                    "title": parent.title,
                    "format": parent.media_type.as_str(),
                    "relationship": "componentOf",
                    "label": format!("parent-{i}"),
                    "instance_id": design_urn(&parent.design),
                })
            })
            .collect();
        let definition = json!({
            "title": details.title,
            "format": details.content.media_type.as_str(),
            "instance_id": design_urn(&details.content.blake3),
            "claim_generator_info": [{"name": "provenant", "version": env!("CARGO_PKG_VERSION")}],
            "ingredients": ingredients,
        });
        let sha256 = details.content.sha256.0;
        self.sign_with(&definition, &sha256, |builder| {
            builder.add_action(created(details)).map_err(signing)?;
            for i in 0..credential.parents.len() {
                builder
                    .add_action(json!({
                        "action": "c2pa.placed",
                        "parameters": {"ingredientIds": [format!("parent-{i}")]},
                    }))
                    .map_err(signing)?;
            }
            builder
                .add_assertion_json("stds.schema-org.CreativeWork", &creative_work(details))
                .map_err(signing)?;
            builder
                .add_assertion_json(RECEIPT_LABEL, credential.receipt)
                .map_err(signing)?;
            Ok(())
        })
    }

    /// Builds a manifest from `definition` bound to the file whose SHA-256
    /// is `sha256`, adds what `assertions` adds, and signs it.
    fn sign_with(
        &self,
        definition: &Value,
        sha256: &[u8; 32],
        assertions: impl FnOnce(&mut Builder) -> Result<(), CredentialError>,
    ) -> Result<Vec<u8>, CredentialError> {
        let signer =
            create_signer::from_keys(&self.chain_pem, &self.key_pem, SigningAlg::Ed25519, None)
                .map_err(|e| CredentialError::Credentials(e.to_string()))?;
        // A sidecar of a file the ledger never sees has no thumbnail.
        let settings = Settings::new()
            .with_value("builder.thumbnail.enabled", false)
            .map_err(signing)?;
        let context = Context::new()
            .with_settings(settings)
            .map_err(signing)?
            .with_signer(signer);
        let mut builder = Builder::from_context(context)
            .with_definition(definition.clone())
            .map_err(signing)?;
        // A sidecar's hard binding: the whole file, no exclusions.
        let mut hash = DataHash::new("jumbf manifest", "sha256");
        hash.set_hash(sha256.to_vec());
        builder
            .add_assertion(DataHash::LABEL, &hash)
            .map_err(signing)?;
        assertions(&mut builder)?;
        builder.sign_embeddable(MEDIA_TYPE).map_err(signing)
    }
}

// By value: it is `map_err`'s adapter.
#[allow(clippy::needless_pass_by_value)]
fn signing(e: c2pa::Error) -> CredentialError {
    CredentialError::Signing(e.to_string())
}

/// `c2pa.created`, with the registration's AI disclosure.
fn created(details: &DesignDetails) -> Value {
    let mut action = json!({"action": "c2pa.created"});
    match &details.ai {
        Some(ai) => {
            action["digitalSourceType"] = json!(ai.digital_source_type.as_str());
            if let Some(agent) = &ai.software_agent {
                action["softwareAgent"] = json!({"name": agent});
            }
            if let Some(human) = &ai.human_contribution {
                action["description"] = json!(human);
            }
        }
        None => action["digitalSourceType"] = json!(DIGITAL_CREATION),
    }
    action
}

/// The schema.org description of the design and its creators: each
/// creator is known to the ledger by key, role and share, not by name.
fn creative_work(details: &DesignDetails) -> Value {
    let authors: Vec<Value> = details
        .creators
        .iter()
        .map(|c| {
            json!({
                "@type": "Person",
                "identifier": c.key.to_string(),
                "description": format!(
                    "{}, {} of the ownership at registration",
                    c.role.as_str(),
                    c.share_ppm
                ),
            })
        })
        .collect();
    let mut work = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": details.title,
        "identifier": design_urn(&details.content.blake3),
        "author": authors,
    });
    if !details.description.is_empty() {
        work["description"] = json!(details.description);
    }
    work
}
