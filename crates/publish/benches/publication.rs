//! Publication's figures: entries per second published when catching up
//! with a log of 20,000 writes, and, at a steady write load, the lag from
//! a write's receipt to a published checkpoint covering it (p50, p99) and
//! the bucket requests per published entry. Against a directory always,
//! and against a real S3 server when moto is installed
//! (`provenant_testkit::moto`: `PROVENANT_MOTO_SERVER`, as `.ci/run` sets it).
//!
//! Run: `cargo bench --workspace --bench publication`
//! (`PROVENANT_BENCH_QUICK=1`: 5,000 writes and 5 s of steady load.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use provenant_ledger::{Ledger, LedgerConfig, RocksOptions, RocksStore};
use provenant_publish::{Bucket, Publisher, S3Options, Target};
use provenant_testkit::moto::MotoServer;

/// Entries written per tick of the steady load, and the tick.
const PER_TICK: usize = 20;
const TICK: Duration = Duration::from_millis(10);

fn ledger(dir: &std::path::Path) -> Ledger {
    let store = RocksStore::open(dir, &RocksOptions::default()).expect("store");
    let config = LedgerConfig {
        origin: "bench.example/provenant".into(),
        arbiters: Vec::new(),
        batch: provenant_ledger::sequencer::BatchConfig::default(),
    };
    Ledger::open(
        store,
        ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        config,
    )
    .expect("ledger")
}

/// Submits `count` registrations tagged `tag`, 1,024 at a time; the
/// receipts' indexes.
async fn write(ledger: &Ledger, tag: &str, count: usize) -> Vec<u64> {
    let creator = provenant_testkit::key(3);
    let mut indexes = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(1024) {
        let replies = join_all(chunk.iter().map(|i| {
            let env = provenant_testkit::register(
                format!("{tag}-{i}").as_bytes(),
                &[(&creator, 1_000_000)],
            );
            ledger.submit(env)
        }))
        .await;
        indexes.extend(replies.into_iter().map(|r| r.expect("written").0.index));
    }
    indexes
}

/// A fresh bucket `name` on `moto`, and the settings that reach it.
fn bucket_on(moto: &MotoServer, name: &str) -> (Target, S3Options) {
    moto.create_bucket(name);
    let options = S3Options {
        endpoint: Some(moto.endpoint()),
        region: Some("us-east-1".into()),
        access_key_id: Some("bench".into()),
        secret_access_key: Some("bench".into()),
        allow_http: Some(true),
    };
    (
        Target::parse(&format!("s3://{name}/log")).expect("target"),
        options,
    )
}

#[allow(clippy::cast_precision_loss)] // Rates for people.
async fn catch_up(name: &str, target: &Target, options: &S3Options, writes: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = ledger(dir.path());
    write(&ledger, "catch-up", writes).await;
    let size = ledger.head().size.0;
    let bucket = Bucket::open(target, options).expect("bucket");
    let mut publisher = Publisher::start(ledger.clone(), bucket)
        .await
        .expect("start");
    let started = Instant::now();
    publisher.round().await.expect("round");
    let seconds = started.elapsed().as_secs_f64();
    let requests = publisher.metrics().requests_sent();
    println!(
        "publication {name}: caught up with {size} entries in {seconds:.2} s: {:.0} entries/s, {:.4} requests per entry",
        size as f64 / seconds,
        requests as f64 / size as f64
    );
    ledger.close();
}

#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)] // Rates and percentiles for people.
async fn steady(name: &str, target: &Target, options: &S3Options, for_how_long: Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = ledger(dir.path());
    let bucket = Bucket::open(target, options).expect("bucket");
    let rounds = Publisher::start(ledger.clone(), bucket)
        .await
        .expect("start");
    let metrics = rounds.metrics().clone();
    let running = tokio::spawn(rounds.run());

    // Each receipt's index and when it came; each published size and when.
    let acks: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let published: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let watching = {
        let (metrics, published) = (metrics.clone(), published.clone());
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                let now = metrics.published();
                if now != last {
                    published.lock().expect("lock").push((now, Instant::now()));
                    last = now;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let started = Instant::now();
    let mut tick = 0u64;
    let mut ticker = tokio::time::interval(TICK);
    while started.elapsed() < for_how_long {
        ticker.tick().await;
        let indexes = write(&ledger, &format!("steady-{tick}"), PER_TICK).await;
        let at = Instant::now();
        acks.lock()
            .expect("lock")
            .extend(indexes.into_iter().map(|i| (i, at)));
        tick += 1;
    }
    let head = ledger.head().size.0;
    let waited = Instant::now();
    while metrics.published() < head && waited.elapsed() < Duration::from_mins(1) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    watching.abort();
    running.abort();

    let published = published.lock().expect("lock").clone();
    let mut lags: Vec<f64> = acks
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|(index, acked)| {
            published
                .iter()
                .find(|(size, _)| size > index)
                .map(|(_, at)| at.saturating_duration_since(*acked).as_secs_f64() * 1000.0)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    let at = |q: f64| lags[((lags.len() - 1) as f64 * q) as usize];
    let requests = metrics.requests_sent();
    println!(
        "publication {name}: steady load of {:.0} entries/s for {elapsed:.1} s: {head} entries published, {:.0} entries/s; lag from receipt to published checkpoint p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.3} requests per entry, {} rounds",
        (PER_TICK as f64) / TICK.as_secs_f64(),
        head as f64 / elapsed,
        at(0.5),
        at(0.99),
        at(1.0),
        requests as f64 / head as f64,
        published.len(),
    );
    ledger.close();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness-less benches.
    }
    let quick = std::env::var_os("PROVENANT_BENCH_QUICK").is_some();
    let (writes, steady_for) = if quick {
        (5_000, Duration::from_secs(5))
    } else {
        (20_000, Duration::from_secs(20))
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let moto = MotoServer::start();
    if moto.is_none() {
        println!("publication: no moto_server, the directory only");
    }
    runtime.block_on(async {
        for run in 0..2 {
            let dir = tempfile::tempdir().expect("tempdir");
            let (target, options) = (Target::Dir(dir.path().to_owned()), S3Options::default());
            if run == 0 {
                catch_up("to a directory", &target, &options, writes).await;
            } else {
                steady("to a directory", &target, &options, steady_for).await;
            }
            if let Some(moto) = &moto {
                let (target, options) = bucket_on(moto, &format!("bench-{run}"));
                if run == 0 {
                    catch_up("to S3 (moto)", &target, &options, writes).await;
                } else {
                    steady("to S3 (moto)", &target, &options, steady_for).await;
                }
            }
        }
    });
}
