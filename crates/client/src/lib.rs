//! A typed client for a Provenant ledger, and the offline checks that let
//! its users trust nothing the server says without proof.
//!
//! - [`Client`]: the HTTP calls creators, brands and auditors make.
//! - [`audit`]: follow a log, check each checkpoint's signature and its
//!   consistency with the last one verified; optionally download every entry,
//!   recompute the tree and re-validate every entry through the model.
//! - [`verify_receipt`]: a receipt checked with only the log's public key
//!   (the api crate's verifier).
//!
//! Verification uses only the pure crates (`provenant-api`,
//! `provenant-tlog`, `provenant-model`): answers verify with
//! [`provenant_api::Proven::verify`]. HTTP is the only I/O besides the
//! auditor's state directory.

pub mod audit;
pub mod draft;
mod error;
mod http;

pub use error::ClientError;
pub use http::Client;
pub use provenant_api::{LogInfo, Problem, Submitted, VerifyError, verify_receipt};
