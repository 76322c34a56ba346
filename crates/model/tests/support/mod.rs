//! Shared test helpers: deterministic keys, a ledger in memory with a clock,
//! and JSON builders for payloads.
#![allow(dead_code, clippy::missing_panics_doc, clippy::must_use_candidate)]

use ed25519_dalek::SigningKey;
use provenant_model::{
    DesignId, Entry, Envelope, GrantId, Identity, Kind, MemoryState, RuleError, Timestamp,
    hash_content, identity_of,
};
use serde_json::{Value, json};

/// A signing key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The identity of a signing key.
pub fn id(key: &SigningKey) -> Identity {
    identity_of(key).unwrap()
}

/// The text of an identity.
pub fn idt(key: &SigningKey) -> String {
    id(key).to_string()
}

/// The arbiter of every test world.
pub fn arbiter() -> SigningKey {
    key(250)
}

/// An envelope of `kind` with `payload`, signed by `signers`.
pub fn envelope(kind: &str, payload: Value, signers: &[&SigningKey]) -> Envelope {
    try_envelope(kind, payload, signers).unwrap()
}

/// An envelope of `kind` with `payload`, signed by `signers`, if it parses.
pub fn try_envelope(
    kind: &str,
    payload: Value,
    signers: &[&SigningKey],
) -> Result<Envelope, RuleError> {
    let kind: Kind = kind.parse()?;
    let mut env = Envelope::from_parts(kind, payload, Vec::new())?;
    for s in signers {
        env.sign(s)?;
    }
    Ok(env)
}

/// The design id of some content.
pub fn design_of(content: &[u8]) -> DesignId {
    hash_content(content).unwrap().blake3
}

/// A content descriptor as JSON.
pub fn content_json(content: &[u8]) -> Value {
    let h = hash_content(content).unwrap();
    json!({"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"})
}

/// A registration payload.
pub fn register_json(
    content: &[u8],
    creators: &[(&SigningKey, u32)],
    parents: &[(DesignId, GrantId)],
) -> Value {
    json!({
        "content": content_json(content),
        "title": "A shoe charm",
        "creators": creators.iter().map(|(k, s)| json!({"key": idt(k), "share_ppm": s, "role": "designer"})).collect::<Vec<_>>(),
        "parents": parents.iter().map(|(d, g)| json!({"design": d, "grant": g})).collect::<Vec<_>>(),
    })
}

/// Default terms: commercial, derivatives allowed, 5% LAP, from 2025-01-01.
pub fn terms() -> Value {
    json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    })
}

/// `base` with the members of `extra` replaced.
pub fn with(base: &Value, extra: &Value) -> Value {
    let mut out = base.clone();
    for (k, v) in extra.as_object().unwrap() {
        out[k] = v.clone();
    }
    out
}

/// A grant payload.
pub fn grant_json(design: DesignId, licensee: &SigningKey, terms: &Value) -> Value {
    json!({"design": design, "licensee": idt(licensee), "terms": terms})
}

/// A ledger in memory: entries are stamped one minute apart from
/// 2025-06-01T00:00:00Z.
pub struct World {
    pub state: MemoryState,
    pub clock: i64,
    pub arbiters: Vec<Identity>,
    pub leaves: Vec<Vec<u8>>,
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

impl World {
    pub fn new() -> World {
        World {
            state: MemoryState::new(),
            clock: "2025-06-01T00:00:00Z".parse::<Timestamp>().unwrap().unix(),
            arbiters: vec![id(&arbiter())],
            leaves: Vec::new(),
        }
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::from_unix(self.clock).unwrap()
    }

    /// Logs an envelope; on failure, checks the state did not change.
    pub fn submit_envelope(&mut self, env: Envelope) -> Result<Entry, RuleError> {
        let before = self.state.clone();
        let entry = Entry::new(env, self.now());
        match self.state.apply_entry(&entry, &self.arbiters, None) {
            Ok(_) => {
                self.clock += 60;
                self.leaves.push(entry.leaf_bytes());
                Ok(entry)
            }
            Err(e) => {
                assert_eq!(self.state, before, "a refused entry changed the state");
                Err(e)
            }
        }
    }

    pub fn submit(
        &mut self,
        kind: &str,
        payload: Value,
        signers: &[&SigningKey],
    ) -> Result<Entry, RuleError> {
        self.submit_envelope(try_envelope(kind, payload, signers)?)
    }

    /// Submits and expects the rule `code`.
    pub fn refuse(
        &mut self,
        kind: &str,
        payload: Value,
        signers: &[&SigningKey],
        code: &str,
    ) -> RuleError {
        match self.submit(kind, payload, signers) {
            Ok(_) => panic!("expected {code}, the entry was accepted"),
            Err(e) => {
                assert_eq!(e.code(), code, "{e}");
                e
            }
        }
    }

    pub fn register(
        &mut self,
        content: &[u8],
        creators: &[(&SigningKey, u32)],
        parents: &[(DesignId, GrantId)],
    ) -> DesignId {
        let signers: Vec<&SigningKey> = creators.iter().map(|(k, _)| *k).collect();
        self.submit(
            "design.register",
            register_json(content, creators, parents),
            &signers,
        )
        .unwrap();
        design_of(content)
    }

    pub fn grant(
        &mut self,
        design: DesignId,
        owners: &[&SigningKey],
        licensee: &SigningKey,
        terms: &Value,
    ) -> GrantId {
        let mut signers = owners.to_vec();
        signers.push(licensee);
        let entry = self
            .submit(
                "license.grant",
                grant_json(design, licensee, terms),
                &signers,
            )
            .unwrap();
        entry.envelope.id().into()
    }
}
