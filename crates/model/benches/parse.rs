//! Parsing and checking one envelope as the write handler does it:
//! `Envelope::from_json` on the request body, then `precheck`, before any
//! signature is verified. Also some steps alone (parsing the JSON text,
//! the payload's canonical bytes, the bounds, the id), to see where the
//! time goes.
//!
//! Run with `cargo bench -p provenant-model --bench parse`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use provenant_model::{Envelope, Identity, Kind, hash_content, identity_of, jcs, strict_json};
use serde_json::{Value, json};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn idt(k: &SigningKey) -> String {
    identity_of(k).unwrap().to_string()
}

/// The JSON text of an envelope of `kind` with `payload`, signed by `signers`.
fn body(kind: Kind, payload: Value, signers: &[&SigningKey]) -> Vec<u8> {
    let mut env = Envelope::from_parts(kind, payload, Vec::new()).unwrap();
    for s in signers {
        env.sign(s).unwrap();
    }
    serde_json::to_vec(&env).unwrap()
}

/// A registration by two creators with an AI disclosure, signed by both.
fn register() -> Vec<u8> {
    let (a, b) = (key(1), key(2));
    let h = hash_content(&b"a shoe charm"[..]).unwrap();
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "A shoe charm",
        "description": "A daisy charm for a clog, drawn with a customer.",
        "creators": [
            {"key": idt(&a), "share_ppm": 600_000, "role": "designer"},
            {"key": idt(&b), "share_ppm": 400_000, "role": "customer"},
        ],
        "parents": [],
        "ai": {
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
            "software_agent": "charm-studio 2.1"
        },
    });
    body(Kind::DesignRegister, payload, &[&a, &b])
}

/// A grant on a design by its two owners to a brand, signed by all three.
fn grant() -> Vec<u8> {
    let (a, b, brand) = (key(1), key(2), key(3));
    let design = hash_content(&b"a shoe charm"[..]).unwrap().blake3;
    let payload = json!({
        "design": design,
        "licensee": idt(&brand),
        "terms": {
            "commercial_use": true, "derivatives_allowed": true,
            "derivatives_reciprocal": false, "derivatives_approval": false,
            "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
            "territories": ["FR", "DE"], "channels": ["online"], "categories": ["footwear"],
            "starts_at": "2025-01-01T00:00:00Z", "max_units": 1_000_000, "exclusive": false,
            "sublicensable": false, "transferable": false, "ai_training": false
        },
    });
    body(Kind::LicenseGrant, payload, &[&a, &b, &brand])
}

fn parse(c: &mut Criterion) {
    let arbiters: Vec<Identity> = vec![identity_of(&key(250)).unwrap()];
    for (name, text) in [("design.register", register()), ("license.grant", grant())] {
        let mut group = c.benchmark_group(format!("parse/{name}"));
        group.bench_function("from_json + precheck", |bench| {
            bench.iter(|| {
                let env = Envelope::from_json(black_box(&text)).unwrap();
                env.precheck(black_box(&arbiters)).unwrap();
                env
            });
        });
        group.bench_function("strict_json::parse", |bench| {
            bench.iter(|| strict_json::parse(black_box(&text)).unwrap());
        });
        let env = Envelope::from_json(&text).unwrap();
        let payload = env.payload_json();
        group.bench_function("jcs::to_vec (payload)", |bench| {
            bench.iter(|| jcs::to_vec(black_box(payload)).unwrap());
        });
        group.bench_function("precheck", |bench| {
            bench.iter(|| black_box(&env).precheck(black_box(&arbiters)).unwrap());
        });
        group.bench_function("id", |bench| {
            bench.iter(|| black_box(&env).id());
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
