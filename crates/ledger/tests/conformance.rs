//! Every store backend passes the same conformance suite.

use provenant_ledger::store::{AnyStore, MemoryStore, conformance};

#[test]
fn memory_store_conforms() {
    conformance::run(MemoryStore::new);
}

/// The store the ledger holds, in each of its forms: the memory variant,
/// and a store behind the box (as the tests' fault-injecting stores are).
#[test]
fn any_store_conforms_in_every_form() {
    conformance::run(|| AnyStore::from(MemoryStore::new()));
    conformance::run(|| AnyStore::boxed(MemoryStore::new()));
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
    fn rocks_store_conforms_as_any_store() {
        let dirs: std::cell::RefCell<Vec<tempfile::TempDir>> = std::cell::RefCell::default();
        conformance::run(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
            dirs.borrow_mut().push(dir);
            provenant_ledger::AnyStore::from(store)
        });
    }

    #[test]
    fn rocks_link_families_scan_alone_from_table_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
        conformance::link_families_scan_alone(&store, |s| s.compact().unwrap());
    }

    #[test]
    fn rocks_reports_its_memory_by_part() {
        use provenant_ledger::store::{Batch, Store, Table};
        let dir = tempfile::tempdir().unwrap();
        let store = RocksStore::open(dir.path(), &RocksOptions::default()).unwrap();
        let mut b = Batch::default();
        for i in 0..1000u32 {
            b.put(Table::Entries, i.to_be_bytes().to_vec(), vec![7; 100]);
        }
        store.write(b).unwrap();
        let parts = store.memory();
        let names: Vec<&str> = parts.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "rocksdb_block_cache",
                "rocksdb_memtables",
                "rocksdb_table_readers"
            ]
        );
        assert!(
            parts[1].1 >= 1000 * 100,
            "the memtables hold what was written"
        );
    }

    #[test]
    fn rocks_store_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        conformance::run_durable(|| {
            RocksStore::open(dir.path(), &RocksOptions::default()).unwrap()
        });
        let dir = tempfile::tempdir().unwrap();
        conformance::run_durable(|| {
            provenant_ledger::AnyStore::from(
                RocksStore::open(dir.path(), &RocksOptions::default()).unwrap(),
            )
        });
    }
}
