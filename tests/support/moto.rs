//! The S3-compatible server of `provenant_testkit::moto`, with the reads a
//! follower of a bucket makes (objects, listings) over HTTP.

use std::path::Path;

use provenant_testkit::moto::MotoServer;

/// A moto server, stopped when dropped (unless only attached).
pub struct Moto {
    server: Option<MotoServer>,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    http: reqwest::blocking::Client,
}

impl Moto {
    /// Starts one; `None` (the test skips) when moto is not installed and
    /// not required.
    pub fn start() -> Option<Moto> {
        let server = MotoServer::start()?;
        Some(Moto {
            endpoint: server.endpoint(),
            server: Some(server),
            http: reqwest::blocking::Client::new(),
        })
    }

    /// Another handle on the server at `endpoint` (for another thread).
    pub fn attach(endpoint: &str) -> Moto {
        Moto {
            server: None,
            endpoint: endpoint.to_owned(),
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Creates bucket `name`, readable by anyone (see
    /// [`MotoServer::create_bucket`]).
    pub fn create_bucket(&self, name: &str) {
        self.server
            .as_ref()
            .expect("a started server, not an attached handle")
            .create_bucket(name);
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
