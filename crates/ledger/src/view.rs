//! The state as the rules see it: the store, plus the changes of the
//! entries accepted earlier in the same batch.
//!
//! [`Overlay`] keeps those pending changes; [`View`] reads through it to a
//! store snapshot, so a later entry of a batch sees the earlier ones before
//! anything is written. [`Overlay::into_ops`] turns the pending changes
//! into the batch's state writes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use provenant_model::state::{Change, Link};
use provenant_model::{
    DesignId, DesignState, DisputeId, DisputeState, EntryId, GrantId, GrantState, Identity,
    StateView, ViewError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::keys::{self, LinkFamily, be, link_key, read_32, read_be};
use crate::records::{decode_design, encode_design};
use crate::store::{Batch, Read, StoreError, Table};

/// Changes applied in memory, not yet written.
#[derive(Default)]
pub struct Overlay {
    designs: HashMap<DesignId, DesignState>,
    grants: HashMap<GrantId, GrantState>,
    disputes: HashMap<DisputeId, DisputeState>,
    successors: HashMap<Identity, Identity>,
    logged: HashMap<EntryId, u64>,
    /// `true`: added; `false`: removed.
    links: BTreeMap<Link, bool>,
}

impl Overlay {
    /// Records `changes` (from `provenant_model::apply`).
    pub fn apply(&mut self, changes: provenant_model::Changes) {
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
                }
                Change::Link(l) => {
                    self.links.insert(l, true);
                }
                Change::Unlink(l) => {
                    self.links.insert(l, false);
                }
            }
        }
    }

    /// The store writes that make the pending changes durable.
    ///
    /// # Errors
    /// A [`StoreError`] if a record cannot be encoded.
    pub fn into_ops(self, batch: &mut Batch) -> Result<(), StoreError> {
        for (id, d) in self.designs {
            batch.put(Table::Designs, id.as_bytes().to_vec(), encode_design(&d)?);
        }
        for (id, g) in self.grants {
            batch.put(Table::Grants, id.as_bytes().to_vec(), encode(&g)?);
        }
        for (id, d) in self.disputes {
            batch.put(Table::Disputes, id.as_bytes().to_vec(), encode(&d)?);
        }
        for (old, new) in self.successors {
            batch.put(
                Table::Successors,
                old.as_bytes().to_vec(),
                new.as_bytes().to_vec(),
            );
        }
        for (id, index) in self.logged {
            batch.put(Table::Logged, id.as_bytes().to_vec(), be(index).to_vec());
        }
        for (link, added) in self.links {
            if added {
                batch.put(Table::Links, link_key(&link), Vec::new());
            } else {
                batch.delete(Table::Links, link_key(&link));
            }
        }
        Ok(())
    }
}

/// Encodes a grant or dispute record (JSON: readable with `ldb`, and the
/// model's serde types are the schema). Design records, one per
/// registration, have a compact binary layout instead ([`crate::records`]).
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Unstorable {
        what: "a state record",
        detail: e.to_string(),
    })
}

/// Decodes a state record.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::corrupt("state record", e))
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(view_err)`
fn view_err(e: StoreError) -> ViewError {
    e.into()
}

/// Reads the state through an optional overlay.
pub struct View<'a, R: Read + ?Sized> {
    read: &'a R,
    overlay: Option<&'a Overlay>,
}

impl<'a, R: Read + ?Sized> View<'a, R> {
    /// The committed state of `read`.
    pub fn new(read: &'a R) -> Self {
        Self {
            read,
            overlay: None,
        }
    }

    /// The committed state plus `overlay`.
    pub fn with_overlay(read: &'a R, overlay: &'a Overlay) -> Self {
        Self {
            read,
            overlay: Some(overlay),
        }
    }

    fn record<T: DeserializeOwned>(
        &self,
        table: Table,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        self.read.get(table, key)?.map(|v| decode(&v)).transpose()
    }

    /// Whether `link` is present, pending changes first.
    fn has_link(&self, link: &Link) -> Result<bool, StoreError> {
        if let Some(added) = self.overlay.and_then(|o| o.links.get(link)) {
            return Ok(*added);
        }
        Ok(self.read.get(Table::Links, &link_key(link))?.is_some())
    }

    /// Every member of a link family, committed and pending, sorted.
    ///
    /// # Errors
    /// The store's failure.
    pub fn family<T: Ord>(
        &self,
        family: LinkFamily,
        member: impl Fn(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let prefix = family.prefix();
        let mut out = BTreeSet::new();
        for (k, _) in self.read.scan(Table::Links, &prefix, None, usize::MAX)? {
            out.insert(member(&k)?);
        }
        if let Some(o) = self.overlay {
            for (link, added) in &o.links {
                if family.contains(link) {
                    let m = member(&link_key(link))?;
                    if *added {
                        out.insert(m);
                    } else {
                        out.remove(&m);
                    }
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}

impl<R: Read + ?Sized> StateView for View<'_, R> {
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError> {
        if let Some(d) = self.overlay.and_then(|o| o.designs.get(id)) {
            return Ok(Some(d.clone()));
        }
        self.read
            .get(Table::Designs, id.as_bytes())
            .and_then(|v| v.map(|bytes| decode_design(*id, &bytes)).transpose())
            .map_err(view_err)
    }

    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError> {
        if let Some(g) = self.overlay.and_then(|o| o.grants.get(id)) {
            return Ok(Some(g.clone()));
        }
        self.record(Table::Grants, id.as_bytes()).map_err(view_err)
    }

    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError> {
        if let Some(d) = self.overlay.and_then(|o| o.disputes.get(id)) {
            return Ok(Some(d.clone()));
        }
        self.record(Table::Disputes, id.as_bytes())
            .map_err(view_err)
    }

    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError> {
        if let Some(k) = self.overlay.and_then(|o| o.successors.get(key)) {
            return Ok(Some(*k));
        }
        let Some(bytes) = self
            .read
            .get(Table::Successors, key.as_bytes())
            .map_err(view_err)?
        else {
            return Ok(None);
        };
        let raw = read_32(&bytes).map_err(view_err)?;
        Identity::from_bytes(&raw)
            .map(Some)
            .map_err(|e| StoreError::corrupt("successor record", e).into())
    }

    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError> {
        if let Some(i) = self.overlay.and_then(|o| o.logged.get(id)) {
            return Ok(Some(*i));
        }
        self.read
            .get(Table::Logged, id.as_bytes())
            .map_err(view_err)?
            .map(|v| read_be(&v))
            .transpose()
            .map_err(view_err)
    }

    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError> {
        self.family(LinkFamily::OwnedBy(*key), keys::second_design)
            .map_err(view_err)
    }

    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError> {
        self.family(LinkFamily::HeldBy(*key), keys::second_grant)
            .map_err(view_err)
    }

    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.family(LinkFamily::GrantsOf(*design), keys::second_grant)
            .map_err(view_err)
    }

    /// The grants of `design` whose `HeldBy` link names `licensee`: a
    /// grant is held by exactly its licensee (created with the link, moved
    /// with it on a key rotation), so no grant record is read or decoded.
    fn licensee_grants(
        &self,
        design: &DesignId,
        licensee: &Identity,
    ) -> Result<Vec<GrantId>, ViewError> {
        let mut mine = Vec::new();
        for grant in self.grants_of(design)? {
            let held = Link::HeldBy {
                key: *licensee,
                grant,
            };
            if self.has_link(&held).map_err(view_err)? {
                mine.push(grant);
            }
        }
        Ok(mine)
    }

    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.family(LinkFamily::ExclusiveOf(*design), keys::second_grant)
            .map_err(view_err)
    }
}
