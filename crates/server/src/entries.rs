//! The one write path, and reading entries back.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use provenant_api::EntryAnswer;
use provenant_ledger::{Ledger, Outcome, Store};
use provenant_model::{Entry, Envelope, Receipt};

use crate::Problem;
use crate::body::RawBody;
use crate::path::PathText;

/// `POST /v1/entries`: any signed envelope. `201` with the receipt for a
/// new entry, `200` with the original receipt for one already logged.
///
/// Every bound that needs neither the state nor a signature check (entry
/// size, signature lines, duplicate and role-less signers, see
/// `provenant_model::bounds`) is checked by [`Ledger::submit`] before the
/// envelope queues: one refused envelope can be sent again and again, so
/// it must never cost the verifier anything.
///
/// # Errors
/// A problem naming the rule the envelope breaks; nothing is written.
pub async fn submit<S: Store>(
    State(ledger): State<Ledger<S>>,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Receipt>), Problem> {
    let envelope = Envelope::from_json(&body)?;
    let (receipt, outcome) = ledger.submit(envelope).await?;
    let status = match outcome {
        Outcome::Appended => StatusCode::CREATED,
        Outcome::Existing => StatusCode::OK,
    };
    Ok((status, Json(receipt)))
}

/// `GET /v1/entries/{index}`.
///
/// # Errors
/// `404` beyond the log.
pub async fn entry<S: Store>(
    State(ledger): State<Ledger<S>>,
    PathText(index): PathText,
) -> Result<Json<EntryAnswer>, Problem> {
    let index: u64 = index.parse().map_err(|_| {
        Problem::bad_request("invalid-index", "index must be a non-negative integer").field("index")
    })?;
    let entry: Entry = ledger.entry(index)?;
    Ok(Json(EntryAnswer {
        index,
        leaf_hash: entry.leaf_hash(),
        entry: entry.to_value(),
    }))
}
