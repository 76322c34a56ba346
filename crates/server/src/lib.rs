//! Provenant's HTTP service: the axum router over a [`Ledger`]. Every
//! route, request and answer type, and the problem body, are
//! `provenant_api`'s: this crate mounts the routes and answers them.
//!
//! | module | routes |
//! |---|---|
//! | [`identify`] | `POST /v1/designs/identify` (a streamed upload) |
//! | [`entries`] | `POST /v1/entries`, `GET /v1/entries/{index}` |
//! | [`batch`] | `POST /v1/entries/batch` (each envelope answered on its own) |
//! | [`log`] | `GET /v1/log`, `/tile/...`, `/v1/proofs/...` |
//! | [`witnessed`] | `GET /checkpoint`, `/v1/checkpoint` (with the cosignatures collected), `/v1/checkpoint/witnessed`; `?wait=witnessed` on writes |
//! | [`queries`] | `GET /v1/designs?creator=|licensee=`, `GET /v1/designs/{id}`, `GET /v1/grants/{id}`, `GET /v1/keys/{key}/entries`, `POST /v1/licenses/check`, `POST /v1/royalties/split` |
//! | [`similar`] | `GET /v1/designs/{id}/similar`; near-duplicate flags on registrations, identify answers and design reports |
//! | [`credential`] | `GET /v1/designs/{id}/c2pa` (a C2PA sidecar manifest store) |
//! | [`statement`] | `POST /v1/royalties/statement` (JSON or CSV) |
//! | [`problem`] | RFC 9457 problems with a stable type per rule |
//! | [`page`] | `GET /`, `/verify/`, `/verify/design/{id}`, `/assets/...`: the verification page; `/verify/page.html`: the same as one file to save |
//!
//! Every read route answers cross-origin requests (CORS, any origin): a
//! copy of the page hosted elsewhere or saved as a file, or any other
//! client in a browser, checks the answers itself. The two write routes do not.
//!
//! Abuse limits: request bodies ([`body`]: size, idle timeout), a request
//! timeout, a request rate per client ([`ratelimit`]), connections per
//! client and in all ([`listen`], which serves the router), deadlines
//! on every connection for its first request, for idleness and for answers
//! the client does not read ([`watch`]), and a bounded pool of threads for
//! the reads that burn CPU (royalties and license checks, [`compute`]),
//! cancelled at the timeout.
//!
//! Plus `GET /healthz`, `GET /readyz`, `GET /metrics` ([`metrics`]) and
//! `GET /v1/openapi.json` ([`OPENAPI`]). The router is a plain function of
//! its state, [`app`], so tests can drive it without a socket.

pub mod batch;
pub mod body;
pub mod compute;
pub mod credential;
pub mod entries;
pub mod identify;
pub mod listen;
pub mod log;
pub mod metrics;
pub mod page;
pub mod path;
pub mod policy;
pub mod problem;
pub mod process;
pub mod queries;
pub mod ratelimit;
pub mod request_id;
pub mod similar;
pub mod statement;
pub mod watch;
pub mod witnessed;

use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::http::{HeaderName, Method, Request, header};
use axum::routing::MethodFilter;
use provenant_api::routes::{self, Endpoint};
use provenant_ledger::Ledger;
use provenant_witnessing::Witnessing;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

/// The header carrying each request's id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub use compute::{ComputeLimits, ComputePool};
pub use listen::{ConnectionLimits, serve};
pub use page::PageConfig;
pub use problem::Problem;
pub use ratelimit::RateLimit;

/// Default of [`Limits::body_bytes`]: 1 MiB.
pub const DEFAULT_BODY_BYTES: usize = 1 << 20;
/// Default of [`Limits::timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`Limits::body_timeout`].
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`Limits::upload_bytes`]: 256 MiB.
pub const DEFAULT_UPLOAD_BYTES: u64 = 256 << 20;

/// Request limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest JSON request body, in bytes.
    pub body_bytes: usize,
    /// How long a request may take before it is answered 408.
    pub timeout: Duration,
    /// How long a client may pause while sending a body before it is
    /// answered 408.
    pub body_timeout: Duration,
    /// Requests per client, or no limit.
    pub rate: Option<RateLimit>,
    /// The largest file `POST /v1/designs/identify` hashes, in bytes.
    pub upload_bytes: u64,
    /// The pool computing royalties and license checks.
    pub compute: ComputeLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: DEFAULT_BODY_BYTES,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            rate: None,
            upload_bytes: DEFAULT_UPLOAD_BYTES,
            compute: ComputeLimits::default(),
        }
    }
}

/// The router: every route of the service over `ledger`, the page with no
/// deploy-time key.
pub fn app(ledger: Ledger, limits: Limits) -> Router {
    app_with_page(ledger, limits, &PageConfig::default())
}

/// The router: every route of the service over `ledger`, the page served
/// as `page_config` says, no witnesses.
pub fn app_with_page(ledger: Ledger, limits: Limits, page_config: &PageConfig) -> Router {
    app_with(ledger, limits, page_config, None)
}

/// The router: every route of the service over `ledger`, the page served
/// as `page_config` says, and the checkpoints `witnessing` collects (its
/// rounds run apart: [`Witnessing::run`]).
pub fn app_with(
    ledger: Ledger,
    limits: Limits,
    page_config: &PageConfig,
    witnessing: Option<Witnessing>,
) -> Router {
    app_publishing(ledger, limits, page_config, witnessing, None)
}

/// What the server shows of a publisher running beside it
/// (`provenant_publish::Publisher::run`): its metrics in `/metrics`, its
/// health in `/readyz`.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The publisher's metrics.
    pub metrics: provenant_publish::metrics::Metrics,
    /// The publisher's health.
    pub status: provenant_publish::Status,
}

/// [`app_with`], and a publisher's metrics and health.
pub fn app_publishing(
    ledger: Ledger,
    limits: Limits,
    page_config: &PageConfig,
    witnessing: Option<Witnessing>,
    publication: Option<Publication>,
) -> Router {
    app_designing(
        ledger,
        limits,
        page_config,
        witnessing,
        publication,
        &Designs::default(),
    )
}

/// What the service says about designs beyond the ledger's state: how near
/// two image codes must be to flag a near-duplicate, and who signs Content
/// Credentials.
#[derive(Clone, Debug, Default)]
pub struct Designs {
    /// The near-duplicate distance.
    pub near: similar::NearDistance,
    /// The issuer of Content Credentials, if configured.
    pub credentials: credential::Credentials,
}

/// [`app_publishing`], with `designs` configured.
pub fn app_designing(
    ledger: Ledger,
    limits: Limits,
    page_config: &PageConfig,
    witnessing: Option<Witnessing>,
    publication: Option<Publication>,
    designs: &Designs,
) -> Router {
    let witnessed = witnessing.map(|w| witnessed::Witnessed::new(w, limits.timeout));
    let metrics = metrics::Metrics::default();
    let compute = ComputePool::new(limits.compute);
    LazyLock::force(&OPENAPI);
    let metrics_route = Router::new()
        .mount::<routes::Metrics, _, _>(metrics::render)
        .with_state(metrics::MetricsState::new(
            &metrics,
            ledger.clone(),
            compute.clone(),
            witnessed.as_ref().map(|w| &w.witnessing),
            publication.as_ref().map(|p| &p.metrics),
        ));
    let writes = Router::new()
        .mount::<routes::SubmitEntry, _, _>(entries::submit)
        .mount_with::<routes::SubmitBatch, _, _>(
            batch::submit_batch,
            DefaultBodyLimit::max(limits.body_bytes.max(provenant_api::MAX_BATCH_BYTES)),
        )
        .with_state(ledger.clone());
    let reads = Router::new()
        .mount::<routes::GetEntry, _, _>(entries::entry)
        .mount::<routes::GetLog, _, _>(log::info)
        .mount::<routes::GetCheckpoint, _, _>(witnessed::checkpoint)
        .mount::<routes::GetTlogCheckpoint, _, _>(witnessed::checkpoint)
        .mount::<routes::GetWitnessedCheckpoint, _, _>(witnessed::latest)
        .mount::<routes::GetTile, _, _>(log::tile)
        .mount::<routes::ProveInclusion, _, _>(log::inclusion)
        .mount::<routes::ProveConsistency, _, _>(log::consistency)
        .mount::<routes::ListDesigns, _, _>(queries::list)
        .mount::<routes::IdentifyFile, _, _>(identify::identify)
        .mount::<routes::GetDesign, _, _>(queries::design)
        .mount::<routes::GetSimilar, _, _>(similar::similar)
        .mount::<routes::GetCredential, _, _>(credential::credential)
        .mount::<routes::GetGrant, _, _>(queries::grant)
        .mount::<routes::KeyEntries, _, _>(queries::signed_by)
        .mount::<routes::CheckLicense, _, _>(queries::license_check)
        .mount::<routes::SplitRoyalty, _, _>(queries::royalty_split)
        .mount::<routes::StateRoyalties, _, _>(statement::statement)
        .mount::<routes::GetOpenApi, _, _>(openapi)
        .mount::<routes::Health, _, _>(|| async { "ok" })
        .mount::<routes::Ready, _, _>(ready)
        .with_state(ledger)
        .merge(metrics_route)
        .layer(cors());
    let router = writes
        .merge(reads)
        .merge(page::routes(page_config))
        .fallback(|| async { Problem::not_found("route") });
    let router = match witnessed {
        Some(w) => router.layer(axum::Extension(w)),
        None => router,
    };
    let router = match publication {
        Some(p) => router.layer(axum::Extension(p.status)),
        None => router,
    };
    let router = router
        .layer(axum::Extension(identify::UploadLimit(limits.upload_bytes)))
        .layer(axum::Extension(designs.near))
        .layer(axum::Extension(designs.credentials.clone()))
        .layer(axum::Extension(compute))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(axum::middleware::from_fn(problem::ensure_problem));
    let router = match limits.rate {
        Some(rate) => router.layer(axum::middleware::from_fn_with_state(
            ratelimit::Limiter::new(rate),
            ratelimit::limit,
        )),
        None => router,
    };
    router
        // Outermost: every request gets an id (kept from `x-request-id` when
        // the client sent one), logged with its method, path, status and
        // latency, and echoed in the response.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(
            REQUEST_ID,
            request_id::Sequential::default(),
        ))
}

/// Cross-origin reads from any origin: the answers are public and carry
/// their proofs, and no request carries credentials.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER, REQUEST_ID])
        .max_age(Duration::from_hours(24))
}

/// Mounting an [`Endpoint`] of the api crate: its path and method are the
/// api's, so no route is spelled here.
trait Mount<S> {
    /// The router with `handler` answering `E`.
    fn mount<E: Endpoint, H: Handler<T, S>, T: 'static>(self, handler: H) -> Self;

    /// The same, with a body limit of its own.
    fn mount_with<E: Endpoint, H: Handler<T, S>, T: 'static>(
        self,
        handler: H,
        limit: DefaultBodyLimit,
    ) -> Self;
}

impl<S: Clone + Send + Sync + 'static> Mount<S> for Router<S> {
    fn mount<E: Endpoint, H: Handler<T, S>, T: 'static>(self, handler: H) -> Self {
        self.route(E::ROUTE.path, axum::routing::on(filter::<E>(), handler))
    }

    fn mount_with<E: Endpoint, H: Handler<T, S>, T: 'static>(
        self,
        handler: H,
        limit: DefaultBodyLimit,
    ) -> Self {
        self.route(
            E::ROUTE.path,
            axum::routing::on(filter::<E>(), handler).layer(limit),
        )
    }
}

/// The method of endpoint `E`, as axum filters it.
fn filter<E: Endpoint>() -> MethodFilter {
    match E::ROUTE.method {
        provenant_api::Method::Get => MethodFilter::GET,
        provenant_api::Method::Post => MethodFilter::POST,
    }
}

/// The OpenAPI 3.1 description of every route, generated from the api
/// crate's route definitions and types ([`provenant_api::openapi`]): built
/// once, when the first router is.
pub static OPENAPI: LazyLock<String> =
    LazyLock::new(|| provenant_api::openapi::document().to_string());

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI.as_str(),
    )
}

/// `GET /readyz`: the store answers and, on a publishing server, its
/// publication is neither stopped by an alarm nor failing for long.
async fn ready(
    State(ledger): State<Ledger>,
    publication: Option<axum::Extension<provenant_publish::Status>>,
) -> Result<&'static str, Problem> {
    match ledger.ready() {
        Ok(true) => {}
        Ok(false) => return Err(Problem::from(provenant_ledger::SubmitError::ShuttingDown)),
        Err(e) => return Err(Problem::from(provenant_ledger::ReadError::Store(e))),
    }
    match publication.and_then(|axum::Extension(status)| status.unready()) {
        None => Ok("ready"),
        Some(provenant_publish::status::Unready::Stopped(why)) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "publication-stopped",
            "Publication stopped",
            why,
        )),
        Some(provenant_publish::status::Unready::Failing(why)) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "publication-failing",
            "Publication failing",
            why,
        )),
    }
}
