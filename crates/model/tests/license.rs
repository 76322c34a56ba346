//! License checks: every vector in `fixtures/license/`, each reason alone
//! and in combination, evaluated over a state built from real entries.

mod support;

use provenant_model::{LicenseQuery, Reason, StateView, check_license};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{World, idt, key, terms, with};

#[derive(Deserialize)]
struct Expected {
    allowed: bool,
    reasons: Vec<Reason>,
    units_remaining: Option<u64>,
    /// With a dispute: how many disputes block the design the answer cites.
    #[serde(default)]
    blocking_disputes: Option<usize>,
    /// How many entries the answer rests on (and so proves).
    #[serde(default)]
    rests_on: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    #[serde(default)]
    units_used: u64,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    dispute: Option<String>,
    /// How many claimants (distinct keys) raise a dispute; default one.
    #[serde(default)]
    claimants: Option<u8>,
    #[serde(default)]
    design: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    #[allow(dead_code)]
    description: String,
    terms: Option<Value>,
    setup: Setup,
    query: Value,
    expected: Expected,
}

/// The grant's default scope: FR/DE, online/retail, footwear, 2025, 100 units.
fn scoped_terms() -> Value {
    with(
        &terms(),
        &json!({"territories": ["FR", "DE"], "channels": ["online", "retail"],
                "categories": ["footwear"], "ends_at": "2026-01-01T00:00:00Z", "max_units": 100}),
    )
}

fn run(case: &Case, name: &str) {
    let (alice, bob, brand, claimant) = (key(1), key(2), key(3), key(4));
    let mut w = World::new();
    // P (alice) <- D (bob), under a grant from alice to bob.
    let p = w.register(b"parent", &[(&alice, 1_000_000)], &[]);
    let gp = w.grant(p, &[&alice], &bob, &terms());
    let d = w.register(b"design", &[(&bob, 1_000_000)], &[(p, gp)]);
    let grant = case
        .terms
        .as_ref()
        .map(|extra| w.grant(d, &[&bob], &brand, &with(&scoped_terms(), extra)));
    if case.setup.units_used > 0 {
        let g = grant.unwrap();
        w.submit(
            "usage.record",
            json!({"grant": g, "quantity": case.setup.units_used, "territory": "FR",
                   "channel": "online", "category": "footwear", "batch_ref": "setup"}),
            &[&brand],
        )
        .unwrap();
    }
    if case.setup.revoked {
        w.submit(
            "license.revoke",
            json!({"grant": grant.unwrap(), "reason": "breach"}),
            &[&bob],
        )
        .unwrap();
    }
    if let Some(target) = &case.setup.dispute {
        let design = if target == "design" { d } else { p };
        let others: Vec<_> = (1..case.setup.claimants.unwrap_or(1))
            .map(|i| key(100 + i))
            .collect();
        for (n, by) in std::iter::once(&claimant).chain(&others).enumerate() {
            let claim = if n == 0 {
                "copied".to_owned()
            } else {
                format!("copied {n}")
            };
            w.submit(
                "dispute.raise",
                json!({"design": design, "claim": claim, "evidence": "ab".repeat(32)}),
                &[by],
            )
            .unwrap();
        }
    }
    let design = match case.setup.design.as_deref() {
        Some("unregistered") => support::design_of(b"unregistered"),
        _ => d,
    };
    let mut query = case.query.clone();
    query["design"] = json!(design);
    query["licensee"] = json!(idt(&brand));
    let query: LicenseQuery = serde_json::from_value(query).unwrap();
    let answer = check_license(&w.state, &query).unwrap();
    assert_eq!(answer.reasons, case.expected.reasons, "{name}");
    assert_eq!(answer.allowed, case.expected.allowed, "{name}");
    assert_eq!(
        answer.units_remaining, case.expected.units_remaining,
        "{name}"
    );
    assert_eq!(answer.grant, grant.filter(|_| design == d), "{name}");
    assert_eq!(
        answer.blocked_by.as_ref().map(|b| b.disputes),
        case.expected.blocking_disputes,
        "{name}"
    );
    if let Some(n) = case.expected.rests_on {
        assert_eq!(answer.rests_on.len(), n, "{name}");
    }
    if let Some(b) = &answer.blocked_by {
        // The cited dispute blocks the design it names, and the answer
        // rests on (so proves) the entry that raised it.
        let dispute = w.state.dispute(&b.dispute).unwrap().unwrap();
        assert_eq!(
            (dispute.design, dispute.raised),
            (b.design, b.raised),
            "{name}"
        );
        assert!(answer.rests_on.contains(&b.raised), "{name}");
    }
    if let Some(g) = answer.grant {
        let granted = w.state.grant(&g).unwrap().unwrap().granted;
        assert!(answer.rests_on.contains(&granted), "{name}");
    }
}

#[test]
fn every_license_fixture_holds() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/license");
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        run(&case, &path.display().to_string());
        seen.extend(case.expected.reasons.iter().copied());
    }
    // Every reason is covered by at least one fixture.
    for reason in [
        Reason::UnknownDesign,
        Reason::Disputed,
        Reason::AncestorDisputed,
        Reason::NoGrant,
        Reason::Revoked,
        Reason::NotYetValid,
        Reason::Expired,
        Reason::Territory,
        Reason::Channel,
        Reason::Category,
        Reason::UnitsExceeded,
        Reason::ActionNotLicensed,
    ] {
        assert!(seen.contains(&reason), "no fixture for {}", reason.code());
    }
}

#[test]
fn the_best_grant_is_chosen() {
    let (alice, brand) = (key(1), key(2));
    let mut w = World::new();
    let d = w.register(b"d", &[(&alice, 1_000_000)], &[]);
    let fr = w.grant(
        d,
        &[&alice],
        &brand,
        &with(&terms(), &json!({"territories": ["FR"]})),
    );
    let de = w.grant(
        d,
        &[&alice],
        &brand,
        &with(&terms(), &json!({"territories": ["DE"]})),
    );
    let ask = |territory: &str| {
        let q: LicenseQuery = serde_json::from_value(json!({
            "design": d, "licensee": idt(&brand), "action": "commercial", "territory": territory,
            "channel": "online", "category": "footwear", "date": "2025-07-01T00:00:00Z", "quantity": 1
        }))
        .unwrap();
        check_license(&w.state, &q).unwrap()
    };
    assert_eq!(ask("FR").grant, Some(fr));
    assert_eq!(ask("DE").grant, Some(de));
    let denied = ask("US");
    assert!(!denied.allowed);
    assert_eq!(denied.grant, Some(fr), "ties go to the earliest grant");
}

#[test]
fn a_popular_design_and_a_big_licensee_find_the_one_grant() {
    // 70 licensees on one design (past the point where the check stops
    // reading every grant of the design), and a brand with grants on
    // other designs too.
    let (alice, brand) = (key(1), key(2));
    let mut w = World::new();
    let popular = w.register(b"popular", &[(&alice, 1_000_000)], &[]);
    let other = w.register(b"other", &[(&alice, 1_000_000)], &[]);
    for seed in 10..80u8 {
        w.grant(popular, &[&alice], &key(seed), &terms());
    }
    w.grant(other, &[&alice], &brand, &terms());
    let ask = |w: &World, design, who: &ed25519_dalek::SigningKey| {
        let q: LicenseQuery = serde_json::from_value(json!({
            "design": design, "licensee": idt(who), "action": "commercial", "territory": "FR",
            "channel": "online", "category": "footwear", "date": "2025-07-01T00:00:00Z", "quantity": 1
        }))
        .unwrap();
        check_license(&w.state, &q).unwrap()
    };
    assert!(w.state.grants_of(&popular).unwrap().len() > 64);
    assert!(ask(&w, popular, &key(79)).allowed);
    assert_eq!(ask(&w, popular, &brand).reasons, vec![Reason::NoGrant]);
    let grant = w.grant(popular, &[&alice], &brand, &terms());
    assert_eq!(ask(&w, popular, &brand).grant, Some(grant));
    assert!(ask(&w, other, &brand).allowed);
    assert_eq!(ask(&w, other, &key(79)).reasons, vec![Reason::NoGrant]);
}
