//! Every vector in `fixtures/royalty/`, built as real entries on a real
//! server and split over HTTP: each design registered by its owners, each
//! parent link a grant under the vector's royalty term (policy and rate),
//! the split asked of `/v1/royalties/split`, which takes no policy.

mod support;

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use provenant_api::{Proven, SplitRequest};
use provenant_model::{DesignId, Identity, Kind, RoyaltySplit};
use provenant_testkit::{envelope, terms};
use provenant_tlog::NoteVerifier;
use serde::Deserialize;
use serde_json::{Value, json};
use support::*;

#[derive(Deserialize)]
struct Node {
    owners: BTreeMap<String, u32>,
    /// Each parent and the grant's royalty term, `{policy, rev_share_ppm}`.
    parents: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct Case {
    designs: BTreeMap<String, Node>,
    design: String,
    revenue: u64,
    expected: Option<BTreeMap<String, u64>>,
    expected_error: Option<String>,
}

/// Keys for the vector's owner names, assigned so that the keys sort as the
/// names do: ties go to the ascending key, and the vectors break them by
/// name.
fn keys_for(case: &Case, seeds: &mut u8) -> BTreeMap<String, SigningKey> {
    let names: std::collections::BTreeSet<&String> = case
        .designs
        .values()
        .flat_map(|n| n.owners.keys())
        .collect();
    let mut keys: Vec<SigningKey> = names
        .iter()
        .map(|_| {
            *seeds += 1;
            key(*seeds)
        })
        .collect();
    keys.sort_by_key(id);
    names.into_iter().cloned().zip(keys).collect()
}

/// Registers the vector's designs, parents first. `Err` is the problem
/// type of the first refused write.
fn build(
    server: &Server,
    name: &str,
    case: &Case,
    keys: &BTreeMap<String, SigningKey>,
) -> Result<BTreeMap<String, DesignId>, String> {
    let mut ids = BTreeMap::new();
    while ids.len() < case.designs.len() {
        let (design, node) = case
            .designs
            .iter()
            .find(|(d, n)| !ids.contains_key(*d) && n.parents.keys().all(|p| ids.contains_key(p)))
            .expect("the vector's designs form a DAG");
        let owners: Vec<&SigningKey> = node.owners.keys().map(|o| &keys[o]).collect();
        let mut parents = Vec::new();
        for (parent, royalty) in &node.parents {
            let parent_owners: Vec<&SigningKey> = case.designs[parent]
                .owners
                .keys()
                .map(|o| &keys[o])
                .collect();
            let mut t = terms();
            t["royalty"] = royalty.clone();
            let g = provenant_testkit::grant(ids[parent], owners[0], &parent_owners, &t);
            server.try_write(&g).map_err(|p| p.kind)?;
            parents.push(json!({"design": ids[parent], "grant": grant_id(&g)}));
        }
        let content = format!("{name}/{design}");
        let creators: Vec<(&SigningKey, u32)> = node
            .owners
            .iter()
            .map(|(o, share)| (&keys[o], *share))
            .collect();
        let mut env = register(content.as_bytes(), &creators).to_value();
        env["payload"]["parents"] = json!(parents);
        let env = envelope(Kind::DesignRegister, env["payload"].clone(), &owners);
        server.try_write(&env).map_err(|p| p.kind)?;
        ids.insert(design.clone(), design_of(content.as_bytes()));
    }
    Ok(ids)
}

#[test]
fn every_royalty_fixture_splits_the_same_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (_, verifier) = server.log_key();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/royalty");
    let mut paths: Vec<_> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut seeds = 0u8;
    let mut policies = std::collections::BTreeSet::new();
    let mut mixed = 0;
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let links: std::collections::BTreeSet<String> = case
            .designs
            .values()
            .flat_map(|n| n.parents.values())
            .map(|r| r["policy"].as_str().unwrap().to_owned())
            .collect();
        if links.len() > 1 {
            mixed += 1;
        }
        policies.extend(links);
        let keys = keys_for(&case, &mut seeds);
        let answer = build(&server, &name, &case, &keys).and_then(|ids| {
            server
                .try_post::<SplitRoyalty>(&SplitRequest {
                    design: ids[&case.design],
                    revenue: money(case.revenue, "EUR"),
                    detail: None,
                })
                .map_err(|p| p.kind)
        });
        match (&case.expected, &case.expected_error, answer) {
            (Some(expected), None, Ok(split)) => {
                let by_key: BTreeMap<Identity, &String> =
                    keys.iter().map(|(n, k)| (id(k), n)).collect();
                let got: BTreeMap<String, u64> = split
                    .answer
                    .payouts
                    .iter()
                    .map(|p| (by_key[&p.payee].clone(), p.amount_minor))
                    .filter(|(_, amount)| *amount > 0 || case.revenue == 0)
                    .collect();
                let expected: BTreeMap<String, u64> = expected
                    .iter()
                    .filter(|(_, amount)| **amount > 0 || case.revenue == 0)
                    .map(|(n, a)| (n.clone(), *a))
                    .collect();
                assert_eq!(got, expected, "{name}: {split:?}");
                assert_proven(&split, &name, &verifier);
            }
            (None, Some(code), Err(problem)) => {
                assert!(problem.ends_with(&format!("/{code}")), "{name}: {problem}");
            }
            (_, _, answer) => panic!("{name}: unexpected {answer:?}"),
        }
    }
    assert_eq!(paths.len(), 24);
    assert_eq!(policies, ["LAP".to_owned(), "LRP".to_owned()].into());
    assert!(mixed >= 3, "{mixed} mixed vectors");
}

/// The policy is a signed term of each grant, not a choice of the caller:
/// an old client still naming one, in the split's body, the statement's
/// body or the statement's query, gets `400 policy-not-accepted`, not
/// amounts under a policy it did not get. (Raw bodies: the api's request
/// types cannot name a policy any more.)
#[test]
fn a_request_naming_a_policy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let alice = key(1);
    server.write(&register(b"alone", &[(&alice, 1_000_000)]));
    let design = design_of(b"alone");
    let revenue = json!({"amount_minor": 1000, "currency": "EUR"});
    for policy in [json!("LAP"), json!("LRP"), Value::Null] {
        let (status, problem) = server.post_json(
            SplitRoyalty::ROUTE.path,
            &json!({"design": design, "revenue": revenue, "policy": policy}),
        );
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["type"], support::problem("policy-not-accepted"));
        assert_eq!(problem["field"], "policy");
        let (status, problem) = server.post_json(
            StateRoyalties::ROUTE.path,
            &json!({"policy": policy, "sales": [{"design": design, "amount": revenue}]}),
        );
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["type"], support::problem("policy-not-accepted"));
    }
    let csv = format!("design,amount_minor,currency\n{design},1000,EUR\n");
    let response = server
        .client
        .post(server.url(&format!("{}?policy=LRP", StateRoyalties::ROUTE.path)))
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().unwrap();
    assert_eq!(problem["type"], support::problem("policy-not-accepted"));
    // Without it, both answer.
    let split = server.post::<SplitRoyalty>(&support::split(design, 1000, "EUR"));
    assert_eq!(split.answer.payouts[0].amount_minor, 1000);
    let response = server
        .client
        .post(server.url(StateRoyalties::ROUTE.path))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// The split names its checkpoint and proves what it rests on under it.
fn assert_proven(split: &Proven<RoyaltySplit>, name: &str, verifier: &NoteVerifier) {
    assert!(
        !split.checkpoint.is_empty(),
        "{name}: the answer names its checkpoint: {split:?}"
    );
    assert!(!split.proofs.is_empty(), "{name}: {split:?}");
    split.verify(verifier).unwrap();
}
