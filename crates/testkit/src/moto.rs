//! A real S3-compatible server on loopback for tests and benchmarks:
//! `moto` in server mode, from `PyPI` (`.ci/run` installs it in a
//! virtualenv and sets `PROVENANT_MOTO_SERVER`; elsewhere `moto_server` on
//! the `PATH`). Without it a test says so and skips, unless
//! `PROVENANT_REQUIRE_S3` is set.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `moto_server` process on a free loopback port, killed when dropped.
pub struct MotoServer {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
}

fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PROVENANT_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|p| p.is_file())
    })
}

impl MotoServer {
    /// Starts one and waits until it listens; `None` (the caller skips)
    /// when moto is not installed and not required.
    pub fn start() -> Option<MotoServer> {
        let Some(bin) = find() else {
            assert!(
                std::env::var_os("PROVENANT_REQUIRE_S3").is_none(),
                "moto_server not found: install moto[server] and set PROVENANT_MOTO_SERVER"
            );
            eprintln!(
                "skipped: moto_server not found (pip install 'moto[server]'; PROVENANT_MOTO_SERVER)"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", bin.display()));
        let server = MotoServer {
            child,
            address: format!("127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(&server.address).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto listens");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Creates bucket `name` (3 to 63 characters), readable by anyone, as
    /// a bucket behind a CDN is: anonymous reads of a private object are
    /// refused (`403`), as on AWS.
    pub fn create_bucket(&self, name: &str) {
        self.put(&format!("/{name}"), "");
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
            }],
        });
        self.put(&format!("/{name}?policy"), &policy.to_string());
    }

    /// An unsigned `PUT` (moto takes them for bucket set-up), which must
    /// answer `200`.
    fn put(&self, target: &str, body: &str) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "PUT {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "PUT {target}: {answer}");
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
