//! Identities and 32-byte identifiers, each a newtype with one text form.
//!
//! | type | text | bytes |
//! |---|---|---|
//! | [`Identity`] | `ed25519:` + padded base64 | Ed25519 public key (RFC 8032 section 5.1.5) |
//! | [`DesignId`] | 64 lower-case hex digits | BLAKE3 of the design's content |
//! | [`ContentSha256`] | 64 lower-case hex digits | SHA-256 of the design's content |
//! | [`EntryId`] | 64 lower-case hex digits | SHA-256 of an envelope's signing input |
//! | [`GrantId`], [`DisputeId`] | 64 lower-case hex digits | the [`EntryId`] of the grant's or dispute's envelope |
//! | [`EvidenceHash`] | 64 lower-case hex digits | SHA-256 of a dispute's evidence |
//! | [`LeafHash`] | 64 lower-case hex digits | RFC 6962 leaf hash of a ledger entry |

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use ed25519_dalek::VerifyingKey;

use crate::RuleError;
use crate::codec::{from_base64, from_hex, to_base64, to_hex};

/// The text prefix of an [`Identity`].
pub const IDENTITY_PREFIX: &str = "ed25519:";

/// An identity: an Ed25519 public key.
///
/// Text form `ed25519:` + standard padded base64 of the 32 key bytes. Parsing
/// refuses non-canonical base64, lengths other than 32 bytes, encodings that
/// are not a point on the curve and the small-order ("weak") points, which
/// signature verification refuses anyway. Identities order by their text, the
/// tie-break order of royalty rounding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Identity([u8; 32]);

impl Identity {
    /// The identity of a verifying key.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] for a small-order key.
    pub fn from_key(key: &VerifyingKey) -> Result<Self, RuleError> {
        if key.is_weak() {
            return Err(malformed("identity", "small-order public key"));
        }
        Ok(Identity(key.to_bytes()))
    }

    /// The identity of 32 public-key bytes.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] when the bytes are not a usable point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, RuleError> {
        decompress(bytes).map_err(|detail| malformed("identity", detail))?;
        Ok(Identity(*bytes))
    }

    /// The Ed25519 verifying key (decompresses the point).
    ///
    /// # Errors
    /// [`RuleError::SignatureInvalid`] if the bytes are not a point, which
    /// cannot happen for an identity built by this crate.
    pub fn verifying_key(&self) -> Result<VerifyingKey, RuleError> {
        decompress(&self.0).map_err(|_| RuleError::SignatureInvalid { key: *self })
    }

    /// The 32 public-key bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The rank, in ASCII order, of the base64 character for each 6-bit
    /// group of the key from group `from` on (43 groups, the last padded
    /// with zero bits).
    fn text_ranks(&self, from: usize) -> impl Iterator<Item = u8> + '_ {
        (from..43usize).map(|i| {
            let bit = i * 6;
            let (byte, shift) = (bit / 8, bit % 8);
            let hi = u16::from(self.0[byte]) << 8;
            let lo = self.0.get(byte + 1).copied().map_or(0, u16::from);
            let v = (((hi | lo) >> (10 - shift)) & 0x3f) as u8;
            // Alphabet A-Z a-z 0-9 + / against ASCII order + / 0-9 A-Z a-z.
            match v {
                62 | 63 => v - 62,
                52..=61 => v - 50,
                _ => v + 12,
            }
        })
    }
}

impl Ord for Identity {
    fn cmp(&self, other: &Self) -> Ordering {
        // Same order as the texts: the prefix and padding are common. The
        // groups that end before the first differing byte are equal.
        let Some(byte) = self.0.iter().zip(&other.0).position(|(a, b)| a != b) else {
            return Ordering::Equal;
        };
        let from = byte * 8 / 6;
        self.text_ranks(from).cmp(other.text_ranks(from))
    }
}

impl PartialOrd for Identity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{IDENTITY_PREFIX}{}", to_base64(self.as_bytes()))
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({self})")
    }
}

impl FromStr for Identity {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        let b64 = text
            .strip_prefix(IDENTITY_PREFIX)
            .ok_or_else(|| malformed("identity", "must start with ed25519:"))?;
        let bytes = from_base64::<32>(b64)
            .ok_or_else(|| malformed("identity", "not canonical base64 of 32 bytes"))?;
        Self::from_bytes(&bytes)
    }
}

/// The most keys a thread keeps decompressed.
const KEY_CACHE: usize = 8192;

thread_local! {
    /// Keys this thread has decompressed and found of large order. Whether
    /// 32 bytes are such a point, and the point they decompress to, depend
    /// on the bytes alone, and a ledger meets the same keys over and over
    /// (in every entry they sign and every state record that names them);
    /// decompressing costs a field square root and the order check three
    /// doublings each time.
    static KEYS: RefCell<HashMap<[u8; 32], VerifyingKey>> = RefCell::new(HashMap::new());
}

/// The verifying key of 32 bytes, or why they are no identity: not a
/// point, or a small-order ("weak") point.
fn decompress(bytes: &[u8; 32]) -> Result<VerifyingKey, &'static str> {
    KEYS.with(|cache| {
        if let Some(key) = cache.borrow().get(bytes) {
            return Ok(*key);
        }
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| "not a point on Ed25519")?;
        if key.is_weak() {
            return Err("small-order public key");
        }
        let mut cache = cache.borrow_mut();
        if cache.len() >= KEY_CACHE {
            cache.clear();
        }
        cache.insert(*bytes, key);
        Ok(key)
    })
}

fn malformed(field: &str, detail: &str) -> RuleError {
    RuleError::Malformed {
        field: field.to_owned(),
        detail: detail.to_owned(),
    }
}

/// Serde as the canonical string, parsed strictly.
macro_rules! serde_via_str {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_str;

serde_via_str!(Identity);

/// Defines a 32-byte identifier with a lower-case hex text form.
macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The 32 bytes.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Lower-case hex, the text form.
            #[must_use]
            pub fn to_hex(&self) -> String {
                to_hex(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(provenant_tlog::Hex::of(&self.0).as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = RuleError;
            fn from_str(text: &str) -> Result<Self, RuleError> {
                from_hex::<32>(text)
                    .map($name)
                    .ok_or_else(|| malformed($what, "expected 64 lower-case hex digits"))
            }
        }

        serde_via_str!($name);
    };
}

hex_id!(
    /// A design's id: the BLAKE3 hash of its content.
    DesignId,
    "design"
);
hex_id!(
    /// The SHA-256 hash of a design's content.
    ContentSha256,
    "sha256"
);
hex_id!(
    /// An envelope's id, `SHA-256(signing input)`: the idempotency key.
    EntryId,
    "entry id"
);
hex_id!(
    /// A license grant's id: the [`EntryId`] of its `license.grant` envelope.
    GrantId,
    "grant"
);
hex_id!(
    /// A dispute's id: the [`EntryId`] of its `dispute.raise` envelope.
    DisputeId,
    "dispute"
);
hex_id!(
    /// The SHA-256 hash of a dispute's evidence (the evidence is kept off the log).
    EvidenceHash,
    "evidence"
);
hex_id!(
    /// A ledger entry's RFC 6962 leaf hash, `SHA-256(0x00 || leaf bytes)`.
    LeafHash,
    "leaf hash"
);

hex_id!(
    /// The root of the state map (see `crate::statemap`), as committed by
    /// a `state.commit` entry.
    StateRoot,
    "state root"
);

impl From<provenant_tlog::Hash> for StateRoot {
    fn from(hash: provenant_tlog::Hash) -> Self {
        StateRoot(hash.0)
    }
}

impl From<StateRoot> for provenant_tlog::Hash {
    fn from(root: StateRoot) -> Self {
        provenant_tlog::Hash(root.0)
    }
}

impl From<provenant_tlog::Hash> for LeafHash {
    fn from(hash: provenant_tlog::Hash) -> Self {
        LeafHash(hash.0)
    }
}

impl From<LeafHash> for provenant_tlog::Hash {
    fn from(hash: LeafHash) -> Self {
        provenant_tlog::Hash(hash.0)
    }
}

impl From<EntryId> for GrantId {
    fn from(id: EntryId) -> Self {
        GrantId(id.0)
    }
}

impl From<EntryId> for DisputeId {
    fn from(id: EntryId) -> Self {
        DisputeId(id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032 section 7.1, TEST 1 public key.
    const TEST1_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn test1() -> Identity {
        Identity::from_bytes(&from_hex::<32>(TEST1_PUBLIC).unwrap()).unwrap()
    }

    #[test]
    fn identity_round_trips() {
        let id = test1();
        let text = id.to_string();
        assert_eq!(text, "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        assert_eq!(text.parse::<Identity>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<Identity>(&json).unwrap(), id);
    }

    #[test]
    fn identity_is_strict() {
        let text = test1().to_string();
        assert!(
            text.trim_start_matches("ed25519:")
                .parse::<Identity>()
                .is_err()
        );
        assert!(text.trim_end_matches('=').parse::<Identity>().is_err());
        assert!("ed25519:AAAA".parse::<Identity>().is_err());
        // The identity point (0, 1) is small-order: refused.
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        assert!(Identity::from_bytes(&identity_point).is_err());
        // A y coordinate with no x on the curve is refused.
        let mut not_a_point = [0u8; 32];
        not_a_point[0] = 2;
        assert!(Identity::from_bytes(&not_a_point).is_err());
    }

    #[test]
    fn identities_order_by_text() {
        let mut keys: Vec<Identity> = (0u8..64)
            .map(|i| {
                let secret = ed25519_dalek::SigningKey::from_bytes(&[i; 32]);
                Identity::from_key(&secret.verifying_key()).unwrap()
            })
            .collect();
        keys.sort();
        let texts: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn identities_differing_at_any_byte_order_by_text() {
        // Pairs that agree up to byte `at` and differ there, in every bit
        // position of that byte, with every kind of tail.
        for at in 0..32 {
            for bit in 0..8 {
                for tail in [0x00, 0x5a, 0xff] {
                    let mut a = [tail; 32];
                    a[..at].fill(0x3c);
                    let mut b = a;
                    b[at] ^= 1 << bit;
                    b[at + 1..].fill(!tail);
                    let (a, b) = (Identity(a), Identity(b));
                    assert_eq!(
                        a.cmp(&b),
                        a.to_string().cmp(&b.to_string()),
                        "byte {at} bit {bit} tail {tail:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn hex_ids_are_strict() {
        let id: DesignId = TEST1_PUBLIC.parse().unwrap();
        assert_eq!(id.to_string(), TEST1_PUBLIC);
        assert!(TEST1_PUBLIC.to_uppercase().parse::<DesignId>().is_err());
        assert!(serde_json::from_str::<GrantId>("\"00\"").is_err());
    }
}
