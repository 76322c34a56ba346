//! A C2SP tlog-witness: it cosigns a log's checkpoint only when the
//! checkpoint is signed by the log's key and consistent with every
//! checkpoint of that log it cosigned before, so that a log cannot show
//! one history to some and another to others without the witnesses
//! refusing one of them.
//!
//! | module | job |
//! |---|---|
//! | [`config`] | the logs followed: origin, keys (vkeys), URL; tlog-policy `log` lines |
//! | [`request`] | the `add-checkpoint` body (`old <size>`, proof lines, empty line, signed checkpoint), parsed, and encoded for a log that asks; the `409` size |
//! | [`witness`] | [`Witness`]: the check-and-set under each log's lock, the cosignature |
//! | [`store`] | one durable record per log (temp file, fsync, rename, fsync directory); a lock per directory |
//! | [`refusal`] | every refusal with the spec's status: 400, 403, 404, 409 (`text/x.tlog.size`), 422 |
//! | [`replay`] | `--replay`: the log's entries re-validated by `provenant_model` before cosigning |
//! | [`http`] | the axum router: `POST /add-checkpoint`, `GET /<origin hash>/checkpoint` |
//!
//! The cosignature is C2SP tlog-cosignature `cosignature/v1` (Ed25519) over
//! `cosignature/v1\ntime <t>\n` and the checkpoint text, made by
//! `provenant_tlog::cosignature::Cosigner`.
//!
//! # What's in scope
//! The witness's side of `add-checkpoint` exactly as the spec words it, the
//! monitoring `GET`, durable per-log state, and the optional replay.
//!
//! # What's out of scope
//! Asking witnesses (the log does that), quorum policies (clients), the
//! optional `sign-subtree` call and ML-DSA-44 cosignatures, and the
//! binary's flags, key file and listener (`provenant witness`).

pub mod config;
pub mod http;
pub mod refusal;
pub mod replay;
pub mod request;
pub mod store;
pub mod witness;

pub use config::LogConfig;
pub use http::app;
pub use refusal::Refusal;
pub use witness::{OpenError, Witness, WitnessConfig};
