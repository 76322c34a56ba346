//! Commands that write drafts (unsigned envelopes), and `sign`.
//!
//! A draft is printed, or written to `--out FILE` as pretty JSON; each
//! signer then runs `provenant sign FILE --key KEY` on their own machine,
//! and anyone submits the file. The envelopes are built and checked by
//! [`provenant_client::draft`]; this module only reads files and keys.

mod design;
pub(crate) mod io;
mod license;
mod ownership;
mod sign;

pub(crate) use design::hash_file;
pub use design::{DesignDraftArgs, DesignHashArgs};
pub use license::{GrantArgs, RevokeArgs, UsageArgs};
pub use ownership::{DisputeRaiseArgs, DisputeResolveArgs, RotateArgs, TransferArgs};
pub use sign::SignArgs;
