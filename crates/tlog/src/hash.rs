//! RFC 6962 hashing (RFC 9162 section 2.1.1).
//!
//! Every hash in the log is SHA-256 with a one-byte domain prefix, so a leaf
//! can never be confused with an interior node:
//!
//! ```text
//! leaf  = SHA-256(0x00 || entry bytes)
//! node  = SHA-256(0x01 || left || right)
//! empty = SHA-256()            (the root of the tree of size 0)
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::Error;

/// Size in bytes of every hash in the log.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash: a leaf hash, a node hash or a tree root.
///
/// Equality is constant-time, so comparing a computed root against an
/// expected one leaks nothing about where they differ.
#[derive(Clone, Copy, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

impl Hash {
    /// The root of the empty tree: SHA-256 of no bytes.
    pub const EMPTY: Hash = Hash([
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9,
        0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52,
        0xb8, 0x55,
    ]);

    /// The hash's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Reads a hash from exactly 32 bytes.
    ///
    /// # Errors
    /// [`Error::HashLength`] when `bytes` is not 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        <[u8; HASH_SIZE]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| Error::HashLength { len: bytes.len() })
    }

    /// Lower-case hexadecimal, the form used in JSON and URLs.
    #[must_use]
    pub fn to_hex(&self) -> String {
        Hex::of(&self.0).as_str().to_owned()
    }

    /// The same digits on the stack, for writers that copy them anyway
    /// (a JSON serializer, a formatter).
    #[must_use]
    pub fn hex(&self) -> Hex {
        Hex::of(&self.0)
    }

    /// Parses 64 lower-case hexadecimal digits.
    ///
    /// # Errors
    /// [`Error::HashText`] for any other text (upper case is refused so that
    /// every hash has exactly one text form).
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let bytes = text.as_bytes();
        if bytes.len() != 2 * HASH_SIZE {
            return Err(Error::HashText);
        }
        let mut out = [0u8; HASH_SIZE];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Ok(Hash(out))
    }

    /// Standard padded base64, the form used in checkpoints.
    #[must_use]
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Parses standard padded base64 of exactly 32 bytes.
    ///
    /// # Errors
    /// [`Error::HashText`] when the text is not canonical base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        let bytes = STANDARD.decode(text).map_err(|_| Error::HashText)?;
        let hash = Hash::from_slice(&bytes).map_err(|_| Error::HashText)?;
        // Refuse non-canonical encodings so that one hash has one text.
        if hash.to_base64() == text {
            Ok(hash)
        } else {
            Err(Error::HashText)
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_digit(c: u8) -> Result<u8, Error> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(Error::HashText),
    }
}

impl PartialEq for Hash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Hash {}

impl std::hash::Hash for Hash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hex().as_str())
    }
}

/// The 64 lower-case hex digits of 32 bytes (a hash, an id), held on the
/// stack: answers write hundreds of them, and a `String` each would be an
/// allocation each.
#[derive(Clone, Copy)]
pub struct Hex([u8; 2 * HASH_SIZE]);

impl Hex {
    /// The digits of `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8; HASH_SIZE]) -> Hex {
        let mut out = [0u8; 2 * HASH_SIZE];
        for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0x0f)];
        }
        Hex(out)
    }

    /// The digits as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Hex digits are ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `SHA-256(0x00 || data)`: the hash of a leaf (RFC 6962 section 2.1).
#[must_use]
pub fn hash_leaf(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node
/// (RFC 6962 section 2.1).
#[must_use]
pub fn hash_node(left: &Hash, right: &Hash) -> Hash {
    let mut input = [0u8; 1 + 2 * HASH_SIZE];
    input[0] = 0x01;
    input[1..=HASH_SIZE].copy_from_slice(&left.0);
    input[1 + HASH_SIZE..].copy_from_slice(&right.0);
    Hash(Sha256::digest(input).into())
}

/// The Merkle Tree Hash of a list of leaf hashes (RFC 6962 section 2.1),
/// computed in memory. The empty list hashes to [`Hash::EMPTY`].
#[must_use]
pub fn root_of(leaves: &[Hash]) -> Hash {
    // Fold complete subtrees left to right, keeping a stack of at most
    // log2(n) pending roots, then fold the stack right to left.
    let mut stack: Vec<(Hash, u64)> = Vec::new();
    for leaf in leaves {
        let mut node = (*leaf, 1u64);
        while let Some(&(top, size)) = stack.last() {
            if size != node.1 {
                break;
            }
            stack.pop();
            node = (hash_node(&top, &node.0), size * 2);
        }
        stack.push(node);
    }
    let mut iter = stack.into_iter().rev();
    let Some((mut acc, _)) = iter.next() else {
        return Hash::EMPTY;
    };
    for (left, _) in iter {
        acc = hash_node(&left, &acc);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_sha256_of_nothing() {
        assert_eq!(Hash::EMPTY, Hash(Sha256::digest([]).into()));
        assert_eq!(root_of(&[]), Hash::EMPTY);
    }

    #[test]
    fn hex_round_trip_and_strictness() {
        let h = hash_leaf(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()).unwrap(), h);
        assert!(Hash::from_hex(&h.to_hex().to_uppercase()).is_err());
        assert!(Hash::from_hex(&h.to_hex()[1..]).is_err());
        assert!(Hash::from_hex("zz").is_err());
    }

    #[test]
    fn base64_round_trip_and_strictness() {
        let h = hash_leaf(b"y");
        assert_eq!(Hash::from_base64(&h.to_base64()).unwrap(), h);
        assert!(Hash::from_base64("AAAA").is_err());
        assert!(Hash::from_base64(&h.to_base64().replace('=', "")).is_err());
    }

    #[test]
    fn rfc6962_known_roots() {
        // Leaf hash of the empty string and of a one-leaf tree.
        assert_eq!(
            hash_leaf(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        let two = [hash_leaf(b"a"), hash_leaf(b"b")];
        assert_eq!(root_of(&two), hash_node(&two[0], &two[1]));
        let three = [hash_leaf(b"a"), hash_leaf(b"b"), hash_leaf(b"c")];
        assert_eq!(
            root_of(&three),
            hash_node(&hash_node(&three[0], &three[1]), &three[2])
        );
    }
}
