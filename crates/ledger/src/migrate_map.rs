//! Store format 4: the state map, built once for a store written before it.
//!
//! Two steps, in one write at the end (a run interrupted before it leaves
//! the store at format 3, and the next opening starts again):
//!
//! 1. every grant gains its latest usage entry, read from the log's
//!    `usage.record` entries (format 3 did not keep it), so that the state
//!    is exactly what a replay of the log produces;
//! 2. every record of the state (designs, grants, disputes, rotated keys,
//!    and each licensee's grants on a design) is hashed into the map.
//!
//! The log's first `state.commit` is written when the ledger opens
//! (`crate::sequencer::seal`).

use std::collections::{BTreeMap, BTreeSet};

use provenant_model::statemap::{StateKey, map_changes};
use provenant_model::{
    DesignId, DisputeId, Entry, EntryRef, GrantId, GrantState, Identity, Payload,
};
use provenant_tlog::map::{Top, update};

use crate::keys::read_32;
use crate::statemap::{StoredMap, put_writes};
use crate::store::{Batch, Store, StoreError, Table};
use crate::view::{View, decode, encode};

/// Builds the map of `store` into `batch` (which the caller writes with
/// the new format number).
///
/// # Errors
/// Store errors; a record or entry that does not decode.
pub(crate) fn state_map<S: Store>(store: &S, batch: &mut Batch) -> Result<(), StoreError> {
    let mut last_usage: BTreeMap<GrantId, EntryRef> = BTreeMap::new();
    super::migrate::each_row(store, Table::Entries, |key, bytes| {
        let entry = Entry::from_leaf_bytes(bytes)
            .map_err(|e| StoreError::corrupt("an entry of the log", e))?;
        if let Payload::UsageRecord(p) = entry.envelope.payload() {
            let index = crate::keys::read_be(key)?;
            last_usage.insert(
                p.grant,
                EntryRef {
                    index,
                    leaf_hash: provenant_tlog::hash_leaf(bytes).into(),
                    logged_at: entry.logged_at,
                },
            );
        }
        Ok(())
    })?;

    let mut keys = BTreeSet::new();
    let mut fixed = BTreeMap::new();
    super::migrate::each_row(store, Table::Grants, |_, value| {
        let mut grant: GrantState = decode(value)?;
        keys.insert(StateKey::Grant { grant: grant.id });
        keys.insert(StateKey::Licensee {
            design: grant.design,
            licensee: grant.licensee,
        });
        let usage = last_usage.get(&grant.id).copied();
        if grant.last_usage != usage {
            grant.last_usage = usage;
            batch.put(Table::Grants, grant.id.as_bytes().to_vec(), encode(&grant)?);
            fixed.insert(grant.id, grant);
        }
        Ok(())
    })?;
    super::migrate::each_row(store, Table::Designs, |key, _| {
        keys.insert(StateKey::Design {
            design: DesignId(read_32(key)?),
        });
        Ok(())
    })?;
    super::migrate::each_row(store, Table::Disputes, |key, _| {
        keys.insert(StateKey::Dispute {
            dispute: DisputeId(read_32(key)?),
        });
        Ok(())
    })?;
    super::migrate::each_row(store, Table::Successors, |key, _| {
        let key = Identity::from_bytes(&read_32(key)?)
            .map_err(|e| StoreError::corrupt("a retired key", e))?;
        keys.insert(StateKey::Key { key });
        Ok(())
    })?;

    let view = Fixed {
        view: View::new(store),
        grants: &fixed,
    };
    let values = map_changes(&view, &keys).map_err(|e| match e {
        provenant_model::RuleError::View(v) => StoreError::from(v),
        other => StoreError::corrupt("the state", other),
    })?;
    let (writes, _) = update(&Top::empty(), &StoredMap(store), &values).map_err(|e| e.0)?;
    put_writes(&writes, batch);
    Ok(())
}

/// The store's state with the grants whose latest usage was just found.
struct Fixed<'a, V> {
    view: V,
    grants: &'a BTreeMap<GrantId, GrantState>,
}

impl<V: provenant_model::StateView> provenant_model::StateView for Fixed<'_, V> {
    fn design(
        &self,
        id: &DesignId,
    ) -> Result<Option<provenant_model::DesignState>, provenant_model::ViewError> {
        self.view.design(id)
    }

    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, provenant_model::ViewError> {
        match self.grants.get(id) {
            Some(g) => Ok(Some(g.clone())),
            None => self.view.grant(id),
        }
    }

    fn dispute(
        &self,
        id: &DisputeId,
    ) -> Result<Option<provenant_model::DisputeState>, provenant_model::ViewError> {
        self.view.dispute(id)
    }

    fn successor(&self, key: &Identity) -> Result<Option<Identity>, provenant_model::ViewError> {
        self.view.successor(key)
    }

    fn logged(
        &self,
        id: &provenant_model::EntryId,
    ) -> Result<Option<u64>, provenant_model::ViewError> {
        self.view.logged(id)
    }

    fn designs_owned_by(
        &self,
        key: &Identity,
    ) -> Result<Vec<DesignId>, provenant_model::ViewError> {
        self.view.designs_owned_by(key)
    }

    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, provenant_model::ViewError> {
        self.view.grants_held_by(key)
    }

    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, provenant_model::ViewError> {
        self.view.grants_of(design)
    }

    fn exclusive_grants_of(
        &self,
        design: &DesignId,
    ) -> Result<Vec<GrantId>, provenant_model::ViewError> {
        self.view.exclusive_grants_of(design)
    }
}
