//! The state map in the store: committed after every batch that changes
//! the state, equal to an auditor's replay, and built for a store that
//! has none (a store from before the map, or one written without
//! commitments) before the log's first commitment.

mod support;

use provenant_api::verify::Recompute as _;
use provenant_ledger::store::{Batch, Read, Table};
use provenant_ledger::{BatchConfig, Ledger, Store};
use provenant_model::{
    Entry, GrantState, Kind, LicenseQuery, Payload, Replay, StateRoot, StateView as _,
};
use serde_json::json;
use support::*;

fn opened(store: &Disk, commit_state: bool) -> Ledger {
    Ledger::open(
        store.clone(),
        log_key(),
        config(BatchConfig {
            commit_state,
            ..BatchConfig::default()
        }),
    )
    .unwrap()
}

/// A small story: two designs, a grant, a production run, a revocation
/// of another grant, a dispute and a rotation of the brand's key.
fn story(ledger: &Ledger, round: u8) {
    let (alice, brand) = (key(1), key(3 + round));
    let content = [b'd', round];
    let design = design_of(&content);
    ledger
        .submit_blocking(register(&content, &[(&alice, 1_000_000)]))
        .unwrap();
    let g = grant(design, &brand, &[&alice], Some(100));
    ledger.submit_blocking(g.clone()).unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::UsageRecord,
            json!({"grant": grant_id(&g), "quantity": 7, "territory": "FR",
                   "channel": "retail", "category": "accessories", "batch_ref": "r"}),
            &[&brand],
        ))
        .unwrap();
    let other = grant(design, &key(40 + round), &[&alice], None);
    ledger.submit_blocking(other.clone()).unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::LicenseRevoke,
            json!({"grant": grant_id(&other), "reason": "ended"}),
            &[&alice],
        ))
        .unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::DisputeRaise,
            json!({"design": design, "claim": "mine", "evidence": "ab".repeat(32)}),
            &[&key(60 + round)],
        ))
        .unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::KeyRotate,
            json!({"old": id(&brand), "new": id(&key(80 + round))}),
            &[&brand, &key(80 + round)],
        ))
        .unwrap();
}

/// Replays the whole log, checking every commitment; the root after it.
fn replayed(ledger: &Ledger) -> StateRoot {
    let mut replay = Replay::new(vec![id(&key(250))], id(&log_key()));
    for index in 0..ledger.head().size.0 {
        let entry = Entry::from_leaf_bytes(&ledger.entry_bytes(index).unwrap()).unwrap();
        replay
            .apply(&entry)
            .unwrap_or_else(|e| panic!("entry {index}: {e}"));
    }
    replay.root().unwrap()
}

fn last_commitment(ledger: &Ledger) -> StateRoot {
    let last = ledger.head().size.0 - 1;
    let entry = Entry::from_leaf_bytes(&ledger.entry_bytes(last).unwrap()).unwrap();
    match entry.envelope.payload() {
        Payload::StateCommit(c) => {
            assert_eq!(c.size, last);
            c.root
        }
        other => panic!("the log ends with a {}", other.kind()),
    }
}

#[test]
fn every_batch_commits_to_the_state_a_replay_produces() {
    let store = Disk::default();
    let ledger = opened(&store, true);
    story(&ledger, 0);
    let root = last_commitment(&ledger);
    assert_eq!(ledger.state_root().unwrap(), root);
    assert_eq!(replayed(&ledger), root);

    // A reopened ledger neither rebuilds nor commits again.
    let size = ledger.head().size;
    ledger.close();
    drop(ledger);
    let again = opened(&store, true);
    assert_eq!(again.head().size, size);
    assert_eq!(again.state_root().unwrap(), root);
}

#[test]
fn a_submitted_state_commitment_is_refused() {
    let ledger = memory_ledger();
    ledger
        .submit_blocking(register(b"x", &[(&key(1), 1_000_000)]))
        .unwrap();
    let forged = envelope(
        Kind::StateCommit,
        json!({"root": "00".repeat(32), "size": 2}),
        &[&log_key()],
    );
    let err = ledger.submit_blocking(forged).unwrap_err();
    assert!(err.to_string().contains("only the log writes"), "{err}");
    assert_eq!(ledger.head().size.0, 2);
}

#[test]
fn a_store_without_commitments_gets_its_map_and_a_commitment_when_it_opens() {
    let store = Disk::default();
    let ledger = opened(&store, false);
    story(&ledger, 0);
    let size = ledger.head().size.0;
    ledger.close();
    drop(ledger);
    // As a store of format 3 was: no map, no grant's latest usage.
    let mut b = Batch::default();
    for (k, _) in store.scan(Table::Map, &[], None, usize::MAX).unwrap() {
        b.delete(Table::Map, k);
    }
    for (k, v) in store.scan(Table::Grants, &[], None, usize::MAX).unwrap() {
        let mut g: serde_json::Value = serde_json::from_slice(&v).unwrap();
        g.as_object_mut().unwrap().remove("last_usage");
        b.put(Table::Grants, k, serde_json::to_vec(&g).unwrap());
    }
    b.put(Table::Meta, b"format".to_vec(), 3u64.to_be_bytes().to_vec());
    store.write(b).unwrap();

    let ledger = opened(&store, true);
    assert_eq!(ledger.head().size.0, size + 1, "one commitment, at the end");
    let root = last_commitment(&ledger);
    assert_eq!(replayed(&ledger), root, "the rebuilt map is the replay's");
    let grant = ledger
        .store()
        .scan(Table::Grants, &[], None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, v)| serde_json::from_slice::<GrantState>(&v).unwrap())
        .find(|g| g.units_used > 0)
        .unwrap();
    assert!(
        grant.last_usage.is_some(),
        "the usage entry was found again"
    );

    // Its answers prove the state from now on.
    let answer = ledger.grant(&grant.id).unwrap();
    let state = answer.state.as_ref().expect("a proven state");
    assert_eq!(state.commit.index, size);
    let log = provenant_tlog::NoteVerifier::new(ORIGIN, log_key().verifying_key()).unwrap();
    let (_, proven) = answer.verify_state(&log, &()).unwrap();
    answer.answer.recompute(&proven, &()).unwrap();

    // Written again without commitments, the map goes stale; the next
    // opening rebuilds it before committing.
    ledger.close();
    drop(ledger);
    let off = opened(&store, false);
    story(&off, 1);
    off.close();
    drop(off);
    let on = opened(&store, true);
    assert_eq!(replayed(&on), last_commitment(&on));
    let q = LicenseQuery {
        design: design_of(&[b'd', 1]),
        licensee: id(&key(81)),
        action: provenant_model::Action::Commercial,
        territory: "FR".parse().unwrap(),
        channel: "retail".parse().unwrap(),
        category: "accessories".parse().unwrap(),
        date: "2026-03-01T00:00:00Z".parse().unwrap(),
        quantity: 1,
    };
    let check = on.license_check(&q).unwrap();
    let (_, proven) = check.verify_state(&log, &q).unwrap();
    assert!(proven.design(&q.design).unwrap().unwrap().is_disputed());
}
