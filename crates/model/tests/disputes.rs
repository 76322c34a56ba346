//! The bounds on disputes: none without arbiters, one open dispute per key
//! and design, at most [`MAX_OPEN_DISPUTES`] open per design, and answers
//! about a blocked design that cite one dispute however many there are.

mod support;

use provenant_model::{
    LicenseQuery, MAX_OPEN_DISPUTES, Reason, StateView, blocked_by, check_license,
};
use serde_json::{Value, json};
use support::{World, arbiter, idt, key, terms};

fn raise(design: provenant_model::DesignId, claim: &str) -> Value {
    json!({"design": design, "claim": claim, "evidence": "ab".repeat(32)})
}

#[test]
fn a_ledger_without_arbiters_accepts_no_dispute() {
    let (owner, claimant) = (key(1), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&owner, 1_000_000)], &[]);
    w.arbiters.clear();
    let e = w.refuse(
        "dispute.raise",
        raise(d, "copied"),
        &[&claimant],
        "no-arbiters",
    );
    assert_eq!(e.field(), None);
    // The same raise on a ledger with an arbiter is accepted.
    w.arbiters.push(support::id(&arbiter()));
    w.submit("dispute.raise", raise(d, "copied"), &[&claimant])
        .unwrap();
}

#[test]
fn open_disputes_are_bounded_per_key_and_per_design() {
    let (a, first) = (key(1), key(3));
    let mut w = World::new();
    let d = w.register(b"d", &[(&a, 1_000_000)], &[]);
    let raised = w
        .submit("dispute.raise", raise(d, "copied"), &[&first])
        .unwrap();
    // The same key again, alone or with another key, even with a new claim.
    w.refuse(
        "dispute.raise",
        raise(d, "again"),
        &[&first],
        "dispute-already-open",
    );
    let e = w.refuse(
        "dispute.raise",
        raise(d, "again"),
        &[&key(4), &first],
        "dispute-already-open",
    );
    assert_eq!(e.field(), Some("signatures"));
    // Throwaway keys fill the design's slots, then are refused.
    let flood = u8::try_from(MAX_OPEN_DISPUTES).unwrap();
    for i in 1..flood {
        w.submit(
            "dispute.raise",
            raise(d, &format!("bogus {i}")),
            &[&key(100 + i)],
        )
        .unwrap();
    }
    let e = w.refuse(
        "dispute.raise",
        raise(d, "real"),
        &[&key(9)],
        "too-many-disputes",
    );
    assert_eq!(e.field(), Some("design"));
    let design = w.state.design(&d).unwrap().unwrap();
    assert_eq!(design.blocking_disputes.len(), MAX_OPEN_DISPUTES);
    // An arbiter's resolution frees a slot, dismissal or upholding alike
    // (an upheld dispute blocks for good but is no longer open).
    let resolve = |outcome: &str| json!({"dispute": raised.envelope.id(), "outcome": outcome, "note": "seen"});
    w.submit("dispute.resolve", resolve("upheld"), &[&arbiter()])
        .unwrap();
    w.submit("dispute.raise", raise(d, "real"), &[&key(9)])
        .unwrap();
    w.refuse(
        "dispute.raise",
        raise(d, "more"),
        &[&key(10)],
        "too-many-disputes",
    );
    // The first claimant's dispute is resolved, so it may raise another
    // once a slot is free.
    let open = w.state.design(&d).unwrap().unwrap().blocking_disputes;
    let dismiss = open
        .iter()
        .find(|id| w.state.dispute(id).unwrap().unwrap().resolution.is_none())
        .copied()
        .unwrap();
    w.submit(
        "dispute.resolve",
        json!({"dispute": dismiss, "outcome": "dismissed", "note": "bogus"}),
        &[&arbiter()],
    )
    .unwrap();
    w.submit("dispute.raise", raise(d, "new evidence"), &[&first])
        .unwrap();
}

#[test]
fn a_blocked_answer_cites_one_dispute_whatever_their_number() {
    let (alice, bob, brand) = (key(1), key(2), key(5));
    let mut w = World::new();
    let p = w.register(b"p", &[(&alice, 1_000_000)], &[]);
    let gp = w.grant(p, &[&alice], &bob, &terms());
    let child = w.register(b"child", &[(&bob, 1_000_000)], &[(p, gp)]);
    let g = w.grant(child, &[&bob], &brand, &terms());
    let flood = u8::try_from(MAX_OPEN_DISPUTES).unwrap();
    for i in 0..flood {
        w.submit(
            "dispute.raise",
            raise(p, &format!("bogus {i}")),
            &[&key(100 + i)],
        )
        .unwrap();
    }
    let question = |design| -> LicenseQuery {
        serde_json::from_value(json!({"design": design, "licensee": idt(&brand),
            "action": "commercial", "territory": "FR", "channel": "online",
            "category": "footwear", "date": "2025-07-01T00:00:00Z", "quantity": 1}))
        .unwrap()
    };
    let parent = w.state.design(&p).unwrap().unwrap();
    let cited = blocked_by(&w.state, &parent).unwrap().unwrap();
    assert_eq!((cited.design, cited.disputes), (p, MAX_OPEN_DISPUTES));
    assert_eq!(Some(&cited.dispute), parent.blocking_disputes.first());
    // The descendant's answer names the ancestor's dispute and rests on its
    // raise: the child's registration, that raise and the grant, no more.
    let answer = check_license(&w.state, &question(child)).unwrap();
    assert_eq!(answer.reasons, [Reason::AncestorDisputed]);
    assert_eq!(answer.blocked_by.as_ref(), Some(&cited));
    let granted = w.state.grant(&g).unwrap().unwrap().granted;
    let registered = w.state.design(&child).unwrap().unwrap().registered;
    assert_eq!(answer.rests_on, [registered, cited.raised, granted]);
    // A clear design cites nothing.
    let clear = w.register(b"clear", &[(&alice, 1_000_000)], &[]);
    let answer = check_license(&w.state, &question(clear)).unwrap();
    assert_eq!(answer.blocked_by, None);
    assert_eq!(answer.reasons, [Reason::NoGrant]);
}
