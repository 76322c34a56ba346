//! Near-duplicates over HTTP: a registration carries its image's ISCC code;
//! an edited copy is flagged (never refused) when registered, when
//! identified, and in its report, with the earlier design and its owners;
//! an unrelated design, a mirror and a quarter turn are not flagged.

mod support;

use ed25519_dalek::SigningKey;
use provenant_api::{Identified, Similar};
use provenant_model::iscc::DEFAULT_DISTANCE;
use provenant_model::{DesignId, ImageCode, Kind};
use provenant_testkit::designs::{Edit, design, file};
use provenant_testkit::envelope;
use serde_json::json;
use support::*;

/// A registration of the image `bytes` by `creator`, with its image code.
fn register_image(
    bytes: &[u8],
    creator: &SigningKey,
) -> (provenant_model::Envelope, DesignId, ImageCode) {
    let code = provenant_similar::image_code(bytes).expect("a generated design decodes");
    let mut env = register(bytes, &[(creator, 1_000_000)]).to_value();
    env["payload"]["content"]["iscc"] = json!(code.to_string());
    let env = envelope(Kind::DesignRegister, env["payload"].clone(), &[creator]);
    (env, design_of(bytes), code)
}

fn identified(server: &Server, bytes: Vec<u8>) -> Identified {
    answer::<Identified>("POST", server.identify(bytes)).expect("an identify answer")
}

#[test]
fn an_edited_copy_is_flagged_with_the_earlier_design_and_its_owners() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (alice, bob) = (key(1), key(2));
    let image = design(7);
    let original = file(&image, Edit::Original);
    let (env, first, first_code) = register_image(&original, &alice);
    let receipt = server.write(&env);
    assert!(
        receipt.near_duplicates.is_empty(),
        "nothing was registered before it"
    );

    // A re-encoded copy, sent to identify: its code, and the original.
    let copy = file(&image, Edit::Jpeg(50));
    let seen = identified(&server, copy.clone());
    let copy_code = seen.iscc.expect("a JPEG is coded");
    assert!(!seen.registered);
    assert_eq!(seen.near_duplicates.len(), 1, "{seen:?}");
    let flag = &seen.near_duplicates[0];
    assert_eq!((flag.design, flag.iscc), (first, first_code));
    assert_eq!(flag.distance, first_code.distance(copy_code));
    assert!(flag.distance <= DEFAULT_DISTANCE);
    assert_eq!(flag.owners.len(), 1);
    assert_eq!(flag.owners[0].key, id(&alice));
    assert_eq!(flag.registered, receipt_ref(&receipt));

    // Registering it anyway is accepted, and flagged.
    let (env, second, _) = register_image(&copy, &bob);
    let written = server.write(&env);
    assert_eq!(written.near_duplicates, seen.near_duplicates);

    // The later design's report names the earlier one; not the other way.
    let later = server.get::<GetDesign>(&design_path(&second)).answer;
    assert_eq!(later.near_duplicates, seen.near_duplicates);
    assert_eq!(later.details.content.iscc, Some(copy_code));
    let earlier = server.get::<GetDesign>(&design_path(&first)).answer;
    assert!(earlier.near_duplicates.is_empty());

    // `similar` looks both ways in time.
    let similar: Similar = server
        .call::<GetSimilar>(
            &similar_path(&first),
            &provenant_api::SimilarQuery::default(),
        )
        .unwrap();
    assert_eq!(similar.iscc, first_code);
    assert_eq!(similar.distance, DEFAULT_DISTANCE);
    assert_eq!(
        similar
            .near_duplicates
            .iter()
            .map(|d| d.design)
            .collect::<Vec<_>>(),
        [second]
    );
    assert!(!similar.partial);
    let none: Similar = server
        .call::<GetSimilar>(
            &similar_path(&first),
            &provenant_api::SimilarQuery { distance: Some(0) },
        )
        .unwrap();
    assert_eq!(
        none.near_duplicates.is_empty(),
        first_code.distance(copy_code) > 0
    );
}

#[test]
fn unrelated_designs_mirrors_and_quarter_turns_are_not_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let alice = key(1);
    let image = design(11);
    let (env, first, code) = register_image(&file(&image, Edit::Original), &alice);
    server.write(&env);

    for seed in [12, 13, 14] {
        let other = file(&design(seed), Edit::Original);
        let (env, _, other_code) = register_image(&other, &alice);
        let written = server.write(&env);
        // Flagged exactly when the codes are near: the generated designs
        // are far apart (docs/BENCHMARKS.md), so none is.
        assert!(code.distance(other_code) > DEFAULT_DISTANCE, "seed {seed}");
        assert!(
            written.near_duplicates.is_empty(),
            "seed {seed}: {written:?}"
        );
    }
    for edit in [Edit::Mirror, Edit::Rotate90] {
        let seen = identified(&server, file(&image, edit));
        let turned = seen.iscc.unwrap();
        assert!(
            code.distance(turned) > DEFAULT_DISTANCE,
            "{edit:?} is documented as not caught"
        );
        assert!(
            seen.near_duplicates.iter().all(|d| d.design != first),
            "{edit:?}"
        );
    }
    // Not an image: no code, no flags.
    let text = identified(&server, b"a design brief, in words".to_vec());
    assert_eq!(text.iscc, None);
    assert!(text.near_duplicates.is_empty());
}

#[test]
fn bad_codes_and_searches_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let alice = key(1);
    let png = file(&design(3), Edit::Original);
    let (env, registered, _) = register_image(&png, &alice);

    // A code on something that is not an image, signed as it should be.
    let mut not_image = env.to_value();
    not_image["payload"]["content"]["media_type"] = json!("model/stl");
    let refused = server.refuse(&envelope(
        Kind::DesignRegister,
        not_image["payload"].clone(),
        &[&alice],
    ));
    assert_eq!(
        (refused.status, refused.kind.as_str()),
        (400, problem("malformed").as_str())
    );
    assert_eq!(refused.field.as_deref(), Some("content.iscc"));
    // A code in another spelling, codes that are not 64-bit Image-Codes:
    // refused before any signature is checked.
    let mut cases = Vec::new();
    for bad in [
        "ISCC:eeaqaaaaaaaaaaaa",
        "ISCC:AAAQAAAAAAAAAAAA",
        "EEAQAAAAAAAAAAAA",
        "ISCC:EEBYAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let mut value = env.to_value();
        value["payload"]["content"]["iscc"] = json!(bad);
        cases.push(value);
    }
    for case in &cases {
        // (The signatures are over the original payload: the code is read
        // first.)
        let (status, body) = server.post_json(SubmitEntry::ROUTE.path, case);
        assert_eq!(status, 400, "{case}: {body}");
        assert_eq!(body["type"], problem("malformed"), "{body}");
        // Read with the payload (as every malformed value is), named in
        // the detail.
        assert_eq!(body["field"], "payload", "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("content.iscc"),
            "{body}"
        );
    }
    assert_eq!(server.log_info().size, 0);

    server.write(&env);
    let (status, body) = server.get_json(&format!("{}?distance=13", similar_path(&registered)));
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some(problem("distance-too-large").as_str()))
    );
    let (status, body) = server.get_json(&format!("{}?near=1", similar_path(&registered)));
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some(problem("invalid-query").as_str()))
    );

    let (plain, without) = (
        register(b"no code", &[(&alice, 1_000_000)]),
        design_of(b"no code"),
    );
    server.write(&plain);
    let (status, body) = server.get_json(&similar_path(&without));
    assert_eq!(
        (status, body["type"].as_str()),
        (422, Some(problem("no-image-code").as_str()))
    );
    let (status, _) = server.get_json(&similar_path(&design_of(b"never registered")));
    assert_eq!(status, 404);
}

fn receipt_ref(receipt: &provenant_model::Receipt) -> provenant_model::state::EntryRef {
    let entry = receipt.entry_value().unwrap();
    provenant_model::state::EntryRef {
        index: receipt.index,
        leaf_hash: receipt.leaf_hash,
        logged_at: serde_json::from_value(entry["logged_at"].clone()).unwrap(),
    }
}

#[test]
fn at_most_four_uploads_are_kept_whole_at_once() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let png = file(&design(9), Edit::Original);
    // Eight uploads that send all but the PNG's last byte and then wait:
    // four of them are kept. (Eight, and a pause: an upload sent before
    // the waiting ones start could take a permit from one of them.)
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        provenant_api::routes::IdentifyFile::ROUTE.path,
        raw::authority(&server.base),
        png.len()
    );
    let mut waiting = Vec::new();
    for _ in 0..8 {
        let mut socket = std::net::TcpStream::connect(raw::authority(&server.base)).unwrap();
        socket.write_all(head.as_bytes()).unwrap();
        socket.write_all(&png[..png.len() - 1]).unwrap();
        waiting.push(socket);
    }
    // Once they are kept, another image is identified by its hashes alone.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut fifth = identified(&server, png.clone());
    for _ in 0..50 {
        if fifth.iscc.is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        fifth = identified(&server, png.clone());
    }
    assert_eq!(fifth.iscc, None, "a fifth upload kept whole");
    assert_eq!(fifth.blake3, design_of(&png));
    // The eight finish: the four kept are coded; then uploads are coded
    // again.
    let mut coded = 0;
    for mut socket in waiting {
        socket.write_all(&png[png.len() - 1..]).unwrap();
        let mut answer = Vec::new();
        std::io::Read::read_to_end(&mut socket, &mut answer).unwrap();
        let answer = raw::parse(&answer);
        assert_eq!(answer.status, 200);
        coded += usize::from(String::from_utf8_lossy(&answer.body).contains("\"iscc\":\"ISCC:"));
    }
    assert_eq!(coded, 4);
    assert!(identified(&server, png).iscc.is_some());
}
