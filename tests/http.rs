//! The HTTP service end to end: the real binary on a loopback port, driven
//! over HTTP as creators, brands and auditors would.

mod support;

use ed25519_dalek::SigningKey;
use provenant_model::Receipt;
use provenant_tlog::tile::parse_bundle;
use provenant_tlog::{Hash, TreeSize, verify_consistency};
use serde_json::{Value, json};
use support::*;

#[test]
fn creators_register_and_brands_check_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (origin, verifier) = server.log_key();
    let (alice, bob, brand) = (key(1), key(2), key(3));

    // Two creators co-register, 60/40: a receipt that verifies offline.
    let env = register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]);
    let (status, body) = server.post("/v1/entries", &env.to_value());
    assert_eq!(status, 201, "{body}");
    let receipt: Receipt = serde_json::from_value(body).unwrap();
    receipt.verify(&origin, &verifier).unwrap();
    let first = server.checkpoint(&origin, &verifier);

    // The same envelope again: the original receipt, 200.
    let (status, body) = server.post("/v1/entries", &env.to_value());
    assert_eq!(status, 200);
    assert_eq!(body["index"], json!(0));

    // The same file by someone else: refused, naming the rule.
    let (status, body) = server.post(
        "/v1/entries",
        &register(b"charm", &[(&brand, 1_000_000)]).to_value(),
    );
    assert_eq!(status, 409);
    assert_eq!(
        body["type"],
        json!("https://provenant.dev/problems/duplicate-content")
    );

    // A grant for France only; the brand checks before manufacturing.
    let design = design_of(b"charm");
    let g = grant(design, &brand, &[&alice, &bob], &["FR"]);
    let (status, _) = server.post("/v1/entries", &g.to_value());
    assert_eq!(status, 201);
    let question = |territory: &str| {
        json!({"design": design, "licensee": id(&brand).to_string(), "action": "commercial",
               "territory": territory, "channel": "retail", "category": "accessories",
               "date": "2026-03-01T00:00:00Z", "quantity": 100})
    };
    let (status, yes) = server.post("/v1/licenses/check", &question("FR"));
    assert_eq!(status, 200, "{yes}");
    assert_eq!(yes["allowed"], json!(true), "{yes}");
    assert!(!yes["proofs"].as_array().unwrap().is_empty());
    // The answer's entries are proven under a checkpoint the log signed; a
    // server that names an entry it does not prove, or another size, is
    // caught.
    verify_answer(&yes, &verifier).unwrap();
    let mut unproven = yes.clone();
    unproven["rests_on"][0]["index"] = json!(7);
    assert!(verify_answer(&unproven, &verifier).is_err());
    let mut resized = yes.clone();
    resized["tree_size"] = json!(1);
    assert!(verify_answer(&resized, &verifier).is_err());
    let (_, no) = server.post("/v1/licenses/check", &question("DE"));
    assert_eq!(no["allowed"], json!(false));
    assert!(no["reasons"].to_string().contains("territory"), "{no}");

    // The design as anyone sees it.
    let report = server.get(&format!("/v1/designs/{design}")).1;
    assert_eq!(report["owners"].as_array().unwrap().len(), 2);
    assert_eq!(report["history"], json!([0, 1]));

    // An auditor: the new checkpoint extends the first one.
    let second = server.checkpoint(&origin, &verifier);
    let proof = server
        .get(&format!(
            "/v1/proofs/consistency?from={}&to={}",
            first.size.0, second.size.0
        ))
        .1;
    let hashes: Vec<Hash> = proof["consistency_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_hex(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency(first.size, second.size, &first.root, &second.root, &hashes).unwrap();

    // The entries, as a C2SP entry bundle.
    let bundle = server
        .client
        .get(server.url("/tile/entries/000.p/2"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(parse_bundle(&bundle, 2).unwrap().len(), 2);

    assert!(server.stop().success(), "a clean exit on SIGTERM");
}

#[test]
fn listings_and_royalties_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, bob, brand) = (key(1), key(2), key(3));
    let design = design_of(b"dial");
    let env = register(b"dial", &[(&alice, 600_000), (&bob, 400_000)]);
    assert_eq!(server.post("/v1/entries", &env.to_value()).0, 201);
    let g = grant(design, &brand, &[&alice, &bob], &[]);
    assert_eq!(server.post("/v1/entries", &g.to_value()).0, 201);

    // Designs by creator and by licensee, a page at a time.
    let list = |param: &str, who: &SigningKey| -> Value {
        server
            .client
            .get(server.url("/v1/designs"))
            .query(&[
                (param, id(who).to_string()),
                ("limit".to_owned().as_str(), "10".to_owned()),
            ])
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(list("creator", &bob)["items"], json!([design]));
    let licensed = list("licensee", &brand);
    assert_eq!(licensed["items"][0]["design"], json!(design));
    assert_eq!(licensed["items"][0]["grant"], json!(grant_id(&g)));
    assert_eq!(licensed["next"], Value::Null);

    // Revenue splits 60/40 between the co-creators, exactly.
    let (status, split) = server.post("/v1/royalties/split",
        &json!({"design": design, "revenue": {"amount_minor": 1000, "currency": "EUR"}, "policy": "LAP"}),
    );
    assert_eq!(status, 200, "{split}");
    let paid: u64 = split["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount_minor"].as_u64().unwrap())
        .sum();
    assert_eq!(paid, 1000);
    let csv = format!("design,amount_minor,currency\n{design},1000,EUR\n{design},1,EUR\n");
    let statement: Value = server
        .client
        .post(server.url("/v1/royalties/statement?policy=LAP"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let lines = statement["lines"].as_array().unwrap();
    let amount_of = |who: &SigningKey| {
        lines
            .iter()
            .find(|l| l["payee"] == json!(id(who).to_string()))
            .unwrap()["amount_minor"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (amount_of(&alice), amount_of(&bob)),
        (601, 400),
        "{statement}"
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
            .post(server.url("/v1/entries"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{body:.80}");
        if expected != 413 {
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: Value = r.json().unwrap();
            assert!(
                p["type"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://provenant.dev/problems/"),
                "{p}"
            );
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
        let (status, _) = server.post(
            "/v1/entries",
            &register(&[i], &[(&key(1), 1_000_000)]).to_value(),
        );
        assert_eq!(status, 201);
    }
    let (origin, verifier) = server.log_key();
    let before = server.checkpoint(&origin, &verifier);
    assert!(server.stop().success());

    let server = Server::start(dir.path(), &[]);
    let after = server.checkpoint(&origin, &verifier);
    assert_eq!((after.size, after.root), (before.size, before.root));
    assert_eq!(after.size, TreeSize(5));
}

#[test]
fn identify_hashes_an_upload_and_finds_its_registration() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--upload-limit", "100000"]);
    let file = vec![7u8; 50_000];
    let env = register(&file, &[(&key(1), 1_000_000)]);
    assert_eq!(server.post("/v1/entries", &env.to_value()).0, 201);

    let identify = |bytes: Vec<u8>| {
        server
            .client
            .post(server.url("/v1/designs/identify"))
            .body(bytes)
            .send()
            .unwrap()
    };
    let found: Value = identify(file.clone()).json().unwrap();
    assert_eq!(found["registered"], json!(true));
    assert_eq!(found["blake3"], json!(design_of(&file)));
    assert_eq!(found["size"], json!(50_000));
    assert_eq!(found["design"]["registered"]["index"], json!(0));
    assert!(!found["design"]["proofs"].as_array().unwrap().is_empty());

    let unknown: Value = identify(vec![8u8; 10]).json().unwrap();
    assert_eq!(unknown["registered"], json!(false));

    let too_big = identify(vec![0u8; 100_001]);
    assert_eq!(too_big.status().as_u16(), 413);
}
