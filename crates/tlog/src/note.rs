//! C2SP signed-note: text signed by one or more named keys.
//!
//! A note is a UTF-8 text ending in `\n`, a blank line, then one signature
//! line per signer:
//!
//! ```text
//! <text, ending in \n>
//! \n
//! — <key name> base64(key id (4 bytes, big-endian) || signature)\n
//! ```
//!
//! For Ed25519 (signature type `0x01`) the key id is
//! `SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]` and the
//! signature is RFC 8032 Ed25519 over the note text, final newline included.
//! A verifier key is written `<name>+<hex key id>+base64(0x01 || public key)`.
//!
//! Verification follows the spec: signatures from unknown keys are kept but
//! ignored; a known key's signature that fails rejects the whole note; a
//! note no known key verified is rejected.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::Error;

/// The signature type byte of Ed25519 in C2SP signed-note.
pub const ED25519_TYPE: u8 = 0x01;

/// The most signature lines a note may carry (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 64;

const SIG_PREFIX: &str = "\u{2014} ";

/// `SHA-256(name || 0x0A || 0x01 || public key)[:4]`, big-endian.
#[must_use]
pub fn key_id(name: &str, key: &VerifyingKey) -> u32 {
    typed_key_id(name, ED25519_TYPE, key.as_bytes())
}

/// Key names are non-empty, with no Unicode space and no `+`.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        Err(Error::KeyName)
    } else {
        Ok(())
    }
}

/// Splits a verifier key `name+hex(id)+base64(type || key)` into its name,
/// its id and the typed key bytes (type byte first, at least one byte).
/// Whether the id matches the key is left to the caller, who knows the type.
pub(crate) fn split_vkey(text: &str) -> Result<(&str, u32, Vec<u8>), Error> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Error::KeyText {
            reason: "expected name+id+key",
        });
    };
    check_name(name)?;
    let bad_id = Error::KeyText {
        reason: "key id must be 8 lower-case hex digits",
    };
    if id.len() != 8
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(bad_id);
    }
    let id = u32::from_str_radix(id, 16).map_err(|_| bad_id)?;
    let bytes = STANDARD.decode(key).map_err(|_| Error::KeyText {
        reason: "key is not base64",
    })?;
    if bytes.is_empty() {
        return Err(Error::KeyText {
            reason: "key has no type byte",
        });
    }
    Ok((name, id, bytes))
}

/// `SHA-256(name || 0x0A || type || key)[:4]`, big-endian: the key id of
/// C2SP signed-note, for any signature type.
pub(crate) fn typed_key_id(name: &str, sig_type: u8, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type]);
    h.update(key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The name and Ed25519 key of the vkey `text` of signature type
/// `sig_type` (`0x01` a note signer's, `0x04` a cosigner's), its id checked
/// against the key; `wrong_type` says what was expected otherwise.
pub(crate) fn parse_ed25519_vkey<'t>(
    text: &'t str,
    sig_type: u8,
    wrong_type: &'static str,
) -> Result<(&'t str, VerifyingKey), Error> {
    let (name, id, bytes) = split_vkey(text)?;
    let Some((&typ, key)) = bytes.split_first() else {
        return Err(Error::KeyText { reason: wrong_type });
    };
    if typ != sig_type {
        return Err(Error::KeyText { reason: wrong_type });
    }
    let key = <[u8; 32]>::try_from(key)
        .ok()
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or(Error::KeyText {
            reason: "not a valid Ed25519 public key",
        })?;
    if typed_key_id(name, sig_type, key.as_bytes()) != id {
        return Err(Error::KeyText {
            reason: "key id does not match the key",
        });
    }
    Ok((name, key))
}

/// The vkey `name+hex(id)+base64(sig_type || key)` of an Ed25519 key.
pub(crate) fn ed25519_vkey_text(name: &str, id: u32, sig_type: u8, key: &VerifyingKey) -> String {
    let mut typed = Vec::with_capacity(33);
    typed.push(sig_type);
    typed.extend_from_slice(key.as_bytes());
    format!("{name}+{id:08x}+{}", STANDARD.encode(typed))
}

/// A public key that can verify note signatures, with its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`.
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

    /// Parses the verifier key text `name+hex(id)+base64(0x01 || key)`.
    ///
    /// # Errors
    /// [`Error::KeyName`] or [`Error::KeyText`] when any part is malformed,
    /// of another signature type, or when the id does not match the key.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let (name, key) = parse_ed25519_vkey(text, ED25519_TYPE, "not an Ed25519 (type 0x01) key")?;
        Self::new(name, key)
    }

    /// The verifier key text `name+hex(id)+base64(0x01 || key)`.
    #[must_use]
    pub fn to_text(&self) -> String {
        ed25519_vkey_text(&self.name, self.id, ED25519_TYPE, &self.key)
    }

    /// The key name.
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

    fn verifies(&self, text: &[u8], sig: &[u8]) -> bool {
        Signature::from_slice(sig).is_ok_and(|s| self.key.verify_strict(text, &s).is_ok())
    }
}

/// A private key that signs notes under a name.
pub struct NoteSigner {
    verifier: NoteVerifier,
    key: SigningKey,
}

impl NoteSigner {
    /// A signer for `key` under `name`.
    ///
    /// # Errors
    /// [`Error::KeyName`] for an invalid name.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, Error> {
        Ok(Self {
            verifier: NoteVerifier::new(name, key.verifying_key())?,
            key,
        })
    }

    /// The matching verifier.
    #[must_use]
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs `text` (which must be a valid note text) and returns the note.
    ///
    /// # Errors
    /// [`Error::NoteMalformed`] when the text is not a valid note text.
    pub fn sign(&self, text: &str) -> Result<Note, Error> {
        check_text(text)?;
        let mut note = Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        };
        note.signatures.push(self.signature(text));
        Ok(note)
    }

    /// Adds this signer's signature to an existing note.
    pub fn cosign(&self, note: &mut Note) {
        let sig = self.signature(&note.text);
        note.signatures.push(sig);
    }

    fn signature(&self, text: &str) -> NoteSignature {
        NoteSignature {
            name: self.verifier.name.clone(),
            id: self.verifier.id,
            sig: self.key.sign(text.as_bytes()).to_bytes().to_vec(),
        }
    }
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id.
    pub id: u32,
    /// The signature bytes (after the key id).
    pub sig: Vec<u8>,
}

impl NoteSignature {
    /// Parses one signature line, `— <name> base64(key id || signature)`,
    /// without its newline: the form of every line after a note's blank
    /// line, and of a C2SP tlog-witness `add-checkpoint` answer.
    ///
    /// # Errors
    /// [`Error::NoteMalformed`] naming what is wrong.
    pub fn from_line(line: &str) -> Result<Self, Error> {
        let malformed = |reason| Error::NoteMalformed { reason };
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(malformed(
            "signature line must start with an em dash and a space",
        ))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(malformed("signature line needs a name and a signature"))?;
        check_name(name).map_err(|_| malformed("invalid key name on a signature line"))?;
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| malformed("signature is not base64"))?;
        if raw.len() < 5 {
            return Err(malformed("signature too short"));
        }
        Ok(Self {
            name: name.to_owned(),
            id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            sig: raw[4..].to_vec(),
        })
    }

    /// The signature line, `— <name> base64(key id || signature)`, without
    /// its newline.
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.sig.len());
        raw.extend_from_slice(&self.id.to_be_bytes());
        raw.extend_from_slice(&self.sig);
        format!("{SIG_PREFIX}{} {}", self.name, STANDARD.encode(raw))
    }
}

/// A signed note: its text and every signature line, known or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// The note text must end in a newline and hold no control character other
/// than newline.
fn check_text(text: &str) -> Result<(), Error> {
    if !text.ends_with('\n') {
        return Err(Error::NoteMalformed {
            reason: "text must end with a newline",
        });
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::NoteMalformed {
            reason: "control character",
        });
    }
    Ok(())
}

impl Note {
    /// The signed text, final newline included.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every signature line, in order.
    #[must_use]
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Appends a signature line (a cosignature collected from a witness,
    /// say). Nothing is verified here: [`Note::verify`] and the
    /// cosignature verifiers do that.
    ///
    /// # Errors
    /// [`Error::NoteMalformed`] when the note already carries
    /// [`MAX_SIGNATURES`] lines, since it would no longer parse.
    pub fn push_signature(&mut self, signature: NoteSignature) -> Result<(), Error> {
        if self.signatures.len() == MAX_SIGNATURES {
            return Err(Error::NoteMalformed {
                reason: "too many signatures",
            });
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// The note as it travels: text, blank line, signature lines.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.to_line());
            out.push('\n');
        }
        out
    }

    /// Parses a note strictly: valid UTF-8, no control characters but
    /// newline, the text separated from at least one well-formed signature
    /// line by the last blank line.
    ///
    /// # Errors
    /// [`Error::NoteMalformed`] naming what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let all = std::str::from_utf8(bytes).map_err(|_| Error::NoteMalformed {
            reason: "not UTF-8",
        })?;
        let split = all.rfind("\n\n").ok_or(Error::NoteMalformed {
            reason: "no blank line before the signatures",
        })?;
        let (text, sigs) = (&all[..=split], &all[split + 2..]);
        check_text(text)?;
        if !sigs.ends_with('\n') {
            return Err(Error::NoteMalformed {
                reason: "signatures must end with a newline",
            });
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(Error::NoteMalformed {
                    reason: "too many signatures",
                });
            }
            signatures.push(NoteSignature::from_line(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Verifies the note against `known` keys.
    ///
    /// Returns the verifiers whose signatures verified. Signatures by unknown
    /// keys (name and id not both matching a known key) are ignored.
    ///
    /// # Errors
    /// [`Error::NoteSignature`] when a known key's signature fails;
    /// [`Error::NoteUnverified`] when no known key signed.
    pub fn verify<'k>(&self, known: &'k [NoteVerifier]) -> Result<Vec<&'k NoteVerifier>, Error> {
        let mut verified: Vec<&NoteVerifier> = Vec::new();
        for s in &self.signatures {
            let Some(v) = known.iter().find(|v| v.id == s.id && v.name == s.name) else {
                continue;
            };
            if !v.verifies(self.text.as_bytes(), &s.sig) {
                return Err(Error::NoteSignature {
                    name: s.name.clone(),
                    id: s.id,
                });
            }
            if !verified.contains(&v) {
                verified.push(v);
            }
        }
        if verified.is_empty() {
            Err(Error::NoteUnverified)
        } else {
            Ok(verified)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Go's `golang.org/x/mod/sumdb/note` documentation,
    /// also used by C2SP implementations.
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n\
                        \n\
                        \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn signer(name: &str, seed: u8) -> NoteSigner {
        NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    #[test]
    fn published_example_verifies() {
        let v = NoteVerifier::from_text(VKEY).unwrap();
        assert_eq!(v.to_text(), VKEY);
        let note = Note::parse(NOTE.as_bytes()).unwrap();
        assert_eq!(note.to_text(), NOTE);
        let known = [v];
        assert_eq!(note.verify(&known).unwrap().len(), 1);
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let s = signer("example.com/log", 7);
        let note = s.sign("hello\nworld\n").unwrap();
        let parsed = Note::parse(note.to_text().as_bytes()).unwrap();
        assert_eq!(parsed, note);
        parsed.verify(std::slice::from_ref(s.verifier())).unwrap();
    }

    #[test]
    fn unknown_signatures_are_kept_and_ignored() {
        let log = signer("example.com/log", 1);
        let other = signer("witness.example", 2);
        let mut note = log.sign("text\n").unwrap();
        other.cosign(&mut note);
        let parsed = Note::parse(note.to_text().as_bytes()).unwrap();
        assert_eq!(parsed.signatures().len(), 2);
        let ok = parsed.verify(std::slice::from_ref(log.verifier())).unwrap();
        assert_eq!(ok[0].name(), "example.com/log");
        assert!(matches!(
            parsed.verify(&[signer("nobody", 3).verifier().clone()]),
            Err(Error::NoteUnverified)
        ));
    }

    #[test]
    fn a_bad_signature_from_a_known_key_rejects_the_note() {
        let log = signer("example.com/log", 1);
        let note = log.sign("text\n").unwrap();
        let tampered = note.to_text().replacen("text", "test", 1);
        let parsed = Note::parse(tampered.as_bytes()).unwrap();
        assert!(matches!(
            parsed.verify(std::slice::from_ref(log.verifier())),
            Err(Error::NoteSignature { .. })
        ));
    }

    #[test]
    fn same_name_other_key_is_unknown() {
        let log = signer("example.com/log", 1);
        let impostor = signer("example.com/log", 9);
        let note = impostor.sign("text\n").unwrap();
        assert!(matches!(
            note.verify(std::slice::from_ref(log.verifier())),
            Err(Error::NoteUnverified)
        ));
    }

    #[test]
    fn malformed_notes_are_refused() {
        for bad in [
            "no blank line\n\u{2014} a AAAAAAAA\n",
            "text\n\n",
            "text\n\n\u{2014} a AAAAAAAA",
            "text\n\n- a AAAAAAAA\n",
            "text\n\n\u{2014} a not-base64!\n",
            "text\n\n\u{2014} a AAAA\n",
            "text\n\n\u{2014} a+b AAAAAAAA\n",
            "te\u{7}xt\n\n\u{2014} a AAAAAAAA\n",
            "text\r\n\n\u{2014} a AAAAAAAA\n",
        ] {
            assert!(Note::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(Note::parse(b"\xff\n\n\xe2\x80\x94 a AAAAAAAA\n").is_err());
        let s = signer("n", 1);
        assert!(s.sign("no newline").is_err());
    }

    #[test]
    fn lines_stand_alone_and_notes_take_at_most_the_limit() {
        let log = signer("example.com/log", 1);
        let mut note = log.sign("text\n").unwrap();
        let line = note.signatures()[0].to_line();
        assert_eq!(
            NoteSignature::from_line(&line).unwrap(),
            note.signatures()[0]
        );
        assert!(NoteSignature::from_line(&format!("{line}\n")).is_err());
        while note.signatures().len() < MAX_SIGNATURES {
            note.push_signature(note.signatures()[0].clone()).unwrap();
        }
        assert!(Note::parse(note.to_text().as_bytes()).is_ok());
        assert!(note.push_signature(note.signatures()[0].clone()).is_err());
    }

    #[test]
    fn verifier_key_text_is_strict() {
        let v = signer("example.com/log", 4).verifier().to_text();
        assert!(NoteVerifier::from_text(&v).is_ok());
        assert!(NoteVerifier::from_text(&v.replacen("example", "exbmple", 1)).is_err());
        assert!(NoteVerifier::from_text(&v.to_uppercase()).is_err());
        assert!(NoteVerifier::from_text("name+0000+AQ==").is_err());
        assert!(NoteVerifier::from_text("name").is_err());
        assert!(NoteSigner::new("a b", SigningKey::from_bytes(&[0; 32])).is_err());
        assert!(NoteSigner::new("", SigningKey::from_bytes(&[0; 32])).is_err());
    }
}
