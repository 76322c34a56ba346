//! The questions users ask of the state, answered at the latest checkpoint
//! with the inclusion proofs of the entries each answer rests on.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use provenant_ledger::reads::{DesignReport, Proven};
use provenant_ledger::{Ledger, Store};
use provenant_model::{
    DesignId, GrantId, GrantState, LicenseAnswer, LicenseQuery, Money, RoyaltyPolicy, RoyaltySplit,
};
use serde::Deserialize;

use crate::Problem;

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    body.map(|Json(t)| t)
        .map_err(|e| Problem::bad_request("malformed", e.body_text()))
}

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
    Path(text): Path<String>,
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
    Path(text): Path<String>,
) -> Result<Json<Proven<GrantState>>, Problem> {
    let grant: GrantId = id(&text, "grant")?;
    Ok(Json(ledger.grant(&grant)?))
}

/// `POST /v1/licenses/check`: may this licensee do this, here, now, this
/// many times?
///
/// # Errors
/// `400` for a malformed question.
pub async fn license_check<S: Store>(
    State(ledger): State<Ledger<S>>,
    body: Result<Json<LicenseQuery>, JsonRejection>,
) -> Result<Json<Proven<LicenseAnswer>>, Problem> {
    let query = json_body(body)?;
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
    body: Result<Json<SplitRequest>, JsonRejection>,
) -> Result<Json<Proven<RoyaltySplit>>, Problem> {
    let req = json_body(body)?;
    Ok(Json(ledger.royalty_split(
        req.design,
        req.revenue,
        req.policy,
    )?))
}
