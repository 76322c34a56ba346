//! What the server serves of its witnessing ([`provenant_witnessing`]):
//! the checkpoint with every cosignature collected, the latest witnessed
//! checkpoint, and writes that wait (bounded) for one covering them.
//!
//! A server without witnesses serves the log's own checkpoint, answers
//! `GET /v1/checkpoint/witnessed` with `404 witnessing-off`, and refuses
//! `?wait=witnessed` with `400 witnessing-off`: a client that asked for a
//! witnessed receipt never takes a plain one for it.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use provenant_api::{Wait, WriteQuery};
use provenant_ledger::Ledger;
use provenant_model::Receipt;
use provenant_witnessing::Witnessing;

use crate::Problem;
use crate::log::{FRESH, text};

/// The witnessing a router serves, and how long a write may wait for it.
#[derive(Clone, Debug)]
pub struct Witnessed {
    /// The log's witnessing.
    pub witnessing: Witnessing,
    /// The longest a `?wait=witnessed` write waits after its append.
    pub wait: Duration,
}

impl Witnessed {
    /// `witnessing` with a write's wait of three intervals and two
    /// seconds, kept two seconds under the request timeout `timeout`.
    #[must_use]
    pub fn new(witnessing: Witnessing, timeout: Duration) -> Self {
        let wait = (witnessing.interval() * 3 + Duration::from_secs(2))
            .min(timeout.saturating_sub(Duration::from_secs(2)));
        Self { witnessing, wait }
    }
}

/// The witnessing of a router, if it has one.
pub type MaybeWitnessed = Option<axum::Extension<Witnessed>>;

fn off(status: StatusCode) -> Problem {
    Problem::new(
        status,
        "witnessing-off",
        "No witnesses",
        "this log asks no witnesses: it was started without a witness policy",
    )
}

/// `GET /checkpoint` and `GET /v1/checkpoint`: the signed note, with
/// every cosignature collected for it.
pub async fn checkpoint(State(ledger): State<Ledger>, witnessed: MaybeWitnessed) -> Response {
    let head = ledger.head();
    let note = match witnessed {
        Some(axum::Extension(w)) => w.witnessing.checkpoint(&head),
        None => head.checkpoint.to_string(),
    };
    text(note, "text/plain; charset=utf-8", FRESH)
}

/// `GET /v1/checkpoint/witnessed`.
///
/// # Errors
/// `404 witnessing-off` on a server without witnesses;
/// `404 not-witnessed` while no checkpoint met the quorum.
pub async fn latest(witnessed: MaybeWitnessed) -> Result<Response, Problem> {
    let Some(axum::Extension(w)) = witnessed else {
        return Err(off(StatusCode::NOT_FOUND));
    };
    let note = w.witnessing.witnessed().ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-witnessed",
            "Not witnessed yet",
            "no checkpoint of this log has been cosigned by its witness quorum yet",
        )
    })?;
    Ok(text(note, "text/plain; charset=utf-8", FRESH))
}

/// What a write asked to wait for, checked before anything is queued.
///
/// # Errors
/// `400 invalid-query` for a query that is not [`WriteQuery`];
/// `400 witnessing-off` for `wait=witnessed` on a server without
/// witnesses.
pub fn wait_of(
    query: Result<Query<WriteQuery>, axum::extract::rejection::QueryRejection>,
    witnessed: MaybeWitnessed,
) -> Result<Option<Witnessed>, Problem> {
    let Query(q) =
        query.map_err(|e| Problem::bad_request("invalid-query", e.body_text()).field("wait"))?;
    match (q.wait, witnessed) {
        (None, _) => Ok(None),
        (Some(Wait::Witnessed), Some(axum::Extension(w))) => Ok(Some(w)),
        (Some(Wait::Witnessed), None) => Err(off(StatusCode::BAD_REQUEST).field("wait")),
    }
}

/// Waits for a witnessed checkpoint covering every receipt in `receipts`
/// and proves each under it. Returns whether it came in time; when it did
/// not, the receipts are left as they were.
pub async fn upgrade(ledger: &Ledger, w: &Witnessed, receipts: &mut [&mut Receipt]) -> bool {
    let Some(last) = receipts.iter().map(|r| r.index).max() else {
        return true;
    };
    let Some((size, note)) = w.witnessing.wait_for(last + 1, w.wait).await else {
        return false;
    };
    let size = size.0;
    let mut proofs = Vec::with_capacity(receipts.len());
    for r in receipts.iter() {
        match ledger.inclusion_proof(r.index, Some(size)) {
            Ok((_, proof)) => proofs.push(proof),
            Err(e) => {
                tracing::error!(error = %e, index = r.index, size, "proving a receipt under the witnessed checkpoint");
                return false;
            }
        }
    }
    for (r, proof) in receipts.iter_mut().zip(proofs) {
        r.inclusion_proof = proof;
        r.checkpoint.clone_from(&note);
    }
    true
}
