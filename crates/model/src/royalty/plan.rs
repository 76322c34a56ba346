//! A split computed once per design and applied to many revenues.
//!
//! Every payee's exact amount is `revenue x c / 10^(6 p)`: `c` is the sum
//! over the designs the payee owns of `F(A) x share`, a numerator over
//! `10^(6 p)` that depends on the graph alone, not on the revenue. A
//! [`SplitPlan`] keeps `c` per payee as base-`10^6` digits, so applying it
//! to a revenue is one multiplication by a 64-bit number per payee: the
//! digits above the `p` lowest are the floored amount, the `p` lowest are
//! the exact remainder that the largest-remainder rounding compares. The
//! result is the same, unit for unit, as splitting that revenue on its own
//! (the module docs of [`super`] give the rule): a statement rounds each
//! sales line, as before, only without recomputing the graph per line.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};

use super::bignum::Big;
use crate::{Ppm, RuleError};

/// A flag another thread raises to stop a long computation: the server
/// raises it when a request's deadline passes or its client goes away.
/// Splits and statements check it between units of work (a design of the
/// graph, a payee, a sales line) and stop with [`RuleError::Cancelled`].
/// It also counts the checks, a measure of the work done that does not
/// depend on the machine's speed.
#[derive(Debug, Default)]
pub struct Cancel {
    stop: AtomicBool,
    steps: AtomicU64,
}

impl Cancel {
    /// Asks the computation to stop.
    pub fn cancel(&self) {
        self.stop.store(true, AtomicOrdering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.stop.load(AtomicOrdering::Relaxed)
    }

    /// How many times [`Cancel::check`] was called.
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps.load(AtomicOrdering::Relaxed)
    }

    /// Counts a unit of work; `Err(`[`RuleError::Cancelled`]`)` once
    /// cancelled.
    ///
    /// # Errors
    /// [`RuleError::Cancelled`].
    pub fn check(&self) -> Result<(), RuleError> {
        self.steps.fetch_add(1, AtomicOrdering::Relaxed);
        if self.is_cancelled() {
            Err(RuleError::Cancelled)
        } else {
            Ok(())
        }
    }
}

const BASE: u64 = Ppm::SCALE as u64;

/// The split of one design, for any revenue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPlan<P> {
    /// Per payee, ascending: `c` as base-`10^6` digits, least significant
    /// first, no trailing zeros.
    payees: Vec<(P, Vec<u32>)>,
    /// `p`: the amounts are numerators over `10^(6 p)`.
    places: usize,
}

impl<P: Ord + Clone> SplitPlan<P> {
    /// A plan from each payee's numerator over `10^(6 places)`.
    pub(crate) fn new(
        coefficients: impl IntoIterator<Item = (P, Big)>,
        places: usize,
        cancel: &Cancel,
    ) -> Result<Self, RuleError> {
        let mut payees = Vec::new();
        for (payee, c) in coefficients {
            cancel.check()?;
            let mut digits = Vec::new();
            let mut q = c;
            while !q.is_zero() {
                let (next, r) = q.divrem_small(Ppm::SCALE);
                digits.push(r);
                q = next;
            }
            payees.push((payee, digits));
        }
        payees.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Self { payees, places })
    }

    /// The payees, ascending.
    pub fn payees(&self) -> impl Iterator<Item = &P> {
        self.payees.iter().map(|(p, _)| p)
    }

    /// The amounts of `revenue`, one per payee in [`SplitPlan::payees`]
    /// order, summing to exactly `revenue`: each exact amount floored, the
    /// units left over one each to the largest remainders, ties to the
    /// ascending payee.
    ///
    /// # Errors
    /// [`RuleError::AmountOverflow`] (not for plans whose fractions sum to
    /// one, as the graph's do) and [`RuleError::Invariant`].
    pub fn apply(&self, revenue: u64) -> Result<Vec<u64>, RuleError> {
        let mut amounts = Vec::with_capacity(self.payees.len());
        let mut remainders: Vec<Vec<u32>> = Vec::with_capacity(self.payees.len());
        let mut floored_total: u64 = 0;
        for (_, digits) in &self.payees {
            let product = times(digits, revenue);
            let split = self.places.min(product.len());
            let (low, high) = product.split_at(split);
            let mut amount: u64 = 0;
            for &d in high.iter().rev() {
                amount = amount
                    .checked_mul(BASE)
                    .and_then(|a| a.checked_add(u64::from(d)))
                    .ok_or(RuleError::AmountOverflow)?;
            }
            floored_total = floored_total
                .checked_add(amount)
                .ok_or(RuleError::AmountOverflow)?;
            amounts.push(amount);
            remainders.push(low.to_vec());
        }
        let leftover = revenue
            .checked_sub(floored_total)
            .ok_or(RuleError::Invariant {
                detail: "floored payouts exceed the revenue",
            })?;
        let leftover = usize::try_from(leftover).unwrap_or(usize::MAX);
        if leftover > amounts.len() {
            return Err(RuleError::Invariant {
                detail: "largest-remainder leftover exceeds the payee count",
            });
        }
        if leftover > 0 {
            // Stable: equal remainders keep the ascending payee order.
            let mut ranked: Vec<usize> = (0..amounts.len()).collect();
            ranked.sort_by(|&a, &b| compare(&remainders[b], &remainders[a]));
            for &i in ranked.iter().take(leftover) {
                amounts[i] = amounts[i].checked_add(1).ok_or(RuleError::AmountOverflow)?;
            }
        }
        Ok(amounts)
    }
}

/// `digits x m` in base `10^6`, least significant digit first.
fn times(digits: &[u32], m: u64) -> Vec<u32> {
    let mut out = Vec::with_capacity(digits.len() + 4);
    let mut carry: u128 = 0;
    let base = u128::from(BASE);
    for &d in digits {
        // < 10^6 x 2^64 + carry (< 2^64): fits in u128.
        let t = u128::from(d) * u128::from(m) + carry;
        out.push(digit(t % base));
        carry = t / base;
    }
    while carry != 0 {
        out.push(digit(carry % base));
        carry /= base;
    }
    out
}

/// A value below `10^6` as a digit.
fn digit(v: u128) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Compares two numbers given as base-`10^6` digits, least significant
/// first, of any lengths (missing digits are zero).
fn compare(a: &[u32], b: &[u32]) -> Ordering {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_floors_and_hands_out_the_rest_by_largest_remainder() {
        // Three payees of one third each (333_333, 333_333, 333_334 ppm)
        // over 10^6: 10 units give 3, 3, 4 (the largest remainder is the
        // third's), and ties go to the first payee.
        let plan = SplitPlan::new(
            [
                ("a", Big::from_u128(333_333)),
                ("b", Big::from_u128(333_333)),
                ("c", Big::from_u128(333_334)),
            ],
            1,
            &Cancel::default(),
        )
        .unwrap();
        assert_eq!(plan.apply(10).unwrap(), [3, 3, 4]);
        assert_eq!(plan.apply(2).unwrap(), [1, 0, 1]);
        assert_eq!(plan.apply(0).unwrap(), [0, 0, 0]);
        assert_eq!(plan.apply(u64::MAX).unwrap().iter().sum::<u64>(), u64::MAX);
    }

    #[test]
    fn a_cancelled_plan_stops() {
        let cancel = Cancel::default();
        cancel.cancel();
        let plan = SplitPlan::new([("a", Big::from_u128(1))], 1, &cancel);
        assert_eq!(plan.unwrap_err(), RuleError::Cancelled);
    }
}
