//! The S3 client's HTTP: hyper over rustls with ring, trusting the
//! system's root certificates. The workspace's `reqwest` has no TLS (its
//! TLS backends would bring a C build, or a process-wide crypto provider
//! every client must install), so the bucket gets its own connector.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use object_store::client::{
    ClientConfigKey, HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpRequestBody,
    HttpResponse, HttpResponseBody, HttpService,
};
use object_store::{ClientOptions, client};

/// Each exchange with the bucket is bounded: `object_store` retries a
/// timed-out request itself.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the HTTP client `object_store` sends its requests with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Connector;

impl client::HttpConnector for Connector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let allow_http = options
            .get_config_value(&ClientConfigKey::AllowHttp)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = match hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider.clone())
        {
            Ok(builder) => builder,
            // A plain-HTTP endpoint needs no roots (a container without
            // CA certificates): TLS then trusts nothing and fails.
            Err(e) if allow_http => {
                tracing::warn!(error = %e, "no root certificates: https to the bucket will fail");
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| generic(&e))?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
            }
            Err(e) => {
                return Err(generic(&format!(
                    "no trusted root certificates for TLS: {e}"
                )));
            }
        };
        let builder = if allow_http {
            builder.https_or_http()
        } else {
            builder.https_only()
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        let https = builder.enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(HttpClient::new(Service(client)))
    }
}

fn generic(e: &dyn std::fmt::Display) -> object_store::Error {
    object_store::Error::Generic {
        store: "S3",
        source: e.to_string().into(),
    }
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Debug)]
struct Service(Client<Https, HttpRequestBody>);

#[async_trait::async_trait]
impl HttpService for Service {
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let response = tokio::time::timeout(EXCHANGE_TIMEOUT, self.0.request(request))
            .await
            .map_err(|e| HttpError::new(HttpErrorKind::Timeout, e))?
            .map_err(|e| {
                let kind = if e.is_connect() {
                    HttpErrorKind::Connect
                } else {
                    HttpErrorKind::Request
                };
                HttpError::new(kind, e)
            })?;
        let (parts, body) = response.into_parts();
        let body = body.map_err(|e| HttpError::new(HttpErrorKind::Interrupted, e));
        Ok(HttpResponse::from_parts(parts, HttpResponseBody::new(body)))
    }
}
