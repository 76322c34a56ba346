//! Accepting connections: limits on how many each client and all clients
//! may hold open, a deadline for a request's headers, and graceful
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

/// Connection limits.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once, all clients together.
    pub total: usize,
    /// Connections open at once from one IP address.
    pub per_client: usize,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            total: 4096,
            per_client: 512,
            header_timeout: Duration::from_secs(10),
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
    builder.http2().timer(TokioTimer::new());
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
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let mut req = req.map(Body::new);
                    req.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(req)
                });
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _slot = slot;
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, %peer, "connection ended");
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
