//! Every read of the ledger. Answers about state are computed on one
//! snapshot of the store, name the checkpoint of that snapshot, and carry
//! inclusion proofs (at that checkpoint) of the entries they rest on.

use std::collections::BTreeSet;
use std::sync::Arc;

use provenant_api::{
    DesignDetails, DesignReport, DesignSummary, EntryProof, NotRegistered, Page, Proven,
};
use provenant_model::state::EntryRef;
use provenant_model::statemap::StateKey;
use provenant_model::{
    Cancel, DesignId, DetailPage, Entry, GrantId, GrantState, Identity, LeafHash, LicenseAnswer,
    LicenseQuery, Money, Recording, RoyaltySplit, SaleLine, StateRoot, StateView, Statement,
    blocked_by, check_license, royalty_split, royalty_statement,
};
use provenant_tlog::map::Top;
use provenant_tlog::tile::{Tile, encode_bundle};
use provenant_tlog::{
    Checkpoint, Hash, LeafIndex, Note, TreeSize, prove_consistency, prove_inclusion,
};

use crate::error::ReadError;
use crate::hashes::{HashCache, StoredHashes};
use crate::keys::{self, LinkFamily, META_CHECKPOINT, META_SIZE, be, read_be};
use crate::ledger::Ledger;
use crate::state_reads::state_proof;
use crate::store::{AnySnapshot, Read, Store, StoreError, Table};
use crate::view::View;

/// Entries per chunk of an entry bundle read by [`Ledger::entry_bundle`]:
/// a chunk is at most 8 x (2 + 65,535) bytes, about 512 KiB.
pub const BUNDLE_CHUNK: u64 = 8;

/// The chunks of one entry bundle, each the C2SP encoding (a big-endian
/// `u16` length, then the entry) of up to [`BUNDLE_CHUNK`] consecutive
/// entries. Entries never change once logged, so reading them chunk by
/// chunk gives the same bytes as reading them at once.
pub struct BundleChunks {
    ledger: Ledger,
    next: u64,
    end: u64,
}

impl Iterator for BundleChunks {
    type Item = Result<Vec<u8>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let last = self.end.min(self.next + BUNDLE_CHUNK);
        let keys: Vec<Vec<u8>> = (self.next..last).map(|i| be(i).to_vec()).collect();
        self.next = last;
        let chunk = self
            .ledger
            .store()
            .multi_get(Table::Entries, &keys)
            .map_err(ReadError::from)
            .and_then(|entries| {
                let entries = entries
                    .into_iter()
                    .map(|e| e.ok_or_else(|| StoreError::missing("an entry of a bundle")))
                    .collect::<Result<Vec<_>, _>>()?;
                encode_bundle(&entries).map_err(tlog_err)
            });
        if chunk.is_err() {
            // One error ends the bundle: its later chunks would not line up.
            self.next = self.end;
        }
        Some(chunk)
    }
}

/// The details in `bytes`, the leaf bytes of the registration of `id`.
fn design_details(id: &DesignId, bytes: &[u8]) -> Result<DesignDetails, ReadError> {
    match Entry::registration_in(bytes) {
        Ok(p) if p.content.blake3 == *id => Ok(DesignDetails::registered(p)),
        _ => Err(ReadError::Store(StoreError::corrupt(
            "registration entry",
            format!("the registration entry of design {id} is not its design.register"),
        ))),
    }
}

fn tlog_err(e: provenant_tlog::Error) -> ReadError {
    match e {
        provenant_tlog::Error::Storage(inner) => ReadError::Store(
            inner
                .downcast::<StoreError>()
                .map_or_else(StoreError::backend, |e| *e),
        ),
        other => ReadError::Range(other),
    }
}

/// A snapshot, the checkpoint it holds, and its state map's top.
struct At<'a, R: Read> {
    snap: R,
    hashes: &'a HashCache,
    size: TreeSize,
    checkpoint: String,
    top: Option<Arc<Top>>,
}

impl<R: Read> At<'_, R> {
    fn proofs(
        &self,
        refs: impl IntoIterator<Item = EntryRef>,
    ) -> Result<Vec<EntryProof>, ReadError> {
        let reader = self.hashes.over(StoredHashes(&self.snap));
        let unique: BTreeSet<(u64, [u8; 32])> = refs
            .into_iter()
            .map(|r| (r.index, *r.leaf_hash.as_bytes()))
            .collect();
        unique
            .into_iter()
            .map(|(index, leaf)| {
                Ok(EntryProof {
                    index,
                    leaf_hash: LeafHash(leaf),
                    inclusion_proof: prove_inclusion(LeafIndex(index), self.size, &reader)
                        .map_err(tlog_err)?,
                })
            })
            .collect()
    }

    fn proven<T>(
        self,
        answer: T,
        refs: impl IntoIterator<Item = EntryRef>,
    ) -> Result<Proven<T>, ReadError> {
        let proofs = self.proofs(refs)?;
        Ok(Proven {
            answer,
            tree_size: self.size.0,
            checkpoint: self.checkpoint,
            proofs,
            state: None,
        })
    }

    /// As [`Self::proven`], with the state records under `keys` proven
    /// under the log's latest commitment.
    fn proven_state<T>(
        self,
        answer: T,
        refs: impl IntoIterator<Item = EntryRef>,
        keys: &BTreeSet<StateKey>,
    ) -> Result<Proven<T>, ReadError> {
        let reader = self.hashes.over(StoredHashes(&self.snap));
        // A snapshot older than every top kept (a reader that stalled
        // while batches went by) proves no state; clients ask again.
        let top = self.top.as_ref().ok_or_else(|| {
            StoreError::backend("the state map moved on while the answer was read")
        })?;
        let state = state_proof(&self.snap, top, &reader, self.size, keys)?;
        let mut proven = self.proven(answer, refs)?;
        proven.state = state;
        Ok(proven)
    }
}

/// Up to `limit` members of the rows of `table` under `prefix` in `read`,
/// after `after` (a full key), and the cursor of the last one when more
/// follow.
fn page<T>(
    read: &impl Read,
    table: Table,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
    member: impl Fn(&[u8]) -> Result<T, StoreError>,
    cursor: impl Fn(&T) -> String,
) -> Result<Page<T>, ReadError> {
    let rows = read.scan(table, prefix, after, limit.saturating_add(1))?;
    let mut items = rows
        .iter()
        .map(|(k, _)| member(k))
        .collect::<Result<Vec<T>, _>>()?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&cursor)
    } else {
        None
    };
    Ok(Page { items, next })
}

/// The leaf bytes of entry `index` of `read`.
fn read_entry_bytes(read: &impl Read, index: u64) -> Result<Vec<u8>, ReadError> {
    read.get(Table::Entries, &be(index))?
        .ok_or(ReadError::NotFound("entry"))
}

impl Ledger {
    fn at(&self) -> Result<At<'_, AnySnapshot<'_>>, ReadError> {
        let snap = self.store().snapshot();
        let text = snap
            .get(Table::Meta, META_CHECKPOINT)?
            .ok_or(ReadError::NotFound("checkpoint"))?;
        // Almost always the snapshot holds the head this process signed
        // last: its size is known, and the note need not be parsed again.
        let head = self.head();
        if text == head.checkpoint.as_bytes() {
            return Ok(At {
                snap,
                hashes: self.shared.hashes(),
                size: head.size,
                checkpoint: head.checkpoint.to_string(),
                top: self.shared.top_at(head.size),
            });
        }
        let stored = |e| StoreError::corrupt("stored checkpoint", e);
        let note = Note::parse(&text).map_err(stored)?;
        let cp = Checkpoint::parse(note.text()).map_err(stored)?;
        Ok(At {
            snap,
            hashes: self.shared.hashes(),
            size: cp.size,
            checkpoint: note.to_text(),
            top: self.shared.top_at(cp.size),
        })
    }

    /// The root of the state map the store holds now: the root of the
    /// log's last `state.commit` once the log has one.
    ///
    /// # Errors
    /// Store errors; a map row that does not decode.
    pub fn state_root(&self) -> Result<StateRoot, ReadError> {
        let at = self.at()?;
        let top = at.top.ok_or_else(|| {
            StoreError::backend("the state map moved on while the answer was read")
        })?;
        Ok(top.root().into())
    }

    /// The leaf bytes of entry `index`.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] beyond the log; store errors.
    pub fn entry_bytes(&self, index: u64) -> Result<Vec<u8>, ReadError> {
        read_entry_bytes(self.store(), index)
    }

    /// Entry `index`, parsed.
    ///
    /// # Errors
    /// As [`Ledger::entry_bytes`].
    pub fn entry(&self, index: u64) -> Result<Entry, ReadError> {
        let bytes = self.entry_bytes(index)?;
        Entry::from_leaf_bytes(&bytes)
            .map_err(|e| ReadError::Store(StoreError::corrupt(format!("entry {index}"), e)))
    }

    /// The index of the entry with leaf hash `leaf`.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] when no entry has it; store errors.
    pub fn index_of(&self, leaf: &LeafHash) -> Result<u64, ReadError> {
        let v = self
            .store()
            .get(Table::Leaves, leaf.as_bytes())?
            .ok_or(ReadError::NotFound("leaf hash"))?;
        Ok(read_be(&v)?)
    }

    fn check_size(&self, size: Option<u64>) -> Result<TreeSize, ReadError> {
        let current = self.head().size;
        match size {
            None => Ok(current),
            Some(s) if s <= current.0 => Ok(TreeSize(s)),
            Some(s) => {
                // An answer read from a store snapshot ([`Self::at`]) may
                // stand on the batch the sequencer wrote, signed and synced
                // a moment before it moved the head: a client asking for a
                // proof to that answer's size gets it too.
                let stored = match self.store().get(Table::Meta, META_SIZE)? {
                    Some(v) => TreeSize(read_be(&v)?),
                    None => current,
                };
                if s <= stored.0 {
                    Ok(TreeSize(s))
                } else {
                    Err(ReadError::Range(provenant_tlog::Error::SizeBeyondTree {
                        size: TreeSize(s),
                        current: stored,
                    }))
                }
            }
        }
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries
    /// (the current size when `None`).
    ///
    /// # Errors
    /// [`ReadError::Range`] for an index or size outside the log.
    pub fn inclusion_proof(
        &self,
        index: u64,
        size: Option<u64>,
    ) -> Result<(TreeSize, Vec<Hash>), ReadError> {
        let size = self.check_size(size)?;
        let reader = self.shared.hashes().over(StoredHashes(self.store()));
        let proof = prove_inclusion(LeafIndex(index), size, &reader).map_err(tlog_err)?;
        Ok((size, proof))
    }

    /// The consistency proof from `from` entries to `to` (the current size
    /// when `None`).
    ///
    /// # Errors
    /// [`ReadError::Range`] for sizes outside the log or out of order.
    pub fn consistency_proof(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> Result<(TreeSize, Vec<Hash>), ReadError> {
        let to = self.check_size(to)?;
        let reader = self.shared.hashes().over(StoredHashes(self.store()));
        let proof = prove_consistency(TreeSize(from), to, &reader).map_err(tlog_err)?;
        Ok((to, proof))
    }

    /// A C2SP tile or entry bundle, if the log is large enough for it.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for a tile the log does not have (yet).
    pub fn tile(&self, tile: &Tile) -> Result<Vec<u8>, ReadError> {
        if tile.level.is_some() {
            self.check_tile(tile)?;
            return tile.read(&StoredHashes(self.store())).map_err(tlog_err);
        }
        let mut out = Vec::new();
        for chunk in self.entry_bundle(tile)? {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// An entry bundle (a level-less `tile`) as chunks of at most
    /// [`BUNDLE_CHUNK`] entries each, read from the store one at a time as
    /// the iterator is advanced: a bundle of 256 entries of up to 64 KiB is
    /// up to 16 MiB, which an answer should not hold whole while a slow
    /// client reads it. The chunks, concatenated, are the bundle.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for a bundle the log does not have (yet), or
    /// for a hash tile.
    pub fn entry_bundle(&self, tile: &Tile) -> Result<BundleChunks, ReadError> {
        if tile.level.is_some() {
            return Err(ReadError::NotFound("entry bundle"));
        }
        self.check_tile(tile)?;
        let next = tile.index * provenant_tlog::tile::TILE_WIDTH;
        Ok(BundleChunks {
            ledger: self.clone(),
            next,
            end: next + u64::from(tile.width),
        })
    }

    /// Whether the log is large enough for `tile`.
    fn check_tile(&self, tile: &Tile) -> Result<(), ReadError> {
        let size = self.head().size;
        let available =
            Tile::width_at(tile.level, tile.index, size).ok_or(ReadError::NotFound("tile"))?;
        if tile.width > available {
            return Err(ReadError::NotFound("tile"));
        }
        Ok(())
    }

    /// A design with its children, grants and history, proven.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an unknown design.
    pub fn design(&self, id: &DesignId) -> Result<Proven<DesignReport>, ReadError> {
        let at = self.at()?;
        design_at(at, id)?.map_err(|_| ReadError::NotFound("design"))
    }

    /// What is registered under `id`: the design, proven, or the proof
    /// that no design has that id, read from one snapshot.
    ///
    /// # Errors
    /// Store errors.
    pub fn identify(
        &self,
        id: &DesignId,
    ) -> Result<Result<Proven<DesignReport>, Proven<NotRegistered>>, ReadError> {
        design_at(self.at()?, id)
    }

    /// A grant, with its units used, proven.
    ///
    /// # Errors
    /// [`ReadError::NotFound`] for an unknown grant.
    pub fn grant(&self, id: &GrantId) -> Result<Proven<GrantState>, ReadError> {
        let at = self.at()?;
        let grant = View::new(&at.snap)
            .grant(id)?
            .ok_or(ReadError::NotFound("grant"))?;
        let mut refs = vec![grant.granted];
        refs.extend(grant.revoked.as_ref().map(|r| r.entry));
        let keys = BTreeSet::from([StateKey::Grant { grant: *id }]);
        at.proven_state(grant, refs, &keys)
    }

    fn links_page<T>(
        &self,
        family: LinkFamily,
        after: Option<&[u8; 32]>,
        limit: usize,
        member: impl Fn(&[u8]) -> Result<T, StoreError>,
        cursor: impl Fn(&T) -> String,
    ) -> Result<Page<T>, ReadError> {
        let prefix = family.prefix();
        let after = after.map(|a| [prefix.as_slice(), a].concat());
        page(
            self.store(),
            Table::Links,
            &prefix,
            after.as_deref(),
            limit,
            member,
            cursor,
        )
    }

    /// Designs `key` owns a share of, in id order, `limit` at a time.
    ///
    /// # Errors
    /// Store errors.
    pub fn designs_owned_by(
        &self,
        key: &Identity,
        after: Option<&DesignId>,
        limit: usize,
    ) -> Result<Page<DesignId>, ReadError> {
        self.links_page(
            LinkFamily::OwnedBy(*key),
            after.map(DesignId::as_bytes),
            limit,
            keys::second_design,
            DesignId::to_hex,
        )
    }

    /// Grants `key` holds, in id order, `limit` at a time.
    ///
    /// # Errors
    /// Store errors.
    pub fn grants_held_by(
        &self,
        key: &Identity,
        after: Option<&GrantId>,
        limit: usize,
    ) -> Result<Page<GrantId>, ReadError> {
        self.links_page(
            LinkFamily::HeldBy(*key),
            after.map(GrantId::as_bytes),
            limit,
            keys::second_grant,
            GrantId::to_hex,
        )
    }

    /// The entries `key` signed, in log order, `limit` at a time after
    /// entry `after`, each with its leaf hash and its inclusion proof at
    /// one checkpoint: the question after a key is compromised ("what did
    /// this key sign, and since when?"). Read from the signer index
    /// ([`Table::Signers`]), written with each batch.
    ///
    /// # Errors
    /// Store errors.
    pub fn entries_signed_by(
        &self,
        key: &Identity,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Proven<Page<EntryRef>>, ReadError> {
        let at = self.at()?;
        let indexes = page(
            &at.snap,
            Table::Signers,
            key.as_bytes(),
            after.map(|i| keys::signer_key(key, i)).as_deref(),
            limit,
            |k| read_be(k.get(32..).unwrap_or_default()),
            u64::to_string,
        )?;
        let keys: Vec<Vec<u8>> = indexes.items.iter().map(|i| be(*i).to_vec()).collect();
        let entries = at.snap.multi_get(Table::Entries, &keys)?;
        let items = indexes
            .items
            .iter()
            .zip(entries)
            .map(|(index, bytes)| {
                let bytes = bytes.ok_or_else(|| StoreError::missing(format!("entry {index}")))?;
                let entry = Entry::from_leaf_bytes(&bytes)
                    .map_err(|e| StoreError::corrupt(format!("entry {index}"), e))?;
                Ok(EntryRef {
                    index: *index,
                    leaf_hash: LeafHash(provenant_tlog::hash_leaf(&bytes).0),
                    logged_at: entry.logged_at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let refs = items.clone();
        at.proven(
            Page {
                items,
                next: indexes.next,
            },
            refs,
        )
    }

    /// The brand's question, answered at the latest checkpoint with the
    /// proofs of the entries it names: the design's registration, the
    /// grant (and its revocation), and the one dispute it cites when the
    /// design or an ancestor is blocked. `units_remaining` is the grant's
    /// counter as the ledger keeps it: the answer names no usage entry, as
    /// proving the sum would take every production run on the grant.
    ///
    /// # Errors
    /// Store errors; rule errors for a malformed query.
    pub fn license_check(&self, query: &LicenseQuery) -> Result<Proven<LicenseAnswer>, ReadError> {
        let at = self.at()?;
        let view = View::new(&at.snap);
        let recording = Recording::new(&view);
        let answer = check_license(&recording, query)?;
        let keys = recording.keys();
        let refs = answer.rests_on.clone();
        at.proven_state(answer, refs, &keys)
    }

    /// A royalty split at the latest checkpoint, with the proofs of the
    /// registrations, ownership and grants of every design it pays; with
    /// `detail`, one page of the holdings behind the payouts. Stops with
    /// [`provenant_model::RuleError::Cancelled`] once `cancel` is raised.
    ///
    /// # Errors
    /// Store errors; rule errors (unknown design, overflow, cancelled).
    pub fn royalty_split(
        &self,
        design: DesignId,
        revenue: Money,
        detail: Option<DetailPage>,
        cancel: &Cancel,
    ) -> Result<Proven<RoyaltySplit>, ReadError> {
        let at = self.at()?;
        let view = View::new(&at.snap);
        let recording = Recording::new(&view);
        let split = royalty_split(&recording, design, revenue, detail, cancel)?;
        let keys = recording.keys();
        let mut designs: BTreeSet<DesignId> = BTreeSet::from([design]);
        designs.extend(split.paid.iter().copied());
        let mut refs = Vec::new();
        for d in designs {
            cancel.check()?;
            if let Some(state) = view.design(&d)? {
                refs.push(state.registered);
                refs.push(state.ownership);
                for link in &state.parents {
                    if let Some(g) = view.grant(&link.grant)? {
                        refs.push(g.granted);
                    }
                }
            }
        }
        at.proven_state(split, refs, &keys)
    }

    /// A royalty statement over many sales at the latest checkpoint, with
    /// the proofs of the registration and ownership entries of every design
    /// sold. Stops once `cancel` is raised.
    ///
    /// # Errors
    /// Store errors; rule errors (unknown design, overflow, cancelled).
    pub fn royalty_statement(
        &self,
        sales: &[SaleLine],
        cancel: &Cancel,
    ) -> Result<Proven<Statement>, ReadError> {
        let at = self.at()?;
        let view = View::new(&at.snap);
        let statement = royalty_statement(&view, sales, cancel)?;
        let sold: BTreeSet<DesignId> = sales.iter().map(|s| s.design).collect();
        let mut refs = Vec::new();
        for d in sold {
            if let Some(state) = view.design(&d)? {
                refs.push(state.registered);
                refs.push(state.ownership);
            }
        }
        at.proven(statement, refs)
    }
}

/// The design `id` at `at`, proven with its state, or the proof that the
/// state holds no design with that id.
fn design_at<R: Read>(
    at: At<'_, R>,
    id: &DesignId,
) -> Result<Result<Proven<DesignReport>, Proven<NotRegistered>>, ReadError> {
    let view = View::new(&at.snap);
    let recording = Recording::new(&view);
    let Some(state) = recording.design(id)? else {
        let keys = recording.keys();
        return Ok(Err(at.proven_state(
            NotRegistered { design: *id },
            [],
            &keys,
        )?));
    };
    let registration = read_entry_bytes(&at.snap, state.registered.index)?;
    let details = design_details(id, &registration)?;
    let children = view.family(LinkFamily::ChildrenOf(*id), keys::second_design)?;
    let mut history = vec![state.registered.index];
    history.extend(view.family(LinkFamily::HistoryOf(*id), keys::second_index)?);
    let mut grants = Vec::new();
    for g in view.grants_of(id)? {
        grants.extend(recording.grant(&g)?);
    }
    let blocked = blocked_by(&recording, &state)?;
    // Every entry the answer names: the registration, the ownership
    // entry, the cited dispute's raise, each grant and its revocation.
    let mut refs = vec![state.registered, state.ownership];
    refs.extend(blocked.as_ref().map(|b| b.raised));
    for g in &grants {
        refs.push(g.granted);
        refs.extend(g.revoked.as_ref().map(|r| r.entry));
    }
    let keys = recording.keys();
    Ok(Ok(at.proven_state(
        DesignReport {
            state: DesignSummary::new(state, blocked),
            details,
            children,
            grants,
            history,
            near_duplicates: Vec::new(),
        },
        refs,
        &keys,
    )?))
}
