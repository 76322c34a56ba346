//! License terms: Story Protocol's PIL fields, made enforceable.
//!
//! | field | enforced by |
//! |---|---|
//! | `commercial_use`, `derivatives_allowed`, `ai_training` | the license check's `action` ([`crate::Action`]); registration under a grant needs `derivatives_allowed` |
//! | `derivatives_reciprocal` | every grant on a derivative registered under this grant must carry the very same terms |
//! | `derivatives_approval` | registering a derivative under this grant also needs the parent's owners at its threshold |
//! | `royalty` | the royalty split over the derivative graph ([`crate::royalty`]) and the royalty stack rule |
//! | `territories`, `channels`, `categories` | license checks and usage records; an empty list allows any value; channels and categories come from closed vocabularies ([`crate::scope`]) and a category covers its subcategories |
//! | `starts_at`, `ends_at` | the half-open window `[starts_at, ends_at)`; no `ends_at` = no end |
//! | `max_units` | the cumulative cap over usage records |
//! | `exclusive` | no other grant on the design may overlap it in territory x channel x category x time (a category overlaps its ancestors and descendants) |
//! | `attribution`, `minting_fee`, `sublicensable`, `transferable` | recorded and reported; payment and sublicensing happen off the ledger, and key rotation (succession) moves grants whatever `transferable` says |

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codec::check_count;
use crate::{Category, Channel, CountryCode, Money, Ppm, RuleError, Timestamp};

/// Most territories, channels or categories in one grant.
pub const MAX_TERM_LIST: usize = 256;

/// How royalties flow up the derivative graph (Story's LAP and LRP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RoyaltyPolicy {
    /// Liquid Absolute Percentage: every ancestor takes its share of the
    /// derivative's revenue directly.
    #[serde(rename = "LAP")]
    Lap,
    /// Liquid Relative Percentage: percentages multiply along each path, and
    /// each ancestor pays its own upstream out of what it receives.
    #[serde(rename = "LRP")]
    Lrp,
}

/// The royalty a derivative owes to the licensed design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Royalty {
    /// The policy the licensor intends (a split can be asked for either).
    pub policy: RoyaltyPolicy,
    /// The share of the derivative's revenue owed on this link.
    pub rev_share_ppm: Ppm,
}

/// The terms of a license grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::pil_constraints))]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_excessive_bools)] // The PIL's own flags.
pub struct LicenseTerms {
    /// The licensee may use the design commercially.
    pub commercial_use: bool,
    /// The licensee may register derivatives of the design.
    pub derivatives_allowed: bool,
    /// Derivatives must be licensed on these same terms.
    pub derivatives_reciprocal: bool,
    /// Each derivative needs the owners' approval (their signatures).
    pub derivatives_approval: bool,
    /// The licensee must credit the creators.
    pub attribution: bool,
    /// Royalty owed by derivatives registered under this grant.
    pub royalty: Royalty,
    /// A one-off fee for the license, paid off the ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minting_fee: Option<Money>,
    /// Allowed territories; empty = worldwide.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TERM_LIST), extend("uniqueItems" = true)))]
    pub territories: Vec<CountryCode>,
    /// Allowed channels ([`crate::scope`]); empty = any.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TERM_LIST), extend("uniqueItems" = true)))]
    pub channels: Vec<Channel>,
    /// Allowed product categories, each covering its subcategories
    /// ([`crate::scope`]); empty = any.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TERM_LIST), extend("uniqueItems" = true)))]
    pub categories: Vec<Category>,
    /// Start of the license window (inclusive).
    pub starts_at: Timestamp,
    /// End of the license window (exclusive); none = open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Timestamp>,
    /// Cumulative cap on recorded units; none = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = crate::MAX_SAFE_INTEGER)))]
    pub max_units: Option<u64>,
    /// No other grant on the design may overlap this one.
    pub exclusive: bool,
    /// The licensee may sublicense (recorded, not enforced on the ledger).
    pub sublicensable: bool,
    /// The licensee may transfer the license (recorded, not enforced).
    pub transferable: bool,
    /// The design may be used to train AI models.
    pub ai_training: bool,
}

fn inconsistent(field: &str, detail: &str) -> RuleError {
    RuleError::TermsInconsistent {
        field: field.to_owned(),
        detail: detail.to_owned(),
    }
}

fn check_list<T: Ord + std::fmt::Display>(field: &str, items: &[T]) -> Result<(), RuleError> {
    check_count(field, items.len(), MAX_TERM_LIST)?;
    let mut seen = BTreeSet::new();
    for item in items {
        if !seen.insert(item) {
            return Err(RuleError::DuplicateItem {
                field: field.to_owned(),
                value: item.to_string(),
            });
        }
    }
    Ok(())
}

impl LicenseTerms {
    /// Checks the terms on their own: list sizes and duplicates, a window
    /// that ends after it starts, a positive cap, and the PIL's constraints
    /// (no revenue share without commercial use; no reciprocity or approval
    /// without derivatives).
    ///
    /// # Errors
    /// The first broken constraint.
    pub fn validate(&self) -> Result<(), RuleError> {
        check_list("terms.territories", &self.territories)?;
        check_list("terms.channels", &self.channels)?;
        check_list("terms.categories", &self.categories)?;
        if self.ends_at.is_some_and(|end| end <= self.starts_at) {
            return Err(inconsistent("ends_at", "must be after starts_at"));
        }
        if self.max_units == Some(0) {
            return Err(inconsistent("max_units", "must be positive when present"));
        }
        if !self.commercial_use && self.royalty.rev_share_ppm != Ppm::ZERO {
            return Err(inconsistent(
                "royalty.rev_share_ppm",
                "a revenue share needs commercial_use",
            ));
        }
        if !self.derivatives_allowed && self.derivatives_reciprocal {
            return Err(inconsistent(
                "derivatives_reciprocal",
                "needs derivatives_allowed",
            ));
        }
        if !self.derivatives_allowed && self.derivatives_approval {
            return Err(inconsistent(
                "derivatives_approval",
                "needs derivatives_allowed",
            ));
        }
        Ok(())
    }

    /// Whether `at` falls in `[starts_at, ends_at)`.
    #[must_use]
    pub fn in_window(&self, at: Timestamp) -> bool {
        at >= self.starts_at && self.ends_at.is_none_or(|end| at < end)
    }

    /// Whether the two grants' scopes intersect: some territory, channel,
    /// category and instant allowed by both (a category and its
    /// subcategory share the subcategory's products).
    #[must_use]
    pub fn overlaps(&self, other: &LicenseTerms) -> bool {
        fn lists_meet<T: Copy>(a: &[T], b: &[T], meet: impl Fn(T, T) -> bool) -> bool {
            a.is_empty() || b.is_empty() || a.iter().any(|&x| b.iter().any(|&y| meet(x, y)))
        }
        let starts = self.starts_at.max(other.starts_at);
        let time_meets = match (self.ends_at, other.ends_at) {
            (None, None) => true,
            (Some(end), None) | (None, Some(end)) => starts < end,
            (Some(a), Some(b)) => starts < a.min(b),
        };
        time_meets
            && lists_meet(&self.territories, &other.territories, |a, b| a == b)
            && lists_meet(&self.channels, &other.channels, |a, b| a == b)
            && lists_meet(&self.categories, &other.categories, Category::meets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn terms(extra: &serde_json::Value) -> LicenseTerms {
        let mut base = json!({
            "commercial_use": true, "derivatives_allowed": true,
            "derivatives_reciprocal": false, "derivatives_approval": false,
            "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
            "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
            "sublicensable": false, "transferable": false, "ai_training": false
        });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn window_is_half_open() {
        let t = terms(&json!({"ends_at": "2025-02-01T00:00:00Z"}));
        assert!(t.in_window("2025-01-01T00:00:00Z".parse().unwrap()));
        assert!(!t.in_window("2025-02-01T00:00:00Z".parse().unwrap()));
        assert!(!t.in_window("2024-12-31T23:59:59Z".parse().unwrap()));
    }

    #[test]
    fn overlap_needs_every_dimension() {
        let fr_online = terms(&json!({"territories": ["FR"], "channels": ["online"]}));
        let de = terms(&json!({"territories": ["DE"]}));
        let fr_retail = terms(&json!({"territories": ["FR"], "channels": ["retail"]}));
        let anywhere = terms(&json!({}));
        let later = terms(&json!({"starts_at": "2026-01-01T00:00:00Z"}));
        let early = terms(&json!({"ends_at": "2026-01-01T00:00:00Z"}));
        assert!(!fr_online.overlaps(&de));
        assert!(!fr_online.overlaps(&fr_retail));
        assert!(fr_online.overlaps(&anywhere));
        assert!(!later.overlaps(&early));
        assert!(later.overlaps(&anywhere));
    }

    #[test]
    fn categories_overlap_along_the_hierarchy() {
        let apparel = terms(&json!({"categories": ["apparel"]}));
        let footwear = terms(&json!({"categories": ["footwear"]}));
        let watches = terms(&json!({"categories": ["watches"]}));
        let bags = terms(&json!({"categories": ["bags"]}));
        assert!(apparel.overlaps(&footwear) && footwear.overlaps(&apparel));
        assert!(apparel.overlaps(&watches));
        assert!(!footwear.overlaps(&watches));
        assert!(!apparel.overlaps(&bags));
    }

    #[test]
    fn pil_constraints() {
        let bad = [
            json!({"ends_at": "2025-01-01T00:00:00Z"}),
            json!({"max_units": 0}),
            json!({"commercial_use": false}),
            json!({"derivatives_allowed": false, "derivatives_reciprocal": true,
                   "royalty": {"policy": "LAP", "rev_share_ppm": 0}}),
            json!({"derivatives_allowed": false, "derivatives_approval": true}),
            json!({"territories": ["FR", "FR"]}),
        ];
        for extra in bad {
            assert!(terms(&extra).validate().is_err(), "{extra}");
        }
        assert!(terms(&json!({})).validate().is_ok());
    }
}
