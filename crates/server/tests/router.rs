//! The router driven without a socket (`oneshot`), on the in-memory store.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_server::{Limits, app};
use tower::ServiceExt as _;

fn router() -> axum::Router {
    let ledger = Ledger::open(
        MemoryStore::new(),
        SigningKey::from_bytes(&[7; 32]),
        LedgerConfig {
            origin: "test.example/log".into(),
            arbiters: Vec::new(),
            batch: BatchConfig::default(),
        },
    )
    .unwrap();
    app(ledger, Limits::default())
}

async fn get(path: &str) -> (StatusCode, String, String) {
    let r = router()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, ct, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn serves_the_checkpoint_and_health() {
    let (status, _, body) = get("/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("test.example/log\n0\n"), "{body}");
    assert_eq!(get("/healthz").await.0, StatusCode::OK);
    assert_eq!(get("/readyz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_bad_ids_are_problems() {
    for (path, status, code) in [
        ("/nope", StatusCode::NOT_FOUND, "not-found"),
        ("/v1/designs/xyz", StatusCode::BAD_REQUEST, "invalid-id"),
        ("/v1/entries/-1", StatusCode::BAD_REQUEST, "invalid-index"),
        ("/v1/entries/0", StatusCode::NOT_FOUND, "not-found"),
        ("/tile/0/000", StatusCode::NOT_FOUND, "not-found"),
        ("/tile/0/0000", StatusCode::BAD_REQUEST, "invalid-tile-path"),
    ] {
        let (got, ct, body) = get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(ct, "application/problem+json", "{path}");
        assert!(
            body.contains(&format!("problems/{code}\"")),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = router();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = app
            .clone()
            .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
            .await
            .unwrap();
        ids.push(r.headers()["x-request-id"].to_str().unwrap().to_owned());
    }
    assert!(!ids[0].is_empty());
    assert_ne!(ids[0], ids[1], "each request gets its own id");
    let r = router()
        .oneshot(
            Request::get("/nope")
                .header("x-request-id", "client-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "client-42");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = router();
    for path in ["/healthz", "/healthz", "/v1/entries/7"] {
        app.clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
    }
    let r = app
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = String::from_utf8(to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    for line in [
        "provenant_http_requests_total{route=\"/healthz\",status=\"200\"} 2",
        "provenant_http_requests_total{route=\"/v1/entries/{index}\",status=\"404\"} 1",
        "provenant_http_request_seconds_count{route=\"/healthz\"} 2",
        "provenant_tree_size 0",
        "provenant_queue_depth 0",
        "provenant_batch_size_count 0",
        "provenant_memory_bytes{part=\"hash_cache\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn the_openapi_channels_and_categories_are_the_vocabularies() {
    let doc: serde_json::Value = serde_json::from_str(provenant_server::OPENAPI).unwrap();
    let query = &doc["components"]["schemas"]["LicenseQuery"]["properties"];
    let listed = |name: &str| -> Vec<String> {
        query[name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let channels: Vec<String> = provenant_model::Channel::all()
        .map(|c| c.as_str().to_owned())
        .collect();
    let categories: Vec<String> = provenant_model::Category::all()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(listed("channel"), channels);
    assert_eq!(listed("category"), categories);
}

#[tokio::test]
async fn every_route_of_the_openapi_document_is_served() {
    let doc: serde_json::Value = serde_json::from_str(provenant_server::OPENAPI).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 19);
    for (path, ops) in paths {
        let concrete = path
            .replace("{index}", "0")
            .replace("{id}", &"ab".repeat(32))
            .replace("{path}", "0/000");
        for method in ops.as_object().unwrap().keys() {
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let r = router().oneshot(req).await.unwrap();
            let status = r.status();
            let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
            let text = String::from_utf8_lossy(&body);
            assert!(
                !text.contains("no such route") && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not served: {status} {text}"
            );
        }
    }
    let (status, ct, _) = get("/v1/openapi.json").await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/json"));
}
