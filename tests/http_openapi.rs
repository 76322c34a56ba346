//! The OpenAPI document against the real service: the server serves the
//! generated document, every JSON route answers (success and problem)
//! within its schema, and a schema that is wrong refuses real answers, so
//! the check can fail.

mod support;

use std::collections::BTreeSet;

use provenant_model::Kind;
use provenant_testkit::{envelope, terms};
use serde_json::{Value, json};
use support::openapi::Document;
use support::*;

/// The statuses, media types and bodies of one answer of each route.
struct Seen(Vec<(&'static str, String, u16, Value)>);

impl Seen {
    fn get(&mut self, server: &Server, path: &str) -> Value {
        let (status, body) = server.get_json(path);
        self.0.push(("GET", path.to_owned(), status, body.clone()));
        body
    }

    fn post(&mut self, server: &Server, path: &str, body: &Value) -> Value {
        let (status, answer) = server.post_json(path, body);
        self.0
            .push(("POST", path.to_owned(), status, answer.clone()));
        answer
    }
}

/// One of everything: writes of several kinds, every read, and problems.
fn drive(server: &Server) -> Seen {
    let mut seen = Seen(Vec::new());
    let (alice, brand) = (key(1), key(2));
    let content = b"a design for the schema test";
    let reg = register(content, &[(&alice, 1_000_000)]);
    let design = design_of(content);
    let receipt = seen.post(server, "/v1/entries", &reg.to_value());
    assert_eq!(receipt["index"], json!(0), "{receipt}");
    // The same envelope again: 200 with the original receipt.
    seen.post(server, "/v1/entries", &reg.to_value());
    let g = grant(design, &brand, &[&alice], &["FR"]);
    seen.post(server, "/v1/entries", &g.to_value());
    let usage = envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 3, "territory": "FR",
               "channel": "retail", "category": "footwear", "batch_ref": "B-1"}),
        &[&brand],
    );
    seen.post(server, "/v1/entries", &usage.to_value());
    let dispute = envelope(
        Kind::DisputeRaise,
        json!({"design": design, "claim": "copied", "evidence": "ab".repeat(32)}),
        &[&key(3)],
    );
    seen.post(server, "/v1/entries", &dispute.to_value());

    // Every entry: the four writes, each followed by the log's commitment.
    for index in 0..size_after(4) {
        seen.get(server, &format!("/v1/entries/{index}"));
    }
    seen.get(server, "/v1/log");
    seen.get(server, "/v1/proofs/inclusion?index=1");
    seen.get(server, "/v1/proofs/consistency?from=1");
    for (param, who) in [("creator", &alice), ("licensee", &brand)] {
        let who = percent_encode(&id(who).to_string());
        seen.get(server, &format!("/v1/designs?{param}={who}"));
    }
    seen.get(server, &format!("/v1/designs/{design}"));
    seen.get(server, &format!("/v1/grants/{}", grant_id(&g)));
    seen.get(
        server,
        &format!(
            "{}?limit=2",
            provenant_api::routes::key_entries_path(&id(&alice))
        ),
    );
    let question = json!({"design": design, "licensee": id(&brand).to_string(),
        "action": "commercial", "territory": "FR", "channel": "retail",
        "category": "footwear", "date": "2026-03-01T00:00:00Z", "quantity": 10});
    seen.post(server, "/v1/licenses/check", &question);
    seen.post(
        server,
        "/v1/royalties/split",
        &json!({"design": design,
                "revenue": {"amount_minor": 1000, "currency": "EUR"}, "detail": {}}),
    );
    seen.post(
        server,
        "/v1/royalties/statement",
        &json!({"sales": [{"design": design,
                "amount": {"amount_minor": 1000, "currency": "EUR"}}]}),
    );
    let r = server
        .client
        .post(server.url("/v1/designs/identify"))
        .body(content.to_vec())
        .send()
        .unwrap();
    let (status, body) = checked("POST", "/v1/designs/identify", r);
    seen.0
        .push(("POST", "/v1/designs/identify".to_owned(), status, body));
    let openapi = seen.get(server, "/v1/openapi.json");
    assert_eq!(openapi, provenant_api::openapi::document());

    // Problems: malformed, refused by a rule, not found, a bad id.
    seen.post(
        server,
        "/v1/entries",
        &json!({"kind": "key.rotate", "payload": {}}),
    );
    let mut bad = terms();
    bad["commercial_use"] = json!(false);
    seen.post(
        server,
        "/v1/entries",
        &provenant_testkit::grant(design, &brand, &[&alice], &bad).to_value(),
    );
    let outside = envelope(
        Kind::UsageRecord,
        json!({"grant": grant_id(&g), "quantity": 1, "territory": "DE",
               "channel": "retail", "category": "footwear", "batch_ref": "B-2"}),
        &[&brand],
    );
    seen.post(server, "/v1/entries", &outside.to_value());
    // A batch: one envelope already logged, one refused by a rule.
    seen.post(
        server,
        "/v1/entries/batch",
        &json!({"envelopes": [g.to_value(), outside.to_value()]}),
    );
    near_duplicates(server, &mut seen, &alice, &brand, &design);
    seen.get(server, &format!("/v1/designs/{}", "cd".repeat(32)));
    seen.get(server, "/v1/designs/xyz");
    seen.get(server, "/v1/entries/99");
    seen.get(server, "/v1/proofs/consistency?from=99");
    seen
}

/// An image with its code, and a copy of it: near-duplicates flagged in the
/// receipt, the report and `similar`; `similar` of a design without a code.
fn near_duplicates(
    server: &Server,
    seen: &mut Seen,
    alice: &ed25519_dalek::SigningKey,
    brand: &ed25519_dalek::SigningKey,
    design: &provenant_model::DesignId,
) {
    use provenant_testkit::designs::{Edit, design as drawn, file};
    let (image, copy) = (
        file(&drawn(5), Edit::Original),
        file(&drawn(5), Edit::Jpeg(50)),
    );
    for (bytes, who) in [(&image, alice), (&copy, brand)] {
        let mut coded = register(bytes, &[(who, 1_000_000)]).to_value();
        let code = provenant_similar::image_code(bytes).unwrap();
        coded["payload"]["content"]["iscc"] = json!(code.to_string());
        let coded = envelope(Kind::DesignRegister, coded["payload"].clone(), &[who]);
        seen.post(server, "/v1/entries", &coded.to_value());
    }
    seen.get(server, &format!("/v1/designs/{}", design_of(&copy)));
    seen.get(
        server,
        &format!("/v1/designs/{}/similar", design_of(&image)),
    );
    seen.get(server, &format!("/v1/designs/{design}/similar"));
}

#[test]
fn every_answer_is_within_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    // `Server::get` and `post` validate each answer as they receive it.
    let seen = drive(&server);
    let statuses: BTreeSet<u16> = seen.0.iter().map(|s| s.2).collect();
    assert!(
        [200, 201, 400, 404].iter().all(|s| statuses.contains(s))
            && [403, 409, 422].iter().any(|s| statuses.contains(s)),
        "{statuses:?}"
    );
    // Every route that answers JSON was driven.
    let doc = provenant_api::openapi::document();
    let mut json_routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["responses"]["200"]["content"]
                .get("application/json")
                .or_else(|| op["responses"]["201"]["content"].get("application/json"))
                .is_some()
            {
                json_routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let document = Document::new(doc);
    let driven: BTreeSet<(String, String)> = seen
        .0
        .iter()
        .map(|(m, url, _, _)| {
            let path = url.split('?').next().unwrap();
            ((*m).to_owned(), document.template(path).unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        json_routes.difference(&driven).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new()
    );
}

#[test]
fn a_wrong_schema_refuses_real_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let seen = drive(&server);
    let mut document = Document::new(provenant_api::openapi::document());
    let schemas = &mut document.value_mut()["components"]["schemas"];
    // A log whose size would be text, a title of at most 3 characters, a
    // problem whose status would be text.
    schemas["LogInfo"]["properties"]["size"] = json!({"type": "string"});
    schemas["DesignRegister"]["properties"]["title"]["maxLength"] = json!(3);
    schemas["Problem"]["properties"]["status"] = json!({"type": "string"});
    let refused = |method: &str, path: &str| {
        let (_, url, status, body) = seen
            .0
            .iter()
            .find(|(m, url, _, _)| *m == method && url == path)
            .unwrap();
        let media = if *status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        document.check(method, url, *status, media, body).is_err()
    };
    assert!(refused("GET", "/v1/log"));
    assert!(refused("GET", "/v1/entries/0"), "the entry's payload");
    assert!(refused("POST", "/v1/entries"), "the receipt's entry");
    assert!(refused("GET", "/v1/designs/xyz"), "a problem");
    // The untouched document accepts the same answers.
    let document = Document::new(provenant_api::openapi::document());
    for (method, url, status, body) in &seen.0 {
        let media = if *status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        document.check(method, url, *status, media, body).unwrap();
    }
}
