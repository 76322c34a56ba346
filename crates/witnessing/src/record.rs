//! What the log keeps of its witnessing, in the ledger's store (the meta
//! table, beside the checkpoint; see `provenant_ledger`), so that a
//! restart resumes where it stopped:
//!
//! | value | text |
//! |---|---|
//! | `sizes` | a line `<witness name> <size>` for each witness whose latest cosigned size the log knows |
//! | `collected` | the latest checkpoint sent, with every cosignature collected for it |
//! | `witnessed` | the latest checkpoint whose cosignatures met the quorum |
//!
//! The notes are kept as served; they were verified when collected.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use provenant_ledger::Ledger;
use provenant_ledger::store::StoreError;
use provenant_tlog::{Checkpoint, Note, TreeSize};

const SIZES: &str = "sizes";
const COLLECTED: &str = "collected";
const WITNESSED: &str = "witnessed";

/// A checkpoint note and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// The note with its signatures.
    pub note: Note,
    /// Its checkpoint.
    pub checkpoint: Checkpoint,
}

impl Kept {
    /// Parses a note's text.
    ///
    /// # Errors
    /// The note or checkpoint parse error.
    pub fn parse(text: &str) -> Result<Self, provenant_tlog::Error> {
        let note = Note::parse(text.as_bytes())?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self { note, checkpoint })
    }

    /// Its size.
    #[must_use]
    pub fn size(&self) -> TreeSize {
        self.checkpoint.size
    }
}

/// The record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Each witness's latest cosigned size, by policy name.
    pub sizes: BTreeMap<String, TreeSize>,
    /// The latest checkpoint sent, with its cosignatures.
    pub collected: Option<Kept>,
    /// The latest checkpoint meeting the quorum.
    pub witnessed: Option<Kept>,
}

impl Record {
    /// Reads the record from `ledger`'s store; empty when none was written.
    ///
    /// # Errors
    /// The store's failure, or a value that does not parse (a corrupt
    /// store).
    pub fn load(ledger: &Ledger) -> Result<Self, StoreError> {
        let text = |name: &str| -> Result<Option<String>, StoreError> {
            ledger
                .witnessing_value(name)?
                .map(|v| {
                    String::from_utf8(v)
                        .map_err(|e| StoreError::corrupt(format!("witnessing {name}"), e))
                })
                .transpose()
        };
        let note = |name: &str| -> Result<Option<Kept>, StoreError> {
            text(name)?
                .map(|t| {
                    Kept::parse(&t)
                        .map_err(|e| StoreError::corrupt(format!("witnessing {name}"), e))
                })
                .transpose()
        };
        let mut sizes = BTreeMap::new();
        for line in text(SIZES)?.unwrap_or_default().lines() {
            let parsed = line
                .split_once(' ')
                .and_then(|(name, size)| Some((name, size.parse::<u64>().ok()?)));
            let Some((name, size)) = parsed else {
                return Err(StoreError::corrupt(
                    "witnessing sizes",
                    format!("line {line:?}"),
                ));
            };
            sizes.insert(name.to_owned(), TreeSize(size));
        }
        Ok(Self {
            sizes,
            collected: note(COLLECTED)?,
            witnessed: note(WITNESSED)?,
        })
    }

    /// Writes the record to `ledger`'s store, synced, all of it or none
    /// (a value the record lacks is removed).
    ///
    /// # Errors
    /// The store's failure.
    pub fn save(&self, ledger: &Ledger) -> Result<(), StoreError> {
        let mut sizes = String::new();
        for (name, size) in &self.sizes {
            let _ = writeln!(sizes, "{name} {}", size.0);
        }
        let collected = self.collected.as_ref().map(|k| k.note.to_text());
        let witnessed = self.witnessed.as_ref().map(|k| k.note.to_text());
        ledger.write_witnessing(&[
            (SIZES, Some(sizes.as_bytes())),
            (COLLECTED, collected.as_deref().map(str::as_bytes)),
            (WITNESSED, witnessed.as_deref().map(str::as_bytes)),
        ])
    }
}
