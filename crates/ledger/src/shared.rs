//! The ledger's core, shared by the sequencer and every reader, and the
//! one step that moves the log's head.
//!
//! Three things describe the log's current tree and must agree: the head
//! readers see ([`Shared::head`]), the hash cache sized for it, and the
//! signed checkpoint in the store (`META_SIZE`, `META_CHECKPOINT`). They
//! change together, in [`Publisher::publish`] and nowhere else, and only
//! after a durable write: the checkpoint is signed, written in the same
//! atomic batch as the entries it covers, recorded by the signer
//! ([`crate::signed`]), and only then shown to readers. The fields are
//! private to this module so that no other code can move one without the
//! others.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use provenant_model::{Entry, Identity};
use provenant_tlog::map::{Bucket, Top};
use provenant_tlog::{Hash, NoteVerifier, TreeSize};

use crate::error::LedgerError;
use crate::hashes::HashCache;
use crate::keys::{META_CHECKPOINT, META_SIZE, be};
use crate::log::{Head, LogSigner};
use crate::statemap::{BucketCache, load_top};
use crate::store::{AnyStore, Batch, Read as _, Store as _, StoreError, Table};

/// The upper bounds of the batch-size histogram's buckets.
pub const BATCH_BUCKETS: [u64; 6] = [1, 8, 64, 256, 1024, 8192];

/// State shared by the sequencer and readers.
pub(crate) struct Shared {
    store: AnyStore,
    head: RwLock<Head>,
    /// Stored hashes kept in memory for proofs, sized for `head`.
    hashes: HashCache,
    arbiters: Vec<Identity>,
    origin: String,
    verifier: NoteVerifier,
    closed: AtomicBool,
    stats: Stats,
    /// The state map's top levels as of recent tree sizes, newest last
    /// (see [`Self::top_at`]).
    tops: Mutex<VecDeque<(TreeSize, Arc<Top>)>>,
}

/// How many recent tops readers can find: a reader's snapshot is at most
/// a batch or two behind the head.
const KEPT_TOPS: usize = 4;

impl Shared {
    /// The core of a ledger whose store holds `head`, checked at opening.
    pub(crate) fn new(
        store: AnyStore,
        head: Head,
        origin: String,
        arbiters: Vec<Identity>,
        verifier: NoteVerifier,
    ) -> Self {
        let hashes = HashCache::default();
        hashes.fit(head.size);
        Self {
            store,
            head: RwLock::new(head),
            hashes,
            arbiters,
            origin,
            verifier,
            closed: AtomicBool::new(false),
            stats: Stats::default(),
            tops: Mutex::new(VecDeque::new()),
        }
    }

    /// The store, for reads. Writes go through [`Publisher::publish`].
    pub(crate) fn store(&self) -> &AnyStore {
        &self.store
    }

    /// The head readers see: the last checkpoint stored, recorded and
    /// published.
    pub(crate) fn head(&self) -> Head {
        self.head
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The state map's top levels for the tree of `size` entries, if
    /// still kept: what a reader of a snapshot at that size proves with.
    pub(crate) fn top_at(&self, size: TreeSize) -> Option<Arc<Top>> {
        self.tops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .rev()
            .find(|(s, _)| *s == size)
            .map(|(_, t)| Arc::clone(t))
    }

    /// Keeps `top` as the map of the tree of `size` entries, before that
    /// tree's write, so that any snapshot holding it finds its top.
    fn offer_top(&self, size: TreeSize, top: Arc<Top>) {
        let mut tops = self.tops.lock().unwrap_or_else(PoisonError::into_inner);
        tops.retain(|(s, _)| *s != size);
        tops.push_back((size, top));
        while tops.len() > KEPT_TOPS {
            tops.pop_front();
        }
    }

    /// The stored hashes kept in memory.
    pub(crate) fn hashes(&self) -> &HashCache {
        &self.hashes
    }

    pub(crate) fn arbiters(&self) -> &[Identity] {
        &self.arbiters
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    pub(crate) fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Turns new envelopes away from now on.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Logs a failure for operators (clients only hear "unavailable").
    #[allow(clippy::unused_self)]
    pub(crate) fn report(&self, e: &LedgerError) {
        eprintln!("provenant-ledger: {e}");
    }

    /// Entry `index`, which must exist.
    pub(crate) fn entry(&self, index: u64) -> Result<Entry, StoreError> {
        let bytes = self
            .store
            .get(Table::Entries, &be(index))?
            .ok_or_else(|| StoreError::missing(format!("entry {index}")))?;
        Entry::from_leaf_bytes(&bytes).map_err(|e| StoreError::corrupt(format!("entry {index}"), e))
    }

    /// Shows readers `head`, whose checkpoint is stored and recorded.
    fn show(&self, head: Head) {
        self.hashes.fit(head.size);
        *self.head.write().unwrap_or_else(PoisonError::into_inner) = head;
    }
}

/// The sequencer's hold on the core: the log's signer, and the only way
/// the head moves.
pub(crate) struct Publisher {
    shared: Arc<Shared>,
    signer: LogSigner,
    /// The log key as an identity: the signer of `state.commit` entries.
    identity: Identity,
    /// The state map's top levels after the last batch written (see
    /// `crate::statemap`).
    top: Arc<Top>,
    /// The map's buckets written lately.
    buckets: BucketCache,
    /// A batch stored but not yet recorded by the signer: the record could
    /// not be written. It is recorded and shown before the next batch.
    unrecorded: Option<Head>,
}

impl Publisher {
    /// The publisher of the log in `shared`, with the state map's top
    /// nodes loaded from its store.
    ///
    /// # Errors
    /// Store errors; a log key that is not a valid identity.
    pub(crate) fn new(shared: Arc<Shared>, signer: LogSigner) -> Result<Self, LedgerError> {
        let identity = signer.identity()?;
        let top = Arc::new(load_top(shared.store())?);
        shared.offer_top(shared.head().size, Arc::clone(&top));
        Ok(Self {
            shared,
            signer,
            identity,
            top,
            buckets: BucketCache::default(),
            unrecorded: None,
        })
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(crate) fn signer(&self) -> &LogSigner {
        &self.signer
    }

    pub(crate) fn identity(&self) -> Identity {
        self.identity
    }

    /// The state map's top nodes after the last batch written.
    pub(crate) fn top(&self) -> &Top {
        &self.top
    }

    /// The same, shared.
    pub(crate) fn top_arc(&self) -> &Arc<Top> {
        &self.top
    }

    /// Offers readers `top` as the map of the tree of `size` entries,
    /// before that tree is written; [`Self::map_written`] once it is.
    pub(crate) fn stage_top(&self, size: TreeSize, top: &Arc<Top>) {
        self.shared.offer_top(size, Arc::clone(top));
    }

    /// The map's buckets written lately, for the next update.
    pub(crate) fn buckets(&self) -> &BucketCache {
        &self.buckets
    }

    /// Takes the top and the changed buckets of a batch that was written
    /// (`rebuilt`: the whole map was replaced).
    pub(crate) fn map_written(&mut self, top: Arc<Top>, buckets: Vec<Bucket>, rebuilt: bool) {
        self.top = top;
        if rebuilt {
            self.buckets.clear();
        }
        self.buckets.written(buckets);
    }

    /// Signs the checkpoint of `size` entries with `root`, extending
    /// `from`, and makes it the head in the one order that lets start-up
    /// tell a crash from a rollback (`docs/LEDGER.md`, "Rollbacks"):
    ///
    /// 1. `writes` (the batch's entries, hashes, indexes and state) and the
    ///    new checkpoint are written in one atomic, synced write;
    /// 2. the signer records the checkpoint as published;
    /// 3. the hash cache is sized for it and readers see it as the head.
    ///
    /// A crash between 1 and 2 leaves the store one batch ahead of the
    /// record, never behind it. `batch` is the number of entries, and the
    /// write's bytes are counted, for the metrics.
    ///
    /// # Errors
    /// Signing refused (a fork) or a failed write: nothing changed. A
    /// record that could not be written: the batch is stored but not
    /// shown, and [`Self::catch_up`] records it before the next batch (its
    /// callers are told it failed; a retry gets the original receipt).
    pub(crate) fn publish(
        &mut self,
        from: &Head,
        size: TreeSize,
        root: Hash,
        mut writes: Batch,
        batch: usize,
    ) -> Result<Head, LedgerError> {
        let head = self.signer.sign((from.size, from.root), size, root)?;
        writes.put(Table::Meta, META_SIZE.to_vec(), be(size.0).to_vec());
        writes.put(
            Table::Meta,
            META_CHECKPOINT.to_vec(),
            head.checkpoint.as_bytes().to_vec(),
        );
        let bytes = writes.bytes() as u64;
        self.shared.store.write(writes)?;
        if let Err(e) = self.signer.publish(size, root) {
            self.unrecorded = Some(head);
            return Err(e);
        }
        self.shared.stats.batch(batch, bytes);
        self.shared.show(head.clone());
        Ok(head)
    }

    /// Records and shows a batch that was stored but not recorded, if there
    /// is one: the store holds it, and the next batch extends it. False
    /// while the record still cannot be written.
    pub(crate) fn catch_up(&mut self) -> bool {
        let Some(stored) = self.unrecorded.take() else {
            return true;
        };
        if let Err(e) = self.signer.publish(stored.size, stored.root) {
            self.shared.report(&e);
            self.unrecorded = Some(stored);
            return false;
        }
        self.shared.show(stored);
        true
    }
}

/// Counters for operators, read by [`crate::Ledger::stats`].
#[derive(Default)]
pub(crate) struct Stats {
    queued: AtomicU64,
    batches: AtomicU64,
    appended: AtomicU64,
    signatures_checked: AtomicU64,
    batch_sizes: [AtomicU64; BATCH_BUCKETS.len() + 1],
    bytes_written: AtomicU64,
}

impl Stats {
    /// `n` envelopes joined the queue.
    pub(crate) fn queued(&self, n: u64) {
        self.queued.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` envelopes left the queue.
    pub(crate) fn dequeued(&self, n: u64) {
        self.queued.fetch_sub(n, Ordering::Relaxed);
    }

    /// `n` signature lines were handed to verification.
    pub(crate) fn signatures_checked(&self, n: u64) {
        self.signatures_checked.fetch_add(n, Ordering::Relaxed);
    }

    /// Key and value bytes written since the ledger opened.
    pub(crate) fn bytes_written(&self) -> u64 {
        self.bytes_written.load(Ordering::Relaxed)
    }

    /// A batch of `size` entries, `bytes` long, was published.
    fn batch(&self, size: usize, bytes: u64) {
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.appended.fetch_add(size, Ordering::Relaxed);
        let bucket = BATCH_BUCKETS
            .iter()
            .position(|b| size <= *b)
            .unwrap_or(BATCH_BUCKETS.len());
        self.batch_sizes[bucket].fetch_add(1, Ordering::Relaxed);
        self.bytes_written.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The counters now.
    pub(crate) fn snapshot(&self) -> LedgerStats {
        LedgerStats {
            queued: self.queued.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            appended: self.appended.load(Ordering::Relaxed),
            signatures_checked: self.signatures_checked.load(Ordering::Relaxed),
            batch_sizes: self
                .batch_sizes
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .collect(),
            bytes_written: self.bytes_written(),
        }
    }
}

/// A snapshot of the ledger's counters.
#[derive(Clone, Debug, Default)]
pub struct LedgerStats {
    /// Envelopes waiting for the sequencer.
    pub queued: u64,
    /// Batches written.
    pub batches: u64,
    /// Entries appended.
    pub appended: u64,
    /// Signature lines handed to Ed25519 verification (an envelope's
    /// lines are checked until the first that fails): what the bounds of
    /// [`provenant_model::Envelope::precheck`] keep small.
    pub signatures_checked: u64,
    /// Batches by size: counts per bucket of [`BATCH_BUCKETS`], then the
    /// batches larger than the last bound.
    pub batch_sizes: Vec<u64>,
    /// Key and value bytes written.
    pub bytes_written: u64,
}
