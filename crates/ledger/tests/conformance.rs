//! Every store backend passes the same conformance suite.

use provenant_ledger::store::{MemoryStore, conformance};

#[test]
fn memory_store_conforms() {
    conformance::run(MemoryStore::new);
}

#[cfg(feature = "rocks")]
mod rocks {
    use provenant_ledger::store::conformance;
    use provenant_ledger::{RocksOptions, RocksStore};

    #[test]
    fn rocks_store_conforms() {
        let dirs: std::cell::RefCell<Vec<tempfile::TempDir>> = std::cell::RefCell::default();
        conformance::run(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
            dirs.borrow_mut().push(dir);
            store
        });
    }

    #[test]
    fn rocks_link_families_scan_alone_from_table_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
        conformance::link_families_scan_alone(&store, |s| s.compact().unwrap());
    }

    #[test]
    fn rocks_store_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        conformance::run_durable(|| {
            RocksStore::open(dir.path(), &RocksOptions::default()).unwrap()
        });
    }
}
