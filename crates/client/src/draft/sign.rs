//! Signing a draft, and who is to sign it as far as its payload tells.

use std::collections::BTreeSet;

use ed25519_dalek::SigningKey;
use provenant_model::{Envelope, Identity, Kind, Payload, identity_of};

use super::{DraftError, check_draft};

/// Adds `key`'s signature to the envelope, after checking the draft
/// ([`check_draft`]).
///
/// # Errors
/// [`DraftError::AlreadySigned`] when the key has signed it already;
/// [`DraftError::Invalid`] for a draft that breaks a rule.
pub fn sign(envelope: &mut Envelope, key: &SigningKey) -> Result<(), DraftError> {
    let signer = identity_of(key)?;
    if envelope.signatures().iter().any(|line| line.key == signer) {
        return Err(DraftError::AlreadySigned { key: signer });
    }
    check_draft(envelope)?;
    envelope.sign(key)?;
    Ok(())
}

/// Signs a `license.grant` draft as its licensee (accepting the license).
///
/// # Errors
/// [`DraftError::Signer`] when the envelope is not a grant or `key` is not
/// its licensee; otherwise as [`sign`].
pub fn sign_as_licensee(envelope: &mut Envelope, key: &SigningKey) -> Result<(), DraftError> {
    let Payload::LicenseGrant(grant) = envelope.payload() else {
        return Err(DraftError::Signer(format!(
            "this is a {} envelope, not a license grant",
            envelope.kind()
        )));
    };
    let signer = identity_of(key)?;
    if grant.licensee != signer {
        return Err(DraftError::Signer(format!(
            "{signer} is not the licensee of this grant ({})",
            grant.licensee
        )));
    }
    sign(envelope, key)
}

/// The keys that must sign, as far as the payload alone tells:
///
/// | kind | keys |
/// |---|---|
/// | `design.register` | every creator (parents' owners too under an approval grant: not in the payload) |
/// | `license.grant` | the licensee (the owners are on the ledger) |
/// | `ownership.transfer` | every giver, and the receiver |
/// | `key.rotate` | the old key and the new key |
/// | others | none known: the licensee of a grant (`usage.record`, a release), owners, any identity, an arbiter |
///
/// In payload order, each key once.
#[must_use]
pub fn expected_signers(envelope: &Envelope) -> Vec<Identity> {
    let keys: Vec<Identity> = match envelope.payload() {
        Payload::DesignRegister(p) => p.creators.iter().map(|c| c.key).collect(),
        Payload::LicenseGrant(p) => vec![p.licensee],
        Payload::OwnershipTransfer(p) => p
            .from
            .iter()
            .map(|m| m.key)
            .chain(std::iter::once(p.to))
            .collect(),
        Payload::KeyRotate(p) => vec![p.old, p.new],
        Payload::UsageRecord(_)
        | Payload::StateCommit(_)
        | Payload::LicenseRevoke(_)
        | Payload::DisputeRaise(_)
        | Payload::DisputeResolve(_) => Vec::new(),
    };
    let mut seen = BTreeSet::new();
    keys.into_iter().filter(|k| seen.insert(*k)).collect()
}

/// The [`expected_signers`] who have not signed yet.
#[must_use]
pub fn pending_signers(envelope: &Envelope) -> Vec<Identity> {
    let signed: BTreeSet<Identity> = envelope.signatures().iter().map(|l| l.key).collect();
    expected_signers(envelope)
        .into_iter()
        .filter(|k| !signed.contains(k))
        .collect()
}

/// Who else signs an envelope of `kind`, beyond what [`expected_signers`]
/// can name; `None` when it names everyone.
#[must_use]
pub fn other_signers(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::DesignRegister | Kind::OwnershipTransfer | Kind::KeyRotate => None,
        Kind::LicenseGrant => Some("owners holding the design's license threshold"),
        Kind::StateCommit => Some("the log's own key: only the log writes these"),
        Kind::UsageRecord => Some("the grant's licensee"),
        Kind::LicenseRevoke => {
            Some("owners holding the design's license threshold, or the licensee to release it")
        }
        Kind::DisputeRaise => Some("any identity (the one raising the dispute)"),
        Kind::DisputeResolve => Some("an arbiter key of the ledger"),
    }
}

#[cfg(test)]
mod tests {
    use provenant_model::{GrantId, LicenseTerms, RuleError};
    use provenant_testkit::{self as testkit, id, key};
    use serde_json::json;

    use super::*;
    use crate::draft::test_support::{charm, creator};
    use crate::draft::{design_draft, grant_draft, rotate_draft};

    #[test]
    fn a_design_draft_signed_by_its_creators_verifies() {
        let (alice, bob) = (key(1), key(2));
        let mut env = design_draft(&charm(vec![creator(1, 600_000), creator(2, 400_000)])).unwrap();
        assert_eq!(env.kind(), Kind::DesignRegister);
        assert!(env.signatures().is_empty());
        assert_eq!(expected_signers(&env), vec![id(&alice), id(&bob)]);
        sign(&mut env, &alice).unwrap();
        assert_eq!(pending_signers(&env), vec![id(&bob)]);
        assert!(matches!(
            sign(&mut env, &alice),
            Err(DraftError::AlreadySigned { key }) if key == id(&alice)
        ));
        sign(&mut env, &bob).unwrap();
        assert!(pending_signers(&env).is_empty());
        let verified = env.verify().unwrap();
        assert_eq!(verified.signers().len(), 2);
        // The same payload as the testkit's registration of the same inputs.
        let expected = testkit::register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]);
        assert_eq!(env.payload(), expected.payload());
        // And it survives the file round trip.
        let text = serde_json::to_vec_pretty(&env.to_value()).unwrap();
        let back = Envelope::from_json(&text).unwrap();
        assert_eq!(back, env);
        assert!(back.verify().is_ok());
    }

    #[test]
    fn a_grant_draft_matches_the_testkit_and_needs_its_licensee() {
        let (owner, brand) = (key(1), key(9));
        let design = testkit::design_of(b"charm");
        let terms: LicenseTerms = serde_json::from_value(testkit::terms()).unwrap();
        let mut env = grant_draft(design, id(&brand), terms).unwrap();
        let expected = testkit::grant(design, &brand, &[&owner], &testkit::terms());
        assert_eq!(env.payload(), expected.payload());
        assert_eq!(expected_signers(&env), vec![id(&brand)]);
        assert!(other_signers(env.kind()).is_some());
        assert!(matches!(
            sign_as_licensee(&mut env, &owner),
            Err(DraftError::Signer(_))
        ));
        sign(&mut env, &owner).unwrap();
        sign_as_licensee(&mut env, &brand).unwrap();
        assert!(env.verify().is_ok());
        let mut rotate = rotate_draft(id(&owner), id(&brand)).unwrap();
        assert!(matches!(
            sign_as_licensee(&mut rotate, &brand),
            Err(DraftError::Signer(_))
        ));
    }

    #[test]
    fn a_hand_edited_bad_draft_is_not_signed() {
        let value = json!({
            "kind": "license.revoke",
            "payload": {"grant": GrantId([1; 32]), "reason": ""},
        });
        let mut env = Envelope::from_value(value).unwrap();
        assert!(matches!(
            sign(&mut env, &key(1)),
            Err(DraftError::Invalid(RuleError::TextLength { .. }))
        ));
        assert!(env.signatures().is_empty());
    }
}
