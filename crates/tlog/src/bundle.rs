//! C2SP tlog-proof: an offline-verifiable proof that an entry is in the log.
//!
//! ```text
//! c2sp.org/tlog-proof@v1\n
//! [extra <base64 opaque data>\n]
//! index <decimal leaf index>\n
//! <base64 hash>\n ...           the inclusion proof, leaf sibling first
//! \n
//! <the signed checkpoint note, verbatim>
//! ```
//!
//! Verifying needs only the entry's bytes, the log's origin and its
//! verifier key: the checkpoint's signature, then the inclusion of
//! `SHA-256(0x00 || entry)` at the index under the checkpoint's root.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;
use crate::checkpoint::{Checkpoint, parse_decimal};
use crate::hash::{Hash, hash_leaf};
use crate::index::LeafIndex;
use crate::note::{Note, NoteVerifier};
use crate::proof::verify_inclusion;

/// The first line of every proof bundle.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The most hashes an inclusion proof can hold (trees have at most 2^62
/// leaves).
const MAX_PROOF_HASHES: usize = 63;

/// A parsed proof bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofBundle {
    /// Opaque, unauthenticated application data.
    pub extra: Option<Vec<u8>>,
    /// The entry's leaf index.
    pub index: LeafIndex,
    /// The inclusion proof, leaf sibling first.
    pub proof: Vec<Hash>,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: Note,
}

fn bad(reason: &'static str) -> Error {
    Error::ProofBundle { reason }
}

impl ProofBundle {
    /// The bundle's text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&STANDARD.encode(extra));
            out.push('\n');
        }
        out.push_str("index ");
        out.push_str(&self.index.0.to_string());
        out.push('\n');
        for h in &self.proof {
            out.push_str(&h.to_base64());
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint.to_text());
        out
    }

    /// Parses a bundle strictly.
    ///
    /// # Errors
    /// [`Error::ProofBundle`] naming the problem, or the note's own errors.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let (head, note) = text
            .split_once("\n\n")
            .ok_or(bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad("first line must be c2sp.org/tlog-proof@v1"));
        }
        let mut line = lines.next().ok_or(bad("missing index line"))?;
        let mut extra = None;
        if let Some(data) = line.strip_prefix("extra ") {
            let bytes = STANDARD
                .decode(data)
                .map_err(|_| bad("extra is not base64"))?;
            if STANDARD.encode(&bytes) != data {
                return Err(bad("extra is not canonical base64"));
            }
            extra = Some(bytes);
            line = lines.next().ok_or(bad("missing index line"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(bad(
                "index must be `index` and a decimal with no leading zeros",
            ))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_HASHES {
                return Err(bad("too many proof hashes"));
            }
            proof.push(Hash::from_base64(l).map_err(|_| bad("proof lines must be base64 hashes"))?);
        }
        let checkpoint = Note::parse(note.as_bytes())?;
        Ok(Self {
            extra,
            index: LeafIndex(index),
            proof,
            checkpoint,
        })
    }

    /// Verifies that `entry` is in the log named `origin`, signed by `log`.
    /// Returns the checkpoint it is proven under.
    ///
    /// # Errors
    /// Signature errors, [`Error::CheckpointOrigin`], and the inclusion
    /// proof's errors.
    pub fn verify(
        &self,
        entry: &[u8],
        origin: &str,
        log: &NoteVerifier,
    ) -> Result<Checkpoint, Error> {
        let checkpoint = Checkpoint::verify(&self.checkpoint, origin, std::slice::from_ref(log))?;
        verify_inclusion(
            self.index,
            checkpoint.size,
            &hash_leaf(entry),
            &self.proof,
            &checkpoint.root,
        )?;
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::TreeSize;
    use crate::note::NoteSigner;
    use crate::proof::prove_inclusion;
    use crate::tree::{append, tree_hash};
    use ed25519_dalek::SigningKey;

    const ORIGIN: &str = "example.com/log";

    fn fixture(extra: Option<Vec<u8>>) -> (ProofBundle, Vec<Vec<u8>>, NoteSigner) {
        let entries: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 3]).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| hash_leaf(e)).collect();
        let store = append(TreeSize(0), &leaves, &Vec::new()).unwrap();
        let root = tree_hash(TreeSize(5), &store).unwrap();
        let signer = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[3; 32])).unwrap();
        let checkpoint = Checkpoint::new(ORIGIN, TreeSize(5), root)
            .sign(&signer)
            .unwrap();
        let bundle = ProofBundle {
            extra,
            index: LeafIndex(2),
            proof: prove_inclusion(LeafIndex(2), TreeSize(5), &store).unwrap(),
            checkpoint,
        };
        (bundle, entries, signer)
    }

    #[test]
    fn round_trip_and_verify() {
        for extra in [None, Some(b"context".to_vec()), Some(Vec::new())] {
            let (bundle, entries, signer) = fixture(extra);
            let text = bundle.to_text();
            let parsed = ProofBundle::parse(&text).unwrap();
            assert_eq!(parsed, bundle);
            parsed
                .verify(&entries[2], ORIGIN, signer.verifier())
                .unwrap();
            assert!(
                parsed
                    .verify(&entries[3], ORIGIN, signer.verifier())
                    .is_err()
            );
            assert!(
                parsed
                    .verify(&entries[2], "other", signer.verifier())
                    .is_err()
            );
        }
    }

    #[test]
    fn every_altered_byte_fails() {
        let (bundle, entries, signer) = fixture(None);
        let text = bundle.to_text().into_bytes();
        for i in 0..text.len() {
            let mut t = text.clone();
            t[i] ^= 0x01;
            let ok = std::str::from_utf8(&t)
                .ok()
                .and_then(|s| ProofBundle::parse(s).ok())
                .is_some_and(|b| b.verify(&entries[2], ORIGIN, signer.verifier()).is_ok());
            assert!(!ok, "flipping byte {i} still verified");
        }
    }

    #[test]
    fn malformed_bundles() {
        let (bundle, _, _) = fixture(None);
        let text = bundle.to_text();
        for bad in [
            text.replacen(HEADER, "c2sp.org/tlog-proof@v2", 1),
            text.replacen("index 2", "index 02", 1),
            text.replacen("index 2", "index -2", 1),
            text.replacen("index 2", "idx 2", 1),
            text.replacen("\n\n", "\n", 1),
            text.replacen("index 2\n", "index 2\nnot-a-hash\n", 1),
            text.replacen("index 2", "extra !!\nindex 2", 1),
        ] {
            assert!(ProofBundle::parse(&bad).is_err(), "{bad}");
        }
    }
}
