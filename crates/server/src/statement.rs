//! `POST /v1/royalties/statement`: many sales lines in, payouts per payee
//! out, each currency summing exactly to its revenue.
//!
//! The body is JSON, `{"policy": "LAP", "sales": [{"design", "amount":
//! {"amount_minor", "currency"}}]}`, or CSV (`Content-Type: text/csv`)
//! with the header `design,amount_minor,currency` and the policy in the
//! query (`?policy=LRP`; LAP by default).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use provenant_ledger::reads::Proven;
use provenant_ledger::{Ledger, Store};
use provenant_model::{Money, RoyaltyPolicy, SaleLine, Statement};
use serde::Deserialize;

use crate::Problem;

/// The most sales lines in one statement.
pub const MAX_LINES: usize = 10_000;

/// The CSV header every CSV statement starts with.
pub const CSV_HEADER: &str = "design,amount_minor,currency";

/// Query of the statement route.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyQuery {
    policy: Option<RoyaltyPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonStatement {
    policy: RoyaltyPolicy,
    sales: Vec<SaleLine>,
}

fn bad(detail: impl Into<String>) -> Problem {
    Problem::bad_request("malformed", detail)
}

/// Parses CSV sales lines strictly: the header, then `design,amount,currency`
/// rows; blank lines and a final newline are allowed, nothing else.
///
/// # Errors
/// A problem naming the line that is wrong.
pub fn parse_csv(text: &str) -> Result<Vec<SaleLine>, Problem> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h.trim() == CSV_HEADER => {}
        _ => return Err(bad(format!("the first line must be `{CSV_HEADER}`")).field("line 1")),
    }
    let mut sales = Vec::new();
    for (n, line) in lines {
        let at = || format!("line {}", n + 1);
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [design, amount, currency] = fields[..] else {
            return Err(bad("a row has three fields: design,amount_minor,currency").field(at()));
        };
        let design = design
            .parse()
            .map_err(|_| bad("not a design id").field(at()))?;
        let amount_minor = amount.parse().map_err(|_| {
            bad("amount_minor is a non-negative integer in minor units").field(at())
        })?;
        let currency = currency
            .parse()
            .map_err(|_| bad("currency is an ISO 4217 code such as EUR").field(at()))?;
        if sales.len() == MAX_LINES {
            return Err(Problem::bad_request(
                "too-many-items",
                format!("at most {MAX_LINES} sales lines"),
            ));
        }
        sales.push(SaleLine {
            design,
            amount: Money {
                amount_minor,
                currency,
            },
        });
    }
    Ok(sales)
}

/// `POST /v1/royalties/statement`.
///
/// # Errors
/// `400` for a malformed body, `422` for an unknown design or an overflow.
pub async fn statement<S: Store>(
    State(ledger): State<Ledger<S>>,
    headers: HeaderMap,
    query: Result<Query<PolicyQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Json<Proven<Statement>>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()))?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let (policy, sales) = if csv {
        let text = std::str::from_utf8(&body).map_err(|_| bad("the CSV is not UTF-8"))?;
        (q.policy.unwrap_or(RoyaltyPolicy::Lap), parse_csv(text)?)
    } else {
        let s: JsonStatement = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
        if s.sales.len() > MAX_LINES {
            return Err(Problem::bad_request(
                "too-many-items",
                format!("at most {MAX_LINES} sales lines"),
            ));
        }
        (s.policy, s.sales)
    };
    Ok(Json(ledger.royalty_statement(&sales, policy)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

    #[test]
    fn csv_parses_strictly() {
        let ok = format!("{CSV_HEADER}\n{D},1000,EUR\n\n{D}, 5 ,USD\n");
        let sales = parse_csv(&ok).unwrap();
        assert_eq!(sales.len(), 2);
        assert_eq!(sales[1].amount.amount_minor, 5);
        for bad in [
            format!("{D},1000,EUR\n"),
            format!("{CSV_HEADER}\n{D},1000\n"),
            format!("{CSV_HEADER}\n{D},-1,EUR\n"),
            format!("{CSV_HEADER}\n{D},1.5,EUR\n"),
            format!("{CSV_HEADER}\n{D},1,eur\n"),
            format!("{CSV_HEADER}\nnot-a-design,1,EUR\n"),
            format!("{CSV_HEADER}\n{D},1,EUR,extra\n"),
        ] {
            assert!(parse_csv(&bad).is_err(), "{bad}");
        }
    }
}
