//! Answers that prove themselves: every answer computed from the state
//! carries the records it rests on with their proofs in the state map,
//! under the log's latest `state.commit`, and the client recomputes it with
//! the model's own functions. A server that leaves out a revocation, a
//! dispute, a usage record or a grant, or serves an old record, is caught.

mod support;

use ed25519_dalek::SigningKey;
use provenant_api::routes::{design_path, grant_path};
use provenant_api::{Proven, VerifyError};
use provenant_model::statemap::StateKey;
use provenant_model::{
    DesignId, Entry, GrantState, Kind, LicenseAnswer, Reason, Replay, StateView as _,
};
use provenant_testkit::{envelope, terms};
use provenant_tlog::NoteVerifier;
use serde_json::{Value, json};
use support::*;

/// A world: alice's parent design, bob's derivative of it under a grant,
/// and a brand licensed on the derivative with a unit cap.
struct World {
    server: Server,
    verifier: NoteVerifier,
    parent: DesignId,
    child: DesignId,
    brand: SigningKey,
    brand_grant: provenant_model::Envelope,
}

fn world(dir: &std::path::Path) -> World {
    let server = Server::start(dir, &[]);
    let (_, verifier) = server.log_key();
    let (alice, bob, brand) = (key(1), key(2), key(3));
    let parent = design_of(b"parent charm");
    server.write(&register(b"parent charm", &[(&alice, 1_000_000)]));
    let derive = provenant_testkit::grant(parent, &bob, &[&alice], &terms());
    server.write(&derive);
    let mut env = register(b"child charm", &[(&bob, 1_000_000)]).to_value();
    env["payload"]["parents"] = json!([{"design": parent, "grant": grant_id(&derive)}]);
    server.write(&envelope(
        Kind::DesignRegister,
        env["payload"].clone(),
        &[&bob],
    ));
    let child = design_of(b"child charm");
    let mut t = terms();
    t["max_units"] = json!(100);
    let brand_grant = provenant_testkit::grant(child, &brand, &[&bob], &t);
    server.write(&brand_grant);
    World {
        server,
        verifier,
        parent,
        child,
        brand,
        brand_grant,
    }
}

fn usage(
    grant: &provenant_model::Envelope,
    quantity: u64,
    signer: &SigningKey,
) -> provenant_model::Envelope {
    envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(grant), "quantity": quantity, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": format!("run-{quantity}")}),
        &[signer],
    )
}

fn question(w: &World, quantity: u64) -> provenant_model::LicenseQuery {
    check(w.child, &w.brand, "FR", "2026-03-01T00:00:00Z", quantity)
}

/// An answer as a lying server would serve it: `lie` edits its JSON.
fn tampered(answer: &Proven<LicenseAnswer>, lie: impl FnOnce(&mut Value)) -> Proven<LicenseAnswer> {
    let mut json = serde_json::to_value(answer).unwrap();
    lie(&mut json);
    serde_json::from_value(json).unwrap()
}

/// The index of the record about `key` in an answer's JSON.
fn record_index(json: &Value, key: &StateKey) -> usize {
    let key = serde_json::to_value(key).unwrap();
    json["state"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no record of {key} in the answer"))
}

fn refused(answer: &Proven<LicenseAnswer>, w: &World, q: &provenant_model::LicenseQuery) -> String {
    match answer.verify_state(&w.verifier, q) {
        Ok(_) => panic!("a tampered answer verified"),
        Err(
            e @ (VerifyError::State { .. }
            | VerifyError::Differs { .. }
            | VerifyError::Unproven { .. }),
        ) => e.to_string(),
        Err(e) => panic!("refused for an unexpected reason: {e}"),
    }
}

#[test]
fn every_answer_recomputes_from_its_proven_state() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path());
    w.server.write(&usage(&w.brand_grant, 40, &w.brand));

    let q = question(&w, 10);
    let answer = w.server.post::<CheckLicense>(&q);
    assert!(answer.answer.allowed, "{:?}", answer.answer);
    assert_eq!(answer.answer.units_remaining, Some(60));
    let (checkpoint, proven) = answer.verify_state(&w.verifier, &q).unwrap();
    // The design and its ancestor, the licensee's grants on it, the grant.
    assert!(proven.design(&w.child).unwrap().is_some());
    assert!(proven.design(&w.parent).unwrap().is_some());
    assert_eq!(
        proven
            .grant(&grant_id(&w.brand_grant))
            .unwrap()
            .map(|g| g.units_used),
        Some(40)
    );
    let state = answer.state.as_ref().unwrap();
    assert_eq!(state.commit.index + 1, checkpoint.size.0, "the last entry");

    // A brand with no grant: "no" is proven by the absence of its grants.
    let stranger = check(w.child, &key(9), "FR", "2026-03-01T00:00:00Z", 1);
    let no = w.server.post::<CheckLicense>(&stranger);
    assert_eq!(no.answer.reasons, [Reason::NoGrant]);
    no.verify_state(&w.verifier, &stranger).unwrap();

    // An unknown design: proven unregistered.
    let unknown = check(
        design_of(b"never"),
        &w.brand,
        "FR",
        "2026-03-01T00:00:00Z",
        1,
    );
    let no = w.server.post::<CheckLicense>(&unknown);
    assert_eq!(no.answer.reasons, [Reason::UnknownDesign]);
    let (_, proven) = no.verify_state(&w.verifier, &unknown).unwrap();
    assert_eq!(proven.design(&design_of(b"never")).unwrap(), None);

    // A design, a grant and a split verify the same way.
    let design = w.server.get::<GetDesign>(&design_path(&w.child));
    design.verify_state(&w.verifier, &()).unwrap();
    let grant = w
        .server
        .get::<GetGrant>(&grant_path(&grant_id(&w.brand_grant)));
    grant.verify_state(&w.verifier, &()).unwrap();
    let request = split(w.child, 1_000_000, "EUR");
    let paid = w.server.post::<SplitRoyalty>(&request);
    paid.verify_state(&w.verifier, &request).unwrap();

    // An auditor's replay of the whole log checks every commitment, with
    // the server's arbiter (see `Server::start`) and the log's key.
    let size = w.server.log_info().size;
    let mut replay = Replay::new(
        vec![id(&key(250))],
        provenant_model::Identity::from_key(w.verifier.key()).unwrap(),
    );
    let entry = |index: u64| {
        let e = w.server.get::<GetEntry>(&entry_path(index));
        Entry::from_leaf_bytes(&serde_jcs::to_vec(&e.entry).unwrap()).unwrap()
    };
    for index in 0..size {
        replay
            .apply(&entry(index))
            .unwrap_or_else(|e| panic!("entry {index}: {e}"));
    }
    assert_eq!(entry(size - 1).envelope.kind(), Kind::StateCommit);
}

#[test]
fn a_server_that_hides_a_revocation_or_serves_an_old_record_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path());
    let q = question(&w, 10);
    let before = w.server.post::<CheckLicense>(&q);
    assert!(before.answer.allowed);

    w.server.write(&envelope(
        Kind::LicenseRevoke,
        json!({"grant": grant_id(&w.brand_grant), "reason": "unpaid invoices"}),
        &[&key(2)],
    ));
    let after = w.server.post::<CheckLicense>(&q);
    assert_eq!(after.answer.reasons, [Reason::Revoked]);
    after.verify_state(&w.verifier, &q).unwrap();

    // "Yes" instead of "revoked", on the current proofs: recomputed, it differs.
    let lie = tampered(&after, |j| {
        j["allowed"] = json!(true);
        j["reasons"] = json!([]);
    });
    assert!(refused(&lie, &w, &q).contains("not what the proven state gives"));

    // The grant's record from before the revocation: its proof fails.
    let grant = StateKey::Grant {
        grant: grant_id(&w.brand_grant),
    };
    let old = serde_json::to_value(&before).unwrap();
    let lie = tampered(&after, |j| {
        let i = record_index(j, &grant);
        let o = record_index(&old, &grant);
        j["state"]["records"][i]["record"] = old["state"]["records"][o]["record"].clone();
        j["allowed"] = json!(true);
        j["reasons"] = json!([]);
    });
    assert!(refused(&lie, &w, &q).contains("does not verify under the committed state root"));

    // The whole old answer's state under the new checkpoint: its
    // commitment is not the last entry of the tree.
    let lie = tampered(&after, |j| {
        j["state"] = old["state"].clone();
        j["allowed"] = json!(true);
        j["reasons"] = json!([]);
    });
    assert!(refused(&lie, &w, &q).contains("not the last entry"));
}

#[test]
fn a_server_that_hides_a_dispute_a_usage_record_or_a_grant_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path());
    let q = question(&w, 70);
    let before = w.server.post::<CheckLicense>(&q);
    assert!(before.answer.allowed);
    let old = serde_json::to_value(&before).unwrap();

    // 40 units used: 70 more exceed the cap of 100.
    w.server.write(&usage(&w.brand_grant, 40, &w.brand));
    let capped = w.server.post::<CheckLicense>(&q);
    assert_eq!(capped.answer.reasons, [Reason::UnitsExceeded]);
    let grant = StateKey::Grant {
        grant: grant_id(&w.brand_grant),
    };
    let lie = tampered(&capped, |j| {
        let i = record_index(j, &grant);
        j["state"]["records"][i]["record"]["units_used"] = json!(0);
        j["state"]["records"][i]["record"]
            .as_object_mut()
            .unwrap()
            .remove("last_usage");
        j["allowed"] = json!(true);
        j["reasons"] = json!([]);
        j["units_remaining"] = json!(100);
    });
    assert!(refused(&lie, &w, &q).contains("does not verify"));

    // A dispute on the ancestor: the parent's record cites it.
    w.server.write(&envelope(
        Kind::DisputeRaise,
        json!({"design": w.parent, "claim": "copied from my 2019 sketch",
               "evidence": "ab".repeat(32)}),
        &[&key(9)],
    ));
    let small = question(&w, 1);
    let disputed = w.server.post::<CheckLicense>(&small);
    assert!(disputed.answer.reasons.contains(&Reason::AncestorDisputed));
    let (_, proven) = disputed.verify_state(&w.verifier, &small).unwrap();
    assert!(proven.design(&w.parent).unwrap().unwrap().is_disputed());

    // Leaving the ancestor out: the answer no longer proves what it needs.
    let parent = StateKey::Design { design: w.parent };
    let lie = tampered(&disputed, |j| {
        let i = record_index(j, &parent);
        j["state"]["records"].as_array_mut().unwrap().remove(i);
    });
    assert!(refused(&lie, &w, &small).contains("does not prove design"));

    // The ancestor's record from before the dispute: its proof fails.
    let lie = tampered(&disputed, |j| {
        let i = record_index(j, &parent);
        let o = record_index(&old, &parent);
        j["state"]["records"][i]["record"] = old["state"]["records"][o]["record"].clone();
    });
    assert!(refused(&lie, &w, &small).contains("does not verify"));

    // Hiding the brand's grant: its list claimed absent.
    let list = StateKey::Licensee {
        design: w.child,
        licensee: id(&w.brand),
    };
    let lie = tampered(&disputed, |j| {
        let i = record_index(j, &list);
        j["state"]["records"][i]["record"] = Value::Null;
    });
    assert!(refused(&lie, &w, &small).contains("absence"));
}

#[test]
fn a_grant_answer_is_its_proven_record() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path());
    w.server.write(&usage(&w.brand_grant, 5, &w.brand));
    let answer = w
        .server
        .get::<GetGrant>(&grant_path(&grant_id(&w.brand_grant)));
    let (_, proven) = answer.verify_state(&w.verifier, &()).unwrap();
    let record: GrantState = proven.grant(&answer.answer.id).unwrap().unwrap();
    assert_eq!(record.units_used, 5);
    assert!(
        record.last_usage.is_some(),
        "the latest usage entry is named"
    );

    let mut lie = answer.clone();
    lie.answer.units_used = 0;
    assert!(matches!(
        lie.verify_state(&w.verifier, &()),
        Err(VerifyError::Differs { .. })
    ));
}
