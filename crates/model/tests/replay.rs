//! An auditor's replay rebuilds the state map and checks every
//! `state.commit`: one at its own index, signed by the log's key alone,
//! committing to the root of the state before it. A commitment that is
//! not is a finding at its index; the replay is then unchanged.

mod support;

use provenant_model::statemap::{StateKey, map_changes, record_of};
use provenant_model::{Entry, Envelope, Kind, Replay, RuleError, StateRoot, StateView as _};
use provenant_tlog::map::root_of;
use serde_json::json;
use support::*;

fn log() -> ed25519_dalek::SigningKey {
    key(200)
}

fn commit(root: StateRoot, size: u64, signers: &[&ed25519_dalek::SigningKey]) -> Envelope {
    envelope("state.commit", json!({"root": root, "size": size}), signers)
}

fn entry(env: Envelope, n: u64) -> Entry {
    let t =
        provenant_model::Timestamp::from_unix(1_767_225_600 + i64::try_from(n).unwrap()).unwrap();
    Entry::new(env, t)
}

/// A world's entries replayed with commitments after some of them.
#[test]
fn every_commitment_is_checked_against_the_rebuilt_map() {
    let mut w = World::new();
    let (alice, brand) = (key(1), key(3));
    let design = w.register(b"charm", &[(&alice, 1_000_000)], &[]);
    w.grant(design, &[&alice], &brand, &terms());
    let mut replay = Replay::new(vec![id(&arbiter())], id(&log()));
    let mut n = 0u64;
    for bytes in &w.leaves {
        replay
            .apply(&Entry::from_leaf_bytes(bytes).unwrap())
            .unwrap();
        n += 1;
    }
    let root = replay.root().unwrap();

    // The root is the map of every record, rebuilt from scratch.
    let state = replay.state();
    let mut keys = std::collections::BTreeSet::from([
        StateKey::Design { design },
        StateKey::Licensee {
            design,
            licensee: id(&brand),
        },
    ]);
    for g in state.grants() {
        keys.insert(StateKey::Grant { grant: g.id });
    }
    assert!(keys.iter().all(|k| record_of(state, k).unwrap().is_some()));
    let leaves = map_changes(state, &keys)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap()))
        .collect();
    assert_eq!(StateRoot::from(root_of(&leaves)), root);

    // Wrong root, wrong signer, two signers, wrong size: each refused,
    // each leaving the replay as it was.
    let mut other = root;
    other.0[0] ^= 1;
    let bad = [
        (commit(other, n, &[&log()]), "root"),
        (commit(root, n, &[&key(9)]), "alone"),
        (commit(root, n, &[&log(), &key(9)]), "alone"),
        (commit(root, n + 1, &[&log()]), "sits at index"),
    ];
    for (env, why) in bad {
        let err = replay.apply(&entry(env, n)).unwrap_err();
        assert!(
            matches!(&err, RuleError::StateCommitInvalid { detail } if detail.contains(why)),
            "{why}: {err}"
        );
        assert_eq!(replay.state().size(), n);
    }
    replay.apply(&entry(commit(root, n, &[&log()]), n)).unwrap();
    assert_eq!(replay.state().size(), n + 1);

    // A commitment changes no record, so the next one has the same root.
    replay
        .apply(&entry(commit(root, n + 1, &[&log()]), n + 1))
        .unwrap();
    assert!(replay.state().design(&design).unwrap().is_some());
}

#[test]
fn a_submitted_commitment_is_refused_before_its_signature_is_checked() {
    let env = commit(StateRoot([0; 32]), 0, &[&log()]);
    assert!(matches!(
        env.precheck(&[]),
        Err(RuleError::LogOnlyKind {
            kind: Kind::StateCommit
        })
    ));
}
