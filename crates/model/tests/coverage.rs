//! The license check and the usage rule share one predicate for "does this
//! grant cover this use" and one for "is this design blocked": for the same
//! grant, date, territory, channel, category and quantity, a usage record
//! is accepted exactly when a license check of that use (for an action
//! every grant licenses) allows it, and is refused with the error naming
//! the check's first reason, carrying the grant's own values.

mod support;

use proptest::prelude::*;
use provenant_model::{
    Action, DesignId, LicenseQuery, Reason, RuleError, StateView, Timestamp, check_license,
};
use serde_json::{Value, json};
use support::{World, id, key, terms, with};

const TERRITORIES: [&str; 3] = ["FR", "DE", "US"];
const CHANNELS: [&str; 3] = ["online", "retail", "wholesale"];
/// `footwear` is a subcategory of `apparel`.
const CATEGORIES: [&str; 3] = ["apparel", "footwear", "jewelry"];
/// Around the grants' window `[2025-01-01, 2026-01-01)` when it has an end.
const DATES: [&str; 6] = [
    "2024-12-31T23:59:00Z",
    "2025-01-01T00:00:00Z",
    "2025-06-15T00:00:00Z",
    "2025-12-31T23:59:00Z",
    "2026-01-01T00:00:00Z",
    "2027-03-01T00:00:00Z",
];

/// The error code a usage record gets for the check's first reason: an
/// independent table, not the code under test.
fn code_for(reason: Reason) -> &'static str {
    match reason {
        Reason::Disputed => "design-disputed",
        Reason::AncestorDisputed => "ancestor-disputed",
        Reason::Revoked => "grant-revoked",
        Reason::NotYetValid => "grant-not-yet-valid",
        Reason::Expired => "grant-expired",
        Reason::Territory => "territory-not-licensed",
        Reason::Channel => "channel-not-licensed",
        Reason::Category => "category-not-licensed",
        Reason::UnitsExceeded => "units-exceeded",
        other => panic!("no usage record is refused for {other:?}"),
    }
}

/// A subset of `all` from a bit mask, as a JSON list (empty = any).
fn pick(all: &[&str], mask: u8) -> Value {
    json!(
        all.iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, v)| *v)
            .collect::<Vec<_>>()
    )
}

#[derive(Debug, Clone)]
struct Case {
    territories: u8,
    channels: u8,
    categories: u8,
    ends: bool,
    max_units: Option<u64>,
    used: u64,
    revoked: bool,
    /// 0: none, 1: the design, 2: its parent.
    dispute: u8,
    territory: usize,
    channel: usize,
    category: usize,
    date: usize,
    quantity: u64,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        (0u8..8, 0u8..8, 0u8..8, any::<bool>()),
        (prop::option::of(1u64..12), 0u64..8, any::<bool>(), 0u8..3),
        (
            0usize..3,
            0usize..3,
            0usize..3,
            0usize..DATES.len(),
            1u64..10,
        ),
    )
        .prop_map(
            |(
                (territories, channels, categories, ends),
                (max_units, used, revoked, dispute),
                (territory, channel, category, date, quantity),
            )| Case {
                territories,
                channels,
                categories,
                ends,
                max_units,
                used,
                revoked,
                dispute,
                territory,
                channel,
                category,
                date,
                quantity,
            },
        )
}

fn date(i: usize) -> Timestamp {
    DATES[i].parse().unwrap()
}

/// Builds the grant and its history, then asks both the check and the
/// rule about the case's use; the usage record's error code, if refused.
fn agree(c: &Case) -> Result<Option<&'static str>, TestCaseError> {
    let (alice, bob, brand, claimant) = (key(1), key(2), key(3), key(4));
    let mut w = World::new();
    let parent = w.register(b"parent", &[(&alice, 1_000_000)], &[]);
    let gp = w.grant(parent, &[&alice], &bob, &terms());
    let design = w.register(b"design", &[(&bob, 1_000_000)], &[(parent, gp)]);
    let mut extra = json!({
        "territories": pick(&TERRITORIES, c.territories),
        "channels": pick(&CHANNELS, c.channels),
        "categories": pick(&CATEGORIES, c.categories),
    });
    if c.ends {
        extra["ends_at"] = json!("2026-01-01T00:00:00Z");
    }
    if let Some(max) = c.max_units {
        extra["max_units"] = json!(max);
    }
    let grant_terms = with(&terms(), &extra);
    let grant = w.grant(design, &[&bob], &brand, &grant_terms);
    // Units already used: a run the grant covers, when it covers one.
    let _ = w.submit(
        "usage.record",
        json!({"grant": grant, "quantity": c.used,
               "territory": TERRITORIES[c.territory], "channel": CHANNELS[c.channel],
               "category": CATEGORIES[c.category], "batch_ref": "earlier"}),
        &[&brand],
    );
    if c.revoked {
        w.submit(
            "license.revoke",
            json!({"grant": grant, "reason": "breach"}),
            &[&bob],
        )
        .unwrap();
    }
    if c.dispute > 0 {
        let target: DesignId = if c.dispute == 1 { design } else { parent };
        w.submit(
            "dispute.raise",
            json!({"design": target, "claim": "copied", "evidence": "ab".repeat(32)}),
            &[&claimant],
        )
        .unwrap();
    }

    let at = date(c.date);
    let query = LicenseQuery {
        design,
        licensee: id(&brand),
        action: Action::NonCommercial,
        territory: TERRITORIES[c.territory].parse().unwrap(),
        channel: CHANNELS[c.channel].parse().unwrap(),
        category: CATEGORIES[c.category].parse().unwrap(),
        date: at,
        quantity: c.quantity,
    };
    let answer = check_license(&w.state, &query).unwrap();
    let state = w.state.grant(&grant).unwrap().unwrap();
    w.clock = at.unix();
    let run = w.submit(
        "usage.record",
        json!({"grant": grant, "quantity": c.quantity,
               "territory": TERRITORIES[c.territory], "channel": CHANNELS[c.channel],
               "category": CATEGORIES[c.category], "batch_ref": "this run"}),
        &[&brand],
    );
    match run {
        Ok(_) => {
            prop_assert!(answer.allowed, "{:?}", answer.reasons);
            Ok(None)
        }
        Err(e) => {
            prop_assert!(!answer.allowed, "refused {e} but the check allows");
            prop_assert_eq!(
                e.code(),
                code_for(answer.reasons[0]),
                "{:?}",
                answer.reasons
            );
            // The error carries the grant's own values.
            match e {
                RuleError::GrantExpired { ends_at, .. } => {
                    prop_assert_eq!(Some(ends_at), state.terms.ends_at);
                }
                RuleError::GrantNotYetValid { starts_at, .. } => {
                    prop_assert_eq!(starts_at, state.terms.starts_at);
                }
                RuleError::UnitsExceeded {
                    used,
                    requested,
                    max,
                } => {
                    prop_assert_eq!(Some(max), state.terms.max_units);
                    prop_assert_eq!((used, requested), (state.units_used, c.quantity));
                    prop_assert_eq!(answer.units_remaining, Some(max.saturating_sub(used)));
                }
                RuleError::AncestorDisputed { ancestor, .. } => {
                    prop_assert_eq!(Some(ancestor), answer.blocked_by.map(|b| b.design));
                }
                _ => {}
            }
            Ok(Some(code_for(answer.reasons[0])))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_usage_record_is_refused_exactly_when_the_check_denies(c in cases()) {
        agree(&c)?;
    }
}

/// Every reason a usage record can be refused for, each met at least once
/// by a fixed case (so the property above is not vacuous).
#[test]
fn every_usage_reason_is_reached() {
    let base = Case {
        territories: 0,
        channels: 0,
        categories: 0,
        ends: true,
        max_units: Some(10),
        used: 0,
        revoked: false,
        dispute: 0,
        territory: 0,
        channel: 0,
        category: 1,
        date: 2,
        quantity: 1,
    };
    let cases = [
        Case { ..base.clone() },
        Case {
            dispute: 1,
            ..base.clone()
        },
        Case {
            dispute: 2,
            ..base.clone()
        },
        Case {
            revoked: true,
            ..base.clone()
        },
        Case {
            date: 0,
            ..base.clone()
        },
        Case {
            date: 4,
            ..base.clone()
        },
        Case {
            territories: 0b010,
            ..base.clone()
        },
        Case {
            channels: 0b010,
            ..base.clone()
        },
        // A grant for apparel covers footwear; one for jewelry does not.
        Case {
            categories: 0b001,
            ..base.clone()
        },
        Case {
            categories: 0b100,
            ..base.clone()
        },
        Case {
            used: 6,
            quantity: 5,
            ..base.clone()
        },
        Case {
            used: 6,
            quantity: 4,
            ..base
        },
    ];
    let reached: std::collections::BTreeSet<Option<&str>> =
        cases.iter().map(|c| agree(c).unwrap()).collect();
    let every = [
        None,
        Some("design-disputed"),
        Some("ancestor-disputed"),
        Some("grant-revoked"),
        Some("grant-not-yet-valid"),
        Some("grant-expired"),
        Some("territory-not-licensed"),
        Some("channel-not-licensed"),
        Some("category-not-licensed"),
        Some("units-exceeded"),
    ];
    assert_eq!(reached, every.into_iter().collect());
}
