//! The publisher: one round copies what the ledger made durable since the
//! last published checkpoint, tiles and bundles first, the checkpoint
//! last; [`Publisher::run`] repeats rounds beside the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use provenant_ledger::{Head, Ledger};
use provenant_tlog::tile::Tile;
use provenant_tlog::{Checkpoint, Note, TreeSize, verify_consistency};

use crate::bucket::{Bucket, BucketError, Created, Swapped, Version};
use crate::metrics::{Metrics, ReasonLabel};
use crate::status::Status;
use crate::{CHECKPOINT, IMMUTABLE, NO_CACHE, plan, probe};

/// How often the publisher looks at the head when idle.
pub const DEFAULT_POLL: Duration = Duration::from_millis(100);
/// The first wait after a failed round; doubled after each further one.
const MIN_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between failed rounds.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest the last round, at shutdown, may take.
pub const LAST_ROUND: Duration = Duration::from_secs(10);
/// Tiles and bundles written (or partials listed) at once.
const CONCURRENCY: usize = 8;
/// Checkpoints kept in doubt at most (each a failed round's).
const MAX_IN_DOUBT: usize = 16;
/// Tiles completed at one level in one step beyond which the level is
/// listed once rather than each tile's partials.
const LIST_LEVEL_OVER: usize = 16;
/// The publication record's value: the size the last round started from,
/// while that round's obsolete partial tiles may still be in the bucket.
const GC_FROM: &str = "gc-from";

/// Evidence that publishing would overwrite or fork what is published:
/// publication stops.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Alarm {
    /// A tile or bundle exists with other bytes.
    #[error(
        "{key} is in the bucket with other bytes than this log's: another history is published here"
    )]
    Differs {
        /// The object's key.
        key: String,
    },
    /// The checkpoint changed since this publisher last wrote or read it.
    #[error(
        "the bucket's checkpoint changed under this publisher (its If-Match was refused): another publisher writes here"
    )]
    LostSwap,
    /// The bucket's checkpoint is larger than this log.
    #[error(
        "the bucket's checkpoint is at size {published}, this log at {head}: this publisher's view is stale"
    )]
    Ahead {
        /// The published size.
        published: u64,
        /// This log's size.
        head: u64,
    },
    /// The bucket's checkpoint is not a prefix of this log.
    #[error("the bucket's checkpoint at size {published} is not a prefix of this log: {detail}")]
    Fork {
        /// The published size.
        published: u64,
        /// Why.
        detail: String,
    },
    /// The bucket's checkpoint is not signed by this log.
    #[error("the bucket's checkpoint is not this log's: {0}")]
    Foreign(String),
}

impl Alarm {
    /// The alarm's stable code (the metric's `reason`).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Alarm::Differs { .. } => "differs",
            Alarm::LostSwap => "lost-swap",
            Alarm::Ahead { .. } => "ahead",
            Alarm::Fork { .. } => "fork",
            Alarm::Foreign(_) => "foreign",
        }
    }
}

/// Why publication could not start.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The bucket failed.
    #[error("the bucket: {0}")]
    Bucket(#[from] BucketError),
    /// The store accepted a second create of one key.
    #[error(
        "the bucket ignores conditional writes (a second create of {0} was accepted): publication needs a store that honours If-None-Match and If-Match"
    )]
    NoConditionalWrites(String),
    /// The probe could not make a key name.
    #[error("the start-up probe: {0}")]
    Probe(String),
    /// What is published already rules this publisher out.
    #[error("{0}")]
    Alarm(Alarm),
    /// The bucket or the ledger failed while checking what is published.
    #[error("{0}")]
    Failed(String),
}

impl From<RoundError> for PublishError {
    fn from(e: RoundError) -> Self {
        match e {
            RoundError::Alarm(a) => PublishError::Alarm(a),
            RoundError::Failed(e) => PublishError::Failed(e),
        }
    }
}

/// Why a round did not publish.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// Evidence: publication stops.
    #[error("{0}")]
    Alarm(#[from] Alarm),
    /// A failure worth trying again.
    #[error("{0}")]
    Failed(String),
}

impl From<BucketError> for RoundError {
    fn from(e: BucketError) -> Self {
        RoundError::Failed(format!("the bucket: {e}"))
    }
}

/// What a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// The bucket already had the head.
    Idle,
    /// Published the checkpoint at `to`, from `from`.
    Published {
        /// The size published before.
        from: TreeSize,
        /// The size published now.
        to: TreeSize,
    },
}

/// The checkpoint in the bucket and the version it was read or written at.
#[derive(Debug, Clone)]
struct Published {
    checkpoint: Checkpoint,
    version: Version,
}

/// Publishes one ledger to one bucket.
pub struct Publisher {
    ledger: Ledger,
    bucket: Arc<Bucket>,
    metrics: Metrics,
    status: Status,
    poll: Duration,
    published: Option<Published>,
    /// When the publisher first saw a head it has not published.
    waiting_since: Option<Instant>,
    /// Whether the store may hold a `gc-from` record: read from the store
    /// only then, not on every idle look at the head.
    gc_pending: bool,
    /// The checkpoints whose replace failed without an answer since the
    /// last one answered: the bucket may hold any of them all the same.
    in_doubt: Vec<Bytes>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("origin", &self.ledger.origin())
            .field("bucket", &self.bucket)
            .field("published", &self.published_size())
            .finish_non_exhaustive()
    }
}

impl Publisher {
    /// A publisher of `ledger` to `bucket`, after the start-up probe, from
    /// the checkpoint the bucket holds (which must be this log's and a
    /// prefix of it).
    ///
    /// # Errors
    /// A store that ignores conditional writes; a bucket whose checkpoint
    /// rules this log out ([`PublishError::Alarm`]); the bucket's failures.
    pub async fn start(ledger: Ledger, bucket: Bucket) -> Result<Self, PublishError> {
        probe::run(&bucket).await?;
        let mut publisher = Self {
            ledger,
            bucket: Arc::new(bucket),
            metrics: Metrics::default(),
            status: Status::default(),
            poll: DEFAULT_POLL,
            published: None,
            waiting_since: None,
            gc_pending: true,
            in_doubt: Vec::new(),
        };
        publisher.published = publisher.read_published().await?;
        if let Some(checkpoint) = publisher.published.as_ref().map(|p| p.checkpoint.clone()) {
            let head = publisher.ledger.head();
            publisher.check_extends(&checkpoint, &head)?;
            publisher.metrics.size.set(gauge(checkpoint.size));
            publisher.finish_gc(checkpoint.size).await?;
        }
        Ok(publisher)
    }

    /// The same publisher, looking at the head every `poll` when idle.
    #[must_use]
    pub fn with_poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// Its metrics (register them with [`Metrics::register`]).
    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Its health, for `/readyz`.
    #[must_use]
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The size of the checkpoint in the bucket, as this publisher knows it.
    #[must_use]
    pub fn published_size(&self) -> Option<TreeSize> {
        self.published.as_ref().map(|p| p.checkpoint.size)
    }

    /// Rounds until an alarm: each failure is retried after a back-off
    /// (0.5 s, doubling, at most 30 s), each alarm counted, logged and
    /// kept in the status, and publication stops.
    pub async fn run(self) {
        self.run_until(std::future::pending()).await;
    }

    /// As [`Publisher::run`] until `stop` resolves; then one last round,
    /// bounded by [`LAST_ROUND`], so that a server stopped cleanly leaves
    /// the bucket at its last checkpoint. A round cut short is safe: the
    /// next start writes it again.
    pub async fn run_until(mut self, stop: impl Future<Output = ()>) {
        let mut stop = std::pin::pin!(stop);
        let mut backoff = MIN_BACKOFF;
        loop {
            tokio::select! {
                () = &mut stop => break,
                going = self.step(&mut backoff) => if !going { return },
            }
        }
        match tokio::time::timeout(LAST_ROUND, self.round()).await {
            Ok(Ok(_)) => {}
            Ok(Err(RoundError::Alarm(alarm))) => self.raise(&alarm),
            Ok(Err(RoundError::Failed(why))) => {
                tracing::warn!(error = %why, "the last publication round failed");
            }
            Err(_) => tracing::warn!("the last publication round did not finish in time"),
        }
    }

    /// One round and the wait after it; `false` once an alarm stopped
    /// publication.
    async fn step(&mut self, backoff: &mut Duration) -> bool {
        match self.round().await {
            Ok(round) => {
                *backoff = MIN_BACKOFF;
                self.status.succeeded();
                if round == Round::Idle {
                    tokio::time::sleep(self.poll).await;
                }
                true
            }
            Err(RoundError::Alarm(alarm)) => {
                self.raise(&alarm);
                false
            }
            Err(RoundError::Failed(why)) => {
                self.metrics.failures.inc();
                tracing::warn!(error = %why, retry_in = ?*backoff, "publication failed");
                self.status.failed(why);
                tokio::time::sleep(*backoff).await;
                *backoff = (*backoff * 2).min(MAX_BACKOFF);
                true
            }
        }
    }

    /// Counts and logs `alarm` and marks publication stopped.
    fn raise(&self, alarm: &Alarm) {
        self.metrics
            .alarms
            .get_or_create(&ReasonLabel {
                reason: alarm.reason(),
            })
            .inc();
        tracing::error!(reason = alarm.reason(), %alarm, "publication stopped");
        self.status.stopped(alarm.to_string());
    }

    /// One round: publishes the head if the bucket does not have it.
    ///
    /// # Errors
    /// [`RoundError::Alarm`] on evidence; [`RoundError::Failed`] when the
    /// bucket or the ledger failed (nothing published then is lost: the
    /// next round writes it again, creates finding the same bytes).
    pub async fn round(&mut self) -> Result<Round, RoundError> {
        let head = self.ledger.head();
        let from = self.published_size().unwrap_or(TreeSize(0));
        self.metrics
            .behind
            .set(gauge(TreeSize(head.size.0.saturating_sub(from.0))));
        if let Some(published) = self.published.as_ref().map(|p| p.checkpoint.clone()) {
            self.check_extends(&published, &head)?;
            // A round that failed after moving the checkpoint left its
            // partials: collect them first.
            if self.gc_pending {
                self.finish_gc(from).await?;
            }
            if head.size == published.size {
                return Ok(Round::Idle);
            }
        }
        let waiting_since = *self.waiting_since.get_or_insert_with(Instant::now);

        let tiles = plan::to_write(from, head.size);
        let completed = tiles.iter().any(Tile::is_full);
        self.write_tiles(tiles).await?;
        if completed {
            // Recorded before the checkpoint moves, so that a crash
            // between the two still collects these partials on restart.
            self.gc_pending = true;
            self.ledger
                .write_publication(&[(GC_FROM, Some(from.0.to_string().as_bytes()))])
                .map_err(|e| RoundError::Failed(format!("the publication record: {e}")))?;
        }
        self.swap_checkpoint(&head).await?;
        if completed {
            self.finish_gc(head.size).await?;
        }

        self.metrics.size.set(gauge(head.size));
        self.metrics.behind.set(0);
        self.metrics.entries.inc_by(head.size.0 - from.0);
        self.metrics
            .lag
            .observe(waiting_since.elapsed().as_secs_f64());
        self.waiting_since = None;
        Ok(Round::Published {
            from,
            to: head.size,
        })
    }

    /// The bucket's checkpoint, verified as this log's.
    async fn read_published(&self) -> Result<Option<Published>, RoundError> {
        self.metrics.request("get");
        let Some((bytes, version)) = self.bucket.get(CHECKPOINT).await? else {
            return Ok(None);
        };
        Ok(Some(Published {
            checkpoint: self.verify_published(&bytes)?,
            version,
        }))
    }

    /// A checkpoint note from the bucket, verified as this log's.
    fn verify_published(&self, bytes: &[u8]) -> Result<Checkpoint, Alarm> {
        let foreign = |e: &dyn std::fmt::Display| Alarm::Foreign(e.to_string());
        let note = Note::parse(bytes).map_err(|e| foreign(&e))?;
        Checkpoint::verify(
            &note,
            self.ledger.origin(),
            std::slice::from_ref(self.ledger.verifier()),
        )
        .map_err(|e| foreign(&e))
    }

    /// Checks that `head` extends the published `checkpoint`.
    fn check_extends(&self, checkpoint: &Checkpoint, head: &Head) -> Result<(), RoundError> {
        let published = checkpoint.size;
        if head.size < published {
            return Err(Alarm::Ahead {
                published: published.0,
                head: head.size.0,
            }
            .into());
        }
        let fork = |detail: String| Alarm::Fork {
            published: published.0,
            detail,
        };
        if head.size == published {
            if head.root != checkpoint.root {
                return Err(fork("another root at the same size".into()).into());
            }
            return Ok(());
        }
        if published.0 == 0 {
            return Ok(());
        }
        let (_, proof) = self
            .ledger
            .consistency_proof(published.0, Some(head.size.0))
            .map_err(|e| RoundError::Failed(format!("the consistency proof: {e}")))?;
        verify_consistency(published, head.size, &checkpoint.root, &head.root, &proof)
            .map_err(|e| fork(e.to_string()).into())
    }

    /// Creates every tile and bundle in `tiles`, [`CONCURRENCY`] at a time.
    async fn write_tiles(&self, tiles: Vec<Tile>) -> Result<(), RoundError> {
        stream::iter(tiles.into_iter().map(|tile| self.write_tile(tile)))
            .buffer_unordered(CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await
            .map(|_| ())
    }

    /// Creates one tile or bundle; one already there must hold the same
    /// bytes.
    async fn write_tile(&self, tile: Tile) -> Result<(), RoundError> {
        let ledger = self.ledger.clone();
        let bytes = tokio::task::spawn_blocking(move || ledger.tile(&tile))
            .await
            .map_err(|e| RoundError::Failed(e.to_string()))?
            .map_err(|e| RoundError::Failed(format!("reading {}: {e}", tile.path())))?;
        let key = tile.path();
        let bytes = Bytes::from(bytes);
        self.metrics.request("create");
        match self.bucket.create(&key, bytes.clone(), IMMUTABLE).await? {
            Created::New => self.metrics.object("created"),
            Created::Existed => {
                self.metrics.request("get");
                match self.bucket.get(&key).await? {
                    Some((there, _)) if there == bytes => self.metrics.object("existed"),
                    // Deleted in between: only partials are ever deleted,
                    // and only once their full tile is there.
                    None => return Err(RoundError::Failed(format!("{key} vanished"))),
                    Some(_) => return Err(Alarm::Differs { key }.into()),
                }
            }
        }
        Ok(())
    }

    /// Replaces the bucket's checkpoint with `head`'s, if it is still the
    /// one this publisher knows.
    ///
    /// A replace that failed without an answer may have been written all
    /// the same; a later one then finds another version there. When the
    /// bucket holds exactly a note this publisher sent since its last
    /// answered replace (this one or one in doubt), it is this publisher's
    /// own write: that version, checked as a prefix of the head, is taken
    /// and the replace tried once more. Anything else is another
    /// publisher's: [`Alarm::LostSwap`].
    async fn swap_checkpoint(&mut self, head: &Head) -> Result<(), RoundError> {
        let bytes = Bytes::from(head.checkpoint.as_bytes().to_vec());
        for _ in 0..2 {
            let expected = self.published.as_ref().map(|p| p.version.clone());
            self.metrics.request("swap");
            let swapped = self
                .bucket
                .swap(CHECKPOINT, bytes.clone(), NO_CACHE, expected.as_ref())
                .await;
            match swapped {
                Ok(Swapped::Done(version)) => {
                    self.in_doubt.clear();
                    self.published = Some(Published {
                        checkpoint: Checkpoint::new(self.ledger.origin(), head.size, head.root),
                        version,
                    });
                    return Ok(());
                }
                Ok(Swapped::Lost) => {}
                Err(e) => {
                    if self.in_doubt.len() < MAX_IN_DOUBT {
                        self.in_doubt.push(bytes);
                    }
                    return Err(e.into());
                }
            }
            self.metrics.request("get");
            let Some((there, version)) = self.bucket.get(CHECKPOINT).await? else {
                return Err(Alarm::LostSwap.into());
            };
            if there != bytes && !self.in_doubt.contains(&there) {
                return Err(Alarm::LostSwap.into());
            }
            let checkpoint = self.verify_published(&there)?;
            self.check_extends(&checkpoint, head)?;
            self.in_doubt.clear();
            self.published = Some(Published {
                checkpoint,
                version,
            });
            if there == bytes {
                return Ok(());
            }
        }
        Err(Alarm::LostSwap.into())
    }

    /// Deletes the partial tiles made obsolete between the recorded
    /// `gc-from` size and `to`, then clears the record.
    async fn finish_gc(&mut self, to: TreeSize) -> Result<(), RoundError> {
        let failed = |e: provenant_ledger::store::StoreError| {
            RoundError::Failed(format!("the publication record: {e}"))
        };
        let Some(from) = self.ledger.publication_value(GC_FROM).map_err(failed)? else {
            self.gc_pending = false;
            return Ok(());
        };
        let from = std::str::from_utf8(&from)
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(to, TreeSize);
        let obsolete = self.obsolete_partials(&plan::completed(from, to)).await?;
        let (bucket, metrics) = (self.bucket.clone(), self.metrics.clone());
        let deletes = obsolete.into_iter().map(move |key| {
            let (bucket, metrics) = (bucket.clone(), metrics.clone());
            async move {
                metrics.request("delete");
                bucket.delete(&key).await
            }
        });
        stream::iter(deletes)
            .buffer_unordered(CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        self.ledger
            .write_publication(&[(GC_FROM, None)])
            .map_err(failed)?;
        self.gc_pending = false;
        Ok(())
    }

    /// The keys of the partial versions of the `completed` (full) tiles in
    /// the bucket: listed tile by tile, or, where a step completed many
    /// tiles of a level (a first publication, a long catch-up), with one
    /// listing of the level.
    async fn obsolete_partials(&self, completed: &[Tile]) -> Result<Vec<String>, RoundError> {
        let mut keys = Vec::new();
        let mut levels: Vec<Option<u8>> = completed.iter().map(|t| t.level).collect();
        levels.dedup();
        for level in levels {
            let tiles: Vec<Tile> = completed
                .iter()
                .filter(|t| t.level == level)
                .copied()
                .collect();
            if tiles.len() > LIST_LEVEL_OVER {
                self.metrics.request("list");
                let indexes: std::collections::HashSet<u64> =
                    tiles.iter().map(|t| t.index).collect();
                keys.extend(
                    self.bucket
                        .list(&plan::level_prefix(level))
                        .await?
                        .into_iter()
                        .filter(|key| {
                            Tile::parse(key).is_ok_and(|t| {
                                !t.is_full() && t.level == level && indexes.contains(&t.index)
                            })
                        }),
                );
                continue;
            }
            let (bucket, metrics) = (self.bucket.clone(), self.metrics.clone());
            let lists = tiles.into_iter().map(move |full| {
                let prefix = plan::partials_prefix(&full);
                let (bucket, metrics) = (bucket.clone(), metrics.clone());
                async move {
                    metrics.request("list");
                    bucket.list(&prefix).await
                }
            });
            let listed: Vec<Vec<String>> = stream::iter(lists)
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
            keys.extend(listed.into_iter().flatten());
        }
        Ok(keys)
    }
}

fn gauge(size: TreeSize) -> i64 {
    i64::try_from(size.0).unwrap_or(i64::MAX)
}
