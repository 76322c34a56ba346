//! [`MemoryState`]: the whole state in memory, for tests and for an
//! auditor's full replay of the log.

use std::collections::{BTreeMap, BTreeSet};

use crate::state::{Change, Link};
use crate::{
    Changes, Context, DesignId, DesignState, DisputeId, DisputeState, Entry, EntryId, GrantId,
    GrantState, Identity, RuleError, StateView, ViewError, apply,
};

/// The state derived from a log, held in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryState {
    designs: BTreeMap<DesignId, DesignState>,
    grants: BTreeMap<GrantId, GrantState>,
    disputes: BTreeMap<DisputeId, DisputeState>,
    successors: BTreeMap<Identity, Identity>,
    logged: BTreeMap<EntryId, u64>,
    owned_by: BTreeSet<(Identity, DesignId)>,
    held_by: BTreeSet<(Identity, GrantId)>,
    grants_of: BTreeSet<(DesignId, GrantId)>,
    exclusive_of: BTreeSet<(DesignId, GrantId)>,
    children: BTreeSet<(DesignId, DesignId)>,
    history: BTreeSet<(DesignId, u64)>,
    size: u64,
}

const LOW: [u8; 32] = [0; 32];
const HIGH: [u8; 32] = [0xff; 32];

impl MemoryState {
    /// An empty state.
    #[must_use]
    pub fn new() -> MemoryState {
        MemoryState::default()
    }

    /// Writes the changes of one applied entry.
    pub fn commit(&mut self, changes: Changes) {
        for change in changes.0 {
            match change {
                Change::Design(d) => {
                    self.designs.insert(d.id, *d);
                }
                Change::Grant(g) => {
                    self.grants.insert(g.id, *g);
                }
                Change::Dispute(d) => {
                    self.disputes.insert(d.id, *d);
                }
                Change::Succession { old, new } => {
                    self.successors.insert(old, new);
                }
                Change::Logged { id, index } => {
                    self.logged.insert(id, index);
                    self.size = self.size.max(index.saturating_add(1));
                }
                Change::Link(link) => self.set_link(link, true),
                Change::Unlink(link) => self.set_link(link, false),
            }
        }
    }

    fn set_link(&mut self, link: Link, present: bool) {
        fn set<T: Ord>(set: &mut BTreeSet<T>, item: T, present: bool) {
            if present {
                set.insert(item);
            } else {
                set.remove(&item);
            }
        }
        match link {
            Link::OwnedBy { key, design } => set(&mut self.owned_by, (key, design), present),
            Link::HeldBy { key, grant } => set(&mut self.held_by, (key, grant), present),
            Link::GrantOf { design, grant } => set(&mut self.grants_of, (design, grant), present),
            Link::ExclusiveOf { design, grant } => {
                set(&mut self.exclusive_of, (design, grant), present);
            }
            Link::ChildOf { parent, child } => set(&mut self.children, (parent, child), present),
            Link::History { design, index } => set(&mut self.history, (design, index), present),
            // No rule reads the near-duplicate index, and a replay answers
            // no searches: nothing to keep.
            Link::ImageBand { .. } => {}
        }
    }

    /// Validates `entry` as the next entry of the log (index = the number
    /// of entries applied so far) and applies it: the auditor's replay step.
    /// Signatures are verified here with [`crate::Envelope::verify`];
    /// `log_key` is the only key that may sign a `state.commit` (`None`
    /// refuses them).
    ///
    /// # Errors
    /// The rule the entry breaks; the state is then unchanged.
    pub fn apply_entry(
        &mut self,
        entry: &Entry,
        arbiters: &[Identity],
        log_key: Option<&Identity>,
    ) -> Result<Changes, RuleError> {
        let verified = entry.envelope.verify()?;
        let ctx = Context {
            index: self.size,
            leaf_hash: entry.leaf_hash(),
            logged_at: entry.logged_at,
            arbiters,
            log_key,
        };
        let changes = apply(self, &ctx, &verified)?;
        self.commit(changes.clone());
        Ok(changes)
    }

    /// Replays a whole log from its leaf bytes, in order.
    ///
    /// # Errors
    /// The index of the first entry that does not parse or breaks a rule,
    /// and the rule.
    pub fn replay<'a, I>(
        leaves: I,
        arbiters: &[Identity],
        log_key: Option<&Identity>,
    ) -> Result<MemoryState, (u64, RuleError)>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut state = MemoryState::new();
        for bytes in leaves {
            let index = state.size;
            let entry = Entry::from_leaf_bytes(bytes).map_err(|e| (index, e))?;
            state
                .apply_entry(&entry, arbiters, log_key)
                .map_err(|e| (index, e))?;
        }
        Ok(state)
    }

    /// The number of entries applied.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Every design.
    pub fn designs(&self) -> impl Iterator<Item = &DesignState> {
        self.designs.values()
    }

    /// Every grant.
    pub fn grants(&self) -> impl Iterator<Item = &GrantState> {
        self.grants.values()
    }

    /// Every dispute.
    pub fn disputes(&self) -> impl Iterator<Item = &DisputeState> {
        self.disputes.values()
    }

    /// The designs that derive directly from `design`.
    #[must_use]
    pub fn children_of(&self, design: &DesignId) -> Vec<DesignId> {
        self.children
            .range((*design, DesignId(LOW))..=(*design, DesignId(HIGH)))
            .map(|(_, c)| *c)
            .collect()
    }

    /// The indexes of the entries that concern `design`, in log order:
    /// its registration, then every [`Link::History`] of it.
    #[must_use]
    pub fn history_of(&self, design: &DesignId) -> Vec<u64> {
        let registered = self.designs.get(design).map(|d| d.registered.index);
        registered
            .into_iter()
            .chain(
                self.history
                    .range((*design, 0)..=(*design, u64::MAX))
                    .map(|(_, i)| *i),
            )
            .collect()
    }
}

impl StateView for MemoryState {
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError> {
        Ok(self.designs.get(id).cloned())
    }

    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError> {
        Ok(self.grants.get(id).cloned())
    }

    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError> {
        Ok(self.disputes.get(id).cloned())
    }

    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError> {
        Ok(self.successors.get(key).copied())
    }

    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError> {
        Ok(self.logged.get(id).copied())
    }

    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError> {
        Ok(self
            .owned_by
            .range((*key, DesignId(LOW))..=(*key, DesignId(HIGH)))
            .map(|(_, d)| *d)
            .collect())
    }

    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError> {
        Ok(self
            .held_by
            .range((*key, GrantId(LOW))..=(*key, GrantId(HIGH)))
            .map(|(_, g)| *g)
            .collect())
    }

    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        Ok(self
            .exclusive_of
            .range((*design, GrantId(LOW))..=(*design, GrantId(HIGH)))
            .map(|(_, g)| *g)
            .collect())
    }

    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        Ok(self
            .grants_of
            .range((*design, GrantId(LOW))..=(*design, GrantId(HIGH)))
            .map(|(_, g)| *g)
            .collect())
    }
}
