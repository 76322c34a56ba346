//! Node, Debian's Chromium and the pinned `playwright-core` of
//! `tests/browser`, for the scripts that drive the page in a real browser.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a browser script needs.
pub struct Browser {
    pub node: PathBuf,
    pub chromium: PathBuf,
    pub script: PathBuf,
}

impl Browser {
    /// What running `tests/browser/<script>` needs; `None` (the test says
    /// what is missing and passes) when something is missing, unless
    /// `PROVENANT_REQUIRE_BROWSER` is set (as `.ci/run` sets it): then the
    /// test fails.
    pub fn find(script: &str) -> Option<Browser> {
        match Self::what_is_missing(script) {
            Ok(b) => Some(b),
            Err(why) if std::env::var_os("PROVENANT_REQUIRE_BROWSER").is_some() => {
                panic!("the browser test cannot run: {why}")
            }
            Err(why) => {
                eprintln!(
                    "SKIPPED the browser test: {why} (PROVENANT_REQUIRE_BROWSER makes this fail)"
                );
                None
            }
        }
    }

    fn what_is_missing(script: &str) -> Result<Browser, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
        let node = PathBuf::from("node");
        match Command::new(&node).arg("--version").output() {
            Ok(out) if out.status.success() => {}
            _ => return Err("node is not installed".to_owned()),
        }
        let chromium = std::env::var_os("PROVENANT_CHROMIUM")
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        if !chromium.exists() {
            return Err(format!("no Chromium at {}", chromium.display()));
        }
        for module in ["playwright-core", "jsqr"] {
            if !dir.join("node_modules").join(module).exists() {
                return Err(format!(
                    "{module} is not installed: run `npm ci` in tests/browser"
                ));
            }
        }
        Ok(Browser {
            node,
            chromium,
            script: dir.join(script),
        })
    }
}
