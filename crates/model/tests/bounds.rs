//! Bounds checked before cryptography ([`Envelope::precheck`]), the cap on
//! owners per design, and the order of the rules: who signed is checked
//! before any ancestor is read.

mod support;

use std::cell::Cell;

use ed25519_dalek::{Signer as _, SigningKey};
use provenant_model::{
    Context, DesignId, DesignState, DisputeId, DisputeState, Entry, EntryId, Envelope, GrantId,
    GrantState, Identity, MAX_ENTRY_BYTES, MAX_OWNERS, MAX_SIGNATURES, MemoryState, SignatureBytes,
    StateView, ViewError, apply,
};
use serde_json::{Value, json};
use support::*;

/// `n` distinct keys, none of them a seed key of the other tests.
fn keys(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| {
            let mut seed = [0xa5u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
            SigningKey::from_bytes(&seed)
        })
        .collect()
}

/// The envelope JSON with `signatures` replaced.
fn with_lines(env: &Envelope, lines: Vec<Value>) -> Value {
    let mut v = env.to_value();
    v["signatures"] = Value::Array(lines);
    v
}

/// A signature line whose signature is 64 zero bytes: it never verifies.
fn garbage_line(key: &SigningKey) -> Value {
    json!({"key": idt(key), "sig": format!("{}==", "A".repeat(86))})
}

#[test]
fn leaf_len_is_the_length_of_the_leaf_bytes() {
    let k = keys(5);
    for n in 0..=5 {
        let creators: Vec<(&SigningKey, u32)> = k.iter().map(|k| (k, 200_000)).collect();
        let signers: Vec<&SigningKey> = k.iter().take(n).collect();
        let env = envelope(
            "design.register",
            register_json(b"len", &creators, &[]),
            &signers,
        );
        for stamp in ["2026-12-01T19:20:00Z", "2026-12-01T19:20:00.25Z"] {
            let entry = Entry::new(env.clone(), stamp.parse().unwrap());
            assert_eq!(
                env.leaf_len(stamp.len()),
                entry.leaf_bytes().len(),
                "{n} {stamp}"
            );
        }
    }
}

/// The flood of issue 15: one envelope carrying 2,000 valid signatures.
/// It is refused while parsing, before a single key is decoded.
#[test]
fn two_thousand_signatures_are_refused_while_parsing() {
    let signers = keys(2000);
    let owner = key(1);
    let base = envelope(
        "usage.record",
        json!({"grant": "cd".repeat(32), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "flood"}),
        &[&owner],
    );
    let input = base.signing_input();
    let lines = signers
        .iter()
        .map(|k| json!({"key": idt(k), "sig": SignatureBytes(k.sign(&input).to_bytes()).to_string()}))
        .collect();
    let flood = with_lines(&base, lines);
    let e = Envelope::from_value(flood).unwrap_err();
    assert_eq!(e.code(), "too-many-items", "{e}");
    assert_eq!(e.field(), Some("signatures"));
}

/// An entry over the bundle's limit is refused by its size, even when its
/// signatures are garbage: no signature was looked at.
#[test]
fn an_entry_over_the_size_limit_is_refused_before_its_signatures() {
    let creators = keys(MAX_SIGNATURES);
    let shares: Vec<(&SigningKey, u32)> = creators
        .iter()
        .map(|k| (k, 3125)) // 320 equal shares of 1,000,000
        .collect();
    let mut payload = register_json(b"big", &shares, &[]);
    payload["description"] = json!("d".repeat(4000));
    let env = envelope("design.register", payload, &[]);
    let body = with_lines(&env, creators.iter().map(garbage_line).collect());
    let env = Envelope::from_value(body).unwrap();
    assert!(env.leaf_len(20) > MAX_ENTRY_BYTES);
    let e = env.precheck(&[]).unwrap_err();
    assert_eq!(e.code(), "entry-too-large", "{e}");
    // The same envelope reaching verification would be `signature-invalid`.
    assert_eq!(env.verify().unwrap_err().code(), "signature-invalid");
}

#[test]
fn signers_that_cannot_matter_are_refused_before_verification() {
    let (a, b, outsider) = (key(1), key(2), key(9));
    let garbage = |env: &Envelope, who: &[&SigningKey]| {
        Envelope::from_value(with_lines(
            env,
            who.iter().map(|k| garbage_line(k)).collect(),
        ))
        .unwrap()
    };
    let reg = envelope(
        "design.register",
        register_json(b"x", &[(&a, 600_000), (&b, 400_000)], &[]),
        &[],
    );
    let usage = envelope(
        "usage.record",
        json!({"grant": "cd".repeat(32), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "r"}),
        &[],
    );
    let transfer = envelope(
        "ownership.transfer",
        json!({"design": design_of(b"x"), "from": [{"key": idt(&a), "share_ppm": 1}],
               "to": idt(&b), "prev": "00".repeat(32)}),
        &[],
    );
    let rotate = envelope("key.rotate", json!({"old": idt(&a), "new": idt(&b)}), &[]);
    let raise = envelope(
        "dispute.raise",
        json!({"design": design_of(b"x"), "claim": "mine", "evidence": "ab".repeat(32)}),
        &[],
    );
    let resolve = envelope(
        "dispute.resolve",
        json!({"dispute": "ef".repeat(32), "outcome": "dismissed"}),
        &[],
    );
    let arbiters = [id(&arbiter())];
    for (name, env, code) in [
        (
            "a register signed by a non-creator",
            garbage(&reg, &[&a, &outsider]),
            "unexpected-signer",
        ),
        (
            "a key signing twice",
            garbage(&reg, &[&a, &a]),
            "duplicate-signature",
        ),
        (
            "a usage record signed twice over",
            garbage(&usage, &[&a, &b]),
            "too-many-items",
        ),
        (
            "a transfer signed by an outsider",
            garbage(&transfer, &[&a, &b, &outsider]),
            "unexpected-signer",
        ),
        (
            "a rotation signed by an outsider",
            garbage(&rotate, &[&outsider]),
            "unexpected-signer",
        ),
        (
            "a dispute raised by two keys",
            garbage(&raise, &[&a, &b]),
            "too-many-items",
        ),
        (
            "a resolution by a non-arbiter",
            garbage(&resolve, &[&a]),
            "not-arbiter",
        ),
    ] {
        let e = env.precheck(&arbiters).unwrap_err();
        assert_eq!(e.code(), code, "{name}: {e}");
    }
    // What may be right passes, and only verification refuses the garbage.
    for env in [
        garbage(&reg, &[&a, &b]),
        garbage(&usage, &[&outsider]),
        garbage(&transfer, &[&a, &b]),
        garbage(&rotate, &[&a, &b]),
        garbage(&raise, &[&outsider]),
        garbage(&resolve, &[&arbiter()]),
    ] {
        env.precheck(&arbiters).unwrap();
        assert_eq!(env.verify().unwrap_err().code(), "signature-invalid");
    }
}

/// A design reaches [`MAX_OWNERS`] owners one transfer at a time; the
/// transfer that would pass it is refused with its own rule, and the state
/// is unchanged (checked by `World::refuse`).
#[test]
fn owners_per_design_are_capped() {
    let mut world = World::new();
    let newcomers = keys(MAX_OWNERS);
    let founder = key(1);
    world.register(b"crowd", &[(&founder, 1_000_000)], &[]);
    let design = design_of(b"crowd");
    let transfer = |to: &SigningKey, prev: &Value| {
        json!({"design": design, "from": [{"key": idt(&founder), "share_ppm": 1}],
               "to": idt(to), "prev": prev})
    };
    let mut prev = json!(
        world
            .state
            .design(&design)
            .unwrap()
            .unwrap()
            .ownership
            .leaf_hash
    );
    for to in &newcomers[..MAX_OWNERS - 1] {
        let entry = world
            .submit("ownership.transfer", transfer(to, &prev), &[&founder, to])
            .unwrap();
        prev = json!(entry.leaf_hash());
    }
    assert_eq!(
        world.state.design(&design).unwrap().unwrap().owners.len(),
        MAX_OWNERS
    );
    let last = &newcomers[MAX_OWNERS - 1];
    world.refuse(
        "ownership.transfer",
        transfer(last, &prev),
        &[&founder, last],
        "too-many-owners",
    );
    // Between owners already there, a transfer still goes through.
    world
        .submit(
            "ownership.transfer",
            transfer(&newcomers[0], &prev),
            &[&founder, &newcomers[0]],
        )
        .unwrap();
}

/// A [`StateView`] that counts the designs read, by id.
struct Counting<'a> {
    inner: &'a MemoryState,
    allowed: Vec<DesignId>,
    other_reads: Cell<usize>,
}

impl StateView for Counting<'_> {
    fn design(&self, id: &DesignId) -> Result<Option<DesignState>, ViewError> {
        if !self.allowed.contains(id) {
            self.other_reads.set(self.other_reads.get() + 1);
        }
        self.inner.design(id)
    }
    fn grant(&self, id: &GrantId) -> Result<Option<GrantState>, ViewError> {
        self.inner.grant(id)
    }
    fn dispute(&self, id: &DisputeId) -> Result<Option<DisputeState>, ViewError> {
        self.inner.dispute(id)
    }
    fn successor(&self, key: &Identity) -> Result<Option<Identity>, ViewError> {
        self.inner.successor(key)
    }
    fn logged(&self, id: &EntryId) -> Result<Option<u64>, ViewError> {
        self.inner.logged(id)
    }
    fn designs_owned_by(&self, key: &Identity) -> Result<Vec<DesignId>, ViewError> {
        self.inner.designs_owned_by(key)
    }
    fn grants_held_by(&self, key: &Identity) -> Result<Vec<GrantId>, ViewError> {
        self.inner.grants_held_by(key)
    }
    fn grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.inner.grants_of(design)
    }
    fn exclusive_grants_of(&self, design: &DesignId) -> Result<Vec<GrantId>, ViewError> {
        self.inner.exclusive_grants_of(design)
    }
}

/// A registration with 16 parents at the end of a deep chain, signed by
/// someone who is not a creator, is refused for its signers without
/// reading one ancestor beyond the parents themselves.
#[test]
fn signers_are_checked_before_the_ancestry_walk() {
    const DEPTH: usize = 120;
    let mut world = World::new();
    let maker = key(1);
    let mut free = terms();
    free["royalty"]["rev_share_ppm"] = json!(0);
    let mut links: Vec<(DesignId, GrantId)> = Vec::new();
    for i in 0..DEPTH {
        let content = format!("link {i}");
        let parents: Vec<_> = links.last().copied().into_iter().collect();
        let design = world.register(content.as_bytes(), &[(&maker, 1_000_000)], &parents);
        let grant = world.grant(design, &[&maker], &maker, &free);
        links.push((design, grant));
    }
    let parents = &links[DEPTH - 16..];
    let payload = register_json(b"kid", &[(&maker, 1_000_000)], parents);
    let allowed: Vec<DesignId> = parents
        .iter()
        .map(|(d, _)| *d)
        .chain([design_of(b"kid")])
        .collect();
    let ctx = Context {
        index: world.state.size(),
        leaf_hash: provenant_model::LeafHash([0; 32]),
        logged_at: world.now(),
        arbiters: &world.arbiters,
        log_key: None,
    };
    let outsider = key(9);
    for (signers, code) in [
        (vec![&outsider], "missing-signature"),
        (vec![&maker, &outsider], "unexpected-signer"),
    ] {
        let env = envelope("design.register", payload.clone(), &signers);
        let view = Counting {
            inner: &world.state,
            allowed: allowed.clone(),
            other_reads: Cell::new(0),
        };
        let e = apply(&view, &ctx, &env.verify().unwrap()).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert_eq!(view.other_reads.get(), 0, "ancestors read for {code}");
    }
    // Signed by its creator, the same registration walks the chain.
    let env = envelope("design.register", payload, &[&maker]);
    let view = Counting {
        inner: &world.state,
        allowed,
        other_reads: Cell::new(0),
    };
    apply(&view, &ctx, &env.verify().unwrap()).unwrap();
    assert!(
        view.other_reads.get() >= DEPTH - 16,
        "{}",
        view.other_reads.get()
    );
}
