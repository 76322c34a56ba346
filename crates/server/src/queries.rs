//! The questions users ask of the state, answered at the latest checkpoint
//! with the inclusion proofs of the entries each answer rests on.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Response};
use provenant_ledger::reads::{DesignReport, Page, Proven};
use provenant_ledger::{Ledger, Store};
use provenant_model::{
    DesignId, GrantId, GrantState, Identity, LicenseAnswer, LicenseQuery, Money, RoyaltyPolicy,
    RoyaltySplit,
};
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::body::JsonBody;
use crate::path::PathText;

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
/// many times?
///
/// # Errors
/// `400` for a malformed question or an unknown channel or category.
pub async fn license_check<S: Store>(
    State(ledger): State<Ledger<S>>,
    JsonBody(query): JsonBody<serde_json::Value>,
) -> Result<Json<Proven<LicenseAnswer>>, Problem> {
    let query = LicenseQuery::from_value(&query)?;
    Ok(Json(ledger.license_check(&query)?))
}

/// Body of `POST /v1/royalties/split`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    design: DesignId,
    revenue: Money,
    policy: RoyaltyPolicy,
}

/// `POST /v1/royalties/split`: who gets what of this revenue.
///
/// # Errors
/// `400` for a malformed request, `422` for an unknown design.
pub async fn royalty_split<S: Store>(
    State(ledger): State<Ledger<S>>,
    JsonBody(req): JsonBody<SplitRequest>,
) -> Result<Json<Proven<RoyaltySplit>>, Problem> {
    Ok(Json(ledger.royalty_split(
        req.design,
        req.revenue,
        req.policy,
    )?))
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
