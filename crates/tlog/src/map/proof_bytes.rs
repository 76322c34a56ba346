//! A map proof's bytes: empty siblings are left out and marked in a bitmap.
//!
//! ```text
//! depth (u16, big-endian)
//! tag (u8): 0 empty slot, 1 found, 2 another key's leaf
//! [tag 2 only: other key (32) || other value_hash (32)]
//! bitmap (ceil(depth / 8) bytes): bit i, most significant bit first, is 1
//!     when siblings[i] is not the empty hash (32 zero bytes)
//! the non-empty siblings, in order (32 each)
//! ```
//!
//! Most siblings below the dense top of a large map are empty (a chain of
//! shared bits), so at 1M keys this keeps every proof under 1 KB where a
//! full list of 32-byte siblings reaches 1.25 KB. Decoding is strict, so a
//! proof has exactly one encoding: the length is exact, the bitmap's unused
//! trailing bits are zero, and no sibling given explicitly is 32 zero bytes.

use super::proof::MAX_DEPTH;
use super::{EMPTY_MAP_ROOT, MapProof, Terminal};
use crate::{Error, HASH_SIZE, Hash};

const TAG_EMPTY: u8 = 0;
const TAG_FOUND: u8 = 1;
const TAG_OTHER: u8 = 2;

/// The bitmap's mask for sibling `i`: most significant bit first.
fn mask(i: usize) -> u8 {
    0x80 >> (i % 8)
}

impl MapProof {
    /// The proof's bytes: `3 + ceil(depth / 8) + 32 x (non-empty siblings)`,
    /// 64 more for another key's leaf.
    ///
    /// A proof of more than 256 siblings, which [`MapProof::verify`]
    /// refuses, encodes to bytes that [`MapProof::from_bytes`] refuses.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let depth = self.siblings.len();
        let given: Vec<&Hash> = self
            .siblings
            .iter()
            .filter(|s| **s != EMPTY_MAP_ROOT)
            .collect();
        let mut out =
            Vec::with_capacity(3 + 2 * HASH_SIZE + depth.div_ceil(8) + given.len() * HASH_SIZE);
        out.extend_from_slice(&u16::try_from(depth).unwrap_or(u16::MAX).to_be_bytes());
        match &self.terminal {
            Terminal::Empty => out.push(TAG_EMPTY),
            Terminal::Found => out.push(TAG_FOUND),
            Terminal::Other { key, value_hash } => {
                out.push(TAG_OTHER);
                out.extend_from_slice(key);
                out.extend_from_slice(&value_hash.0);
            }
        }
        let mut bitmap = vec![0u8; depth.div_ceil(8)];
        for (i, sibling) in self.siblings.iter().enumerate() {
            if *sibling != EMPTY_MAP_ROOT {
                bitmap[i / 8] |= mask(i);
            }
        }
        out.extend_from_slice(&bitmap);
        for sibling in given {
            out.extend_from_slice(&sibling.0);
        }
        out
    }

    /// Reads a proof's bytes; `to_bytes` of the result gives `bytes` back.
    ///
    /// # Errors
    /// [`Error::MapProofMalformed`] for a depth over 256, an unknown tag, a
    /// bitmap with a nonzero unused bit, a sibling given explicitly as 32
    /// zero bytes, or a length that does not match the header and bitmap.
    pub fn from_bytes(bytes: &[u8]) -> Result<MapProof, Error> {
        let bad = |reason| Error::MapProofMalformed { reason };
        let [d0, d1, tag, rest @ ..] = bytes else {
            return Err(bad("shorter than its 3-byte header"));
        };
        let depth = usize::from(u16::from_be_bytes([*d0, *d1]));
        if depth > MAX_DEPTH {
            return Err(bad("depth over 256"));
        }
        let (terminal, rest) = match *tag {
            TAG_EMPTY => (Terminal::Empty, rest),
            TAG_FOUND => (Terminal::Found, rest),
            TAG_OTHER => {
                let Some((leaf, rest)) = rest.split_at_checked(32 + HASH_SIZE) else {
                    return Err(bad("other leaf truncated"));
                };
                let mut key = [0u8; 32];
                key.copy_from_slice(&leaf[..32]);
                let value_hash = Hash::from_slice(&leaf[32..])?;
                (Terminal::Other { key, value_hash }, rest)
            }
            _ => return Err(bad("unknown terminal tag")),
        };
        let Some((bitmap, rest)) = rest.split_at_checked(depth.div_ceil(8)) else {
            return Err(bad("bitmap truncated"));
        };
        if (depth..bitmap.len() * 8).any(|i| bitmap[i / 8] & mask(i) != 0) {
            return Err(bad("a bitmap bit past the depth is set"));
        }
        let given = (0..depth).filter(|&i| bitmap[i / 8] & mask(i) != 0).count();
        if rest.len() != given * HASH_SIZE {
            return Err(bad("length does not match the bitmap"));
        }
        let mut explicit = rest.chunks_exact(HASH_SIZE);
        let mut siblings = Vec::with_capacity(depth);
        for i in 0..depth {
            if bitmap[i / 8] & mask(i) == 0 {
                siblings.push(EMPTY_MAP_ROOT);
                continue;
            }
            let sibling = explicit
                .next()
                .map(Hash::from_slice)
                .transpose()?
                .ok_or(bad("length does not match the bitmap"))?;
            if sibling == EMPTY_MAP_ROOT {
                return Err(bad("a sibling given explicitly is empty"));
            }
            siblings.push(sibling);
        }
        Ok(MapProof { siblings, terminal })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Depth 10: siblings 1 and 9 given, the rest empty.
    fn sparse() -> MapProof {
        let mut siblings = vec![EMPTY_MAP_ROOT; 10];
        siblings[1] = Hash([0x11; 32]);
        siblings[9] = Hash([0x99; 32]);
        MapProof {
            siblings,
            terminal: Terminal::Other {
                key: [0xab; 32],
                value_hash: Hash([0xcd; 32]),
            },
        }
    }

    #[test]
    fn bytes_by_hand() {
        let mut expected = vec![0x00, 0x0a, TAG_OTHER];
        expected.extend_from_slice(&[0xab; 32]);
        expected.extend_from_slice(&[0xcd; 32]);
        // Bits 1 and 9 set: 0b0100_0000, 0b0100_0000 (bits 10 to 15 unused).
        expected.extend_from_slice(&[0x40, 0x40]);
        expected.extend_from_slice(&[0x11; 32]);
        expected.extend_from_slice(&[0x99; 32]);
        assert_eq!(sparse().to_bytes(), expected);
        assert_eq!(MapProof::from_bytes(&expected).expect("decodes"), sparse());

        let root_leaf = MapProof {
            siblings: vec![],
            terminal: Terminal::Found,
        };
        assert_eq!(root_leaf.to_bytes(), vec![0, 0, TAG_FOUND]);
        let all_empty = MapProof {
            siblings: vec![EMPTY_MAP_ROOT; 8],
            terminal: Terminal::Empty,
        };
        assert_eq!(all_empty.to_bytes(), vec![0, 8, TAG_EMPTY, 0]);
        assert_eq!(
            MapProof::from_bytes(&[0, 8, TAG_EMPTY, 0]).expect("decodes"),
            all_empty
        );
    }

    #[test]
    fn strictness() {
        let bytes = sparse().to_bytes();
        let bitmap = 3 + 64;
        for len in 0..bytes.len() {
            assert!(MapProof::from_bytes(&bytes[..len]).is_err(), "cut to {len}");
        }
        for extra in [0u8, 0xff] {
            let mut long = bytes.clone();
            long.push(extra);
            assert!(MapProof::from_bytes(&long).is_err());
        }
        // Any unused bit of the bitmap (bits 10 to 15).
        for bit in 2..8 {
            let mut padded = bytes.clone();
            padded[bitmap + 1] |= 0x80 >> bit;
            assert!(matches!(
                MapProof::from_bytes(&padded),
                Err(Error::MapProofMalformed { .. })
            ));
        }
        // Sibling 0 given explicitly as 32 zero bytes.
        let mut zero = bytes.clone();
        zero[bitmap] |= 0x80;
        zero.splice(bitmap + 2..bitmap + 2, [0u8; 32]);
        assert!(matches!(
            MapProof::from_bytes(&zero),
            Err(Error::MapProofMalformed {
                reason: "a sibling given explicitly is empty"
            })
        ));
        // Depth over 256, with a matching all-zero bitmap.
        let mut deep = vec![0x01, 0x01, TAG_EMPTY];
        deep.extend_from_slice(&[0; 33]);
        assert!(MapProof::from_bytes(&deep).is_err());
        let mut max = vec![0x01, 0x00, TAG_EMPTY];
        max.extend_from_slice(&[0; 32]);
        assert_eq!(
            MapProof::from_bytes(&max)
                .expect("depth 256")
                .siblings
                .len(),
            256
        );
    }
}
