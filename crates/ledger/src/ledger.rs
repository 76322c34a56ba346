//! The ledger: opening (and refusing a store that does not check out),
//! submitting envelopes to the sequencer, and every read.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use ed25519_dalek::SigningKey;
use provenant_model::{Envelope, Identity};
use provenant_tlog::{Checkpoint, Hash, Note, NoteVerifier, TreeSize, hash_leaf, stored_index};
use tokio::sync::oneshot;

use crate::error::{LedgerError, SubmitError};
use crate::hashes::StoredHashes;
use crate::keys::{META_CHECKPOINT, META_SIZE, be, read_be};
use crate::log::{Head, LogSigner};
use crate::sequencer::{self, BatchConfig, Reply, Submission};
pub use crate::shared::{BATCH_BUCKETS, LedgerStats};
use crate::shared::{Publisher, Shared};
use crate::signed::SignerRecord;
use crate::store::{AnyStore, Batch, Read as _, Store, StoreError, Table};

/// What the ledger needs besides its store and key.
#[derive(Clone, Debug)]
pub struct LedgerConfig {
    /// The log's origin line, also its checkpoint key name.
    pub origin: String,
    /// Keys allowed to resolve disputes.
    pub arbiters: Vec<Identity>,
    /// Batching and queueing.
    pub batch: BatchConfig,
}

/// A handle on an open ledger; clones share it.
pub struct Ledger {
    pub(crate) shared: Arc<Shared>,
    queue: SyncSender<Submission>,
    sequencer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Clone for Ledger {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            queue: self.queue.clone(),
            sequencer: Arc::clone(&self.sequencer),
        }
    }
}

impl Ledger {
    /// Opens the ledger on `store`, signing with `key`, and starts its
    /// sequencer.
    ///
    /// A fresh store gets the signed checkpoint of the empty tree. An
    /// existing one must check out, or the ledger refuses to open: its
    /// checkpoint must be signed by `key` for `config.origin`, the root
    /// recomputed from the stored hashes must match it, and the last entry
    /// must hash to its stored leaf hash. This reads O(log n) hashes: start-up
    /// does not grow with the log (but for a one-time upgrade of a store
    /// written in an older format, see [`crate::migrate`]).
    ///
    /// This keeps no record of what the key signed apart from the store, so
    /// it is only as safe against forks as the store is against being
    /// restored or replaced: the server uses [`Self::open_with_record`].
    ///
    /// # Errors
    /// [`LedgerError::Corrupt`] naming what does not check out; store and
    /// configuration errors.
    pub fn open(
        store: impl Into<AnyStore>,
        key: SigningKey,
        config: LedgerConfig,
    ) -> Result<Self, LedgerError> {
        Self::start(
            store.into(),
            LogSigner::new(&config.origin, key, None)?,
            None,
            config,
        )
    }

    /// Opens the ledger as [`Self::open`] does, with the signer's own record
    /// of the last checkpoint it published ([`crate::signed`]), held locked
    /// while the ledger is open.
    ///
    /// The store must extend that record: a store behind it (smaller, or as
    /// large with another root: a restored backup, a wiped store, another
    /// server's store) is refused with [`LedgerError::Rollback`]. A store
    /// ahead of it on the same tree (a crash after a batch was stored and
    /// before it was recorded) moves the record up. With no record yet, the
    /// record is created from the store's head.
    ///
    /// `accept_rollback`, the store's size, opens a store that is behind
    /// anyway, to serve what it holds: the signer still refuses every
    /// checkpoint that does not extend the recorded one, so the log takes
    /// no writes (`docs/LEDGER.md`, "Rollbacks").
    ///
    /// # Errors
    /// As [`Self::open`]; [`LedgerError::Rollback`];
    /// [`LedgerError::AcceptRollback`] when `accept_rollback` is not the
    /// size of a store that is behind; [`LedgerError::Record`].
    pub fn open_with_record(
        store: impl Into<AnyStore>,
        key: SigningKey,
        config: LedgerConfig,
        record: SignerRecord,
        accept_rollback: Option<TreeSize>,
    ) -> Result<Self, LedgerError> {
        let signer = LogSigner::new(&config.origin, key, Some(record))?;
        Self::start(store.into(), signer, accept_rollback, config)
    }

    fn start(
        store: AnyStore,
        mut signer: LogSigner,
        accept_rollback: Option<TreeSize>,
        config: LedgerConfig,
    ) -> Result<Self, LedgerError> {
        let head = recover(&store, &mut signer, accept_rollback)?;
        crate::migrate::migrate(&store)?;
        let shared = Arc::new(Shared::new(
            store,
            head,
            config.origin,
            config.arbiters,
            signer.verifier().clone(),
        ));
        let (queue, receiver) = sync_channel(config.batch.queue_capacity.max(1));
        let mut publisher = Publisher::new(Arc::clone(&shared), signer)?;
        // A log that does not end with a state commitment (written before
        // the state map) gets one now; a log that takes no writes (a
        // rollback served as it is) is left as it is.
        if config.batch.commit_state
            && let Err(e) = sequencer::seal(&mut publisher)
        {
            shared.report(&e);
        }
        let batch = config.batch;
        let handle = std::thread::Builder::new()
            .name("provenant-sequencer".into())
            .spawn(move || sequencer::run(publisher, receiver, &batch))
            .map_err(|e| LedgerError::Config(format!("starting the sequencer: {e}")))?;
        Ok(Self {
            shared,
            queue,
            sequencer: Arc::new(Mutex::new(Some(handle))),
        })
    }

    /// Checks the bounds that need no state and no signature check
    /// ([`Envelope::precheck`]: entry size, signature lines, duplicate and
    /// role-less signers), then queues `envelope` and returns where its
    /// answer will arrive. An envelope out of bounds never reaches the
    /// queue, so it costs no signature verification.
    ///
    /// # Errors
    /// [`SubmitError::Rejected`] for an envelope out of bounds,
    /// [`SubmitError::Overloaded`] when the queue is full,
    /// [`SubmitError::ShuttingDown`] once closed.
    pub fn enqueue(&self, envelope: Envelope) -> Result<oneshot::Receiver<Reply>, SubmitError> {
        if self.shared.is_closed() {
            return Err(SubmitError::ShuttingDown);
        }
        envelope.precheck(self.shared.arbiters())?;
        let (reply, answer) = oneshot::channel();
        // Counted before sending, so the sequencer never takes one uncounted.
        self.shared.stats().queued(1);
        let sent = self.queue.try_send(Submission { envelope, reply });
        if sent.is_err() {
            self.shared.stats().dequeued(1);
        }
        match sent {
            Ok(()) => Ok(answer),
            Err(TrySendError::Full(_)) => Err(SubmitError::Overloaded),
            Err(TrySendError::Disconnected(_)) => Err(SubmitError::ShuttingDown),
        }
    }

    /// Submits `envelope` and waits for its receipt.
    ///
    /// # Errors
    /// Any [`SubmitError`].
    pub async fn submit(&self, envelope: Envelope) -> Reply {
        self.enqueue(envelope)?
            .await
            .unwrap_or(Err(SubmitError::ShuttingDown))
    }

    /// Submits `envelope` and blocks until its receipt (outside async code).
    ///
    /// # Errors
    /// Any [`SubmitError`].
    pub fn submit_blocking(&self, envelope: Envelope) -> Reply {
        self.enqueue(envelope)?
            .blocking_recv()
            .unwrap_or(Err(SubmitError::ShuttingDown))
    }

    /// Stops accepting envelopes, lets the sequencer finish what is queued
    /// (every batch is written before it is answered), and waits for it.
    pub fn close(&self) {
        self.shared.close();
        let handle = self
            .sequencer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// Whether the ledger takes writes and its store answers reads: not
    /// closed, and the stored checkpoint is readable.
    ///
    /// # Errors
    /// The store's failure.
    pub fn ready(&self) -> Result<bool, StoreError> {
        Ok(!self.shared.is_closed()
            && self
                .shared
                .store()
                .get(Table::Meta, META_CHECKPOINT)?
                .is_some())
    }

    /// The log's current size, root and signed checkpoint.
    #[must_use]
    pub fn head(&self) -> Head {
        self.shared.head()
    }

    /// The log's origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        self.shared.origin()
    }

    /// The verifier of the log's checkpoints.
    #[must_use]
    pub fn verifier(&self) -> &NoteVerifier {
        self.shared.verifier()
    }

    /// The keys that may resolve disputes, as configured.
    #[must_use]
    pub fn arbiters(&self) -> &[Identity] {
        self.shared.arbiters()
    }

    /// Key and value bytes the sequencer has written since the ledger opened.
    #[must_use]
    pub fn bytes_written(&self) -> u64 {
        self.shared.stats().bytes_written()
    }

    /// What the ledger holds in memory, by part, in bytes: the store's
    /// parts and the hash cache.
    #[must_use]
    pub fn memory(&self) -> Vec<(&'static str, u64)> {
        let mut parts = self.shared.store().memory();
        parts.push(("hash_cache", self.shared.hashes().bytes()));
        parts
    }

    /// The ledger's counters, for metrics.
    #[must_use]
    pub fn stats(&self) -> LedgerStats {
        self.shared.stats().snapshot()
    }

    /// The store, for reads.
    #[must_use]
    pub fn store(&self) -> &AnyStore {
        self.shared.store()
    }
}

fn corrupt(msg: impl Into<String>) -> LedgerError {
    LedgerError::Corrupt(msg.into())
}

/// Checks the stored log (or initialises an empty one) and returns its head.
fn recover<S: Store>(
    store: &S,
    signer: &mut LogSigner,
    accept_rollback: Option<TreeSize>,
) -> Result<Head, LedgerError> {
    let Some(size) = store.get(Table::Meta, META_SIZE)? else {
        if !store.scan(Table::Entries, &[], None, 1)?.is_empty()
            || !store.scan(Table::Hashes, &[], None, 1)?.is_empty()
        {
            return Err(corrupt("the store holds entries but no tree size"));
        }
        signer.settle(store, TreeSize(0), Hash::EMPTY, accept_rollback)?;
        let head = signer.sign((TreeSize(0), Hash::EMPTY), TreeSize(0), Hash::EMPTY)?;
        let mut b = Batch::default();
        b.put(Table::Meta, META_SIZE.to_vec(), be(0).to_vec());
        // A fresh store starts in the current format.
        b.put(
            Table::Meta,
            crate::keys::META_FORMAT.to_vec(),
            be(crate::migrate::FORMAT).to_vec(),
        );
        b.put(
            Table::Meta,
            META_CHECKPOINT.to_vec(),
            head.checkpoint.as_bytes().to_vec(),
        );
        store.write(b)?;
        return Ok(head);
    };
    let size = TreeSize(read_be(&size)?);
    let text = store
        .get(Table::Meta, META_CHECKPOINT)?
        .ok_or_else(|| corrupt("no stored checkpoint"))?;
    let note = Note::parse(&text).map_err(|e| corrupt(format!("stored checkpoint: {e}")))?;
    let checkpoint = Checkpoint::verify(
        &note,
        signer.origin(),
        std::slice::from_ref(signer.verifier()),
    )
    .map_err(|e| {
        corrupt(format!(
            "the stored checkpoint does not verify with this log's key and origin \
                 ({}): {e}; was the key file or the origin changed?",
            signer.verifier().to_text()
        ))
    })?;
    if checkpoint.size != size {
        return Err(corrupt(format!(
            "the stored tree size is {size} but the checkpoint is for {}",
            checkpoint.size
        )));
    }
    let reader = StoredHashes(store);
    let root = provenant_tlog::tree_hash(size, &reader)
        .map_err(|e| corrupt(format!("recomputing the root of {size} entries: {e}")))?;
    if root != checkpoint.root {
        return Err(corrupt(format!(
            "the root recomputed from stored hashes ({root}) is not the checkpoint's ({})",
            checkpoint.root
        )));
    }
    if size.0 > 0 {
        let last = size.0 - 1;
        let bytes = store
            .get(Table::Entries, &be(last))?
            .ok_or_else(|| corrupt(format!("entry {last} is missing")))?;
        let stored = provenant_tlog::HashReader::read_hashes(&reader, &[stored_index(0, last)])
            .map_err(|e| corrupt(format!("leaf hash {last}: {e}")))?;
        if stored.first() != Some(&hash_leaf(&bytes)) {
            return Err(corrupt(format!(
                "entry {last} does not match its leaf hash"
            )));
        }
    }
    if store.get(Table::Entries, &be(size.0))?.is_some() {
        return Err(corrupt(format!(
            "an entry exists beyond the checkpoint, at {size}"
        )));
    }
    signer.settle(store, size, root, accept_rollback)?;
    Ok(Head {
        size,
        root,
        checkpoint: String::from_utf8_lossy(&text).into(),
    })
}
