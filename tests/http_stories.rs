//! More user stories over HTTP: derivatives under grants, production runs
//! until the cap, and a transfer naming a stale `prev`.

mod support;

use provenant_api::Problem;
use provenant_model::{Envelope, GrantId, Kind, LeafHash, Receipt};
use provenant_testkit::{envelope, terms};
use serde_json::json;
use support::*;

/// A registration of `content` by `creator` deriving from `parent` under
/// `grant`.
fn derivative(
    content: &[u8],
    creator: &ed25519_dalek::SigningKey,
    parent: provenant_model::DesignId,
    grant: GrantId,
) -> Envelope {
    let mut env = register(content, &[(creator, 1_000_000)]).to_value();
    env["payload"]["parents"] = json!([{"design": parent, "grant": grant}]);
    let payload = env["payload"].clone();
    envelope(Kind::DesignRegister, payload, &[creator])
}

#[test]
fn derivatives_need_a_grant_that_allows_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, fan) = (key(1), key(4));
    let parent = design_of(b"sneaker");
    server.write(&register(b"sneaker", &[(&alice, 1_000_000)]));

    let mut closed = terms();
    closed["derivatives_allowed"] = json!(false);
    let no_remix = provenant_testkit::grant(parent, &fan, &[&alice], &closed);
    server.write(&no_remix);
    let refused = server.refuse(&derivative(b"remix", &fan, parent, grant_id(&no_remix)));
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_eq!(
        refused.kind,
        problem("derivatives-not-allowed"),
        "{refused:?}"
    );

    let remix = provenant_testkit::grant(parent, &fan, &[&alice], &terms());
    server.write(&remix);
    server.write(&derivative(b"remix", &fan, parent, grant_id(&remix)));

    let report = server.get::<GetDesign>(&design_path(&parent)).answer;
    assert_eq!(report.children, [design_of(b"remix")]);
}

#[test]
fn production_runs_count_against_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, brand) = (key(1), key(3));
    let design = design_of(b"charm");
    server.write(&register(b"charm", &[(&alice, 1_000_000)]));
    let mut capped = terms();
    capped["max_units"] = json!(100);
    let g = provenant_testkit::grant(design, &brand, &[&alice], &capped);
    server.write(&g);

    let run = |quantity: u64, batch: &str| {
        envelope(
            Kind::UsageRecord,
            json!({"grant": grant_id(&g), "quantity": quantity, "territory": "FR",
                   "channel": "retail", "category": "accessories", "batch_ref": batch}),
            &[&brand],
        )
    };
    server.write(&run(60, "run-1"));
    let over = server.refuse(&run(41, "run-2"));
    assert_eq!(over.status, 422, "one unit over the cap: {over:?}");
    assert_eq!(over.kind, problem("units-exceeded"), "{over:?}");
    server.write(&run(40, "run-2"));

    let answer = server
        .post::<CheckLicense>(&check(design, &brand, "FR", "2026-03-01T00:00:00Z", 1))
        .answer;
    assert!(!answer.allowed, "{answer:?}");
    assert_eq!(answer.units_remaining, Some(0));
}

#[test]
fn a_transfer_with_a_stale_prev_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, bob, carol) = (key(1), key(2), key(5));
    let design = design_of(b"dial");
    let receipt = server.write(&register(b"dial", &[(&alice, 1_000_000)]));
    let registered = receipt.leaf_hash;

    let transfer = |to: &ed25519_dalek::SigningKey, prev: &LeafHash| {
        envelope(
            Kind::OwnershipTransfer,
            json!({"design": design, "from": [{"key": id(&alice).to_string(), "share_ppm": 100_000}],
                   "to": id(to).to_string(), "prev": prev}),
            &[&alice, to],
        )
    };
    server.write(&transfer(&bob, &registered));
    // The registration is no longer the latest ownership entry.
    let stale = server.refuse(&transfer(&carol, &registered));
    assert_eq!(stale.status, 409, "{stale:?}");
    assert_eq!(stale.kind, problem("stale-prev"), "{stale:?}");
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
        let answers: Vec<(u16, Option<String>, Result<Receipt, Problem>)> =
            std::thread::scope(|s| {
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
                            (r.status().as_u16(), retry, answer("POST", r))
                        })
                    })
                    .collect();
                writers.into_iter().map(|w| w.join().unwrap()).collect()
            });
        for (status, retry, body) in answers {
            match (status, body) {
                (201, Ok(_)) => {
                    accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                (503, Err(p)) => {
                    busy += 1;
                    assert!(retry.is_some(), "a 503 says when to retry");
                    assert!(p.is_retryable(), "{p:?}");
                    assert_eq!(p.kind, problem("overloaded"), "{p:?}");
                }
                (status, body) => panic!("{status}: {body:?}"),
            }
        }
        if busy > 0 {
            break;
        }
    }
    assert!(busy > 0, "a queue of one never overflowed");
    // Every acknowledged write is in the log, and nothing else is: with
    // batches of one, each is followed by its commitment.
    let accepted = accepted.into_inner();
    let head = server.checkpoint(&origin, &verifier);
    assert_eq!(head.size.0, size_after(accepted));
    assert_eq!(commitments(&server), accepted);
}
