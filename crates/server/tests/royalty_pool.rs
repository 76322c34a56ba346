//! Royalty reads under attack, driven through the router (`oneshot`) on the
//! in-memory store: heavy statements leave `/healthz` answering, a full
//! compute queue is refused, a statement past the request timeout stops
//! computing, and split answers stay small with their detail paged.

use std::fmt::Write as _;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_model::DesignId;
use provenant_model::testkit::{design_of, envelope, grant, grant_id, key, register, terms};
use provenant_server::{ComputeLimits, Limits, app};
use serde_json::{Value, json};
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
    Request::post("/v1/royalties/statement")
        .header("content-type", "text/csv")
        .body(Body::from(csv.to_owned()))
        .unwrap()
}

fn json_request(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value, Option<String>) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = to_bytes(r.into_body(), 64 << 20).await.unwrap();
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, value, retry)
}

/// A counter or gauge from `/metrics`.
async fn metric(app: &axum::Router, name: &str) -> u64 {
    let r = app
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
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

fn problem_type(body: &Value) -> &str {
    body["type"].as_str().unwrap_or_default()
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
            tokio::spawn(async move { send(&app, req).await })
        })
        .collect();
    wait_for(&app, "provenant_compute_running", 2).await;
    let health = {
        let app = app.clone();
        tokio::spawn(async move {
            send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await
        })
    };
    let (status, _, _) = health.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let still_running = heavy.iter().filter(|h| !h.is_finished()).count();
    assert_eq!(still_running, 3, "/healthz waited for a statement");
    for h in heavy {
        let (status, body, _) = h.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
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
        tokio::spawn(async move { send(&app, req).await })
    };
    wait_for(&app, "provenant_compute_running", 1).await;
    let split = json!({"design": designs[0],
        "revenue": {"amount_minor": 100, "currency": "EUR"}});
    let (status, body, retry) = send(&app, json_request("/v1/royalties/split", &split)).await;
    assert!(!heavy.is_finished(), "the statement was too light to test");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(problem_type(&body).ends_with("/compute-busy"), "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(metric(&app, "provenant_compute_refused_total").await, 1);
    assert_eq!(heavy.await.unwrap().0, StatusCode::OK);
    // With no queue, a read is taken only once the thread waits again.
    for _ in 0..6000 {
        let (status, _, _) = send(&app, json_request("/v1/royalties/split", &split)).await;
        if status == StatusCode::OK {
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
    let (status, body, _) = send(&full, statement_request(&csv)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
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
    let (status, body, _) = send(&short, statement_request(&csv)).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
    assert!(problem_type(&body).ends_with("/request-timeout"), "{body}");
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
    let ask = |detail: Option<Value>| {
        let mut body = json!({"design": top,
            "revenue": {"amount_minor": 1_000_000, "currency": "EUR"}});
        if let Some(d) = detail {
            body["detail"] = d;
        }
        json_request("/v1/royalties/split", &body)
    };
    let (status, plain, _) = send(&app, ask(None)).await;
    assert_eq!(status, StatusCode::OK, "{plain}");
    let payouts = plain["payouts"].as_array().unwrap();
    assert_eq!(payouts.len(), 200);
    let paid: u64 = payouts
        .iter()
        .map(|p| p["amount_minor"].as_u64().unwrap())
        .sum();
    assert_eq!(paid, 1_000_000);
    assert!(plain.get("detail").is_none());
    let mut answer_only = plain.clone();
    answer_only.as_object_mut().unwrap().remove("proofs");
    let size = answer_only.to_string().len();
    assert!(size < 32 << 10, "the answer without proofs is {size} bytes");
    let proofs = plain["proofs"].as_array().unwrap().len();
    assert!(proofs >= 200, "{proofs} proofs");

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let mut detail = json!({"limit": 1000});
        if let Some(a) = &after {
            detail["after"] = json!(a);
        }
        let (status, page, _) = send(&app, ask(Some(detail))).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["payouts"], plain["payouts"]);
        assert_eq!(page["proofs"].as_array().unwrap().len(), proofs);
        let holdings = page["detail"]["holdings"].as_array().unwrap();
        assert!(!holdings.is_empty() && holdings.len() <= 100);
        let named: usize = holdings
            .iter()
            .flat_map(|h| h["paths"].as_array().unwrap())
            .map(|p| p["designs"].as_array().unwrap().len())
            .sum();
        assert!(named <= 4096, "{named} path designs in a page");
        seen.extend(
            holdings
                .iter()
                .map(|h| h["design"].as_str().unwrap().to_owned()),
        );
        match page["detail"]["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    seen.sort();
    let mut expected: Vec<String> = designs.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(seen, expected);

    let bad = ask(Some(json!({"after": "x"})));
    let (status, body, _) = send(&app, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem_type(&body).ends_with("/invalid-cursor"), "{body}");
}
