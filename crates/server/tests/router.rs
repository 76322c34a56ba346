//! The router driven without a socket (`oneshot`), on the in-memory store.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use provenant_api::routes::{
    CheckLicense, GetOpenApi, GetTlogCheckpoint, Health, Metrics, Ready, SubmitEntry, entry_path,
};
use provenant_api::{Endpoint, Problem};
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_model::Receipt;
use provenant_server::{Limits, app};
use tower::ServiceExt as _;

/// A router and the ledger behind it.
fn router_and_ledger() -> (axum::Router, Ledger) {
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
    let (status, _, body) = get(GetTlogCheckpoint::ROUTE.path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("test.example/log\n0\n"), "{body}");
    assert_eq!(get(Health::ROUTE.path).await.0, StatusCode::OK);
    assert_eq!(get(Ready::ROUTE.path).await.0, StatusCode::OK);
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
        (
            "/v1/designs/xyz/similar",
            StatusCode::BAD_REQUEST,
            "invalid-id",
        ),
        (
            "/v1/designs/xyz/c2pa",
            StatusCode::BAD_REQUEST,
            "invalid-id",
        ),
        // A router given no C2PA issuer (the binary always has one).
        (
            "/v1/designs/0000000000000000000000000000000000000000000000000000000000000000/c2pa",
            StatusCode::NOT_IMPLEMENTED,
            "c2pa-not-configured",
        ),
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
            .oneshot(
                Request::get(Health::ROUTE.path)
                    .body(Body::empty())
                    .unwrap(),
            )
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
    for path in [
        Health::ROUTE.path.to_owned(),
        Health::ROUTE.path.to_owned(),
        entry_path(7),
    ] {
        app.clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
    }
    let r = app
        .oneshot(
            Request::get(Metrics::ROUTE.path)
                .body(Body::empty())
                .unwrap(),
        )
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
    let (status, ct, _) = get(GetOpenApi::ROUTE.path).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/json"));
    // The check above can fail: a path the router does not serve.
    let r = router()
        .oneshot(Request::get("/v1/nope").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("no such route"));
}

/// POSTs `req` to endpoint `E` on `app`: the status, and the typed
/// answer or the problem (whose status must be the response's).
async fn post<E: Endpoint>(
    app: &axum::Router,
    req: &E::Request,
) -> (StatusCode, Result<E::Response, Problem>)
where
    E::Request: serde::Serialize,
    E::Response: serde::de::DeserializeOwned,
{
    let r = app
        .clone()
        .oneshot(
            Request::post(E::ROUTE.path)
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(req).unwrap()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    if status.is_success() {
        return (status, Ok(serde_json::from_slice(&body).unwrap()));
    }
    let p: Problem = serde_json::from_slice(&body).unwrap();
    assert_eq!(p.status, status.as_u16(), "{p:?}");
    (status, Err(p))
}

/// The default configuration has no arbiter: nobody could resolve a
/// dispute, so a stranger's would freeze the design for good. The raise is
/// refused with a `403` naming the rule, and nothing is written.
#[tokio::test]
async fn a_ledger_without_arbiters_refuses_disputes() {
    use provenant_model::Kind;
    use provenant_testkit::{design_of, envelope, key, register};
    let app = router();
    let (status, body) =
        post::<SubmitEntry>(&app, &register(b"charm", &[(&key(1), 1_000_000)])).await;
    assert_eq!(status, StatusCode::CREATED, "{body:?}");
    let receipt: Receipt = body.unwrap();
    assert_eq!(receipt.index, 0);
    let raise = envelope(
        Kind::DisputeRaise,
        serde_json::json!({"design": design_of(b"charm"), "claim": "copied",
                           "evidence": "ab".repeat(32)}),
        &[&key(9)],
    );
    let (status, body) = post::<SubmitEntry>(&app, &raise).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body:?}");
    let p = body.unwrap_err();
    assert_eq!(
        p.kind, "https://provenant.dev/problems/no-arbiters",
        "{p:?}"
    );
    let r = app
        .oneshot(
            Request::get(GetTlogCheckpoint::ROUTE.path)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let text = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    // The registration and its batch's state commitment, nothing more.
    assert!(text.starts_with(b"test.example/log\n2\n"), "{text:?}");
}

/// POSTs `body` to `/v1/entries`: the status and the answer as text.
async fn post_entry(app: &axum::Router, body: String) -> (StatusCode, String) {
    let r = app
        .clone()
        .oneshot(
            Request::post(SubmitEntry::ROUTE.path)
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
    let env = provenant_testkit::envelope(
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
            serde_json::json!({"key": provenant_testkit::id(&k).to_string(), "sig": sig.to_string()})
        })
        .collect();
    v.to_string()
}

/// An envelope over the entry limit whose 320 signatures are garbage.
fn oversized_with_garbage_signatures() -> String {
    let creators: Vec<serde_json::Value> = (0..320u32)
        .map(|i| {
            let share = 3125; // 320 equal shares of 1,000,000
            serde_json::json!({"key": provenant_testkit::id(&numbered_key(i)).to_string(),
                               "share_ppm": share, "role": "designer"})
        })
        .collect();
    let mut v = provenant_testkit::register(b"big", &[(&numbered_key(0), 1_000_000)]).to_value();
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

    let honest = provenant_testkit::register(b"honest", &[(&numbered_key(7), 1_000_000)]);
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
    // The registration and its batch's state commitment.
    assert_eq!(ledger.head().size.0, 2);
}

/// GETs `path` on `app`: the status and the JSON answer.
async fn get_json(app: &axum::Router, path: &str) -> (StatusCode, serde_json::Value) {
    let r = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn the_entries_a_key_signed_are_served_with_proofs() {
    use provenant_testkit::{id, key, register};
    let (app, ledger) = router_and_ledger();
    let (alice, bob) = (key(1), key(2));
    for (content, owner) in [(&b"one"[..], &alice), (b"two", &bob), (b"three", &alice)] {
        ledger
            .submit(register(content, &[(owner, 1_000_000)]))
            .await
            .unwrap();
    }
    // The identity's base64 may hold `/` and `+`: percent-encoded.
    let path = |k: &SigningKey| provenant_api::routes::key_entries_path(&id(k));

    let (status, page) = get_json(&app, &format!("{}?limit=1", path(&alice))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["index"], 0);
    assert_eq!(page["next"], "0");
    // Three writes, each followed by its batch's state commitment.
    assert_eq!(page["tree_size"], 6);
    assert_eq!(page["proofs"][0]["index"], 0);
    assert_eq!(
        page["items"][0]["leaf_hash"],
        page["proofs"][0]["leaf_hash"]
    );
    let (status, rest) = get_json(&app, &format!("{}?after=0", path(&alice))).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["index"], 4);
    assert_eq!(rest["next"], serde_json::Value::Null);
    let (_, theirs) = get_json(&app, &path(&bob)).await;
    assert_eq!(theirs["items"][0]["index"], 2);

    for (path, code) in [
        ("/v1/keys/alice/entries".to_owned(), "malformed"),
        (format!("{}?after=x", path(&alice)), "invalid-cursor"),
        (format!("{}?limit=-1", path(&alice)), "invalid-query"),
    ] {
        let (status, problem) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {problem}");
        assert!(
            problem["type"].as_str().unwrap().ends_with(code),
            "{path}: {problem}"
        );
    }
}

use provenant_ledger::Store as _;

/// A store whose reads fail while `broken` is set (a backend error), over
/// memory.
#[derive(Clone, Default)]
struct Flaky {
    inner: std::sync::Arc<provenant_ledger::MemoryStore>,
    broken: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

struct FlakySnapshot<'a> {
    inner: <provenant_ledger::MemoryStore as provenant_ledger::Store>::Snapshot<'a>,
    broken: &'a std::sync::atomic::AtomicBool,
}

fn check(
    broken: &std::sync::atomic::AtomicBool,
) -> Result<(), provenant_ledger::store::StoreError> {
    if broken.load(std::sync::atomic::Ordering::SeqCst) {
        Err(provenant_ledger::store::StoreError::backend(
            "the disk is unreadable",
        ))
    } else {
        Ok(())
    }
}

impl provenant_ledger::store::Read for Flaky {
    fn get(
        &self,
        t: provenant_ledger::store::Table,
        k: &[u8],
    ) -> Result<Option<Vec<u8>>, provenant_ledger::store::StoreError> {
        check(&self.broken)?;
        self.inner.get(t, k)
    }
    fn scan(
        &self,
        t: provenant_ledger::store::Table,
        p: &[u8],
        a: Option<&[u8]>,
        l: usize,
    ) -> Result<provenant_ledger::store::Rows, provenant_ledger::store::StoreError> {
        check(&self.broken)?;
        self.inner.scan(t, p, a, l)
    }
}

impl provenant_ledger::store::Read for FlakySnapshot<'_> {
    fn get(
        &self,
        t: provenant_ledger::store::Table,
        k: &[u8],
    ) -> Result<Option<Vec<u8>>, provenant_ledger::store::StoreError> {
        check(self.broken)?;
        self.inner.get(t, k)
    }
    fn scan(
        &self,
        t: provenant_ledger::store::Table,
        p: &[u8],
        a: Option<&[u8]>,
        l: usize,
    ) -> Result<provenant_ledger::store::Rows, provenant_ledger::store::StoreError> {
        check(self.broken)?;
        self.inner.scan(t, p, a, l)
    }
}

impl provenant_ledger::Store for Flaky {
    type Snapshot<'a> = FlakySnapshot<'a>;
    fn snapshot(&self) -> FlakySnapshot<'_> {
        FlakySnapshot {
            inner: self.inner.snapshot(),
            broken: &self.broken,
        }
    }
    fn write(
        &self,
        b: provenant_ledger::store::Batch,
    ) -> Result<(), provenant_ledger::store::StoreError> {
        self.inner.write(b)
    }
}

/// A read the store fails under answers 503 (a backend failure, with
/// `Retry-After`) or 500 (a damaged store), never a 4xx: whether the read
/// fails in the ledger or inside a rule's evaluation.
#[tokio::test]
async fn a_read_whose_store_fails_is_a_server_error() {
    use provenant_ledger::store::{Batch, Table};
    use provenant_testkit::{design_of, key, register};
    let flaky = Flaky::default();
    let ledger = Ledger::open(
        provenant_ledger::AnyStore::boxed(flaky.clone()),
        SigningKey::from_bytes(&[7; 32]),
        LedgerConfig {
            origin: "test.example/log".into(),
            arbiters: Vec::new(),
            batch: BatchConfig::default(),
        },
    )
    .unwrap();
    for content in [&b"dial"[..], b"other"] {
        ledger
            .submit(register(content, &[(&key(1), 1_000_000)]))
            .await
            .unwrap();
    }
    let app = app(ledger.clone(), Limits::default());
    let design = design_of(b"dial").to_hex();
    let check = provenant_model::LicenseQuery::from_value(&serde_json::json!({
        "design": design,
        "licensee": provenant_testkit::id(&key(2)).to_string(),
        "action": "commercial",
        "territory": "FR",
        "channel": "retail",
        "category": "accessories",
        "date": "2026-03-01T00:00:00Z",
        "quantity": 1
    }))
    .unwrap();
    let (status, _) = get_json(&app, &format!("/v1/designs/{design}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = post::<CheckLicense>(&app, &check).await;
    assert_eq!(status, StatusCode::OK, "{answer:?}");

    flaky
        .broken
        .store(true, std::sync::atomic::Ordering::SeqCst);
    for path in [
        format!("/v1/designs/{design}"),
        "/v1/entries/0".to_owned(),
        "/v1/proofs/inclusion?index=0".to_owned(),
    ] {
        let (status, problem) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {problem}");
    }
    let (status, problem) = post::<CheckLicense>(&app, &check).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem:?}");
    flaky
        .broken
        .store(false, std::sync::atomic::Ordering::SeqCst);

    // A damaged record: the design's record and entry 0's leaf hash (in
    // entry 1's proof) no longer decode.
    let mut b = Batch::default();
    b.put(
        Table::Designs,
        design_of(b"dial").as_bytes().to_vec(),
        b"junk".to_vec(),
    );
    b.put(
        Table::Hashes,
        0u64.to_be_bytes().to_vec(),
        b"short".to_vec(),
    );
    flaky.inner.write(b).unwrap();
    for path in [
        format!("/v1/designs/{design}"),
        "/v1/proofs/inclusion?index=1&tree_size=2".to_owned(),
    ] {
        let (status, problem) = get_json(&app, &path).await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {problem}"
        );
    }
    let (status, problem) = post::<CheckLicense>(&app, &check).await;
    assert!(status.is_server_error(), "{status}: {problem:?}");
}
