//! The four things publication needs from object storage: create an
//! object only if absent, read one with its version, replace one only if
//! it is still at a version, and list and delete under a prefix.

use bytes::Bytes;

use crate::dir::DirBucket;
use crate::s3::S3Bucket;
use crate::target::{S3Options, Target};

/// A version of an object, to replace it only if it is still that one
/// (S3: the `ETag`, and the version id on a versioned bucket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The entity tag.
    pub etag: Option<String>,
    /// The version id, on a versioned bucket.
    pub version: Option<String>,
}

/// What a create-only write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The object is new.
    New,
    /// An object was already there (its bytes are not compared here).
    Existed,
}

/// What a conditional replace found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Swapped {
    /// Written; the object's new version.
    Done(Version),
    /// The object was not at the expected version (or, expecting none,
    /// existed): someone else wrote it.
    Lost,
}

/// Why an operation failed. Every one is worth trying again later.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// The S3 client's error.
    #[error("{0}")]
    S3(#[from] object_store::Error),
    /// The directory's error.
    #[error("{path}: {source}")]
    Dir {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A key that is not valid for the store.
    #[error("invalid key {0:?}")]
    Key(String),
}

/// A bucket (or directory) at a prefix. Keys are relative to the prefix.
#[derive(Debug)]
pub enum Bucket {
    /// An S3-compatible bucket.
    S3(S3Bucket),
    /// A static directory.
    Dir(DirBucket),
}

impl Bucket {
    /// The bucket `target` names: S3 configured by `options` and the
    /// environment (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`, ...), or the directory,
    /// created if absent.
    ///
    /// # Errors
    /// An S3 configuration the client refuses; a directory that cannot be
    /// created.
    pub fn open(target: &Target, options: &S3Options) -> Result<Self, BucketError> {
        Ok(match target {
            Target::S3 { bucket, prefix } => Bucket::S3(S3Bucket::open(bucket, prefix, options)?),
            Target::Dir(dir) => Bucket::Dir(DirBucket::open(dir)?),
        })
    }

    /// Writes `bytes` at `key` unless an object is already there.
    ///
    /// # Errors
    /// The store's failures.
    pub async fn create(
        &self,
        key: &str,
        bytes: Bytes,
        cache: &'static str,
    ) -> Result<Created, BucketError> {
        match self {
            Bucket::S3(b) => b.create(key, bytes, cache).await,
            Bucket::Dir(b) => b.create(key, bytes).await,
        }
    }

    /// The object at `key` and its version; `None` when absent.
    ///
    /// # Errors
    /// The store's failures.
    pub async fn get(&self, key: &str) -> Result<Option<(Bytes, Version)>, BucketError> {
        match self {
            Bucket::S3(b) => b.get(key).await,
            Bucket::Dir(b) => b.get(key).await,
        }
    }

    /// Writes `bytes` at `key` if the object there is still at `expected`,
    /// or, expecting `None`, if there is none.
    ///
    /// # Errors
    /// The store's failures.
    pub async fn swap(
        &self,
        key: &str,
        bytes: Bytes,
        cache: &'static str,
        expected: Option<&Version>,
    ) -> Result<Swapped, BucketError> {
        match self {
            Bucket::S3(b) => b.swap(key, bytes, cache, expected).await,
            Bucket::Dir(b) => b.swap(key, bytes, expected).await,
        }
    }

    /// The keys that start with `prefix`.
    ///
    /// # Errors
    /// The store's failures.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, BucketError> {
        match self {
            Bucket::S3(b) => b.list(prefix).await,
            Bucket::Dir(b) => b.list(prefix).await,
        }
    }

    /// Deletes `key`; an absent key is no error.
    ///
    /// # Errors
    /// The store's failures.
    pub async fn delete(&self, key: &str) -> Result<(), BucketError> {
        match self {
            Bucket::S3(b) => b.delete(key).await,
            Bucket::Dir(b) => b.delete(key).await,
        }
    }
}
