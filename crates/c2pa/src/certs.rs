//! A test certificate authority and a signing certificate for local use:
//! what `provenant c2pa test-ca` writes. Production credentials come from
//! a CA that C2PA validators trust; these are trusted only where a reader
//! adds the test CA as a trust anchor.
//!
//! Both keys are Ed25519. The leaf carries what the C2PA certificate
//! profile asks of a signer: not a CA, `digitalSignature` key usage, the
//! document-signing extended key usage (1.3.6.1.5.5.7.3.36) and the C2PA
//! signing one, an authority key identifier, and an organisation name in
//! its subject (readers name the signer by it).

use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyIdMethod, KeyUsagePurpose, PublicKeyData, SignatureAlgorithm, SigningKey,
};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use crate::CredentialError;

/// The document-signing extended key usage (RFC 9336).
const DOCUMENT_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];
/// The C2PA signing extended key usage.
const C2PA_SIGNING: &[u64] = &[1, 3, 6, 1, 4, 1, 62558, 2, 1];

/// A test CA's certificate, and a signing certificate it issued with its
/// key, all PEM.
#[derive(Clone, Debug)]
pub struct TestCa {
    /// The CA's certificate: the trust anchor a reader adds.
    pub ca_pem: String,
    /// The signing certificate, then the CA's: the chain a manifest carries.
    pub chain_pem: String,
    /// The signing certificate's private key, PKCS#8.
    pub key_pem: String,
}

/// An Ed25519 key as rcgen signs with it.
struct Key {
    key: ed25519_dalek::SigningKey,
    public: [u8; 32],
}

impl Key {
    fn random() -> Result<Self, CredentialError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| CredentialError::Certificate(e.to_string()))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public = key.verifying_key().to_bytes();
        Ok(Key { key, public })
    }

    /// RFC 7093 method 1: the first 160 bits of the SHA-256 of the key.
    fn identifier(&self) -> KeyIdMethod {
        KeyIdMethod::PreSpecified(Sha256::digest(self.public)[..20].to_vec())
    }
}

impl PublicKeyData for Key {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

impl SigningKey for Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

fn name(common: &str, organisation: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common);
    dn.push(DnType::OrganizationName, organisation);
    dn
}

fn serial() -> Result<rcgen::SerialNumber, CredentialError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| CredentialError::Certificate(e.to_string()))?;
    // Positive, as DER integers for serials must be.
    bytes[0] &= 0x7f;
    Ok(rcgen::SerialNumber::from_slice(&bytes))
}

fn failed(e: &rcgen::Error) -> CredentialError {
    CredentialError::Certificate(e.to_string())
}

/// A new test CA for `organisation`, valid for `days` from yesterday (a
/// clock a little behind still accepts it), and a signing certificate it
/// issued.
///
/// # Errors
/// [`CredentialError::Certificate`] when the system has no randomness.
pub fn test_ca(organisation: &str, days: i64) -> Result<TestCa, CredentialError> {
    let not_before = OffsetDateTime::now_utc() - Duration::days(1);
    let not_after = not_before + Duration::days(days.max(1) + 1);

    let ca_key = Key::random()?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = name(&format!("{organisation} test CA"), organisation);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.serial_number = Some(serial()?);
    ca.key_identifier_method = ca_key.identifier();
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| failed(&e))?;

    let leaf_key = Key::random()?;
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = name(&format!("{organisation} Content Credentials"), organisation);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING.to_vec()),
        ExtendedKeyUsagePurpose::Other(C2PA_SIGNING.to_vec()),
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.serial_number = Some(serial()?);
    leaf.key_identifier_method = leaf_key.identifier();
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    let issuer = Issuer::new(ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(|e| failed(&e))?;

    let key_pem = leaf_key
        .key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| CredentialError::Certificate(e.to_string()))?;
    Ok(TestCa {
        ca_pem: ca_cert.pem(),
        chain_pem: format!("{}{}", leaf_cert.pem(), ca_cert.pem()),
        key_pem: key_pem.to_string(),
    })
}
