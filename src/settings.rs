//! The server's settings: flags, environment variables and an optional
//! TOML file, merged and checked before anything starts.
//!
//! A flag (or its `PROVENANT_*` variable) wins over the file, and the file
//! over the default. The file uses the flags' names in snake case:
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! data_dir = "/var/lib/provenant"
//! origin = "ledger.example.com/provenant"
//! arbiters = ["ed25519:..."]
//! max_batch = 1024
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use provenant_model::Identity;
use provenant_server::compute::{DEFAULT_COMPUTE_QUEUE, default_compute_threads};
use provenant_server::{ComputeLimits, ConnectionLimits, RateLimit};
use serde::Deserialize;

/// Settings as given by flags or a file: each may be absent.
#[derive(Debug, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// Address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080].
    #[arg(long, env = "PROVENANT_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory of the store and, by default, the log's key [default: ./data].
    #[arg(long, env = "PROVENANT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The log's origin line, also its checkpoint key name [default: localhost/provenant].
    #[arg(long, env = "PROVENANT_ORIGIN")]
    pub origin: Option<String>,
    /// The log's signing key (PKCS#8 PEM), generated on first start when
    /// absent [default: log-key.pem in the data directory].
    #[arg(long, env = "PROVENANT_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// The signer's record of the last checkpoint it published, kept apart
    /// from the store so that a restored or wiped store cannot make the
    /// log sign a fork; locked while the server runs [default: the key
    /// file's path with `.signed` appended].
    #[arg(long, env = "PROVENANT_SIGNER_RECORD")]
    pub signer_record: Option<PathBuf>,
    /// Keys allowed to resolve disputes (repeat the flag, or separate with
    /// commas). Without any, the ledger accepts no dispute at all: nobody
    /// could resolve one, so it would block the design for good.
    #[arg(long = "arbiter", env = "PROVENANT_ARBITERS", value_delimiter = ',')]
    #[serde(default)]
    pub arbiters: Vec<Identity>,
    /// Largest JSON request body, in bytes [default: 1048576].
    #[arg(long, env = "PROVENANT_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// Largest upload `POST /v1/designs/identify` hashes, in bytes [default: 268435456].
    #[arg(long, env = "PROVENANT_UPLOAD_LIMIT")]
    pub upload_limit: Option<u64>,
    /// Request timeout, in seconds [default: 30].
    #[arg(long, env = "PROVENANT_REQUEST_TIMEOUT")]
    pub request_timeout: Option<u64>,
    /// Most envelopes per batch, 1 to 65536 [default: 1024].
    #[arg(long, env = "PROVENANT_MAX_BATCH")]
    pub max_batch: Option<usize>,
    /// Time to gather a batch after its first envelope, 0 to 1000 ms [default: 2].
    #[arg(long, env = "PROVENANT_BATCH_BUDGET_MS")]
    pub batch_budget_ms: Option<u64>,
    /// Envelopes that may wait before clients get 503, 1 to 1000000 [default: 16384].
    #[arg(long, env = "PROVENANT_QUEUE")]
    pub queue: Option<usize>,
    /// Longest pause while a client sends a body before it gets 408, in
    /// seconds [default: 10].
    #[arg(long, env = "PROVENANT_BODY_TIMEOUT")]
    pub body_timeout: Option<u64>,
    /// Longest time a client may take to send a request's headers, in
    /// seconds [default: 10].
    #[arg(long, env = "PROVENANT_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,
    /// Requests per second per client IP address before 429; 0 for no
    /// limit [default: 0].
    #[arg(long, env = "PROVENANT_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// Requests a client may make at once above its rate [default: twice the rate].
    #[arg(long, env = "PROVENANT_RATE_BURST")]
    pub rate_burst: Option<u32>,
    /// Connections open at once, all clients together [default: 4096].
    #[arg(long, env = "PROVENANT_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Connections open at once per client IP address [default: 512].
    #[arg(long, env = "PROVENANT_MAX_CLIENT_CONNECTIONS")]
    pub max_client_connections: Option<usize>,
    /// Longest time a connection may stay open with no request in
    /// progress, in seconds [default: 60].
    #[arg(long, env = "PROVENANT_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Longest time an answer may make no progress because the client does
    /// not read it, before the connection is closed, in seconds [default: 30].
    #[arg(long, env = "PROVENANT_WRITE_TIMEOUT")]
    pub write_timeout: Option<u64>,
    /// Seconds between HTTP/2 keep-alive pings; a peer that does not answer
    /// one within 20 seconds is disconnected [default: 30].
    #[arg(long, env = "PROVENANT_KEEPALIVE_INTERVAL")]
    pub keepalive_interval: Option<u64>,
    /// Concurrent requests (streams) per HTTP/2 connection, 1 to 1024 [default: 32].
    #[arg(long, env = "PROVENANT_MAX_STREAMS")]
    pub max_streams: Option<u32>,
    /// Threads computing royalty splits, statements and license checks,
    /// 1 to 256 [default: one per core].
    #[arg(long, env = "PROVENANT_COMPUTE_THREADS")]
    pub compute_threads: Option<usize>,
    /// Royalty and license reads that may wait for a compute thread before
    /// clients get 503, 0 to 100000 [default: 1024].
    #[arg(long, env = "PROVENANT_COMPUTE_QUEUE")]
    pub compute_queue: Option<usize>,
}

/// The checked settings the server runs with.
#[derive(Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub origin: String,
    pub key_file: PathBuf,
    pub signer_record: PathBuf,
    pub arbiters: Vec<Identity>,
    pub body_limit: usize,
    pub upload_limit: u64,
    pub request_timeout: Duration,
    pub max_batch: usize,
    pub batch_budget: Duration,
    pub queue: usize,
    pub body_timeout: Duration,
    pub rate: Option<RateLimit>,
    pub connections: ConnectionLimits,
    pub compute: ComputeLimits,
}

fn within<T: PartialOrd + std::fmt::Display + Copy>(
    name: &str,
    value: T,
    lo: T,
    hi: T,
) -> Result<T, String> {
    if value < lo || value > hi {
        Err(format!("{name} must be between {lo} and {hi}, not {value}"))
    } else {
        Ok(value)
    }
}

impl Settings {
    /// Merges `flags` over the file at `file` (when given) over defaults,
    /// and checks every value.
    ///
    /// # Errors
    /// An unreadable or malformed file, an unknown key, or a value out of
    /// range, each named.
    pub fn resolve(flags: Given, file: Option<&Path>) -> Result<Self, String> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("config file {}: {e}", path.display()))?;
                toml::from_str::<Given>(&text)
                    .map_err(|e| format!("config file {}: {e}", path.display()))?
            }
            None => Given::default(),
        };
        let abuse = Abuse::resolve(&flags, &from_file)?;
        let compute = compute_limits(&flags, &from_file)?;
        let data_dir = flags
            .data_dir
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let key_file = flags
            .key_file
            .or(from_file.key_file)
            .unwrap_or_else(|| data_dir.join("log-key.pem"));
        let signer_record = flags
            .signer_record
            .or(from_file.signer_record)
            .unwrap_or_else(|| provenant_ledger::SignerRecord::beside(&key_file));
        let origin = flags
            .origin
            .or(from_file.origin)
            .unwrap_or_else(|| "localhost/provenant".to_owned());
        if origin.is_empty() || origin.chars().any(|c| c.is_whitespace() || c == '+') {
            return Err(format!(
                "origin {origin:?} must be non-empty, without spaces or '+'"
            ));
        }
        let arbiters = if flags.arbiters.is_empty() {
            from_file.arbiters
        } else {
            flags.arbiters
        };
        Ok(Self {
            listen: flags
                .listen
                .or(from_file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir,
            origin,
            key_file,
            signer_record,
            arbiters,
            body_limit: within(
                "body_limit",
                flags.body_limit.or(from_file.body_limit).unwrap_or(1 << 20),
                1024,
                64 << 20,
            )?,
            upload_limit: within(
                "upload_limit",
                flags
                    .upload_limit
                    .or(from_file.upload_limit)
                    .unwrap_or(256 << 20),
                1,
                1 << 40,
            )?,
            request_timeout: Duration::from_secs(within(
                "request_timeout",
                flags
                    .request_timeout
                    .or(from_file.request_timeout)
                    .unwrap_or(30),
                1,
                3600,
            )?),
            max_batch: within(
                "max_batch",
                flags.max_batch.or(from_file.max_batch).unwrap_or(1024),
                1,
                65_536,
            )?,
            batch_budget: Duration::from_millis(within(
                "batch_budget_ms",
                flags
                    .batch_budget_ms
                    .or(from_file.batch_budget_ms)
                    .unwrap_or(2),
                0,
                1000,
            )?),
            queue: within(
                "queue",
                flags.queue.or(from_file.queue).unwrap_or(16_384),
                1,
                1_000_000,
            )?,
            body_timeout: abuse.body_timeout,
            rate: abuse.rate,
            connections: abuse.connections,
            compute,
        })
    }
}

/// The compute pool's size.
fn compute_limits(flags: &Given, file: &Given) -> Result<ComputeLimits, String> {
    Ok(ComputeLimits {
        threads: within(
            "compute_threads",
            flags
                .compute_threads
                .or(file.compute_threads)
                .unwrap_or_else(default_compute_threads),
            1,
            256,
        )?,
        queue: within(
            "compute_queue",
            flags
                .compute_queue
                .or(file.compute_queue)
                .unwrap_or(DEFAULT_COMPUTE_QUEUE),
            0,
            100_000,
        )?,
    })
}

/// The abuse limits, resolved.
struct Abuse {
    body_timeout: Duration,
    rate: Option<RateLimit>,
    connections: ConnectionLimits,
}

impl Abuse {
    fn resolve(flags: &Given, file: &Given) -> Result<Self, String> {
        let d = ConnectionLimits::default();
        let secs = |name, flag: Option<u64>, file: Option<u64>, default: Duration| {
            within(name, flag.or(file).unwrap_or(default.as_secs()), 1, 3600)
                .map(Duration::from_secs)
        };
        let per_second = within(
            "rate_limit",
            flags.rate_limit.or(file.rate_limit).unwrap_or(0),
            0,
            1_000_000,
        )?;
        let rate = match std::num::NonZeroU32::new(per_second) {
            None => None,
            Some(per_second) => {
                let burst = flags
                    .rate_burst
                    .or(file.rate_burst)
                    .unwrap_or(per_second.get().saturating_mul(2));
                let burst = std::num::NonZeroU32::new(within("rate_burst", burst, 1, 10_000_000)?)
                    .ok_or("rate_burst must be at least 1")?;
                Some(RateLimit { per_second, burst })
            }
        };
        let total = within(
            "max_connections",
            flags
                .max_connections
                .or(file.max_connections)
                .unwrap_or(d.total),
            1,
            1_000_000,
        )?;
        let per_client = within(
            "max_client_connections",
            flags
                .max_client_connections
                .or(file.max_client_connections)
                .unwrap_or(d.per_client),
            1,
            total,
        )?;
        Ok(Self {
            body_timeout: secs(
                "body_timeout",
                flags.body_timeout,
                file.body_timeout,
                Duration::from_secs(10),
            )?,
            rate,
            connections: ConnectionLimits {
                total,
                per_client,
                header_timeout: secs(
                    "header_timeout",
                    flags.header_timeout,
                    file.header_timeout,
                    d.header_timeout,
                )?,
                idle_timeout: secs(
                    "idle_timeout",
                    flags.idle_timeout,
                    file.idle_timeout,
                    d.idle_timeout,
                )?,
                write_timeout: secs(
                    "write_timeout",
                    flags.write_timeout,
                    file.write_timeout,
                    d.write_timeout,
                )?,
                keepalive_interval: secs(
                    "keepalive_interval",
                    flags.keepalive_interval,
                    file.keepalive_interval,
                    d.keepalive_interval,
                )?,
                max_streams: within(
                    "max_streams",
                    flags
                        .max_streams
                        .or(file.max_streams)
                        .unwrap_or(d.max_streams),
                    1,
                    1024,
                )?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn defaults_then_file_then_flags() {
        let s = Settings::resolve(Given::default(), None).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.key_file, PathBuf::from("./data/log-key.pem"));
        assert_eq!(s.signer_record, PathBuf::from("./data/log-key.pem.signed"));

        let f = file("origin = \"ledger.example/p\"\nmax_batch = 64\ndata_dir = \"/srv/p\"\n");
        let s = Settings::resolve(Given::default(), Some(f.path())).unwrap();
        assert_eq!((s.origin.as_str(), s.max_batch), ("ledger.example/p", 64));
        assert_eq!(s.key_file, PathBuf::from("/srv/p/log-key.pem"));

        let flags = Given {
            max_batch: Some(8),
            ..Given::default()
        };
        let s = Settings::resolve(flags, Some(f.path())).unwrap();
        assert_eq!((s.origin.as_str(), s.max_batch), ("ledger.example/p", 8));
    }

    #[test]
    fn bad_settings_are_named() {
        for (text, word) in [
            ("max_batch = 0", "max_batch"),
            ("batch_budget_ms = 5000", "batch_budget_ms"),
            ("queue = 0", "queue"),
            ("origin = \"has space\"", "origin"),
            ("unknown_key = 1", "unknown_key"),
            ("listen = \"nowhere\"", "listen"),
            ("arbiters = [\"ed25519:nope\"]", "arbiters"),
            ("body_timeout = 0", "body_timeout"),
            ("idle_timeout = 0", "idle_timeout"),
            ("write_timeout = 4000", "write_timeout"),
            ("max_streams = 0", "max_streams"),
            ("compute_threads = 0", "compute_threads"),
            ("compute_queue = 100001", "compute_queue"),
            ("rate_limit = 10\nrate_burst = 0", "rate_burst"),
            (
                "max_connections = 10\nmax_client_connections = 11",
                "max_client_connections",
            ),
        ] {
            let f = file(text);
            let err = Settings::resolve(Given::default(), Some(f.path())).unwrap_err();
            assert!(err.contains(word), "{text}: {err}");
        }
        assert!(Settings::resolve(Given::default(), Some(Path::new("/no/such/file"))).is_err());
    }
}
