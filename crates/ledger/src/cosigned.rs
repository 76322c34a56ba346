//! Records the log's helpers keep beside the checkpoint, in the store's
//! meta table: the witnessing record (what its witnesses cosigned, so that
//! a restart still serves the cosignatures it collected and resumes each
//! witness from the size it last cosigned) and the publication record
//! (work a publisher must finish after a restart).
//!
//! The ledger keeps these values and does not read them: their format is
//! the helper's (`provenant-witnessing`, `provenant-publish`). They are
//! written apart from the head, in their own synced writes, and never move
//! it.

use crate::Ledger;
use crate::store::{Batch, Read as _, Store as _, StoreError, Table};

/// The meta key prefix of the witnessing record's values.
const WITNESSING: &[u8] = b"witnessing/";
/// The meta key prefix of the publication record's values.
const PUBLICATION: &[u8] = b"publication/";

fn key(prefix: &[u8], name: &str) -> Vec<u8> {
    [prefix, name.as_bytes()].concat()
}

impl Ledger {
    /// The witnessing value named `name`, if one was written.
    ///
    /// # Errors
    /// The store's failure.
    pub fn witnessing_value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.side_value(WITNESSING, name)
    }

    /// Writes the witnessing values given (`None` removes one), all
    /// together or none, synced.
    ///
    /// # Errors
    /// The store's failure; then nothing is written.
    pub fn write_witnessing(&self, values: &[(&str, Option<&[u8]>)]) -> Result<(), StoreError> {
        self.write_side(WITNESSING, values)
    }

    /// The publication value named `name`, if one was written.
    ///
    /// # Errors
    /// The store's failure.
    pub fn publication_value(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.side_value(PUBLICATION, name)
    }

    /// Writes the publication values given (`None` removes one), all
    /// together or none, synced.
    ///
    /// # Errors
    /// The store's failure; then nothing is written.
    pub fn write_publication(&self, values: &[(&str, Option<&[u8]>)]) -> Result<(), StoreError> {
        self.write_side(PUBLICATION, values)
    }

    fn side_value(&self, prefix: &[u8], name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.shared.store().get(Table::Meta, &key(prefix, name))
    }

    fn write_side(
        &self,
        prefix: &[u8],
        values: &[(&str, Option<&[u8]>)],
    ) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        for (name, value) in values {
            match value {
                Some(v) => batch.put(Table::Meta, key(prefix, name), *v),
                None => batch.delete(Table::Meta, key(prefix, name)),
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
        // The two records do not share names.
        ledger
            .write_publication(&[("sizes", Some(b"other"))])
            .expect("writes");
        assert_eq!(
            ledger.witnessing_value("sizes").expect("reads").as_deref(),
            Some(&b"a 1\n"[..])
        );
        assert_eq!(ledger.head().checkpoint, head.checkpoint);
        assert_eq!(ledger.head().size, head.size);
    }
}
