//! Where to publish: `s3://BUCKET[/PREFIX]` or `file:///DIR`.

use std::path::PathBuf;

/// A publication target, as the operator names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An S3-compatible bucket; the endpoint, region and credentials come
    /// from the usual `AWS_*` environment variables.
    S3 {
        /// The bucket's name.
        bucket: String,
        /// The key prefix, without leading or trailing `/` (may be empty).
        prefix: String,
    },
    /// A directory served by any static web server.
    Dir(PathBuf),
}

/// S3 settings given in the server's configuration; each one given wins
/// over its `AWS_*` environment variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Options {
    /// The endpoint URL (`AWS_ENDPOINT_URL`), for a store other than AWS.
    pub endpoint: Option<String>,
    /// The region (`AWS_REGION`).
    pub region: Option<String>,
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    pub access_key_id: Option<String>,
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`).
    pub secret_access_key: Option<String>,
    /// Allow an `http://` endpoint (`AWS_ALLOW_HTTP`); loopback tests only.
    pub allow_http: Option<bool>,
}

/// Why a target was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("publication target {given:?}: {why}")]
pub struct TargetError {
    given: String,
    why: &'static str,
}

impl Target {
    /// Parses `s3://BUCKET[/PREFIX]` or `file:///ABSOLUTE/DIR`.
    ///
    /// # Errors
    /// Any other scheme, an empty bucket, a relative directory, or a
    /// prefix with empty, `.` or `..` segments.
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let refuse = |why| TargetError {
            given: text.to_owned(),
            why,
        };
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(refuse("names no bucket"));
            }
            let prefix = prefix.trim_end_matches('/');
            if !prefix.is_empty()
                && prefix
                    .split('/')
                    .any(|s| s.is_empty() || s == "." || s == "..")
            {
                return Err(refuse("the prefix has an empty, '.' or '..' segment"));
            }
            return Ok(Target::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        if let Some(path) = text.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(refuse("a file target is an absolute path: file:///DIR"));
            }
            return Ok(Target::Dir(PathBuf::from(path)));
        }
        Err(refuse("expected s3://BUCKET/PREFIX or file:///DIR"))
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Target::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            Target::Dir(dir) => write!(f, "file://{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_back() {
        for text in [
            "s3://logs",
            "s3://logs/provenant/main",
            "file:///srv/www/log",
        ] {
            assert_eq!(Target::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Target::parse("s3://logs/a/").unwrap(),
            Target::S3 {
                bucket: "logs".into(),
                prefix: "a".into()
            }
        );
    }

    #[test]
    fn bad_targets_are_refused() {
        for text in [
            "s3://",
            "s3:///prefix",
            "s3://b/a//c",
            "s3://b/../c",
            "file://relative",
            "http://example.com",
            "/srv/www",
        ] {
            assert!(Target::parse(text).is_err(), "{text}");
        }
    }
}
