//! Lists every file under `assets/` as an `include_bytes!` table, so the
//! binary serves the page as it is in the repository, with no build step
//! of its own and no file read at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let assets = root.join("assets");
    // A directory is scanned whole: any file added, changed or removed
    // under it rebuilds the table.
    println!("cargo::rerun-if-changed=assets");
    let mut files = Vec::new();
    walk(&assets, &mut files);
    files.sort();
    let mut table = String::from("/// Every file of the page, by path under `assets/`, sorted.\n");
    table.push_str("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let rel = file
            .strip_prefix(&assets)
            .expect("under assets")
            .to_str()
            .expect("asset paths are UTF-8")
            .replace('\\', "/");
        writeln!(
            table,
            "    ({rel:?}, include_bytes!({:?})),",
            file.display().to_string()
        )
        .expect("writing to a string");
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("assets.rs"), table).expect("writing the asset table");
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("reading assets/").path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
