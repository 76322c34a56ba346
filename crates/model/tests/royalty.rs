//! Royalty splits: every vector in `fixtures/royalty/` (hand-checked, and
//! cross-checked with exact rational arithmetic when written), and the same
//! math through the ledger state.

#![allow(clippy::many_single_char_names)]

mod support;

use std::collections::BTreeMap;

use proptest::prelude::*;
use provenant_model::royalty::{GraphNode, MAX_DETAIL_PATH_DESIGNS, RoyaltyGraph};
use provenant_model::{
    Cancel, DetailPage, Money, Ppm, Royalty, RoyaltyPolicy, SaleLine, StateView, royalty_split,
    royalty_statement,
};
use serde::Deserialize;
use serde_json::json;
use support::{World, id, key, terms, with};

#[derive(Deserialize)]
struct Node {
    owners: BTreeMap<String, u32>,
    /// Each parent and the royalty term of the grant the link is under.
    parents: BTreeMap<String, Royalty>,
}

#[derive(Deserialize)]
struct Case {
    #[allow(dead_code)]
    description: String,
    designs: BTreeMap<String, Node>,
    design: String,
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
                let parents = node.parents.iter().map(|(p, r)| (p.clone(), *r)).collect();
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
        let result = graph(&case).split(&case.design, case.revenue);
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
                // The plan, computed once, rounds every revenue as the
                // reference does.
                let g = graph(&case);
                let (plan, _) = g.plan(&case.design, &Cancel::default()).unwrap();
                for revenue in [case.revenue, 0, 1, 7, 999, 1_000_003, u64::MAX] {
                    let reference: Vec<(String, u64)> = g
                        .split(&case.design, revenue)
                        .unwrap()
                        .into_iter()
                        .map(|p| (p.payee, p.amount_minor))
                        .collect();
                    let planned: Vec<(String, u64)> = plan
                        .payees()
                        .cloned()
                        .zip(plan.apply(revenue).unwrap())
                        .collect();
                    assert_eq!(planned, reference, "{} at {revenue}", path.display());
                }
            }
            (None, Some(code)) => {
                assert_eq!(result.unwrap_err().code(), code, "{}", path.display());
            }
            _ => panic!("{}: needs expected or expected_error", path.display()),
        }
        count += 1;
    }
    assert!(count >= 24, "only {count} royalty fixtures");
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
    let payouts = graph(&case).split(&case.design, 1000).unwrap();
    let alice = payouts.iter().find(|p| p.payee == "alice").unwrap();
    let holding = &alice.holdings[0];
    assert_eq!(holding.design, "A");
    assert_eq!(holding.paths_total, 2);
    assert_eq!(holding.paths.len(), 2);
    assert_eq!(holding.paths[0].designs.len(), 3);
    assert_eq!(holding.design_fraction.numerator, "100000");
    assert_eq!(holding.design_fraction.denominator, "1000000");
}

/// The brief's chain, registered through real entries: A <- B at 5% under
/// `upper`, B <- C at 10% under `lower`.
fn chain_world(upper: &str, lower: &str) -> (World, provenant_model::DesignId) {
    let (a, b, c) = (key(1), key(2), key(3));
    let rate = |policy: &str, ppm: u32| {
        with(
            &terms(),
            &json!({"royalty": {"policy": policy, "rev_share_ppm": ppm}}),
        )
    };
    let mut w = World::new();
    let da = w.register(b"A", &[(&a, 1_000_000)], &[]);
    let ga = w.grant(da, &[&a], &b, &rate(upper, 50_000));
    let db = w.register(b"B", &[(&b, 1_000_000)], &[(da, ga)]);
    let gb = w.grant(db, &[&b], &c, &rate(lower, 100_000));
    let dc = w.register(b"C", &[(&c, 1_000_000)], &[(db, gb)]);
    (w, dc)
}

/// Each link pays under its own grant's policy: the brief's pure chains
/// and both mixed chains, split from the state (no caller chooses).
#[test]
fn split_through_the_state_follows_each_grants_policy() {
    let eur = "EUR".parse().unwrap();
    let money = Money {
        amount_minor: 1000,
        currency: eur,
    };
    for (upper, lower, expected) in [
        ("LAP", "LAP", [50, 100, 850]),
        ("LRP", "LRP", [5, 95, 900]),
        ("LAP", "LRP", [50, 100, 850]),
        ("LRP", "LAP", [5, 95, 900]),
    ] {
        let (w, dc) = chain_world(upper, lower);
        let split = royalty_split(&w.state, dc, money, None, &Cancel::default()).unwrap();
        for (seed, amount) in [1u8, 2, 3].into_iter().zip(expected) {
            let line = split
                .payouts
                .iter()
                .find(|p| p.payee == id(&key(seed)))
                .unwrap();
            assert_eq!(line.amount_minor, amount, "{upper}/{lower} key {seed}");
        }
        assert!(split.disputed.is_empty());
        // The detail names each link's policy along the path.
        let page = DetailPage {
            after: 0,
            limit: 10,
        };
        let detail = royalty_split(&w.state, dc, money, Some(page), &Cancel::default())
            .unwrap()
            .detail
            .unwrap();
        let top = detail
            .holdings
            .iter()
            .find(|h| h.payee == id(&key(1)))
            .unwrap();
        let policy = |p: &str| -> RoyaltyPolicy { serde_json::from_value(json!(p)).unwrap() };
        assert_eq!(
            top.holding.paths[0].policies,
            [policy(lower), policy(upper)]
        );
    }
}

/// The registration rule uses the split's stack: a chain of LRP links at
/// 60% each registers (no design pays out more than it receives), the same
/// rates as LAP claims (120% of the newest design's revenue) do not.
#[test]
fn registration_refuses_exactly_what_the_split_refuses() {
    let (a, b, c) = (key(1), key(2), key(3));
    for (upper, lower, allowed) in [
        ("LRP", "LRP", true),
        ("LAP", "LRP", false),
        ("LRP", "LAP", true),
        ("LAP", "LAP", false),
    ] {
        let rate = |policy: &str| {
            with(
                &terms(),
                &json!({"royalty": {"policy": policy, "rev_share_ppm": 600_000}}),
            )
        };
        let mut w = World::new();
        let da = w.register(b"A", &[(&a, 1_000_000)], &[]);
        let ga = w.grant(da, &[&a], &b, &rate(upper));
        let db = w.register(b"B", &[(&b, 1_000_000)], &[(da, ga)]);
        let gb = w.grant(db, &[&b], &c, &rate(lower));
        let result = w.submit(
            "design.register",
            support::register_json(b"C", &[(&c, 1_000_000)], &[(db, gb)]),
            &[&c],
        );
        assert_eq!(result.is_ok(), allowed, "{upper}/{lower}: {result:?}");
        if !allowed {
            assert_eq!(result.unwrap_err().code(), "royalty-stack");
        }
    }
}

#[test]
fn statements_aggregate_per_payee_and_currency() {
    let (w, dc) = chain_world("LAP", "LAP");
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
    let st = royalty_statement(&w.state, &sales, &Cancel::default()).unwrap();
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
        royalty_statement(&w.state, &bad, &Cancel::default())
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
        royalty_statement(&w.state, &over, &Cancel::default())
            .unwrap_err()
            .code(),
        "amount-overflow"
    );
}

/// A chain of `depth` designs, each with one owner or two, plus diamonds
/// (a design also deriving from the one two above it) every twelfth
/// design, registered through real entries; the grants of design `i` are
/// under `policies[i % policies.len()]`. Returns the designs from the
/// oldest to the newest.
fn deep_world(
    depth: usize,
    policies: &[&str],
    rate: u32,
) -> (World, Vec<provenant_model::DesignId>) {
    let mut w = World::new();
    let mut designs: Vec<provenant_model::DesignId> = Vec::new();
    let mut owners = Vec::new();
    for i in 0..depth {
        let a = key(u8::try_from(i % 200).unwrap() + 1);
        let b = key(u8::try_from((i * 7 + 3) % 200).unwrap() + 1);
        let creators: Vec<(&ed25519_dalek::SigningKey, u32)> = if i % 2 == 0 || a == b {
            vec![(&a, 1_000_000)]
        } else {
            vec![(&a, 333_333), (&b, 666_667)]
        };
        let mut parents = Vec::new();
        let mut links = vec![i.checked_sub(1)];
        if i % 12 == 6 {
            links.push(i.checked_sub(2));
        }
        let me = creators[0].0.clone();
        let t = with(
            &terms(),
            &json!({"royalty": {"policy": policies[i % policies.len()], "rev_share_ppm": rate}}),
        );
        for parent in links.into_iter().flatten() {
            let (p, p_owners): (provenant_model::DesignId, &Vec<ed25519_dalek::SigningKey>) =
                (designs[parent], &owners[parent]);
            let signers: Vec<&ed25519_dalek::SigningKey> = p_owners.iter().collect();
            let g = w.grant(p, &signers, &me, &t);
            parents.push((p, g));
        }
        let d = w.register(format!("deep {i}").as_bytes(), &creators, &parents);
        owners.push(
            creators
                .iter()
                .map(|(k, _)| (*k).clone())
                .collect::<Vec<_>>(),
        );
        designs.push(d);
    }
    (w, designs)
}

/// The statement's totals per payee are the sums of every line split on
/// its own by the reference [`RoyaltyGraph::split`], over a deep graph
/// with diamonds, under either policy and a mix of both, for random lines.
#[test]
fn statements_equal_the_sum_of_naive_per_line_splits() {
    let eur: provenant_model::Currency = "EUR".parse().unwrap();
    for (policies, rate) in [
        (&["LAP"][..], 3_001),
        (&["LRP"][..], 5_917),
        (&["LRP", "LAP", "LRP"][..], 4_409),
    ] {
        let (w, designs) = deep_world(40, policies, rate);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(8));
        let lines = proptest::collection::vec((0..designs.len(), 0u64..=10_000_000_000), 1..60);
        runner
            .run(&lines, |lines| {
                let sales: Vec<SaleLine> = lines
                    .iter()
                    .map(|&(d, amount_minor)| SaleLine {
                        design: designs[d],
                        amount: Money {
                            amount_minor,
                            currency: eur,
                        },
                    })
                    .collect();
                let st = royalty_statement(&w.state, &sales, &Cancel::default()).unwrap();
                let mut naive: BTreeMap<provenant_model::Identity, u64> = BTreeMap::new();
                for sale in &sales {
                    let g =
                        provenant_model::royalty::load_graph(&w.state, sale.design, None).unwrap();
                    for p in g.split(&sale.design, sale.amount.amount_minor).unwrap() {
                        *naive.entry(p.payee).or_default() += p.amount_minor;
                    }
                }
                let got: BTreeMap<provenant_model::Identity, u64> =
                    st.lines.iter().map(|l| (l.payee, l.amount_minor)).collect();
                prop_assert_eq!(got, naive);
                let revenue: u64 = sales.iter().map(|s| s.amount.amount_minor).sum();
                prop_assert_eq!(st.totals[0].amount_minor, revenue);
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn a_cancelled_statement_stops() {
    let (w, designs) = deep_world(5, &["LAP"], 10_000);
    let sales = [SaleLine {
        design: designs[4],
        amount: Money {
            amount_minor: 100,
            currency: "EUR".parse().unwrap(),
        },
    }];
    let cancel = Cancel::default();
    cancel.cancel();
    assert_eq!(
        royalty_statement(&w.state, &sales, &cancel)
            .unwrap_err()
            .code(),
        "request-timeout"
    );
}

/// The split answer lists one line per payee; the per-path detail comes
/// only when asked for, in pages bounded by count and by path designs,
/// which together list every holding exactly once.
#[test]
fn split_detail_is_paged_and_bounded() {
    let (w, designs) = deep_world(60, &["LAP", "LRP"], 1_000);
    let top = *designs.last().unwrap();
    let money = Money {
        amount_minor: 1_000_000,
        currency: "EUR".parse().unwrap(),
    };
    let never = Cancel::default();
    let plain = royalty_split(&w.state, top, money, None, &never).unwrap();
    assert!(plain.detail.is_none());
    assert_eq!(plain.paid.len(), 60);
    let text = serde_json::to_string(&plain).unwrap();
    assert!(!text.contains("paths"), "{text}");
    let reference = provenant_model::royalty::load_graph(&w.state, top, None)
        .unwrap()
        .split(&top, money.amount_minor)
        .unwrap();
    let amounts: Vec<u64> = plain.payouts.iter().map(|p| p.amount_minor).collect();
    let expected: Vec<u64> = reference.iter().map(|p| p.amount_minor).collect();
    assert_eq!(amounts, expected);
    let every: usize = reference.iter().map(|p| p.holdings.len()).sum();

    let mut after = 0;
    let mut seen = Vec::new();
    for _ in 0..1000 {
        let page = DetailPage { after, limit: 1000 };
        let split = royalty_split(&w.state, top, money, Some(page), &never).unwrap();
        let detail = split.detail.unwrap();
        assert_eq!(detail.total, every);
        assert!(!detail.holdings.is_empty());
        assert!(detail.holdings.len() <= provenant_model::royalty::MAX_DETAIL_LIMIT);
        let named: usize = detail
            .holdings
            .iter()
            .flat_map(|h| &h.holding.paths)
            .map(|p| p.designs.len())
            .sum();
        assert!(detail.holdings.len() == 1 || named <= MAX_DETAIL_PATH_DESIGNS);
        seen.extend(
            detail
                .holdings
                .into_iter()
                .map(|h| (h.payee, h.holding.design)),
        );
        match detail.next {
            Some(next) => after = next.parse().unwrap(),
            None => break,
        }
    }
    let expected: Vec<_> = reference
        .iter()
        .flat_map(|p| p.holdings.iter().map(|h| (p.payee, h.design)))
        .collect();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}
