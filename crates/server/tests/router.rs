//! The router driven without a socket (`oneshot`), on the in-memory store.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_server::{Limits, app};
use tower::ServiceExt as _;

/// A router and the ledger behind it.
fn router_and_ledger() -> (axum::Router, Ledger<MemoryStore>) {
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
    (app(ledger.clone(), Limits::default()), ledger)
}

/// A router over an empty ledger with no arbiters.
fn router() -> axum::Router {
    router_and_ledger().0
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

/// The document the router serves.
async fn served_document() -> serde_json::Value {
    let (status, ct, text) = get("/v1/openapi.json").await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/json"));
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn the_openapi_channels_and_categories_are_the_vocabularies() {
    let doc = served_document().await;
    let listed = |name: &str| -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
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
    assert_eq!(listed("Channel"), channels);
    assert_eq!(listed("Category"), categories);
}

/// Every route of the api crate is in the served document, nothing else
/// is, and the router serves each one: none falls through to the
/// fallback's `not-found` for routes or to a `405`.
#[tokio::test]
async fn every_route_is_documented_and_served() {
    let doc = served_document().await;
    assert_eq!(doc, provenant_api::openapi::document());
    let paths = doc["paths"].as_object().unwrap();
    let documented: std::collections::BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(|m| (m.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let routes: std::collections::BTreeSet<(String, String)> = provenant_api::routes::ALL
        .iter()
        .map(|r| (r.method.as_str().to_owned(), r.path.replace("{*", "{")))
        .collect();
    assert_eq!(documented, routes);
    for (method, path) in &documented {
        let concrete = path
            .replace("{index}", "0")
            .replace("{id}", &"ab".repeat(32))
            .replace("{path}", "0/000");
        let req = Request::builder()
            .method(method.as_str())
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
    // The check above can fail: a path the router does not serve.
    let r = router()
        .oneshot(Request::get("/v1/nope").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("no such route"));
}

/// POSTs `body` to `path` on `app`: the status and the JSON answer.
async fn post(
    app: &axum::Router,
    path: &str,
    body: &serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let r = app
        .clone()
        .oneshot(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

/// The default configuration has no arbiter: nobody could resolve a
/// dispute, so a stranger's would freeze the design for good. The raise is
/// refused with a `403` naming the rule, and nothing is written.
#[tokio::test]
async fn a_ledger_without_arbiters_refuses_disputes() {
    use provenant_model::Kind;
    use provenant_model::testkit::{design_of, envelope, key, register};
    let app = router();
    let (status, body) = post(
        &app,
        "/v1/entries",
        &register(b"charm", &[(&key(1), 1_000_000)]).to_value(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let raise = envelope(
        Kind::DisputeRaise,
        serde_json::json!({"design": design_of(b"charm"), "claim": "copied",
                           "evidence": "ab".repeat(32)}),
        &[&key(9)],
    );
    let (status, body) = post(&app, "/v1/entries", &raise.to_value()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["type"], "https://provenant.dev/problems/no-arbiters",
        "{body}"
    );
    let r = app
        .oneshot(Request::get("/checkpoint").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    assert!(text.starts_with(b"test.example/log\n1\n"), "{text:?}");
}

/// POSTs `body` to `/v1/entries`: the status and the answer as text.
async fn post_entry(app: &axum::Router, body: String) -> (StatusCode, String) {
    let r = app
        .clone()
        .oneshot(
            Request::post("/v1/entries")
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A key from a number, distinct from the seed keys above.
fn numbered_key(i: u32) -> SigningKey {
    let mut seed = [0x5au8; 32];
    seed[..4].copy_from_slice(&i.to_be_bytes());
    SigningKey::from_bytes(&seed)
}

/// Issue 15's flood: a usage record carrying `n` signatures that all
/// verify. Signed once, it could be sent for ever, since it is never logged.
fn flood(n: u32) -> String {
    use ed25519_dalek::Signer as _;
    let env = provenant_model::testkit::envelope(
        provenant_model::Kind::UsageRecord,
        serde_json::json!({"grant": "cd".repeat(32), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "flood"}),
        &[],
    );
    let input = env.signing_input();
    let mut v = env.to_value();
    v["signatures"] = (0..n)
        .map(|i| {
            let k = numbered_key(i);
            let sig = provenant_model::SignatureBytes(k.sign(&input).to_bytes());
            serde_json::json!({"key": provenant_model::testkit::id(&k).to_string(), "sig": sig.to_string()})
        })
        .collect();
    v.to_string()
}

/// An envelope over the entry limit whose 320 signatures are garbage.
fn oversized_with_garbage_signatures() -> String {
    let creators: Vec<serde_json::Value> = (0..320u32)
        .map(|i| {
            let share = 3125; // 320 equal shares of 1,000,000
            serde_json::json!({"key": provenant_model::testkit::id(&numbered_key(i)).to_string(),
                               "share_ppm": share, "role": "designer"})
        })
        .collect();
    let mut v =
        provenant_model::testkit::register(b"big", &[(&numbered_key(0), 1_000_000)]).to_value();
    v["payload"]["creators"] = serde_json::Value::Array(creators.clone());
    v["payload"]["description"] = serde_json::json!("d".repeat(4000));
    v["signatures"] = creators
        .iter()
        .map(|c| serde_json::json!({"key": c["key"], "sig": format!("{}==", "A".repeat(86))}))
        .collect();
    v.to_string()
}

/// The floods are refused in the handler, before the queue: not one of
/// their signatures is verified (counted, not timed), and an honest write
/// sent among them is logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_floods_are_refused_before_any_signature_is_verified() {
    let (app, ledger) = router_and_ledger();
    let flood = flood(2000);
    assert!(flood.len() > 300_000, "{}", flood.len());
    let (status, body) = post_entry(&app, flood.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("problems/too-many-items\""), "{body}");
    let (status, body) = post_entry(&app, oversized_with_garbage_signatures()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("problems/entry-too-large\""), "{body}");
    assert_eq!(ledger.stats().signatures_checked, 0);

    let honest = provenant_model::testkit::register(b"honest", &[(&numbered_key(7), 1_000_000)]);
    let floods: Vec<_> = (0..4)
        .map(|_| {
            let (app, flood) = (app.clone(), flood.clone());
            tokio::spawn(async move { post_entry(&app, flood).await })
        })
        .collect();
    let (status, body) = post_entry(&app, honest.to_value().to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for f in floods {
        let (status, body) = f.await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    // The honest registration's one signature, and nothing else.
    assert_eq!(ledger.stats().signatures_checked, 1);
    assert_eq!(ledger.head().size.0, 1);
}
