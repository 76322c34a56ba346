//! Deadlines on one connection, kept by a watchdog that closes it (by
//! dropping it) when one passes.
//!
//! hyper's header timeout covers HTTP/1 only, and only once a request has
//! begun; nothing in hyper closes a socket that never speaks, a torn
//! HTTP/2 preface, an HTTP/2 connection that answers pings and sends no
//! request, or a client that stops reading in the middle of an answer.
//! Each of these holds a connection slot (and, for the last, the answer's
//! buffers) for as long as the client likes. The deadlines:
//!
//! | while | the connection is closed |
//! |---|---|
//! | no request has arrived | `first` after it was accepted |
//! | no request is open | `idle` after the last answer ended |
//! | a write to the socket is blocked | `write` after it blocked |
//! | an answer's body is not asked for its next chunk | `write` after the last one |
//!
//! A request is open from the moment its head reaches the service until its
//! answer's body has been sent or dropped. The last rule catches an HTTP/2
//! client that keeps its socket drained but grants no flow-control window.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::body::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The deadlines of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    /// From accepting the connection to its first request's headers.
    pub first: Duration,
    /// Between requests: from the end of an answer to the next request.
    pub idle: Duration,
    /// How long a blocked write or a waiting answer body may make no
    /// progress.
    pub write: Duration,
}

/// Why a watchdog closed its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expired {
    /// No request arrived in time.
    First,
    /// No new request arrived in time after the last answer.
    Idle,
    /// The client did not read the answer in time.
    Write,
}

impl Expired {
    /// A label for logs and metrics.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Expired::First => "first-request",
            Expired::Idle => "idle",
            Expired::Write => "write",
        }
    }
}

struct State {
    accepted: Instant,
    started: bool,
    open: usize,
    idle_since: Instant,
    streaming: usize,
    body_progress: Instant,
    write_blocked: Option<Instant>,
}

/// What one connection is doing, as the watchdog needs to know it.
pub struct Activity {
    state: Mutex<State>,
    /// Woken when a new, possibly earlier, deadline starts to run.
    changed: Notify,
}

impl Activity {
    /// A connection accepted now.
    #[must_use]
    pub fn new() -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            state: Mutex::new(State {
                accepted: now,
                started: false,
                open: 0,
                idle_since: now,
                streaming: 0,
                body_progress: now,
                write_blocked: None,
            }),
            changed: Notify::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request has arrived; it is open until the returned guard (kept by
    /// the answer's body, see [`OpenRequest::answer`]) is dropped.
    #[must_use]
    pub fn request(self: &Arc<Self>) -> OpenRequest {
        let mut s = self.state();
        s.started = true;
        s.open += 1;
        OpenRequest {
            activity: Arc::clone(self),
            streaming: false,
        }
    }

    fn wrote(&self, blocked: bool) {
        let mut s = self.state();
        match (blocked, s.write_blocked) {
            (true, None) => {
                s.write_blocked = Some(Instant::now());
                drop(s);
                self.changed.notify_one();
            }
            (false, Some(_)) => s.write_blocked = None,
            _ => {}
        }
    }

    /// The earliest deadline that applies now, if any.
    fn deadline(&self, d: &Deadlines) -> Option<(Instant, Expired)> {
        let s = self.state();
        let mut next: Option<(Instant, Expired)> = None;
        let mut consider = |at: Instant, why| {
            if next.is_none_or(|(n, _)| at < n) {
                next = Some((at, why));
            }
        };
        if !s.started {
            consider(s.accepted + d.first, Expired::First);
        } else if s.open == 0 {
            consider(s.idle_since + d.idle, Expired::Idle);
        }
        if let Some(t) = s.write_blocked {
            consider(t + d.write, Expired::Write);
        }
        if s.streaming > 0 {
            consider(s.body_progress + d.write, Expired::Write);
        }
        next
    }

    /// Waits until a deadline passes, and says which. Runs beside the
    /// connection; the caller drops the connection when this returns.
    pub async fn expired(&self, d: Deadlines) -> Expired {
        loop {
            let changed = self.changed.notified();
            match self.deadline(&d) {
                Some((at, why)) if at <= Instant::now() => return why,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// An open request; dropping it ends it.
pub struct OpenRequest {
    activity: Arc<Activity>,
    streaming: bool,
}

impl OpenRequest {
    /// The answer's body, which keeps the request open until it has been
    /// sent (or dropped) and records each chunk taken from it as progress.
    pub fn answer(mut self, body: Body) -> Body {
        {
            let mut s = self.activity.state();
            s.streaming += 1;
            s.body_progress = Instant::now();
        }
        self.streaming = true;
        self.activity.changed.notify_one();
        Body::new(Answer {
            body,
            request: self,
        })
    }
}

impl Drop for OpenRequest {
    fn drop(&mut self) {
        let mut s = self.activity.state();
        s.open = s.open.saturating_sub(1);
        if self.streaming {
            s.streaming = s.streaming.saturating_sub(1);
        }
        if s.open == 0 {
            s.idle_since = Instant::now();
            drop(s);
            self.activity.changed.notify_one();
        }
    }
}

/// An answer's body that reports its progress.
struct Answer {
    body: Body,
    request: OpenRequest,
}

impl HttpBody for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(_))) = &polled {
            self.request.activity.state().body_progress = Instant::now();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A socket that reports when its writes block and unblock.
pub struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl Watched {
    /// Watches `stream` for `activity`.
    #[must_use]
    pub fn new(stream: TcpStream, activity: Arc<Activity>) -> Self {
        Self { stream, activity }
    }

    fn record<T>(&self, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        self.activity.wrote(polled.is_pending());
        polled
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.record(polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.record(polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Deadlines = Deadlines {
        first: Duration::from_secs(1),
        idle: Duration::from_secs(2),
        write: Duration::from_secs(3),
    };

    /// The deadline that applies to `activity` now: whole seconds from now
    /// (rounded, the state having just changed) and which one.
    fn next(activity: &Activity) -> Option<(u64, Expired)> {
        activity.deadline(&D).map(|(at, why)| {
            let left = at.saturating_duration_since(Instant::now());
            ((left + Duration::from_millis(500)).as_secs(), why)
        })
    }

    #[test]
    fn each_state_has_its_deadline() {
        // Nothing said: the first request's deadline.
        let a = Activity::new();
        assert_eq!(next(&a), Some((1, Expired::First)));

        // A request being answered has none; its body, the write deadline;
        // after it, the idle one.
        let a = Activity::new();
        let open = a.request();
        assert_eq!(next(&a), None);
        let body = open.answer(Body::from("answer"));
        assert_eq!(next(&a), Some((3, Expired::Write)));
        drop(body);
        assert_eq!(next(&a), Some((2, Expired::Idle)));

        // A write that blocks, even with a request open.
        let a = Activity::new();
        let _open = a.request();
        a.wrote(true);
        assert_eq!(next(&a), Some((3, Expired::Write)));
        a.wrote(false);
        assert_eq!(next(&a), None);
    }

    #[tokio::test]
    async fn a_new_deadline_wakes_the_watchdog() {
        // The watchdog sleeps toward the idle deadline (a minute); a write
        // that blocks after 50 ms must close the connection at its own
        // deadline (200 ms later), not at the idle one.
        let a = Activity::new();
        drop(a.request());
        let t = Instant::now();
        let watchdog = a.expired(Deadlines {
            first: Duration::from_mins(1),
            idle: Duration::from_mins(1),
            write: Duration::from_millis(200),
        });
        let blocker = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _open = a.request();
            a.wrote(true);
            std::future::pending::<()>().await;
        };
        tokio::select! {
            why = watchdog => {
                assert_eq!(why, Expired::Write);
                let waited = t.elapsed();
                assert!(waited >= Duration::from_millis(250), "{waited:?}");
                assert!(waited < Duration::from_secs(30), "{waited:?}");
            }
            () = blocker => unreachable!(),
        }
    }
}
