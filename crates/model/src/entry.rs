//! The ledger entry `{kind, payload, signatures, logged_at}` and its leaf
//! bytes.
//!
//! ```text
//! leaf bytes = JCS({"kind", "logged_at", "payload", "signatures"})   RFC 8785
//! leaf hash  = SHA-256(0x00 || leaf bytes)                            RFC 6962 section 2.1
//! ```
//!
//! RFC 8785 orders object members by their UTF-16 code units, which for
//! these four names is `kind`, `logged_at`, `payload`, `signatures`, and
//! `{key, sig}` inside each signature. The kind, the time, the keys and the
//! signatures are ASCII without characters that JSON escapes, so the bytes
//! are built directly around the payload's canonical bytes.

use serde_json::Value;

use crate::{Envelope, Kind, LeafHash, RuleError, SignatureLine, Timestamp};

/// An envelope as logged, stamped with the server's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The envelope as received.
    pub envelope: Envelope,
    /// When the server logged it.
    pub logged_at: Timestamp,
}

impl Entry {
    /// An entry for `envelope` logged at `logged_at`.
    #[must_use]
    pub fn new(envelope: Envelope, logged_at: Timestamp) -> Entry {
        Entry {
            envelope,
            logged_at,
        }
    }

    /// The entry's RFC 8785 canonical bytes: the data of its Merkle leaf.
    #[must_use]
    pub fn leaf_bytes(&self) -> Vec<u8> {
        Entry::leaf_bytes_of(&self.envelope, self.logged_at)
    }

    /// The leaf bytes `envelope` has once logged at `logged_at`, without
    /// building the entry (which would take the envelope).
    #[must_use]
    pub fn leaf_bytes_of(env: &Envelope, logged_at: Timestamp) -> Vec<u8> {
        let payload = env.canonical_payload();
        let mut out = Vec::with_capacity(payload.len() + 64 + 150 * env.signatures().len());
        out.extend_from_slice(b"{\"kind\":\"");
        out.extend_from_slice(env.kind().as_str().as_bytes());
        out.extend_from_slice(b"\",\"logged_at\":\"");
        out.extend_from_slice(logged_at.to_string().as_bytes());
        out.extend_from_slice(b"\",\"payload\":");
        out.extend_from_slice(payload);
        out.extend_from_slice(b",\"signatures\":[");
        for (i, line) in env.signatures().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"key\":\"");
            out.extend_from_slice(line.key.to_string().as_bytes());
            out.extend_from_slice(b"\",\"sig\":\"");
            out.extend_from_slice(line.sig.to_string().as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// `SHA-256(0x00 || leaf bytes)` (RFC 6962 section 2.1).
    #[must_use]
    pub fn leaf_hash(&self) -> LeafHash {
        provenant_tlog::hash_leaf(&self.leaf_bytes()).into()
    }

    /// The entry as a JSON value.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut value = self.envelope.to_value();
        if let Value::Object(map) = &mut value {
            map.insert(
                "logged_at".to_owned(),
                Value::String(self.logged_at.to_string()),
            );
        }
        value
    }

    /// Parses an entry back from its leaf bytes. Strict: the bytes must be
    /// exactly the canonical encoding of the entry they describe.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] for bytes that are not an entry, and
    /// [`RuleError::NonCanonicalEntry`] for an entry in any other encoding.
    pub fn from_leaf_bytes(bytes: &[u8]) -> Result<Entry, RuleError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawEntry {
            kind: Kind,
            payload: Value,
            signatures: Vec<SignatureLine>,
            logged_at: Timestamp,
        }
        let raw: RawEntry = serde_json::from_slice(bytes).map_err(|e| RuleError::Malformed {
            field: "entry".to_owned(),
            detail: e.to_string(),
        })?;
        let entry = Entry::new(
            Envelope::from_parts(raw.kind, raw.payload, raw.signatures)?,
            raw.logged_at,
        );
        if entry.leaf_bytes() == bytes {
            Ok(entry)
        } else {
            Err(RuleError::NonCanonicalEntry)
        }
    }

    /// The `design.register` payload in leaf `bytes`, read alone.
    ///
    /// For reading back what the log accepted, where only the payload is
    /// shown: unlike [`Entry::from_leaf_bytes`], it neither builds the
    /// envelope nor checks the canonical form, which cost several times
    /// more than this on every design read. Whoever doubts the bytes
    /// checks them against the entry's inclusion proof.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] when `bytes` are not a registration entry.
    pub fn registration_in(bytes: &[u8]) -> Result<crate::payload::DesignRegister, RuleError> {
        #[derive(serde::Deserialize)]
        struct Registration {
            kind: Kind,
            payload: crate::payload::DesignRegister,
        }
        let malformed = |detail: String| RuleError::Malformed {
            field: "entry".to_owned(),
            detail,
        };
        let r: Registration =
            serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if r.kind == Kind::DesignRegister {
            Ok(r.payload)
        } else {
            Err(malformed(format!(
                "a {} entry, not design.register",
                r.kind.as_str()
            )))
        }
    }
}
