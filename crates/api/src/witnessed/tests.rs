//! Witnessed checkpoints under a 2-of-3 policy: the answer's own
//! cosignatures, or an upgrade with a consistency proof; nothing less.

use std::fmt::Write as _;

use ed25519_dalek::SigningKey;
use provenant_tlog::{
    Checkpoint, Cosigner, Hash, Note, NoteSigner, Policy, TreeSize, append, hash_leaf,
    prove_consistency, tree_hash,
};

use super::{Upgrade, witnessed};
use crate::log::ConsistencyAnswer;
use crate::verify::VerifyError;

const ORIGIN: &str = "example.test/log";

struct Log {
    signer: NoteSigner,
    hashes: Vec<Hash>,
    size: u64,
}

impl Log {
    fn new(seed: u8) -> Self {
        Self {
            signer: NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[seed; 32])).unwrap(),
            hashes: Vec::new(),
            size: 0,
        }
    }

    fn grow(&mut self, n: u64, salt: u8) {
        for i in 0..n {
            let leaf = hash_leaf(&[salt, u8::try_from((self.size + i) % 251).unwrap()]);
            let new = append(TreeSize(self.size + i), &[leaf], &self.hashes).unwrap();
            self.hashes.extend(new);
        }
        self.size += n;
    }

    /// The checkpoint at the current size and its signed note.
    fn checkpoint(&self) -> (Checkpoint, Note) {
        let checkpoint = Checkpoint {
            origin: ORIGIN.into(),
            size: TreeSize(self.size),
            root: tree_hash(TreeSize(self.size), &self.hashes).unwrap(),
            extensions: Vec::new(),
        };
        let note = self.signer.sign(&checkpoint.to_text().unwrap()).unwrap();
        (checkpoint, note)
    }

    fn consistency(&self, from: u64) -> ConsistencyAnswer {
        ConsistencyAnswer {
            from,
            to: self.size,
            consistency_proof: prove_consistency(TreeSize(from), TreeSize(self.size), &self.hashes)
                .unwrap(),
        }
    }
}

fn witness(i: u8) -> Cosigner {
    Cosigner::new(
        &format!("w{i}.example"),
        SigningKey::from_bytes(&[10 + i; 32]),
    )
    .unwrap()
}

fn policy(log: &Log) -> Policy {
    let mut text = format!("log {}\n", log.signer.verifier().to_text());
    for i in 1..=3 {
        writeln!(text, "witness w{i} {}", witness(i).verifier().to_text()).unwrap();
    }
    text += "group main 2 w1 w2 w3\nquorum main\n";
    Policy::parse(text.as_bytes()).unwrap()
}

fn cosigned(mut note: Note, by: &[u8]) -> String {
    for &i in by {
        let line = witness(i).cosign(&note, 1_700_000_000).unwrap();
        note.push_signature(line).unwrap();
    }
    note.to_text()
}

#[test]
fn own_cosignatures_meet_the_quorum_or_not() {
    let mut log = Log::new(1);
    log.grow(5, 0);
    let p = policy(&log);
    let (cp, note) = log.checkpoint();
    let two = cosigned(note.clone(), &[1, 3]);
    assert_eq!(witnessed(&cp, &two, &p, None).unwrap().size, cp.size);
    let one = cosigned(note, &[2]);
    assert!(matches!(
        witnessed(&cp, &one, &p, None),
        Err(VerifyError::NotWitnessed(_))
    ));
}

#[test]
fn an_upgrade_lifts_an_older_answer() {
    let mut log = Log::new(1);
    log.grow(5, 0);
    let p = policy(&log);
    let (old, old_note) = log.checkpoint();
    let old_text = old_note.to_text();
    log.grow(9, 0);
    let (_, new_note) = log.checkpoint();
    let up = Upgrade {
        witnessed: cosigned(new_note.clone(), &[1, 2]),
        consistency: Some(log.consistency(5)),
    };
    assert_eq!(
        witnessed(&old, &old_text, &p, Some(&up)).unwrap().size.0,
        14
    );

    // Too few witnesses on the upgrade.
    let weak = Upgrade {
        witnessed: cosigned(new_note.clone(), &[1]),
        ..up.clone()
    };
    assert!(matches!(
        witnessed(&old, &old_text, &p, Some(&weak)),
        Err(VerifyError::NotWitnessed(_))
    ));
    // No proof, or a proof from another size, or a bit flipped.
    let bare = Upgrade {
        consistency: None,
        ..up.clone()
    };
    assert!(matches!(
        witnessed(&old, &old_text, &p, Some(&bare)),
        Err(VerifyError::UpgradeUnproven { .. })
    ));
    let mut flipped = up.clone();
    let proof = &mut flipped.consistency.as_mut().unwrap().consistency_proof;
    let mut bytes = *proof[0].as_bytes();
    bytes[0] ^= 1;
    proof[0] = Hash::from_slice(&bytes).unwrap();
    assert!(matches!(
        witnessed(&old, &old_text, &p, Some(&flipped)),
        Err(VerifyError::Inconsistent { .. })
    ));
}

#[test]
fn a_fork_is_not_lifted_and_an_older_witnessed_checkpoint_is_refused() {
    let mut log = Log::new(1);
    log.grow(5, 0);
    let p = policy(&log);
    let (early, early_note) = log.checkpoint();
    let early_witnessed = cosigned(early_note, &[1, 2]);
    log.grow(3, 0);
    let (late, late_note) = log.checkpoint();

    // The same key signs another history of 8 entries: a fork.
    let mut fork = Log::new(1);
    fork.grow(8, 7);
    let (fork_cp, fork_note) = fork.checkpoint();
    let up = Upgrade {
        witnessed: cosigned(late_note.clone(), &[1, 2, 3]),
        consistency: None,
    };
    assert!(matches!(
        witnessed(&fork_cp, &fork_note.to_text(), &p, Some(&up)),
        Err(VerifyError::Inconsistent { .. })
    ));
    // A witnessed checkpoint behind the answer does not cover it.
    let behind = Upgrade {
        witnessed: early_witnessed,
        consistency: None,
    };
    assert!(matches!(
        witnessed(&late, &late_note.to_text(), &p, Some(&behind)),
        Err(VerifyError::UpgradeBehind { .. })
    ));
    assert_eq!(early.size.0, 5);
}

#[test]
fn another_log_key_is_not_the_policys() {
    let mut log = Log::new(1);
    log.grow(3, 0);
    let p = policy(&log);
    let mut other = Log::new(2);
    other.grow(3, 0);
    let (cp, note) = other.checkpoint();
    let text = cosigned(note, &[1, 2, 3]);
    assert!(matches!(
        witnessed(&cp, &text, &p, None),
        Err(VerifyError::Checkpoint(_))
    ));
}
