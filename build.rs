//! Compresses the service binary's debug sections (zlib) when it links on
//! Linux. The release profile keeps line tables for the project's own
//! code, so that backtraces and profiles name file and line; compressed,
//! they cost a third of their size, and the binary stays under 40 MB
//! (Rust's backtraces read compressed sections). Other platforms link as
//! they are.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
}
