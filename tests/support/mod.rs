//! A real server on a free loopback port, and signed envelopes to send it.
#![allow(dead_code, unused_imports)]

pub mod openapi;
pub mod raw;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use ed25519_dalek::SigningKey;
pub use provenant_model::testkit::{design_of, grant_id, id, key, register};
use provenant_model::{DesignId, Envelope};
use provenant_tlog::{Checkpoint, Note, NoteVerifier};
use reqwest::blocking::Client;
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

    /// POSTs `body` as JSON: the status and the JSON answer, checked
    /// against the OpenAPI document.
    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.client.post(self.url(path)).json(body).send().unwrap();
        checked("POST", path, r)
    }

    /// GETs `path`: the status and the JSON answer, checked against the
    /// OpenAPI document.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(self.url(path)).send().unwrap();
        checked("GET", path, r)
    }

    /// POSTs `env` to `/v1/entries`: the whole response, for callers that
    /// look at its headers.
    pub fn submit(&self, env: &Envelope) -> reqwest::blocking::Response {
        self.client
            .post(self.url("/v1/entries"))
            .json(&env.to_value())
            .send()
            .unwrap()
    }

    /// Writes `env`, asserting it is accepted: the receipt.
    pub fn write(&self, env: &Envelope) -> Value {
        let (status, body) = self.post("/v1/entries", &env.to_value());
        assert_eq!(status, 201, "{body}");
        body
    }

    /// The log's origin and verifier key, from `/v1/log`.
    pub fn log_key(&self) -> (String, NoteVerifier) {
        let (_, info) = self.get("/v1/log");
        let origin = info["origin"].as_str().unwrap().to_owned();
        let verifier = NoteVerifier::from_text(info["verifier_key"].as_str().unwrap()).unwrap();
        (origin, verifier)
    }

    /// The current checkpoint from `/checkpoint`, its signature verified.
    pub fn checkpoint(&self, origin: &str, verifier: &NoteVerifier) -> Checkpoint {
        let text = self
            .client
            .get(self.url("/checkpoint"))
            .send()
            .unwrap()
            .text()
            .unwrap();
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

/// A grant of `design` to `licensee` for `territories` (empty: worldwide).
pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    territories: &[&str],
) -> Envelope {
    let mut terms = provenant_model::testkit::terms();
    terms["territories"] = json!(territories);
    provenant_model::testkit::grant(design, licensee, owners, &terms)
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

/// The `type` of a problem answer.
pub fn problem_type(body: &Value) -> &str {
    body["type"].as_str().unwrap_or_default()
}

/// Verifies a proven answer read as JSON with the api crate's verifier,
/// typed by its shape: a license check (`allowed`), a design (`owners`),
/// a grant (`granted`), a split (`payouts`) or a statement (`lines`).
pub fn verify_answer(answer: &Value, log_key: &NoteVerifier) -> Result<Checkpoint, String> {
    use provenant_api::{DesignReport, Proven, RestsOn};
    use provenant_model::{GrantState, LicenseAnswer, RoyaltySplit, Statement};
    fn typed<T: RestsOn + serde::de::DeserializeOwned>(
        answer: &Value,
        log_key: &NoteVerifier,
    ) -> Result<Checkpoint, String> {
        let proven: Proven<T> =
            serde_json::from_value(answer.clone()).map_err(|e| e.to_string())?;
        proven.verify(log_key).map_err(|e| e.to_string())
    }
    if answer.get("allowed").is_some() {
        typed::<LicenseAnswer>(answer, log_key)
    } else if answer.get("owners").is_some() {
        typed::<DesignReport>(answer, log_key)
    } else if answer.get("granted").is_some() {
        typed::<GrantState>(answer, log_key)
    } else if answer.get("payouts").is_some() {
        typed::<RoyaltySplit>(answer, log_key)
    } else if answer.get("lines").is_some() {
        typed::<Statement>(answer, log_key)
    } else {
        Err(format!("not a proven answer: {answer}"))
    }
}
