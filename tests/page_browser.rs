//! The verification page in a real Chromium (`tests/browser/e2e.mjs`,
//! driven by a pinned `playwright-core`): a real server on loopback, a
//! design and a grant registered with the command line, the same file
//! dropped into the page, a brand's checks, an auditor's receipt, the page
//! saved as one file and opened from disk, and a proxy that tampers with
//! the answers, which the page must refuse. The run prints the page's
//! timings (`PROVENANT_TIMINGS`; `PROVENANT_TIMING_RUNS` sets how many runs).
//!
//! Needs Node, Chromium and `npm ci` in `tests/browser`; without them the
//! test says what is missing and passes, unless `PROVENANT_REQUIRE_BROWSER`
//! is set (as `.ci/run` sets it), when it fails.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use provenant_testkit::designs;
use serde_json::Value;
use support::Server;
use support::browser::Browser;
use support::proxy::{Asked, Proxy, respond};

fn provenant() -> Command {
    Command::new(env!("CARGO_BIN_EXE_provenant"))
}

/// Runs `provenant args` against `server`, which must succeed; its stdout.
fn cli(server: &Server, args: &[&str]) -> String {
    let out = provenant()
        .args(args)
        .args(["--server", &server.base])
        .output()
        .expect("the provenant binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "provenant {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// A key file under `dir`; its identity.
fn key(dir: &Path, name: &str) -> (String, String) {
    let file = dir.join(format!("{name}.pem"));
    let out = provenant()
        .args(["key", "generate", "--out", path(&file)])
        .output()
        .expect("key generate");
    assert!(out.status.success());
    let identity = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (path(&file).to_owned(), identity)
}

#[test]
#[allow(clippy::too_many_lines)]
fn the_page_verifies_answers_in_a_real_browser() {
    let Some(browser) = Browser::find("e2e.mjs") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = Server::start(&d.join("data"), &[]);
    let (alice_pem, alice) = key(d, "alice");
    let (bob_pem, bob) = key(d, "bob");
    let (brand_pem, brand) = key(d, "brand");

    // The design a shopper holds: an image whose bytes only this run has
    // (drawn from a seed of the run's directory).
    let design_file = d.join("charm.png");
    let seed = provenant_model::hash_content(path(d).as_bytes())
        .unwrap()
        .blake3;
    let seed = u64::from_le_bytes(seed.as_bytes()[..8].try_into().unwrap());
    let bytes = designs::file(&designs::design(seed), designs::Edit::Original);
    std::fs::write(&design_file, &bytes).unwrap();
    let other_file = d.join("other.png");
    std::fs::write(&other_file, b"a design nobody registered").unwrap();
    let big_file = d.join("big.bin");
    std::fs::write(
        &big_file,
        (0..8u32 << 20)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();

    let design_id = cli(&server, &["design", "hash", path(&design_file), "--json"]);
    let design_id: Value = serde_json::from_str(&design_id).unwrap();
    let design_id = design_id["blake3"].as_str().unwrap().to_owned();
    let draft = d.join("charm.json");
    cli(
        &server,
        &[
            "design",
            "draft",
            path(&design_file),
            "--title",
            "Silver fox charm",
            "--creator",
            &format!("{alice}=60%"),
            "--creator",
            &format!("{bob}=40%"),
            "--ai-source",
            "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
            "--ai-agent",
            "an image model",
            "--out",
            path(&draft),
        ],
    );
    for pem in [&alice_pem, &bob_pem] {
        cli(&server, &["sign", path(&draft), "--key", pem, "--yes"]);
    }
    cli(&server, &["submit", path(&draft)]);
    let receipt = d.join("charm.receipt.json");
    assert!(
        receipt.exists(),
        "submit writes the receipt beside the draft"
    );

    let grant = d.join("grant.json");
    cli(
        &server,
        &[
            "license",
            "grant",
            "--design",
            &design_id,
            "--licensee",
            &brand,
            "--preset",
            "commercial-use",
            "--territory",
            "FR",
            "--channel",
            "retail",
            "--category",
            "apparel",
            "--max-units",
            "1000",
            "--starts-at",
            "2026-01-01T00:00:00Z",
            "--out",
            path(&grant),
        ],
    );
    for pem in [&alice_pem, &bob_pem] {
        cli(&server, &["sign", path(&grant), "--key", pem, "--yes"]);
    }
    cli(
        &server,
        &[
            "license",
            "accept",
            path(&grant),
            "--key",
            &brand_pem,
            "--yes",
        ],
    );
    cli(&server, &["submit", path(&grant)]);
    let log_key = cli(&server, &["log"]).trim().to_owned();
    let mut owners = vec![
        serde_json::json!({"key": alice, "share_ppm": 600_000}),
        serde_json::json!({"key": bob, "share_ppm": 400_000}),
    ];
    owners.sort_by_key(|o| o["key"].as_str().unwrap().to_owned());

    let proxy = Tamperer::start(&server.base);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-browser");
    // This run's screenshots only: an earlier run's could pass for them.
    let _ = std::fs::remove_dir_all(&shots);
    let out = Command::new(&browser.node)
        .arg(&browser.script)
        .env("PROVENANT_URL", &server.base)
        .env("PROVENANT_TAMPER_URL", &proxy.base)
        .env("PROVENANT_LOG_KEY", &log_key)
        .env("PROVENANT_DESIGN_FILE", &design_file)
        .env("PROVENANT_OTHER_FILE", &other_file)
        .env("PROVENANT_BIG_FILE", &big_file)
        .env("PROVENANT_DESIGN_ID", &design_id)
        .env("PROVENANT_LICENSEE", &brand)
        .env("PROVENANT_OWNERS", Value::from(owners).to_string())
        .env("PROVENANT_RECEIPT_FILE", &receipt)
        .env("PROVENANT_SCREENSHOTS", &shots)
        .env("PROVENANT_CHROMIUM", &browser.chromium)
        .env_remove("PROVENANT_SKIP")
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The figures and the screenshots' place, for whoever runs the test
    // with --nocapture (docs/BENCHMARKS.md quotes them).
    println!("{stdout}\nscreenshots in {}", shots.display());
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("e2e: ok"), "{stdout}");
    assert!(
        proxy.tampered() >= 2,
        "the page was never served a tampered answer"
    );
}

/// A proxy in front of the server that serves the page and every answer
/// as they are, except answers of `GET /v1/designs/{id}`, where one byte of
/// the design's state record changes (an owner's share), and of
/// `POST /v1/licenses/check`, where one state record is dropped.
struct Tamperer {
    base: String,
    state: Arc<Upstream>,
    _proxy: Proxy,
}

struct Upstream {
    base: String,
    client: reqwest::Client,
    tampered: std::sync::atomic::AtomicUsize,
}

impl Tamperer {
    fn start(upstream: &str) -> Tamperer {
        let state = Arc::new(Upstream {
            base: upstream.to_owned(),
            client: reqwest::Client::new(),
            tampered: std::sync::atomic::AtomicUsize::new(0),
        });
        let proxy = Proxy::start(
            axum::Router::new()
                .fallback(forward)
                .with_state(state.clone()),
        );
        Tamperer {
            base: proxy.base.clone(),
            state,
            _proxy: proxy,
        }
    }

    fn tampered(&self) -> usize {
        self.state
            .tampered
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

async fn forward(State(up): State<Arc<Upstream>>, req: Request) -> Response {
    let asked = Asked::of(req).await;
    let (status, headers, bytes) = asked.forward(&up.client, &up.base).await;
    let bytes = match tamper(asked.route(), status, &bytes) {
        Some(changed) => {
            up.tampered
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            changed
        }
        None => bytes,
    };
    respond(status, headers, bytes)
}

/// The tampered body of an answer this proxy alters, `None` for the others.
fn tamper(path: &str, status: StatusCode, body: &[u8]) -> Option<Vec<u8>> {
    if status != StatusCode::OK {
        return None;
    }
    let mut answer: Value = serde_json::from_slice(body).ok()?;
    let records = answer["state"]["records"].as_array_mut()?;
    if path.starts_with("/v1/designs/") && path.len() == "/v1/designs/".len() + 64 {
        let design = records
            .iter_mut()
            .find(|r| r["key"]["kind"] == "design" && r["record"].is_object())?;
        let share = &mut design["record"]["owners"][0]["share_ppm"];
        *share = Value::from(share.as_u64()? ^ 1);
    } else if path == "/v1/licenses/check" {
        records.pop()?;
    } else {
        return None;
    }
    serde_json::to_vec(&answer).ok()
}
