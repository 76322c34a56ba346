//! A real S3-compatible server on loopback: `moto` in server mode, from
//! `PyPI` (`.ci/run` installs it in a virtualenv and sets
//! `PROVENANT_MOTO_SERVER`). Elsewhere a test that needs it says so and
//! skips, unless `PROVENANT_REQUIRE_S3` is set.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `moto_server` process, killed when dropped (unless only attached).
pub struct Moto {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    http: reqwest::blocking::Client,
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

impl Moto {
    /// Starts one on a free port; `None` (the test skips) when moto is not
    /// installed and not required.
    pub fn start() -> Option<Moto> {
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
        let moto = Moto {
            child: Some(child),
            endpoint: format!("http://127.0.0.1:{port}"),
            http: reqwest::blocking::Client::new(),
        };
        let started = Instant::now();
        while moto.http.get(&moto.endpoint).send().is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto answers");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// Another handle on the server at `endpoint` (for another thread).
    pub fn attach(endpoint: &str) -> Moto {
        Moto {
            child: None,
            endpoint: endpoint.to_owned(),
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Creates bucket `name` (3 to 63 characters), readable by anyone, as
    /// a bucket behind a CDN is: anonymous reads of a private object are
    /// refused (`403`), as on AWS.
    pub fn create_bucket(&self, name: &str) {
        let bucket = format!("{}/{name}", self.endpoint);
        let r = self.http.put(&bucket).send().unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
            }],
        });
        let r = self
            .http
            .put(format!("{bucket}?policy"))
            .header("content-type", "application/json")
            .body(policy.to_string())
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }

    /// The public URL of `bucket/prefix`, as a follower reads it.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.endpoint)
    }

    /// The object at `path` (`bucket/key`) and its `Cache-Control`.
    pub fn get(&self, path: &str) -> Option<(Vec<u8>, String)> {
        let r = self.http.get(self.url(path)).send().unwrap();
        if r.status().as_u16() == 404 {
            return None;
        }
        assert!(r.status().is_success(), "{path}: {}", r.status());
        let cache = r
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Some((r.bytes().unwrap().to_vec(), cache))
    }

    /// Every key under `prefix` of `bucket`, with its `ETag`.
    pub fn list(&self, bucket: &str, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type", "2".to_owned()), ("prefix", prefix.to_owned())];
            if let Some(t) = &token {
                query.push(("continuation-token", t.clone()));
            }
            let body = self
                .http
                .get(format!("{}/{bucket}", self.endpoint))
                .query(&query)
                .send()
                .unwrap()
                .text()
                .unwrap();
            for contents in body.split("<Contents>").skip(1) {
                out.push((
                    between(contents, "<Key>", "</Key>"),
                    between(contents, "<ETag>", "</ETag>"),
                ));
            }
            token = body
                .contains("<NextContinuationToken>")
                .then(|| between(&body, "<NextContinuationToken>", "</NextContinuationToken>"));
            if token.is_none() {
                return out;
            }
        }
    }

    /// The flags (and a config file in `dir`, for the credentials) that
    /// make `provenant serve` publish to `bucket/prefix` here.
    pub fn publish_args(&self, dir: &Path, target: &str) -> Vec<String> {
        let config = dir.join("publish.toml");
        std::fs::write(
            &config,
            "publish_access_key_id = \"test\"\npublish_secret_access_key = \"test\"\n",
        )
        .unwrap();
        vec![
            "--config".into(),
            config.to_str().unwrap().into(),
            "--publish".into(),
            format!("s3://{target}"),
            "--publish-endpoint".into(),
            self.endpoint.clone(),
            "--publish-region".into(),
            "us-east-1".into(),
            "--publish-allow-http".into(),
            "true".into(),
        ]
    }
}

fn between(text: &str, open: &str, close: &str) -> String {
    let start = text.find(open).map_or(0, |i| i + open.len());
    let end = text[start..].find(close).map_or(text.len(), |i| start + i);
    text[start..end].replace("&quot;", "\"")
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
