//! Hostile requests against a real server: each is answered with a 4xx
//! RFC 9457 problem naming the rule it breaks, and after each the log's
//! checkpoint (size and root) and the state it serves are unchanged.

// The attacks are tables: each group reads best as one list.
#![allow(clippy::too_many_lines)]

mod support;

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use provenant_model::{Envelope, Kind};
use provenant_testkit::envelope;
use serde_json::{Value, json};
use support::raw::{RawResponse, request};
use support::*;

/// One hostile request and the answer it must get.
struct Attack {
    name: String,
    method: &'static str,
    path: Vec<u8>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

/// A list of attacks, written compactly.
#[derive(Default)]
struct Attacks(Vec<Attack>);

impl Attacks {
    fn add(
        &mut self,
        name: impl Into<String>,
        method: &'static str,
        path: impl AsRef<[u8]>,
        body: impl AsRef<[u8]>,
        status: u16,
        code: &'static str,
    ) {
        self.0.push(Attack {
            name: name.into(),
            method,
            path: path.as_ref().to_vec(),
            content_type: (!body.as_ref().is_empty()).then_some("application/json"),
            body: body.as_ref().to_vec(),
            status,
            code,
        });
    }

    /// `POST /v1/entries` with `body`.
    fn entry(&mut self, name: &str, body: impl AsRef<[u8]>, status: u16, code: &'static str) {
        self.add(name, "POST", SubmitEntry::ROUTE.path, body, status, code);
    }

    /// `POST /v1/entries` with a JSON value.
    fn envelope(&mut self, name: &str, env: &Value, status: u16, code: &'static str) {
        self.entry(name, env.to_string(), status, code);
    }

    /// `GET path`.
    fn get(&mut self, name: &str, path: impl AsRef<[u8]>, status: u16, code: &'static str) {
        self.add(name, "GET", path, "", status, code);
    }
}

struct World {
    server: Server,
    alice: SigningKey,
    bob: SigningKey,
    brand: SigningKey,
    carol: SigningKey,
    outsider: SigningKey,
    design: provenant_model::DesignId,
    grant: Envelope,
    transfer: Envelope,
    /// The transfer's index in the log.
    transferred: u64,
    registered: Value,
    disputed: provenant_model::DesignId,
    dispute: Envelope,
    /// The log's own signing key, read from its data directory.
    log_key: SigningKey,
}

/// A design co-owned 60/40, a capped grant used up, a transfer, and a
/// disputed second design.
fn world(dir: &std::path::Path) -> World {
    let server = Server::start(dir, &[]);
    let (alice, bob, brand, carol, outsider) = (key(1), key(2), key(3), key(5), key(9));
    let reg = register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]);
    let registered = json!(server.write(&reg).leaf_hash);
    let design = design_of(b"charm");
    let mut terms = provenant_testkit::terms();
    terms["max_units"] = json!(100);
    terms["territories"] = json!(["FR"]);
    let grant = provenant_testkit::grant(design, &brand, &[&alice, &bob], &terms);
    server.write(&grant);
    server.write(&usage(&grant, 100, &brand));
    let transfer = envelope(
        Kind::OwnershipTransfer,
        json!({"design": design, "from": [{"key": id(&alice).to_string(), "share_ppm": 100_000}],
               "to": id(&carol).to_string(), "prev": registered}),
        &[&alice, &carol],
    );
    let transferred = server.write(&transfer).index;
    server.write(&register(b"contested", &[(&carol, 1_000_000)]));
    let disputed = design_of(b"contested");
    let dispute = envelope(
        Kind::DisputeRaise,
        json!({"design": disputed, "claim": "copied from my sketchbook", "evidence": "ab".repeat(32)}),
        &[&outsider],
    );
    server.write(&dispute);
    World {
        server,
        alice,
        bob,
        brand,
        carol,
        outsider,
        design,
        grant,
        transfer,
        transferred,
        registered,
        disputed,
        dispute,
        log_key: provenant_keyfile::load(&dir.join("log-key.pem")).unwrap(),
    }
}

fn usage(grant: &Envelope, quantity: u64, signer: &SigningKey) -> Envelope {
    envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(grant), "quantity": quantity, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": format!("run-{quantity}")}),
        &[signer],
    )
}

/// What must not change: the checkpoint and the state served.
fn snapshot(w: &World) -> Vec<String> {
    let get = |path: String| {
        let r = request(&w.server.base, "GET", path.as_bytes(), None, b"");
        format!("{} {}", r.status, String::from_utf8_lossy(&r.body))
    };
    vec![
        get(GetTlogCheckpoint::ROUTE.path.to_owned()),
        get(design_path(&w.design)),
        get(design_path(&w.disputed)),
        get(grant_path(&grant_id(&w.grant))),
        get(format!(
            "{}?creator={}",
            ListDesigns::ROUTE.path,
            id(&w.alice)
        )),
    ]
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signature line by `key` over `message`.
fn sig(key: &SigningKey, message: &[u8]) -> Value {
    json!({"key": id(key).to_string(), "sig": b64(&key.sign(message).to_bytes())})
}

/// The envelope `{kind, payload, signatures}` as JSON, signatures as given.
fn raw(kind: &str, payload: &Value, signatures: &[Value]) -> Value {
    json!({"kind": kind, "payload": payload, "signatures": signatures})
}

/// A registration payload with `creators` as (key text, share) pairs.
fn reg_payload(content: &[u8], creators: &[(String, Value)]) -> Value {
    let mut p = register(content, &[(&key(1), 1_000_000)]).to_value()["payload"].clone();
    p["creators"] = creators
        .iter()
        .map(|(k, s)| json!({"key": k, "share_ppm": s, "role": "d"}))
        .collect();
    p
}

fn envelope_text(env: &Envelope) -> String {
    env.to_value().to_string()
}

fn malformed_json(a: &mut Attacks, w: &World) {
    let valid = envelope_text(&register(b"fresh", &[(&w.alice, 1_000_000)]));
    a.entry("empty body", "", 400, "malformed");
    a.entry("whitespace body", "  \n ", 400, "malformed");
    for cut in [1, 10, valid.len() / 3, valid.len() / 2, valid.len() - 1] {
        a.entry(
            &format!("truncated at {cut}"),
            &valid[..cut],
            400,
            "malformed",
        );
    }
    for (name, body) in [
        ("an array", "[]"),
        ("null", "null"),
        ("a number", "42"),
        ("a string", "\"design.register\""),
        ("true", "true"),
        ("trailing garbage", &format!("{valid}xyz")),
        ("two documents", &format!("{valid}{valid}")),
        ("single quotes", "{'kind': 'design.register'}"),
        ("a comment", "{/* hi */}"),
        ("NaN", "{\"kind\": NaN}"),
    ] {
        a.entry(name, body, 400, "malformed");
    }
    let v: Value = serde_json::from_str(&valid).unwrap();
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut e = v.clone();
        edit(&mut e);
        e
    };
    for (name, e) in [
        (
            "size negative",
            edited(&|e| e["payload"]["content"]["size"] = json!(-1)),
        ),
        (
            "share as a float",
            edited(&|e| e["payload"]["creators"][0]["share_ppm"] = json!(0.5)),
        ),
    ] {
        a.envelope(name, &e, 400, "number-out-of-range");
    }
    let mut wrong = |name: &str, edit: &dyn Fn(&mut Value)| {
        a.envelope(name, &edited(edit), 400, "malformed");
    };
    wrong("kind as a number", &|e| e["kind"] = json!(7));
    wrong("unknown kind", &|e| e["kind"] = json!("design.delete"));
    wrong("kind in capitals", &|e| {
        e["kind"] = json!("DESIGN.REGISTER");
    });
    wrong("payload as a string", &|e| e["payload"] = json!("{}"));
    wrong("payload missing", &|e| {
        e.as_object_mut().unwrap().remove("payload");
    });
    wrong("signatures as an object", &|e| e["signatures"] = json!({}));
    wrong("signature without sig", &|e| {
        e["signatures"][0].as_object_mut().unwrap().remove("sig");
    });
    wrong("signature not base64", &|e| {
        e["signatures"][0]["sig"] = json!("!!!");
    });
    wrong("signature of 63 bytes", &|e| {
        e["signatures"][0]["sig"] = json!(b64(&[7; 63]));
    });
    wrong("key of the wrong scheme", &|e| {
        e["signatures"][0]["key"] = json!("rsa:AAAA");
    });
    wrong("key of 31 bytes", &|e| {
        e["signatures"][0]["key"] = json!(format!("ed25519:{}", b64(&[1; 31])));
    });
    wrong("unknown top-level field", &|e| {
        e["logged_at"] = json!("2020-01-01T00:00:00Z");
    });
    wrong("unknown payload field", &|e| {
        e["payload"]["owner"] = json!("me");
    });
    wrong("unknown creator field", &|e| {
        e["payload"]["creators"][0]["admin"] = json!(true);
    });
    wrong("size as a string", &|e| {
        e["payload"]["content"]["size"] = json!("5");
    });
    wrong("share as a string", &|e| {
        e["payload"]["creators"][0]["share_ppm"] = json!("1000000");
    });
    wrong("title as an array", &|e| {
        e["payload"]["title"] = json!(["a"]);
    });
    wrong("blake3 in capitals", &|e| {
        let upper = e["payload"]["content"]["blake3"]
            .as_str()
            .unwrap()
            .to_uppercase();
        e["payload"]["content"]["blake3"] = json!(upper);
    });
    wrong("blake3 too short", &|e| {
        e["payload"]["content"]["blake3"] = json!("abcd");
    });
    // Keys that only look like the real ones.
    for (name, from, to) in [
        ("Cyrillic і in kind", "\"kind\"", "\"k\u{456}nd\""),
        ("full-width payload", "\"payload\"", "\"\u{ff50}ayload\""),
        (
            "Cyrillic ѕ in signatures",
            "\"signatures\"",
            "\"\u{455}ignatures\"",
        ),
        ("zero-width space in kind", "\"kind\"", "\"kind\u{200b}\""),
    ] {
        a.entry(name, valid.replacen(from, to, 1), 400, "malformed");
    }
    // Two parsers could read different values from a repeated key.
    a.entry(
        "a repeated kind",
        valid.replacen('{', "{\"kind\":\"license.grant\",", 1),
        400,
        "malformed",
    );
    a.entry(
        "a repeated title",
        valid.replacen("\"title\":", "\"title\":\"Other\",\"title\":", 1),
        400,
        "malformed",
    );
    a.entry(
        "nesting 100000 deep",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        400,
        "malformed",
    );
    a.entry(
        "nesting 200 deep in a payload field",
        valid.replacen(
            "\"parents\":[]",
            &format!("\"parents\":{}{}", "[".repeat(200), "]".repeat(200)),
            1,
        ),
        400,
        "malformed",
    );
    a.entry(
        "non-UTF-8 bytes",
        b"{\"kind\": \"\xff\xfe\"}",
        400,
        "malformed",
    );
    a.entry(
        "a lone surrogate",
        valid.replacen("A shoe charm", "\\ud800", 1),
        400,
        "malformed",
    );
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(valid.as_bytes());
    a.entry("a byte-order mark", bom, 400, "malformed");
    a.entry(
        "a body over the limit",
        format!(
            "{{\"kind\":\"design.register\",\"pad\":\"{}\"}}",
            "x".repeat(2 << 20)
        ),
        413,
        "body-too-large",
    );
    a.entry(
        "a million signatures",
        format!("{{\"signatures\":[{}0]}}", "0,".repeat(1 << 20)),
        413,
        "body-too-large",
    );
}

fn numbers(a: &mut Attacks, w: &World) {
    let alice = id(&w.alice).to_string();
    let bob = id(&w.bob).to_string();
    let reg =
        |creators: &[(String, Value)]| raw("design.register", &reg_payload(b"n", creators), &[]);
    a.envelope(
        "a payload of another shape",
        &json!({"kind": "design.register", "payload": {"x": 1}}),
        400,
        "malformed",
    );
    a.entry(
        "share written as 1e400",
        reg(&[(alice.clone(), json!(1))]).to_string().replacen(
            "\"share_ppm\":1",
            "\"share_ppm\":1e400",
            1,
        ),
        400,
        "malformed",
    );
    a.entry(
        "share of 2^64",
        reg(&[(alice.clone(), json!(1))]).to_string().replacen(
            "\"share_ppm\":1",
            "\"share_ppm\":18446744073709551616",
            1,
        ),
        400,
        "number-out-of-range",
    );
    a.envelope(
        "share of 2^53",
        &reg(&[(alice.clone(), json!(1u64 << 53))]),
        400,
        "number-out-of-range",
    );
    // Shares are u32 ppm, each at most 10^6, at most 64 of them: a sum
    // cannot overflow, and anything larger is refused as it is parsed.
    a.envelope(
        "two shares whose sum overflows",
        &reg(&[
            (alice.clone(), json!((1u64 << 53) - 1)),
            (bob.clone(), json!((1u64 << 53) - 1)),
        ]),
        400,
        "malformed",
    );
    a.envelope(
        "shares summing to 999,999",
        &reg(&[
            (alice.clone(), json!(599_999)),
            (bob.clone(), json!(400_000)),
        ]),
        422,
        "shares-sum",
    );
    a.envelope(
        "shares summing to 1,000,001",
        &reg(&[
            (alice.clone(), json!(600_001)),
            (bob.clone(), json!(400_000)),
        ]),
        422,
        "shares-sum",
    );
    a.envelope(
        "a zero share",
        &reg(&[(alice.clone(), json!(1_000_000)), (bob.clone(), json!(0))]),
        422,
        "share-not-positive",
    );
    a.envelope(
        "a creator twice",
        &reg(&[
            (alice.clone(), json!(500_000)),
            (alice.clone(), json!(500_000)),
        ]),
        422,
        "duplicate-creator",
    );
    a.envelope("no creators", &reg(&[]), 400, "empty-list");
    let many: Vec<(String, Value)> = (0..10_000u32)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_be_bytes());
            (id(&SigningKey::from_bytes(&seed)).to_string(), json!(100))
        })
        .collect();
    // Over the largest entry a C2SP bundle can carry, before the count rule.
    a.envelope("10,000 creators", &reg(&many), 413, "entry-too-large");
    a.envelope("65 creators", &reg(&many[..65]), 400, "too-many-items");
    let mut p = reg_payload(b"kid", &[(alice.clone(), json!(1_000_000))]);
    p["parents"] = (0..17u8)
        .map(|i| json!({"design": design_of(&[i]), "grant": "cd".repeat(32)}))
        .collect();
    a.envelope(
        "17 parents",
        &raw("design.register", &p, &[]),
        422,
        "too-many-parents",
    );
    p["parents"] = json!([{"design": w.design, "grant": grant_id(&w.grant)}, {"design": w.design, "grant": grant_id(&w.grant)}]);
    a.envelope(
        "a parent twice",
        &raw("design.register", &p, &[]),
        422,
        "duplicate-parent",
    );
    let mut p = reg_payload(b"t", &[(alice.clone(), json!(1_000_000))]);
    p["title"] = json!("");
    a.envelope(
        "an empty title",
        &raw("design.register", &p, &[]),
        400,
        "text-length",
    );
    p["title"] = json!("x".repeat(201));
    a.envelope(
        "a title of 201 characters",
        &raw("design.register", &p, &[]),
        400,
        "text-length",
    );
    p["title"] = json!("bell\u{7}");
    a.envelope(
        "a control character in the title",
        &raw("design.register", &p, &[]),
        400,
        "malformed",
    );
    p["title"] = json!("ok");
    p["license_threshold_ppm"] = json!(0);
    a.envelope(
        "a license threshold of 0",
        &raw("design.register", &p, &[]),
        422,
        "threshold-range",
    );
    p["license_threshold_ppm"] = json!(1_000_001);
    a.envelope(
        "a license threshold over 100%",
        &raw("design.register", &p, &[]),
        400,
        "malformed",
    );
}

fn signatures(a: &mut Attacks, w: &World) {
    let fresh = register(b"fresh", &[(&w.alice, 600_000), (&w.bob, 400_000)]);
    let payload = fresh.to_value()["payload"].clone();
    let input = fresh.signing_input();
    let both = |sigs: &[Value]| raw("design.register", &payload, sigs);
    let mut pretty = b"provenant:v1:design.register\n".to_vec();
    pretty.extend(serde_json::to_vec_pretty(&payload).unwrap());
    a.envelope(
        "a signature over non-canonical bytes",
        &both(&[sig(&w.alice, &pretty), sig(&w.bob, &input)]),
        403,
        "signature-invalid",
    );
    let mut other_kind = b"provenant:v1:license.grant\n".to_vec();
    other_kind.extend_from_slice(&input[b"provenant:v1:design.register\n".len()..]);
    a.envelope(
        "a signature for another kind",
        &both(&[sig(&w.alice, &other_kind), sig(&w.bob, &input)]),
        403,
        "signature-invalid",
    );
    a.envelope(
        "a signature without the domain prefix",
        &both(&[sig(&w.alice, &input[13..]), sig(&w.bob, &input)]),
        403,
        "signature-invalid",
    );
    a.envelope(
        "an extra signature from a key not listed",
        &both(&[
            sig(&w.alice, &input),
            sig(&w.bob, &input),
            sig(&w.outsider, &input),
        ]),
        403,
        "unexpected-signer",
    );
    a.envelope(
        "a co-creator's signature missing",
        &both(&[sig(&w.alice, &input)]),
        403,
        "missing-signature",
    );
    a.envelope("no signatures", &both(&[]), 403, "missing-signature");
    a.envelope(
        "the same signature twice",
        &both(&[
            sig(&w.alice, &input),
            sig(&w.alice, &input),
            sig(&w.bob, &input),
        ]),
        403,
        "duplicate-signature",
    );
    let mut swapped = sig(&w.alice, &input);
    swapped["key"] = json!(id(&w.bob).to_string());
    a.envelope(
        "alice's signature under bob's key",
        &both(&[sig(&w.alice, &input), swapped]),
        403,
        "signature-invalid",
    );
    let other = register(b"other", &[(&w.alice, 600_000), (&w.bob, 400_000)]);
    a.envelope(
        "signatures copied from another envelope",
        &both(&other.to_value()["signatures"].as_array().unwrap().clone()),
        403,
        "signature-invalid",
    );
    // S + L: the same signature, non-canonical; verify_strict refuses it.
    let good = w.alice.sign(&input).to_bytes();
    let mut malleable = good;
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let s = u16::from(malleable[32 + i]) + u16::from(l[i]) + carry;
        malleable[32 + i] = (s & 0xff) as u8;
        carry = s >> 8;
    }
    a.envelope(
        "a malleated signature (S + L)",
        &both(&[
            json!({"key": id(&w.alice).to_string(), "sig": b64(&malleable)}),
            sig(&w.bob, &input),
        ]),
        403,
        "signature-invalid",
    );
    a.envelope(
        "a small-order key",
        &both(&[json!({"key": format!("ed25519:{}", b64(&[0; 32])), "sig": b64(&[0; 64])})]),
        400,
        "malformed",
    );
    // Issue 15's flood: 2,000 signatures that all verify. Refused while
    // parsing, before one is verified (crates/server/tests/router.rs counts).
    let many: Vec<Value> = (0..2000u32).map(|i| sig(&numbered(i), &input)).collect();
    a.envelope(
        "2,000 valid signatures",
        &both(&many),
        400,
        "too-many-items",
    );
    let creators: Vec<(String, Value)> = (0..320u32)
        .map(|i| {
            let share = 3125; // 320 equal shares of 1,000,000
            (id(&numbered(i)).to_string(), json!(share))
        })
        .collect();
    let mut big = reg_payload(b"big", &creators);
    big["description"] = json!("d".repeat(4000));
    let garbage: Vec<Value> = creators
        .iter()
        .map(|(k, _)| json!({"key": k, "sig": b64(&[7; 64])}))
        .collect();
    a.envelope(
        "an entry over 65,535 bytes whose signatures are garbage",
        &raw("design.register", &big, &garbage),
        413,
        "entry-too-large",
    );
    a.envelope(
        "a usage record signed by two keys",
        &usage_signed(w, &[&w.brand, &w.outsider]).to_value(),
        400,
        "too-many-items",
    );
    let two_raisers = envelope(
        Kind::DisputeRaise,
        json!({"design": w.design, "claim": "ours", "evidence": "cd".repeat(32)}),
        &[&w.outsider, &w.carol],
    );
    a.envelope(
        "a dispute raised by two keys",
        &two_raisers.to_value(),
        400,
        "too-many-items",
    );
}

/// A key from a number, apart from the seed keys.
fn numbered(i: u32) -> SigningKey {
    let mut seed = [0x77u8; 32];
    seed[..4].copy_from_slice(&i.to_be_bytes());
    SigningKey::from_bytes(&seed)
}

/// A one-unit usage record under the world's grant, signed by `signers`.
fn usage_signed(w: &World, signers: &[&SigningKey]) -> Envelope {
    envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&w.grant), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "two"}),
        signers,
    )
}

fn rules(a: &mut Attacks, w: &World) {
    let design = w.design;
    let (alice, bob, brand, carol) = (&w.alice, &w.bob, &w.brand, &w.carol);
    // The log's own kind: a commitment to the state as it stands, at the
    // next index, is refused whoever signs it, the log's key included.
    let size = w.server.log_info().size;
    let last = w.server.get::<GetEntry>(&entry_path(size - 1)).entry;
    assert_eq!(last["kind"], "state.commit");
    let mut commit = last["payload"].clone();
    commit["size"] = json!(size);
    for (name, signer) in [
        ("a state commitment by an outsider", &w.outsider),
        ("a state commitment signed with the log's key", &w.log_key),
    ] {
        let env = envelope(Kind::StateCommit, commit.clone(), &[signer]);
        a.envelope(name, &env.to_value(), 403, "log-only-kind");
    }

    let mut terms = provenant_testkit::terms();
    let g = |terms: &Value, owners: &[&SigningKey], licensee: &SigningKey| {
        provenant_testkit::grant(design, licensee, owners, terms).to_value()
    };
    a.envelope(
        "a grant by the minority owner",
        &g(&terms, &[bob], brand),
        403,
        "threshold-not-met",
    );
    a.envelope(
        "a grant by an outsider",
        &g(&terms, &[&w.outsider], brand),
        403,
        "unexpected-signer",
    );
    let unsigned_by_licensee = envelope(
        Kind::LicenseGrant,
        json!({"design": design, "licensee": id(brand).to_string(), "terms": terms}),
        &[alice, bob],
    );
    a.envelope(
        "a grant the licensee did not sign",
        &unsigned_by_licensee.to_value(),
        403,
        "missing-signature",
    );
    let ghost = provenant_testkit::grant(design_of(b"ghost"), brand, &[alice], &terms);
    a.envelope(
        "a grant of a design not registered",
        &ghost.to_value(),
        422,
        "design-not-found",
    );
    let bad_terms = |terms: &Value| {
        raw(
            "license.grant",
            &json!({"design": design, "licensee": id(brand).to_string(), "terms": terms}),
            &[],
        )
    };
    terms["ends_at"] = json!("2024-01-01T00:00:00Z");
    a.envelope(
        "a grant ending before it starts",
        &bad_terms(&terms),
        400,
        "terms-inconsistent",
    );
    terms = provenant_testkit::terms();
    terms["royalty"]["rev_share_ppm"] = json!(1_000_001);
    a.envelope("a royalty over 100%", &bad_terms(&terms), 400, "malformed");
    terms = provenant_testkit::terms();
    terms["territories"] = json!(["fr"]);
    a.envelope(
        "a territory in lower case",
        &bad_terms(&terms),
        400,
        "malformed",
    );
    terms["territories"] = json!(["FR", "FR"]);
    a.envelope(
        "a territory twice",
        &bad_terms(&terms),
        400,
        "duplicate-item",
    );
    terms = provenant_testkit::terms();
    terms["channels"] = json!(["retail-stores"]);
    a.envelope(
        "a grant for a channel outside the vocabulary",
        &bad_terms(&terms),
        400,
        "unknown-label",
    );
    terms = provenant_testkit::terms();
    terms["categories"] = json!(["foot-wear"]);
    a.envelope(
        "a grant for a category outside the vocabulary",
        &bad_terms(&terms),
        400,
        "unknown-label",
    );
    a.envelope("usage under a category outside the vocabulary", &raw("usage.record", &json!({"grant": grant_id(&w.grant), "quantity": 1, "territory": "FR", "channel": "retail", "category": "foot-wear", "batch_ref": "z"}), &[]), 400, "unknown-label");

    a.envelope(
        "usage beyond the cap by one unit",
        &usage(&w.grant, 1, brand).to_value(),
        422,
        "units-exceeded",
    );
    a.envelope("usage of zero units", &raw("usage.record", &json!({"grant": grant_id(&w.grant), "quantity": 0, "territory": "FR", "channel": "retail", "category": "accessories", "batch_ref": "z"}), &[]), 422, "quantity-zero");
    a.envelope(
        "usage recorded by an owner",
        &usage(&w.grant, 1, alice).to_value(),
        403,
        "missing-signature",
    );
    let mut stranger = usage(&w.grant, 1, brand).to_value();
    stranger["payload"]["grant"] = json!("ef".repeat(32));
    let stranger = envelope(Kind::UsageRecord, stranger["payload"].clone(), &[brand]);
    a.envelope(
        "usage of a grant that does not exist",
        &stranger.to_value(),
        422,
        "grant-not-found",
    );

    let revoke = |signers: &[&SigningKey]| {
        envelope(
            Kind::LicenseRevoke,
            json!({"grant": grant_id(&w.grant), "reason": "unpaid"}),
            signers,
        )
        .to_value()
    };
    a.envelope(
        "a revocation by an outsider",
        &revoke(&[&w.outsider]),
        403,
        "unexpected-signer",
    );
    a.envelope(
        "a revocation by the minority owner",
        &revoke(&[bob]),
        403,
        "threshold-not-met",
    );

    let transfer = |prev: &Value, from: &SigningKey, share: u64, to: &SigningKey| {
        envelope(
            Kind::OwnershipTransfer,
            json!({"design": design, "from": [{"key": id(from).to_string(), "share_ppm": share}],
                   "to": id(to).to_string(), "prev": prev}),
            &[from, to],
        )
        .to_value()
    };
    let latest = json!(w.transfer.to_value()["payload"]["prev"].clone());
    a.envelope(
        "a transfer with a stale prev",
        &transfer(&latest, alice, 50_000, brand),
        409,
        "stale-prev",
    );
    assert_eq!(latest, w.registered);
    let mut replay = w.transfer.to_value();
    replay["payload"]["from"][0]["share_ppm"] = json!(100_001);
    a.envelope(
        "a replayed transfer with its amount changed",
        &replay,
        403,
        "signature-invalid",
    );
    let current = json!(provenant_model::LeafHash::from(provenant_tlog::hash_leaf(
        b""
    )));
    a.envelope(
        "a transfer whose prev is no entry",
        &transfer(&current, alice, 50_000, brand),
        409,
        "stale-prev",
    );
    let mut self_move = transfer(&w.registered, alice, 1, alice);
    self_move["signatures"] = json!([]);
    a.envelope("a transfer to oneself", &self_move, 422, "self-transfer");

    let resolve = |signer: &SigningKey| {
        envelope(
            Kind::DisputeResolve,
            json!({"dispute": w.dispute.id(), "outcome": "dismissed", "note": "not copied"}),
            &[signer],
        )
        .to_value()
    };
    a.envelope(
        "a dispute resolved by a non-arbiter",
        &resolve(&w.outsider),
        403,
        "not-arbiter",
    );
    a.envelope(
        "a dispute resolved by the owner",
        &resolve(carol),
        403,
        "not-arbiter",
    );
    a.envelope(
        "a second open dispute from the same key, with a new claim",
        &envelope(
            Kind::DisputeRaise,
            json!({"design": w.disputed, "claim": "and the colours too", "evidence": "cd".repeat(32)}),
            &[&w.outsider],
        )
        .to_value(),
        409,
        "dispute-already-open",
    );
    let rotate = |signers: &[&SigningKey]| {
        envelope(
            Kind::KeyRotate,
            json!({"old": id(alice).to_string(), "new": id(&key(77)).to_string()}),
            signers,
        )
        .to_value()
    };
    a.envelope(
        "a rotation signed by the old key only",
        &rotate(&[alice]),
        403,
        "missing-signature",
    );
    a.envelope(
        "a rotation signed by the new key only",
        &rotate(&[&key(77)]),
        403,
        "missing-signature",
    );
    let onto = envelope(
        Kind::KeyRotate,
        json!({"old": id(alice).to_string(), "new": id(bob).to_string()}),
        &[alice, bob],
    );
    a.envelope(
        "a rotation onto a key in use",
        &onto.to_value(),
        422,
        "rotation-target-in-use",
    );
    a.envelope(
        "a registration of content already registered",
        &register(b"charm", &[(&w.outsider, 1_000_000)]).to_value(),
        409,
        "duplicate-content",
    );
    // A derivative cycle: content cannot be its own ancestor.
    let mut own = reg_payload(b"loop", &[(id(brand).to_string(), json!(1_000_000))]);
    own["parents"] = json!([{"design": design_of(b"loop"), "grant": grant_id(&w.grant)}]);
    let own = envelope(Kind::DesignRegister, own, &[brand]);
    a.envelope(
        "a design that is its own parent",
        &own.to_value(),
        422,
        "cycle",
    );
    let mut kid = reg_payload(
        b"kid of disputed",
        &[(id(carol).to_string(), json!(1_000_000))],
    );
    kid["parents"] = json!([{"design": w.disputed, "grant": grant_id(&w.grant)}]);
    let kid = envelope(Kind::DesignRegister, kid, &[carol]);
    a.envelope(
        "a derivative under another design's grant",
        &kid.to_value(),
        422,
        "parent-disputed",
    );
}

fn reads(a: &mut Attacks, w: &World) {
    for (path, status, code) in [
        ("/tile/../checkpoint", 400, "invalid-tile-path"),
        ("/tile/0/../../../etc/passwd", 400, "invalid-tile-path"),
        ("/tile/%2e%2e/%2e%2e/etc/passwd", 400, "invalid-tile-path"),
        ("/tile/0/-1", 400, "invalid-tile-path"),
        ("/tile/0/1.5", 400, "invalid-tile-path"),
        ("/tile/0/00a", 400, "invalid-tile-path"),
        ("/tile/0/0000", 400, "invalid-tile-path"),
        ("/tile/0/1", 400, "invalid-tile-path"),
        ("/tile/64/000", 400, "invalid-tile-path"),
        ("/tile/0/x1/234", 400, "invalid-tile-path"),
        ("/tile/0/000.p/0", 400, "invalid-tile-path"),
        ("/tile/0/000.p/256", 400, "invalid-tile-path"),
        ("/tile/0/000.p/-1", 400, "invalid-tile-path"),
        ("/tile/0/18446744073709551616", 400, "invalid-tile-path"),
        (
            "/tile/entries/x999/999/999/999/999/999/999",
            400,
            "invalid-tile-path",
        ),
        ("/tile/0/001", 404, "not-found"),
        ("/tile/entries/000", 404, "not-found"),
        ("/v1/proofs/inclusion?index=99", 400, "out-of-range"),
        (
            "/v1/proofs/inclusion?index=0&tree_size=99",
            400,
            "out-of-range",
        ),
        (
            "/v1/proofs/inclusion?index=0&tree_size=0",
            400,
            "out-of-range",
        ),
        ("/v1/proofs/inclusion?index=-1", 400, "invalid-query"),
        ("/v1/proofs/inclusion?index=abc", 400, "invalid-query"),
        (
            "/v1/proofs/inclusion?index=18446744073709551616",
            400,
            "invalid-query",
        ),
        ("/v1/proofs/inclusion", 400, "invalid-query"),
        (
            "/v1/proofs/inclusion?index=0&leaf_hash=00",
            400,
            "invalid-query",
        ),
        ("/v1/proofs/inclusion?index=0&admin=1", 400, "invalid-query"),
        ("/v1/proofs/consistency?from=0", 400, "out-of-range"),
        ("/v1/proofs/consistency?from=3&to=2", 400, "out-of-range"),
        ("/v1/proofs/consistency?from=1&to=99", 400, "out-of-range"),
        ("/v1/proofs/consistency?from=99", 400, "out-of-range"),
        ("/v1/proofs/consistency?from=x", 400, "invalid-query"),
        ("/v1/entries/-1", 400, "invalid-index"),
        ("/v1/entries/abc", 400, "invalid-index"),
        ("/v1/entries/18446744073709551616", 400, "invalid-index"),
        ("/v1/entries/99", 404, "not-found"),
        ("/v1/designs/zz", 400, "invalid-id"),
        ("/v1/grants/zz", 400, "invalid-id"),
        ("/v1/designs?creator=nobody", 400, "invalid-query"),
        ("/v1/designs?color=red", 400, "invalid-query"),
        ("/v1/no/such/route", 404, "not-found"),
    ] {
        a.get(path, path, status, code);
    }
    let unknown = "0".repeat(64);
    a.get(
        "an unknown leaf hash",
        format!("/v1/proofs/inclusion?leaf_hash={unknown}"),
        404,
        "not-found",
    );
    a.get(
        "an unknown design",
        format!("/v1/designs/{unknown}"),
        404,
        "not-found",
    );
    a.get(
        "a design id in capitals",
        format!("/v1/designs/{}", w.design.to_string().to_uppercase()),
        400,
        "invalid-id",
    );
    a.get("a non-UTF-8 path", "/tile/0/%ff%fe", 400, "invalid-path");
    a.add(
        "DELETE an entry",
        "DELETE",
        "/v1/entries/0",
        "",
        405,
        "method-not-allowed",
    );
    a.add(
        "PUT the checkpoint",
        "PUT",
        "/checkpoint",
        "x",
        405,
        "method-not-allowed",
    );

    let check = |edit: &dyn Fn(&mut Value)| {
        let mut q = json!({"design": w.design, "licensee": id(&w.brand).to_string(), "action": "commercial",
                           "territory": "FR", "channel": "retail", "category": "accessories",
                           "quantity": 1, "at": "2026-06-01T00:00:00Z"});
        edit(&mut q);
        q.to_string()
    };
    for (name, body) in [
        (
            "a check with an unknown field",
            check(&|q| q["force"] = json!(true)),
        ),
        (
            "a check with a negative quantity",
            check(&|q| q["quantity"] = json!(-1)),
        ),
        (
            "a check without a design",
            check(&|q| {
                q.as_object_mut().unwrap().remove("design");
            }),
        ),
        (
            "a check with a bad date",
            check(&|q| q["at"] = json!("yesterday")),
        ),
        ("a check that is not JSON", "design=1".to_owned()),
    ] {
        a.add(name, "POST", "/v1/licenses/check", body, 400, "malformed");
    }
    a.add(
        "a check for a channel outside the vocabulary",
        "POST",
        "/v1/licenses/check",
        check(&|q| q["channel"] = json!("retail-stores")),
        400,
        "unknown-label",
    );
    let split = |amount: Value, currency: &str| {
        json!({"design": w.design, "amount": {"amount_minor": amount, "currency": currency}})
            .to_string()
    };
    a.add(
        "a split of 2^64",
        "POST",
        "/v1/royalties/split",
        split(json!(1), "EUR").replacen(
            "\"amount_minor\":1",
            "\"amount_minor\":18446744073709551616",
            1,
        ),
        400,
        "malformed",
    );
    a.add(
        "a split in lower-case currency",
        "POST",
        "/v1/royalties/split",
        split(json!(100), "eur"),
        400,
        "malformed",
    );
    let detail = |detail: Value| {
        json!({"design": w.design, "revenue": {"amount_minor": 100, "currency": "EUR"},
            "detail": detail})
        .to_string()
    };
    a.add(
        "a split detail page after a forged cursor",
        "POST",
        "/v1/royalties/split",
        detail(json!({"after": "../../etc"})),
        400,
        "invalid-cursor",
    );
    a.add(
        "a split detail with an unknown field",
        "POST",
        "/v1/royalties/split",
        detail(json!({"offset": 5})),
        400,
        "malformed",
    );
    let csv = |text: String| (text, "text/csv");
    let d = w.design;
    for (name, (body, ct), code) in [
        (
            "a CSV without its header",
            csv(format!("{d},1,EUR\n")),
            "malformed",
        ),
        (
            "a CSV with a negative amount",
            csv(format!("design,amount_minor,currency\n{d},-1,EUR\n")),
            "malformed",
        ),
        (
            "a CSV row with four fields",
            csv(format!("design,amount_minor,currency\n{d},1,EUR,x\n")),
            "malformed",
        ),
        (
            "a CSV of 10,001 rows",
            csv(format!(
                "design,amount_minor,currency\n{}",
                format!("{d},1,EUR\n").repeat(10_001)
            )),
            "too-many-items",
        ),
    ] {
        a.0.push(Attack {
            name: name.to_owned(),
            method: "POST",
            path: b"/v1/royalties/statement".to_vec(),
            content_type: Some(ct),
            body: body.into_bytes(),
            status: 400,
            code,
        });
    }
    a.0.push(Attack {
        name: "a CSV that is not UTF-8".to_owned(),
        method: "POST",
        path: b"/v1/royalties/statement".to_vec(),
        content_type: Some("text/csv"),
        body: b"design,amount_minor,currency\n\xff,1,EUR\n".to_vec(),
        status: 400,
        code: "malformed",
    });
}

fn check_answer(attack: &Attack, r: &RawResponse) -> Result<(), String> {
    let body: Value = serde_json::from_slice(&r.body)
        .map_err(|e| format!("not JSON ({e}): {}", String::from_utf8_lossy(&r.body)))?;
    let ct = r.header("content-type").unwrap_or_default();
    let want = format!("https://provenant.dev/problems/{}", attack.code);
    if r.status != attack.status || body["type"] != json!(want) || ct != "application/problem+json"
    {
        return Err(format!(
            "want {} {}, got {} {ct} {body}",
            attack.status, attack.code, r.status
        ));
    }
    if body["status"] != json!(r.status) || !body["detail"].is_string() {
        return Err(format!("not a complete problem: {body}"));
    }
    Ok(())
}

#[test]
fn hostile_requests_get_problems_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path());
    let mut attacks = Attacks::default();
    malformed_json(&mut attacks, &w);
    numbers(&mut attacks, &w);
    signatures(&mut attacks, &w);
    rules(&mut attacks, &w);
    reads(&mut attacks, &w);
    let names: std::collections::BTreeSet<&str> =
        attacks.0.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), attacks.0.len(), "attack names are distinct");
    assert!(attacks.0.len() >= 100, "{} attacks", attacks.0.len());

    let before = snapshot(&w);
    let mut failures = Vec::new();
    for attack in &attacks.0 {
        let r = request(
            &w.server.base,
            attack.method,
            &attack.path,
            attack.content_type,
            &attack.body,
        );
        if let Err(e) = check_answer(attack, &r) {
            failures.push(format!("{}: {e}", attack.name));
        }
        assert!(
            snapshot(&w) == before,
            "{} changed the log or its state",
            attack.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} attacks answered wrongly:\n{}",
        failures.len(),
        attacks.0.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} hostile requests, each refused with its problem, nothing changed",
        attacks.0.len()
    );

    // Replaying an envelope already logged is not an attack: it gets the
    // original receipt (200), and nothing changes.
    let again = w.server.try_write(&w.transfer).unwrap();
    assert!(!again.created, "{again:?}");
    assert_eq!(again.receipt.index, w.transferred);
    assert_eq!(snapshot(&w), before);
}
