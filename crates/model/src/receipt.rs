//! The receipt every accepted write gets, and its offline verification.
//!
//! A receipt says: this entry is leaf `index` of the log, here is the
//! RFC 9162 inclusion proof, and here is the checkpoint (a C2SP signed
//! note) that the proof leads to. Checking it needs only the log's origin
//! and verifier key: no server, no network.
//!
//! ```text
//! leaf bytes = JCS(entry)                    (RFC 8785)
//! leaf hash  = SHA-256(0x00 || leaf bytes)   (RFC 6962 section 2.1)
//! verify: checkpoint signature (C2SP signed-note), then
//!         inclusion of leaf hash at index under the checkpoint's root
//!         (RFC 9162 section 2.1.3.2)
//! ```

use provenant_tlog::bundle::ProofBundle;
use provenant_tlog::{Checkpoint, Hash, LeafIndex, Note, NoteVerifier, hash_leaf};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::{Entry, LeafHash, RuleError};

/// Proof of an entry's place in the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The ledger entry `{kind, payload, signatures, logged_at}`, as JSON
    /// text: the log's leaf bytes as the log wrote them (a proxy may have
    /// re-spaced them; [`Receipt::leaf_bytes`] canonicalises). Read with
    /// no repeated member names (see [`crate::strict_json`]): with two
    /// `payload` members one reader would check one and another reader
    /// show the other.
    #[serde(deserialize_with = "strict_raw")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::Entry"))]
    pub entry: Box<RawValue>,
    /// Its leaf index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: LeafHash,
    /// The inclusion proof, leaf sibling first, as hex hashes.
    #[serde(serialize_with = "hashes_out", deserialize_with = "hashes_in")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<crate::schema::NodeHash>"))]
    pub inclusion_proof: Vec<Hash>,
    /// The signed checkpoint (C2SP tlog-checkpoint note text).
    pub checkpoint: String,
    /// For a design registration with an image code: designs registered
    /// before it that look like it. Advisory: the ledger's index found
    /// them, no proof covers the list, and equality of receipts ignores it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub near_duplicates: Vec<crate::NearDuplicate>,
}

/// Why a receipt does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The entry is not a canonical ledger entry.
    #[error("the entry is not a valid ledger entry: {0}")]
    Entry(#[from] RuleError),
    /// The leaf hash is not the hash of the entry.
    #[error("the leaf hash is not SHA-256(0x00 || JCS(entry))")]
    LeafHash,
    /// The checkpoint or the proof does not verify.
    #[error("{0}")]
    Log(#[from] provenant_tlog::Error),
}

impl PartialEq for Receipt {
    fn eq(&self, other: &Self) -> bool {
        self.entry.get() == other.entry.get()
            && self.index == other.index
            && self.leaf_hash == other.leaf_hash
            && self.inclusion_proof == other.inclusion_proof
            && self.checkpoint == other.checkpoint
    }
}

impl Eq for Receipt {}

impl Receipt {
    /// A receipt for `entry` at `index`.
    ///
    /// # Errors
    /// Never: an entry's leaf bytes are JSON.
    pub fn new(
        entry: &Entry,
        index: u64,
        inclusion_proof: Vec<Hash>,
        checkpoint: String,
    ) -> Result<Self, ReceiptError> {
        let bytes = entry.leaf_bytes();
        let leaf_hash = hash_leaf(&bytes).into();
        Self::of_leaf(bytes, leaf_hash, index, inclusion_proof, checkpoint)
    }

    /// A receipt for the entry whose leaf bytes (its canonical JSON, as the
    /// log stored it) and leaf hash the caller already has: the log's own
    /// receipts, which carry those exact bytes instead of rebuilding them.
    ///
    /// # Errors
    /// [`ReceiptError::Entry`] when the bytes are not JSON text (an
    /// entry's leaf bytes always are).
    pub fn of_leaf(
        leaf_bytes: Vec<u8>,
        leaf_hash: LeafHash,
        index: u64,
        inclusion_proof: Vec<Hash>,
        checkpoint: String,
    ) -> Result<Self, ReceiptError> {
        let text = String::from_utf8(leaf_bytes).map_err(|e| RuleError::Malformed {
            field: "entry".to_owned(),
            detail: e.to_string(),
        })?;
        let entry = RawValue::from_string(text).map_err(|e| malformed(&e))?;
        Ok(Self {
            entry,
            index,
            leaf_hash,
            inclusion_proof,
            checkpoint,
            near_duplicates: Vec::new(),
        })
    }

    /// The entry as a JSON value.
    ///
    /// # Errors
    /// [`ReceiptError::Entry`] when the text is not JSON (it always is once
    /// the receipt has been read).
    pub fn entry_value(&self) -> Result<Value, ReceiptError> {
        serde_json::from_str(self.entry.get()).map_err(|e| malformed(&e).into())
    }

    /// The entry's leaf bytes, checked to be its canonical encoding: the
    /// text as received when it already is (as the log writes it), else
    /// its RFC 8785 form.
    ///
    /// # Errors
    /// [`ReceiptError::Entry`] when the entry is not a ledger entry.
    pub fn leaf_bytes(&self) -> Result<Vec<u8>, ReceiptError> {
        let text = self.entry.get().as_bytes();
        if Entry::from_leaf_bytes(text).is_ok() {
            return Ok(text.to_vec());
        }
        let bytes = crate::jcs::to_vec(&self.entry_value()?).map_err(|e| RuleError::Malformed {
            field: "entry".to_owned(),
            detail: e.to_string(),
        })?;
        Entry::from_leaf_bytes(&bytes)?;
        Ok(bytes)
    }

    /// Verifies the receipt offline against the log's origin and key, and
    /// returns the checkpoint it is proven under.
    ///
    /// # Errors
    /// The first check that fails.
    pub fn verify(&self, origin: &str, log: &NoteVerifier) -> Result<Checkpoint, ReceiptError> {
        let bytes = self.leaf_bytes()?;
        let leaf = hash_leaf(&bytes);
        if LeafHash::from(leaf) != self.leaf_hash {
            return Err(ReceiptError::LeafHash);
        }
        Ok(self.bundle()?.verify(&bytes, origin, log)?)
    }

    /// The receipt as a C2SP tlog-proof bundle (the entry travels apart).
    ///
    /// # Errors
    /// [`ReceiptError::Log`] when the checkpoint is not a signed note.
    pub fn bundle(&self) -> Result<ProofBundle, ReceiptError> {
        Ok(ProofBundle {
            extra: None,
            index: LeafIndex(self.index),
            proof: self.inclusion_proof.clone(),
            checkpoint: Note::parse(self.checkpoint.as_bytes())?,
        })
    }
}

fn malformed(e: &serde_json::Error) -> RuleError {
    RuleError::Malformed {
        field: "entry".to_owned(),
        detail: e.to_string(),
    }
}

/// The entry's text, refused when any object in it repeats a member name.
fn strict_raw<'de, D: Deserializer<'de>>(d: D) -> Result<Box<RawValue>, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    crate::strict_json::parse(raw.get().as_bytes()).map_err(serde::de::Error::custom)?;
    Ok(raw)
}

/// A hash's digits, serialized without a `String` of their own.
struct HexDigits(provenant_tlog::Hex);

impl Serialize for HexDigits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

#[allow(clippy::ptr_arg)]
fn hashes_out<S: Serializer>(hashes: &Vec<Hash>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(hashes.iter().map(|h| HexDigits(h.hex())))
}

fn hashes_in<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
    let texts: Vec<String> = Vec::deserialize(d)?;
    texts
        .iter()
        .map(|t| Hash::from_hex(t).map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use provenant_tlog::{NoteSigner, TreeSize, append, prove_inclusion, tree_hash};
    use serde_json::json;

    use super::*;
    use crate::{Envelope, Kind, Timestamp};

    const ORIGIN: &str = "example.com/log";

    fn entry(n: u64) -> Entry {
        let payload = json!({"design": "00".repeat(32), "claim": format!("claim {n}"), "evidence": "11".repeat(32)});
        let mut env = Envelope::from_parts(Kind::DisputeRaise, payload, Vec::new()).unwrap();
        env.sign(&SigningKey::from_bytes(&[7; 32])).unwrap();
        Entry::new(env, Timestamp::from_unix(1_750_000_000).unwrap())
    }

    fn receipt(log: &NoteSigner) -> Receipt {
        let entries: Vec<Entry> = (0..3).map(entry).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| hash_leaf(&e.leaf_bytes())).collect();
        let store = append(TreeSize(0), &leaves, &Vec::new()).unwrap();
        let root = tree_hash(TreeSize(3), &store).unwrap();
        let note = Checkpoint::new(ORIGIN, TreeSize(3), root)
            .sign(log)
            .unwrap();
        let proof = prove_inclusion(LeafIndex(1), TreeSize(3), &store).unwrap();
        Receipt::new(&entries[1], 1, proof, note.to_text()).unwrap()
    }

    #[test]
    fn a_receipt_verifies_offline_after_a_json_round_trip() {
        let log = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32])).unwrap();
        let r = receipt(&log);
        let back: Receipt = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(
            back.verify(ORIGIN, log.verifier()).unwrap().size,
            TreeSize(3)
        );
    }

    #[test]
    fn altered_receipts_fail() {
        let log = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32])).unwrap();
        let other = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[8; 32])).unwrap();
        let r = receipt(&log);
        assert!(r.verify("other.example/log", log.verifier()).is_err());
        assert!(r.verify(ORIGIN, other.verifier()).is_err());
        let mut bad = r.clone();
        bad.index = 2;
        assert!(bad.verify(ORIGIN, log.verifier()).is_err());
        let with = |change: &dyn Fn(&mut Value)| {
            let mut bad = r.clone();
            let mut entry = r.entry_value().unwrap();
            change(&mut entry);
            bad.entry = RawValue::from_string(entry.to_string()).unwrap();
            bad
        };
        let bad = with(&|e| e["logged_at"] = json!("2025-06-15T15:06:41Z"));
        assert!(matches!(
            bad.verify(ORIGIN, log.verifier()),
            Err(ReceiptError::LeafHash)
        ));
        let mut bad = r.clone();
        bad.inclusion_proof.reverse();
        assert!(bad.verify(ORIGIN, log.verifier()).is_err());
        let bad = with(&|e| e["unknown"] = json!(1));
        assert!(matches!(
            bad.verify(ORIGIN, log.verifier()),
            Err(ReceiptError::Entry(_))
        ));
    }

    /// The receipt's JSON with a fake `payload` member written before the
    /// real one: a reader keeping the last member verifies the real entry,
    /// a reader keeping the first shows the fake.
    fn forged_text(r: &Receipt) -> String {
        let text = serde_json::to_string(r).unwrap();
        let fake = r#"{"claim":"someone else made it"}"#;
        let forged = text.replacen(
            "\"payload\":",
            &format!("\"payload\":{fake},\"payload\":"),
            1,
        );
        assert_ne!(forged, text);
        forged
    }

    #[test]
    fn a_receipt_with_a_repeated_member_is_refused() {
        let log = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32])).unwrap();
        let r = receipt(&log);
        let forged = forged_text(&r);
        // The lenient reading would verify: the last `payload` is the real one.
        let lenient: Value = serde_json::from_str(&forged).unwrap();
        assert_eq!(lenient["entry"], r.entry_value().unwrap());
        let err = serde_json::from_str::<Receipt>(&forged).unwrap_err();
        assert!(
            err.to_string().contains("\"payload\" appears twice"),
            "{err}"
        );
        // A repeated field of the receipt itself is refused by serde's derive.
        let text = serde_json::to_string(&r).unwrap();
        let twice = text.replacen(",\"checkpoint\":", ",\"index\":0,\"checkpoint\":", 1);
        assert_ne!(twice, text);
        assert!(serde_json::from_str::<Receipt>(&twice).is_err());
    }

    #[test]
    fn an_entry_bundle_leaf_with_a_repeated_member_is_refused() {
        // What an auditor reads from `/tile/entries/N`: leaf bytes only count
        // when they are the canonical encoding, which never repeats a name.
        let bytes = entry(1).leaf_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let forged = text.replacen("\"payload\":", "\"payload\":{},\"payload\":", 1);
        assert_ne!(forged, text);
        assert!(Entry::from_leaf_bytes(&bytes).is_ok());
        assert!(Entry::from_leaf_bytes(forged.as_bytes()).is_err());
    }
}
