//! `--replay` (issue 20, item 3.2): a witness that re-validates a
//! Provenant log's entries cosigns a checkpoint over valid entries, and
//! refuses one over an entry that breaks a rule even though the log signed
//! it and it is consistent; a log it cannot read is refused `502`.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use common::{MemoryLog, assert_cosigned, post, witness};
use provenant_model::{Entry, Envelope, Timestamp};
use provenant_testkit::{id, key, register};
use provenant_tlog::tile::{TILE_WIDTH, Tile, encode_bundle};
use provenant_witness::app;

const ORIGIN: &str = "example.com/provenant";
const LOG_SEED: u8 = 200;

/// A log of `envelopes`, each logged a second after the one before.
fn log_of(envelopes: Vec<Envelope>) -> MemoryLog {
    let mut log = MemoryLog::new(ORIGIN, LOG_SEED, 0);
    for (n, env) in envelopes.into_iter().enumerate() {
        let at = Timestamp::from_unix(1_767_225_600 + i64::try_from(n).unwrap()).unwrap();
        log.push(Entry::new(env, at).leaf_bytes());
    }
    log
}

/// Registrations of `count` designs, each by its own creator.
fn designs(count: u8) -> Vec<Envelope> {
    (1..=count)
        .map(|i| register(&[b'd', i], &[(&key(i), 1_000_000)]))
        .collect()
}

/// Serves the log's `GET /v1/log` and entry bundles on a loopback port.
async fn serve(log: &MemoryLog) -> String {
    let info = format!(
        r#"{{"origin":"{ORIGIN}","verifier_key":"{}","public_key":"{}","size":{},"arbiters":[]}}"#,
        log.signer.verifier().to_text(),
        id(&key(LOG_SEED)),
        log.size()
    );
    let leaves = Arc::new(log.leaves.clone());
    let router = Router::new()
        .route(
            "/v1/log",
            get(move || {
                let info = info.clone();
                async move { info }
            }),
        )
        .route("/tile/{*path}", get(bundle))
        .with_state(leaves);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn bundle(
    State(leaves): State<Arc<Vec<Vec<u8>>>>,
    Path(path): Path<String>,
) -> Result<Vec<u8>, StatusCode> {
    let tile = Tile::parse(&format!("tile/{path}")).map_err(|_| StatusCode::NOT_FOUND)?;
    if tile.level.is_some() {
        return Err(StatusCode::NOT_FOUND);
    }
    let start = usize::try_from(tile.index * TILE_WIDTH).unwrap();
    let entries = leaves
        .get(start..start + usize::from(tile.width))
        .ok_or(StatusCode::NOT_FOUND)?;
    Ok(encode_bundle(entries).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_entries_are_replayed_then_cosigned() {
    let log = log_of(designs(40));
    let url = serve(&log).await;
    let dir = tempfile::tempdir().unwrap();
    let w = witness(dir.path(), vec![log.config(Some(&url))], true);
    let router = app(w.clone());
    for (old, new) in [(0, 3), (3, 3), (3, 17), (17, 40)] {
        let answer = post(&router, log.body(old, new)).await;
        assert_cosigned(&w, &answer, &log.checkpoint_text(new));
    }
    // After a restart the replay starts again from the first entry.
    drop(router);
    drop(w);
    let w = witness(dir.path(), vec![log.config(Some(&url))], true);
    let answer = post(&app(w.clone()), log.body(40, 40)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(40));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_that_breaks_a_rule_is_never_cosigned() {
    // Entry 5 registers content that entry 2 registered already.
    let mut envelopes = designs(8);
    envelopes.insert(5, register(&[b'd', 3], &[(&key(99), 1_000_000)]));
    let log = log_of(envelopes);
    let url = serve(&log).await;
    let dir = tempfile::tempdir().unwrap();
    let w = witness(dir.path(), vec![log.config(Some(&url))], true);
    let router = app(w.clone());
    let answer = post(&router, log.body(0, 5)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(5));
    for new in [6, 9] {
        let answer = post(&router, log.body(5, new)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert!(answer.body.contains("entry 5"), "{}", answer.body);
    }
    // Without --replay the same checkpoint is consistent, and cosigned.
    drop(router);
    drop(w);
    let w = witness(dir.path(), vec![log.config(Some(&url))], false);
    let answer = post(&app(w.clone()), log.body(5, 9)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_that_are_not_the_signed_ones_are_refused() {
    // The log signs one history and serves another.
    let signed = log_of(designs(6));
    let mut other = designs(6);
    other[4] = register(b"other", &[(&key(5), 1_000_000)]);
    let url = serve(&log_of(other)).await;
    let dir = tempfile::tempdir().unwrap();
    let w = witness(dir.path(), vec![signed.config(Some(&url))], true);
    let answer = post(&app(w.clone()), signed.body(0, 6)).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert!(answer.body.contains("root"), "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_cannot_be_read_gets_502() {
    let log = log_of(designs(2));
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let w = witness(dir.path(), vec![log.config(Some(&url))], true);
    let answer = post(&app(w.clone()), log.body(0, 2)).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(0)));
}

#[tokio::test]
async fn replay_needs_every_log_url() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_of(Vec::new());
    let opened = provenant_witness::Witness::open(
        dir.path(),
        common::WITNESS_NAME,
        key(1),
        provenant_witness::WitnessConfig {
            logs: vec![log.config(None)],
            replay: true,
        },
    );
    assert!(matches!(
        opened,
        Err(provenant_witness::OpenError::NoUrl { .. })
    ));
}
