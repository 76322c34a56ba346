//! Design content identity: BLAKE3 and SHA-256 of the bytes, computed in one
//! pass over any reader without holding the file in memory.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::{ContentSha256, DesignId, ImageCode, MediaType};

/// What identifies a design's content. The content itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContentDescriptor {
    /// BLAKE3 of the bytes: the design id.
    pub blake3: DesignId,
    /// SHA-256 of the bytes.
    pub sha256: ContentSha256,
    /// Length in bytes.
    #[cfg_attr(feature = "schema", schemars(range(max = crate::MAX_SAFE_INTEGER)))]
    pub size: u64,
    /// The file's media type.
    pub media_type: MediaType,
    /// The ISCC Image-Code of an image, computed where the bytes are: what
    /// near-duplicate searches compare. Absent for other media, and in
    /// registrations made before the ledger knew of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscc: Option<ImageCode>,
}

/// The hashes and length of a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentHashes {
    /// BLAKE3 of the bytes.
    pub blake3: DesignId,
    /// SHA-256 of the bytes.
    pub sha256: ContentSha256,
    /// Length in bytes.
    pub size: u64,
}

impl ContentHashes {
    /// The descriptor of these hashes with a media type.
    #[must_use]
    pub fn with_media_type(self, media_type: MediaType) -> ContentDescriptor {
        ContentDescriptor {
            blake3: self.blake3,
            sha256: self.sha256,
            size: self.size,
            media_type,
            iscc: None,
        }
    }
}

/// Size of the read buffer used by [`hash_content`].
pub const HASH_BUFFER: usize = 64 * 1024;

/// BLAKE3, SHA-256 and length of bytes fed in pieces: for streams that
/// are not a [`Read`], such as an HTTP upload.
#[derive(Default)]
pub struct ContentHasher {
    blake: blake3::Hasher,
    sha: Sha256,
    size: u64,
}

impl ContentHasher {
    /// A hasher of no bytes yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next piece.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidData`] if the length overflows 64 bits.
    pub fn update(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.size = u64::try_from(chunk.len())
            .ok()
            .and_then(|n| self.size.checked_add(n))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "size overflows u64"))?;
        self.blake.update(chunk);
        self.sha.update(chunk);
        Ok(())
    }

    /// The bytes fed so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of everything fed.
    #[must_use]
    pub fn finish(self) -> ContentHashes {
        ContentHashes {
            blake3: DesignId(*self.blake.finalize().as_bytes()),
            sha256: ContentSha256(self.sha.finalize().into()),
            size: self.size,
        }
    }
}

/// Hashes everything `reader` yields with BLAKE3 and SHA-256 in one pass,
/// through a fixed 64 KiB buffer.
///
/// # Errors
/// Any error of the reader other than [`io::ErrorKind::Interrupted`] (which
/// is retried), and [`io::ErrorKind::InvalidData`] if the length overflows
/// 64 bits.
pub fn hash_content<R: Read>(mut reader: R) -> io::Result<ContentHashes> {
    let mut hasher = ContentHasher::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf
            .get(..n)
            .ok_or_else(|| io::Error::other("reader overran"))?;
        hasher.update(chunk)?;
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let h = hash_content(&b"abc"[..]).unwrap();
        assert_eq!(
            h.sha256.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            h.blake3.to_hex(),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
        assert_eq!(h.size, 3);
        let empty = hash_content(&b""[..]).unwrap();
        assert_eq!(
            empty.blake3.to_hex(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(empty.size, 0);
    }

    #[test]
    fn chunking_does_not_matter() {
        // A reader that returns at most 7 bytes at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(
            hash_content(Trickle(&data)).unwrap(),
            hash_content(&data[..]).unwrap()
        );
        assert_eq!(hash_content(&data[..]).unwrap().size, 200_000);
    }
}
