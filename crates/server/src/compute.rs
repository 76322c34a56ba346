//! A bounded pool of threads for reads that burn CPU: royalty splits and
//! statements, and license checks (which walk a design's ancestors).
//!
//! Such a read never runs on the async workers, so `/healthz`, the log's
//! reads and the write path keep answering while it computes. The pool has
//! [`ComputeLimits::threads`] threads and a queue of
//! [`ComputeLimits::queue`] reads waiting for one; a read that finds the
//! queue full is answered at once with `503 compute-busy` and
//! `Retry-After`, and nothing is computed.
//!
//! Each read carries a [`Cancel`] flag that the model checks between units
//! of work. The flag is raised when the request's future is dropped: when
//! the request timeout answers `408 request-timeout`, or when the client
//! goes away. A read still waiting in the queue is then skipped, and one
//! already running stops at its next check instead of finishing a result
//! nobody will read.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use provenant_model::Cancel;

use crate::Problem;

/// Threads computing CPU-heavy reads, unless configured: one per core, as
/// the async workers, so the pool can use the whole machine.
#[must_use]
pub fn default_compute_threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// CPU-heavy reads that may wait for a thread before clients get `503`,
/// unless configured. Large enough that a brand's burst of license checks
/// (which also run here) waits rather than fails; a waiting read holds
/// only its request, and the request timeout cancels it.
pub const DEFAULT_COMPUTE_QUEUE: usize = 1024;

/// The size of the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputeLimits {
    /// Threads computing reads at once.
    pub threads: usize,
    /// Reads that may wait for a thread.
    pub queue: usize,
}

impl Default for ComputeLimits {
    fn default() -> Self {
        Self {
            threads: default_compute_threads(),
            queue: DEFAULT_COMPUTE_QUEUE,
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// What the pool has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct ComputeStats {
    /// Reads computing now.
    pub running: AtomicU64,
    /// Reads refused because the queue was full.
    pub refused: AtomicU64,
    /// Reads whose request was dropped (timed out, or its client left)
    /// before they finished: skipped in the queue, or stopped.
    pub cancelled: AtomicU64,
    /// Units of work done by every read ([`Cancel::steps`]).
    pub steps: AtomicU64,
}

/// A handle to the pool; cheap to clone. The threads end when the last
/// handle is dropped.
#[derive(Clone, Debug)]
pub struct ComputePool {
    jobs: SyncSender<Job>,
    stats: Arc<ComputeStats>,
}

impl ComputePool {
    /// Starts `limits.threads` threads (at least one) over a queue of
    /// `limits.queue` reads.
    ///
    /// # Panics
    /// When the operating system refuses a thread at start-up.
    #[must_use]
    pub fn new(limits: ComputeLimits) -> Self {
        let (jobs, queue) = sync_channel::<Job>(limits.queue);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..limits.threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("compute-{n}"))
                .spawn(move || work(&queue))
                .expect("the compute threads start");
        }
        Self {
            jobs,
            stats: Arc::default(),
        }
    }

    /// The pool's counters.
    #[must_use]
    pub fn stats(&self) -> &ComputeStats {
        &self.stats
    }

    /// Runs `read` on a pool thread and waits for its result without
    /// blocking an async worker. `read` gets the request's [`Cancel`] flag,
    /// raised if this future is dropped first.
    ///
    /// # Errors
    /// `503 compute-busy` when the queue is full, `503 unavailable` when the
    /// read panicked or the pool is gone.
    pub async fn run<T, F>(&self, read: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> T + Send + 'static,
    {
        let cancel = Arc::new(Cancel::default());
        let flag = Arc::clone(&cancel);
        let (answer, result) = tokio::sync::oneshot::channel();
        let stats = Arc::clone(&self.stats);
        let job: Job = Box::new(move || {
            if flag.is_cancelled() {
                stats.cancelled.fetch_add(1, Relaxed);
                return;
            }
            stats.running.fetch_add(1, Relaxed);
            let value = read(&flag);
            stats.steps.fetch_add(flag.steps(), Relaxed);
            if flag.is_cancelled() {
                stats.cancelled.fetch_add(1, Relaxed);
            }
            stats.running.fetch_sub(1, Relaxed);
            let _ = answer.send(value);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.stats.refused.fetch_add(1, Relaxed);
                return Err(busy());
            }
            Err(TrySendError::Disconnected(_)) => return Err(gone()),
        }
        let _raise = RaiseOnDrop(cancel);
        result.await.map_err(|_| gone())
    }
}

/// A pool thread: takes reads until every handle is dropped.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        // A read that panics loses its answer (its client gets 503), not
        // the thread.
        if std::panic::catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a compute read panicked");
        }
    }
}

/// Raises the flag when the waiting request is dropped, finished or not
/// (raising it after the read finished changes nothing).
struct RaiseOnDrop(Arc<Cancel>);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn busy() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "compute-busy",
        "Service unavailable",
        "too many royalty and license reads are waiting; retry shortly",
    )
    .retry_after(1)
}

fn gone() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Service unavailable",
        "the read could not be computed; retry shortly",
    )
    .retry_after(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_is_refused_and_a_dropped_read_is_cancelled() {
        let pool = ComputePool::new(ComputeLimits {
            threads: 1,
            queue: 1,
        });
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (stopped_tx, stopped_rx) = std::sync::mpsc::channel();
        // Occupies the one thread until cancelled.
        let running = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.run(move |cancel| {
                    started_tx.send(()).unwrap();
                    for _ in 0..60_000 {
                        if cancel.is_cancelled() {
                            stopped_tx.send(true).unwrap();
                            return;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    stopped_tx.send(false).unwrap();
                })
                .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        // Fills the queue.
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|_| 1).await })
        };
        // The test runs on one thread: yielding lets the queued read reach
        // the queue.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let refused = tokio::time::timeout(std::time::Duration::from_mins(1), pool.run(|_| 2))
            .await
            .expect("a full queue answers at once")
            .unwrap_err();
        assert_eq!(
            (refused.status(), refused.code()),
            (StatusCode::SERVICE_UNAVAILABLE, "compute-busy")
        );
        running.abort();
        let stopped = tokio::task::spawn_blocking(move || stopped_rx.recv().unwrap())
            .await
            .unwrap();
        assert!(stopped, "the dropped read saw its flag");
        assert_eq!(queued.await.unwrap().unwrap(), 1);
    }
}
