//! Builders of signed envelopes for tests of the crates above the model (a
//! dev-dependency only; never in a build of the service). Keys come from
//! one-byte seeds, so every test is deterministic.
#![allow(clippy::missing_panics_doc, clippy::must_use_candidate)]

pub mod designs;
pub mod moto;

use ed25519_dalek::SigningKey;
use provenant_model::{DesignId, Envelope, GrantId, Identity, Kind, hash_content, identity_of};
use serde_json::{Value, json};

/// A signing key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The identity of a key.
pub fn id(key: &SigningKey) -> Identity {
    identity_of(key).expect("a seed key is a valid identity")
}

/// An envelope of `kind` with `payload`, signed by `signers` in order.
pub fn envelope(kind: Kind, payload: Value, signers: &[&SigningKey]) -> Envelope {
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).expect("a valid payload");
    for s in signers {
        env.sign(s).expect("signing");
    }
    env
}

/// The design id of `content`.
pub fn design_of(content: &[u8]) -> DesignId {
    hash_content(content)
        .expect("hashing bytes in memory")
        .blake3
}

/// A registration of `content` by `creators` with their shares, signed by
/// all of them.
pub fn register(content: &[u8], creators: &[(&SigningKey, u32)]) -> Envelope {
    let h = hash_content(content).expect("hashing bytes in memory");
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "A shoe charm",
        "creators": creators.iter().map(|(k, s)| json!({"key": id(k).to_string(), "share_ppm": s, "role": "designer"})).collect::<Vec<_>>(),
        "parents": [],
    });
    let signers: Vec<&SigningKey> = creators.iter().map(|(k, _)| *k).collect();
    envelope(Kind::DesignRegister, payload, &signers)
}

/// Commercial terms, derivatives allowed, 5% LAP, worldwide, from
/// 2025-01-01, no cap.
pub fn terms() -> Value {
    json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    })
}

/// A grant of `design` to `licensee` on `terms`, signed by `owners` and the
/// licensee.
pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    terms: &Value,
) -> Envelope {
    let payload = json!({"design": design, "licensee": id(licensee).to_string(), "terms": terms});
    let mut signers = owners.to_vec();
    signers.push(licensee);
    envelope(Kind::LicenseGrant, payload, &signers)
}

/// The id of a grant envelope.
pub fn grant_id(env: &Envelope) -> GrantId {
    GrantId(*env.id().as_bytes())
}
