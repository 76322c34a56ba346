//! Test helpers: a log in memory that signs checkpoints and proves
//! consistency, a witness on a temporary directory, and requests through
//! the router without a socket.
#![allow(dead_code, clippy::missing_panics_doc)]

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use provenant_tlog::note::NoteSignature;
use provenant_tlog::{
    Checkpoint, Hash, NoteSigner, TreeSize, append, hash_leaf, prove_consistency, tree_hash,
};
use provenant_witness::{LogConfig, Witness, WitnessConfig};
use tower::ServiceExt as _;

/// The witness's cosigner name in every test.
pub const WITNESS_NAME: &str = "example.com/witness";

/// A log held in memory.
pub struct MemoryLog {
    pub signer: NoteSigner,
    pub leaves: Vec<Vec<u8>>,
    tree: Vec<Hash>,
}

impl MemoryLog {
    /// A log whose origin is `origin`, key from `seed`, with `size` leaves.
    pub fn new(origin: &str, seed: u8, size: u64) -> Self {
        let mut log = Self {
            signer: NoteSigner::new(origin, SigningKey::from_bytes(&[seed; 32])).unwrap(),
            leaves: Vec::new(),
            tree: Vec::new(),
        };
        for i in 0..size {
            log.push(format!("leaf {i}").into_bytes());
        }
        log
    }

    pub fn origin(&self) -> &str {
        self.signer.verifier().name()
    }

    pub fn push(&mut self, leaf: Vec<u8>) {
        let stored = append(self.size(), &[hash_leaf(&leaf)], &self.tree).unwrap();
        self.tree.extend(stored);
        self.leaves.push(leaf);
    }

    pub fn size(&self) -> TreeSize {
        TreeSize(self.leaves.len() as u64)
    }

    pub fn root(&self, size: u64) -> Hash {
        tree_hash(TreeSize(size), &self.tree).unwrap()
    }

    /// The log's config for the witness, with `url` when given.
    pub fn config(&self, url: Option<&str>) -> LogConfig {
        LogConfig {
            origin: self.origin().to_owned(),
            keys: vec![self.signer.verifier().clone()],
            url: url.map(str::to_owned),
        }
    }

    /// The checkpoint text at `size`.
    pub fn checkpoint_text(&self, size: u64) -> String {
        Checkpoint::new(self.origin(), TreeSize(size), self.root(size))
            .to_text()
            .unwrap()
    }

    /// The signed checkpoint at `size`.
    pub fn checkpoint(&self, size: u64) -> String {
        self.signer
            .sign(&self.checkpoint_text(size))
            .unwrap()
            .to_text()
    }

    /// The consistency proof lines from `old` to `new` (none from 0).
    pub fn proof(&self, old: u64, new: u64) -> Vec<Hash> {
        if old == 0 {
            Vec::new()
        } else {
            prove_consistency(TreeSize(old), TreeSize(new), &self.tree).unwrap()
        }
    }

    /// The `add-checkpoint` body from `old` to the checkpoint at `new`.
    pub fn body(&self, old: u64, new: u64) -> String {
        body(old, &self.proof(old, new), &self.checkpoint(new))
    }
}

/// An `add-checkpoint` body.
pub fn body(old: u64, proof: &[Hash], note: &str) -> String {
    let mut out = format!("old {old}\n");
    for h in proof {
        out.push_str(&h.to_base64());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(note);
    out
}

/// A witness over `dir` following `logs`.
pub fn witness(dir: &Path, logs: Vec<LogConfig>, replay: bool) -> Witness {
    Witness::open(
        dir,
        WITNESS_NAME,
        SigningKey::from_bytes(&[0x77; 32]),
        WitnessConfig { logs, replay },
    )
    .unwrap()
}

/// An answer: status, content type, body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        content_type,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// `POST /add-checkpoint` with `body`.
pub async fn post(app: &Router, body: impl Into<Body>) -> Answer {
    let request = Request::post("/add-checkpoint").body(body.into()).unwrap();
    send(app, request).await
}

/// `GET path`.
pub async fn get(app: &Router, path: &str) -> Answer {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// Checks that `answer` is one cosignature line by the witness over
/// `checkpoint_text`, with a time that is not zero.
pub fn assert_cosigned(witness: &Witness, answer: &Answer, checkpoint_text: &str) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let line = answer
        .body
        .strip_suffix('\n')
        .expect("the answer ends in a newline");
    assert!(!line.contains('\n'), "one line: {:?}", answer.body);
    assert!(
        line.starts_with(&format!("\u{2014} {WITNESS_NAME} ")),
        "{line}"
    );
    let sig = NoteSignature::from_line(line).unwrap();
    let time = witness
        .verifier()
        .verify_signature(checkpoint_text, &sig)
        .unwrap();
    assert_ne!(time, 0);
}
