//! [`Replay`]: the auditor's replay of a whole log, keeping the state and
//! its map, and checking every `state.commit` against the map it rebuilt.

use std::collections::BTreeSet;

use provenant_tlog::map::MemoryMap;

use crate::statemap::{StateKey, map_changes, touched};
use crate::{Entry, Identity, MemoryState, Payload, RuleError, StateRoot};

/// A log replayed entry by entry, with the state map kept alongside.
///
/// The map is brought up to date lazily: the keys each entry touches are
/// gathered, and their records hashed into the map when a root is needed
/// (at the next `state.commit`, or when asked).
#[derive(Clone)]
pub struct Replay {
    state: MemoryState,
    map: MemoryMap,
    pending: BTreeSet<StateKey>,
    arbiters: Vec<Identity>,
    log_key: Identity,
}

impl Replay {
    /// An empty log whose arbiters and log key are those given.
    #[must_use]
    pub fn new(arbiters: Vec<Identity>, log_key: Identity) -> Replay {
        Replay {
            state: MemoryState::new(),
            map: MemoryMap::new(),
            pending: BTreeSet::new(),
            arbiters,
            log_key,
        }
    }

    /// Applies the next entry of the log. A `state.commit` must commit to
    /// the root of the state after every entry before it.
    ///
    /// # Errors
    /// The rule the entry breaks ([`RuleError::StateCommitInvalid`] for a
    /// commitment to another root); the replay is then unchanged.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), RuleError> {
        if let Payload::StateCommit(commit) = entry.envelope.payload() {
            let root = self.root()?;
            if root != commit.root {
                return Err(RuleError::StateCommitInvalid {
                    detail: format!(
                        "it commits to root {} but the state after {} entries has root {root}",
                        commit.root,
                        self.state.size()
                    ),
                });
            }
        }
        let changes = self
            .state
            .apply_entry(entry, &self.arbiters, Some(&self.log_key))?;
        self.pending.extend(touched(&self.state, &changes)?);
        Ok(())
    }

    /// The root of the state map after the entries applied so far.
    ///
    /// # Errors
    /// Never in practice (a record that does not serialize).
    pub fn root(&mut self) -> Result<StateRoot, RuleError> {
        self.flush()?;
        Ok(StateRoot::from(self.map.root()))
    }

    /// The map after the entries applied so far.
    ///
    /// # Errors
    /// Never in practice (a record that does not serialize).
    pub fn map(&mut self) -> Result<&MemoryMap, RuleError> {
        self.flush()?;
        Ok(&self.map)
    }

    /// The state after the entries applied so far.
    #[must_use]
    pub fn state(&self) -> &MemoryState {
        &self.state
    }

    fn flush(&mut self) -> Result<(), RuleError> {
        if !self.pending.is_empty() {
            let changes = map_changes(&self.state, &self.pending)?;
            self.map.apply(&changes);
            self.pending.clear();
        }
        Ok(())
    }
}
