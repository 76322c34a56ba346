//! The verifier against answers built here, from entries signed with the
//! model's testkit and a tree built with the tlog functions: no server.

use ed25519_dalek::SigningKey;
use provenant_api::{
    ConsistencyAnswer, EntryProof, InclusionAnswer, Proven, VerifyError, verify_checkpoint,
    verify_receipt,
};
use provenant_model::state::{EntryRef, Revocation, RevokedBy};
use provenant_model::{Entry, GrantState, LeafHash, LicenseTerms, Receipt, Timestamp};
use provenant_testkit::{design_of, grant, grant_id, id, key, register, terms};
use provenant_tlog::{
    Checkpoint, Hash, LeafIndex, NoteSigner, TreeSize, append, hash_leaf, prove_consistency,
    prove_inclusion, tree_hash,
};

const ORIGIN: &str = "example.com/log";

fn at(index: u64) -> usize {
    usize::try_from(index).unwrap()
}

/// A log of three entries (a registration, a grant on it, and another
/// registration), signed by `signer`.
struct Log {
    entries: Vec<Entry>,
    leaves: Vec<Hash>,
    store: Vec<Hash>,
    signer: NoteSigner,
}

impl Log {
    fn new() -> Self {
        let (alice, brand) = (key(1), key(2));
        let at = Timestamp::from_unix(1_750_000_000).unwrap();
        let design = design_of(b"charm");
        let envs = [
            register(b"charm", &[(&alice, 1_000_000)]),
            grant(design, &brand, &[&alice], &terms()),
            register(b"other", &[(&alice, 1_000_000)]),
        ];
        let entries: Vec<Entry> = envs.into_iter().map(|e| Entry::new(e, at)).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| hash_leaf(&e.leaf_bytes())).collect();
        let store = append(TreeSize(0), &leaves, &Vec::new()).unwrap();
        let signer = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32])).unwrap();
        Log {
            entries,
            leaves,
            store,
            signer,
        }
    }

    fn size(&self) -> TreeSize {
        TreeSize(self.leaves.len() as u64)
    }

    fn checkpoint_at(&self, size: TreeSize) -> String {
        let root = tree_hash(size, &self.store).unwrap();
        Checkpoint::new(ORIGIN, size, root)
            .sign(&self.signer)
            .unwrap()
            .to_text()
    }

    fn entry_ref(&self, index: u64) -> EntryRef {
        EntryRef {
            index,
            leaf_hash: LeafHash::from(self.leaves[at(index)]),
            logged_at: self.entries[at(index)].logged_at,
        }
    }

    fn proof(&self, index: u64) -> EntryProof {
        EntryProof {
            index,
            leaf_hash: LeafHash::from(self.leaves[at(index)]),
            inclusion_proof: prove_inclusion(LeafIndex(index), self.size(), &self.store).unwrap(),
        }
    }

    /// The grant (entry 1) as `GET /v1/grants/{id}` answers it, proven.
    fn grant_answer(&self) -> Proven<GrantState> {
        let env = &self.entries[1].envelope;
        let state = GrantState {
            id: grant_id(env),
            design: design_of(b"charm"),
            licensee: id(&key(2)),
            terms: serde_json::from_value::<LicenseTerms>(terms()).unwrap(),
            granted: self.entry_ref(1),
            units_used: 0,
            last_usage: None,
            revoked: None,
        };
        Proven {
            answer: state,
            tree_size: self.size().0,
            checkpoint: self.checkpoint_at(self.size()),
            proofs: vec![self.proof(1)],
            state: None,
        }
    }
}

#[test]
fn a_valid_answer_verifies_after_a_json_round_trip() {
    let log = Log::new();
    let answer = log.grant_answer();
    let text = serde_json::to_string(&answer).unwrap();
    let back: Proven<GrantState> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, answer);
    let checkpoint = back.verify(log.signer.verifier()).unwrap();
    assert_eq!(checkpoint.size, log.size());
}

#[test]
fn a_tampered_proof_fails() {
    let log = Log::new();
    let mut answer = log.grant_answer();
    answer.proofs[0].inclusion_proof[0].0[0] ^= 1;
    let err = answer.verify(log.signer.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Proof { index: 1, .. }), "{err}");
    // A proof for another leaf than the one it names fails the same way.
    let mut answer = log.grant_answer();
    answer.proofs[0].leaf_hash = LeafHash::from(log.leaves[0]);
    let err = answer.verify(log.signer.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Proof { index: 1, .. }), "{err}");
}

#[test]
fn a_checkpoint_signed_by_another_key_fails() {
    let log = Log::new();
    let answer = log.grant_answer();
    let other = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[8; 32])).unwrap();
    let err = answer.verify(other.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Checkpoint(_)), "{err}");
    // The same key under another origin is another log.
    let elsewhere = NoteSigner::new("other.example/log", SigningKey::from_bytes(&[9; 32])).unwrap();
    let err = answer.verify(elsewhere.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Checkpoint(_)), "{err}");
}

#[test]
fn a_size_other_than_the_checkpoints_fails() {
    let log = Log::new();
    let mut answer = log.grant_answer();
    answer.tree_size = 2;
    let err = answer.verify(log.signer.verifier()).unwrap_err();
    assert!(
        matches!(err, VerifyError::SizeMismatch { said: 2, signed: 3 }),
        "{err}"
    );
}

#[test]
fn an_entry_named_but_not_proven_fails() {
    let log = Log::new();
    // The answer says the grant was revoked by entry 2, and proves only
    // the grant.
    let mut answer = log.grant_answer();
    answer.answer.revoked = Some(Revocation {
        by: RevokedBy::Owners,
        reason: "r".to_owned(),
        entry: log.entry_ref(2),
    });
    let err = answer.verify(log.signer.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Unproven { index: 2 }), "{err}");
    // Proving it makes the answer whole.
    answer.proofs.push(log.proof(2));
    answer.verify(log.signer.verifier()).unwrap();
    // An entry named under another leaf hash than the one proven is not
    // proven.
    answer.answer.granted.leaf_hash = LeafHash::from(log.leaves[0]);
    let err = answer.verify(log.signer.verifier()).unwrap_err();
    assert!(matches!(err, VerifyError::Unproven { index: 1 }), "{err}");
}

#[test]
fn receipts_and_log_proofs_verify_through_the_same_crate() {
    let log = Log::new();
    let size = log.size();
    let cp_text = log.checkpoint_at(size);
    let receipt = Receipt::new(
        &log.entries[2],
        2,
        log.proof(2).inclusion_proof,
        cp_text.clone(),
    )
    .unwrap();
    assert_eq!(
        verify_receipt(&receipt, log.signer.verifier())
            .unwrap()
            .size,
        size
    );
    let mut forged = receipt.clone();
    forged.index = 1;
    assert!(matches!(
        verify_receipt(&forged, log.signer.verifier()),
        Err(VerifyError::Receipt(_))
    ));

    let checkpoint = verify_checkpoint(&cp_text, log.signer.verifier()).unwrap();
    let inclusion = InclusionAnswer {
        index: 0,
        tree_size: size.0,
        inclusion_proof: log.proof(0).inclusion_proof,
    };
    inclusion.verify(&log.leaves[0], &checkpoint).unwrap();
    assert!(matches!(
        inclusion.verify(&log.leaves[1], &checkpoint),
        Err(VerifyError::Proof { index: 0, .. })
    ));

    let old = verify_checkpoint(&log.checkpoint_at(TreeSize(1)), log.signer.verifier()).unwrap();
    let consistency = ConsistencyAnswer {
        from: 1,
        to: size.0,
        consistency_proof: prove_consistency(TreeSize(1), size, &log.store).unwrap(),
    };
    consistency.verify(&old, &checkpoint).unwrap();
    assert!(matches!(
        consistency.verify(&checkpoint, &checkpoint),
        Err(VerifyError::ProofSize { said: 1, signed: 3 })
    ));
    let mut bent = consistency;
    bent.consistency_proof[0].0[0] ^= 1;
    assert!(matches!(
        bent.verify(&old, &checkpoint),
        Err(VerifyError::Inconsistent { old: 1, new: 3, .. })
    ));
}
