//! Near-duplicate searches: registered designs whose image code is within a
//! distance of a code, found through the image band links of
//! [`provenant_model::iscc`] (multi-index hashing over four 16-bit bands)
//! rather than by reading every code.

use std::collections::BTreeMap;

use provenant_model::iscc::{MAX_DISTANCE, band_neighbours, band_radius};
use provenant_model::{DesignId, ImageCode, NearDuplicate, StateView as _};

use crate::error::ReadError;
use crate::keys::{self, LinkFamily};
use crate::ledger::Ledger;
use crate::store::{Read, Store as _, Table};
use crate::view::View;

/// Most codes one band value may hold that a search reads: a value shared
/// by more (thousands of blank or near-blank designs) is read this far and
/// the answer says it is partial.
pub const MAX_BUCKET: usize = 4096;
/// Most near-duplicates an answer lists, nearest first.
pub const MAX_MATCHES: usize = 100;

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    /// The designs within the distance, nearest first, then in
    /// registration order; at most [`MAX_MATCHES`].
    pub designs: Vec<NearDuplicate>,
    /// Whether some designs may be missing: a band value held more than
    /// [`MAX_BUCKET`] codes, or more than [`MAX_MATCHES`] matched.
    pub partial: bool,
}

impl Ledger {
    /// Registered designs whose image code is within `max_distance` bits of
    /// `code` (at most [`MAX_DISTANCE`]), other than `except`, and only
    /// those registered before entry `before` when given, read from one
    /// snapshot.
    ///
    /// # Errors
    /// Store errors.
    pub fn near_duplicates(
        &self,
        code: ImageCode,
        max_distance: u32,
        except: Option<&DesignId>,
        before: Option<u64>,
    ) -> Result<Matches, ReadError> {
        let max_distance = max_distance.min(MAX_DISTANCE);
        let snap = self.store().snapshot();
        let mut partial = false;
        let mut found: BTreeMap<DesignId, ImageCode> = BTreeMap::new();
        let radius = band_radius(max_distance);
        for (band, bits) in (0u8..).zip(code.bands()) {
            // In key order: the iterator's seeks move forward.
            let mut values = band_neighbours(bits, radius);
            values.sort_unstable();
            let prefixes: Vec<Vec<u8>> = values
                .into_iter()
                .map(|value| LinkFamily::ImageBand { band, bits: value }.prefix())
                .collect();
            for rows in snap.scan_many(Table::Links, &prefixes, MAX_BUCKET + 1)? {
                partial |= rows.len() > MAX_BUCKET;
                for (key, _) in rows.iter().take(MAX_BUCKET) {
                    let (other, design) = keys::image_band_member(key)?;
                    if code.distance(other) <= max_distance && Some(&design) != except {
                        found.insert(design, other);
                    }
                }
            }
        }
        let view = View::new(&snap);
        let mut designs = Vec::with_capacity(found.len());
        for (design, iscc) in found {
            let Some(state) = view.design(&design)? else {
                continue;
            };
            if before.is_some_and(|before| state.registered.index >= before) {
                continue;
            }
            designs.push(NearDuplicate {
                design,
                iscc,
                distance: code.distance(iscc),
                registered: state.registered,
                owners: state.owners,
            });
        }
        designs.sort_by_key(|d| (d.distance, d.registered.index));
        if designs.len() > MAX_MATCHES {
            designs.truncate(MAX_MATCHES);
            partial = true;
        }
        Ok(Matches { designs, partial })
    }
}
