//! A proxy on loopback in front of a server, for tests that change what a
//! client is answered (a tampering proxy, a replaying one): the serving
//! and the forwarding are here, what to change is the test's.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// A router served on a free loopback port until dropped.
pub struct Proxy {
    pub base: String,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    pub fn start(app: axum::Router) -> Proxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Proxy {
            base,
            _runtime: runtime,
        }
    }
}

/// A request taken apart: method, path and query, headers, body.
pub struct Asked {
    pub method: axum::http::Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Asked {
    pub async fn of(req: Request) -> Asked {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 64 << 20)
            .await
            .unwrap_or_default()
            .to_vec();
        Asked {
            method: parts.method,
            path: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            headers: parts.headers,
            body,
        }
    }

    /// The path without the query.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// Sends the request to `upstream`: its status, headers and body
    /// (`502` when it cannot be reached).
    pub async fn forward(
        &self,
        client: &reqwest::Client,
        upstream: &str,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if name != "host" && name != "content-length" && name != "connection" {
                headers.append(name, value.clone());
            }
        }
        let Ok(answer) = client
            .request(self.method.clone(), format!("{upstream}{}", self.path))
            .headers(headers)
            .body(self.body.clone())
            .send()
            .await
        else {
            return (StatusCode::BAD_GATEWAY, HeaderMap::new(), Vec::new());
        };
        let status = answer.status();
        let headers = answer.headers().clone();
        let bytes = answer.bytes().await.unwrap_or_default().to_vec();
        (status, headers, bytes)
    }
}

/// An answer with `bytes` as its body (lengths recomputed; JSON unless
/// the headers say otherwise).
pub fn respond(status: StatusCode, mut headers: HeaderMap, bytes: Vec<u8>) -> Response {
    headers.remove("content-length");
    headers.remove("transfer-encoding");
    if !headers.contains_key("content-type") {
        headers.insert("content-type", "application/json".parse().unwrap());
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
