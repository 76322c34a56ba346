//! Provenant's ledger: the append-only store, the one sequencer that
//! writes it, and the reads that answer with proofs.
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the storage trait, its RocksDB and in-memory backends, the conformance suite |
//! | [`ledger`] | opening (and refusing an inconsistent store), submitting, closing |
//! | `shared` | the core the sequencer and readers share, and the one step that moves the head |
//! | [`sequencer`] | batching, parallel signature checks, ordered validation, one atomic write |
//! | [`reads`] | entries, proofs, tiles, state, license checks and royalty splits with proofs |
//! | [`records`] | the binary layout of design records |
//! | `cosigned` | records kept beside the checkpoint: what the log's witnesses cosigned, work a publisher must finish |
//! | [`signed`] | the signer's own record of what it published, apart from the store, and its lock |
//! | `statemap`, `commitment`, `state_reads` | the state map's rows and top; each batch's `state.commit`; the proven state of an answer |
//!
//! The write path is the brief's: one sequencer owns appends; each batch's
//! entries, tree hashes, leaf-hash index, state changes, per-key indexes,
//! the state map's rows with the log's `state.commit`, and the new signed
//! checkpoint go to the store in one synced write, so a crash
//! leaves the store at the last complete batch and restart replays nothing.

mod commitment;
mod cosigned;
pub mod error;
pub mod hashes;
pub mod keys;
pub mod ledger;
mod log;
pub mod migrate;
mod migrate_map;
mod problem;
pub mod reads;
pub mod records;
pub mod sequencer;
mod shared;
pub mod signed;
pub mod similar;
mod state_reads;
mod statemap;
pub mod store;
mod view;

pub use error::{LedgerError, ReadError, SubmitError};
pub use ledger::{BATCH_BUCKETS, Ledger, LedgerConfig, LedgerStats};
pub use log::Head;
pub use sequencer::{
    BatchConfig, DEFAULT_BATCH_BUDGET, DEFAULT_MAX_BATCH, DEFAULT_QUEUE_CAPACITY, Outcome, Reply,
};
pub use signed::{RecordError, SignerRecord};
pub use store::{AnyStore, MemoryStore, Store};
#[cfg(feature = "rocks")]
pub use store::{RocksOptions, RocksStore};
