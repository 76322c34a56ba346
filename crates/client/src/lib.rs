//! A typed client for a Provenant ledger, and the offline checks that let
//! its users trust nothing the server says without proof.
//!
//! - [`Client`]: one typed method per endpoint of [`provenant_api::routes`],
//!   answers decoded into the api's types; `503`s retried within a
//!   [`RetryPolicy`], failures classified ([`ClientError::failure`]).
//! - [`audit`]: follow a log, check each checkpoint's signature and its
//!   consistency with the last one verified; optionally download every entry,
//!   recompute the tree and re-validate every entry through the model.
//! - [`tiles`]: proofs computed from a log's published tiles alone (a
//!   bucket, a CDN), for the auditor following a log there.
//! - [`draft`]: unsigned envelopes for every entry kind, and signing them.
//! - [`fresh`] and [`memory`]: answers held to the freshness rules of
//!   [`provenant_api::fresh`] (a per-log memory of the largest checkpoint
//!   verified, stale answers, forks, the witnesses' age).
//! - [`verify_receipt`] and the rest of [`provenant_api::verify`]: answers
//!   and receipts checked with only the log's public key.
//!
//! ## What's in scope
//! HTTP (blocking, through reqwest), retries, the auditor's state
//! directory, and drafting envelopes.
//!
//! ## What's out of scope
//! The wire format and verification: those are `provenant-api`'s, which
//! this crate re-exports where its users need them.

pub mod audit;
pub mod draft;
mod error;
pub mod fresh;
mod http;
pub mod memory;
pub mod retry;
pub mod tiles;

pub use error::{ClientError, Failure, Problem};
pub use http::Client;
pub use provenant_api::verify::{VerifyError, verify_receipt};
pub use provenant_api::{LogInfo, Submitted};
pub use retry::RetryPolicy;
