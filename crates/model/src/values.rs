//! Numbers and times: parts per million, money and RFC 3339 timestamps.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::RuleError;
use crate::ids::serde_via_str;

/// Parts per million, `0..=1_000_000` (`1_000_000` = 100%). JSON: a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Ppm(u32);

impl Ppm {
    /// 100%.
    pub const ONE: Ppm = Ppm(1_000_000);
    /// 0%.
    pub const ZERO: Ppm = Ppm(0);
    /// The denominator of every ppm value.
    pub const SCALE: u32 = 1_000_000;

    /// A ppm value, or `None` above `1_000_000`.
    #[must_use]
    pub const fn new(value: u32) -> Option<Ppm> {
        if value <= Self::SCALE {
            Some(Ppm(value))
        } else {
            None
        }
    }

    /// The number of parts per million.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Ppm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        Ppm::new(v).ok_or_else(|| serde::de::Error::custom("ppm must be at most 1000000"))
    }
}

impl fmt::Display for Ppm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ppm", self.0)
    }
}

/// An ISO 4217 currency code: three upper-case ASCII letters. JSON: a string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only upper-case ASCII is ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Currency {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        let bytes: [u8; 3] = text
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase))
            .ok_or_else(|| RuleError::Malformed {
                field: "currency".to_owned(),
                detail: "expected three upper-case letters (ISO 4217)".to_owned(),
            })?;
        Ok(Currency(bytes))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

serde_via_str!(Currency);

/// An amount of money: an integer count of minor units (cents for EUR) and
/// a currency. No floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Minor units. In a signed payload (a minting fee) at most
    /// 2^53 - 1, as every number there; a revenue asked about and the
    /// payouts answered use the whole `u64` range, exactly.
    pub amount_minor: u64,
    /// ISO 4217 code.
    pub currency: Currency,
}

/// An instant in UTC, RFC 3339 in JSON.
///
/// Parsing accepts any RFC 3339 date-time and normalises it to UTC; printing
/// gives the one canonical form `YYYY-MM-DDTHH:MM:SSZ`, with a fraction of a
/// second (without trailing zeros) only when it is non-zero. Years stay in
/// `0000..=9999`, the range RFC 3339 can write.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The instant `seconds` after the Unix epoch, or `None` outside the
    /// years 0000..=9999.
    #[must_use]
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .and_then(Self::from_datetime)
    }

    /// The instant of a `time` date-time, normalised to UTC, or `None`
    /// outside the years 0000..=9999.
    #[must_use]
    pub fn from_datetime(dt: OffsetDateTime) -> Option<Timestamp> {
        let utc = dt.checked_to_offset(UtcOffset::UTC)?;
        (0..=9999).contains(&utc.year()).then_some(Timestamp(utc))
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The underlying UTC date-time.
    #[must_use]
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }
}

impl FromStr for Timestamp {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        let malformed = || RuleError::Malformed {
            field: "timestamp".to_owned(),
            detail: format!("{text:?} is not an RFC 3339 date-time"),
        };
        let dt = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| malformed())?;
        Timestamp::from_datetime(dt).ok_or_else(malformed)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let nanos = t.nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

serde_via_str!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppm_bounds() {
        assert!(Ppm::new(1_000_000).is_some());
        assert!(Ppm::new(1_000_001).is_none());
        assert!(serde_json::from_str::<Ppm>("1000001").is_err());
        assert!(serde_json::from_str::<Ppm>("-1").is_err());
        assert_eq!(serde_json::from_str::<Ppm>("5").unwrap().get(), 5);
    }

    #[test]
    fn currency_is_strict() {
        assert_eq!("EUR".parse::<Currency>().unwrap().to_string(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
        assert!(
            serde_json::from_str::<Money>(r#"{"amount_minor":1,"currency":"EUR","x":1}"#).is_err()
        );
    }

    #[test]
    fn timestamps_normalise_to_utc() {
        let cases = [
            ("2025-03-01T12:00:00Z", "2025-03-01T12:00:00Z"),
            ("2025-03-01T12:00:00+00:00", "2025-03-01T12:00:00Z"),
            ("2025-03-01T13:30:00+01:30", "2025-03-01T12:00:00Z"),
            ("2025-03-01T12:00:00.500Z", "2025-03-01T12:00:00.5Z"),
            ("2025-03-01T12:00:00.000Z", "2025-03-01T12:00:00Z"),
            (
                "2025-03-01t12:00:00.000000001z",
                "2025-03-01T12:00:00.000000001Z",
            ),
        ];
        for (input, canonical) in cases {
            let t: Timestamp = input.parse().unwrap();
            assert_eq!(t.to_string(), canonical, "{input}");
            assert_eq!(canonical.parse::<Timestamp>().unwrap(), t);
        }
        for bad in [
            "2025-03-01",
            "2025-03-01T12:00Z",
            "2025-13-01T00:00:00Z",
            "yesterday",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
        assert!(Timestamp::from_unix(i64::MAX).is_none());
        assert_eq!(
            Timestamp::from_unix(0).unwrap().to_string(),
            "1970-01-01T00:00:00Z"
        );
    }
}
