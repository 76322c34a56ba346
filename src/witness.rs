//! `provenant witness`: a C2SP tlog-witness for any log whose checkpoints
//! it can verify (`provenant_witness`), over HTTP.
//!
//! Its key is an Ed25519 key file like the log's, generated on first
//! start; its state is one file per log in the data directory, which one
//! process holds at a time. `SIGTERM` or `SIGINT` stops accepting
//! connections, lets in-flight requests finish, and exits 0.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

use clap::Args;
use provenant_keyfile as keyfile;
use provenant_server::ConnectionLimits;
use provenant_witness::config::{merge, parse_log, parse_logs_file};
use provenant_witness::{Witness, WitnessConfig, app};

/// The address served unless configured (litewitness's port).
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7380));
/// The key file, in the data directory, unless configured.
pub const DEFAULT_KEY_FILE_NAME: &str = "witness-key.pem";

/// Run a witness: cosign the checkpoints of the logs it follows when they
/// are consistent with every checkpoint it cosigned before.
#[derive(Debug, Args)]
pub struct WitnessArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PROVENANT_WITNESS_LISTEN", default_value_t = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Directory of the witness's state (one file per log) and, by
    /// default, its key.
    #[arg(
        long,
        env = "PROVENANT_WITNESS_DATA_DIR",
        default_value = "./witness-data"
    )]
    data_dir: PathBuf,
    /// The witness's Ed25519 signing key (PKCS#8 PEM), generated on first
    /// start when absent [default: witness-key.pem in the data directory].
    #[arg(long, env = "PROVENANT_WITNESS_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// The witness's name: its cosignatures' key name, what policies name
    /// it by (a schema-less URL, e.g. `witness.example/w1`).
    #[arg(long, env = "PROVENANT_WITNESS_NAME")]
    name: String,
    /// A log to follow: its checkpoint verifier key (the vkey `provenant
    /// serve` prints, whose name is the log's origin), and with `--replay`
    /// the log's URL after a space. Repeat for more logs.
    #[arg(long = "log", value_name = "VKEY [URL]")]
    logs: Vec<String>,
    /// A C2SP tlog-policy file whose `log <vkey> [<url>]` lines are logs to
    /// follow (its other lines are skipped).
    #[arg(long, value_name = "FILE")]
    logs_file: Option<PathBuf>,
    /// Before cosigning, read each log's new entries from its URL and
    /// re-validate them with the ledger's rules; refuse on any failure.
    #[arg(long)]
    replay: bool,
}

/// Runs the witness until a shutdown signal.
///
/// # Errors
/// Flags, key, state directory and socket errors, as text for the operator.
pub fn run(args: WitnessArgs) -> Result<String, String> {
    let mut logs = Vec::new();
    if let Some(path) = &args.logs_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        logs = parse_logs_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for value in &args.logs {
        logs.push(parse_log(value).map_err(|e| format!("--log {value:?}: {e}"))?);
    }
    let logs = merge(logs).map_err(|e| e.to_string())?;
    if logs.is_empty() {
        return Err("no log to follow: give --log or --logs-file".to_owned());
    }
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("data directory {}: {e}", args.data_dir.display()))?;
    let key_file = args
        .key_file
        .unwrap_or_else(|| args.data_dir.join(DEFAULT_KEY_FILE_NAME));
    let key = if key_file.exists() {
        keyfile::load(&key_file)
    } else {
        keyfile::generate(&key_file)
    }
    .map_err(|e| e.to_string())?;
    let (listen, replay) = (args.listen, args.replay);
    let config = WitnessConfig { logs, replay };
    let witness =
        Witness::open(&args.data_dir, &args.name, key, config).map_err(|e| e.to_string())?;
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("listening on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line on stdout is the address, for scripts and tests;
        // the second the vkey that policies name this witness by.
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "listening on http://{addr}")
            .and_then(|()| writeln!(stdout, "witness key {}", witness.verifier().to_text()))
            .and_then(|()| stdout.flush());
        for origin in witness.origins() {
            tracing::info!(%origin, size = witness.size(origin).map_or(0, |s| s.0), "following");
        }
        tracing::info!(%addr, replay, "witnessing");
        provenant_server::serve(
            listener,
            app(witness.clone()),
            ConnectionLimits::default(),
            crate::serve::shutdown(),
        )
        .await;
        Ok::<(), String>(())
    })?;
    Ok("stopped".to_owned())
}
