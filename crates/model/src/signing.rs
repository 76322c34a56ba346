//! Ed25519 signatures over the signing input (RFC 8032 section 5.1).
//!
//! A signature counts when it passes `verify_strict` of ed25519-dalek: the
//! RFC 8032 cofactorless equation `[S]B = R + [k]A` with a canonical `S`,
//! refusing small-order `R` and `A`. [`Envelope::verify`] checks every line
//! and yields a [`Verified`] envelope, the only input the rules accept, so no
//! rule can run on unchecked signatures. Which keys must sign is a rule of
//! each kind ([`crate::apply`]).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer as _, SigningKey};

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
        let signature = key.sign(&self.signing_input());
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
        let signers = self.distinct_signers()?;
        let message = self.signing_input();
        for line in self.signatures() {
            let signature = Signature::from_bytes(&line.sig.0);
            line.key
                .verifying_key()?
                .verify_strict(&message, &signature)
                .map_err(|_| RuleError::SignatureInvalid { key: line.key })?;
        }
        Ok(self.verified(signers))
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

    fn verified(&self, signers: BTreeSet<Identity>) -> Verified {
        Verified {
            envelope: self.clone(),
            id: self.id(),
            signers,
        }
    }
}

/// Verifies the signatures of many envelopes at once with ed25519-dalek's
/// batch verification, for the ledger's sequencer.
///
/// When the whole batch passes, every envelope is [`Verified`]; when it
/// fails, each envelope is verified on its own with [`Envelope::verify`] so
/// that only the bad ones are refused. The answer has one result per
/// envelope, in order.
///
/// The batch equation is a random linear combination of the RFC 8032
/// equations, so a batch passes exactly when every signature passes
/// `verify_strict` for all signatures made by a signing key; the only
/// difference is a signature that its own key holder deliberately builds
/// with a small torsion component, which the batch can accept with
/// probability at most 1/8 while `verify_strict` refuses it. That can only
/// harm the key holder's own entry; an auditor replaying with
/// [`Envelope::verify`] reports it.
#[must_use]
pub fn verify_batch(envelopes: &[Envelope]) -> Vec<Result<Verified, RuleError>> {
    let mut signer_sets = Vec::with_capacity(envelopes.len());
    let mut all_distinct = true;
    for env in envelopes {
        let set = env.distinct_signers();
        all_distinct &= set.is_ok();
        signer_sets.push(set);
    }
    if all_distinct {
        let inputs: Vec<Vec<u8>> = envelopes.iter().map(Envelope::signing_input).collect();
        let mut messages: Vec<&[u8]> = Vec::new();
        let mut signatures = Vec::new();
        let mut keys = Vec::new();
        let mut all_keys = true;
        for (env, input) in envelopes.iter().zip(&inputs) {
            for line in env.signatures() {
                messages.push(input);
                signatures.push(Signature::from_bytes(&line.sig.0));
                match line.key.verifying_key() {
                    Ok(key) => keys.push(key),
                    Err(_) => all_keys = false,
                }
            }
        }
        if all_keys && ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
            return envelopes
                .iter()
                .zip(signer_sets)
                .map(|(env, set)| set.map(|s| env.verified(s)))
                .collect();
        }
    }
    envelopes.iter().map(Envelope::verify).collect()
}
