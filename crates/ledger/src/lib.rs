//! Provenant's ledger: the append-only store, the one sequencer that
//! writes it, and the reads that answer with proofs.
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the storage trait, its RocksDB and in-memory backends, the conformance suite |
//! | [`ledger`] | opening (and refusing an inconsistent store), submitting, closing |
//! | [`sequencer`] | batching, parallel signature checks, ordered validation, one atomic write |
//! | [`reads`] | entries, proofs, tiles, state, license checks and royalty splits with proofs |
//! | [`records`] | the binary layout of design records |
//! | [`keyfile`] | Ed25519 key files (PKCS#8 PEM, 0600) |
//! | [`signed`] | the signer's own record of what it published, apart from the store, and its lock |
//!
//! The write path is the brief's: one sequencer owns appends; each batch's
//! entries, tree hashes, leaf-hash index, state changes, per-key indexes and
//! new signed checkpoint go to the store in one synced write, so a crash
//! leaves the store at the last complete batch and restart replays nothing.

pub mod error;
pub mod hashes;
pub mod keyfile;
pub mod keys;
pub mod ledger;
mod log;
pub mod migrate;
mod problem;
pub mod reads;
pub mod records;
pub mod sequencer;
pub mod signed;
pub mod store;
mod view;

pub use error::{LedgerError, ReadError, SubmitError};
pub use ledger::{BATCH_BUCKETS, Ledger, LedgerConfig, LedgerStats};
pub use log::Head;
pub use sequencer::{BatchConfig, Outcome};
pub use signed::{RecordError, SignerRecord};
pub use store::{MemoryStore, Store};
#[cfg(feature = "rocks")]
pub use store::{RocksOptions, RocksStore};
