//! Publication to a directory (`file:///DIR`) from a ledger in memory:
//! what is published is what the ledger serves, obsolete partial tiles go,
//! and every way a bucket can rule a publisher out raises its alarm.

use std::path::Path;

use provenant_ledger::{Ledger, LedgerConfig, MemoryStore};
use provenant_publish::{
    Alarm, Bucket, CHECKPOINT, PublishError, Publisher, Round, RoundError, S3Options, Target,
};
use provenant_tlog::TreeSize;
use provenant_tlog::tile::Tile;

const ORIGIN: &str = "example.test/provenant";

fn ledger(seed: u8) -> Ledger {
    let config = LedgerConfig {
        origin: ORIGIN.into(),
        arbiters: Vec::new(),
        batch: provenant_ledger::sequencer::BatchConfig::default(),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    Ledger::open(MemoryStore::new(), key, config).unwrap()
}

async fn write(ledger: &Ledger, tag: &str) {
    let creator = provenant_testkit::key(7);
    let env = provenant_testkit::register(tag.as_bytes(), &[(&creator, 1_000_000)]);
    ledger.submit(env).await.unwrap();
}

fn bucket(dir: &Path) -> Bucket {
    Bucket::open(&Target::Dir(dir.to_owned()), &S3Options::default()).unwrap()
}

/// Every file under `dir`, relative, but the publisher's own (dot) files.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
            if rel.split('/').any(|s| s.starts_with('.')) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// The directory holds every tile of the ledger's tree at its size, each
/// with the ledger's bytes, and the ledger's checkpoint; besides them, only
/// narrower partials of tiles that are still partial (older readers' view):
/// none of a tile that is full.
fn assert_mirrors(dir: &Path, ledger: &Ledger) {
    let head = ledger.head();
    let mut current = vec![CHECKPOINT.to_owned()];
    for tile in provenant_publish::plan::to_write(TreeSize(0), head.size) {
        let path = tile.path();
        assert_eq!(
            std::fs::read(dir.join(&path)).unwrap(),
            ledger.tile(&tile).unwrap(),
            "{path}"
        );
        current.push(path);
    }
    for file in files(dir) {
        if current.contains(&file) {
            continue;
        }
        let tile = Tile::parse(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let width = Tile::width_at(tile.level, tile.index, head.size).unwrap();
        assert!(
            u64::from(width) < 256 && tile.width < width,
            "{file} is obsolete in the tree of {}",
            head.size.0
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join(CHECKPOINT)).unwrap(),
        &*head.checkpoint
    );
}

#[tokio::test]
async fn the_directory_mirrors_the_log_and_drops_obsolete_partials() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(1);
    let mut publisher = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    // The empty log is published too: a follower needs a checkpoint.
    assert!(matches!(
        publisher.round().await.unwrap(),
        Round::Published { .. }
    ));
    assert_eq!(publisher.round().await.unwrap(), Round::Idle);
    for i in 0..100 {
        write(&ledger, &format!("a{i}")).await;
    }
    publisher.round().await.unwrap();
    assert_mirrors(dir.path(), &ledger);
    // 200 entries: partial tiles only.
    assert!(dir.path().join("tile/entries/000.p/200").exists());
    for i in 0..100 {
        write(&ledger, &format!("b{i}")).await;
    }
    let round = publisher.round().await.unwrap();
    assert_eq!(
        round,
        Round::Published {
            from: TreeSize(200),
            to: TreeSize(400)
        }
    );
    // The full tile replaced every partial of it; only the new right
    // edge's partials remain.
    assert_mirrors(dir.path(), &ledger);
    assert!(!dir.path().join("tile/entries/000.p/200").exists());
    assert!(!dir.path().join("tile/0/000.p/200").exists());
    assert_eq!(publisher.round().await.unwrap(), Round::Idle);
    let registry_text = {
        let mut registry = prometheus_client::registry::Registry::default();
        publisher.metrics().register(&mut registry);
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry).unwrap();
        out
    };
    assert!(
        registry_text.contains("provenant_publish_size 400"),
        "{registry_text}"
    );
    assert!(
        registry_text.contains("provenant_publish_entries_total 400"),
        "{registry_text}"
    );
}

#[tokio::test]
async fn a_restart_resumes_from_the_published_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(1);
    for i in 0..10 {
        write(&ledger, &format!("a{i}")).await;
    }
    let mut first = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    first.round().await.unwrap();
    drop(first);
    for i in 0..10 {
        write(&ledger, &format!("b{i}")).await;
    }
    let mut second = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    assert_eq!(second.published_size(), Some(TreeSize(20)));
    assert_eq!(
        second.round().await.unwrap(),
        Round::Published {
            from: TreeSize(20),
            to: TreeSize(40)
        }
    );
    assert_mirrors(dir.path(), &ledger);
}

#[tokio::test]
async fn a_second_publisher_with_a_stale_view_loses_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(1);
    write(&ledger, "a").await;
    let mut one = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    one.round().await.unwrap();
    // Both know the checkpoint at 2; the first moves it on.
    let mut two = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    write(&ledger, "b").await;
    one.round().await.unwrap();
    write(&ledger, "c").await;
    let lost = two.round().await.unwrap_err();
    assert!(
        matches!(lost, RoundError::Alarm(Alarm::LostSwap)),
        "{lost:?}"
    );
    // The first's checkpoint stays; the run loop stops with the alarm.
    let published = std::fs::read_to_string(dir.path().join(CHECKPOINT)).unwrap();
    assert!(published.contains("\n4\n"), "{published}");
    let status = two.status().clone();
    let metrics = two.metrics().clone();
    tokio::time::timeout(std::time::Duration::from_secs(5), two.run())
        .await
        .expect("an alarm stops the loop");
    assert!(status.unready().is_some());
    let mut registry = prometheus_client::registry::Registry::default();
    metrics.register(&mut registry);
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &registry).unwrap();
    assert!(
        text.contains("provenant_publish_alarms_total{reason=\"lost-swap\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_bucket_that_rules_the_publisher_out_stops_it_at_start() {
    // Ahead: the bucket holds a larger tree of this log.
    let dir = tempfile::tempdir().unwrap();
    let big = ledger(1);
    for i in 0..3 {
        write(&big, &format!("a{i}")).await;
    }
    Publisher::start(big.clone(), bucket(dir.path()))
        .await
        .unwrap()
        .round()
        .await
        .unwrap();
    let small = ledger(1);
    write(&small, "a0").await;
    let ahead = Publisher::start(small, bucket(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            ahead,
            PublishError::Alarm(Alarm::Ahead {
                published: 6,
                head: 2
            })
        ),
        "{ahead}"
    );

    // Fork: the same key and origin, another history, larger.
    let fork = ledger(1);
    for i in 0..5 {
        write(&fork, &format!("other{i}")).await;
    }
    let forked = Publisher::start(fork, bucket(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            forked,
            PublishError::Alarm(Alarm::Fork { published: 6, .. })
        ),
        "{forked}"
    );

    // Foreign: another log's key.
    let other = ledger(2);
    let foreign = Publisher::start(other, bucket(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(foreign, PublishError::Alarm(Alarm::Foreign(_))),
        "{foreign}"
    );
}

#[tokio::test]
async fn a_tile_with_other_bytes_raises_the_alarm_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(1);
    write(&ledger, "a").await;
    let planted = Tile::entries(0, 2).unwrap().path();
    std::fs::create_dir_all(dir.path().join("tile/entries/000.p")).unwrap();
    std::fs::write(dir.path().join(&planted), b"another history").unwrap();
    let mut publisher = Publisher::start(ledger, bucket(dir.path())).await.unwrap();
    let differs = publisher.round().await.unwrap_err();
    assert!(
        matches!(&differs, RoundError::Alarm(Alarm::Differs { key }) if *key == planted),
        "{differs:?}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(&planted)).unwrap(),
        b"another history"
    );
    assert!(!dir.path().join(CHECKPOINT).exists());
}

#[tokio::test]
async fn a_long_step_lists_the_level_once_and_drops_every_obsolete_partial() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(1);
    for i in 0..150 {
        write(&ledger, &format!("a{i}")).await;
    }
    let mut publisher = Publisher::start(ledger.clone(), bucket(dir.path()))
        .await
        .unwrap();
    publisher.round().await.unwrap();
    assert!(dir.path().join("tile/entries/001.p/44").exists());
    // 300 -> 5,000 entries: 18 level-0 tiles complete at once.
    for i in 0..2_350 {
        write(&ledger, &format!("b{i}")).await;
    }
    assert_eq!(
        publisher.round().await.unwrap(),
        Round::Published {
            from: TreeSize(300),
            to: TreeSize(5_000)
        }
    );
    assert_mirrors(dir.path(), &ledger);
    assert!(!dir.path().join("tile/entries/001.p/44").exists());
    assert!(!dir.path().join("tile/0/001.p/44").exists());
}
