//! The log's witnessing record: what its witnesses cosigned, kept in the
//! store's meta table beside the checkpoint, so that a restart still
//! serves the cosignatures it collected and resumes each witness from the
//! size it last cosigned.
//!
//! The ledger keeps these values and does not read them: their format is
//! the witnessing side's (`provenant-witnessing`). They are written apart
//! from the head, in their own synced writes, and never move it.

use crate::Ledger;
use crate::store::{Batch, Read as _, Store as _, StoreError, Table};

/// The meta key prefix of the witnessing record's values.
const PREFIX: &[u8] = b"witnessing/";

fn key(name: &str) -> Vec<u8> {
    [PREFIX, name.as_bytes()].concat()
}

impl Ledger {
    /// The witnessing value named `name`, if one was written.
    ///
    /// # Errors
    /// The store's failure.
    pub fn witnessing_value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.shared.store().get(Table::Meta, &key(name))
    }

    /// Writes the witnessing values given (`None` removes one), all
    /// together or none, synced.
    ///
    /// # Errors
    /// The store's failure; then nothing is written.
    pub fn write_witnessing(&self, values: &[(&str, Option<&[u8]>)]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        for (name, value) in values {
            match value {
                Some(v) => batch.put(Table::Meta, key(name), *v),
                None => batch.delete(Table::Meta, key(name)),
            }
        }
        self.shared.store().write(batch)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Ledger, LedgerConfig, MemoryStore};

    #[test]
    fn values_survive_and_do_not_touch_the_head() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let config = LedgerConfig {
            origin: "example.test/log".into(),
            arbiters: Vec::new(),
            batch: crate::sequencer::BatchConfig::default(),
        };
        let ledger = Ledger::open(MemoryStore::new(), key, config).expect("opens");
        let head = ledger.head();
        assert_eq!(ledger.witnessing_value("sizes").expect("reads"), None);
        ledger
            .write_witnessing(&[("sizes", Some(b"a 1\n")), ("witnessed", Some(b"note"))])
            .expect("writes");
        assert_eq!(
            ledger.witnessing_value("sizes").expect("reads").as_deref(),
            Some(&b"a 1\n"[..])
        );
        ledger
            .write_witnessing(&[("witnessed", None)])
            .expect("removes");
        assert_eq!(ledger.witnessing_value("witnessed").expect("reads"), None);
        assert_eq!(ledger.head().checkpoint, head.checkpoint);
        assert_eq!(ledger.head().size, head.size);
    }
}
