//! What `/readyz` says of publication: stopped by an alarm, or failing for
//! longer than [`FAILING_GRACE`] (a round fails only when it has something
//! to publish or to clean up).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long publication may fail before the server says it is not ready
/// (a bucket blip is retried, not reported).
pub const FAILING_GRACE: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Inner {
    stopped: Option<String>,
    failing_since: Option<(Instant, String)>,
}

/// Publication's health; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Status(Arc<Mutex<Inner>>);

/// Why the server is not ready, as far as publication goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unready {
    /// An alarm stopped publication.
    Stopped(String),
    /// Rounds have failed for longer than the grace period.
    Failing(String),
}

impl Status {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn succeeded(&self) {
        self.with(|s| s.failing_since = None);
    }

    pub(crate) fn failed(&self, why: String) {
        self.with(|s| match &mut s.failing_since {
            Some((_, last)) => *last = why,
            None => s.failing_since = Some((Instant::now(), why)),
        });
    }

    pub(crate) fn stopped(&self, why: String) {
        self.with(|s| s.stopped = Some(why));
    }

    /// Why publication makes the server unready, if it does.
    #[must_use]
    pub fn unready(&self) -> Option<Unready> {
        self.with(|s| {
            if let Some(why) = &s.stopped {
                return Some(Unready::Stopped(why.clone()));
            }
            match &s.failing_since {
                Some((since, why)) if since.elapsed() >= FAILING_GRACE => Some(Unready::Failing(
                    format!("failing for {} s: {why}", since.elapsed().as_secs()),
                )),
                _ => None,
            }
        })
    }
}
