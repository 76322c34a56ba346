//! [`Witnessing`]: the rounds that ask witnesses, and what the server
//! serves from them.
//!
//! A round (every interval, [`Witnessing::run`]) takes the log's head. A
//! witness whose cosignature of that checkpoint is not yet collected, or
//! is older than the refresh period (a quiet log), is sent it, from the size the log last knew it cosigned (`old 0` for a
//! witness it never heard from); a `409` names the witness's size and the
//! log resends from there, up to [`RESENDS`] times in a round. Witnesses
//! are asked concurrently. After the round, the record is saved once, and
//! when the cosignatures collected for the head meet the policy's quorum,
//! that checkpoint becomes the witnessed one and waiting writes wake.
//!
//! Writes never wait for a round: the sequencer knows nothing of
//! witnesses.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use provenant_api::fresh::quorum_time;
use provenant_ledger::{Head, Ledger};
use provenant_tlog::{Note, NoteSignature, Policy, TreeSize};
use tokio::sync::watch;

use crate::ask::{self, Answer, Request};
use crate::config::{Target, WitnessingConfig};
use crate::metrics::{AlarmLabel, Metrics, label};
use crate::record::{Kept, Record};

/// The most `409`s a witness may answer in one round before the log
/// waits for the next.
pub const RESENDS: usize = 3;

/// The log's witnessing; clones share it.
#[derive(Clone)]
pub struct Witnessing {
    inner: Arc<Inner>,
}

struct Inner {
    ledger: Ledger,
    policy: Policy,
    targets: Vec<Target>,
    interval: Duration,
    refresh: Duration,
    http: reqwest::Client,
    /// Held for a whole round: rounds never overlap.
    rounds: tokio::sync::Mutex<()>,
    record: Mutex<Record>,
    /// The witnessed size, for writes that wait for it.
    witnessed: watch::Sender<u64>,
    metrics: Metrics,
}

impl std::fmt::Debug for Witnessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witnessing")
            .field("targets", &self.inner.targets.len())
            .field("interval", &self.inner.interval)
            .finish_non_exhaustive()
    }
}

/// One witness's part in a round.
enum Outcome {
    Cosigned(TreeSize, NoteSignature),
    Known(TreeSize),
    Nothing,
}

impl Witnessing {
    /// Witnessing for `ledger` as `config` says, resumed from the record in
    /// its store.
    ///
    /// # Errors
    /// The store's failure, or a record that does not parse.
    pub fn new(
        ledger: Ledger,
        config: WitnessingConfig,
    ) -> Result<Self, provenant_ledger::store::StoreError> {
        let record = Record::load(&ledger)?;
        let witnessed = record.witnessed.as_ref().map_or(0, |k| k.size().0);
        let metrics = Metrics::default();
        metrics.witnessed.set(gauge(witnessed));
        for (name, size) in &record.sizes {
            metrics.size.get_or_create(&label(name)).set(gauge(size.0));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(ask::TIMEOUT)
            .build()
            .unwrap_or_default();
        Ok(Self {
            inner: Arc::new(Inner {
                ledger,
                policy: config.policy,
                targets: config.targets,
                interval: config.interval,
                refresh: config.refresh,
                http,
                rounds: tokio::sync::Mutex::new(()),
                record: Mutex::new(record),
                witnessed: watch::Sender::new(witnessed),
                metrics,
            }),
        })
    }

    /// The metrics, to register in the server's registry.
    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The time between rounds.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.inner.interval
    }

    /// The policy the log is witnessed under.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    fn record(&self) -> std::sync::MutexGuard<'_, Record> {
        self.inner
            .record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The head's checkpoint with every cosignature collected for it: the
    /// answer of `GET /checkpoint`.
    #[must_use]
    pub fn checkpoint(&self, head: &Head) -> String {
        let record = self.record();
        match &record.collected {
            Some(kept) if kept.size() == head.size && kept.checkpoint.root == head.root => {
                kept.note.to_text()
            }
            _ => head.checkpoint.to_string(),
        }
    }

    /// The latest checkpoint meeting the quorum, with its cosignatures.
    #[must_use]
    pub fn witnessed(&self) -> Option<String> {
        self.record().witnessed.as_ref().map(|k| k.note.to_text())
    }

    /// Waits at most `bound` for a witnessed checkpoint of at least `size`
    /// entries, and returns its size and note.
    pub async fn wait_for(&self, size: u64, bound: Duration) -> Option<(TreeSize, String)> {
        let mut rx = self.inner.witnessed.subscribe();
        let reached = tokio::time::timeout(bound, rx.wait_for(|s| *s >= size)).await;
        match reached {
            Ok(Ok(_)) => self
                .record()
                .witnessed
                .as_ref()
                .map(|k| (k.size(), k.note.to_text())),
            _ => None,
        }
    }

    /// Runs a round every interval, until the task is dropped.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(self.inner.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.round().await;
        }
    }

    /// One round (see the module doc).
    pub async fn round(&self) {
        let _round = self.inner.rounds.lock().await;
        let head = self.inner.ledger.head();
        if head.size.0 == 0 {
            return;
        }
        let Ok(kept) = Kept::parse(&head.checkpoint) else {
            tracing::error!("the log's own checkpoint does not parse");
            return;
        };
        let mut changed = false;
        let due: Vec<(usize, TreeSize)> = {
            let mut record = self.record();
            if record
                .collected
                .as_ref()
                .is_none_or(|c| c.note.text() != kept.note.text())
            {
                record.collected = Some(kept.clone());
                changed = true;
            }
            let collected = record.collected.as_ref().map(|c| &c.note);
            let stale_before = now().saturating_sub(self.inner.refresh.as_secs());
            self.inner
                .targets
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    // Due: no cosignature of this checkpoint yet, or only
                    // one older than the refresh period.
                    collected.is_none_or(|n| {
                        !n.signatures().iter().any(|s| {
                            t.verifier.is_signer_of(s)
                                && t.verifier
                                    .verify_signature(n.text(), s)
                                    .is_ok_and(|at| at >= stale_before)
                        })
                    })
                })
                .map(|(i, t)| (i, record.sizes.get(&t.name).copied().unwrap_or(TreeSize(0))))
                .collect()
        };
        if due.is_empty() {
            return;
        }
        let asks = due.iter().map(|&(i, old)| self.ask(i, old, &head, &kept));
        let outcomes = futures_util::future::join_all(asks).await;
        let record = {
            let mut record = self.record();
            for (&(i, _), outcome) in due.iter().zip(outcomes) {
                let name = &self.inner.targets[i].name;
                let target = &self.inner.targets[i];
                let size = match outcome {
                    Outcome::Cosigned(size, sig) => {
                        let Some(c) = record
                            .collected
                            .as_mut()
                            .filter(|c| c.note.text() == kept.note.text())
                        else {
                            continue;
                        };
                        match replaced(&c.note, target, sig) {
                            Ok(note) => c.note = note,
                            Err(e) => {
                                self.inner
                                    .metrics
                                    .failures
                                    .get_or_create(&label(name))
                                    .inc();
                                tracing::error!(witness = %name, error = %e, "keeping a cosignature");
                                continue;
                            }
                        }
                        size
                    }
                    Outcome::Known(size) => size,
                    Outcome::Nothing => continue,
                };
                changed = true;
                record.sizes.insert(name.clone(), size);
                self.inner
                    .metrics
                    .size
                    .get_or_create(&label(name))
                    .set(gauge(size.0));
            }
            self.promote(&mut record);
            record.clone()
        };
        if !changed {
            return;
        }
        let ledger = self.inner.ledger.clone();
        match tokio::task::spawn_blocking(move || record.save(&ledger)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "saving the witnessing record"),
            Err(e) => tracing::error!(error = %e, "saving the witnessing record"),
        }
    }

    /// Makes the collected checkpoint the witnessed one when it meets the
    /// quorum and is newer: larger, or the same with a later quorum time
    /// (a quiet log's refreshed cosignatures).
    fn promote(&self, record: &mut Record) {
        let Some(collected) = &record.collected else {
            return;
        };
        let policy = &self.inner.policy;
        let time = |note| quorum_time(policy, note).ok().flatten();
        let newer = match &record.witnessed {
            None => true,
            Some(w) if w.size() < collected.size() => true,
            Some(w) if w.note.text() == collected.note.text() => {
                time(&collected.note) > time(&w.note)
            }
            Some(_) => false,
        };
        if newer && policy.check_quorum(&collected.note).is_ok() {
            let size = collected.size().0;
            record.witnessed = Some(collected.clone());
            self.inner.metrics.witnessed.set(gauge(size));
            self.inner.witnessed.send_replace(size);
            tracing::info!(size, "witnessed");
        }
    }

    /// Asks witness `i`, starting from `old`, resending after a `409`.
    async fn ask(&self, i: usize, mut old: TreeSize, head: &Head, kept: &Kept) -> Outcome {
        let target = &self.inner.targets[i];
        let metrics = &self.inner.metrics;
        let mut known = None;
        for _ in 0..=RESENDS {
            let proof = if old.0 == 0 || old == head.size {
                Vec::new()
            } else {
                match self
                    .inner
                    .ledger
                    .consistency_proof(old.0, Some(head.size.0))
                {
                    Ok((_, proof)) => proof,
                    Err(e) => {
                        tracing::error!(witness = %target.name, error = %e, old = old.0, "proving consistency for a witness");
                        return Outcome::Nothing;
                    }
                }
            };
            let req = Request {
                old,
                proof: &proof,
                note: &head.checkpoint,
                checkpoint_text: kept.note.text(),
                size: head.size,
            };
            match ask::add_checkpoint(&self.inner.http, target, req).await {
                Answer::Cosigned(sig) => {
                    metrics
                        .cosignatures
                        .get_or_create(&label(&target.name))
                        .inc();
                    return Outcome::Cosigned(head.size, sig);
                }
                Answer::Conflict(size) => {
                    metrics.conflicts.get_or_create(&label(&target.name)).inc();
                    tracing::info!(witness = %target.name, size = size.0, "the witness is at another size: resending");
                    known = Some(size);
                    old = size;
                }
                Answer::Alarm { status, detail } => {
                    metrics
                        .alarms
                        .get_or_create(&AlarmLabel {
                            witness: target.name.clone(),
                            status,
                        })
                        .inc();
                    tracing::error!(witness = %target.name, status, size = head.size.0, %detail, "witness alarm");
                    break;
                }
                Answer::Failed(detail) => {
                    metrics.failures.get_or_create(&label(&target.name)).inc();
                    tracing::warn!(witness = %target.name, %detail, "asking a witness failed");
                    break;
                }
            }
        }
        known.map_or(Outcome::Nothing, Outcome::Known)
    }
}

/// `note` with `sig` as `target`'s one line (an older line of its key
/// dropped).
fn replaced(
    note: &Note,
    target: &Target,
    sig: NoteSignature,
) -> Result<Note, provenant_tlog::Error> {
    let mut text = format!("{}\n", note.text());
    for s in note
        .signatures()
        .iter()
        .filter(|s| !target.verifier.is_signer_of(s))
    {
        text.push_str(&s.to_line());
        text.push('\n');
    }
    let mut out = Note::parse(text.as_bytes())?;
    out.push_signature(sig)?;
    Ok(out)
}

/// The time now, in POSIX seconds.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A size as a gauge's value.
fn gauge(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}
