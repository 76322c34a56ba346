//! `transfer`, `dispute raise`, `dispute resolve` and `key rotate`: the
//! drafts that move, contest and carry over ownership.

use std::fs::File;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use provenant_client::draft;
use provenant_model::payload::Outcome;
use provenant_model::{DesignId, DisputeId, LeafHash};

use super::io::{built, emit, identity, io_error};
use crate::error::CliError;
use crate::output::Output;

/// Draft a transfer of ownership shares; every giver and the receiver sign
/// it.
#[derive(Debug, Args)]
pub struct TransferArgs {
    /// The design (BLAKE3 hex).
    #[arg(long, value_name = "DESIGN")]
    design: DesignId,
    /// A giver and the share it gives: KEY=SHARE, KEY an `ed25519:`
    /// identity or a key file, SHARE such as 10% or 100000ppm. Repeatable.
    #[arg(long = "from", value_name = "KEY=SHARE", required = true)]
    from: Vec<String>,
    /// The receiver: an `ed25519:` identity or a key file.
    #[arg(long, value_name = "KEY")]
    to: String,
    /// The leaf hash of the design's latest ownership entry (hex), as
    /// `design show` prints it.
    #[arg(long, value_name = "LEAF_HASH")]
    prev: LeafHash,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl TransferArgs {
    /// Drafts the transfer.
    pub fn run(&self) -> Result<Output, CliError> {
        let from = self
            .from
            .iter()
            .map(|text| {
                let (key, share) = draft::split_key_share(text)?;
                Ok((identity(key)?, share))
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        let to = identity(&self.to)?;
        emit(
            &built(draft::transfer_draft(self.design, &from, to, self.prev))?,
            self.out.as_deref(),
        )
    }
}

/// Draft a dispute of a design; whoever raises it signs it.
#[derive(Debug, Args)]
pub struct DisputeRaiseArgs {
    /// The disputed design (BLAKE3 hex).
    #[arg(long, value_name = "DESIGN")]
    design: DesignId,
    /// The claim, 1 to 4000 characters.
    #[arg(long)]
    claim: String,
    /// The evidence file: only its SHA-256 goes on the log.
    #[arg(long, value_name = "FILE")]
    evidence: PathBuf,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DisputeRaiseArgs {
    /// Hashes the evidence and drafts the dispute.
    pub fn run(&self) -> Result<Output, CliError> {
        let file = File::open(&self.evidence).map_err(io_error(&self.evidence))?;
        let evidence = draft::evidence_hash_reader(file).map_err(io_error(&self.evidence))?;
        emit(
            &built(draft::dispute_raise_draft(
                self.design,
                &self.claim,
                evidence,
            ))?,
            self.out.as_deref(),
        )
    }
}

/// How the arbiter decides.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutcomeArg {
    /// The claim holds: the design stays blocked for good.
    Upheld,
    /// The claim fails: the dispute no longer blocks the design.
    Dismissed,
}

/// Draft an arbiter's resolution of a dispute; an arbiter key signs it.
#[derive(Debug, Args)]
pub struct DisputeResolveArgs {
    /// The dispute's id (hex).
    #[arg(long, value_name = "DISPUTE")]
    dispute: DisputeId,
    /// The decision.
    #[arg(long, value_enum)]
    outcome: OutcomeArg,
    /// The arbiter's note, up to 4000 characters.
    #[arg(long, default_value = "")]
    note: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DisputeResolveArgs {
    /// Drafts the resolution.
    pub fn run(&self) -> Result<Output, CliError> {
        let outcome = match self.outcome {
            OutcomeArg::Upheld => Outcome::Upheld,
            OutcomeArg::Dismissed => Outcome::Dismissed,
        };
        emit(
            &built(draft::dispute_resolve_draft(
                self.dispute,
                outcome,
                &self.note,
            ))?,
            self.out.as_deref(),
        )
    }
}

/// Draft a key rotation; the old key and the new key sign it.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The key that retires: an `ed25519:` identity or a key file.
    #[arg(long, value_name = "KEY")]
    old: String,
    /// Its successor, a key that holds nothing yet: an `ed25519:` identity
    /// or a key file.
    #[arg(long, value_name = "KEY")]
    new: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl RotateArgs {
    /// Drafts the rotation.
    pub fn run(&self) -> Result<Output, CliError> {
        let (old, new) = (identity(&self.old)?, identity(&self.new)?);
        emit(&built(draft::rotate_draft(old, new))?, self.out.as_deref())
    }
}
