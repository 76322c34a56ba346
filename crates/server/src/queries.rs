//! The questions users ask of the state, answered at the latest checkpoint
//! with the inclusion proofs of the entries each answer rests on.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Response};
use axum::{Extension, Json};
use provenant_ledger::reads::{DesignReport, Page, Proven};
use provenant_ledger::{Ledger, Store};
use provenant_model::royalty::{DEFAULT_DETAIL_LIMIT, MAX_DETAIL_LIMIT};
use provenant_model::{
    DesignId, DetailPage, GrantId, GrantState, Identity, LicenseAnswer, LicenseQuery, Money,
    RoyaltySplit,
};
use serde::{Deserialize, Serialize};

use crate::body::JsonBody;
use crate::path::PathText;
use crate::{ComputePool, Problem};

fn id<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, Problem> {
    text.parse().map_err(|_| {
        Problem::bad_request(
            "invalid-id",
            format!("not a {what} id: 64 lower-case hex digits"),
        )
        .field(what)
    })
}

/// `GET /v1/designs/{id}`: owners and shares, parents, children, AI
/// disclosure, disputes, grants and history.
///
/// # Errors
/// `400` for a malformed id, `404` for an unknown design.
pub async fn design<S: Store>(
    State(ledger): State<Ledger<S>>,
    PathText(text): PathText,
) -> Result<Json<Proven<DesignReport>>, Problem> {
    let design: DesignId = id(&text, "design")?;
    Ok(Json(ledger.design(&design)?))
}

/// `GET /v1/grants/{id}`.
///
/// # Errors
/// `400` for a malformed id, `404` for an unknown grant.
pub async fn grant<S: Store>(
    State(ledger): State<Ledger<S>>,
    PathText(text): PathText,
) -> Result<Json<Proven<GrantState>>, Problem> {
    let grant: GrantId = id(&text, "grant")?;
    Ok(Json(ledger.grant(&grant)?))
}

/// `POST /v1/licenses/check`: may this licensee do this, here, now, this
/// many times? Computed on the [`ComputePool`]: the check walks the
/// design's ancestors for disputes.
///
/// # Errors
/// `400` for a malformed question or an unknown channel or category,
/// `503 compute-busy` when the pool is full.
pub async fn license_check<S: Store>(
    State(ledger): State<Ledger<S>>,
    Extension(pool): Extension<ComputePool>,
    JsonBody(query): JsonBody<serde_json::Value>,
) -> Result<Json<Proven<LicenseAnswer>>, Problem> {
    let query = LicenseQuery::from_value(&query)?;
    let answer = pool.run(move |_| ledger.license_check(&query)).await??;
    Ok(Json(answer))
}

/// Body of `POST /v1/royalties/split`. Each link pays under its own
/// grant's royalty policy: a request still naming a `policy` is refused
/// ([`policy_refused`]) rather than silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    design: DesignId,
    revenue: Money,
    /// Present to ask for a page of the holdings behind the payouts.
    detail: Option<DetailQuery>,
    /// Whether the request names a `policy` (any value, `null` included).
    #[serde(default, rename = "policy", deserialize_with = "present")]
    names_policy: bool,
}

/// `true` for a member that is present, whatever its value.
///
/// # Errors
/// Those of the deserializer.
pub fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// `400 policy-not-accepted`: the royalty policy is a term of each grant,
/// not a choice of the caller. Sent to a client that still names one.
#[must_use]
pub fn policy_refused() -> Problem {
    Problem::bad_request(
        "policy-not-accepted",
        "the royalty policy is a signed term of each grant and every link pays under its own: \
         remove `policy` from the request",
    )
    .field("policy")
}

/// Which page of a split's detail: `after` a previous page's `next`,
/// `limit` holdings (default [`DEFAULT_DETAIL_LIMIT`], at most
/// [`MAX_DETAIL_LIMIT`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    after: Option<String>,
    limit: Option<usize>,
}

impl DetailQuery {
    fn page(&self) -> Result<DetailPage, Problem> {
        let after = match &self.after {
            None => 0,
            Some(text) => text.parse().map_err(|_| {
                Problem::bad_request("invalid-cursor", "not a cursor this route gave")
                    .field("detail.after")
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

/// `POST /v1/royalties/split`: who gets what of this revenue, one line per
/// payee; with `detail`, a page of the designs, fractions and paths behind
/// them. Computed on the [`ComputePool`], cancelled at the request timeout.
///
/// # Errors
/// `400` for a malformed request or one naming a `policy`, `422` for an
/// unknown design, `503 compute-busy` when the pool is full.
pub async fn royalty_split<S: Store>(
    State(ledger): State<Ledger<S>>,
    Extension(pool): Extension<ComputePool>,
    JsonBody(req): JsonBody<SplitRequest>,
) -> Result<Json<Proven<RoyaltySplit>>, Problem> {
    if req.names_policy {
        return Err(policy_refused());
    }
    let detail = req.detail.as_ref().map(DetailQuery::page).transpose()?;
    let answer = pool
        .run(move |cancel| ledger.royalty_split(req.design, req.revenue, detail, cancel))
        .await??;
    Ok(Json(answer))
}

/// Query of `GET /v1/designs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    creator: Option<Identity>,
    licensee: Option<Identity>,
    after: Option<String>,
    limit: Option<usize>,
}

/// A design licensed to a key, and the grant it holds.
#[derive(Serialize)]
pub struct Licensed {
    /// The grant.
    pub grant: GrantId,
    /// The design it licenses.
    pub design: DesignId,
}

/// The most items in one page.
const MAX_PAGE: usize = 1000;

/// `GET /v1/designs?creator=KEY` (designs the key owns a share of) or
/// `?licensee=KEY` (designs licensed to it, with the grant), `limit` at a
/// time (default 100, at most 1000), continuing `after` a page's `next`.
///
/// # Errors
/// `400` without exactly one of `creator` and `licensee`, or for a bad
/// cursor.
pub async fn list<S: Store>(
    State(ledger): State<Ledger<S>>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    match (q.creator, q.licensee) {
        (Some(key), None) => {
            let after: Option<DesignId> = q.after.as_deref().map(|a| id(a, "after")).transpose()?;
            Ok(Json(ledger.designs_owned_by(&key, after.as_ref(), limit)?).into_response())
        }
        (None, Some(key)) => {
            let after: Option<GrantId> = q.after.as_deref().map(|a| id(a, "after")).transpose()?;
            let page = ledger.grants_held_by(&key, after.as_ref(), limit)?;
            let mut items = Vec::with_capacity(page.items.len());
            for grant in page.items {
                let design = ledger.grant(&grant)?.answer.design;
                items.push(Licensed { grant, design });
            }
            Ok(Json(Page {
                items,
                next: page.next,
            })
            .into_response())
        }
        _ => Err(Problem::bad_request(
            "invalid-query",
            "give exactly one of creator and licensee",
        )),
    }
}
