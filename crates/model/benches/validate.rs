//! Entry validation cost per kind (signatures already verified), and
//! signature verification: the model's `verify_signature` (the verdicts of
//! `verify_strict`, cheaper) and `Envelope::verify`, against raw
//! ed25519-dalek `verify_strict` and `verify` of the same signing input in
//! the same run, and raw `verify_batch`, which the ledger does not use.
//!
//! Run with `cargo bench -p provenant-model --bench validate`.

#![allow(clippy::many_single_char_names)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, SigningKey, Verifier as _};
use provenant_model::{
    Context, DesignId, Entry, Envelope, GrantId, Identity, Kind, MemoryState, StateView, Timestamp,
    Verified, apply, hash_content, identity_of, verify_signature,
};
use serde_json::{Value, json};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn idt(k: &SigningKey) -> String {
    identity_of(k).unwrap().to_string()
}

fn envelope(kind: &str, payload: Value, signers: &[&SigningKey]) -> Envelope {
    let kind: Kind = kind.parse().unwrap();
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).unwrap();
    for s in signers {
        env.sign(s).unwrap();
    }
    env
}

fn terms() -> Value {
    json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "territories": ["FR", "DE"], "channels": ["online"], "categories": ["footwear"],
        "starts_at": "2025-01-01T00:00:00Z", "max_units": 1_000_000, "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    })
}

fn register(
    content: &[u8],
    creators: &[(&SigningKey, u32)],
    parents: &[(DesignId, GrantId)],
) -> Value {
    let h = hash_content(content).unwrap();
    json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "A shoe charm",
        "creators": creators.iter().map(|(k, s)| json!({"key": idt(k), "share_ppm": s, "role": "designer"})).collect::<Vec<_>>(),
        "parents": parents.iter().map(|(d, g)| json!({"design": d, "grant": g})).collect::<Vec<_>>(),
    })
}

/// A small ledger: a parent design with 20 grants, a derivative, a dispute.
struct Fixture {
    state: MemoryState,
    arbiters: Vec<Identity>,
    now: Timestamp,
    parent: DesignId,
    grant: GrantId,
    dispute: provenant_model::EntryId,
}

impl Fixture {
    fn log(&mut self, env: Envelope) -> Entry {
        let entry = Entry::new(env, self.now);
        self.state
            .apply_entry(&entry, &self.arbiters, None)
            .unwrap();
        self.now = Timestamp::from_unix(self.now.unix() + 1).unwrap();
        entry
    }

    fn new() -> Fixture {
        let (a, b, brand) = (key(1), key(2), key(3));
        let mut f = Fixture {
            state: MemoryState::new(),
            arbiters: vec![identity_of(&key(250)).unwrap()],
            now: "2025-06-01T00:00:00Z".parse().unwrap(),
            parent: hash_content(&b"parent"[..]).unwrap().blake3,
            grant: GrantId([0; 32]),
            dispute: provenant_model::EntryId([0; 32]),
        };
        f.log(envelope(
            "design.register",
            register(b"parent", &[(&a, 600_000), (&b, 400_000)], &[]),
            &[&a, &b],
        ));
        for i in 0..20u8 {
            let licensee = key(100 + i);
            let g = f.log(envelope(
                "license.grant",
                json!({"design": f.parent, "licensee": idt(&licensee), "terms": terms()}),
                &[&a, &b, &licensee],
            ));
            if i == 0 {
                f.grant = g.envelope.id().into();
            }
        }
        let g = f.log(envelope(
            "license.grant",
            json!({"design": f.parent, "licensee": idt(&brand), "terms": terms()}),
            &[&a, &b, &brand],
        ));
        let brand_grant: GrantId = g.envelope.id().into();
        f.log(envelope(
            "design.register",
            register(b"child", &[(&brand, 1_000_000)], &[(f.parent, brand_grant)]),
            &[&brand],
        ));
        let other = hash_content(&b"child"[..]).unwrap().blake3;
        let d = f.log(envelope(
            "dispute.raise",
            json!({"design": other, "claim": "mine", "evidence": "ab".repeat(32)}),
            &[&key(9)],
        ));
        f.dispute = d.envelope.id();
        f
    }

    /// One valid, verified entry of each kind against the fixture's state.
    fn entries(&self) -> Vec<(&'static str, Verified)> {
        let (a, b) = (key(1), key(2));
        let licensee = key(100);
        let brand = key(3);
        let prev = self
            .state
            .design(&self.parent)
            .unwrap()
            .unwrap()
            .ownership
            .leaf_hash;
        let brand_grant = self
            .state
            .grants_held_by(&identity_of(&brand).unwrap())
            .unwrap()[0];
        let list = [
            (
                "design.register",
                envelope(
                    "design.register",
                    register(
                        b"new child",
                        &[(&brand, 1_000_000)],
                        &[(self.parent, brand_grant)],
                    ),
                    &[&brand],
                ),
            ),
            (
                "license.grant",
                envelope(
                    "license.grant",
                    json!({"design": self.parent, "licensee": idt(&key(200)), "terms": terms()}),
                    &[&a, &b, &key(200)],
                ),
            ),
            (
                "usage.record",
                envelope(
                    "usage.record",
                    json!({"grant": self.grant, "quantity": 10, "territory": "FR", "channel": "online", "category": "footwear", "batch_ref": "B-1"}),
                    &[&licensee],
                ),
            ),
            (
                "ownership.transfer",
                envelope(
                    "ownership.transfer",
                    json!({"design": self.parent, "from": [{"key": idt(&a), "share_ppm": 100_000}], "to": idt(&key(201)), "prev": prev}),
                    &[&a, &key(201)],
                ),
            ),
            (
                "license.revoke",
                envelope(
                    "license.revoke",
                    json!({"grant": self.grant, "reason": "breach"}),
                    &[&a, &b],
                ),
            ),
            (
                "dispute.raise",
                envelope(
                    "dispute.raise",
                    json!({"design": self.parent, "claim": "copied", "evidence": "cd".repeat(32)}),
                    &[&key(9)],
                ),
            ),
            (
                "dispute.resolve",
                envelope(
                    "dispute.resolve",
                    json!({"dispute": self.dispute, "outcome": "dismissed", "note": ""}),
                    &[&key(250)],
                ),
            ),
            (
                "key.rotate",
                envelope(
                    "key.rotate",
                    json!({"old": idt(&licensee), "new": idt(&key(202))}),
                    &[&licensee, &key(202)],
                ),
            ),
        ];
        list.into_iter()
            .map(|(k, env)| (k, env.verify().unwrap()))
            .collect()
    }
}

fn validation(c: &mut Criterion) {
    let f = Fixture::new();
    let mut group = c.benchmark_group("validate");
    for (kind, verified) in f.entries() {
        let ctx = Context {
            index: f.state.size(),
            leaf_hash: provenant_model::LeafHash([7; 32]),
            logged_at: f.now,
            arbiters: &f.arbiters,
            log_key: None,
        };
        // Check once that the entry is valid, so the bench measures success.
        apply(&f.state, &ctx, &verified).unwrap();
        group.bench_function(kind, |bench| {
            bench.iter(|| {
                apply(black_box(&f.state), black_box(&ctx), black_box(&verified)).unwrap()
            });
        });
    }
    group.finish();

    // Parsing an envelope from JSON, canonicalising and hashing its payload.
    let (_, verified) = &f.entries()[0];
    let text = serde_json::to_vec(verified.envelope()).unwrap();
    c.bench_function("parse/design.register", |bench| {
        bench.iter(|| Envelope::from_json(black_box(&text)).unwrap());
    });
}

fn signatures(c: &mut Criterion) {
    const N: usize = 64;
    let envelopes: Vec<Envelope> = (0..N)
        .map(|i| {
            let k = key(u8::try_from(i).unwrap());
            envelope(
                "usage.record",
                json!({"grant": GrantId([1; 32]), "quantity": i + 1, "territory": "FR", "channel": "online", "category": "footwear", "batch_ref": "B"}),
                &[&k],
            )
        })
        .collect();
    let one = &envelopes[0];
    let message = one.signing_input();
    let signature = Signature::from_bytes(&one.signatures()[0].sig.0);
    let vk = key(0).verifying_key();

    let mut group = c.benchmark_group("verify/per-entry");
    group.throughput(Throughput::Elements(1));
    group.bench_function("dalek verify_strict (raw)", |bench| {
        bench.iter(|| {
            vk.verify_strict(black_box(&message), black_box(&signature))
                .unwrap();
        });
    });
    group.bench_function("dalek verify (raw)", |bench| {
        bench.iter(|| {
            vk.verify(black_box(&message), black_box(&signature))
                .unwrap();
        });
    });
    let bytes = signature.to_bytes();
    group.bench_function("model verify_signature", |bench| {
        bench.iter(|| {
            assert!(verify_signature(
                black_box(&vk),
                black_box(&message),
                black_box(&bytes)
            ));
        });
    });
    group.bench_function("model Envelope::verify", |bench| {
        bench.iter(|| black_box(one).verify().unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("verify/batch-64");
    group.throughput(Throughput::Elements(N as u64));
    let messages: Vec<Vec<u8>> = envelopes.iter().map(Envelope::signing_input).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let sigs: Vec<Signature> = envelopes
        .iter()
        .map(|e| Signature::from_bytes(&e.signatures()[0].sig.0))
        .collect();
    let keys: Vec<_> = (0..N)
        .map(|i| key(u8::try_from(i).unwrap()).verifying_key())
        .collect();
    // Not used by the ledger: the cofactorless batch equation accepts a
    // torsioned `R` that `verify_strict` refuses in about half the batches.
    group.bench_function("dalek verify_batch (raw)", |bench| {
        bench.iter(|| {
            ed25519_dalek::verify_batch(black_box(&refs), black_box(&sigs), black_box(&keys))
                .unwrap();
        });
    });
    group.bench_function("dalek verify_strict x64 (raw)", |bench| {
        bench.iter(|| {
            for ((m, s), k) in refs.iter().zip(&sigs).zip(&keys) {
                k.verify_strict(m, s).unwrap();
            }
        });
    });
    group.bench_function("model verify_signature x64", |bench| {
        bench.iter(|| {
            for ((m, s), k) in refs.iter().zip(&sigs).zip(&keys) {
                assert!(verify_signature(k, m, &s.to_bytes()));
            }
        });
    });
    group.bench_function("model Envelope::verify x64", |bench| {
        bench.iter(|| {
            for e in &envelopes {
                e.verify().unwrap();
            }
        });
    });
    group.finish();
}

criterion_group!(benches, validation, signatures);
criterion_main!(benches);
