//! The witnessing routes of a log started without witnesses, driven
//! without a socket: a client that asks for a witnessed checkpoint or a
//! witnessed receipt is told so, and a refused write changes nothing.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_server::{Limits, app};
use tower::ServiceExt as _;

fn ledger() -> Ledger {
    Ledger::open(
        MemoryStore::new(),
        SigningKey::from_bytes(&[7; 32]),
        LedgerConfig {
            origin: "test.example/log".into(),
            arbiters: Vec::new(),
            batch: BatchConfig::default(),
        },
    )
    .unwrap()
}

async fn send(ledger: &Ledger, request: Request<Body>) -> (StatusCode, String) {
    let response = app(ledger.clone(), Limits::default())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn write(path: &str) -> Request<Body> {
    let creator = provenant_testkit::key(3);
    let env = provenant_testkit::register(b"a charm", &[(&creator, 1_000_000)]);
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&env).unwrap()))
        .unwrap()
}

#[tokio::test]
async fn without_witnesses_nothing_claims_to_be_witnessed() {
    let ledger = ledger();
    let (status, body) = send(
        &ledger,
        Request::get("/v1/checkpoint/witnessed")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("problems/witnessing-off\""), "{body}");

    for path in [
        "/v1/entries?wait=witnessed",
        "/v1/entries/batch?wait=witnessed",
    ] {
        let (status, body) = send(&ledger, write(path)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.contains("problems/witnessing-off\""), "{path}: {body}");
    }
    for path in ["/v1/entries?wait=signed", "/v1/entries?when=now"] {
        let (status, body) = send(&ledger, write(path)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.contains("problems/invalid-query\""), "{path}: {body}");
    }
    assert_eq!(ledger.head().size.0, 0, "a refused write changed the log");

    // The checkpoint is the log's own, and a plain write still works.
    let (status, body) = send(
        &ledger,
        Request::get("/checkpoint").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, &*ledger.head().checkpoint)
    );
    let (status, _) = send(&ledger, write("/v1/entries")).await;
    assert_eq!(status, StatusCode::CREATED);
}
