//! Ed25519 signatures over the signing input (RFC 8032 section 5.1).
//!
//! A signature counts when it passes `verify_strict` of ed25519-dalek: the
//! RFC 8032 cofactorless equation `[S]B = R + [k]A` with a canonical `S`,
//! refusing small-order `R` and `A`. [`verify_signature`] gives exactly
//! those verdicts for less work. [`Envelope::verify`] checks every line
//! and yields a [`Verified`] envelope, the only input the rules accept, so no
//! rule can run on unchecked signatures. Which keys must sign is a rule of
//! each kind ([`crate::apply`]).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::codec::{from_base64, to_base64};
use crate::ids::serde_via_str;
use crate::{EntryId, Envelope, Identity, RuleError, SignatureLine};

/// The 64 bytes of an Ed25519 signature; text is padded base64.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SignatureBytes(pub [u8; 64]);

impl fmt::Display for SignatureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_base64(&self.0))
    }
}

impl fmt::Debug for SignatureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignatureBytes({self})")
    }
}

impl FromStr for SignatureBytes {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        from_base64::<64>(text)
            .map(SignatureBytes)
            .ok_or_else(|| RuleError::Malformed {
                field: "signatures.sig".to_owned(),
                detail: "not canonical base64 of 64 bytes".to_owned(),
            })
    }
}

serde_via_str!(SignatureBytes);

/// An envelope whose every signature line verified; the signer set is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    envelope: Envelope,
    id: EntryId,
    signers: BTreeSet<Identity>,
}

impl Verified {
    /// The envelope.
    #[must_use]
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The envelope's id.
    #[must_use]
    pub fn id(&self) -> EntryId {
        self.id
    }

    /// The keys whose signatures verified.
    #[must_use]
    pub fn signers(&self) -> &BTreeSet<Identity> {
        &self.signers
    }

    /// Gives the envelope back.
    #[must_use]
    pub fn into_envelope(self) -> Envelope {
        self.envelope
    }
}

/// The identity of a signing key.
///
/// # Errors
/// [`RuleError::Malformed`] for the (practically impossible) small-order key.
pub fn identity_of(key: &SigningKey) -> Result<Identity, RuleError> {
    Identity::from_key(&key.verifying_key())
}

impl Envelope {
    /// Signs the envelope's signing input with `key`, adding (or replacing)
    /// the key's signature line.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] for a small-order key.
    pub fn sign(&mut self, key: &SigningKey) -> Result<(), RuleError> {
        let signature = key.sign(self.signing_bytes());
        self.push_signature(SignatureLine {
            key: identity_of(key)?,
            sig: SignatureBytes(signature.to_bytes()),
        });
        Ok(())
    }

    /// Checks that no key signs twice and that every signature verifies.
    ///
    /// # Errors
    /// [`RuleError::DuplicateSignature`] or [`RuleError::SignatureInvalid`].
    pub fn verify(&self) -> Result<Verified, RuleError> {
        let signers = self.check_signatures()?;
        Ok(Verified {
            envelope: self.clone(),
            id: self.id(),
            signers,
        })
    }

    /// As [`Envelope::verify`], keeping the envelope instead of copying it:
    /// the sequencer's form, which has no use for an envelope refused.
    ///
    /// # Errors
    /// As [`Envelope::verify`].
    pub fn into_verified(self) -> Result<Verified, RuleError> {
        let signers = self.check_signatures()?;
        let id = self.id();
        Ok(Verified {
            envelope: self,
            id,
            signers,
        })
    }

    /// The distinct signers, once every signature verified.
    fn check_signatures(&self) -> Result<BTreeSet<Identity>, RuleError> {
        let signers = self.distinct_signers()?;
        let message = self.signing_bytes();
        for line in self.signatures() {
            if !verify_signature(&line.key.verifying_key()?, message, &line.sig.0) {
                return Err(RuleError::SignatureInvalid { key: line.key });
            }
        }
        Ok(signers)
    }

    fn distinct_signers(&self) -> Result<BTreeSet<Identity>, RuleError> {
        let mut signers = BTreeSet::new();
        for line in self.signatures() {
            if !signers.insert(line.key) {
                return Err(RuleError::DuplicateSignature { key: line.key });
            }
        }
        Ok(signers)
    }
}

/// The canonical encodings of the eight points of small order (the
/// torsion subgroup of edwards25519), as listed in the C2SP Ed25519 test
/// vectors' README: order 1 (the identity), order 2, two of order 4, four
/// of order 8. Their other six encodings are non-canonical.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex32("0000000000000000000000000000000000000000000000000000000000000000"),
    hex32("0000000000000000000000000000000000000000000000000000000000000080"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
];

/// Whether `signature` is `key`'s Ed25519 signature of `message`, with
/// exactly the verdicts of ed25519-dalek's `verify_strict` and less work.
///
/// `verify_strict` decompresses `R` (refusing bytes that are not a point),
/// refuses a small-order `R` or `A`, then accepts when `R'`, the
/// compression of `[S]B - [k]A` with `k = SHA-512(R || A || M)` over the
/// bytes as given, equals `R`'s 32 bytes. This function runs ed25519-dalek's
/// `verify`, which computes the same `R'` and compares the same bytes (both
/// refuse a non-canonical `S`, at or above the group order), after refusing
/// the 8 encodings in `SMALL_ORDER_ENCODINGS` as `R` and a small-order `A`.
/// It saves `R`'s decompression (a field exponentiation) and its
/// small-order test.
///
/// The verdicts are the same. `A` and `S` are treated alike by both.
/// - If this function accepts: `R` equals `R'`, a compression, and a
///   compression is the canonical encoding of its point, so `R`
///   decompresses. That point is not of small order: there are 8
///   small-order points and the 8 refused encodings are their canonical
///   ones. So `verify_strict` accepts.
/// - If `verify_strict` accepts: `R` equals `R'` and decompresses to a point
///   not of small order, while each of the 8 encodings decompresses to a
///   small-order point, so `R` is none of them and this function accepts.
///
/// `A`'s test costs three point doublings; the keys of identities never
/// fail it ([`Identity`] refuses small-order keys when parsed), but
/// keeping it makes the function equal to `verify_strict` for every key.
/// `crates/model/tests/strict_verification.rs` checks the equality on the
/// speccheck and C2SP vectors (`fixtures/ed25519`), on crafted torsion,
/// non-canonical and out-of-range cases, and on mutated honest signatures.
#[must_use]
pub fn verify_signature(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
    let r = &signature[..32];
    !SMALL_ORDER_ENCODINGS.iter().any(|small| small[..] == *r)
        && !key.is_weak()
        && key
            .verify(message, &Signature::from_bytes(signature))
            .is_ok()
}

/// 32 bytes from 64 hex digits, at compile time.
const fn hex32(text: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        }
    }
    let text = text.as_bytes();
    assert!(text.len() == 64, "not 64 hex digits");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (digit(text[2 * i]) << 4) | digit(text[2 * i + 1]);
        i += 1;
    }
    out
}
