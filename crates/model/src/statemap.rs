//! The state map: every record of the current state under a 256-bit key,
//! in the sparse Merkle prefix tree of [`provenant_tlog::map`], whose root
//! the log commits to in `state.commit` entries.
//!
//! An answer that carries a record with its map proof, against a root the
//! log committed to, proves what the state holds; a proof of absence
//! proves what it does not hold ("not registered", "no grant", "not
//! rotated"). The keys and records:
//!
//! | key | typed key bytes | record (absent when) |
//! |---|---|---|
//! | design | `0x01 \|\| design id` | [`DesignState`] (not registered) |
//! | grant | `0x02 \|\| grant id` | [`GrantState`] (no such grant) |
//! | dispute | `0x03 \|\| dispute id` | [`DisputeState`] (no such dispute) |
//! | key | `0x04 \|\| identity` | [`KeySuccession`] (the key was never rotated away) |
//! | licensee | `0x05 \|\| design id \|\| identity` | [`LicenseeGrants`] (the key holds no grant on the design) |
//!
//! map key = `SHA-256("provenant:v1:state\n" || typed key bytes)`;
//! value hash = `SHA-256(JCS(record))`, the record in its JSON form.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use provenant_tlog::Hash;
use provenant_tlog::map::MapKey;

use crate::state::{Change, Link};
use crate::{
    Changes, DesignId, DesignState, DisputeId, DisputeState, GrantId, GrantState, Identity,
    RuleError, StateView, ViewError,
};

/// The domain prefix of every map key.
pub const STATE_KEY_PREFIX: &[u8] = b"provenant:v1:state\n";

/// What a record of the state map is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StateKey {
    /// A design's current state.
    Design {
        /// The design.
        design: DesignId,
    },
    /// A grant's current state.
    Grant {
        /// The grant.
        grant: GrantId,
    },
    /// A dispute's current state.
    Dispute {
        /// The dispute.
        dispute: DisputeId,
    },
    /// A key's successor, once it was rotated away.
    Key {
        /// The key.
        key: Identity,
    },
    /// The grants one licensee holds on one design.
    Licensee {
        /// The design.
        design: DesignId,
        /// The licensee.
        licensee: Identity,
    },
}

impl StateKey {
    /// The typed key bytes: a tag and the ids (see the module's table).
    #[must_use]
    pub fn typed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(65);
        match self {
            StateKey::Design { design } => {
                out.push(0x01);
                out.extend_from_slice(design.as_bytes());
            }
            StateKey::Grant { grant } => {
                out.push(0x02);
                out.extend_from_slice(grant.as_bytes());
            }
            StateKey::Dispute { dispute } => {
                out.push(0x03);
                out.extend_from_slice(dispute.as_bytes());
            }
            StateKey::Key { key } => {
                out.push(0x04);
                out.extend_from_slice(key.as_bytes());
            }
            StateKey::Licensee { design, licensee } => {
                out.push(0x05);
                out.extend_from_slice(design.as_bytes());
                out.extend_from_slice(licensee.as_bytes());
            }
        }
        out
    }

    /// The key in the map: `SHA-256("provenant:v1:state\n" || typed key)`.
    #[must_use]
    pub fn map_key(&self) -> MapKey {
        let mut h = Sha256::new();
        h.update(STATE_KEY_PREFIX);
        h.update(self.typed_bytes());
        h.finalize().into()
    }
}

impl std::fmt::Display for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateKey::Design { design } => write!(f, "design {design}"),
            StateKey::Grant { grant } => write!(f, "grant {grant}"),
            StateKey::Dispute { dispute } => write!(f, "dispute {dispute}"),
            StateKey::Key { key } => write!(f, "key {key}"),
            StateKey::Licensee { design, licensee } => {
                write!(f, "the grants of {licensee} on design {design}")
            }
        }
    }
}

/// The record of a rotated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeySuccession {
    /// The key that succeeded it.
    pub successor: Identity,
}

/// The grants one licensee holds on one design, revoked ones too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LicenseeGrants {
    /// The grant ids, sorted, never empty.
    pub grants: Vec<GrantId>,
}

/// A record of the state map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRecord {
    /// A design.
    Design(DesignState),
    /// A grant.
    Grant(GrantState),
    /// A dispute.
    Dispute(DisputeState),
    /// A rotated key.
    Key(KeySuccession),
    /// A licensee's grants on a design.
    Licensee(LicenseeGrants),
}

fn invariant(_: serde_json::Error) -> RuleError {
    RuleError::Invariant {
        detail: "a state record does not serialize",
    }
}

impl StateRecord {
    /// The record's JSON form, as answers carry it.
    ///
    /// # Errors
    /// Never in practice: the records serialize.
    pub fn to_value(&self) -> Result<Value, RuleError> {
        match self {
            StateRecord::Design(r) => serde_json::to_value(r),
            StateRecord::Grant(r) => serde_json::to_value(r),
            StateRecord::Dispute(r) => serde_json::to_value(r),
            StateRecord::Key(r) => serde_json::to_value(r),
            StateRecord::Licensee(r) => serde_json::to_value(r),
        }
        .map_err(invariant)
    }

    /// Reads the record stored under `key` from its JSON form, refusing a
    /// record of another kind or about another id than the key names.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] naming `record`.
    pub fn from_value(key: &StateKey, value: &Value) -> Result<StateRecord, RuleError> {
        fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, RuleError> {
            T::deserialize(value).map_err(|e| RuleError::Malformed {
                field: "record".to_owned(),
                detail: e.to_string(),
            })
        }
        let record = match key {
            StateKey::Design { .. } => StateRecord::Design(parse(value)?),
            StateKey::Grant { .. } => StateRecord::Grant(parse(value)?),
            StateKey::Dispute { .. } => StateRecord::Dispute(parse(value)?),
            StateKey::Key { .. } => StateRecord::Key(parse(value)?),
            StateKey::Licensee { .. } => StateRecord::Licensee(parse(value)?),
        };
        if !record.is_about(key) {
            return Err(RuleError::Malformed {
                field: "record".to_owned(),
                detail: format!("the record is not about {key}"),
            });
        }
        Ok(record)
    }

    /// Whether the record's own ids are those of `key`.
    fn is_about(&self, key: &StateKey) -> bool {
        match (self, key) {
            (StateRecord::Design(r), StateKey::Design { design }) => r.id == *design,
            (StateRecord::Grant(r), StateKey::Grant { grant }) => r.id == *grant,
            (StateRecord::Dispute(r), StateKey::Dispute { dispute }) => r.id == *dispute,
            (StateRecord::Key(_), StateKey::Key { .. }) => true,
            (StateRecord::Licensee(r), StateKey::Licensee { .. }) => {
                !r.grants.is_empty() && r.grants.windows(2).all(|w| w[0] < w[1])
            }
            _ => false,
        }
    }

    /// `SHA-256(JCS(record))`: the value the map holds for the record.
    ///
    /// # Errors
    /// Never in practice: the records serialize.
    pub fn value_hash(&self) -> Result<Hash, RuleError> {
        let bytes = crate::jcs::to_vec(&self.to_value()?).map_err(|_| RuleError::Invariant {
            detail: "a state record holds a number JCS does not carry",
        })?;
        Ok(Hash(Sha256::digest(bytes).into()))
    }
}

/// The record stored under `key` in the state `view` holds, `None` when
/// the map holds nothing there.
///
/// # Errors
/// The view's failure.
pub fn record_of<V: StateView + ?Sized>(
    view: &V,
    key: &StateKey,
) -> Result<Option<StateRecord>, ViewError> {
    Ok(match key {
        StateKey::Design { design } => view.design(design)?.map(StateRecord::Design),
        StateKey::Grant { grant } => view.grant(grant)?.map(StateRecord::Grant),
        StateKey::Dispute { dispute } => view.dispute(dispute)?.map(StateRecord::Dispute),
        StateKey::Key { key } => view
            .successor(key)?
            .map(|successor| StateRecord::Key(KeySuccession { successor })),
        StateKey::Licensee { design, licensee } => {
            let grants = view.licensee_grants(design, licensee)?;
            (!grants.is_empty()).then_some(StateRecord::Licensee(LicenseeGrants { grants }))
        }
    })
}

/// The map keys whose records `changes` may have changed, read against
/// `view`, the state after the changes (a grant that changed licensee
/// changes the lists of both the old and the new licensee).
///
/// # Errors
/// The view's failure.
pub fn touched<V: StateView + ?Sized>(
    view: &V,
    changes: &Changes,
) -> Result<BTreeSet<StateKey>, ViewError> {
    let mut keys = BTreeSet::new();
    for change in &changes.0 {
        match change {
            Change::Design(d) => {
                keys.insert(StateKey::Design { design: d.id });
            }
            // A grant's (design, licensee) list changes only when the grant
            // is created or moves to a rotated key, and both come with a
            // `HeldBy` link change (below); a production run or a
            // revocation changes the grant alone.
            Change::Grant(g) => {
                keys.insert(StateKey::Grant { grant: g.id });
            }
            Change::Dispute(d) => {
                keys.insert(StateKey::Dispute { dispute: d.id });
            }
            Change::Succession { old, .. } => {
                keys.insert(StateKey::Key { key: *old });
            }
            Change::Link(Link::HeldBy { key, grant })
            | Change::Unlink(Link::HeldBy { key, grant }) => {
                if let Some(g) = view.grant(grant)? {
                    keys.insert(StateKey::Licensee {
                        design: g.design,
                        licensee: *key,
                    });
                }
            }
            Change::Logged { .. } | Change::Link(_) | Change::Unlink(_) => {}
        }
    }
    Ok(keys)
}

/// The map's changes for `keys`: each key's new value hash in the state
/// `view` holds, or `None` where the state holds nothing.
///
/// # Errors
/// The view's failure.
pub fn map_changes<V: StateView + ?Sized>(
    view: &V,
    keys: &BTreeSet<StateKey>,
) -> Result<BTreeMap<MapKey, Option<Hash>>, RuleError> {
    let mut out = BTreeMap::new();
    for key in keys {
        let value = match record_of(view, key)? {
            Some(record) => Some(record.value_hash()?),
            None => None,
        };
        out.insert(key.map_key(), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntryRef, LeafHash, Owner, Ppm};

    fn id(seed: u8) -> Identity {
        crate::identity_of(&ed25519_dalek::SigningKey::from_bytes(&[seed; 32])).expect("key")
    }

    fn entry(index: u64) -> EntryRef {
        EntryRef {
            index,
            leaf_hash: LeafHash([9; 32]),
            logged_at: "2026-01-01T00:00:00Z".parse().expect("time"),
        }
    }

    #[test]
    fn the_value_hash_is_sha256_of_jcs() {
        let design = DesignState {
            id: DesignId([7; 32]),
            parents: Vec::new(),
            license_threshold_ppm: Ppm::ONE,
            owners: vec![Owner {
                key: id(3),
                share_ppm: Ppm::ONE,
            }],
            registered: entry(5),
            ownership: entry(u64::from(u32::MAX) * 1000),
            blocking_disputes: [DisputeId([1; 32]), DisputeId([2; 32])].into(),
        };
        let records = [
            StateRecord::Design(design),
            StateRecord::Key(KeySuccession { successor: id(4) }),
            StateRecord::Licensee(LicenseeGrants {
                grants: vec![GrantId([1; 32]), GrantId([2; 32])],
            }),
        ];
        for r in records {
            let jcs = serde_jcs::to_vec(&r.to_value().expect("json")).expect("jcs");
            let ours = crate::jcs::to_vec(&r.to_value().expect("json")).expect("ours");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&jcs)
            );
            assert_eq!(
                r.value_hash().expect("hash"),
                Hash(Sha256::digest(&jcs).into())
            );
        }
    }
}
