//! `POST /v1/entries/batch`: many envelopes in one request, each checked,
//! queued and answered exactly as `POST /v1/entries` would answer it alone.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use provenant_api::{BatchAnswer, BatchResult, MAX_BATCH_ENVELOPES, WriteQuery};
use provenant_ledger::{Ledger, Outcome, Reply};
use provenant_model::{DesignId, Envelope, ImageCode, Receipt, RuleError};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::Problem;
use crate::body::RawBody;
use crate::ratelimit::Charge;
use crate::similar::{NearDistance, flag_receipt, registered_code};
use crate::witnessed::{MaybeWitnessed, upgrade, wait_of};

/// How many envelopes are read between two yields to the runtime, so that
/// a large batch never holds a worker thread for long.
const READ_STRIDE: usize = 64;

/// One envelope on its way: queued (its answer to come) or already refused.
enum Pending {
    /// Queued, with the image code and design of a registration that has one.
    Queued(oneshot::Receiver<Reply>, Option<(ImageCode, DesignId)>),
    Refused(Problem),
}

/// `POST /v1/entries/batch`: `{"envelopes": [...]}`, at most
/// [`MAX_BATCH_ENVELOPES`]. Answers `200` with one result per envelope, in
/// order; each envelope's bounds, signatures and rules are its own, so one
/// bad envelope never fails the others. With rate limiting on, each
/// envelope after the first counts as one more request of the client.
///
/// With `?wait=witnessed` the answer waits, bounded, for a checkpoint
/// covering every logged envelope that the witness quorum cosigned, and
/// proves each receipt under it; `202` with the log-signed receipts when
/// none came in time.
///
/// # Errors
/// `400` for a query that is not `wait=witnessed`, or it on a server
/// without witnesses; `400` when the body is not a batch (not strict JSON, not an object
/// with `envelopes` alone, or more than [`MAX_BATCH_ENVELOPES`] of them);
/// `413` over the batch's body limit; `429` over the client's rate. In
/// each case nothing of the batch is queued.
pub async fn submit_batch(
    State(ledger): State<Ledger>,
    axum::Extension(near): axum::Extension<NearDistance>,
    charge: Option<axum::Extension<Charge>>,
    query: Result<Query<WriteQuery>, QueryRejection>,
    witnessed: MaybeWitnessed,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<BatchAnswer>), Problem> {
    let wait = wait_of(query, witnessed)?;
    let items = envelopes_of(&body)?;
    if let Some(axum::Extension(charge)) = charge {
        // At most MAX_BATCH_ENVELOPES (1,024): fits a u32.
        let more = u32::try_from(items.len().saturating_sub(1)).unwrap_or(u32::MAX);
        charge.take(more)?;
    }
    let mut pending = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if i % READ_STRIDE == READ_STRIDE - 1 {
            tokio::task::yield_now().await;
        }
        let queued = Envelope::from_value(item)
            .map_err(Problem::from)
            .and_then(|envelope| {
                let code = registered_code(&envelope);
                Ok((ledger.enqueue(envelope).map_err(Problem::from)?, code))
            });
        pending.push(match queued {
            Ok((answer, code)) => Pending::Queued(answer, code),
            Err(problem) => Pending::Refused(problem),
        });
    }
    let mut results = Vec::with_capacity(pending.len());
    for p in pending {
        results.push(match p {
            Pending::Queued(answer, code) => match answer.await {
                Ok(Ok((mut receipt, outcome))) => {
                    if let Some(code) = code {
                        flag_receipt(&ledger, near, code, &mut receipt);
                    }
                    BatchResult::logged(receipt, outcome == Outcome::Appended)
                }
                Ok(Err(e)) => BatchResult::refused(Problem::from(e).into_body()),
                Err(_) => BatchResult::refused(
                    Problem::from(provenant_ledger::SubmitError::ShuttingDown).into_body(),
                ),
            },
            Pending::Refused(problem) => BatchResult::refused(problem.into_body()),
        });
    }
    let mut status = StatusCode::OK;
    if let Some(w) = wait {
        let mut receipts: Vec<&mut Receipt> = results
            .iter_mut()
            .filter_map(|r| r.receipt.as_mut())
            .collect();
        if !upgrade(&ledger, &w, &mut receipts).await {
            status = StatusCode::ACCEPTED;
        }
    }
    Ok((status, Json(BatchAnswer { results })))
}

/// The batch's envelopes as JSON values, each still to be read on its own.
fn envelopes_of(body: &[u8]) -> Result<Vec<Value>, Problem> {
    let malformed = |detail: String| {
        Problem::from(RuleError::Malformed {
            field: "envelopes".to_owned(),
            detail,
        })
    };
    let value = provenant_model::strict_json::parse(body).map_err(|e| malformed(e.to_string()))?;
    let Value::Object(mut members) = value else {
        return Err(malformed(
            "the body must be an object {\"envelopes\": [...]}".into(),
        ));
    };
    let Some(Value::Array(items)) = members.remove("envelopes") else {
        return Err(malformed(
            "`envelopes` must be an array of envelopes".into(),
        ));
    };
    if let Some(other) = members.keys().next() {
        return Err(malformed(format!("unknown member `{other}`")));
    }
    if items.len() > MAX_BATCH_ENVELOPES {
        return Err(Problem::from(RuleError::TooManyItems {
            field: "envelopes".to_owned(),
            count: items.len(),
            max: MAX_BATCH_ENVELOPES,
        }));
    }
    Ok(items)
}
