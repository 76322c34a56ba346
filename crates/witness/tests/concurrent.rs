//! Issue 20, test 4.3: concurrent `add-checkpoint` requests from the same
//! old size. Exactly one succeeds, every other gets `409` with the size the
//! winner recorded, and the record on disk is the winner's (no request
//! rolls the state back to a smaller size).

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{MemoryLog, get, post, witness};
use provenant_tlog::TreeSize;
use provenant_witness::app;
use provenant_witness::store::origin_hash;
use tokio::sync::Barrier;

const ORIGIN: &str = "example.com/log";
const RACERS: u64 = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_winner_per_old_size() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(MemoryLog::new(ORIGIN, 1, 100));
    let w = witness(dir.path(), vec![log.config(None)], false);
    let router = app(w.clone());
    assert_eq!(post(&router, log.body(0, 10)).await.status, StatusCode::OK);

    for round in 0..5 {
        let old = w.size(ORIGIN).unwrap().0;
        // Every racer extends from the same old size to a different new
        // size (the same one would be cosigned again, not a conflict).
        let barrier = Arc::new(Barrier::new(usize::try_from(RACERS).unwrap()));
        let mut tasks = Vec::new();
        for i in 1..=RACERS {
            let (router, log, barrier) = (router.clone(), log.clone(), barrier.clone());
            let new = old + i;
            tasks.push(tokio::spawn(async move {
                let body = log.body(old, new);
                barrier.wait().await;
                (new, post(&router, body).await)
            }));
        }
        let mut winners = Vec::new();
        let mut conflicts = Vec::new();
        for task in tasks {
            let (new, answer) = task.await.unwrap();
            match answer.status {
                StatusCode::OK => winners.push(new),
                StatusCode::CONFLICT => conflicts.push(answer.body),
                other => panic!("round {round}: {other} {}", answer.body),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        let won = winners[0];
        assert_eq!(conflicts.len(), usize::try_from(RACERS - 1).unwrap());
        assert!(
            conflicts.iter().all(|b| *b == format!("{won}\n")),
            "{conflicts:?}"
        );
        assert_eq!(w.size(ORIGIN), Some(TreeSize(won)));
        let served = get(&router, &format!("/{}/checkpoint", origin_hash(ORIGIN))).await;
        assert!(served.body.starts_with(&log.checkpoint_text(won)));
    }

    // What is on disk is the last winner's.
    let last = w.size(ORIGIN).unwrap();
    drop(router);
    drop(w);
    let reopened = witness(dir.path(), vec![log.config(None)], false);
    assert_eq!(reopened.size(ORIGIN), Some(last));
}
