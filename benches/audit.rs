//! How fast an auditor verifies a log: a real server is filled with
//! registrations over HTTP, then audited in full (every entry downloaded
//! through the tiles, the tree recomputed, every hash tile compared, every
//! entry re-validated) and then incrementally.
//!
//! `cargo bench --bench audit -- [ENTRIES]` (default 100,000).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use provenant_client::Client;
use provenant_client::audit::{self, Options, StateDir};
use provenant_testkit::{key, register};

#[allow(clippy::cast_precision_loss)] // Rates for people to read.
fn main() {
    let entries: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let data = tempfile::tempdir().expect("a temporary directory");
    let mut server = Command::new(env!("CARGO_BIN_EXE_provenant"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the provenant binary starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address line");
    let base = line.trim().trim_start_matches("listening on ").to_owned();

    // Fill the log: 8 writers, envelopes signed ahead of the clock.
    let writers = 8u32;
    let started = Instant::now();
    std::thread::scope(|s| {
        for w in 0..writers {
            let base = &base;
            s.spawn(move || {
                let client = Client::new(base).expect("a client");
                let creator = key(1);
                for i in (w..entries).step_by(writers as usize) {
                    let env = register(&i.to_be_bytes(), &[(&creator, 1_000_000)]);
                    client.submit(&env).expect("a registration");
                }
            });
        }
    });
    println!(
        "filled {entries} entries over HTTP in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let client = Client::new(&base).expect("a client");
    let state = tempfile::tempdir().expect("a temporary directory");
    let dir = StateDir::open(state.path()).expect("the state directory");
    for (name, full) in [
        ("full audit, cold", true),
        ("full audit, again", true),
        ("incremental audit", false),
    ] {
        let options = Options {
            full,
            ..Options::default()
        };
        let report = audit::run(&client, &dir, &options, &mut |_, _| {}).expect("the audit passes");
        let rate = if full {
            format!(
                ", {:.0} entries/s",
                report.entries_checked as f64 / report.seconds
            )
        } else {
            String::new()
        };
        println!(
            "{name}: {} entries, {} tiles compared, {:.3} s{rate}",
            report.size.0, report.tiles_checked, report.seconds
        );
    }
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
}
