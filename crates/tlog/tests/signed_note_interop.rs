//! Signed notes and checkpoints exchanged with independent implementations:
//! Cloudflare azul's `signed_note` and `tlog_tiles`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use provenant_tlog::{Checkpoint, Hash, Note, NoteSigner, NoteVerifier, TreeSize, hash_leaf};
use signed_note::{StandardSigner, StandardVerifier, VerifierList};

const NAME: &str = "example.com/provenant";
const SEED: [u8; 32] = [42; 32];

fn ours() -> NoteSigner {
    NoteSigner::new(NAME, SigningKey::from_bytes(&SEED)).unwrap()
}

/// The same key in `signed_note`'s private key text.
fn theirs() -> StandardSigner {
    let mut typed = vec![0x01];
    typed.extend_from_slice(&SEED);
    let id = ours().verifier().id();
    StandardSigner::new(&format!(
        "PRIVATE+KEY+{NAME}+{id:08x}+{}",
        STANDARD.encode(typed)
    ))
    .unwrap()
}

#[test]
fn verifier_key_text_is_the_same() {
    let text = ours().verifier().to_text();
    let theirs = StandardVerifier::new(&text).unwrap();
    assert_eq!(
        signed_note::Verifier::key_id(&theirs),
        ours().verifier().id()
    );
    assert_eq!(NoteVerifier::from_text(&text).unwrap(), *ours().verifier());
}

#[test]
fn our_note_verifies_under_signed_note() {
    let note = ours().sign("hello from provenant\nsecond line\n").unwrap();
    let parsed = signed_note::Note::from_bytes(note.to_text().as_bytes()).unwrap();
    let key = StandardVerifier::new(&ours().verifier().to_text()).unwrap();
    let (good, unknown) = parsed
        .verify(&VerifierList::new(vec![Box::new(key)]))
        .unwrap();
    assert_eq!(good.len(), 1);
    assert!(unknown.is_empty());
}

#[test]
fn signed_note_notes_verify_under_ours() {
    let mut note = signed_note::Note::new(b"signed elsewhere\n", &[]).unwrap();
    note.add_sigs(&[&theirs()]).unwrap();
    let bytes = note.to_bytes();
    let parsed = Note::parse(&bytes).unwrap();
    assert_eq!(parsed.to_text().as_bytes(), bytes.as_slice());
    parsed
        .verify(std::slice::from_ref(ours().verifier()))
        .unwrap();
}

#[test]
fn our_checkpoint_parses_under_tlog_tiles() {
    let root = hash_leaf(b"root");
    let cp = Checkpoint::new(NAME, TreeSize(1234), root);
    let note = cp.sign(&ours()).unwrap();
    let theirs = tlog_tiles::Checkpoint::from_bytes(note.text().as_bytes()).unwrap();
    assert_eq!(theirs.origin(), NAME);
    assert_eq!(theirs.size(), 1234);
    assert_eq!(theirs.hash().0, root.0);

    let back = tlog_tiles::Checkpoint::new(NAME, 99, tlog_tiles::Hash(Hash::EMPTY.0), "")
        .unwrap()
        .to_bytes();
    let parsed = Checkpoint::parse(std::str::from_utf8(&back).unwrap()).unwrap();
    assert_eq!(parsed, Checkpoint::new(NAME, TreeSize(99), Hash::EMPTY));
}
