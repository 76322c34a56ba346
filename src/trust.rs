//! What the query commands (`design show`, `license check`, `royalty
//! split`, `royalty statement`) hold an answer to besides its proofs: the
//! log key, this client's memory of each log (stale answers and forks are
//! refused), and optionally a witness policy and a maximum age
//! (`provenant_client::fresh`).

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::SystemTime;

use clap::Args;
use provenant_api::witnessed::policy_log_key;
use provenant_client::Client;
use provenant_client::fresh::{FreshError, Freshness, Rules};
use provenant_client::memory::Memory;
use provenant_tlog::{Checkpoint, NoteVerifier};

use crate::error::CliError;
use crate::remote::{log_key, read_policy};

/// How answers are trusted.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The log's verifier key (text or file) to check the answer with
    /// [default: the policy's log, else the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    pub log_key: Option<String>,
    /// Where this client remembers the largest checkpoint it verified of
    /// each log [default: `provenant/logs` in the user's cache directory,
    /// `$XDG_CACHE_HOME` or `~/.cache`].
    #[arg(long = "state", value_name = "DIR", env = "PROVENANT_CLIENT_STATE")]
    pub state: Option<PathBuf>,
    /// Accept an answer older than a checkpoint this client verified
    /// before (it must still be consistent with it).
    #[arg(long)]
    pub allow_stale: bool,
    /// A witness policy (C2SP tlog-policy): the answer must be consistent
    /// with the log's latest witnessed checkpoint.
    #[arg(long = "witness-policy", value_name = "FILE", env = "PROVENANT_POLICY")]
    pub policy: Option<PathBuf>,
    /// With `--witness-policy`: the answer must extend a checkpoint the witness
    /// quorum cosigned at most this long ago (`90s`, `10m`, `2h`); an
    /// answer older than the latest witnessed checkpoint is asked again
    /// once.
    #[arg(long, value_name = "AGE", requires = "policy", value_parser = parse_age)]
    pub max_age: Option<u64>,
}

impl TrustArgs {
    /// The key to check an answer whose checkpoint is `checkpoint` with.
    ///
    /// # Errors
    /// A key or policy that does not read; the server's answer.
    pub fn key(&self, client: &Client, checkpoint: &str) -> Result<NoteVerifier, CliError> {
        match (&self.log_key, &self.policy) {
            (None, Some(path)) => {
                policy_log_key(&read_policy(path)?, checkpoint).map_err(|source| {
                    CliError::Unverified {
                        what: "answer",
                        source,
                    }
                })
            }
            (given, _) => log_key(client, given.as_deref()),
        }
    }

    fn rules(&self) -> Result<Rules, CliError> {
        let dir = self.state.clone().or_else(Memory::default_dir);
        Ok(Rules {
            memory: dir
                .map(|d| Memory::open(&d))
                .transpose()
                .map_err(FreshError::from)?,
            allow_stale: self.allow_stale,
            asked_at: Some(*STARTED),
            policy: self.policy.as_deref().map(read_policy).transpose()?,
            max_age: self.max_age,
        })
    }

    /// Holds the answer proven at `checkpoint` (its `note`, verified under
    /// `key`) to the rules, and remembers it.
    ///
    /// # Errors
    /// [`CliError::Fresh`] naming the rule that refused it.
    pub fn check(
        &self,
        client: &Client,
        key: &NoteVerifier,
        note: &str,
        checkpoint: &Checkpoint,
    ) -> Result<Freshness, CliError> {
        let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp())
            .map_err(|_| CliError::Clock)?;
        Ok(self.rules()?.check(client, key, note, checkpoint, now)?)
    }
}

/// When this process started: before any question it asks.
pub static STARTED: LazyLock<SystemTime> = LazyLock::new(SystemTime::now);

/// Runs `ask` again once when its answer was superseded by a newer
/// witnessed checkpoint: the log then answers at a newer state.
///
/// # Errors
/// As `ask`.
pub fn asking_again<T>(ask: impl Fn() -> Result<T, CliError>) -> Result<T, CliError> {
    match ask() {
        Err(CliError::Fresh(FreshError::Superseded { .. })) => ask(),
        other => other,
    }
}

/// An age: a number and a unit (`s`, `m`, `h` or `d`), as seconds.
fn parse_age(text: &str) -> Result<u64, String> {
    let unit = text
        .char_indices()
        .last()
        .ok_or("an age such as 90s, 10m or 2h")?;
    let (number, scale) = match unit.1 {
        's' => (&text[..unit.0], 1),
        'm' => (&text[..unit.0], 60),
        'h' => (&text[..unit.0], 3600),
        'd' => (&text[..unit.0], 86_400),
        _ => return Err(format!("{text:?}: give a unit (s, m, h or d), as in 10m")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{text:?} is not an age such as 90s, 10m or 2h"))
}

#[cfg(test)]
mod tests {
    use super::parse_age;

    #[test]
    fn ages() {
        assert_eq!(parse_age("90s"), Ok(90));
        assert_eq!(parse_age("10m"), Ok(600));
        assert_eq!(parse_age("2h"), Ok(7200));
        assert_eq!(parse_age("1d"), Ok(86_400));
        for bad in ["", "10", "m", "-1m", "1.5h", "10x", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad:?}");
        }
    }
}
