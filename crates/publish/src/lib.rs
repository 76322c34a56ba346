//! Publication of the log's read surface to object storage.
//!
//! Reads grow with every brand, shopper and monitor; writes do not. The
//! C2SP tlog-tiles a client needs (hash tiles, entry bundles, the signed
//! checkpoint) are static files, so they can be served from an
//! S3-compatible bucket behind any CDN and never touch the sequencer.
//! RocksDB stays the source of truth; this crate copies what it has made
//! durable to a [`Bucket`]:
//!
//! - every tile and entry bundle is created once (`If-None-Match: *`): an
//!   object already there with the same bytes is success, with other bytes
//!   an alarm (two histories under one name);
//! - the `checkpoint` object is written last, under `If-Match` on the
//!   version this publisher last wrote, and only after a consistency check
//!   from the checkpoint it replaces: a stale or second publisher can
//!   neither move the published view back nor fork it;
//! - partial tiles a full tile has replaced are deleted.
//!
//! A [`Publisher`] runs beside the server, never on the write path: a
//! write never waits for the bucket. Failures are retried with back-off;
//! alarms stop publication. Both show in its [`Status`] (`/readyz`) and its
//! [`metrics`].

pub mod bucket;
mod dir;
mod https;
pub mod metrics;
pub mod plan;
mod probe;
mod publisher;
mod s3;
pub mod status;
pub mod target;

pub use bucket::{Bucket, BucketError, Created, Swapped, Version};
pub use publisher::{Alarm, DEFAULT_POLL, PublishError, Publisher, Round, RoundError};
pub use status::Status;
pub use target::{S3Options, Target};

/// `Cache-Control` of tiles and entry bundles: their bytes never change.
pub const IMMUTABLE: &str = "public, max-age=604800, immutable";
/// `Cache-Control` of the checkpoint: revalidated on every read.
pub const NO_CACHE: &str = "no-cache";
/// The checkpoint's key under the prefix.
pub const CHECKPOINT: &str = "checkpoint";

/// `bytes` as lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A fresh random name: 16 hex digits.
pub(crate) fn random_name() -> Result<String, getrandom::Error> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce)?;
    Ok(hex(&nonce))
}
