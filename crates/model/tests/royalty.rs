//! Royalty splits: every vector in `fixtures/royalty/` (hand-checked, and
//! cross-checked with exact rational arithmetic when written), and the same
//! math through the ledger state.

#![allow(clippy::many_single_char_names)]

mod support;

use std::collections::BTreeMap;

use provenant_model::royalty::{GraphNode, RoyaltyGraph};
use provenant_model::{
    Money, Ppm, RoyaltyPolicy, SaleLine, StateView, royalty_split, royalty_statement,
};
use serde::Deserialize;
use serde_json::json;
use support::{World, id, key, terms, with};

#[derive(Deserialize)]
struct Node {
    owners: BTreeMap<String, u32>,
    parents: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
struct Case {
    #[allow(dead_code)]
    description: String,
    designs: BTreeMap<String, Node>,
    design: String,
    policy: RoyaltyPolicy,
    revenue: u64,
    expected: Option<BTreeMap<String, u64>>,
    expected_error: Option<String>,
}

fn graph(case: &Case) -> RoyaltyGraph<String, String> {
    let ppm = |v: u32| Ppm::new(v).unwrap();
    RoyaltyGraph {
        nodes: case
            .designs
            .iter()
            .map(|(name, node)| {
                let owners = node
                    .owners
                    .iter()
                    .map(|(k, s)| (k.clone(), ppm(*s)))
                    .collect();
                let parents = node
                    .parents
                    .iter()
                    .map(|(p, r)| (p.clone(), ppm(*r)))
                    .collect();
                (name.clone(), GraphNode { owners, parents })
            })
            .collect(),
    }
}

#[test]
fn every_royalty_fixture_holds() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/royalty");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let result = graph(&case).split(&case.design, case.revenue, case.policy);
        match (&case.expected, &case.expected_error) {
            (Some(expected), None) => {
                let payouts = result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let got: BTreeMap<String, u64> = payouts
                    .iter()
                    .map(|p| (p.payee.clone(), p.amount_minor))
                    .collect();
                assert_eq!(&got, expected, "{}", path.display());
                let total: u128 = payouts.iter().map(|p| u128::from(p.amount_minor)).sum();
                assert_eq!(total, u128::from(case.revenue), "{}", path.display());
            }
            (None, Some(code)) => {
                assert_eq!(result.unwrap_err().code(), code, "{}", path.display());
            }
            _ => panic!("{}: needs expected or expected_error", path.display()),
        }
        count += 1;
    }
    assert!(count >= 13, "only {count} royalty fixtures");
}

#[test]
fn explanations_name_paths_and_rates() {
    let case: Case = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/royalty/brief_diamond_lap.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let payouts = graph(&case)
        .split(&case.design, 1000, RoyaltyPolicy::Lap)
        .unwrap();
    let alice = payouts.iter().find(|p| p.payee == "alice").unwrap();
    let holding = &alice.holdings[0];
    assert_eq!(holding.design, "A");
    assert_eq!(holding.paths_total, 2);
    assert_eq!(holding.paths.len(), 2);
    assert_eq!(holding.paths[0].designs.len(), 3);
    assert_eq!(holding.design_fraction.numerator, "100000");
    assert_eq!(holding.design_fraction.denominator, "1000000");
}

/// The brief's chain, registered through real entries.
fn chain_world() -> (World, provenant_model::DesignId) {
    let (a, b, c) = (key(1), key(2), key(3));
    let rate = |ppm: u32| {
        with(
            &terms(),
            &json!({"royalty": {"policy": "LAP", "rev_share_ppm": ppm}}),
        )
    };
    let mut w = World::new();
    let da = w.register(b"A", &[(&a, 1_000_000)], &[]);
    let ga = w.grant(da, &[&a], &b, &rate(50_000));
    let db = w.register(b"B", &[(&b, 1_000_000)], &[(da, ga)]);
    let gb = w.grant(db, &[&b], &c, &rate(100_000));
    let dc = w.register(b"C", &[(&c, 1_000_000)], &[(db, gb)]);
    (w, dc)
}

#[test]
fn split_through_the_state_matches_the_brief() {
    let (w, dc) = chain_world();
    let eur = "EUR".parse().unwrap();
    let money = Money {
        amount_minor: 1000,
        currency: eur,
    };
    for (policy, expected) in [
        (RoyaltyPolicy::Lap, [50, 100, 850]),
        (RoyaltyPolicy::Lrp, [5, 95, 900]),
    ] {
        let split = royalty_split(&w.state, dc, money, policy).unwrap();
        for (seed, amount) in [1u8, 2, 3].into_iter().zip(expected) {
            let line = split
                .payouts
                .iter()
                .find(|p| p.payee == id(&key(seed)))
                .unwrap();
            assert_eq!(line.amount_minor, amount, "{policy:?} key {seed}");
        }
        assert!(split.disputed.is_empty());
    }
}

#[test]
fn statements_aggregate_per_payee_and_currency() {
    let (w, dc) = chain_world();
    let eur = "EUR".parse().unwrap();
    let usd = "USD".parse().unwrap();
    let db = w.state.design(&dc).unwrap().unwrap().parents[0].design;
    let sales = [
        SaleLine {
            design: dc,
            amount: Money {
                amount_minor: 1000,
                currency: eur,
            },
        },
        SaleLine {
            design: dc,
            amount: Money {
                amount_minor: 1,
                currency: eur,
            },
        },
        SaleLine {
            design: db,
            amount: Money {
                amount_minor: 200,
                currency: eur,
            },
        },
        SaleLine {
            design: dc,
            amount: Money {
                amount_minor: 1000,
                currency: usd,
            },
        },
    ];
    let st = royalty_statement(&w.state, &sales, RoyaltyPolicy::Lap).unwrap();
    let get = |seed: u8, cur| {
        st.lines
            .iter()
            .find(|l| l.payee == id(&key(seed)) && l.currency == cur)
            .map(|l| l.amount_minor)
    };
    // EUR: 1000 -> 50/100/850; 1 -> 0/0/1; 200 on B -> A 10, B 190.
    assert_eq!(get(1, eur), Some(60));
    assert_eq!(get(2, eur), Some(290));
    assert_eq!(get(3, eur), Some(851));
    assert_eq!(get(1, usd), Some(50));
    let eur_total: u64 = st
        .lines
        .iter()
        .filter(|l| l.currency == eur)
        .map(|l| l.amount_minor)
        .sum();
    assert_eq!(eur_total, 1201);
    assert_eq!(st.totals.len(), 2);
    // Unknown design.
    let bad = [SaleLine {
        design: support::design_of(b"?"),
        amount: sales[0].amount,
    }];
    assert_eq!(
        royalty_statement(&w.state, &bad, RoyaltyPolicy::Lap)
            .unwrap_err()
            .code(),
        "design-not-found"
    );
    // Totals that overflow 64 bits are refused, not wrapped.
    let huge = Money {
        amount_minor: u64::MAX,
        currency: eur,
    };
    let over = [
        SaleLine {
            design: dc,
            amount: huge,
        },
        SaleLine {
            design: dc,
            amount: huge,
        },
    ];
    assert_eq!(
        royalty_statement(&w.state, &over, RoyaltyPolicy::Lap)
            .unwrap_err()
            .code(),
        "amount-overflow"
    );
}
