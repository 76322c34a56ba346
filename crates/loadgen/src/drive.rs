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
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// One request to make.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Bytes>,
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
                    // The connection may be broken: the next call opens another.
                    conn = None;
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
/// none, and returns the status and the whole body.
async fn send(
    conn: &mut Option<SendRequest<Full<Bytes>>>,
    host: &str,
    call: Call,
) -> Result<(u16, Bytes), Failure> {
    let sender = match conn {
        Some(s) if !s.is_closed() => s,
        _ => conn.insert(connect(host).await?),
    };
    sender.ready().await?;
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
    Ok((status, body))
}

async fn connect(host: &str) -> Result<SendRequest<Full<Bytes>>, Failure> {
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    // Drives the connection until the sender is dropped or it fails.
    tokio::spawn(connection);
    Ok(sender)
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs to 100 s, three significant figures.
    Histogram::new_with_bounds(1, 100_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}
