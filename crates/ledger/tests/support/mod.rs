//! Test helpers: deterministic keys and signed envelopes.
#![allow(dead_code)]

use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore, Store};
use provenant_model::{DesignId, Envelope, GrantId, Identity, Kind, hash_content, identity_of};
use serde_json::{Value, json};

pub const ORIGIN: &str = "test.provenant.example/log";

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn id(key: &SigningKey) -> Identity {
    identity_of(key).unwrap()
}

pub fn log_key() -> SigningKey {
    key(200)
}

pub fn config(batch: BatchConfig) -> LedgerConfig {
    LedgerConfig {
        origin: ORIGIN.to_owned(),
        arbiters: vec![id(&key(250))],
        batch,
    }
}

pub fn memory_ledger() -> Ledger<MemoryStore> {
    Ledger::open(
        MemoryStore::new(),
        log_key(),
        config(BatchConfig::default()),
    )
    .unwrap()
}

pub fn open<S: Store>(store: S) -> Ledger<S> {
    Ledger::open(store, log_key(), config(BatchConfig::default())).unwrap()
}

pub fn envelope(kind: &str, payload: Value, signers: &[&SigningKey]) -> Envelope {
    let kind: Kind = kind.parse().unwrap();
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).unwrap();
    for s in signers {
        env.sign(s).unwrap();
    }
    env
}

pub fn design_of(content: &[u8]) -> DesignId {
    hash_content(content).unwrap().blake3
}

/// A registration of `content` by `creators` with their shares.
pub fn register(content: &[u8], creators: &[(&SigningKey, u32)]) -> Envelope {
    let h = hash_content(content).unwrap();
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "A shoe charm",
        "creators": creators.iter().map(|(k, s)| json!({"key": id(k).to_string(), "share_ppm": s, "role": "designer"})).collect::<Vec<_>>(),
        "parents": [],
    });
    let signers: Vec<&SigningKey> = creators.iter().map(|(k, _)| *k).collect();
    envelope("design.register", payload, &signers)
}

/// A grant of `design` to `licensee`, signed by `owners` and the licensee.
pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    max_units: Option<u64>,
) -> Envelope {
    let mut terms = json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    });
    if let Some(m) = max_units {
        terms["max_units"] = json!(m);
    }
    let payload = json!({"design": design, "licensee": id(licensee).to_string(), "terms": terms});
    let mut signers = owners.to_vec();
    signers.push(licensee);
    envelope("license.grant", payload, &signers)
}

pub fn grant_id(env: &Envelope) -> GrantId {
    GrantId(*env.id().as_bytes())
}
