//! Bounds checked before any cryptography: [`Envelope::precheck`].
//!
//! Verifying an Ed25519 signature costs far more than everything else a
//! write does before the sequencer, and an envelope that is refused is
//! never logged, so the same refused envelope can be sent again and again.
//! Every bound that needs neither the state nor a signature check is
//! therefore checked when an envelope arrives, before it queues:
//!
//! | bound | value | refusal |
//! |---|---|---|
//! | signature lines in any envelope (checked while parsing, before a key is decoded) | [`MAX_SIGNATURES`] = 320 | `too-many-items` (`signatures`) |
//! | leaf bytes of the entry as it would be logged | [`MAX_ENTRY_BYTES`] = 65,535 | `entry-too-large` |
//! | a key signing twice | none | `duplicate-signature` |
//! | signers of `design.register` without parents | the creators | `unexpected-signer` |
//! | signers of `design.register` with parents | creators + 256 per parent, at most 320 | `too-many-items` |
//! | signers of `license.grant`, `license.revoke` | [`MAX_OWNERS`] + 1 (owners and the licensee) | `too-many-items` |
//! | signers of `usage.record`, `dispute.raise` | 1 (the licensee; the raiser) | `too-many-items` |
//! | signers of `ownership.transfer` | the givers and the receiver | `unexpected-signer` |
//! | signers of `key.rotate` | the old and the new key | `unexpected-signer` |
//! | signers of `dispute.resolve` | the configured arbiters | `not-arbiter` |
//!
//! The entry's size is exact for the ledger's whole-second `logged_at`
//! (20 bytes, the shortest a [`crate::Timestamp`] prints), so the check
//! refuses exactly the entries the log could not hold. Which keys *must*
//! sign, and whether a signer holds what it claims, need the state: those
//! stay rules of [`crate::apply`], which also checks who signed before
//! any rule that walks ancestors.
//!
//! [`MAX_OWNERS`] is also a rule of the state: a transfer that would give
//! a design more owners is refused with [`RuleError::TooManyOwners`]. With
//! it, a grant signed by every owner of a design still fits in one entry
//! (257 signature lines are 41,119 bytes of the 65,535).

use std::collections::BTreeSet;

use crate::codec::check_count;
use crate::payload::MAX_CREATORS;
use crate::{Envelope, Identity, Payload, RuleError};

/// The largest entry, in leaf bytes: a C2SP entry bundle stores each
/// entry's length in a `u16`.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

/// Most owners of one design. Registration has at most 64 creators; each
/// transfer may add one owner, up to this many.
pub const MAX_OWNERS: usize = 256;

/// Most signature lines on one envelope of any kind: every creator of a
/// derivative and every owner of a parent that must approve it.
pub const MAX_SIGNATURES: usize = MAX_CREATORS + MAX_OWNERS;

/// The length of the shortest `logged_at` text, `YYYY-MM-DDTHH:MM:SSZ`:
/// the ledger's own, as it stamps whole seconds.
pub const SHORTEST_STAMP: usize = "2026-01-01T00:00:00Z".len();

/// The bytes of the leaf around the kind, the stamp and the payload.
const ENTRY_FRAME: usize = r#"{"kind":"","logged_at":"","payload":,"signatures":[]}"#.len();

/// One signature line in the leaf: identity text (`ed25519:` and 44
/// base64 characters) and signature text (88 base64 characters).
const LINE: usize = r#"{"key":"","sig":""}"#.len() + 52 + 88;

impl Envelope {
    /// The length of this envelope's leaf bytes (see [`crate::Entry::leaf_bytes`])
    /// when logged with a `logged_at` text of `stamp_len` bytes, computed
    /// without building them.
    #[must_use]
    pub fn leaf_len(&self, stamp_len: usize) -> usize {
        let lines = self.signatures().len();
        ENTRY_FRAME
            + self.kind().as_str().len()
            + stamp_len
            + self.canonical_payload().len()
            + lines * LINE
            + lines.saturating_sub(1)
    }

    /// Every bound on the envelope that needs neither the state nor a
    /// signature check (the table in [`crate::bounds`]); `arbiters` are the
    /// keys allowed to resolve disputes. Call it before verifying the
    /// signatures: it costs microseconds, a signature check tens of them.
    ///
    /// # Errors
    /// [`RuleError::EntryTooLarge`], [`RuleError::TooManyItems`],
    /// [`RuleError::DuplicateSignature`], [`RuleError::UnexpectedSigner`]
    /// or [`RuleError::NotArbiter`].
    pub fn precheck(&self, arbiters: &[Identity]) -> Result<(), RuleError> {
        let lines = self.signatures();
        check_count("signatures", lines.len(), MAX_SIGNATURES)?;
        let size = self.leaf_len(SHORTEST_STAMP);
        if size > MAX_ENTRY_BYTES {
            return Err(RuleError::EntryTooLarge {
                size,
                max: MAX_ENTRY_BYTES,
            });
        }
        let mut signers = BTreeSet::new();
        for line in lines {
            if !signers.insert(line.key) {
                return Err(RuleError::DuplicateSignature { key: line.key });
            }
        }
        let only = |roles: &BTreeSet<Identity>| match signers.iter().find(|k| !roles.contains(k)) {
            Some(key) => Err(RuleError::UnexpectedSigner { key: *key }),
            None => Ok(()),
        };
        let at_most = |max: usize| check_count("signatures", signers.len(), max);
        match self.payload() {
            Payload::DesignRegister(p) if p.parents.is_empty() => {
                only(&p.creators.iter().map(|c| c.key).collect())
            }
            Payload::DesignRegister(p) => at_most(
                p.parents
                    .len()
                    .saturating_mul(MAX_OWNERS)
                    .saturating_add(p.creators.len())
                    .min(MAX_SIGNATURES),
            ),
            Payload::LicenseGrant(_) | Payload::LicenseRevoke(_) => at_most(MAX_OWNERS + 1),
            Payload::UsageRecord(_) | Payload::DisputeRaise(_) => at_most(1),
            Payload::OwnershipTransfer(p) => {
                let mut roles: BTreeSet<Identity> = p.from.iter().map(|m| m.key).collect();
                roles.insert(p.to);
                only(&roles)
            }
            Payload::KeyRotate(p) => only(&BTreeSet::from([p.old, p.new])),
            Payload::StateCommit(_) => Err(RuleError::LogOnlyKind { kind: self.kind() }),
            Payload::DisputeResolve(_) => match signers.iter().find(|k| !arbiters.contains(k)) {
                Some(key) => Err(RuleError::NotArbiter { key: *key }),
                None => Ok(()),
            },
        }
    }
}

/// Refuses a JSON list of signature lines longer than [`MAX_SIGNATURES`]
/// before any line is decoded (decoding a key costs a square root).
pub(crate) fn check_signature_lines(value: &serde_json::Value) -> Result<(), RuleError> {
    match value
        .get("signatures")
        .and_then(serde_json::Value::as_array)
    {
        Some(lines) => {
            check_count("signatures", lines.len(), MAX_SIGNATURES)?;
            // serde reads a struct from an array too: a line is an object.
            match lines.iter().position(|l| !l.is_object()) {
                Some(i) => Err(RuleError::Malformed {
                    field: format!("signatures[{i}]"),
                    detail: "a signature line is a JSON object {key, sig}".to_owned(),
                }),
                None => Ok(()),
            }
        }
        None => Ok(()),
    }
}
