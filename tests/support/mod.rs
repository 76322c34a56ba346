//! A real server on a free loopback port, and signed envelopes to send it.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use ed25519_dalek::SigningKey;
use provenant_model::{DesignId, Envelope, GrantId, Identity, Kind, hash_content, identity_of};
use serde_json::{Value, json};

/// A `provenant serve` process, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
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
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn id(key: &SigningKey) -> Identity {
    identity_of(key).unwrap()
}

pub fn envelope(kind: Kind, payload: Value, signers: &[&SigningKey]) -> Envelope {
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).unwrap();
    for s in signers {
        env.sign(s).unwrap();
    }
    env
}

pub fn design_of(content: &[u8]) -> DesignId {
    hash_content(content).unwrap().blake3
}

pub fn register(content: &[u8], creators: &[(&SigningKey, u32)]) -> Envelope {
    let h = hash_content(content).unwrap();
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "A shoe charm",
        "creators": creators.iter().map(|(k, s)| json!({"key": id(k).to_string(), "share_ppm": s, "role": "designer"})).collect::<Vec<_>>(),
        "parents": [],
    });
    let signers: Vec<&SigningKey> = creators.iter().map(|(k, _)| *k).collect();
    envelope(Kind::DesignRegister, payload, &signers)
}

pub fn grant(
    design: DesignId,
    licensee: &SigningKey,
    owners: &[&SigningKey],
    territories: &[&str],
) -> Envelope {
    let terms = json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "territories": territories,
        "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    });
    let payload = json!({"design": design, "licensee": id(licensee).to_string(), "terms": terms});
    let mut signers = owners.to_vec();
    signers.push(licensee);
    envelope(Kind::LicenseGrant, payload, &signers)
}

pub fn grant_id(env: &Envelope) -> GrantId {
    GrantId(*env.id().as_bytes())
}
