//! The signing format, pinned by `fixtures/signing/golden.json` (RFC 8032
//! TEST 1 key; values cross-checked with an independent Ed25519 and SHA-256
//! implementation when the fixture was made).

use ed25519_dalek::SigningKey;
use provenant_model::{Entry, Envelope, Kind, Timestamp, identity_of};
use serde_json::Value;

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/signing/golden.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    })
}

fn secret(g: &Value) -> SigningKey {
    let text = g["secret_key_hex"].as_str().unwrap();
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    SigningKey::from_bytes(&bytes.try_into().unwrap())
}

fn signed(g: &Value, payload_text: &str) -> Envelope {
    let payload: Value = serde_json::from_str(payload_text).unwrap();
    let kind: Kind = g["kind"].as_str().unwrap().parse().unwrap();
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).unwrap();
    env.sign(&secret(g)).unwrap();
    env
}

#[test]
fn golden_signing_input_signature_id_and_leaf() {
    let g = golden();
    let env = signed(&g, g["payload_text"].as_str().unwrap());
    assert_eq!(identity_of(&secret(&g)).unwrap().to_string(), g["identity"]);
    assert_eq!(
        std::str::from_utf8(env.canonical_payload()).unwrap(),
        g["canonical_payload"]
    );
    assert_eq!(hex(&env.signing_input()), g["signing_input_hex"]);
    assert_eq!(env.signatures()[0].sig.to_string(), g["signature"]);
    assert_eq!(env.id().to_string(), g["entry_id"]);
    env.verify().unwrap();
    let logged_at: Timestamp = g["logged_at"].as_str().unwrap().parse().unwrap();
    let entry = Entry::new(env, logged_at);
    assert_eq!(entry.leaf_hash().to_string(), g["leaf_hash"]);
}

#[test]
fn reordered_and_respaced_payload_has_the_same_signing_input() {
    let g = golden();
    let a = signed(&g, g["payload_text"].as_str().unwrap());
    let b = signed(&g, g["canonical_payload"].as_str().unwrap());
    assert_eq!(a.signing_input(), b.signing_input());
    assert_eq!(a.signatures(), b.signatures());
}

#[test]
fn signatures_over_anything_else_fail() {
    let g = golden();
    let key = secret(&g);
    let env = signed(&g, g["payload_text"].as_str().unwrap());
    let line = env.signatures()[0];

    // The payload's raw (non-canonical) bytes, signed directly.
    let mut raw = env.clone();
    let mut message = b"provenant:v1:dispute.raise\n".to_vec();
    message.extend_from_slice(g["payload_text"].as_str().unwrap().as_bytes());
    let sig = ed25519_dalek::Signer::sign(&key, &message);
    raw.push_signature(provenant_model::SignatureLine {
        key: line.key,
        sig: provenant_model::SignatureBytes(sig.to_bytes()),
    });
    assert_eq!(raw.verify().unwrap_err().code(), "signature-invalid");

    // The same payload bytes under another kind's prefix.
    let mut other_kind = b"provenant:v1:design.register\n".to_vec();
    other_kind.extend_from_slice(env.canonical_payload());
    let sig = ed25519_dalek::Signer::sign(&key, &other_kind);
    raw.push_signature(provenant_model::SignatureLine {
        key: line.key,
        sig: provenant_model::SignatureBytes(sig.to_bytes()),
    });
    assert_eq!(raw.verify().unwrap_err().code(), "signature-invalid");

    // The right signature claimed by another key.
    let mut other_key = env.clone();
    let stranger = identity_of(&SigningKey::from_bytes(&[7; 32])).unwrap();
    other_key.push_signature(provenant_model::SignatureLine {
        key: stranger,
        sig: line.sig,
    });
    assert!(other_key.verify().is_err());
    let swapped = Envelope::from_parts(
        env.kind(),
        env.payload_json().clone(),
        vec![provenant_model::SignatureLine {
            key: stranger,
            sig: line.sig,
        }],
    )
    .unwrap();
    assert_eq!(swapped.verify().unwrap_err().code(), "signature-invalid");
}
