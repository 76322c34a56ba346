//! Property tests: royalty payouts always sum to the revenue and are
//! deterministic, and every design keeps what the path-by-path rule of
//! mixed LAP and LRP chains says, never less than nothing; no sequence of entries, valid or not, breaks the share
//! invariant; a refused entry never changes the state.

mod support;

use proptest::prelude::*;
use std::collections::BTreeMap;

use provenant_model::royalty::{GraphNode, RoyaltyGraph};
use provenant_model::{Cancel, Ppm, Royalty, RoyaltyPolicy, StateView};
use serde_json::json;
use support::{World, idt, key, register_json, terms};

/// Splits `1_000_000` into `n` positive shares from raw weights.
fn shares(weights: &[u32]) -> Vec<u32> {
    let total: u64 = weights.iter().map(|w| u64::from(*w) + 1).sum();
    let mut out: Vec<u32> = weights
        .iter()
        .map(|w| {
            u32::try_from((u64::from(*w) + 1) * 1_000_000 / total)
                .unwrap()
                .max(1)
        })
        .collect();
    let sum: u32 = out.iter().sum();
    if sum <= 1_000_000 {
        out[0] += 1_000_000 - sum;
    } else {
        let excess = sum - 1_000_000;
        let i = out.iter().position(|s| *s > excess).unwrap();
        out[i] -= excess;
    }
    out
}

prop_compose! {
    /// A random DAG of up to 6 designs (each may link to earlier ones,
    /// each link LAP or LRP) with up to 4 payees per design.
    fn graphs()(n in 1usize..=6)(
        owners in proptest::collection::vec(proptest::collection::vec((0u8..5, 0u32..1000), 1..=4), n),
        links in proptest::collection::vec(proptest::collection::vec((0usize..6, 0u32..=600_000, any::<bool>()), 0..=3), n),
    ) -> RoyaltyGraph<usize, u8> {
        let mut nodes = std::collections::BTreeMap::new();
        for (i, (own, link)) in owners.iter().zip(&links).enumerate() {
            let mut payees: Vec<u8> = own.iter().map(|(p, _)| *p).collect();
            payees.sort_unstable();
            payees.dedup();
            let weights: Vec<u32> = own.iter().take(payees.len()).map(|(_, w)| *w).collect();
            let owners = payees.into_iter().zip(shares(&weights)).map(|(p, s)| (p, Ppm::new(s).unwrap())).collect();
            let mut parents: Vec<(usize, Royalty)> = Vec::new();
            for (target, rate, lap) in link {
                if i > 0 {
                    let parent = i - 1 - target % i;
                    if parents.iter().all(|(p, _)| *p != parent) {
                        let policy = if *lap { RoyaltyPolicy::Lap } else { RoyaltyPolicy::Lrp };
                        let royalty = Royalty { policy, rev_share_ppm: Ppm::new(*rate).unwrap() };
                        parents.push((parent, royalty));
                    }
                }
            }
            nodes.insert(i, GraphNode { owners, parents });
        }
        RoyaltyGraph { nodes }
    }
}

/// `10^30`: the fractions of [`reference`] are numerators over it (a path
/// in a graph of 6 designs has at most 5 links).
const ONE: u128 = 1_000_000_000_000_000_000_000_000_000_000;

/// The mixed-chain rule, path by path: along `X = n0 -> ... -> nk`,
/// `f_0 = 1`, `f_i = r_i` for a LAP link (paid by `X`) and
/// `f_i = r_i x f_(i-1)` for an LRP link (paid by `n_(i-1)`). Each design's
/// receipts less its payments, over [`ONE`], or `None` when `X` pays out
/// more than its revenue or a design owes more than 100% on its LRP links.
fn reference(graph: &RoyaltyGraph<usize, u8>, root: usize) -> Option<BTreeMap<usize, i128>> {
    let mut net: BTreeMap<usize, i128> = BTreeMap::from([(root, i128::try_from(ONE).unwrap())]);
    // Depth-first over every path: (design, f along the path so far).
    let mut stack = vec![(root, ONE)];
    while let Some((at, f)) = stack.pop() {
        let node = &graph.nodes[&at];
        let lrp_out: u64 = node
            .parents
            .iter()
            .filter(|(_, r)| r.policy == RoyaltyPolicy::Lrp)
            .map(|(_, r)| u64::from(r.rev_share_ppm.get()))
            .sum();
        if lrp_out > 1_000_000 {
            return None;
        }
        for (parent, royalty) in &node.parents {
            let rate = u128::from(royalty.rev_share_ppm.get());
            let (claim, payer) = match royalty.policy {
                RoyaltyPolicy::Lap => (rate * (ONE / 1_000_000), root),
                RoyaltyPolicy::Lrp => {
                    assert_eq!(f * rate % 1_000_000, 0, "exact over 10^30");
                    (f * rate / 1_000_000, at)
                }
            };
            let claim = i128::try_from(claim).unwrap();
            *net.entry(*parent).or_default() += claim;
            *net.entry(payer).or_default() -= claim;
            stack.push((*parent, u128::try_from(claim).unwrap()));
        }
    }
    (net[&root] >= 0).then_some(net)
}

proptest! {
    #[test]
    fn payouts_sum_to_revenue_and_are_deterministic(
        graph in graphs(),
        revenue in prop_oneof![0u64..10_000, any::<u64>(), Just(u64::MAX)],
    ) {
        let root = graph.nodes.len() - 1;
        match graph.split(&root, revenue) {
            Ok(payouts) => {
                let total: u128 = payouts.iter().map(|p| u128::from(p.amount_minor)).sum();
                prop_assert_eq!(total, u128::from(revenue));
                let again = graph.split(&root, revenue).unwrap();
                prop_assert_eq!(&payouts, &again);
                // Payees come sorted and once each.
                prop_assert!(payouts.windows(2).all(|w| w[0].payee < w[1].payee));
            }
            Err(e) => prop_assert_eq!(e.code(), "royalty-stack"),
        }
    }

    /// Every design keeps exactly what the path-by-path rule gives it,
    /// never a negative amount; a graph is refused exactly when that rule
    /// has the earning design pay out more than it earns (or a design owe
    /// more than 100% on its LRP links), and the registration rule's stack
    /// refuses the same graphs.
    #[test]
    fn each_design_keeps_what_the_path_rule_gives(graph in graphs(), revenue in 0u64..1_000_000_000) {
        let root = graph.nodes.len() - 1;
        let expected = reference(&graph, root);
        let stack = graph.royalty_stack(&root);
        let holdings = graph.holdings(&root, &Cancel::default());
        let split = graph.split(&root, revenue);
        let Some(expected) = expected else {
            prop_assert_eq!(stack.unwrap_err().code(), "royalty-stack");
            prop_assert_eq!(holdings.unwrap_err().code(), "royalty-stack");
            prop_assert_eq!(split.unwrap_err().code(), "royalty-stack");
            return Ok(());
        };
        prop_assert!(stack.is_ok());
        prop_assert!(expected.values().all(|v| *v >= 0), "{:?}", expected);
        let mut got: BTreeMap<usize, i128> = BTreeMap::new();
        for (_, h) in holdings.unwrap() {
            let places = (h.design_fraction.denominator.len() - 1) / 6;
            let scale = 10i128.pow(u32::try_from(6 * (5 - places)).unwrap());
            let numerator: i128 = h.design_fraction.numerator.parse().unwrap();
            got.insert(h.design, numerator * scale);
        }
        let nonzero: BTreeMap<usize, i128> = expected
            .into_iter()
            .filter(|(d, v)| *v != 0 || *d == root)
            .collect();
        prop_assert_eq!(got, nonzero);
        // And the amounts are those fractions of the revenue, rounded.
        let payouts = split.unwrap();
        let total: u128 = payouts.iter().map(|p| u128::from(p.amount_minor)).sum();
        prop_assert_eq!(total, u128::from(revenue));
    }
}

#[derive(Debug, Clone)]
enum Op {
    Register {
        content: u8,
        creators: Vec<(u8, u32)>,
    },
    Transfer {
        design: u8,
        from: Vec<(u8, u32)>,
        to: u8,
        stale: bool,
    },
    Rotate {
        old: u8,
        new: u8,
    },
    Grant {
        design: u8,
        licensee: u8,
        signers: Vec<u8>,
    },
    Dispute {
        design: u8,
    },
}

fn ops() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0u8..4,
            proptest::collection::vec((0u8..6, 0u32..=1_000_000), 1..=3)
        )
            .prop_map(|(content, creators)| Op::Register { content, creators }),
        (
            0u8..4,
            proptest::collection::vec((0u8..6, 0u32..=700_000), 1..=2),
            0u8..8,
            any::<bool>()
        )
            .prop_map(|(design, from, to, stale)| Op::Transfer {
                design,
                from,
                to,
                stale
            }),
        (0u8..8, 0u8..12).prop_map(|(old, new)| Op::Rotate { old, new }),
        (0u8..4, 0u8..8, proptest::collection::vec(0u8..6, 1..=3)).prop_map(
            |(design, licensee, signers)| Op::Grant {
                design,
                licensee,
                signers
            }
        ),
        (0u8..4).prop_map(|design| Op::Dispute { design }),
    ]
}

fn run(w: &mut World, op: &Op) {
    let k = |i: u8| key(10 + i);
    let design = |i: u8| support::design_of(&[i]);
    // Every refusal is checked by `submit` to leave the state unchanged.
    let _ = match op {
        Op::Register { content, creators } => {
            let keys: Vec<_> = creators.iter().map(|(i, _)| k(*i)).collect();
            let list: Vec<_> = keys
                .iter()
                .zip(creators)
                .map(|(key, (_, s))| (key, *s))
                .collect();
            let signers: Vec<_> = keys.iter().collect();
            w.submit(
                "design.register",
                register_json(&[*content], &list, &[]),
                &signers,
            )
        }
        Op::Transfer {
            design: d,
            from,
            to,
            stale,
        } => {
            let prev = w
                .state
                .design(&design(*d))
                .unwrap()
                .map_or(provenant_model::LeafHash([0; 32]), |s| {
                    s.ownership.leaf_hash
                });
            let prev = if *stale {
                provenant_model::LeafHash([1; 32])
            } else {
                prev
            };
            let from_json: Vec<_> = from
                .iter()
                .map(|(i, s)| json!({"key": idt(&k(*i)), "share_ppm": s}))
                .collect();
            let keys: Vec<_> = from.iter().map(|(i, _)| k(*i)).chain([k(*to)]).collect();
            let signers: Vec<_> = keys.iter().collect();
            w.submit(
                "ownership.transfer",
                json!({"design": design(*d), "from": from_json, "to": idt(&k(*to)), "prev": prev}),
                &signers,
            )
        }
        Op::Rotate { old, new } => w.submit(
            "key.rotate",
            json!({"old": idt(&k(*old)), "new": idt(&k(*new))}),
            &[&k(*old), &k(*new)],
        ),
        Op::Grant {
            design: d,
            licensee,
            signers,
        } => {
            let keys: Vec<_> = signers
                .iter()
                .map(|i| k(*i))
                .chain([k(*licensee)])
                .collect();
            let refs: Vec<_> = keys.iter().collect();
            w.submit(
                "license.grant",
                support::grant_json(design(*d), &k(*licensee), &terms()),
                &refs,
            )
        }
        Op::Dispute { design: d } => w.submit(
            "dispute.raise",
            json!({"design": design(*d), "claim": "mine", "evidence": "cd".repeat(32)}),
            &[&k(7)],
        ),
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn shares_always_sum_to_one_million(steps in proptest::collection::vec(ops(), 1..24)) {
        let mut w = World::new();
        for op in &steps {
            run(&mut w, op);
            for d in w.state.designs() {
                let total: u32 = d.owners.iter().map(|o| o.share_ppm.get()).sum();
                prop_assert_eq!(total, 1_000_000);
                prop_assert!(d.owners.iter().all(|o| o.share_ppm.get() > 0));
                prop_assert!(d.owners.windows(2).all(|p| p[0].key < p[1].key));
                for o in &d.owners {
                    prop_assert!(w.state.designs_owned_by(&o.key).unwrap().contains(&d.id));
                }
            }
        }
        // The auditor's replay reaches the same state.
        let replayed = provenant_model::MemoryState::replay(w.leaves.iter().map(Vec::as_slice), &w.arbiters, None).unwrap();
        prop_assert_eq!(replayed, w.state);
    }
}
