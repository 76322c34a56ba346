//! Accepting connections: limits on how many each client and all clients
//! may hold open, deadlines for a connection's first request, for idleness
//! and for answers the client does not read ([`crate::watch`]), HTTP/2
//! keep-alive pings and a cap on its concurrent streams, and graceful
//! shutdown.
//!
//! `axum::serve` has none of the limits, so connections are served here
//! with hyper directly. A connection over a limit is still read, so its
//! client hears why: it gets one `429` problem (`too-many-connections`) with
//! `Retry-After` and is closed, and never reaches the router. Each request
//! carries its peer's address ([`ConnectInfo`]) for the rate limiter.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

use crate::Problem;
use crate::watch::{Activity, Deadlines, Watched};

/// Default of [`ConnectionLimits::total`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default of [`ConnectionLimits::per_client`].
pub const DEFAULT_MAX_CLIENT_CONNECTIONS: usize = 512;
/// Default of [`ConnectionLimits::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ConnectionLimits::idle_timeout`]: longer than the default
/// request timeout, so a client that waits for one answer and then asks
/// again is not cut off.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_mins(1);
/// Default of [`ConnectionLimits::write_timeout`].
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`ConnectionLimits::keepalive_interval`].
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default of [`ConnectionLimits::max_streams`]: each stream may hold an
/// answer's chunk (up to about 512 KiB of an entry bundle) and hyper's send
/// buffer, so this bounds an HTTP/2 connection's memory.
pub const DEFAULT_MAX_STREAMS: u32 = 32;
/// How long an HTTP/2 keep-alive ping may go unanswered before the
/// connection is closed.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// Connection limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once, all clients together.
    pub total: usize,
    /// Connections open at once from one IP address.
    pub per_client: usize,
    /// How long a client may take to send a request's headers; also how
    /// long a new connection (HTTP/1 or HTTP/2) may take to send its first
    /// request.
    pub header_timeout: Duration,
    /// How long a connection may stay open with no request in progress.
    pub idle_timeout: Duration,
    /// How long an answer may make no progress (the client not reading it)
    /// before its connection is closed.
    pub write_timeout: Duration,
    /// How often an HTTP/2 connection is pinged, to find dead peers.
    pub keepalive_interval: Duration,
    /// Concurrent streams (requests) per HTTP/2 connection.
    pub max_streams: u32,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            total: DEFAULT_MAX_CONNECTIONS,
            per_client: DEFAULT_MAX_CLIENT_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            keepalive_interval: DEFAULT_KEEPALIVE_INTERVAL,
            max_streams: DEFAULT_MAX_STREAMS,
        }
    }
}

impl ConnectionLimits {
    fn deadlines(&self) -> Deadlines {
        Deadlines {
            first: self.header_timeout,
            idle: self.idle_timeout,
            write: self.write_timeout,
        }
    }
}

/// Connections over a limit answered `429` at once; beyond, they are closed.
const MAX_REFUSING: usize = 1024;

/// How long a connection over a limit has to send the request it is
/// refused.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Open connections, in all and per client.
#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// A slot taken by one open connection, given back when it closes.
struct Slot {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        c.total -= 1;
        if let Some(n) = c.per_client.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.per_client.remove(&self.ip);
            }
        }
    }
}

fn take_slot(counts: &Arc<Mutex<Counts>>, ip: IpAddr, limits: ConnectionLimits) -> Option<Slot> {
    let mut c = counts.lock().unwrap_or_else(PoisonError::into_inner);
    let mine = c.per_client.get(&ip).copied().unwrap_or(0);
    if c.total >= limits.total || mine >= limits.per_client {
        return None;
    }
    c.total += 1;
    *c.per_client.entry(ip).or_insert(0) += 1;
    Some(Slot {
        counts: Arc::clone(counts),
        ip,
    })
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open
/// requests finish. Accept errors (out of descriptors, say) are logged and
/// retried after a pause.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let refusing = Arc::new(AtomicUsize::new(0));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.keepalive_interval)
        .keep_alive_timeout(KEEPALIVE_TIMEOUT)
        .max_concurrent_streams(limits.max_streams);
    let deadlines = limits.deadlines();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        match take_slot(&counts, peer.ip(), limits) {
            Some(slot) => {
                let app = app.clone();
                let activity = Activity::new();
                let watched = Arc::clone(&activity);
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let open = watched.request();
                    let mut req = req.map(Body::new);
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let answer = app.clone().oneshot(req);
                    async move {
                        let response = answer.await?;
                        Ok::<_, Infallible>(response.map(|body| open.answer(body)))
                    }
                });
                let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
                let conn = builder.serve_connection_with_upgrades(io, service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _slot = slot;
                    tokio::select! {
                        ended = conn => {
                            if let Err(e) = ended {
                                tracing::debug!(error = %e, %peer, "connection ended");
                            }
                        }
                        why = activity.expired(deadlines) => {
                            tracing::debug!(%peer, deadline = why.as_str(), "connection closed: deadline passed");
                        }
                    }
                });
            }
            // Past the limit, answering costs a task and a descriptor per
            // connection, so only so many are answered at once; the rest
            // are closed unanswered.
            None if refusing.load(Ordering::Relaxed) < MAX_REFUSING => {
                refuse(&builder, stream, peer, Arc::clone(&refusing));
            }
            None => drop(stream),
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Answers one request on a connection over a limit with `429`, then closes.
fn refuse(
    builder: &Builder<TokioExecutor>,
    stream: TcpStream,
    peer: SocketAddr,
    refusing: Arc<AtomicUsize>,
) {
    tracing::debug!(%peer, "connection refused: too many connections");
    let service = hyper::service::service_fn(|_req: Request<Incoming>| async {
        let mut response = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-connections",
            "Too many connections",
            "this client, or all clients together, hold as many connections as the server allows; retry shortly",
        )
        .retry_after(1)
        .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        Ok::<_, Infallible>(response)
    });
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .into_owned();
    refusing.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        // One request at most: the response says `Connection: close`.
        let _ = tokio::time::timeout(REFUSAL_TIMEOUT, conn).await;
        refusing.fetch_sub(1, Ordering::Relaxed);
    });
}
