//! `POST /v1/royalties/statement`: many sales lines in, payouts per payee
//! out, each currency summing exactly to its revenue.
//!
//! The body is JSON, `{"policy": "LAP", "sales": [{"design", "amount":
//! {"amount_minor", "currency"}}]}`, or CSV (`Content-Type: text/csv`)
//! with the header `design,amount_minor,currency` and the policy in the
//! query (`?policy=LRP`; LAP by default).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::{Extension, Json};
use provenant_api::{PolicyQuery, Proven, StatementRequest};
use provenant_ledger::{Ledger, Store};
use provenant_model::royalty::MAX_SALES_LINES;
use provenant_model::{CsvError, RoyaltyPolicy, Statement, parse_sales_csv};

use crate::body::RawBody;
use crate::{ComputePool, Problem};

fn bad(detail: impl Into<String>) -> Problem {
    Problem::bad_request("malformed", detail)
}

/// The problem for a sales CSV that [`parse_sales_csv`] refuses, and for
/// a JSON statement over the same cap ([`CsvError::TooManyLines`]).
fn csv_problem(e: &CsvError) -> Problem {
    match e {
        CsvError::Line { line, what } => bad(*what).field(format!("line {line}")),
        CsvError::TooManyLines => Problem::bad_request("too-many-items", e.to_string()),
    }
}

/// `POST /v1/royalties/statement`, computed on the [`ComputePool`] and
/// cancelled at the request timeout.
///
/// # Errors
/// `400` for a malformed body, `422` for an unknown design or an overflow,
/// `503 compute-busy` when the pool is full.
pub async fn statement<S: Store>(
    State(ledger): State<Ledger<S>>,
    Extension(pool): Extension<ComputePool>,
    headers: HeaderMap,
    query: Result<Query<PolicyQuery>, axum::extract::rejection::QueryRejection>,
    RawBody(body): RawBody,
) -> Result<Json<Proven<Statement>>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let (policy, sales) = if csv {
        let text = std::str::from_utf8(&body).map_err(|_| bad("the CSV is not UTF-8"))?;
        let sales = parse_sales_csv(text).map_err(|e| csv_problem(&e))?;
        (q.policy.unwrap_or(RoyaltyPolicy::Lap), sales)
    } else {
        let s: StatementRequest = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
        if s.sales.len() > MAX_SALES_LINES {
            return Err(csv_problem(&CsvError::TooManyLines));
        }
        (s.policy, s.sales)
    };
    let answer = pool
        .run(move |cancel| ledger.royalty_statement(&sales, policy, cancel))
        .await??;
    Ok(Json(answer))
}
