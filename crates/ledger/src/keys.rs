//! Byte layouts of the store's keys and values. Keys are big-endian so that
//! byte order is numeric order; ids and keys are their raw 32 bytes.

use provenant_model::state::Link;
use provenant_model::{DesignId, GrantId, Identity, ImageCode};

use crate::store::StoreError;

/// Meta key of the tree size (u64 BE).
pub const META_SIZE: &[u8] = b"size";
/// Meta key of the latest signed checkpoint (note text).
pub const META_CHECKPOINT: &[u8] = b"checkpoint";
/// Meta key of the store's format version (u64 BE); absent: version 1.
pub const META_FORMAT: &[u8] = b"format";

/// A u64 as 8 big-endian bytes.
#[must_use]
pub fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Reads 8 big-endian bytes.
///
/// # Errors
/// A [`StoreError`] when the value is not 8 bytes: the store is corrupt.
pub fn read_be(bytes: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::corrupt("a u64", format!("{} bytes, not 8", bytes.len())))
}

/// Reads 32 bytes.
///
/// # Errors
/// A [`StoreError`] when the slice is not 32 bytes: the store is corrupt.
pub fn read_32(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes)
        .map_err(|_| StoreError::corrupt("a 32-byte value", format!("{} bytes", bytes.len())))
}

/// Tags of the secondary indexes in [`crate::store::Table::Links`].
const OWNED_BY: u8 = 1;
const HELD_BY: u8 = 2;
const GRANT_OF: u8 = 3;
const CHILD_OF: u8 = 4;
const HISTORY: u8 = 5;
const EXCLUSIVE_OF: u8 = 6;
const IMAGE_BAND: u8 = 7;

/// The 32-byte first member of an image band link: the band's number and
/// its 16 bits, then zeros (every family's first member is 32 bytes, the
/// store's scan prefix).
fn band_member(band: u8, bits: u16) -> [u8; 32] {
    let mut member = [0u8; 32];
    member[0] = band;
    member[1..3].copy_from_slice(&bits.to_be_bytes());
    member
}

fn cat(tag: u8, a: &[u8; 32], b: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + 32 + b.len());
    k.push(tag);
    k.extend_from_slice(a);
    k.extend_from_slice(b);
    k
}

/// `tag || first || second`: a link's key.
#[must_use]
pub fn link_key(link: &Link) -> Vec<u8> {
    match link {
        Link::OwnedBy { key, design } => cat(OWNED_BY, key.as_bytes(), design.as_bytes()),
        Link::HeldBy { key, grant } => cat(HELD_BY, key.as_bytes(), grant.as_bytes()),
        Link::GrantOf { design, grant } => cat(GRANT_OF, design.as_bytes(), grant.as_bytes()),
        Link::ExclusiveOf { design, grant } => {
            cat(EXCLUSIVE_OF, design.as_bytes(), grant.as_bytes())
        }
        Link::ChildOf { parent, child } => cat(CHILD_OF, parent.as_bytes(), child.as_bytes()),
        Link::History { design, index } => cat(HISTORY, design.as_bytes(), &be(*index)),
        Link::ImageBand {
            band,
            bits,
            code,
            design,
        } => cat(
            IMAGE_BAND,
            &band_member(*band, *bits),
            &[code.digest().to_be_bytes().as_slice(), design.as_bytes()].concat(),
        ),
    }
}

/// The scan prefix of a family of links sharing their first member.
#[derive(Clone, Copy, Debug)]
pub enum LinkFamily {
    /// Designs owned by a key.
    OwnedBy(Identity),
    /// Grants held by a key.
    HeldBy(Identity),
    /// Grants on a design.
    GrantsOf(DesignId),
    /// Exclusive, unrevoked grants on a design.
    ExclusiveOf(DesignId),
    /// Children of a design.
    ChildrenOf(DesignId),
    /// Entry indexes concerning a design.
    HistoryOf(DesignId),
    /// Image codes (and their designs) with these bits as this band.
    ImageBand {
        /// The band's number, 0 to 3.
        band: u8,
        /// Its bits.
        bits: u16,
    },
}

impl LinkFamily {
    /// `tag || first`.
    #[must_use]
    pub fn prefix(self) -> Vec<u8> {
        match self {
            LinkFamily::OwnedBy(k) | LinkFamily::HeldBy(k) => cat(self.tag(), k.as_bytes(), &[]),
            LinkFamily::GrantsOf(d)
            | LinkFamily::ExclusiveOf(d)
            | LinkFamily::ChildrenOf(d)
            | LinkFamily::HistoryOf(d) => cat(self.tag(), d.as_bytes(), &[]),
            LinkFamily::ImageBand { band, bits } => cat(self.tag(), &band_member(band, bits), &[]),
        }
    }

    fn tag(self) -> u8 {
        match self {
            LinkFamily::OwnedBy(_) => OWNED_BY,
            LinkFamily::HeldBy(_) => HELD_BY,
            LinkFamily::GrantsOf(_) => GRANT_OF,
            LinkFamily::ExclusiveOf(_) => EXCLUSIVE_OF,
            LinkFamily::ChildrenOf(_) => CHILD_OF,
            LinkFamily::HistoryOf(_) => HISTORY,
            LinkFamily::ImageBand { .. } => IMAGE_BAND,
        }
    }

    /// Whether `link` belongs to this family.
    #[must_use]
    pub fn contains(self, link: &Link) -> bool {
        link_key(link).starts_with(&self.prefix())
    }
}

/// The second member of a link key of a 32-byte family.
///
/// # Errors
/// A [`StoreError`] for a key of the wrong length.
pub fn second_32(key: &[u8]) -> Result<[u8; 32], StoreError> {
    read_32(key.get(33..).unwrap_or_default())
}

/// The image code and design of an image band link's key.
///
/// # Errors
/// A [`StoreError`] for a malformed key.
pub fn image_band_member(key: &[u8]) -> Result<(ImageCode, DesignId), StoreError> {
    let code = read_be(key.get(33..41).unwrap_or_default())?;
    let design = read_32(key.get(41..).unwrap_or_default())?;
    Ok((ImageCode::from_digest(code), DesignId(design)))
}

/// The design id in a link key's second member.
///
/// # Errors
/// A [`StoreError`] for a malformed key.
pub fn second_design(key: &[u8]) -> Result<DesignId, StoreError> {
    second_32(key).map(DesignId)
}

/// The grant id in a link key's second member.
///
/// # Errors
/// A [`StoreError`] for a malformed key.
pub fn second_grant(key: &[u8]) -> Result<GrantId, StoreError> {
    second_32(key).map(GrantId)
}

/// The index in a history link key.
///
/// # Errors
/// A [`StoreError`] for a malformed key.
pub fn second_index(key: &[u8]) -> Result<u64, StoreError> {
    read_be(key.get(33..).unwrap_or_default())
}

/// `signer || index`: a key of [`crate::store::Table::Signers`].
#[must_use]
pub fn signer_key(key: &Identity, index: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(40);
    k.extend_from_slice(key.as_bytes());
    k.extend_from_slice(&be(index));
    k
}
