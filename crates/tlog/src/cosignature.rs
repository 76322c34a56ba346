//! C2SP tlog-cosignature: a witness's timestamped signature on a checkpoint.
//!
//! A cosignature is one more signature line on a checkpoint note. For the
//! Ed25519 type (`cosignature/v1`, signature type `0x04`):
//!
//! ```text
//! key id    = SHA-256(cosigner name || 0x0A || 0x04 || 32-byte public key)[:4]
//! message   = "cosignature/v1\n" || "time " || decimal(timestamp) || "\n" || checkpoint text
//! line      = — <cosigner name> base64(key id (4) || timestamp (8, big-endian) || Ed25519(message) (64))
//! vkey      = <cosigner name>+<hex key id>+base64(0x04 || public key)
//! ```
//!
//! The checkpoint text is the whole note text, extension lines and final
//! newline included, signature lines excluded. The timestamp is POSIX
//! seconds with no leading zeros and must not exceed `2^63 - 1`. The message
//! does not commit to the cosigner's name, so one Ed25519 key must never
//! serve two cosigners.
//!
//! The ML-DSA-44 type (`subtree/v1`, signature type `0x06`, a 1312-byte key
//! and a 2420-byte signature) is recognised but not verified: its keys parse
//! ([`MlDsa44Key`]) and its lines are told apart by their key id, so a note
//! that carries them still parses and verifies with every other key. Like any
//! unknown signature, such a line never rejects a note and never counts.
//!
//! Verification follows C2SP signed-note: a line is this cosigner's when both
//! its name and its key id match; other lines are ignored; a line of this
//! cosigner that does not verify rejects the note.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::Error;
use crate::checkpoint::Checkpoint;
use crate::note::{
    Note, NoteSignature, check_name, ed25519_vkey_text, parse_ed25519_vkey, split_vkey,
    typed_key_id,
};

/// The signature type byte of Ed25519 `cosignature/v1` keys.
pub const COSIGNATURE_V1_TYPE: u8 = 0x04;

/// The signature type byte of ML-DSA-44 `subtree/v1` keys.
pub const ML_DSA_44_TYPE: u8 = 0x06;

/// The length of an ML-DSA-44 public key.
pub const ML_DSA_44_KEY_SIZE: usize = 1312;

/// The largest timestamp a cosignature may carry, `2^63 - 1`.
pub const MAX_TIMESTAMP: u64 = (1 << 63) - 1;

/// Timestamp (8) and Ed25519 signature (64): the bytes after the key id.
const V1_SIG_SIZE: usize = 8 + 64;

/// `SHA-256(name || 0x0A || 0x04 || public key)[:4]`, big-endian.
#[must_use]
pub fn key_id(name: &str, key: &VerifyingKey) -> u32 {
    typed_key_id(name, COSIGNATURE_V1_TYPE, key.as_bytes())
}

/// The signed message: `cosignature/v1\ntime <timestamp>\n` followed by the
/// checkpoint text.
#[must_use]
pub fn signed_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    m.extend_from_slice(checkpoint_text.as_bytes());
    m
}

/// A witness's Ed25519 public key that verifies its `cosignature/v1` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// A verifier for `key` under the cosigner name `name`.
    ///
    /// # Errors
    /// [`Error::KeyName`] for an invalid name.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, Error> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            id: key_id(name, &key),
            key,
        })
    }

    /// Parses the vkey `name+hex(id)+base64(0x04 || key)`.
    ///
    /// # Errors
    /// [`Error::KeyName`] or [`Error::KeyText`] when any part is malformed,
    /// of another type, or when the id does not match the key.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let (name, key) = parse_ed25519_vkey(
            text,
            COSIGNATURE_V1_TYPE,
            "not an Ed25519 cosignature (type 0x04) key",
        )?;
        Self::new(name, key)
    }

    /// The vkey `name+hex(id)+base64(0x04 || key)`.
    #[must_use]
    pub fn to_text(&self) -> String {
        ed25519_vkey_text(&self.name, self.id, COSIGNATURE_V1_TYPE, &self.key)
    }

    /// The cosigner name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The Ed25519 public key.
    #[must_use]
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether a signature line is this cosigner's: name and key id match.
    #[must_use]
    pub fn is_signer_of(&self, sig: &NoteSignature) -> bool {
        sig.id == self.id && sig.name == self.name
    }

    /// Verifies one signature line of this cosigner over `checkpoint_text`
    /// and returns its timestamp. This is what a log does with each line a
    /// witness answers to `add-checkpoint`.
    ///
    /// # Errors
    /// [`Error::CosignatureInvalid`] when the line is not this cosigner's,
    /// is not 72 bytes after the key id, carries a timestamp above
    /// [`MAX_TIMESTAMP`], or its signature does not verify.
    pub fn verify_signature(
        &self,
        checkpoint_text: &str,
        sig: &NoteSignature,
    ) -> Result<u64, Error> {
        let invalid = || Error::CosignatureInvalid {
            name: sig.name.clone(),
            id: sig.id,
        };
        if !self.is_signer_of(sig) || sig.sig.len() != V1_SIG_SIZE {
            return Err(invalid());
        }
        let (time, ed) = sig.sig.split_at(8);
        let timestamp = u64::from_be_bytes(time.try_into().map_err(|_| invalid())?);
        if timestamp > MAX_TIMESTAMP {
            return Err(invalid());
        }
        let ed = Signature::from_slice(ed).map_err(|_| invalid())?;
        self.key
            .verify_strict(&signed_message(checkpoint_text, timestamp), &ed)
            .map_err(|_| invalid())?;
        Ok(timestamp)
    }

    /// Finds and verifies this cosigner's lines in `note`.
    ///
    /// Returns `None` when the note carries no line of this cosigner, and
    /// the latest timestamp when every such line verifies.
    ///
    /// # Errors
    /// [`Error::CosignatureInvalid`] when a line of this cosigner does not
    /// verify: per C2SP signed-note, such a note is rejected.
    pub fn verify(&self, note: &Note) -> Result<Option<u64>, Error> {
        let mut latest = None;
        for sig in note.signatures().iter().filter(|s| self.is_signer_of(s)) {
            let t = self.verify_signature(note.text(), sig)?;
            latest = latest.max(Some(t));
        }
        Ok(latest)
    }
}

/// A witness's private key that signs `cosignature/v1` lines.
pub struct Cosigner {
    verifier: CosignatureVerifier,
    key: SigningKey,
}

impl Cosigner {
    /// A cosigner for `key` under the cosigner name `name`.
    ///
    /// # Errors
    /// [`Error::KeyName`] for an invalid name.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, Error> {
        Ok(Self {
            verifier: CosignatureVerifier::new(name, key.verifying_key())?,
            key,
        })
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> &CosignatureVerifier {
        &self.verifier
    }

    /// Cosigns a checkpoint text at `timestamp` (POSIX seconds) and returns
    /// the signature line.
    ///
    /// The caller has checked the checkpoint (its log signature and its
    /// consistency with what it cosigned before): this only signs.
    ///
    /// # Errors
    /// [`Error::CheckpointMalformed`] when the text is not a checkpoint;
    /// [`Error::CosignatureTime`] for a timestamp of 0 (C2SP tlog-witness:
    /// a witness's cosignature must not omit the time) or above
    /// [`MAX_TIMESTAMP`].
    pub fn sign(&self, checkpoint_text: &str, timestamp: u64) -> Result<NoteSignature, Error> {
        Checkpoint::parse(checkpoint_text)?;
        if timestamp == 0 || timestamp > MAX_TIMESTAMP {
            return Err(Error::CosignatureTime { timestamp });
        }
        let ed = self.key.sign(&signed_message(checkpoint_text, timestamp));
        let mut sig = Vec::with_capacity(V1_SIG_SIZE);
        sig.extend_from_slice(&timestamp.to_be_bytes());
        sig.extend_from_slice(&ed.to_bytes());
        Ok(NoteSignature {
            name: self.verifier.name.clone(),
            id: self.verifier.id,
            sig,
        })
    }

    /// Cosigns the checkpoint a note carries: [`Cosigner::sign`] of its text.
    ///
    /// # Errors
    /// As [`Cosigner::sign`].
    pub fn cosign(&self, note: &Note, timestamp: u64) -> Result<NoteSignature, Error> {
        self.sign(note.text(), timestamp)
    }
}

/// An ML-DSA-44 (`subtree/v1`, type `0x06`) cosigner key: parsed and
/// recognised, not verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MlDsa44Key {
    name: String,
    id: u32,
    key: Vec<u8>,
}

impl MlDsa44Key {
    /// The cosigner name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id, `SHA-256(name || 0x0A || 0x06 || 1312-byte key)[:4]`.
    #[must_use]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Whether a signature line is this key's: name and key id match.
    #[must_use]
    pub fn is_signer_of(&self, sig: &NoteSignature) -> bool {
        sig.id == self.id && sig.name == self.name
    }
}

/// A cosigner's public key as a vkey names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CosignerKey {
    /// Ed25519 `cosignature/v1`: verified.
    Ed25519(CosignatureVerifier),
    /// ML-DSA-44 `subtree/v1`: recognised, never verified, never counted.
    MlDsa44(MlDsa44Key),
}

impl CosignerKey {
    /// Parses a cosigner vkey of type `0x04` or `0x06`.
    ///
    /// # Errors
    /// [`Error::KeyName`] or [`Error::KeyText`] when malformed, of another
    /// type, of the wrong length, or when the id does not match the key.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let (name, id, bytes) = split_vkey(text)?;
        match bytes[0] {
            COSIGNATURE_V1_TYPE => CosignatureVerifier::from_text(text).map(Self::Ed25519),
            ML_DSA_44_TYPE => {
                let key = &bytes[1..];
                if key.len() != ML_DSA_44_KEY_SIZE {
                    return Err(Error::KeyText {
                        reason: "an ML-DSA-44 key is 1312 bytes",
                    });
                }
                if typed_key_id(name, ML_DSA_44_TYPE, key) != id {
                    return Err(Error::KeyText {
                        reason: "key id does not match the key",
                    });
                }
                Ok(Self::MlDsa44(MlDsa44Key {
                    name: name.to_owned(),
                    id,
                    key: key.to_vec(),
                }))
            }
            _ => Err(Error::KeyText {
                reason: "not a cosigner key (type 0x04 or 0x06)",
            }),
        }
    }

    /// The vkey text.
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Self::Ed25519(v) => v.to_text(),
            Self::MlDsa44(k) => {
                let mut typed = Vec::with_capacity(1 + k.key.len());
                typed.push(ML_DSA_44_TYPE);
                typed.extend_from_slice(&k.key);
                format!("{}+{:08x}+{}", k.name, k.id, STANDARD.encode(typed))
            }
        }
    }

    /// The cosigner name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Ed25519(v) => v.name(),
            Self::MlDsa44(k) => k.name(),
        }
    }

    /// The raw public key (32 or 1312 bytes), which tells duplicate keys
    /// apart whatever name they carry.
    #[must_use]
    pub fn key_bytes(&self) -> &[u8] {
        match self {
            Self::Ed25519(v) => v.key().as_bytes(),
            Self::MlDsa44(k) => &k.key,
        }
    }

    /// Verifies this key's lines in `note`: the latest timestamp for
    /// Ed25519, always `None` for ML-DSA-44 (not supported).
    ///
    /// # Errors
    /// As [`CosignatureVerifier::verify`].
    pub fn verify(&self, note: &Note) -> Result<Option<u64>, Error> {
        match self {
            Self::Ed25519(v) => v.verify(note),
            Self::MlDsa44(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::hash_leaf;
    use crate::index::TreeSize;
    use crate::note::NoteSigner;

    const CHECKPOINT: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    fn cosigner(name: &str, seed: u8) -> Cosigner {
        Cosigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    #[test]
    fn the_signed_message_is_the_spec_example() {
        // C2SP tlog-cosignature, "Ed25519 signed message".
        assert_eq!(
            signed_message(CHECKPOINT, 1_679_315_147),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n\
              CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        assert!(signed_message(CHECKPOINT, 0).starts_with(b"cosignature/v1\ntime 0\n"));
    }

    #[test]
    fn a_line_is_key_id_timestamp_signature() {
        let c = cosigner("witness.example/w1", 3);
        let sig = c.sign(CHECKPOINT, 0x0102_0304_0506_0708).unwrap();
        assert_eq!(sig.id, key_id("witness.example/w1", c.verifier().key()));
        assert_eq!(sig.sig.len(), 72);
        assert_eq!(sig.sig[..8], [1, 2, 3, 4, 5, 6, 7, 8]);
        let ed = Signature::from_slice(&sig.sig[8..]).unwrap();
        c.verifier()
            .key()
            .verify_strict(&signed_message(CHECKPOINT, 0x0102_0304_0506_0708), &ed)
            .unwrap();
        let line = sig.to_line();
        assert!(line.starts_with("\u{2014} witness.example/w1 "));
        assert_eq!(NoteSignature::from_line(&line).unwrap(), sig);
    }

    #[test]
    fn cosign_push_parse_verify_round_trip() {
        let log = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[1; 32])).unwrap();
        let checkpoint = Checkpoint::new("example.com/log", TreeSize(7), hash_leaf(b"x"));
        let mut note = checkpoint.sign(&log).unwrap();
        let (w1, w2) = (cosigner("w1.example", 2), cosigner("w2.example", 3));
        let line = w1.cosign(&note, 1_700_000_000).unwrap();
        note.push_signature(line).unwrap();
        note.push_signature(w2.cosign(&note, 1_700_000_005).unwrap())
            .unwrap();
        let parsed = Note::parse(note.to_text().as_bytes()).unwrap();
        assert_eq!(parsed, note);
        assert_eq!(w1.verifier().verify(&parsed).unwrap(), Some(1_700_000_000));
        assert_eq!(w2.verifier().verify(&parsed).unwrap(), Some(1_700_000_005));
        assert_eq!(
            cosigner("w3.example", 4)
                .verifier()
                .verify(&parsed)
                .unwrap(),
            None
        );
        // The log's own verification ignores the cosignatures.
        Checkpoint::verify(&parsed, "example.com/log", &[log.verifier().clone()]).unwrap();
    }

    #[test]
    fn the_log_key_and_a_cosigner_key_never_share_lines() {
        // The same Ed25519 key under the same name has different ids as a
        // log (0x01) and as a cosigner (0x04).
        let key = SigningKey::from_bytes(&[9; 32]);
        let log = NoteSigner::new("same.example", key.clone()).unwrap();
        let w = Cosigner::new("same.example", key).unwrap();
        assert_ne!(log.verifier().id(), w.verifier().id());
        let note = log.sign(CHECKPOINT).unwrap();
        assert_eq!(w.verifier().verify(&note).unwrap(), None);
    }

    #[test]
    fn the_latest_of_several_lines_counts_and_a_bad_one_rejects() {
        let log = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[1; 32])).unwrap();
        let mut note = log.sign(CHECKPOINT).unwrap();
        let w = cosigner("w.example", 2);
        for t in [5, 9, 7] {
            note.push_signature(w.cosign(&note, t).unwrap()).unwrap();
        }
        assert_eq!(w.verifier().verify(&note).unwrap(), Some(9));
        let mut bad = w.cosign(&note, 11).unwrap();
        bad.sig[0] ^= 1;
        note.push_signature(bad).unwrap();
        assert!(matches!(
            w.verifier().verify(&note),
            Err(Error::CosignatureInvalid { .. })
        ));
    }

    #[test]
    fn signing_refuses_zero_huge_times_and_non_checkpoints() {
        let w = cosigner("w.example", 2);
        assert!(matches!(
            w.sign(CHECKPOINT, 0),
            Err(Error::CosignatureTime { timestamp: 0 })
        ));
        assert!(w.sign(CHECKPOINT, MAX_TIMESTAMP).is_ok());
        assert!(matches!(
            w.sign(CHECKPOINT, MAX_TIMESTAMP + 1),
            Err(Error::CosignatureTime { .. })
        ));
        assert!(matches!(
            w.sign("not a checkpoint\n", 1),
            Err(Error::CheckpointMalformed { .. })
        ));
    }

    #[test]
    fn a_timestamp_above_the_limit_is_invalid_even_when_signed() {
        // Forge a line by hand with a timestamp the cosigner refuses.
        let key = SigningKey::from_bytes(&[2; 32]);
        let v = CosignatureVerifier::new("w.example", key.verifying_key()).unwrap();
        let t = MAX_TIMESTAMP + 1;
        let mut sig = t.to_be_bytes().to_vec();
        sig.extend_from_slice(&key.sign(&signed_message(CHECKPOINT, t)).to_bytes());
        let line = NoteSignature {
            name: "w.example".to_owned(),
            id: v.id(),
            sig,
        };
        assert!(v.verify_signature(CHECKPOINT, &line).is_err());
        // A zero timestamp is valid as a format (only witnesses must not send it).
        let mut sig = 0u64.to_be_bytes().to_vec();
        sig.extend_from_slice(&key.sign(&signed_message(CHECKPOINT, 0)).to_bytes());
        let line = NoteSignature { sig, ..line };
        assert_eq!(v.verify_signature(CHECKPOINT, &line).unwrap(), 0);
    }

    #[test]
    fn wrong_lengths_and_strangers_are_invalid() {
        let w = cosigner("w.example", 2);
        let good = w.sign(CHECKPOINT, 10).unwrap();
        for len in [0, 8, 71, 73] {
            let mut s = good.clone();
            s.sig.resize(len, 0);
            assert!(
                w.verifier().verify_signature(CHECKPOINT, &s).is_err(),
                "{len}"
            );
        }
        let stranger = NoteSignature {
            name: "other.example".to_owned(),
            ..good.clone()
        };
        assert!(
            w.verifier()
                .verify_signature(CHECKPOINT, &stranger)
                .is_err()
        );
        assert_eq!(
            w.verifier().verify_signature(CHECKPOINT, &good).unwrap(),
            10
        );
    }

    #[test]
    fn vkeys_round_trip_and_are_strict() {
        let v = cosigner("witness.example/w1", 4).verifier().clone();
        let text = v.to_text();
        assert_eq!(CosignatureVerifier::from_text(&text).unwrap(), v);
        assert_eq!(
            CosignerKey::from_text(&text).unwrap(),
            CosignerKey::Ed25519(v.clone())
        );
        assert_eq!(CosignerKey::from_text(&text).unwrap().to_text(), text);
        // The same key as a log key (type 0x01) is not a cosigner key.
        let log = NoteSigner::new("witness.example/w1", SigningKey::from_bytes(&[4; 32]))
            .unwrap()
            .verifier()
            .to_text();
        assert!(CosignatureVerifier::from_text(&log).is_err());
        assert!(CosignerKey::from_text(&log).is_err());
        assert!(CosignatureVerifier::from_text(&text.replacen("w1", "w2", 1)).is_err());
        assert!(CosignatureVerifier::from_text(&text.to_uppercase()).is_err());
        assert!(CosignerKey::from_text("a+00000000+").is_err());
        assert!(CosignerKey::from_text("a+00000000+Bg==").is_err());
    }
}
