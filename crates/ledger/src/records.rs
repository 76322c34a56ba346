//! The binary layout of design records, the most numerous state records
//! (one per registration).
//!
//! The id is the record's key, so it is not repeated in the value. Counts
//! are checked on the way in; the reader trusts nothing and refuses a
//! record that does not parse to the end.
//!
//! | field | bytes |
//! |---|---|
//! | layout version | `1` |
//! | license threshold, ppm | u32 BE |
//! | owners | u16 BE count, then key (32) and share ppm (u32 BE) each |
//! | parents | u16 BE count, then design id (32) and grant id (32) each |
//! | registration entry | index (u64 BE), leaf hash (32), logged at (i64 BE, Unix seconds) |
//! | ownership entry | `0` when it is the registration, else `1` and an entry as above |
//! | blocking disputes | u32 BE count, then dispute id (32) each, in order |

use std::collections::BTreeSet;

use provenant_model::payload::ParentLink;
use provenant_model::state::{EntryRef, Owner};
use provenant_model::{
    DesignId, DesignState, DisputeId, GrantId, Identity, LeafHash, Ppm, Timestamp,
};

use crate::store::StoreError;

/// The layout this build writes.
const VERSION: u8 = 1;

/// The record of `design`.
///
/// # Errors
/// A [`StoreError`] when a list is longer than its count field allows.
pub fn encode_design(design: &DesignState) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(
        64 + 36 * design.owners.len()
            + 64 * design.parents.len()
            + 32 * design.blocking_disputes.len(),
    );
    out.push(VERSION);
    out.extend_from_slice(&design.license_threshold_ppm.get().to_be_bytes());
    out.extend_from_slice(&count16(design.owners.len(), "owners")?);
    for owner in &design.owners {
        out.extend_from_slice(owner.key.as_bytes());
        out.extend_from_slice(&owner.share_ppm.get().to_be_bytes());
    }
    out.extend_from_slice(&count16(design.parents.len(), "parents")?);
    for parent in &design.parents {
        out.extend_from_slice(parent.design.as_bytes());
        out.extend_from_slice(parent.grant.as_bytes());
    }
    put_ref(&mut out, &design.registered);
    if design.ownership == design.registered {
        out.push(0);
    } else {
        out.push(1);
        put_ref(&mut out, &design.ownership);
    }
    let disputes =
        u32::try_from(design.blocking_disputes.len()).map_err(|_| StoreError::Unstorable {
            what: "a design record",
            detail: "too many blocking disputes".into(),
        })?;
    out.extend_from_slice(&disputes.to_be_bytes());
    for id in &design.blocking_disputes {
        out.extend_from_slice(id.as_bytes());
    }
    Ok(out)
}

/// The design `id` from its record.
///
/// # Errors
/// A [`StoreError`] for a record that is not exactly one design record.
pub fn decode_design(id: DesignId, bytes: &[u8]) -> Result<DesignState, StoreError> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.u8()?;
    if version != VERSION {
        return Err(r.corrupt(&format!("unknown layout {version}")));
    }
    let license_threshold_ppm = r.ppm()?;
    let mut owners = Vec::new();
    for _ in 0..r.u16()? {
        let key = r.identity()?;
        owners.push(Owner {
            key,
            share_ppm: r.ppm()?,
        });
    }
    let mut parents = Vec::new();
    for _ in 0..r.u16()? {
        parents.push(ParentLink {
            design: DesignId(r.bytes32()?),
            grant: GrantId(r.bytes32()?),
        });
    }
    let registered = r.entry_ref()?;
    let ownership = match r.u8()? {
        0 => registered,
        1 => r.entry_ref()?,
        other => return Err(r.corrupt(&format!("ownership flag {other}"))),
    };
    let mut blocking_disputes = BTreeSet::new();
    for _ in 0..r.u32()? {
        blocking_disputes.insert(DisputeId(r.bytes32()?));
    }
    if r.at != bytes.len() {
        return Err(r.corrupt("bytes after the record"));
    }
    Ok(DesignState {
        id,
        parents,
        license_threshold_ppm,
        owners,
        registered,
        ownership,
        blocking_disputes,
    })
}

fn count16(len: usize, what: &str) -> Result<[u8; 2], StoreError> {
    u16::try_from(len)
        .map(u16::to_be_bytes)
        .map_err(|_| StoreError::Unstorable {
            what: "a design record",
            detail: format!("too many {what}"),
        })
}

fn put_ref(out: &mut Vec<u8>, entry: &EntryRef) {
    out.extend_from_slice(&entry.index.to_be_bytes());
    out.extend_from_slice(entry.leaf_hash.as_bytes());
    out.extend_from_slice(&entry.logged_at.unix().to_be_bytes());
}

/// A cursor over a record.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn corrupt(&self, what: &str) -> StoreError {
        StoreError::corrupt("design record", format!("at byte {}: {what}", self.at))
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let slice = self
            .bytes
            .get(self.at..self.at + N)
            .ok_or_else(|| self.corrupt("truncated"))?;
        self.at += N;
        <[u8; N]>::try_from(slice).map_err(|_| self.corrupt("truncated"))
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        self.take::<1>().map(|[b]| b)
    }

    fn u16(&mut self) -> Result<u16, StoreError> {
        self.take().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, StoreError> {
        self.take().map(u32::from_be_bytes)
    }

    fn bytes32(&mut self) -> Result<[u8; 32], StoreError> {
        self.take()
    }

    fn ppm(&mut self) -> Result<Ppm, StoreError> {
        let v = self.u32()?;
        Ppm::new(v).ok_or_else(|| self.corrupt(&format!("{v} ppm")))
    }

    fn identity(&mut self) -> Result<Identity, StoreError> {
        let raw = self.bytes32()?;
        Identity::from_bytes(&raw).map_err(|e| self.corrupt(&e.to_string()))
    }

    fn entry_ref(&mut self) -> Result<EntryRef, StoreError> {
        let index = u64::from_be_bytes(self.take()?);
        let leaf_hash = LeafHash(self.bytes32()?);
        let secs = i64::from_be_bytes(self.take()?);
        let logged_at =
            Timestamp::from_unix(secs).ok_or_else(|| self.corrupt(&format!("time {secs}")))?;
        Ok(EntryRef {
            index,
            leaf_hash,
            logged_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u64, fill: u8, secs: i64) -> EntryRef {
        EntryRef {
            index,
            leaf_hash: LeafHash([fill; 32]),
            logged_at: Timestamp::from_unix(secs).unwrap(),
        }
    }

    fn key(seed: u8) -> Identity {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        Identity::from_key(&signing.verifying_key()).unwrap()
    }

    fn design() -> DesignState {
        let registered = entry(7, 0xaa, 1_790_000_000);
        DesignState {
            id: DesignId([1; 32]),
            parents: vec![ParentLink {
                design: DesignId([2; 32]),
                grant: GrantId([3; 32]),
            }],
            license_threshold_ppm: Ppm::new(500_000).unwrap(),
            owners: vec![
                Owner {
                    key: key(4),
                    share_ppm: Ppm::new(600_000).unwrap(),
                },
                Owner {
                    key: key(5),
                    share_ppm: Ppm::new(400_000).unwrap(),
                },
            ],
            registered,
            ownership: registered,
            blocking_disputes: BTreeSet::new(),
        }
    }

    #[test]
    fn round_trips_with_and_without_a_transfer_and_disputes() {
        let plain = design();
        let bytes = encode_design(&plain).unwrap();
        assert_eq!(bytes.len(), 1 + 4 + 2 + 72 + 2 + 64 + 48 + 1 + 4);
        assert_eq!(decode_design(plain.id, &bytes).unwrap(), plain);

        let mut moved = design();
        moved.ownership = entry(9, 0xbb, 1_790_000_100);
        moved.blocking_disputes = [DisputeId([8; 32]), DisputeId([6; 32])].into();
        let bytes = encode_design(&moved).unwrap();
        assert_eq!(decode_design(moved.id, &bytes).unwrap(), moved);
    }

    #[test]
    fn refuses_truncated_extended_and_unknown_records() {
        let bytes = encode_design(&design()).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                decode_design(DesignId([1; 32]), &bytes[..cut]).is_err(),
                "{cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_design(DesignId([1; 32]), &longer).is_err());
        let mut other = bytes;
        other[0] = 2;
        assert!(decode_design(DesignId([1; 32]), &other).is_err());
    }
}
