//! License terms for a grant: the presets, a terms file merged over them,
//! and the command line's overrides.

use provenant_model::{
    Category, Channel, CountryCode, LicenseTerms, Ppm, Royalty, RoyaltyPolicy, Timestamp,
};
use serde_json::Value;

use super::DraftError;

/// Ready-made license terms, after Story Protocol's PIL flavours.
///
/// Every preset asks for attribution and leaves `derivatives_reciprocal`,
/// `derivatives_approval`, `exclusive`, `sublicensable`, `transferable` and
/// `ai_training` off; overrides or a terms file turn them on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// No commercial use; derivatives allowed; no revenue share.
    NonCommercialRemix,
    /// Commercial use; no derivatives; no revenue share.
    CommercialUse,
    /// Commercial use; derivatives allowed, owing a revenue share (5% LAP
    /// unless overridden).
    CommercialRemix,
}

impl Preset {
    /// The revenue share of [`Preset::CommercialRemix`] when none is given.
    pub const DEFAULT_REV_SHARE: Ppm = Ppm::new(50_000).expect("5% is at most 100%");

    /// The preset's terms, starting at `starts_at`, worldwide, for any
    /// channel and category, without end or cap.
    #[must_use]
    pub fn terms(self, starts_at: Timestamp) -> LicenseTerms {
        let (commercial_use, derivatives_allowed, rev_share_ppm) = match self {
            Preset::NonCommercialRemix => (false, true, Ppm::ZERO),
            Preset::CommercialUse => (true, false, Ppm::ZERO),
            Preset::CommercialRemix => (true, true, Self::DEFAULT_REV_SHARE),
        };
        LicenseTerms {
            commercial_use,
            derivatives_allowed,
            derivatives_reciprocal: false,
            derivatives_approval: false,
            attribution: true,
            royalty: Royalty {
                policy: RoyaltyPolicy::Lap,
                rev_share_ppm,
            },
            minting_fee: None,
            territories: Vec::new(),
            channels: Vec::new(),
            categories: Vec::new(),
            starts_at,
            ends_at: None,
            max_units: None,
            exclusive: false,
            sublicensable: false,
            transferable: false,
            ai_training: false,
        }
    }
}

/// Changes to a preset's or a file's terms. Empty lists and `None` keep
/// what the terms say; `true` flags turn the flag on.
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)] // The PIL's own flags.
pub struct TermsOverrides {
    /// Allowed territories (replace the list when not empty).
    pub territories: Vec<CountryCode>,
    /// Allowed channels (replace the list when not empty).
    pub channels: Vec<Channel>,
    /// Allowed product categories (replace the list when not empty).
    pub categories: Vec<Category>,
    /// Start of the license window.
    pub starts_at: Option<Timestamp>,
    /// End of the license window (exclusive).
    pub ends_at: Option<Timestamp>,
    /// Cumulative cap on recorded units.
    pub max_units: Option<u64>,
    /// Revenue share owed by derivatives.
    pub rev_share: Option<Ppm>,
    /// Royalty policy.
    pub policy: Option<RoyaltyPolicy>,
    /// Make the grant exclusive.
    pub exclusive: bool,
    /// Allow AI training on the design.
    pub ai_training: bool,
    /// Let the licensee sublicense.
    pub sublicensable: bool,
    /// Let the licensee transfer the license.
    pub transferable: bool,
}

/// Merges `overlay` into `base`: objects member by member, anything else
/// replaced.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// License terms from a preset and/or a terms file, then the overrides.
///
/// The file (a JSON object, or a TOML table the caller converted) holds
/// terms fields; with a preset it changes only the fields it names, without
/// one it must name every required field. `starts_at` defaults to `now`.
/// The result passes [`LicenseTerms::validate`].
///
/// # Errors
/// [`DraftError::Terms`] when neither a preset nor a file is given or the
/// file does not describe terms; [`DraftError::Invalid`] for terms that
/// contradict themselves.
pub fn terms_from(
    preset: Option<Preset>,
    file: Option<Value>,
    overrides: &TermsOverrides,
    now: Timestamp,
) -> Result<LicenseTerms, DraftError> {
    let mut value = match preset {
        Some(preset) => {
            serde_json::to_value(preset.terms(now)).map_err(|e| DraftError::Terms(e.to_string()))?
        }
        None if file.is_some() => serde_json::json!({"starts_at": now}),
        None => {
            return Err(DraftError::Terms(
                "give a preset or a terms file".to_owned(),
            ));
        }
    };
    if let Some(file) = file {
        if !file.is_object() {
            return Err(DraftError::Terms(
                "the terms file must hold an object (a table) of terms fields".to_owned(),
            ));
        }
        merge(&mut value, file);
    }
    let mut terms: LicenseTerms = serde_json::from_value(value).map_err(|e| {
        let hint = if preset.is_none() {
            " (without a preset, the terms file names every field)"
        } else {
            ""
        };
        DraftError::Terms(format!("{e}{hint}"))
    })?;
    apply_overrides(&mut terms, overrides);
    terms.validate()?;
    Ok(terms)
}

fn apply_overrides(terms: &mut LicenseTerms, o: &TermsOverrides) {
    if !o.territories.is_empty() {
        terms.territories.clone_from(&o.territories);
    }
    if !o.channels.is_empty() {
        terms.channels.clone_from(&o.channels);
    }
    if !o.categories.is_empty() {
        terms.categories.clone_from(&o.categories);
    }
    terms.starts_at = o.starts_at.unwrap_or(terms.starts_at);
    terms.ends_at = o.ends_at.or(terms.ends_at);
    terms.max_units = o.max_units.or(terms.max_units);
    terms.royalty.rev_share_ppm = o.rev_share.unwrap_or(terms.royalty.rev_share_ppm);
    terms.royalty.policy = o.policy.unwrap_or(terms.royalty.policy);
    terms.exclusive |= o.exclusive;
    terms.ai_training |= o.ai_training;
    terms.sublicensable |= o.sublicensable;
    terms.transferable |= o.transferable;
}

#[cfg(test)]
mod tests {
    use provenant_model::RuleError;
    use provenant_testkit as testkit;
    use serde_json::json;

    use super::*;
    use crate::draft::test_support::ppm;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn presets_follow_the_pil() {
        let now = at("2025-01-01T00:00:00Z");
        let none = TermsOverrides::default();
        let remix = terms_from(Some(Preset::CommercialRemix), None, &none, now).unwrap();
        let expected: LicenseTerms = serde_json::from_value(testkit::terms()).unwrap();
        assert_eq!(remix, expected);
        let nc = terms_from(Some(Preset::NonCommercialRemix), None, &none, now).unwrap();
        assert!(!nc.commercial_use && nc.derivatives_allowed && nc.attribution);
        assert_eq!(nc.royalty.rev_share_ppm, Ppm::ZERO);
        let cu = terms_from(Some(Preset::CommercialUse), None, &none, now).unwrap();
        assert!(cu.commercial_use && !cu.derivatives_allowed);
        // A revenue share needs commercial use.
        let paid = TermsOverrides {
            rev_share: Some(ppm(10_000)),
            ..TermsOverrides::default()
        };
        assert!(matches!(
            terms_from(Some(Preset::NonCommercialRemix), None, &paid, now),
            Err(DraftError::Invalid(RuleError::TermsInconsistent { .. }))
        ));
        assert!(matches!(
            terms_from(None, None, &none, now),
            Err(DraftError::Terms(_))
        ));
    }

    #[test]
    fn overrides_and_files_change_the_terms() {
        let now = at("2026-03-01T12:00:00Z");
        let overrides = TermsOverrides {
            territories: vec!["FR".parse().unwrap(), "DE".parse().unwrap()],
            channels: vec!["retail".parse().unwrap()],
            ends_at: Some(at("2027-01-01T00:00:00Z")),
            max_units: Some(500),
            rev_share: Some(ppm(100_000)),
            policy: Some(RoyaltyPolicy::Lrp),
            exclusive: true,
            ..TermsOverrides::default()
        };
        let t = terms_from(Some(Preset::CommercialRemix), None, &overrides, now).unwrap();
        assert_eq!(t.starts_at, now);
        assert_eq!(t.territories.len(), 2);
        assert_eq!(t.max_units, Some(500));
        assert_eq!(
            t.royalty,
            Royalty {
                policy: RoyaltyPolicy::Lrp,
                rev_share_ppm: ppm(100_000)
            }
        );
        assert!(t.exclusive && !t.ai_training);

        // A file over a preset changes only what it names, deep.
        let file = json!({"royalty": {"rev_share_ppm": 20000}, "derivatives_reciprocal": true});
        let t = terms_from(
            Some(Preset::CommercialRemix),
            Some(file),
            &TermsOverrides::default(),
            now,
        )
        .unwrap();
        assert_eq!(t.royalty.policy, RoyaltyPolicy::Lap);
        assert_eq!(t.royalty.rev_share_ppm, ppm(20_000));
        assert!(t.derivatives_reciprocal);

        // A file alone names every field; starts_at defaults to now.
        let mut whole = testkit::terms();
        whole.as_object_mut().unwrap().remove("starts_at");
        let t = terms_from(None, Some(whole), &TermsOverrides::default(), now).unwrap();
        assert_eq!(t.starts_at, now);
        let partial = json!({"commercial_use": true});
        assert!(matches!(
            terms_from(None, Some(partial), &TermsOverrides::default(), now),
            Err(DraftError::Terms(_))
        ));
        let unknown = json!({"comercial_use": true});
        assert!(
            terms_from(
                Some(Preset::CommercialUse),
                Some(unknown),
                &TermsOverrides::default(),
                now
            )
            .is_err()
        );
        assert!(terms_from(None, Some(json!([1])), &TermsOverrides::default(), now).is_err());
        // An end before the start contradicts itself.
        let backwards = TermsOverrides {
            ends_at: Some(at("2020-01-01T00:00:00Z")),
            ..TermsOverrides::default()
        };
        assert!(terms_from(Some(Preset::CommercialUse), None, &backwards, now).is_err());
    }
}
