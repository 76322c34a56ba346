//! The problem a client sees for each way a write or a read fails, from
//! exhaustive matches on [`SubmitError`] and [`ReadError`] (no wildcard
//! arm): a new failure does not compile until it has a status. A storage
//! failure is a retryable `503`, never a `4xx`; its text stays in the
//! operator's log.

use provenant_api::Problem;
use provenant_api::problem::status;

use crate::error::{ReadError, SubmitError};

impl From<&SubmitError> for Problem {
    fn from(e: &SubmitError) -> Self {
        match e {
            SubmitError::Rejected(rule) => rule.into(),
            SubmitError::TooLarge { .. } => Problem::new(
                status::PAYLOAD_TOO_LARGE,
                "entry-too-large",
                "Entry too large",
                e.to_string(),
            ),
            SubmitError::Overloaded => {
                Problem::unavailable("overloaded", "the write queue is full; retry shortly")
            }
            SubmitError::ShuttingDown => {
                Problem::unavailable("unavailable", "the ledger is shutting down")
            }
            SubmitError::Unavailable => {
                Problem::unavailable("unavailable", "storage is unavailable; nothing was written")
            }
        }
    }
}

impl From<&ReadError> for Problem {
    fn from(e: &ReadError) -> Self {
        match e {
            ReadError::NotFound(what) => Problem::not_found(what),
            ReadError::Range(range) => Problem::new(
                status::BAD_REQUEST,
                "out-of-range",
                "Outside the log",
                range.to_string(),
            ),
            ReadError::Rule(rule) => rule.into(),
            ReadError::Store(_) => {
                Problem::unavailable("unavailable", "storage is unavailable; retry shortly")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use provenant_model::RuleError;
    use provenant_tlog::TreeSize;

    use super::*;
    use crate::store::StoreError;

    fn seen(p: &Problem) -> (u16, &str) {
        (p.status, p.code())
    }

    #[test]
    fn every_failure_has_its_status() {
        let submit = [
            (
                SubmitError::Rejected(RuleError::QuantityZero),
                422,
                "quantity-zero",
            ),
            (
                SubmitError::TooLarge { size: 2, max: 1 },
                413,
                "entry-too-large",
            ),
            (SubmitError::Overloaded, 503, "overloaded"),
            (SubmitError::ShuttingDown, 503, "unavailable"),
            (SubmitError::Unavailable, 503, "unavailable"),
        ];
        for (e, status, code) in &submit {
            assert_eq!(seen(&Problem::from(e)), (*status, *code), "{e:?}");
        }
        let beyond = provenant_tlog::Error::SizeBeyondTree {
            size: TreeSize(2),
            current: TreeSize(1),
        };
        let read = [
            (ReadError::NotFound("design"), 404, "not-found"),
            (ReadError::Range(beyond), 400, "out-of-range"),
            (
                ReadError::Rule(RuleError::NoSignatures),
                403,
                "no-signatures",
            ),
            (
                ReadError::Store(StoreError("disk".into())),
                503,
                "unavailable",
            ),
            (
                ReadError::Rule(RuleError::View(provenant_model::ViewError("disk".into()))),
                503,
                "unavailable",
            ),
        ];
        for (e, status, code) in &read {
            let p = Problem::from(e);
            assert_eq!(seen(&p), (*status, *code), "{e:?}");
            assert!(!p.detail.contains("disk"), "internals leak: {p:?}");
        }
    }
}
