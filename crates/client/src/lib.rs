//! A typed client for a Provenant ledger, and the offline checks that let
//! its users trust nothing the server says without proof.
//!
//! - [`Client`]: the HTTP calls creators, brands and auditors make.
//! - [`audit`]: follow a log, check each checkpoint's signature and its
//!   consistency with the last one verified; optionally download every entry,
//!   recompute the tree and re-validate every entry through the model.
//! - [`verify_receipt`]: a receipt checked with only the log's public key.
//!
//! Verification uses only the pure crates (`provenant-tlog`,
//! `provenant-model`); HTTP is the only I/O besides the auditor's state
//! directory.

mod answer;
pub mod audit;
pub mod draft;
mod error;
mod http;

pub use answer::{AnswerError, verify_answer};

pub use error::{ClientError, Problem};
pub use http::{Client, LogInfo, Submitted};

use provenant_model::Receipt;
use provenant_tlog::{Checkpoint, NoteVerifier};

/// Checks a receipt offline: the checkpoint's signature under `log_key`
/// (whose name is the log's origin), then the entry's inclusion under the
/// checkpoint's root.
///
/// # Errors
/// Why the receipt does not verify.
pub fn verify_receipt(
    receipt: &Receipt,
    log_key: &NoteVerifier,
) -> Result<Checkpoint, provenant_model::ReceiptError> {
    receipt.verify(log_key.name(), log_key)
}
