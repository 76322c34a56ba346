//! A real server on a free loopback port, and signed envelopes to send it.
#![allow(dead_code, unused_imports)]

pub mod browser;
pub mod moto;
pub mod openapi;
pub mod proxy;
pub mod raw;
pub mod replay;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use ed25519_dalek::SigningKey;
pub use provenant_api::Endpoint;
pub use provenant_api::routes::*;
use provenant_api::{
    Input, LogInfo, Method, Problem, SplitRequest, StatementRequest, Submitted, TYPE_BASE,
};
use provenant_model::{Action, DesignId, Envelope, Kind, LicenseQuery, Money, Receipt, SaleLine};
pub use provenant_testkit::{design_of, grant_id, id, key, register};
use provenant_tlog::{Checkpoint, Note, NoteVerifier};
use reqwest::blocking::{Client, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A `provenant serve` process, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub client: Client,
}

impl Server {
    /// Starts the binary on `data` and waits until it listens.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_provenant"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(["--arbiter", &id(&key(250)).to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the provenant binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .expect("an address line")
            .to_owned();
        Server {
            child,
            base,
            client: Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `req` to endpoint `E` at `path` (its route, or the path a
    /// builder of `provenant_api::routes` gave), as its route says: the
    /// request as the query string or as a JSON body.
    pub fn send<E: Endpoint>(&self, path: &str, req: &E::Request) -> Response
    where
        E::Request: Serialize,
    {
        let url = self.url(path);
        let request = match E::ROUTE.method {
            Method::Get => self.client.get(url),
            Method::Post => self.client.post(url),
        };
        let request = match E::ROUTE.input {
            Input::None => request,
            Input::Query => request.query(req),
            Input::Json => request.json(req),
            Input::Bytes => panic!("uploads go through Server::identify"),
        };
        request.send().unwrap()
    }

    /// Calls `E` at `path`: its typed answer, or the problem the server
    /// answered (whose `status` must be the response's).
    pub fn call<E: Endpoint>(&self, path: &str, req: &E::Request) -> Result<E::Response, Problem>
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        answer(E::ROUTE.method.as_str(), self.send::<E>(path, req))
    }

    /// GETs `E` at `path` (its route, or a builder's path), asserting
    /// success: its typed answer.
    pub fn get<E: Endpoint<Request = ()>>(&self, path: &str) -> E::Response
    where
        E::Response: DeserializeOwned,
    {
        self.try_get::<E>(path)
            .unwrap_or_else(|p| panic!("GET {path}: {p:?}"))
    }

    /// GETs `E` at `path`: its typed answer or the problem.
    pub fn try_get<E: Endpoint<Request = ()>>(&self, path: &str) -> Result<E::Response, Problem>
    where
        E::Response: DeserializeOwned,
    {
        self.call::<E>(path, &())
    }

    /// Asks `E` (a POST with a JSON body, or a GET with a query) at its
    /// route, asserting success: its typed answer.
    pub fn post<E: Endpoint>(&self, req: &E::Request) -> E::Response
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        self.try_post::<E>(req)
            .unwrap_or_else(|p| panic!("{}: {p:?}", E::ROUTE.path))
    }

    /// Asks `E` at its route: its typed answer or the problem.
    pub fn try_post<E: Endpoint>(&self, req: &E::Request) -> Result<E::Response, Problem>
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        self.call::<E>(E::ROUTE.path, req)
    }

    /// The body of a text answer (`/checkpoint`, `/healthz`, `/metrics`)
    /// at `path`, asserting success.
    pub fn text(&self, path: &str) -> String {
        let r = self.client.get(self.url(path)).send().unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.text().unwrap()
    }

    /// Uploads `bytes` to `POST /v1/designs/identify`: the whole response,
    /// for callers that look at its status.
    pub fn identify(&self, bytes: Vec<u8>) -> Response {
        self.client
            .post(self.url(IdentifyFile::ROUTE.path))
            .body(bytes)
            .send()
            .unwrap()
    }

    /// GETs `path`: the status and the JSON answer (checked against the
    /// OpenAPI document), for reads no typed client would send.
    pub fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(self.url(path)).send().unwrap();
        checked("GET", path, r)
    }

    /// POSTs `body` as JSON, whatever it holds: the status and the JSON
    /// answer (checked against the OpenAPI document), for requests no
    /// typed client would send.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.client.post(self.url(path)).json(body).send().unwrap();
        checked("POST", path, r)
    }

    /// POSTs `env` to `/v1/entries`: the whole response, for callers that
    /// look at its headers.
    pub fn submit(&self, env: &Envelope) -> Response {
        self.send::<SubmitEntry>(SubmitEntry::ROUTE.path, env)
    }

    /// Writes `env`: the receipt and whether it is new, or the problem.
    pub fn try_write(&self, env: &Envelope) -> Result<Submitted, Problem> {
        let r = self.submit(env);
        let status = r.status().as_u16();
        answer::<Receipt>("POST", r).map(|receipt| Submitted::from_status(receipt, status))
    }

    /// Writes `env`, asserting it is a new entry: the receipt.
    pub fn write(&self, env: &Envelope) -> Receipt {
        let written = self
            .try_write(env)
            .unwrap_or_else(|p| panic!("{} refused: {p:?}", env.kind()));
        assert!(written.created, "{} was already logged", env.kind());
        written.receipt
    }

    /// Writes `env`, asserting it is refused: the problem.
    pub fn refuse(&self, env: &Envelope) -> Problem {
        match self.try_write(env) {
            Ok(w) => panic!("{} accepted at {}", env.kind(), w.receipt.index),
            Err(p) => p,
        }
    }

    /// What a client needs to verify the log: `GET /v1/log`.
    pub fn log_info(&self) -> LogInfo {
        self.get::<GetLog>(GetLog::ROUTE.path)
    }

    /// The log's origin and verifier key, from `/v1/log`.
    pub fn log_key(&self) -> (String, NoteVerifier) {
        let info = self.log_info();
        let verifier = info.verifier().unwrap();
        (info.origin, verifier)
    }

    /// The current checkpoint from `/checkpoint`, its signature verified.
    pub fn checkpoint(&self, origin: &str, verifier: &NoteVerifier) -> Checkpoint {
        let text = self.text(GetTlogCheckpoint::ROUTE.path);
        verified_checkpoint(&text, origin, verifier)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL, as a power cut would, and reaps it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate()
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.terminate();
        }
    }
}

/// The status and JSON body of an answer to `method path`, the body
/// validated against the route's schema in the OpenAPI document.
pub fn checked(method: &str, path: &str, r: reqwest::blocking::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = r.json().unwrap();
    openapi::check(method, path, status, &content_type, &body);
    (status, body)
}

/// The log's size after `writes` accepted writes on a fresh log, each
/// sent after the previous one's receipt (so each is a batch of its own):
/// every batch that changes the state ends with the log's `state.commit`,
/// so each write adds its entry and a commitment.
pub fn size_after(writes: u64) -> u64 {
    2 * writes
}

/// The kinds of the log's entries, in order, read from its entry bundles
/// (`/tile/entries/...`, 256 entries each).
pub fn kinds(server: &Server) -> Vec<Kind> {
    let size = server.log_info().size;
    let mut kinds = Vec::new();
    for index in 0..size.div_ceil(256) {
        let width = u16::try_from((size - index * 256).min(256)).unwrap();
        let tile = provenant_tlog::tile::Tile::entries(index, width).unwrap();
        let r = server
            .client
            .get(server.url(&tile_path(&tile)))
            .send()
            .unwrap();
        assert!(
            r.status().is_success(),
            "entry bundle {index}: {}",
            r.status()
        );
        let bytes = r.bytes().unwrap();
        for leaf in provenant_tlog::tile::parse_bundle(&bytes, width).unwrap() {
            let entry = provenant_model::Entry::from_leaf_bytes(leaf).unwrap();
            kinds.push(entry.envelope.kind());
        }
    }
    assert_eq!(kinds.len(), usize::try_from(size).unwrap());
    kinds
}

/// How many of the log's entries are the log's own `state.commit`.
pub fn commitments(server: &Server) -> u64 {
    let n = kinds(server)
        .into_iter()
        .filter(|k| *k == Kind::StateCommit)
        .count();
    u64::try_from(n).unwrap()
}

/// A grant of `design` to `licensee` for `territories` (empty: worldwide).
pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    territories: &[&str],
) -> Envelope {
    let mut terms = provenant_testkit::terms();
    terms["territories"] = json!(territories);
    provenant_testkit::grant(design, licensee, owners, &terms)
}

/// A checkpoint note's text, its signature verified.
pub fn verified_checkpoint(text: &str, origin: &str, verifier: &NoteVerifier) -> Checkpoint {
    Checkpoint::verify(
        &Note::parse(text.as_bytes()).unwrap(),
        origin,
        std::slice::from_ref(verifier),
    )
    .unwrap()
}

/// Runs the `provenant` binary with `args`: its exit code, and everything
/// it printed (standard output, then standard error).
pub fn run_provenant<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(args)
        .output()
        .expect("the provenant binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The type URI of the problem with `code`.
pub fn problem(code: &str) -> String {
    format!("{TYPE_BASE}{code}")
}

/// A response to `method` decoded: the typed answer of a success, the
/// problem body of a failure (a bare one with the status when the body is
/// not a problem, as for a `413` from the body limit). Every JSON body is
/// first checked against the OpenAPI document (the route's schema for
/// that status and media type), and a problem's `status` is the
/// response's.
pub fn answer<T: DeserializeOwned>(method: &str, r: Response) -> Result<T, Problem> {
    let status = r.status().as_u16();
    let path = r.url().path().to_owned();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = r.bytes().unwrap();
    if content_type.contains("json") {
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{method} {path}: {content_type} that is not JSON ({e})"));
        openapi::check(method, &path, status, &content_type, &body);
    }
    if (200..300).contains(&status) {
        return Ok(serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "a {status} answer that does not decode ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        }));
    }
    match serde_json::from_slice::<Problem>(&bytes) {
        Ok(p) => {
            assert_eq!(
                p.status, status,
                "the problem's status is the response's: {p:?}"
            );
            Err(p)
        }
        Err(_) => Err(Problem {
            kind: String::new(),
            title: String::new(),
            status,
            detail: String::from_utf8_lossy(&bytes).into_owned(),
            field: None,
            absence: None,
        }),
    }
}

/// A royalty split of `revenue` minor units of `currency` earned by
/// `design` (each link pays under its grant's policy).
pub fn split(design: DesignId, revenue: u64, currency: &str) -> SplitRequest {
    SplitRequest {
        design,
        revenue: money(revenue, currency),
        detail: None,
    }
}

/// A royalty statement of `sales`.
pub fn statement(sales: Vec<SaleLine>) -> StatementRequest {
    StatementRequest { sales }
}

/// `amount` minor units of `currency`.
pub fn money(amount: u64, currency: &str) -> Money {
    Money {
        amount_minor: amount,
        currency: currency.parse().unwrap(),
    }
}

/// A license check: may `licensee` use `design` commercially, at retail,
/// as accessories, in `territory` on `date`, for `quantity` units?
pub fn check(
    design: DesignId,
    licensee: &SigningKey,
    territory: &str,
    date: &str,
    quantity: u64,
) -> LicenseQuery {
    LicenseQuery {
        design,
        licensee: id(licensee),
        action: Action::Commercial,
        territory: territory.parse().unwrap(),
        channel: "retail".parse().unwrap(),
        category: "accessories".parse().unwrap(),
        date: date.parse().unwrap(),
        quantity,
    }
}
