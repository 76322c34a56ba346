//! `provenant serve`: the ledger on its embedded RocksDB store, over HTTP.
//!
//! Every setting is a flag with an environment variable; all are checked
//! before the server starts. `SIGTERM` or `SIGINT` stops accepting
//! connections, lets in-flight requests and the sequencer's queued batches
//! finish (each is written before it is answered), and exits 0.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, RocksOptions, RocksStore, keyfile};
use provenant_model::Identity;
use provenant_server::{Limits, app};

/// Run the ledger's HTTP service.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PROVENANT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the RocksDB store (created when missing).
    #[arg(long, env = "PROVENANT_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// The log's origin line, also its checkpoint key name.
    #[arg(long, env = "PROVENANT_ORIGIN", default_value = "localhost/provenant")]
    origin: String,
    /// The log's signing key (PKCS#8 PEM); generated on first start when
    /// absent. Default: `log-key.pem` in the data directory.
    #[arg(long, env = "PROVENANT_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// A key allowed to resolve disputes (repeatable).
    #[arg(long = "arbiter", env = "PROVENANT_ARBITERS", value_delimiter = ',')]
    arbiters: Vec<Identity>,
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "PROVENANT_BODY_LIMIT", default_value_t = 1 << 20)]
    body_limit: usize,
    /// Request timeout, in seconds.
    #[arg(long, env = "PROVENANT_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// Most envelopes per batch.
    #[arg(long, env = "PROVENANT_MAX_BATCH", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    max_batch: u64,
    /// Time to gather a batch after its first envelope, in milliseconds.
    #[arg(long, env = "PROVENANT_BATCH_BUDGET_MS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=1000))]
    batch_budget_ms: u64,
    /// Envelopes that may wait; beyond it clients get 503.
    #[arg(long, env = "PROVENANT_QUEUE", default_value_t = 16_384, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    queue: u64,
}

/// Runs the server until a shutdown signal.
///
/// # Errors
/// Configuration, key, store and socket errors, as text for the operator.
pub fn run(args: &ServeArgs) -> Result<String, String> {
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("data directory {}: {e}", args.data_dir.display()))?;
    let key_path = args
        .key_file
        .clone()
        .unwrap_or_else(|| args.data_dir.join("log-key.pem"));
    let key = if key_path.exists() {
        keyfile::load(&key_path)
    } else {
        keyfile::generate(&key_path)
    }
    .map_err(|e| e.to_string())?;
    let store = RocksStore::open(&args.data_dir.join("rocksdb"), &RocksOptions::default())
        .map_err(|e| format!("opening the store: {e}"))?;
    let config = LedgerConfig {
        origin: args.origin.clone(),
        arbiters: args.arbiters.clone(),
        batch: BatchConfig {
            max_batch: usize::try_from(args.max_batch).unwrap_or(1024),
            batch_budget: Duration::from_millis(args.batch_budget_ms),
            queue_capacity: usize::try_from(args.queue).unwrap_or(16_384),
            ..BatchConfig::default()
        },
    };
    let ledger = Ledger::open(store, key, config).map_err(|e| e.to_string())?;
    let limits = Limits {
        body_bytes: args.body_limit,
        timeout: Duration::from_secs(args.request_timeout),
    };
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("listening on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line on stdout is the address, for scripts and tests.
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "listening on http://{addr}").and_then(|()| stdout.flush());
        tracing::info!(%addr, origin = %args.origin, size = ledger.head().size.0, "serving");
        axum::serve(listener, app(ledger.clone(), limits))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| format!("serving: {e}"))
    })?;
    ledger.close();
    Ok(format!("stopped; log size {}", ledger.head().size))
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    let Ok(mut terminate) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        let _ = interrupt.await;
        return;
    };
    tokio::select! {
        _ = interrupt => {},
        _ = terminate.recv() => {},
    }
}
