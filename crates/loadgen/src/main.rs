//! `provenant-loadgen`: drives a running Provenant server over HTTP on
//! loopback and reports throughput, latency percentiles and errors, against
//! the signature ceiling measured in the same run (the disk's ceiling is the
//! ledger's bench: `cargo bench -p provenant-ledger --bench ceiling`).
//!
//! Every `write` and `read` run first measures the HTTP floor (`/healthz`
//! at the same concurrency) and, for writes, the strict-verification
//! ceiling, and reports the run as a ratio to them, with the server's and
//! its own CPU microseconds per operation ([`cost`]).
//!
//! ```text
//! provenant-loadgen write --count 200000 --concurrency 256
//! provenant-loadgen write --count 200000 --concurrency 32 --batch 64
//! provenant-loadgen fill  --count 1000000
//! provenant-loadgen read  --kind proofs --designs 1000000 --duration 30
//! ```

mod ceiling;
mod cost;
mod drive;
mod prepare;
mod reads;
mod report;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand};
use provenant_api::routes::{GetLog, Health, SubmitBatch, SubmitEntry};
use provenant_api::{BatchAnswer, Endpoint as _, LogInfo};
use provenant_model::Envelope;
use provenant_tlog::NoteVerifier;

use ceiling::Method;
use drive::{Call, Pace};

/// Load for a Provenant server.
#[derive(Debug, Parser)]
#[command(name = "provenant-loadgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Signed writes (70% registrations, 15% grants, 15% production runs),
    /// each answered with a receipt; a sample of receipts verified offline.
    Write(WriteArgs),
    /// Registrations (and a grant on every tenth design) for `read` to use.
    Fill(FillArgs),
    /// License checks, design lookups, inclusion proofs or tiles.
    Read(ReadArgs),
}

#[derive(Debug, Args)]
struct Common {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Requests in flight.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Requests per second (open loop) [default: as fast as the concurrency allows].
    #[arg(long)]
    rate: Option<f64>,
    /// Stop after this many seconds.
    #[arg(long)]
    duration: Option<u64>,
    /// Names the run's keys and contents; use a new tag per run on one log.
    #[arg(long, default_value = "load")]
    tag: String,
}

impl Common {
    fn pace(&self) -> Pace {
        Pace {
            concurrency: self.concurrency,
            rate: self.rate,
            duration: self.duration.map(Duration::from_secs),
        }
    }
}

#[derive(Debug, Args)]
struct WriteArgs {
    #[command(flatten)]
    common: Common,
    /// Measured writes to prepare.
    #[arg(long, default_value_t = 100_000)]
    count: u64,
    /// Creator keys.
    #[arg(long, default_value_t = 1000)]
    keys: u64,
    /// Envelopes per request: 1 sends each to `POST /v1/entries`, more
    /// send them in batches to `POST /v1/entries/batch`.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Also measure Ed25519 batch verification of 64 at a time: a raw
    /// figure, not the server's check (see the ceiling module).
    #[arg(long)]
    raw_batch_ceiling: bool,
}

#[derive(Debug, Args)]
struct FillArgs {
    #[command(flatten)]
    common: Common,
    /// Designs to register.
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
    /// Creator keys.
    #[arg(long, default_value_t = 1000)]
    keys: u64,
}

#[derive(Debug, Args)]
struct ReadArgs {
    #[command(flatten)]
    common: Common,
    /// What to ask.
    #[arg(long, value_enum, default_value = "mix")]
    kind: reads::Kind,
    /// How many designs `fill` registered under this tag.
    #[arg(long, default_value_t = 1_000_000)]
    designs: u64,
    /// Requests to send (with no --duration).
    #[arg(long, default_value_t = 200_000)]
    count: u64,
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

async fn log_key(server: &str) -> Result<(NoteVerifier, u64), String> {
    let url = format!("{}{}", server.trim_end_matches('/'), GetLog::ROUTE.path);
    let info: LogInfo = reqwest::get(&url)
        .await
        .map_err(|e| format!("{url}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    Ok((info.verifier().map_err(|e| e.to_string())?, info.size))
}

/// An error unless every request got `expected`.
fn all_answered(name: &str, o: &drive::Outcome, expected: u16) -> Result<(), String> {
    let other: u64 = o
        .statuses
        .iter()
        .filter(|(s, _)| **s != expected)
        .map(|(_, n)| n)
        .sum();
    if other > 0 || o.transport_errors > 0 {
        return Err(format!(
            "{name}: {other} answers other than {expected}, {} transport errors",
            o.transport_errors
        ));
    }
    Ok(())
}

/// Calls that POST each prepared body once, in order.
fn posts(bodies: Vec<Vec<u8>>) -> Arc<dyn Fn(u64) -> Option<Call> + Send + Sync> {
    let bodies: Vec<Bytes> = bodies.into_iter().map(Bytes::from).collect();
    Arc::new(move |i| {
        let body = bodies.get(usize::try_from(i).ok()?)?;
        Some(Call::to::<SubmitEntry>(
            SubmitEntry::ROUTE.path.to_owned(),
            Some(body.clone()),
        ))
    })
}

/// Calls that POST the prepared envelopes `size` at a time as batches
/// (`{"envelopes": [...]}`, encoded before the clock starts), in order.
fn batch_posts(bodies: &[Vec<u8>], size: usize) -> Arc<dyn Fn(u64) -> Option<Call> + Send + Sync> {
    let batches: Vec<Bytes> = bodies
        .chunks(size.max(1))
        .map(|chunk| {
            let mut body = b"{\"envelopes\":[".to_vec();
            for (i, envelope) in chunk.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(envelope);
            }
            body.extend_from_slice(b"]}");
            Bytes::from(body)
        })
        .collect();
    Arc::new(move |i| {
        let body = batches.get(usize::try_from(i).ok()?)?;
        Some(Call::to::<SubmitBatch>(
            SubmitBatch::ROUTE.path.to_owned(),
            Some(body.clone()),
        ))
    })
}

/// The HTTP floor: `/healthz` for a few seconds at `pace`'s concurrency,
/// the cheapest request the server answers. Prints and returns its rate.
async fn floor(server: &str, pace: Pace) -> f64 {
    let health = Call::to::<Health>(Health::ROUTE.path.to_owned(), None);
    let calls: Arc<dyn Fn(u64) -> Option<Call> + Send + Sync> =
        Arc::new(move |_| Some(health.clone()));
    let pace = Pace {
        rate: None,
        duration: Some(Duration::from_secs(3)),
        ..pace
    };
    let before = cost::now(server).await;
    let outcome = drive::run(server, calls, pace, 0).await;
    let after = cost::now(server).await;
    report::print("HTTP floor (/healthz, same concurrency)", &outcome);
    println!("  {}", cost::per_op(before, after, outcome.latency.len()));
    report::throughput(&outcome)
}

/// Prints a run's rate as a share of the floor, and its CPU per operation.
fn against_floor(name: &str, rate: f64, floor: f64, per_op: cost::PerOp) {
    println!(
        "  {name} = {:.2} of the HTTP floor; {per_op}",
        rate / floor.max(1e-9)
    );
}

async fn write(args: WriteArgs) -> Result<(), String> {
    let c = &args.common;
    let (key, size) = log_key(&c.server).await?;
    println!("log at {} holds {size} entries", c.server);
    let started = std::time::Instant::now();
    let (setup, measured) = prepare::write_mix(&c.tag, args.count, args.keys, threads());
    println!(
        "prepared {} setup and {} measured envelopes in {:.1} s",
        setup.len(),
        measured.len(),
        started.elapsed().as_secs_f64()
    );
    let sample: Vec<Envelope> = measured
        .iter()
        .take(1024)
        .filter_map(|b| Envelope::from_json(b).ok())
        .collect();
    let signatures: usize = sample.iter().map(|e| e.signatures().len()).sum();
    #[allow(clippy::cast_precision_loss)] // A ratio for people.
    let per_entry = signatures as f64 / sample.len().max(1) as f64;

    let setup_pace = Pace {
        concurrency: 64,
        rate: None,
        duration: None,
    };
    let done = drive::run(&c.server, posts(setup), setup_pace, 0).await;
    if done.statuses.keys().any(|s| *s >= 400) || done.transport_errors > 0 {
        report::print("setup", &done);
        return Err("the setup writes failed; is the tag new on this log?".to_owned());
    }

    let floor = floor(&c.server, c.pace()).await;
    let second = Duration::from_secs(3);
    let ceiling = ceiling::verifications(&sample, threads(), Method::OneByOne, second) / per_entry;
    println!(
        "ceiling: Ed25519 on {} threads, one by one (the server's check): {ceiling:.0} entries/s",
        threads(),
    );
    if args.raw_batch_ceiling {
        let batched =
            ceiling::verifications(&sample, threads(), Method::RawBatch, second) / per_entry;
        println!("  in raw batches of 64 (not used by the server): {batched:.0} entries/s");
    }

    let before = cost::now(&c.server).await;
    let (entries, rate) = if args.batch > 1 {
        let outcome = drive::run(&c.server, batch_posts(&measured, args.batch), c.pace(), 1).await;
        report::print(
            &format!("batch writes ({} per request)", args.batch),
            &outcome,
        );
        all_answered("batch writes", &outcome, 200)?;
        let (entries, new) = batch_results(&outcome, &key)?;
        if new != entries {
            return Err(format!(
                "{} of {entries} batched envelopes were not new (201)",
                entries - new
            ));
        }
        #[allow(clippy::cast_precision_loss)] // Rates for people.
        let rate = entries as f64 / outcome.elapsed.as_secs_f64().max(1e-9);
        println!("  {entries} entries in batches = {rate:.0} entries/s");
        (entries, rate)
    } else {
        let outcome = drive::run(&c.server, posts(measured), c.pace(), 100).await;
        report::print("signed writes", &outcome);
        let (verified, sampled) = report::verify_receipts(&outcome, &key);
        // Every write must be new (201): a 200 (already logged) would
        // inflate the figure.
        all_answered("signed writes", &outcome, 201)?;
        if verified != sampled {
            return Err(format!(
                "{} sampled receipts do not verify",
                sampled - verified
            ));
        }
        (outcome.latency.len(), report::throughput(&outcome))
    };
    let after = cost::now(&c.server).await;
    against_floor("writes", rate, floor, cost::per_op(before, after, entries));
    println!(
        "  {per_entry:.2} signatures per entry: {:.0} signature verifications/s in the server; \
         {:.3} of the strict-verification ceiling",
        rate * per_entry,
        rate / ceiling.max(1e-9)
    );
    println!("  the disk's ceiling: cargo bench -p provenant-ledger --bench ceiling");
    Ok(())
}

/// Every batch answer's results: how many envelopes they answered and how
/// many were new (`201`); the first receipt of every tenth answer is
/// verified offline.
fn batch_results(o: &drive::Outcome, key: &NoteVerifier) -> Result<(u64, u64), String> {
    let (mut entries, mut new, mut verified, mut sampled) = (0u64, 0u64, 0usize, 0usize);
    for (i, body) in o.samples.iter().enumerate() {
        let answer: BatchAnswer =
            serde_json::from_slice(body).map_err(|e| format!("a batch answer: {e}"))?;
        entries += answer.results.len() as u64;
        new += answer.results.iter().filter(|r| r.status == 201).count() as u64;
        if i % 10 == 0
            && let Some(receipt) = answer.results.first().and_then(|r| r.receipt.as_ref())
        {
            sampled += 1;
            verified += usize::from(provenant_api::verify_receipt(receipt, key).is_ok());
        }
    }
    println!("  receipts verified offline: {verified} of {sampled} sampled");
    if verified != sampled {
        return Err(format!(
            "{} sampled receipts do not verify",
            sampled - verified
        ));
    }
    Ok((entries, new))
}

async fn fill(args: FillArgs) -> Result<(), String> {
    let c = &args.common;
    let bodies = prepare::fill(&c.tag, args.count, args.keys, threads());
    println!("prepared {} envelopes", bodies.len());
    let outcome = drive::run(&c.server, posts(bodies), c.pace(), 0).await;
    report::print("fill", &outcome);
    all_answered("fill", &outcome, 201)
}

async fn read(args: ReadArgs) -> Result<(), String> {
    let c = &args.common;
    let (_, size) = log_key(&c.server).await?;
    let calls = reads::calls(args.kind, &c.tag, args.designs, size, args.count);
    let pace = c.pace();
    let floor = floor(&c.server, pace).await;
    let before = cost::now(&c.server).await;
    let outcome = drive::run(&c.server, calls, pace, 0).await;
    let after = cost::now(&c.server).await;
    report::print(
        &format!("reads ({:?}) on a log of {size}", args.kind),
        &outcome,
    );
    against_floor(
        "reads",
        report::throughput(&outcome),
        floor,
        cost::per_op(before, after, outcome.latency.len()),
    );
    all_answered("reads", &outcome, 200)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Write(args) => write(args).await,
            Command::Fill(args) => fill(args).await,
            Command::Read(args) => read(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
