//! C2PA Content Credentials for registered designs: sidecar manifest
//! stores (`.c2pa`) built and read with the Content Authenticity
//! Initiative's own SDK (the `c2pa` crate, pure-Rust crypto, no network).
//!
//! The ledger never holds a design's bytes, and needs none: a sidecar's
//! hard binding (`c2pa.hash.data` over the whole file, no exclusions) is
//! the plain SHA-256 of the file, which every registration records. The
//! manifest says who made the design, how AI was involved, what it derives
//! from, and carries the registration's receipt (entry, index, leaf hash,
//! inclusion proof, checkpoint) so that any C2PA reader leads back to the
//! log, and the receipt verifies offline.
//!
//! | module | what |
//! |---|---|
//! | [`certs`] | a test CA and signing certificate for local use |
//! | [`manifest`] | the manifest of a registered design, signed by an [`Issuer`] |
//! | [`read`] | validating a sidecar against a file, and what it says |

pub mod certs;
pub mod manifest;
pub mod read;

pub use certs::{TestCa, test_ca};
pub use manifest::{Credential, Issuer, MEDIA_TYPE, Parent, RECEIPT_LABEL};
pub use read::{Checked, Trust, check};

/// Why a Content Credential could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// Making a test certificate failed.
    #[error("making a certificate: {0}")]
    Certificate(String),
    /// The signing certificate chain or key is unusable: unreadable, not
    /// Ed25519, or refused by the C2PA certificate profile.
    #[error("the C2PA signing credentials are unusable: {0}")]
    Credentials(String),
    /// The SDK refused to build or sign the manifest.
    #[error("signing the manifest: {0}")]
    Signing(String),
    /// The sidecar is not a manifest store the SDK reads.
    #[error("reading the manifest: {0}")]
    Reading(String),
}
