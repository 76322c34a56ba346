//! No code: the dependencies of this crate's manifest set the features that
//! make `cargo run --release` and `cargo test --release --workspace` build
//! every dependency once, the same way.
