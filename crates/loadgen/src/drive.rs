//! Driving a server: a fixed number of requests or a fixed time, at a fixed
//! concurrency (closed loop) or a fixed rate (open loop). Latency in the
//! open loop runs from the moment a request was due, not when it was sent,
//! so a server that falls behind is not flattered (no coordinated omission).
//!
//! Each task keeps one HTTP/1.1 connection of its own and sends on it one
//! request after another, as `wrk` does: the load tool shares the cores
//! with the server, and a general client's pool, URL parsing and header
//! maps cost it as much CPU per request as the server spends on a health
//! check.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, header};
use hyper_util::rt::TokioIo;
use provenant_api::{self as api, Endpoint};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// One request to make.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Bytes>,
}

impl Call {
    /// A call of endpoint `E` at `path` (its route, or the path a builder
    /// of `provenant_api::routes` gave), with `body` already encoded as a
    /// JSON request of `E`: encoded once before the clock starts, so that
    /// encoding is never counted as server work.
    pub fn to<E: Endpoint>(path: String, body: Option<Bytes>) -> Call {
        let method = match E::ROUTE.method {
            api::Method::Get => Method::GET,
            api::Method::Post => Method::POST,
        };
        Call { method, path, body }
    }

    /// A call of endpoint `E`, whose request travels as the query string.
    pub fn query<E: Endpoint>(query: &E::Request) -> Call
    where
        E::Request: Serialize,
    {
        let query = serde_urlencoded::to_string(query)
            .unwrap_or_else(|e| panic!("a flat query encodes: {e}"));
        Call::to::<E>(format!("{}?{query}", E::ROUTE.path), None)
    }
}

/// How to pace the calls.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second (open loop); `None` sends as fast as the
    /// concurrency allows (closed loop).
    pub rate: Option<f64>,
    /// Stop after this long, even if calls remain.
    pub duration: Option<Duration>,
}

/// What a run measured.
pub struct Outcome {
    pub sent: u64,
    pub elapsed: Duration,
    /// Microseconds, successes only.
    pub latency: Histogram<u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub transport_errors: u64,
    /// Bodies of every `sample_every`-th success, for verification.
    pub samples: Vec<Vec<u8>>,
}

impl Outcome {
    fn empty() -> Outcome {
        Outcome {
            sent: 0,
            elapsed: Duration::ZERO,
            latency: new_histogram(),
            statuses: BTreeMap::new(),
            transport_errors: 0,
            samples: Vec::new(),
        }
    }
}

/// Sends call `i` for `i = 0, 1, ...` to `base` until `calls` returns
/// `None` or the duration is up; keeps every `sample_every`-th success's body.
pub async fn run(
    base: &str,
    calls: Arc<dyn Fn(u64) -> Option<Call> + Send + Sync>,
    pace: Pace,
    sample_every: u64,
) -> Outcome {
    let host: Arc<str> = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .into();
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = pace.duration.map(|d| start + d);
    let merged = Arc::new(Mutex::new(Outcome::empty()));
    let mut tasks = Vec::new();
    for _ in 0..pace.concurrency.max(1) {
        let (next, calls, merged, host) = (
            Arc::clone(&next),
            Arc::clone(&calls),
            Arc::clone(&merged),
            Arc::clone(&host),
        );
        tasks.push(tokio::spawn(async move {
            let mut mine = Outcome::empty();
            let mut conn: Option<SendRequest<Full<Bytes>>> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(call) = calls(i) else { break };
                let due = match pace.rate {
                    Some(rate) => {
                        #[allow(clippy::cast_precision_loss)] // Schedules, not sums.
                        let at = start + Duration::from_secs_f64(i as f64 / rate);
                        tokio::time::sleep_until(at.into()).await;
                        at
                    }
                    None => Instant::now(),
                };
                if deadline.is_some_and(|d| due >= d) {
                    break;
                }
                mine.sent += 1;
                let answer =
                    tokio::time::timeout(Duration::from_secs(30), send(&mut conn, &host, call))
                        .await;
                if let Ok(Ok((status, body))) = answer {
                    let micros = u64::try_from(due.elapsed().as_micros()).unwrap_or(u64::MAX);
                    *mine.statuses.entry(status).or_default() += 1;
                    if status < 400 {
                        let _ = mine.latency.record(micros.max(1));
                        if sample_every > 0 && i % sample_every == 0 {
                            mine.samples.push(body.to_vec());
                        }
                    }
                } else {
                    mine.transport_errors += 1;
                }
            }
            let mut all = merged.lock().await;
            all.sent += mine.sent;
            let _ = all.latency.add(&mine.latency);
            for (s, n) in mine.statuses {
                *all.statuses.entry(s).or_default() += n;
            }
            all.transport_errors += mine.transport_errors;
            all.samples.extend(mine.samples);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut out = std::mem::replace(&mut *merged.lock().await, Outcome::empty());
    out.elapsed = start.elapsed();
    out
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Sends `call` on the task's connection, opening one first when it has
/// none or the server closed it, and returns the status and the whole body.
/// After a failure the task has no connection, and the next call opens one.
async fn send(
    conn: &mut Option<SendRequest<Full<Bytes>>>,
    host: &str,
    call: Call,
) -> Result<(u16, Bytes), Failure> {
    let mut sender = match conn.take() {
        Some(mut s) => match s.ready().await {
            Ok(()) => s,
            Err(_) => connect(host).await?,
        },
        None => connect(host).await?,
    };
    let mut request = Request::builder()
        .method(call.method)
        .uri(call.path)
        .header(header::HOST, host);
    if call.body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request.body(Full::new(call.body.unwrap_or_default()))?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    *conn = Some(sender);
    Ok((status, body))
}

async fn connect(host: &str) -> Result<SendRequest<Full<Bytes>>, Failure> {
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    // Drives the connection until the sender is dropped or it fails.
    tokio::spawn(connection);
    sender.ready().await?;
    Ok(sender)
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs to 100 s, three significant figures.
    Histogram::new_with_bounds(1, 100_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    use super::*;

    /// A server on a free loopback port: `/ok` answers 200, `/echo` echoes
    /// its body, `/busy` answers 503, and `/close` answers 200 and closes
    /// the connection.
    async fn server() -> String {
        let app = Router::new()
            .route("/ok", get(|| async { "ok" }))
            .route("/echo", post(|body: Bytes| async move { body }))
            .route("/busy", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
            .route(
                "/close",
                get(|| async { ([(header::CONNECTION, "close")], "bye").into_response() }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    fn calls(count: u64, call: Call) -> Arc<dyn Fn(u64) -> Option<Call> + Send + Sync> {
        Arc::new(move |i| (i < count).then(|| call.clone()))
    }

    fn closed_loop(concurrency: usize) -> Pace {
        Pace {
            concurrency,
            rate: None,
            duration: None,
        }
    }

    fn get_call(path: &str) -> Call {
        Call {
            method: Method::GET,
            path: path.to_owned(),
            body: None,
        }
    }

    #[tokio::test]
    async fn counts_every_call_and_keeps_sampled_bodies() {
        let base = server().await;
        let echo = Call {
            method: Method::POST,
            path: "/echo".to_owned(),
            body: Some(Bytes::from_static(b"{\"n\":1}")),
        };
        let out = run(&base, calls(200, echo), closed_loop(8), 50).await;
        assert_eq!(out.sent, 200);
        assert_eq!(out.statuses.get(&200), Some(&200));
        assert_eq!(out.transport_errors, 0);
        assert_eq!(out.latency.len(), 200);
        assert_eq!(out.samples, vec![b"{\"n\":1}".to_vec(); 4]);

        let busy = run(&base, calls(30, get_call("/busy")), closed_loop(3), 1).await;
        assert_eq!(busy.statuses.get(&503), Some(&30));
        assert_eq!(busy.latency.len(), 0, "latency counts successes only");
        assert!(busy.samples.is_empty());
    }

    #[tokio::test]
    async fn reconnects_when_the_server_closes_the_connection() {
        let base = server().await;
        let out = run(&base, calls(50, get_call("/close")), closed_loop(2), 0).await;
        assert_eq!(out.sent, 50);
        assert_eq!(
            out.statuses.get(&200),
            Some(&50),
            "{out:?}",
            out = out.statuses
        );
        assert_eq!(out.transport_errors, 0);
    }

    #[tokio::test]
    async fn an_unreachable_server_is_counted_as_transport_errors() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let out = run(&base, calls(5, get_call("/ok")), closed_loop(1), 0).await;
        assert_eq!((out.sent, out.transport_errors), (5, 5));
    }

    #[tokio::test]
    async fn a_duration_stops_the_run() {
        let base = server().await;
        let pace = Pace {
            concurrency: 2,
            rate: Some(100.0),
            duration: Some(Duration::from_millis(300)),
        };
        let out = run(&base, calls(u64::MAX, get_call("/ok")), pace, 0).await;
        assert!(
            (20..=40).contains(&out.sent),
            "about 30 calls at 100/s in 0.3 s, sent {}",
            out.sent
        );
    }
}
