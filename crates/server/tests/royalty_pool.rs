//! Royalty reads under attack, driven through the router (`oneshot`) on the
//! in-memory store: heavy statements leave `/healthz` answering, a full
//! compute queue is refused, a statement past the request timeout stops
//! computing, and split answers stay small with their detail paged.

use std::fmt::Write as _;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use provenant_api::routes::{Health, Metrics, SplitRoyalty, StateRoyalties};
use provenant_api::{DetailQuery, Endpoint, Problem, Proven, SplitRequest};
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_model::{DesignId, Money, RoyaltySplit, Statement};
use provenant_server::{ComputeLimits, Limits, app};
use provenant_testkit::{design_of, envelope, grant, grant_id, key, register, terms};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use tower::ServiceExt as _;

type TestLedger = Ledger;

fn ledger() -> TestLedger {
    Ledger::open(
        MemoryStore::new(),
        SigningKey::from_bytes(&[7; 32]),
        LedgerConfig {
            origin: "test.example/log".into(),
            arbiters: Vec::new(),
            batch: BatchConfig {
                batch_budget: Duration::ZERO,
                ..BatchConfig::default()
            },
        },
    )
    .unwrap()
}

/// A chain of `depth` designs, each deriving from the one before under
/// `policy` at `rate` ppm, each owned by its own key. Oldest first.
async fn chain(ledger: &TestLedger, depth: u8, policy: &str, rate: u32) -> Vec<DesignId> {
    let mut t = terms();
    t["royalty"] = json!({"policy": policy, "rev_share_ppm": rate});
    let mut designs: Vec<DesignId> = Vec::new();
    for i in 0..depth {
        let owner = key(i.wrapping_add(1));
        let content = format!("chain {policy} {i}");
        let mut env = register(content.as_bytes(), &[(&owner, 1_000_000)]).to_value();
        if let Some(&parent) = designs.last() {
            let parent_owner = key(i);
            let g = grant(parent, &owner, &[&parent_owner], &t);
            ledger.submit(g.clone()).await.unwrap();
            env["payload"]["parents"] = json!([{"design": parent, "grant": grant_id(&g)}]);
        }
        let env = envelope(
            provenant_model::Kind::DesignRegister,
            env["payload"].clone(),
            &[&owner],
        );
        ledger.submit(env).await.unwrap();
        designs.push(design_of(content.as_bytes()));
    }
    designs
}

/// A CSV statement of `lines` sales spread over `designs`.
fn sales_csv(designs: &[DesignId], lines: usize) -> String {
    let mut csv = String::from("design,amount_minor,currency\n");
    for i in 0..lines {
        let design = designs[i * 7 % designs.len()];
        let _ = writeln!(csv, "{design},{},EUR", 1_000 + i * 13);
    }
    csv
}

fn statement_request(csv: &str) -> Request<Body> {
    Request::post(StateRoyalties::ROUTE.path)
        .header("content-type", "text/csv")
        .body(Body::from(csv.to_owned()))
        .unwrap()
}

/// A split of `amount` EUR earned by `design`, with a page of its detail
/// when `detail` is given.
fn split_of(design: DesignId, amount: u64, detail: Option<DetailQuery>) -> SplitRequest {
    SplitRequest {
        design,
        revenue: Money {
            amount_minor: amount,
            currency: "EUR".parse().unwrap(),
        },
        detail,
    }
}

/// `req` to endpoint `E` as its JSON body.
fn json_request<E: Endpoint>(req: &E::Request) -> Request<Body>
where
    E::Request: Serialize,
{
    Request::post(E::ROUTE.path)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(req).unwrap()))
        .unwrap()
}

/// What the router answered: the status, the typed answer or the problem,
/// and `Retry-After`.
struct Answer<T> {
    status: StatusCode,
    body: Result<T, Problem>,
    retry: Option<String>,
}

async fn send<T: DeserializeOwned>(app: &axum::Router, req: Request<Body>) -> Answer<T> {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = to_bytes(r.into_body(), 64 << 20).await.unwrap();
    let text = || String::from_utf8_lossy(&bytes).into_owned();
    let body = if status.is_success() {
        Ok(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", text())))
    } else {
        let p: Problem =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", text()));
        assert_eq!(p.status, status.as_u16(), "{p:?}");
        Err(p)
    };
    Answer {
        status,
        body,
        retry,
    }
}

/// The problem of a refusal.
fn problem_of<T: std::fmt::Debug>(a: Answer<T>) -> Problem {
    a.body.expect_err("a refusal")
}

/// A counter or gauge from `/metrics`.
async fn metric(app: &axum::Router, name: &str) -> u64 {
    let r = app
        .clone()
        .oneshot(
            Request::get(Metrics::ROUTE.path)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let text = String::from_utf8(to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .parse()
        .unwrap()
}

/// Waits (bounded) until `name` reaches `want`.
async fn wait_for(app: &axum::Router, name: &str, want: u64) {
    for _ in 0..6000 {
        if metric(app, name).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{name} never reached {want}");
}

/// Three statements of 10,000 LRP lines over a 120-design chain occupy
/// the compute threads; `/healthz`, asked on a worker of the same two-worker
/// runtime, answers while all three are still running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_heavy_statements_run() {
    let ledger = ledger();
    let designs = chain(&ledger, 120, "LRP", 8_000).await;
    let app = app(ledger, Limits::default());
    let csv = sales_csv(&designs, 10_000);
    let heavy: Vec<_> = (0..3)
        .map(|_| {
            let (app, req) = (app.clone(), statement_request(&csv));
            tokio::spawn(async move { send::<Proven<Statement>>(&app, req).await })
        })
        .collect();
    wait_for(&app, "provenant_compute_running", 2).await;
    let health = {
        let app = app.clone();
        tokio::spawn(async move {
            let req = Request::get(Health::ROUTE.path)
                .body(Body::empty())
                .unwrap();
            app.oneshot(req).await.unwrap().status()
        })
    };
    assert_eq!(health.await.unwrap(), StatusCode::OK);
    let still_running = heavy.iter().filter(|h| !h.is_finished()).count();
    assert_eq!(still_running, 3, "/healthz waited for a statement");
    for h in heavy {
        let done = h.await.unwrap();
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body.err());
    }
}

/// With one compute thread and no queue, a read arriving while a heavy
/// statement computes is refused at once: `503 compute-busy`, `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_compute_pool_is_refused_with_503() {
    let ledger = ledger();
    let designs = chain(&ledger, 120, "LRP", 8_000).await;
    let limits = Limits {
        compute: ComputeLimits {
            threads: 1,
            queue: 0,
        },
        ..Limits::default()
    };
    let app = app(ledger, limits);
    let heavy = {
        let (app, req) = (app.clone(), statement_request(&sales_csv(&designs, 10_000)));
        tokio::spawn(async move { send::<Proven<Statement>>(&app, req).await })
    };
    wait_for(&app, "provenant_compute_running", 1).await;
    let split = split_of(designs[0], 100, None);
    let busy: Answer<Proven<RoyaltySplit>> = send(&app, json_request::<SplitRoyalty>(&split)).await;
    assert!(!heavy.is_finished(), "the statement was too light to test");
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.retry.as_deref(), Some("1"));
    let p = problem_of(busy);
    assert!(p.kind.ends_with("/compute-busy"), "{p:?}");
    assert_eq!(metric(&app, "provenant_compute_refused_total").await, 1);
    assert_eq!(heavy.await.unwrap().status, StatusCode::OK);
    // With no queue, a read is taken only once the thread waits again.
    for _ in 0..6000 {
        let again: Answer<Proven<RoyaltySplit>> =
            send(&app, json_request::<SplitRoyalty>(&split)).await;
        if again.status == StatusCode::OK {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the thread never took another read");
}

/// A statement answered `408` at the request timeout stops computing: it
/// does a small part of the work the same statement does in full (work is
/// counted, not timed), and frees its thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_the_timeout_is_408_and_stops() {
    let ledger = ledger();
    let designs = chain(&ledger, 120, "LRP", 8_000).await;
    let csv = sales_csv(&designs, 10_000);
    let full = app(ledger.clone(), Limits::default());
    let whole: Answer<Proven<Statement>> = send(&full, statement_request(&csv)).await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body.err());
    let full_steps = metric(&full, "provenant_compute_steps_total").await;

    // A queue of one: with none, a read that comes before the new
    // thread first waits would be refused `503` instead.
    let limits = Limits {
        timeout: Duration::from_millis(50),
        compute: ComputeLimits {
            threads: 1,
            queue: 1,
        },
        ..Limits::default()
    };
    let short = app(ledger, limits);
    let cut: Answer<Proven<Statement>> = send(&short, statement_request(&csv)).await;
    assert_eq!(cut.status, StatusCode::REQUEST_TIMEOUT);
    let p = problem_of(cut);
    assert!(p.kind.ends_with("/request-timeout"), "{p:?}");
    wait_for(&short, "provenant_compute_running", 0).await;
    assert_eq!(metric(&short, "provenant_compute_cancelled_total").await, 1);
    let cut_steps = metric(&short, "provenant_compute_steps_total").await;
    assert!(
        cut_steps < full_steps / 2,
        "the timed-out statement did {cut_steps} of {full_steps} steps"
    );
}

/// A split over a 200-design chain answers one line per payee without
/// paths; the detail comes when asked, in bounded pages that together list
/// every holding once, each answer carrying the same proofs.
#[tokio::test]
async fn split_answers_are_bounded_and_their_detail_paged() {
    let ledger = ledger();
    let designs = chain(&ledger, 200, "LAP", 4_000).await;
    let app = app(ledger, Limits::default());
    let top = *designs.last().unwrap();
    let ask = |detail: Option<DetailQuery>| {
        json_request::<SplitRoyalty>(&split_of(top, 1_000_000, detail))
    };
    let plain: Answer<Proven<RoyaltySplit>> = send(&app, ask(None)).await;
    assert_eq!(
        plain.status,
        StatusCode::OK,
        "{:?}",
        plain.body.as_ref().err()
    );
    let plain = plain.body.unwrap();
    let payouts = &plain.answer.payouts;
    assert_eq!(payouts.len(), 200);
    let paid: u64 = payouts.iter().map(|p| p.amount_minor).sum();
    assert_eq!(paid, 1_000_000);
    assert!(plain.answer.detail.is_none());
    let mut answer_only = plain.clone();
    answer_only.proofs.clear();
    answer_only.state = None;
    let size = serde_json::to_string(&answer_only).unwrap().len();
    assert!(size < 32 << 10, "the answer without proofs is {size} bytes");
    let proofs = plain.proofs.len();
    assert!(proofs >= 200, "{proofs} proofs");
    // The proven state: every design of the chain and the grant of each
    // link, which a client reads again to recompute the split.
    let records = plain.state.as_ref().map_or(0, |s| s.records.len());
    assert!(records >= 399, "{records} proven records");

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let detail = DetailQuery {
            after: after.take(),
            limit: Some(1000),
        };
        let page: Answer<Proven<RoyaltySplit>> = send(&app, ask(Some(detail))).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{:?}",
            page.body.as_ref().err()
        );
        let page = page.body.unwrap();
        assert_eq!(page.answer.payouts, plain.answer.payouts);
        assert_eq!(page.proofs.len(), proofs);
        let detail = page.answer.detail.expect("the detail asked for");
        let holdings = &detail.holdings;
        assert!(!holdings.is_empty() && holdings.len() <= 100);
        let named: usize = holdings
            .iter()
            .flat_map(|h| &h.holding.paths)
            .map(|p| p.designs.len())
            .sum();
        assert!(named <= 4096, "{named} path designs in a page");
        seen.extend(holdings.iter().map(|h| h.holding.design));
        match detail.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    seen.sort();
    let mut expected = designs.clone();
    expected.sort();
    assert_eq!(seen, expected);

    let bad = ask(Some(DetailQuery {
        after: Some("x".to_owned()),
        limit: None,
    }));
    let refused: Answer<Proven<RoyaltySplit>> = send(&app, bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let p = problem_of(refused);
    assert!(p.kind.ends_with("/invalid-cursor"), "{p:?}");
}
