//! Every answer of a witness is classified as the module doc says.

use ed25519_dalek::SigningKey;
use provenant_tlog::{Checkpoint, Cosigner, NoteSigner, TreeSize, hash_leaf};

use super::{Answer, Request, classify};
use crate::config::Target;

fn cosigner(seed: u8) -> Cosigner {
    Cosigner::new("w.example", SigningKey::from_bytes(&[seed; 32])).unwrap()
}

fn target() -> Target {
    Target {
        name: "w".into(),
        url: "http://127.0.0.1:1".into(),
        verifier: cosigner(1).verifier().clone(),
    }
}

fn check(status: u16, body: &[u8]) -> Answer {
    let signer = NoteSigner::new("example.test/log", SigningKey::from_bytes(&[9; 32])).unwrap();
    let text = Checkpoint::new("example.test/log", TreeSize(5), hash_leaf(b"r"))
        .to_text()
        .unwrap();
    let note = signer.sign(&text).unwrap().to_text();
    let req = Request {
        old: TreeSize(3),
        proof: &[],
        note: &note,
        checkpoint_text: &text,
        size: TreeSize(5),
    };
    classify(&target(), &req, status, body)
}

fn line(seed: u8, text_size: u64) -> String {
    let text = Checkpoint::new("example.test/log", TreeSize(text_size), hash_leaf(b"r"))
        .to_text()
        .unwrap();
    cosigner(seed).sign(&text, 1_700_000_000).unwrap().to_line() + "\n"
}

#[test]
fn a_valid_cosignature_is_kept() {
    let answer = check(200, line(1, 5).as_bytes());
    assert!(matches!(answer, Answer::Cosigned(_)), "{answer:?}");
    // Other lines before it (another key of the witness) are skipped.
    let two = line(2, 5) + &line(1, 5);
    assert!(matches!(check(200, two.as_bytes()), Answer::Cosigned(_)));
}

#[test]
fn a_cosignature_that_does_not_verify_is_an_alarm() {
    for body in [
        line(1, 6),            // over another checkpoint
        line(2, 5),            // another key under the same name
        "not a line\n".into(), // not a signature line
        String::new(),         // nothing
    ] {
        let answer = check(200, body.as_bytes());
        assert!(
            matches!(answer, Answer::Alarm { status: 200, .. }),
            "{body:?}: {answer:?}"
        );
    }
}

#[test]
fn conflicts_resend_unless_beyond_the_log() {
    assert_eq!(check(409, b"4\n"), Answer::Conflict(TreeSize(4)));
    assert_eq!(check(409, b"5\n"), Answer::Conflict(TreeSize(5)));
    assert!(matches!(
        check(409, b"6\n"),
        Answer::Alarm { status: 409, .. }
    ));
    assert!(matches!(check(409, b"four\n"), Answer::Failed(_)));
}

#[test]
fn refusals_are_alarms_and_the_rest_failures() {
    assert!(matches!(
        check(403, b"bad signature"),
        Answer::Alarm { status: 403, .. }
    ));
    assert!(matches!(
        check(422, b"inconsistent"),
        Answer::Alarm { status: 422, .. }
    ));
    for status in [400, 404, 500, 502, 503] {
        assert!(matches!(check(status, b"x"), Answer::Failed(_)), "{status}");
    }
}
