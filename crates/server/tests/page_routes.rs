//! The verification page's routes, driven without a socket (`oneshot`):
//! the saved page (`GET /verify/page.html`) and what it is served with.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, MemoryStore};
use provenant_server::{Limits, PageConfig, app_with_page};
use tower::ServiceExt as _;

const KEY: &str = "provenant.example/log+0a1b2c3d+AdMdRgPNkPg7N6jMAUN+plIRGeCS1+Xlw2dtwLnRnm/L";

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
    let page = PageConfig {
        log_key: Some(KEY.to_owned()),
    };
    app_with_page(ledger, Limits::default(), &page)
}

/// `GET /verify/page.html` with `host` as its Host header (none if `None`):
/// the status, the headers named, and the body.
async fn saved_page(host: Option<&str>) -> (StatusCode, Vec<String>, String) {
    let mut request = Request::get("/verify/page.html");
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    let response = router()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = [
        header::CONTENT_TYPE,
        header::CONTENT_DISPOSITION,
        header::CONTENT_SECURITY_POLICY,
    ]
    .iter()
    .map(|name| {
        response
            .headers()
            .get(name)
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
    })
    .collect();
    let body = to_bytes(response.into_body(), 8 << 20).await.unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_saved_page_asks_the_server_it_was_saved_from() {
    for host in ["127.0.0.1:8080", "ledger.example", "[::1]:3000"] {
        let (status, headers, body) = saved_page(Some(host)).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        assert_eq!(headers[0], "text/html; charset=utf-8");
        assert_eq!(
            headers[1],
            "attachment; filename=\"provenant-verifier.html\""
        );
        assert!(!headers[2].is_empty(), "served under a policy all the same");
        let api = format!("http://{host}");
        assert!(
            body.contains(&format!("<meta name=\"provenant-api\" content=\"{api}\">")),
            "{host}"
        );
        assert!(body.contains(&format!("connect-src {api}\"")), "{host}");
        assert!(body.contains(&format!(
            "<meta name=\"provenant-log-key\" content=\"{KEY}\">"
        )));
        assert!(body.contains("<script type=\"importmap\">"));
    }
}

/// A Host that is not `host[:port]` alone would be written into the file's
/// HTML and policy: it is refused.
#[tokio::test]
async fn a_host_that_is_not_a_host_is_refused() {
    for host in [
        None,
        Some(""),
        Some("ledger.example; connect-src *"),
        Some("ledger.example\" onload=\"x"),
        Some("ledger.example/path"),
        Some("user@ledger.example"),
        Some("ledger.example:99999"),
    ] {
        let (status, headers, body) = saved_page(host).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{host:?}: {body}");
        assert_eq!(headers[0], "application/problem+json", "{host:?}");
        assert!(body.contains("problems/invalid-host\""), "{host:?}: {body}");
    }
}

/// `method path` with `headers`: the status and the response's headers.
async fn ask(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap) {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    (response.status(), response.headers().clone())
}

#[tokio::test]
async fn the_page_and_its_files_are_served_under_the_policy() {
    for path in [
        "/",
        "/verify/",
        "/verify/design/ab",
        "/assets/js/app.js",
        "/assets/css/page.css",
    ] {
        let (status, headers) = ask("GET", path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            provenant_page::CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
    }
    let (_, headers) = ask("GET", "/assets/js/app.js", &[]).await;
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    for path in ["/assets/nothing.js", "/assets/../Cargo.toml", "/assets/"] {
        let (status, _) = ask("GET", path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// A page hosted elsewhere may read (and preflight a license check), but
/// no other origin is told it may write.
#[tokio::test]
async fn reads_answer_other_origins_and_writes_do_not() {
    let origin = ("origin", "https://elsewhere.example");
    let (_, headers) = ask("GET", "/v1/log", &[origin]).await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    let preflight = [
        origin,
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    let (status, headers) = ask("OPTIONS", "/v1/licenses/check", &preflight).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    for write in ["/v1/entries", "/v1/entries/batch"] {
        let (_, headers) = ask("OPTIONS", write, &preflight).await;
        assert!(
            !headers.contains_key("access-control-allow-origin"),
            "{write}: {headers:?}"
        );
    }
}
