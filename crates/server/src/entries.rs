//! The one write path, and reading entries back.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use provenant_api::{EntryAnswer, WriteQuery};
use provenant_ledger::{Ledger, Outcome};
use provenant_model::{Entry, Envelope, Receipt};

use crate::Problem;
use crate::body::RawBody;
use crate::path::PathText;
use crate::similar::{NearDistance, flag_receipt, registered_code};
use crate::witnessed::{MaybeWitnessed, upgrade, wait_of};

/// `POST /v1/entries`: any signed envelope. `201` with the receipt for a
/// new entry, `200` with the original receipt for one already logged.
///
/// Every bound that needs neither the state nor a signature check (entry
/// size, signature lines, duplicate and role-less signers, see
/// `provenant_model::bounds`) is checked by [`Ledger::submit`] before the
/// envelope queues: one refused envelope can be sent again and again, so
/// it must never cost the verifier anything.
///
/// With `?wait=witnessed` the answer waits, bounded, for a checkpoint
/// covering the entry that the witness quorum cosigned, and proves the
/// receipt under it; `202` with the log-signed receipt when none came in
/// time (the entry is logged either way).
///
/// A design registration with an image code is answered with the designs
/// registered before it that look like it (`near_duplicates`): a flag,
/// never a refusal.
///
/// # Errors
/// A problem naming the rule the envelope breaks, or what is wrong with
/// the query; nothing is written.
pub async fn submit(
    State(ledger): State<Ledger>,
    Extension(near): Extension<NearDistance>,
    query: Result<Query<WriteQuery>, QueryRejection>,
    witnessed: MaybeWitnessed,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Receipt>), Problem> {
    let wait = wait_of(query, witnessed)?;
    let envelope = Envelope::from_json(&body)?;
    let code = registered_code(&envelope);
    let (mut receipt, outcome) = ledger.submit(envelope).await?;
    if let Some(code) = code {
        flag_receipt(&ledger, near, code, &mut receipt);
    }
    let mut status = match outcome {
        Outcome::Appended => StatusCode::CREATED,
        Outcome::Existing => StatusCode::OK,
    };
    if let Some(w) = wait
        && !upgrade(&ledger, &w, &mut [&mut receipt]).await
    {
        status = StatusCode::ACCEPTED;
    }
    Ok((status, Json(receipt)))
}

/// `GET /v1/entries/{index}`.
///
/// # Errors
/// `404` beyond the log.
pub async fn entry(
    State(ledger): State<Ledger>,
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
