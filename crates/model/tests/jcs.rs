//! The canonical bytes of `provenant_model::jcs` against two independent
//! sources: the reference vectors of RFC 8785's authors (`fixtures/jcs`,
//! from cyberphone/json-canonicalization) and the `serde_jcs` crate on
//! random values of the JSON Provenant signs.

use std::path::Path;

use proptest::prelude::*;
use provenant_model::jcs::{self, UnsupportedNumber};
use provenant_model::{MAX_SAFE_INTEGER, strict_json};
use serde_json::{Map, Value, json};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jcs");

/// Whether every number in `value` is an integer in `0..=2^53-1`, decided
/// apart from the writer.
fn in_subset(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_u64().is_some_and(|v| v <= MAX_SAFE_INTEGER),
        Value::Array(items) => items.iter().all(in_subset),
        Value::Object(map) => map.values().all(in_subset),
        _ => true,
    }
}

/// Each vector: its name, its input parsed, the expected output bytes.
fn vectors() -> Vec<(String, Value, Vec<u8>)> {
    let inputs = Path::new(VECTORS).join("input");
    let mut out = Vec::new();
    for file in std::fs::read_dir(&inputs).expect("fixtures/jcs/input") {
        let path = file.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let input = std::fs::read(&path).expect("input");
        let expected =
            std::fs::read(Path::new(VECTORS).join("output").join(&name)).expect("output");
        let value = strict_json::parse(&input).expect("the input parses");
        out.push((name, value, expected));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn reference_vectors_in_the_subset_give_the_expected_bytes() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 6, "the six files of testdata/input");
    let mut taken = Vec::new();
    for (name, value, expected) in &vectors {
        if in_subset(value) {
            let ours = jcs::to_vec(value).expect("a value in the subset");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(expected),
                "{name}"
            );
            assert_eq!(&ours, expected, "{name}");
            taken.push(name.as_str());
        } else {
            assert_eq!(jcs::to_vec(value), Err(UnsupportedNumber), "{name}");
        }
    }
    // The vectors with floats (structures, values) are refused; the rest,
    // among them the UTF-16 member order of weird.json, are written.
    assert_eq!(
        taken,
        ["arrays.json", "french.json", "unicode.json", "weird.json"]
    );
}

#[test]
fn the_oracle_agrees_with_the_reference_vectors() {
    // serde_jcs, the oracle of the property below, writes every vector
    // (floats included) as RFC 8785's authors do.
    for (name, value, expected) in vectors() {
        assert_eq!(serde_jcs::to_vec(&value).expect("jcs"), expected, "{name}");
    }
}

/// Characters weighted towards those the rules treat apart: controls and
/// characters JSON escapes, ASCII, U+E000..U+FFFF and non-BMP (whose
/// UTF-16 order differs from their UTF-8 order).
fn character() -> impl Strategy<Value = char> {
    use prop::char::range;
    prop_oneof![
        range('\u{0}', '\u{1f}'),
        prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{2029}']),
        range('a', 'e'),
        range('\u{80}', '\u{d7ff}'),
        range('\u{e000}', '\u{ffff}'),
        range('\u{10000}', '\u{10ffff}'),
        any::<char>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(character(), 0..8).prop_map(String::from_iter)
}

/// JSON values whose numbers are integers in `0..=2^53-1`.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0..=MAX_SAFE_INTEGER).prop_map(|n| json!(n)),
        prop::sample::select(vec![0, 1, 9, 10, MAX_SAFE_INTEGER]).prop_map(|n| json!(n)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Numbers outside the subset: negative, fractional, too large.
fn bad_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (i64::MIN..0).prop_map(|n| json!(n)),
        (MAX_SAFE_INTEGER + 1..=u64::MAX).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(json!(1.0)),
        Just(json!(-0.0)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn the_bytes_are_serde_jcs_bytes(value in value()) {
        let ours = jcs::to_vec(&value).expect("a value in the subset");
        prop_assert_eq!(ours, serde_jcs::to_vec(&value).expect("jcs"));
    }

    #[test]
    fn any_number_outside_the_subset_is_refused(
        value in value(),
        bad in bad_number(),
        name in text(),
        at_end in any::<bool>(),
    ) {
        let holder = if at_end {
            json!([value, {name: [bad]}])
        } else {
            json!({"": value, name: bad})
        };
        prop_assert_eq!(jcs::to_vec(&holder), Err(UnsupportedNumber));
    }

    #[test]
    fn the_member_order_is_utf16_order(a in text(), b in text()) {
        let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        prop_assert_eq!(jcs::utf16_cmp(&a, &b), units(&a).cmp(&units(&b)));
    }
}
