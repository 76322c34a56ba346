//! Content Credentials over HTTP and through the CLI: a registered design's
//! sidecar validates against the design's bytes with the C2PA SDK's reader
//! (valid; trusted with the test CA as an anchor; invalid after one flipped
//! byte), says who made it, how AI was involved, what it derives from and
//! where it is in the log; a disputed or unregistered design gets a
//! problem, not a manifest.
#![cfg(feature = "c2pa")]

mod support;

use std::io::Cursor;
use std::path::Path;

use provenant_api::verify_receipt;
use provenant_c2pa::{Trust, check};
use provenant_model::Kind;
use provenant_testkit::envelope;
use serde_json::json;
use support::*;

const CHARM: &[u8] = b"\x89PNG\r\n\x1a\n a shoe charm drawn from a customer's prompt";
const SNEAKER: &[u8] = b"\x89PNG\r\n\x1a\n the brand's sneaker";
const AI: &str =
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia";

fn provenant(args: &[&str]) -> (i32, String) {
    run_provenant(args)
}

/// A server in `dir/data` signing with a test CA the CLI wrote into
/// `dir/certs`.
fn certified(dir: &Path) -> Server {
    let flags = test_ca(&dir.join("certs"));
    Server::start(&dir.join("data"), &flags.each_ref().map(String::as_str))
}

/// A test CA written by the CLI into `dir`: the server's flags.
fn test_ca(dir: &Path) -> [String; 4] {
    let (code, out) = provenant(&["c2pa", "test-ca", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    [
        "--c2pa-chain".into(),
        path("chain.pem"),
        "--c2pa-key".into(),
        path("key.pem"),
    ]
}

#[test]
fn a_design_gets_a_credential_that_validates_against_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let server = certified(dir.path());
    let certs = dir.path().join("certs");
    let (brand, customer, designer) = (key(1), key(2), key(3));
    let sneaker = design_of(SNEAKER);
    server.write(&register(SNEAKER, &[(&brand, 1_000_000)]));
    let remix =
        provenant_testkit::grant(sneaker, &designer, &[&brand], &provenant_testkit::terms());
    server.write(&remix);
    let mut payload =
        register(CHARM, &[(&designer, 600_000), (&customer, 400_000)]).to_value()["payload"]
            .clone();
    payload["parents"] = json!([{"design": sneaker, "grant": grant_id(&remix)}]);
    payload["ai"] = json!({"digital_source_type": AI, "software_agent": "charm-diffusion 2"});
    let registration = server.write(&envelope(
        Kind::DesignRegister,
        payload,
        &[&designer, &customer],
    ));
    let charm = design_of(CHARM);

    let response = server
        .client
        .get(server.url(&credential_path(&charm)))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/c2pa");
    let sidecar = response.bytes().unwrap().to_vec();

    let ca = std::fs::read_to_string(certs.join("ca.pem")).unwrap();
    let valid = check(&sidecar, Cursor::new(CHARM), "image/png", None).unwrap();
    assert_eq!(valid.trust, Trust::Valid, "{:?}", valid.failures);
    let trusted = check(&sidecar, Cursor::new(CHARM), "image/png", Some(&ca)).unwrap();
    assert_eq!(trusted.trust, Trust::Trusted, "{:?}", trusted.failures);
    for at in [0, CHARM.len() / 2, CHARM.len() - 1] {
        let mut flipped = CHARM.to_vec();
        flipped[at] ^= 0x01;
        let tampered = check(&sidecar, Cursor::new(flipped), "image/png", Some(&ca)).unwrap();
        assert_eq!(tampered.trust, Trust::Invalid, "byte {at}");
    }

    // Who, how, from what, and where in the log.
    let authors = &trusted.creative_work.as_ref().unwrap()["author"];
    let mut keys: Vec<String> = authors
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identifier"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    let mut want = vec![id(&designer).to_string(), id(&customer).to_string()];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(trusted.actions[0]["action"], "c2pa.created");
    assert_eq!(trusted.actions[0]["digitalSourceType"], AI);
    assert_eq!(
        trusted.ingredients,
        [format!("urn:provenant:design:{sneaker}")]
    );
    let receipt = trusted.receipt.expect("the registration's receipt");
    assert_eq!(receipt.index, registration.index);
    assert_eq!(receipt.leaf_hash, registration.leaf_hash);
    let (_, log_key) = server.log_key();
    verify_receipt(&receipt, &log_key).expect("the receipt verifies offline");
}

#[test]
fn the_cli_fetches_a_credential_and_checks_it_against_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = certified(dir.path());
    let certs = dir.path().join("certs");
    server.write(&register(CHARM, &[(&key(1), 1_000_000)]));
    let file = dir.path().join("charm.png");
    std::fs::write(&file, CHARM).unwrap();
    let ca_path = certs.join("ca.pem");
    let args = |file: &Path| {
        vec![
            "design".to_owned(),
            "c2pa".to_owned(),
            file.to_str().unwrap().to_owned(),
            "--trust".to_owned(),
            ca_path.to_str().unwrap().to_owned(),
            "--server".to_owned(),
            server.base.clone(),
        ]
    };
    let (code, out) = provenant(&args(&file).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("trusted"), "{out}");
    let sidecar = std::fs::read(dir.path().join("charm.png.c2pa")).unwrap();
    let read = check(&sidecar, Cursor::new(CHARM), "image/png", None).unwrap();
    assert_eq!(read.trust, Trust::Valid, "{:?}", read.failures);
    // One flipped byte: the credential no longer matches the file (exit 1).
    let altered = dir.path().join("altered.png");
    let mut flipped = CHARM.to_vec();
    flipped[20] ^= 0x01;
    std::fs::write(&altered, flipped).unwrap();
    let mut ask = args(&file);
    ask.extend(["--check".to_owned(), altered.to_str().unwrap().to_owned()]);
    let (code, out) = provenant(&ask.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INVALID"), "{out}");
    // Another file is another design: not registered (refused, exit 3).
    let (code, out) = provenant(
        &args(&altered)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 3, "{out}");
}

#[test]
fn disputed_and_unregistered_designs_get_problems() {
    let dir = tempfile::tempdir().unwrap();
    let server = certified(dir.path());
    let (alice, claimant) = (key(1), key(9));
    server.write(&register(CHARM, &[(&alice, 1_000_000)]));
    let charm = design_of(CHARM);
    server.write(&envelope(
        Kind::DisputeRaise,
        json!({"design": charm, "claim": "copied from my sketchbook", "evidence": "ab".repeat(32)}),
        &[&claimant],
    ));
    let (status, body) = server.get_json(&credential_path(&charm));
    assert_eq!(
        (status, body["type"].as_str()),
        (409, Some(problem("design-disputed").as_str()))
    );
    let (status, body) = server.get_json(&credential_path(&design_of(b"never registered")));
    assert_eq!(
        (status, body["type"].as_str()),
        (404, Some(problem("not-found").as_str()))
    );
    assert!(
        body["absence"].is_object(),
        "the proof that it is not registered"
    );
    let (status, body) = server.get_json("/v1/designs/not-an-id/c2pa");
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some(problem("invalid-id").as_str()))
    );
}

#[test]
fn a_server_given_no_chain_signs_with_its_own_local_test_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.write(&register(CHARM, &[(&key(1), 1_000_000)]));
    let sidecar = server
        .client
        .get(server.url(&credential_path(&design_of(CHARM))))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let ca = std::fs::read_to_string(dir.path().join("c2pa/ca.pem")).expect("made on start");
    let read = check(&sidecar, Cursor::new(CHARM), "image/png", Some(&ca)).unwrap();
    assert_eq!(read.trust, Trust::Trusted, "{:?}", read.failures);
    assert_eq!(read.issuer.as_deref(), Some("Provenant local test"));
    // The same CA after a restart: credentials made before stay trusted.
    drop(server);
    let again = Server::start(dir.path(), &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c2pa/ca.pem")).unwrap(),
        ca
    );
    drop(again);
}

#[test]
fn a_server_refuses_to_start_with_credentials_c2pa_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    test_ca(&certs);
    // The CA's certificate as the signer's: the C2PA profile refuses a CA.
    let (code, out) = provenant(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().join("data").to_str().unwrap(),
        "--c2pa-chain",
        certs.join("ca.pem").to_str().unwrap(),
        "--c2pa-key",
        certs.join("key.pem").to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("c2pa"), "{out}");
}
