//! [`Client`]: the ledger's HTTP API, typed where the client acts on the
//! answer and JSON where it only shows it.

use std::time::Duration;

use provenant_api::{LogInfo, Problem, Submitted};
use provenant_model::Envelope;
use provenant_tlog::{Hash, TreeSize};
use reqwest::blocking::{Client as Http, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ClientError;

/// An answer's JSON, refusing repeated member names at any depth (RFC 7493
/// section 2.3): an answer with two `allowed` or two `payload` members
/// would mean one thing to this client and another to the next reader.
fn decode_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_value(provenant_model::strict_json::parse(bytes)?)
}

/// A ledger's HTTP API at one base URL.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: Http,
}

#[derive(Deserialize)]
struct Proof {
    #[serde(alias = "inclusion_proof", alias = "consistency_proof")]
    hashes: Vec<String>,
}

impl Client {
    /// A client for the server at `base` (`http://HOST:PORT`).
    ///
    /// # Errors
    /// [`ClientError::BadUrl`] for anything but an http(s) URL.
    pub fn new(base: &str) -> Result<Client, ClientError> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::BadUrl(base.to_owned()));
        }
        let http = Http::builder()
            .timeout(Duration::from_mins(1))
            .build()
            .map_err(|source| ClientError::Transport {
                url: base.to_owned(),
                source,
            })?;
        Ok(Client {
            base: base.to_owned(),
            http,
        })
    }

    /// The server's base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(
        url: &str,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<Response, ClientError> {
        let response = request.send().map_err(|source| ClientError::Transport {
            url: url.to_owned(),
            source,
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let problem_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        let body = response.text().unwrap_or_default();
        if problem_json && let Ok(problem) = serde_json::from_str::<Problem>(&body) {
            return Err(ClientError::Refused { problem });
        }
        Err(ClientError::Status {
            status,
            body: body.chars().take(200).collect(),
        })
    }

    fn decode<T: DeserializeOwned>(url: &str, response: Response) -> Result<T, ClientError> {
        let bytes = response.bytes().map_err(|source| ClientError::Transport {
            url: url.to_owned(),
            source,
        })?;
        decode_strict(&bytes).map_err(|e| ClientError::Decode {
            url: url.to_owned(),
            detail: e.to_string(),
        })
    }

    /// `GET path`, decoded as JSON.
    ///
    /// # Errors
    /// Transport failures, problems, and answers that do not decode.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = self.url(path);
        let response = Self::send(&url, self.http.get(&url))?;
        Self::decode(&url, response)
    }

    /// `POST path` with a JSON body, decoded as JSON.
    ///
    /// # Errors
    /// Transport failures, problems, and answers that do not decode.
    pub fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, ClientError> {
        let url = self.url(path);
        let response = Self::send(&url, self.http.post(&url).json(body))?;
        Self::decode(&url, response)
    }

    /// `POST path` with a CSV body, decoded as JSON.
    ///
    /// # Errors
    /// Transport failures, problems, and answers that do not decode.
    pub fn post_csv<T: DeserializeOwned>(&self, path: &str, csv: String) -> Result<T, ClientError> {
        let url = self.url(path);
        let request = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv);
        let response = Self::send(&url, request)?;
        Self::decode(&url, response)
    }

    /// `GET path` as bytes; `None` for a `404`.
    ///
    /// # Errors
    /// Transport failures and any other refusal.
    pub fn get_bytes(&self, path: &str) -> Result<Option<Vec<u8>>, ClientError> {
        let url = self.url(path);
        match Self::send(&url, self.http.get(&url)) {
            Ok(response) => response
                .bytes()
                .map(|b| Some(b.to_vec()))
                .map_err(|source| ClientError::Transport { url, source }),
            Err(ClientError::Refused { problem }) if problem.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /v1/log`.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn log(&self) -> Result<LogInfo, ClientError> {
        self.get("/v1/log")
    }

    /// `GET /checkpoint`: the signed note's text, not yet verified.
    ///
    /// # Errors
    /// As [`Client::get_bytes`].
    pub fn checkpoint(&self) -> Result<String, ClientError> {
        let url = self.url("/checkpoint");
        let bytes = self.get_bytes("/checkpoint")?.unwrap_or_default();
        String::from_utf8(bytes).map_err(|e| ClientError::Decode {
            url,
            detail: e.to_string(),
        })
    }

    /// `POST /v1/entries`: writes a signed envelope.
    ///
    /// # Errors
    /// The rule the envelope breaks, as a [`ClientError::Refused`].
    pub fn submit(&self, envelope: &Envelope) -> Result<Submitted, ClientError> {
        let url = self.url("/v1/entries");
        let response = Self::send(&url, self.http.post(&url).json(&envelope.to_value()))?;
        let status = response.status().as_u16();
        let receipt = Self::decode(&url, response)?;
        Ok(Submitted::from_status(receipt, status))
    }

    /// `GET /v1/proofs/inclusion?index=&tree_size=`.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn inclusion_proof(&self, index: u64, size: TreeSize) -> Result<Vec<Hash>, ClientError> {
        let path = format!("/v1/proofs/inclusion?index={index}&tree_size={}", size.0);
        self.hashes(&path)
    }

    /// `GET /v1/proofs/consistency?from=&to=`.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn consistency_proof(
        &self,
        from: TreeSize,
        to: TreeSize,
    ) -> Result<Vec<Hash>, ClientError> {
        let path = format!("/v1/proofs/consistency?from={}&to={}", from.0, to.0);
        self.hashes(&path)
    }

    fn hashes(&self, path: &str) -> Result<Vec<Hash>, ClientError> {
        let proof: Proof = self.get(path)?;
        proof
            .hashes
            .iter()
            .map(|h| Hash::from_hex(h))
            .collect::<Result<_, _>>()
            .map_err(|e| ClientError::Decode {
                url: self.url(path),
                detail: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_a_repeated_member_are_refused() {
        let honest = br#"{"allowed":false,"checkpoint":"c","tree_size":1}"#;
        assert_eq!(decode_strict::<Value>(honest).unwrap()["allowed"], false);
        let forged = br#"{"allowed":true,"allowed":false,"checkpoint":"c","tree_size":1}"#;
        let err = decode_strict::<Value>(forged).unwrap_err();
        assert!(
            err.to_string().contains("\"allowed\" appears twice"),
            "{err}"
        );
        let nested = br#"{"proofs":[{"index":1,"index":2}]}"#;
        assert!(decode_strict::<Value>(nested).is_err());
    }
}
