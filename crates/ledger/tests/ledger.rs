//! The ledger end to end on the in-memory store: receipts that verify
//! offline, idempotency, rejection without side effects, batches that see
//! their own earlier entries, proofs, pages and refusing a bad store.

mod support;

use std::sync::Arc;

use provenant_ledger::store::{Batch, MemoryStore, Read, Rows, Store, StoreError, Table};
use provenant_ledger::{AnyStore, Ledger, LedgerError, Outcome, ReadError, SubmitError};
use provenant_model::{Action, LicenseQuery, Receipt};
use provenant_tlog::{Checkpoint, Note, TreeSize, verify_consistency};
use support::*;

fn verify(ledger: &Ledger, receipt: &Receipt) {
    receipt
        .verify(ORIGIN, ledger.verifier())
        .expect("receipt verifies offline");
}

#[test]
fn a_fresh_ledger_has_a_signed_empty_checkpoint() {
    let ledger = memory_ledger();
    let head = ledger.head();
    assert_eq!(head.size, TreeSize(0));
    let note = Note::parse(head.checkpoint.as_bytes()).unwrap();
    let cp = Checkpoint::verify(&note, ORIGIN, std::slice::from_ref(ledger.verifier())).unwrap();
    assert_eq!(cp.root, provenant_tlog::Hash::EMPTY);
}

#[test]
fn a_co_signed_registration_gets_a_receipt_that_verifies() {
    let ledger = memory_ledger();
    let (alice, bob) = (key(1), key(2));
    let (receipt, outcome) = ledger
        .submit_blocking(register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]))
        .unwrap();
    assert_eq!(outcome, Outcome::Appended);
    assert_eq!(receipt.index, 0);
    verify(&ledger, &receipt);
    // The entry, then the batch's state commitment.
    assert_eq!(ledger.head().size, TreeSize(2));

    // Any altered byte of the receipt's JSON fails verification.
    let json = serde_json::to_vec(&receipt).unwrap();
    for i in (0..json.len()).step_by(7) {
        let mut bad = json.clone();
        bad[i] ^= 0x01;
        if let Ok(r) = serde_json::from_slice::<Receipt>(&bad) {
            assert!(
                r.verify(ORIGIN, ledger.verifier()).is_err() || r == receipt,
                "byte {i}"
            );
        }
    }
}

#[test]
fn the_same_envelope_twice_returns_the_original_receipt() {
    let ledger = memory_ledger();
    let env = register(b"same", &[(&key(1), 1_000_000)]);
    let (first, _) = ledger.submit_blocking(env.clone()).unwrap();
    let (again, outcome) = ledger.submit_blocking(env).unwrap();
    assert_eq!(outcome, Outcome::Existing);
    assert_eq!(again.index, first.index);
    assert_eq!(again.leaf_hash, first.leaf_hash);
    verify(&ledger, &again);
    // The entry and its batch's state commitment, nothing more.
    assert_eq!(ledger.head().size, TreeSize(2));
}

#[test]
fn rejected_envelopes_change_nothing() {
    let ledger = memory_ledger();
    ledger
        .submit_blocking(register(b"first", &[(&key(1), 1_000_000)]))
        .unwrap();
    let before = ledger.head();

    // Signed by one of two creators only.
    let env = {
        let full = register(b"second", &[(&key(1), 500_000), (&key(2), 500_000)]);
        let mut partial = full.clone();
        partial = provenant_model::Envelope::from_parts(
            partial.kind(),
            partial.payload_json().clone(),
            vec![full.signatures()[0]],
        )
        .unwrap();
        partial
    };
    let err = ledger.submit_blocking(env).unwrap_err();
    assert!(matches!(err, SubmitError::Rejected(_)), "{err:?}");

    // The same content again points to the first entry.
    let err = ledger
        .submit_blocking(register(b"first", &[(&key(3), 1_000_000)]))
        .unwrap_err();
    match err {
        SubmitError::Rejected(e) => assert_eq!(e.code(), "duplicate-content"),
        other => panic!("{other:?}"),
    }
    let after = ledger.head();
    assert_eq!(after.size, before.size);
    assert_eq!(after.root, before.root);
}

#[test]
fn a_batch_sees_its_own_earlier_entries() {
    let config = config(provenant_ledger::BatchConfig {
        batch_budget: std::time::Duration::from_millis(200),
        ..Default::default()
    });
    let ledger = Ledger::open(MemoryStore::new(), log_key(), config).unwrap();
    let (alice, brand) = (key(1), key(3));
    let design = design_of(b"charm");
    let g = grant(design, &brand, &[&alice], Some(10));
    // Both are queued before the sequencer's budget runs out: one batch.
    let first = ledger
        .enqueue(register(b"charm", &[(&alice, 1_000_000)]))
        .unwrap();
    let second = ledger.enqueue(g.clone()).unwrap();
    let (r1, _) = first.blocking_recv().unwrap().unwrap();
    let (r2, _) = second.blocking_recv().unwrap().unwrap();
    assert_eq!((r1.index, r2.index), (0, 1));
    assert_eq!(r1.checkpoint, r2.checkpoint, "one batch, one checkpoint");
    verify(&ledger, &r1);
    verify(&ledger, &r2);
    let grant = ledger.grant(&grant_id(&g)).unwrap();
    assert_eq!(grant.answer.units_used, 0);
}

#[test]
fn reads_answer_with_proofs_at_their_checkpoint() {
    let ledger = memory_ledger();
    let (alice, bob, brand) = (key(1), key(2), key(3));
    let design = design_of(b"dial");
    ledger
        .submit_blocking(register(b"dial", &[(&alice, 600_000), (&bob, 400_000)]))
        .unwrap();
    let g = grant(design, &brand, &[&alice, &bob], Some(100));
    ledger.submit_blocking(g.clone()).unwrap();

    let report = ledger.design(&design).unwrap();
    assert_eq!(report.answer.state.owners.len(), 2);
    assert_eq!(report.answer.grants.len(), 1);
    // Each write is followed by its batch's state commitment.
    assert_eq!(report.answer.history, vec![0, 2]);
    assert_eq!(report.tree_size, 4);

    let query = LicenseQuery {
        design,
        licensee: id(&brand),
        action: Action::Commercial,
        territory: "FR".parse().unwrap(),
        channel: "retail".parse().unwrap(),
        category: "accessories".parse().unwrap(),
        date: "2026-03-01T00:00:00Z".parse().unwrap(),
        quantity: 50,
    };
    let answer = ledger.license_check(&query).unwrap();
    assert!(answer.answer.allowed, "{:?}", answer.answer.reasons);
    assert!(!answer.proofs.is_empty());
    let note = Note::parse(answer.checkpoint.as_bytes()).unwrap();
    let cp = Checkpoint::verify(&note, ORIGIN, std::slice::from_ref(ledger.verifier())).unwrap();
    for p in &answer.proofs {
        let leaf = provenant_tlog::Hash(*p.leaf_hash.as_bytes());
        provenant_tlog::verify_inclusion(
            provenant_tlog::LeafIndex(p.index),
            cp.size,
            &leaf,
            &p.inclusion_proof,
            &cp.root,
        )
        .unwrap();
    }

    let owned = ledger.designs_owned_by(&id(&alice), None, 10).unwrap();
    assert_eq!(owned.items, vec![design]);
}

/// Verifies every proof of `answer` at its checkpoint; returns its size.
fn proofs_verify<T>(ledger: &Ledger, answer: &provenant_api::Proven<T>) -> u64 {
    let note = Note::parse(answer.checkpoint.as_bytes()).unwrap();
    let cp = Checkpoint::verify(&note, ORIGIN, std::slice::from_ref(ledger.verifier())).unwrap();
    assert_eq!(cp.size.0, answer.tree_size);
    for p in &answer.proofs {
        provenant_tlog::verify_inclusion(
            provenant_tlog::LeafIndex(p.index),
            cp.size,
            &provenant_tlog::Hash(*p.leaf_hash.as_bytes()),
            &p.inclusion_proof,
            &cp.root,
        )
        .unwrap();
    }
    cp.size.0
}

#[test]
fn the_entries_a_key_signed_come_in_pages_with_proofs() {
    let ledger = memory_ledger();
    let (alice, bob, brand, carol) = (key(1), key(2), key(3), key(4));
    let design = design_of(b"dial");
    ledger
        .submit_blocking(register(b"dial", &[(&alice, 600_000), (&bob, 400_000)]))
        .unwrap();
    ledger
        .submit_blocking(grant(design, &brand, &[&alice, &bob], None))
        .unwrap();
    ledger
        .submit_blocking(register(b"carol's", &[(&carol, 1_000_000)]))
        .unwrap();
    ledger
        .submit_blocking(register(b"alice's", &[(&alice, 1_000_000)]))
        .unwrap();

    let indexes = |page: &provenant_api::Page<provenant_model::state::EntryRef>| {
        page.items.iter().map(|r| r.index).collect::<Vec<_>>()
    };
    // Entries 0, 2, 4 and 6, each followed by its batch's commitment.
    let first = ledger.entries_signed_by(&id(&alice), None, 2).unwrap();
    assert_eq!(indexes(&first.answer), vec![0, 2]);
    assert_eq!(first.answer.next.as_deref(), Some("2"));
    let rest = ledger.entries_signed_by(&id(&alice), Some(2), 2).unwrap();
    assert_eq!(indexes(&rest.answer), vec![6]);
    assert_eq!(rest.answer.next, None);
    assert_eq!(
        indexes(
            &ledger
                .entries_signed_by(&id(&carol), None, 10)
                .unwrap()
                .answer
        ),
        vec![4]
    );
    assert!(
        ledger
            .entries_signed_by(&id(&key(9)), None, 10)
            .unwrap()
            .answer
            .items
            .is_empty()
    );

    // Every item is the entry's own leaf hash, proven at the answer's
    // checkpoint.
    for answer in [&first, &rest] {
        assert_eq!(proofs_verify(&ledger, answer), 8);
        let proven: Vec<u64> = answer.proofs.iter().map(|p| p.index).collect();
        assert_eq!(proven, indexes(&answer.answer));
        for r in &answer.answer.items {
            let bytes = ledger.entry_bytes(r.index).unwrap();
            assert_eq!(*r.leaf_hash.as_bytes(), provenant_tlog::hash_leaf(&bytes).0);
        }
    }
}

#[test]
fn consistency_proofs_link_every_checkpoint_handed_out() {
    let ledger = memory_ledger();
    let mut heads = vec![ledger.head()];
    for i in 0..20u8 {
        ledger
            .submit_blocking(register(&[b'x', i], &[(&key(1), 1_000_000)]))
            .unwrap();
        heads.push(ledger.head());
    }
    for a in &heads[1..] {
        for b in &heads[1..] {
            if a.size <= b.size {
                let (_, proof) = ledger.consistency_proof(a.size.0, Some(b.size.0)).unwrap();
                verify_consistency(a.size, b.size, &a.root, &b.root, &proof).unwrap();
            }
        }
    }
    assert!(matches!(
        ledger.consistency_proof(0, None),
        Err(ReadError::Range(_))
    ));
    assert!(matches!(
        ledger.consistency_proof(5, Some(99)),
        Err(ReadError::Range(_))
    ));
    assert!(matches!(
        ledger.inclusion_proof(ledger.head().size.0, None),
        Err(ReadError::Range(_))
    ));
}

/// A store shared between ledger instances, to reopen the same data.
#[derive(Clone, Default)]
struct Shared(Arc<MemoryStore>);

impl Read for Shared {
    fn get(&self, t: Table, k: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(t, k)
    }
    fn scan(&self, t: Table, p: &[u8], a: Option<&[u8]>, l: usize) -> Result<Rows, StoreError> {
        self.0.scan(t, p, a, l)
    }
}

impl Store for Shared {
    type Snapshot<'a> = <MemoryStore as Store>::Snapshot<'a>;
    fn snapshot(&self) -> Self::Snapshot<'_> {
        self.0.snapshot()
    }
    fn write(&self, b: Batch) -> Result<(), StoreError> {
        self.0.write(b)
    }
}

impl From<Shared> for AnyStore {
    fn from(store: Shared) -> Self {
        AnyStore::boxed(store)
    }
}

#[test]
fn reopening_keeps_everything_and_refuses_tampering() {
    let store = Shared::default();
    let ledger = open(store.clone());
    // Two writes: four entries with their batches' commitments.
    for i in 0..2u8 {
        ledger
            .submit_blocking(register(&[b'r', i], &[(&key(1), 1_000_000)]))
            .unwrap();
    }
    let head = ledger.head();
    ledger.close();
    drop(ledger);

    let again = open(store.clone());
    assert_eq!(again.head().root, head.root);
    assert_eq!(again.head().size, head.size);
    again.close();

    // Another key: the stored checkpoint does not verify.
    let other = Ledger::open(
        store.clone(),
        key(201),
        config(provenant_ledger::BatchConfig::default()),
    );
    assert!(matches!(other, Err(LedgerError::Corrupt(_))));

    // A changed stored hash that the root is computed from (the root of
    // the first four entries): the recomputed root differs. (Hashes deeper
    // in the tree are not read at start-up; a full audit recomputes them.)
    let mut b = Batch::default();
    let slot = provenant_tlog::stored_index(2, 0).0;
    b.put(Table::Hashes, slot.to_be_bytes().to_vec(), vec![0u8; 32]);
    store.write(b).unwrap();
    let err = Ledger::open(
        store.clone(),
        log_key(),
        config(provenant_ledger::BatchConfig::default()),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("root"), "{err}");
}

#[test]
fn the_last_entry_must_match_its_leaf_hash() {
    let store = Shared::default();
    let ledger = open(store.clone());
    ledger
        .submit_blocking(register(b"z", &[(&key(1), 1_000_000)]))
        .unwrap();
    let last = ledger.head().size.0 - 1;
    ledger.close();
    let mut b = Batch::default();
    let mut entry = store
        .get(Table::Entries, &last.to_be_bytes())
        .unwrap()
        .unwrap();
    entry[10] ^= 1;
    b.put(Table::Entries, last.to_be_bytes().to_vec(), entry);
    store.write(b).unwrap();
    let err = Ledger::open(
        store,
        log_key(),
        config(provenant_ledger::BatchConfig::default()),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("leaf hash"), "{err}");
}

#[test]
fn a_failed_write_acknowledges_nothing_and_the_log_resumes() {
    let disk = Disk::default();
    let ledger = open(disk.clone());
    let first = register(b"first", &[(&key(1), 1_000_000)]);
    ledger.submit_blocking(first.clone()).unwrap();
    disk.full.store(true, std::sync::atomic::Ordering::SeqCst);
    let lost = register(b"lost", &[(&key(1), 1_000_000)]);
    let err = ledger.submit_blocking(lost).unwrap_err();
    assert!(matches!(err, SubmitError::Unavailable), "{err:?}");
    // The first entry and its batch's commitment.
    assert_eq!(ledger.head().size, TreeSize(2));
    assert!(ledger.entry_bytes(2).is_err());
    // Reads go on while writes fail.
    assert!(!ledger.entry_bytes(0).unwrap().is_empty());

    // Space returns: another entry takes the size the failed batch had
    // signed for (that checkpoint was never published), and it verifies.
    disk.full.store(false, std::sync::atomic::Ordering::SeqCst);
    let before = ledger.head();
    let (receipt, _) = ledger
        .submit_blocking(register(b"other", &[(&key(2), 1_000_000)]))
        .unwrap();
    assert_eq!(receipt.index, 2);
    verify(&ledger, &receipt);
    let after = ledger.head();
    let (_, proof) = ledger.consistency_proof(before.size.0, None).unwrap();
    verify_consistency(before.size, after.size, &before.root, &after.root, &proof).unwrap();
}

#[test]
fn closing_refuses_new_envelopes() {
    let ledger = memory_ledger();
    ledger.close();
    assert!(matches!(
        ledger.submit_blocking(register(b"late", &[(&key(1), 1_000_000)])),
        Err(SubmitError::ShuttingDown)
    ));
}

#[test]
fn tiles_and_bundles_serve_the_log() {
    use provenant_tlog::tile::{Tile, parse_bundle};
    let ledger = memory_ledger();
    let pending: Vec<_> = (0..300u16)
        .map(|i| {
            ledger
                .enqueue(register(&i.to_be_bytes(), &[(&key(1), 1_000_000)]))
                .unwrap()
        })
        .collect();
    for p in pending {
        p.blocking_recv().unwrap().unwrap();
    }
    // 300 entries and one commitment per batch: a full tile and a
    // partial one of `width` hashes.
    let size = ledger.head().size.0;
    let width = u16::try_from(size - 256).unwrap();
    assert!(size > 300 && width < 256, "{size}");
    let entries: Vec<Vec<u8>> = (0..size).map(|i| ledger.entry_bytes(i).unwrap()).collect();
    let leaves: Vec<provenant_tlog::Hash> = entries
        .iter()
        .map(|e| provenant_tlog::hash_leaf(e))
        .collect();

    let full = ledger.tile(&Tile::hashes(0, 0, 256).unwrap()).unwrap();
    assert_eq!(
        full,
        leaves[..256].iter().flat_map(|h| h.0).collect::<Vec<u8>>()
    );
    let partial = ledger.tile(&Tile::hashes(0, 1, width).unwrap()).unwrap();
    assert_eq!(
        partial,
        leaves[256..].iter().flat_map(|h| h.0).collect::<Vec<u8>>()
    );
    let upper = ledger.tile(&Tile::hashes(1, 0, 1).unwrap()).unwrap();
    assert_eq!(upper, provenant_tlog::root_of(&leaves[..256]).0.to_vec());

    let bundle = ledger.tile(&Tile::entries(1, width).unwrap()).unwrap();
    let parsed = parse_bundle(&bundle, width).unwrap();
    assert_eq!(
        parsed,
        entries[256..].iter().map(Vec::as_slice).collect::<Vec<_>>()
    );

    for missing in [
        Tile::hashes(0, 1, width + 1).unwrap(),
        Tile::hashes(0, 1, 256).unwrap(),
        Tile::hashes(0, 2, 1).unwrap(),
        Tile::hashes(2, 0, 1).unwrap(),
        Tile::entries(1, 256).unwrap(),
    ] {
        assert!(
            matches!(ledger.tile(&missing), Err(ReadError::NotFound(_))),
            "{}",
            missing.path()
        );
    }
}

/// A design reaches the most owners one transfer at a time; in the next
/// batch, the transfer that would pass the cap is refused with its own
/// rule (it once failed the whole batch with `503` when the design record
/// could not be stored) and the batch's other writes are logged.
#[test]
fn a_transfer_past_the_owner_cap_is_refused_alone() {
    use provenant_model::{Kind, MAX_OWNERS};
    use serde_json::json;
    let newcomer = |i: usize| {
        let mut seed = [0x3cu8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
        ed25519_dalek::SigningKey::from_bytes(&seed)
    };
    let founder = key(1);
    let design = design_of(b"crowd");
    let transfer = |to: &ed25519_dalek::SigningKey, prev: provenant_model::LeafHash| {
        envelope(
            Kind::OwnershipTransfer,
            json!({"design": design, "from": [{"key": id(&founder).to_string(), "share_ppm": 1}],
                   "to": id(to).to_string(), "prev": prev}),
            &[&founder, to],
        )
    };
    let store = Shared::default();
    let ledger = open(store.clone());
    let (r, _) = ledger
        .submit_blocking(register(b"crowd", &[(&founder, 1_000_000)]))
        .unwrap();
    let mut prev = r.leaf_hash;
    for i in 1..MAX_OWNERS {
        prev = ledger
            .submit_blocking(transfer(&newcomer(i), prev))
            .unwrap()
            .0
            .leaf_hash;
    }
    ledger.close();
    drop(ledger);

    let config = config(provenant_ledger::BatchConfig {
        batch_budget: std::time::Duration::from_millis(200),
        ..Default::default()
    });
    let ledger = Ledger::open(store.clone(), log_key(), config).unwrap();
    let before = ledger.design(&design).unwrap().answer.state;
    assert_eq!(before.owners.len(), MAX_OWNERS);
    let other = ledger
        .enqueue(register(b"bystander", &[(&key(2), 1_000_000)]))
        .unwrap();
    let past = ledger
        .enqueue(transfer(&newcomer(MAX_OWNERS), prev))
        .unwrap();
    let third = ledger
        .enqueue(register(b"another", &[(&key(3), 1_000_000)]))
        .unwrap();
    let (r1, _) = other.blocking_recv().unwrap().unwrap();
    let refused = past.blocking_recv().unwrap().unwrap_err();
    let (r3, _) = third.blocking_recv().unwrap().unwrap();
    assert!(
        matches!(&refused, SubmitError::Rejected(e) if e.code() == "too-many-owners"),
        "{refused}"
    );
    assert_eq!(r1.checkpoint, r3.checkpoint, "one batch");
    verify(&ledger, &r1);
    verify(&ledger, &r3);
    assert_eq!(ledger.design(&design).unwrap().answer.state, before);
}
