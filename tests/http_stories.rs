//! More user stories over HTTP: derivatives under grants, production runs
//! until the cap, and a transfer naming a stale `prev`.

mod support;

use provenant_model::Kind;
use provenant_model::testkit::{envelope, terms};
use serde_json::{Value, json};
use support::*;

/// A registration of `content` by `creator` deriving from `parent` under
/// `grant`.
fn derivative(
    content: &[u8],
    creator: &ed25519_dalek::SigningKey,
    parent: provenant_model::DesignId,
    grant: &Value,
) -> Value {
    let mut env = register(content, &[(creator, 1_000_000)]).to_value();
    env["payload"]["parents"] = json!([{"design": parent, "grant": grant}]);
    let payload = env["payload"].clone();
    envelope(Kind::DesignRegister, payload, &[creator]).to_value()
}

#[test]
fn derivatives_need_a_grant_that_allows_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, fan) = (key(1), key(4));
    let parent = design_of(b"sneaker");
    assert_eq!(
        server
            .post(
                "/v1/entries",
                &register(b"sneaker", &[(&alice, 1_000_000)]).to_value()
            )
            .0,
        201
    );

    let mut closed = terms();
    closed["derivatives_allowed"] = json!(false);
    let no_remix = provenant_model::testkit::grant(parent, &fan, &[&alice], &closed);
    assert_eq!(server.post("/v1/entries", &no_remix.to_value()).0, 201);
    let refused = derivative(b"remix", &fan, parent, &json!(grant_id(&no_remix)));
    let (status, body) = server.post("/v1/entries", &refused);
    assert_eq!(status, 422, "{body}");
    assert!(
        problem_type(&body).ends_with("/derivatives-not-allowed"),
        "{body}"
    );

    let remix = provenant_model::testkit::grant(parent, &fan, &[&alice], &terms());
    assert_eq!(server.post("/v1/entries", &remix.to_value()).0, 201);
    let accepted = derivative(b"remix", &fan, parent, &json!(grant_id(&remix)));
    let (status, body) = server.post("/v1/entries", &accepted);
    assert_eq!(status, 201, "{body}");

    let report = server.get(&format!("/v1/designs/{parent}")).1;
    assert_eq!(report["children"], json!([design_of(b"remix")]));
}

#[test]
fn production_runs_count_against_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, brand) = (key(1), key(3));
    let design = design_of(b"charm");
    assert_eq!(
        server
            .post(
                "/v1/entries",
                &register(b"charm", &[(&alice, 1_000_000)]).to_value()
            )
            .0,
        201
    );
    let mut capped = terms();
    capped["max_units"] = json!(100);
    let g = provenant_model::testkit::grant(design, &brand, &[&alice], &capped);
    assert_eq!(server.post("/v1/entries", &g.to_value()).0, 201);

    let run = |quantity: u64, batch: &str| {
        envelope(
            Kind::UsageRecord,
            json!({"grant": grant_id(&g), "quantity": quantity, "territory": "FR",
                   "channel": "retail", "category": "accessories", "batch_ref": batch}),
            &[&brand],
        )
        .to_value()
    };
    assert_eq!(server.post("/v1/entries", &run(60, "run-1")).0, 201);
    let (status, body) = server.post("/v1/entries", &run(41, "run-2"));
    assert_eq!(status, 422, "one unit over the cap: {body}");
    assert!(problem_type(&body).ends_with("/units-exceeded"), "{body}");
    assert_eq!(server.post("/v1/entries", &run(40, "run-2")).0, 201);

    let check = json!({"design": design, "licensee": id(&brand).to_string(), "action": "commercial",
                       "territory": "FR", "channel": "retail", "category": "accessories",
                       "date": "2026-03-01T00:00:00Z", "quantity": 1});
    let (_, answer) = server.post("/v1/licenses/check", &check);
    assert_eq!(answer["allowed"], json!(false), "{answer}");
    assert_eq!(answer["units_remaining"], json!(0));
}

#[test]
fn a_transfer_with_a_stale_prev_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, bob, carol) = (key(1), key(2), key(5));
    let design = design_of(b"dial");
    let (_, receipt) = server.post(
        "/v1/entries",
        &register(b"dial", &[(&alice, 1_000_000)]).to_value(),
    );
    let registered = receipt["leaf_hash"].clone();

    let transfer = |to: &ed25519_dalek::SigningKey, prev: &Value| {
        envelope(
            Kind::OwnershipTransfer,
            json!({"design": design, "from": [{"key": id(&alice).to_string(), "share_ppm": 100_000}],
                   "to": id(to).to_string(), "prev": prev}),
            &[&alice, to],
        )
        .to_value()
    };
    let (status, body) = server.post("/v1/entries", &transfer(&bob, &registered));
    assert_eq!(status, 201, "{body}");
    // The registration is no longer the latest ownership entry.
    let (status, body) = server.post("/v1/entries", &transfer(&carol, &registered));
    assert_eq!(status, 409, "{body}");
    assert!(problem_type(&body).ends_with("/stale-prev"), "{body}");
}

#[test]
fn a_full_queue_answers_503_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--queue", "1", "--max-batch", "1"]);
    let (origin, verifier) = server.log_key();
    let accepted = std::sync::atomic::AtomicU64::new(0);
    let mut busy = 0;
    // Rounds of 16 concurrent writers, until the queue has overflowed.
    for round in 0..20u8 {
        let answers: Vec<(u16, Option<String>, Value)> = std::thread::scope(|s| {
            let writers: Vec<_> = (0..16u8)
                .map(|w| {
                    let server = &server;
                    s.spawn(move || {
                        let env = register(&[round, w], &[(&key(1), 1_000_000)]);
                        let r = server.submit(&env);
                        let retry = r
                            .headers()
                            .get("retry-after")
                            .map(|v| v.to_str().unwrap().to_owned());
                        (r.status().as_u16(), retry, r.json().unwrap())
                    })
                })
                .collect();
            writers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        for (status, retry, body) in answers {
            match status {
                201 => {
                    accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                503 => {
                    busy += 1;
                    assert!(retry.is_some(), "a 503 says when to retry");
                    assert!(problem_type(&body).ends_with("/overloaded"), "{body}");
                }
                _ => panic!("{status}: {body}"),
            }
        }
        if busy > 0 {
            break;
        }
    }
    assert!(busy > 0, "a queue of one never overflowed");
    // Every acknowledged write is in the log, and nothing else is.
    let head = server.checkpoint(&origin, &verifier);
    assert_eq!(head.size.0, accepted.into_inner());
}
