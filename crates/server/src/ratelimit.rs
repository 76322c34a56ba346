//! Per-client rate limiting: a token bucket per IP address (GCRA, from
//! `governor`). A client over its rate gets `429 rate-limited` with
//! `Retry-After`, before any work is done for it. Health, readiness and
//! metrics probes are not limited.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use provenant_api::Endpoint as _;
use provenant_api::routes::{Health, Metrics, Ready};

use crate::Problem;

/// A request rate per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// Requests a client may make at once after being idle.
    pub burst: NonZeroU32,
}

/// The limiter shared by every connection.
#[derive(Clone)]
pub struct Limiter {
    buckets: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    checks: Arc<AtomicU64>,
}

/// How often (in requests) buckets of idle clients are dropped.
const SWEEP_EVERY: u64 = 1 << 14;

impl Limiter {
    /// A limiter allowing `limit` to each client.
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            buckets: Arc::new(RateLimiter::keyed(quota)),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// `None` when `ip` may go on, or the seconds it must wait.
    fn check(&self, ip: IpAddr) -> Option<u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.buckets.retain_recent();
        }
        self.buckets.check_key(&ip).err().map(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

/// What a request that does the work of many (a batch of envelopes) still
/// owes its client's bucket: the middleware took one token for the request,
/// the handler takes one more for each further envelope.
#[derive(Clone)]
pub struct Charge {
    limiter: Limiter,
    ip: IpAddr,
}

impl Charge {
    /// Takes `more` tokens.
    ///
    /// # Errors
    /// `429 rate-limited` with `Retry-After` when the bucket does not hold
    /// them now, or (with the most a batch may hold) when it never can.
    pub fn take(&self, more: u32) -> Result<(), Problem> {
        let Some(n) = NonZeroU32::new(more) else {
            return Ok(());
        };
        let limited = |wait: u64, detail: String| {
            Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                detail,
            )
            .retry_after(wait)
        };
        match self.limiter.buckets.check_key_n(&self.ip, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let wait = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                Err(limited(
                    wait,
                    format!("this client is over its request rate; retry in {wait} s"),
                ))
            }
            Err(capacity) => Err(limited(
                1,
                format!(
                    "each envelope of a batch counts as a request, and this client may make \
                     at most {} at once: send smaller batches",
                    capacity.0
                ),
            )),
        }
    }
}

/// The middleware: requests without a peer address (in-process tests) and
/// probes pass.
pub async fn limit(State(limiter): State<Limiter>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let exempt = [Health::ROUTE, Ready::ROUTE, Metrics::ROUTE]
        .iter()
        .any(|r| r.path == path);
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let (false, Some(ip)) = (exempt, peer)
        && let Some(wait) = limiter.check(ip)
    {
        return Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("this client is over its request rate; retry in {wait} s"),
        )
        .retry_after(wait)
        .into_response();
    }
    let mut req = req;
    if let (false, Some(ip)) = (exempt, peer) {
        req.extensions_mut().insert(Charge { limiter, ip });
    }
    next.run(req).await
}
