//! The HTTP service end to end: the real binary on a loopback port, driven
//! over HTTP as creators, brands and auditors would.

mod support;

use ed25519_dalek::SigningKey;
use provenant_api::verify::verify_receipt;
use provenant_api::{ConsistencyQuery, DesignList, Identified, ListQuery, Page, Problem, Proven};
use provenant_model::StateView as _;
use provenant_model::{Entry, Kind, Reason, SaleLine, Statement};
use provenant_tlog::TreeSize;
use provenant_tlog::tile::{Tile, parse_bundle};
use serde_json::json;
use support::*;

#[test]
fn creators_register_and_brands_check_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (origin, verifier) = server.log_key();
    let (alice, bob, brand) = (key(1), key(2), key(3));

    // Two creators co-register, 60/40: a receipt that verifies offline.
    let env = register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]);
    let receipt = server.write(&env);
    verify_receipt(&receipt, &verifier).unwrap();
    assert_eq!(verifier.name(), origin);
    let first = server.checkpoint(&origin, &verifier);

    // The same envelope again: the original receipt, 200.
    let again = server.try_write(&env).unwrap();
    assert!(!again.created);
    assert_eq!(again.receipt.index, receipt.index);

    // The same file by someone else: refused, naming the rule.
    let refused = server.refuse(&register(b"charm", &[(&brand, 1_000_000)]));
    assert_eq!(refused.status, 409);
    assert_eq!(
        refused.kind,
        "https://provenant.dev/problems/duplicate-content"
    );

    // A grant for France only; the brand checks before manufacturing.
    let design = design_of(b"charm");
    let g = grant(design, &brand, &[&alice, &bob], &["FR"]);
    let granted = server.write(&g);
    let question = |territory: &str| check(design, &brand, territory, "2026-03-01T00:00:00Z", 100);
    let yes = server.post::<CheckLicense>(&question("FR"));
    assert!(yes.answer.allowed, "{yes:?}");
    assert!(!yes.proofs.is_empty());
    // The answer's entries are proven under a checkpoint the log signed; a
    // server that names an entry it does not prove, or another size, is
    // caught.
    yes.verify(&verifier).unwrap();
    let mut unproven = yes.clone();
    unproven.answer.rests_on[0].index = 7;
    assert!(unproven.verify(&verifier).is_err());
    let mut resized = yes.clone();
    resized.tree_size = 1;
    assert!(resized.verify(&verifier).is_err());
    let no = server.post::<CheckLicense>(&question("DE"));
    assert!(!no.answer.allowed);
    assert!(no.answer.reasons.contains(&Reason::Territory), "{no:?}");

    // The design as anyone sees it.
    let report = server.get::<GetDesign>(&design_path(&design));
    report.verify(&verifier).unwrap();
    assert_eq!(report.answer.state.owners.len(), 2);
    assert_eq!(report.answer.history, [receipt.index, granted.index]);

    // An auditor: the new checkpoint extends the first one.
    let second = server.checkpoint(&origin, &verifier);
    let proof = server.post::<ProveConsistency>(&ConsistencyQuery {
        from: first.size.0,
        to: Some(second.size.0),
    });
    proof.verify(&first, &second).unwrap();

    // The entries, as a C2SP entry bundle: the two writes, each followed
    // by the log's commitment to the state after it.
    assert_eq!(second.size.0, size_after(2));
    let width = u16::try_from(second.size.0).unwrap();
    let bundle = server
        .client
        .get(server.url(&tile_path(&Tile::entries(0, width).unwrap())))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let kinds: Vec<Kind> = parse_bundle(&bundle, width)
        .unwrap()
        .into_iter()
        .map(|leaf| Entry::from_leaf_bytes(leaf).unwrap().envelope.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            Kind::DesignRegister,
            Kind::StateCommit,
            Kind::LicenseGrant,
            Kind::StateCommit
        ]
    );

    assert!(server.stop().success(), "a clean exit on SIGTERM");
}

#[test]
fn listings_and_royalties_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (_, verifier) = server.log_key();
    let (alice, bob, brand) = (key(1), key(2), key(3));
    let design = design_of(b"dial");
    let env = register(b"dial", &[(&alice, 600_000), (&bob, 400_000)]);
    server.write(&env);
    let g = grant(design, &brand, &[&alice, &bob], &[]);
    server.write(&g);

    // Designs by creator and by licensee, a page at a time.
    let by_creator = server.post::<ListDesigns>(&ListQuery {
        creator: Some(id(&bob)),
        limit: Some(10),
        ..ListQuery::default()
    });
    let DesignList::Owned(owned) = by_creator else {
        panic!("designs by creator: {by_creator:?}")
    };
    assert_eq!(owned.items, [design]);
    let by_licensee = server.post::<ListDesigns>(&ListQuery {
        licensee: Some(id(&brand)),
        limit: Some(10),
        ..ListQuery::default()
    });
    let DesignList::Licensed(Page { items, next }) = by_licensee else {
        panic!("designs by licensee: {by_licensee:?}")
    };
    assert_eq!(items[0].design, design);
    assert_eq!(items[0].grant, grant_id(&g));
    assert_eq!(next, None);

    // Revenue splits 60/40 between the co-creators, exactly.
    let split = server.post::<SplitRoyalty>(&split(design, 1000, "EUR"));
    split.verify(&verifier).unwrap();
    let paid: u64 = split.answer.payouts.iter().map(|p| p.amount_minor).sum();
    assert_eq!(paid, 1000);
    // The same sales as JSON and as CSV.
    let sales = vec![
        SaleLine {
            design,
            amount: money(1000, "EUR"),
        },
        SaleLine {
            design,
            amount: money(1, "EUR"),
        },
    ];
    let json_statement = server.post::<StateRoyalties>(&statement(sales));
    let csv = format!("design,amount_minor,currency\n{design},1000,EUR\n{design},1,EUR\n");
    let csv_statement = answer::<Proven<Statement>>(
        "POST",
        server
            .client
            .post(server.url(StateRoyalties::ROUTE.path))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(csv_statement.answer, json_statement.answer);
    csv_statement.verify(&verifier).unwrap();
    let amount_of = |who: &SigningKey| {
        csv_statement
            .answer
            .lines
            .iter()
            .find(|l| l.payee == id(who))
            .unwrap()
            .amount_minor
    };
    assert_eq!(
        (amount_of(&alice), amount_of(&bob)),
        (601, 400),
        "{csv_statement:?}"
    );
}

#[test]
fn bad_requests_get_problems_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--body-limit", "4096"]);
    let (origin, verifier) = server.log_key();
    let before = server.checkpoint(&origin, &verifier);

    let huge = format!(
        "{{\"kind\":\"design.register\",\"payload\":\"{}\"}}",
        "x".repeat(10_000)
    );
    let unsigned = register(b"u", &[(&key(1), 1_000_000)]).to_value();
    let mut unknown = unsigned.clone();
    unknown["extra"] = json!(1);
    let mut no_sigs = unsigned.clone();
    no_sigs["signatures"] = json!([]);
    let cases: Vec<(String, u16)> = vec![
        ("{not json".to_owned(), 400),
        ("[]".to_owned(), 400),
        (
            "{\"kind\":\"nope\",\"payload\":{},\"signatures\":[]}".to_owned(),
            400,
        ),
        (unknown.to_string(), 400),
        (no_sigs.to_string(), 403),
        (huge, 413),
    ];
    for (body, expected) in cases {
        let r = server
            .client
            .post(server.url(SubmitEntry::ROUTE.path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{body:.80}");
        if expected != 413 {
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: Problem = r.json().unwrap();
            assert!(
                p.kind.starts_with("https://provenant.dev/problems/"),
                "{p:?}"
            );
            assert_eq!(p.status, expected, "{p:?}");
        }
    }
    for path in [
        "/tile/0/../x",
        "/tile/0/0001",
        "/v1/proofs/inclusion?index=5",
        "/v1/proofs/consistency?from=1&to=99",
        "/v1/designs/zz",
    ] {
        let r = server.client.get(server.url(path)).send().unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
    }
    let after = server.checkpoint(&origin, &verifier);
    assert_eq!((after.size, after.root), (before.size, before.root));
    assert_eq!(after.size, TreeSize(0));
}

#[test]
fn a_restarted_server_keeps_every_entry_and_its_root() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    for i in 0..5u8 {
        server.write(&register(&[i], &[(&key(1), 1_000_000)]));
    }
    let (origin, verifier) = server.log_key();
    let before = server.checkpoint(&origin, &verifier);
    assert!(server.stop().success());

    let server = Server::start(dir.path(), &[]);
    let after = server.checkpoint(&origin, &verifier);
    assert_eq!((after.size, after.root), (before.size, before.root));
    assert_eq!(after.size, TreeSize(size_after(5)));
}

#[test]
fn identify_hashes_an_upload_and_finds_its_registration() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--upload-limit", "100000"]);
    let file = vec![7u8; 50_000];
    let env = register(&file, &[(&key(1), 1_000_000)]);
    let registered = server.write(&env);
    let (_, verifier) = server.log_key();

    let found: Identified = answer("POST", server.identify(file.clone())).unwrap();
    assert!(found.registered);
    assert_eq!(found.blake3, design_of(&file));
    assert_eq!(found.size, 50_000);
    let design = found.design.as_ref().unwrap();
    assert_eq!(design.answer.state.registered.index, registered.index);
    assert!(!design.proofs.is_empty());
    let (_, proven) = found.verify(&verifier).unwrap();
    assert_eq!(proven.len(), 1, "the design's own record");

    // Not registered is proven too: the state holds no design with that id.
    let unknown: Identified = answer("POST", server.identify(vec![8u8; 10])).unwrap();
    assert!(!unknown.registered);
    assert!(unknown.design.is_none());
    let (_, proven) = unknown.verify(&verifier).unwrap();
    assert_eq!(
        proven.design(&design_of(&[8u8; 10])).unwrap(),
        None,
        "proven absent"
    );

    let too_big = server.identify(vec![0u8; 100_001]);
    assert_eq!(too_big.status().as_u16(), 413);
}
