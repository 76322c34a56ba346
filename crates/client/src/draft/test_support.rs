//! What the unit tests of the drafts share: shares and a design to draft.

use provenant_model::Ppm;
use provenant_model::hash_content;
use provenant_model::payload::Creator;
use provenant_testkit::{id, key};

use super::{DEFAULT_ROLE, DesignDraft};

/// A share in ppm.
pub(super) fn ppm(v: u32) -> Ppm {
    Ppm::new(v).unwrap()
}

/// Creator `seed` with `share` ppm, as a designer.
pub(super) fn creator(seed: u8, share: u32) -> Creator {
    Creator {
        key: id(&key(seed)),
        share_ppm: ppm(share),
        role: DEFAULT_ROLE.parse().unwrap(),
    }
}

/// A one-file design, "A shoe charm", by `creators`.
pub(super) fn charm(creators: Vec<Creator>) -> DesignDraft {
    DesignDraft {
        content: hash_content(&b"charm"[..]).unwrap(),
        media_type: "image/png".parse().unwrap(),
        iscc: None,
        title: "A shoe charm".to_owned(),
        description: String::new(),
        creators,
        parents: Vec::new(),
        ai: None,
        threshold: None,
    }
}
