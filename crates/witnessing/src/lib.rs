//! The log's side of witnessing (C2SP tlog-witness): every
//! `--witness-interval` when the tree grew, the log sends its signed
//! checkpoint, with a consistency proof from the size each witness last
//! cosigned, to every witness of its policy that has a URL; it verifies
//! and keeps the cosignatures, and knows the latest checkpoint the
//! policy's quorum cosigned.
//!
//! | module | job |
//! |---|---|
//! | [`config`] | the policy and interval, checked against the log's key; the witnesses to ask |
//! | [`ask`] | one `add-checkpoint` exchange, its answer classified (`409`: resend from the witness's size; `403`/`422`: an alarm) |
//! | [`record`] | what is kept in the ledger's store: each witness's size, the cosignatures collected, the witnessed checkpoint |
//! | [`metrics`] | per witness: sizes, cosignatures, conflicts, failures and alarms, for `GET /metrics` |
//! | [`witnessing`] | [`Witnessing`]: the rounds, the checkpoints served, and waiting for a witnessed one |
//!
//! # What's in scope
//! Asking, resending after a `409`, raising alarms, and serving what was
//! collected: the checkpoint with every cosignature collected for it, and
//! the latest one meeting the quorum.
//!
//! # What's out of scope
//! Routes (the server mounts them), verifying with a policy (clients,
//! `provenant_api::witnessed`), being a witness (`provenant-witness`), and
//! TLS: witnesses are reached over plain HTTP (a TLS proxy beside the log
//! reaches an `https` witness).

pub mod ask;
pub mod config;
pub mod metrics;
pub mod record;
pub mod witnessing;

pub use config::{ConfigError, Target, WitnessingConfig};
pub use witnessing::Witnessing;
