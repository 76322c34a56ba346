//! A minimal unsigned big integer for exact royalty fractions.
//!
//! Under LRP a payee's share is a product of up to 1025 ppm rates, a
//! fraction over 10^(6 x 1026): far beyond `u128`. Only the operations the
//! split needs exist: multiply by a small number, add, divide by a small
//! number with remainder, compare.

use std::cmp::Ordering;
use std::fmt::Write as _;

/// An unsigned integer, little-endian base-2^32 limbs, no trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Big(Vec<u32>);

impl Big {
    pub(crate) fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push((v & 0xffff_ffff) as u32);
            v >>= 32;
        }
        Big(limbs)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// `self * m`.
    pub(crate) fn mul_small(&self, m: u64) -> Big {
        let mut out = Vec::with_capacity(self.0.len() + 2);
        let mut carry: u128 = 0;
        for &limb in &self.0 {
            let t = u128::from(limb) * u128::from(m) + carry;
            out.push((t & 0xffff_ffff) as u32);
            carry = t >> 32;
        }
        while carry != 0 {
            out.push((carry & 0xffff_ffff) as u32);
            carry >>= 32;
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self * other`.
    pub(crate) fn mul(&self, other: &Big) -> Big {
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry: u64 = 0;
            for (j, &b) in other.0.iter().enumerate() {
                // < 2^32 x 2^32 + 2 x 2^32: fits in 64 bits.
                let t = u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry;
                out[i + j] = (t & 0xffff_ffff) as u32;
                carry = t >> 32;
            }
            let mut k = i + other.0.len();
            while carry != 0 {
                let t = u64::from(out[k]) + carry;
                out[k] = (t & 0xffff_ffff) as u32;
                carry = t >> 32;
                k += 1;
            }
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self += other`.
    pub(crate) fn add_assign(&mut self, other: &Big) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = 0u64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let o = other.0.get(i).copied().unwrap_or(0);
            let t = u64::from(*limb) + u64::from(o) + carry;
            *limb = (t & 0xffff_ffff) as u32;
            carry = t >> 32;
            if carry == 0 && i >= other.0.len() {
                break;
            }
        }
        if carry != 0 {
            self.0.push(1);
        }
    }

    /// `(self / d, self % d)` for `d > 0`.
    // Both casts are exact: `rem < d <= u32::MAX`, and `cur / d < 2^32`
    // because `cur < d * 2^32`.
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn divrem_small(&self, d: u32) -> (Big, u32) {
        let d = u64::from(d.max(1));
        let mut out = vec![0u32; self.0.len()];
        let mut rem = 0u64;
        for (i, &limb) in self.0.iter().enumerate().rev() {
            let cur = (rem << 32) | u64::from(limb);
            out[i] = (cur / d) as u32;
            rem = cur % d;
        }
        let mut q = Big(out);
        q.trim();
        (q, rem as u32)
    }

    /// The value, when it fits in 64 bits.
    pub(crate) fn to_u64(&self) -> Option<u64> {
        match self.0.as_slice() {
            [] => Some(0),
            [a] => Some(u64::from(*a)),
            [a, b] => Some(u64::from(*a) | (u64::from(*b) << 32)),
            _ => None,
        }
    }

    /// Decimal text.
    pub(crate) fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut chunks = Vec::new();
        let mut cur = self.clone();
        while !cur.is_zero() {
            let (q, r) = cur.divrem_small(1_000_000_000);
            chunks.push(r);
            cur = q;
        }
        let mut text = String::new();
        for (i, chunk) in chunks.iter().rev().enumerate() {
            if i == 0 {
                text.push_str(&chunk.to_string());
            } else {
                let _ = write!(text, "{chunk:09}");
            }
        }
        text
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_matches_u128() {
        let small = Big::from_u128(u128::from(u64::MAX) * 977);
        assert_eq!(small.to_decimal(), (u128::from(u64::MAX) * 977).to_string());
        let scaled = small.mul_small(1_000_000);
        assert_eq!(scaled.divrem_small(1_000_000), (small.clone(), 0));
        let mut big = Big::from_u128(u128::MAX);
        big.add_assign(&Big::from_u128(1));
        assert_eq!(big.to_decimal(), "340282366920938463463374607431768211456");
        assert!(big > small);
        assert_eq!(Big::from_u128(5).to_u64(), Some(5));
        assert_eq!(big.to_u64(), None);
        assert_eq!(Big::default().to_decimal(), "0");
        let x = u128::from(u64::MAX) - 12_345;
        let y = u128::from(u32::MAX) * 7;
        assert_eq!(
            Big::from_u128(x).mul(&Big::from_u128(y)),
            Big::from_u128(x * y)
        );
        assert_eq!(
            Big::from_u128(u128::MAX).mul(&Big::from_u128(1_000_000)),
            Big::from_u128(u128::MAX).mul_small(1_000_000)
        );
        assert!(Big::default().mul(&small).is_zero());
    }
}
