//! Royalty questions: `POST /v1/royalties/split` and
//! `POST /v1/royalties/statement`.

use provenant_model::royalty::{DEFAULT_DETAIL_LIMIT, MAX_DETAIL_LIMIT};
use provenant_model::{DesignId, DetailPage, Money, SaleLine};
use serde::{Deserialize, Serialize};

use crate::Problem;

/// Body of `POST /v1/royalties/split`. It names no royalty policy: each
/// derivation link pays under the policy and rate its grant signed, and a
/// request naming `policy` is refused (`400 policy-not-accepted`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// The design that earned the revenue.
    pub design: DesignId,
    /// The revenue.
    pub revenue: Money,
    /// Present to ask for a page of the holdings behind the payouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<DetailQuery>,
}

/// Which page of a split's detail: `after` a previous page's `next`,
/// `limit` holdings (default [`DEFAULT_DETAIL_LIMIT`], at most
/// [`MAX_DETAIL_LIMIT`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    /// A previous page's `detail.next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How many holdings at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl DetailQuery {
    /// The page asked for, its limit clamped to `1..=MAX_DETAIL_LIMIT`.
    ///
    /// # Errors
    /// `400 invalid-cursor` for an `after` that is not a cursor a split
    /// gave.
    pub fn page(&self) -> Result<DetailPage, Problem> {
        let after = match &self.after {
            None => 0,
            Some(text) => text.parse().map_err(|_| {
                Problem::bad_request("invalid-cursor", "not a cursor this route gave")
                    .with_field("detail.after")
            })?,
        };
        Ok(DetailPage {
            after,
            limit: self
                .limit
                .unwrap_or(DEFAULT_DETAIL_LIMIT)
                .clamp(1, MAX_DETAIL_LIMIT),
        })
    }
}

/// JSON body of `POST /v1/royalties/statement`. The route also takes the
/// sales as CSV (`Content-Type: text/csv`, header
/// `design,amount_minor,currency`). Like a split, it names no policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// The sales, at most [`provenant_model::royalty::MAX_SALES_LINES`].
    pub sales: Vec<SaleLine>,
}
