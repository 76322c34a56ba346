//! A brand's license check over HTTP, denied for each reason the brief
//! names, and the rights a key keeps across a rotation.

mod support;

use ed25519_dalek::SigningKey;
use provenant_model::testkit::{envelope, terms};
use provenant_model::{DesignId, Envelope, Kind};
use serde_json::{Value, json};
use support::*;

/// The brand's question: `quantity` units of `design`, commercially, in
/// FR, retail, accessories, on 2026-03-01, unless `changes` say otherwise.
fn question(design: DesignId, brand: &SigningKey, changes: &Value) -> Value {
    let mut q = json!({"design": design, "licensee": id(brand).to_string(),
                       "action": "commercial", "territory": "FR", "channel": "retail",
                       "category": "accessories", "date": "2026-03-01T00:00:00Z", "quantity": 10});
    for (k, v) in changes.as_object().unwrap() {
        q[k] = v.clone();
    }
    q
}

/// Terms narrowed by `changes`.
fn terms_with(changes: &Value) -> Value {
    let mut t = terms();
    for (k, v) in changes.as_object().unwrap() {
        t[k] = v.clone();
    }
    t
}

fn reasons(server: &Server, q: &Value) -> Value {
    let (status, answer) = server.post("/v1/licenses/check", q);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["allowed"],
        json!(answer["reasons"] == json!([])),
        "{answer}"
    );
    answer["reasons"].clone()
}

fn dispute(design: DesignId, by: &SigningKey) -> Envelope {
    envelope(
        Kind::DisputeRaise,
        json!({"design": design, "claim": "copied from my 2019 sketch",
               "evidence": "ab".repeat(32)}),
        &[by],
    )
}

#[test]
fn a_license_check_names_each_reason_it_denies() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let alice = key(1);
    let design = design_of(b"charm");
    server.write(&register(b"charm", &[(&alice, 1_000_000)]));

    // One brand per grant, each narrowed in one way.
    let narrowed = [
        (
            json!({"territories": ["FR"]}),
            json!({"territory": "DE"}),
            "territory",
        ),
        (
            json!({"channels": ["retail"]}),
            json!({"channel": "online"}),
            "channel",
        ),
        (
            json!({"categories": ["accessories"]}),
            json!({"category": "apparel"}),
            "category",
        ),
        (
            json!({"starts_at": "2026-06-01T00:00:00Z"}),
            json!({}),
            "not-yet-valid",
        ),
        (
            json!({"ends_at": "2026-02-01T00:00:00Z"}),
            json!({}),
            "expired",
        ),
        (json!({"max_units": 5}), json!({}), "units-exceeded"),
        (
            json!({"commercial_use": false, "royalty": {"policy": "LAP", "rev_share_ppm": 0}}),
            json!({}),
            "action-not-licensed",
        ),
    ];
    for (seed, (narrow, ask, reason)) in (20u8..).zip(&narrowed) {
        let brand = key(seed);
        server.write(&provenant_model::testkit::grant(
            design,
            &brand,
            &[&alice],
            &terms_with(narrow),
        ));
        assert_eq!(
            reasons(&server, &question(design, &brand, ask)),
            json!([reason]),
            "{reason}"
        );
    }

    // Units run out after production runs are recorded.
    let capped = key(30);
    let g = provenant_model::testkit::grant(
        design,
        &capped,
        &[&alice],
        &terms_with(&json!({"max_units": 100})),
    );
    server.write(&g);
    server.write(&envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 95, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "run-1"}),
        &[&capped],
    ));
    assert_eq!(
        reasons(&server, &question(design, &capped, &json!({"quantity": 5}))),
        json!([])
    );
    assert_eq!(
        reasons(&server, &question(design, &capped, &json!({"quantity": 6}))),
        json!(["units-exceeded"])
    );
}

#[test]
fn revocations_and_disputes_deny_checks() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, rival, licensed) = (key(1), key(9), key(20));
    let design = design_of(b"charm");
    server.write(&register(b"charm", &[(&alice, 1_000_000)]));
    server.write(&provenant_model::testkit::grant(
        design,
        &licensed,
        &[&alice],
        &terms(),
    ));

    // No grant at all; then a revoked one.
    let stranger = key(31);
    assert_eq!(
        reasons(&server, &question(design, &stranger, &json!({}))),
        json!(["no-grant"])
    );
    let revoked = key(32);
    let g = provenant_model::testkit::grant(design, &revoked, &[&alice], &terms());
    server.write(&g);
    server.write(&envelope(
        Kind::LicenseRevoke,
        json!({"grant": grant_id(&g), "reason": "unpaid minting fee"}),
        &[&alice],
    ));
    assert_eq!(
        reasons(&server, &question(design, &revoked, &json!({}))),
        json!(["revoked"])
    );

    // A derivative of the design, licensed to a brand of its own.
    let (fan, remix_brand) = (key(33), key(34));
    let remix_grant = provenant_model::testkit::grant(design, &fan, &[&alice], &terms());
    server.write(&remix_grant);
    let mut remix = register(b"remix", &[(&fan, 1_000_000)]).to_value();
    remix["payload"]["parents"] = json!([{"design": design, "grant": grant_id(&remix_grant)}]);
    let remix = envelope(Kind::DesignRegister, remix["payload"].clone(), &[&fan]);
    server.write(&remix);
    let child = design_of(b"remix");
    server.write(&provenant_model::testkit::grant(
        child,
        &remix_brand,
        &[&fan],
        &terms(),
    ));
    assert_eq!(
        reasons(&server, &question(child, &remix_brand, &json!({}))),
        json!([])
    );

    // A dispute on the original blocks it and everything derived from it.
    server.write(&dispute(design, &rival));
    let on_design = reasons(&server, &question(design, &licensed, &json!({})));
    assert_eq!(on_design, json!(["disputed"]));
    assert_eq!(
        reasons(&server, &question(child, &remix_brand, &json!({}))),
        json!(["ancestor-disputed"])
    );
}

#[test]
fn an_exclusive_grant_refuses_an_overlapping_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, first, second) = (key(1), key(2), key(3));
    let design = design_of(b"dial");
    server.write(&register(b"dial", &[(&alice, 1_000_000)]));
    let exclusive = terms_with(&json!({"exclusive": true, "territories": ["JP"]}));
    server.write(&provenant_model::testkit::grant(
        design,
        &first,
        &[&alice],
        &exclusive,
    ));

    let overlapping = provenant_model::testkit::grant(
        design,
        &second,
        &[&alice],
        &terms_with(&json!({"territories": ["JP", "KR"]})),
    );
    let (status, body) = server.post("/v1/entries", &overlapping.to_value());
    assert_eq!(status, 409, "{body}");
    assert!(
        problem_type(&body).ends_with("/exclusive-conflict"),
        "{body}"
    );
    // Another territory does not overlap.
    server.write(&provenant_model::testkit::grant(
        design,
        &second,
        &[&alice],
        &terms_with(&json!({"territories": ["KR"]})),
    ));
}

#[test]
fn key_rotation_keeps_the_new_keys_rights() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, alice_new, brand, brand_new) = (key(1), key(11), key(3), key(13));
    let design = design_of(b"sneaker");
    server.write(&register(b"sneaker", &[(&alice, 1_000_000)]));
    let g = provenant_model::testkit::grant(design, &brand, &[&alice], &terms());
    server.write(&g);

    let rotate = |old: &SigningKey, new: &SigningKey| {
        envelope(
            Kind::KeyRotate,
            json!({"old": id(old).to_string(), "new": id(new).to_string()}),
            &[old, new],
        )
    };
    // Signed by one side only: refused.
    let mut half = rotate(&alice, &alice_new).to_value();
    half["signatures"].as_array_mut().unwrap().truncate(1);
    let (status, body) = server.post("/v1/entries", &half);
    assert!(matches!(status, 403 | 422), "{status} {body}");
    server.write(&rotate(&alice, &alice_new));
    server.write(&rotate(&brand, &brand_new));

    // The design is the new key's; the old key signs for nothing.
    let (_, report) = server.get(&format!("/v1/designs/{design}"));
    assert_eq!(
        report["owners"],
        json!([{"key": id(&alice_new).to_string(), "share_ppm": 1_000_000}]),
        "{report}"
    );
    let by_old = provenant_model::testkit::grant(design, &key(4), &[&alice], &terms());
    let (status, body) = server.post("/v1/entries", &by_old.to_value());
    assert!(
        problem_type(&body).ends_with("/key-retired"),
        "{status} {body}"
    );
    server.write(&provenant_model::testkit::grant(
        design,
        &key(4),
        &[&alice_new],
        &terms(),
    ));

    // The brand's grant followed its key: checks and production runs work.
    let (_, answer) = server.post(
        "/v1/licenses/check",
        &question(design, &brand_new, &json!({})),
    );
    assert_eq!(answer["allowed"], json!(true), "{answer}");
    assert_eq!(answer["grant"], json!(grant_id(&g)), "{answer}");
    server.write(&envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "run-1"}),
        &[&brand_new],
    ));
    let (_, old) = server.post("/v1/licenses/check", &question(design, &brand, &json!({})));
    assert_eq!(old["allowed"], json!(false), "{old}");
}
