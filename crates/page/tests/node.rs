//! The page's JavaScript under `node --test` (`crates/page/tests/*.test.mjs`):
//! the verifier on the same golden vectors as the Rust verifier
//! (`fixtures/`), and the page's vocabularies against the model's.
//!
//! Without Node the test says so and passes, unless
//! `PROVENANT_REQUIRE_BROWSER` is set (as `.ci/run` sets it).

use std::path::Path;
use std::process::Command;

#[test]
fn the_javascript_tests_pass_under_node() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = match Command::new("node")
        .arg("--test")
        .arg(crate_dir.join("tests"))
        .current_dir(crate_dir)
        .output()
    {
        Ok(out) => out,
        Err(e) if std::env::var_os("PROVENANT_REQUIRE_BROWSER").is_none() => {
            eprintln!("SKIPPED the JavaScript tests: node does not run ({e})");
            return;
        }
        Err(e) => panic!("node does not run: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // A run that found no test file passes too: make sure it found them.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("# pass ") && l != "# pass 0"),
        "{stdout}"
    );
}
