//! Golden vectors of proven answers, `fixtures/answers/vectors.json`, for
//! other verifiers (the browser page's among them): real answers of a real
//! ledger, valid and tampered, each with the verdict a verifier must give.
//!
//! `PROVENANT_WRITE_FIXTURES=1` writes the file again from a fresh ledger
//! (its clock makes every run's bytes differ, so the file is not compared
//! with a rebuild: its cases are). Every run checks each case with the Rust
//! verifier of `provenant-api`; `crates/page/tests` checks the same file
//! with the page's.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use provenant_api::design::{DesignReport, NotRegistered};
use provenant_api::log::{ConsistencyAnswer, EntryAnswer};
use provenant_api::verify::{VerifyError, verify_checkpoint, verify_registration};
use provenant_api::{Proven, verify_bundle, verify_receipt};
use provenant_ledger::Ledger;
use provenant_model::{GrantState, Kind, LicenseQuery, Receipt, hash_content};
use provenant_tlog::NoteVerifier;
use provenant_tlog::bundle::ProofBundle;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/answers/vectors.json"
);

const OTHER_ORIGIN: &str = "other.provenant.example/log";

/// The design the story registers, a file a shopper could drop.
const CONTENT: &[u8] = b"A shoe charm, co-designed from a prompt: a small silver fox.";

/// The keys a case is checked under: the log's, another key under the
/// log's origin, and the log's key under another origin.
fn keys() -> Vec<(&'static str, NoteVerifier)> {
    let log = log_key();
    let other = key(201);
    vec![
        (
            "log",
            NoteVerifier::new(ORIGIN, log.verifying_key()).unwrap(),
        ),
        (
            "wrong-key",
            NoteVerifier::new(ORIGIN, other.verifying_key()).unwrap(),
        ),
        (
            "wrong-origin",
            NoteVerifier::new(OTHER_ORIGIN, log.verifying_key()).unwrap(),
        ),
    ]
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

/// The story: two co-creators register a design with an AI disclosure; a
/// brand gets a grant for France, retail, apparel, 1,000 units and makes a
/// run of 7; a second brand's grant is revoked; a third design is
/// disputed. Returns the ledger and what the cases need from the way.
struct Story {
    ledger: Ledger,
    early_design: Proven<DesignReport>,
    receipt: Receipt,
}

fn story() -> Story {
    let ledger = memory_ledger();
    let (alice, bob, brand, brand2, claimant) = (key(1), key(2), key(3), key(4), key(5));
    let h = hash_content(CONTENT).unwrap();
    let payload = json!({
        "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size, "media_type": "image/png"},
        "title": "Silver fox charm",
        "description": "A shoe charm made from a shopper's prompt.",
        "creators": [
            {"key": id(&alice).to_string(), "share_ppm": 600_000, "role": "designer"},
            {"key": id(&bob).to_string(), "share_ppm": 400_000, "role": "prompter"}
        ],
        "ai": {"digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
               "software_agent": "an image model", "human_contribution": "the prompt and the final edit"},
    });
    let (receipt, _) = ledger
        .submit_blocking(envelope(Kind::DesignRegister, payload, &[&alice, &bob]))
        .unwrap();
    let early_design = ledger.design(&h.blake3).unwrap();
    let terms = json!({
        "commercial_use": true, "derivatives_allowed": false,
        "derivatives_reciprocal": false, "derivatives_approval": false,
        "attribution": true, "royalty": {"policy": "LAP", "rev_share_ppm": 50000},
        "starts_at": "2026-01-01T00:00:00Z", "exclusive": false,
        "sublicensable": false, "transferable": false, "ai_training": false,
        "territories": ["FR"], "channels": ["retail"], "categories": ["apparel"],
        "max_units": 1000
    });
    let g = provenant_testkit::grant(h.blake3, &brand, &[&alice, &bob], &terms);
    ledger.submit_blocking(g.clone()).unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::UsageRecord,
            json!({"grant": grant_id(&g), "quantity": 7, "territory": "FR",
                   "channel": "retail", "category": "footwear", "batch_ref": "run-1"}),
            &[&brand],
        ))
        .unwrap();
    let g2 = provenant_testkit::grant(h.blake3, &brand2, &[&alice, &bob], &terms);
    ledger.submit_blocking(g2.clone()).unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::LicenseRevoke,
            json!({"grant": grant_id(&g2), "reason": "the brand stopped paying"}),
            &[&alice, &bob],
        ))
        .unwrap();
    ledger
        .submit_blocking(register(b"a disputed dial", &[(&alice, 1_000_000)]))
        .unwrap();
    ledger
        .submit_blocking(envelope(
            Kind::DisputeRaise,
            json!({"design": design_of(b"a disputed dial"), "claim": "I drew this dial first",
                   "evidence": "ab".repeat(32)}),
            &[&claimant],
        ))
        .unwrap();
    Story {
        ledger,
        early_design,
        receipt,
    }
}

fn question(design: &str, licensee: &ed25519_dalek::SigningKey, territory: &str) -> LicenseQuery {
    serde_json::from_value(json!({
        "design": design, "licensee": id(licensee).to_string(), "action": "commercial",
        "territory": territory, "channel": "retail", "category": "footwear",
        "date": "2026-06-01T12:00:00+02:00", "quantity": 10
    }))
    .unwrap()
}

/// A case: what is checked, under which key, and the verdict.
fn case(name: &str, why: &str, kind: &str, key: &str, expect: &str, answer: Value) -> Value {
    let mut case = json!({"name": name, "why": why, "kind": kind, "key": key, "expect": expect});
    case["answer"] = answer;
    case
}

/// The state record of `kind` in `answer`.
fn record<'a>(answer: &'a mut Value, kind: &str) -> &'a mut Value {
    answer["state"]["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["key"]["kind"] == kind && !r["record"].is_null())
        .map(|r| &mut r["record"])
        .unwrap()
}

// One tampered copy after another: `t` is the copy, `c` its case.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn build() -> Value {
    let Story {
        ledger,
        early_design,
        receipt,
    } = story();
    let design_id = hash_content(CONTENT).unwrap().blake3;
    let d = design_id.to_string();
    let mut cases = Vec::new();

    let design = to_value(&ledger.design(&design_id).unwrap());
    cases.push(case(
        "design",
        "a design with its owners, grants and state proven",
        "design",
        "log",
        "ok",
        design.clone(),
    ));
    cases.push(case(
        "design-wrong-key",
        "the checkpoint is not signed by the pinned key",
        "design",
        "wrong-key",
        "checkpoint",
        design.clone(),
    ));
    cases.push(case(
        "design-wrong-origin",
        "the pinned key names another log",
        "design",
        "wrong-origin",
        "checkpoint",
        design.clone(),
    ));
    let mut t = design.clone();
    let share = &mut record(&mut t, "design")["owners"][0]["share_ppm"];
    *share = json!(share.as_u64().unwrap() + 1);
    t["owners"][0]["share_ppm"] = share.clone();
    cases.push(case(
        "design-tampered-record",
        "an owner's share changed in the answer and its record: the record's map proof fails",
        "design",
        "log",
        "state",
        t,
    ));
    let mut t = design.clone();
    t["owners"][0]["share_ppm"] = json!(999_999);
    cases.push(case(
        "design-tampered-answer",
        "an owner's share changed in the answer only: the proven record gives another answer",
        "design",
        "log",
        "differs",
        t,
    ));
    let mut t = design.clone();
    t["tree_size"] = json!(t["tree_size"].as_u64().unwrap() - 1);
    cases.push(case(
        "design-size",
        "the answer's size is not its checkpoint's",
        "design",
        "log",
        "size-mismatch",
        t,
    ));
    let mut t = design.clone();
    t["proofs"] = to_value(&early_design.proofs);
    cases.push(case(
        "design-proof-other-size",
        "the inclusion proofs of an answer at an older size",
        "design",
        "log",
        "proof",
        t,
    ));
    let mut t = design.clone();
    t["proofs"].as_array_mut().unwrap().remove(0);
    cases.push(case(
        "design-unproven",
        "the registration's inclusion proof left out",
        "design",
        "log",
        "unproven",
        t,
    ));
    let mut t = design.clone();
    t["state"] = to_value(&early_design.state);
    cases.push(case(
        "design-old-state",
        "the state proven under an older commitment, not the last entry of the tree",
        "design",
        "log",
        "state",
        t,
    ));
    let mut t = design.clone();
    t.as_object_mut().unwrap().remove("state");
    cases.push(case(
        "design-no-state",
        "an answer without its proven state is the server's word",
        "design",
        "log",
        "no-state",
        t,
    ));
    let mut t = design.clone();
    let grant = t["grants"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| !g["revoked"].is_null())
        .unwrap();
    grant["revoked"] = Value::Null;
    cases.push(case(
        "design-dropped-revocation",
        "a grant shown without its revocation: its proven record is revoked",
        "design",
        "log",
        "differs",
        t,
    ));

    let index = design["registered"]["index"].as_u64().unwrap();
    let entry = EntryAnswer {
        index,
        leaf_hash: provenant_model::LeafHash::from(provenant_tlog::hash_leaf(
            &ledger.entry_bytes(index).unwrap(),
        )),
        entry: serde_json::from_slice(&ledger.entry_bytes(index).unwrap()).unwrap(),
    };
    let mut c = case(
        "registration",
        "the registration entry matches the details shown",
        "registration",
        "log",
        "ok",
        design.clone(),
    );
    c["entry"] = to_value(&entry);
    cases.push(c);
    let mut t = design.clone();
    t["creators"][1]["share_ppm"] = json!(1);
    let mut c = case(
        "registration-details-changed",
        "a creator's share shown is not what was registered",
        "registration",
        "log",
        "differs",
        t,
    );
    c["entry"] = to_value(&entry);
    cases.push(c);
    let mut e = to_value(&entry);
    e["entry"]["payload"]["title"] = json!("Golden fox charm");
    let mut c = case(
        "registration-entry-changed",
        "the entry served is not the one the answer proves",
        "registration",
        "log",
        "differs",
        design.clone(),
    );
    c["entry"] = e;
    cases.push(c);

    let grants = design["grants"].as_array().unwrap();
    let revoked_id = grants.iter().find(|g| !g["revoked"].is_null()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = to_value(&ledger.grant(&revoked_id.parse().unwrap()).unwrap());
    cases.push(case(
        "grant-revoked",
        "a revoked grant",
        "grant",
        "log",
        "ok",
        revoked.clone(),
    ));
    let mut t = revoked.clone();
    t["revoked"] = Value::Null;
    record(&mut t, "grant")["revoked"] = Value::Null;
    cases.push(case(
        "grant-dropped-revocation",
        "the revocation dropped from the answer and its record: the map proof fails",
        "grant",
        "log",
        "state",
        t,
    ));

    let (brand, brand2, stranger) = (key(3), key(4), key(6));
    for (name, why, q, expect) in [
        (
            "check-allowed",
            "France, retail, footwear under apparel, 10 of 993 units left",
            question(&d, &brand, "FR"),
            "ok",
        ),
        (
            "check-territory",
            "denied: the grant is for France only",
            question(&d, &brand, "US"),
            "ok",
        ),
        (
            "check-revoked",
            "denied: the brand's grant was revoked",
            question(&d, &brand2, "FR"),
            "ok",
        ),
        (
            "check-no-grant",
            "denied: the key holds no grant, proven absent",
            question(&d, &stranger, "FR"),
            "ok",
        ),
        (
            "check-disputed",
            "denied: the design is disputed",
            question(&design_of(b"a disputed dial").to_string(), &brand, "FR"),
            "ok",
        ),
        (
            "check-unknown",
            "denied: no such design, proven absent",
            question(&"ee".repeat(32), &brand, "FR"),
            "ok",
        ),
    ] {
        let answer = to_value(&ledger.license_check(&q).unwrap());
        let mut c = case(name, why, "check", "log", expect, answer);
        c["question"] = to_value(&q);
        cases.push(c);
    }
    let q = question(&d, &brand2, "FR");
    let mut t = to_value(&ledger.license_check(&q).unwrap());
    t["allowed"] = json!(true);
    t["reasons"] = json!([]);
    t["rests_on"].as_array_mut().unwrap().pop();
    record(&mut t, "grant")["revoked"] = Value::Null;
    let mut c = case(
        "check-dropped-revocation",
        "allowed, with the grant's revocation dropped from its record: the map proof fails",
        "check",
        "log",
        "state",
        t,
    );
    c["question"] = to_value(&q);
    cases.push(c);
    let mut t = to_value(&ledger.license_check(&q).unwrap());
    t["allowed"] = json!(true);
    t["reasons"] = json!([]);
    let mut c = case(
        "check-flipped",
        "allowed where the proven records deny",
        "check",
        "log",
        "differs",
        t,
    );
    c["question"] = to_value(&q);
    cases.push(c);
    let q = question(&d, &brand, "FR");
    let mut t = to_value(&ledger.license_check(&q).unwrap());
    record(&mut t, "grant")["units_used"] = json!(0);
    t["units_remaining"] = json!(1000);
    let mut c = case(
        "check-units-rolled-back",
        "the production run's units rolled back in the record",
        "check",
        "log",
        "state",
        t,
    );
    c["question"] = to_value(&q);
    cases.push(c);
    let mut t = to_value(&ledger.license_check(&q).unwrap());
    t["state"]["records"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["key"]["kind"] != "grant");
    let mut c = case(
        "check-record-left-out",
        "the grant's record left out of the proof",
        "check",
        "log",
        "state",
        t,
    );
    c["question"] = to_value(&q);
    cases.push(c);
    let mut c = case(
        "check-other-question",
        "the answer to France checked as the question for the United States",
        "check",
        "log",
        "differs",
        to_value(&ledger.license_check(&q).unwrap()),
    );
    c["question"] = to_value(&question(&d, &brand, "US"));
    cases.push(c);

    let unknown = "ee".repeat(32).parse().unwrap();
    let absence = match ledger.identify(&unknown).unwrap() {
        Err(a) => to_value(&a),
        Ok(_) => unreachable!("the design is not registered"),
    };
    let mut c = case(
        "absence",
        "no design has this id, proven by the map",
        "absence",
        "log",
        "ok",
        absence.clone(),
    );
    c["design"] = json!(unknown);
    cases.push(c);
    let mut c = case(
        "absence-of-another",
        "a proof of absence of another id",
        "absence",
        "log",
        "differs",
        absence,
    );
    c["design"] = json!(d);
    cases.push(c);

    // A log with no entry has no commitment: its checkpoint of size 0
    // proves the state empty.
    let empty = memory_ledger();
    let mut c = case(
        "empty-log-absence",
        "a log with no entry: its signed checkpoint of size 0 proves no design registered",
        "absence",
        "log",
        "ok",
        match empty.identify(&unknown).unwrap() {
            Err(a) => to_value(&a),
            Ok(_) => unreachable!("the log is empty"),
        },
    );
    c["design"] = json!(unknown);
    cases.push(c);
    let q = question(&d, &brand, "FR");
    let answer = to_value(&empty.license_check(&q).unwrap());
    let mut c = case(
        "empty-log-check",
        "denied on a log with no entry: the design is unknown",
        "check",
        "log",
        "ok",
        answer.clone(),
    );
    c["question"] = to_value(&q);
    cases.push(c);
    let mut t = answer;
    t["allowed"] = json!(true);
    t["reasons"] = json!([]);
    let mut c = case(
        "empty-log-check-allowed",
        "allowed on a log with no entry, where nothing is licensed",
        "check",
        "log",
        "differs",
        t,
    );
    c["question"] = to_value(&q);
    cases.push(c);

    let receipt_value = to_value(&receipt);
    cases.push(case(
        "receipt",
        "the registration's receipt",
        "receipt",
        "log",
        "ok",
        receipt_value.clone(),
    ));
    cases.push(case(
        "receipt-wrong-key",
        "the receipt under another key",
        "receipt",
        "wrong-key",
        "receipt",
        receipt_value.clone(),
    ));
    let mut t = receipt_value.clone();
    t["entry"]["payload"]["title"] = json!("Golden fox charm");
    cases.push(case(
        "receipt-tampered",
        "the entry's title changed",
        "receipt",
        "log",
        "receipt",
        t,
    ));

    let bundle = receipt.bundle().unwrap().to_text();
    let leaf = receipt.leaf_bytes().unwrap();
    let mut c = case(
        "bundle",
        "the registration's tlog-proof bundle and its leaf bytes",
        "bundle",
        "log",
        "ok",
        Value::Null,
    );
    c["bundle"] = json!(bundle);
    c["entry"] = json!(STANDARD.encode(&leaf));
    cases.push(c);
    let mut c = case(
        "bundle-other-entry",
        "the bundle checked against another entry",
        "bundle",
        "log",
        "bundle",
        Value::Null,
    );
    c["bundle"] = json!(bundle);
    c["entry"] = json!(STANDARD.encode(ledger.entry_bytes(index + 2).unwrap()));
    cases.push(c);

    let old = early_design.checkpoint.clone();
    let new = design["checkpoint"].as_str().unwrap().to_owned();
    let (to, proof) = ledger
        .consistency_proof(
            early_design.tree_size,
            Some(design["tree_size"].as_u64().unwrap()),
        )
        .unwrap();
    let consistency = to_value(&ConsistencyAnswer {
        from: early_design.tree_size,
        to: to.0,
        consistency_proof: proof.clone(),
    });
    for (name, why, answer, expect) in [
        (
            "consistency",
            "the log grew from the older checkpoint",
            consistency.clone(),
            "ok",
        ),
        (
            "consistency-wrong-proof",
            "a proof with one hash changed",
            {
                let mut t = consistency.clone();
                t["consistency_proof"][0] = json!("00".repeat(32));
                t
            },
            "inconsistent",
        ),
        (
            "consistency-other-sizes",
            "a proof for other sizes than the checkpoints'",
            {
                let mut t = consistency.clone();
                t["from"] = json!(early_design.tree_size + 1);
                t
            },
            "proof-size",
        ),
    ] {
        let mut c = case(name, why, "consistency", "log", expect, answer);
        c["old"] = json!(old);
        c["new"] = json!(new);
        cases.push(c);
    }

    let keys: serde_json::Map<String, Value> = keys()
        .into_iter()
        .map(|(n, k)| (n.to_owned(), json!(k.to_text())))
        .collect();
    json!({
        "about": "Proven answers of a Provenant log, valid and tampered, with the verdict every verifier must give. See crates/ledger/tests/answer_vectors.rs.",
        "log": {"origin": ORIGIN, "verifier_key": ledger.verifier().to_text(), "public_key": id(&log_key()).to_string()},
        "keys": keys,
        "cases": cases,
    })
}

fn code(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::Checkpoint(_) => "checkpoint",
        VerifyError::SizeMismatch { .. } => "size-mismatch",
        VerifyError::Proof { .. } => "proof",
        VerifyError::Unproven { .. } => "unproven",
        VerifyError::NoProofs => "no-proofs",
        VerifyError::Inconsistent { .. } => "inconsistent",
        VerifyError::ProofSize { .. } => "proof-size",
        VerifyError::Receipt(_) => "receipt",
        VerifyError::Bundle(_) => "bundle",
        VerifyError::NoState => "no-state",
        VerifyError::State { .. } => "state",
        VerifyError::Differs { .. } => "differs",
        _ => "other",
    }
}

fn parsed<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("malformed: {e}"))
}

/// What the Rust verifier says of `case` under `key`: `ok`, or the code.
fn verdict(case: &Value, key: &NoteVerifier) -> Result<&'static str, String> {
    let answer = &case["answer"];
    let result = match case["kind"].as_str().unwrap() {
        "design" => parsed::<Proven<DesignReport>>(answer)?
            .verify_state(key, &())
            .map(drop),
        "registration" => {
            let report = parsed::<Proven<DesignReport>>(answer)?;
            let entry = parsed::<EntryAnswer>(&case["entry"])?;
            report
                .verify_state(key, &())
                .and_then(|_| verify_registration(&report.answer, &entry))
        }
        "grant" => parsed::<Proven<GrantState>>(answer)?
            .verify_state(key, &())
            .map(drop),
        "check" => {
            let q = parsed::<LicenseQuery>(&case["question"])?;
            parsed::<Proven<provenant_model::LicenseAnswer>>(answer)?
                .verify_state(key, &q)
                .map(drop)
        }
        "absence" => {
            let a = parsed::<Proven<NotRegistered>>(answer)?;
            if a.answer.design.to_string() == case["design"].as_str().unwrap() {
                a.verify_state(key, &()).map(drop)
            } else {
                return Ok("differs");
            }
        }
        "receipt" => {
            let text = serde_json::to_string(answer).unwrap();
            let receipt: Receipt =
                serde_json::from_str(&text).map_err(|e| format!("malformed: {e}"))?;
            verify_receipt(&receipt, key).map(drop)
        }
        "bundle" => {
            let bundle =
                ProofBundle::parse(case["bundle"].as_str().unwrap()).map_err(|e| e.to_string())?;
            let entry = STANDARD.decode(case["entry"].as_str().unwrap()).unwrap();
            verify_bundle(&bundle, &entry, key).map(drop)
        }
        "consistency" => {
            let old = verify_checkpoint(case["old"].as_str().unwrap(), key);
            let new = verify_checkpoint(case["new"].as_str().unwrap(), key);
            let proof = parsed::<ConsistencyAnswer>(answer)?;
            old.and_then(|old| new.and_then(|new| proof.verify(&old, &new)))
        }
        other => return Err(format!("unknown kind {other}")),
    };
    Ok(result.as_ref().map_or_else(code, |()| "ok"))
}

#[test]
fn the_vectors_give_their_verdicts() {
    if std::env::var_os("PROVENANT_WRITE_FIXTURES").is_some() {
        let mut out = serde_json::to_string_pretty(&build()).unwrap();
        out.push('\n');
        let partial = format!("{FIXTURE}.partial");
        std::fs::create_dir_all(std::path::Path::new(FIXTURE).parent().unwrap()).unwrap();
        std::fs::write(&partial, out).unwrap();
        std::fs::rename(&partial, FIXTURE).unwrap();
    }
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(FIXTURE).expect("fixtures/answers/vectors.json"),
    )
    .unwrap();
    let keys = keys();
    assert_eq!(
        file["keys"]["log"],
        json!(keys[0].1.to_text()),
        "the log key of the vectors"
    );
    let mut wrong = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let key = &keys.iter().find(|(n, _)| case["key"] == *n).unwrap().1;
        let got = verdict(case, key);
        if got.as_deref() != Ok(case["expect"].as_str().unwrap()) {
            wrong.push(format!(
                "{}: expected {}, got {got:?}",
                case["name"], case["expect"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_vectors_hold_every_case_the_story_builds() {
    let names = |v: &Value| -> Vec<String> {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(FIXTURE).expect("fixtures/answers/vectors.json"),
    )
    .unwrap();
    assert_eq!(
        names(&file),
        names(&build()),
        "PROVENANT_WRITE_FIXTURES=1 rewrites the file"
    );
}

/// A tampered case is a valid one with one change: every kind has a valid
/// case, so a verifier that refuses everything fails.
#[test]
fn every_kind_has_a_valid_case() {
    let built = build();
    let cases = built["cases"].as_array().unwrap();
    for kind in cases.iter().map(|c| c["kind"].as_str().unwrap()) {
        assert!(
            cases
                .iter()
                .any(|c| c["kind"] == kind && c["expect"] == "ok"),
            "no valid {kind} case"
        );
    }
}
