//! [`Client`]: the ledger's HTTP API, one typed method per endpoint of
//! [`provenant_api::routes`]. Each is built from its endpoint's route
//! (method, path, how the request travels) and decodes the endpoint's
//! answer type; no path is spelled here.
//!
//! Failures are classified ([`ClientError::failure`]): a `4xx` problem is a
//! refusal, a `503` is retried as [`RetryPolicy`] allows when the request
//! is safe to repeat ([`crate::retry::safe_to_repeat`]) and is then
//! [`ClientError::Unavailable`].

use std::time::{Duration, Instant};

use provenant_api::routes::{
    CheckLicense, GetCheckpoint, GetCredential, GetDesign, GetEntry, GetGrant, GetLog, GetOpenApi,
    GetSimilar, GetTile, GetTlogCheckpoint, GetWitnessedCheckpoint, Health, IdentifyFile,
    ListDesigns, Metrics, ProveConsistency, ProveInclusion, Ready, SplitRoyalty, StateRoyalties,
    SubmitBatch, SubmitEntry, credential_path, design_path, entry_path, grant_path, similar_path,
    tile_path,
};
use provenant_api::{
    BatchAnswer, BatchResult, ConsistencyAnswer, ConsistencyQuery, DesignList, DesignReport,
    Endpoint, EntryAnswer, EntryBatch, Identified, InclusionAnswer, InclusionQuery, Input,
    ListQuery, LogInfo, Method, Problem, Proven, Route, Similar, SimilarQuery, SplitRequest,
    StatementRequest, Submitted, Upgrade, problem,
};
use provenant_model::{
    DesignId, Envelope, GrantId, GrantState, LicenseAnswer, LicenseQuery, RoyaltySplit, Statement,
};
use provenant_tlog::tile::{TILE_WIDTH, Tile, parse_bundle};
use provenant_tlog::{Hash, TreeSize};
use reqwest::blocking::{Client as Http, RequestBuilder};
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ClientError;
use crate::retry::{RetryPolicy, parse_retry_after, safe_to_repeat};

/// An answer's JSON, refusing repeated member names at any depth (RFC 7493
/// section 2.3): an answer with two `allowed` or two `payload` members
/// would mean one thing to this client and another to the next reader.
fn decode_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_value(provenant_model::strict_json::parse(bytes)?)
}

/// A successful exchange: the status and the body.
struct Answer {
    url: String,
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        decode_strict(&self.body).map_err(|e| ClientError::Decode {
            url: self.url.clone(),
            detail: e.to_string(),
        })
    }

    fn text(self) -> Result<String, ClientError> {
        String::from_utf8(self.body).map_err(|e| ClientError::Decode {
            url: self.url,
            detail: e.to_string(),
        })
    }
}

/// A ledger's HTTP API at one base URL.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: Http,
    retry: RetryPolicy,
}

impl Client {
    /// A client for the server at `base` (`http://HOST:PORT`), retrying
    /// `503`s as [`RetryPolicy::DEFAULT`] says.
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
            retry: RetryPolicy::DEFAULT,
        })
    }

    /// The same client with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// The server's base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request for `route` at `path` (the route's path, or one of the
    /// api's builders for a route with a parameter).
    fn request(&self, route: &Route, path: &str) -> (String, RequestBuilder) {
        let url = format!("{}{path}", self.base);
        let builder = match route.method {
            Method::Get => self.http.get(&url),
            Method::Post => self.http.post(&url),
        };
        (url, builder)
    }

    /// A request for endpoint `E` at `path` carrying `request` as the route
    /// says (nothing, the query string, or a JSON body).
    fn typed<E: Endpoint>(&self, path: &str, request: &E::Request) -> (String, RequestBuilder)
    where
        E::Request: Serialize,
    {
        let (url, builder) = self.request(&E::ROUTE, path);
        let builder = match E::ROUTE.input {
            Input::None | Input::Bytes => builder,
            Input::Query => builder.query(request),
            Input::Json => builder.json(request),
        };
        (url, builder)
    }

    /// Calls endpoint `E` at its own path and decodes its JSON answer.
    fn call<E: Endpoint>(&self, request: &E::Request) -> Result<E::Response, ClientError>
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        self.call_at::<E>(E::ROUTE.path, request)
    }

    /// Calls endpoint `E` at `path` and decodes its JSON answer.
    fn call_at<E: Endpoint>(
        &self,
        path: &str,
        request: &E::Request,
    ) -> Result<E::Response, ClientError>
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        let (url, builder) = self.typed::<E>(path, request);
        self.send(&E::ROUTE, url, builder)?.json()
    }

    /// Sends the request, again after each `503` while the retry policy
    /// allows and the route is safe to repeat; a success's status and body.
    fn send(
        &self,
        route: &Route,
        url: String,
        builder: RequestBuilder,
    ) -> Result<Answer, ClientError> {
        let policy = if safe_to_repeat(route) {
            self.retry
        } else {
            RetryPolicy::NEVER
        };
        let started = Instant::now();
        let mut attempts = 0;
        let mut request = builder;
        loop {
            attempts += 1;
            // Bodies here are bytes in memory, so a request always clones;
            // one that did not would be sent once.
            let spare = request.try_clone();
            match exchange(&url, request) {
                Ok((status, body)) => return Ok(Answer { url, status, body }),
                Err(Exchange::Failed(e)) => return Err(e),
                Err(Exchange::Busy {
                    problem,
                    retry_after,
                }) => {
                    let elapsed = started.elapsed();
                    match (policy.wait(attempts, elapsed, retry_after), spare) {
                        (Some(wait), Some(spare)) => {
                            std::thread::sleep(wait);
                            request = spare;
                        }
                        _ => {
                            return Err(ClientError::Unavailable {
                                problem,
                                retry_after,
                                attempts,
                                elapsed,
                            });
                        }
                    }
                }
            }
        }
    }

    /// `GET /v1/log`: what a client needs to verify the log.
    ///
    /// # Errors
    /// Transport failures, problems, and answers that do not decode.
    pub fn log(&self) -> Result<LogInfo, ClientError> {
        self.call::<GetLog>(&())
    }

    /// `GET /checkpoint`: the signed note's text, not yet verified.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn checkpoint(&self) -> Result<String, ClientError> {
        self.text::<GetTlogCheckpoint>()
    }

    /// `GET /v1/checkpoint`: the same note, where Provenant's API serves it.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn v1_checkpoint(&self) -> Result<String, ClientError> {
        self.text::<GetCheckpoint>()
    }

    /// `GET /v1/checkpoint/witnessed`: the latest checkpoint the log's
    /// witness quorum cosigned, with the cosignatures.
    ///
    /// # Errors
    /// As [`Client::log`]; a `404` refusal when the log asks no witnesses
    /// (`witnessing-off`) or none cosigned yet (`not-witnessed`).
    pub fn witnessed_checkpoint(&self) -> Result<String, ClientError> {
        self.text::<GetWitnessedCheckpoint>()
    }

    /// What lifts an answer proven at `size` to the log's latest witnessed
    /// checkpoint: that checkpoint and the consistency proof from `size`
    /// to it ([`provenant_api::witnessed`]). Nothing here is trusted: the
    /// caller verifies the upgrade with its policy.
    ///
    /// # Errors
    /// As [`Client::witnessed_checkpoint`]; a checkpoint that does not
    /// parse is a decode error.
    pub fn upgrade(&self, size: TreeSize) -> Result<Upgrade, ClientError> {
        let witnessed = self.witnessed_checkpoint()?;
        let to = provenant_tlog::Note::parse(witnessed.as_bytes())
            .and_then(|n| provenant_tlog::Checkpoint::parse(n.text()))
            .map_err(|e| ClientError::Decode {
                url: format!("{}{}", self.base, GetWitnessedCheckpoint::ROUTE.path),
                detail: e.to_string(),
            })?
            .size;
        let consistency = if size.0 > 0 && size < to {
            Some(self.consistency(&ConsistencyQuery {
                from: size.0,
                to: Some(to.0),
            })?)
        } else {
            None
        };
        Ok(Upgrade {
            witnessed,
            consistency,
        })
    }

    /// `POST /v1/entries`: writes a signed envelope. Safe to repeat: the
    /// same envelope again gets the original receipt.
    ///
    /// # Errors
    /// The rule the envelope breaks, as a [`ClientError::Refused`].
    pub fn submit(&self, envelope: &Envelope) -> Result<Submitted, ClientError> {
        let (url, builder) = self.typed::<SubmitEntry>(SubmitEntry::ROUTE.path, envelope);
        let answer = self.send(&SubmitEntry::ROUTE, url, builder)?;
        Ok(Submitted::from_status(answer.json()?, answer.status))
    }

    /// `POST /v1/entries/batch`: writes up to
    /// [`provenant_api::MAX_BATCH_ENVELOPES`] signed envelopes in one
    /// request, each answered on its own, in order: a receipt, or the
    /// problem that refused it. Safe to repeat, as single writes are.
    ///
    /// # Errors
    /// A batch the server could not read at all, or an answer that does
    /// not hold one result per envelope.
    pub fn submit_batch(
        &self,
        envelopes: &[Envelope],
    ) -> Result<Vec<Result<Submitted, Problem>>, ClientError> {
        let batch = EntryBatch {
            envelopes: envelopes.to_vec(),
        };
        let (url, builder) = self.typed::<SubmitBatch>(SubmitBatch::ROUTE.path, &batch);
        let answer: BatchAnswer = self
            .send(&SubmitBatch::ROUTE, url.clone(), builder)?
            .json()?;
        if answer.results.len() != envelopes.len() {
            return Err(ClientError::Decode {
                url,
                detail: format!(
                    "{} results for {} envelopes",
                    answer.results.len(),
                    envelopes.len()
                ),
            });
        }
        Ok(answer
            .results
            .into_iter()
            .map(BatchResult::outcome)
            .collect())
    }

    /// `GET /v1/entries/{index}`: an entry and its leaf hash.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn entry(&self, index: u64) -> Result<EntryAnswer, ClientError> {
        self.call_at::<GetEntry>(&entry_path(index), &())
    }

    /// `GET /v1/proofs/inclusion`.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn inclusion(&self, query: &InclusionQuery) -> Result<InclusionAnswer, ClientError> {
        self.call::<ProveInclusion>(query)
    }

    /// `GET /v1/proofs/consistency`.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn consistency(&self, query: &ConsistencyQuery) -> Result<ConsistencyAnswer, ClientError> {
        self.call::<ProveConsistency>(query)
    }

    /// The consistency proof that the tree of `new` extends the tree of
    /// `old` (two verified checkpoints of this log), when one is needed
    /// ([`provenant_api::verify::consistency_needed`]); check it with
    /// [`provenant_api::verify::verify_extends`].
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn extension_proof(
        &self,
        old: &provenant_tlog::Checkpoint,
        new: &provenant_tlog::Checkpoint,
    ) -> Result<Option<ConsistencyAnswer>, ClientError> {
        if !provenant_api::verify::consistency_needed(old, new) {
            return Ok(None);
        }
        self.consistency(&ConsistencyQuery {
            from: old.size.0,
            to: Some(new.size.0),
        })
        .map(Some)
    }

    /// The inclusion proof of entry `index` in the tree of `size`.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn inclusion_proof(&self, index: u64, size: TreeSize) -> Result<Vec<Hash>, ClientError> {
        let query = InclusionQuery {
            index: Some(index),
            leaf_hash: None,
            tree_size: Some(size.0),
        };
        Ok(self.inclusion(&query)?.inclusion_proof)
    }

    /// The consistency proof from the tree of `from` to the tree of `to`.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn consistency_proof(
        &self,
        from: TreeSize,
        to: TreeSize,
    ) -> Result<Vec<Hash>, ClientError> {
        let query = ConsistencyQuery {
            from: from.0,
            to: Some(to.0),
        };
        Ok(self.consistency(&query)?.consistency_proof)
    }

    /// `GET /v1/designs`: a page of the designs a key owns a share of, or
    /// that are licensed to it.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn designs(&self, query: &ListQuery) -> Result<DesignList, ClientError> {
        self.call::<ListDesigns>(query)
    }

    /// `POST /v1/designs/identify`: is this file registered?
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn identify(&self, bytes: Vec<u8>) -> Result<Identified, ClientError> {
        let (url, builder) = self.request(&IdentifyFile::ROUTE, IdentifyFile::ROUTE.path);
        let builder = builder
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        self.send(&IdentifyFile::ROUTE, url, builder)?.json()
    }

    /// `GET /v1/designs/{id}`: a design, proven (verify it with
    /// [`Proven::verify`]).
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn design(&self, id: &DesignId) -> Result<Proven<DesignReport>, ClientError> {
        self.call_at::<GetDesign>(&design_path(id), &())
    }

    /// `GET /v1/designs/{id}/similar`: registered designs whose image looks
    /// like this design's, within `distance` bits (the server's default
    /// when `None`). Advisory: no proof covers the list.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn similar(&self, id: &DesignId, distance: Option<u32>) -> Result<Similar, ClientError> {
        self.call_at::<GetSimilar>(&similar_path(id), &SimilarQuery { distance })
    }

    /// `GET /v1/designs/{id}/c2pa`: the design's C2PA Content Credential,
    /// the bytes of a sidecar manifest store (`.c2pa`).
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn credential(&self, id: &DesignId) -> Result<Vec<u8>, ClientError> {
        let path = credential_path(id);
        let (url, builder) = self.request(&GetCredential::ROUTE, &path);
        Ok(self.send(&GetCredential::ROUTE, url, builder)?.body)
    }

    /// `GET /v1/grants/{id}`: a grant with its units used, proven.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn grant(&self, id: &GrantId) -> Result<Proven<GrantState>, ClientError> {
        self.call_at::<GetGrant>(&grant_path(id), &())
    }

    /// `POST /v1/licenses/check`, proven.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn check_license(
        &self,
        query: &LicenseQuery,
    ) -> Result<Proven<LicenseAnswer>, ClientError> {
        self.call::<CheckLicense>(query)
    }

    /// `POST /v1/royalties/split`, proven.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn split(&self, request: &SplitRequest) -> Result<Proven<RoyaltySplit>, ClientError> {
        self.call::<SplitRoyalty>(request)
    }

    /// `POST /v1/royalties/statement` with a JSON body, proven.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn statement(&self, request: &StatementRequest) -> Result<Proven<Statement>, ClientError> {
        self.call::<StateRoyalties>(request)
    }

    /// `POST /v1/royalties/statement` with the sales as CSV
    /// (`design,amount_minor,currency`); proven.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn statement_csv(&self, csv: String) -> Result<Proven<Statement>, ClientError> {
        let route = StateRoyalties::ROUTE;
        let (url, builder) = self.request(&route, route.path);
        let builder = builder.header(CONTENT_TYPE, "text/csv").body(csv);
        self.send(&route, url, builder)?.json()
    }

    /// `GET /tile/...`: a C2SP hash tile or entry bundle; `None` when the
    /// server has no such tile (`404`, a problem from a Provenant server or
    /// any body from a bucket).
    ///
    /// A partial tile that is gone (a publisher deletes the partials of a
    /// tile once the full one is published) is read from the full tile: its
    /// first `W` hashes or entries are the partial's (C2SP tlog-tiles).
    ///
    /// # Errors
    /// Transport failures and any other refusal.
    pub fn tile(&self, tile: &Tile) -> Result<Option<Vec<u8>>, ClientError> {
        if let Some(bytes) = self.tile_as_served(tile)? {
            return Ok(Some(bytes));
        }
        if tile.is_full() {
            return Ok(None);
        }
        let full = Tile {
            width: u16::try_from(TILE_WIDTH).unwrap_or(u16::MAX),
            ..*tile
        };
        Ok(self
            .tile_as_served(&full)?
            .and_then(|bytes| prefix_of(tile, &bytes)))
    }

    fn tile_as_served(&self, tile: &Tile) -> Result<Option<Vec<u8>>, ClientError> {
        let (url, builder) = self.request(&GetTile::ROUTE, &tile_path(tile));
        match self.send(&GetTile::ROUTE, url, builder) {
            Ok(answer) => Ok(Some(answer.body)),
            Err(ClientError::Refused { problem })
                if problem.status == problem::status::NOT_FOUND =>
            {
                Ok(None)
            }
            Err(ClientError::Status { status, .. }) if status == problem::status::NOT_FOUND => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `GET /v1/openapi.json`: the API's OpenAPI document.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn openapi(&self) -> Result<serde_json::Value, ClientError> {
        self.call::<GetOpenApi>(&())
    }

    /// `GET /healthz`: `ok` while the process serves.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn health(&self) -> Result<String, ClientError> {
        self.text::<Health>()
    }

    /// `GET /readyz`: `ready` while the ledger can write.
    ///
    /// # Errors
    /// As [`Client::log`]; a ledger that cannot write answers `503`.
    pub fn ready(&self) -> Result<String, ClientError> {
        self.text::<Ready>()
    }

    /// `GET /metrics`: Prometheus text.
    ///
    /// # Errors
    /// As [`Client::log`].
    pub fn metrics(&self) -> Result<String, ClientError> {
        self.text::<Metrics>()
    }

    /// A text answer of an endpoint without parameters.
    fn text<E: Endpoint<Response = String>>(&self) -> Result<String, ClientError> {
        let (url, builder) = self.request(&E::ROUTE, E::ROUTE.path);
        self.send(&E::ROUTE, url, builder)?.text()
    }
}

/// How one exchange ended, short of a success.
enum Exchange {
    /// A `503`: the same request may succeed after `retry_after`.
    Busy {
        problem: Box<Problem>,
        retry_after: Option<Duration>,
    },
    /// Anything else: not worth repeating.
    Failed(ClientError),
}

/// Sends `request` once: the status and body of a success, or how it
/// failed.
fn exchange(url: &str, request: RequestBuilder) -> Result<(u16, Vec<u8>), Exchange> {
    let transport = |source| {
        Exchange::Failed(ClientError::Transport {
            url: url.to_owned(),
            source,
        })
    };
    let response = request.send().map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().map_err(transport)?.to_vec();
    if (200..300).contains(&status) {
        return Ok((status, body));
    }
    let problem = read_problem(&headers, &body);
    if status == problem::status::SERVICE_UNAVAILABLE {
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let problem = problem.unwrap_or_else(|| {
            Box::new(Problem::unavailable(
                "unavailable",
                String::from_utf8_lossy(&body).into_owned(),
            ))
        });
        return Err(Exchange::Busy {
            problem,
            retry_after,
        });
    }
    Err(Exchange::Failed(match problem {
        Some(problem) if (400..500).contains(&status) => ClientError::Refused { problem },
        _ => ClientError::Status {
            status,
            body: String::from_utf8_lossy(&body).chars().take(200).collect(),
        },
    }))
}

/// The problem document in a body served as `application/problem+json`.
fn read_problem(headers: &HeaderMap, body: &[u8]) -> Option<Box<Problem>> {
    let is_problem = headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(problem::CONTENT_TYPE.as_bytes()));
    is_problem
        .then(|| serde_json::from_slice::<Problem>(body).ok())
        .flatten()
        .map(Box::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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

/// The first `tile.width` hashes or entries of the full tile `bytes`;
/// `None` when it does not hold that many.
fn prefix_of(tile: &Tile, full: &[u8]) -> Option<Vec<u8>> {
    let width = usize::from(tile.width);
    if tile.level.is_some() {
        return full
            .get(..width * provenant_tlog::HASH_SIZE)
            .map(<[u8]>::to_vec);
    }
    // Each entry is its 2-byte length and its bytes.
    let entries = parse_bundle(full, u16::try_from(TILE_WIDTH).ok()?).ok()?;
    let end = entries.get(..width)?.iter().map(|e| 2 + e.len()).sum();
    full.get(..end).map(<[u8]>::to_vec)
}

#[cfg(test)]
mod prefix_tests {
    use provenant_tlog::tile::{Tile, encode_bundle};

    use super::prefix_of;

    #[test]
    fn a_partial_is_the_start_of_its_full_tile() {
        let entries: Vec<Vec<u8>> = (0..256u16).map(|i| vec![7; usize::from(i % 5)]).collect();
        let full = encode_bundle(&entries).unwrap();
        let partial = Tile::entries(3, 17).unwrap();
        assert_eq!(
            prefix_of(&partial, &full),
            Some(encode_bundle(&entries[..17]).unwrap())
        );
        let hashes: Vec<u8> = (0..=255u8).flat_map(|i| [i; 32]).collect();
        let partial = Tile::hashes(0, 3, 17).unwrap();
        assert_eq!(
            prefix_of(&partial, &hashes),
            Some(hashes[..17 * 32].to_vec())
        );
        // A full tile shorter than the partial asked for.
        assert_eq!(prefix_of(&partial, &hashes[..100]), None);
        assert_eq!(prefix_of(&Tile::entries(0, 17).unwrap(), &full[..10]), None);
    }
}
