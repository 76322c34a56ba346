//! The freshness rules on their own: standing against the memory, forks
//! with evidence, and the quorum's time under a 2-of-3 policy.

use std::fmt::Write as _;

use ed25519_dalek::SigningKey;
use provenant_tlog::{Checkpoint, Cosigner, Note, NoteSigner, Policy, TreeSize, hash_leaf};

use super::{Standing, against, quorum_time, within};
use crate::verify::VerifyError;

fn checkpoint(size: u64, root: &[u8]) -> (Checkpoint, String) {
    let cp = Checkpoint::new("example.test/log", TreeSize(size), hash_leaf(root));
    let signer = NoteSigner::new("example.test/log", SigningKey::from_bytes(&[1; 32])).unwrap();
    let note = signer.sign(&cp.to_text().unwrap()).unwrap().to_text();
    (cp, note)
}

#[test]
fn standing_against_the_memory() {
    let (five, five_note) = checkpoint(5, b"a");
    let (six, six_note) = checkpoint(6, b"b");
    let (other_five, other_note) = checkpoint(5, b"c");
    let mem = Some((&five, five_note.as_str()));
    assert_eq!(against(None, (&five, &five_note)).unwrap(), Standing::First);
    assert_eq!(against(mem, (&five, &five_note)).unwrap(), Standing::Same);
    assert_eq!(against(mem, (&six, &six_note)).unwrap(), Standing::Newer);
    let mem6 = Some((&six, six_note.as_str()));
    assert_eq!(against(mem6, (&five, &five_note)).unwrap(), Standing::Older);
    match against(mem, (&other_five, &other_note)) {
        Err(VerifyError::Fork {
            why,
            remembered,
            answer,
        }) => {
            assert!(why.contains("size 5"), "{why}");
            assert_eq!((remembered, answer), (five_note, other_note));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_quorum_time_is_when_the_quorum_was_first_met_newest_first() {
    let witness =
        |i: u8| Cosigner::new(&format!("w{i}.example"), SigningKey::from_bytes(&[i; 32])).unwrap();
    let log = NoteSigner::new("example.test/log", SigningKey::from_bytes(&[9; 32])).unwrap();
    let mut text = format!("log {}\n", log.verifier().to_text());
    for i in 1..=3 {
        writeln!(text, "witness w{i} {}", witness(i).verifier().to_text()).unwrap();
    }
    text += "group g 2 w1 w2 w3\nquorum g\n";
    let policy = Policy::parse(text.as_bytes()).unwrap();
    let cp = Checkpoint::new("example.test/log", TreeSize(3), hash_leaf(b"r"));
    let mut note: Note = log.sign(&cp.to_text().unwrap()).unwrap();
    assert_eq!(quorum_time(&policy, &note).unwrap(), None);
    note.push_signature(witness(1).cosign(&note, 100).unwrap())
        .unwrap();
    assert_eq!(quorum_time(&policy, &note).unwrap(), None);
    note.push_signature(witness(2).cosign(&note, 300).unwrap())
        .unwrap();
    assert_eq!(quorum_time(&policy, &note).unwrap(), Some(100));
    note.push_signature(witness(3).cosign(&note, 200).unwrap())
        .unwrap();
    // w2 (300) and w3 (200) met the quorum at 200.
    assert_eq!(quorum_time(&policy, &note).unwrap(), Some(200));

    assert!(within(200, 260, 60).is_ok());
    assert!(matches!(
        within(200, 261, 60),
        Err(VerifyError::NotFresh {
            age: 61,
            max_age: 60
        })
    ));
}
