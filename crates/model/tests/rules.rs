//! Every rule: a bad entry is refused with its own code and leaves the state
//! unchanged (checked by `World::submit_envelope`), and the good paths apply.

#![allow(clippy::many_single_char_names)] // Keys a, b, c... read best as in the brief.

mod support;

use provenant_model::state::Change;
use provenant_model::{
    Changes, Context, DesignState, Entry, GrantId, MemoryState, StateView, apply,
};
use serde_json::json;
use support::{
    World, arbiter, design_of, envelope, grant_json, id, idt, key, register_json, terms, with,
};

#[test]
fn co_created_design_registers_and_duplicate_content_points_to_the_first() {
    let (alice, bob) = (key(1), key(2));
    let mut w = World::new();
    let d = w.register(b"charm", &[(&alice, 600_000), (&bob, 400_000)], &[]);
    let state = w.state.design(&d).unwrap().unwrap();
    assert_eq!(state.owners.len(), 2);
    assert_eq!(state.share_of(&id(&alice)).get(), 600_000);
    let carol = key(3);
    let e = w.refuse(
        "design.register",
        register_json(b"charm", &[(&carol, 1_000_000)], &[]),
        &[&carol],
        "duplicate-content",
    );
    assert!(matches!(
        e,
        provenant_model::RuleError::DuplicateContent { index: 0, .. }
    ));
    assert_eq!(e.field(), Some("content.blake3"));
}

#[test]
fn registration_payload_rules() {
    let (a, b) = (key(1), key(2));
    let mut w = World::new();
    let base = register_json(b"x", &[(&a, 600_000), (&b, 400_000)], &[]);
    let cases = [
        (
            json!({"creators": [{"key": idt(&a), "share_ppm": 600_000, "role": "designer"}, {"key": idt(&b), "share_ppm": 300_000, "role": "designer"}]}),
            "shares-sum",
        ),
        (
            json!({"creators": [{"key": idt(&a), "share_ppm": 1_000_000, "role": "designer"}, {"key": idt(&b), "share_ppm": 0, "role": "designer"}]}),
            "share-not-positive",
        ),
        (
            json!({"creators": [{"key": idt(&a), "share_ppm": 500_000, "role": "designer"}, {"key": idt(&a), "share_ppm": 500_000, "role": "designer"}]}),
            "duplicate-creator",
        ),
        (json!({"creators": []}), "empty-list"),
        (json!({"title": ""}), "text-length"),
        (json!({"title": "x".repeat(201)}), "text-length"),
        (json!({"license_threshold_ppm": 0}), "threshold-range"),
        (json!({"license_threshold_ppm": 1_000_001}), "malformed"),
        (json!({"extra": 1}), "malformed"),
        (json!({"title": 5}), "malformed"),
        (
            json!({"ai": {"digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/madeUp"}}),
            "malformed",
        ),
    ];
    for (extra, code) in cases {
        w.refuse("design.register", with(&base, &extra), &[&a, &b], code);
    }
    // More than 64 creators.
    let keys: Vec<_> = (0..65u8).map(|i| key(100 + i)).collect();
    let mut creators: Vec<(&ed25519_dalek::SigningKey, u32)> =
        keys.iter().map(|k| (k, 15_384)).collect();
    creators[0].1 = 1_000_000 - 15_384 * 64;
    let signers: Vec<_> = keys.iter().collect();
    w.refuse(
        "design.register",
        register_json(b"y", &creators, &[]),
        &signers,
        "too-many-items",
    );
}

#[test]
fn registration_needs_every_creator_and_nobody_else() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let p = register_json(b"x", &[(&a, 600_000), (&b, 400_000)], &[]);
    let e = w.refuse("design.register", p.clone(), &[&a], "missing-signature");
    assert_eq!(e.field(), Some("signatures"));
    w.refuse(
        "design.register",
        p.clone(),
        &[&a, &b, &c],
        "unexpected-signer",
    );
    // A signature made over another payload does not verify.
    let mut env = envelope("design.register", p.clone(), &[&a]);
    let other = envelope(
        "design.register",
        with(&p, &json!({"title": "other"})),
        &[&b],
    );
    env.push_signature(other.signatures()[0]);
    assert_eq!(
        w.submit_envelope(env).unwrap_err().code(),
        "signature-invalid"
    );
    w.submit("design.register", p, &[&a, &b]).unwrap();
}

#[test]
fn duplicate_envelope_is_refused_with_the_original_index() {
    let a = key(1);
    let mut w = World::new();
    let p = register_json(b"x", &[(&a, 1_000_000)], &[]);
    w.submit("design.register", p.clone(), &[&a]).unwrap();
    let e = w.refuse("design.register", p, &[&a], "duplicate-entry");
    assert!(matches!(
        e,
        provenant_model::RuleError::DuplicateEntry { index: 0, .. }
    ));
}

/// A parent design P owned by `a`, and a grant on it to `b`.
fn parent_world(extra_terms: &serde_json::Value) -> (World, provenant_model::DesignId, GrantId) {
    let (a, b) = (key(1), key(2));
    let mut w = World::new();
    let p = w.register(b"parent", &[(&a, 1_000_000)], &[]);
    let g = w.grant(p, &[&a], &b, &with(&terms(), extra_terms));
    (w, p, g)
}

#[test]
fn derivative_rules() {
    let (a, b, c) = (key(1), key(2), key(3));
    let (mut w, p, g) = parent_world(&json!({}));
    let reg = |parents: &[(provenant_model::DesignId, GrantId)]| {
        register_json(b"child", &[(&b, 1_000_000)], parents)
    };
    w.refuse(
        "design.register",
        reg(&[(design_of(b"nope"), g)]),
        &[&b],
        "parent-not-found",
    );
    w.refuse(
        "design.register",
        reg(&[(p, g), (p, g)]),
        &[&b],
        "duplicate-parent",
    );
    w.refuse(
        "design.register",
        reg(&[(p, GrantId([7; 32]))]),
        &[&b],
        "grant-not-found",
    );
    w.refuse(
        "design.register",
        reg(&[(design_of(b"child"), g)]),
        &[&b],
        "cycle",
    );
    let too_many: Vec<_> = (0..17u8).map(|i| (design_of(&[i]), g)).collect();
    w.refuse("design.register", reg(&too_many), &[&b], "too-many-parents");
    // The grant must be held by a creator.
    w.refuse(
        "design.register",
        register_json(b"child", &[(&c, 1_000_000)], &[(p, g)]),
        &[&c],
        "grant-not-held",
    );
    // A grant on another design.
    let q = w.register(b"other", &[(&a, 1_000_000)], &[]);
    w.refuse(
        "design.register",
        reg(&[(q, g)]),
        &[&b],
        "grant-design-mismatch",
    );
    let child = w.register(b"child", &[(&b, 1_000_000)], &[(p, g)]);
    assert_eq!(w.state.children_of(&p), vec![child]);
}

#[test]
fn derivative_grant_must_allow_it_now() {
    let b = key(2);
    for (terms, code) in [
        (
            json!({"derivatives_allowed": false}),
            "derivatives-not-allowed",
        ),
        (
            json!({"starts_at": "2030-01-01T00:00:00Z"}),
            "grant-not-yet-valid",
        ),
        (json!({"ends_at": "2025-02-01T00:00:00Z"}), "grant-expired"),
    ] {
        let (mut w, p, g) = parent_world(&terms);
        w.refuse(
            "design.register",
            register_json(b"child", &[(&b, 1_000_000)], &[(p, g)]),
            &[&b],
            code,
        );
    }
    let (mut w, p, g) = parent_world(&json!({}));
    w.submit(
        "license.revoke",
        json!({"grant": g, "reason": "done"}),
        &[&key(1)],
    )
    .unwrap();
    w.refuse(
        "design.register",
        register_json(b"child", &[(&b, 1_000_000)], &[(p, g)]),
        &[&b],
        "grant-revoked",
    );
}

#[test]
fn derivative_approval_needs_the_parent_owners() {
    let (a, b) = (key(1), key(2));
    let (mut w, p, g) = parent_world(&json!({"derivatives_approval": true}));
    let reg = register_json(b"child", &[(&b, 1_000_000)], &[(p, g)]);
    w.refuse("design.register", reg.clone(), &[&b], "threshold-not-met");
    w.submit("design.register", reg, &[&b, &a]).unwrap();
}

#[test]
fn disputed_parents_block_registration_and_descendants() {
    let (b, c) = (key(2), key(3));
    let (mut w, p, g) = parent_world(&json!({}));
    let child = w.register(b"child", &[(&b, 1_000_000)], &[(p, g)]);
    let g2 = w.grant(child, &[&b], &c, &terms());
    let gc = w.grant(p, &[&key(1)], &c, &terms());
    let raised = w
        .submit(
            "dispute.raise",
            json!({"design": p, "claim": "copied", "evidence": "00".repeat(32)}),
            &[&c],
        )
        .unwrap();
    w.refuse(
        "design.register",
        register_json(b"grandchild", &[(&c, 1_000_000)], &[(child, g2)]),
        &[&c],
        "ancestor-disputed",
    );
    let direct = register_json(b"child2", &[(&c, 1_000_000)], &[(p, gc)]);
    w.refuse("design.register", direct.clone(), &[&c], "parent-disputed");
    // Only an arbiter resolves; a dismissal clears the design.
    let resolve =
        json!({"dispute": raised.envelope.id(), "outcome": "dismissed", "note": "original"});
    w.refuse("dispute.resolve", resolve.clone(), &[&c], "not-arbiter");
    w.submit("dispute.resolve", resolve.clone(), &[&arbiter()])
        .unwrap();
    w.refuse(
        "dispute.resolve",
        with(&resolve, &json!({"note": "again"})),
        &[&arbiter()],
        "dispute-resolved",
    );
    w.submit("design.register", direct, &[&c]).unwrap();
}

#[test]
fn royalty_stack_is_capped() {
    let (a, b, c) = (key(1), key(2), key(3));
    let mut w = World::new();
    let p = w.register(b"p", &[(&a, 1_000_000)], &[]);
    let g = w.grant(
        p,
        &[&a],
        &b,
        &with(
            &terms(),
            &json!({"royalty": {"policy": "LAP", "rev_share_ppm": 600_000}}),
        ),
    );
    let child = w.register(b"child", &[(&b, 1_000_000)], &[(p, g)]);
    let g2 = w.grant(
        child,
        &[&b],
        &c,
        &with(
            &terms(),
            &json!({"royalty": {"policy": "LAP", "rev_share_ppm": 500_000}}),
        ),
    );
    let e = w.refuse(
        "design.register",
        register_json(b"grandchild", &[(&c, 1_000_000)], &[(child, g2)]),
        &[&c],
        "royalty-stack",
    );
    assert!(matches!(
        e,
        provenant_model::RuleError::RoyaltyStack {
            stack_ppm: 1_100_000
        }
    ));
}

#[test]
fn reciprocal_terms_carry_to_the_derivative() {
    let (a, b, c) = (key(1), key(2), key(3));
    let recip = with(&terms(), &json!({"derivatives_reciprocal": true}));
    let (mut w, p, g) = parent_world(&json!({"derivatives_reciprocal": true}));
    let child = w.register(b"child", &[(&b, 1_000_000)], &[(p, g)]);
    w.refuse(
        "license.grant",
        grant_json(child, &c, &terms()),
        &[&b, &c],
        "reciprocal-terms",
    );
    w.grant(child, &[&b], &c, &recip);
    // Two reciprocal parents with different terms can never both hold.
    let q = w.register(b"q", &[(&a, 1_000_000)], &[]);
    let other = with(&recip, &json!({"attribution": false}));
    let gq = w.grant(q, &[&a], &c, &other);
    let gp = w.grant(p, &[&a], &c, &with(&recip, &json!({"territories": ["FR"]})));
    w.refuse(
        "design.register",
        register_json(b"mix", &[(&c, 1_000_000)], &[(p, gp), (q, gq)]),
        &[&c],
        "reciprocal-terms",
    );
}

#[test]
fn too_many_ancestors() {
    // A chain of 1025 designs built directly in the state.
    let a = key(1);
    let w = World::new();
    let mut state = MemoryState::new();
    let template = {
        let mut tmp = World::new();
        let d = tmp.register(b"template", &[(&a, 1_000_000)], &[]);
        let g = tmp.grant(d, &[&a], &a, &terms());
        (
            tmp.state.design(&d).unwrap().unwrap(),
            tmp.state.grant(&g).unwrap().unwrap(),
        )
    };
    let mut prev: Option<(provenant_model::DesignId, GrantId)> = None;
    for i in 0..1025u32 {
        let did = design_of(&i.to_le_bytes());
        let mut design: DesignState = template.0.clone();
        design.id = did;
        design.parents = prev
            .map(|(d, g)| {
                vec![provenant_model::payload::ParentLink {
                    design: d,
                    grant: g,
                }]
            })
            .unwrap_or_default();
        let mut grant = template.1.clone();
        grant.id = GrantId(*did.as_bytes());
        grant.design = did;
        state.commit(Changes(vec![
            Change::Design(Box::new(design)),
            Change::Grant(Box::new(grant.clone())),
        ]));
        prev = Some((did, grant.id));
    }
    let (d, g) = prev.unwrap();
    let env = envelope(
        "design.register",
        register_json(b"last", &[(&a, 1_000_000)], &[(d, g)]),
        &[&a],
    );
    let verified = env.verify().unwrap();
    let ctx = Context {
        index: 0,
        leaf_hash: Entry::new(env, w.now()).leaf_hash(),
        logged_at: w.now(),
        arbiters: &[],
        log_key: None,
    };
    let e = apply(&state, &ctx, &verified).unwrap_err();
    assert_eq!(e.code(), "too-many-ancestors");
}
