//! The start-up probe against a store that ignores conditional writes: an
//! HTTP server speaking just enough S3 to accept every `PUT` as it comes,
//! `If-None-Match` or not, as some S3-compatible stores do. Publication
//! must refuse to start on it, naming the reason.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use provenant_ledger::{Ledger, LedgerConfig, MemoryStore};
use provenant_publish::{Bucket, PublishError, Publisher, S3Options, Target};

type Objects = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// Stores every `PUT`, whatever its conditions.
async fn careless(
    State(objects): State<Objects>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let key = uri.path().to_owned();
    let mut objects = objects.lock().unwrap();
    let etag = [("etag", "\"careless\"")];
    match method {
        Method::PUT => {
            // The conditions are there, and ignored.
            assert!(headers.contains_key("if-none-match") || headers.contains_key("if-match"));
            objects.insert(key, body.to_vec());
            (StatusCode::OK, etag, Vec::new())
        }
        Method::DELETE => {
            objects.remove(&key);
            (StatusCode::NO_CONTENT, etag, Vec::new())
        }
        // DeleteObjects (`POST /BUCKET?delete`), as the client deletes.
        Method::POST if uri.query() == Some("delete") => {
            let body = String::from_utf8_lossy(&body).into_owned();
            let mut deleted = String::new();
            for part in body.split("<Key>").skip(1) {
                let name = part.split("</Key>").next().unwrap_or_default();
                objects.remove(&format!("{key}/{name}"));
                let _ = write!(deleted, "<Deleted><Key>{name}</Key></Deleted>");
            }
            let answer = format!("<DeleteResult>{deleted}</DeleteResult>");
            (StatusCode::OK, etag, answer.into_bytes())
        }
        _ => (StatusCode::NOT_FOUND, etag, Vec::new()),
    }
}

#[tokio::test]
async fn a_store_that_ignores_conditional_writes_is_refused() {
    let objects = Objects::default();
    let app = axum::Router::new()
        .fallback(careless)
        .with_state(objects.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let options = S3Options {
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        allow_http: Some(true),
    };
    let target = Target::parse("s3://careless/log").unwrap();
    let bucket = Bucket::open(&target, &options).unwrap();
    let config = LedgerConfig {
        origin: "example.test/provenant".into(),
        arbiters: Vec::new(),
        batch: provenant_ledger::sequencer::BatchConfig::default(),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let ledger = Ledger::open(MemoryStore::new(), key, config).unwrap();
    let refused = Publisher::start(ledger, bucket).await.unwrap_err();
    assert!(
        matches!(refused, PublishError::NoConditionalWrites(_)),
        "{refused}"
    );
    assert!(refused.to_string().contains("ignores conditional writes"));
    // The probe cleans up after itself, and published nothing.
    let left = objects.lock().unwrap().clone();
    assert!(left.is_empty(), "{:?}", left.keys());
}
