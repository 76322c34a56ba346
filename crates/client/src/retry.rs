//! When to send a request again: after a `503` only, only for requests
//! that are safe to repeat, waiting what the server's `Retry-After` says
//! (else a doubling back-off), within a cap on attempts and total time.
//!
//! Safe to repeat: every `GET`, the questions asked by `POST` (license
//! checks, royalty splits and statements, file identification), and
//! `POST /v1/entries`, which the ledger makes idempotent for the same
//! envelope (a repeat answers `200` with the original receipt). A `POST`
//! route not named here is sent once.

use std::time::Duration;

use provenant_api::routes::{
    CheckLicense, IdentifyFile, SplitRoyalty, StateRoyalties, SubmitBatch, SubmitEntry,
};
use provenant_api::{Endpoint, Method, Route};

/// How often and how long to retry a `503`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most times a request is sent, the first included; `1` never
    /// retries.
    pub attempts: u32,
    /// The most time from the first attempt to the last: a wait that would
    /// end later is not waited, the `503` is returned instead.
    pub budget: Duration,
    /// The wait before the first retry when the server sends no
    /// `Retry-After`; it doubles at each retry, up to `max_wait`.
    pub first_wait: Duration,
    /// The longest wait the back-off chooses (a server's `Retry-After` is
    /// honoured up to the budget).
    pub max_wait: Duration,
}

impl RetryPolicy {
    /// The default: 5 attempts within 30 seconds, waiting 0.5 s, 1 s, 2 s,
    /// 4 s when the server does not say how long.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        attempts: 5,
        budget: Duration::from_secs(30),
        first_wait: Duration::from_millis(500),
        max_wait: Duration::from_secs(8),
    };

    /// Send once, never retry.
    pub const NEVER: RetryPolicy = RetryPolicy {
        attempts: 1,
        budget: Duration::ZERO,
        first_wait: Duration::ZERO,
        max_wait: Duration::ZERO,
    };

    /// How long to wait before attempt `done + 1`, after `done` attempts
    /// that took `elapsed` in all and a `503` with `retry_after`; `None`
    /// to give up (attempts spent, or the wait would overrun the budget).
    #[must_use]
    pub fn wait(
        &self,
        done: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if done >= self.attempts {
            return None;
        }
        let wait = retry_after.unwrap_or_else(|| {
            let doublings = done.saturating_sub(1).min(16);
            self.first_wait
                .saturating_mul(1 << doublings)
                .min(self.max_wait)
        });
        (elapsed.saturating_add(wait) <= self.budget).then_some(wait)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Whether `route` may be sent again after a `503` (see the module doc).
#[must_use]
pub fn safe_to_repeat(route: &Route) -> bool {
    match route.method {
        Method::Get => true,
        Method::Post => [
            SubmitEntry::ROUTE,
            SubmitBatch::ROUTE,
            CheckLicense::ROUTE,
            SplitRoyalty::ROUTE,
            StateRoyalties::ROUTE,
            IdentifyFile::ROUTE,
        ]
        .contains(route),
    }
}

/// A `Retry-After` value (RFC 9110 section 10.2.3) in seconds; the
/// HTTP-date form, which this service never sends, reads as absent.
#[must_use]
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn retry_after_is_honoured_within_the_budget() {
        let p = RetryPolicy::DEFAULT;
        assert_eq!(p.wait(1, S(0), Some(S(0))), Some(S(0)));
        assert_eq!(p.wait(1, S(0), Some(S(20))), Some(S(20)));
        assert_eq!(p.wait(1, S(11), Some(S(20))), None, "past the budget");
        assert_eq!(p.wait(1, S(0), Some(S(31))), None);
    }

    #[test]
    fn without_retry_after_the_wait_doubles_up_to_its_cap() {
        let p = RetryPolicy {
            attempts: 10,
            budget: S(3600),
            ..RetryPolicy::DEFAULT
        };
        let waits: Vec<_> = (1..8).map(|done| p.wait(done, S(0), None)).collect();
        let expected = [MS(500), S(1), S(2), S(4), S(8), S(8), S(8)];
        assert_eq!(waits, expected.map(Some));
    }

    #[test]
    fn attempts_are_capped() {
        let p = RetryPolicy::DEFAULT;
        assert!(p.wait(4, S(0), Some(S(0))).is_some());
        assert_eq!(p.wait(5, S(0), Some(S(0))), None);
        assert_eq!(RetryPolicy::NEVER.wait(1, S(0), Some(S(0))), None);
    }

    #[test]
    fn only_safe_requests_are_repeated() {
        use provenant_api::routes::{ALL, GetDesign, GetLog};
        assert!(safe_to_repeat(&GetLog::ROUTE));
        assert!(safe_to_repeat(&GetDesign::ROUTE));
        assert!(safe_to_repeat(&SubmitEntry::ROUTE));
        let unknown = Route {
            method: Method::Post,
            path: "/v1/something-new",
            input: provenant_api::Input::Json,
        };
        assert!(!safe_to_repeat(&unknown));
        // Every route the service has today is a read or the idempotent
        // submit.
        assert!(ALL.iter().all(safe_to_repeat));
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        assert_eq!(parse_retry_after("1"), Some(S(1)));
        assert_eq!(parse_retry_after(" 0 "), Some(S(0)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
