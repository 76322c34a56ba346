//! The behaviour every [`Store`] backend must have. A backend's tests call
//! [`run`] (and [`run_durable`] when it persists); each check panics with
//! what went wrong: these functions are test code.
#![allow(clippy::missing_panics_doc)]

use super::{Batch, Read, Store, Table};

fn be(n: u64) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

/// Runs every check on stores made by `make`, each one empty.
pub fn run<S: Store>(make: impl Fn() -> S) {
    empty_store_reads_nothing(&make());
    batches_apply_in_order(&make());
    tables_are_separate(&make());
    scans_follow_byte_order(&make());
    snapshots_do_not_move(&make());
    multi_get_keeps_order(&make());
    link_families_scan_alone(&make(), |_| {});
}

/// Scans of [`Table::Links`] families (a tag and a 32-byte id, the prefix
/// a backend may index) return their own members and nothing of their
/// neighbours, whether the rows were written before `settle` (which may
/// move them to files, as `RocksStore::compact` does) or after it.
///
/// # Panics
/// When the store returns anything else.
pub fn link_families_scan_alone<S: Store>(s: &S, settle: impl Fn(&S)) {
    let family = |tag: u8, last: u8| {
        let mut p = vec![tag];
        p.extend_from_slice(&[0xab; 31]);
        p.push(last);
        p
    };
    let member = |tag: u8, last: u8, n: u8| {
        let mut k = family(tag, last);
        k.extend_from_slice(&[n; 8]);
        k
    };
    let write = |rows: &[(u8, u8, u8)]| {
        let mut b = Batch::default();
        for (tag, last, n) in rows {
            b.put(Table::Links, member(*tag, *last, *n), Vec::new());
        }
        s.write(b).expect("write");
    };
    write(&[
        (3, 7, 1),
        (3, 7, 5),
        (3, 6, 9),
        (3, 8, 0),
        (4, 7, 2),
        (3, 0xff, 4),
    ]);
    settle(s);
    write(&[(3, 7, 3), (2, 7, 1)]);
    let keys = |prefix: &[u8], after: Option<&[u8]>| -> Vec<Vec<u8>> {
        s.scan(Table::Links, prefix, after, 100)
            .expect("scan")
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(
        keys(&family(3, 7), None),
        [1, 3, 5].map(|n| member(3, 7, n))
    );
    assert_eq!(
        keys(&family(3, 7), Some(&member(3, 7, 1))),
        [3, 5].map(|n| member(3, 7, n))
    );
    assert_eq!(keys(&family(3, 0xff), None), [member(3, 0xff, 4)]);
    assert!(keys(&family(3, 5), None).is_empty());
    assert!(keys(&family(5, 7), None).is_empty());
    assert_eq!(
        keys(&[3], None).len(),
        6,
        "a shorter prefix sees every family"
    );
    // Many families at once, in any order, empty ones and a limit included:
    // each the same as its own scan.
    let prefixes = vec![
        family(3, 7),
        family(3, 5),
        family(3, 0xff),
        family(3, 6),
        family(2, 7),
        vec![3],
    ];
    let many = s.scan_many(Table::Links, &prefixes, 2).expect("scan_many");
    assert_eq!(many.len(), prefixes.len());
    for (prefix, rows) in prefixes.iter().zip(many) {
        let alone = s.scan(Table::Links, prefix, None, 2).expect("scan");
        assert_eq!(rows, alone, "{prefix:?}");
    }
}

/// Checks that what was written survives closing and reopening: `open`
/// opens the same underlying storage each time it is called (the previous
/// handle is dropped first).
pub fn run_durable<S: Store>(open: impl Fn() -> S) {
    let store = open();
    let mut b = Batch::default();
    for i in 0..1000u64 {
        b.put(
            Table::Entries,
            be(i),
            vec![u8::try_from(i % 251).unwrap_or(0); 100],
        );
    }
    b.put(Table::Meta, b"size".to_vec(), be(1000));
    store.write(b).expect("write");
    drop(store);
    let store = open();
    assert_eq!(
        store.get(Table::Meta, b"size").expect("get"),
        Some(be(1000))
    );
    let all = store
        .scan(Table::Entries, &[], None, usize::MAX)
        .expect("scan");
    assert_eq!(all.len(), 1000, "every entry survives a reopen");
    assert_eq!(all[999].1, vec![u8::try_from(999 % 251).unwrap_or(0); 100]);
}

fn empty_store_reads_nothing<S: Store>(s: &S) {
    for t in Table::ALL {
        assert_eq!(s.get(t, b"k").expect("get"), None);
        assert!(s.scan(t, &[], None, 10).expect("scan").is_empty());
    }
}

fn batches_apply_in_order<S: Store>(s: &S) {
    let mut b = Batch::default();
    b.put(Table::Meta, b"a".to_vec(), b"1".to_vec());
    b.put(Table::Meta, b"a".to_vec(), b"2".to_vec());
    b.put(Table::Meta, b"b".to_vec(), b"x".to_vec());
    b.delete(Table::Meta, b"b".to_vec());
    s.write(b).expect("write");
    assert_eq!(s.get(Table::Meta, b"a").expect("get"), Some(b"2".to_vec()));
    assert_eq!(s.get(Table::Meta, b"b").expect("get"), None);

    let mut b = Batch::default();
    b.delete(Table::Meta, b"a".to_vec());
    b.delete(Table::Meta, b"never-written".to_vec());
    s.write(b).expect("write");
    assert_eq!(s.get(Table::Meta, b"a").expect("get"), None);
    s.write(Batch::default()).expect("an empty batch is fine");
}

fn tables_are_separate<S: Store>(s: &S) {
    let mut b = Batch::default();
    for (i, t) in Table::ALL.iter().enumerate() {
        b.put(*t, b"same".to_vec(), vec![u8::try_from(i).unwrap_or(0)]);
    }
    s.write(b).expect("write");
    for (i, t) in Table::ALL.iter().enumerate() {
        assert_eq!(
            s.get(*t, b"same").expect("get"),
            Some(vec![u8::try_from(i).unwrap_or(0)]),
            "table {}",
            t.name()
        );
    }
}

fn scans_follow_byte_order<S: Store>(s: &S) {
    let mut b = Batch::default();
    for i in [300u64, 2, 1 << 40, 0, 255, 256] {
        b.put(Table::Entries, be(i), be(i));
    }
    let mut prefixed = |p: u8, n: u8| {
        b.put(Table::Links, vec![p, n], vec![]);
    };
    prefixed(1, 9);
    prefixed(1, 3);
    prefixed(2, 0);
    prefixed(0, 7);
    s.write(b).expect("write");

    let keys: Vec<Vec<u8>> = s
        .scan(Table::Entries, &[], None, 100)
        .expect("scan")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, [0, 2, 255, 256, 300, 1 << 40].map(be));

    let after = s
        .scan(Table::Entries, &[], Some(&be(255)), 2)
        .expect("scan");
    assert_eq!(
        after.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        [256, 300].map(be)
    );
    assert!(
        s.scan(Table::Entries, &[], Some(&be(1 << 40)), 10)
            .expect("scan")
            .is_empty()
    );
    assert!(
        s.scan(Table::Entries, &[], None, 0)
            .expect("scan")
            .is_empty()
    );

    let ones: Vec<Vec<u8>> = s
        .scan(Table::Links, &[1], None, 10)
        .expect("scan")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(ones, vec![vec![1, 3], vec![1, 9]]);
    let after_three = s.scan(Table::Links, &[1], Some(&[1, 3]), 10).expect("scan");
    assert_eq!(after_three.len(), 1);
    assert!(
        s.scan(Table::Links, &[3], None, 10)
            .expect("scan")
            .is_empty()
    );
}

fn snapshots_do_not_move<S: Store>(s: &S) {
    let mut b = Batch::default();
    b.put(Table::Meta, b"size".to_vec(), be(1));
    b.put(Table::Entries, be(0), b"first".to_vec());
    s.write(b).expect("write");

    let snap = s.snapshot();
    let mut b = Batch::default();
    b.put(Table::Meta, b"size".to_vec(), be(2));
    b.put(Table::Entries, be(1), b"second".to_vec());
    s.write(b).expect("write");

    assert_eq!(snap.get(Table::Meta, b"size").expect("get"), Some(be(1)));
    assert_eq!(snap.get(Table::Entries, &be(1)).expect("get"), None);
    assert_eq!(
        snap.scan(Table::Entries, &[], None, 10)
            .expect("scan")
            .len(),
        1
    );
    assert_eq!(
        snap.multi_get(Table::Entries, &[be(0), be(1)])
            .expect("get")[1],
        None
    );
    assert_eq!(s.get(Table::Meta, b"size").expect("get"), Some(be(2)));
    assert_eq!(
        s.snapshot()
            .scan(Table::Entries, &[], None, 10)
            .expect("scan")
            .len(),
        2
    );
}

fn multi_get_keeps_order<S: Store>(s: &S) {
    let mut b = Batch::default();
    for i in 0..10u64 {
        b.put(Table::Hashes, be(i), vec![u8::try_from(i).unwrap_or(0); 32]);
    }
    s.write(b).expect("write");
    let got = s
        .multi_get(Table::Hashes, &[be(7), be(99), be(0)])
        .expect("get");
    assert_eq!(got, vec![Some(vec![7; 32]), None, Some(vec![0; 32])]);
    assert!(s.multi_get(Table::Hashes, &[]).expect("get").is_empty());
}
