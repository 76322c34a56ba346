//! [`ProvenState`]: a view of the state that holds only records an answer
//! proved, so that a client recomputes the answer with the model's own
//! functions ([`crate::check_license`], [`crate::royalty_split`]) and
//! learns when the answer leaned on something it did not prove.

use std::collections::BTreeMap;

use crate::statemap::{StateKey, StateRecord};
use crate::{
    DesignId, DesignState, DisputeId, DisputeState, EntryId, GrantId, GrantState, Identity,
    StateView, ViewError,
};

/// Records proven present (`Some`) or absent (`None`), by key. Every read
/// of a key it does not hold fails with [`ViewError::Unproven`], and so do
/// the reads no map record answers (who owns what, idempotency).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvenState {
    records: BTreeMap<StateKey, Option<StateRecord>>,
    /// The state of a log with no entry: every key proven absent.
    empty_log: bool,
}

impl ProvenState {
    /// No record proven yet.
    #[must_use]
    pub fn new() -> ProvenState {
        ProvenState::default()
    }

    /// The state of a log that a checkpoint of size 0 proves empty: no
    /// entry, so no record, and every key reads as proven absent.
    #[must_use]
    pub fn of_empty_log() -> ProvenState {
        ProvenState {
            records: BTreeMap::new(),
            empty_log: true,
        }
    }

    /// Adds a record whose proof the caller checked: `None` for a key
    /// proven absent.
    pub fn insert(&mut self, key: StateKey, record: Option<StateRecord>) {
        self.records.insert(key, record);
    }

    /// The record under `key`: `Ok(None)` when proven absent.
    ///
    /// # Errors
    /// [`ViewError::Unproven`] when `key` was not proven.
    pub fn get(&self, key: &StateKey) -> Result<Option<&StateRecord>, ViewError> {
        if self.empty_log {
            return Ok(None);
        }
        self.records
            .get(key)
            .map(Option::as_ref)
            .ok_or_else(|| ViewError::Unproven(key.to_string()))
    }

    /// How many keys were proven.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no key was proven.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

fn wrong_kind(key: &StateKey) -> ViewError {
    ViewError::Unproven(format!("{key} (the record is of another kind)"))
}

fn unprovable(what: &str) -> ViewError {
    ViewError::Unproven(format!("{what} (no map record says it)"))
}

impl StateView for ProvenState {
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError> {
        let key = StateKey::Design { design: *id };
        match self.get(&key)? {
            None => Ok(None),
            Some(StateRecord::Design(d)) => Ok(Some(d.clone())),
            Some(_) => Err(wrong_kind(&key)),
        }
    }

    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError> {
        let key = StateKey::Grant { grant: *id };
        match self.get(&key)? {
            None => Ok(None),
            Some(StateRecord::Grant(g)) => Ok(Some(g.clone())),
            Some(_) => Err(wrong_kind(&key)),
        }
    }

    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError> {
        let key = StateKey::Dispute { dispute: *id };
        match self.get(&key)? {
            None => Ok(None),
            Some(StateRecord::Dispute(d)) => Ok(Some(d.clone())),
            Some(_) => Err(wrong_kind(&key)),
        }
    }

    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError> {
        let k = StateKey::Key { key: *key };
        match self.get(&k)? {
            None => Ok(None),
            Some(StateRecord::Key(s)) => Ok(Some(s.successor)),
            Some(_) => Err(wrong_kind(&k)),
        }
    }

    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError> {
        Err(unprovable(&format!("whether envelope {id} is logged")))
    }

    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError> {
        Err(unprovable(&format!("the designs {key} owns")))
    }

    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError> {
        Err(unprovable(&format!("the grants {key} holds")))
    }

    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        Err(unprovable(&format!("every grant on design {design}")))
    }

    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        Err(unprovable(&format!(
            "the exclusive grants on design {design}"
        )))
    }

    fn licensee_grants(
        &self,
        design: &DesignId,
        licensee: &Identity,
    ) -> Result<Vec<GrantId>, ViewError> {
        let key = StateKey::Licensee {
            design: *design,
            licensee: *licensee,
        };
        match self.get(&key)? {
            None => Ok(Vec::new()),
            Some(StateRecord::Licensee(l)) => Ok(l.grants.clone()),
            Some(_) => Err(wrong_kind(&key)),
        }
    }
}

/// A view that passes every read to another and notes the map keys read:
/// run the same function over it as a client will run over
/// [`ProvenState`], and the notes are exactly the records the answer must
/// prove.
pub struct Recording<'a, V: StateView + ?Sized> {
    inner: &'a V,
    keys: std::cell::RefCell<std::collections::BTreeSet<StateKey>>,
}

impl<'a, V: StateView + ?Sized> Recording<'a, V> {
    /// A recording view over `inner`.
    pub fn new(inner: &'a V) -> Self {
        Recording {
            inner,
            keys: std::cell::RefCell::default(),
        }
    }

    /// Notes `key` as read (for the records an answer rests on beyond what
    /// a function read).
    pub fn note(&self, key: StateKey) {
        self.keys.borrow_mut().insert(key);
    }

    /// The keys read so far.
    #[must_use]
    pub fn keys(&self) -> std::collections::BTreeSet<StateKey> {
        self.keys.borrow().clone()
    }
}

impl<V: StateView + ?Sized> StateView for Recording<'_, V> {
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError> {
        self.note(StateKey::Design { design: *id });
        self.inner.design(id)
    }

    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError> {
        self.note(StateKey::Grant { grant: *id });
        self.inner.grant(id)
    }

    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError> {
        self.note(StateKey::Dispute { dispute: *id });
        self.inner.dispute(id)
    }

    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError> {
        self.note(StateKey::Key { key: *key });
        self.inner.successor(key)
    }

    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError> {
        self.inner.logged(id)
    }

    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError> {
        self.inner.designs_owned_by(key)
    }

    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError> {
        self.inner.grants_held_by(key)
    }

    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.inner.grants_of(design)
    }

    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.inner.exclusive_grants_of(design)
    }

    fn licensee_grants(
        &self,
        design: &DesignId,
        licensee: &Identity,
    ) -> Result<Vec<GrantId>, ViewError> {
        self.note(StateKey::Licensee {
            design: *design,
            licensee: *licensee,
        });
        self.inner.licensee_grants(design, licensee)
    }
}
