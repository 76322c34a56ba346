//! Upgrades of the store's format, run once when the ledger opens.
//!
//! | version | what it adds |
//! |---|---|
//! | 1 | the first format (no `format` key in `meta`) |
//! | 2 | the links design -> exclusive, unrevoked grants, which a new grant checks for overlaps |
//! | 3 | design records in the binary layout of [`crate::records`], without the registration's descriptive fields; no history link for a registration (the record names it) |
//! | 4 | each grant's latest usage entry ([`crate::migrate_map`]); the state map (`crate::statemap`) is then built when the ledger opens, before its first `state.commit` |

use provenant_model::state::Link;
use provenant_model::{DesignId, DesignState, GrantState};

use crate::keys::{META_FORMAT, be, link_key, read_32, read_be};
use crate::records::encode_design;
use crate::store::{Batch, Read, Store, StoreError, Table};
use crate::view::decode;

/// The format this build writes.
pub const FORMAT: u64 = 4;

/// Records read per scan while upgrading.
const PAGE: usize = 1024;

/// Brings `store` to [`FORMAT`]; a store already there costs one read.
///
/// Each step ends with an atomic write that records the version it
/// reached, and a step interrupted before that write is safe to run again.
///
/// # Errors
/// Store errors, a corrupt record, or a store from a newer build.
pub fn migrate<S: Store>(store: &S) -> Result<(), StoreError> {
    let format = match store.get(Table::Meta, META_FORMAT)? {
        Some(v) => read_be(&v)?,
        None => 1,
    };
    if format > FORMAT {
        return Err(StoreError::corrupt(
            "the store's format",
            format!("the store has format {format}; this build reads up to {FORMAT}"),
        ));
    }
    if format < 2 {
        exclusive_links(store)?;
    }
    if format < 3 {
        binary_designs(store)?;
    }
    if format < 4 {
        let mut batch = Batch::default();
        crate::migrate_map::last_usage(store, &mut batch)?;
        reached(&mut batch, 4);
        store.write(batch)?;
    }
    Ok(())
}

/// Visits every row of `table`, a page at a time.
pub(crate) fn each_row<R: Read>(
    store: &R,
    table: Table,
    mut visit: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let rows = store.scan(table, &[], after.as_deref(), PAGE)?;
        for (key, value) in &rows {
            visit(key, value)?;
        }
        match rows.last() {
            Some((key, _)) if rows.len() == PAGE => after = Some(key.clone()),
            _ => return Ok(()),
        }
    }
}

fn reached(batch: &mut Batch, version: u64) {
    batch.put(Table::Meta, META_FORMAT.to_vec(), be(version).to_vec());
}

/// Version 2: links every exclusive, unrevoked grant from its design, in
/// one write.
fn exclusive_links<S: Store>(store: &S) -> Result<(), StoreError> {
    let mut batch = Batch::default();
    each_row(store, Table::Grants, |_, value| {
        let grant: GrantState = decode(value)?;
        if grant.terms.exclusive && grant.revoked.is_none() {
            let link = Link::ExclusiveOf {
                design: grant.design,
                grant: grant.id,
            };
            batch.put(Table::Links, link_key(&link), Vec::new());
        }
        Ok(())
    })?;
    reached(&mut batch, 2);
    store.write(batch)
}

/// Version 3: rewrites each JSON design record (they start with `{`) in
/// the binary layout and drops the history link of its registration, a
/// page per write; records already rewritten by an interrupted run are
/// left as they are.
fn binary_designs<S: Store>(store: &S) -> Result<(), StoreError> {
    let mut batch = Batch::default();
    let mut pending = 0;
    each_row(store, Table::Designs, |key, value| {
        if value.first() != Some(&b'{') {
            return Ok(());
        }
        let design = legacy_design(key, value)?;
        batch.put(Table::Designs, key.to_vec(), encode_design(&design)?);
        let registration = Link::History {
            design: design.id,
            index: design.registered.index,
        };
        batch.delete(Table::Links, link_key(&registration));
        pending += 1;
        if pending == PAGE {
            store.write(std::mem::take(&mut batch))?;
            pending = 0;
        }
        Ok(())
    })?;
    reached(&mut batch, 3);
    store.write(batch)
}

/// A version 2 design record: the state as JSON, with the registration's
/// descriptive fields that version 3 no longer keeps.
fn legacy_design(key: &[u8], value: &[u8]) -> Result<DesignState, StoreError> {
    let mut json: serde_json::Map<String, serde_json::Value> = decode(value)?;
    for field in ["content", "title", "description", "creators", "ai"] {
        json.remove(field);
    }
    let design: DesignState =
        serde_json::from_value(json.into()).map_err(|e| StoreError::corrupt("design record", e))?;
    let under = DesignId(read_32(key)?);
    if design.id != under {
        return Err(StoreError::corrupt(
            "design record",
            format!("the design record under {under} is for {}", design.id),
        ));
    }
    Ok(design)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::keys::LinkFamily;
    use crate::store::MemoryStore;

    fn grant(id: u8, exclusive: bool, revoked: bool) -> Vec<u8> {
        let mut terms = provenant_testkit::terms();
        terms["exclusive"] = json!(exclusive);
        let revocation = revoked.then(|| {
            json!({"by": "owners", "reason": "r", "entry": {"index": 9, "leaf_hash": "00".repeat(32), "logged_at": "2026-01-01T00:00:00Z"}})
        });
        let g = json!({"id": format!("{id:02x}").repeat(32), "design": "aa".repeat(32),
            "licensee": provenant_testkit::id(&provenant_testkit::key(id)).to_string(),
            "terms": terms, "granted": {"index": u64::from(id), "leaf_hash": "11".repeat(32), "logged_at": "2026-01-01T00:00:00Z"},
            "units_used": 0, "revoked": revocation});
        let state: GrantState = serde_json::from_value(g).unwrap();
        crate::view::encode(&state).unwrap()
    }

    #[test]
    fn version_1_gains_the_exclusive_grant_links_once() {
        let store = MemoryStore::new();
        let mut batch = Batch::default();
        for (id, exclusive, revoked) in [(1, true, false), (2, false, false), (3, true, true)] {
            batch.put(Table::Grants, vec![id; 32], grant(id, exclusive, revoked));
        }
        store.write(batch).unwrap();
        migrate(&store).unwrap();
        let design = provenant_model::DesignId([0xaa; 32]);
        let links = store
            .scan(
                Table::Links,
                &LinkFamily::ExclusiveOf(design).prefix(),
                None,
                10,
            )
            .unwrap();
        assert_eq!(links.len(), 1, "only the unrevoked exclusive grant");
        assert!(links[0].0.ends_with(&[1; 32]));
        assert_eq!(
            store.get(Table::Meta, META_FORMAT).unwrap(),
            Some(be(FORMAT).to_vec())
        );
        // Once there, nothing more is written.
        migrate(&store).unwrap();

        let newer = MemoryStore::new();
        let mut batch = Batch::default();
        batch.put(Table::Meta, META_FORMAT.to_vec(), be(FORMAT + 1).to_vec());
        newer.write(batch).unwrap();
        assert!(migrate(&newer).is_err());
    }

    /// A design record as version 2 wrote it: JSON, with the registration's
    /// descriptive fields.
    fn legacy(id: u8, owner: u8) -> (DesignState, Vec<u8>) {
        let key = provenant_testkit::id(&provenant_testkit::key(owner));
        let entry = json!({"index": u64::from(id), "leaf_hash": "11".repeat(32), "logged_at": "2026-01-01T00:00:00Z"});
        let record = json!({"id": format!("{id:02x}").repeat(32),
            "content": {"blake3": format!("{id:02x}").repeat(32), "sha256": "22".repeat(32), "media_type": "image/png", "size": 3},
            "title": "t", "description": "d",
            "creators": [{"key": key.to_string(), "share_ppm": 1_000_000, "role": "designer"}],
            "parents": [], "ai": null, "license_threshold_ppm": 1_000_000,
            "owners": [{"key": key.to_string(), "share_ppm": 1_000_000}],
            "registered": entry, "ownership": entry, "blocking_disputes": []});
        let mut state = record.clone();
        let map = state.as_object_mut().unwrap();
        for field in ["content", "title", "description", "creators", "ai"] {
            map.remove(field);
        }
        (
            serde_json::from_value(state).unwrap(),
            serde_json::to_vec(&record).unwrap(),
        )
    }

    #[test]
    fn version_2_design_records_become_binary_even_after_an_interrupted_run() {
        let store = MemoryStore::new();
        let mut batch = Batch::default();
        batch.put(Table::Meta, META_FORMAT.to_vec(), be(2).to_vec());
        let designs: Vec<DesignState> = (1..=3)
            .map(|id| {
                let (state, json) = legacy(id, id + 10);
                batch.put(Table::Designs, vec![id; 32], json);
                // The earlier run below dropped design 1's registration link
                // in the same write as its record.
                let first = (id > 1).then_some(u64::from(id));
                for index in first.into_iter().chain([100]) {
                    let link = Link::History {
                        design: state.id,
                        index,
                    };
                    batch.put(Table::Links, link_key(&link), Vec::new());
                }
                state
            })
            .collect();
        // An earlier run got as far as the first record.
        batch.put(
            Table::Designs,
            vec![1; 32],
            encode_design(&designs[0]).unwrap(),
        );
        store.write(batch).unwrap();

        migrate(&store).unwrap();
        for design in &designs {
            let bytes = store
                .get(Table::Designs, design.id.as_bytes())
                .unwrap()
                .unwrap();
            assert_eq!(
                crate::records::decode_design(design.id, &bytes).unwrap(),
                *design
            );
            let history = store
                .scan(
                    Table::Links,
                    &LinkFamily::HistoryOf(design.id).prefix(),
                    None,
                    10,
                )
                .unwrap();
            let indexes: Vec<u64> = history
                .iter()
                .map(|(k, _)| crate::keys::second_index(k).unwrap())
                .collect();
            assert_eq!(indexes, [100], "the registration's own link is gone");
        }
        assert_eq!(
            store.get(Table::Meta, META_FORMAT).unwrap(),
            Some(be(FORMAT).to_vec())
        );
    }

    #[test]
    fn a_design_record_under_another_id_is_refused() {
        let store = MemoryStore::new();
        let mut batch = Batch::default();
        batch.put(Table::Meta, META_FORMAT.to_vec(), be(2).to_vec());
        batch.put(Table::Designs, vec![9; 32], legacy(1, 11).1);
        store.write(batch).unwrap();
        assert!(migrate(&store).is_err());
        assert_eq!(
            store.get(Table::Meta, META_FORMAT).unwrap(),
            Some(be(2).to_vec()),
            "the format stays where it was"
        );
    }
}
