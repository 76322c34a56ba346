//! A real server on a free loopback port, and signed envelopes to send it.
#![allow(dead_code, unused_imports)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use ed25519_dalek::SigningKey;
pub use provenant_model::testkit::{design_of, grant_id, id, key, register};
use provenant_model::{DesignId, Envelope};
use serde_json::json;

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
