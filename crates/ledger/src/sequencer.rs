//! The one thread that appends to the log.
//!
//! Callers queue envelopes on a bounded channel. The sequencer takes a
//! batch (up to `max_batch`, or whatever arrived within `batch_budget` of
//! the first), verifies every signature in parallel, validates the batch in
//! order against the state (a later entry sees the earlier ones through an
//! [`Overlay`]), then writes entries, tree hashes, indexes, state and the
//! new signed checkpoint in one atomic synced write, and only then answers.
//! A rejected envelope gets its error and does not hold up the others; a
//! failed write answers every caller of the batch with an error, and
//! nothing of it was stored.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use provenant_model::{Context, Entry, Envelope, Receipt, RuleError, Timestamp, Verified, apply};
use provenant_tlog::map::{Bucket, Top};
use provenant_tlog::{Hash, HashReader, LeafIndex, TreeSize, append, prove_inclusion, tree_hash};
use tokio::sync::oneshot;

use crate::commitment::{Commitment, commit_entry, commitment};
use crate::error::{LedgerError, SubmitError};
use crate::hashes::{Memo, StoredHashes, WithPending};
use crate::keys::{be, signer_key};
use crate::log::Head;
use crate::shared::{Publisher, Shared};
use crate::statemap::put_writes;
use crate::store::{Batch, Read as _, Store as _, Table};
use crate::view::{Overlay, View};

/// The largest entry: it must fit a C2SP entry bundle's `u16` length.
pub const MAX_ENTRY_BYTES: usize = provenant_model::MAX_ENTRY_BYTES;

/// Whether a receipt is for a new entry or one logged before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry was appended by this submission.
    Appended,
    /// The same envelope was already in the log: its original receipt.
    Existing,
}

/// What a submitter waits for.
pub type Reply = Result<(Receipt, Outcome), SubmitError>;

/// One queued envelope and where to send the answer.
pub struct Submission {
    pub(crate) envelope: Envelope,
    pub(crate) reply: oneshot::Sender<Reply>,
}

/// Default of [`BatchConfig::max_batch`].
pub const DEFAULT_MAX_BATCH: usize = 1024;
/// Default of [`BatchConfig::batch_budget`]: short beside a synced write,
/// so a lone envelope is barely delayed.
pub const DEFAULT_BATCH_BUDGET: Duration = Duration::from_millis(2);
/// Default of [`BatchConfig::queue_capacity`]: sixteen batches of the
/// default size.
pub const DEFAULT_QUEUE_CAPACITY: usize = 16_384;

/// How batches are formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// The most envelopes in one batch.
    pub max_batch: usize,
    /// How long to gather a batch after its first envelope.
    pub batch_budget: Duration,
    /// How many envelopes may wait before submitters are turned away.
    pub queue_capacity: usize,
    /// Threads verifying signatures.
    pub verify_threads: usize,
    /// Whether each batch that changed the state ends with a `state.commit`
    /// and the state map is kept (the default). Off only to measure what
    /// the map costs, or to write a store as builds before the map did:
    /// answers then prove no state, and the next opening with it on
    /// rebuilds the map before committing.
    pub commit_state: bool,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            max_batch: DEFAULT_MAX_BATCH,
            batch_budget: DEFAULT_BATCH_BUDGET,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            verify_threads: std::thread::available_parallelism().map_or(2, usize::from),
            commit_state: true,
        }
    }
}

/// A batch whose signatures have been checked, on its way to be written.
type Checked = Vec<(oneshot::Sender<Reply>, Result<Verified, RuleError>)>;

/// Runs until the ledger is closed and the queue is drained.
///
/// Two stages overlap: a verifier thread forms batches and checks their
/// signatures on `verify_threads` threads while this thread validates and
/// writes the batch before. Order is kept: batches are written in the
/// order they were formed.
pub(crate) fn run(mut publisher: Publisher, queue: Receiver<Submission>, config: &BatchConfig) {
    let (checked_tx, checked_rx) = sync_channel::<Checked>(2);
    let verifier = {
        let shared = Arc::clone(publisher.shared());
        let config = config.clone();
        std::thread::Builder::new()
            .name("provenant-verify".into())
            .spawn(move || {
                while let Some(batch) = next_batch(&shared, &queue, &config) {
                    let (envelopes, replies): (Vec<Envelope>, Vec<_>) =
                        batch.into_iter().map(|s| (s.envelope, s.reply)).unzip();
                    let lines: usize = envelopes.iter().map(|e| e.signatures().len()).sum();
                    shared.stats().signatures_checked(lines as u64);
                    let verified = verify_parallel(envelopes, config.verify_threads);
                    if checked_tx
                        .send(replies.into_iter().zip(verified).collect())
                        .is_err()
                    {
                        return;
                    }
                }
            })
    };
    let Ok(verifier) = verifier else {
        publisher.shared().report(&LedgerError::Config(
            "cannot start the verifier thread".into(),
        ));
        return;
    };
    let mut clock = Clock::resume(publisher.shared());
    while let Ok(batch) = checked_rx.recv() {
        if !publisher.catch_up() {
            for (reply, _) in batch {
                let _ = reply.send(Err(SubmitError::Unavailable));
            }
            continue;
        }
        let logged_at = clock.tick();
        process(&mut publisher, batch, logged_at, config.commit_state);
    }
    let _ = verifier.join();
}

/// Waits for the next envelope, then gathers a batch: up to `max_batch`,
/// or what arrives within `batch_budget`. `None` once the ledger is closed
/// and the queue is empty.
fn next_batch(
    shared: &Shared,
    queue: &Receiver<Submission>,
    config: &BatchConfig,
) -> Option<Vec<Submission>> {
    let poll = Duration::from_millis(50);
    let first = loop {
        match queue.recv_timeout(poll) {
            Ok(s) => break s,
            Err(RecvTimeoutError::Timeout) if !shared.is_closed() => {}
            Err(_) => return None,
        }
    };
    let deadline = Instant::now() + config.batch_budget;
    let mut batch = vec![first];
    while batch.len() < config.max_batch {
        let wait = deadline.saturating_duration_since(Instant::now());
        match queue.recv_timeout(wait) {
            Ok(s) => batch.push(s),
            Err(_) => break,
        }
    }
    shared.stats().dequeued(batch.len() as u64);
    Some(batch)
}

/// Verifies signatures one by one with `verify_strict`'s verdicts
/// ([`Envelope::verify`]), on up to `threads` threads, keeping order.
///
/// Not Ed25519 batch verification: its random linear combination accepts
/// some crafted signatures that `verify_strict` refuses, and only with some
/// probability. The log would then hold entries an auditor's replay
/// rejects, and acceptance would not be deterministic.
fn verify_parallel(envelopes: Vec<Envelope>, threads: usize) -> Vec<Result<Verified, RuleError>> {
    let verify_all = |part: Vec<Envelope>| {
        part.into_iter()
            .map(Envelope::into_verified)
            .collect::<Vec<_>>()
    };
    let chunk = envelopes.len().div_ceil(threads.max(1)).max(1);
    if envelopes.len() <= chunk {
        return verify_all(envelopes);
    }
    let mut parts = Vec::new();
    let mut rest = envelopes.into_iter();
    loop {
        let part: Vec<Envelope> = rest.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || verify_all(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

struct Accepted {
    /// Where the receipt goes, and the entry's leaf bytes for it; `None`
    /// for the log's own commit entry.
    reply: Option<(oneshot::Sender<Reply>, Vec<u8>)>,
    leaf_hash: Hash,
    index: u64,
}

/// The time stamped on entries: the wall clock, but never earlier than the
/// last entry's, so that `logged_at` never goes backwards in the log (the
/// rules compare it with grants' windows; a clock stepped back must not
/// date a production run into one).
struct Clock {
    last: Option<Timestamp>,
}

impl Clock {
    /// Resumes after the log's last entry.
    fn resume(shared: &Shared) -> Clock {
        let size = shared.head().size.0;
        let last = size
            .checked_sub(1)
            .and_then(|i| shared.store().get(Table::Entries, &be(i)).ok().flatten())
            .and_then(|bytes| Entry::from_leaf_bytes(&bytes).ok())
            .map(|entry| entry.logged_at);
        Clock { last }
    }

    fn tick(&mut self) -> Timestamp {
        let now = now();
        let stamp = match self.last {
            Some(last) if last > now => last,
            _ => now,
        };
        self.last = Some(stamp);
        stamp
    }
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Any clock reading before year 10000 is representable.
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(0))
        .or_else(|| Timestamp::from_unix(0))
        .expect("the epoch is a valid timestamp")
}

fn process(publisher: &mut Publisher, batch: Checked, logged_at: Timestamp, commit_state: bool) {
    let shared = Arc::clone(publisher.shared());
    let head = shared.head();
    let snapshot = shared.store().snapshot();
    let mut overlay = Overlay::default();
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut existing: Vec<(oneshot::Sender<Reply>, u64)> = Vec::new();
    let mut writes = Batch::default();
    let mut applied = Vec::new();

    for (reply, result) in batch {
        let verified = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = reply.send(Err(SubmitError::Rejected(e)));
                continue;
            }
        };
        let signers: Vec<_> = verified.signers().iter().copied().collect();
        let bytes = Entry::leaf_bytes_of(verified.envelope(), logged_at);
        if bytes.len() > MAX_ENTRY_BYTES {
            let _ = reply.send(Err(SubmitError::TooLarge {
                size: bytes.len(),
                max: MAX_ENTRY_BYTES,
            }));
            continue;
        }
        let index = head.size.0 + accepted.len() as u64;
        let leaf_hash = provenant_tlog::hash_leaf(&bytes);
        let ctx = Context {
            index,
            leaf_hash: leaf_hash.into(),
            logged_at,
            arbiters: shared.arbiters(),
            log_key: None,
        };
        let view = View::with_overlay(&snapshot, &overlay);
        match apply(&view, &ctx, &verified) {
            Ok(changes) => {
                applied.push(changes.clone());
                overlay.apply(changes);
                // The receipt carries the very bytes written.
                put_entry(&mut writes, index, bytes.clone(), &leaf_hash, &signers);
                accepted.push(Accepted {
                    reply: Some((reply, bytes)),
                    leaf_hash,
                    index,
                });
            }
            Err(RuleError::DuplicateEntry { index, .. }) => existing.push((reply, index)),
            // The store failed under the rules: not the envelope's fault.
            Err(RuleError::View(e)) => {
                shared.report(&LedgerError::Store(e.into()));
                let _ = reply.send(Err(SubmitError::Unavailable));
            }
            Err(e) => {
                let _ = reply.send(Err(SubmitError::Rejected(e)));
            }
        }
    }
    let index = head.size.0 + accepted.len() as u64;
    let commitment = if accepted.is_empty() || !commit_state {
        Ok(None)
    } else {
        commitment(publisher, &snapshot, &overlay, &applied, index, logged_at)
    };
    drop(snapshot);
    let top = match commitment {
        Ok(Some(c)) => Some(push_commitment(
            publisher,
            c,
            index,
            &mut overlay,
            &mut writes,
            &mut accepted,
        )),
        Ok(None) => None,
        Err(e) => {
            fail(&shared, &e, accepted, existing);
            return;
        }
    };

    let mut new_hashes = Vec::new();
    if !accepted.is_empty() {
        match write(publisher, &head, &accepted, overlay, writes, top) {
            Ok(hashes) => new_hashes = hashes,
            Err(e) => {
                fail(&shared, &e, accepted, existing);
                return;
            }
        }
    }

    answer_all(&shared, &head, accepted, existing, &new_hashes);
}

/// Sends every caller of a batch its receipt at the new head: the batch
/// extended `before`, and its own hashes are `new_hashes` (in memory; the
/// older ones the proofs share are read once).
fn answer_all(
    shared: &Shared,
    before: &Head,
    accepted: Vec<Accepted>,
    existing: Vec<(oneshot::Sender<Reply>, u64)>,
    new_hashes: &[Hash],
) {
    let start = provenant_tlog::stored_count(before.size);
    let head = shared.head();
    let reader = Memo::new(WithPending {
        stored: shared.hashes().over(StoredHashes(shared.store())),
        start,
        pending: new_hashes,
    });
    // One note text for the whole batch.
    let checkpoint = head.checkpoint.to_string();
    let answers = accepted
        .into_iter()
        .filter_map(|a| {
            let (reply, bytes) = a.reply?;
            Some((
                reply,
                a.index,
                Some((bytes, a.leaf_hash)),
                Outcome::Appended,
            ))
        })
        .chain(
            existing
                .into_iter()
                .map(|(r, i)| (r, i, None, Outcome::Existing)),
        );
    for (reply, index, leaf, outcome) in answers {
        let receipt = receipt(shared, &reader, &head, &checkpoint, index, leaf);
        let _ = reply.send(receipt.map(|r| (r, outcome)));
    }
}

/// Appends a `state.commit` on its own when the log's last entry is not
/// one: a store from before the state map, or one written with
/// [`BatchConfig::commit_state`] off. Its map is rebuilt from the state
/// first, in the same write, so that answers prove the state from the
/// start; a log that ends with a commitment costs one read.
///
/// # Errors
/// Store failures, or a checkpoint the signer refuses.
pub(crate) fn seal(publisher: &mut Publisher) -> Result<(), LedgerError> {
    let shared = Arc::clone(publisher.shared());
    let head = shared.head();
    let Some(last) = head.size.0.checked_sub(1) else {
        return Ok(());
    };
    if shared.entry(last)?.envelope.kind() == provenant_model::Kind::StateCommit {
        return Ok(());
    }
    let logged_at = Clock::resume(&shared).tick();
    let index = head.size.0;
    let mut writes = Batch::default();
    let snapshot = shared.store().snapshot();
    let rebuilt = crate::migrate_map::rebuild(&snapshot, &mut writes)?;
    let c = commit_entry(publisher, &View::new(&snapshot), index, logged_at, rebuilt)?;
    drop(snapshot);
    let mut overlay = Overlay::default();
    let mut accepted = Vec::new();
    let mut staged = push_commitment(
        publisher,
        c,
        index,
        &mut overlay,
        &mut writes,
        &mut accepted,
    );
    staged.rebuilt = true;
    write(publisher, &head, &accepted, overlay, writes, Some(staged))?;
    Ok(())
}

/// Writes a batch that extends `head` ([`commit`]), first offering
/// readers of the new tree its map's top (`None`: unchanged, the batch
/// committed nothing); the tree hashes it stored.
fn write(
    publisher: &mut Publisher,
    head: &Head,
    accepted: &[Accepted],
    overlay: Overlay,
    writes: Batch,
    map: Option<Staged>,
) -> Result<Vec<Hash>, LedgerError> {
    let map = map.unwrap_or_else(|| Staged {
        top: Arc::clone(publisher.top_arc()),
        buckets: Vec::new(),
        rebuilt: false,
    });
    let size = TreeSize(head.size.0 + accepted.len() as u64);
    publisher.stage_top(size, &map.top);
    let hashes = commit(publisher, head, accepted, overlay, writes)?;
    publisher.map_written(map.top, map.buckets, map.rebuilt);
    Ok(hashes)
}

/// Adds a batch's commitment at `index` to its pending state, its writes
/// and its entries; the map's new top.
fn push_commitment(
    publisher: &Publisher,
    c: Commitment,
    index: u64,
    overlay: &mut Overlay,
    writes: &mut Batch,
    accepted: &mut Vec<Accepted>,
) -> Staged {
    overlay.apply(c.changes);
    put_entry(
        writes,
        index,
        c.bytes,
        &c.leaf_hash,
        &[publisher.identity()],
    );
    put_writes(&c.values, &c.map, writes);
    accepted.push(Accepted {
        reply: None,
        leaf_hash: c.leaf_hash,
        index,
    });
    Staged {
        top: c.top,
        buckets: c.map.buckets,
        rebuilt: false,
    }
}

/// The rows of the entry at `index`: its bytes, its leaf hash's index
/// and one row per signer.
fn put_entry(
    writes: &mut Batch,
    index: u64,
    bytes: Vec<u8>,
    leaf_hash: &Hash,
    signers: &[provenant_model::Identity],
) {
    writes.put(Table::Entries, be(index).to_vec(), bytes);
    writes.put(
        Table::Leaves,
        leaf_hash.as_bytes().to_vec(),
        be(index).to_vec(),
    );
    for key in signers {
        writes.put(Table::Signers, signer_key(key, index), Vec::new());
    }
}

/// The map after a batch, to take once the batch is written.
struct Staged {
    top: Arc<Top>,
    buckets: Vec<Bucket>,
    /// Whether the map was rebuilt whole.
    rebuilt: bool,
}

/// Answers every caller of a batch that could not be written.
fn fail(
    shared: &Shared,
    e: &LedgerError,
    accepted: Vec<Accepted>,
    existing: Vec<(oneshot::Sender<Reply>, u64)>,
) {
    shared.report(e);
    for (reply, _) in accepted.into_iter().filter_map(|a| a.reply) {
        let _ = reply.send(Err(SubmitError::Unavailable));
    }
    for (reply, _) in existing {
        let _ = reply.send(Err(SubmitError::Unavailable));
    }
}

/// Appends the accepted entries' hashes, computes the new root, and has
/// the publisher sign, write and publish the batch with its checkpoint
/// ([`Publisher::publish`]). Returns the tree hashes it stored.
fn commit(
    publisher: &mut Publisher,
    head: &Head,
    accepted: &[Accepted],
    overlay: Overlay,
    mut writes: Batch,
) -> Result<Vec<Hash>, LedgerError> {
    let shared = Arc::clone(publisher.shared());
    let leaves: Vec<Hash> = accepted.iter().map(|a| a.leaf_hash).collect();
    let stored = StoredHashes(shared.store());
    let new_hashes = append(head.size, &leaves, &stored).map_err(corrupt)?;
    let start = provenant_tlog::stored_count(head.size);
    let size = TreeSize(head.size.0 + leaves.len() as u64);
    let with_new = WithPending {
        stored,
        start,
        pending: &new_hashes,
    };
    let root = tree_hash(size, &with_new).map_err(corrupt)?;
    for (i, h) in new_hashes.iter().enumerate() {
        writes.put(
            Table::Hashes,
            be(start + i as u64).to_vec(),
            h.as_bytes().to_vec(),
        );
    }
    overlay.into_ops(&mut writes)?;
    publisher.publish(head, size, root, writes, accepted.len())?;
    Ok(new_hashes)
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(corrupt)`
fn corrupt(e: provenant_tlog::Error) -> LedgerError {
    LedgerError::Corrupt(e.to_string())
}

fn receipt(
    shared: &Shared,
    reader: &impl HashReader,
    head: &Head,
    checkpoint: &str,
    index: u64,
    leaf: Option<(Vec<u8>, Hash)>,
) -> Result<Receipt, SubmitError> {
    let corrupt = |e: &dyn std::fmt::Display| {
        shared.report(&LedgerError::Corrupt(e.to_string()));
        SubmitError::Unavailable
    };
    let (bytes, leaf_hash) = if let Some(leaf) = leaf {
        leaf
    } else {
        let bytes = shared
            .store()
            .get(Table::Entries, &be(index))
            .map_err(|e| corrupt(&e))?
            .ok_or_else(|| corrupt(&format!("entry {index} is missing")))?;
        let hash = provenant_tlog::hash_leaf(&bytes);
        (bytes, hash)
    };
    let proof = prove_inclusion(LeafIndex(index), head.size, reader).map_err(|e| corrupt(&e))?;
    Receipt::of_leaf(bytes, leaf_hash.into(), index, proof, checkpoint.to_owned())
        .map_err(|e| corrupt(&e))
}
