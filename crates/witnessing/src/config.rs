//! What the log is configured with: a C2SP tlog-policy file (its `log`
//! line must be this log's key; its `witness` lines with a URL are the
//! witnesses the log asks) and the interval between rounds.

use std::time::Duration;

use provenant_tlog::{CosignatureVerifier, CosignerKey, NoteVerifier, Policy};

/// The shortest interval between two rounds.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// The longest interval between two rounds.
pub const MAX_INTERVAL: Duration = Duration::from_secs(10);
/// The interval when none is given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);
/// How old a witness's cosignature of the current checkpoint may grow
/// while the tree does not: then it is asked again, so that a quiet log's
/// witnessed checkpoint keeps a recent time (clients' `--max-age`).
pub const DEFAULT_REFRESH: Duration = Duration::from_mins(1);

/// A witness the log asks.
#[derive(Clone, Debug)]
pub struct Target {
    /// Its name in the policy (metrics and logs use it).
    pub name: String,
    /// Its submission prefix: `add-checkpoint` is below it.
    pub url: String,
    /// Its cosignature key.
    pub verifier: CosignatureVerifier,
}

impl Target {
    /// The URL of its `add-checkpoint`.
    #[must_use]
    pub fn add_checkpoint_url(&self) -> String {
        format!("{}/add-checkpoint", self.url.trim_end_matches('/'))
    }
}

/// A checked configuration.
#[derive(Clone, Debug)]
pub struct WitnessingConfig {
    /// The policy clients hold the log to.
    pub policy: Policy,
    /// The witnesses asked, in policy order.
    pub targets: Vec<Target>,
    /// The time between rounds.
    pub interval: Duration,
    /// How old a cosignature of an unchanged checkpoint may grow before
    /// the witness is asked again ([`DEFAULT_REFRESH`]).
    pub refresh: Duration,
}

/// Why a configuration is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The interval is outside 1 to 10 seconds.
    #[error("the witness interval must be 1 to 10 seconds")]
    Interval,
    /// The policy has no `log` line with this log's key.
    #[error(
        "the witness policy has no log line with this log's key ({0}): clients holding it would refuse every checkpoint"
    )]
    NotThisLog(String),
    /// No witness of the policy has a URL.
    #[error("no witness of the policy has a URL to send checkpoints to")]
    NoTargets,
    /// A witness with a URL whose cosignatures the log cannot verify.
    #[error("witness {0} has an ML-DSA-44 key: the log verifies Ed25519 cosignatures only")]
    Unsupported(String),
    /// A witness URL that is not `http://`.
    #[error(
        "witness {name}: {url:?} is not an http:// URL (put a TLS proxy beside the log for an https witness)"
    )]
    Url {
        /// The witness.
        name: String,
        /// Its URL.
        url: String,
    },
}

impl WitnessingConfig {
    /// Checks `policy` against the log whose checkpoint key is `log` and
    /// picks the witnesses to ask.
    ///
    /// # Errors
    /// A [`ConfigError`] naming what is wrong.
    pub fn new(
        policy: Policy,
        interval: Duration,
        log: &NoteVerifier,
    ) -> Result<Self, ConfigError> {
        if !(MIN_INTERVAL..=MAX_INTERVAL).contains(&interval) {
            return Err(ConfigError::Interval);
        }
        if !policy.logs().iter().any(|l| l.verifier == *log) {
            return Err(ConfigError::NotThisLog(log.to_text()));
        }
        let mut targets = Vec::new();
        for w in policy.witnesses() {
            let Some(url) = &w.url else { continue };
            let CosignerKey::Ed25519(verifier) = &w.key else {
                return Err(ConfigError::Unsupported(w.name.clone()));
            };
            if !url.starts_with("http://") {
                return Err(ConfigError::Url {
                    name: w.name.clone(),
                    url: url.clone(),
                });
            }
            targets.push(Target {
                name: w.name.clone(),
                url: url.clone(),
                verifier: verifier.clone(),
            });
        }
        if targets.is_empty() {
            return Err(ConfigError::NoTargets);
        }
        Ok(Self {
            policy,
            targets,
            interval,
            refresh: DEFAULT_REFRESH,
        })
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use provenant_tlog::{Cosigner, NoteSigner};

    use super::*;

    fn log() -> NoteVerifier {
        NoteSigner::new("example.test/log", SigningKey::from_bytes(&[1; 32]))
            .unwrap()
            .verifier()
            .clone()
    }

    fn witness(seed: u8) -> String {
        Cosigner::new("w.example", SigningKey::from_bytes(&[seed; 32]))
            .unwrap()
            .verifier()
            .to_text()
    }

    fn config(text: &str, secs: u64) -> Result<WitnessingConfig, ConfigError> {
        let policy = Policy::parse(text.as_bytes()).unwrap();
        WitnessingConfig::new(policy, Duration::from_secs(secs), &log())
    }

    #[test]
    fn witnesses_with_a_url_are_asked() {
        let text = format!(
            "log {}\nwitness a {} http://127.0.0.1:7380/\nwitness b {}\nquorum a\n",
            log().to_text(),
            witness(2),
            witness(3)
        );
        let c = config(&text, 2).unwrap();
        assert_eq!(c.targets.len(), 1);
        assert_eq!(
            c.targets[0].add_checkpoint_url(),
            "http://127.0.0.1:7380/add-checkpoint"
        );
    }

    #[test]
    fn what_cannot_work_is_refused() {
        let w = witness(2);
        let this = log().to_text();
        let other = NoteSigner::new("example.test/log", SigningKey::from_bytes(&[9; 32]))
            .unwrap()
            .verifier()
            .to_text();
        let ok = format!("log {this}\nwitness a {w} http://127.0.0.1:1\nquorum a\n");
        assert!(matches!(config(&ok, 0), Err(ConfigError::Interval)));
        assert!(matches!(config(&ok, 11), Err(ConfigError::Interval)));
        let cases = [
            (
                format!("log {other}\nwitness a {w} http://127.0.0.1:1\nquorum a\n"),
                "not this log",
            ),
            (
                format!("log {this}\nwitness a {w}\nquorum a\n"),
                "no targets",
            ),
            (
                format!("log {this}\nwitness a {w} https://w.example\nquorum a\n"),
                "https",
            ),
        ];
        for (text, why) in cases {
            let refused = config(&text, 2);
            assert!(
                matches!(
                    (&refused, why),
                    (Err(ConfigError::NotThisLog(_)), "not this log")
                        | (Err(ConfigError::NoTargets), "no targets")
                        | (Err(ConfigError::Url { .. }), "https")
                ),
                "{why}: {refused:?}"
            );
        }
    }
}
