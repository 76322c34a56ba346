//! An unsigned envelope ("draft") for every entry kind, each checked with
//! the model's stateless rules ([`check_draft`]) before it is returned.

use std::io::{self, Read};

use provenant_model::payload::{
    AiDisclosure, Creator, DesignRegister, DisputeRaise, DisputeResolve, KeyRotate, LicenseGrant,
    LicenseRevoke, MAX_TEXT, Outcome, OwnershipTransfer, ParentLink, ShareMove, UsageRecord,
};
use provenant_model::{
    Category, Channel, ContentDescriptor, ContentHashes, CountryCode, DesignId, DisputeId,
    Envelope, EvidenceHash, GrantId, Identity, ImageCode, LeafHash, LicenseTerms, MediaType,
    Payload, Ppm, RuleError, check_text,
};
use sha2::{Digest as _, Sha256};

use super::DraftError;

/// What a design registration says, before anyone signs it.
#[derive(Debug, Clone)]
pub struct DesignDraft {
    /// The content's hashes and size ([`provenant_model::hash_content`]).
    pub content: ContentHashes,
    /// The content's media type.
    pub media_type: MediaType,
    /// The content's ISCC Image-Code, for an image.
    pub iscc: Option<ImageCode>,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Description, up to 4000 characters.
    pub description: String,
    /// Co-creators with their shares (summing to 100%) and roles.
    pub creators: Vec<Creator>,
    /// Parent designs, each with the grant it derives under.
    pub parents: Vec<(DesignId, GrantId)>,
    /// How AI was involved, if it was.
    pub ai: Option<AiDisclosure>,
    /// Ownership needed to sign for the design; `None` = 100%.
    pub threshold: Option<Ppm>,
}

/// An unsigned `design.register` envelope; every creator signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a draft the ledger would refuse on its face.
pub fn design_draft(draft: &DesignDraft) -> Result<Envelope, DraftError> {
    envelope(&Payload::DesignRegister(DesignRegister {
        content: ContentDescriptor {
            iscc: draft.iscc,
            ..draft.content.with_media_type(draft.media_type.clone())
        },
        title: draft.title.clone(),
        description: draft.description.clone(),
        creators: draft.creators.clone(),
        parents: draft
            .parents
            .iter()
            .map(|&(design, grant)| ParentLink { design, grant })
            .collect(),
        ai: draft.ai.clone(),
        license_threshold_ppm: draft.threshold.unwrap_or(Ppm::ONE),
    }))
}

/// An unsigned `license.grant`: owners at the design's threshold and the
/// licensee sign it. Its id ([`Envelope::id`]) becomes the grant's id.
///
/// # Errors
/// [`DraftError::Invalid`] for terms that contradict themselves.
pub fn grant_draft(
    design: DesignId,
    licensee: Identity,
    terms: LicenseTerms,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::LicenseGrant(LicenseGrant {
        design,
        licensee,
        terms,
    }))
}

/// An unsigned `license.revoke`: owners at the threshold sign a
/// revocation; the licensee alone signs a release.
///
/// # Errors
/// [`DraftError::Invalid`] for a reason that is empty or too long.
pub fn revoke_draft(grant: GrantId, reason: &str) -> Result<Envelope, DraftError> {
    envelope(&Payload::LicenseRevoke(LicenseRevoke {
        grant,
        reason: reason.to_owned(),
    }))
}

/// An unsigned `usage.record`, a production run; the licensee signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a zero quantity or a bad batch reference.
pub fn usage_draft(
    grant: GrantId,
    quantity: u64,
    territory: CountryCode,
    channel: Channel,
    category: Category,
    batch_ref: &str,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::UsageRecord(UsageRecord {
        grant,
        quantity,
        territory,
        channel,
        category,
        batch_ref: batch_ref.to_owned(),
    }))
}

/// An unsigned `ownership.transfer` of shares of `design` from the givers
/// to `to`; `prev` is the leaf hash of the design's latest ownership entry.
/// Every giver and the receiver sign it.
///
/// # Errors
/// [`DraftError::Invalid`] for no givers, a repeated giver, a zero share or
/// a giver who is the receiver.
pub fn transfer_draft(
    design: DesignId,
    from: &[(Identity, Ppm)],
    to: Identity,
    prev: LeafHash,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::OwnershipTransfer(OwnershipTransfer {
        design,
        from: from
            .iter()
            .map(|&(key, share_ppm)| ShareMove { key, share_ppm })
            .collect(),
        to,
        prev,
    }))
}

/// An unsigned `dispute.raise`; any identity signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a claim that is empty or too long.
pub fn dispute_raise_draft(
    design: DesignId,
    claim: &str,
    evidence: EvidenceHash,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::DisputeRaise(DisputeRaise {
        design,
        claim: claim.to_owned(),
        evidence,
    }))
}

/// The hash of a dispute's evidence: SHA-256 of its bytes. The evidence
/// itself stays off the log.
#[must_use]
pub fn evidence_hash(bytes: &[u8]) -> EvidenceHash {
    EvidenceHash(Sha256::digest(bytes).into())
}

/// [`evidence_hash`] of everything `reader` yields, without holding it in
/// memory.
///
/// # Errors
/// The reader's errors.
pub fn evidence_hash_reader<R: Read>(reader: R) -> io::Result<EvidenceHash> {
    let hashes = provenant_model::hash_content(reader)?;
    Ok(EvidenceHash(*hashes.sha256.as_bytes()))
}

/// An unsigned `dispute.resolve`; an arbiter key of the server signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a note that is too long.
pub fn dispute_resolve_draft(
    dispute: DisputeId,
    outcome: Outcome,
    note: &str,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::DisputeResolve(DisputeResolve {
        dispute,
        outcome,
        note: note.to_owned(),
    }))
}

/// An unsigned `key.rotate` from `old` to `new`; both keys sign it.
///
/// # Errors
/// [`DraftError::Invalid`] when the two keys are the same.
pub fn rotate_draft(old: Identity, new: Identity) -> Result<Envelope, DraftError> {
    envelope(&Payload::KeyRotate(KeyRotate { old, new }))
}

/// The envelope of a payload, checked.
fn envelope(payload: &Payload) -> Result<Envelope, DraftError> {
    let envelope = Envelope::new(payload)?;
    check_draft(&envelope)?;
    Ok(envelope)
}

/// The rules an envelope's payload must pass on its own, without the
/// ledger's state: the same checks the ledger makes first.
///
/// # Errors
/// [`DraftError::Invalid`] with the first rule broken.
pub fn check_draft(envelope: &Envelope) -> Result<(), DraftError> {
    match envelope.payload() {
        Payload::DesignRegister(p) => p.validate()?,
        Payload::LicenseGrant(p) => p.terms.validate()?,
        Payload::UsageRecord(p) => p.validate()?,
        Payload::OwnershipTransfer(p) => p.validate()?,
        Payload::LicenseRevoke(p) => check_text("reason", &p.reason, 1, MAX_TEXT)?,
        Payload::DisputeRaise(p) => check_text("claim", &p.claim, 1, MAX_TEXT)?,
        Payload::DisputeResolve(p) => check_text("note", &p.note, 0, MAX_TEXT)?,
        Payload::KeyRotate(p) if p.old == p.new => {
            return Err(RuleError::RotationSameKey { key: p.old }.into());
        }
        Payload::KeyRotate(_) => {}
        Payload::StateCommit(_) => {
            return Err(RuleError::LogOnlyKind {
                kind: envelope.kind(),
            }
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use provenant_model::{Kind, payload::MAX_TEXT};
    use provenant_testkit::{self as testkit, id, key};
    use serde_json::json;

    use super::*;
    use crate::draft::expected_signers;
    use crate::draft::test_support::{charm, creator, ppm};

    #[test]
    fn a_bad_design_draft_fails_before_signing() {
        let short = design_draft(&charm(vec![creator(1, 600_000), creator(2, 300_000)]));
        assert!(matches!(
            short,
            Err(DraftError::Invalid(RuleError::SharesSum { sum: 900_000 }))
        ));
        let twice = design_draft(&charm(vec![creator(1, 500_000), creator(1, 500_000)]));
        assert!(matches!(
            twice,
            Err(DraftError::Invalid(RuleError::DuplicateCreator { .. }))
        ));
        let mut untitled = charm(vec![creator(1, 1_000_000)]);
        untitled.title = String::new();
        assert!(design_draft(&untitled).is_err());
        let mut zero = charm(vec![creator(1, 1_000_000)]);
        zero.threshold = Some(Ppm::ZERO);
        assert!(design_draft(&zero).is_err());
    }

    #[test]
    fn a_derivative_draft_carries_parents_and_ai() {
        let mut draft = charm(vec![creator(3, 1_000_000)]);
        let parent = testkit::design_of(b"parent");
        let grant = GrantId([7; 32]);
        draft.parents = vec![(parent, grant)];
        draft.threshold = Some(ppm(500_000));
        draft.ai = Some(AiDisclosure {
            digital_source_type: format!(
                "{}trainedAlgorithmicMedia",
                provenant_model::vocab::IPTC_DIGITAL_SOURCE_TYPE
            )
            .parse()
            .unwrap(),
            software_agent: Some("an image model".to_owned()),
            human_contribution: None,
        });
        let env = design_draft(&draft).unwrap();
        let Payload::DesignRegister(p) = env.payload() else {
            panic!("not a registration");
        };
        assert_eq!(
            p.parents,
            vec![ParentLink {
                design: parent,
                grant
            }]
        );
        assert_eq!(p.license_threshold_ppm, ppm(500_000));
        assert_eq!(
            env.payload_json()["ai"]["software_agent"],
            json!("an image model")
        );
    }

    #[test]
    fn the_other_kinds_draft_and_check() {
        let (a, b, c) = (id(&key(1)), id(&key(2)), id(&key(3)));
        let design = testkit::design_of(b"charm");
        let grant = GrantId([1; 32]);

        let usage = usage_draft(
            grant,
            100,
            "FR".parse().unwrap(),
            "retail".parse().unwrap(),
            "accessories".parse().unwrap(),
            "run-2026-001",
        )
        .unwrap();
        assert_eq!(usage.kind(), Kind::UsageRecord);
        assert!(expected_signers(&usage).is_empty());
        let zero = usage_draft(
            grant,
            0,
            "FR".parse().unwrap(),
            "retail".parse().unwrap(),
            "accessories".parse().unwrap(),
            "run",
        );
        assert!(matches!(
            zero,
            Err(DraftError::Invalid(RuleError::QuantityZero))
        ));

        assert!(revoke_draft(grant, "breach of terms").is_ok());
        assert!(revoke_draft(grant, "").is_err());
        assert!(revoke_draft(grant, "bell\u{7}").is_err());

        let prev = LeafHash([2; 32]);
        let moved =
            transfer_draft(design, &[(a, ppm(100_000)), (b, ppm(50_000))], c, prev).unwrap();
        assert_eq!(expected_signers(&moved), vec![a, b, c]);
        assert!(transfer_draft(design, &[(a, ppm(1))], a, prev).is_err());
        assert!(transfer_draft(design, &[], c, prev).is_err());

        let evidence = evidence_hash(b"abc");
        assert_eq!(
            evidence.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(evidence_hash_reader(&b"abc"[..]).unwrap(), evidence);
        let raised = dispute_raise_draft(design, "copied from my 2019 sketch", evidence).unwrap();
        assert!(dispute_raise_draft(design, "", evidence).is_err());
        let dispute = DisputeId(*raised.id().as_bytes());
        assert!(dispute_resolve_draft(dispute, Outcome::Dismissed, "").is_ok());
        assert!(
            dispute_resolve_draft(dispute, Outcome::Upheld, &"x".repeat(MAX_TEXT + 1)).is_err()
        );

        let rotate = rotate_draft(a, b).unwrap();
        assert_eq!(expected_signers(&rotate), vec![a, b]);
        assert!(matches!(
            rotate_draft(a, a),
            Err(DraftError::Invalid(RuleError::RotationSameKey { .. }))
        ));
    }
}
