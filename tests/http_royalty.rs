//! Every vector in `fixtures/royalty/`, built as real entries on a real
//! server and split over HTTP: each design registered by its owners, each
//! parent link a grant at the vector's rate, the split asked of
//! `/v1/royalties/split`.

mod support;

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use provenant_api::{Proven, SplitRequest};
use provenant_model::testkit::{envelope, terms};
use provenant_model::{DesignId, Identity, Kind, RoyaltyPolicy, RoyaltySplit};
use provenant_tlog::NoteVerifier;
use serde::Deserialize;
use serde_json::json;
use support::*;

#[derive(Deserialize)]
struct Node {
    owners: BTreeMap<String, u32>,
    parents: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
struct Case {
    designs: BTreeMap<String, Node>,
    design: String,
    policy: RoyaltyPolicy,
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
        for (parent, rate) in &node.parents {
            let parent_owners: Vec<&SigningKey> = case.designs[parent]
                .owners
                .keys()
                .map(|o| &keys[o])
                .collect();
            let mut t = terms();
            t["royalty"] = json!({"policy": case.policy, "rev_share_ppm": rate});
            let g = provenant_model::testkit::grant(ids[parent], owners[0], &parent_owners, &t);
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
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        policies.insert(case.policy);
        let keys = keys_for(&case, &mut seeds);
        let answer = build(&server, &name, &case, &keys).and_then(|ids| {
            server
                .try_post::<SplitRoyalty>(&SplitRequest {
                    design: ids[&case.design],
                    revenue: money(case.revenue, "EUR"),
                    policy: case.policy,
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
    assert_eq!(paths.len(), 19);
    assert_eq!(policies, [RoyaltyPolicy::Lap, RoyaltyPolicy::Lrp].into());
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
