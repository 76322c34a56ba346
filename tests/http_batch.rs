//! `POST /v1/entries/batch` over HTTP: each envelope answered on its own,
//! in order, with the same idempotency and the same problems as single
//! writes; a batch that is not one changes nothing.

mod support;

use provenant_api::verify::verify_receipt;
use provenant_api::{BatchAnswer, EntryBatch, MAX_BATCH_ENVELOPES, Problem};
use provenant_client::Client;
use provenant_model::Envelope;
use serde_json::{Value, json};
use support::*;

fn batch(server: &Server, envelopes: &[Envelope]) -> BatchAnswer {
    server.post::<SubmitBatch>(&EntryBatch {
        envelopes: envelopes.to_vec(),
    })
}

#[test]
fn each_envelope_is_answered_on_its_own_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, bob) = (key(1), key(2));
    let first = register(b"first", &[(&alice, 1_000_000)]);
    let second = register(b"second", &[(&bob, 1_000_000)]);
    // Alice's share, signed by Bob: refused, the others are not.
    let mut forged = register(b"forged", &[(&alice, 1_000_000)]);
    forged.sign(&bob).unwrap();
    server.write(&first);

    let answer = batch(&server, &[first.clone(), forged.clone(), second.clone()]);
    let statuses: Vec<u16> = answer.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 403, 201], "{answer:?}");
    let (_, log_key) = server.log_key();
    for receipt in answer.results.iter().filter_map(|r| r.receipt.as_ref()) {
        verify_receipt(receipt, &log_key).unwrap();
    }
    // The already logged one gets its original receipt: the same index.
    let again = server.try_write(&first).unwrap();
    assert_eq!(
        answer.results[0].receipt.as_ref().unwrap().index,
        again.receipt.index
    );
    let refused = answer.results[1].problem.as_ref().unwrap();
    assert_eq!(refused.kind, problem("unexpected-signer"), "{refused:?}");
    assert_eq!(refused, &server.refuse(&forged));
    // The new one is in the log, and sending the batch again changes nothing.
    let size = server.log_info().size;
    let repeat = batch(&server, &[first, forged, second]);
    let statuses: Vec<u16> = repeat.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 403, 200]);
    assert_eq!(server.log_info().size, size);
}

#[test]
fn a_batch_that_is_not_one_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let good = serde_json::to_value(register(b"good", &[(&key(1), 1_000_000)])).unwrap();
    let too_many = vec![good.clone(); MAX_BATCH_ENVELOPES + 1];
    let cases: [(Value, &str); 4] = [
        (json!([good.clone()]), "malformed"),
        (json!({"envelopes": good.clone()}), "malformed"),
        (json!({"envelopes": [good.clone()], "more": 1}), "malformed"),
        (json!({"envelopes": too_many}), "too-many-items"),
    ];
    for (body, code) in cases {
        let (status, problem_body) = server.post_json(SubmitBatch::ROUTE.path, &body);
        assert_eq!(status, 400, "{problem_body}");
        assert_eq!(problem_body["type"], problem(code));
    }
    // A repeated member name anywhere is refused before anything is read.
    let text = format!(r#"{{"envelopes":[{good}],"envelopes":[]}}"#);
    let r = server
        .client
        .post(server.url(SubmitBatch::ROUTE.path))
        .header("content-type", "application/json")
        .body(text)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(server.log_info().size, 0, "nothing was written");
}

#[test]
fn an_item_that_is_not_an_envelope_gets_its_own_problem() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let good = register(b"good", &[(&key(1), 1_000_000)]);
    let body = json!({"envelopes": [{"kind": "design.register"}, good, 7]});
    let (status, answer) = server.post_json(SubmitBatch::ROUTE.path, &body);
    assert_eq!(status, 200, "{answer}");
    let answer: BatchAnswer = serde_json::from_value(answer).unwrap();
    let statuses: Vec<u16> = answer.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 201, 400]);
    let codes: Vec<&str> = answer
        .results
        .iter()
        .filter_map(|r| r.problem.as_ref().map(Problem::code))
        .collect();
    assert_eq!(codes, ["malformed", "malformed"]);
}

#[test]
fn the_client_sends_many_and_gets_each_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let client = Client::new(&server.base).unwrap();
    let envelopes: Vec<Envelope> = (0..200u32)
        .map(|i| register(format!("design {i}").as_bytes(), &[(&key(3), 1_000_000)]))
        .collect();
    let outcomes = client.submit_batch(&envelopes).unwrap();
    assert_eq!(outcomes.len(), 200);
    let (_, log_key) = server.log_key();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let submitted = outcome.unwrap();
        assert!(submitted.created);
        verify_receipt(&submitted.receipt, &log_key).unwrap();
        let entry =
            provenant_model::Entry::from_leaf_bytes(&submitted.receipt.leaf_bytes().unwrap())
                .unwrap();
        assert_eq!(entry.envelope.id(), envelopes[i].id(), "in order");
    }
}
