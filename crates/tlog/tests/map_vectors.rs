//! The state map's golden vectors, `fixtures/state/map-vectors.json`, for
//! other implementations (the browser's among them).
//!
//! The test rebuilds the vectors and fails when the file differs; with
//! `PROVENANT_WRITE_FIXTURES=1` it writes the file instead. It also reads
//! the file back as another implementation would: every leaf set rebuilds
//! its root, every proof verifies, and every invalid case fails with the
//! error it names.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use provenant_tlog::map::{EMPTY_MAP_ROOT, MapKey, MapProof, MemoryMap, Terminal, root_of};
use provenant_tlog::{Error, Hash};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/state/map-vectors.json"
);

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Vector key `i`: `SHA-256("provenant map vector " || decimal i)`.
fn vector_key(i: usize) -> MapKey {
    sha256(&format!("provenant map vector {i}"))
}

/// Vector value hash `i`: `SHA-256("provenant map value " || decimal i)`.
fn vector_value(i: usize) -> Hash {
    Hash(sha256(&format!("provenant map value {i}")))
}

/// A key from hex, for the hand-picked keys.
fn key(hex: &str) -> MapKey {
    let padded = format!("{hex:0<64}");
    Hash::from_hex(&padded).expect("64 hex digits").0
}

fn hex(key: &MapKey) -> String {
    Hash(*key).to_hex()
}

/// The error names the vectors use.
fn error_name(e: &Error) -> &'static str {
    match e {
        Error::MapProofMalformed { .. } => "malformed",
        Error::MapProofWrongTerminal { .. } => "wrong-terminal",
        Error::MapProofRootMismatch => "root-mismatch",
        _ => "other",
    }
}

struct Invalid {
    description: &'static str,
    key: MapKey,
    value_hash: Option<Hash>,
    proof: Vec<u8>,
    root: Hash,
}

/// The proof's bytes written from the README's table, apart from the
/// crate's encoder; `explicit` lists empty siblings to give explicitly
/// anyway (which a strict reader refuses).
fn encode(proof: &MapProof, explicit: &[usize]) -> Vec<u8> {
    let depth = proof.siblings.len();
    let mut out = u16::try_from(depth).expect("depth").to_be_bytes().to_vec();
    match &proof.terminal {
        Terminal::Empty => out.push(0),
        Terminal::Found => out.push(1),
        Terminal::Other { key, value_hash } => {
            out.push(2);
            out.extend_from_slice(key);
            out.extend_from_slice(value_hash.as_bytes());
        }
    }
    let given: Vec<usize> = (0..depth)
        .filter(|i| proof.siblings[*i] != EMPTY_MAP_ROOT || explicit.contains(i))
        .collect();
    let mut bitmap = vec![0u8; depth.div_ceil(8)];
    for i in &given {
        bitmap[i / 8] |= 1 << (7 - i % 8);
    }
    out.extend_from_slice(&bitmap);
    for i in given {
        out.extend_from_slice(proof.siblings[i].as_bytes());
    }
    out
}

fn proof_json(key: &MapKey, value_hash: Option<Hash>, proof: &[u8]) -> Value {
    json!({
        "key": hex(key),
        "value_hash": value_hash.map(|v| v.to_hex()),
        "proof": STANDARD.encode(proof),
    })
}

fn map_json(
    name: &str,
    leaves: &[(MapKey, Hash)],
    probes: &[MapKey],
    invalid: impl Fn(&MemoryMap) -> Vec<Invalid>,
) -> Value {
    let mut map = MemoryMap::new();
    let changes: BTreeMap<MapKey, Option<Hash>> =
        leaves.iter().map(|(k, v)| (*k, Some(*v))).collect();
    let root = map.apply(&changes);
    let proofs: Vec<Value> = probes
        .iter()
        .map(|k| {
            let (proof, value_hash) = map.prove(k);
            assert_eq!(proof.to_bytes(), encode(&proof, &[]), "the README's bytes");
            proof_json(k, value_hash, &proof.to_bytes())
        })
        .collect();
    let invalid: Vec<Value> = invalid(&map)
        .into_iter()
        .map(|case| {
            let error = MapProof::from_bytes(&case.proof)
                .and_then(|p| p.verify(&case.root, &case.key, case.value_hash.as_ref()))
                .expect_err("an invalid case fails");
            let mut v = proof_json(&case.key, case.value_hash, &case.proof);
            v["description"] = json!(case.description);
            v["root"] = json!(case.root.to_hex());
            v["error"] = json!(error_name(&error));
            v
        })
        .collect();
    json!({
        "name": name,
        "leaves": leaves.iter().map(|(k, v)| json!({"key": hex(k), "value_hash": v.to_hex()})).collect::<Vec<_>>(),
        "root": root.to_hex(),
        "proofs": proofs,
        "invalid": invalid,
    })
}

/// Invalid cases built from a map's honest proofs.
fn tampered(map: &MemoryMap, present: &MapKey, absent: &MapKey) -> Vec<Invalid> {
    let root = map.root();
    let (yes, value) = map.prove(present);
    let value = value.expect("present");
    let (no, _) = map.prove(absent);
    let case = |description, key: &MapKey, value_hash, proof: &MapProof| Invalid {
        description,
        key: *key,
        value_hash,
        proof: proof.to_bytes(),
        root,
    };
    let mut flipped = yes.clone();
    flipped.siblings[0].0[0] ^= 1;
    let mut wrong_value = value;
    wrong_value.0[31] ^= 1;
    let mut deeper = yes.clone();
    deeper.siblings.push(EMPTY_MAP_ROOT);
    let mut cases = vec![
        case(
            "a sibling's first bit flipped",
            present,
            Some(value),
            &flipped,
        ),
        case(
            "a proof of presence offered as absence",
            present,
            None,
            &yes,
        ),
        case(
            "a proof of absence offered as presence",
            absent,
            Some(value),
            &no,
        ),
        case("another value hash", present, Some(wrong_value), &yes),
        case(
            "an empty sibling added below the leaf (not canonical)",
            present,
            Some(value),
            &deeper,
        ),
    ];
    let mut truncated = case("the last byte cut off", present, Some(value), &yes);
    truncated.proof.pop();
    cases.push(truncated);
    let mut tag = case("an unknown terminal tag", present, Some(value), &yes);
    tag.proof[2] = 3;
    cases.push(tag);
    let mut bad_root = case("another root", present, Some(value), &yes);
    bad_root.root.0[0] ^= 0x80;
    cases.push(bad_root);
    let depth = yes.siblings.len();
    if depth % 8 != 0 {
        let mut padded = case(
            "an unused bit of the bitmap set",
            present,
            Some(value),
            &yes,
        );
        // A proof of presence has no other leaf: the bitmap starts at 3.
        padded.proof[3 + depth / 8] |= 1;
        cases.push(padded);
    }
    if let Some(empty) = yes.siblings.iter().position(|s| *s == EMPTY_MAP_ROOT) {
        let mut zero = case(
            "an empty sibling given explicitly as 32 zero bytes",
            present,
            Some(value),
            &yes,
        );
        zero.proof = encode(&yes, &[empty]);
        cases.push(zero);
    }
    if let Terminal::Other { key: other, .. } = no.terminal {
        // The same absence proof for a key off the other leaf's path.
        let mut off = *absent;
        off[0] ^= 0x80;
        if off != other {
            cases.push(case(
                "another key's leaf that is not on this key's path",
                &off,
                None,
                &no,
            ));
        }
    }
    cases
}

fn build() -> Value {
    let values = |keys: &[MapKey]| -> Vec<(MapKey, Hash)> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| (*k, vector_value(i)))
            .collect()
    };

    let empty = map_json("empty", &[], &[vector_key(0)], |_| {
        vec![Invalid {
            description: "a proof of absence offered as presence",
            key: vector_key(0),
            value_hash: Some(vector_value(0)),
            proof: MapProof {
                siblings: vec![],
                terminal: Terminal::Empty,
            }
            .to_bytes(),
            root: EMPTY_MAP_ROOT,
        }]
    });

    let one = values(&[vector_key(0)]);
    let one_key = map_json("one key", &one, &[vector_key(0), vector_key(1)], |m| {
        let (proof, _) = m.prove(&vector_key(0));
        vec![Invalid {
            description: "a proof of presence offered as absence",
            key: vector_key(0),
            value_hash: None,
            proof: proof.to_bytes(),
            root: m.root(),
        }]
    });

    // Two keys sharing their first 20 bits (0xabcde), splitting on bit 20.
    let two = values(&[key("abcde0"), key("abcde8ff")]);
    let two_probes = [
        key("abcde0"),
        key("abcde8ff"),
        key("abcde4"),
        key("abcd00"),
        key("00"),
    ];
    let two_keys = map_json("two keys sharing 20 bits", &two, &two_probes, |m| {
        tampered(m, &key("abcde0"), &key("abcde4"))
    });

    // Shared buckets, shared top subtrees, a pair differing only in the last bit.
    let structured_keys = [
        key("00"),
        key("0000000000000000000000000000000000000000000000000000000000000001"),
        key("0001"),
        key("0080"),
        key("00ff"),
        key("01"),
        key("80"),
        key("80000001"),
        key("ff"),
        key("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
    ];
    let structured = values(&structured_keys);
    let mut structured_probes = structured_keys.to_vec();
    structured_probes.extend([
        key("0000000000000000000000000000000000000000000000000000000000000002"),
        key("7f"),
        key("8000000180"),
        key("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"),
    ]);
    let structured_map = map_json(
        "ten structured keys",
        &structured,
        &structured_probes,
        |m| tampered(m, &structured_keys[7], &key("8000000180")),
    );

    let random: Vec<MapKey> = (0..100).map(vector_key).collect();
    let random_leaves = values(&random);
    let mut random_probes: Vec<MapKey> = random[..5].to_vec();
    random_probes.extend((0..5).map(|i| sha256(&format!("provenant map absent {i}"))));
    let absent = sha256("provenant map absent 0");
    let random_map = map_json(
        "100 pseudo-random keys",
        &random_leaves,
        &random_probes,
        |m| tampered(m, &random[0], &absent),
    );

    json!({
        "description": "Golden vectors of Provenant's state map, a sparse Merkle prefix tree with the hashing of draft-ietf-keytrans-protocol. See README.md beside this file. Checked by crates/tlog/tests/map_vectors.rs.",
        "maps": [empty, one_key, two_keys, structured_map, random_map],
    })
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string"))
}

fn hash_field(v: &Value, field: &str) -> Option<Hash> {
    v[field]
        .as_str()
        .map(|t| Hash::from_hex(t).expect("hex hash"))
}

fn proof_field(v: &Value) -> Result<MapProof, Error> {
    let bytes = STANDARD.decode(text(v, "proof")).expect("base64");
    MapProof::from_bytes(&bytes)
}

#[test]
fn the_vectors_are_what_the_map_builds() {
    let built = build();
    if std::env::var_os("PROVENANT_WRITE_FIXTURES").is_some() {
        let mut out = serde_json::to_string_pretty(&built).expect("JSON");
        out.push('\n');
        // Written beside and renamed, so the other test never reads half a file.
        let partial = format!("{FIXTURE}.partial");
        std::fs::write(&partial, out).expect("write the vectors");
        std::fs::rename(&partial, FIXTURE).expect("replace the vectors");
    }
    let file = std::fs::read_to_string(FIXTURE).expect("fixtures/state/map-vectors.json");
    let file: Value = serde_json::from_str(&file).expect("the vectors are JSON");
    assert_eq!(
        file, built,
        "fixtures/state/map-vectors.json has drifted (PROVENANT_WRITE_FIXTURES=1 rewrites it)"
    );
}

#[test]
fn the_vectors_verify_as_written() {
    let file = std::fs::read_to_string(FIXTURE).expect("fixtures/state/map-vectors.json");
    let file: Value = serde_json::from_str(&file).expect("the vectors are JSON");
    let maps = file["maps"].as_array().expect("maps");
    assert_eq!(maps.len(), 5);
    let cases: Vec<&str> = maps
        .iter()
        .flat_map(|m| m["invalid"].as_array().expect("invalid"))
        .map(|case| text(case, "description"))
        .collect();
    for needed in [
        "the last byte cut off",
        "an unused bit of the bitmap set",
        "an empty sibling given explicitly as 32 zero bytes",
    ] {
        assert!(cases.contains(&needed), "no vector for {needed}");
    }
    for map in maps {
        let name = text(map, "name");
        let leaves: BTreeMap<MapKey, Hash> = map["leaves"]
            .as_array()
            .expect("leaves")
            .iter()
            .map(|l| {
                (
                    hash_field(l, "key").expect("key").0,
                    hash_field(l, "value_hash").expect("value"),
                )
            })
            .collect();
        let root = hash_field(map, "root").expect("root");
        assert_eq!(root_of(&leaves), root, "{name}: root");
        for p in map["proofs"].as_array().expect("proofs") {
            let key = hash_field(p, "key").expect("key").0;
            let value = hash_field(p, "value_hash");
            assert_eq!(value, leaves.get(&key).copied(), "{name}: value");
            proof_field(p)
                .and_then(|proof| proof.verify(&root, &key, value.as_ref()))
                .unwrap_or_else(|e| panic!("{name}: {} does not verify: {e}", text(p, "key")));
        }
        let invalid = map["invalid"].as_array().expect("invalid");
        assert!(!invalid.is_empty(), "{name}: no invalid case");
        for case in invalid {
            let key = hash_field(case, "key").expect("key").0;
            let root = hash_field(case, "root").expect("root");
            let error = proof_field(case)
                .and_then(|proof| {
                    proof.verify(&root, &key, hash_field(case, "value_hash").as_ref())
                })
                .expect_err(text(case, "description"));
            assert_eq!(
                error_name(&error),
                text(case, "error"),
                "{name}: {}",
                text(case, "description")
            );
        }
    }
}
