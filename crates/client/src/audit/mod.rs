//! An auditor that trusts nothing the server says without proof.
//!
//! Every run fetches the log's checkpoint, checks its signature with the
//! key the auditor trusts (recorded in its directory on the first run, or
//! given), and checks with a consistency proof that it extends the last
//! checkpoint this auditor verified: a log that shrank, forked or was
//! rewritten is caught here. With a witness policy ([`Options::policy`])
//! the checkpoint audited is the latest one the policy's quorum cosigned,
//! so that the auditor checks the history the witnesses saw. A full run ([`Options::full`]) also downloads
//! every entry through the C2SP entry bundles, recomputes the Merkle tree,
//! compares it with the checkpoint's root and with every hash tile the
//! server serves, and re-applies every entry through `provenant-model`
//! (signatures included), reporting the first bad entry by index and rule,
//! and checks that the log's clock (`logged_at`) never goes backwards.
//!
//! The arbiters a full audit replays `dispute.raise` and `dispute.resolve`
//! with are the ones recorded on the first run (or given): the log does not
//! record changes to the server's arbiter list, so after one the auditor
//! must be given the new list, or it reports the resolution as
//! `not-arbiter` (or, replaying with none, a raise as `no-arbiters`: a
//! ledger without arbiters accepts no dispute).

mod full;
mod state;

use std::time::Instant;

use provenant_api::ConsistencyAnswer;
use provenant_api::verify::{VerifyError, verify_checkpoint, verify_extends};
use provenant_api::witnessed::{policy_log_key, verify_witnessed};
use provenant_model::Identity;
use provenant_tlog::{Checkpoint, Hash, Note, NoteVerifier, Policy, TreeSize};

pub use state::StateDir;

use crate::{Client, ClientError};

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Download and re-validate every entry, not just the checkpoints.
    pub full: bool,
    /// The log key to trust; without it, the one recorded in the
    /// directory, or on a first run the one the server announces.
    pub log_key: Option<NoteVerifier>,
    /// The dispute arbiters to replay with; without them, the recorded
    /// ones, or on a first run the ones the server announces.
    pub arbiters: Option<Vec<Identity>>,
    /// A witness policy: audit the latest checkpoint its quorum cosigned
    /// (`GET /v1/checkpoint/witnessed`) rather than the log's latest, and
    /// refuse it without the quorum. Its log line is the key to trust when
    /// none is given.
    pub policy: Option<Policy>,
    /// The client's base URL is where the log's tiles are published (a
    /// bucket, a CDN, a static directory), not a Provenant server: the
    /// checkpoint is its `checkpoint` object, consistency proofs are
    /// computed from its hash tiles ([`crate::tiles`]), the log key must
    /// be given or recorded, and the arbiters are the given or recorded
    /// ones, else none.
    pub tiles: bool,
}

/// What a passing audit verified.
#[derive(Debug, Clone)]
pub struct Report {
    /// The log's origin.
    pub origin: String,
    /// The size verified now.
    pub size: TreeSize,
    /// Its root.
    pub root: Hash,
    /// The size verified by the previous run, if any.
    pub previous: Option<TreeSize>,
    /// Entries downloaded and re-validated (full runs).
    pub entries_checked: u64,
    /// Hash tiles compared with the recomputed tree (full runs).
    pub tiles_checked: u64,
    /// Whether the log key was trusted on first use in this run.
    pub trusted_now: bool,
    /// Wall time of the run, in seconds.
    pub seconds: f64,
    /// With a policy: the witnesses whose cosignatures on the checkpoint
    /// verified, by their policy names.
    pub witnessed_by: Vec<String>,
    /// With a policy: the witnessed checkpoint is behind the one verified
    /// before (and a prefix of it), which stays recorded.
    pub behind: bool,
}

/// What is wrong with the log, or why it could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum Finding {
    /// The checkpoint is not signed by the trusted key.
    #[error("the checkpoint does not verify with the trusted log key: {0}")]
    BadCheckpoint(provenant_tlog::Error),
    /// The log key given is not the policy's key of the log.
    #[error("the log key given is not the witness policy's key of this log")]
    PolicyKey,
    /// With a policy: the witnessed checkpoint does not meet it.
    #[error("{0}")]
    NotWitnessed(VerifyError),
    /// The trusted key differs from the one given.
    #[error("the log key given differs from the one this auditor already trusts")]
    KeyChanged,
    /// The log is smaller than a checkpoint it signed before.
    #[error("the log shrank from {before} to {now} entries")]
    Shrunk {
        /// The size verified before.
        before: u64,
        /// The size now.
        now: u64,
    },
    /// Two different roots signed for the same size.
    #[error("fork: the log signed two roots for size {size}: {before} before, {now} now")]
    Fork {
        /// The size.
        size: u64,
        /// The root verified before.
        before: Hash,
        /// The root now.
        now: Hash,
    },
    /// The new checkpoint does not extend the last verified one.
    #[error("the checkpoint at {to} does not extend the verified one at {from}: {detail}")]
    Inconsistent {
        /// The size verified before.
        from: u64,
        /// The size now.
        to: u64,
        /// Why the proof failed.
        detail: String,
    },
    /// An entry's bytes are not the leaf the tree commits to.
    #[error("entry {index}: its bytes do not hash to the leaf the log's tree holds")]
    EntryAltered {
        /// The entry's index.
        index: u64,
    },
    /// The entries do not hash to the checkpoint's root.
    #[error("the entries hash to root {computed}, the checkpoint says {claimed}")]
    RootMismatch {
        /// The root recomputed from the entries.
        computed: Hash,
        /// The checkpoint's root.
        claimed: Hash,
    },
    /// A hash tile the server serves is not the recomputed one.
    #[error("the server's hash tile {path} differs from the tree recomputed from the entries")]
    TileAltered {
        /// The tile's path.
        path: String,
    },
    /// An entry breaks a rule of the model.
    #[error("entry {index} breaks rule {code}: {detail}")]
    Rule {
        /// The entry's index.
        index: u64,
        /// The rule's stable code.
        code: &'static str,
        /// What the rule says.
        detail: String,
    },
    /// Something the log must serve is missing or malformed.
    #[error("{0}")]
    Malformed(String),
    /// The server could not be asked.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Auditing published tiles needs what only a server can say.
    #[error("{0}")]
    NeedsServer(&'static str),
    /// The auditor's directory could not be read or written.
    #[error("the audit state directory: {0}")]
    State(#[from] std::io::Error),
}

/// Progress of long work: entries done out of a total.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Audits the log at `client` from the state in `dir`; on success records
/// the new checkpoint as verified.
///
/// # Errors
/// The first [`Finding`]; nothing is recorded then.
pub fn run(
    client: &Client,
    dir: &StateDir,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Report, Finding> {
    let started = Instant::now();
    if options.tiles && options.policy.is_some() {
        return Err(Finding::NeedsServer(
            "a witness policy needs the log's server: published tiles hold the latest \
             checkpoint, not the witnessed one",
        ));
    }
    let (text, witnessed_by, policy_key) = match &options.policy {
        Some(policy) => {
            let text = client.witnessed_checkpoint()?;
            let (names, key) = witnessed(&text, policy)?;
            (text, names, Some(key))
        }
        None => (client.checkpoint()?, Vec::new(), None),
    };
    let given = options.log_key.as_ref().or(policy_key.as_ref());
    if let (Some(given), Some(policy_key)) = (given, &policy_key)
        && given != policy_key
    {
        return Err(Finding::PolicyKey);
    }
    let (key, trusted_now) = trusted_key(client, dir, given, options.tiles)?;
    let recorded_arbiters = dir.arbiters()?;
    let arbiters = match (&options.arbiters, &recorded_arbiters) {
        (Some(given), _) => given.clone(),
        (None, Some(recorded)) => recorded.clone(),
        (None, None) if options.tiles => Vec::new(),
        (None, None) => client.log()?.arbiters,
    };

    let now = verify_note(&text, &key)?;
    let previous = dir
        .checkpoint()?
        .map(|old| verify_note(&old, &key))
        .transpose()?;
    // With a policy, the witnessed checkpoint may lag one this auditor
    // verified before (a plain audit of the latest): then it must be a
    // prefix of it, and the record keeps the larger one.
    let behind = options.policy.is_some() && previous.as_ref().is_some_and(|b| now.size < b.size);
    if let Some(before) = &previous {
        if behind {
            extends(client, &now, before, options.tiles)?;
        } else {
            extends(client, before, &now, options.tiles)?;
        }
    }

    let mut report = Report {
        origin: key.name().to_owned(),
        size: now.size,
        root: now.root,
        previous: previous.map(|c| c.size),
        entries_checked: 0,
        tiles_checked: 0,
        trusted_now,
        seconds: 0.0,
        witnessed_by,
        behind,
    };
    if options.full {
        let log_identity = Identity::from_key(key.key())
            .map_err(|e| Finding::Malformed(format!("the log's key as an identity: {e}")))?;
        let checked = match full::check(client, dir, &now, &arbiters, log_identity, progress) {
            Ok(checked) => checked,
            // Bundles of a log found bad are not worth resuming from.
            Err(finding @ (Finding::Client(_) | Finding::State(_))) => return Err(finding),
            Err(finding) => {
                dir.clear_bundles()?;
                return Err(finding);
            }
        };
        report.entries_checked = checked.entries;
        report.tiles_checked = checked.tiles;
    }

    if trusted_now {
        dir.set_log_key(&key)?;
    }
    if recorded_arbiters.is_none() {
        dir.set_arbiters(&arbiters)?;
    }
    if !behind {
        dir.set_checkpoint(&text)?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The key to trust, and whether it is trusted for the first time now.
fn trusted_key(
    client: &Client,
    dir: &StateDir,
    given: Option<&NoteVerifier>,
    tiles: bool,
) -> Result<(NoteVerifier, bool), Finding> {
    match (dir.log_key()?, given) {
        (Some(recorded), Some(given)) if recorded.to_text() != given.to_text() => {
            Err(Finding::KeyChanged)
        }
        (Some(recorded), _) => Ok((recorded, false)),
        (None, Some(given)) => Ok((given.clone(), true)),
        (None, None) if tiles => Err(Finding::NeedsServer(
            "give the log key: published tiles do not say which key signs their log",
        )),
        (None, None) => {
            let info = client.log()?;
            let key = info
                .verifier()
                .map_err(|e| Finding::Malformed(format!("the log's verifier key: {e}")))?;
            Ok((key, true))
        }
    }
}

/// The policy names of the witnesses whose cosignatures on the checkpoint
/// `text` verify, once it meets `policy`, and the policy's key of its log.
fn witnessed(text: &str, policy: &Policy) -> Result<(Vec<String>, NoteVerifier), Finding> {
    verify_witnessed(text, policy).map_err(Finding::NotWitnessed)?;
    let key = policy_log_key(policy, text).map_err(Finding::NotWitnessed)?;
    let note = Note::parse(text.as_bytes()).map_err(Finding::BadCheckpoint)?;
    let names = policy
        .cosigned(&note)
        .map_err(|e| Finding::NotWitnessed(VerifyError::NotWitnessed(e)))?
        .into_iter()
        .map(|(w, _)| w.name.clone())
        .collect();
    Ok((names, key))
}

fn verify_note(text: &str, key: &NoteVerifier) -> Result<Checkpoint, Finding> {
    verify_checkpoint(text, key).map_err(|e| match e {
        VerifyError::Checkpoint(e) => Finding::BadCheckpoint(e),
        other => Finding::Malformed(other.to_string()),
    })
}

/// Checks that `now` extends `before`, with a proof from the server or
/// computed from `now`'s published tiles.
fn extends(
    client: &Client,
    before: &Checkpoint,
    now: &Checkpoint,
    tiles: bool,
) -> Result<(), Finding> {
    if now.size < before.size {
        return Err(Finding::Shrunk {
            before: before.size.0,
            now: now.size.0,
        });
    }
    if now.size == before.size {
        if now.root != before.root {
            return Err(Finding::Fork {
                size: now.size.0,
                before: before.root,
                now: now.root,
            });
        }
        return Ok(());
    }
    let proof = if tiles {
        crate::tiles::extension_proof(client, before, now)
            .map_err(|e| Finding::Malformed(format!("the published tiles: {e}")))?
            .map(|consistency_proof| ConsistencyAnswer {
                from: before.size.0,
                to: now.size.0,
                consistency_proof,
            })
    } else {
        client.extension_proof(before, now)?
    };
    verify_extends(before, now, proof.as_ref()).map_err(|e| Finding::Inconsistent {
        from: before.size.0,
        to: now.size.0,
        detail: match e {
            VerifyError::Inconsistent { source, .. } => source.to_string(),
            other => other.to_string(),
        },
    })
}
