//! The start-up probe: a store that silently ignores conditional writes
//! would let a second publisher overwrite tiles and move the checkpoint
//! back, so publication refuses to start on one.

use bytes::Bytes;

use crate::bucket::{Bucket, Created};
use crate::publisher::PublishError;

/// Where the probe writes, under the prefix: never a tile path.
const PROBE_DIR: &str = ".provenant-probe";

/// Creates a fresh key twice: the first must be new, the second refused.
/// The key is deleted after.
///
/// # Errors
/// [`PublishError::NoConditionalWrites`] when the second create succeeds;
/// the store's failures.
pub(crate) async fn run(bucket: &Bucket) -> Result<(), PublishError> {
    let name = crate::random_name().map_err(|e| PublishError::Probe(e.to_string()))?;
    let key = format!("{PROBE_DIR}/{name}");
    let first = bucket
        .create(&key, Bytes::from_static(b"first"), crate::NO_CACHE)
        .await?;
    let second = bucket
        .create(&key, Bytes::from_static(b"second"), crate::NO_CACHE)
        .await;
    bucket.delete(&key).await?;
    if first != Created::New || second? != Created::Existed {
        return Err(PublishError::NoConditionalWrites(key));
    }
    Ok(())
}
