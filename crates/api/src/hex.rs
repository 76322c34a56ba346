//! The one hex encoding of hashes on the wire: lower-case, 64 digits per
//! SHA-256 hash (RFC 6962 node and leaf hashes), a proof being a JSON array
//! of them, leaf sibling first.
//!
//! Use as `#[serde(with = "provenant_api::hex::hashes")]` on a `Vec<Hash>`.

/// A `Vec<Hash>` as a JSON array of hex strings.
pub mod hashes {
    use provenant_tlog::Hash;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes each hash as 64 lower-case hex digits.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(|h| Digits(h.hex())))
    }

    /// A hash's digits, serialized without a `String` of their own.
    struct Digits(provenant_tlog::Hex);

    impl serde::Serialize for Digits {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.0.as_str())
        }
    }

    /// Reads an array of hex hashes, refusing any that is not 64 hex digits.
    ///
    /// # Errors
    /// A member that is not a string or not a hex hash.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        texts
            .iter()
            .map(|t| Hash::from_hex(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use provenant_tlog::Hash;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Proof(#[serde(with = "super::hashes")] Vec<Hash>);

    #[test]
    fn hashes_round_trip_as_hex_and_bad_hex_is_refused() {
        let proof = Proof(vec![Hash([0xab; 32]), Hash([1; 32])]);
        let text = serde_json::to_string(&proof).unwrap();
        assert_eq!(
            text,
            format!("[\"{}\",\"{}\"]", "ab".repeat(32), "01".repeat(32))
        );
        assert_eq!(serde_json::from_str::<Proof>(&text).unwrap(), proof);
        assert!(serde_json::from_str::<Proof>("[\"ab\"]").is_err());
        assert!(serde_json::from_str::<Proof>(&format!("[\"{}\"]", "zz".repeat(32))).is_err());
    }
}
