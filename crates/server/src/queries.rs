//! The questions users ask of the state, answered at the latest checkpoint
//! with the inclusion proofs of the entries each answer rests on.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use provenant_api::{
    DEFAULT_PAGE, DesignList, DesignReport, DetailQuery, Licensed, ListQuery, MAX_PAGE, Page,
    Proven, SplitRequest,
};
use provenant_ledger::{Ledger, Store};
use provenant_model::{DesignId, GrantId, GrantState, LicenseAnswer, LicenseQuery, RoyaltySplit};

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

/// `POST /v1/royalties/split`: who gets what of this revenue, one line per
/// payee; with `detail`, a page of the designs, fractions and paths behind
/// them. Computed on the [`ComputePool`], cancelled at the request timeout.
///
/// # Errors
/// `400` for a malformed request, `422` for an unknown design, `503
/// compute-busy` when the pool is full.
pub async fn royalty_split<S: Store>(
    State(ledger): State<Ledger<S>>,
    Extension(pool): Extension<ComputePool>,
    JsonBody(req): JsonBody<SplitRequest>,
) -> Result<Json<Proven<RoyaltySplit>>, Problem> {
    let detail = req.detail.as_ref().map(DetailQuery::page).transpose()?;
    let answer = pool
        .run(move |cancel| {
            ledger.royalty_split(req.design, req.revenue, req.policy, detail, cancel)
        })
        .await??;
    Ok(Json(answer))
}

/// `GET /v1/designs?creator=KEY` (designs the key owns a share of) or
/// `?licensee=KEY` (designs licensed to it, with the grant), `limit` at a
/// time ([`DEFAULT_PAGE`] by default, at most [`MAX_PAGE`]), continuing
/// `after` a page's `next`.
///
/// # Errors
/// `400` without exactly one of `creator` and `licensee`, or for a bad
/// cursor.
pub async fn list<S: Store>(
    State(ledger): State<Ledger<S>>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<DesignList>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    match (q.creator, q.licensee) {
        (Some(key), None) => {
            let after: Option<DesignId> = q.after.as_deref().map(|a| id(a, "after")).transpose()?;
            let page = ledger.designs_owned_by(&key, after.as_ref(), limit)?;
            Ok(Json(DesignList::Owned(page)))
        }
        (None, Some(key)) => {
            let after: Option<GrantId> = q.after.as_deref().map(|a| id(a, "after")).transpose()?;
            let page = ledger.grants_held_by(&key, after.as_ref(), limit)?;
            let mut items = Vec::with_capacity(page.items.len());
            for grant in page.items {
                let design = ledger.grant(&grant)?.answer.design;
                items.push(Licensed { grant, design });
            }
            Ok(Json(DesignList::Licensed(Page {
                items,
                next: page.next,
            })))
        }
        _ => Err(Problem::bad_request(
            "invalid-query",
            "give exactly one of creator and licensee",
        )),
    }
}
