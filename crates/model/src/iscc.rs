//! ISCC image codes (ISO 24138 Content-Code, image subtype, 64 bits): the
//! perceptual fingerprint a content descriptor may carry, so that the ledger
//! can flag near-duplicates without ever holding a design's bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::serde_via_str;
use crate::state::{EntryRef, Owner};
use crate::{DesignId, RuleError};

/// The ISCC main type of content codes.
const CONTENT: u8 = 2;
/// The ISCC subtype of image codes.
const IMAGE: u8 = 1;
/// The code's length in bits.
pub const IMAGE_CODE_BITS: u32 = 64;
/// Length of the canonical text, `ISCC:` and 16 base32 characters.
pub const IMAGE_CODE_LEN: usize = 21;
/// How many 16-bit bands of a code the near-duplicate index keys it by.
pub const BANDS: usize = 4;
/// The distance, in bits of the 64, within which two image codes count as
/// near-duplicates unless the operator chose another: measured on
/// generated designs and their edits (`docs/BENCHMARKS.md`, "Near-duplicate
/// distance"), it keeps re-encodings, resizes, small crops and stickers,
/// and leaves unrelated designs out.
pub const DEFAULT_DISTANCE: u32 = 10;
/// The widest near-duplicate search, in bits: past it, images share little
/// more than their overall brightness, and a search would probe thousands
/// of band values.
pub const MAX_DISTANCE: u32 = 12;

/// A 64-bit ISCC Image-Code (version 0), such as `ISCC:EEA4GQZQTY6J5DTH`,
/// in its canonical spelling: the `ISCC:` prefix and upper-case base32.
/// Two images look alike when their codes differ in few bits
/// ([`Self::distance`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageCode(u64);

impl ImageCode {
    /// The code of a 64-bit digest, as the ISCC bit order has it (first
    /// bit most significant).
    #[must_use]
    pub fn from_digest(digest: u64) -> Self {
        ImageCode(digest)
    }

    /// The 64-bit digest.
    #[must_use]
    pub fn digest(self) -> u64 {
        self.0
    }

    /// The number of bits in which two codes differ (0 to 64).
    #[must_use]
    pub fn distance(self, other: ImageCode) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// The code's four 16-bit bands, most significant first: what the
    /// near-duplicate index keys it by. Two codes within `d` bits of each
    /// other have a band within `d / 4` bits of each other (by the
    /// pigeonhole principle), so a search probes each band's neighbours
    /// ([`band_neighbours`]) rather than every code.
    #[must_use]
    pub fn bands(self) -> [u16; BANDS] {
        let b = self.0.to_be_bytes();
        [
            u16::from_be_bytes([b[0], b[1]]),
            u16::from_be_bytes([b[2], b[3]]),
            u16::from_be_bytes([b[4], b[5]]),
            u16::from_be_bytes([b[6], b[7]]),
        ]
    }
}

/// The radius each band is searched at to find every code within
/// `distance` bits.
#[must_use]
pub fn band_radius(distance: u32) -> u32 {
    distance / u32::try_from(BANDS).unwrap_or(u32::MAX)
}

/// Every 16-bit value within `radius` bits of `bits` (`bits` itself
/// first): 1, 17, 137 and 697 values for radii 0 to 3.
#[must_use]
pub fn band_neighbours(bits: u16, radius: u32) -> Vec<u16> {
    let mut out = vec![bits];
    let mut frontier = vec![(bits, 0u32)];
    // Flip bits in increasing position order, so each value is made once.
    for _ in 0..radius {
        let mut next = Vec::new();
        for &(value, lowest) in &frontier {
            for bit in lowest..16 {
                let flipped = value ^ (1 << bit);
                out.push(flipped);
                next.push((flipped, bit + 1));
            }
        }
        frontier = next;
    }
    out
}

/// A registered design whose image looks like another: its code is within
/// the search's distance. Advisory: the ledger's index finds it, no proof
/// covers the list, and it never blocks a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NearDuplicate {
    /// The registered design.
    pub design: DesignId,
    /// Its Image-Code.
    pub iscc: ImageCode,
    /// How many of the 64 bits differ.
    pub distance: u32,
    /// Its registration entry.
    pub registered: EntryRef,
    /// Its owners now, sorted by key.
    pub owners: Vec<Owner>,
}

fn malformed(text: &str, why: &str) -> RuleError {
    RuleError::Malformed {
        field: "content.iscc".to_owned(),
        detail: format!("{text:?} is not a 64-bit ISCC Image-Code: {why}"),
    }
}

impl FromStr for ImageCode {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        if text.len() != IMAGE_CODE_LEN || !text.starts_with("ISCC:") {
            return Err(malformed(
                text,
                "expected `ISCC:` and 16 upper-case base32 characters",
            ));
        }
        let (main, sub, version, _, digest) =
            iscc_lib::iscc_decode(text).map_err(|e| malformed(text, &e.to_string()))?;
        if (main, sub, version) != (CONTENT, IMAGE, 0) {
            return Err(malformed(text, "not a version 0 image Content-Code"));
        }
        let digest = <[u8; 8]>::try_from(digest.as_slice())
            .map_err(|_| malformed(text, "not 64 bits long"))?;
        let code = ImageCode(u64::from_be_bytes(digest));
        // One code, one spelling: the signed entry says exactly what the
        // ledger shows.
        if code.to_string() != text {
            return Err(malformed(text, "not in canonical (upper-case) form"));
        }
        Ok(code)
    }
}

impl fmt::Display for ImageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match iscc_lib::encode_component(CONTENT, IMAGE, 0, IMAGE_CODE_BITS, &self.0.to_be_bytes())
        {
            Ok(unit) => write!(f, "ISCC:{unit}"),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for ImageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImageCode({self})")
    }
}

serde_via_str!(ImageCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_codes() {
        let zero: ImageCode = "ISCC:EEAQAAAAAAAAAAAA".parse().unwrap();
        assert_eq!(zero.digest(), 0);
        let code = ImageCode::from_digest(0x8f2b_0000_ffff_1234);
        let text = code.to_string();
        assert!(text.starts_with("ISCC:EEA"), "{text}");
        assert_eq!(text.parse::<ImageCode>().unwrap(), code);
        assert_eq!(code.distance(zero), code.digest().count_ones());
        assert_eq!(code.bands(), [0x8f2b, 0, 0xffff, 0x1234]);
        for bad in [
            "ISCC:eeaqaaaaaaaaaaaa",             // lower case: another spelling
            "EEAQAAAAAAAAAAAA",                  // no prefix
            "ISCC:EEAQAAAAAAAAAAA",              // short
            "ISCC:AAAQAAAAAAAAAAAA",             // a Meta-Code header
            "ISCC:EEBQAAAAAAAAAAAAAAAAAAAAAAAA", // 128 bits
            "ISCC:EEAQAAAAAAAAAA1A",             // not base32
        ] {
            assert!(bad.parse::<ImageCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn band_neighbours_are_every_value_within_the_radius_once() {
        for radius in 0..=3 {
            let mut got = band_neighbours(0xa5c3, radius);
            assert_eq!(got[0], 0xa5c3);
            got.sort_unstable();
            let want: Vec<u16> = (0..=u16::MAX)
                .filter(|v| (v ^ 0xa5c3).count_ones() <= radius)
                .collect();
            assert_eq!(got, want, "radius {radius}");
        }
        assert_eq!(band_neighbours(0, 3).len(), 697);
    }

    #[test]
    fn a_code_within_the_distance_shares_a_band_within_the_band_radius() {
        let a = ImageCode::from_digest(0x0123_4567_89ab_cdef);
        for flips in [
            0u64,
            0b1111_1111,
            0x8000_4000_2000_1001,
            0x0f00_0000_0000_00f0,
        ] {
            let b = ImageCode::from_digest(a.digest() ^ flips);
            let d = a.distance(b);
            let r = band_radius(d);
            assert!(
                a.bands()
                    .iter()
                    .zip(b.bands())
                    .any(|(x, y)| (x ^ y).count_ones() <= r),
                "{flips:x}"
            );
        }
    }
}
