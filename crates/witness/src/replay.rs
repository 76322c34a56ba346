//! `--replay`: a stronger statement than consistency. Before cosigning a
//! checkpoint of a Provenant log, the witness reads the log's new entries
//! (C2SP tlog-tiles entry bundles, `GET <url>/tile/entries/...`), checks
//! that they hash to the checkpoint's root, and re-applies each through
//! `provenant_model`'s rules, as an auditor's full replay does (every
//! `state.commit` checked against the state map it rebuilds). A checkpoint
//! over an entry that breaks a rule is refused `422`, like an inconsistent
//! one; a log that cannot be read is refused `502`, and asked again.
//!
//! The replayed state is kept in memory, one per log, and advanced with
//! each cosigned checkpoint; after a restart the first checkpoint replays
//! the log from its first entry. The dispute arbiters to replay with are
//! the ones the log names at `GET <url>/v1/log` when the replay starts.

use axum::http::StatusCode;
use ed25519_dalek::VerifyingKey;
use provenant_client::Client;
use provenant_model::{Entry, Identity, Replay, RuleError, Timestamp};
use provenant_tlog::tile::{TILE_WIDTH, Tile, parse_bundle};
use provenant_tlog::{Checkpoint, Hash, TreeSize, append, hash_leaf, tree_hash};

/// Why a checkpoint did not replay.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The log could not be read (unreachable, an error answer, a tile it
    /// does not serve).
    #[error("could not read the log's entries: {0}")]
    Unreachable(String),
    /// An entry bundle is malformed.
    #[error("replay: entry bundle {path} is malformed: {reason}")]
    Bundle {
        /// The bundle's path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The entries the log serves do not hash to the checkpoint's root.
    #[error("replay: the log's entries do not hash to the root of its checkpoint of size {size}")]
    RootMismatch {
        /// The checkpoint's size.
        size: TreeSize,
    },
    /// An entry breaks one of the ledger's rules.
    #[error("replay: entry {index} breaks rule {code}: {detail}")]
    Rule {
        /// The entry's index.
        index: u64,
        /// The rule's stable code.
        code: &'static str,
        /// What the rule says.
        detail: String,
    },
}

impl ReplayError {
    /// The HTTP status of a refusal for this reason.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ReplayError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            ReplayError::Bundle { .. }
            | ReplayError::RootMismatch { .. }
            | ReplayError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// One log replayed up to some size.
pub struct Replayer {
    client: Client,
    /// The stored hashes of the replayed tree ([`provenant_tlog::tree`]).
    tree: Vec<Hash>,
    size: TreeSize,
    replay: Replay,
    last_time: Option<Timestamp>,
}

impl Replayer {
    /// Starts the replay of the log at `url` whose checkpoints (and
    /// `state.commit` entries) `log_key` signs, at size zero; blocks on
    /// `GET <url>/v1/log` for its arbiters.
    ///
    /// # Errors
    /// [`ReplayError::Unreachable`]; [`ReplayError::Rule`] (index 0) for a
    /// log key that is no identity.
    pub fn start(url: &str, log_key: &VerifyingKey) -> Result<Self, ReplayError> {
        let unreachable =
            |e: provenant_client::ClientError| ReplayError::Unreachable(e.to_string());
        let client = Client::new(url).map_err(unreachable)?;
        let arbiters = client.log().map_err(unreachable)?.arbiters;
        let log_key = Identity::from_key(log_key).map_err(|e| rule(0, &e))?;
        Ok(Self {
            client,
            tree: Vec::new(),
            size: TreeSize(0),
            replay: Replay::new(arbiters, log_key),
            last_time: None,
        })
    }

    /// The size replayed so far.
    #[must_use]
    pub fn size(&self) -> TreeSize {
        self.size
    }

    /// Replays the entries from [`Replayer::size`] up to `checkpoint`'s
    /// size, blocking on the log's entry bundles.
    ///
    /// On an error the replay is left in between: drop it (a new one starts
    /// from zero).
    ///
    /// # Errors
    /// [`ReplayError`]: a rule broken only counts once the entries are
    /// known to be the checkpoint's (otherwise, a root mismatch).
    pub fn advance(&mut self, checkpoint: &Checkpoint) -> Result<(), ReplayError> {
        let target = checkpoint.size;
        if target < self.size {
            return Err(ReplayError::RootMismatch { size: target });
        }
        let mut broken: Option<ReplayError> = None;
        let mut index = self.size.0;
        while index < target.0 {
            let bundle = index / TILE_WIDTH;
            let width = Tile::width_at(None, bundle, target)
                .ok_or(ReplayError::RootMismatch { size: target })?;
            let tile = Tile::entries(bundle, width).map_err(|e| ReplayError::Bundle {
                path: format!("entries/{bundle}"),
                reason: e.to_string(),
            })?;
            let bytes = self
                .client
                .tile(&tile)
                .map_err(|e| ReplayError::Unreachable(e.to_string()))?
                .ok_or_else(|| {
                    ReplayError::Unreachable(format!("the log does not serve {}", tile.path()))
                })?;
            let entries = parse_bundle(&bytes, width).map_err(|e| ReplayError::Bundle {
                path: tile.path(),
                reason: e.to_string(),
            })?;
            // A partial bundle replayed before: skip the entries already in.
            let skip = usize::try_from(index - bundle * TILE_WIDTH).unwrap_or(usize::MAX);
            let fresh = entries.get(skip..).unwrap_or_default();
            let hashes: Vec<Hash> = fresh.iter().map(|e| hash_leaf(e)).collect();
            let stored =
                append(TreeSize(index), &hashes, &self.tree).map_err(|e| ReplayError::Bundle {
                    path: tile.path(),
                    reason: e.to_string(),
                })?;
            self.tree.extend(stored);
            for entry in fresh {
                if broken.is_none() {
                    broken = self.apply(entry, index).err();
                }
                index += 1;
            }
        }
        let root = tree_hash(target, &self.tree)
            .map_err(|_| ReplayError::RootMismatch { size: target })?;
        if root != checkpoint.root {
            return Err(ReplayError::RootMismatch { size: target });
        }
        if let Some(e) = broken {
            return Err(e);
        }
        self.size = target;
        Ok(())
    }

    /// Re-applies entry `index`: what it breaks, if anything. The log's
    /// clock must not go backwards either (rules compare `logged_at` with
    /// grants' windows).
    fn apply(&mut self, bytes: &[u8], index: u64) -> Result<(), ReplayError> {
        let entry = Entry::from_leaf_bytes(bytes).map_err(|e| rule(index, &e))?;
        if let Some(last) = self.last_time
            && entry.logged_at < last
        {
            return Err(ReplayError::Rule {
                index,
                code: "time-goes-backwards",
                detail: format!(
                    "logged at {}, before the previous entry ({last})",
                    entry.logged_at
                ),
            });
        }
        self.last_time = Some(entry.logged_at);
        self.replay.apply(&entry).map_err(|e| rule(index, &e))
    }
}

fn rule(index: u64, e: &RuleError) -> ReplayError {
    ReplayError::Rule {
        index,
        code: e.code(),
        detail: e.to_string(),
    }
}
