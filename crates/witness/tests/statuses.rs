//! Every `add-checkpoint` status of C2SP tlog-witness, through the router,
//! and the monitoring `GET`; every refusal leaves the state as it was.

mod common;

use axum::http::StatusCode;
use common::{MemoryLog, assert_cosigned, body, get, post, witness};
use provenant_tlog::Note;
use provenant_tlog::cosignature::CosignatureVerifier;
use provenant_witness::store::origin_hash;
use provenant_witness::{Witness, app};

const ORIGIN: &str = "example.com/log";

/// A witness following one log of `size` leaves, cosigned at `at` when
/// `at` is given.
async fn started(at: Option<u64>, size: u64) -> (tempfile::TempDir, MemoryLog, Witness) {
    let dir = tempfile::tempdir().unwrap();
    let log = MemoryLog::new(ORIGIN, 1, size);
    let w = witness(dir.path(), vec![log.config(None)], false);
    if let Some(at) = at {
        let answer = post(&app(w.clone()), log.body(0, at)).await;
        assert_cosigned(&w, &answer, &log.checkpoint_text(at));
    }
    (dir, log, w)
}

/// The signature lines of a note.
fn signature_lines(note: &str) -> &str {
    &note[note.rfind("\n\n").unwrap() + 2..]
}

/// The note's text with `other`'s signature lines.
fn with_signatures_of(note: &str, other: &str) -> String {
    let text = &note[..note.rfind("\n\n").unwrap() + 2];
    format!("{text}{}", signature_lines(other))
}

#[tokio::test]
async fn a_first_checkpoint_is_cosigned_and_served_to_monitors() {
    let (_dir, log, w) = started(None, 5).await;
    let router = app(w.clone());
    let path = format!("/{}/checkpoint", origin_hash(ORIGIN));
    assert_eq!(get(&router, &path).await.status, StatusCode::NOT_FOUND);

    let answer = post(&router, log.body(0, 5)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(5));
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(5)));

    // The served note: the checkpoint, the log's signature, the witness's.
    let served = get(&router, &path).await;
    assert_eq!(served.status, StatusCode::OK);
    let note = Note::parse(served.body.as_bytes()).unwrap();
    assert_eq!(note.text(), log.checkpoint_text(5));
    note.verify(std::slice::from_ref(log.signer.verifier()))
        .unwrap();
    let cosigner = CosignatureVerifier::from_text(&w.verifier().to_text()).unwrap();
    assert!(cosigner.verify(&note).unwrap().is_some());
    assert_eq!(note.signatures().len(), 2);
    assert!(served.body.ends_with(&answer.body));

    let other = format!("/{}/checkpoint", origin_hash("example.com/other"));
    assert_eq!(get(&router, &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&router, "/not-a-hash/checkpoint").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn consistent_checkpoints_are_cosigned_in_turn() {
    let (_dir, log, w) = started(Some(1), 1000).await;
    let router = app(w.clone());
    for (old, new) in [(1, 2), (2, 3), (3, 4), (4, 4), (4, 257), (257, 1000)] {
        let answer = post(&router, log.body(old, new)).await;
        assert_cosigned(&w, &answer, &log.checkpoint_text(new));
        assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(new)));
    }
}

#[tokio::test]
async fn another_old_size_gets_409_with_the_witness_size() {
    let (_dir, log, w) = started(Some(9), 12).await;
    let router = app(w.clone());
    for old in [0, 5, 10] {
        let answer = post(&router, log.body(old, 12)).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{old}");
        assert_eq!(answer.content_type.as_deref(), Some("text/x.tlog.size"));
        assert_eq!(answer.body, "9\n");
    }
    // A log never cosigned: the witness's size is 0.
    let (_dir, log, w) = started(None, 12).await;
    let answer = post(&app(w.clone()), log.body(3, 12)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.body, "0\n");
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(0)));
}

#[tokio::test]
async fn an_unknown_origin_gets_404() {
    let (_dir, _log, w) = started(None, 1).await;
    let stranger = MemoryLog::new("example.com/stranger", 2, 3);
    let answer = post(&app(w.clone()), stranger.body(0, 3)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(w.size("example.com/stranger"), None);
}

#[tokio::test]
async fn a_checkpoint_the_log_did_not_sign_gets_403() {
    let (_dir, log, w) = started(Some(2), 6).await;
    let router = app(w.clone());
    // Same origin, another key: no trusted key signed.
    let impostor = MemoryLog::new(ORIGIN, 3, 6);
    let answer = post(&router, impostor.body(0, 6)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // The trusted key's line over another text: its signature fails.
    let forged = with_signatures_of(&log.checkpoint(6), &log.checkpoint(5));
    let answer = post(&router, body(2, &log.proof(2, 6), &forged)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // A valid log signature beside a failing one is still refused.
    let both = format!(
        "{}{}",
        log.checkpoint(6),
        signature_lines(&log.checkpoint(5))
    );
    let answer = post(&router, body(2, &log.proof(2, 6), &both)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(2)));
}

#[tokio::test]
async fn malformed_requests_get_400() {
    let (_dir, log, w) = started(Some(4), 8).await;
    let router = app(w.clone());
    let note = log.checkpoint(8);
    for bad in [
        String::new(),
        note.clone(),
        format!("old 04\n\n{note}"),
        format!("old 4\nnot base64\n\n{note}"),
        format!("old 4\n\n{}", log.checkpoint_text(8)),
        // The old size beyond the checkpoint's.
        body(9, &[], &note),
    ] {
        let answer = post(&router, bad.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
    let answer = post(&router, vec![0xff_u8, b'\n', b'\n']).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(4)));
}

#[tokio::test]
async fn inconsistent_checkpoints_get_422() {
    let (_dir, log, w) = started(Some(4), 11).await;
    let router = app(w.clone());

    // A proof hash changed.
    let mut proof = log.proof(4, 11);
    proof[0] = provenant_tlog::hash_leaf(b"not in the tree");
    let answer = post(&router, body(4, &proof, &log.checkpoint(11))).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    // A proof hash missing, or one too many.
    let proof = log.proof(4, 11);
    for wrong in [&proof[1..], &[proof.clone(), proof.clone()].concat()[..]] {
        let answer = post(&router, body(4, wrong, &log.checkpoint(11))).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A fork: the same key, the same origin, another history.
    let mut fork = MemoryLog::new(ORIGIN, 1, 0);
    for i in 0..11 {
        fork.push(format!("forked leaf {i}").into_bytes());
    }
    let answer = post(&router, fork.body(4, 11)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same size with another root.
    let answer = post(&router, fork.body(4, 4)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same size and root, with a proof line.
    let answer = post(&router, body(4, &proof[..1], &log.checkpoint(4))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(4)));
}

#[tokio::test]
async fn the_empty_tree_is_checked_before_anything_is_recorded() {
    let (_dir, log, w) = started(None, 3).await;
    let router = app(w.clone());
    // A proof from size 0.
    let answer = post(&router, body(0, &log.proof(1, 3)[..1], &log.checkpoint(3))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Size 0 with another root than SHA-256 of nothing.
    let text = format!("{ORIGIN}\n0\n{}\n", log.root(3).to_base64());
    let note = log.signer.sign(&text).unwrap().to_text();
    let answer = post(&router, body(0, &[], &note)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(0)));
    // The empty tree itself is cosigned, and then extended.
    let answer = post(&router, log.body(0, 0)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(0));
    let answer = post(&router, log.body(0, 3)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(3));
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let log = MemoryLog::new(ORIGIN, 1, 20);
    let path = format!("/{}/checkpoint", origin_hash(ORIGIN));
    let served = {
        let w = witness(dir.path(), vec![log.config(None)], false);
        let router = app(w.clone());
        assert_eq!(post(&router, log.body(0, 7)).await.status, StatusCode::OK);
        assert_eq!(post(&router, log.body(7, 13)).await.status, StatusCode::OK);
        get(&router, &path).await.body
    };
    let w = witness(dir.path(), vec![log.config(None)], false);
    let router = app(w.clone());
    assert_eq!(w.size(ORIGIN), Some(provenant_tlog::TreeSize(13)));
    assert_eq!(get(&router, &path).await.body, served);
    let answer = post(&router, log.body(0, 20)).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::CONFLICT, "13\n")
    );
    // Consistency is checked against the root kept on disk.
    let mut fork = MemoryLog::new(ORIGIN, 1, 0);
    for i in 0..20 {
        fork.push(format!("forked leaf {i}").into_bytes());
    }
    let answer = post(&router, fork.body(13, 20)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer = post(&router, log.body(13, 20)).await;
    assert_cosigned(&w, &answer, &log.checkpoint_text(20));
}

#[tokio::test]
async fn a_second_witness_cannot_share_the_directory() {
    let (dir, log, _w) = started(None, 1).await;
    let second = provenant_witness::Witness::open(
        dir.path(),
        common::WITNESS_NAME,
        ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
        provenant_witness::WitnessConfig {
            logs: vec![log.config(None)],
            replay: false,
        },
    );
    assert!(matches!(
        second,
        Err(provenant_witness::OpenError::Store(
            provenant_witness::store::StoreError::Locked { .. }
        ))
    ));
}
