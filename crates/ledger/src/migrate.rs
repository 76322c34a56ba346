//! Upgrades of the store's format, run once when the ledger opens.
//!
//! | version | what it adds |
//! |---|---|
//! | 1 | the first format (no `format` key in `meta`) |
//! | 2 | the links design -> exclusive, unrevoked grants, which a new grant checks for overlaps |

use provenant_model::GrantState;
use provenant_model::state::Link;

use crate::keys::{META_FORMAT, be, link_key, read_be};
use crate::store::{Batch, Store, StoreError, Table};
use crate::view::decode;

/// The format this build writes.
pub const FORMAT: u64 = 2;

/// Grants read per scan while upgrading.
const PAGE: usize = 1024;

/// Brings `store` to [`FORMAT`] in one atomic write; a store already there
/// costs one read.
///
/// # Errors
/// Store errors, a corrupt grant record, or a store from a newer build.
pub fn migrate<S: Store>(store: &S) -> Result<(), StoreError> {
    let format = match store.get(Table::Meta, META_FORMAT)? {
        Some(v) => read_be(&v)?,
        None => 1,
    };
    if format > FORMAT {
        return Err(StoreError(format!(
            "the store has format {format}; this build reads up to {FORMAT}"
        )));
    }
    if format == FORMAT {
        return Ok(());
    }
    let mut batch = Batch::default();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let rows = store.scan(Table::Grants, &[], after.as_deref(), PAGE)?;
        for (_, value) in &rows {
            let grant: GrantState = decode(value)?;
            if grant.terms.exclusive && grant.revoked.is_none() {
                let link = Link::ExclusiveOf {
                    design: grant.design,
                    grant: grant.id,
                };
                batch.put(Table::Links, link_key(&link), Vec::new());
            }
        }
        match rows.last() {
            Some((key, _)) if rows.len() == PAGE => after = Some(key.clone()),
            _ => break,
        }
    }
    batch.put(Table::Meta, META_FORMAT.to_vec(), be(FORMAT).to_vec());
    store.write(batch)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::keys::LinkFamily;
    use crate::store::{MemoryStore, Read as _};

    fn grant(id: u8, exclusive: bool, revoked: bool) -> Vec<u8> {
        let mut terms = provenant_model::testkit::terms();
        terms["exclusive"] = json!(exclusive);
        let revocation = revoked.then(|| {
            json!({"by": "owners", "reason": "r", "entry": {"index": 9, "leaf_hash": "00".repeat(32), "logged_at": "2026-01-01T00:00:00Z"}})
        });
        let g = json!({"id": format!("{id:02x}").repeat(32), "design": "aa".repeat(32),
            "licensee": provenant_model::testkit::id(&provenant_model::testkit::key(id)).to_string(),
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
}
