//! The state map built whole: for a store of format 3, first, each grant's
//! latest usage entry; then, when a log opens without a `state.commit` as
//! its last entry, the map rebuilt from the state (`crate::sequencer::seal`).

use std::collections::{BTreeMap, BTreeSet};

use provenant_model::statemap::{StateKey, map_changes};
use provenant_model::{
    DesignId, DisputeId, Entry, EntryRef, GrantId, GrantState, Identity, Payload,
};
use std::sync::Arc;

use provenant_tlog::map::{MemoryMap, Top, update};

use crate::commitment::MapUpdate;
use crate::keys::{read_32, read_be};
use crate::migrate::each_row;
use crate::store::{Batch, Read, StoreError, Table};
use crate::view::{View, decode, encode};

/// Format 4: every grant gains its latest usage entry, read from the log's
/// `usage.record` entries (format 3 did not keep it), so that the state is
/// exactly what a replay of the log produces. Writes go into `batch`.
///
/// # Errors
/// Store errors; a record or entry that does not decode.
pub(crate) fn last_usage<R: Read>(store: &R, batch: &mut Batch) -> Result<(), StoreError> {
    let mut latest: BTreeMap<GrantId, EntryRef> = BTreeMap::new();
    each_row(store, Table::Entries, |key, bytes| {
        let entry = Entry::from_leaf_bytes(bytes)
            .map_err(|e| StoreError::corrupt("an entry of the log", e))?;
        if let Payload::UsageRecord(p) = entry.envelope.payload() {
            latest.insert(
                p.grant,
                EntryRef {
                    index: read_be(key)?,
                    leaf_hash: provenant_tlog::hash_leaf(bytes).into(),
                    logged_at: entry.logged_at,
                },
            );
        }
        Ok(())
    })?;
    each_row(store, Table::Grants, |_, value| {
        let mut grant: GrantState = decode(value)?;
        let usage = latest.get(&grant.id).copied();
        if grant.last_usage != usage {
            grant.last_usage = usage;
            batch.put(Table::Grants, grant.id.as_bytes().to_vec(), encode(&grant)?);
        }
        Ok(())
    })
}

/// The map of the state `read` holds, built whole: adds to `batch` the
/// deletion of every map row there is (a map left stale by a store written
/// without commitments), and returns every key's value hash, the update's
/// writes and the new top, to write after them.
///
/// # Errors
/// Store errors; a record that does not decode.
pub(crate) fn rebuild<R: Read>(read: &R, batch: &mut Batch) -> Result<MapUpdate, StoreError> {
    each_row(read, Table::Map, |key, _| {
        batch.delete(Table::Map, key.to_vec());
        Ok(())
    })?;
    let mut keys = BTreeSet::new();
    each_row(read, Table::Designs, |key, _| {
        keys.insert(StateKey::Design {
            design: DesignId(read_32(key)?),
        });
        Ok(())
    })?;
    each_row(read, Table::Grants, |_, value| {
        let grant: GrantState = decode(value)?;
        keys.insert(StateKey::Grant { grant: grant.id });
        keys.insert(StateKey::Licensee {
            design: grant.design,
            licensee: grant.licensee,
        });
        Ok(())
    })?;
    each_row(read, Table::Disputes, |key, _| {
        keys.insert(StateKey::Dispute {
            dispute: DisputeId(read_32(key)?),
        });
        Ok(())
    })?;
    each_row(read, Table::Successors, |key, _| {
        let key = Identity::from_bytes(&read_32(key)?)
            .map_err(|e| StoreError::corrupt("a retired key", e))?;
        keys.insert(StateKey::Key { key });
        Ok(())
    })?;
    let values = map_changes(&View::new(read), &keys).map_err(|e| match e {
        provenant_model::RuleError::View(v) => StoreError::from(v),
        other => StoreError::corrupt("the state", other),
    })?;
    let (writes, _) = update(&Top::empty(), &MemoryMap::new(), &values)
        .map_err(|e| StoreError::corrupt("the state map", e))?;
    let mut top = Top::empty();
    top.apply(&writes);
    Ok((values, writes, Arc::new(top)))
}
