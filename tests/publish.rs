//! Publication to a real S3-compatible server (`moto` on loopback): a log
//! of 70,000 entries followed from the bucket alone by an independent
//! tlog-tiles client, by `provenant audit --tiles` and by the verification
//! page in Chromium; a publisher killed
//! mid-publication that converges without rewriting anything; a second
//! publisher with a stale view that loses the checkpoint's `If-Match`.

mod support;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use provenant_api::{ConsistencyQuery, EntryBatch, InclusionQuery, MAX_BATCH_ENVELOPES};
use provenant_tlog::tile::Tile;
use provenant_tlog::{Checkpoint, NoteVerifier};
use support::browser::Browser;
use support::moto::Moto;
use support::*;
use tlog_tiles::TileReader;

/// Writes `count` registrations in batches; their sizes after.
fn write_many(server: &Server, tag: &str, count: usize) -> u64 {
    let creator = key(3);
    let mut left = count;
    let mut n = 0usize;
    while left > 0 {
        let take = left.min(MAX_BATCH_ENVELOPES);
        let envelopes = (n..n + take)
            .map(|i| register(format!("{tag}-{i}").as_bytes(), &[(&creator, 1_000_000)]))
            .collect();
        let answer = server.post::<SubmitBatch>(&EntryBatch { envelopes });
        assert!(answer.results.iter().all(|r| r.status == 201), "{tag}");
        n += take;
        left -= take;
    }
    server.log_info().size
}

/// The bucket's checkpoint at `url`, verified.
fn published(moto: &Moto, path: &str, origin: &str, verifier: &NoteVerifier) -> Option<Checkpoint> {
    let (bytes, cache) = moto.get(&format!("{path}/checkpoint"))?;
    assert_eq!(cache, "no-cache");
    Some(verified_checkpoint(
        std::str::from_utf8(&bytes).unwrap(),
        origin,
        verifier,
    ))
}

/// Waits until the bucket's checkpoint is at `size`.
fn wait_published(moto: &Moto, path: &str, server: &Server, size: u64) -> Checkpoint {
    let (origin, verifier) = server.log_key();
    let started = Instant::now();
    loop {
        if let Some(cp) = published(moto, path, &origin, &verifier)
            && cp.size.0 >= size
        {
            return cp;
        }
        assert!(
            started.elapsed() < Duration::from_mins(2),
            "the bucket reaches size {size}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads tiles from the bucket's HTTP endpoint.
struct BucketTiles<'a> {
    moto: &'a Moto,
    path: &'a str,
}

impl TileReader for BucketTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        Ok(tiles
            .iter()
            .map(|t| {
                let key = t.path().replacen("tile/8/", "tile/", 1);
                let (bytes, cache) = self
                    .moto
                    .get(&format!("{}/{key}", self.path))
                    .unwrap_or_else(|| panic!("{key} is published"));
                assert_eq!(cache, "public, max-age=604800, immutable", "{key}");
                bytes
            })
            .collect())
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// Every tile and bundle of the tree of `size` in the bucket equals the
/// server's; no partial tile of a full one is left; their tlog-tiles reader
/// gives the checkpoint's root from the bucket alone.
fn assert_bucket_is_the_log(
    moto: &Moto,
    bucket: &str,
    prefix: &str,
    server: &Server,
    cp: &Checkpoint,
) {
    let path = format!("{bucket}/{prefix}");
    let size = cp.size;
    let mut expected = Vec::new();
    for level in [None, Some(0u8), Some(1), Some(2)] {
        let mut index = 0;
        while let Some(width) = Tile::width_at(level, index, size) {
            let tile = match level {
                Some(l) => Tile::hashes(l, index, width),
                None => Tile::entries(index, width),
            }
            .unwrap();
            let key = tile.path();
            let ours = server
                .client
                .get(server.url(&format!("/{key}")))
                .send()
                .unwrap()
                .bytes()
                .unwrap();
            let (theirs, _) = moto.get(&format!("{path}/{key}")).expect(&key);
            assert!(theirs == ours, "{key} differs from the server's");
            expected.push(format!("{prefix}/{key}"));
            index += 1;
        }
    }
    let listed: Vec<String> = moto
        .list(bucket, &format!("{prefix}/tile/"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    // Besides them, only narrower partials of tiles still partial (what
    // readers of an older checkpoint fetch): none of a full tile.
    for key in listed.iter().filter(|k| !expected.contains(k)) {
        let tile = Tile::parse(&key[prefix.len() + 1..]).unwrap();
        let width = Tile::width_at(tile.level, tile.index, size).unwrap();
        assert!(
            width < 256 && tile.width < width,
            "{key} is obsolete in the tree of {}",
            size.0
        );
    }
    let tiles = BucketTiles { moto, path: &path };
    let reader = tlog_tiles::TileHashReader::new(size.0, tlog_tiles::Hash(cp.root.0), &tiles);
    assert_eq!(
        tlog_tiles::tree_hash(size.0, &reader).unwrap(),
        tlog_tiles::Hash(cp.root.0)
    );
}

/// The server's inclusion proofs of `indexes` and consistency proofs from
/// `older`, all at `size`, are the ones computed from the bucket.
fn assert_server_proves_the_same(
    server: &Server,
    size: u64,
    indexes: &[u64],
    inclusion: &[Vec<tlog_tiles::Hash>],
    older: &[u64],
    consistency: &[Vec<tlog_tiles::Hash>],
) {
    let theirs = |proof: &[provenant_tlog::Hash]| -> Vec<tlog_tiles::Hash> {
        proof.iter().map(|h| tlog_tiles::Hash(h.0)).collect()
    };
    for (index, from_bucket) in indexes.iter().zip(inclusion) {
        let answer = server.post::<ProveInclusion>(&InclusionQuery {
            index: Some(*index),
            leaf_hash: None,
            tree_size: Some(size),
        });
        assert_eq!(
            *from_bucket,
            theirs(&answer.inclusion_proof),
            "entry {index}"
        );
    }
    for (old, from_bucket) in older.iter().zip(consistency) {
        let answer = server.post::<ProveConsistency>(&ConsistencyQuery {
            from: *old,
            to: Some(size),
        });
        assert_eq!(
            *from_bucket,
            theirs(&answer.consistency_proof),
            "from {old}"
        );
    }
}

/// The requests the server has answered, all routes together.
fn requests_served(server: &Server) -> u64 {
    server
        .text("/metrics")
        .lines()
        .filter(|l| l.starts_with("provenant_http_requests_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn audit(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .arg("audit")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The verification page, written by `provenant page` as one file that
/// names no server, follows the log from the bucket: it verifies the
/// bucket's checkpoint and proves from its tiles that the log extends
/// `old` (`tests/browser/bucket.mjs`).
fn page_follows_the_bucket(url: &str, key: &str, old: &[u8], size: u64) {
    let Some(browser) = Browser::find("bucket.mjs") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("verifier.html");
    let written = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["page", "--out"])
        .arg(&page)
        .status()
        .unwrap();
    assert!(written.success());
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-bucket");
    let out = Command::new(&browser.node)
        .arg(&browser.script)
        .env("PROVENANT_PAGE_FILE", &page)
        .env("PROVENANT_BUCKET_URL", url)
        .env("PROVENANT_LOG_KEY", key)
        .env(
            "PROVENANT_OLD_CHECKPOINT",
            String::from_utf8_lossy(old).as_ref(),
        )
        .env("PROVENANT_NEW_SIZE", size.to_string())
        .env("PROVENANT_SCREENSHOTS", &shots)
        .env("PROVENANT_CHROMIUM", &browser.chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("bucket: ok"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn a_log_of_70000_entries_is_followed_from_the_bucket_alone() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("ledger");
    let dir = tempfile::tempdir().unwrap();
    let args = moto.publish_args(dir.path(), "ledger/main");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(dir.path(), &args);
    let (origin, verifier) = server.log_key();

    let size = write_many(&server, "design", 70_000);
    assert!(size >= 70_000, "{size}");
    let cp = wait_published(&moto, "ledger/main", &server, size);
    assert_eq!(cp.size.0, size);
    assert_eq!(cp.root, server.checkpoint(&origin, &verifier).root);

    // Their client follows the log from the bucket alone: the tree's root,
    // inclusion proofs and consistency proofs from the bucket's tiles,
    // while the server answers nothing (its only request is the second
    // /metrics read).
    let path = "ledger/main";
    let answered = requests_served(&server);
    let tiles = BucketTiles { moto: &moto, path };
    let reader = tlog_tiles::TileHashReader::new(size, tlog_tiles::Hash(cp.root.0), &tiles);
    assert_eq!(
        tlog_tiles::tree_hash(size, &reader).unwrap(),
        tlog_tiles::Hash(cp.root.0)
    );
    let sampled: Vec<u64> = (0..size).step_by(4099).chain([size - 1]).collect();
    let proofs: Vec<Vec<tlog_tiles::Hash>> = sampled
        .iter()
        .map(|index| tlog_tiles::prove_record(size, *index, &reader).unwrap())
        .collect();
    let older = [1, 255, 256, 65_535, 65_536, size - 1];
    let consistency: Vec<Vec<tlog_tiles::Hash>> = older
        .iter()
        .map(|old| tlog_tiles::prove_tree(size, *old, &reader).unwrap())
        .collect();
    assert_eq!(requests_served(&server), answered + 1);

    // Everything in the bucket is what the server serves.
    assert_bucket_is_the_log(&moto, "ledger", "main", &server, &cp);
    assert_server_proves_the_same(&server, size, &sampled, &proofs, &older, &consistency);

    // The auditor follows the log from the bucket URL alone: a full run,
    // then, after more writes, one that proves the new checkpoint extends
    // the first from the bucket's tiles.
    let state = tempfile::tempdir().unwrap();
    let url = moto.url(path);
    let key = verifier.to_text();
    let state_dir = state.path().to_str().unwrap();
    let (ok, text) = audit(&[
        "--tiles",
        &url,
        "--log-key",
        &key,
        "--state",
        state_dir,
        "--full",
        "--quiet",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("{size} entries re-validated")),
        "{text}"
    );
    let (old_checkpoint, _) = moto.get(&format!("{path}/checkpoint")).unwrap();
    let grown = write_many(&server, "later", 300);
    wait_published(&moto, path, &server, grown);
    let (ok, text) = audit(&["--tiles", &url, "--state", state_dir, "--quiet"]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!(
            "extends the checkpoint verified before at size {size}"
        )),
        "{text}"
    );
    page_follows_the_bucket(&url, &key, &old_checkpoint, grown);
    // Without a key, a bucket cannot be trusted on first use.
    let fresh = tempfile::tempdir().unwrap();
    let (ok, text) = audit(&["--tiles", &url, "--state", fresh.path().to_str().unwrap()]);
    assert!(!ok && text.contains("give the log key"), "{text}");

    let metrics = server.text("/metrics");
    assert!(
        metrics.contains(&format!("provenant_publish_size {grown}")),
        "{metrics}"
    );
    assert!(
        !metrics.contains("provenant_publish_alarms_total{"),
        "{metrics}"
    );
    assert_eq!(server.text("/readyz"), "ready");
}

/// What a watcher of the bucket saw: each object's first `ETag`, the
/// objects seen again with another, and every published size in turn.
#[derive(Default)]
struct Seen {
    etags: HashMap<String, String>,
    rewritten: Vec<String>,
    sizes: Vec<u64>,
}

#[test]
fn a_publisher_killed_mid_publication_converges_and_rewrites_nothing() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("crash");
    let dir = tempfile::tempdir().unwrap();
    let args = moto.publish_args(dir.path(), "crash/log");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(dir.path(), &args);
    let (origin, verifier) = server.log_key();

    // A watcher lists the bucket all along: every object's ETag, and every
    // published size.
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let watcher = {
        let (stop, seen) = (stop.clone(), seen.clone());
        let endpoint = moto.endpoint.clone();
        let (origin, verifier) = (origin.clone(), verifier.clone());
        std::thread::spawn(move || {
            let moto = Moto::attach(&endpoint);
            while !stop.load(Ordering::Relaxed) {
                let mut s = seen.lock().unwrap();
                for (key, etag) in moto.list("crash", "log/") {
                    if key == "log/checkpoint" {
                        continue;
                    }
                    match s.etags.get(&key) {
                        Some(first) if *first != etag => s.rewritten.push(key),
                        Some(_) => {}
                        None => {
                            s.etags.insert(key, etag);
                        }
                    }
                }
                if let Some(cp) = published(&moto, "crash/log", &origin, &verifier) {
                    s.sizes.push(cp.size.0);
                }
                drop(s);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    write_many(&server, "before", 2_000);
    // The kill must land while the bucket is behind. The publisher looks
    // at the head every 100 ms, so right after a burst it almost always
    // is; when it had caught up all the same, the server is started again
    // and killed after another burst.
    let mut server = server;
    let mut tries = 0;
    let acknowledged = loop {
        let acknowledged = write_many(&server, &format!("burst-{tries}"), 6_000);
        server.kill();
        let at_kill = published(&moto, "crash/log", &origin, &verifier).map_or(0, |c| c.size.0);
        tries += 1;
        if at_kill < acknowledged || tries == 5 {
            assert!(at_kill < acknowledged, "the kill came mid-publication");
            break acknowledged;
        }
        server = Server::start(dir.path(), &args);
    };

    let server = Server::start(dir.path(), &args);
    assert_eq!(
        server.log_info().size,
        acknowledged,
        "nothing acknowledged is lost"
    );
    let cp = wait_published(&moto, "crash/log", &server, acknowledged);
    assert_eq!(cp.size.0, acknowledged);
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();

    let Seen {
        etags,
        rewritten,
        sizes,
    } = &*seen.lock().unwrap();
    assert!(
        rewritten.is_empty(),
        "objects rewritten with other bytes: {rewritten:?}"
    );
    assert!(!etags.is_empty());
    assert!(
        sizes.windows(2).all(|w| w[0] <= w[1]),
        "the published checkpoint went backwards: {sizes:?}"
    );
    assert_bucket_is_the_log(&moto, "crash", "log", &server, &cp);
}

#[test]
fn a_second_publisher_with_a_stale_view_loses_the_checkpoint_and_stops() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("two");
    let root = tempfile::tempdir().unwrap();
    let (dir_a, dir_b, dir_c) = (
        root.path().join("a"),
        root.path().join("b"),
        root.path().join("c"),
    );
    std::fs::create_dir_all(&dir_a).unwrap();
    let args = moto.publish_args(root.path(), "two/log");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // A server stopped right after a write publishes it in a last round.
    let a = Server::start(&dir_a, &args);
    let size = write_many(&a, "a", 3);
    let (origin, verifier) = a.log_key();
    assert!(a.stop().success());
    let last = published(&moto, "two/log", &origin, &verifier).unwrap();
    assert_eq!(last.size.0, size);
    // Two copies of the store as it was: one started now, one later.
    for copy in [&dir_b, &dir_c] {
        assert!(
            Command::new("cp")
                .arg("-a")
                .arg(&dir_a)
                .arg(copy)
                .status()
                .unwrap()
                .success()
        );
    }
    let a = Server::start(&dir_a, &args);
    let b = Server::start(&dir_b, &args);

    // A moves the checkpoint on; B, which read it before, then writes
    // five entries (6 to 10 leaves, however batched) where A writes one at
    // a time (2 leaves each, 4 in all here): B's partial tiles have other
    // names than any of A's, and only the checkpoint is contested.
    let moved = write_many(&a, "a-more", 1);
    wait_published(&moto, "two/log", &a, moved);
    write_many(&b, "b-more", 5);
    let started = Instant::now();
    let refusal = loop {
        let r = b.client.get(b.url("/readyz")).send().unwrap();
        if r.status().as_u16() == 503 {
            break r.text().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "B stops publishing"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        refusal.contains("publication-stopped") && refusal.contains("If-Match"),
        "{refusal}"
    );
    let metrics = b.text("/metrics");
    assert!(
        metrics.contains("provenant_publish_alarms_total{reason=\"lost-swap\"} 1"),
        "{metrics}"
    );
    // The bucket still holds A's checkpoint; A goes on.
    let cp = published(&moto, "two/log", &origin, &verifier).unwrap();
    assert_eq!(cp, a.checkpoint(&origin, &verifier));
    let more = write_many(&a, "a-again", 1);
    wait_published(&moto, "two/log", &a, more);
    assert_eq!(a.text("/readyz"), "ready");
    drop(b);

    // A third start from the old copy is behind the bucket: refused.
    let out = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir_c)
        .args(&args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("view is stale"), "{stderr}");
}
