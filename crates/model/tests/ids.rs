//! How design, grant and dispute ids are derived, pinned by
//! `fixtures/ids/ids.json` (the worked example of `docs/PROTOCOL.md`,
//! "Ids"):
//!
//! ```text
//! design id  = BLAKE3(content bytes)
//! grant id   = SHA-256("provenant:v1:license.grant\n" || JCS(payload))
//! dispute id = SHA-256("provenant:v1:dispute.raise\n" || JCS(payload))
//! ```
//!
//! The fixture is built by the model's own functions from fixed keys
//! (`build`), so a change of format fails `the_fixture_is_what_the_model_builds`;
//! the ids are then recomputed from the file alone, with `blake3`, `sha2`
//! and `serde_jcs` and no model code, and the rules must store the grant
//! and the dispute under exactly those ids. To rewrite the file after a
//! deliberate change: `PROVENANT_WRITE_FIXTURES=1 cargo test --release -p
//! provenant-model --test ids the_fixture_is_what_the_model_builds`.
//! The grant and dispute ids were cross-checked with Python's `hashlib`
//! and `json` (sorted keys, no spaces) when the file was made.

mod support;

use ed25519_dalek::SigningKey;
use provenant_model::{DisputeId, Envelope, GrantId, StateView};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use support::{World, arbiter, envelope, grant_json, idt, key, register_json, terms};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ids/ids.json");

/// The design file of the example: its bytes are this text, UTF-8.
const CONTENT: &str = "Provenant fixture: a shoe charm, drawn by Alice\n";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    })
}

fn key_json(seed: u8) -> Value {
    let k: SigningKey = key(seed);
    json!({"secret_key_hex": hex(&k.to_bytes()), "identity": idt(&k)})
}

fn signing_input_text(env: &Envelope) -> String {
    String::from_utf8(env.signing_input()).expect("the signing input is UTF-8")
}

/// The fixture, as the model builds it from keys seeded 1 (Alice, the
/// creator), 2 (the brand, licensee) and 3 (a claimant).
fn build() -> Value {
    let (alice, brand, claimant) = (key(1), key(2), key(3));
    let content = CONTENT.as_bytes();
    let register = envelope(
        "design.register",
        register_json(content, &[(&alice, 1_000_000)], &[]),
        &[&alice],
    );
    let design = support::design_of(content);
    let grant = envelope(
        "license.grant",
        grant_json(design, &brand, &terms()),
        &[&alice, &brand],
    );
    let dispute = envelope(
        "dispute.raise",
        json!({
            "design": design,
            "claim": "Copied from my sketchbook, page 12",
            "evidence": hex(&Sha256::digest(b"sketchbook page 12, scanned")),
        }),
        &[&claimant],
    );
    json!({
        "description": "Worked example of docs/PROTOCOL.md, section Ids. A design id is BLAKE3 of the \
            content bytes (here the UTF-8 bytes of content_text). A grant id and a dispute id are \
            SHA-256 of the signing input of the license.grant or dispute.raise envelope that \
            created it: \"provenant:v1:\" || kind || \"\\n\" || JCS(payload) (RFC 8785), the same \
            bytes the signers sign. Keys are 32 bytes of 0x01 (alice), 0x02 (brand), 0x03 \
            (claimant). Checked by crates/model/tests/ids.rs.",
        "keys": {"alice": key_json(1), "brand": key_json(2), "claimant": key_json(3)},
        "design": {
            "content_text": CONTENT,
            "envelope": register.to_value(),
            "design_id": design,
            "registration_entry_id": register.id(),
        },
        "grant": {
            "envelope": grant.to_value(),
            "signing_input": signing_input_text(&grant),
            "grant_id": grant.id(),
        },
        "dispute": {
            "envelope": dispute.to_value(),
            "signing_input": signing_input_text(&dispute),
            "dispute_id": dispute.id(),
        },
    })
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(FIXTURE).expect("fixtures/ids/ids.json");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(v, |v, p| &v[*p])
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} is not a string"))
}

#[test]
fn the_fixture_is_what_the_model_builds() {
    let built = build();
    if std::env::var_os("PROVENANT_WRITE_FIXTURES").is_some() {
        let mut out = serde_json::to_string_pretty(&built).unwrap();
        out.push('\n');
        std::fs::write(FIXTURE, out).unwrap();
    }
    assert_eq!(fixture(), built, "fixtures/ids/ids.json has drifted");
}

/// `SHA-256("provenant:v1:" || kind || "\n" || JCS(payload))`, from the
/// envelope's JSON alone.
fn derived_id(envelope: &Value) -> (String, String) {
    let mut input = b"provenant:v1:".to_vec();
    input.extend_from_slice(envelope["kind"].as_str().unwrap().as_bytes());
    input.push(b'\n');
    input.extend_from_slice(&serde_jcs::to_vec(&envelope["payload"]).unwrap());
    let id = hex(&Sha256::digest(&input));
    (String::from_utf8(input).unwrap(), id)
}

#[test]
fn ids_recompute_from_the_fixture_alone() {
    let f = fixture();
    let content = text(&f, &["design", "content_text"]).as_bytes();
    let design_id = text(&f, &["design", "design_id"]);
    assert_eq!(blake3::hash(content).to_hex().as_str(), design_id);
    let descriptor = &f["design"]["envelope"]["payload"]["content"];
    assert_eq!(descriptor["blake3"], design_id);
    assert_eq!(descriptor["sha256"], hex(&Sha256::digest(content)));
    assert_eq!(descriptor["size"], content.len());
    // The registration's own entry id is not the design id.
    let (_, registration_id) = derived_id(&f["design"]["envelope"]);
    assert_eq!(
        registration_id,
        text(&f, &["design", "registration_entry_id"])
    );
    assert_ne!(registration_id, design_id);

    for (part, id_field) in [("grant", "grant_id"), ("dispute", "dispute_id")] {
        let (input, id) = derived_id(&f[part]["envelope"]);
        assert_eq!(input, text(&f, &[part, "signing_input"]), "{part}");
        assert_eq!(id, text(&f, &[part, id_field]), "{part}");
        // The model agrees, and every signature is over that input.
        let env = Envelope::from_json(&serde_json::to_vec(&f[part]["envelope"]).unwrap()).unwrap();
        assert_eq!(env.id().to_string(), id, "{part}");
        env.verify().unwrap();
    }
    for name in ["alice", "brand", "claimant"] {
        let k = &f["keys"][name];
        let bytes: [u8; 32] = (0..32)
            .map(|i| {
                u8::from_str_radix(&text(k, &["secret_key_hex"])[2 * i..2 * i + 2], 16).unwrap()
            })
            .collect::<Vec<u8>>()
            .try_into()
            .unwrap();
        assert_eq!(idt(&SigningKey::from_bytes(&bytes)), text(k, &["identity"]));
    }
}

#[test]
fn the_rules_store_the_grant_and_the_dispute_under_those_ids() {
    let f = fixture();
    let mut w = World::new();
    assert_eq!(w.arbiters, vec![support::id(&arbiter())]);
    for part in ["design", "grant", "dispute"] {
        let bytes = serde_json::to_vec(&f[part]["envelope"]).unwrap();
        w.submit_envelope(Envelope::from_json(&bytes).unwrap())
            .unwrap_or_else(|e| panic!("{part}: {e}"));
    }
    let design = text(&f, &["design", "design_id"]).parse().unwrap();
    let grant: GrantId = text(&f, &["grant", "grant_id"]).parse().unwrap();
    let dispute: DisputeId = text(&f, &["dispute", "dispute_id"]).parse().unwrap();
    let stored = w
        .state
        .grant(&grant)
        .unwrap()
        .expect("the grant, under its id");
    assert_eq!(stored.design, design);
    assert_eq!(
        stored.licensee.to_string(),
        text(&f, &["keys", "brand", "identity"])
    );
    let raised = w
        .state
        .dispute(&dispute)
        .unwrap()
        .expect("the dispute, under its id");
    assert_eq!(raised.design, design);
    let blocked = w.state.design(&design).unwrap().unwrap().blocking_disputes;
    assert_eq!(blocked.into_iter().collect::<Vec<_>>(), vec![dispute]);
}
