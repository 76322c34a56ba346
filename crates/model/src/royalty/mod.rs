//! Royalty splits (LAP and LRP) and statements over the derivative graph.
//!
//! The rate of a link is the `rev_share_ppm` of the grant named in the
//! child's parent link; a grant revoked after the derivative registered
//! still sets the rate (the derivative was made under it). Payees are the
//! current owners of each design.
//!
//! For revenue `R` earned by design `X`, every design `A` in `X`'s ancestry
//! (and `X` itself) keeps a fraction `F(A)` of `R`, paid to `A`'s owners by
//! their shares:
//!
//! - **LAP**: `F(A) = sum over edges C -> A of paths(X, C) x rate(C -> A)`,
//!   i.e. the rate of the last link into `A`, once per path from `X`; and
//!   `F(X) = 1 - sum of F(A)` (the royalty stack must stay <= 100%).
//! - **LRP**: `in(X) = 1`, `in(A) = sum over edges C -> A of in(C) x rate(C -> A)`
//!   (rates multiply along each path and add across paths), and each design
//!   keeps `F(A) = in(A) x (1 - sum of its own outgoing rates)`: it pays its
//!   upstream out of what it receives.
//!
//! Every payee's exact amount `R x F(A) x share` is a rational over one
//! common denominator `10^(6k)`. Each is floored; the units left over (fewer
//! than the number of payees) go one each to the largest remainders, ties
//! broken by ascending payee (for identities: ascending key text). So the
//! payouts always sum to exactly `R`.

mod bignum;
mod csv;
mod split;

pub use csv::{CSV_HEADER, CsvError, MAX_SALES_LINES, parse_sales_csv};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use split::{
    Fraction, GraphNode, Holding, MAX_EXPLAINED_PATHS, Payout, RoyaltyGraph, RoyaltyPath,
};

use crate::payload::{MAX_ANCESTORS, ParentLink};
use crate::{Currency, DesignId, Identity, Money, Ppm, RoyaltyPolicy, RuleError, StateView};

/// The royalty graph of a design: the design and all its ancestors.
pub type DesignGraph = RoyaltyGraph<DesignId, Identity>;

/// Owners and their shares, as graph nodes carry them.
pub type Owners = Vec<(Identity, Ppm)>;

/// Loads the graph above the design `root` from the state. `root_node`
/// stands in for a design not registered yet (a registration being
/// validated).
///
/// # Errors
/// [`RuleError::DesignNotFound`], [`RuleError::ParentNotFound`],
/// [`RuleError::GrantNotFound`], [`RuleError::TooManyAncestors`] (more than
/// 1024) and [`RuleError::Cycle`] (`root` among its own ancestors).
pub fn load_graph<V: StateView + ?Sized>(
    view: &V,
    root: DesignId,
    root_node: Option<(Owners, &[ParentLink])>,
) -> Result<DesignGraph, RuleError> {
    let mut nodes = BTreeMap::new();
    let mut queue: Vec<(DesignId, Owners, Vec<ParentLink>)> = Vec::new();
    if let Some((owners, links)) = root_node {
        queue.push((root, owners, links.to_vec()));
    } else {
        let design = view
            .design(&root)?
            .ok_or(RuleError::DesignNotFound { design: root })?;
        let owners = design.owners.iter().map(|o| (o.key, o.share_ppm)).collect();
        queue.push((root, owners, design.parents));
    }
    let mut seen = BTreeSet::from([root]);
    while let Some((id, owners, links)) = queue.pop() {
        let mut parents = Vec::with_capacity(links.len());
        for link in links {
            if link.design == root {
                return Err(RuleError::Cycle { design: root });
            }
            let grant = view
                .grant(&link.grant)?
                .ok_or(RuleError::GrantNotFound { grant: link.grant })?;
            parents.push((link.design, grant.terms.royalty.rev_share_ppm));
            if seen.insert(link.design) {
                if seen.len() > MAX_ANCESTORS + 1 {
                    return Err(RuleError::TooManyAncestors { max: MAX_ANCESTORS });
                }
                let parent = view
                    .design(&link.design)?
                    .ok_or(RuleError::ParentNotFound {
                        design: link.design,
                    })?;
                let parent_owners = parent.owners.iter().map(|o| (o.key, o.share_ppm)).collect();
                queue.push((link.design, parent_owners, parent.parents));
            }
        }
        nodes.insert(id, GraphNode { owners, parents });
    }
    Ok(RoyaltyGraph { nodes })
}

/// A royalty split answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoyaltySplit {
    /// The design that earned the revenue.
    pub design: DesignId,
    /// The policy applied.
    pub policy: RoyaltyPolicy,
    /// The revenue.
    pub revenue: Money,
    /// One line per payee, by ascending key; the amounts sum to the revenue.
    pub payouts: Vec<Payout<DesignId, Identity>>,
    /// Designs of the graph under dispute (payments may need holding back).
    pub disputed: Vec<DesignId>,
}

/// Splits `revenue` earned by `design` under `policy` among the owners of
/// the design and of its ancestors.
///
/// # Errors
/// What [`load_graph`] and [`RoyaltyGraph::split`] refuse.
pub fn royalty_split<V: StateView + ?Sized>(
    view: &V,
    design: DesignId,
    revenue: Money,
    policy: RoyaltyPolicy,
) -> Result<RoyaltySplit, RuleError> {
    let graph = load_graph(view, design, None)?;
    let payouts = graph.split(&design, revenue.amount_minor, policy)?;
    let mut disputed = Vec::new();
    for id in graph.nodes.keys() {
        if view.design(id)?.is_some_and(|d| d.is_disputed()) {
            disputed.push(*id);
        }
    }
    Ok(RoyaltySplit {
        design,
        policy,
        revenue,
        payouts,
        disputed,
    })
}

/// One sale: revenue earned by a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleLine {
    /// The design sold.
    pub design: DesignId,
    /// The revenue.
    pub amount: Money,
}

/// A payee's total in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// Who is paid.
    pub payee: Identity,
    /// In which currency.
    pub currency: Currency,
    /// The total, in minor units.
    pub amount_minor: u64,
}

/// Payouts aggregated over many sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The policy applied.
    pub policy: RoyaltyPolicy,
    /// Per payee per currency, by payee then currency. Currencies are never
    /// mixed: a payee paid in two currencies has two lines.
    pub lines: Vec<StatementLine>,
    /// Revenue per currency; each currency's lines sum to it exactly.
    pub totals: Vec<Money>,
}

/// Splits every sale line (each exactly, by largest remainder) and adds the
/// payouts up per payee and currency.
///
/// # Errors
/// What [`royalty_split`] refuses, and [`RuleError::AmountOverflow`] when a
/// total does not fit in 64 bits.
pub fn royalty_statement<V: StateView + ?Sized>(
    view: &V,
    sales: &[SaleLine],
    policy: RoyaltyPolicy,
) -> Result<Statement, RuleError> {
    let mut per_payee: BTreeMap<(Identity, Currency), u64> = BTreeMap::new();
    let mut totals: BTreeMap<Currency, u64> = BTreeMap::new();
    let mut graphs: BTreeMap<DesignId, DesignGraph> = BTreeMap::new();
    for sale in sales {
        let graph = match graphs.entry(sale.design) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(load_graph(view, sale.design, None)?)
            }
        };
        let currency = sale.amount.currency;
        let total = totals.entry(currency).or_insert(0);
        *total = total
            .checked_add(sale.amount.amount_minor)
            .ok_or(RuleError::AmountOverflow)?;
        for payout in graph.split(&sale.design, sale.amount.amount_minor, policy)? {
            let slot = per_payee.entry((payout.payee, currency)).or_insert(0);
            *slot = slot
                .checked_add(payout.amount_minor)
                .ok_or(RuleError::AmountOverflow)?;
        }
    }
    Ok(Statement {
        policy,
        lines: per_payee
            .into_iter()
            .map(|((payee, currency), amount_minor)| StatementLine {
                payee,
                currency,
                amount_minor,
            })
            .collect(),
        totals: totals
            .into_iter()
            .map(|(currency, amount_minor)| Money {
                amount_minor,
                currency,
            })
            .collect(),
    })
}
