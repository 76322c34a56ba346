//! The payload schemas agree with the rules: every case below is an
//! envelope that the schema and the model's stateless checks both accept,
//! or both refuse, at each limit and one step past it. A limit missing from
//! a schema, or a schema stricter than the rules, fails a case.
//!
//! Run with `--features schema` (the api crate turns it on in the
//! workspace).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use ed25519_dalek::SigningKey;
use provenant_model::payload::{MAX_CREATORS, MAX_PARENTS, MAX_SHORT_TEXT, MAX_TEXT, MAX_TITLE};
use provenant_model::terms::MAX_TERM_LIST;
use provenant_model::{
    Envelope, MAX_SAFE_INTEGER, MAX_SIGNATURES, Payload, Ppm, RuleError, check_text, identity_of,
};
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

fn key(seed: u8) -> String {
    identity_of(&SigningKey::from_bytes(&[seed; 32]))
        .unwrap()
        .to_string()
}

fn hex(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}

fn validator() -> jsonschema::Validator {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Envelope>();
    jsonschema::validator_for(&schema.to_value()).unwrap()
}

/// The model's verdict without a state: parsing, then each kind's
/// stateless checks. Revocation reasons, claims and notes are the first
/// check of their rule (`rules/grant.rs`, `rules/dispute.rs`).
fn model(envelope: &Value) -> Result<(), RuleError> {
    let env = Envelope::from_value(envelope.clone())?;
    match env.payload() {
        Payload::DesignRegister(p) => p.validate(),
        Payload::LicenseGrant(p) => p.terms.validate(),
        Payload::UsageRecord(p) => p.validate(),
        Payload::OwnershipTransfer(p) => p.validate(),
        Payload::LicenseRevoke(p) => check_text("reason", &p.reason, 1, MAX_TEXT),
        Payload::DisputeRaise(p) => check_text("claim", &p.claim, 1, MAX_TEXT),
        Payload::DisputeResolve(p) => check_text("note", &p.note, 0, MAX_TEXT),
        Payload::KeyRotate(_) | Payload::StateCommit(_) => Ok(()),
    }
}

fn terms() -> Value {
    json!({
        "commercial_use": true, "derivatives_allowed": true,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "starts_at": "2025-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false
    })
}

/// A valid envelope of each kind, unsigned.
fn base(kind: &str) -> Value {
    let payload = match kind {
        "design.register" => json!({
            "content": {"blake3": hex(1), "sha256": hex(2), "size": 10, "media_type": "image/png"},
            "title": "A shoe charm",
            "creators": [{"key": key(1), "share_ppm": 1_000_000, "role": "designer"}],
            "ai": {"digital_source_type":
                "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"},
        }),
        "license.grant" => json!({"design": hex(1), "licensee": key(2), "terms": terms()}),
        "usage.record" => json!({
            "grant": hex(3), "quantity": 10, "territory": "FR", "channel": "retail",
            "category": "footwear", "batch_ref": "B-1",
        }),
        "ownership.transfer" => json!({
            "design": hex(1), "from": [{"key": key(1), "share_ppm": 500_000}],
            "to": key(2), "prev": hex(4),
        }),
        "license.revoke" => json!({"grant": hex(3), "reason": "unpaid"}),
        "dispute.raise" => json!({"design": hex(1), "claim": "copied", "evidence": hex(5)}),
        "dispute.resolve" => json!({"dispute": hex(6), "outcome": "upheld"}),
        "key.rotate" => json!({"old": key(1), "new": key(2)}),
        _ => unreachable!("{kind}"),
    };
    json!({"kind": kind, "payload": payload})
}

/// `kind`'s base envelope with `pointer` (into the payload) set to `value`.
fn with(kind: &str, pointer: &str, value: Value) -> Value {
    let mut env = base(kind);
    *env["payload"].pointer_mut(pointer).unwrap_or_else(|| {
        panic!("{kind}: no {pointer}");
    }) = value;
    env
}

/// `kind`'s base envelope with the payload member `field` set to `value`.
fn set(kind: &str, field: &str, value: Value) -> Value {
    let mut env = base(kind);
    env["payload"][field] = value;
    env
}

fn text(n: usize) -> Value {
    // Two bytes a character: lengths count characters, not bytes.
    json!("é".repeat(n))
}

fn creators(n: usize, share: u64) -> Value {
    (0..n)
        .map(|i| json!({"key": key(u8::try_from(i + 1).unwrap()), "share_ppm": share, "role": "designer"}))
        .collect()
}

fn parents(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"design": hex(u8::try_from(i + 10).unwrap()), "grant": hex(9)}))
        .collect()
}

#[allow(clippy::too_many_lines)] // One row a case.
fn cases() -> Vec<(&'static str, Value, bool)> {
    let terms_with = |field: &str, value: Value| {
        let mut t = terms();
        t[field] = value;
        set("license.grant", "terms", t)
    };
    let share = u64::from(Ppm::SCALE) / u64::try_from(MAX_CREATORS).unwrap();
    let mut cases = vec![
        (
            "title at its limit",
            set("design.register", "title", text(MAX_TITLE)),
            true,
        ),
        (
            "title past its limit",
            set("design.register", "title", text(MAX_TITLE + 1)),
            false,
        ),
        (
            "empty title",
            set("design.register", "title", json!("")),
            false,
        ),
        (
            "title with a control character",
            set("design.register", "title", json!("a\u{7}b")),
            false,
        ),
        (
            "title with a C1 control",
            set("design.register", "title", json!("a\u{85}b")),
            false,
        ),
        (
            "description with tab and newline",
            set("design.register", "description", json!("a\n\tb")),
            true,
        ),
        (
            "description at its limit",
            set("design.register", "description", text(MAX_TEXT)),
            true,
        ),
        (
            "description past its limit",
            set("design.register", "description", text(MAX_TEXT + 1)),
            false,
        ),
        (
            "no creators",
            set("design.register", "creators", json!([])),
            false,
        ),
        (
            "creators at their limit",
            set("design.register", "creators", creators(MAX_CREATORS, share)),
            true,
        ),
        (
            "creators past their limit",
            set(
                "design.register",
                "creators",
                creators(MAX_CREATORS + 1, share),
            ),
            false,
        ),
        (
            "a creator's share of zero",
            set(
                "design.register",
                "creators",
                json!([
            {"key": key(1), "share_ppm": 1_000_000, "role": "designer"},
            {"key": key(2), "share_ppm": 0, "role": "designer"}]),
            ),
            false,
        ),
        (
            "a share over 100%",
            with("design.register", "/creators/0/share_ppm", json!(1_000_001)),
            false,
        ),
        (
            "a role that is not a label",
            with("design.register", "/creators/0/role", json!("Designer")),
            false,
        ),
        (
            "a role at its limit",
            with("design.register", "/creators/0/role", json!("a".repeat(64))),
            true,
        ),
        (
            "a role past its limit",
            with("design.register", "/creators/0/role", json!("a".repeat(65))),
            false,
        ),
        (
            "parents at their limit",
            set("design.register", "parents", parents(MAX_PARENTS)),
            true,
        ),
        (
            "parents past their limit",
            set("design.register", "parents", parents(MAX_PARENTS + 1)),
            false,
        ),
        (
            "an empty software agent",
            set(
                "design.register",
                "ai",
                json!({
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalArt",
            "software_agent": ""}),
            ),
            false,
        ),
        (
            "a software agent at its limit",
            set(
                "design.register",
                "ai",
                json!({
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalArt",
            "software_agent": text(MAX_SHORT_TEXT)}),
            ),
            true,
        ),
        (
            "a software agent past its limit",
            set(
                "design.register",
                "ai",
                json!({
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalArt",
            "software_agent": text(MAX_SHORT_TEXT + 1)}),
            ),
            false,
        ),
        (
            "an empty human contribution",
            set(
                "design.register",
                "ai",
                json!({
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalArt",
            "human_contribution": ""}),
            ),
            false,
        ),
        (
            "an unknown digital source type",
            with(
                "design.register",
                "/ai/digital_source_type",
                json!("http://cv.iptc.org/newscodes/digitalsourcetype/madeUp"),
            ),
            false,
        ),
        (
            "a threshold of zero",
            set("design.register", "license_threshold_ppm", json!(0)),
            false,
        ),
        (
            "a threshold of one ppm",
            set("design.register", "license_threshold_ppm", json!(1)),
            true,
        ),
        (
            "an upper-case media type",
            with("design.register", "/content/media_type", json!("Image/PNG")),
            false,
        ),
        (
            "a media type with parameters",
            with(
                "design.register",
                "/content/media_type",
                json!("image/png; q=1"),
            ),
            false,
        ),
        (
            "a media type at its limit",
            with(
                "design.register",
                "/content/media_type",
                json!(format!("{}/{}", "a".repeat(63), "b".repeat(63))),
            ),
            true,
        ),
        (
            "a media type past its limit",
            with(
                "design.register",
                "/content/media_type",
                json!(format!("{}/{}", "a".repeat(64), "b")),
            ),
            false,
        ),
        (
            "an upper-case hash",
            with(
                "design.register",
                "/content/sha256",
                json!(hex(0xab).to_uppercase()),
            ),
            false,
        ),
        (
            "a size at the safe limit",
            with("design.register", "/content/size", json!(MAX_SAFE_INTEGER)),
            true,
        ),
        (
            "a size past the safe limit",
            with(
                "design.register",
                "/content/size",
                json!(MAX_SAFE_INTEGER + 1),
            ),
            false,
        ),
        (
            "an unknown payload member",
            set("design.register", "x", json!(1)),
            false,
        ),
        (
            "a quantity of zero",
            set("usage.record", "quantity", json!(0)),
            false,
        ),
        (
            "an unknown channel",
            set("usage.record", "channel", json!("retail-stores")),
            false,
        ),
        (
            "an unknown category",
            set("usage.record", "category", json!("foot-wear")),
            false,
        ),
        (
            "a subcategory",
            set("usage.record", "category", json!("watches")),
            true,
        ),
        (
            "an unassigned country",
            set("usage.record", "territory", json!("XX")),
            false,
        ),
        (
            "an empty batch reference",
            set("usage.record", "batch_ref", json!("")),
            false,
        ),
        (
            "a batch reference past its limit",
            set("usage.record", "batch_ref", text(MAX_SHORT_TEXT + 1)),
            false,
        ),
        (
            "territories",
            terms_with("territories", json!(["FR", "DE"])),
            true,
        ),
        (
            "a territory twice",
            terms_with("territories", json!(["FR", "DE", "FR"])),
            false,
        ),
        (
            "a channel twice",
            terms_with("channels", json!(["retail", "retail"])),
            false,
        ),
        (
            "categories past their limit",
            terms_with("categories", json!(vec!["apparel"; MAX_TERM_LIST + 1])),
            false,
        ),
        ("a cap of zero", terms_with("max_units", json!(0)), false),
        ("a cap of one", terms_with("max_units", json!(1)), true),
        (
            "a revenue share without commercial use",
            terms_with("commercial_use", json!(false)),
            false,
        ),
        (
            "reciprocity without derivatives",
            {
                let mut t = terms();
                t["derivatives_allowed"] = json!(false);
                t["derivatives_reciprocal"] = json!(true);
                set("license.grant", "terms", t)
            },
            false,
        ),
        (
            "approval without derivatives",
            {
                let mut t = terms();
                t["derivatives_allowed"] = json!(false);
                t["derivatives_approval"] = json!(true);
                set("license.grant", "terms", t)
            },
            false,
        ),
        (
            "no derivatives, no commerce",
            {
                let mut t = terms();
                t["derivatives_allowed"] = json!(false);
                t["commercial_use"] = json!(false);
                t["royalty"]["rev_share_ppm"] = json!(0);
                set("license.grant", "terms", t)
            },
            true,
        ),
        (
            "an unknown royalty policy",
            terms_with("royalty", json!({"policy": "XYZ", "rev_share_ppm": 0})),
            false,
        ),
        (
            "a minting fee",
            terms_with(
                "minting_fee",
                json!({"amount_minor": 500, "currency": "EUR"}),
            ),
            true,
        ),
        (
            "a lower-case currency",
            terms_with(
                "minting_fee",
                json!({"amount_minor": 500, "currency": "eur"}),
            ),
            false,
        ),
        (
            "a missing term",
            {
                let mut env = base("license.grant");
                env["payload"]["terms"]
                    .as_object_mut()
                    .unwrap()
                    .remove("exclusive");
                env
            },
            false,
        ),
        (
            "a time that is not RFC 3339",
            terms_with("starts_at", json!("2025-01-01")),
            false,
        ),
        (
            "a time with an offset",
            terms_with("starts_at", json!("2025-01-01T01:00:00.5+01:00")),
            true,
        ),
        (
            "no givers",
            set("ownership.transfer", "from", json!([])),
            false,
        ),
        (
            "a giver's share of zero",
            with("ownership.transfer", "/from/0/share_ppm", json!(0)),
            false,
        ),
        (
            "an empty reason",
            set("license.revoke", "reason", json!("")),
            false,
        ),
        (
            "a reason at its limit",
            set("license.revoke", "reason", text(MAX_TEXT)),
            true,
        ),
        (
            "a claim past its limit",
            set("dispute.raise", "claim", text(MAX_TEXT + 1)),
            false,
        ),
        (
            "an empty note",
            set("dispute.resolve", "note", json!("")),
            true,
        ),
        (
            "an unknown outcome",
            set("dispute.resolve", "outcome", json!("maybe")),
            false,
        ),
        (
            "a key without its prefix",
            set(
                "key.rotate",
                "old",
                json!(key(1).trim_start_matches("ed25519:")),
            ),
            false,
        ),
        (
            "a key without padding",
            set("key.rotate", "old", json!(key(1).trim_end_matches('='))),
            false,
        ),
        (
            "a key in non-canonical base64",
            set(
                "key.rotate",
                "old",
                json!(format!("{}B=", &key(1)[..key(1).len() - 2])),
            ),
            false,
        ),
        (
            "a payload of another kind",
            json!({"kind": "key.rotate", "payload": base("dispute.raise")["payload"]}),
            false,
        ),
        (
            "an unknown kind",
            json!({"kind": "key.Rotate", "payload": base("key.rotate")["payload"]}),
            false,
        ),
        (
            "a member beside the payload",
            {
                let mut env = base("key.rotate");
                env["x"] = json!(1);
                env
            },
            false,
        ),
    ];
    let line = |sig: String| json!({"key": key(1), "sig": sig});
    let well_formed = format!("{}A==", "A".repeat(85));
    for (name, sig, ok) in [
        ("a well-formed signature", well_formed.clone(), true),
        ("a short signature", "AAAA".to_owned(), false),
        (
            "a signature in non-canonical base64",
            format!("{}B==", "A".repeat(85)),
            false,
        ),
    ] {
        let mut env = base("key.rotate");
        env["signatures"] = json!([line(sig)]);
        cases.push((name, env, ok));
    }
    let mut env = base("key.rotate");
    env["signatures"] = json!(vec![line(well_formed); MAX_SIGNATURES + 1]);
    cases.push(("signatures past their limit", env, false));
    for kind in [
        "design.register",
        "license.grant",
        "usage.record",
        "ownership.transfer",
        "license.revoke",
        "dispute.raise",
        "dispute.resolve",
        "key.rotate",
    ] {
        cases.push((kind, base(kind), true));
    }
    cases
}

#[test]
fn the_schema_and_the_rules_agree_at_every_limit() {
    let schema = validator();
    let mut wrong = Vec::new();
    for (name, envelope, expected) in cases() {
        let by_model = model(&envelope);
        let by_schema: Vec<String> = schema
            .iter_errors(&envelope)
            .map(|e| e.to_string())
            .collect();
        if by_model.is_ok() != expected || by_schema.is_empty() != expected {
            wrong.push(format!(
                "{name}: expected {expected}, model {by_model:?}, schema {by_schema:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What only the rules can check, documented in the schema module: the
/// schema accepts these, the model refuses them.
#[test]
fn the_rules_beyond_a_schema() {
    let schema = validator();
    let gaps = [
        set("design.register", "creators", creators(2, 400_000)),
        set(
            "design.register",
            "creators",
            json!([
            {"key": key(1), "share_ppm": 500_000, "role": "designer"},
            {"key": key(1), "share_ppm": 500_000, "role": "customer"}]),
        ),
        {
            let mut t = terms();
            t["ends_at"] = json!("2024-01-01T00:00:00Z");
            set("license.grant", "terms", t)
        },
        set("ownership.transfer", "to", json!(key(1))),
    ];
    for envelope in gaps {
        assert!(schema.is_valid(&envelope), "{envelope}");
        assert!(model(&envelope).is_err(), "{envelope}");
    }
}
