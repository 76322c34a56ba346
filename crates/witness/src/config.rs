//! Which logs the witness follows: for each origin, the keys its
//! checkpoints must be signed with, and optionally the URL its entries are
//! read from (for `--replay`).
//!
//! A log is given as a C2SP tlog-policy `log` line, `log <vkey> [<url>]`,
//! or, on the command line, as the rest of that line, `<vkey> [<url>]`.
//! As in tlog-policy, the key's name is the log's origin. A logs file is
//! a tlog-policy file: its `witness`, `group` and `quorum` lines are about
//! clients, not about this witness, and are skipped, so a policy file can
//! be given as it is; blank lines and `#` comments are skipped; any other
//! line is refused. Several keys under one origin (a key rotation) make one
//! log that accepts a checkpoint signed by any of them.

use provenant_tlog::NoteVerifier;

/// One log the witness follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogConfig {
    /// The origin line of its checkpoints.
    pub origin: String,
    /// The keys it signs checkpoints with; a checkpoint needs one of them.
    pub keys: Vec<NoteVerifier>,
    /// Where its C2SP tlog-tiles entry bundles are served (`--replay`).
    pub url: Option<String>,
}

/// Why a log line or file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A line is not `[log] <vkey> [<url>]`.
    #[error("line {line}: {reason}")]
    Line {
        /// The line number, from 1 (0 for a command-line value).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two lines give the same public key (tlog-policy: duplicates are
    /// not allowed).
    #[error("the key of {origin:?} is given twice")]
    DuplicateKey {
        /// The origin of the second line.
        origin: String,
    },
    /// Two lines give one origin two different URLs.
    #[error("{origin:?} is given two URLs")]
    UrlConflict {
        /// The origin.
        origin: String,
    },
}

/// Parses `<vkey> [<url>]`, the command-line form of a log.
///
/// # Errors
/// [`ConfigError::Line`] (line 0) for a malformed key or URL, or extra words.
pub fn parse_log(value: &str) -> Result<LogConfig, ConfigError> {
    let words: Vec<&str> = value.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    log_of(&words, 0)
}

/// Parses a logs file (tlog-policy syntax, see the module doc).
///
/// # Errors
/// [`ConfigError::Line`] naming the first bad line.
pub fn parse_logs_file(text: &str) -> Result<Vec<LogConfig>, ConfigError> {
    let mut logs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
        let Some(first) = words.first() else {
            continue;
        };
        if *first == "log" {
            logs.push(log_of(&words[1..], i + 1)?);
        } else if !(first.starts_with('#') || matches!(*first, "witness" | "group" | "quorum")) {
            return Err(ConfigError::Line {
                line: i + 1,
                reason: format!("unknown keyword {first:?}"),
            });
        }
    }
    Ok(logs)
}

fn log_of(words: &[&str], line: usize) -> Result<LogConfig, ConfigError> {
    let bad = |reason: String| ConfigError::Line { line, reason };
    let (key, url) = match words {
        [key] => (*key, None),
        [key, url] => (*key, Some(*url)),
        _ => return Err(bad("expected <vkey> [<url>]".to_owned())),
    };
    let key = NoteVerifier::from_text(key).map_err(|e| bad(e.to_string()))?;
    if let Some(url) = url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(bad(format!("{url:?} is not an http(s) URL")));
    }
    Ok(LogConfig {
        origin: key.name().to_owned(),
        keys: vec![key],
        url: url.map(|u| u.trim_end_matches('/').to_owned()),
    })
}

/// Merges logs with the same origin into one (their keys together),
/// refusing a key given twice or two URLs for one origin.
///
/// # Errors
/// [`ConfigError::DuplicateKey`], [`ConfigError::UrlConflict`].
pub fn merge(logs: Vec<LogConfig>) -> Result<Vec<LogConfig>, ConfigError> {
    let mut out: Vec<LogConfig> = Vec::new();
    for log in logs {
        for key in &log.keys {
            if out
                .iter()
                .flat_map(|l| &l.keys)
                .any(|k| k.key() == key.key())
            {
                return Err(ConfigError::DuplicateKey {
                    origin: log.origin.clone(),
                });
            }
        }
        match out.iter_mut().find(|l| l.origin == log.origin) {
            None => out.push(log),
            Some(known) => {
                match (&known.url, log.url) {
                    (Some(a), Some(b)) if *a != b => {
                        return Err(ConfigError::UrlConflict { origin: log.origin });
                    }
                    (None, Some(b)) => known.url = Some(b),
                    _ => {}
                }
                known.keys.extend(log.keys);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use provenant_tlog::NoteSigner;

    fn vkey(name: &str, seed: u8) -> String {
        NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32]))
            .unwrap()
            .verifier()
            .to_text()
    }

    #[test]
    fn a_log_on_the_command_line() {
        let k = vkey("example.com/log", 1);
        let log = parse_log(&k).unwrap();
        assert_eq!(log.origin, "example.com/log");
        assert_eq!(log.keys[0].to_text(), k);
        assert_eq!(log.url, None);
        let log = parse_log(&format!("{k} http://127.0.0.1:8080/")).unwrap();
        assert_eq!(log.url.as_deref(), Some("http://127.0.0.1:8080"));
        for bad in [
            String::new(),
            "nonsense".to_owned(),
            format!("{k} ftp://x"),
            format!("{k} http://a http://b"),
        ] {
            assert!(parse_log(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_policy_file_gives_its_logs() {
        let (a, b, w) = (
            vkey("a.example/log", 1),
            vkey("b.example/log", 2),
            vkey("w", 3),
        );
        let text = format!(
            "# logs\n\n  log {a}\nlog\t{b} https://b.example/\nwitness W {w}\ngroup G any W\nquorum G\n"
        );
        let logs = parse_logs_file(&text).unwrap();
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[1].url.as_deref(), Some("https://b.example"));
        let err = parse_logs_file(&format!("log {a}\nlgo {b}\n")).unwrap_err();
        assert!(matches!(err, ConfigError::Line { line: 2, .. }), "{err}");
        assert!(parse_logs_file("log\n").is_err());
    }

    #[test]
    fn logs_merge_by_origin() {
        let (k1, k2) = (vkey("o", 1), vkey("o", 2));
        let logs = merge(vec![
            parse_log(&k1).unwrap(),
            parse_log(&format!("{k2} http://x")).unwrap(),
            parse_log(&vkey("p", 3)).unwrap(),
        ])
        .unwrap();
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[0].keys.len(), 2);
        assert_eq!(logs[0].url.as_deref(), Some("http://x"));
        // One key under two names is a duplicate.
        assert!(matches!(
            merge(vec![
                parse_log(&k1).unwrap(),
                parse_log(&vkey("q", 1)).unwrap()
            ]),
            Err(ConfigError::DuplicateKey { .. })
        ));
        assert!(matches!(
            merge(vec![
                parse_log(&format!("{k1} http://x")).unwrap(),
                parse_log(&format!("{k2} http://y")).unwrap()
            ]),
            Err(ConfigError::UrlConflict { .. })
        ));
    }
}
