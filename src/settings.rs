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
//!
//! Every default is a named constant, of the library that owns the setting
//! (the server's [`Limits`] and [`ConnectionLimits`], the ledger's
//! [`BatchConfig`]) or, for the binary's own settings, of this module. The
//! library's `Default`, [`Settings::resolve`] and `--help` (through
//! [`shown_default`]) all read it, and a test checks that settings resolved
//! from no flag and no file are the libraries' defaults.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::time::Duration;

use provenant_ledger::{
    BatchConfig, DEFAULT_BATCH_BUDGET, DEFAULT_MAX_BATCH, DEFAULT_QUEUE_CAPACITY,
};
use provenant_model::Identity;
use provenant_model::iscc::MAX_DISTANCE;
use provenant_publish::{S3Options, Target};
use provenant_server::compute::{DEFAULT_COMPUTE_QUEUE, default_compute_threads};
use provenant_server::credential::Credentials;
use provenant_server::listen::{
    DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_KEEPALIVE_INTERVAL,
    DEFAULT_MAX_CLIENT_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_STREAMS,
    DEFAULT_WRITE_TIMEOUT, KEEPALIVE_TIMEOUT,
};
use provenant_server::similar::{DEFAULT_NEAR_DISTANCE, NearDistance};
use provenant_server::{
    ComputeLimits, ConnectionLimits, DEFAULT_BODY_BYTES, DEFAULT_BODY_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_UPLOAD_BYTES, Designs, Limits, PageConfig, RateLimit,
};
use provenant_tlog::{NoteVerifier, Policy};
use provenant_witnessing::config::{DEFAULT_INTERVAL, MAX_INTERVAL, MIN_INTERVAL};
use serde::Deserialize;

/// The address served unless configured.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
/// The directory of the store unless configured.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// The log's origin unless configured.
pub const DEFAULT_ORIGIN: &str = "localhost/provenant";
/// The log's key file, in the data directory, unless configured.
pub const DEFAULT_KEY_FILE_NAME: &str = "log-key.pem";
/// `rate_limit` unless configured: no limit ([`Limits::rate`] is `None`).
pub const NO_RATE_LIMIT: u32 = 0;

/// Settings as given by flags or a file: each may be absent. `--help`
/// shows each default (see [`shown_default`]).
#[derive(Debug, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
#[command(mut_args = show_default)]
pub struct Given {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PROVENANT_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory of the store and, by default, the log's key.
    #[arg(long, env = "PROVENANT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The log's origin line, also its checkpoint key name.
    #[arg(long, env = "PROVENANT_ORIGIN")]
    pub origin: Option<String>,
    /// The log's signing key (PKCS#8 PEM), generated on first start when
    /// absent.
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
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "PROVENANT_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// Largest upload `POST /v1/designs/identify` hashes, in bytes.
    #[arg(long, env = "PROVENANT_UPLOAD_LIMIT")]
    pub upload_limit: Option<u64>,
    /// Request timeout, in seconds.
    #[arg(long, env = "PROVENANT_REQUEST_TIMEOUT")]
    pub request_timeout: Option<u64>,
    /// Most envelopes per batch, 1 to 65536.
    #[arg(long, env = "PROVENANT_MAX_BATCH")]
    pub max_batch: Option<usize>,
    /// Time to gather a batch after its first envelope, 0 to 1000 ms.
    #[arg(long, env = "PROVENANT_BATCH_BUDGET_MS")]
    pub batch_budget_ms: Option<u64>,
    /// Envelopes that may wait before clients get 503, 1 to 1000000.
    #[arg(long, env = "PROVENANT_QUEUE")]
    pub queue: Option<usize>,
    /// Longest pause while a client sends a body before it gets 408, in
    /// seconds.
    #[arg(long, env = "PROVENANT_BODY_TIMEOUT")]
    pub body_timeout: Option<u64>,
    /// Longest time a client may take to send a request's headers, in
    /// seconds.
    #[arg(long, env = "PROVENANT_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,
    /// Requests per second per client IP address before 429; 0 for no
    /// limit.
    #[arg(long, env = "PROVENANT_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// Requests a client may make at once above its rate [default: twice the rate].
    #[arg(long, env = "PROVENANT_RATE_BURST")]
    pub rate_burst: Option<u32>,
    /// Connections open at once, all clients together.
    #[arg(long, env = "PROVENANT_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Connections open at once per client IP address.
    #[arg(long, env = "PROVENANT_MAX_CLIENT_CONNECTIONS")]
    pub max_client_connections: Option<usize>,
    /// Longest time a connection may stay open with no request in
    /// progress, in seconds.
    #[arg(long, env = "PROVENANT_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Longest time an answer may make no progress because the client does
    /// not read it, before the connection is closed, in seconds.
    #[arg(long, env = "PROVENANT_WRITE_TIMEOUT")]
    pub write_timeout: Option<u64>,
    /// Seconds between HTTP/2 keep-alive pings; a peer that does not answer
    /// one in time is disconnected.
    #[arg(long, env = "PROVENANT_KEEPALIVE_INTERVAL")]
    pub keepalive_interval: Option<u64>,
    /// Concurrent requests (streams) per HTTP/2 connection, 1 to 1024.
    #[arg(long, env = "PROVENANT_MAX_STREAMS")]
    pub max_streams: Option<u32>,
    /// Threads computing royalty splits, statements and license checks,
    /// 1 to 256 [default: one per core].
    #[arg(long, env = "PROVENANT_COMPUTE_THREADS")]
    pub compute_threads: Option<usize>,
    /// Royalty and license reads that may wait for a compute thread before
    /// clients get 503, 0 to 100000.
    #[arg(long, env = "PROVENANT_COMPUTE_QUEUE")]
    pub compute_queue: Option<usize>,
    /// The log key the verification page at `/` trusts until its user pins
    /// one (`<origin>+<key id>+<base64>`, as `GET /v1/log` and the start-up
    /// line print it) [default: none; the user pastes it].
    #[arg(long, env = "PROVENANT_PAGE_LOG_KEY")]
    pub page_log_key: Option<String>,
    /// A C2SP tlog-policy file: its `log` line is this log's key, its
    /// `witness` lines with a URL are the witnesses asked to cosign each
    /// new checkpoint, and its quorum makes a checkpoint witnessed
    /// [default: none; no witnesses are asked].
    #[arg(long, env = "PROVENANT_WITNESS_POLICY")]
    pub witness_policy: Option<PathBuf>,
    /// Seconds between two rounds of asking the witnesses (when the tree
    /// grew), 1 to 10.
    #[arg(long, env = "PROVENANT_WITNESS_INTERVAL")]
    pub witness_interval: Option<u64>,
    /// Publish the log's tiles, entry bundles and checkpoint to an
    /// S3-compatible bucket (`s3://BUCKET/PREFIX`) or a directory served
    /// by any web server (`file:///DIR`) [default: none].
    #[arg(long, env = "PROVENANT_PUBLISH")]
    pub publish: Option<String>,
    /// The S3 endpoint URL, for a store other than AWS [default:
    /// `AWS_ENDPOINT_URL`, else AWS].
    #[arg(long, env = "PROVENANT_PUBLISH_ENDPOINT")]
    pub publish_endpoint: Option<String>,
    /// The S3 region [default: `AWS_REGION`].
    #[arg(long, env = "PROVENANT_PUBLISH_REGION")]
    pub publish_region: Option<String>,
    /// Allow a plain `http://` S3 endpoint [default: `AWS_ALLOW_HTTP`,
    /// else false].
    #[arg(long, env = "PROVENANT_PUBLISH_ALLOW_HTTP")]
    pub publish_allow_http: Option<bool>,
    /// How many bits of the 64 two ISCC Image-Codes may differ in for their
    /// designs to be flagged as near-duplicates, 0 to 12.
    #[arg(long, env = "PROVENANT_NEAR_DISTANCE")]
    pub near_distance: Option<u32>,
    /// The certificate chain (PEM, the signing certificate first) that
    /// signs Content Credentials (`GET /v1/designs/{id}/c2pa`); its key is
    /// `c2pa_key` [default: a local test CA made on the first start in
    /// `c2pa/` in the data directory; `provenant c2pa test-ca` makes one
    /// elsewhere].
    #[arg(long, env = "PROVENANT_C2PA_CHAIN", requires = "c2pa_key")]
    pub c2pa_chain: Option<PathBuf>,
    /// The Ed25519 private key (PKCS#8 PEM) of `c2pa_chain`'s signing
    /// certificate [default: the local test CA's].
    #[arg(long, env = "PROVENANT_C2PA_KEY", requires = "c2pa_chain")]
    pub c2pa_key: Option<PathBuf>,
    /// The S3 access key id; in the file only, never a flag [default:
    /// `AWS_ACCESS_KEY_ID`].
    #[arg(skip)]
    pub publish_access_key_id: Option<String>,
    /// The S3 secret access key; in the file only, never a flag [default:
    /// `AWS_SECRET_ACCESS_KEY`].
    #[arg(skip)]
    pub publish_secret_access_key: Option<String>,
}

/// Appends setting `arg`'s default to its help (short and long), from
/// [`shown_default`].
fn show_default(arg: clap::Arg) -> clap::Arg {
    let Some(value) = shown_default(arg.get_id().as_str()) else {
        return arg;
    };
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let long = arg.get_long_help().map(ToString::to_string);
    let arg = arg.help(format!("{help} [default: {value}]"));
    match long {
        Some(long) => arg.long_help(format!("{long} [default: {value}]")),
        None => arg,
    }
}

/// The default of the setting named `id`, as `--help` shows it: the same
/// constant [`Settings::resolve`] falls back to. `None` for a setting
/// without a default (`arbiters`), or whose default is a rule its help
/// states.
fn shown_default(id: &str) -> Option<String> {
    let secs = |d: Duration| d.as_secs().to_string();
    Some(match id {
        "listen" => DEFAULT_LISTEN.to_string(),
        "data_dir" => DEFAULT_DATA_DIR.to_owned(),
        "origin" => DEFAULT_ORIGIN.to_owned(),
        "key_file" => format!("{DEFAULT_KEY_FILE_NAME} in the data directory"),
        "body_limit" => DEFAULT_BODY_BYTES.to_string(),
        "upload_limit" => DEFAULT_UPLOAD_BYTES.to_string(),
        "request_timeout" => secs(DEFAULT_REQUEST_TIMEOUT),
        "max_batch" => DEFAULT_MAX_BATCH.to_string(),
        "batch_budget_ms" => DEFAULT_BATCH_BUDGET.as_millis().to_string(),
        "queue" => DEFAULT_QUEUE_CAPACITY.to_string(),
        "body_timeout" => secs(DEFAULT_BODY_TIMEOUT),
        "header_timeout" => secs(DEFAULT_HEADER_TIMEOUT),
        "rate_limit" => NO_RATE_LIMIT.to_string(),
        "max_connections" => DEFAULT_MAX_CONNECTIONS.to_string(),
        "max_client_connections" => DEFAULT_MAX_CLIENT_CONNECTIONS.to_string(),
        "idle_timeout" => secs(DEFAULT_IDLE_TIMEOUT),
        "write_timeout" => secs(DEFAULT_WRITE_TIMEOUT),
        "keepalive_interval" => format!(
            "{}; a ping unanswered for {} s closes the connection",
            secs(DEFAULT_KEEPALIVE_INTERVAL),
            secs(KEEPALIVE_TIMEOUT)
        ),
        "max_streams" => DEFAULT_MAX_STREAMS.to_string(),
        "compute_queue" => DEFAULT_COMPUTE_QUEUE.to_string(),
        "witness_interval" => secs(DEFAULT_INTERVAL),
        "near_distance" => DEFAULT_NEAR_DISTANCE.to_string(),
        _ => return None,
    })
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
    /// The router's limits on each request.
    pub limits: Limits,
    /// How the sequencer batches and queues writes.
    pub batch: BatchConfig,
    pub connections: ConnectionLimits,
    /// How the verification page is served.
    pub page: PageConfig,
    /// The witness policy, read and parsed, if one was given.
    pub witness_policy: Option<Policy>,
    /// The time between two rounds of asking the witnesses.
    pub witness_interval: Duration,
    /// Where to publish the log's tiles, and the S3 settings given.
    pub publish: Option<(Target, S3Options)>,
    /// Near-duplicate flags and Content Credentials.
    pub designs: Designs,
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
        let limits = request_limits(&flags, &from_file, &abuse)?;
        let batch = batching(&flags, &from_file)?;
        let designs = designs(&flags, &from_file)?;
        let data_dir = flags
            .data_dir
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let key_file = flags
            .key_file
            .or(from_file.key_file)
            .unwrap_or_else(|| data_dir.join(DEFAULT_KEY_FILE_NAME));
        let signer_record = flags
            .signer_record
            .or(from_file.signer_record)
            .unwrap_or_else(|| provenant_ledger::SignerRecord::beside(&key_file));
        let origin = flags
            .origin
            .or(from_file.origin)
            .unwrap_or_else(|| DEFAULT_ORIGIN.to_owned());
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
        let page_log_key = flags.page_log_key.or(from_file.page_log_key);
        if let Some(key) = &page_log_key {
            NoteVerifier::from_text(key)
                .map_err(|e| format!("page_log_key {key:?} is not a verifier key: {e}"))?;
        }
        let witness_policy = flags
            .witness_policy
            .or(from_file.witness_policy)
            .map(|path| read_policy(&path))
            .transpose()?;
        let witness_interval = Duration::from_secs(within(
            "witness_interval",
            flags
                .witness_interval
                .or(from_file.witness_interval)
                .unwrap_or(DEFAULT_INTERVAL.as_secs()),
            MIN_INTERVAL.as_secs(),
            MAX_INTERVAL.as_secs(),
        )?);
        let publish = flags
            .publish
            .or(from_file.publish)
            .map(|text| {
                let target = Target::parse(&text).map_err(|e| e.to_string())?;
                let options = S3Options {
                    endpoint: flags.publish_endpoint.or(from_file.publish_endpoint),
                    region: flags.publish_region.or(from_file.publish_region),
                    access_key_id: from_file.publish_access_key_id,
                    secret_access_key: from_file.publish_secret_access_key,
                    allow_http: flags.publish_allow_http.or(from_file.publish_allow_http),
                };
                Ok::<_, String>((target, options))
            })
            .transpose()?;
        Ok(Self {
            listen: flags.listen.or(from_file.listen).unwrap_or(DEFAULT_LISTEN),
            data_dir,
            origin,
            key_file,
            signer_record,
            arbiters,
            limits,
            batch,
            connections: abuse.connections,
            page: PageConfig {
                log_key: page_log_key,
            },
            witness_policy,
            witness_interval,
            publish,
            designs,
        })
    }
}

/// The near-duplicate distance, and the Content Credentials' issuer, its
/// chain and key read and tried (a chain the C2PA profile refuses stops
/// the server here, not at the first request).
fn designs(flags: &Given, file: &Given) -> Result<Designs, String> {
    let near = NearDistance(within(
        "near_distance",
        flags
            .near_distance
            .or(file.near_distance)
            .unwrap_or(DEFAULT_NEAR_DISTANCE),
        0,
        MAX_DISTANCE,
    )?);
    let chain = flags.c2pa_chain.clone().or_else(|| file.c2pa_chain.clone());
    let key = flags.c2pa_key.clone().or_else(|| file.c2pa_key.clone());
    let credentials = match (chain, key) {
        (None, None) => Credentials::default(),
        (Some(chain), Some(key)) => issuer(&chain, &key)?,
        _ => return Err("c2pa_chain and c2pa_key go together: give both or neither".into()),
    };
    Ok(Designs { near, credentials })
}

/// The Content Credentials signed with `chain` and `key`, once tried.
#[cfg(feature = "c2pa")]
fn issuer(chain: &Path, key: &Path) -> Result<Credentials, String> {
    let read =
        |path: &Path| std::fs::read(path).map_err(|e| format!("c2pa: {}: {e}", path.display()));
    provenant_c2pa::Issuer::new(read(chain)?, read(key)?)
        .map(Credentials::signed_by)
        .map_err(|e| {
            format!(
                "c2pa_chain {} and c2pa_key {}: {e}",
                chain.display(),
                key.display()
            )
        })
}

#[cfg(not(feature = "c2pa"))]
fn issuer(_: &Path, _: &Path) -> Result<Credentials, String> {
    Err(
        "c2pa_chain and c2pa_key: this provenant was built without Content Credentials \
         (the c2pa feature)"
            .into(),
    )
}

/// The witness policy file at `path`, parsed.
fn read_policy(path: &Path) -> Result<Policy, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("witness policy {}: {e}", path.display()))?;
    Policy::parse(&bytes).map_err(|e| format!("witness policy {}: {e}", path.display()))
}

/// The router's limits on each request.
fn request_limits(flags: &Given, file: &Given, abuse: &Abuse) -> Result<Limits, String> {
    Ok(Limits {
        body_bytes: within(
            "body_limit",
            flags
                .body_limit
                .or(file.body_limit)
                .unwrap_or(DEFAULT_BODY_BYTES),
            1024,
            64 << 20,
        )?,
        timeout: Duration::from_secs(within(
            "request_timeout",
            flags
                .request_timeout
                .or(file.request_timeout)
                .unwrap_or(DEFAULT_REQUEST_TIMEOUT.as_secs()),
            1,
            3600,
        )?),
        body_timeout: abuse.body_timeout,
        rate: abuse.rate,
        upload_bytes: within(
            "upload_limit",
            flags
                .upload_limit
                .or(file.upload_limit)
                .unwrap_or(DEFAULT_UPLOAD_BYTES),
            1,
            1 << 40,
        )?,
        compute: compute_limits(flags, file)?,
    })
}

/// How the sequencer batches and queues writes.
fn batching(flags: &Given, file: &Given) -> Result<BatchConfig, String> {
    Ok(BatchConfig {
        max_batch: within(
            "max_batch",
            flags
                .max_batch
                .or(file.max_batch)
                .unwrap_or(DEFAULT_MAX_BATCH),
            1,
            65_536,
        )?,
        batch_budget: match flags.batch_budget_ms.or(file.batch_budget_ms) {
            Some(ms) => Duration::from_millis(within("batch_budget_ms", ms, 0, 1000)?),
            None => DEFAULT_BATCH_BUDGET,
        },
        queue_capacity: within(
            "queue",
            flags.queue.or(file.queue).unwrap_or(DEFAULT_QUEUE_CAPACITY),
            1,
            1_000_000,
        )?,
        ..BatchConfig::default()
    })
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
        let secs = |name, flag: Option<u64>, file: Option<u64>, default: Duration| {
            within(name, flag.or(file).unwrap_or(default.as_secs()), 1, 3600)
                .map(Duration::from_secs)
        };
        let per_second = within(
            "rate_limit",
            flags
                .rate_limit
                .or(file.rate_limit)
                .unwrap_or(NO_RATE_LIMIT),
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
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
            1,
            1_000_000,
        )?;
        let per_client = within(
            "max_client_connections",
            flags
                .max_client_connections
                .or(file.max_client_connections)
                .unwrap_or(DEFAULT_MAX_CLIENT_CONNECTIONS),
            1,
            total,
        )?;
        Ok(Self {
            body_timeout: secs(
                "body_timeout",
                flags.body_timeout,
                file.body_timeout,
                DEFAULT_BODY_TIMEOUT,
            )?,
            rate,
            connections: ConnectionLimits {
                total,
                per_client,
                header_timeout: secs(
                    "header_timeout",
                    flags.header_timeout,
                    file.header_timeout,
                    DEFAULT_HEADER_TIMEOUT,
                )?,
                idle_timeout: secs(
                    "idle_timeout",
                    flags.idle_timeout,
                    file.idle_timeout,
                    DEFAULT_IDLE_TIMEOUT,
                )?,
                write_timeout: secs(
                    "write_timeout",
                    flags.write_timeout,
                    file.write_timeout,
                    DEFAULT_WRITE_TIMEOUT,
                )?,
                keepalive_interval: secs(
                    "keepalive_interval",
                    flags.keepalive_interval,
                    file.keepalive_interval,
                    DEFAULT_KEEPALIVE_INTERVAL,
                )?,
                max_streams: within(
                    "max_streams",
                    flags
                        .max_streams
                        .or(file.max_streams)
                        .unwrap_or(DEFAULT_MAX_STREAMS),
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
        assert_eq!(
            (s.origin.as_str(), s.batch.max_batch),
            ("ledger.example/p", 64)
        );
        assert_eq!(s.key_file, PathBuf::from("/srv/p/log-key.pem"));

        let flags = Given {
            max_batch: Some(8),
            ..Given::default()
        };
        let s = Settings::resolve(flags, Some(f.path())).unwrap();
        assert_eq!(
            (s.origin.as_str(), s.batch.max_batch),
            ("ledger.example/p", 8)
        );
    }

    /// `provenant serve`'s settings alone, as the command line parses them.
    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        given: Given,
    }

    /// Settings from no flag and no file (or an empty file) are exactly
    /// the libraries' defaults, so the two cannot drift apart.
    #[test]
    fn no_flag_and_no_file_give_the_libraries_defaults() {
        use clap::Parser as _;
        let empty = file("");
        for path in [None, Some(empty.path())] {
            let given = Serve::try_parse_from(["serve"]).unwrap().given;
            let s = Settings::resolve(given, path).unwrap();
            assert_eq!(s.limits, Limits::default());
            assert_eq!(s.batch, BatchConfig::default());
            assert_eq!(s.connections, ConnectionLimits::default());
            assert_eq!(s.listen, DEFAULT_LISTEN);
            assert_eq!(s.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
            assert_eq!(s.origin, DEFAULT_ORIGIN);
            assert!(s.arbiters.is_empty());
        }
    }

    /// `--help` states each default once, from the constants: none is
    /// left written by hand beside it, and none is missing.
    #[test]
    fn help_shows_each_default_once() {
        use clap::CommandFactory as _;
        let command = Serve::command();
        let mut shown = 0;
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let expected = usize::from(id != "arbiters");
            assert_eq!(help.matches("[default: ").count(), expected, "{id}: {help}");
            if let Some(value) = shown_default(id) {
                assert!(
                    help.ends_with(&format!("[default: {value}]")),
                    "{id}: {help}"
                );
                shown += 1;
            }
        }
        assert!(shown >= 20, "{shown} defaults shown");
        let body = command
            .get_arguments()
            .find(|a| a.get_id() == "body_limit")
            .and_then(clap::Arg::get_help)
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            body.ends_with(&format!("[default: {DEFAULT_BODY_BYTES}]")),
            "{body}"
        );
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
