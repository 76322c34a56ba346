//! The end of every batch that changed the state: the state map brought up
//! to date and a `state.commit` entry, signed by the log's key, committing
//! to its root after every entry before it. Both go into the batch's one
//! atomic write, so the stored map and the last commitment never disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use provenant_model::payload::StateCommit;
use provenant_model::statemap::{map_changes, touched};
use provenant_model::{Changes, Context, Entry, Envelope, Payload, RuleError, Timestamp, apply};
use provenant_tlog::Hash;
use provenant_tlog::map::{MapKey, MapWrites, Top, update};

use crate::error::LedgerError;
use crate::shared::Publisher;
use crate::statemap::{CachedMap, StoredMap};
use crate::store::Read;
use crate::view::{Overlay, View};

/// A map brought up to date: each changed key's value hash (`None`:
/// removed), the update's node and bucket writes, and the new top.
pub(crate) type MapUpdate = (BTreeMap<MapKey, Option<Hash>>, MapWrites, Arc<Top>);

/// What the batch's commitment adds to its write.
pub(crate) struct Commitment {
    /// The `state.commit` entry's leaf bytes and hash.
    pub bytes: Vec<u8>,
    pub leaf_hash: Hash,
    /// What it changes (its idempotency record).
    pub changes: Changes,
    /// The map's rows: each changed key's value hash, and the update's
    /// node and bucket writes.
    pub values: BTreeMap<MapKey, Option<Hash>>,
    pub map: MapWrites,
    /// The map's top levels after the update.
    pub top: Arc<Top>,
}

fn rule(e: RuleError) -> LedgerError {
    match e {
        RuleError::View(v) => LedgerError::Store(v.into()),
        other => LedgerError::Corrupt(format!("the batch's state commitment: {other}")),
    }
}

/// The commitment after the batch's entries, whose `changes` `overlay`
/// holds over `snapshot`, the state before the batch; the commit entry
/// takes index `index`. `None` when the batch changed no record of the map.
///
/// # Errors
/// Store failures, a corrupt map, or a commit entry the rules refuse (a
/// bug: it is built here).
pub(crate) fn commitment<R: Read>(
    publisher: &Publisher,
    snapshot: &R,
    overlay: &Overlay,
    changes: &[Changes],
    index: u64,
    logged_at: Timestamp,
) -> Result<Option<Commitment>, LedgerError> {
    let view = View::with_overlay(snapshot, overlay);
    let mut keys = BTreeSet::new();
    for c in changes {
        keys.extend(touched(&view, c).map_err(|e| rule(e.into()))?);
    }
    if keys.is_empty() {
        return Ok(None);
    }
    let values = map_changes(&view, &keys).map_err(rule)?;
    let stored = CachedMap {
        stored: StoredMap {
            read: snapshot,
            top: publisher.top(),
        },
        cache: publisher.buckets(),
    };
    let (map, _) = update(publisher.top(), &stored, &values).map_err(|e| e.0)?;
    let mut top = publisher.top().clone();
    top.apply(&map);
    commit_entry(
        publisher,
        &view,
        index,
        logged_at,
        (values, map, Arc::new(top)),
    )
    .map(Some)
}

/// The `state.commit` entry at `index` committing to the root of the
/// updated map `(values, writes, top)`, signed by the log's key, with what
/// it changes in the state `view` holds.
///
/// # Errors
/// Signing, or a commit entry the rules refuse (a bug: it is built here).
pub(crate) fn commit_entry<V: provenant_model::StateView>(
    publisher: &Publisher,
    view: &V,
    index: u64,
    logged_at: Timestamp,
    (values, map, top): MapUpdate,
) -> Result<Commitment, LedgerError> {
    let mut envelope = Envelope::new(&Payload::StateCommit(StateCommit {
        root: top.root().into(),
        size: index,
    }))
    .map_err(rule)?;
    publisher.signer().sign_envelope(&mut envelope)?;
    let verified = envelope.verify().map_err(rule)?;
    let bytes = Entry::leaf_bytes_of(verified.envelope(), logged_at);
    let leaf_hash = provenant_tlog::hash_leaf(&bytes);
    let log_key = publisher.identity();
    let ctx = Context {
        index,
        leaf_hash: leaf_hash.into(),
        logged_at,
        arbiters: publisher.shared().arbiters(),
        log_key: Some(&log_key),
    };
    let changes = apply(view, &ctx, &verified).map_err(rule)?;
    Ok(Commitment {
        bytes,
        leaf_hash,
        changes,
        values,
        map,
        top,
    })
}
