//! What the ledger's benches share: signed registrations, and the bytes
//! of the clients' entries in a log.

use ed25519_dalek::SigningKey;
use provenant_ledger::Ledger;
use provenant_model::{Entry, Envelope, Kind, hash_content, identity_of};
use serde_json::json;

/// The 16 creators the benches' registrations rotate through.
pub fn creators() -> Vec<SigningKey> {
    (1..=16u8)
        .map(|i| SigningKey::from_bytes(&[i; 32]))
        .collect()
}

/// Registration `i` of the content `"{tag} design {i}"`, signed by one of
/// `creators`.
pub fn registration(i: usize, tag: &str, creators: &[SigningKey]) -> Envelope {
    let content = format!("{tag} design {i}");
    let h = hash_content(content.as_bytes()).expect("hash");
    let k = &creators[i % creators.len()];
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": format!("Shoe charm {i}"),
        "creators": [{"key": identity_of(k).expect("key").to_string(), "share_ppm": 1_000_000, "role": "designer"}],
        "parents": [],
    });
    let mut env =
        Envelope::from_parts(Kind::DesignRegister, payload, Vec::new()).expect("envelope");
    env.sign(k).expect("sign");
    env
}

/// The bytes of the clients' entries in `ledger`'s log: the log's own
/// `state.commit` entries count as overhead, like the map they commit to.
pub fn client_entry_bytes(ledger: &Ledger) -> u64 {
    (0..ledger.head().size.0)
        .map(|i| ledger.entry_bytes(i).expect("entry"))
        .filter(|bytes| {
            Entry::from_leaf_bytes(bytes).is_ok_and(|e| e.envelope.kind() != Kind::StateCommit)
        })
        .map(|bytes| bytes.len() as u64)
        .sum()
}
