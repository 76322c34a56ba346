//! `provenant serve`: the ledger on its embedded RocksDB store, over HTTP.
//!
//! Every setting is a flag with an environment variable, or a key of the
//! `--config` TOML file (see [`crate::settings`]); all are checked before
//! the server starts. `SIGTERM` or `SIGINT` stops accepting
//! connections, lets in-flight requests and the sequencer's queued batches
//! finish (each is written before it is answered), and exits 0.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;
use provenant_keyfile as keyfile;
use provenant_ledger::{Ledger, LedgerConfig, LedgerError, RocksOptions, RocksStore, SignerRecord};
use provenant_publish::{Bucket, Publisher, S3Options, Target};
use provenant_server::{Designs, Publication, app_designing};
use provenant_tlog::TreeSize;
use provenant_witnessing::{Witnessing, WitnessingConfig};

use crate::settings::{Given, Settings};

/// Run the ledger's HTTP service.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML file of settings; flags and environment variables win over it.
    #[arg(long, env = "PROVENANT_CONFIG")]
    config: Option<PathBuf>,
    /// Start on a store that is behind what the log's key last published
    /// (a restored backup, a wiped store), naming the store's size. The log
    /// is then served as it is and takes no writes: the key never signs a
    /// checkpoint that does not extend the one it published. A flag only
    /// (no variable, no file key), refused when the store is not behind.
    #[arg(long, value_name = "SIZE")]
    accept_rollback: Option<u64>,
    #[command(flatten)]
    given: Given,
}

/// Runs the server until a shutdown signal.
///
/// # Errors
/// Configuration, key, store and socket errors, as text for the operator.
pub fn run(args: ServeArgs) -> Result<String, String> {
    let settings = Settings::resolve(args.given, args.config.as_deref())?;
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| format!("data directory {}: {e}", settings.data_dir.display()))?;
    let key = if settings.key_file.exists() {
        keyfile::load(&settings.key_file)
    } else {
        keyfile::generate(&settings.key_file)
    }
    .map_err(|e| e.to_string())?;
    // Locked before the store is opened: a second server on this key file
    // stops here.
    let record = SignerRecord::open(&settings.signer_record).map_err(|e| e.to_string())?;
    let store = RocksStore::open(&settings.data_dir.join("rocksdb"), &RocksOptions::default())
        .map_err(|e| format!("opening the store: {e}"))?;
    let config = LedgerConfig {
        origin: settings.origin.clone(),
        arbiters: settings.arbiters.clone(),
        batch: settings.batch.clone(),
    };
    let accept = args.accept_rollback.map(TreeSize);
    let ledger =
        Ledger::open_with_record(store, key, config, record, accept).map_err(|e| match &e {
            LedgerError::Rollback { store_size, .. } => format!(
                "{e}; to serve this store read-only anyway, start with \
                 --accept-rollback {store_size} (docs/LEDGER.md, \"Rollbacks\")"
            ),
            _ => e.to_string(),
        })?;
    if accept.is_some() {
        tracing::warn!(
            size = ledger.head().size.0,
            "rollback accepted: serving the store as it is; writes are refused"
        );
    }
    if settings.signer_record.starts_with(&settings.data_dir) {
        tracing::warn!(
            record = %settings.signer_record.display(),
            "the signer record is inside the data directory: restoring the whole directory \
             from a backup would roll the record back too; keep the key file elsewhere \
             (--key-file) or never restore the record"
        );
    }
    let witnessing = settings
        .witness_policy
        .clone()
        .map(|policy| {
            let config =
                WitnessingConfig::new(policy, settings.witness_interval, ledger.verifier())
                    .map_err(|e| format!("witness policy: {e}"))?;
            Witnessing::new(ledger.clone(), config)
                .map_err(|e| format!("reading the witnessing record: {e}"))
        })
        .transpose()?;
    let designs = designs(&settings)?;
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        // Before the address is announced: a bucket that cannot be
        // published to stops the server here.
        let publisher = match &settings.publish {
            Some((target, options)) => Some(start_publishing(&ledger, target, options).await?),
            None => None,
        };
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| format!("listening on {}: {e}", settings.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line on stdout is the address, for scripts and tests.
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "listening on http://{addr}")
            .and_then(|()| {
                // The key a user pins in the page at `/`, or in any client,
                // to check this log's answers.
                writeln!(stdout, "log key {}", ledger.verifier().to_text())
            })
            .and_then(|()| stdout.flush());
        tracing::info!(%addr, origin = %settings.origin, size = ledger.head().size.0, "serving");
        // The rounds run beside the server and stop with it; a round cut
        // short loses nothing the record had.
        let rounds = witnessing.clone().map(|w| tokio::spawn(w.run()));
        let (publishing, publication) = Publishing::spawn(publisher);
        provenant_server::serve(
            listener,
            app_designing(
                ledger.clone(),
                settings.limits,
                &settings.page,
                witnessing,
                publication,
                &designs,
            ),
            settings.connections,
            shutdown(),
        )
        .await;
        if let Some(rounds) = rounds {
            rounds.abort();
        }
        publishing.finish().await;
        Ok::<(), String>(())
    })?;
    ledger.close();
    Ok(format!("stopped; log size {}", ledger.head().size))
}

/// Publication running beside the server, never on its write path, with
/// one last round once the server has stopped.
struct Publishing {
    stop: tokio::sync::oneshot::Sender<()>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Publishing {
    /// Starts `publisher`'s rounds; what the server shows of them.
    fn spawn(publisher: Option<Publisher>) -> (Self, Option<Publication>) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let publication = publisher.as_ref().map(|p| Publication {
            metrics: p.metrics().clone(),
            status: p.status().clone(),
        });
        let task = publisher.map(|p| {
            tokio::spawn(p.run_until(async {
                let _ = stopped.await;
            }))
        });
        (Self { stop, task }, publication)
    }

    /// Stops the rounds after their last one.
    async fn finish(self) {
        if let Some(task) = self.task {
            let _ = self.stop.send(());
            let _ = task.await;
        }
    }
}

/// A publisher of `ledger` to `target`, probed and checked against what
/// the bucket already holds.
async fn start_publishing(
    ledger: &Ledger,
    target: &Target,
    options: &S3Options,
) -> Result<Publisher, String> {
    let bucket =
        Bucket::open(target, options).map_err(|e| format!("publishing to {target}: {e}"))?;
    let publisher = Publisher::start(ledger.clone(), bucket)
        .await
        .map_err(|e| format!("publishing to {target}: {e}"))?;
    tracing::info!(
        %target,
        published = publisher.published_size().map(|s| s.0),
        "publishing the log's tiles"
    );
    Ok(publisher)
}

/// Resolves on `SIGINT` or `SIGTERM`.
pub(crate) async fn shutdown() {
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

/// Near-duplicate flags and Content Credentials as the settings say, and
/// without a C2PA chain given, this server's local test CA (in `c2pa/` in
/// the data directory, made on the first start like the log's key).
// A `Result` only with the `c2pa` feature (the local test CA may fail).
#[cfg_attr(not(feature = "c2pa"), allow(clippy::unnecessary_wraps))]
fn designs(settings: &Settings) -> Result<Designs, String> {
    #[cfg_attr(not(feature = "c2pa"), allow(unused_mut))]
    let mut designs = settings.designs.clone();
    #[cfg(feature = "c2pa")]
    if !designs.credentials.configured() {
        let dir = settings.data_dir.join("c2pa");
        designs.credentials = provenant_server::credential::Credentials::signed_by(
            crate::credential::local_issuer(&dir)?,
        );
        tracing::warn!(
            ca = %dir.join("ca.pem").display(),
            "Content Credentials are signed by this server's local test CA: valid, trusted only \
             by readers given its ca.pem; give a production chain with --c2pa-chain and --c2pa-key"
        );
    }
    Ok(designs)
}
