//! A signed note and the checkpoint in it, as a witness or auditor reads
//! them: parse, print and parse again to the same note, then parse the
//! checkpoint body and verify it against a fixed key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_tlog::{Checkpoint, Note, NoteVerifier};

/// The verifier of the seed checkpoints (`fuzz/seeds/note`).
const VERIFIER: &str = include_str!("../seeds/verifier.txt");

fuzz_target!(|data: &[u8]| {
    let Ok(note) = Note::parse(data) else {
        return;
    };
    let text = note.to_text();
    let again = Note::parse(text.as_bytes()).expect("a note's own text parses again");
    assert_eq!(again.to_text(), text);
    if let Ok(checkpoint) = Checkpoint::parse(note.text()) {
        let body = checkpoint.to_text().expect("a parsed checkpoint prints");
        assert_eq!(Checkpoint::parse(&body).ok(), Some(checkpoint));
    }
    let verifier = NoteVerifier::from_text(VERIFIER.trim()).expect("the seed verifier parses");
    let _ = Checkpoint::verify(&note, verifier.name(), std::slice::from_ref(&verifier));
});
