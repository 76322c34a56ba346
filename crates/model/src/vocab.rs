//! Controlled vocabularies: territories (ISO 3166-1 alpha-2), labels (a
//! creator's role), media types and IPTC digital source types. Channels and
//! categories are closed lists of their own ([`crate::scope`]).

use std::fmt;
use std::str::FromStr;

use crate::RuleError;
use crate::ids::serde_via_str;

fn malformed(field: &str, detail: String) -> RuleError {
    RuleError::Malformed {
        field: field.to_owned(),
        detail,
    }
}

/// The officially assigned ISO 3166-1 alpha-2 codes.
pub(crate) const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR \
GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR \
KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV \
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE \
RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL \
TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A territory: an officially assigned ISO 3166-1 alpha-2 code (`FR`, `US`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The code's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for CountryCode {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        let known = text.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|code| code == text);
        let bytes: [u8; 2] = text
            .as_bytes()
            .try_into()
            .ok()
            .filter(|_| known)
            .ok_or_else(|| {
                malformed(
                    "territory",
                    format!("{text:?} is not an ISO 3166-1 alpha-2 code"),
                )
            })?;
        Ok(CountryCode(bytes))
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

serde_via_str!(CountryCode);

/// A label, such as a creator's role (`designer`, `ai-operator`): 1 to 64
/// characters from `a-z`, `0-9`, `-`, `_` and `.`, starting with a letter or
/// digit. One spelling per label, so matching is exact.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    /// Longest label.
    pub const MAX_LEN: usize = 64;

    /// The label's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Label {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        let ok = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && text.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
            });
        if ok {
            Ok(Label(text.to_owned()))
        } else {
            Err(malformed(
                "label",
                format!("{text:?} is not a label (1-64 of a-z 0-9 - _ .)"),
            ))
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Label({})", self.0)
    }
}

serde_via_str!(Label);

/// Longest type or subtype name of a [`MediaType`] (RFC 6838 section 4.2).
pub(crate) const MEDIA_NAME_MAX: usize = 63;

/// A media type (RFC 6838) in lower case without parameters, such as
/// `image/png` or `model/gltf-binary`; at most 127 characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MediaType(String);

impl MediaType {
    /// The media type's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MediaType {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        // RFC 6838 section 4.2 restricted-name characters, lower case only.
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= MEDIA_NAME_MAX
                && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && s.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&-^_.+".contains(&b)
                })
        };
        match text.split_once('/') {
            Some((ty, sub)) if name_ok(ty) && name_ok(sub) => Ok(MediaType(text.to_owned())),
            _ => Err(malformed(
                "content.media_type",
                format!("{text:?} is not a lower-case type/subtype"),
            )),
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MediaType({})", self.0)
    }
}

serde_via_str!(MediaType);

/// The IPTC digital source type vocabulary's base URI.
pub const IPTC_DIGITAL_SOURCE_TYPE: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";

/// The terms of the IPTC digital source type vocabulary (including the
/// retired ones, which remain acceptable for legacy content), as used by
/// C2PA's `digitalSourceType`.
pub(crate) const IPTC_TERMS: &[&str] = &[
    "digitalCapture",
    "computationalCapture",
    "negativeFilm",
    "positiveFilm",
    "print",
    "humanEdits",
    "minorHumanEdits",
    "algorithmicallyEnhanced",
    "digitalCreation",
    "digitalArt",
    "dataDrivenMedia",
    "trainedAlgorithmicMedia",
    "algorithmicMedia",
    "screenCapture",
    "virtualRecording",
    "composite",
    "compositeCapture",
    "compositeSynthetic",
    "compositeWithTrainedAlgorithmicMedia",
    "softwareImage",
];

/// How a design came to be, as an IPTC digital source type URI, e.g.
/// `http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DigitalSourceType(String);

impl DigitalSourceType {
    /// The full URI.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The vocabulary term, e.g. `trainedAlgorithmicMedia`.
    #[must_use]
    pub fn term(&self) -> &str {
        self.0.trim_start_matches(IPTC_DIGITAL_SOURCE_TYPE)
    }
}

impl FromStr for DigitalSourceType {
    type Err = RuleError;
    fn from_str(text: &str) -> Result<Self, RuleError> {
        match text.strip_prefix(IPTC_DIGITAL_SOURCE_TYPE) {
            Some(term) if IPTC_TERMS.contains(&term) => Ok(DigitalSourceType(text.to_owned())),
            _ => Err(malformed(
                "ai.digital_source_type",
                format!("{text:?} is not an IPTC digital source type URI"),
            )),
        }
    }
}

impl fmt::Display for DigitalSourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DigitalSourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DigitalSourceType({})", self.term())
    }
}

serde_via_str!(DigitalSourceType);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
        assert!("FR".parse::<CountryCode>().is_ok());
        for bad in ["fr", "XX", "FRA", "", "F"] {
            assert!(bad.parse::<CountryCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert!("online".parse::<Label>().is_ok());
        assert!("foot-wear_2.0".parse::<Label>().is_ok());
        for bad in ["", "Online", "-x", "a b", &"a".repeat(65)] {
            assert!(bad.parse::<Label>().is_err(), "{bad}");
        }
    }

    #[test]
    fn media_types() {
        assert!("image/png".parse::<MediaType>().is_ok());
        assert!("model/gltf-binary".parse::<MediaType>().is_ok());
        for bad in ["image", "Image/PNG", "image/png; q=1", "/png"] {
            assert!(bad.parse::<MediaType>().is_err(), "{bad}");
        }
    }

    #[test]
    fn digital_source_types() {
        let uri = format!("{IPTC_DIGITAL_SOURCE_TYPE}trainedAlgorithmicMedia");
        let t: DigitalSourceType = uri.parse().unwrap();
        assert_eq!(t.term(), "trainedAlgorithmicMedia");
        assert!(
            format!("{IPTC_DIGITAL_SOURCE_TYPE}madeUp")
                .parse::<DigitalSourceType>()
                .is_err()
        );
        assert!(
            "trainedAlgorithmicMedia"
                .parse::<DigitalSourceType>()
                .is_err()
        );
    }
}
