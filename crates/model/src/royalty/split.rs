//! The royalty split over a derivative graph, in exact integers (the
//! policies and the rounding are described in the parent module).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::bignum::Big;
use super::plan::{Cancel, SplitPlan};
use crate::{Ppm, Royalty, RoyaltyPolicy, RuleError};

/// Most example paths listed per holding in an explanation.
pub const MAX_EXPLAINED_PATHS: usize = 8;

/// One design in a royalty graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode<N, P> {
    /// Owners and shares, summing to `1_000_000`.
    pub owners: Vec<(P, Ppm)>,
    /// Parent designs and the royalty owed on each link: the policy and
    /// rate of the grant the link was registered under.
    pub parents: Vec<(N, Royalty)>,
}

/// A derivative graph: designs, their owners and their royalty links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoyaltyGraph<N, P> {
    /// The designs by id.
    pub nodes: BTreeMap<N, GraphNode<N, P>>,
}

/// An exact fraction, as decimal texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fraction {
    /// Numerator.
    pub numerator: String,
    /// Denominator.
    pub denominator: String,
}

/// A path from the design that earned the revenue up to a paid design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RoyaltyPath<N> {
    /// The designs, from the earning design to the paid one.
    pub designs: Vec<N>,
    /// The rate of each link along the path.
    pub rates_ppm: Vec<Ppm>,
    /// The policy of each link along the path.
    pub policies: Vec<RoyaltyPolicy>,
}

/// Why a payee is paid for one design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Holding<N> {
    /// The design.
    pub design: N,
    /// The payee's share of it.
    pub share_ppm: Ppm,
    /// The design's exact fraction of the revenue, before the share: what
    /// it receives less what it pays on its own LRP links.
    pub design_fraction: Fraction,
    /// How many paths lead from the earning design to this one (saturating).
    pub paths_total: u64,
    /// Up to [`MAX_EXPLAINED_PATHS`] of them.
    pub paths: Vec<RoyaltyPath<N>>,
}

/// One payee's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout<N, P> {
    /// Who is paid.
    pub payee: P,
    /// How much, in minor units.
    pub amount_minor: u64,
    /// For which designs, and why.
    pub holdings: Vec<Holding<N>>,
}

fn malformed(detail: String) -> RuleError {
    RuleError::Malformed {
        field: "graph".to_owned(),
        detail,
    }
}

impl<N: Ord + Clone + std::fmt::Display, P: Ord + Clone> RoyaltyGraph<N, P> {
    fn node(&self, id: &N) -> Result<&GraphNode<N, P>, RuleError> {
        self.nodes
            .get(id)
            .ok_or_else(|| malformed(format!("design {id} is not in the graph")))
    }

    /// The designs reachable from `root`, each before all of its parents.
    fn topo_order(&self, root: &N) -> Result<Vec<N>, RuleError> {
        // Iterative DFS over parent edges; reverse post-order.
        let mut post = Vec::new();
        let mut done = BTreeSet::new();
        let mut on_stack = BTreeSet::new();
        let mut stack: Vec<(N, usize)> = vec![(root.clone(), 0)];
        on_stack.insert(root.clone());
        while let Some((id, next)) = stack.pop() {
            let node = self.node(&id)?;
            if let Some((parent, _)) = node.parents.get(next) {
                stack.push((id.clone(), next + 1));
                if on_stack.contains(parent) {
                    return Err(RuleError::Invariant {
                        detail: "the derivative graph has a cycle",
                    });
                }
                if !done.contains(parent) {
                    on_stack.insert(parent.clone());
                    stack.push((parent.clone(), 0));
                }
            } else {
                on_stack.remove(&id);
                done.insert(id.clone());
                post.push(id);
            }
        }
        post.reverse();
        Ok(post)
    }

    /// What `root` pays out of its own revenue, in ppm: the rates of its
    /// own LRP links, plus the rate of every LAP link anywhere above it
    /// once per path from `root` to the link's child (saturating). The
    /// registration rule and every split use this one function.
    ///
    /// # Errors
    /// [`RuleError::RoyaltyStack`] when that exceeds 100%, or when a design
    /// above `root` owes more than 100% on its own LRP links (it would pay
    /// out more than it receives); a design missing from the graph or a
    /// cycle.
    pub fn royalty_stack(&self, root: &N) -> Result<u64, RuleError> {
        let order = self.topo_order(root)?;
        self.stack_of(root, &order)
    }

    /// [`RoyaltyGraph::royalty_stack`] over `order`, the designs reachable
    /// from `root` in topological order.
    fn stack_of(&self, root: &N, order: &[N]) -> Result<u64, RuleError> {
        let scale = u64::from(Ppm::SCALE);
        let mut paths: BTreeMap<&N, u128> = BTreeMap::new();
        paths.insert(root, 1);
        let mut stack: u128 = 0;
        for id in order {
            let node = self.node(id)?;
            let relative = lrp_out(node);
            if relative > scale {
                return Err(RuleError::RoyaltyStack {
                    stack_ppm: relative,
                });
            }
            if id == root {
                stack = u128::from(relative);
            }
            let here = paths.get(id).copied().unwrap_or(0);
            for (parent, royalty) in &node.parents {
                let entry = paths.entry(parent).or_insert(0);
                *entry = entry.saturating_add(here);
                if royalty.policy == RoyaltyPolicy::Lap {
                    let claim = here.saturating_mul(u128::from(royalty.rev_share_ppm.get()));
                    stack = stack.saturating_add(claim);
                }
            }
        }
        let stack = u64::try_from(stack).unwrap_or(u64::MAX);
        if stack > scale {
            return Err(RuleError::RoyaltyStack { stack_ppm: stack });
        }
        Ok(stack)
    }

    /// The designs reachable from `root` in topological order, after
    /// checking each design's shares.
    fn checked_order(&self, root: &N) -> Result<Vec<N>, RuleError> {
        let order = self.topo_order(root)?;
        let scale = u64::from(Ppm::SCALE);
        for id in &order {
            let node = self.node(id)?;
            let owned: u64 = node.owners.iter().map(|(_, s)| u64::from(s.get())).sum();
            if owned != scale {
                return Err(RuleError::SharesSum { sum: owned });
            }
        }
        Ok(order)
    }

    /// Splits `revenue` earned by `root`, each link under its own policy,
    /// with the designs and paths behind each payee. This is the reference
    /// the faster [`RoyaltyGraph::plan`] is tested against.
    ///
    /// # Errors
    /// [`RuleError::RoyaltyStack`] as [`RoyaltyGraph::royalty_stack`] says,
    /// [`RuleError::SharesSum`] when a design's owners do not hold exactly
    /// `1_000_000`, and [`RuleError::Malformed`] for a design missing from the
    /// graph.
    pub fn split(&self, root: &N, revenue: u64) -> Result<Vec<Payout<N, P>>, RuleError> {
        let never = Cancel::default();
        let order = self.checked_order(root)?;
        let (fractions, exponent) = self.fractions(root, &order, &never)?;
        let paths = self.explain_paths(root, &order, &never)?;
        distribute(self, root, revenue, &fractions, exponent, &paths)
    }

    /// The split of any revenue earned by `root`, computed once:
    /// [`SplitPlan::apply`] then rounds each revenue exactly as
    /// [`RoyaltyGraph::split`] does. Also the designs it pays (the earning
    /// design and every ancestor with a non-zero fraction), ascending.
    ///
    /// # Errors
    /// What [`RoyaltyGraph::split`] refuses, and [`RuleError::Cancelled`].
    pub fn plan(&self, root: &N, cancel: &Cancel) -> Result<(SplitPlan<P>, Vec<N>), RuleError> {
        let order = self.checked_order(root)?;
        let (fractions, exponent) = self.fractions(root, &order, cancel)?;
        let mut coefficients: BTreeMap<P, Big> = BTreeMap::new();
        let mut paid = Vec::new();
        for (design, fraction) in &fractions {
            cancel.check()?;
            if fraction.is_zero() && design != root {
                continue;
            }
            paid.push(design.clone());
            for (payee, share) in &self.node(design)?.owners {
                coefficients
                    .entry(payee.clone())
                    .or_default()
                    .add_assign(&fraction.mul_small(u64::from(share.get())));
            }
        }
        let places = usize::try_from(exponent).map_or(usize::MAX, |e| e.saturating_add(1));
        Ok((SplitPlan::new(coefficients, places, cancel)?, paid))
    }

    /// Why each payee is paid: one [`Holding`] per payee and paid design,
    /// by payee then design, with the design's fraction and up to
    /// [`MAX_EXPLAINED_PATHS`] example paths.
    ///
    /// # Errors
    /// What [`RoyaltyGraph::plan`] refuses.
    pub fn holdings(&self, root: &N, cancel: &Cancel) -> Result<Vec<(P, Holding<N>)>, RuleError> {
        let order = self.checked_order(root)?;
        let (fractions, exponent) = self.fractions(root, &order, cancel)?;
        let paths = self.explain_paths(root, &order, cancel)?;
        let denominator = power_of_scale(exponent).to_decimal();
        let mut out: BTreeMap<(P, N), Holding<N>> = BTreeMap::new();
        for (design, fraction) in &fractions {
            cancel.check()?;
            if fraction.is_zero() && design != root {
                continue;
            }
            let (paths_total, examples) = paths.get(design).cloned().unwrap_or_default();
            let numerator = fraction.to_decimal();
            for (payee, share) in &self.node(design)?.owners {
                out.insert(
                    (payee.clone(), design.clone()),
                    Holding {
                        design: design.clone(),
                        share_ppm: *share,
                        design_fraction: Fraction {
                            numerator: numerator.clone(),
                            denominator: denominator.clone(),
                        },
                        paths_total,
                        paths: examples.clone(),
                    },
                );
            }
        }
        Ok(out.into_iter().map(|((p, _), h)| (p, h)).collect())
    }

    /// What each design keeps of the revenue earned by `root`, as
    /// numerators over `10^(6 E)`, and `E` (the parent module gives the
    /// rule).
    ///
    /// `E` is the fewest places that keep every amount exact: a design's
    /// receipts carry one factor `10^6` per LRP link since the last LAP
    /// link (a LAP link starts afresh at one factor), and a design with LRP
    /// links of its own one more for what it keeps.
    #[allow(clippy::type_complexity)]
    fn fractions(
        &self,
        root: &N,
        order: &[N],
        cancel: &Cancel,
    ) -> Result<(BTreeMap<N, Big>, u32), RuleError> {
        let scale = u64::from(Ppm::SCALE);
        let stack = self.stack_of(root, order)?;
        let mut depth: BTreeMap<&N, u32> = BTreeMap::new();
        depth.insert(root, 0);
        let mut places = 1u32;
        for id in order {
            let node = self.node(id)?;
            let d = depth.get(id).copied().unwrap_or(0);
            let keeps = u32::from(lrp_out(node) > 0);
            places = places.max(d.saturating_add(keeps));
            for (parent, royalty) in &node.parents {
                let via = match royalty.policy {
                    RoyaltyPolicy::Lap => 1,
                    RoyaltyPolicy::Lrp => d.saturating_add(1),
                };
                let e = depth.entry(parent).or_insert(0);
                *e = (*e).max(via);
            }
        }
        // A LAP claim `paths x rate` is over 10^6: scaled by this to the
        // common 10^(6 E).
        let lap_scale = power_of_scale(places.saturating_sub(1));
        let mut paths: BTreeMap<N, Big> = BTreeMap::new();
        paths.insert(root.clone(), Big::from_u128(1));
        // Receipts over 10^(6 E), and LAP claims over 10^6 not yet scaled.
        let mut received: BTreeMap<N, Big> = BTreeMap::new();
        received.insert(root.clone(), power_of_scale(places));
        let mut lap_claims: BTreeMap<N, Big> = BTreeMap::new();
        let mut kept = BTreeMap::new();
        for id in order {
            cancel.check()?;
            let node = self.node(id)?;
            let mut here = received.remove(id).unwrap_or_default();
            if let Some(claims) = lap_claims.remove(id) {
                here.add_assign(&claims.mul(&lap_scale));
            }
            let routes = paths.get(id).cloned().unwrap_or_default();
            for (parent, royalty) in &node.parents {
                paths.entry(parent.clone()).or_default().add_assign(&routes);
                let rate = u64::from(royalty.rev_share_ppm.get());
                match royalty.policy {
                    RoyaltyPolicy::Lap => lap_claims
                        .entry(parent.clone())
                        .or_default()
                        .add_assign(&routes.mul_small(rate)),
                    RoyaltyPolicy::Lrp => received
                        .entry(parent.clone())
                        .or_default()
                        .add_assign(&exact_ppm(&here, rate)?),
                }
            }
            let keep = if id == root {
                // 1 - stack: its LRP links and every LAP claim above it.
                let rest = scale
                    .checked_sub(stack)
                    .ok_or(RuleError::RoyaltyStack { stack_ppm: stack })?;
                lap_scale.mul_small(rest)
            } else {
                // It pays its LRP links out of what it received.
                let rest = scale
                    .checked_sub(lrp_out(node))
                    .ok_or(RuleError::RoyaltyStack {
                        stack_ppm: lrp_out(node),
                    })?;
                exact_ppm(&here, rest)?
            };
            kept.insert(id.clone(), keep);
        }
        Ok((kept, places))
    }

    /// Path counts and example paths from `root` to every design.
    #[allow(clippy::type_complexity)]
    fn explain_paths(
        &self,
        root: &N,
        order: &[N],
        cancel: &Cancel,
    ) -> Result<BTreeMap<N, (u64, Vec<RoyaltyPath<N>>)>, RuleError> {
        let mut out: BTreeMap<N, (u64, Vec<RoyaltyPath<N>>)> = BTreeMap::new();
        out.insert(
            root.clone(),
            (
                1,
                vec![RoyaltyPath {
                    designs: vec![root.clone()],
                    rates_ppm: Vec::new(),
                    policies: Vec::new(),
                }],
            ),
        );
        for id in order {
            cancel.check()?;
            let Some((count, examples)) = out.get(id).cloned() else {
                continue;
            };
            let Ok(node) = self.node(id) else { continue };
            for (parent, royalty) in &node.parents {
                let slot = out.entry(parent.clone()).or_insert((0, Vec::new()));
                slot.0 = slot.0.saturating_add(count);
                for path in &examples {
                    if slot.1.len() >= MAX_EXPLAINED_PATHS {
                        break;
                    }
                    let mut p = path.clone();
                    p.designs.push(parent.clone());
                    p.rates_ppm.push(royalty.rev_share_ppm);
                    p.policies.push(royalty.policy);
                    slot.1.push(p);
                }
            }
        }
        Ok(out)
    }
}

/// The sum of a design's LRP rates, in ppm: what it pays its parents out
/// of each unit it receives.
fn lrp_out<N, P>(node: &GraphNode<N, P>) -> u64 {
    node.parents
        .iter()
        .filter(|(_, r)| r.policy == RoyaltyPolicy::Lrp)
        .map(|(_, r)| u64::from(r.rev_share_ppm.get()))
        .sum()
}

/// `value x ppm / 10^6`, which the choice of places keeps exact.
fn exact_ppm(value: &Big, ppm: u64) -> Result<Big, RuleError> {
    let (part, rem) = value.mul_small(ppm).divrem_small(Ppm::SCALE);
    if rem != 0 {
        return Err(RuleError::Invariant {
            detail: "a royalty fraction is not exact",
        });
    }
    Ok(part)
}

/// `10^(6 exponent)`.
fn power_of_scale(exponent: u32) -> Big {
    let mut out = Big::from_u128(1);
    for _ in 0..exponent {
        out = out.mul_small(u64::from(Ppm::SCALE));
    }
    out
}

/// Floors every payee's exact amount and hands out the remainder by largest
/// remainder, ties to the ascending payee.
fn distribute<N: Ord + Clone + std::fmt::Display, P: Ord + Clone>(
    graph: &RoyaltyGraph<N, P>,
    root: &N,
    revenue: u64,
    fractions: &BTreeMap<N, Big>,
    exponent: u32,
    paths: &BTreeMap<N, (u64, Vec<RoyaltyPath<N>>)>,
) -> Result<Vec<Payout<N, P>>, RuleError> {
    let denominator_text = power_of_scale(exponent).to_decimal();
    // Exact amount numerators over 10^(6 (exponent + 1)), per payee.
    let mut numerators: BTreeMap<P, Big> = BTreeMap::new();
    let mut holdings: BTreeMap<P, Vec<Holding<N>>> = BTreeMap::new();
    for (design, fraction) in fractions {
        if fraction.is_zero() && design != root {
            continue;
        }
        let node = graph.node(design)?;
        let base = fraction.mul_small(revenue);
        let (paths_total, examples) = paths.get(design).cloned().unwrap_or_default();
        for (payee, share) in &node.owners {
            numerators
                .entry(payee.clone())
                .or_default()
                .add_assign(&base.mul_small(u64::from(share.get())));
            holdings.entry(payee.clone()).or_default().push(Holding {
                design: design.clone(),
                share_ppm: *share,
                design_fraction: Fraction {
                    numerator: fraction.to_decimal(),
                    denominator: denominator_text.clone(),
                },
                paths_total,
                paths: examples.clone(),
            });
        }
    }
    // Floor: divide by 10^6 (exponent + 1) times, keeping each remainder
    // digit, most significant first, to compare remainders exactly.
    let mut lines: Vec<(P, u64, Vec<u32>)> = Vec::with_capacity(numerators.len());
    let mut floored_total: u64 = 0;
    for (payee, numerator) in numerators {
        let mut q = numerator;
        let mut digits = Vec::new();
        for _ in 0..=exponent {
            let (next, r) = q.divrem_small(Ppm::SCALE);
            digits.push(r);
            q = next;
        }
        digits.reverse();
        let amount = q.to_u64().ok_or(RuleError::AmountOverflow)?;
        floored_total = floored_total
            .checked_add(amount)
            .ok_or(RuleError::AmountOverflow)?;
        lines.push((payee, amount, digits));
    }
    let leftover = revenue
        .checked_sub(floored_total)
        .ok_or(RuleError::Invariant {
            detail: "floored payouts exceed the revenue",
        })?;
    let mut ranked: Vec<usize> = (0..lines.len()).collect();
    ranked.sort_by(|&a, &b| {
        lines[b]
            .2
            .cmp(&lines[a].2)
            .then(lines[a].0.cmp(&lines[b].0))
    });
    let leftover = usize::try_from(leftover).unwrap_or(usize::MAX);
    if leftover > lines.len() {
        return Err(RuleError::Invariant {
            detail: "largest-remainder leftover exceeds the payee count",
        });
    }
    for &i in ranked.iter().take(leftover) {
        lines[i].1 = lines[i].1.checked_add(1).ok_or(RuleError::AmountOverflow)?;
    }
    Ok(lines
        .into_iter()
        .map(|(payee, amount_minor, _)| {
            let holdings = holdings.remove(&payee).unwrap_or_default();
            Payout {
                payee,
                amount_minor,
                holdings,
            }
        })
        .collect())
}
