//! A brand's license check over HTTP, denied for each reason the brief
//! names, and the rights a key keeps across a rotation.

mod support;

use ed25519_dalek::SigningKey;
use provenant_api::{DesignReport, Proven, RestsOn};
use provenant_model::{DesignId, Envelope, Kind, LicenseQuery, Reason};
use provenant_testkit::{envelope, terms};
use serde_json::{Value, json};
use support::*;

/// The brand's question: 10 units of `design`, commercially, in FR,
/// retail, accessories, on 2026-03-01.
fn question(design: DesignId, brand: &SigningKey) -> LicenseQuery {
    check(design, brand, "FR", "2026-03-01T00:00:00Z", 10)
}

/// A change to the brand's question.
type Change = fn(&mut LicenseQuery);

/// The brand's question with `change` made to it.
fn question_with(
    design: DesignId,
    brand: &SigningKey,
    change: impl FnOnce(&mut LicenseQuery),
) -> LicenseQuery {
    let mut q = question(design, brand);
    change(&mut q);
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

fn reasons(server: &Server, q: &LicenseQuery) -> Vec<Reason> {
    let answer = server.post::<CheckLicense>(q).answer;
    assert_eq!(answer.allowed, answer.reasons.is_empty(), "{answer:?}");
    answer.reasons
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
    let same: Change = |_| {};
    let narrowed: [(Value, Change, Reason); 7] = [
        (
            json!({"territories": ["FR"]}),
            |q| q.territory = "DE".parse().unwrap(),
            Reason::Territory,
        ),
        (
            json!({"channels": ["retail"]}),
            |q| q.channel = "online".parse().unwrap(),
            Reason::Channel,
        ),
        (
            json!({"categories": ["accessories"]}),
            |q| q.category = "apparel".parse().unwrap(),
            Reason::Category,
        ),
        (
            json!({"starts_at": "2026-06-01T00:00:00Z"}),
            same,
            Reason::NotYetValid,
        ),
        (
            json!({"ends_at": "2026-02-01T00:00:00Z"}),
            same,
            Reason::Expired,
        ),
        (json!({"max_units": 5}), same, Reason::UnitsExceeded),
        (
            json!({"commercial_use": false, "royalty": {"policy": "LAP", "rev_share_ppm": 0}}),
            same,
            Reason::ActionNotLicensed,
        ),
    ];
    for (seed, (narrow, ask, reason)) in (20u8..).zip(narrowed) {
        let brand = key(seed);
        server.write(&provenant_testkit::grant(
            design,
            &brand,
            &[&alice],
            &terms_with(&narrow),
        ));
        assert_eq!(
            reasons(&server, &question_with(design, &brand, ask)),
            [reason],
            "{reason:?}"
        );
    }

    // Units run out after production runs are recorded.
    let capped = key(30);
    let g = provenant_testkit::grant(
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
        reasons(&server, &question_with(design, &capped, |q| q.quantity = 5)),
        []
    );
    assert_eq!(
        reasons(&server, &question_with(design, &capped, |q| q.quantity = 6)),
        [Reason::UnitsExceeded]
    );
}

#[test]
fn revocations_and_disputes_deny_checks() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, rival, licensed) = (key(1), key(9), key(20));
    let design = design_of(b"charm");
    server.write(&register(b"charm", &[(&alice, 1_000_000)]));
    server.write(&provenant_testkit::grant(
        design,
        &licensed,
        &[&alice],
        &terms(),
    ));

    // No grant at all; then a revoked one.
    let stranger = key(31);
    assert_eq!(
        reasons(&server, &question(design, &stranger)),
        [Reason::NoGrant]
    );
    let revoked = key(32);
    let g = provenant_testkit::grant(design, &revoked, &[&alice], &terms());
    server.write(&g);
    server.write(&envelope(
        Kind::LicenseRevoke,
        json!({"grant": grant_id(&g), "reason": "unpaid minting fee"}),
        &[&alice],
    ));
    assert_eq!(
        reasons(&server, &question(design, &revoked)),
        [Reason::Revoked]
    );

    // A derivative of the design, licensed to a brand of its own.
    let (fan, remix_brand) = (key(33), key(34));
    let remix_grant = provenant_testkit::grant(design, &fan, &[&alice], &terms());
    server.write(&remix_grant);
    let mut remix = register(b"remix", &[(&fan, 1_000_000)]).to_value();
    remix["payload"]["parents"] = json!([{"design": design, "grant": grant_id(&remix_grant)}]);
    let remix = envelope(Kind::DesignRegister, remix["payload"].clone(), &[&fan]);
    server.write(&remix);
    let child = design_of(b"remix");
    server.write(&provenant_testkit::grant(
        child,
        &remix_brand,
        &[&fan],
        &terms(),
    ));
    assert_eq!(reasons(&server, &question(child, &remix_brand)), []);

    // A dispute on the original blocks it and everything derived from it.
    server.write(&dispute(design, &rival));
    let on_design = reasons(&server, &question(design, &licensed));
    assert_eq!(on_design, [Reason::Disputed]);
    assert_eq!(
        reasons(&server, &question(child, &remix_brand)),
        [Reason::AncestorDisputed]
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
    server.write(&provenant_testkit::grant(
        design,
        &first,
        &[&alice],
        &exclusive,
    ));

    let overlapping = provenant_testkit::grant(
        design,
        &second,
        &[&alice],
        &terms_with(&json!({"territories": ["JP", "KR"]})),
    );
    let refused = server.refuse(&overlapping);
    assert_eq!(refused.status, 409, "{refused:?}");
    assert_eq!(refused.kind, problem("exclusive-conflict"), "{refused:?}");
    // Another territory does not overlap.
    server.write(&provenant_testkit::grant(
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
    let g = provenant_testkit::grant(design, &brand, &[&alice], &terms());
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
    let (status, body) = server.post_json(SubmitEntry::ROUTE.path, &half);
    assert!(matches!(status, 403 | 422), "{status} {body}");
    server.write(&rotate(&alice, &alice_new));
    server.write(&rotate(&brand, &brand_new));

    // The design is the new key's; the old key signs for nothing.
    let report = server.get::<GetDesign>(&design_path(&design)).answer;
    let owners: Vec<_> = report
        .state
        .owners
        .iter()
        .map(|o| (o.key, o.share_ppm.get()))
        .collect();
    assert_eq!(owners, [(id(&alice_new), 1_000_000)], "{report:?}");
    let by_old = provenant_testkit::grant(design, &key(4), &[&alice], &terms());
    let refused = server.refuse(&by_old);
    assert_eq!(refused.kind, problem("key-retired"), "{refused:?}");
    server.write(&provenant_testkit::grant(
        design,
        &key(4),
        &[&alice_new],
        &terms(),
    ));

    // The brand's grant followed its key: checks and production runs work.
    let answer = server
        .post::<CheckLicense>(&question(design, &brand_new))
        .answer;
    assert!(answer.allowed, "{answer:?}");
    assert_eq!(answer.grant, Some(grant_id(&g)), "{answer:?}");
    server.write(&envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 1, "territory": "FR",
               "channel": "retail", "category": "accessories", "batch_ref": "run-1"}),
        &[&brand_new],
    ));
    let old = server
        .post::<CheckLicense>(&question(design, &brand))
        .answer;
    assert!(!old.allowed, "{old:?}");
}

/// The bytes of an answer and its number of proofs, after checking it
/// proves every entry it names.
fn proven_size<T: RestsOn + serde::Serialize>(
    server: &Server,
    answer: &Proven<T>,
) -> (usize, usize) {
    let (_, verifier) = server.log_key();
    answer.verify(&verifier).unwrap();
    (
        serde_json::to_string(answer).unwrap().len(),
        answer.proofs.len(),
    )
}

/// A dispute of `design` by `by` with its own `claim`.
fn claim(design: DesignId, by: &SigningKey, claim: &str) -> Envelope {
    envelope(
        Kind::DisputeRaise,
        json!({"design": design, "claim": claim, "evidence": "ab".repeat(32)}),
        &[by],
    )
}

/// Throwaway keys raise dispute after dispute against one design: only
/// `MAX_OPEN_DISPUTES` are accepted, the rest get a `409`, and the license
/// checks on the design and on a descendant, and the design read, each
/// proving what it names, stay small. They carry the disputed design's
/// proven record, which lists every blocking dispute, so each grows by at
/// most one dispute id per open dispute beyond the first, up to
/// `MAX_OPEN_DISPUTES`, and no further however many are refused.
#[test]
fn a_flood_of_disputes_is_bounded_and_the_answers_stay_small() {
    use provenant_model::MAX_OPEN_DISPUTES;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, brand, fan, fan_brand) = (key(1), key(20), key(33), key(34));
    let design = design_of(b"charm");
    server.write(&register(b"charm", &[(&alice, 1_000_000)]));
    server.write(&provenant_testkit::grant(
        design,
        &brand,
        &[&alice],
        &terms(),
    ));
    let to_fan = provenant_testkit::grant(design, &fan, &[&alice], &terms());
    server.write(&to_fan);
    let mut remix = register(b"remix", &[(&fan, 1_000_000)])
        .payload_json()
        .clone();
    remix["parents"] = json!([{"design": design, "grant": grant_id(&to_fan)}]);
    server.write(&envelope(Kind::DesignRegister, remix, &[&fan]));
    let child = design_of(b"remix");
    server.write(&provenant_testkit::grant(
        child,
        &fan_brand,
        &[&fan],
        &terms(),
    ));

    let sizes = || {
        let on_design = server.post::<CheckLicense>(&question(design, &brand));
        let on_child = server.post::<CheckLicense>(&question(child, &fan_brand));
        let read: Proven<DesignReport> = server.get::<GetDesign>(&design_path(&design));
        [
            proven_size(&server, &on_design),
            proven_size(&server, &on_child),
            proven_size(&server, &read),
        ]
    };
    server.write(&dispute(design, &key(9)));
    let one = sizes();

    // Four times the bound, each from a fresh key with its own claim.
    let flood = 4 * MAX_OPEN_DISPUTES;
    let mut accepted = 1;
    for i in 0..flood {
        let throwaway = SigningKey::from_bytes(
            &[[7, 7], u16::try_from(i).unwrap().to_be_bytes()]
                .concat()
                .repeat(8)
                .try_into()
                .unwrap(),
        );
        let raise = claim(design, &throwaway, &format!("bogus claim {i}"));
        match server.try_write(&raise) {
            Ok(w) if w.created => accepted += 1,
            Err(p) if p.status == 409 => {
                assert_eq!(p.kind, "https://provenant.dev/problems/too-many-disputes");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(accepted, MAX_OPEN_DISPUTES);
    let read = server.get::<GetDesign>(&design_path(&design)).answer;
    let blocked = read.state.blocked_by.as_ref().unwrap();
    assert_eq!(blocked.disputes, MAX_OPEN_DISPUTES, "{read:?}");
    // One more listed dispute: its quoted id and a comma.
    let per_dispute = serde_json::to_string(&blocked.dispute).unwrap().len() + 1;
    let full = sizes();
    for (what, (before, after)) in ["check", "descendant check", "design read"]
        .iter()
        .zip(one.iter().zip(&full))
    {
        // The same proofs with one dispute or the most, and the bytes of
        // one more dispute id each in the design's record, and otherwise
        // nearly the same (the count, longer paths in a larger tree, the
        // history).
        let grown = after.0.saturating_sub(before.0);
        assert_eq!(after.1, before.1, "{what}: proofs");
        assert!(
            grown < 2048 + (MAX_OPEN_DISPUTES - 1) * per_dispute,
            "{what}: {before:?} with one dispute, {after:?} with {accepted}"
        );
    }

    // A claimant kept out by the flood gets in once an arbiter dismisses
    // one bogus dispute.
    let claimant = claim(design, &key(10), "my 2019 sketch, with its file");
    let kept_out = server.refuse(&claimant);
    assert_eq!(kept_out.status, 409, "{kept_out:?}");
    let bogus = blocked.dispute;
    server.write(&envelope(
        Kind::DisputeResolve,
        json!({"dispute": bogus, "outcome": "dismissed", "note": "a throwaway key"}),
        &[&key(250)],
    ));
    server.write(&claimant);
}
