//! The questions users ask of the state, answered at the latest checkpoint
//! with the inclusion proofs of the entries each answer rests on.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use provenant_api::{
    DEFAULT_PAGE, DesignList, DesignReport, DetailQuery, KeyEntriesQuery, Licensed, ListQuery,
    MAX_PAGE, Page, Proven, SplitRequest,
};
use provenant_ledger::Ledger;
use provenant_model::state::EntryRef;
use provenant_model::{
    DesignId, GrantId, GrantState, Identity, LicenseAnswer, LicenseQuery, RoyaltySplit,
};

use crate::body::{JsonBody, RawBody};
use crate::path::PathText;
use crate::policy::royalty_request;
use crate::similar::NearDistance;
use crate::{ComputePool, Problem};

/// `text` as a `what` id, or `400 invalid-id` naming the field.
pub(crate) fn id<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, Problem> {
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
/// `400` for a malformed id, `404` for an unknown design, carrying the
/// proof of its absence in `absence`.
pub async fn design(
    State(ledger): State<Ledger>,
    Extension(near): Extension<NearDistance>,
    PathText(text): PathText,
) -> Result<Json<Proven<DesignReport>>, Problem> {
    let design: DesignId = id(&text, "design")?;
    let mut report = registered(&ledger, &design)?;
    if let Some(code) = report.answer.details.content.iscc {
        let before = Some(report.answer.state.registered.index);
        report.answer.near_duplicates = crate::similar::near(&ledger, near, code, &design, before)?;
    }
    Ok(Json(report))
}

/// The registered design `design`, proven, or `404 not-found` carrying the
/// proof of its absence.
pub(crate) fn registered(
    ledger: &Ledger,
    design: &DesignId,
) -> Result<Proven<DesignReport>, Problem> {
    ledger
        .identify(design)?
        .map_err(|absence| Problem::not_found("design").absence(absence))
}

/// `GET /v1/grants/{id}`.
///
/// # Errors
/// `400` for a malformed id, `404` for an unknown grant.
pub async fn grant(
    State(ledger): State<Ledger>,
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
pub async fn license_check(
    State(ledger): State<Ledger>,
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
/// `400` for a malformed request or one naming a `policy`, `422` for an
/// unknown design, `503 compute-busy` when the pool is full.
pub async fn royalty_split(
    State(ledger): State<Ledger>,
    Extension(pool): Extension<ComputePool>,
    RawBody(body): RawBody,
) -> Result<Json<Proven<RoyaltySplit>>, Problem> {
    let req: SplitRequest = royalty_request(&body)?;
    let detail = req.detail.as_ref().map(DetailQuery::page).transpose()?;
    let answer = pool
        .run(move |cancel| ledger.royalty_split(req.design, req.revenue, detail, cancel))
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
pub async fn list(
    State(ledger): State<Ledger>,
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

/// `GET /v1/keys/{key}/entries?after=&limit=`: the entries a key signed,
/// in log order, each with its leaf hash and inclusion proof at one
/// checkpoint (the question after a key is compromised). `key` is an
/// `ed25519:` identity, percent-encoded (its base64 may hold `/` and `+`);
/// `limit` at a time ([`DEFAULT_PAGE`] by default, at most [`MAX_PAGE`]),
/// continuing `after` a page's `next`.
///
/// # Errors
/// `400` for a malformed key (`malformed`), query or cursor.
pub async fn signed_by(
    State(ledger): State<Ledger>,
    PathText(text): PathText,
    query: Result<Query<KeyEntriesQuery>, QueryRejection>,
) -> Result<Json<Proven<Page<EntryRef>>>, Problem> {
    let key: Identity = text.parse()?;
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let after = q
        .after
        .as_deref()
        .map(|a| {
            a.parse::<u64>().map_err(|_| {
                Problem::bad_request("invalid-cursor", "not a cursor this route gave")
                    .field("after")
            })
        })
        .transpose()?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    Ok(Json(ledger.entries_signed_by(&key, after, limit)?))
}
