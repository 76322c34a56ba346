//! Rules of grants, usage, transfers, revocations, disputes, rotations and
//! encodings. Each refusal is checked to leave the state unchanged.

#![allow(clippy::many_single_char_names)] // Keys a, b, c... read best as in the brief.

mod support;

use provenant_model::{Entry, Envelope, LeafHash, MemoryState, Payload, StateView};
use serde_json::json;
use support::{World, arbiter, envelope, grant_json, id, idt, key, register_json, terms, with};

fn usage(grant: provenant_model::GrantId, quantity: u64) -> serde_json::Value {
    json!({"grant": grant, "quantity": quantity, "territory": "FR", "channel": "online",
           "category": "footwear", "batch_ref": "B-1"})
}

#[test]
fn grant_rules() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    let g = grant_json(d, &c, &terms());
    w.refuse("license.grant", g.clone(), &[&a, &b], "missing-signature");
    let e = w.refuse("license.grant", g.clone(), &[&a, &c], "threshold-not-met");
    assert!(matches!(
        e,
        provenant_model::RuleError::ThresholdNotMet {
            have_ppm: 600_000,
            need_ppm: 1_000_000,
            ..
        }
    ));
    w.refuse(
        "license.grant",
        g.clone(),
        &[&a, &b, &c, &key(9)],
        "unexpected-signer",
    );
    w.refuse(
        "license.grant",
        grant_json(support::design_of(b"none"), &c, &terms()),
        &[&a, &b, &c],
        "design-not-found",
    );
    for (extra, code) in [
        (
            json!({"ends_at": "2024-01-01T00:00:00Z"}),
            "terms-inconsistent",
        ),
        (json!({"commercial_use": false}), "terms-inconsistent"),
        (json!({"territories": ["FR", "FR"]}), "duplicate-item"),
        (json!({"territories": ["XX"]}), "malformed"),
        (json!({"channels": ["Online"]}), "unknown-label"),
        (json!({"categories": ["shoes-and-boots"]}), "unknown-label"),
        (
            json!({"max_units": 9_007_199_254_740_992_u64}),
            "number-out-of-range",
        ),
        (
            json!({"royalty": {"policy": "XYZ", "rev_share_ppm": 1}}),
            "malformed",
        ),
    ] {
        w.refuse(
            "license.grant",
            grant_json(d, &c, &with(&terms(), &extra)),
            &[&a, &b, &c],
            code,
        );
    }
    w.submit("license.grant", g, &[&a, &b, &c]).unwrap();
}

#[test]
fn threshold_below_full_ownership() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let mut reg = register_json(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    reg["license_threshold_ppm"] = json!(500_000);
    w.submit("design.register", reg, &[&a, &b]).unwrap();
    let d = support::design_of(b"d");
    w.refuse(
        "license.grant",
        grant_json(d, &c, &terms()),
        &[&b, &c],
        "threshold-not-met",
    );
    w.grant(d, &[&a], &c, &terms());
}

#[test]
fn exclusive_grants_conflict_with_overlaps() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let excl = with(
        &terms(),
        &json!({"exclusive": true, "territories": ["FR"], "channels": ["online"]}),
    );
    w.grant(d, &[&a], &b, &excl);
    // Overlapping: worldwide, any channel.
    w.refuse(
        "license.grant",
        grant_json(d, &c, &terms()),
        &[&a, &c],
        "exclusive-conflict",
    );
    // Same territory, other channel: no overlap.
    w.grant(
        d,
        &[&a],
        &c,
        &with(
            &terms(),
            &json!({"territories": ["FR"], "channels": ["retail"]}),
        ),
    );
    // Another exclusive grant after the first one ends: no overlap in time.
    let later = with(&excl, &json!({"starts_at": "2030-01-01T00:00:00Z"}));
    let mut w2 = World::new();
    let d2 = w2.register(b"d", &[(&a, 1_000_000)], &[]);
    w2.grant(
        d2,
        &[&a],
        &b,
        &with(&excl, &json!({"ends_at": "2030-01-01T00:00:00Z"})),
    );
    w2.grant(d2, &[&a], &c, &later);
}

#[test]
fn a_revoked_exclusive_grant_no_longer_blocks() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let excl = w.grant(d, &[&a], &b, &with(&terms(), &json!({"exclusive": true})));
    assert_eq!(w.state.exclusive_grants_of(&d).unwrap(), vec![excl]);
    w.refuse(
        "license.grant",
        grant_json(d, &c, &terms()),
        &[&a, &c],
        "exclusive-conflict",
    );
    w.submit(
        "license.revoke",
        json!({"grant": excl, "reason": "ended early"}),
        &[&a],
    )
    .unwrap();
    assert!(w.state.exclusive_grants_of(&d).unwrap().is_empty());
    w.grant(d, &[&a], &c, &terms());
}

/// The attack: an exclusive grant for `retail`/`footwear`, then a second
/// grant to someone else for `retail-stores`/`foot-wear`, which compared
/// unequal as free-form labels and so did not overlap.
#[test]
fn respelled_channels_and_categories_are_refused_not_treated_as_new_scope() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let scope = json!({"exclusive": true, "channels": ["retail"], "categories": ["footwear"]});
    w.grant(d, &[&a], &b, &with(&terms(), &scope));
    for (respelled, field) in [
        (
            json!({"channels": ["retail-stores"], "categories": ["footwear"]}),
            "terms.channels[0]",
        ),
        (
            json!({"channels": ["retail"], "categories": ["foot-wear"]}),
            "terms.categories[0]",
        ),
    ] {
        let e = w.refuse(
            "license.grant",
            grant_json(d, &c, &with(&terms(), &respelled)),
            &[&a, &c],
            "unknown-label",
        );
        assert_eq!(e.field(), Some(field));
        assert!(e.to_string().contains("allowed: "), "{e}");
    }
    // Usage records are held to the same vocabulary.
    let e = w.register(b"e", &[(&a, 1_000_000)], &[]);
    let g = w.grant(e, &[&a], &b, &terms());
    let e = w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"category": "foot-wear"})),
        &[&b],
        "unknown-label",
    );
    assert_eq!(e.field(), Some("category"));
}

#[test]
fn exclusive_overlap_follows_the_category_hierarchy() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    w.grant(
        d,
        &[&a],
        &b,
        &with(
            &terms(),
            &json!({"exclusive": true, "categories": ["apparel"]}),
        ),
    );
    // A child category of the exclusive parent overlaps it, and so does
    // a grant to all categories.
    for categories in [json!(["footwear"]), json!(["watches"]), json!([])] {
        w.refuse(
            "license.grant",
            grant_json(d, &c, &with(&terms(), &json!({"categories": categories}))),
            &[&a, &c],
            "exclusive-conflict",
        );
    }
    // Another top level does not.
    w.grant(
        d,
        &[&a],
        &c,
        &with(&terms(), &json!({"categories": ["bags"]})),
    );

    // The other way round: an exclusive child blocks its parent.
    let d2 = w.register(b"d2", &[(&a, 1_000_000)], &[]);
    w.grant(
        d2,
        &[&a],
        &b,
        &with(
            &terms(),
            &json!({"exclusive": true, "categories": ["footwear"]}),
        ),
    );
    w.refuse(
        "license.grant",
        grant_json(d2, &c, &with(&terms(), &json!({"categories": ["apparel"]}))),
        &[&a, &c],
        "exclusive-conflict",
    );
    w.grant(
        d2,
        &[&a],
        &c,
        &with(&terms(), &json!({"categories": ["jewelry"]})),
    );
}

#[test]
fn a_parent_category_grant_covers_usage_under_its_children() {
    let (a, b) = (key(1), key(2));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let g = w.grant(
        d,
        &[&a],
        &b,
        &with(&terms(), &json!({"categories": ["apparel"]})),
    );
    for (i, category) in ["apparel", "footwear", "watches"].iter().enumerate() {
        let run = json!({"category": category, "batch_ref": format!("B-{i}")});
        w.submit("usage.record", with(&usage(g, 1), &run), &[&b])
            .unwrap();
    }
    w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"category": "bags"})),
        &[&b],
        "category-not-licensed",
    );
    // A child's grant does not cover its parent.
    let g2 = w.grant(
        d,
        &[&a],
        &b,
        &with(&terms(), &json!({"categories": ["footwear"]})),
    );
    w.refuse(
        "usage.record",
        with(&usage(g2, 1), &json!({"category": "apparel"})),
        &[&b],
        "category-not-licensed",
    );
}

#[test]
fn usage_rules_and_units() {
    let (a, b) = (key(1), key(2));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let scoped = with(
        &terms(),
        &json!({"territories": ["FR"], "channels": ["online"],
        "categories": ["footwear"], "max_units": 100}),
    );
    let g = w.grant(d, &[&a], &b, &scoped);
    w.refuse("usage.record", usage(g, 0), &[&b], "quantity-zero");
    w.refuse("usage.record", usage(g, 1), &[&a], "missing-signature");
    w.refuse("usage.record", usage(g, 1), &[&b, &a], "unexpected-signer");
    w.refuse(
        "usage.record",
        usage(provenant_model::GrantId([1; 32]), 1),
        &[&b],
        "grant-not-found",
    );
    w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"territory": "DE"})),
        &[&b],
        "territory-not-licensed",
    );
    w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"channel": "retail"})),
        &[&b],
        "channel-not-licensed",
    );
    w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"category": "bags"})),
        &[&b],
        "category-not-licensed",
    );
    w.refuse(
        "usage.record",
        with(&usage(g, 1), &json!({"batch_ref": ""})),
        &[&b],
        "text-length",
    );
    w.submit("usage.record", usage(g, 60), &[&b]).unwrap();
    let e = w.refuse("usage.record", usage(g, 41), &[&b], "units-exceeded");
    assert!(matches!(
        e,
        provenant_model::RuleError::UnitsExceeded {
            used: 60,
            requested: 41,
            max: 100
        }
    ));
    w.submit(
        "usage.record",
        with(&usage(g, 40), &json!({"batch_ref": "B-2"})),
        &[&b],
    )
    .unwrap();
    assert_eq!(w.state.grant(&g).unwrap().unwrap().units_used, 100);
}

#[test]
fn usage_window_revocation_and_disputes() {
    let (a, b, c) = (key(1), key(2), key(3));
    for (extra, code) in [
        (
            json!({"starts_at": "2030-01-01T00:00:00Z"}),
            "grant-not-yet-valid",
        ),
        (json!({"ends_at": "2025-06-01T00:00:00Z"}), "grant-expired"),
    ] {
        let mut w = World::new();
        let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
        let g = w.grant(d, &[&a], &b, &with(&terms(), &extra));
        w.refuse("usage.record", usage(g, 1), &[&b], code);
    }
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let g = w.grant(d, &[&a], &b, &terms());
    let child = w.register(b"child", &[(&b, 1_000_000)], &[(d, g)]);
    let gc = w.grant(child, &[&b], &c, &terms());
    w.submit(
        "dispute.raise",
        json!({"design": d, "claim": "copy", "evidence": "11".repeat(32)}),
        &[&c],
    )
    .unwrap();
    w.refuse("usage.record", usage(g, 1), &[&b], "design-disputed");
    w.refuse("usage.record", usage(gc, 1), &[&c], "ancestor-disputed");
    w.refuse(
        "license.grant",
        grant_json(d, &c, &terms()),
        &[&a, &c],
        "design-disputed",
    );
    // Revocation still works on a disputed design.
    w.submit(
        "license.revoke",
        json!({"grant": g, "reason": "dispute"}),
        &[&a],
    )
    .unwrap();
    w.refuse(
        "license.revoke",
        json!({"grant": g, "reason": "again"}),
        &[&a],
        "grant-revoked",
    );
}

#[test]
fn revocation_rules() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    let g = w.grant(d, &[&a, &b], &c, &terms());
    let rv = json!({"grant": g, "reason": "breach"});
    w.refuse("license.revoke", rv.clone(), &[&a], "threshold-not-met");
    w.refuse("license.revoke", rv.clone(), &[], "no-signatures");
    w.refuse(
        "license.revoke",
        rv.clone(),
        &[&key(9)],
        "unexpected-signer",
    );
    w.refuse(
        "license.revoke",
        json!({"grant": provenant_model::GrantId([3; 32]), "reason": "x"}),
        &[&a, &b],
        "grant-not-found",
    );
    w.refuse(
        "license.revoke",
        json!({"grant": g, "reason": ""}),
        &[&a, &b],
        "text-length",
    );
    // The licensee releases alone.
    w.submit("license.revoke", rv, &[&c]).unwrap();
    let state = w.state.grant(&g).unwrap().unwrap();
    assert_eq!(
        state.revoked.unwrap().by,
        provenant_model::state::RevokedBy::Licensee
    );
    w.refuse("usage.record", usage(g, 1), &[&c], "grant-revoked");
}

#[test]
fn transfer_rules() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    let prev = w.state.design(&d).unwrap().unwrap().ownership.leaf_hash;
    let t = |from: serde_json::Value, to: &ed25519_dalek::SigningKey, prev: LeafHash| json!({"design": d, "from": from, "to": idt(to), "prev": prev});
    let give = json!([{"key": idt(&a), "share_ppm": 100_000}]);
    let e = w.refuse(
        "ownership.transfer",
        t(give.clone(), &c, LeafHash([0; 32])),
        &[&a, &c],
        "stale-prev",
    );
    assert_eq!(e.field(), Some("prev"));
    w.refuse(
        "ownership.transfer",
        t(give.clone(), &c, prev),
        &[&a],
        "missing-signature",
    );
    w.refuse(
        "ownership.transfer",
        t(give.clone(), &a, prev),
        &[&a],
        "self-transfer",
    );
    w.refuse(
        "ownership.transfer",
        t(json!([]), &c, prev),
        &[&c],
        "empty-list",
    );
    w.refuse(
        "ownership.transfer",
        t(json!([{"key": idt(&a), "share_ppm": 700_000}]), &c, prev),
        &[&a, &c],
        "insufficient-shares",
    );
    w.refuse(
        "ownership.transfer",
        t(json!([{"key": idt(&c), "share_ppm": 1}]), &b, prev),
        &[&c, &b],
        "insufficient-shares",
    );
    let entry = w
        .submit("ownership.transfer", t(give.clone(), &c, prev), &[&a, &c])
        .unwrap();
    let state = w.state.design(&d).unwrap().unwrap();
    assert_eq!(state.ownership.leaf_hash, entry.leaf_hash());
    assert_eq!(state.share_of(&id(&a)).get(), 500_000);
    assert_eq!(state.share_of(&id(&c)).get(), 100_000);
    // The same transfer again names a stale prev (and would be a duplicate).
    w.refuse(
        "ownership.transfer",
        t(give, &c, prev),
        &[&a, &c],
        "duplicate-entry",
    );
    // Giving everything removes the owner.
    let prev = entry.leaf_hash();
    w.submit(
        "ownership.transfer",
        t(json!([{"key": idt(&b), "share_ppm": 400_000}]), &c, prev),
        &[&b, &c],
    )
    .unwrap();
    let state = w.state.design(&d).unwrap().unwrap();
    assert_eq!(state.owners.len(), 2);
    assert!(w.state.designs_owned_by(&id(&b)).unwrap().is_empty());
}

#[test]
fn key_rotation() {
    let (a, b, c, n) = (key(1), key(2), key(3), key(4));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    let g = w.grant(d, &[&a, &b], &c, &terms());
    let rot = |old: &ed25519_dalek::SigningKey, new: &ed25519_dalek::SigningKey| json!({"old": idt(old), "new": idt(new)});
    w.refuse("key.rotate", rot(&a, &a), &[&a], "rotation-same-key");
    w.refuse("key.rotate", rot(&a, &n), &[&a], "missing-signature");
    w.refuse(
        "key.rotate",
        rot(&a, &b),
        &[&a, &b],
        "rotation-target-in-use",
    );
    let entry = w.submit("key.rotate", rot(&a, &n), &[&a, &n]).unwrap();
    let state = w.state.design(&d).unwrap().unwrap();
    assert_eq!(state.share_of(&id(&n)).get(), 600_000);
    assert_eq!(state.ownership.leaf_hash, entry.leaf_hash());
    // The old key can no longer sign anything.
    w.refuse(
        "license.grant",
        grant_json(d, &key(5), &terms()),
        &[&a, &b, &key(5)],
        "key-retired",
    );
    w.refuse(
        "key.rotate",
        rot(&a, &key(6)),
        &[&a, &key(6)],
        "key-retired",
    );
    w.refuse(
        "key.rotate",
        rot(&key(7), &a),
        &[&key(7), &a],
        "key-retired",
    );
    // The new key signs in its place; grants follow the licensee's rotation.
    w.grant(d, &[&n, &b], &key(5), &terms());
    w.submit("key.rotate", rot(&c, &key(8)), &[&c, &key(8)])
        .unwrap();
    assert_eq!(w.state.grant(&g).unwrap().unwrap().licensee, id(&key(8)));
    w.refuse("usage.record", usage(g, 1), &[&c], "key-retired");
    w.submit("usage.record", usage(g, 1), &[&key(8)]).unwrap();
}

#[test]
fn disputes_upheld_stay_blocking() {
    let (a, c) = (key(1), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let raise = json!({"design": d, "claim": "copy", "evidence": "22".repeat(32)});
    w.refuse("dispute.raise", raise.clone(), &[], "no-signatures");
    w.refuse(
        "dispute.raise",
        with(&raise, &json!({"design": support::design_of(b"?")})),
        &[&c],
        "design-not-found",
    );
    w.refuse(
        "dispute.raise",
        with(&raise, &json!({"evidence": "zz"})),
        &[&c],
        "malformed",
    );
    let raised = w.submit("dispute.raise", raise, &[&c]).unwrap();
    w.refuse(
        "dispute.resolve",
        json!({"dispute": provenant_model::DisputeId([0; 32]), "outcome": "upheld"}),
        &[&arbiter()],
        "dispute-not-found",
    );
    w.submit(
        "dispute.resolve",
        json!({"dispute": raised.envelope.id(), "outcome": "upheld"}),
        &[&arbiter()],
    )
    .unwrap();
    assert!(w.state.design(&d).unwrap().unwrap().is_disputed());
    w.refuse(
        "license.grant",
        grant_json(d, &c, &terms()),
        &[&a, &c],
        "design-disputed",
    );
}

#[test]
fn signatures_and_encodings() {
    let a = key(1);
    let mut w = World::new();
    let p = register_json(b"d", &[(&a, 1_000_000)], &[]);
    // Twice the same key.
    let mut env = envelope("design.register", p.clone(), &[&a]);
    let line = env.signatures()[0];
    let mut value = env.to_value();
    value["signatures"] = json!([line, line]);
    let doubled = Envelope::from_value(value).unwrap();
    assert_eq!(
        w.submit_envelope(doubled).unwrap_err().code(),
        "duplicate-signature"
    );
    // A signature over another kind does not verify.
    let mut other = envelope(
        "dispute.raise",
        json!({"design": support::design_of(b"d"), "claim": "x", "evidence": "00".repeat(32)}),
        &[&a],
    );
    env.push_signature(other.signatures()[0]);
    assert_eq!(
        w.submit_envelope(env).unwrap_err().code(),
        "signature-invalid"
    );
    other.sign(&a).unwrap();
    // Unknown kind and malformed JSON.
    assert_eq!(
        Envelope::from_json(b"{\"kind\":\"x.y\",\"payload\":{}}")
            .unwrap_err()
            .code(),
        "malformed"
    );
    assert_eq!(
        Envelope::from_json(b"not json").unwrap_err().code(),
        "malformed"
    );
}

#[test]
fn a_registration_is_read_back_alone_from_its_leaf_bytes() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    w.grant(d, &[&a, &b], &c, &terms());
    let registration = Entry::from_leaf_bytes(&w.leaves[0]).unwrap();
    let Payload::DesignRegister(full) = registration.envelope.payload() else {
        panic!("the first leaf is the registration");
    };
    assert_eq!(&Entry::registration_in(&w.leaves[0]).unwrap(), full);
    assert_eq!(full.content.blake3, d);
    // Any other kind of entry, or bytes that are not an entry, are refused.
    assert_eq!(
        Entry::registration_in(&w.leaves[1]).unwrap_err().code(),
        "malformed"
    );
    assert_eq!(
        Entry::registration_in(b"{}").unwrap_err().code(),
        "malformed"
    );
}

#[test]
fn leaf_bytes_are_canonical_and_replay_reproduces_the_state() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 600_000), (&b, 400_000)], &[]);
    let g = w.grant(d, &[&a, &b], &c, &terms());
    w.submit("usage.record", usage(g, 5), &[&c]).unwrap();
    for bytes in &w.leaves {
        let entry = Entry::from_leaf_bytes(bytes).unwrap();
        assert_eq!(&entry.leaf_bytes(), bytes);
        // The leaf bytes are exactly what serde_jcs makes of the entry.
        assert_eq!(&serde_jcs::to_vec(&entry.to_value()).unwrap(), bytes);
        // Any other encoding of the same entry is refused.
        let spaced = serde_json::to_vec_pretty(&entry.to_value()).unwrap();
        assert_eq!(
            Entry::from_leaf_bytes(&spaced).unwrap_err().code(),
            "non-canonical-entry"
        );
    }
    let replayed =
        MemoryState::replay(w.leaves.iter().map(Vec::as_slice), &w.arbiters, None).unwrap();
    assert_eq!(replayed, w.state);
    // An auditor replaying without the arbiter keys still agrees here, and a
    // tampered leaf is refused with its index.
    let mut bad = w.leaves.clone();
    bad[1] = bad[1]
        .clone()
        .into_iter()
        .map(|x| if x == b'5' { b'6' } else { x })
        .collect();
    let err = MemoryState::replay(bad.iter().map(Vec::as_slice), &w.arbiters, None).unwrap_err();
    assert_eq!(err.0, 1);
}
