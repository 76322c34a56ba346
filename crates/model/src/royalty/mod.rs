//! Royalty splits (LAP and LRP) and statements over the derivative graph.
//!
//! The policy and rate of a link are the royalty term ([`crate::Royalty`])
//! of the grant named in the child's parent link, signed by the parent's
//! owners; a grant revoked after the derivative registered still sets them
//! (the derivative was made under it). No caller chooses a policy, and a
//! chain may mix LAP and LRP links. Payees are the current owners of each
//! design.
//!
//! For
//! revenue `R` earned by design `X`, take every path
//! `X = n0 -> n1 -> ... -> nk = A` up the parent links, link `i` with rate
//! `r_i` and policy `p_i`. Along that path `A` is owed the fraction `f_k`
//! of `R`, where `f_0 = 1` and
//!
//! - `f_i = r_i` when `p_i` is **LAP** (Liquid Absolute Percentage): the
//!   claim is on `X`'s revenue itself, and `X` pays it;
//! - `f_i = r_i x f_(i-1)` when `p_i` is **LRP** (Liquid Relative
//!   Percentage): the claim is on what `n_(i-1)` received along the path,
//!   and `n_(i-1)` pays it out of that.
//!
//! `A` receives `R x (sum over all paths of f_k)` and keeps what it
//! receives less what it pays on its own LRP links; `X` keeps `R` less its
//! LRP links and every LAP claim above it. So pure LAP is `F(A) = sum over
//! edges C -> A of paths(X, C) x rate`, and pure LRP multiplies rates along
//! each path and adds across paths, each design paying its upstream out of
//! what it receives.
//!
//! The royalty stack ([`RoyaltyGraph::royalty_stack`]) is what `X` pays out
//! of its revenue: at most 100%, and no design may owe more than 100% on
//! its LRP links (more than it receives). Registration and every split
//! check it with that one function.
//!
//! Every payee's exact amount `R x F(A) x share` is a rational over one
//! common denominator `10^(6k)`. Each is floored; the units left over (fewer
//! than the number of payees) go one each to the largest remainders, ties
//! broken by ascending payee (for identities: ascending key text). So the
//! payouts always sum to exactly `R`.
//!
//! A statement rounds every sales line on its own, exactly as a split of
//! that line alone would, and adds the results per payee and currency. The
//! fractions depend on the graph only, so each design's are computed once
//! per statement ([`SplitPlan`]) and applied to each of its lines.
//!
//! A split answer gives one amount per payee. Why each is paid (the
//! designs the payee holds, their fractions, and example paths, which grow
//! with the square of a chain's depth) comes only when asked for, a page at
//! a time ([`DetailPage`]).
//!
//! Long computations check a [`Cancel`] flag between units of work and
//! stop with [`RuleError::Cancelled`] once it is raised.

mod bignum;
mod csv;
mod plan;
mod split;

pub use csv::{CSV_HEADER, CsvError, MAX_SALES_LINES, parse_sales_csv};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use plan::{Cancel, SplitPlan};
pub use split::{
    Fraction, GraphNode, Holding, MAX_EXPLAINED_PATHS, Payout, RoyaltyGraph, RoyaltyPath,
};

use crate::payload::{MAX_ANCESTORS, ParentLink};
use crate::{Currency, DesignId, Identity, Money, Ppm, RuleError, StateView};

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
    load_graph_with(view, root, root_node, &Cancel::default())
}

/// [`load_graph`], checking `cancel` between designs.
fn load_graph_with<V: StateView + ?Sized>(
    view: &V,
    root: DesignId,
    root_node: Option<(Owners, &[ParentLink])>,
    cancel: &Cancel,
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
        cancel.check()?;
        let mut parents = Vec::with_capacity(links.len());
        for link in links {
            if link.design == root {
                return Err(RuleError::Cycle { design: root });
            }
            let grant = view
                .grant(&link.grant)?
                .ok_or(RuleError::GrantNotFound { grant: link.grant })?;
            parents.push((link.design, grant.terms.royalty));
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

/// One payee's total in a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayeeAmount {
    /// Who is paid.
    pub payee: Identity,
    /// How much, in minor units.
    pub amount_minor: u64,
}

/// The most holdings in one page of a split's detail.
pub const MAX_DETAIL_LIMIT: usize = 100;

/// Holdings in a page of a split's detail unless the request says.
pub const DEFAULT_DETAIL_LIMIT: usize = 20;

/// The most designs named by the example paths of one page of a split's
/// detail: a page ends before the holding that would pass it (a page holds
/// at least one holding, whose paths name at most
/// `MAX_EXPLAINED_PATHS x (MAX_ANCESTORS + 1)` designs).
pub const MAX_DETAIL_PATH_DESIGNS: usize = 4096;

/// Which page of the per-design, per-path detail a split answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailPage {
    /// How many holdings to skip: `0`, or a previous page's `next`.
    pub after: usize,
    /// The most holdings in the page, `1..=`[`MAX_DETAIL_LIMIT`] (clamped).
    pub limit: usize,
}

/// One payee's holding of one paid design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldingLine {
    /// Who is paid.
    pub payee: Identity,
    /// The design, the payee's share, its fraction and example paths.
    #[serde(flatten)]
    pub holding: Holding<DesignId>,
}

/// A page of the detail behind a split's payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SplitDetail {
    /// Holdings by payee then design.
    pub holdings: Vec<HoldingLine>,
    /// How many holdings the split has in all.
    pub total: usize,
    /// Pass as `detail.after` for the next page; `None` at the end.
    pub next: Option<String>,
}

/// A royalty split answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RoyaltySplit {
    /// The design that earned the revenue.
    pub design: DesignId,
    /// The revenue.
    pub revenue: Money,
    /// One line per payee, by ascending key; the amounts sum to the revenue.
    pub payouts: Vec<PayeeAmount>,
    /// Designs of the graph under dispute (payments may need holding back).
    pub disputed: Vec<DesignId>,
    /// The designs the split pays, ascending: the answer rests on their
    /// registrations, ownership and grants.
    #[serde(skip)]
    pub paid: Vec<DesignId>,
    /// Why each payee is paid, one page at a time, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<SplitDetail>,
}

/// Splits `revenue` earned by `design` among the owners of the design and
/// of its ancestors, each link under its own grant's policy; with
/// `detail`, one page of the holdings behind the payouts.
///
/// # Errors
/// What [`load_graph`] and [`RoyaltyGraph::split`] refuse, and
/// [`RuleError::Cancelled`] once `cancel` is raised.
pub fn royalty_split<V: StateView + ?Sized>(
    view: &V,
    design: DesignId,
    revenue: Money,
    detail: Option<DetailPage>,
    cancel: &Cancel,
) -> Result<RoyaltySplit, RuleError> {
    let graph = load_graph_with(view, design, None, cancel)?;
    let (plan, paid) = graph.plan(&design, cancel)?;
    let amounts = plan.apply(revenue.amount_minor)?;
    let payouts = plan
        .payees()
        .zip(amounts)
        .map(|(payee, amount_minor)| PayeeAmount {
            payee: *payee,
            amount_minor,
        })
        .collect();
    let detail = match detail {
        Some(page) => Some(detail_page(graph.holdings(&design, cancel)?, page)),
        None => None,
    };
    let mut disputed = Vec::new();
    for id in graph.nodes.keys() {
        cancel.check()?;
        if view.design(id)?.is_some_and(|d| d.is_disputed()) {
            disputed.push(*id);
        }
    }
    Ok(RoyaltySplit {
        design,
        revenue,
        payouts,
        disputed,
        paid,
        detail,
    })
}

/// The page of `all` that `page` asks for.
fn detail_page(all: Vec<(Identity, Holding<DesignId>)>, page: DetailPage) -> SplitDetail {
    let total = all.len();
    let limit = page.limit.clamp(1, MAX_DETAIL_LIMIT);
    let mut holdings = Vec::new();
    let mut page_designs = 0usize;
    for (payee, holding) in all.into_iter().skip(page.after) {
        let path_designs: usize = holding.paths.iter().map(|p| p.designs.len()).sum();
        let full = holdings.len() >= limit
            || (!holdings.is_empty()
                && page_designs.saturating_add(path_designs) > MAX_DETAIL_PATH_DESIGNS);
        if full {
            break;
        }
        page_designs = page_designs.saturating_add(path_designs);
        holdings.push(HoldingLine { payee, holding });
    }
    let end = page.after.saturating_add(holdings.len());
    SplitDetail {
        holdings,
        total,
        next: (end < total).then(|| end.to_string()),
    }
}

/// One sale: revenue earned by a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SaleLine {
    /// The design sold.
    pub design: DesignId,
    /// The revenue.
    pub amount: Money,
}

/// A payee's total in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatementLine {
    /// Who is paid.
    pub payee: Identity,
    /// In which currency.
    pub currency: Currency,
    /// The total, in minor units.
    pub amount_minor: u64,
}

/// Payouts aggregated over many sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Statement {
    /// Per payee per currency, by payee then currency. Currencies are never
    /// mixed: a payee paid in two currencies has two lines.
    pub lines: Vec<StatementLine>,
    /// Revenue per currency; each currency's lines sum to it exactly.
    pub totals: Vec<Money>,
}

/// Splits every sale line (each exactly, by largest remainder, as
/// [`royalty_split`] would split it alone) and adds the payouts up per
/// payee and currency.
///
/// The graph and the split of each design sold are computed once
/// ([`RoyaltyGraph::plan`]), then applied to each of its lines: the lines
/// are taken design by design, so only one design's plan is held at a
/// time.
///
/// # Errors
/// What [`royalty_split`] refuses, and [`RuleError::AmountOverflow`] when a
/// total does not fit in 64 bits.
pub fn royalty_statement<V: StateView + ?Sized>(
    view: &V,
    sales: &[SaleLine],
    cancel: &Cancel,
) -> Result<Statement, RuleError> {
    let mut per_payee: BTreeMap<(Identity, Currency), u64> = BTreeMap::new();
    let mut totals: BTreeMap<Currency, u64> = BTreeMap::new();
    // Sums of non-negative amounts: the order of the lines changes neither
    // the totals nor whether one overflows.
    let mut order: Vec<&SaleLine> = sales.iter().collect();
    order.sort_by_key(|s| s.design);
    let mut current: Option<(DesignId, SplitPlan<Identity>)> = None;
    for sale in order {
        cancel.check()?;
        let plan = match &mut current {
            Some((design, plan)) if *design == sale.design => plan,
            slot => {
                let graph = load_graph_with(view, sale.design, None, cancel)?;
                let (plan, _) = graph.plan(&sale.design, cancel)?;
                &mut slot.insert((sale.design, plan)).1
            }
        };
        let currency = sale.amount.currency;
        let total = totals.entry(currency).or_insert(0);
        *total = total
            .checked_add(sale.amount.amount_minor)
            .ok_or(RuleError::AmountOverflow)?;
        let amounts = plan.apply(sale.amount.amount_minor)?;
        for (payee, amount) in plan.payees().zip(amounts) {
            let slot = per_payee.entry((*payee, currency)).or_insert(0);
            *slot = slot.checked_add(amount).ok_or(RuleError::AmountOverflow)?;
        }
    }
    Ok(Statement {
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
